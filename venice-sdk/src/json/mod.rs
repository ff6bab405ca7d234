//! Decoding JSON the server sent: within a memory budget, and leniently where
//! the answer lacks what the spec calls required.
//!
//! **Memory.** The response size cap bounds the *bytes* of an answer, not what
//! decoding them costs: a JSON array of small numbers decodes into a
//! `serde_json::Value` at ~70 bytes of heap per 2 bytes of input (and serde's
//! buffering of untagged enums costs the same), so a hostile 16 MB answer could
//! take gigabytes. [`from_slice`] decodes through a [`serde::Deserializer`]
//! adapter that charges what each decoded piece will occupy — every element
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
//! `{}` for untyped JSON (which a union's `Unknown` member takes). The adapter knows which fields a struct has (serde
//! names them) and which ones the answer had, and hands the missing ones over
//! once the answer's own fields end; a field's `null` is caught by asking for an
//! option first. An enum has no natural default: a missing one is still an
//! error. A value of the wrong type (a string where an object must be) is an
//! error either way. Typed fields stay as they are generated (`id: String`, not
//! `Option<String>`), so everyday access stays as convenient as it was: an
//! absent id reads as `""`, absent counts as `0`, absent lists as empty.

use std::cell::Cell;
use std::fmt;
use std::mem::size_of;

use std::marker::PhantomData;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

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
        Err(Failure::Json { .. }) => match pass(bytes, true) {
            Err(Failure::Json { error, .. }) => Err(Failure::Json {
                path: path_of::<T>(bytes),
                error,
            }),
            done => done,
        },
        done => done,
    }
}

/// Where the lenient decode of `bytes` into `T` fails, as a JSON path: a
/// decode again, on the failure path only, with serde_path_to_error keeping
/// track.
fn path_of<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let budget = Budget {
        left: Cell::new(budget_for(bytes.len())),
        exceeded: Cell::new(false),
        lenient: true,
    };
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let bounded = Bounded {
        inner: &mut json,
        budget: &budget,
        place: Place::Value,
    };
    let mut track = serde_path_to_error::Track::new();
    let traced = serde_path_to_error::Deserializer::new(bounded, &mut track);
    erased::<T, _>(traced).err()?;
    let path = track.path().to_string();
    (path != ".").then_some(path)
}

/// Decodes a `T` from `d` through one type-erased deserializer.
///
/// This is what keeps the crate's build short: the adapter below is several
/// deserializer, visitor and access types deep, and a typed value decoded
/// through it directly has its `Deserialize` compiled once per combination
/// (twenty per generated type: ~80% of the crate's machine code and most of
/// its build time). Behind the erased deserializer each type is compiled once
/// for the adapter, and the adapter once. The dynamic calls cost only the
/// large answers and the lenient re-reads, which take this path; the small
/// answers of every call are decoded by serde_json directly.
fn erased<'de, T: de::Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<T, erased_serde::Error> {
    let mut d = <dyn erased_serde::Deserializer<'de>>::erase(d);
    erased_serde::deserialize(&mut d)
}

/// Where in the input `error` happened, as `line L column C`, without any of
/// what the error quotes (for answers that carry a secret). A decode behind
/// the erased deserializer keeps serde_json's position only in its message:
/// it is read from there.
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

/// A failure of the erased decode, as the JSON error it reports (the message,
/// position included, is serde_json's).
fn unerased(error: erased_serde::Error) -> serde_json::Error {
    de::Error::custom(error)
}

fn pass<T: DeserializeOwned>(bytes: &[u8], lenient: bool) -> Result<T, Failure> {
    let limit = budget_for(bytes.len());
    let budget = Budget {
        left: Cell::new(limit),
        exceeded: Cell::new(false),
        lenient,
    };
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let result = erased::<T, _>(Bounded {
        inner: &mut json,
        budget: &budget,
        place: Place::Value,
    })
    .map_err(unerased)
    .and_then(|value| json.end().map(|()| value));
    match result {
        Ok(value) => Ok(value),
        Err(_) if budget.exceeded.get() => Err(Failure::OverBudget { limit }),
        Err(error) => Err(Failure::Json { error, path: None }),
    }
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
    let budget = Budget {
        left: Cell::new(limit),
        exceeded: Cell::new(false),
        lenient: true,
    };
    let mut json = serde_json::Deserializer::from_slice(bytes);
    let found = Walk::<U> {
        tokens: &tokens,
        out: PhantomData,
    }
    .deserialize(Bounded {
        inner: &mut json,
        budget: &budget,
        place: Place::Value,
    });
    match found {
        Ok(value) => Ok(value),
        Err(_) if budget.exceeded.get() => Err(Failure::OverBudget { limit }),
        Err(error) => Err(Failure::Json {
            error,
            path: (!pointer.is_empty()).then(|| pointer.to_owned()),
        }),
    }
}

/// Walks down `tokens`, decoding a `U` at the end.
struct Walk<'t, U> {
    tokens: &'t [String],
    out: PhantomData<U>,
}

impl<'de, U: DeserializeOwned> DeserializeSeed<'de> for Walk<'_, U> {
    type Value = Option<U>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<U>, D::Error> {
        match self.tokens.split_first() {
            None => erased::<U, _>(d).map(Some).map_err(de::Error::custom),
            Some(_) => d.deserialize_any(self),
        }
    }
}

/// Whether a map key is the token looked for (nothing allocated).
struct KeyIs<'t>(&'t str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

impl<'de, U: DeserializeOwned> Visitor<'de> for Walk<'_, U> {
    type Value = Option<U>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<U>, A::Error> {
        let (token, rest) = match self.tokens.split_first() {
            Some(split) => split,
            None => return Ok(None),
        };
        let mut found = None;
        while let Some(is) = map.next_key_seed(KeyIs(token))? {
            if is && found.is_none() {
                found = map.next_value_seed(Walk {
                    tokens: rest,
                    out: PhantomData,
                })?;
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<U>, A::Error> {
        let (token, rest) = match self.tokens.split_first() {
            Some(split) => split,
            None => return Ok(None),
        };
        // `0`, `1`, … (no sign, no leading zero): anything else is no index.
        let index = (token == "0" || !token.starts_with('0'))
            .then(|| token.parse::<usize>().ok())
            .flatten();
        let mut found = None;
        let mut i = 0usize;
        loop {
            if Some(i) == index {
                match seq.next_element_seed(Walk {
                    tokens: rest,
                    out: PhantomData,
                })? {
                    Some(value) => found = value,
                    None => break,
                }
            } else if seq.next_element::<de::IgnoredAny>()?.is_none() {
                break;
            }
            i = i.saturating_add(1);
        }
        Ok(found)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<U>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<U>, E> {
        Ok(None)
    }
}

/// What a decode may still charge.
struct Budget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
    /// Whether missing and `null` required fields read as their defaults.
    lenient: bool,
}

impl Budget {
    fn charge<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        match self.left.get().checked_sub(bytes) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom("the decode budget is spent"))
            }
        }
    }

    /// A heap slot of `size` bytes in a growing collection (a `Vec` doubles
    /// its capacity as it grows: charged twice).
    fn slot<E: de::Error>(&self, size: usize) -> Result<(), E> {
        self.charge(size.saturating_mul(2))
    }
}

/// The fields of a struct being decoded, and which of them the answer had
/// (the first 128; later ones count as present).
struct Fields {
    names: &'static [&'static str],
    seen: Cell<u128>,
}

impl Fields {
    fn new(names: &'static [&'static str]) -> Self {
        Fields {
            names,
            seen: Cell::new(0),
        }
    }

    fn mark(&self, name: &[u8]) {
        if let Some(i) = self.names.iter().position(|n| n.as_bytes() == name)
            && i < 128
        {
            self.seen.set(self.seen.get() | (1u128 << i));
        }
    }

    /// The next field from `from` on that the answer did not have.
    fn next_missing(&self, from: usize) -> Option<usize> {
        let seen = self.seen.get();
        (from..self.names.len().min(128)).find(|&i| seen & (1u128 << i) == 0)
    }
}

/// What a [`Bounded`] deserializer stands for.
#[derive(Clone, Copy)]
enum Place<'f> {
    /// Any value.
    Value,
    /// The value of a struct's field: `null` reads as the type's default.
    Field,
    /// The name of a struct's field: noted as seen.
    Key(&'f Fields),
    /// An item of a sequence, or a key or value of a map: a heap slot,
    /// charged at the size of what it is read into once that is asked for.
    Slot,
}

/// A [`Deserializer`] whose visitors are charged to the budget.
struct Bounded<'b, 'f, D> {
    inner: D,
    budget: &'b Budget,
    place: Place<'f>,
}

/// A [`Visitor`] whose strings, sequences and maps are charged. `fields`: the
/// map is a struct's fields (already charged with the struct; missing ones
/// are read as their defaults).
struct Charged<'b, V> {
    inner: V,
    budget: &'b Budget,
    fields: Option<&'static [&'static str]>,
}

/// A seed that deserializes through [`Bounded`].
struct Seed<'b, 'f, S> {
    inner: S,
    budget: &'b Budget,
    place: Place<'f>,
}

/// The seed of a struct's field name, kept in `slot` until used: when the
/// answer has no more fields, it names a missing one.
struct SlotSeed<'s, 'b, 'f, K> {
    slot: &'s mut Option<K>,
    budget: &'b Budget,
    fields: &'f Fields,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for SlotSeed<'_, '_, '_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        let Some(seed) = self.slot.take() else {
            return Err(de::Error::custom("a field name was read twice"));
        };
        seed.deserialize(Bounded {
            inner: d,
            budget: self.budget,
            place: Place::Key(self.fields),
        })
    }
}

/// The fields of a struct, decoded strictly: not charged (they live in the
/// struct).
struct Inline<'b, A> {
    inner: A,
    budget: &'b Budget,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Inline<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(Seed::value(seed, self.budget))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'b, S> Seed<'b, 'static, S> {
    /// A seed of an item of a sequence or map: a slot.
    fn slot(inner: S, budget: &'b Budget) -> Self {
        Seed {
            inner,
            budget,
            place: Place::Slot,
        }
    }

    /// A seed of any value (not a struct's field or field name).
    fn value(inner: S, budget: &'b Budget) -> Self {
        Seed {
            inner,
            budget,
            place: Place::Value,
        }
    }
}

/// Sequence, map and enum access whose items are charged.
struct Access<'b, A> {
    inner: A,
    budget: &'b Budget,
}

/// The fields of a struct: not charged (they live in the struct), noted as
/// they come, and the missing ones added at the end with their defaults.
struct StructAccess<'b, A> {
    inner: A,
    budget: &'b Budget,
    fields: Fields,
    /// Past the answer's own fields: the index of the next missing one.
    missing: Option<usize>,
}

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
    UnitStruct(&'static str),
    NewtypeStruct(&'static str),
    Tuple(usize),
    TupleStruct(&'static str, usize),
    Struct(&'static str, &'static [&'static str]),
    Enum(&'static str, &'static [&'static str]),
}

impl Want {
    /// Asks `d` for it, with `visitor`.
    fn ask<'de, D: Deserializer<'de>, V: Visitor<'de>>(
        self,
        d: D,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        match self {
            Want::Bool => d.deserialize_bool(visitor),
            Want::I8 => d.deserialize_i8(visitor),
            Want::I16 => d.deserialize_i16(visitor),
            Want::I32 => d.deserialize_i32(visitor),
            Want::I64 => d.deserialize_i64(visitor),
            Want::I128 => d.deserialize_i128(visitor),
            Want::U8 => d.deserialize_u8(visitor),
            Want::U16 => d.deserialize_u16(visitor),
            Want::U32 => d.deserialize_u32(visitor),
            Want::U64 => d.deserialize_u64(visitor),
            Want::U128 => d.deserialize_u128(visitor),
            Want::F32 => d.deserialize_f32(visitor),
            Want::F64 => d.deserialize_f64(visitor),
            Want::Char => d.deserialize_char(visitor),
            Want::Str => d.deserialize_str(visitor),
            Want::String => d.deserialize_string(visitor),
            Want::Bytes => d.deserialize_bytes(visitor),
            Want::ByteBuf => d.deserialize_byte_buf(visitor),
            Want::Unit => d.deserialize_unit(visitor),
            Want::Seq => d.deserialize_seq(visitor),
            Want::Map => d.deserialize_map(visitor),
            Want::UnitStruct(name) => d.deserialize_unit_struct(name, visitor),
            Want::NewtypeStruct(name) => d.deserialize_newtype_struct(name, visitor),
            Want::Tuple(len) => d.deserialize_tuple(len, visitor),
            Want::TupleStruct(name, len) => d.deserialize_tuple_struct(name, len, visitor),
            Want::Struct(name, fields) => d.deserialize_struct(name, fields, visitor),
            Want::Enum(name, variants) => d.deserialize_enum(name, variants, visitor),
        }
    }

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
            Want::Unit | Want::UnitStruct(_) => 0,
            Want::NewtypeStruct(_) => 8,
            Want::Tuple(len) | Want::TupleStruct(_, len) => len.saturating_mul(8),
            Want::Struct(_, fields) => fields.len().saturating_mul(8),
            Want::Enum(..) => 16,
        }
    }

    /// The visitor of this request, charged.
    fn charged<V>(self, inner: V, budget: &Budget) -> Charged<'_, V> {
        Charged {
            inner,
            budget,
            fields: match self {
                Want::Struct(_, fields) => Some(fields),
                _ => None,
            },
        }
    }
}

impl<'de, D: Deserializer<'de>> Bounded<'_, '_, D> {
    /// Asks the inner deserializer for `want`; for a struct's field, a `null`
    /// reads as the type's default.
    fn want<V: Visitor<'de>>(self, want: Want, visitor: V) -> Result<V::Value, D::Error> {
        if let Place::Slot = self.place {
            self.budget.slot(want.size())?;
        }
        match self.place {
            Place::Field if self.budget.lenient => self.inner.deserialize_option(OrDefault {
                want,
                visitor,
                budget: self.budget,
            }),
            Place::Value | Place::Field | Place::Key(_) | Place::Slot => {
                want.ask(self.inner, want.charged(visitor, self.budget))
            }
        }
    }
}

macro_rules! want {
    ($($method:ident $(($($arg:ident: $ty:ty),*))? => $want:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self $($(, $arg: $ty)*)?, visitor: V) -> Result<V::Value, D::Error> {
            self.want($want, visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Bounded<'_, '_, D> {
    type Error = D::Error;

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
        deserialize_unit_struct(name: &'static str) => Want::UnitStruct(name),
        deserialize_newtype_struct(name: &'static str) => Want::NewtypeStruct(name),
        deserialize_tuple(len: usize) => Want::Tuple(len),
        deserialize_tuple_struct(name: &'static str, len: usize) => Want::TupleStruct(name, len),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]) => Want::Struct(name, fields),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]) => Want::Enum(name, variants),
    }

    // `null` is a value of its own here (`Value::Null`, `None`).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        // Untyped JSON (`Value`, or serde's buffer of a union being tried).
        if let Place::Slot = self.place {
            self.budget.slot(size_of::<serde_json::Value>())?;
        }
        self.inner
            .deserialize_any(Want::Unit.charged(visitor, self.budget))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        if let Place::Slot = self.place {
            self.budget.slot(size_of::<Option<String>>())?;
        }
        self.inner
            .deserialize_option(Want::Unit.charged(visitor, self.budget))
    }

    // Field names and skipped values are not kept: nothing to charge. A
    // struct's field names are noted.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        match self.place {
            Place::Key(fields) => self.inner.deserialize_identifier(Key {
                inner: visitor,
                fields,
            }),
            Place::Value | Place::Field | Place::Slot => self.inner.deserialize_identifier(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The visitor of a struct field's value: `null` reads as the default of
/// what was wanted.
struct OrDefault<'b, V> {
    want: Want,
    visitor: V,
    budget: &'b Budget,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for OrDefault<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.want
            .ask(Missing::new(), self.want.charged(self.visitor, self.budget))
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.want
            .ask(d, self.want.charged(self.visitor, self.budget))
    }
}

/// The visitor of a struct field's name: notes it, then hands it on.
struct Key<'f, V> {
    inner: V,
    fields: &'f Fields,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Key<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.fields.mark(v.as_bytes());
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.fields.mark(v.as_bytes());
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.fields.mark(v.as_bytes());
        self.inner.visit_string(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.fields.mark(v);
        self.inner.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.fields.mark(v);
        self.inner.visit_borrowed_bytes(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        if let Some(name) = usize::try_from(v)
            .ok()
            .and_then(|i| self.fields.names.get(i))
        {
            self.fields.mark(name.as_bytes());
        }
        self.inner.visit_u64(v)
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Charged<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool), visit_i8(i8), visit_i16(i16), visit_i32(i32), visit_i64(i64),
        visit_i128(i128), visit_u8(u8), visit_u16(u16), visit_u32(u32), visit_u64(u64),
        visit_u128(u128), visit_f32(f32), visit_f64(f64), visit_char(char),
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.budget.charge(v.len())?;
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.budget.charge(v.len())?;
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.budget.charge(v.len())?;
        self.inner.visit_string(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.budget.charge(v.len())?;
        self.inner.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.budget.charge(v.len())?;
        self.inner.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.budget.charge(v.len())?;
        self.inner.visit_byte_buf(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Bounded {
            inner: d,
            budget: self.budget,
            place: Place::Value,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Bounded {
            inner: d,
            budget: self.budget,
            place: Place::Value,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        match self.fields {
            // A struct written as an array: its items live in the struct.
            Some(_) => self.inner.visit_seq(seq),
            None => self.inner.visit_seq(Access {
                inner: seq,
                budget: self.budget,
            }),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        match self.fields {
            Some(names) if self.budget.lenient => self.inner.visit_map(StructAccess {
                inner: map,
                budget: self.budget,
                fields: Fields::new(names),
                missing: None,
            }),
            // A struct's fields live in the struct: not charged again.
            Some(_) => self.inner.visit_map(Inline {
                inner: map,
                budget: self.budget,
            }),
            None => self.inner.visit_map(Access {
                inner: map,
                budget: self.budget,
            }),
        }
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Access {
            inner: data,
            budget: self.budget,
        })
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, '_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Bounded {
            inner: d,
            budget: self.budget,
            place: self.place,
        })
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Access<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        self.inner.next_element_seed(Seed::slot(seed, self.budget))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Access<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.inner.next_key_seed(Seed::slot(seed, self.budget))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(Seed::slot(seed, self.budget))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StructAccess<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let seed = match self.missing {
            Some(_) => seed,
            None => {
                let mut slot = Some(seed);
                let key = self.inner.next_key_seed(SlotSeed {
                    slot: &mut slot,
                    budget: self.budget,
                    fields: &self.fields,
                })?;
                match (key, slot) {
                    (Some(key), _) => return Ok(Some(key)),
                    // The answer's fields are done: now the missing ones.
                    (None, Some(seed)) => {
                        self.missing = Some(0);
                        seed
                    }
                    (None, None) => return Ok(None),
                }
            }
        };
        let from = self.missing.unwrap_or(0);
        match self.fields.next_missing(from) {
            Some(i) => {
                self.missing = Some(i.saturating_add(1));
                let name = self.fields.names.get(i).copied().unwrap_or_default();
                seed.deserialize(BorrowedStrDeserializer::new(name))
                    .map(Some)
            }
            None => {
                self.missing = Some(self.fields.names.len());
                Ok(None)
            }
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        match self.missing {
            Some(_) => seed.deserialize(Missing::new()),
            None => self.inner.next_value_seed(Seed {
                inner: seed,
                budget: self.budget,
                place: Place::Field,
            }),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, 'b, A: EnumAccess<'de>> EnumAccess<'de> for Access<'b, A> {
    type Error = A::Error;
    type Variant = Access<'b, A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((
            value,
            Access {
                inner: variant,
                budget: self.budget,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Access<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner
            .newtype_variant_seed(Seed::value(seed, self.budget))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner
            .tuple_variant(len, Want::Tuple(len).charged(visitor, self.budget))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(
            fields,
            Want::Struct("", fields).charged(visitor, self.budget),
        )
    }
}

/// A value the answer did not have (or sent as `null` where its type allows
/// none), read as the natural default of what is asked for: `""`, `0`,
/// `false`, an empty array or map, a struct of defaults, `None`, `{}` for
/// untyped JSON. An enum has no natural default: asking for one is an error.
struct Missing<E> {
    /// How many structs of defaults deep (a type that requires itself would
    /// never end).
    depth: u8,
    error: PhantomData<E>,
}

impl<E> Missing<E> {
    fn new() -> Self {
        Missing {
            depth: 0,
            error: PhantomData,
        }
    }
}

/// No items: an empty array or map.
struct Empty<E>(PhantomData<E>);

impl<'de, E: de::Error> SeqAccess<'de> for Empty<E> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, _: T) -> Result<Option<T::Value>, E> {
        Ok(None)
    }
}

impl<'de, E: de::Error> MapAccess<'de> for Empty<E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, _: K) -> Result<Option<K::Value>, E> {
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, _: T) -> Result<T::Value, E> {
        Err(E::custom("a value without a key"))
    }
}

/// The fields of a struct of defaults.
struct MissingFields<E> {
    names: &'static [&'static str],
    next: usize,
    depth: u8,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> MapAccess<'de> for MissingFields<E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        let Some(name) = self.names.get(self.next) else {
            return Ok(None);
        };
        self.next = self.next.saturating_add(1);
        seed.deserialize(BorrowedStrDeserializer::new(name))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, E> {
        seed.deserialize(Missing {
            depth: self.depth,
            error: PhantomData,
        })
    }
}

/// How many structs of defaults may nest.
const MAX_DEFAULT_DEPTH: u8 = 32;

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    // Untyped JSON, or a union trying its members: an empty object, which
    // the `Unknown` member of a union always takes.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_map(Empty(PhantomData))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_bool(false)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_i8(0)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_i16(0)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_i32(0)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_i64(0)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_i128(0)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_u8(0)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_u16(0)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_u32(0)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_u64(0)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_u128(0)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_f32(0.0)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_f64(0.0)
    }

    fn deserialize_char<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::custom("a required character is missing"))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_borrowed_str("")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_borrowed_str("")
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_borrowed_bytes(b"")
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_borrowed_bytes(b"")
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_seq(Empty(PhantomData))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, E> {
        visitor.visit_seq(Empty(PhantomData))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_seq(Empty(PhantomData))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_map(Empty(PhantomData))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        if self.depth >= MAX_DEFAULT_DEPTH {
            return Err(E::custom("a required value is missing"));
        }
        visitor.visit_map(MissingFields {
            names: fields,
            next: 0,
            depth: self.depth.saturating_add(1),
            error: PhantomData,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, E> {
        Err(E::custom(format_args!(
            "a required {name} is missing (it has no default)"
        )))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, _: V) -> Result<V::Value, E> {
        Err(E::custom("a required name is missing"))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn a_list_item_is_charged_at_what_it_is_read_into_behind_the_erased_decoder() {
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
