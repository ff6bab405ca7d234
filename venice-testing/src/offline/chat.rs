//! `POST /chat/completions`: answers, reasoning, tool calls, web search
//! citations, JSON output, length limits and streaming.

use serde_json::{Map, Value, json};
use venice_sdk::ChatCompletionChunk;
use venice_sdk::types::CreateChatCompletionResponseUsage;
use venice_sdk::{Delta, FunctionDelta, ToolCallDelta};

use super::{Reply, State, catalog};
use crate::{fixtures, util};

/// The spec's example answer to "Why is the sky blue?".
const SKY: &str = "The sky appears blue because of the way Earth's atmosphere scatters sunlight. When sunlight reaches Earth's atmosphere, it is made up of various colors of the spectrum, but blue light waves are shorter and scatter more easily when they hit the gases and particles in the atmosphere. This scattering occurs in all directions, but from our perspective on the ground, it appears as a blue hue that dominates the sky's color. This phenomenon is known as Rayleigh scattering. During sunrise and sunset, the sunlight has to travel further through the atmosphere, which allows more time for the blue light to scatter away from our direct line of sight, leaving the longer wavelengths, such as red, yellow, and orange, to dominate the sky's color.";

const HAIKU: &str = "One owner holds it,\nmany may borrow and read —\nno data races.";

/// What the model decided to say.
enum Answer {
    Text {
        reasoning: Option<String>,
        content: String,
    },
    ToolCall {
        id: String,
        name: String,
        arguments: String,
    },
}

pub(crate) fn create(state: &State, body: &Value) -> Reply {
    let Some(model_name) = body.get("model").and_then(Value::as_str) else {
        return Reply::invalid(json!({"model": {"_errors": ["Required"]}}));
    };
    let messages = match body.get("messages").and_then(Value::as_array) {
        Some(m) if !m.is_empty() => m,
        Some(_) => {
            return Reply::invalid(
                json!({"messages": {"_errors": ["Array must contain at least 1 element(s)"]}}),
            );
        }
        None => return Reply::invalid(json!({"messages": {"_errors": ["Required"]}})),
    };
    let model = match catalog::text_model(model_name) {
        Ok(model) => model,
        Err(reply) => return reply,
    };
    let n = state.next_id();
    let question = last_user_text(messages);
    let thinking = model.reasoning && !catalog::thinking_disabled(model_name);
    let venice = body.get("venice_parameters");
    let web_search = venice
        .and_then(|v| v.get("enable_web_search"))
        .and_then(Value::as_str)
        .is_some_and(|mode| mode == "on" || mode == "auto");
    let citations = if web_search {
        citations(&question)
    } else {
        Vec::new()
    };

    let answer = decide(state, n, body, messages, &question, thinking, &citations);
    let limit = body
        .get("max_completion_tokens")
        .or_else(|| body.get("max_tokens"))
        .and_then(Value::as_u64);

    let prompt_tokens: i64 = messages
        .iter()
        .map(|m| util::tokens(&message_text(m)))
        .sum();
    let id = format!("chatcmpl-{}", util::hex(state.seed, n, 32));
    let created = util::unix_now();
    let stream = body.get("stream").and_then(Value::as_bool) == Some(true);

    match answer {
        Answer::Text { reasoning, content } => {
            let mut pieces = util::pieces(&content);
            let mut finish = "stop";
            if let Some(limit) = limit.and_then(|l| usize::try_from(l).ok())
                && pieces.len() > limit
            {
                pieces.truncate(limit);
                finish = "length";
            }
            let reasoning_pieces = reasoning.as_deref().map(util::pieces).unwrap_or_default();
            let completion_tokens =
                i64::try_from(pieces.len() + reasoning_pieces.len()).unwrap_or(i64::MAX);
            let usage = usage(prompt_tokens, completion_tokens);
            if stream {
                let base = fixtures::chunk_base(id, created, model.id);
                let mut chunks =
                    fixtures::text_chunks(&base, reasoning_pieces, pieces, finish, usage.clone());
                if let Some(first) = chunks.first_mut() {
                    first.venice_parameters = Some(venice_parameters(venice, &json!(citations)));
                }
                Reply::sse(fixtures::sse_body(&chunks)).with_usage(&usage)
            } else {
                let message = json!({
                    "role": "assistant",
                    "reasoning_content": reasoning,
                    "content": pieces.concat(),
                    "tool_calls": [],
                });
                let parameters = venice_parameters(venice, &json!(citations));
                let body = completion(&id, created, model.id, message, finish, &usage, parameters);
                Reply::json(200, &body).with_usage(&usage)
            }
        }
        Answer::ToolCall {
            id: call_id,
            name,
            arguments,
        } => {
            let completion_tokens = util::tokens(&arguments) + 8;
            let usage = usage(prompt_tokens, completion_tokens);
            if stream {
                let base = fixtures::chunk_base(id, created, model.id);
                let split = arguments.len() / 2;
                let split = (split..=arguments.len())
                    .find(|i| arguments.is_char_boundary(*i))
                    .unwrap_or(arguments.len());
                let (head, tail) = arguments.split_at(split);
                let call = |index_fields: bool, args: &str| ToolCallDelta {
                    index: 0,
                    id: index_fields.then(|| call_id.clone()),
                    kind: index_fields.then(|| "function".to_owned()),
                    function: Some(FunctionDelta {
                        name: index_fields.then(|| name.clone()),
                        arguments: Some(args.to_owned()),
                    }),
                    ..ToolCallDelta::default()
                };
                let chunks = vec![
                    fixtures::delta_chunk(
                        &base,
                        Delta {
                            role: Some("assistant".into()),
                            tool_calls: vec![call(true, "")],
                            ..Delta::default()
                        },
                        None,
                    ),
                    fixtures::delta_chunk(
                        &base,
                        Delta {
                            tool_calls: vec![call(false, head)],
                            ..Delta::default()
                        },
                        None,
                    ),
                    fixtures::delta_chunk(
                        &base,
                        Delta {
                            tool_calls: vec![call(false, tail)],
                            ..Delta::default()
                        },
                        None,
                    ),
                    fixtures::delta_chunk(&base, Delta::default(), Some("tool_calls")),
                    ChatCompletionChunk {
                        usage: Some(usage.clone()),
                        ..base.clone()
                    },
                ];
                Reply::sse(fixtures::sse_body(&chunks)).with_usage(&usage)
            } else {
                let message = json!({
                    "role": "assistant",
                    "reasoning_content": null,
                    "content": null,
                    "tool_calls": [{
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }],
                });
                let parameters = venice_parameters(venice, &json!([]));
                let body = completion(
                    &id,
                    created,
                    model.id,
                    message,
                    "tool_calls",
                    &usage,
                    parameters,
                );
                Reply::json(200, &body).with_usage(&usage)
            }
        }
    }
}

/// A `chat.completion` answer of one choice holding `message`.
fn completion(
    id: &str,
    created: i64,
    model: &str,
    message: Value,
    finish: &str,
    usage: &venice_sdk::types::CreateChatCompletionResponseUsage,
    venice_parameters: Value,
) -> Value {
    json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish,
            "stop_reason": null,
        }],
        "usage": usage,
        "cost": cost(usage),
        "prompt_logprobs": null,
        "venice_parameters": venice_parameters,
    })
}

/// What an answer costs offline: a flat USD 1 per million tokens, no DIEM.
fn cost(usage: &venice_sdk::types::CreateChatCompletionResponseUsage) -> Value {
    let tokens = serde_json::to_value(usage)
        .ok()
        .and_then(|u| u["total_tokens"].as_f64())
        .unwrap_or(0.0);
    json!({"usd": tokens / 1_000_000.0, "diem": 0.0})
}

/// The `venice_parameters` of an answer, as the API echoes them: the request's
/// options with the server's defaults, and the citations.
fn venice_parameters(request: Option<&Value>, citations: &Value) -> Value {
    let flag = |key: &str, default: bool| {
        request
            .and_then(|v| v.get(key))
            .and_then(Value::as_bool)
            .unwrap_or(default)
    };
    let mut out = json!({
        "enable_e2ee": flag("enable_e2ee", true),
        "enable_web_search": request
            .and_then(|v| v.get("enable_web_search"))
            .and_then(Value::as_str)
            .unwrap_or("off"),
        "enable_web_citations": flag("enable_web_citations", false),
        "enable_web_scraping": flag("enable_web_scraping", false),
        "include_venice_system_prompt": flag("include_venice_system_prompt", true),
        "include_search_results_in_stream": flag("include_search_results_in_stream", false),
        "return_search_results_as_documents": flag("return_search_results_as_documents", false),
        "strip_thinking_response": flag("strip_thinking_response", false),
        "disable_thinking": flag("disable_thinking", false),
        "web_search_citations": citations,
    });
    if let Some(slug) = request.and_then(|v| v.get("character_slug")) {
        out["character_slug"] = slug.clone();
    }
    out
}

fn usage(prompt_tokens: i64, completion_tokens: i64) -> CreateChatCompletionResponseUsage {
    util::typed(json!({
        "completion_tokens": completion_tokens,
        "prompt_tokens": prompt_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }))
}

/// Picks the answer: the result of a tool call, a call of a tool, JSON output,
/// or text.
fn decide(
    state: &State,
    n: u64,
    body: &Value,
    messages: &[Value],
    question: &str,
    thinking: bool,
    citations: &[Value],
) -> Answer {
    let reasoning = thinking.then(|| {
        format!(
            "The user asks: \"{}\". Let me think about what they need and answer clearly and briefly.",
            shorten(question, 80)
        )
    });

    // The tools the question asks for, in the order offered: each is called in a
    // round of its own (its result read before the next call), then the answer
    // is written from all the results.
    let last_user = messages
        .iter()
        .rposition(|m| role(m) == "user")
        .unwrap_or(0);
    let called = tool_call_names(&messages[last_user..]);
    let tools = body
        .get("tools")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let choice = body.get("tool_choice");
    if !tools.is_empty() && choice.and_then(Value::as_str) != Some("none") {
        let forced = choice
            .and_then(|c| c.pointer("/function/name"))
            .and_then(Value::as_str);
        let lower = question.to_lowercase();
        let wanted: Vec<&Value> = match forced {
            Some(name) => tools.iter().filter(|t| tool_name(t) == name).collect(),
            None => {
                let named: Vec<&Value> = tools
                    .iter()
                    .filter(|t| {
                        tool_name(t)
                            .split(['_', '-'])
                            .any(|word| word.len() > 3 && lower.contains(&word.to_lowercase()))
                    })
                    .collect();
                if named.is_empty() {
                    tools.first().into_iter().collect()
                } else {
                    named
                }
            }
        };
        let next = wanted
            .into_iter()
            .find(|t| !called.iter().any(|(_, name)| name == tool_name(t)));
        if let Some(tool) = next {
            let params = tool.pointer("/function/parameters").unwrap_or(&Value::Null);
            let arguments = sample(params, "", question);
            return Answer::ToolCall {
                id: format!("call_{}", util::hex(state.seed, n.wrapping_add(1), 24)),
                name: tool_name(tool).to_owned(),
                arguments: arguments.to_string(),
            };
        }
    }

    // Tool results after the last user message: answer from them.
    let results: Vec<&Value> = messages[last_user..]
        .iter()
        .filter(|m| role(m) == "tool")
        .collect();
    if !results.is_empty() {
        let parts: Vec<String> = results
            .iter()
            .map(|m| {
                let id = m.get("tool_call_id").and_then(Value::as_str).unwrap_or("");
                let name = called
                    .iter()
                    .find(|(call, _)| call == id)
                    .map_or("the tool", |(_, name)| name.as_str());
                format!("`{name}` returned {}", message_text(m).trim())
            })
            .collect();
        return Answer::Text {
            reasoning,
            content: format!(
                "Here is what I found: {}. Let me know if you need anything else.",
                parts.join("; ")
            ),
        };
    }

    // JSON output.
    if let Some(format) = body.get("response_format") {
        let content = match format.get("type").and_then(Value::as_str) {
            Some("json_schema") => {
                let schema = format
                    .pointer("/json_schema/schema")
                    .unwrap_or(&Value::Null);
                Some(sample(schema, "", question).to_string())
            }
            Some("json_object") => {
                Some(json!({"answer": text_answer(question, citations)}).to_string())
            }
            _ => None,
        };
        if let Some(content) = content {
            return Answer::Text { reasoning, content };
        }
    }

    let character = body
        .pointer("/venice_parameters/character_slug")
        .and_then(Value::as_str);
    let mut content = text_answer(question, citations);
    if character == Some("alan-watts") {
        let mut chars = content.chars();
        if let Some(first) = chars.next() {
            content = format!("Well, you see, {}{}", first.to_lowercase(), chars.as_str());
        }
    }
    Answer::Text { reasoning, content }
}

/// A text answer to the question.
pub(crate) fn text_answer(question: &str, citations: &[Value]) -> String {
    let q = question.to_lowercase();
    let mut answer = if q.contains("sky") && q.contains("blue") {
        SKY.to_owned()
    } else if q.contains("haiku") {
        HAIKU.to_owned()
    } else if q.contains("capital of france") {
        "The capital of France is Paris.".to_owned()
    } else if q.contains("sunset") {
        "Sunsets are red because the low sun's light crosses much more air: the blue and green light is scattered away along the way, and the reds and oranges that remain reach your eyes.".to_owned()
    } else if q
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .is_some_and(|first| ["hello", "hi", "hey"].contains(&first))
    {
        "Hello! How can I help you today?".to_owned()
    } else if q.contains("count to") {
        "One, two, three.".to_owned()
    } else {
        format!(
            "You asked: \"{}\". This answer comes from the offline Venice, a local stand-in for api.venice.ai; set VENICE_API_KEY to ask a real model.",
            shorten(question, 200)
        )
    };
    if !citations.is_empty() {
        answer.push_str(" According to recent sources [REF]0[/REF], this is well documented, and a second source agrees [REF]1[/REF].");
    }
    answer
}

/// Web search results for a question.
fn citations(question: &str) -> Vec<Value> {
    let q = shorten(question, 120);
    let today = util::date(util::unix_now());
    vec![
        json!({
            "title": format!("{q} - Wikipedia"),
            "url": format!("https://en.wikipedia.org/w/index.php?search={}", util::url_encode(&q)),
            "content": format!("An encyclopedic overview of {q}, with history, explanations and references."),
            "date": today,
        }),
        json!({
            "title": format!("{q}: what to know"),
            "url": format!("https://duckduckgo.com/?q={}", util::url_encode(&q)),
            "content": format!("Recent articles and discussions about {q}."),
            "date": today,
        }),
    ]
}

/// A JSON value for a JSON schema: every property, with a plausible value.
fn sample(schema: &Value, name: &str, question: &str) -> Value {
    Sampler {
        root: schema,
        question,
    }
    .value(schema, name, 0)
}

/// Writes values that a schema (draft 2020-12 or OpenAPI's subset) accepts:
/// `$ref`s into the root's `$defs`/`definitions` followed, the first non-null
/// member of a union taken, `const` and `enum` values used, numbers within their
/// bounds, arrays of `minItems` (at least one) items.
struct Sampler<'a> {
    root: &'a Value,
    question: &'a str,
}

/// How deep a schema is followed (a recursive `$ref` stops there).
const MAX_SAMPLE_DEPTH: usize = 24;

impl Sampler<'_> {
    fn value(&self, schema: &Value, name: &str, depth: usize) -> Value {
        if depth > MAX_SAMPLE_DEPTH {
            return Value::Null;
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| self.root.pointer(pointer))
        {
            return self.value(target, name, depth + 1);
        }
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.iter().find(|v| !v.is_null()))
        {
            return first.clone();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(members) = schema.get(key).and_then(Value::as_array) {
                let member = members
                    .iter()
                    .find(|m| m.get("type").and_then(Value::as_str) != Some("null"))
                    .or_else(|| members.first());
                return member.map_or(Value::Null, |m| self.value(m, name, depth + 1));
            }
        }
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for m in members {
                if let Value::Object(part) = self.value(m, name, depth + 1) {
                    merged.extend(part);
                }
            }
            return Value::Object(merged);
        }
        let type_ = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ if schema.get("properties").is_some() => "object",
            _ if schema.get("items").is_some() => "array",
            _ if name.is_empty() => "object",
            _ => "string",
        };
        match type_ {
            "object" => {
                let mut out = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    for (key, prop) in props {
                        out.insert(key.clone(), self.value(prop, key, depth + 1));
                    }
                }
                Value::Object(out)
            }
            "array" => {
                let item = schema.get("items").unwrap_or(&Value::Null);
                let n = schema
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .unwrap_or(1)
                    .clamp(1, 16);
                Value::Array((0..n).map(|_| self.value(item, name, depth + 1)).collect())
            }
            "integer" => json!(bounded(schema, 1.0).round() as i64),
            "number" => json!(bounded(schema, 1.0)),
            "boolean" => json!(true),
            "null" => Value::Null,
            _ => match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => json!(format!("{}T12:00:00Z", util::date(util::unix_now()))),
                Some("date") => json!(util::date(util::unix_now())),
                Some("uri" | "url") => json!("https://example.com/"),
                Some("email") => json!("someone@example.com"),
                Some("uuid") => json!("00000000-0000-4000-8000-000000000000"),
                _ => json!(string_for(name, self.question)),
            },
        }
    }
}

/// `preferred`, moved within the schema's `minimum`/`maximum` (and exclusive ones).
fn bounded(schema: &Value, preferred: f64) -> f64 {
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    let mut v = preferred;
    if let Some(min) = bound("minimum") {
        v = v.max(min);
    }
    if let Some(min) = bound("exclusiveMinimum") {
        v = v.max(min + 1.0);
    }
    if let Some(max) = bound("maximum") {
        v = v.min(max);
    }
    if let Some(max) = bound("exclusiveMaximum") {
        v = v.min(max - 1.0);
    }
    v
}

/// A plausible string argument named `name`, taken from the question if it can be.
fn string_for(name: &str, question: &str) -> String {
    let name = name.to_lowercase();
    if ["city", "location", "place", "country", "town"]
        .iter()
        .any(|k| name.contains(k))
    {
        return place_in(question).unwrap_or_else(|| "Paris".to_owned());
    }
    if name.contains("unit") {
        return "celsius".to_owned();
    }
    if name.contains("date") {
        return util::date(util::unix_now());
    }
    if ["query", "search", "question", "text", "prompt"]
        .iter()
        .any(|k| name.contains(k))
        || name == "q"
    {
        return question.trim().to_owned();
    }
    "example".to_owned()
}

/// The capitalized words after " in " (`weather in New York?` → `New York`).
fn place_in(question: &str) -> Option<String> {
    let (_, rest) = question.rsplit_once(" in ")?;
    let words: Vec<&str> = rest
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
        .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

fn tool_name(tool: &Value) -> &str {
    tool.pointer("/function/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `(call id, function name)` of the assistant's tool calls among `messages`.
fn tool_call_names(messages: &[Value]) -> Vec<(String, String)> {
    messages
        .iter()
        .filter_map(|m| m.get("tool_calls").and_then(Value::as_array))
        .flatten()
        .filter_map(|call| {
            Some((
                call.get("id")?.as_str()?.to_owned(),
                call.pointer("/function/name")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// The text of a message: string content, or its text parts joined.
fn message_text(message: &Value) -> String {
    match message.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn last_user_text(messages: &[Value]) -> String {
    messages
        .iter()
        .rev()
        .find(|m| role(m) == "user")
        .map(message_text)
        .unwrap_or_default()
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_follow_the_schema_and_the_question() {
        let schema = json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["fahrenheit", "celsius"]},
                "days": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["city"]
        });
        assert_eq!(
            sample(&schema, "", "What's the weather in New York today?"),
            json!({"city": "New York", "unit": "fahrenheit", "days": 1, "tags": ["example"]})
        );
        assert_eq!(place_in("weather in paris"), None);
    }

    #[test]
    fn answers_know_a_few_questions() {
        assert!(text_answer("Why is the sky blue?", &[]).contains("Rayleigh"));
        assert!(text_answer("anything", &[]).contains("offline Venice"));
        assert!(text_answer("x", &citations("x")).contains("[REF]0[/REF]"));
        assert_eq!(shorten("abcdef", 3), "abc…");
    }
}
