//! Values of generated types built through serde, so hand-written code does not
//! depend on their *shape*.
//!
//! Upstream loosens and reshapes its schemas between two specs: an enum becomes a
//! free string, an untagged union loses a member (and typify renumbers the
//! `VariantN` after it), a required field becomes optional, an integer a number.
//! A struct literal, a `from_required(..)` call with arguments, a `Variant0`, a
//! `.parse()` (there is `FromStr` only while the schema is an enum) each stop
//! compiling on such a change. The JSON a value serializes to does not change, so
//! the hand-written layer writes that JSON and lets serde pick the generated shape
//! (`cargo xtask mutate-check` proves it on mutated specs).
//!
//! Each generated type is read here from JSON *text* with `serde_json::Error`
//! as the error type, never from a `serde_json::Value` nor with
//! `serde::de::value::Error`. A type's `Deserialize` is compiled once for each
//! deserializer and each error type it meets (an untagged or tagged union's
//! buffered members once more per error type). The answers are read from their
//! text with `serde_json::Error`; reading the constructors' values the same way
//! adds no copy of any type's decoding, where a `Value` or another error type
//! added one of every type the constructors reach (BENCHMARKS.md, section 5).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;

/// `value` as the generated type `T`, read from its JSON; a value `T` does not
/// accept is an [`Error::InvalidRequest`] naming `field`.
///
/// Read from the JSON text, not from a `serde_json::Value`: every generated
/// type's decoding is then the one instantiation the answers use (see
/// the module docs), and the message names no position (there is no text to
/// point into, as far as the caller knows).
pub(crate) fn convert<T: DeserializeOwned>(field: &str, value: impl Serialize) -> Result<T, Error> {
    let json = serde_json::to_vec(&value).map_err(|e| Error::invalid(field, e.to_string()))?;
    serde_json::from_slice(&json).map_err(|e| Error::invalid(field, without_position(&e)))
}

/// serde_json's message without the ` at line L column C` it appends.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rsplit_once(" at line ") {
        Some((text, _)) if error.line() > 0 => text.to_owned(),
        _ => message,
    }
}

/// `value` as the generated type `T`, for the infallible constructors of the
/// public API, whose JSON every spec so far accepts. Read strictly first; a
/// value the strict read refuses is read again the way answers are
/// (`crate::json`: a required field missing or `null` takes its natural
/// default), so a regen that makes a field required does not fail it either.
///
/// # Panics
///
/// When even the lenient read refuses it: a regen on a spec that narrowed a
/// type to exclude what the constructor writes (the values themselves come
/// from the constructor's own code or are free text and lists, which every
/// union takes through its `Unknown` member). That is a defect of the SDK
/// against its generated code, not a condition of the caller's data; the
/// constructor's own tests catch it on the first run after such a regen.
pub(crate) fn build<T: DeserializeOwned>(what: &str, value: serde_json::Value) -> T {
    // `json::from_slice` reads strictly first, then leniently (see the module
    // docs for why from the text).
    let read = serde_json::to_vec(&value)
        .map_err(|e| e.to_string())
        .and_then(|bytes| crate::json::from_slice::<T>(&bytes).map_err(|e| e.to_string()));
    match read {
        Ok(v) => v,
        Err(e) => panic!(
            "venice-sdk: the generated `{what}` no longer accepts what this constructor builds ({e}); the SDK needs updating for this spec"
        ),
    }
}

/// One value of [`build_from`]'s fields: text, or an empty list.
#[derive(Clone, Copy)]
pub(crate) enum Field<'a> {
    Text(&'a str),
    EmptyList,
}

impl<'de, 'a> serde::de::IntoDeserializer<'de, serde_json::Error> for Field<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> serde::de::Deserializer<'de> for Field<'_> {
    // serde_json's error type, as the answers' (see the module docs).
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            Field::Text(text) => visitor.visit_str(text),
            Field::EmptyList => visitor.visit_seq(serde::de::value::SeqDeserializer::new(
                std::iter::empty::<()>(),
            )),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
        struct enum identifier ignored_any
    }
}

/// As [`build`], from an object of a few text (or empty list) fields, read
/// without building a JSON value (no allocation of its own): for the
/// constructors on every call's path (`Message::user`, `ChatCompletionRequest::new`).
pub(crate) fn build_from<T: DeserializeOwned>(what: &str, fields: &[(&str, Field<'_>)]) -> T {
    let source =
        serde::de::value::MapDeserializer::<_, serde_json::Error>::new(fields.iter().copied());
    match T::deserialize(source) {
        Ok(v) => v,
        Err(_) => {
            let object: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(name, field)| {
                    let value = match field {
                        Field::Text(text) => serde_json::Value::from(*text),
                        Field::EmptyList => serde_json::Value::Array(Vec::new()),
                    };
                    ((*name).to_owned(), value)
                })
                .collect();
            build(what, serde_json::Value::Object(object))
        }
    }
}

/// `value` as JSON: a generated value serializes to JSON whatever its shape.
pub(crate) fn json_of(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
