//! Structured outputs: the JSON Schema of a user type (schemars), made what
//! strict mode requires, and the response formats Venice reads.
//!
//! # The shape Venice reads
//!
//! `response_format` is `{"type": "json_schema", "json_schema": {"name", "strict",
//! "schema"}}`, as OpenAI's. The spec types `json_schema` as a free map and its
//! example puts a bare schema there (`{"type": "object", "properties": …}`): sent
//! like that, the schema is not where Venice looks, and the model answers without
//! it. [`ResponseFormat::json_schema`] writes the shape Venice reads.
//!
//! # Strict mode
//!
//! With `strict: true` the model can only write JSON the schema accepts, but the
//! schema must say everything: every object lists all its properties as required
//! (an optional one is made nullable instead) and allows no others
//! (`additionalProperties: false`). [`strict_schema`] does that to a schema, and
//! refuses what strict mode cannot express (a map with free keys).

use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::{shape, types};

/// Re-exported so that `#[derive(JsonSchema)]` types and the SDK agree on one
/// schemars version (derive with `features = ["derive"]` on your own `schemars = "1"`).
pub use schemars;

/// The most a response-format or tool name may have (`[a-zA-Z0-9_-]`).
const MAX_NAME: usize = 64;

/// The JSON Schema of `T` (draft 2020-12, shared definitions under `$defs`), as
/// schemars generates it for reading a `T` (its `Deserialize` contract).
///
/// ```
/// #[derive(schemars::JsonSchema, serde::Deserialize)]
/// struct City { name: String, population: Option<u64> }
///
/// let schema = venice_sdk::schema_of::<City>();
/// assert_eq!(schema["type"], "object");
/// ```
pub fn schema_of<T: schemars::JsonSchema>() -> Value {
    let generator =
        schemars::SchemaGenerator::new(schemars::generate::SchemaSettings::draft2020_12());
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
    }
    schema
}

/// The name of `T`'s schema, as a response-format or tool name accepts it
/// (`[a-zA-Z0-9_-]`, at most 64 characters): `Vec<Recipe>` → `Array_of_Recipe`.
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct Recipe { title: String }
/// assert_eq!(venice_sdk::name_of::<Recipe>(), "Recipe");
/// ```
pub fn name_of<T: schemars::JsonSchema>() -> String {
    format_name(&T::schema_name())
}

/// `name` as a response-format or tool name accepts it: every character but
/// `[a-zA-Z0-9_-]` made `_`, at most 64 characters, `response` when empty.
fn format_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME)
        .collect();
    if name.is_empty() {
        "response".to_owned()
    } else {
        name
    }
}

/// `schema` made what strict mode requires: in every object schema (nested ones,
/// `$defs`, array items and union members included) every property is required,
/// the ones that were optional become nullable, and no other property is allowed.
///
/// Refused (as [`Error::InvalidRequest`] naming `response_format`) when strict
/// mode cannot express the schema: a map with free keys (`additionalProperties`
/// with a schema, `patternProperties`), or a root that is not an object (wrap the
/// value in a struct).
///
/// ```
/// use serde_json::json;
/// let strict = venice_sdk::strict_schema(json!({
///     "type": "object",
///     "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
///     "required": ["name"]
/// })).unwrap();
/// assert_eq!(strict["required"], json!(["name", "age"]));
/// assert_eq!(strict["properties"]["age"]["type"], json!(["integer", "null"]));
/// assert_eq!(strict["additionalProperties"], json!(false));
/// ```
pub fn strict_schema(mut schema: Value) -> Result<Value, Error> {
    let root_is_object = schema.get("type").and_then(Value::as_str) == Some("object")
        || schema.get("properties").is_some();
    if !root_is_object {
        return Err(Error::invalid(
            "response_format",
            "strict mode needs an object at the root: wrap the value in a struct with one field",
        ));
    }
    strictify(&mut schema, "")?;
    Ok(schema)
}

/// Makes one schema and everything under it strict; `at` is where, for errors.
fn strictify(schema: &mut Value, at: &str) -> Result<(), Error> {
    let Some(obj) = schema.as_object_mut() else {
        return Ok(());
    };
    if obj.contains_key("patternProperties")
        || obj
            .get("additionalProperties")
            .is_some_and(|a| !matches!(a, Value::Bool(_)))
    {
        return Err(Error::invalid(
            "response_format",
            format!(
                "strict mode cannot express a map with free keys (at `{}`): use a struct, or a list of key-value pairs",
                if at.is_empty() { "/" } else { at }
            ),
        ));
    }
    let is_object =
        obj.get("type").and_then(Value::as_str) == Some("object") || obj.contains_key("properties");
    if is_object {
        let required: Vec<String> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let mut all = Vec::new();
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for (name, prop) in props.iter_mut() {
                if !required.contains(name) {
                    make_nullable(prop);
                }
                all.push(Value::String(name.clone()));
            }
        }
        obj.insert("required".into(), Value::Array(all));
        obj.insert("additionalProperties".into(), Value::Bool(false));
        // Defaults mean nothing once every property is required.
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for prop in props.values_mut() {
                if let Some(p) = prop.as_object_mut() {
                    p.remove("default");
                }
            }
        }
    }
    for (key, child) in obj.iter_mut() {
        let here = format!("{at}/{key}");
        match (key.as_str(), child) {
            ("properties" | "$defs" | "definitions", Value::Object(children)) => {
                for (name, c) in children.iter_mut() {
                    strictify(c, &format!("{here}/{name}"))?;
                }
            }
            ("items" | "not" | "additionalItems", c @ Value::Object(_)) => strictify(c, &here)?,
            ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(list)) => {
                for (i, c) in list.iter_mut().enumerate() {
                    strictify(c, &format!("{here}/{i}"))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Lets `schema` also be `null` (a property that was optional).
fn make_nullable(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    match obj.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            obj.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(values)) = obj.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push(json!("null"));
            }
        }
        _ => {
            let accepts_null = ["anyOf", "oneOf"].iter().any(|k| {
                obj.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|m| m.iter().any(|s| s.get("type") == Some(&json!("null"))))
            });
            if !accepts_null {
                let inner = Value::Object(std::mem::take(obj));
                obj.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
    }
}

/// How a chat completion's answer is formatted (`response_format`).
#[cfg(feature = "chat")]
pub type ResponseFormat = types::ChatCompletionRequestResponseFormat;

#[cfg(feature = "chat")]
impl types::ChatCompletionRequestResponseFormat {
    /// JSON that `schema` describes, in the shape Venice reads:
    /// `{"type": "json_schema", "json_schema": {"name", "strict", "schema"}}`.
    /// `name` is sanitized to `[a-zA-Z0-9_-]{1,64}`; with `strict` the schema is
    /// sent as given (make it strict with [`strict_schema`], or use
    /// [`for_type`](Self::for_type)).
    ///
    /// ```
    /// use venice_sdk::ResponseFormat;
    /// let format = ResponseFormat::json_schema("answer", serde_json::json!({
    ///     "type": "object", "properties": {"yes": {"type": "boolean"}},
    ///     "required": ["yes"], "additionalProperties": false
    /// }), true);
    /// let sent = serde_json::to_value(&format).unwrap();
    /// assert_eq!(sent["json_schema"]["name"], "answer");
    /// assert_eq!(sent["json_schema"]["schema"]["type"], "object");
    /// ```
    pub fn json_schema(name: &str, schema: Value, strict: bool) -> Self {
        let name = format_name(name);
        shape::build(
            "ChatCompletionRequestResponseFormat",
            json!({"type": "json_schema", "json_schema": {"name": name, "strict": strict, "schema": schema}}),
        )
    }

    /// JSON of type `T`: its schema (strict by default: see [`strict_schema`]),
    /// named after the type.
    ///
    /// ```
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct Verdict { guilty: bool, reason: Option<String> }
    ///
    /// let format = venice_sdk::ResponseFormat::for_type::<Verdict>()?;
    /// let sent = serde_json::to_value(&format).unwrap();
    /// assert_eq!(sent["json_schema"]["strict"], true);
    /// # Ok::<(), venice_sdk::Error>(())
    /// ```
    pub fn for_type<T: schemars::JsonSchema>() -> Result<Self, Error> {
        Ok(Self::json_schema(
            &name_of::<T>(),
            strict_schema(schema_of::<T>())?,
            true,
        ))
    }

    /// Any JSON object (`{"type": "json_object"}`); say in the prompt what it
    /// should hold.
    ///
    /// ```
    /// let sent = serde_json::to_value(venice_sdk::ResponseFormat::json_object()).unwrap();
    /// assert_eq!(sent, serde_json::json!({"type": "json_object"}));
    /// ```
    pub fn json_object() -> Self {
        shape::build(
            "ChatCompletionRequestResponseFormat",
            json!({"type": "json_object"}),
        )
    }

    /// Plain text, the default (`{"type": "text"}`).
    ///
    /// ```
    /// let sent = serde_json::to_value(venice_sdk::ResponseFormat::text()).unwrap();
    /// assert_eq!(sent, serde_json::json!({"type": "text"}));
    /// ```
    pub fn text() -> Self {
        shape::build(
            "ChatCompletionRequestResponseFormat",
            json!({"type": "text"}),
        )
    }
}

/// A value read from a chat completion, and the completion.
///
/// ```no_run
/// # async fn run(client: venice_sdk::Client, request: venice_sdk::types::ChatCompletionRequest) -> Result<(), venice_sdk::Error> {
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Answer { yes: bool }
/// let parsed = client.chat().parse::<Answer>(request).await?;
/// println!("{} (request {:?})", parsed.value.yes, parsed.completion.meta().request_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[cfg(feature = "chat")]
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// The completion it was read from (metadata, usage, cost, the raw text).
    pub completion: crate::Response<crate::types::CreateChatCompletionResponse>,
}

/// How [`Chat::parse_with`](crate::Chat::parse_with) asks for a type.
///
/// ```
/// let options = venice_sdk::ParseOptions::default().name("recipe").strict(false);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    name: Option<String>,
    lax: bool,
}

impl ParseOptions {
    /// The schema's name (default: the type's).
    ///
    /// ```
    /// let options = venice_sdk::ParseOptions::default().name("weather_report");
    /// # let _ = options;
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether the schema is sent strict (default `true`): strict needs a type
    /// strict mode can express; `false` sends schemars' schema as it is, and the
    /// model may stray from it (then the answer fails to parse as
    /// [`ParseErrorKind::Mismatch`](crate::ParseErrorKind::Mismatch)).
    ///
    /// ```
    /// // For a type strict mode cannot express (a map with free keys, say).
    /// let options = venice_sdk::ParseOptions::default().strict(false);
    /// # let _ = options;
    /// ```
    pub fn strict(mut self, strict: bool) -> Self {
        self.lax = !strict;
        self
    }

    /// The response format for `T` with these options.
    #[cfg(feature = "chat")]
    pub(crate) fn format_for<T: schemars::JsonSchema>(&self) -> Result<ResponseFormat, Error> {
        let name = self.name.clone().unwrap_or_else(name_of::<T>);
        let schema = schema_of::<T>();
        Ok(if self.lax {
            ResponseFormat::json_schema(&name, schema, false)
        } else {
            ResponseFormat::json_schema(&name, strict_schema(schema)?, true)
        })
    }
}

/// The JSON schema of a tool's arguments of type `T` (an object; strict-mode
/// rules are not applied: function tools take schemars' schema as it is).
pub(crate) fn tool_parameters<T: schemars::JsonSchema>() -> Map<String, Value> {
    match schema_of::<T>() {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_mode_requires_everything_and_allows_nothing_else() {
        let strict = strict_schema(json!({
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}}}},
                "note": {"$ref": "#/$defs/Note"},
                "level": {"type": "string", "enum": ["low", "high"]}
            },
            "required": ["title", "tags"],
            "$defs": {"Note": {"type": "object", "properties": {"text": {"type": "string", "default": "x"}}}}
        }))
        .unwrap();
        assert_eq!(
            strict["required"],
            json!(["title", "tags", "note", "level"])
        );
        assert_eq!(strict["additionalProperties"], json!(false));
        let item = &strict["properties"]["tags"]["items"];
        assert_eq!(item["required"], json!(["k"]));
        assert_eq!(item["properties"]["k"]["type"], json!(["string", "null"]));
        assert_eq!(
            strict["properties"]["note"],
            json!({"anyOf": [{"$ref": "#/$defs/Note"}, {"type": "null"}]})
        );
        assert_eq!(
            strict["properties"]["level"]["enum"],
            json!(["low", "high", null])
        );
        let note = &strict["$defs"]["Note"];
        assert_eq!(note["additionalProperties"], json!(false));
        assert!(note["properties"]["text"].get("default").is_none());
    }

    #[test]
    fn what_strict_mode_cannot_say_is_refused() {
        for (schema, says) in [
            (
                json!({"type": "array", "items": {"type": "string"}}),
                "object at the root",
            ),
            (
                json!({"type": "object", "properties": {"m": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
                "/properties/m",
            ),
        ] {
            let e = strict_schema(schema).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidRequest { field, message } if field == "response_format" && message.contains(says)),
                "{e}"
            );
        }
    }

    #[test]
    fn names_are_what_the_api_accepts() {
        let f = ResponseFormat::json_schema("my recipe/v2 ✓", json!({}), false);
        let v = serde_json::to_value(f).unwrap();
        assert_eq!(v["json_schema"]["name"], "my_recipe_v2__");
        let f = ResponseFormat::json_schema("", json!({}), false);
        assert_eq!(
            serde_json::to_value(f).unwrap()["json_schema"]["name"],
            "response"
        );
    }
}
