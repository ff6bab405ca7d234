//! Models: `client.models()` — lists, traits, compatibility mappings — and
//! [`ModelId`], a model name with feature suffixes.

use std::fmt;

use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Models, their traits and compatibility mappings.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let models = client.models();
    /// for model in &models.list(None).await?.data {
    ///     println!("{} ({})", model.id, model.type_);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn models(&self) -> Models<'_> {
        Models { client: self }
    }
}

/// Which model type [`Models::list`], [`Models::traits`] and
/// [`Models::compatibility_mapping`] ask for: the API's default (`None`), or
/// one type, by its wire value (`"text"`, `"image"`, `"all"`, … or one the SDK
/// does not know yet, sent as given) or the generated enum of `list`.
///
/// ```
/// use venice_sdk::{ModelTypeFilter, types};
///
/// // Each of these is a `list` argument:
/// let _default: ModelTypeFilter = None.into();
/// let text: ModelTypeFilter = "text".into();
/// let image: ModelTypeFilter = types::ListModelsType::from("image").into();
/// assert_eq!(text.as_str(), Some("text"));
/// assert_eq!(image.as_str(), Some("image"));
/// ```
///
/// It converts from `&str`, the generated type and an `Option` of it, and from
/// nothing else on purpose: upstream may turn the generated type into a plain
/// `String` (it has done so to other enums), and these three conversions stay
/// distinct, so the calls above compile on either shape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelTypeFilter(Option<String>);

impl ModelTypeFilter {
    /// The `type` query value sent, if any.
    ///
    /// ```
    /// assert_eq!(venice_sdk::ModelTypeFilter::from("all").as_str(), Some("all"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl From<&str> for ModelTypeFilter {
    fn from(value: &str) -> Self {
        ModelTypeFilter(Some(value.to_owned()))
    }
}

impl From<types::ListModelsType> for ModelTypeFilter {
    fn from(value: types::ListModelsType) -> Self {
        ModelTypeFilter(Some(value.to_string()))
    }
}

impl From<Option<types::ListModelsType>> for ModelTypeFilter {
    fn from(value: Option<types::ListModelsType>) -> Self {
        ModelTypeFilter(value.map(|t| t.to_string()))
    }
}

/// Models, their traits and compatibility mappings: `client.models()`.
///
/// ```
/// use venice_sdk::{Capability, Message, types::ChatCompletionRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// if let Some(model) = client.models().pick(&[Capability::FunctionCalling]).await? {
///     let reply = client.chat().create(ChatCompletionRequest::new(model, [Message::user("Hi")])).await?;
///     println!("{}", reply.text().unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Models<'a> {
    pub(crate) client: &'a Client,
}

impl Models<'_> {
    /// Lists the models, of one type or (with `None`) the API's default selection.
    ///
    /// The type is its wire value (`"text"`, `"image"`, `"all"`, or one the SDK
    /// does not know yet, sent as given) or the generated
    /// [`ListModelsType`](types::ListModelsType); see [`ModelTypeFilter`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let image_models = client.models().list("image").await?;
    /// for model in &image_models.data {
    ///     println!("{}", model.id);
    /// }
    /// let default_selection = client.models().list(None).await?;
    /// # let _ = default_selection;
    /// # Ok(()) }
    /// ```
    pub async fn list(
        &self,
        model_type: impl Into<ModelTypeFilter>,
    ) -> Result<Response<types::ListModelsResponse>, Error> {
        Call::new(&operations::LIST_MODELS)
            .query_opt("type", model_type.into().0)
            .json(self.client.config())
            .await
    }

    /// The ids of the text models that have `capability`, read from the flags
    /// `/models` reports (a model that does not report a flag lacks it), so
    /// that code does not hard-code model ids.
    ///
    /// ```
    /// use venice_sdk::Capability;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let ids = client.models().with_capability(Capability::ResponseSchema).await?;
    /// println!("structured outputs: {ids:?}");
    /// # Ok(()) }
    /// ```
    pub async fn with_capability(&self, capability: Capability) -> Result<Vec<String>, Error> {
        self.with_capabilities(&[capability]).await
    }

    /// The ids of the text models that have every one of `capabilities`.
    ///
    /// ```
    /// use venice_sdk::Capability;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let ids = client.models().with_capabilities(&[Capability::FunctionCalling, Capability::Vision]).await?;
    /// println!("tools and images: {ids:?}");
    /// # Ok(()) }
    /// ```
    pub async fn with_capabilities(
        &self,
        capabilities: &[Capability],
    ) -> Result<Vec<String>, Error> {
        let models = self.list("text").await?;
        let json = match models.json().and_then(|j| serde_json::from_slice(j).ok()) {
            Some(json) => json,
            None => crate::shape::json_of(&*models),
        };
        Ok(capable(&json, capabilities))
    }

    /// A text model that has every one of `capabilities` (the first `/models`
    /// lists), or `None`.
    ///
    /// ```
    /// use venice_sdk::Capability;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// match client.models().pick(&[Capability::Reasoning]).await? {
    ///     Some(model) => println!("thinking with {model}"),
    ///     None => println!("no reasoning model today"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pick(&self, capabilities: &[Capability]) -> Result<Option<String>, Error> {
        Ok(self
            .with_capabilities(capabilities)
            .await?
            .into_iter()
            .next())
    }

    /// The model traits (`default`, `fastest`, …) and the model each maps to,
    /// for one model type (`"text"`, `"image"`, …) or the API's default.
    ///
    /// The model traits (`default`, `fastest`, …) and the model each maps to.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let traits = client.models().traits(None).await?;
    /// if let Some(model) = traits.data.get("fastest") {
    ///     println!("the fastest model is {model}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn traits(
        &self,
        model_type: impl Into<ModelTypeFilter>,
    ) -> Result<Response<types::ListModelTraitsResponse>, Error> {
        Call::new(&operations::LIST_MODEL_TRAITS)
            .query_opt("type", model_type.into().0)
            .json(self.client.config())
            .await
    }

    /// The OpenAI model names Venice accepts and the model each maps to, for
    /// one model type (`"text"`, `"image"`, …) or the API's default.
    ///
    /// The OpenAI model names Venice accepts and the model each maps to.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let mapping = client.models().compatibility_mapping(None).await?;
    /// for (openai, venice) in mapping.data.iter() {
    ///     println!("{openai} → {venice}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn compatibility_mapping(
        &self,
        model_type: impl Into<ModelTypeFilter>,
    ) -> Result<Response<types::ListModelCompatibilityMappingResponse>, Error> {
        Call::new(&operations::LIST_MODEL_COMPATIBILITY_MAPPING)
            .query_opt("type", model_type.into().0)
            .json(self.client.config())
            .await
    }
}

/// A capability `/models` reports for a model (`model_spec.capabilities`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::Capability;
/// let ids = client.models().with_capability(Capability::ResponseSchema).await?;
/// let model = client.models().pick(&[Capability::FunctionCalling, Capability::Reasoning]).await?;
/// println!("{ids:?}, picked {model:?}");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// Structured outputs (`response_format` with a JSON schema).
    ResponseSchema,
    /// Tools (function calling).
    FunctionCalling,
    /// Reasoning (thinking before answering).
    Reasoning,
    /// Reasoning effort can be set.
    ReasoningEffort,
    /// Images in the messages.
    Vision,
    /// Web search.
    WebSearch,
    /// X (Twitter) search.
    XSearch,
    /// End-to-end encrypted chat.
    E2ee,
    /// Attestation of a trusted execution environment.
    TeeAttestation,
    /// Log probabilities.
    LogProbs,
    /// Audio in the messages.
    AudioInput,
    /// Video in the messages.
    VideoInput,
    /// A flag this SDK does not name yet, by its name in `/models`
    /// (`supportsSomethingNew`).
    Flag(String),
}

impl Capability {
    /// Its flag in `/models` (`supportsResponseSchema`).
    ///
    /// ```
    /// use venice_sdk::Capability;
    ///
    /// assert_eq!(Capability::ResponseSchema.flag(), "supportsResponseSchema");
    /// ```
    pub fn flag(&self) -> &str {
        match self {
            Capability::ResponseSchema => "supportsResponseSchema",
            Capability::FunctionCalling => "supportsFunctionCalling",
            Capability::Reasoning => "supportsReasoning",
            Capability::ReasoningEffort => "supportsReasoningEffort",
            Capability::Vision => "supportsVision",
            Capability::WebSearch => "supportsWebSearch",
            Capability::XSearch => "supportsXSearch",
            Capability::E2ee => "supportsE2EE",
            Capability::TeeAttestation => "supportsTeeAttestation",
            Capability::LogProbs => "supportsLogProbs",
            Capability::AudioInput => "supportsAudioInput",
            Capability::VideoInput => "supportsVideoInput",
            Capability::Flag(name) => name,
        }
    }
}

/// The ids of the models of a `/models` answer (as JSON) that have every one
/// of `capabilities`, in the answer's order; a model that does not say has not.
fn capable(models: &serde_json::Value, capabilities: &[Capability]) -> Vec<String> {
    models["data"]
        .as_array()
        .map(|data| {
            data.iter()
                .filter(|m| {
                    capabilities.iter().all(|c| {
                        m.pointer("/model_spec/capabilities")
                            .and_then(|caps| caps.get(c.flag()))
                            .and_then(serde_json::Value::as_bool)
                            == Some(true)
                    })
                })
                .filter_map(|m| m["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A model id with feature suffixes: `ModelId::new("qwen3-4b").feature("disable_thinking", true)`
/// displays as `qwen3-4b:disable_thinking=true`.
///
/// Suffixes switch on `venice_parameters` features through the model name alone
/// (for clients that can only set `model`). Reserved characters in keys and values
/// (`%`, `&`, `=`, `:`) are percent-encoded.
///
/// ```
/// use venice_sdk::ModelId;
///
/// let model = ModelId::new("qwen3-4b").feature("disable_thinking", true);
/// assert_eq!(model.to_string(), "qwen3-4b:disable_thinking=true");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelId {
    model: String,
    features: Vec<(String, String)>,
}

impl ModelId {
    /// A model id without features.
    ///
    /// ```
    /// use venice_sdk::ModelId;
    ///
    /// let plain = ModelId::new("venice-uncensored");
    /// assert_eq!(plain.to_string(), "venice-uncensored");
    /// ```
    pub fn new(model: impl Into<String>) -> Self {
        ModelId {
            model: model.into(),
            features: Vec::new(),
        }
    }

    /// Adds (or replaces) a feature.
    ///
    /// ```
    /// use venice_sdk::{Message, ModelId, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let model = ModelId::new("qwen3-4b").feature("disable_thinking", true);
    /// assert_eq!(model.to_string(), "qwen3-4b:disable_thinking=true");
    /// let reply = client.chat().create(ChatCompletionRequest::new(model, [Message::user("Hi")])).await?;
    /// println!("{}", reply.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
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
    fn capabilities_are_read_from_the_flags() {
        let models = serde_json::json!({"data": [
            {"id": "a", "model_spec": {"capabilities": {"supportsResponseSchema": true, "supportsFunctionCalling": true}}},
            {"id": "b", "model_spec": {"capabilities": {"supportsResponseSchema": false, "supportsFunctionCalling": true}}},
            {"id": "c", "model_spec": {}},
            {"id": "d", "model_spec": {"capabilities": {"supportsResponseSchema": "yes", "supportsNew": true}}}
        ]});
        assert_eq!(capable(&models, &[Capability::ResponseSchema]), ["a"]);
        assert_eq!(capable(&models, &[Capability::FunctionCalling]), ["a", "b"]);
        assert_eq!(
            capable(
                &models,
                &[Capability::FunctionCalling, Capability::ResponseSchema]
            ),
            ["a"]
        );
        assert_eq!(
            capable(&models, &[Capability::Flag("supportsNew".into())]),
            ["d"]
        );
        assert!(capable(&serde_json::json!({"data": 3}), &[Capability::Vision]).is_empty());
    }

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
