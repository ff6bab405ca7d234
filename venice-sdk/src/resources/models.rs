//! Models: `client.models()` — lists, traits, compatibility mappings — and
//! [`ModelId`], a model name with feature suffixes.

use std::fmt;

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Models, their traits and compatibility mappings.
    pub fn models(&self) -> Models<'_> {
        Models { client: self }
    }
}

/// Models, their traits and compatibility mappings: `client.models()`.
#[derive(Clone, Copy, Debug)]
pub struct Models<'a> {
    pub(crate) client: &'a Client,
}

impl Models<'_> {
    /// Lists the models, of one type or (with `None`) the API's default selection.
    pub async fn list(
        &self,
        model_type: impl Into<Option<types::ListModelsType>>,
    ) -> Result<Response<types::ListModelsResponse>, Error> {
        let t = model_type.into().map(|t| t.to_string());
        Call::new(&operations::LIST_MODELS)
            .query_opt("type", t)
            .json(self.client.config())
            .await
    }

    /// The model traits (`default`, `fastest`, …) and the model each maps to.
    pub async fn traits(
        &self,
        model_type: impl Into<Option<types::ListModelTraitsType>>,
    ) -> Result<Response<types::ListModelTraitsResponse>, Error> {
        let t = model_type.into().map(|t| t.to_string());
        Call::new(&operations::LIST_MODEL_TRAITS)
            .query_opt("type", t)
            .json(self.client.config())
            .await
    }

    /// The OpenAI model names Venice accepts and the model each maps to.
    pub async fn compatibility_mapping(
        &self,
        model_type: impl Into<Option<types::ListModelCompatibilityMappingType>>,
    ) -> Result<Response<types::ListModelCompatibilityMappingResponse>, Error> {
        let t = model_type.into().map(|t| t.to_string());
        Call::new(&operations::LIST_MODEL_COMPATIBILITY_MAPPING)
            .query_opt("type", t)
            .json(self.client.config())
            .await
    }
}

/// A model id with feature suffixes: `ModelId::new("qwen3-4b").feature("disable_thinking", true)`
/// displays as `qwen3-4b:disable_thinking=true`.
///
/// Suffixes switch on `venice_parameters` features through the model name alone
/// (for clients that can only set `model`). Reserved characters in keys and values
/// (`%`, `&`, `=`, `:`) are percent-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelId {
    model: String,
    features: Vec<(String, String)>,
}

impl ModelId {
    /// A model id without features.
    pub fn new(model: impl Into<String>) -> Self {
        ModelId {
            model: model.into(),
            features: Vec::new(),
        }
    }

    /// Adds (or replaces) a feature.
    pub fn feature(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        let key = key.into();
        let value = value.to_string();
        match self.features.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.features.push((key, value)),
        }
        self
    }
}

/// What a feature key or value may not hold as is: the suffix's own separators,
/// `%`, and control characters.
const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b'%')
    .add(b'&')
    .add(b'=')
    .add(b':');

fn encode(part: &str, out: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(
        out,
        "{}",
        percent_encoding::utf8_percent_encode(part, RESERVED)
    )
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.model)?;
        for (i, (k, v)) in self.features.iter().enumerate() {
            f.write_str(if i == 0 { ":" } else { "&" })?;
            encode(k, f)?;
            f.write_str("=")?;
            encode(v, f)?;
        }
        Ok(())
    }
}

impl From<ModelId> for String {
    fn from(id: ModelId) -> String {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_with_features() {
        assert_eq!(ModelId::new("qwen3-4b").to_string(), "qwen3-4b");
        let id = ModelId::new("qwen3-4b")
            .feature("disable_thinking", true)
            .feature("enable_web_search", "on")
            .feature("disable_thinking", false);
        assert_eq!(
            id.to_string(),
            "qwen3-4b:disable_thinking=false&enable_web_search=on"
        );
        assert_eq!(
            ModelId::new("m").feature("a&b", "c=d:e%").to_string(),
            "m:a%26b=c%3Dd%3Ae%25"
        );
        let req = types::ChatCompletionRequest::new(ModelId::new("m").feature("x", 1), []);
        assert_eq!(serde_json::to_value(&req).unwrap()["model"], "m:x=1");
    }
}
