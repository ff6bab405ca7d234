//! Structured outputs into the caller's types, tools from the caller's types, and
//! the tool runner: against the offline Venice (which answers JSON for the schema
//! and drives tool calls from the tool schemas) and against scripted answers for
//! every failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{
    Capability, Client, Error, HandlerErrors, Message, ParseErrorKind, ParseOptions,
    ResponseFormat, Tool, ToolCall, ToolRunner,
};
use venice_testing::OfflineVenice;

#[derive(Debug, Deserialize, schemars::JsonSchema, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Difficulty {
    Easy,
    Hard,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Step {
    #[allow(dead_code)]
    text: String,
    minutes: u32,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Recipe {
    title: String,
    difficulty: Difficulty,
    steps: Vec<Step>,
    /// Optional: strict mode makes it required and nullable.
    note: Option<String>,
    servings: Option<u8>,
}

fn ask(question: &str) -> ChatCompletionRequest {
    ChatCompletionRequest::new("venice-uncensored", [Message::user(question)])
}

fn client(base: &str) -> Client {
    Client::builder()
        .api_key("vk-structured-KEY-0a1b")
        .base_url(base)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn parse_reads_the_answer_into_the_type_offline() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let model = client
        .models()
        .pick(&[Capability::ResponseSchema])
        .await
        .unwrap()
        .expect("an offline model supports response schemas");
    let request = ChatCompletionRequest::new(model, [Message::user("A pancake recipe")]);
    let recipe = client.chat().parse::<Recipe>(request).await.unwrap();
    assert!(!recipe.value.title.is_empty());
    assert_eq!(recipe.value.difficulty, Difficulty::Easy);
    assert!(!recipe.value.steps.is_empty());
    assert!(recipe.value.steps[0].minutes >= 1);
    assert!(recipe.completion.meta().request_id.is_some());
}

#[tokio::test]
async fn the_request_carries_the_shape_venice_reads() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .json_body_includes(
                    json!({"response_format": {"type": "json_schema", "json_schema": {"name": "Recipe", "strict": true}}})
                        .to_string(),
                )
                .json_body_includes(
                    json!({"response_format": {"json_schema": {"schema": {
                        "type": "object",
                        "required": ["title", "difficulty", "steps", "note", "servings"],
                        "additionalProperties": false
                    }}}})
                    .to_string(),
                );
            then.status(200).json_body(answer(
                r#"{"title":"Crêpes","difficulty":"easy","steps":[{"text":"Mix","minutes":5}],"note":null,"servings":2}"#,
                "stop",
            ));
        })
        .await;
    let recipe = client(&server.base_url())
        .chat()
        .parse::<Recipe>(ask("crêpes"))
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(recipe.value.title, "Crêpes");
    assert_eq!(recipe.value.note, None);
    assert_eq!(recipe.value.servings, Some(2));
}

fn answer(content: &str, finish: &str) -> Value {
    json!({
        "id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    })
}

async fn parse_answer(body: Value) -> Result<Recipe, Error> {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/chat/completions");
            then.status(200).json_body(body);
        })
        .await;
    client(&server.base_url())
        .chat()
        .parse::<Recipe>(ask("x"))
        .await
        .map(|p| p.value)
}

fn parse_error(e: Error) -> venice_sdk::ParseError {
    match e {
        Error::Parse(p) => *p,
        other => panic!("not a parse error: {other:?}"),
    }
}

#[tokio::test]
async fn each_way_an_answer_fails_is_typed_and_keeps_the_text() {
    let cut = parse_error(
        parse_answer(answer(r#"{"title": "Crêpes", "diffi"#, "length"))
            .await
            .unwrap_err(),
    );
    assert_eq!(cut.kind, ParseErrorKind::Truncated);
    assert_eq!(cut.raw, r#"{"title": "Crêpes", "diffi"#);
    assert!(cut.to_string().contains("max_completion_tokens"), "{cut}");

    let prose = parse_error(
        parse_answer(answer("Sure! Here is a recipe: mix flour.", "stop"))
            .await
            .unwrap_err(),
    );
    assert_eq!(prose.kind, ParseErrorKind::NotJson);
    assert_eq!(prose.raw, "Sure! Here is a recipe: mix flour.");

    let wrong = parse_error(
        parse_answer(answer(
            r#"{"title":"T","difficulty":"easy","steps":[{"text":"a","minutes":1},{"text":"b","minutes":"five"}],"note":null,"servings":null}"#,
            "stop",
        ))
        .await
        .unwrap_err(),
    );
    assert_eq!(wrong.kind, ParseErrorKind::Mismatch);
    assert_eq!(wrong.path.as_deref(), Some("steps[1].minutes"));
    assert!(wrong.what.contains("Recipe"), "{}", wrong.what);

    let mut refused = answer("", "stop");
    refused["choices"][0]["message"]["content"] = Value::Null;
    refused["choices"][0]["message"]["refusal"] = json!("I can't help with that.");
    let refused = parse_error(parse_answer(refused).await.unwrap_err());
    assert_eq!(refused.kind, ParseErrorKind::Refused);
    assert_eq!(refused.raw, "I can't help with that.");

    let empty = parse_error(parse_answer(answer("  ", "stop")).await.unwrap_err());
    assert_eq!(empty.kind, ParseErrorKind::Empty);

    // A fence around the JSON is taken off.
    let fenced = parse_answer(answer(
        "```json\n{\"title\":\"T\",\"difficulty\":\"hard\",\"steps\":[],\"note\":null,\"servings\":null}\n```",
        "stop",
    ))
    .await
    .unwrap();
    assert_eq!(fenced.difficulty, Difficulty::Hard);
}

#[tokio::test]
async fn a_type_strict_mode_cannot_express_is_refused_before_sending() {
    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    struct Scores {
        #[allow(dead_code)]
        by_name: std::collections::HashMap<String, u32>,
    }
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let c = client(&server.base_url());
    let err = c.chat().parse::<Scores>(ask("x")).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, message } if field == "response_format" && message.contains("map")),
        "{err}"
    );
    let err = c.chat().parse::<Vec<Step>>(ask("x")).await.unwrap_err();
    assert!(
        err.to_string().contains("wrap the value in a struct"),
        "{err}"
    );
    mock.assert_calls_async(0).await;

    // Non-strict, the schema goes as schemars wrote it.
    let lax = ParseOptions::default().name("scores").strict(false);
    let server2 = MockServer::start_async().await;
    let sent = server2
        .mock_async(|when, then| {
            when.json_body_includes(
                json!({"response_format": {"json_schema": {"name": "scores", "strict": false}}})
                    .to_string(),
            );
            then.status(200)
                .json_body(answer(r#"{"by_name": {"ann": 3}}"#, "stop"));
        })
        .await;
    client(&server2.base_url())
        .chat()
        .parse_with::<Scores>(ask("x"), &lax)
        .await
        .unwrap();
    sent.assert_async().await;
}

#[tokio::test]
async fn a_collected_stream_parses_too() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let request =
        ask("A recipe").with_response_format(ResponseFormat::for_type::<Recipe>().unwrap());
    let parsed = client
        .chat()
        .stream(request)
        .await
        .unwrap()
        .collect_parsed::<Recipe>()
        .await
        .unwrap();
    assert!(!parsed.value.steps.is_empty());
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct CityArgs {
    /// The city, in English.
    city: String,
}

#[test]
fn tools_come_from_types_and_their_arguments_go_back_into_them() {
    let tool = serde_json::to_value(Tool::for_type::<CityArgs>(
        "get_weather",
        "The weather in a city",
    ))
    .unwrap();
    assert_eq!(tool["type"], "function");
    assert_eq!(tool["function"]["name"], "get_weather");
    let params = &tool["function"]["parameters"];
    assert_eq!(params["type"], "object");
    assert_eq!(params["required"], json!(["city"]));
    assert_eq!(
        params["properties"]["city"]["description"],
        "The city, in English."
    );

    let call = ToolCall::new("c1", "get_weather", r#"{"city": "Oslo"}"#);
    assert_eq!(call.arguments_as::<CityArgs>().unwrap().city, "Oslo");
    let bad = ToolCall::new("c2", "get_weather", r#"{"town": "Oslo"}"#);
    let e = parse_error(bad.arguments_as::<CityArgs>().unwrap_err());
    assert_eq!(e.kind, ParseErrorKind::Mismatch);
    assert!(e.what.contains("get_weather"), "{}", e.what);
    assert_eq!(e.raw, r#"{"town": "Oslo"}"#);
}

fn weather_and_time_runner(calls: Arc<AtomicUsize>) -> ToolRunner {
    let c1 = Arc::clone(&calls);
    let c2 = Arc::clone(&calls);
    ToolRunner::new()
        .tool(
            "get_weather",
            "The weather in a city",
            move |a: CityArgs| {
                c1.fetch_add(1, Ordering::SeqCst);
                async move { Ok::<_, String>(format!("12°C and light rain in {}", a.city)) }
            },
        )
        .tool(
            "get_time",
            "The local time in a city",
            move |a: CityArgs| {
                c2.fetch_add(1, Ordering::SeqCst);
                async move { Ok::<_, String>(json!({"city": a.city, "time": "14:05"})) }
            },
        )
}

#[tokio::test]
async fn the_runner_runs_two_tools_over_rounds_until_the_answer_offline() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let model = client
        .models()
        .pick(&[Capability::FunctionCalling])
        .await
        .unwrap()
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    let runner = weather_and_time_runner(Arc::clone(&calls)).on_round(move |round| {
        seen2
            .lock()
            .unwrap()
            .push((round.index, round.calls[0].name.clone()));
    });
    let request = ChatCompletionRequest::new(
        model,
        [Message::user(
            "What is the weather in Oslo, and the local time there?",
        )],
    );
    let run = runner.run(&client, request).await.unwrap();
    assert!(run.finished);
    assert_eq!(run.rounds, 3, "two rounds of calls, then the answer");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        *seen.lock().unwrap(),
        [(1, "get_weather".to_owned()), (2, "get_time".to_owned())]
    );
    let text = run.completion.text().unwrap();
    assert!(text.contains("light rain in Oslo"), "{text}");
    assert!(text.contains("14:05"), "{text}");
    // user, (assistant call, tool result) × 2, final answer.
    let roles: Vec<String> = run
        .transcript
        .iter()
        .map(|m| {
            serde_json::to_value(m).unwrap()["role"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        roles,
        [
            "user",
            "assistant",
            "tool",
            "assistant",
            "tool",
            "assistant"
        ]
    );
}

fn calling(calls: Value) -> Value {
    json!({
        "id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": null, "reasoning_content": "Let me look.",
            "thought_signature": "sig-1", "tool_calls": calls}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    })
}

#[tokio::test]
async fn unknown_tools_bad_arguments_and_server_calls_are_handled_not_dispatched() {
    // One answer per request, told apart by the number of messages sent.
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .body_excludes("tool_call_id");
            then.status(200).json_body(calling(json!([
                {"id": "a", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}},
                {"id": "b", "type": "function", "function": {"name": "launch_rockets", "arguments": "{}"}},
                {"id": "c", "type": "function", "function": {"name": "get_time", "arguments": "{\"town\":1}"}},
                {"id": "d", "type": "web_search", "function": {"name": "web_search", "arguments": "{}"}}
            ])));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .body_includes("tool_call_id")
                // The assistant turn went back with its reasoning and signature.
                .json_body_includes(json!({"messages": [{}, {"role": "assistant", "reasoning_content": "Let me look.", "thought_signature": "sig-1"}]}).to_string())
                .body_includes("light rain in Oslo")
                .body_includes("unknown tool `launch_rockets`: the tools are get_weather, get_time")
                .body_includes("the arguments of tool `get_time`");
            then.status(200).json_body(answer("Done.", "stop"));
        })
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let run = weather_and_time_runner(Arc::clone(&calls))
        .run(&client(&server.base_url()), ask("weather and time"))
        .await
        .unwrap();
    first.assert_async().await;
    second.assert_async().await;
    assert!(run.finished);
    assert_eq!(run.completion.text().as_deref(), Some("Done."));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "only get_weather ran; web_search is the server's"
    );
}

#[tokio::test]
async fn a_failing_handler_goes_to_the_model_or_ends_the_run() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .body_excludes("tool_call_id");
            then.status(200).json_body(calling(json!([
                {"id": "a", "type": "function", "function": {"name": "flaky", "arguments": "{}"}}
            ])));
        })
        .await;
    let told = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat/completions")
                .body_includes("error: the database is down");
            then.status(200).json_body(answer("Sorry.", "stop"));
        })
        .await;
    let flaky = || {
        ToolRunner::new().tool_json(
            "flaky",
            "Fails",
            json!({"type": "object", "properties": {}}),
            |_| async { Err::<String, _>("the database is down") },
        )
    };
    let c = client(&server.base_url());
    let run = flaky().run(&c, ask("x")).await.unwrap();
    told.assert_async().await;
    assert_eq!(run.completion.text().as_deref(), Some("Sorry."));

    let err = flaky()
        .handler_errors(HandlerErrors::EndRun)
        .run(&c, ask("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ToolFailed { tool, call_id, message } if tool == "flaky" && call_id == "a" && message == "the database is down"),
        "{err}"
    );
    told.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_rounds_are_bounded_and_handlers_run_concurrently() {
    let server = MockServer::start_async().await;
    let looping = server
        .mock_async(|when, then| {
            when.method(POST).path("/chat/completions");
            then.status(200).json_body(calling(json!([
                {"id": "1", "type": "function", "function": {"name": "slow", "arguments": "{}"}},
                {"id": "2", "type": "function", "function": {"name": "slow", "arguments": "{}"}},
                {"id": "3", "type": "function", "function": {"name": "slow", "arguments": "{}"}}
            ])));
        })
        .await;
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (Arc::clone(&running), Arc::clone(&peak));
    let runner = ToolRunner::new()
        .tool_json("slow", "Slow", json!({"type": "object"}), move |_| {
            let (r, p) = (Arc::clone(&r), Arc::clone(&p));
            async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(30)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, String>("ok")
            }
        })
        .concurrency(2)
        .max_rounds(3);
    let run = runner
        .run(&client(&server.base_url()), ask("x"))
        .await
        .unwrap();
    assert!(!run.finished, "stopped by the bound");
    assert_eq!(run.rounds, 3);
    looping.assert_calls_async(3).await;
    assert_eq!(
        peak.load(Ordering::SeqCst),
        2,
        "at most two handlers at once, and two did run together"
    );
    assert_eq!(venice_sdk::defaults::DEFAULT_MAX_TOOL_ROUNDS, 8);
}
