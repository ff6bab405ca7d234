//! The bounded, lenient decoder: one serde [`Deserializer`] over the JSON
//! [`Reader`], with the memory budget, the lenient read of required fields and
//! the JSON path of a failure built in (the parent module says what each one
//! does and why).
//!
//! **One instantiation a type.** A type's `Deserialize` is compiled once for
//! each deserializer, map, sequence and enum access it meets. An adapter
//! wrapping serde_json's deserializer meets it with a new combination of
//! wrapped types at every layer (twenty a type), and a type-erased one costs
//! ~30 vtable methods a visitor; both made most of the crate's machine code.
//! Here every value, key and default is read by the one [`Lenient`] type, every
//! map, list and enum by [`Entries`], [`Items`] and [`Variant`], and the error
//! type is serde_json's, so each type's decoding is compiled once for this
//! decoder, and a union's buffered members share serde_json's instantiation.

use std::borrow::Cow;
use std::mem::size_of;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::read::{Kind, Number, Reader, Text};

type Error = serde_json::Error;

/// One decode: the reader, what it may still charge, how it reads, and where
/// a failure happened.
pub(super) struct Decoder<'de> {
    reader: Reader<'de>,
    budget: Budget,
    /// Whether missing and `null` required fields read as their defaults.
    lenient: bool,
    /// The JSON path of a failure, innermost segment first (filled as the
    /// error travels out).
    trail: Vec<Segment<'de>>,
}

/// What a decode may still charge.
struct Budget {
    left: usize,
    exceeded: bool,
}

impl Budget {
    fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        match self.left.checked_sub(bytes) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => {
                self.exceeded = true;
                Err(de::Error::custom("the decode budget is spent"))
            }
        }
    }

    /// A heap slot of `size` bytes in a growing collection (a `Vec` doubles
    /// its capacity as it grows: charged twice).
    fn slot(&mut self, size: usize) -> Result<(), Error> {
        self.charge(size.saturating_mul(2))
    }
}

/// One step of a JSON path.
enum Segment<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

impl<'de> Decoder<'de> {
    /// A decode of `bytes` that may charge `budget` bytes; `lenient`: missing
    /// and `null` required fields read as their defaults.
    pub(super) fn new(bytes: &'de [u8], budget: usize, lenient: bool) -> Self {
        Decoder {
            reader: Reader::new(bytes),
            budget: Budget {
                left: budget,
                exceeded: false,
            },
            lenient,
            trail: Vec::new(),
        }
    }

    /// The one value of the input, as `T` (nothing but whitespace may follow).
    pub(super) fn decode<T: de::Deserialize<'de>>(&mut self) -> Result<T, Error> {
        let value = T::deserialize(Lenient::Json {
            d: self,
            place: Place::Value,
        });
        match value {
            Ok(value) => self.reader.end().map(|()| value),
            Err(error) => Err(self.located(error)),
        }
    }

    /// The value at the path `tokens` (object keys and array indices, as in
    /// a JSON pointer) as `U`; `None` when nothing is there. Only the path is
    /// decoded: every value beside it is skipped (validated, not built).
    pub(super) fn at<U: de::Deserialize<'de>>(
        &mut self,
        tokens: &[String],
    ) -> Result<Option<U>, Error> {
        let found = self.walk(tokens);
        match found {
            Ok(found) => self.reader.end().map(|()| found),
            Err(error) => Err(self.located(error)),
        }
    }

    fn walk<U: de::Deserialize<'de>>(&mut self, tokens: &[String]) -> Result<Option<U>, Error> {
        let Some((token, rest)) = tokens.split_first() else {
            return U::deserialize(Lenient::Json {
                d: self,
                place: Place::Value,
            })
            .map(Some);
        };
        let mut found = None;
        match self.reader.peek()? {
            Kind::Object => {
                self.reader.begin_object()?;
                let mut first = true;
                while let Some(key) = self.reader.next_key(first)? {
                    let is = key.as_str() == token;
                    first = false;
                    if is && found.is_none() {
                        found = self.walk(rest)?;
                    } else {
                        self.reader.skip_value()?;
                    }
                }
            }
            Kind::Array => {
                // `0`, `1`, … (no sign, no leading zero): anything else is no index.
                let index = (token == "0" || !token.starts_with('0'))
                    .then(|| token.parse::<usize>().ok())
                    .flatten();
                self.reader.begin_array()?;
                let mut i = 0usize;
                while self.reader.next_element(i == 0)? {
                    if Some(i) == index {
                        found = self.walk(rest)?;
                    } else {
                        self.reader.skip_value()?;
                    }
                    i = i.saturating_add(1);
                }
            }
            Kind::Null | Kind::Bool | Kind::Number | Kind::String => self.reader.skip_value()?,
        }
        Ok(found)
    }

    /// Whether the decode stopped because its budget was spent.
    pub(super) fn over_budget(&self) -> bool {
        self.budget.exceeded
    }

    /// Where the decode failed, as `data[3].model_spec.pricing` (`None` at the
    /// top level).
    pub(super) fn path(&self) -> Option<String> {
        if self.trail.is_empty() {
            return None;
        }
        let mut path = String::new();
        for segment in self.trail.iter().rev() {
            match segment {
                Segment::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Segment::Index(i) => {
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                }
            }
        }
        Some(path)
    }

    /// `error` with the position it happened at (a visitor's own errors,
    /// such as a wrong type, carry none).
    fn located(&self, error: Error) -> Error {
        if error.line() > 0 {
            return error;
        }
        let message = error.to_string();
        if message.contains(" at line ") {
            error
        } else {
            self.reader.error(&message)
        }
    }
}

/// Where a JSON value read by [`Lenient`] goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Any value.
    Value,
    /// The value of a struct's field, read leniently: `null` reads as the
    /// type's default.
    Field,
    /// An item of a sequence, or a value of a map: a heap slot, charged at
    /// the size of what it is read into once that is asked for.
    Slot,
}

/// The one deserializer of the decode: a JSON value at the reader, a map key
/// or field name already read, or a value the answer did not have.
enum Lenient<'a, 'de> {
    Json {
        d: &'a mut Decoder<'de>,
        place: Place,
    },
    Key(Text<'de, 'a>),
    /// A value the answer did not have (or sent as `null` where its type
    /// allows none), read as the natural default of what is asked for: `""`,
    /// `0`, `false`, an empty array or map, a struct of defaults, `None`,
    /// `{}` for untyped JSON. An enum has no natural default: asking for one
    /// is an error. The number: how many structs of defaults deep.
    Missing(u8),
}

/// How many structs of defaults may nest (a type that requires itself would
/// never end).
const MAX_DEFAULT_DEPTH: u8 = 32;

/// What a typed value asked its deserializer for.
#[derive(Clone, Copy)]
enum Want {
    Bool,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    F32,
    F64,
    Char,
    Str,
    String,
    Bytes,
    ByteBuf,
    Unit,
    Seq,
    Map,
    UnitStruct,
    NewtypeStruct,
    Tuple(usize),
    TupleStruct(usize),
    Struct(&'static [&'static str]),
    Enum(&'static str),
}

impl Want {
    /// The size of the Rust value this request reads into, as a slot of a
    /// collection holds it: exact for numbers, strings, lists and maps; a
    /// struct at 8 bytes a field (its text and lists are charged as they are
    /// read); an enum at 16.
    fn size(self) -> usize {
        match self {
            Want::Bool | Want::I8 | Want::U8 => 1,
            Want::I16 | Want::U16 => 2,
            Want::I32 | Want::U32 | Want::F32 | Want::Char => 4,
            Want::I64 | Want::U64 | Want::F64 => 8,
            Want::I128 | Want::U128 => 16,
            Want::Str | Want::String | Want::Bytes | Want::ByteBuf => size_of::<String>(),
            Want::Seq => size_of::<Vec<u8>>(),
            Want::Map => size_of::<serde_json::Map<String, serde_json::Value>>(),
            Want::Unit | Want::UnitStruct => 0,
            Want::NewtypeStruct => 8,
            Want::Tuple(len) | Want::TupleStruct(len) => len.saturating_mul(8),
            Want::Struct(fields) => fields.len().saturating_mul(8),
            Want::Enum(_) => 16,
        }
    }
}

/// The start of a JSON value, read without knowing what it goes to: a
/// scalar whole, an array or object past its opening bracket.
enum Token<'de, 's> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Text<'de, 's>),
    Array,
    Object,
}

impl<'de> Decoder<'de> {
    /// Reads the start of the next value; a string is charged at its length
    /// when `charge` (not names and tags, which are not kept).
    fn token(&mut self, charge: bool) -> Result<Token<'de, '_>, Error> {
        Ok(match self.reader.peek()? {
            Kind::Null => {
                self.reader.null()?;
                Token::Null
            }
            Kind::Bool => Token::Bool(self.reader.bool()?),
            Kind::Number => Token::Number(self.reader.number()?),
            Kind::String => {
                let text = self.reader.string()?;
                if charge {
                    self.budget.charge(text.as_str().len())?;
                }
                Token::Str(text)
            }
            Kind::Array => {
                self.reader.begin_array()?;
                Token::Array
            }
            Kind::Object => {
                self.reader.begin_object()?;
                Token::Object
            }
        })
    }
}

impl<'a, 'de> Lenient<'a, 'de> {
    /// Charges a slot for what `want` reads into, and turns a struct field's
    /// `null` into its default when reading leniently.
    fn prepare(self, want: Want) -> Result<Self, Error> {
        if let Lenient::Json { d, place } = self {
            if place == Place::Slot {
                d.budget.slot(want.size())?;
            }
            if place == Place::Field && d.lenient && d.reader.peek()? == Kind::Null {
                d.reader.null()?;
                return Ok(Lenient::Missing(0));
            }
            return Ok(Lenient::Json { d, place });
        }
        Ok(self)
    }

    /// Reads what `want` asks for.
    fn want<V: Visitor<'de>>(self, want: Want, visitor: V) -> Result<V::Value, Error> {
        match self.prepare(want)? {
            Lenient::Json { d, .. } => json(d, want, visitor),
            Lenient::Key(text) => match key(text, want)? {
                Token::Str(text) if matches!(want, Want::Enum(_)) => visitor.visit_enum(Variant {
                    d: None,
                    name: Some(text),
                    key: Cow::Borrowed(""),
                }),
                Token::Str(text) if matches!(want, Want::NewtypeStruct) => {
                    visitor.visit_newtype_struct(Lenient::Key(text))
                }
                Token::Str(text) if matches!(want, Want::Bytes | Want::ByteBuf) => {
                    bytes(text, visitor)
                }
                token => scalar(token, visitor),
            },
            Lenient::Missing(depth) => missing(depth, want, visitor),
        }
    }
}

/// The JSON value at the reader, as `want` asks (a value of another type
/// goes to the visitor as it is, which refuses it with serde's message).
fn json<'de, V: Visitor<'de>>(
    d: &mut Decoder<'de>,
    want: Want,
    visitor: V,
) -> Result<V::Value, Error> {
    if let Want::NewtypeStruct = want {
        return visitor.visit_newtype_struct(Lenient::Json {
            d,
            place: Place::Value,
        });
    }
    match (want, d.token(!matches!(want, Want::Enum(_)))?) {
        (Want::Struct(fields), Token::Object) => entries(d, visitor, Some(Fields::new(fields))),
        // A struct written as an array: its items live in the struct.
        (Want::Struct(_), Token::Array) => items(d, visitor, Place::Value),
        (Want::Enum(_), Token::Str(text)) => visitor.visit_enum(Variant {
            d: None,
            name: Some(text),
            key: Cow::Borrowed(""),
        }),
        (Want::Enum(_), Token::Object) => visitor.visit_enum(Variant {
            d: Some(d),
            name: None,
            key: Cow::Borrowed(""),
        }),
        (Want::Bytes | Want::ByteBuf, Token::Str(text)) => bytes(text, visitor),
        (_, Token::Array) => items(d, visitor, Place::Slot),
        (_, Token::Object) => entries(d, visitor, None),
        (_, token) => scalar(token, visitor),
    }
}

/// Any JSON value at the reader, handed to `visitor` as what it is; strings
/// are charged at their length when `charge` (not for names and tags).
fn any<'de, V: Visitor<'de>>(
    d: &mut Decoder<'de>,
    visitor: V,
    charge: bool,
) -> Result<V::Value, Error> {
    match d.token(charge)? {
        Token::Array => items(d, visitor, Place::Slot),
        Token::Object => entries(d, visitor, None),
        token => scalar(token, visitor),
    }
}

/// A scalar, handed to `visitor` as what it is (an array or object here is
/// an error of the decoder's own).
fn scalar<'de, V: Visitor<'de>>(token: Token<'de, '_>, visitor: V) -> Result<V::Value, Error> {
    match token {
        Token::Null => visitor.visit_unit(),
        Token::Bool(b) => visitor.visit_bool(b),
        Token::Number(Number::U64(n)) => visitor.visit_u64(n),
        Token::Number(Number::I64(n)) => visitor.visit_i64(n),
        Token::Number(Number::F64(n)) => visitor.visit_f64(n),
        Token::Str(Text::Borrowed(s)) => visitor.visit_borrowed_str(s),
        Token::Str(Text::Scratch(s)) => visitor.visit_str(s),
        Token::Array | Token::Object => {
            Err(de::Error::custom("a container where a scalar was read"))
        }
    }
}

/// Text handed to `visitor` as bytes.
fn bytes<'de, V: Visitor<'de>>(text: Text<'de, '_>, visitor: V) -> Result<V::Value, Error> {
    match text {
        Text::Borrowed(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
        Text::Scratch(s) => visitor.visit_bytes(s.as_bytes()),
    }
}

/// The array at the reader (its `[` read), its items read at `place`.
fn items<'de, V: Visitor<'de>>(
    d: &mut Decoder<'de>,
    visitor: V,
    place: Place,
) -> Result<V::Value, Error> {
    let mut seq = Items {
        d: Some(d),
        place,
        index: 0,
        done: false,
    };
    let value = visitor.visit_seq(&mut seq)?;
    seq.finish().map(|()| value)
}

/// The object at the reader (its `{` read): a struct's `fields`, or entries.
fn entries<'de, V: Visitor<'de>>(
    d: &mut Decoder<'de>,
    visitor: V,
    fields: Option<Fields>,
) -> Result<V::Value, Error> {
    let mut map = Entries::json(d, fields);
    let value = visitor.visit_map(&mut map)?;
    map.finish().map(|()| value)
}

/// A map key or field name already read, as `want` asks: text, or a number
/// or a boolean written as text (JSON keys are strings).
fn key<'de, 's>(text: Text<'de, 's>, want: Want) -> Result<Token<'de, 's>, Error> {
    let s = text.as_str();
    match want {
        Want::Bool => match s {
            "true" => Ok(Token::Bool(true)),
            "false" => Ok(Token::Bool(false)),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Str(s),
                &"a boolean",
            )),
        },
        Want::I8
        | Want::I16
        | Want::I32
        | Want::I64
        | Want::I128
        | Want::U8
        | Want::U16
        | Want::U32
        | Want::U64
        | Want::U128
        | Want::F32
        | Want::F64 => {
            if let Ok(n) = s.parse::<u64>() {
                Ok(Token::Number(Number::U64(n)))
            } else if let Ok(n) = s.parse::<i64>() {
                Ok(Token::Number(Number::I64(n)))
            } else {
                match s.parse::<f64>() {
                    Ok(n) if n.is_finite() => Ok(Token::Number(Number::F64(n))),
                    _ => Err(de::Error::invalid_type(de::Unexpected::Str(s), &"a number")),
                }
            }
        }
        _ => Ok(Token::Str(text)),
    }
}

/// The natural default of what `want` asks for (see [`Lenient::Missing`]).
fn missing<'de, V: Visitor<'de>>(depth: u8, want: Want, visitor: V) -> Result<V::Value, Error> {
    match want {
        Want::Bool => visitor.visit_bool(false),
        Want::I8 | Want::I16 | Want::I32 | Want::I64 | Want::I128 => visitor.visit_i64(0),
        Want::U8 | Want::U16 | Want::U32 | Want::U64 | Want::U128 => visitor.visit_u64(0),
        Want::F32 | Want::F64 => visitor.visit_f64(0.0),
        Want::Str | Want::String => visitor.visit_borrowed_str(""),
        Want::Bytes | Want::ByteBuf => visitor.visit_borrowed_bytes(b""),
        Want::Unit | Want::UnitStruct => visitor.visit_unit(),
        Want::NewtypeStruct => visitor.visit_newtype_struct(Lenient::Missing(depth)),
        Want::Seq | Want::Tuple(_) | Want::TupleStruct(_) => visitor.visit_seq(&mut Items {
            d: None,
            place: Place::Value,
            index: 0,
            done: true,
        }),
        Want::Map => visitor.visit_map(&mut Entries::defaults(&[], depth)),
        Want::Struct(fields) if depth < MAX_DEFAULT_DEPTH => {
            visitor.visit_map(&mut Entries::defaults(fields, depth.saturating_add(1)))
        }
        Want::Struct(_) => Err(de::Error::custom("a required value is missing")),
        Want::Char => Err(de::Error::custom("a required character is missing")),
        Want::Enum(name) => Err(de::Error::custom(format_args!(
            "a required {name} is missing (it has no default)"
        ))),
    }
}

macro_rules! want {
    ($($method:ident $(($($arg:ident: $ty:ty),*))? => $want:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self $($(, $arg: $ty)*)?, visitor: V) -> Result<V::Value, Error> {
            self.want($want, visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for Lenient<'_, 'de> {
    type Error = Error;

    want! {
        deserialize_bool => Want::Bool,
        deserialize_i8 => Want::I8,
        deserialize_i16 => Want::I16,
        deserialize_i32 => Want::I32,
        deserialize_i64 => Want::I64,
        deserialize_i128 => Want::I128,
        deserialize_u8 => Want::U8,
        deserialize_u16 => Want::U16,
        deserialize_u32 => Want::U32,
        deserialize_u64 => Want::U64,
        deserialize_u128 => Want::U128,
        deserialize_f32 => Want::F32,
        deserialize_f64 => Want::F64,
        deserialize_char => Want::Char,
        deserialize_str => Want::Str,
        deserialize_string => Want::String,
        deserialize_bytes => Want::Bytes,
        deserialize_byte_buf => Want::ByteBuf,
        deserialize_unit => Want::Unit,
        deserialize_seq => Want::Seq,
        deserialize_map => Want::Map,
        deserialize_unit_struct(_name: &'static str) => Want::UnitStruct,
        deserialize_newtype_struct(_name: &'static str) => Want::NewtypeStruct,
        deserialize_tuple(len: usize) => Want::Tuple(len),
        deserialize_tuple_struct(_name: &'static str, len: usize) => Want::TupleStruct(len),
        deserialize_struct(_name: &'static str, fields: &'static [&'static str]) => Want::Struct(fields),
        deserialize_enum(name: &'static str, _variants: &'static [&'static str]) => Want::Enum(name),
    }

    // Untyped JSON (`Value`, or serde's buffer of a union being tried);
    // `null` is a value of its own here (`Value::Null`, `None`).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Lenient::Json { d, place } => {
                if place == Place::Slot {
                    d.budget.slot(size_of::<serde_json::Value>())?;
                }
                any(d, visitor, true)
            }
            Lenient::Key(text) => scalar(Token::Str(text), visitor),
            // An empty object, which the `Unknown` member of a union always takes.
            Lenient::Missing(depth) => visitor.visit_map(&mut Entries::defaults(&[], depth)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Lenient::Json { d, place } => {
                if place == Place::Slot {
                    d.budget.slot(size_of::<Option<String>>())?;
                }
                if d.reader.peek()? == Kind::Null {
                    d.reader.null()?;
                    visitor.visit_none()
                } else {
                    visitor.visit_some(Lenient::Json {
                        d,
                        place: Place::Value,
                    })
                }
            }
            Lenient::Key(text) => visitor.visit_some(Lenient::Key(text)),
            Lenient::Missing(_) => visitor.visit_none(),
        }
    }

    // Field names and tags are not kept: nothing to charge.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Lenient::Json { d, .. } => any(d, visitor, false),
            Lenient::Key(text) => scalar(Token::Str(text), visitor),
            Lenient::Missing(_) => Err(de::Error::custom("a required name is missing")),
        }
    }

    // Skipped values are not kept: nothing to charge.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Lenient::Json { d, .. } = self {
            d.reader.skip_value()?;
        }
        visitor.visit_unit()
    }
}

/// The fields of a struct being decoded, and which of them the answer had
/// (the first 128; later ones count as present).
struct Fields {
    names: &'static [&'static str],
    seen: u128,
}

impl Fields {
    fn new(names: &'static [&'static str]) -> Self {
        Fields { names, seen: 0 }
    }

    fn mark(&mut self, name: &str) {
        if let Some(i) = self.names.iter().position(|n| *n == name)
            && i < 128
        {
            self.seen |= 1u128 << i;
        }
    }

    /// The next field from `from` on that the answer did not have.
    fn next_missing(&self, from: usize) -> Option<usize> {
        (from..self.names.len().min(128)).find(|&i| self.seen & (1u128 << i) == 0)
    }
}

/// A key kept past the reader's next call (for the path of a failure):
/// borrowed from the input when it had no escape, else copied.
fn kept<'de>(text: Text<'de, '_>) -> Cow<'de, str> {
    match text {
        Text::Borrowed(s) => Cow::Borrowed(s),
        Text::Scratch(s) => Cow::Owned(s.to_owned()),
    }
}

/// A kept key, as the reader's text again.
fn text_of<'de, 'k>(key: &'k Cow<'de, str>) -> Text<'de, 'k> {
    match key {
        Cow::Borrowed(s) => Text::Borrowed(s),
        Cow::Owned(s) => Text::Scratch(s),
    }
}

/// The entries of a JSON object, or the fields of a struct of defaults.
///
/// An object that is a struct's fields (`fields`) is not charged (its values
/// live in the struct); read leniently, its names are noted as they come and
/// the missing ones follow the answer's own, read as their defaults. Any other
/// object's keys and values are heap slots, charged.
struct Entries<'a, 'de> {
    /// `None`: no JSON behind (a struct of defaults, an empty map).
    d: Option<&'a mut Decoder<'de>>,
    fields: Option<Fields>,
    /// The key of the entry being read (for the path of a failure).
    key: Cow<'de, str>,
    first: bool,
    /// Past the answer's own entries (its `}` read): the index of the next
    /// field to read as its default.
    missing: Option<usize>,
    /// How many structs of defaults deep the defaults are.
    depth: u8,
}

impl<'a, 'de> Entries<'a, 'de> {
    fn json(d: &'a mut Decoder<'de>, fields: Option<Fields>) -> Self {
        Entries {
            d: Some(d),
            fields,
            key: Cow::Borrowed(""),
            first: true,
            missing: None,
            depth: 0,
        }
    }

    fn defaults(names: &'static [&'static str], depth: u8) -> Self {
        Entries {
            d: None,
            fields: Some(Fields::new(names)),
            key: Cow::Borrowed(""),
            first: true,
            missing: Some(0),
            depth,
        }
    }

    /// Whether the fields the answer lacks are read as their defaults.
    fn fills(&self) -> bool {
        match (&self.d, &self.fields) {
            (None, _) => true,
            (Some(d), Some(_)) => d.lenient,
            (Some(_), None) => false,
        }
    }

    /// Reads what the visitor left of the object (a visitor that stops early
    /// leaves entries: an error, as serde_json's).
    fn finish(self) -> Result<(), Error> {
        match self.d {
            Some(d) if self.missing.is_none() => match d.reader.next_key(self.first)? {
                None => Ok(()),
                Some(_) => Err(d.reader.error("trailing characters")),
            },
            _ => Ok(()),
        }
    }
}

impl<'de> Entries<'_, 'de> {
    /// The next key: the answer's own, then (read leniently) the names of
    /// the fields it lacked; `None` at the end.
    fn next_name(&mut self) -> Result<Option<Text<'de, '_>>, Error> {
        if self.missing.is_none()
            && let Some(d) = self.d.as_deref_mut()
        {
            match d.reader.next_key(self.first)? {
                Some(text) => {
                    self.first = false;
                    self.key = kept(text);
                    match &mut self.fields {
                        // Noted only where the missing ones will be filled.
                        Some(fields) if d.lenient => fields.mark(&self.key),
                        Some(_) => {}
                        None => {
                            d.budget.slot(size_of::<String>())?;
                            d.budget.charge(self.key.len())?;
                        }
                    }
                    return Ok(Some(text_of(&self.key)));
                }
                None => self.missing = Some(0),
            }
        }
        let Some(fields) = self.fields.as_ref().filter(|_| self.fills()) else {
            return Ok(None);
        };
        let from = self.missing.unwrap_or(0);
        let Some(i) = fields.next_missing(from) else {
            self.missing = Some(fields.names.len());
            return Ok(None);
        };
        self.missing = Some(i.saturating_add(1));
        let name: &'static str = fields.names.get(i).copied().unwrap_or_default();
        self.key = Cow::Borrowed(name);
        Ok(Some(Text::Borrowed(name)))
    }

    /// Where the value of the current key is read from.
    fn value(&mut self) -> Lenient<'_, 'de> {
        match (self.missing, self.d.as_deref_mut()) {
            (None, Some(d)) => {
                let place = match &self.fields {
                    None => Place::Slot,
                    Some(_) if d.lenient => Place::Field,
                    Some(_) => Place::Value,
                };
                Lenient::Json { d, place }
            }
            _ => Lenient::Missing(self.depth),
        }
    }

    /// Notes the current key in the path of a failure.
    fn failed(&mut self) {
        if let Some(d) = self.d.as_deref_mut() {
            d.trail.push(Segment::Key(self.key.clone()));
        }
    }
}

impl<'de> MapAccess<'de> for &mut Entries<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.next_name()? {
            Some(name) => seed.deserialize(Lenient::Key(name)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let value = seed.deserialize(self.value());
        if value.is_err() {
            self.failed();
        }
        value
    }
}

/// The items of a JSON array (or none), read at `place`.
struct Items<'a, 'de> {
    d: Option<&'a mut Decoder<'de>>,
    place: Place,
    index: usize,
    /// The array's `]` was read.
    done: bool,
}

impl Items<'_, '_> {
    /// Reads what the visitor left of the array (a visitor that stops early,
    /// as a fixed-size tuple does, leaves items: an error, as serde_json's).
    fn finish(self) -> Result<(), Error> {
        match self.d {
            Some(d) if !self.done => {
                if d.reader.next_element(self.index == 0)? {
                    Err(d.reader.error("trailing characters"))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }
}

impl<'de> Items<'_, 'de> {
    /// Where the next item is read from; `None` past the last.
    fn next(&mut self) -> Result<Option<Lenient<'_, 'de>>, Error> {
        let Some(d) = self.d.as_deref_mut() else {
            return Ok(None);
        };
        if self.done || !d.reader.next_element(self.index == 0)? {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(Lenient::Json {
            d,
            place: self.place,
        }))
    }

    /// Notes the current index in the path of a failure.
    fn failed(&mut self) {
        if let Some(d) = self.d.as_deref_mut() {
            d.trail.push(Segment::Index(self.index));
        }
    }
}

impl<'de> SeqAccess<'de> for &mut Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(item) = self.next()? else {
            return Ok(None);
        };
        match seed.deserialize(item) {
            Ok(value) => {
                self.index = self.index.saturating_add(1);
                Ok(Some(value))
            }
            Err(error) => {
                self.failed();
                Err(error)
            }
        }
    }
}

/// An enum's variant: a name (`"stop"`: a unit variant), or an object of one
/// entry (`{"text": …}`) whose key names it, at the reader.
struct Variant<'a, 'de> {
    /// The object's reader, its `{` read (`None` for a name).
    d: Option<&'a mut Decoder<'de>>,
    name: Option<Text<'de, 'a>>,
    /// The object's key, once read (for the path of a failure in its value).
    key: Cow<'de, str>,
}

impl<'a, 'de> EnumAccess<'de> for Variant<'a, 'de> {
    type Error = Error;
    type Variant = Variant<'a, 'de>;

    fn variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<(T::Value, Self), Error> {
        match (self.name, self.d) {
            (Some(name), _) => Ok((
                seed.deserialize(Lenient::Key(name))?,
                Variant {
                    d: None,
                    name: None,
                    key: Cow::Borrowed(""),
                },
            )),
            (None, Some(d)) => {
                let key = match d.reader.next_key(true)? {
                    Some(text) => kept(text),
                    None => return Err(d.reader.error("expected a variant name")),
                };
                let value = seed.deserialize(Lenient::Key(text_of(&key)))?;
                Ok((
                    value,
                    Variant {
                        d: Some(d),
                        name: None,
                        key,
                    },
                ))
            }
            (None, None) => Err(de::Error::custom("an enum without a variant")),
        }
    }
}

impl<'de> Variant<'_, 'de> {
    /// The variant's value, then the `}` that ends its object.
    fn content<T>(
        self,
        read: impl FnOnce(Lenient<'_, 'de>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let Some(d) = self.d else {
            return Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &"a variant with a value",
            ));
        };
        let value = match read(Lenient::Json {
            d: &mut *d,
            place: Place::Value,
        }) {
            Ok(value) => value,
            Err(error) => {
                d.trail.push(Segment::Key(self.key));
                return Err(error);
            }
        };
        d.reader.end_variant().map(|()| value)
    }
}

impl<'de> VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.d {
            None => Ok(()),
            Some(_) => self.content(|value| de::Deserialize::deserialize(value)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        self.content(|value| seed.deserialize(value))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        self.content(|value| value.deserialize_tuple(len, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.content(|value| value.deserialize_struct("", fields, visitor))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use serde_json::Value;

    use super::Decoder;

    /// `text` decoded by the decoder, strictly or leniently.
    fn ours<'de, T: Deserialize<'de>>(text: &'de [u8], lenient: bool) -> Result<T, String> {
        let mut decoder = Decoder::new(text, usize::MAX, lenient);
        decoder.decode().map_err(|e| e.to_string())
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(i64),
        Tuple(u8, String),
        Struct { a: Option<bool>, b: Vec<u16> },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    #[serde(untagged)]
    enum Either {
        Number(f64),
        Text(String),
        List(Vec<Either>),
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Sample {
        name: String,
        count: Option<u32>,
        signed: i16,
        ratio: f64,
        flags: Vec<bool>,
        table: BTreeMap<String, i64>,
        shapes: Vec<Shape>,
        either: Either,
        extra: Value,
        #[serde(rename = "nested-one")]
        nested: Option<Box<Sample>>,
    }

    fn any_shape() -> impl Strategy<Value = Shape> {
        prop_oneof![
            Just(Shape::Unit),
            any::<i64>().prop_map(Shape::Newtype),
            (any::<u8>(), ".{0,8}").prop_map(|(n, s)| Shape::Tuple(n, s)),
            (
                any::<Option<bool>>(),
                prop::collection::vec(any::<u16>(), 0..4)
            )
                .prop_map(|(a, b)| Shape::Struct { a, b }),
        ]
    }

    fn any_either() -> impl Strategy<Value = Either> {
        let leaf = prop_oneof![
            (-1e9..1e9_f64).prop_map(Either::Number),
            // Not a number's text: untagged, a number member comes first.
            "[a-z \"\\\\\u{e9}]{0,8}".prop_map(Either::Text),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop::collection::vec(inner, 0..4).prop_map(Either::List)
        })
    }

    /// A sample without a nested one.
    fn any_flat_sample() -> impl Strategy<Value = Sample> {
        (
            ".{0,12}",
            any::<Option<u32>>(),
            any::<i16>(),
            any::<f64>().prop_filter("finite", |f| f.is_finite()),
            prop::collection::vec(any::<bool>(), 0..4),
            prop::collection::btree_map(".{0,6}", any::<i64>(), 0..4),
            prop::collection::vec(any_shape(), 0..4),
            any_either(),
            crate::json::read::tests::any_value(),
        )
            .prop_map(
                |(name, count, signed, ratio, flags, table, shapes, either, extra)| Sample {
                    name,
                    count,
                    signed,
                    ratio,
                    flags,
                    table,
                    shapes,
                    either,
                    extra,
                    nested: None,
                },
            )
    }

    fn any_sample() -> impl Strategy<Value = Sample> {
        (any_flat_sample(), prop::option::of(any_flat_sample())).prop_map(|(mut outer, inner)| {
            outer.nested = inner.map(Box::new);
            outer
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Untyped JSON comes back exactly as written (floats bit for bit: the
        /// reader rounds correctly), strictly and leniently, compact and pretty.
        #[test]
        fn any_json_reads_back_as_written(value in crate::json::read::tests::any_value()) {
            for text in [serde_json::to_vec(&value).unwrap(), serde_json::to_vec_pretty(&value).unwrap()] {
                prop_assert_eq!(&ours::<Value>(&text, false).unwrap(), &value);
                prop_assert_eq!(&ours::<Value>(&text, true).unwrap(), &value);
            }
        }

        /// A typed value (options, maps, every kind of enum variant, an
        /// untagged union, untyped JSON, a renamed field, nesting) decodes as
        /// it was written.
        #[test]
        fn a_typed_value_reads_as_serde_json_reads_it(sample in any_sample()) {
            let text = serde_json::to_vec(&sample).unwrap();
            // serde_json takes it too (its floats may be a unit in the last
            // place off, so it is not compared value for value).
            prop_assert!(serde_json::from_slice::<Sample>(&text).is_ok());
            let strict: Sample = ours(&text, false).unwrap();
            let lenient: Sample = ours(&text, true).unwrap();
            prop_assert_eq!(&strict, &sample);
            prop_assert_eq!(&lenient, &sample);
        }
    }

    /// A failure inside an enum's value names the variant in its path, as
    /// serde_path_to_error did.
    #[test]
    fn the_path_of_a_failure_names_an_enum_s_variant() {
        let text = br#"{"shapes": [{"unit": null}, {"struct": {"a": true, "b": [1, "x"]}}]}"#;
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Shapes {
            shapes: Vec<Shape>,
        }
        let mut decoder = Decoder::new(text, usize::MAX, false);
        assert!(decoder.decode::<Shapes>().is_err());
        assert_eq!(decoder.path().as_deref(), Some("shapes[1].struct.b[1]"));
    }

    /// What serde_json refuses is refused, with serde_json's message (the
    /// position may differ only where the reader's tests say so).
    #[test]
    fn a_wrong_value_is_refused_with_serde_json_s_message() {
        let valid = serde_json::to_value(Sample {
            name: "n".into(),
            count: Some(1),
            signed: -2,
            ratio: 0.5,
            flags: vec![true],
            table: BTreeMap::from([("k".to_owned(), 3)]),
            shapes: vec![Shape::Unit, Shape::Newtype(4)],
            either: Either::Text("t".into()),
            extra: Value::Null,
            nested: None,
        })
        .unwrap();
        let wrong = [
            ("/name", serde_json::json!(5)),
            ("/count", serde_json::json!(-1)),
            ("/count", serde_json::json!(1.5)),
            ("/signed", serde_json::json!(40000)),
            ("/flags", serde_json::json!("yes")),
            ("/table", serde_json::json!([1])),
            ("/shapes", serde_json::json!(["circle"])),
            ("/shapes", serde_json::json!([{"newtype": "x"}])),
            ("/shapes", serde_json::json!([{"unit": null, "newtype": 1}])),
            ("/either", serde_json::json!({"a": 1})),
            ("/ratio", serde_json::json!(null)),
        ];
        for (pointer, bad) in wrong {
            let mut value = valid.clone();
            *value.pointer_mut(pointer).unwrap() = bad.clone();
            let text = serde_json::to_vec(&value).unwrap();
            let theirs = serde_json::from_slice::<Sample>(&text)
                .unwrap_err()
                .to_string();
            let strict = ours::<Sample>(&text, false).unwrap_err();
            let message = |m: &str| m.split(" at line ").next().unwrap_or_default().to_owned();
            assert_eq!(message(&strict), message(&theirs), "{pointer} = {bad}");
        }
        // Missing required fields: serde_json's message strictly, defaults
        // leniently (a union without an `Unknown` member has none: it is given).
        let text = br#"{"name": "n", "either": "t"}"#;
        let theirs = serde_json::from_slice::<Sample>(text)
            .unwrap_err()
            .to_string();
        let strict = ours::<Sample>(text, false).unwrap_err();
        assert_eq!(
            strict.split(" at line ").next(),
            theirs.split(" at line ").next()
        );
        let lenient: Sample = ours(text, true).unwrap();
        assert_eq!(
            (lenient.name.as_str(), lenient.signed, lenient.extra),
            ("n", 0, serde_json::json!({}))
        );
    }
}
