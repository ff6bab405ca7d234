//! `/augment/scrape` (a Markdown page), `/augment/search` (results made from the
//! query) and `/augment/text-parser` (plain text and simple PDFs, multipart).

use serde_json::{Value, json};

use super::Reply;
use super::form::Form;
use crate::util;

/// Hosts Venice refuses to scrape.
const BLOCKED_HOSTS: &[&str] = &["x.com", "twitter.com", "reddit.com"];

/// The host of an `http(s)` URL, lowercase.
fn host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let host = host.split(':').next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

pub(crate) fn scrape(body: &Value) -> Reply {
    let Some(url) = body.get("url").and_then(Value::as_str) else {
        return Reply::invalid(json!({"url": {"_errors": ["Required"]}}));
    };
    let Some(host) = host(url.trim()) else {
        return Reply::invalid(json!({"url": {"_errors": ["Invalid url"]}}));
    };
    let blocked = BLOCKED_HOSTS
        .iter()
        .any(|b| host == *b || host.ends_with(&format!(".{b}")));
    if blocked {
        return Reply::error(
            400,
            &format!("Scraping {host} is not supported: the site blocks automated access"),
        );
    }
    let content = format!(
        "# {host}\n\nThis is the offline Venice's copy of <{url}>: a stand-in page, since the offline Venice does not go on the network.\n\n## About\n\nSet VENICE_API_KEY to scrape the real page.\n"
    );
    Reply::json(
        200,
        &json!({"url": url, "content": content, "format": "markdown"}),
    )
    .with_cost(0.001)
}

pub(crate) fn search(body: &Value) -> Reply {
    let query = match super::required_text(body, "query", 400) {
        Ok(query) => query,
        Err(reply) => return reply,
    };
    let limit = match body.get("limit") {
        None | Some(Value::Null) => 10,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=20) => n,
            _ => {
                return Reply::invalid(
                    json!({"limit": {"_errors": ["Number must be between 1 and 20"]}}),
                );
            }
        },
    };
    match body.get("search_provider").and_then(Value::as_str) {
        None | Some("brave" | "google") => {}
        Some(other) => {
            return Reply::invalid(
                json!({"search_provider": {"_errors": [format!("Invalid enum value: {other}")]}}),
            );
        }
    }
    let slug: String = query
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let results: Vec<Value> = (1..=limit)
        .map(|i| {
            json!({
                "title": format!("{query} — result {i}"),
                "url": format!("https://example.com/{slug}/{i}"),
                "content": format!("Offline search result {i} for \"{query}\": what a real search would say about it."),
                "date": util::date(util::unix_now() - i64::try_from(i).unwrap_or(0) * 86_400),
            })
        })
        .collect();
    Reply::json(200, &json!({"query": query, "results": results})).with_cost(0.001)
}

pub(crate) fn parse_text(content_type: &str, body: &[u8]) -> Reply {
    let form = match Form::read(content_type, body) {
        Ok(form) => form,
        Err(reply) => return reply,
    };
    let Some(file) = form.part("file") else {
        return Reply::invalid(json!({"file": {"_errors": ["Required"]}}));
    };
    if file.is_empty() {
        return Reply::invalid(json!({"file": {"_errors": ["File is empty"]}}));
    }
    let format = match form.part("response_format").map(std::str::from_utf8) {
        None => "json",
        Some(Ok(f)) if matches!(f.trim(), "json" | "text") => f.trim(),
        Some(_) => {
            return Reply::invalid(
                json!({"response_format": {"_errors": ["Invalid enum value. Expected 'json' | 'text'"]}}),
            );
        }
    };
    let text = if file.starts_with(b"%PDF") {
        pdf_text(file)
    } else {
        match std::str::from_utf8(file) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                return Reply::error(
                    400,
                    "Unsupported file type (the offline Venice reads plain text and simple PDFs)",
                );
            }
        }
    };
    let reply = if format == "text" {
        Reply::new(200, "text/plain; charset=utf-8", text.into_bytes())
    } else {
        let tokens = util::tokens(&text);
        Reply::json(200, &json!({"text": text, "tokens": tokens}))
    };
    reply.with_cost(0.001)
}

/// The strings a PDF shows with `(…) Tj`, one per line (enough for simple,
/// uncompressed PDFs).
fn pdf_text(pdf: &[u8]) -> String {
    let source = String::from_utf8_lossy(pdf);
    let mut lines = Vec::new();
    let mut rest = source.as_ref();
    while let Some(open) = rest.find('(') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(')') else { break };
        if after[close + 1..].trim_start().starts_with("Tj") {
            lines.push(after[..close].to_owned());
        }
        rest = &after[close + 1..];
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_pdf_strings_are_read() {
        assert_eq!(
            host("https://www.Reddit.com/r/x").as_deref(),
            Some("www.reddit.com")
        );
        assert_eq!(host("ftp://example.com"), None);
        let pdf = b"%PDF-1.4\nBT /F1 12 Tf (Hello) Tj ET\nBT (World) Tj ET\n(not shown)";
        assert_eq!(pdf_text(pdf), "Hello\nWorld");
    }
}
