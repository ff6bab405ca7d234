//! Checks a request against the spec's value rules before it is sent.
//!
//! The rules (`minItems`, `maxLength`, `maximum`, …) come from the spec, through
//! the generated [`operations`](crate::operations) table; the generated types do not
//! enforce them. They are checked on the typed request itself: a [`serde::Serializer`]
//! that produces nothing walks the value as it would be sent (field names as on the
//! wire, absent options skipped) and compares each value whose path a rule names.
//! Nothing is serialized to bytes or parsed back.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

use venice_operation::{Constraint, Operation, Rule};

use crate::Error;

/// What the SDK adds to an [`Operation`]: checking a request body against the
/// operation's value rules. (`Operation` is venice-operation's type, so the SDK's
/// methods on it come with this trait; import it to call them.)
///
/// ```
/// use venice_sdk::operations::{self, OperationExt as _};
/// use venice_sdk::types::ChatCompletionRequest;
///
/// let empty = ChatCompletionRequest::new("llama-3.3-70b", []);
/// assert!(operations::CREATE_CHAT_COMPLETION.check(&empty).is_err());
/// ```
pub trait OperationExt: sealed::Sealed {
    /// Checks a request body against the operation's value rules from the spec
    /// (`minItems`, `maxLength`, `maximum`, …), as every call does before
    /// sending: the first violation is an [`Error::InvalidRequest`] naming the
    /// field (`messages[2].content`).
    ///
    /// The walk is over the typed value (nothing is serialized). Useful to check
    /// user input without sending anything:
    ///
    /// ```
    /// use venice_sdk::operations::{self, OperationExt as _};
    /// use venice_sdk::types::ChatCompletionRequest;
    ///
    /// let empty = ChatCompletionRequest::new("llama-3.3-70b", []);
    /// let error = operations::CREATE_CHAT_COMPLETION.check(&empty).unwrap_err();
    /// assert!(error.to_string().contains("messages"));
    /// ```
    fn check<T: Serialize + ?Sized>(&self, body: &T) -> Result<(), Error>;
}

impl OperationExt for Operation {
    fn check<T: Serialize + ?Sized>(&self, body: &T) -> Result<(), Error> {
        check(body, self.constraints)
    }
}

/// Keeps [`OperationExt`] to [`Operation`]: methods can be added to it later.
mod sealed {
    pub trait Sealed {}
    impl Sealed for venice_operation::Operation {}
}

/// Checks `value` (as it would be serialized) against every constraint; the first
/// violation, in document order, is an [`Error::InvalidRequest`] naming the field
/// (`messages`, `messages[2].content`).
pub(crate) fn check<T: Serialize + ?Sized>(
    value: &T,
    constraints: &[Constraint],
) -> Result<(), Error> {
    if constraints.is_empty() {
        return Ok(());
    }
    let mut walker = Walker {
        constraints,
        path: Vec::new(),
    };
    match value.serialize(&mut walker) {
        Ok(()) => Ok(()),
        Err(Stop::Violation(error)) => Err(error),
        // The type refused to serialize: sending it would fail the same way, with
        // the serializer's own message.
        Err(Stop::Custom(message)) => Err(Error::invalid("body", message)),
    }
}

/// One step of the path to the value being visited.
#[derive(Clone, Debug)]
enum Step {
    /// A field (`&'static` for struct fields: no allocation) or a map key.
    Key(std::borrow::Cow<'static, str>),
    Index(usize),
}

/// Whether a pointer token (unescaped; `*` for any array item) names this step.
fn token_matches(token: &str, step: &Step) -> bool {
    match step {
        Step::Index(_) => token == "*",
        Step::Key(key) => token == key.as_ref(),
    }
}

/// Whether `tokens` starts with the steps of `path`.
fn starts_with(tokens: &[&str], path: &[Step]) -> bool {
    tokens.len() >= path.len() && path.iter().zip(tokens).all(|(s, t)| token_matches(t, s))
}

/// The serializer that checks instead of writing.
struct Walker<'c> {
    constraints: &'c [Constraint],
    path: Vec<Step>,
}

/// Why the walk stopped.
#[derive(Debug)]
enum Stop {
    Violation(Error),
    Custom(String),
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Violation(e) => e.fmt(f),
            Stop::Custom(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Stop::Custom(msg.to_string())
    }
}

/// A visited value, as far as the rules care.
enum Seen<'v> {
    Items(usize),
    Text(&'v str),
    Number(f64),
}

impl Walker<'_> {
    /// Whether some rule's pointer starts with the current path.
    fn leads_to_a_rule(&self) -> bool {
        self.constraints
            .iter()
            .any(|c| starts_with(c.path, &self.path))
    }

    /// The rules whose pointer names the current path.
    fn rules_here(&self) -> impl Iterator<Item = &Rule> + '_ {
        self.constraints.iter().filter_map(|c| {
            (c.path.len() == self.path.len() && starts_with(c.path, &self.path)).then_some(&c.rule)
        })
    }

    /// Checks the value at the current path.
    fn visit(&self, seen: Seen<'_>) -> Result<(), Stop> {
        for rule in self.rules_here() {
            if let Some(message) = violation(&seen, rule) {
                return Err(Stop::Violation(Error::invalid(self.field_name(), message)));
            }
        }
        Ok(())
    }

    /// The path as users write it: `messages[2].content`.
    fn field_name(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                Step::Index(i) => out.push_str(&format!("[{i}]")),
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
            }
        }
        if out.is_empty() {
            "body".to_owned()
        } else {
            out
        }
    }

    /// Visits a child value at `step`.
    fn child<T: Serialize + ?Sized>(&mut self, step: Step, value: &T) -> Result<(), Stop> {
        self.path.push(step);
        // A value no rule reaches is not visited at all.
        let result = if self.leads_to_a_rule() {
            value.serialize(&mut *self)
        } else {
            Ok(())
        };
        self.path.pop();
        result
    }
}

/// What is wrong with a value under `rule`, if anything.
fn violation(seen: &Seen<'_>, rule: &Rule) -> Option<String> {
    match (rule, seen) {
        (Rule::MinItems(n), Seen::Items(len)) if (*len as u64) < *n => Some(format!(
            "must have at least {n} item{} (has {len})",
            plural(*n)
        )),
        (Rule::MaxItems(n), Seen::Items(len)) if (*len as u64) > *n => Some(format!(
            "must have at most {n} item{} (has {len})",
            plural(*n)
        )),
        (Rule::MinLength(n), Seen::Text(s)) | (Rule::MaxLength(n), Seen::Text(s)) => {
            let count = s.chars().count() as u64;
            match rule {
                Rule::MinLength(_) if count < *n => Some(format!(
                    "must be at least {n} character{} long (is {count})",
                    plural(*n)
                )),
                Rule::MaxLength(_) if count > *n => Some(format!(
                    "must be at most {n} character{} long (is {count})",
                    plural(*n)
                )),
                _ => None,
            }
        }
        (
            Rule::Minimum {
                value: min,
                exclusive,
            },
            Seen::Number(x),
        ) if (*exclusive && x <= min) || x < min => Some(format!(
            "must be {} {min} (is {x})",
            if *exclusive {
                "greater than"
            } else {
                "at least"
            }
        )),
        (
            Rule::Maximum {
                value: max,
                exclusive,
            },
            Seen::Number(x),
        ) if (*exclusive && x >= max) || x > max => Some(format!(
            "must be {} {max} (is {x})",
            if *exclusive { "less than" } else { "at most" }
        )),
        _ => None,
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A sequence, tuple or map being walked: counts its items.
struct Compound<'w, 'c> {
    walker: &'w mut Walker<'c>,
    items: usize,
    /// The key of the map entry whose value comes next.
    key: Option<String>,
}

impl<'w, 'c> Compound<'w, 'c> {
    fn new(walker: &'w mut Walker<'c>) -> Self {
        Compound {
            walker,
            items: 0,
            key: None,
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let index = self.items;
        self.items = self.items.saturating_add(1);
        self.walker.child(Step::Index(index), value)
    }

    fn end_items(self) -> Result<(), Stop> {
        self.walker.visit(Seen::Items(self.items))
    }
}

macro_rules! number {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Stop> {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            self.visit(Seen::Number(v as f64))
        }
    )*};
}

impl<'w, 'c> ser::Serializer for &'w mut Walker<'c> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Compound<'w, 'c>;
    type SerializeTuple = Compound<'w, 'c>;
    type SerializeTupleStruct = Compound<'w, 'c>;
    type SerializeTupleVariant = Compound<'w, 'c>;
    type SerializeMap = Compound<'w, 'c>;
    type SerializeStruct = Compound<'w, 'c>;
    type SerializeStructVariant = Compound<'w, 'c>;

    number!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128, serialize_f32: f32, serialize_f64: f64);

    fn serialize_bool(self, _: bool) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Stop> {
        let mut buf = [0u8; 4];
        self.visit(Seen::Text(v.encode_utf8(&mut buf)))
    }
    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        self.visit(Seen::Text(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Stop> {
        self.visit(Seen::Items(v.len()))
    }
    fn serialize_none(self) -> Result<(), Stop> {
        // Absent or null optional values have nothing to check.
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Stop> {
        self.visit(Seen::Text(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Stop> {
        self.child(Step::Key(variant.into()), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'c>, Stop> {
        Ok(Compound::new(self))
    }
}

/// Sequences, tuples and their variants: items counted, each visited at its index.
macro_rules! items {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
                self.element(value)
            }
            fn end(self) -> Result<(), Stop> {
                self.end_items()
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        // Keys that are not strings (never in this API) match no rule.
        self.key = Some(key.serialize(KeyName).unwrap_or_default());
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Stop> {
        let key = self.key.take().unwrap_or_default();
        self.walker.child(Step::Key(key.into()), value)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// Structs and struct variants: each field visited under its name.
macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Stop> {
                self.walker.child(Step::Key(key.into()), value)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

/// Reads a map key as a string; any other key is an error (and matches no rule).
struct KeyName;

impl ser::Serializer for KeyName {
    type Ok = String;
    type Error = Stop;
    type SerializeSeq = Impossible<String, Stop>;
    type SerializeTuple = Impossible<String, Stop>;
    type SerializeTupleStruct = Impossible<String, Stop>;
    type SerializeTupleVariant = Impossible<String, Stop>;
    type SerializeMap = Impossible<String, Stop>;
    type SerializeStruct = Impossible<String, Stop>;
    type SerializeStructVariant = Impossible<String, Stop>;

    fn serialize_str(self, v: &str) -> Result<String, Stop> {
        Ok(v.to_owned())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Stop> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Stop> {
        value.serialize(self)
    }
    fn serialize_bool(self, _: bool) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_i8(self, _: i8) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_i16(self, _: i16) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_i32(self, _: i32) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_i64(self, _: i64) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_u8(self, _: u8) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_u16(self, _: u16) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_u32(self, _: u32) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_u64(self, _: u64) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_f32(self, _: f32) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_f64(self, _: f64) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_char(self, v: char) -> Result<String, Stop> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_none(self) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, Stop> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Stop> {
        Err(not_a_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Stop> {
        Err(not_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(not_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(not_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(not_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
        Err(not_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Stop> {
        Err(not_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(not_a_string())
    }
}

fn not_a_string() -> Stop {
    Stop::Custom("map key is not a string".into())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const RULES: &[Constraint] = &[
        Constraint {
            pointer: "/messages",
            path: &["messages"],
            rule: Rule::MinItems(1),
        },
        Constraint {
            pointer: "/messages/*/content",
            path: &["messages", "*", "content"],
            rule: Rule::MaxLength(5),
        },
        Constraint {
            pointer: "/width",
            path: &["width"],
            rule: Rule::Minimum {
                value: 0.0,
                exclusive: true,
            },
        },
        Constraint {
            pointer: "/width",
            path: &["width"],
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

#[cfg(test)]
mod typed {
    use super::*;
    use crate::types;

    /// The typed request is checked as sent: the generated table's rules for chat.
    #[test]
    fn typed_requests_are_checked_without_serializing() {
        let op = &crate::operations::CREATE_CHAT_COMPLETION;
        let request = |messages: serde_json::Value| -> types::ChatCompletionRequest {
            serde_json::from_value(serde_json::json!({"model": "m", "messages": messages})).unwrap()
        };
        let empty = request(serde_json::json!([]));
        let err = check(&empty, op.constraints).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { field, .. } if field == "messages"),
            "{err}"
        );
        let ok = request(serde_json::json!([{"role": "user", "content": "hi"}]));
        check(&ok, op.constraints).unwrap();
    }
}
