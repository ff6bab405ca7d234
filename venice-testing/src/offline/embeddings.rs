//! `POST /embeddings`: unit vectors that mean something — each word adds its
//! own fixed direction, so texts sharing words are close (cosine similarity)
//! and a text always gets the same vector — as numbers or base64.

use std::hash::{DefaultHasher, Hash, Hasher};

use base64::Engine as _;
use serde_json::{Value, json};

use super::{Reply, State};
use crate::util;

/// The embedding models the offline Venice has, with their vector length.
const MODELS: &[(&str, usize)] = &[
    ("text-embedding-bge-m3", 1024),
    ("text-embedding-bge-en-icl", 4096),
    ("text-embedding-qwen3-8b", 4096),
    ("text-embedding-qwen3-0-6b", 1024),
    ("text-embedding-multilingual-e5-large-instruct", 1024),
    ("text-embedding-3-small", 1536),
    ("text-embedding-3-large", 3072),
];

/// Most inputs per request, and most dimensions one may ask for.
const MAX_INPUTS: usize = 2048;

pub(crate) fn create(_state: &State, body: &Value) -> Reply {
    let Some(model_name) = body.get("model").and_then(Value::as_str) else {
        return Reply::invalid(json!({"model": {"_errors": ["Required"]}}));
    };
    let Some(&(model, native)) = MODELS.iter().find(|(id, _)| *id == model_name) else {
        let ids: Vec<&str> = MODELS.iter().map(|(id, _)| *id).collect();
        return Reply::error(
            404,
            &format!(
                "Specified model not found: {model_name} (the offline Venice has {})",
                ids.join(", ")
            ),
        );
    };
    let texts = match inputs(body.get("input")) {
        Ok(texts) => texts,
        Err(message) => return Reply::invalid(json!({"input": {"_errors": [message]}})),
    };
    let dimensions = match body.get("dimensions") {
        None | Some(Value::Null) => native,
        Some(d) => match d.as_u64().and_then(|d| usize::try_from(d).ok()) {
            Some(d) if d >= 1 && d <= native => d,
            _ => {
                return Reply::invalid(json!({"dimensions": {"_errors": [
                    format!("Number must be between 1 and {native} for {model}")
                ]}}));
            }
        },
    };
    let base64 = match body.get("encoding_format").and_then(Value::as_str) {
        None | Some("float") => false,
        Some("base64") => true,
        Some(_) => {
            return Reply::invalid(json!({"encoding_format": {"_errors": [
                "Invalid enum value. Expected 'float' | 'base64'"
            ]}}));
        }
    };
    let mut tokens = 0i64;
    let data: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            tokens = tokens.saturating_add(util::tokens(text));
            let vector = embed(text, dimensions);
            let embedding = if base64 {
                let bytes: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(vector)
            };
            json!({"embedding": embedding, "index": index, "object": "embedding"})
        })
        .collect();
    let mut reply = Reply::json(
        200,
        &json!({
            "data": data,
            "model": model,
            "object": "list",
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}
        }),
    );
    reply.tokens = u64::try_from(tokens).unwrap_or(0);
    // 0.15 USD per million tokens.
    reply.with_cost(tokens as f64 * 0.15e-6)
}

/// The texts to embed: a string, strings, or token ids (as their decimal text).
fn inputs(input: Option<&Value>) -> Result<Vec<String>, String> {
    let texts: Vec<String> = match input {
        None | Some(Value::Null) => return Err("Required".into()),
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => {
            if items.is_empty() {
                return Err("Array must contain at least 1 element(s)".into());
            }
            if items.len() > MAX_INPUTS {
                return Err(format!(
                    "Array must contain at most {MAX_INPUTS} element(s)"
                ));
            }
            items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.clone()),
                    Value::Number(n) if n.as_u64().is_some_and(|n| n >= 1) => Ok(n.to_string()),
                    Value::Array(ids) if !ids.is_empty() && ids.iter().all(Value::is_i64) => {
                        Ok(ids
                            .iter()
                            .map(Value::to_string)
                            .collect::<Vec<_>>()
                            .join(" "))
                    }
                    _ => Err("Expected a string, a token id or a list of token ids".to_owned()),
                })
                .collect::<Result<_, _>>()?
        }
        Some(_) => return Err("Expected string or array".into()),
    };
    if texts.iter().any(|t| t.is_empty()) {
        return Err("Input cannot be an empty string".into());
    }
    Ok(texts)
}

/// A unit vector of `dimensions` values: the sum of one pseudo-random
/// direction per (lowercased) word, normalized.
fn embed(text: &str, dimensions: usize) -> Vec<f32> {
    let mut vector = vec![0f32; dimensions];
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    for word in words {
        let mut hasher = DefaultHasher::new();
        word.to_lowercase().hash(&mut hasher);
        let seed = hasher.finish();
        for (i, slot) in vector.iter_mut().enumerate() {
            // A value in [-1, 1) from the word and the position.
            let bits = util::mix(seed, i as u64) >> 40;
            *slot += (bits as f32 / (1u64 << 23) as f32) - 1.0;
        }
    }
    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|v| *v /= norm);
    } else if let Some(first) = vector.first_mut() {
        // No word at all (punctuation only): still a unit vector.
        *first = 1.0;
    }
    vector
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn vectors_are_unit_length_and_similar_for_similar_texts() {
        let a = embed("The cat sat on the mat", 256);
        let b = embed("the cat sat on a mat", 256);
        let c = embed("Quarterly revenue grew by nine percent", 256);
        assert_eq!(a.len(), 256);
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-4);
        assert!(cosine(&a, &b) > 0.7, "{}", cosine(&a, &b));
        assert!(cosine(&a, &c).abs() < 0.35, "{}", cosine(&a, &c));
        assert_eq!(embed("?!", 4), vec![1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn inputs_take_every_shape_of_the_spec() {
        assert_eq!(inputs(Some(&json!("a"))).unwrap(), ["a"]);
        assert_eq!(inputs(Some(&json!(["a", "b"]))).unwrap(), ["a", "b"]);
        assert_eq!(inputs(Some(&json!([12, 7]))).unwrap(), ["12", "7"]);
        assert_eq!(inputs(Some(&json!([[1, 2], [3]]))).unwrap(), ["1 2", "3"]);
        for bad in [json!(""), json!([]), json!([""]), json!({}), json!([[]])] {
            assert!(inputs(Some(&bad)).is_err(), "{bad}");
        }
        assert!(inputs(None).is_err());
    }
}
