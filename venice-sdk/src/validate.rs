//! Checks a request body against the spec's value rules before it is sent.
//!
//! The rules (`minItems`, `maxLength`, `maximum`, …) come from the spec, through
//! the generated [`operations`](crate::operations) table; the generated types do not
//! enforce them.

use std::borrow::Cow;

use serde_json::Value;

use crate::Error;
use crate::operations::{Constraint, Rule};

/// Checks `body` against every constraint; the first violation is an
/// [`Error::InvalidRequest`] naming the field (`messages`, `messages[2].content`).
///
/// Nothing is allocated on the success path but the indices of `*` steps.
pub(crate) fn check(body: &Value, constraints: &[Constraint]) -> Result<(), Error> {
    for c in constraints {
        let mut indices = Vec::new();
        check_at(body, c.pointer.trim_start_matches('/'), &mut indices, c)?;
    }
    Ok(())
}

fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

fn check_at(
    value: &Value,
    rest: &str,
    indices: &mut Vec<usize>,
    c: &Constraint,
) -> Result<(), Error> {
    if rest.is_empty() {
        return match violation(value, &c.rule) {
            None => Ok(()),
            Some(message) => Err(Error::invalid(field_name(c.pointer, indices), message)),
        };
    }
    let (token, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if token == "*" {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                indices.push(i);
                check_at(item, tail, indices, c)?;
                indices.pop();
            }
        }
        return Ok(());
    }
    match value.get(unescape(token).as_ref()) {
        // Absent or null optional values have nothing to check.
        None | Some(Value::Null) => Ok(()),
        Some(child) => check_at(child, tail, indices, c),
    }
}

/// `/messages/*/content` with indices `[2]` → `messages[2].content`.
fn field_name(pointer: &str, indices: &[usize]) -> String {
    let mut out = String::new();
    let mut next_index = indices.iter();
    for token in pointer.split('/').skip(1) {
        if token == "*" {
            if let Some(i) = next_index.next() {
                out.push_str(&format!("[{i}]"));
            }
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&unescape(token));
        }
    }
    if out.is_empty() {
        "body".to_owned()
    } else {
        out
    }
}

/// What is wrong with `value` under `rule`, if anything.
fn violation(value: &Value, rule: &Rule) -> Option<String> {
    match (rule, value) {
        (Rule::MinItems(n), Value::Array(a)) if (a.len() as u64) < *n => Some(format!(
            "must have at least {n} item{} (has {})",
            plural(*n),
            a.len()
        )),
        (Rule::MaxItems(n), Value::Array(a)) if (a.len() as u64) > *n => Some(format!(
            "must have at most {n} item{} (has {})",
            plural(*n),
            a.len()
        )),
        (Rule::MinLength(n), Value::String(s)) if (s.chars().count() as u64) < *n => Some(format!(
            "must be at least {n} character{} long (is {})",
            plural(*n),
            s.chars().count()
        )),
        (Rule::MaxLength(n), Value::String(s)) if (s.chars().count() as u64) > *n => Some(format!(
            "must be at most {n} character{} long (is {})",
            plural(*n),
            s.chars().count()
        )),
        (
            Rule::Minimum {
                value: min,
                exclusive,
            },
            Value::Number(x),
        ) => match x.as_f64() {
            Some(x) if (*exclusive && x <= *min) || x < *min => Some(format!(
                "must be {} {min} (is {x})",
                if *exclusive {
                    "greater than"
                } else {
                    "at least"
                }
            )),
            _ => None,
        },
        (
            Rule::Maximum {
                value: max,
                exclusive,
            },
            Value::Number(x),
        ) => match x.as_f64() {
            Some(x) if (*exclusive && x >= *max) || x > *max => Some(format!(
                "must be {} {max} (is {x})",
                if *exclusive { "less than" } else { "at most" }
            )),
            _ => None,
        },
        _ => None,
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const RULES: &[Constraint] = &[
        Constraint {
            pointer: "/messages",
            rule: Rule::MinItems(1),
        },
        Constraint {
            pointer: "/messages/*/content",
            rule: Rule::MaxLength(5),
        },
        Constraint {
            pointer: "/width",
            rule: Rule::Minimum {
                value: 0.0,
                exclusive: true,
            },
        },
        Constraint {
            pointer: "/width",
            rule: Rule::Maximum {
                value: 1280.0,
                exclusive: false,
            },
        },
    ];

    fn field_of(body: Value) -> Option<(String, String)> {
        match check(&body, RULES) {
            Ok(()) => None,
            Err(Error::InvalidRequest { field, message }) => Some((field, message)),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn violations_name_the_field() {
        assert_eq!(
            field_of(json!({"messages": []})),
            Some((
                "messages".into(),
                "must have at least 1 item (has 0)".into()
            ))
        );
        assert_eq!(
            field_of(json!({"messages": [{"content": "ok"}, {"content": "too long"}]})),
            Some((
                "messages[1].content".into(),
                "must be at most 5 characters long (is 8)".into()
            ))
        );
        assert_eq!(
            field_of(json!({"messages": [{}], "width": 2048})),
            Some(("width".into(), "must be at most 1280 (is 2048)".into()))
        );
        assert_eq!(
            field_of(json!({"messages": [{}], "width": 0})),
            Some(("width".into(), "must be greater than 0 (is 0)".into()))
        );
    }

    #[test]
    fn valid_absent_and_null_values_pass() {
        assert_eq!(
            field_of(json!({"messages": [{"content": "hi"}], "width": 1280})),
            None
        );
        assert_eq!(
            field_of(json!({"messages": [{"content": null}], "width": null})),
            None
        );
        // Array content parts are not strings: the string rule does not apply.
        assert_eq!(
            field_of(json!({"messages": [{"content": [{"type": "text"}]}]})),
            None
        );
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        assert_eq!(field_of(json!({"messages": [{"content": "ééééé"}]})), None);
    }
}
