//! Chat completions: `client.chat()`, and the request and response helpers
//! that serve them (messages, tools, Venice parameters, completion accessors).

use serde_json::json;

use crate::shape;
use crate::stream::ChatStream;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Chat completions.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let chat = client.chat();
    /// let reply = chat.create(ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")])).await?;
    /// println!("{}", reply.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }
}

/// The chat completion returned by [`Chat::create`].
///
/// ```
/// use venice_sdk::{ChatCompletion, Message, types::ChatCompletionRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let reply = client.chat().create(ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")])).await?;
/// let completion: ChatCompletion = reply.into_inner();
/// println!("{} {:?}", completion.model, completion.usage);
/// # Ok(()) }
/// ```
pub type ChatCompletion = types::CreateChatCompletionResponse;

/// Chat completions: `client.chat()`.
///
/// ```
/// use venice_sdk::{Message, types::ChatCompletionRequest};
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Why is the sky blue?")]);
/// let reply = client.chat().create(request).await?;
/// println!("{}", reply.text().unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Chat<'a> {
    pub(crate) client: &'a Client,
}

impl Chat<'_> {
    /// Creates a (non-streaming) chat completion.
    ///
    /// `stream` is cleared: this call waits for the whole answer.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new(
    ///     "venice-uncensored",
    ///     [Message::system("Answer in one sentence."), Message::user("Why is the sky blue?")],
    /// );
    /// let reply = client.chat().create(request).await?;
    /// println!("{} ({:?})", reply.text().unwrap_or_default(), reply.finish_reason());
    /// # Ok(()) }
    /// ```
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

    /// Asks for JSON of type `T` and reads it: sets the response format to `T`'s
    /// JSON Schema (named after the type, strict: see
    /// [`structured::strict_schema`](crate::structured::strict_schema)), sends,
    /// and returns the completion with the parsed value.
    ///
    /// A type strict mode cannot express (a map with free keys, a root that is
    /// not an object) is refused before sending ([`Error::InvalidRequest`]; send
    /// it non-strict with [`parse_with`](Self::parse_with)). An answer that does
    /// not give a `T` is an [`Error::Parse`](crate::Error::Parse) keeping the
    /// text: the model refused, the answer was cut by `max_completion_tokens`,
    /// the text is not JSON, or the JSON does not fit `T` (with its path).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Recipe { title: String, minutes: u32, steps: Vec<String> }
    ///
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("A quick pancake recipe")]);
    /// let recipe = client.chat().parse::<Recipe>(request).await?;
    /// println!("{} ({} min, {} steps)", recipe.value.title, recipe.value.minutes, recipe.value.steps.len());
    /// # Ok(()) }
    /// ```
    pub async fn parse<T: schemars::JsonSchema + serde::de::DeserializeOwned>(
        &self,
        request: types::ChatCompletionRequest,
    ) -> Result<Parsed<T>, Error> {
        self.parse_with(request, &crate::structured::ParseOptions::default())
            .await
    }

    /// [`parse`](Self::parse) with another schema name, or a non-strict schema.
    ///
    /// ```
    /// use venice_sdk::{Message, ParseOptions, types::ChatCompletionRequest};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Colors { colors: Vec<String> }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Three colors")]);
    /// let options = ParseOptions::default().name("palette").strict(false);
    /// let parsed = client.chat().parse_with::<Colors>(request, &options).await?;
    /// println!("{:?}", parsed.value.colors);
    /// # Ok(()) }
    /// ```
    pub async fn parse_with<T: schemars::JsonSchema + serde::de::DeserializeOwned>(
        &self,
        mut request: types::ChatCompletionRequest,
        options: &crate::structured::ParseOptions,
    ) -> Result<Parsed<T>, Error> {
        request.response_format = Some(options.format_for::<T>()?);
        let completion = self.create(request).await?;
        let value = completion.parse::<T>()?;
        Ok(Parsed { value, completion })
    }

    /// Starts a streamed chat completion (`stream` is set to `true`).
    ///
    /// Returns once the response head has arrived: an error status, or an answer
    /// that is not an event stream, is returned here as the same [`Error`] as
    /// [`create`](Self::create) would give. The chunks are then pulled from the
    /// returned [`ChatStream`].
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Write a haiku")]);
    /// let mut stream = client.chat().stream(request).await?;
    /// while let Some(chunk) = stream.next().await {
    ///     print!("{}", chunk?.delta_text());
    /// }
    /// # Ok(()) }
    /// ```
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

pub use crate::structured::Parsed;

/// A chat message: `Message::user("Hello")`, `Message::system("Be brief")`.
///
/// ```
/// use venice_sdk::Message;
///
/// let conversation = vec![
///     Message::system("Answer in French."),
///     Message::user("Good morning!"),
/// ];
/// # let _ = conversation;
/// ```
pub type Message = types::ChatCompletionRequestMessagesItem;

// The messages and the request are written as the JSON they send and read into
// the generated types (`crate::shape`): the message union's variants, the content
// unions' members and the required fields are the spec's to reshape.
impl types::ChatCompletionRequestMessagesItem {
    /// A user message with text content.
    ///
    /// ```
    /// use venice_sdk::Message;
    ///
    /// let question = Message::user("Why is the sky blue?");
    /// # let _ = question;
    /// ```
    pub fn user(content: impl Into<String>) -> Self {
        text_message("user", &content.into())
    }

    /// A system message with text content.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new(
    ///     "venice-uncensored",
    ///     [Message::system("Be brief."), Message::user("Why is the sky blue?")],
    /// );
    /// # let _ = request;
    /// ```
    pub fn system(content: impl Into<String>) -> Self {
        text_message("system", &content.into())
    }

    /// An assistant message with text content (a previous answer, for context).
    ///
    /// ```
    /// use venice_sdk::Message;
    ///
    /// let history = [
    ///     Message::user("Name a color."),
    ///     Message::assistant("Blue."),
    ///     Message::user("Another one?"),
    /// ];
    /// # let _ = history;
    /// ```
    pub fn assistant(content: impl Into<String>) -> Self {
        text_message("assistant", &content.into())
    }

    /// The result of a tool call, answering the call with id `tool_call_id`.
    ///
    /// ```
    /// use venice_sdk::{Message, ToolCall};
    ///
    /// let call = ToolCall::new("call_1", "get_weather", r#"{"city":"Oslo"}"#);
    /// let answer = Message::tool(&call.id, r#"{"celsius": 12}"#);
    /// # let _ = answer;
    /// ```
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
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")])
    ///     .with_temperature(0.2)
    ///     .with_max_completion_tokens(200);
    /// assert_eq!(request.model, "venice-uncensored");
    /// ```
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
    ///
    /// ```
    /// use venice_sdk::{Message, VeniceParameters, WebSearch, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Today's news?")])
    ///     .with_venice_parameters(VeniceParameters::new().web_search(WebSearch::from("auto")));
    /// # let _ = request;
    /// ```
    pub fn with_venice_parameters(mut self, parameters: VeniceParameters) -> Self {
        self.venice_parameters = Some(parameters);
        self
    }

    /// Sets `temperature`.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("A poem")])
    ///     .with_temperature(1.2);
    /// assert_eq!(request.temperature, Some(1.2));
    /// ```
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Offers these tools to the model.
    ///
    /// ```
    /// use venice_sdk::{Message, Tool, types::ChatCompletionRequest};
    ///
    /// let weather = Tool::function(
    ///     "get_weather",
    ///     "The current weather of a city",
    ///     serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    /// );
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Weather in Oslo?")])
    ///     .with_tools([weather]);
    /// # let _ = request;
    /// ```
    pub fn with_tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.tools = Some(tools.into_iter().collect());
        self
    }

    /// Sets the response format (`ResponseFormat::json_schema(..)`,
    /// `ResponseFormat::for_type::<T>()?`, `json_object()`, `text()`).
    ///
    /// ```
    /// use venice_sdk::{Message, ResponseFormat, types::ChatCompletionRequest};
    /// let request = ChatCompletionRequest::new("m", [Message::user("List three colors as JSON")])
    ///     .with_response_format(ResponseFormat::json_object());
    /// # let _ = request;
    /// ```
    pub fn with_response_format(mut self, format: crate::structured::ResponseFormat) -> Self {
        self.response_format = Some(format);
        self
    }

    /// Sets `max_completion_tokens`.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Summarize Hamlet")])
    ///     .with_max_completion_tokens(300);
    /// # let _ = request;
    /// ```
    pub fn with_max_completion_tokens(mut self, tokens: i64) -> Self {
        self.max_completion_tokens = shape::build("max_completion_tokens", json!(tokens));
        self
    }
}

/// A tool the model may call.
///
/// ```
/// use venice_sdk::Tool;
///
/// let tool = Tool::function("get_time", "The current time", serde_json::json!({"type": "object"}));
/// # let _ = tool;
/// ```
pub type Tool = types::ChatCompletionRequestToolsItem;

impl types::ChatCompletionRequestToolsItem {
    /// A function tool whose arguments are a `T`: its JSON Schema (schemars) is
    /// the tool's parameters; read a call's arguments back with
    /// [`ToolCall::arguments_as`].
    ///
    /// ```
    /// use venice_sdk::Tool;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Weather { /// The city, in English.
    ///     city: String }
    ///
    /// let tool = Tool::for_type::<Weather>("get_weather", "The current weather of a city");
    /// let sent = serde_json::to_value(&tool).unwrap();
    /// assert_eq!(sent["function"]["parameters"]["required"][0], "city");
    /// ```
    pub fn for_type<T: schemars::JsonSchema>(
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        Self::function(
            name,
            description,
            serde_json::Value::Object(crate::structured::tool_parameters::<T>()),
        )
    }

    /// A function tool: its name, what it does, and the JSON Schema of its
    /// arguments (an object schema; anything else is sent as no parameters).
    ///
    /// ```
    /// use venice_sdk::Tool;
    ///
    /// let tool = Tool::function(
    ///     "get_weather",
    ///     "The current weather of a city",
    ///     serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    /// );
    /// let sent = serde_json::to_value(&tool).unwrap();
    /// assert_eq!(sent["function"]["name"], "get_weather");
    /// ```
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
///
/// ```
/// use venice_sdk::{Message, ToolCall};
///
/// let call = ToolCall::new("call_1", "get_weather", r#"{"city":"Oslo"}"#);
/// let turn = Message::assistant_tool_calls(&[call.clone()]);
/// let answer = Message::tool(&call.id, "12°C, light rain");
/// # let _ = (turn, answer);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolCall {
    /// The call id, to answer with [`Message::tool`].
    pub id: String,
    /// The function to call.
    pub name: String,
    /// Its arguments, as the JSON text the model wrote.
    pub arguments: String,
    /// The call's `type`: `function` (a tool you run), or a tool the server ran
    /// itself (such a call is not yours to answer).
    pub kind: String,
    /// What the model sent with the call that must go back unchanged on the
    /// next turn; [`Message::assistant_tool_calls`] sends it.
    pub carried: Carried,
}

/// What a model sends with an answer that must be sent back unchanged on the
/// next turn: reasoning models (Gemini among them) sign their thoughts
/// (`thought_signature`, `reasoning_details`), and refuse a follow-up, or lose
/// their chain of thought across tool calls, when the signature is missing.
///
/// Filled by [`Response::tool_calls`](crate::Response) (from the answer's JSON,
/// so fields the spec does not name yet are kept too) and by
/// [`ChatStream::collect_completion`](crate::stream::ChatStream::collect_completion);
/// empty for calls you build yourself.
///
/// ```
/// use venice_sdk::Carried;
///
/// let carried = Carried::default();
/// assert!(carried.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// Fields of the call the SDK does not name (`extra_content`, …), as sent.
    pub call: serde_json::Map<String, serde_json::Value>,
    /// Fields of the message that made the call (`thought_signature`,
    /// `reasoning_details`, `reasoning_content`, …), as sent: everything but its
    /// role, content and tool calls.
    pub message: serde_json::Map<String, serde_json::Value>,
}

impl Carried {
    /// Whether there is nothing to send back.
    ///
    /// ```
    /// use venice_sdk::ToolCall;
    ///
    /// let call = ToolCall::new("call_1", "get_weather", r#"{"city":"Oslo"}"#);
    /// assert!(call.carried.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.call.is_empty() && self.message.is_empty()
    }
}

/// The fields of an answer's message that are not carried: the request sets its
/// own role, content and tool calls. The reasoning text is carried: models that
/// think between tool calls (DeepSeek, Kimi, GLM) expect it back within the turn.
const NOT_CARRIED: [&str; 3] = ["role", "content", "tool_calls"];

/// The fields of a tool call the SDK names.
const CALL_FIELDS: [&str; 3] = ["id", "type", "function"];

/// The fields of `message` to send back: all but [`NOT_CARRIED`] and nulls.
fn carried_of_message(message: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    message
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| !v.is_null() && !NOT_CARRIED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

impl ToolCall {
    /// Whether the call is yours to run and answer (`type: function`).
    ///
    /// ```
    /// use venice_sdk::ToolCall;
    ///
    /// let call = ToolCall::new("call_1", "get_weather", r#"{"city":"Oslo"}"#);
    /// if call.is_function() {
    ///     println!("run {} with {}", call.name, call.arguments);
    /// }
    /// ```
    pub fn is_function(&self) -> bool {
        self.kind == "function"
    }

    /// A tool call with nothing to carry back (tests, replays, calls you
    /// assemble yourself).
    ///
    /// ```
    /// use venice_sdk::ToolCall;
    ///
    /// let call = ToolCall::new("call_1", "get_weather", r#"{"city":"Oslo"}"#);
    /// assert!(call.is_function() && call.carried.is_empty());
    /// ```
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
            kind: "function".to_owned(),
            carried: Carried::default(),
        }
    }

    /// The call's arguments read into `T`; arguments that are not JSON, or do
    /// not fit `T`, are an [`Error::Parse`](crate::Error::Parse) naming the tool
    /// and keeping the text.
    ///
    /// ```
    /// # use venice_sdk::ToolCall;
    /// #[derive(serde::Deserialize)]
    /// struct Weather { city: String }
    ///
    /// let call = ToolCall::new("call_1", "get_weather", r#"{"city": "Oslo"}"#);
    /// assert_eq!(call.arguments_as::<Weather>()?.city, "Oslo");
    /// let bad = ToolCall::new("call_2", "get_weather", r#"{"city": "#);
    /// assert!(bad.arguments_as::<Weather>().is_err());
    /// # Ok::<(), venice_sdk::Error>(())
    /// ```
    pub fn arguments_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let arguments = if self.arguments.trim().is_empty() {
            "{}"
        } else {
            self.arguments.as_str()
        };
        crate::json::parse(&format!("the arguments of tool `{}`", self.name), arguments)
    }

    /// A call read from its JSON in a message, with the message's fields to
    /// carry back.
    fn from_value(
        v: &serde_json::Value,
        message: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<ToolCall> {
        let function = v.get("function")?;
        let call = v
            .as_object()
            .map(|c| {
                c.iter()
                    .filter(|(k, _)| !CALL_FIELDS.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
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
            kind: v
                .get("type")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("function")
                .to_owned(),
            carried: Carried {
                call,
                message: message.clone(),
            },
        })
    }

    /// The call as a message writes it, with its carried fields.
    fn to_value(&self) -> serde_json::Value {
        let mut value =
            crate::stream::chat::tool_call_value(&self.id, &self.kind, &self.name, &self.arguments);
        if let Some(obj) = value.as_object_mut() {
            for (k, v) in &self.carried.call {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        value
    }
}

/// The tool calls of the first choice of a completion's JSON, each carrying
/// what goes back.
fn tool_calls_of(completion: &serde_json::Value) -> Vec<ToolCall> {
    let message = &completion["choices"][0]["message"];
    let carried = carried_of_message(message);
    message["tool_calls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .filter_map(|c| ToolCall::from_value(c, &carried))
                .collect()
        })
        .unwrap_or_default()
}

impl types::ChatCompletionRequestMessagesItem {
    /// The assistant's turn that made these tool calls, to send back before the
    /// [`Message::tool`] answers; what the model sent with them
    /// ([`ToolCall::carried`]: `thought_signature`, `reasoning_details`, …)
    /// goes back unchanged.
    ///
    /// ```no_run
    /// # async fn run(client: venice_sdk::Client, mut request: venice_sdk::types::ChatCompletionRequest) -> Result<(), venice_sdk::Error> {
    /// use venice_sdk::Message;
    /// let answer = client.chat().create(request.clone()).await?;
    /// let calls = answer.tool_calls();
    /// request.messages.push(Message::assistant_tool_calls(&calls));
    /// for call in &calls {
    ///     request.messages.push(Message::tool(&call.id, "the tool's result"));
    /// }
    /// let next = client.chat().create(request).await?;
    /// # Ok(()) }
    /// ```
    pub fn assistant_tool_calls(calls: &[ToolCall]) -> Self {
        let values: Vec<serde_json::Value> = calls.iter().map(ToolCall::to_value).collect();
        let mut turn = serde_json::Map::new();
        // The message's carried fields, from the first call that has them
        // (every call of one answer carries the same).
        if let Some(first) = calls.iter().find(|c| !c.carried.message.is_empty()) {
            turn.extend(first.carried.message.clone());
        }
        turn.insert("role".into(), json!("assistant"));
        turn.insert("tool_calls".into(), serde_json::Value::Array(values));
        message(serde_json::Value::Object(turn))
    }
}

impl Response<ChatCompletion> {
    /// The tool calls of the first choice, each carrying what must go back on the
    /// next turn ([`ToolCall::carried`]), read from the answer's JSON so that
    /// fields the spec does not name yet are kept. (The completion's own
    /// [`tool_calls`](types::CreateChatCompletionResponse::tool_calls) carries
    /// only what its typed fields hold.)
    ///
    /// ```
    /// use venice_sdk::{Message, Tool, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let weather = Tool::function("get_weather", "The weather of a city", serde_json::json!({
    ///     "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
    /// }));
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Weather in Oslo?")])
    ///     .with_tools([weather]);
    /// let reply = client.chat().create(request).await?;
    /// for call in reply.tool_calls() {
    ///     println!("the model calls {}({})", call.name, call.arguments);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        match self.json().and_then(|j| serde_json::from_slice(j).ok()) {
            Some(json) => tool_calls_of(&json),
            None => (**self).tool_calls(),
        }
    }

    /// The first choice's text read as JSON into `T`, as
    /// [`ChatCompletion::parse`](types::CreateChatCompletionResponse::parse)
    /// does, and a refusal the answer's JSON carries (`refusal`, which the spec
    /// does not name) read as [`ParseErrorKind::Refused`](crate::ParseErrorKind::Refused).
    ///
    /// ```
    /// use venice_sdk::{Message, ResponseFormat, types::ChatCompletionRequest};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct City { name: String, country: String }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("A city in Norway")])
    ///     .with_response_format(ResponseFormat::for_type::<City>()?);
    /// let reply = client.chat().create(request).await?;
    /// let city: City = reply.parse()?;
    /// println!("{}, {}", city.name, city.country);
    /// # Ok(()) }
    /// ```
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        if let Ok(Some(refusal)) = self.json_at::<String>("/choices/0/message/refusal") {
            return Err(crate::error::ParseError::error(
                crate::ParseErrorKind::Refused,
                format!("`{}` from the chat completion", short_type_name::<T>()),
                "",
                refusal,
            ));
        }
        (**self).parse()
    }

    /// The first choice's message as the assistant turn of the next request:
    /// its content and tool calls, and what the model asks to get back
    /// unchanged (`thought_signature`, `reasoning_details`, and any field the
    /// request's assistant message accepts), read from the answer's JSON.
    /// `None` when the answer has no choice.
    ///
    /// ```no_run
    /// # async fn run(client: venice_sdk::Client, mut request: venice_sdk::types::ChatCompletionRequest) -> Result<(), venice_sdk::Error> {
    /// use venice_sdk::Message;
    /// let answer = client.chat().create(request.clone()).await?;
    /// if let Some(turn) = answer.assistant_message() {
    ///     request.messages.push(turn);
    /// }
    /// request.messages.push(Message::user("And in Fahrenheit?"));
    /// let next = client.chat().create(request).await?;
    /// # Ok(()) }
    /// ```
    pub fn assistant_message(&self) -> Option<Message> {
        let json: serde_json::Value = match self.json().and_then(|j| serde_json::from_slice(j).ok())
        {
            Some(json) => json,
            None => shape::json_of(&**self),
        };
        let answered = json["choices"][0]["message"].as_object()?;
        let mut turn = carried_of_message(&json["choices"][0]["message"]);
        turn.insert("role".into(), json!("assistant"));
        if let Some(content) = answered.get("content").filter(|c| !c.is_null()) {
            turn.insert("content".into(), content.clone());
        }
        if let Some(calls) = answered
            .get("tool_calls")
            .and_then(serde_json::Value::as_array)
            .filter(|c| !c.is_empty())
        {
            turn.insert("tool_calls".into(), serde_json::Value::Array(calls.clone()));
        }
        Some(message(serde_json::Value::Object(turn)))
    }
}

/// The cost of a request, split by billing currency (`cost` on a chat
/// completion).
///
/// ```
/// # let completion: venice_sdk::ChatCompletion = serde_json::from_value(serde_json::json!({
/// #     "id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": [],
/// #     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
/// #     "cost": {"usd": 0.00042, "diem": 0}})).unwrap();
/// if let Some(cost) = completion.cost() {
///     println!("this answer cost ${:.5} and {} DIEM", cost.usd, cost.diem);
/// }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cost {
    /// The USD part (bundled credits included as their USD equivalent).
    pub usd: f64,
    /// The DIEM part.
    pub diem: f64,
}

/// Venice's own chat options (`venice_parameters`).
///
/// ```
/// use venice_sdk::{VeniceParameters, WebSearch};
///
/// let parameters = VeniceParameters::new()
///     .web_search(WebSearch::from("auto"))
///     .include_venice_system_prompt(false);
/// # let _ = parameters;
/// ```
pub type VeniceParameters = types::ChatCompletionRequestVeniceParameters;

/// Whether a chat completion may search the web.
///
/// ```
/// use venice_sdk::WebSearch;
///
/// let mode = WebSearch::from("auto");
/// assert_eq!(mode, "auto");
/// ```
pub type WebSearch = types::ChatCompletionRequestVeniceParametersEnableWebSearch;

impl types::ChatCompletionRequestVeniceParameters {
    /// No Venice option set: the server's defaults apply.
    ///
    /// ```
    /// use venice_sdk::VeniceParameters;
    ///
    /// let parameters = VeniceParameters::new().include_venice_system_prompt(false);
    /// # let _ = parameters;
    /// ```
    pub fn new() -> Self {
        types::ChatCompletionRequestVeniceParameters::from_required()
    }

    /// Enables, disables or automates web search (`enable_web_search`).
    ///
    /// ```
    /// use venice_sdk::{VeniceParameters, WebSearch};
    ///
    /// let parameters = VeniceParameters::new().web_search(WebSearch::from("on"));
    /// # let _ = parameters;
    /// ```
    pub fn web_search(mut self, mode: WebSearch) -> Self {
        self.enable_web_search = Some(mode);
        self
    }

    /// Whether Venice's system prompt is added before yours.
    ///
    /// ```
    /// use venice_sdk::VeniceParameters;
    ///
    /// let parameters = VeniceParameters::new().include_venice_system_prompt(false);
    /// assert_eq!(parameters.include_venice_system_prompt, Some(false));
    /// ```
    pub fn include_venice_system_prompt(mut self, include: bool) -> Self {
        self.include_venice_system_prompt = Some(include);
        self
    }

    /// Talks as the character with this slug.
    ///
    /// ```
    /// use venice_sdk::{Message, VeniceParameters, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("What is the self?")])
    ///     .with_venice_parameters(VeniceParameters::new().character("alan-watts"));
    /// let reply = client.chat().create(request).await?;
    /// println!("{}", reply.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn character(mut self, slug: impl Into<String>) -> Self {
        self.character_slug = shape::build("character_slug", json!(slug.into()));
        self
    }
}

impl types::CreateChatCompletionResponse {
    /// The text of the first choice's message, if it has text.
    ///
    /// Array content (text parts) is joined.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let reply = client.chat().create(ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")])).await?;
    /// if let Some(text) = reply.text() {
    ///     println!("{text}");
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Tell me a long story")])
    ///     .with_max_completion_tokens(5);
    /// let reply = client.chat().create(request).await?;
    /// if reply.finish_reason() == Some("length") {
    ///     println!("cut short: raise max_completion_tokens");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn finish_reason(&self) -> Option<&str> {
        self.choices.first().map(|c| c.finish_reason.as_str())
    }

    /// The first choice's text read as JSON into `T` (the answer to a
    /// `json_schema` or `json_object` response format). An answer that does not
    /// give a `T` is an [`Error::Parse`](crate::Error::Parse) keeping the text:
    /// the model refused (its `refusal`), the answer was cut
    /// (`finish_reason: length`), there is no text, the text is not JSON (a
    /// ```` ```json ```` fence around it is taken off first), or the JSON does not
    /// fit `T` (with its path).
    ///
    /// ```
    /// use venice_sdk::{Message, ResponseFormat, types::ChatCompletionRequest};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Colors { colors: Vec<String> }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Three colors")])
    ///     .with_response_format(ResponseFormat::for_type::<Colors>()?);
    /// let completion: venice_sdk::ChatCompletion = client.chat().create(request).await?.into_inner();
    /// let colors: Colors = completion.parse()?;
    /// println!("{:?}", colors.colors);
    /// # Ok(()) }
    /// ```
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let what = format!("`{}` from the chat completion", short_type_name::<T>());
        let message = self
            .choices
            .first()
            .map(|c| shape::json_of(&c.message))
            .unwrap_or_default();
        if let Some(refusal) = message.get("refusal").and_then(serde_json::Value::as_str) {
            return Err(crate::error::ParseError::error(
                crate::ParseErrorKind::Refused,
                what,
                "",
                refusal,
            ));
        }
        let text = self.text().unwrap_or_default();
        if self.finish_reason() == Some("length") {
            return Err(crate::error::ParseError::error(
                crate::ParseErrorKind::Truncated,
                what,
                "",
                text,
            ));
        }
        if text.trim().is_empty() {
            return Err(crate::error::ParseError::error(
                crate::ParseErrorKind::Empty,
                what,
                "",
                text,
            ));
        }
        crate::json::parse(&what, unfenced(&text))
    }

    /// What the request cost (`cost`: USD and DIEM), when Venice says.
    ///
    /// Read leniently: a part missing reads 0, a cost without a number is `None`.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let reply = client.chat().create(ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")])).await?;
    /// if let Some(cost) = reply.cost() {
    ///     println!("${:.6} and {} DIEM", cost.usd, cost.diem);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn cost(&self) -> Option<Cost> {
        let cost = shape::json_of(&self.cost);
        let part = |k: &str| cost.get(k).and_then(serde_json::Value::as_f64);
        match (part("usd"), part("diem")) {
            (None, None) => None,
            (usd, diem) => Some(Cost {
                usd: usd.unwrap_or(0.0),
                diem: diem.unwrap_or(0.0),
            }),
        }
    }

    /// The tool calls of the first choice (empty when it made none), each
    /// carrying what must go back on the next turn (the message's
    /// `thought_signature` and `reasoning_details`, the call's own extra
    /// fields), from the typed completion. [`Response::tool_calls`](crate::Response)
    /// reads them from the answer's JSON, which also keeps message fields the
    /// spec does not name yet.
    ///
    /// ```
    /// use venice_sdk::{Message, Tool, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let weather = Tool::function("get_weather", "The weather of a city", serde_json::json!({
    ///     "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
    /// }));
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Weather in Oslo?")])
    ///     .with_tools([weather]);
    /// let completion: venice_sdk::ChatCompletion = client.chat().create(request).await?.into_inner();
    /// for call in completion.tool_calls() {
    ///     println!("{}({})", call.name, call.arguments);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        let Some(choice) = self.choices.first() else {
            return Vec::new();
        };
        // Through the message's JSON: its variants are the spec's to reshape.
        let message = shape::json_of(&choice.message);
        let completion = json!({"choices": [{"message": message}]});
        tool_calls_of(&completion)
    }

    /// The reasoning of the first choice, for models that think out loud.
    ///
    /// ```
    /// use venice_sdk::{Message, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let reply = client.chat().create(ChatCompletionRequest::new("qwen3-235b", [Message::user("Is 91 prime?")])).await?;
    /// if let Some(thoughts) = reply.reasoning() {
    ///     println!("thinking: {thoughts}");
    /// }
    /// println!("{}", reply.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
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

/// `text` without a Markdown code fence around it (```` ```json … ``` ````).
fn unfenced(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(rest) = trimmed.strip_prefix("```") else {
        return text;
    };
    let Some(body) = rest.strip_suffix("```") else {
        return text;
    };
    // The fence's language tag, up to the first line break.
    match body.split_once('\n') {
        Some((tag, inner)) if !tag.contains(['{', '[']) => inner,
        _ => body,
    }
}

/// `T`'s name without its module path (`Vec<app::Recipe>` → `Vec<Recipe>`).
fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    for part in full.split_inclusive(['<', '>', ',', ' ']) {
        let (name, sep) = match part.char_indices().last() {
            Some((i, '<' | '>' | ',' | ' ')) => (&part[..i], &part[i..]),
            _ => (part, ""),
        };
        out.push_str(name.rsplit("::").next().unwrap_or(name));
        out.push_str(sep);
    }
    out
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
            vec![ToolCall::new(
                "call_1",
                "get_weather",
                "{\"city\":\"Oslo\"}"
            )]
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
