//! The tool loop, run for you: [`ToolRunner`] sends the request, runs the tools
//! the model asks for, answers each call, and repeats until the model answers
//! without calling a tool.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::chat::{ChatCompletion, Message, Tool, ToolCall};
use crate::defaults::{DEFAULT_MAX_TOOL_ROUNDS, DEFAULT_TOOL_CONCURRENCY};
use crate::{Client, Error, Response, types};

/// What a handler returns: the text to send back as the tool's result, or why
/// it failed.
type Outcome = Result<String, String>;

/// A registered handler: the call in, the outcome out.
type Handler = Arc<dyn Fn(ToolCall) -> BoxFuture<'static, Outcome> + Send + Sync>;

/// What is done with a handler's error.
///
/// ```
/// use venice_sdk::{HandlerErrors, ToolRunner};
///
/// let strict = ToolRunner::new().handler_errors(HandlerErrors::EndRun);
/// # let _ = strict;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandlerErrors {
    /// Sent to the model as the tool's result (`error: …`), which may try
    /// another way (the default).
    #[default]
    ToModel,
    /// Ends the run with [`Error::ToolFailed`].
    EndRun,
}

/// One round of a run, as [`ToolRunner::on_round`] sees it.
///
/// ```
/// use venice_sdk::ToolRunner;
///
/// let runner = ToolRunner::new().on_round(|round| {
///     for (id, result) in round.results {
///         println!("round {}: {id} → {result:?}", round.index);
///     }
/// });
/// # let _ = runner;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Round<'a> {
    /// 1 for the first round.
    pub index: usize,
    /// The calls the model made (those the server ran itself included).
    pub calls: &'a [ToolCall],
    /// Each call answered, in the order of `calls`: its id, and the result sent
    /// back or the error (sent back too, unless the run ends on it).
    pub results: &'a [(String, Result<String, String>)],
}

/// What a run ended with.
///
/// ```
/// use venice_sdk::{Message, ToolRunner, types::ChatCompletionRequest};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct City { city: String }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let runner = ToolRunner::new().tool("get_weather", "The weather in a city", |args: City| async move {
///     Ok::<_, String>(format!("12°C in {}", args.city))
/// });
/// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Weather in Oslo?")]);
/// let run = runner.run(&client, request).await?;
/// println!("{} rounds, finished: {}, {} messages", run.rounds, run.finished, run.transcript.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ToolRun {
    /// The last completion: the model's answer when `finished`.
    pub completion: Response<ChatCompletion>,
    /// Every message of the conversation: the request's, each round's assistant
    /// turn and tool results, and the final answer.
    pub transcript: Vec<Message>,
    /// How many completions were asked for.
    pub rounds: usize,
    /// Whether the model answered without calling a tool (`false`: the
    /// maximum number of rounds was reached; `completion` still calls tools).
    pub finished: bool,
}

/// The `on_round` callback.
type Observer = Arc<dyn Fn(&Round<'_>) + Send + Sync>;

/// Runs a chat with tools: registered handlers are called for the tool calls
/// the model makes, their results sent back, until the model answers without
/// calling a tool or `max_rounds` completions were asked for (default
/// [`DEFAULT_MAX_TOOL_ROUNDS`]).
///
/// - The calls of a round run concurrently, at most `concurrency` at once
///   (default [`DEFAULT_TOOL_CONCURRENCY`]); results go back in call order.
/// - Each assistant turn goes back with what the model asks to get back
///   (`reasoning_content`, `reasoning_details`, `thought_signature`: see
///   [`Carried`](crate::Carried)).
/// - A call of an unknown tool is answered with an error result naming the
///   tools there are; arguments that do not fit the handler's type are answered
///   with the parse error; a handler's error goes back to the model or ends the
///   run ([`HandlerErrors`]).
/// - A call the server ran itself (not `type: function`: Venice's web search)
///   is not dispatched.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// use venice_sdk::{Message, ToolRunner, types::ChatCompletionRequest};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct City { city: String }
///
/// let runner = ToolRunner::new()
///     .tool("get_weather", "The weather in a city", |args: City| async move {
///         Ok::<_, String>(format!("12°C and rain in {}", args.city))
///     })
///     .on_round(|round| println!("round {}: {} call(s)", round.index, round.calls.len()));
/// let request = ChatCompletionRequest::new("qwen3-235b", [Message::user("Weather in Oslo?")]);
/// let run = runner.run(&client, request).await?;
/// println!("{}", run.completion.text().unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ToolRunner {
    /// In the order registered (the order they are offered in).
    tools: Vec<(String, Tool, Handler)>,
    max_rounds: usize,
    concurrency: usize,
    errors: HandlerErrors,
    observer: Option<Observer>,
}

impl fmt::Debug for ToolRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolRunner")
            .field(
                "tools",
                &self.tools.iter().map(|(n, _, _)| n).collect::<Vec<_>>(),
            )
            .field("max_rounds", &self.max_rounds)
            .field("concurrency", &self.concurrency)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl Default for ToolRunner {
    fn default() -> Self {
        Self::new()
    }
}

impl ToolRunner {
    /// A runner without tools, with the default bounds.
    ///
    /// ```
    /// use venice_sdk::ToolRunner;
    ///
    /// let runner = ToolRunner::new().max_rounds(4);
    /// assert_eq!(runner.tools().count(), 0);
    /// ```
    pub fn new() -> Self {
        ToolRunner {
            tools: Vec::new(),
            max_rounds: DEFAULT_MAX_TOOL_ROUNDS,
            concurrency: DEFAULT_TOOL_CONCURRENCY,
            errors: HandlerErrors::default(),
            observer: None,
        }
    }

    /// A tool whose arguments are an `A` (its JSON Schema is the tool's
    /// parameters), answered by `handler`. What the handler returns is sent back
    /// as the tool's result: a string as it is, anything else as JSON. A tool of
    /// the same name replaces the earlier one.
    ///
    /// ```
    /// use venice_sdk::{Message, ToolRunner, types::ChatCompletionRequest};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct City {
    ///     /// The city, in English.
    ///     city: String,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let runner = ToolRunner::new().tool("get_weather", "The weather in a city", |args: City| async move {
    ///     Ok::<_, String>(format!("12°C and rain in {}", args.city))
    /// });
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Weather in Oslo?")]);
    /// let run = runner.run(&client, request).await?;
    /// println!("{}", run.completion.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn tool<A, R, E, F, Fut>(
        self,
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        A: schemars::JsonSchema + DeserializeOwned + Send + 'static,
        R: Serialize,
        E: fmt::Display,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        let name = name.into();
        let tool = Tool::for_type::<A>(name.clone(), description);
        let handler = Arc::new(handler);
        let dispatch: Handler = Arc::new(move |call: ToolCall| {
            let handler = Arc::clone(&handler);
            async move {
                let args: A = call.arguments_as().map_err(|e| e.to_string())?;
                match handler(args).await {
                    Ok(result) => Ok(result_text(&result)),
                    Err(e) => Err(e.to_string()),
                }
            }
            .boxed()
        });
        self.register(name, tool, dispatch)
    }

    /// A tool with a hand-written JSON Schema of its arguments, answered by
    /// `handler` with the arguments as JSON.
    ///
    /// ```
    /// use venice_sdk::{Message, ToolRunner, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let schema = serde_json::json!({
    ///     "type": "object",
    ///     "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
    ///     "required": ["a", "b"],
    /// });
    /// let runner = ToolRunner::new().tool_json("add", "Adds two numbers", schema, |args| async move {
    ///     let sum = args["a"].as_f64().unwrap_or(0.0) + args["b"].as_f64().unwrap_or(0.0);
    ///     Ok::<_, String>(serde_json::json!({"sum": sum}))
    /// });
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Add 2 and 3")]);
    /// println!("{}", runner.run(&client, request).await?.completion.text().unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn tool_json<R, E, F, Fut>(
        self,
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: serde_json::Value,
        handler: F,
    ) -> Self
    where
        R: Serialize,
        E: fmt::Display,
        F: Fn(serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        let name = name.into();
        let tool = Tool::function(name.clone(), description, parameters);
        let handler = Arc::new(handler);
        let dispatch: Handler = Arc::new(move |call: ToolCall| {
            let handler = Arc::clone(&handler);
            async move {
                let args: serde_json::Value = call.arguments_as().map_err(|e| e.to_string())?;
                match handler(args).await {
                    Ok(result) => Ok(result_text(&result)),
                    Err(e) => Err(e.to_string()),
                }
            }
            .boxed()
        });
        self.register(name, tool, dispatch)
    }

    /// Adds a tool, replacing one of the same name in its place.
    fn register(mut self, name: String, tool: Tool, handler: Handler) -> Self {
        match self.tools.iter_mut().find(|(n, _, _)| *n == name) {
            Some(slot) => *slot = (name, tool, handler),
            None => self.tools.push((name, tool, handler)),
        }
        self
    }

    /// The handler of the tool `name`.
    fn handler(&self, name: &str) -> Option<&Handler> {
        self.tools
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, _, h)| h)
    }

    /// The most completions a run asks for (at least 1).
    ///
    /// ```
    /// use venice_sdk::ToolRunner;
    ///
    /// let runner = ToolRunner::new().max_rounds(3);
    /// # let _ = runner;
    /// ```
    pub fn max_rounds(mut self, rounds: usize) -> Self {
        self.max_rounds = rounds.max(1);
        self
    }

    /// The most handlers run at once (at least 1).
    ///
    /// ```
    /// use venice_sdk::ToolRunner;
    ///
    /// // One call at a time: the handlers share a rate-limited backend.
    /// let runner = ToolRunner::new().concurrency(1);
    /// # let _ = runner;
    /// ```
    pub fn concurrency(mut self, handlers: usize) -> Self {
        self.concurrency = handlers.max(1);
        self
    }

    /// What a handler's error does (default: sent to the model).
    ///
    /// ```
    /// use venice_sdk::{HandlerErrors, Message, ToolRunner, types::ChatCompletionRequest};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let runner = ToolRunner::new()
    ///     .tool_json("lookup", "Looks a word up", serde_json::json!({"type": "object"}), |_args| async move {
    ///         Err::<String, _>("the dictionary is offline")
    ///     })
    ///     .handler_errors(HandlerErrors::EndRun);
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Look up 'serendipity'")]);
    /// assert!(runner.run(&client, request).await.is_err());
    /// # Ok(()) }
    /// ```
    pub fn handler_errors(mut self, errors: HandlerErrors) -> Self {
        self.errors = errors;
        self
    }

    /// Called after each round of tool calls, to show progress.
    ///
    /// ```
    /// use venice_sdk::ToolRunner;
    ///
    /// let runner = ToolRunner::new()
    ///     .on_round(|round| eprintln!("round {}: {} call(s)", round.index, round.calls.len()));
    /// # let _ = runner;
    /// ```
    pub fn on_round(mut self, observer: impl Fn(&Round<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The tools this runner offers, as sent.
    ///
    /// ```
    /// use venice_sdk::ToolRunner;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct City { city: String }
    ///
    /// let runner = ToolRunner::new().tool("get_weather", "The weather in a city", |args: City| async move {
    ///     Ok::<_, String>(args.city)
    /// });
    /// for tool in runner.tools() {
    ///     println!("{}", serde_json::to_string(tool).unwrap_or_default());
    /// }
    /// ```
    pub fn tools(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter().map(|(_, tool, _)| tool)
    }

    /// Runs `request` with this runner's tools (added to the request's own), and
    /// returns the final answer and the transcript; an error of a completion ends
    /// the run with that error.
    ///
    /// ```
    /// use venice_sdk::{Message, ToolRunner, types::ChatCompletionRequest};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct City { city: String }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let runner = ToolRunner::new().tool("get_weather", "The weather in a city", |args: City| async move {
    ///     Ok::<_, String>(format!("12°C in {}", args.city))
    /// });
    /// let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Weather in Oslo?")]);
    /// let run = runner.run(&client, request).await?;
    /// if run.finished {
    ///     println!("{}", run.completion.text().unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run(
        &self,
        client: &Client,
        mut request: types::ChatCompletionRequest,
    ) -> Result<ToolRun, Error> {
        request.tools = Some(
            request
                .tools
                .take()
                .unwrap_or_default()
                .into_iter()
                .chain(self.tools().cloned())
                .collect(),
        );
        let mut rounds = 0;
        loop {
            rounds += 1;
            let answer = client.chat().create(request.clone()).await?;
            let calls = answer.tool_calls();
            let mine: Vec<ToolCall> = calls.iter().filter(|c| c.is_function()).cloned().collect();
            if mine.is_empty() || rounds >= self.max_rounds {
                let finished = mine.is_empty();
                let mut transcript = request.messages;
                if let Some(turn) = answer.assistant_message() {
                    transcript.push(turn);
                }
                return Ok(ToolRun {
                    completion: answer,
                    transcript,
                    rounds,
                    finished,
                });
            }
            let results = self.answer(&mine).await?;
            if let Some(observer) = &self.observer {
                observer(&Round {
                    index: rounds,
                    calls: &calls,
                    results: &results,
                });
            }
            request.messages.push(Message::assistant_tool_calls(&mine));
            for (id, result) in results {
                let text = match result {
                    Ok(text) => text,
                    Err(e) => format!("error: {e}"),
                };
                request.messages.push(Message::tool(id, text));
            }
        }
    }

    /// Runs the handlers of `calls`, at most `concurrency` at once; the results
    /// in call order.
    async fn answer(&self, calls: &[ToolCall]) -> Result<Vec<(String, Outcome)>, Error> {
        let results: Vec<(String, Outcome)> = futures::stream::iter(calls.iter().cloned())
            .map(|call| {
                let id = call.id.clone();
                let run = match self.handler(&call.name) {
                    Some(handler) => handler(call),
                    None => {
                        let known: Vec<&str> =
                            self.tools.iter().map(|(n, _, _)| n.as_str()).collect();
                        let message = format!(
                            "unknown tool `{}`: the tools are {}",
                            call.name,
                            known.join(", ")
                        );
                        async move { Err(message) }.boxed()
                    }
                };
                run.map(move |outcome| (id, outcome))
            })
            .buffered(self.concurrency)
            .collect()
            .await;
        // An unknown tool is always answered: it is the model's mistake, not a
        // handler's failure.
        if self.errors == HandlerErrors::EndRun
            && let Some((call, Err(message))) = calls
                .iter()
                .zip(results.iter().map(|(_, r)| r))
                .find(|(c, r)| r.is_err() && self.handler(&c.name).is_some())
        {
            return Err(Error::ToolFailed {
                tool: call.name.clone(),
                call_id: call.id.clone(),
                message: message.clone(),
            });
        }
        Ok(results)
    }
}

/// A handler's result as the tool message's text: a string as it is, anything
/// else as JSON.
fn result_text(result: &impl Serialize) -> String {
    match serde_json::to_value(result) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("error: the result could not be written as JSON: {e}"),
    }
}
