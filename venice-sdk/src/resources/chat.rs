//! Chat completions: `client.chat()`, and the request and response helpers
//! that serve them (messages, tools, Venice parameters, completion accessors).

use serde_json::json;

use crate::shape;
use crate::stream::ChatStream;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Chat completions.
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }
}

/// The chat completion returned by [`Chat::create`].
pub type ChatCompletion = types::CreateChatCompletionResponse;

/// Chat completions: `client.chat()`.
#[derive(Clone, Copy, Debug)]
pub struct Chat<'a> {
    pub(crate) client: &'a Client,
}

impl Chat<'_> {
    /// Creates a (non-streaming) chat completion.
    ///
    /// `stream` is cleared: this call waits for the whole answer.
    pub async fn create(
        &self,
        mut request: types::ChatCompletionRequest,
    ) -> Result<Response<ChatCompletion>, Error> {
        request.stream = None;
        Call::new(&operations::CREATE_CHAT_COMPLETION)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// Starts a streamed chat completion (`stream` is set to `true`).
    ///
    /// Returns once the response head has arrived: an error status, or an answer
    /// that is not an event stream, is returned here as the same [`Error`] as
    /// [`create`](Self::create) would give. The chunks are then pulled from the
    /// returned [`ChatStream`].
    pub async fn stream(
        &self,
        mut request: types::ChatCompletionRequest,
    ) -> Result<ChatStream, Error> {
        request.stream = Some(true);
        Call::new(&operations::CREATE_CHAT_COMPLETION)
            .body(&request)?
            .event_stream(self.client.config())
            .await
            .map(ChatStream::new)
    }
}

/// A chat message: `Message::user("Hello")`, `Message::system("Be brief")`.
pub type Message = types::ChatCompletionRequestMessagesItem;

// The messages and the request are written as the JSON they send and read into
// the generated types (`crate::shape`): the message union's variants, the content
// unions' members and the required fields are the spec's to reshape.
impl types::ChatCompletionRequestMessagesItem {
    /// A user message with text content.
    pub fn user(content: impl Into<String>) -> Self {
        text_message("user", &content.into())
    }

    /// A system message with text content.
    pub fn system(content: impl Into<String>) -> Self {
        text_message("system", &content.into())
    }

    /// An assistant message with text content (a previous answer, for context).
    pub fn assistant(content: impl Into<String>) -> Self {
        text_message("assistant", &content.into())
    }

    /// The result of a tool call, answering the call with id `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        message(
            json!({"role": "tool", "content": content.into(), "tool_call_id": tool_call_id.into()}),
        )
    }
}

/// A message from its JSON.
fn message(value: serde_json::Value) -> Message {
    shape::build("ChatCompletionRequestMessagesItem", value)
}

/// A message of `role` with text content.
fn text_message(role: &str, content: &str) -> Message {
    use shape::Field::Text;
    shape::build_from(
        "ChatCompletionRequestMessagesItem",
        &[("role", Text(role)), ("content", Text(content))],
    )
}

impl types::ChatCompletionRequest {
    /// A request for `model` with `messages` and every other field unset (the server
    /// applies its defaults).
    ///
    /// `model` may carry feature suffixes: see [`ModelId`](crate::ModelId).
    pub fn new(model: impl Into<String>, messages: impl IntoIterator<Item = Message>) -> Self {
        // The model through serde (it may turn optional upstream); the
        // messages, a list under any reshaping, set as they are rather than
        // written to JSON and read back (the hot path of every chat call).
        let model: String = model.into();
        let mut request: Self = shape::build_from(
            "ChatCompletionRequest",
            &[
                ("model", shape::Field::Text(&model)),
                ("messages", shape::Field::EmptyList),
            ],
        );
        request.messages = messages.into_iter().collect();
        request
    }

    /// Sets `venice_parameters`.
    pub fn with_venice_parameters(mut self, parameters: VeniceParameters) -> Self {
        self.venice_parameters = Some(parameters);
        self
    }

    /// Sets `temperature`.
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Offers these tools to the model.
    pub fn with_tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.tools = Some(tools.into_iter().collect());
        self
    }

    /// Sets `max_completion_tokens`.
    pub fn with_max_completion_tokens(mut self, tokens: i64) -> Self {
        self.max_completion_tokens = shape::build("max_completion_tokens", json!(tokens));
        self
    }
}

/// A tool the model may call.
pub type Tool = types::ChatCompletionRequestToolsItem;

impl types::ChatCompletionRequestToolsItem {
    /// A function tool: its name, what it does, and the JSON Schema of its
    /// arguments (an object schema; anything else is sent as no parameters).
    pub fn function(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: serde_json::Value,
    ) -> Self {
        let parameters = match parameters {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        shape::build(
            "ToolCall",
            json!({
                "type": "function",
                "function": {
                    "name": name.into(),
                    "description": description.into(),
                    "parameters": parameters,
                },
            }),
        )
    }
}

/// A tool call the model made, read from a completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolCall {
    /// The call id, to answer with [`Message::tool`].
    pub id: String,
    /// The function to call.
    pub name: String,
    /// Its arguments, as the JSON text the model wrote.
    pub arguments: String,
}

impl ToolCall {
    fn from_value(v: &serde_json::Value) -> Option<ToolCall> {
        let function = v.get("function")?;
        Some(ToolCall {
            id: v
                .get("id")
                .and_then(|x| x.as_str())
                .unwrap_or_default()
                .to_owned(),
            name: function.get("name")?.as_str()?.to_owned(),
            arguments: function
                .get("arguments")
                .map(|a| match a {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default(),
        })
    }

    fn to_value(&self) -> serde_json::Value {
        crate::stream::tool_call_value(&self.id, "function", &self.name, &self.arguments)
    }
}

impl types::ChatCompletionRequestMessagesItem {
    /// The assistant's turn that made these tool calls, to send back before the
    /// [`Message::tool`] answers.
    pub fn assistant_tool_calls(calls: &[ToolCall]) -> Self {
        let calls: Vec<serde_json::Value> = calls.iter().map(ToolCall::to_value).collect();
        message(json!({"role": "assistant", "tool_calls": calls}))
    }
}

/// Venice's own chat options (`venice_parameters`).
pub type VeniceParameters = types::ChatCompletionRequestVeniceParameters;

/// Whether a chat completion may search the web.
pub type WebSearch = types::ChatCompletionRequestVeniceParametersEnableWebSearch;

impl types::ChatCompletionRequestVeniceParameters {
    /// No Venice option set: the server's defaults apply.
    pub fn new() -> Self {
        types::ChatCompletionRequestVeniceParameters::from_required()
    }

    /// Enables, disables or automates web search (`enable_web_search`).
    pub fn web_search(mut self, mode: WebSearch) -> Self {
        self.enable_web_search = Some(mode);
        self
    }

    /// Whether Venice's system prompt is added before yours.
    pub fn include_venice_system_prompt(mut self, include: bool) -> Self {
        self.include_venice_system_prompt = Some(include);
        self
    }

    /// Talks as the character with this slug.
    pub fn character(mut self, slug: impl Into<String>) -> Self {
        self.character_slug = shape::build("character_slug", json!(slug.into()));
        self
    }
}

impl types::CreateChatCompletionResponse {
    /// The text of the first choice's message, if it has text.
    ///
    /// Array content (text parts) is joined.
    pub fn text(&self) -> Option<String> {
        let choice = self.choices.first()?;
        match &choice.message {
            types::CreateChatCompletionResponseChoicesItemMessage::AssistantMessage {
                content,
                ..
            } => content.as_ref().and_then(content_text),
            types::CreateChatCompletionResponseChoicesItemMessage::ToolMessage {
                content, ..
            } => Some(content.clone()),
            // A message shape added upstream: read its `content` generically.
            #[allow(unreachable_patterns)]
            other => serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("content").and_then(content_text)),
        }
    }

    /// Why the first choice finished (`stop`, `length`, `tool_calls`, …).
    pub fn finish_reason(&self) -> Option<&str> {
        self.choices.first().map(|c| c.finish_reason.as_str())
    }

    /// The tool calls of the first choice (empty when it made none).
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        let calls = match self.choices.first().map(|c| &c.message) {
            Some(types::CreateChatCompletionResponseChoicesItemMessage::AssistantMessage {
                tool_calls,
                ..
            })
            | Some(types::CreateChatCompletionResponseChoicesItemMessage::ToolMessage {
                tool_calls,
                ..
            }) => tool_calls.as_deref().unwrap_or_default(),
            #[allow(unreachable_patterns)]
            _ => &[],
        };
        calls.iter().filter_map(ToolCall::from_value).collect()
    }

    /// The reasoning of the first choice, for models that think out loud.
    pub fn reasoning(&self) -> Option<&str> {
        match &self.choices.first()?.message {
            types::CreateChatCompletionResponseChoicesItemMessage::AssistantMessage {
                reasoning_content,
                ..
            }
            | types::CreateChatCompletionResponseChoicesItemMessage::ToolMessage {
                reasoning_content,
                ..
            } => reasoning_content.as_deref(),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

/// The text of message content, whatever generated type holds it: a string, or an
/// array of parts whose `text` fields are joined. Reading the serialized form keeps
/// this independent of the variant names the generator picks.
fn content_text(content: &impl serde::Serialize) -> Option<String> {
    match serde_json::to_value(content).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Array(parts) => Some(
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(serde_json::Value::as_str))
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn messages_serialize_as_the_api_expects() {
        let req = types::ChatCompletionRequest::new(
            "llama-3.3-70b",
            [
                Message::system("Be brief"),
                Message::user("Hi"),
                Message::assistant("Hello"),
                Message::tool("call_1", "42"),
            ],
        );
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({
                "model": "llama-3.3-70b",
                "messages": [
                    {"role": "system", "content": "Be brief"},
                    {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"},
                    {"role": "tool", "content": "42", "tool_call_id": "call_1"}
                ]
            })
        );
    }

    #[test]
    fn venice_parameters_builder_sets_only_what_is_asked() {
        let req = types::ChatCompletionRequest::new("m", [Message::user("q")])
            .with_venice_parameters(VeniceParameters::new().web_search(WebSearch::from("auto")))
            .with_temperature(0.2);
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["venice_parameters"], json!({"enable_web_search": "auto"}));
        assert_eq!(v["temperature"], json!(0.2));
    }

    #[test]
    fn tools_and_tool_calls_round_trip() {
        let tool = Tool::function(
            "get_weather",
            "Weather for a city",
            json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        );
        let req = types::ChatCompletionRequest::new("m", [Message::user("q")]).with_tools([tool]);
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["tools"][0]["type"], "function");
        assert_eq!(
            v["tools"][0]["function"]["parameters"]["properties"]["city"]["type"],
            "string"
        );

        let c: types::CreateChatCompletionResponse = serde_json::from_value(json!({
            "id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                "message": {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}}]}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            "venice_parameters": null
        }))
        .unwrap();
        let calls = c.tool_calls();
        assert_eq!(
            calls,
            vec![ToolCall {
                id: "call_1".into(),
                name: "get_weather".into(),
                arguments: "{\"city\":\"Oslo\"}".into()
            }]
        );
        assert_eq!(c.finish_reason(), Some("tool_calls"));
        let back = serde_json::to_value(Message::assistant_tool_calls(&calls)).unwrap();
        assert_eq!(back["tool_calls"][0]["function"]["name"], "get_weather");
        assert_eq!(back["role"], "assistant");
    }

    #[test]
    fn completion_text_reads_string_and_array_content() {
        let c: types::CreateChatCompletionResponse = serde_json::from_value(json!({
            "id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Hi there", "reasoning_content": "hmm"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            "venice_parameters": null
        }))
        .unwrap();
        assert_eq!(c.text().as_deref(), Some("Hi there"));
        assert_eq!(c.reasoning(), Some("hmm"));
    }
}
