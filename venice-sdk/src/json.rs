//! Decoding JSON the server sent, within a memory budget.
//!
//! The response size cap bounds the *bytes* of an answer, not what decoding
//! them costs: a JSON array of small numbers decodes into a
//! `serde_json::Value` at ~70 bytes of heap per 2 bytes of input (and serde's
//! buffering of untagged enums costs the same), so a hostile 16 MB answer could
//! take gigabytes. [`from_slice`] decodes through a [`serde::Deserializer`]
//! adapter that charges what each decoded piece will occupy — every element
//! of a sequence and every entry of a map at twice the size of its Rust value
//! (a `Vec` doubles its capacity as it grows), every string at its length — and
//! stops the decode with [`Failure::OverBudget`] once the charges pass the
//! budget: [`DECODE_BUDGET_FACTOR`] times the input, and never less than
//! [`DECODE_BUDGET_FLOOR`]. Fields of a typed struct live inside the struct, so
//! they are not charged again; nothing is charged for skipped values.
//!
//! So the heap a decode holds is at most about the budget, and an answer at the
//! size cap costs at most the body plus twice the body.

use std::cell::Cell;
use std::fmt;
use std::mem::size_of;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

/// How many times the size of its input a decode may charge.
pub(crate) const DECODE_BUDGET_FACTOR: usize = 2;

/// The budget of a small input: a decode may always charge this much.
pub(crate) const DECODE_BUDGET_FLOOR: usize = 8 << 20;

/// Why a decode failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input is not JSON of the expected shape.
    Json(serde_json::Error),
    /// Decoding would have taken more heap than `limit` bytes.
    OverBudget {
        /// The budget, in bytes.
        limit: usize,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Json(e) => e.fmt(f),
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

/// Decodes `bytes` into `T` within the budget of its length.
pub(crate) fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    decode(
        &mut serde_json::Deserializer::from_slice(bytes),
        bytes.len(),
    )
}

/// Decodes `text` into `T` within the budget of its length.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Failure> {
    decode(&mut serde_json::Deserializer::from_str(text), text.len())
}

fn decode<'de, R, T>(json: &mut serde_json::Deserializer<R>, len: usize) -> Result<T, Failure>
where
    R: serde_json::de::Read<'de>,
    T: DeserializeOwned,
{
    let limit = budget_for(len);
    let budget = Budget {
        left: Cell::new(limit),
        exceeded: Cell::new(false),
    };
    let result = T::deserialize(Bounded {
        inner: &mut *json,
        budget: &budget,
    })
    .and_then(|value| json.end().map(|()| value));
    match result {
        Ok(value) => Ok(value),
        Err(_) if budget.exceeded.get() => Err(Failure::OverBudget { limit }),
        Err(e) => Err(Failure::Json(e)),
    }
}

/// What a decode may still charge.
struct Budget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
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

    /// A heap slot of a `T` in a growing collection.
    fn slot<T, E: de::Error>(&self) -> Result<(), E> {
        self.charge(size_of::<T>().saturating_mul(2))
    }
}

/// A [`Deserializer`] whose visitors are charged to the budget.
struct Bounded<'b, D> {
    inner: D,
    budget: &'b Budget,
}

/// A [`Visitor`] whose strings, sequences and maps are charged. `inline`: the
/// map is a struct's fields (already charged with the struct).
struct Charged<'b, V> {
    inner: V,
    budget: &'b Budget,
    inline: bool,
}

/// A seed that deserializes through [`Bounded`].
struct Seed<'b, S> {
    inner: S,
    budget: &'b Budget,
}

/// Sequence, map and enum access whose items are charged.
struct Access<'b, A> {
    inner: A,
    budget: &'b Budget,
    inline: bool,
}

impl<'b, V> Charged<'b, V> {
    fn new(inner: V, budget: &'b Budget) -> Self {
        Charged {
            inner,
            budget,
            inline: false,
        }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident $(($($arg:ident: $ty:ty),*))?),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self $($(, $arg: $ty)*)?, visitor: V) -> Result<V::Value, D::Error> {
            self.inner.$method($($($arg,)*)? Charged::new(visitor, self.budget))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Bounded<'_, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any, deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32,
        deserialize_i64, deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32,
        deserialize_u64, deserialize_u128, deserialize_f32, deserialize_f64, deserialize_char,
        deserialize_str, deserialize_string, deserialize_bytes, deserialize_byte_buf,
        deserialize_option, deserialize_unit, deserialize_seq, deserialize_map,
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = Charged {
            inner: visitor,
            budget: self.budget,
            inline: true,
        };
        self.inner.deserialize_struct(name, fields, visitor)
    }

    // Field names and skipped values are not kept: nothing to charge.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_identifier(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
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
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Bounded {
            inner: d,
            budget: self.budget,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(Access {
            inner: seq,
            budget: self.budget,
            inline: self.inline,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Access {
            inner: map,
            budget: self.budget,
            inline: self.inline,
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Access {
            inner: data,
            budget: self.budget,
            inline: false,
        })
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Bounded {
            inner: d,
            budget: self.budget,
        })
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Access<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        if !self.inline {
            self.budget.slot::<T::Value, A::Error>()?;
        }
        self.inner.next_element_seed(Seed {
            inner: seed,
            budget: self.budget,
        })
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
        if !self.inline {
            self.budget.slot::<K::Value, A::Error>()?;
        }
        self.inner.next_key_seed(Seed {
            inner: seed,
            budget: self.budget,
        })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        if !self.inline {
            self.budget.slot::<T::Value, A::Error>()?;
        }
        self.inner.next_value_seed(Seed {
            inner: seed,
            budget: self.budget,
        })
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
                inline: false,
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
        self.inner.newtype_variant_seed(Seed {
            inner: seed,
            budget: self.budget,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner
            .tuple_variant(len, Charged::new(visitor, self.budget))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let visitor = Charged {
            inner: visitor,
            budget: self.budget,
            inline: true,
        };
        self.inner.struct_variant(fields, visitor)
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
        assert!(matches!(from_str::<Vec<u8>>("[1,"), Err(Failure::Json(_))));
        assert!(matches!(
            from_str::<Vec<u8>>("[1] x"),
            Err(Failure::Json(_))
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
    fn the_budget_is_twice_the_input_with_a_floor() {
        assert_eq!(budget_for(10), DECODE_BUDGET_FLOOR);
        assert_eq!(budget_for(64 << 20), 128 << 20);
        assert_eq!(budget_for(usize::MAX), usize::MAX);
    }
}
