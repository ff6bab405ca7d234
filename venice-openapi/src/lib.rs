//! Loads the Venice OpenAPI document and normalizes the shapes that the code
//! generator (progenitor and typify) cannot handle.
//!
//! The document is parsed with YAML 1.2 semantics (`on`/`off` stay strings), its key
//! order is kept, and then a list of named [passes](PASSES) rewrites it. Each pass
//! fixes one *shape* of schema or operation, never one named place of one file, so the
//! same pipeline runs on the newer specs Venice publishes. The result is an
//! [`openapiv3::OpenAPI`] plus a [`Report`] saying what each pass changed and which
//! operations the hand-written SDK layer must wrap.
//!
//! ```
//! let yaml = r#"
//! openapi: 3.0.0
//! info: { title: t, version: "1" }
//! paths:
//!   /image/styles:
//!     get:
//!       responses:
//!         "200": { description: OK }
//! "#;
//! let normalized = venice_openapi::normalize_str(yaml).unwrap();
//! let op = normalized.spec.paths.paths["/image/styles"].as_item().unwrap().get.as_ref().unwrap();
//! assert_eq!(op.operation_id.as_deref(), Some("listImageStyles"));
//! ```

pub mod dupkeys;
pub mod facts;
pub mod passes;
pub mod walk;

use std::fmt;

use serde_json::Value;

pub use passes::{PASSES, Pass};
/// How an operation authenticates: the SDK's own type (`venice_sdk::operations::Auth`),
/// read here from the security requirements ([`passes::auth_mode`]).
pub use venice_operation::Auth;

/// Why a document could not be loaded or normalized.
///
/// Every variant names the place in the document it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not valid YAML (or JSON).
    #[error("the spec is not valid YAML: {0}")]
    Yaml(String),
    /// The document parsed, but a part of it has a shape OpenAPI 3.0 does not allow.
    #[error("the spec is not a valid OpenAPI 3.0 document at `{path}`: {message}")]
    Invalid {
        /// Where in the document, as a dotted path (`paths./models.get.responses`).
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// A normalization pass met a construct it cannot repair.
    #[error("pass `{pass}` cannot handle {location}: {message}")]
    Unsupported {
        /// The pass that gave up.
        pass: &'static str,
        /// The operation, path or schema concerned.
        location: String,
        /// What is wrong and what would fix it.
        message: String,
    },
}

/// Why the hand-written SDK layer must provide an operation itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WrapReason {
    /// The request body is `multipart/form-data` (or another non-JSON form): the
    /// operation is left out of the generated client and its body schema is kept as
    /// the named component type.
    MultipartBody {
        /// The component schema that describes the form fields.
        schema: String,
    },
    /// A success response can be JSON or binary: the generated client decodes only
    /// the JSON form; a wrapper must handle the binary media types listed.
    BinaryResponse {
        /// The non-JSON media types the response may carry.
        media_types: Vec<String>,
    },
}

/// What the generated code and the SDK need to know about one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationInfo {
    /// The operation id after normalization.
    pub operation_id: String,
    /// The operation id in the source document (`None` when it had none).
    pub original_id: Option<String>,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// How the operation authenticates, from its (or the document's) `security`
    /// ([`Auth::sends_key`] tells whether the API key is sent).
    pub auth: Auth,
    /// Whether the operation declares an `Idempotency-Key` header parameter.
    pub idempotency_key: bool,
    /// Whether the operation is in the generated client.
    pub generated: bool,
    /// Why a hand-written wrapper is needed, if it is.
    pub wrap: Vec<WrapReason>,
}

/// What one pass changed.
#[derive(Clone, Debug, Default)]
pub struct PassReport {
    /// The pass name.
    pub name: &'static str,
    /// One line for each change, naming where it was made.
    pub changes: Vec<String>,
}

/// What the whole pipeline changed, pass by pass, and the operations it saw.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One entry for each pass, in the order they ran.
    pub passes: Vec<PassReport>,
    /// Every operation of the document, in document order.
    pub operations: Vec<OperationInfo>,
    /// Problems of the source text that were repaired while loading it (a repeated
    /// mapping key, say), each naming the place.
    pub warnings: Vec<String>,
}

impl Report {
    /// The total number of changes made by all passes.
    pub fn change_count(&self) -> usize {
        self.passes.iter().map(|p| p.changes.len()).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        for pass in &self.passes {
            writeln!(f, "{} ({} changes)", pass.name, pass.changes.len())?;
            for change in &pass.changes {
                writeln!(f, "  - {change}")?;
            }
        }
        let wrapped: Vec<_> = self
            .operations
            .iter()
            .filter(|o| !o.wrap.is_empty())
            .collect();
        if !wrapped.is_empty() {
            writeln!(f, "operations for hand-written wrappers:")?;
            for op in wrapped {
                let generated = if op.generated {
                    "generated, "
                } else {
                    "not generated, "
                };
                writeln!(
                    f,
                    "  - {} ({} {}): {generated}{:?}",
                    op.operation_id, op.method, op.path, op.wrap
                )?;
            }
        }
        Ok(())
    }
}

/// A normalized document ready for the generator.
#[derive(Clone, Debug)]
pub struct Normalized {
    /// The typed document.
    pub spec: openapiv3::OpenAPI,
    /// The same document as JSON, key order kept.
    pub document: Value,
    /// What the passes changed.
    pub report: Report,
}

/// Parses YAML (1.2 semantics; JSON is YAML too) into a JSON value, keeping key order.
///
/// Mapping keys that are not strings (an unquoted `200:` response code) become
/// strings; anchors and merge keys are resolved.
pub fn load_yaml(text: &str) -> Result<Value, Error> {
    load_yaml_with_warnings(text).map(|(value, _)| value)
}

/// [`load_yaml`], also returning what was repaired: a mapping that repeats a key
/// (which YAML forbids) keeps the last value, as common YAML tools do, with a
/// warning naming the key and its lines.
pub fn load_yaml_with_warnings(text: &str) -> Result<(Value, Vec<String>), Error> {
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
        Ok(mut yaml) => {
            yaml.apply_merge().map_err(|e| Error::Yaml(e.to_string()))?;
            Ok((yaml_to_json(yaml, "")?, Vec::new()))
        }
        Err(e) if e.to_string().contains("duplicate entry") => {
            dupkeys::load_last_wins(text).map_err(Error::Yaml)
        }
        Err(e) => Err(Error::Yaml(e.to_string())),
    }
}

fn yaml_to_json(value: serde_yaml_ng::Value, at: &str) -> Result<Value, Error> {
    use serde_yaml_ng::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| Error::Invalid {
                        path: at.to_owned(),
                        message: format!("number {n} has no JSON form"),
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(
            seq.into_iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::Invalid {
                            path: at.to_owned(),
                            message: format!("mapping key {other:?} is not a scalar"),
                        });
                    }
                };
                let child = yaml_to_json(v, &join_path(at, &key))?;
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

fn join_path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

/// Loads and normalizes a spec given as YAML or JSON text.
pub fn normalize_str(text: &str) -> Result<Normalized, Error> {
    let (document, warnings) = load_yaml_with_warnings(text)?;
    let mut normalized = normalize(document)?;
    normalized.report.warnings = warnings;
    Ok(normalized)
}

/// Runs every pass of [`PASSES`] on `document`, then parses it as OpenAPI 3.0.
pub fn normalize(mut document: Value) -> Result<Normalized, Error> {
    if !document.is_object() {
        return Err(Error::Invalid {
            path: String::new(),
            message: "the document is not a mapping".into(),
        });
    }
    let mut report = Report::default();
    let mut ctx = passes::Context::default();
    for pass in PASSES {
        let mut changes = Vec::new();
        (pass.run)(&mut document, &mut ctx, &mut changes)?;
        report.passes.push(PassReport {
            name: pass.name,
            changes,
        });
    }
    report.operations = ctx.into_operations(&document);
    let spec = parse_openapi(&document)?;
    Ok(Normalized {
        spec,
        document,
        report,
    })
}

/// Parses a JSON document as OpenAPI 3.0, naming the place of the first error.
pub fn parse_openapi(document: &Value) -> Result<openapiv3::OpenAPI, Error> {
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(document, &mut track);
    serde::Deserialize::deserialize(de).map_err(|e: serde_json::Error| Error::Invalid {
        path: track.path().to_string(),
        message: e.to_string(),
    })
}
