//! Decoding JSON the server sent: within a memory budget, and leniently where
//! the answer lacks what the spec calls required.
//!
//! **Memory.** The response size cap bounds the *bytes* of an answer, not what
//! decoding them costs: a JSON array of small numbers decodes into a
//! `serde_json::Value` at ~70 bytes of heap per 2 bytes of input (and serde's
//! buffering of untagged enums costs the same), so a hostile 16 MB answer could
//! take gigabytes. [`from_slice`] decodes through the SDK's own
//! [`serde::Deserializer`] (`decode`, over the JSON reader of `read`) that
//! charges what each decoded piece will occupy — every element
//! of a sequence and every entry of a map at twice the size of the Rust value
//! it is read into (a `Vec` doubles its capacity as it grows; the size is told
//! by what the value asks the decoder for: exact for numbers, text, lists,
//! maps and untyped JSON, 8 bytes a field for a struct), every string at its
//! length — and stops the decode with [`Failure::OverBudget`] once the charges pass the
//! budget: [`DECODE_BUDGET_FACTOR`] times the input, and never less than
//! [`DECODE_BUDGET_FLOOR`]. Fields of a typed struct live inside the struct, so
//! they are not charged again; nothing is charged for skipped values. So the
//! heap a decode holds is at most about the budget, and an answer at the size
//! cap costs at most the body plus twice the body.
//!
//! **Leniency.** Real answers sometimes lack a field the spec calls required,
//! or send it as `null`. When the strict decode fails, the answer is decoded
//! again with every such field of a struct read as the natural default of its
//! type: `""`, `0`, `false`, an empty list or map, a struct of defaults, `None`,
//! `{}` for untyped JSON (which a union's `Unknown` member takes). The decoder
//! knows which fields a struct has (serde names them) and which ones the
//! answer had, and hands the missing ones over once the answer's own fields
//! end; a field's `null` is seen at the reader before its type reads it. An
//! enum has no natural default: a missing one is still an error. A value of the wrong type (a string where an object must be) is an
//! error either way. Typed fields stay as they are generated (`id: String`, not
//! `Option<String>`), so everyday access stays as convenient as it was: an
//! absent id reads as `""`, absent counts as `0`, absent lists as empty.
//!
//! **Where it failed.** A failed decode names the JSON path of the value it
//! failed at (`data[1].usage.total`), which the decoder notes as the error
//! travels out (nothing is noted while a decode succeeds), and the position
//! (line and column) in the input.
//!
//! **Build time.** Every typed value read through the decoder meets one
//! deserializer, map, list and enum type, with serde_json's error type, so
//! each type's decoding is compiled once for it (see `decode`). Small answers,
//! the common case, are read by serde_json itself first (the second and last
//! instantiation of each type).

mod decode;
mod read;

use std::fmt;

use serde::de::DeserializeOwned;

use decode::Decoder;

/// How many times the size of its input a decode may charge.
pub(crate) const DECODE_BUDGET_FACTOR: usize = 2;

/// The budget of a small input: a decode may always charge this much.
pub(crate) const DECODE_BUDGET_FLOOR: usize = 8 << 20;

/// Inputs up to this size are decoded strictly by serde_json itself, without
/// the adapter: no JSON of 64 KiB decodes into more than a few MiB (the worst
/// shapes cost ~40 bytes of heap per byte), well inside the budget's floor, and
/// the answers and stream chunks of every call are this small. The lenient
/// read, when needed, goes through the adapter as for larger inputs.
const PLAIN_DECODE_LIMIT: usize = 64 * 1024;

/// Why a decode failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input is not JSON of the expected shape.
    Json {
        /// What the decoder said.
        error: serde_json::Error,
        /// Where in the JSON, as `data[3].model_spec.pricing` (`None` for the
        /// top level, or when it could not be told).
        path: Option<String>,
    },
    /// Decoding would have taken more heap than `limit` bytes.
    OverBudget {
        /// The budget, in bytes.
        limit: usize,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Json {
                error,
                path: Some(path),
            } => write!(f, "at `{path}`: {error}"),
            Failure::Json { error, path: None } => error.fmt(f),
            Failure::OverBudget { limit } => write!(
                f,
                "decoding the answer would take more than {} MiB of memory \
                 ({DECODE_BUDGET_FACTOR}x its size); no legitimate answer needs that, \
                 so it was refused",
                limit >> 20
            ),
        }
    }
}

/// The budget of an input of `len` bytes.
pub(crate) fn budget_for(len: usize) -> usize {
    len.saturating_mul(DECODE_BUDGET_FACTOR)
        .max(DECODE_BUDGET_FLOOR)
}

/// Decodes `json` into `T` the way the SDK decodes Venice's answers: a field
/// the spec calls required but the answer lacks (or sends as `null`) reads as
/// its type's natural default (`""`, `0`, `false`, empty), unknown fields are
/// skipped, and decoding may take at most twice the input's size in memory
/// (8 MiB for small inputs). Useful for answers you stored, or got through
/// another client.
///
/// A value of the wrong type is an [`Error::Decode`](crate::Error::Decode)
/// naming its JSON path.
///
/// ```
/// use venice_sdk::types::ListModelsResponse;
///
/// // The spec requires `object` and `type`; an answer without them decodes.
/// let list: ListModelsResponse = venice_sdk::from_json(br#"{"data": []}"#)?;
/// assert!(list.data.is_empty());
/// assert_eq!(list.object, "");
///
/// let error = venice_sdk::from_json::<ListModelsResponse>(br#"{"data": 5}"#).unwrap_err();
/// assert!(error.to_string().contains("at `data`"));
/// # Ok::<(), venice_sdk::Error>(())
/// ```
pub fn from_json<T: DeserializeOwned>(json: &[u8]) -> Result<T, crate::Error> {
    from_slice(json).map_err(|failure| {
        crate::error::DecodeError::error(
            "from_json",
            reqwest::StatusCode::OK,
            &reqwest::header::HeaderMap::new(),
            failure.to_string(),
            Some(json),
            &crate::secret::Redactor::default(),
        )
    })
}

/// Reading what the typed body of a [`Response`](crate::Response) does not
/// carry, from the answer kept beside it.
impl<T> crate::Response<T> {
    /// The value at the JSON pointer `pointer` of the answer (RFC 6901:
    /// `"/cost/usd"`, `"/choices/0/message/thought_signature"`; `""` for the
    /// whole answer), decoded into `U` — a `serde_json::Value`, or any type of
    /// yours. `Ok(None)` when the answer has nothing there, or was not kept
    /// (see [`json`](Self::json)).
    ///
    /// Nothing is parsed until asked, and only the path is walked: the values
    /// beside it are skipped without being built. A value that does not fit
    /// `U` is an [`Error::Decode`](crate::Error::Decode) naming the pointer.
    ///
    /// ```
    /// # async fn run(client: venice_sdk::Client) -> Result<(), venice_sdk::Error> {
    /// # use venice_sdk::{Message, types::ChatCompletionRequest};
    /// # let request = ChatCompletionRequest::new("venice-uncensored", [Message::user("Hi")]);
    /// let completion = client.chat().create(request).await?;
    /// let cost: Option<serde_json::Value> = completion.json_at("/cost")?;
    /// # Ok(()) }
    /// ```
    pub fn json_at<U: serde::de::DeserializeOwned>(
        &self,
        pointer: &str,
    ) -> Result<Option<U>, crate::Error> {
        let Some(json) = self.json() else {
            return Ok(None);
        };
        at(json, pointer).map_err(|failure| {
            crate::error::DecodeError::error(
                "Response::json_at",
                self.meta().status,
                &self.meta().headers,
                failure.to_string(),
                None,
                &crate::secret::Redactor::default(),
            )
        })
    }
}

/// Decodes `bytes` into `T` within the budget of its length.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    decode(bytes)
}

/// Decodes `text` into `T` within the budget of its length.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Failure> {
    // Text known to be UTF-8 is read without checking it again.
    if text.len() <= PLAIN_DECODE_LIMIT
        && let Ok(value) = serde_json::from_str(text)
    {
        return Ok(value);
    }
    decode(text.as_bytes())
}

/// Decodes strictly first (the common case costs no more than that), and
/// only when that fails, again with missing and `null` required fields read
/// as their defaults: a hand-written type's own defaults and aliases are
/// then never second-guessed while the answer fits it.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    let strict = if bytes.len() <= PLAIN_DECODE_LIMIT {
        serde_json::from_slice(bytes).map_err(|error| Failure::Json { error, path: None })
    } else {
        pass(bytes, false)
    };
    match strict {
        Err(Failure::Json { .. }) => pass(bytes, true),
        done => done,
    }
}

/// Where in the input `error` happened, as `line L column C`, without any of
/// what the error quotes (for answers that carry a secret). The decoder's
/// errors carry serde_json's position in their message only: it is read
/// from there.
pub(crate) fn position(error: &serde_json::Error) -> String {
    if error.line() > 0 {
        return format!("line {} column {}", error.line(), error.column());
    }
    let message = error.to_string();
    let numbers = message.rsplit_once(" at line ").and_then(|(_, tail)| {
        let (line, column) = tail.split_once(" column ")?;
        Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
    });
    match numbers {
        Some((line, column)) => format!("line {line} column {column}"),
        None => "an unknown position".to_owned(),
    }
}

/// One decode of `bytes` into `T` through the bounded decoder, strictly or
/// leniently; a failure names its JSON path.
fn pass<T: DeserializeOwned>(bytes: &[u8], lenient: bool) -> Result<T, Failure> {
    let limit = budget_for(bytes.len());
    let mut decoder = Decoder::new(bytes, limit, lenient);
    match decoder.decode() {
        Ok(value) => Ok(value),
        Err(_) if decoder.over_budget() => Err(Failure::OverBudget { limit }),
        Err(error) => Err(Failure::Json {
            error,
            path: decoder.path(),
        }),
    }
}

/// Reads `raw` (JSON text a model wrote: tool arguments, a structured answer)
/// into `T` strictly: [`ParseErrorKind::NotJson`](crate::ParseErrorKind::NotJson)
/// or [`ParseErrorKind::Mismatch`](crate::ParseErrorKind::Mismatch) (with the
/// JSON path) when it cannot.
pub(crate) fn parse<T: DeserializeOwned>(what: &str, raw: &str) -> Result<T, crate::Error> {
    use crate::error::{ParseError, ParseErrorKind};
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(raw) {
        return Err(ParseError::error(
            ParseErrorKind::NotJson,
            what,
            e.to_string(),
            raw,
        ));
    }
    pass::<T>(raw.as_bytes(), false).map_err(|failure| match failure {
        Failure::Json { error, path } => ParseError::mismatch(what, path, error.to_string(), raw),
        over @ Failure::OverBudget { .. } => {
            ParseError::mismatch(what, None, over.to_string(), raw)
        }
    })
}

/// The value at the JSON pointer `pointer` (RFC 6901: `/choices/0/cost`; `""`
/// is the whole document) in `bytes`, decoded into `U`; `None` when nothing is
/// there. Only the path is walked: every value beside it is skipped without
/// being built, and what is decoded is held to the budget and read leniently.
pub(crate) fn at<U: DeserializeOwned>(bytes: &[u8], pointer: &str) -> Result<Option<U>, Failure> {
    let tokens: Vec<String> = match pointer {
        "" => Vec::new(),
        p => match p.strip_prefix('/') {
            Some(rest) => rest
                .split('/')
                .map(|t| t.replace("~1", "/").replace("~0", "~"))
                .collect(),
            None => return Ok(None),
        },
    };
    let limit = budget_for(bytes.len());
    let mut decoder = Decoder::new(bytes, limit, true);
    match decoder.at(&tokens) {
        Ok(value) => Ok(value),
        Err(_) if decoder.over_budget() => Err(Failure::OverBudget { limit }),
        Err(error) => Err(Failure::Json {
            error,
            path: (!pointer.is_empty()).then(|| pointer.to_owned()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de;
    use serde_json::Value;

    /// `[0,0,…]` of `n` zeros.
    fn zeros(n: usize) -> String {
        let mut s = String::with_capacity(n * 2 + 2);
        s.push('[');
        for i in 0..n {
            if i > 0 {
                s.push(',');
            }
            s.push('0');
        }
        s.push(']');
        s
    }

    #[test]
    fn typed_and_untyped_values_decode_as_serde_json_does() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Item {
            name: String,
            tags: Vec<String>,
            extra: Option<Value>,
            #[serde(default)]
            kind: Option<Kind>,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(rename_all = "lowercase")]
        enum Kind {
            A,
            B(u8),
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Items(Vec<Item>),
        }
        let text = r#"[{"name":"x","tags":["a","b"],"extra":{"k":[1,2.5,null,true]},"kind":"a","new":1},
                       {"name":"y","tags":[],"extra":null,"kind":{"b":7}}]"#;
        let ours: Either = from_str(text).unwrap();
        let theirs: Either = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        let value: Value = from_slice(text.as_bytes()).unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
        assert!(matches!(
            from_str::<Vec<u8>>("[1,"),
            Err(Failure::Json { .. })
        ));
        assert!(matches!(
            from_str::<Vec<u8>>("[1] x"),
            Err(Failure::Json { .. })
        ));
    }

    #[test]
    fn an_array_of_numbers_in_a_value_is_refused_past_the_budget() {
        // 4 Mi elements: 8 MiB of input, 128+ MiB as `Value`s.
        let text = zeros(4 << 20);
        match from_str::<Value>(&text) {
            Err(Failure::OverBudget { limit }) => assert_eq!(limit, budget_for(text.len())),
            other => panic!(
                "expected the budget to stop it, got {:?}",
                other.map(|_| ())
            ),
        }
        // The same input as numbers the type stores in 1 byte each fits.
        let typed: Vec<u8> = from_str(&text).unwrap();
        assert_eq!(typed.len(), 4 << 20);
    }

    #[test]
    fn a_list_item_is_charged_at_what_it_is_read_into() {
        // `{}` is 3 bytes; read into a struct of four fields it is charged
        // 2 x 32 bytes: 1 Mi of them (3 MiB) would be charged 64 MiB.
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Four {
            #[serde(default)]
            a: u64,
            #[serde(default)]
            b: u64,
            #[serde(default)]
            c: u64,
            #[serde(default)]
            d: u64,
        }
        let text = format!("[{}{{}}]", "{},".repeat((1 << 20) - 1));
        let limit = budget_for(text.len());
        assert!(matches!(
            from_str::<Vec<Four>>(&text),
            Err(Failure::OverBudget { limit: l }) if l == limit
        ));
        // The same count of small numbers is charged 2 bytes each: it fits.
        let bytes = format!("[{}0]", "0,".repeat((1 << 20) - 1));
        assert_eq!(
            from_str::<Vec<u8>>(&bytes).map(|v| v.len()).ok(),
            Some(1 << 20)
        );
        // And a shorter list of the structs decodes.
        let few: Vec<Four> = from_str(&format!("[{}{{}}]", "{},".repeat(30_000))).unwrap();
        assert_eq!(few.len(), 30_001);
    }

    #[derive(serde::Deserialize, Debug, PartialEq, Default)]
    struct Usage {
        prompt_tokens: u32,
        total: f64,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Completion {
        id: String,
        #[serde(rename = "objectType")]
        object: String,
        created: i64,
        ok: bool,
        choices: Vec<String>,
        usage: Usage,
        note: Option<String>,
        extra: Value,
    }

    #[test]
    fn a_missing_or_null_required_field_reads_as_its_default() {
        let empty = Completion {
            id: String::new(),
            object: String::new(),
            created: 0,
            ok: false,
            choices: Vec::new(),
            usage: Usage::default(),
            note: None,
            // Untyped JSON: an absent value reads as `{}`, a `null` stays one.
            extra: serde_json::json!({}),
        };
        assert_eq!(from_str::<Completion>("{}").unwrap(), empty);
        let nulls = r#"{"id":null,"objectType":null,"created":null,"ok":null,"choices":null,
                        "usage":null,"note":null,"extra":null}"#;
        let with_nulls = from_str::<Completion>(nulls).unwrap();
        assert_eq!(with_nulls.extra, Value::Null);
        assert_eq!(
            Completion {
                extra: serde_json::json!({}),
                ..with_nulls
            },
            empty
        );
        // Inside a nested struct too, and present fields are kept.
        let some = r#"{"id":"c1","objectType":"chat","usage":{"total":2.5},"unknown":[1]}"#;
        let decoded = from_str::<Completion>(some).unwrap();
        assert_eq!(decoded.id, "c1");
        assert_eq!(decoded.object, "chat");
        assert_eq!(
            decoded.usage,
            Usage {
                prompt_tokens: 0,
                total: 2.5
            }
        );
        // Plain serde_json refuses all three.
        assert!(serde_json::from_str::<Completion>("{}").is_err());
        assert!(serde_json::from_str::<Completion>(nulls).is_err());
        assert!(serde_json::from_str::<Completion>(some).is_err());
    }

    #[test]
    fn a_wrong_value_is_still_an_error_and_an_enum_has_no_default() {
        assert!(matches!(
            from_str::<Completion>(r#"{"id": 5}"#),
            Err(Failure::Json { .. })
        ));
        assert!(matches!(
            from_str::<Completion>(r#"{"usage": "x"}"#),
            Err(Failure::Json { .. })
        ));
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Tagged {
            kind: Kind,
        }
        #[derive(serde::Deserialize, Debug)]
        enum Kind {
            A,
        }
        let error = from_str::<Tagged>("{}").unwrap_err().to_string();
        assert!(error.contains("Kind"), "{error}");
    }

    #[test]
    fn a_decode_error_names_the_json_path_of_the_offending_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct List {
            data: Vec<Completion>,
        }
        let text = r#"{"data": [{"id": "a"}, {"id": "b", "usage": {"total": "many"}}]}"#;
        let error = from_str::<List>(text).unwrap_err();
        let Failure::Json { path, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(path.as_deref(), Some("data[1].usage.total"));
        assert!(
            error
                .to_string()
                .starts_with("at `data[1].usage.total`: invalid type"),
            "{error}"
        );
    }

    #[test]
    fn a_value_is_found_by_its_json_pointer_without_building_the_rest() {
        let text = r#"{"choices": [{"cost": {"usd": 0.5}}, {"a/b": {"~x": [7, 8]}}],
                       "big": [1, 2, 3], "cost": {"usd": 1.25, "diem": 2}}"#;
        let usd: Option<f64> = at(text.as_bytes(), "/cost/usd").unwrap();
        assert_eq!(usd, Some(1.25));
        let first: Option<Value> = at(text.as_bytes(), "/choices/0/cost").unwrap();
        assert_eq!(first, Some(serde_json::json!({"usd": 0.5})));
        let escaped: Option<u8> = at(text.as_bytes(), "/choices/1/a~1b/~0x/1").unwrap();
        assert_eq!(escaped, Some(8));
        let whole: Option<Value> = at(text.as_bytes(), "").unwrap();
        assert_eq!(
            whole.map(|v| v["big"][2].clone()),
            Some(serde_json::json!(3))
        );
        for absent in [
            "/nope",
            "/choices/2",
            "/choices/01",
            "/big/0/x",
            "cost",
            "/cost/usd/x",
        ] {
            assert_eq!(
                at::<Value>(text.as_bytes(), absent).unwrap(),
                None,
                "{absent}"
            );
        }
        let wrong = at::<u8>(text.as_bytes(), "/cost/usd").unwrap_err();
        assert!(wrong.to_string().contains("/cost/usd"), "{wrong}");
    }

    #[test]
    fn the_position_of_a_failure_is_told_without_what_it_quotes() {
        let text = br#"{"prompt_tokens": "sk-secret-value", "total": 1}"#;
        let direct = serde_json::from_slice::<Usage>(text).unwrap_err();
        let Err(Failure::Json { error, .. }) = from_slice::<Usage>(text) else {
            panic!("a string is no count");
        };
        let at = position(&error);
        assert_eq!(
            at,
            format!("line {} column {}", direct.line(), direct.column())
        );
        assert!(!at.contains("sk-secret"));
        let custom: serde_json::Error = de::Error::custom("no position here");
        assert_eq!(position(&custom), "an unknown position");
    }

    #[test]
    fn the_budget_is_twice_the_input_with_a_floor() {
        assert_eq!(budget_for(10), DECODE_BUDGET_FLOOR);
        assert_eq!(budget_for(64 << 20), 128 << 20);
        assert_eq!(budget_for(usize::MAX), usize::MAX);
    }
}
