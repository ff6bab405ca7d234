//! Embeddings: `client.embeddings()` — one vector of `f32` per input, from a
//! JSON answer of numbers or of base64 (`encoding_format: "base64"`) alike.

use base64::Engine as _;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use serde_json::json;

use crate::error::DecodeError;
use crate::shape;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Embeddings.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let embeddings = client.embeddings();
    /// let list = embeddings.create(CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat")).await?;
    /// println!("{} dimensions", list.data[0].vector.len());
    /// # Ok(()) }
    /// ```
    pub fn embeddings(&self) -> Embeddings<'_> {
        Embeddings { client: self }
    }
}

/// Embeddings: `client.embeddings()`.
///
/// ```
/// use venice_sdk::types::CreateEmbeddingRequestSchema;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", vec!["a cat", "a kitten"]);
/// let list = client.embeddings().create(request).await?;
/// let [a, b] = [&list.data[0].vector, &list.data[1].vector];
/// let cosine: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
/// println!("similarity {cosine:.3}");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Embeddings<'a> {
    pub(crate) client: &'a Client,
}

/// Most inputs one request may hold (the spec's `maxItems`).
const MAX_INPUTS: usize = 2048;

impl Embeddings<'_> {
    /// Embeds the request's input: one vector per input, in input order.
    ///
    /// Either `encoding_format` works: numbers are read straight into `f32`, and
    /// base64 vectors (little-endian `f32` bytes, a quarter of the size on the
    /// wire) are decoded. A vector that is not valid base64, or whose length is
    /// not a whole number of `f32`s, is an [`Error::Decode`] naming its index.
    ///
    /// Input the API refuses is refused before sending, as
    /// [`Error::InvalidRequest`] naming `input`: an empty string, an empty list,
    /// or more than 2048 items.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", vec!["a cat", "a dog"]);
    /// let list = client.embeddings().create(request).await?;
    /// for embedding in &list.data {
    ///     println!("input {}: {} values", embedding.index, embedding.vector.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create(
        &self,
        request: types::CreateEmbeddingRequestSchema,
    ) -> Result<Response<EmbeddingList>, Error> {
        check_input(shape::json_of(&request).get("input"))?;
        let op = &operations::CREATE_EMBEDDING;
        let config = self.client.config();
        let response: Response<Wire> = Call::new(op).body(&request)?.json(config).await?;
        let (wire, meta) = response.into_parts();
        let mut data = Vec::with_capacity(wire.data.len());
        for (at, item) in wire.data.into_iter().enumerate() {
            let vector = item.embedding.into_vector().map_err(|message| {
                DecodeError::error(
                    op.id,
                    meta.status,
                    &meta.headers,
                    format!("data[{at}].embedding {message}"),
                    None,
                    &config.redactor,
                )
            })?;
            data.push(Embedding {
                index: item.index.unwrap_or(at),
                vector,
            });
        }
        // The API answers in input order; the sort makes it so whatever it does.
        data.sort_by_key(|e| e.index);
        Ok(Response::new(
            EmbeddingList {
                model: wire.model,
                data,
                usage: wire.usage,
            },
            meta,
        ))
    }
}

/// The answer of [`Embeddings::create`]: one vector per input.
///
/// ```
/// use venice_sdk::types::CreateEmbeddingRequestSchema;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let list = client.embeddings().create(CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat")).await?;
/// println!("{} vector(s) from {}, usage {:?}", list.data.len(), list.model, list.usage);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddingList {
    /// The model that made the vectors.
    pub model: String,
    /// The vectors, in input order.
    pub data: Vec<Embedding>,
    /// Tokens used, when the API says.
    pub usage: Option<types::CreateEmbeddingResponseUsage>,
}

/// One input's vector.
///
/// ```
/// use venice_sdk::types::CreateEmbeddingRequestSchema;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let list = client.embeddings().create(CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat")).await?;
/// let first = &list.data[0];
/// assert_eq!(first.index, 0);
/// println!("{:?}", &first.vector[..4]);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Embedding {
    /// The input it belongs to (0 for the first).
    pub index: usize,
    /// The vector.
    pub vector: Vec<f32>,
}

impl EmbeddingList {
    /// The vectors, in input order.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", vec!["a cat", "a dog"]);
    /// let list = client.embeddings().create(request).await?;
    /// for vector in list.vectors() {
    ///     let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    ///     println!("norm {norm:.3}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn vectors(&self) -> impl ExactSizeIterator<Item = &[f32]> {
        self.data.iter().map(|e| e.vector.as_slice())
    }

    /// The vectors, in input order, without copying them.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", vec!["a cat", "a dog"]);
    /// let vectors: Vec<Vec<f32>> = client.embeddings().create(request).await?.into_inner().into_vectors();
    /// assert_eq!(vectors.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn into_vectors(self) -> Vec<Vec<f32>> {
        self.data.into_iter().map(|e| e.vector).collect()
    }
}

impl types::CreateEmbeddingRequestSchema {
    /// A request embedding `input` with `model`, every other field unset.
    ///
    /// `input` is one text (`"…"`, a `String`), several (`Vec<String>`,
    /// `Vec<&str>`, `["…", "…"]`), token ids ([`EmbeddingInput::tokens`]) or
    /// the generated input type. Empty input is refused when the request is sent.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// let one = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat");
    /// let texts = vec!["a cat".to_owned(), "a dog".to_owned()];
    /// let many = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", texts);
    /// # let _ = (one, many);
    /// ```
    pub fn new(model: impl Into<String>, input: impl Into<EmbeddingInput>) -> Self {
        let input = shape::json_of(&input_of(input.into().0));
        shape::build(
            "CreateEmbeddingRequestSchema",
            json!({"model": model.into(), "input": input}),
        )
    }

    /// Asks for vectors of `dimensions` values (for models that can shorten
    /// them); zero is refused.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat").with_dimensions(256)?;
    /// assert!(CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat").with_dimensions(0).is_err());
    /// # let _ = request;
    /// # Ok::<(), venice_sdk::Error>(())
    /// ```
    pub fn with_dimensions(mut self, dimensions: u64) -> Result<Self, Error> {
        if dimensions == 0 {
            return Err(Error::invalid("dimensions", "must be greater than 0"));
        }
        self.dimensions = shape::convert("dimensions", dimensions)?;
        Ok(self)
    }

    /// Asks for base64 vectors: a quarter of the bytes of the JSON numbers on
    /// the wire; [`Embeddings::create`] decodes them the same.
    ///
    /// ```
    /// use venice_sdk::types::CreateEmbeddingRequestSchema;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", "a cat").with_base64();
    /// let list = client.embeddings().create(request).await?; // decoded into f32 all the same
    /// println!("{} values", list.data[0].vector.len());
    /// # Ok(()) }
    /// ```
    pub fn with_base64(mut self) -> Self {
        self.encoding_format = shape::build("encoding_format", json!("base64"));
        self
    }
}

/// Texts as the generated input union, whatever its members and their order: one
/// text as a string, several as a list. (An empty text is no member's string; it
/// becomes a one-item list holding it, which [`Embeddings::create`] refuses
/// before sending.)
fn input_of(texts: serde_json::Value) -> types::CreateEmbeddingRequestSchemaInput {
    if texts.as_str().is_some_and(|text| !text.is_empty())
        && let Ok(input) = shape::convert("input", &texts)
    {
        return input;
    }
    let list = match texts {
        list @ serde_json::Value::Array(_) => list,
        one => serde_json::Value::Array(vec![one]),
    };
    shape::build("CreateEmbeddingRequestSchemaInput", list)
}

/// What to embed: one text, several texts, or token ids, whatever shape the
/// generated input type has (its members and their order follow the spec's).
///
/// ```
/// use venice_sdk::EmbeddingInput;
///
/// let one = EmbeddingInput::from("a cat");
/// let many = EmbeddingInput::from(vec!["a cat".to_owned(), "a dog".to_owned()]);
/// let tokens = EmbeddingInput::tokens([791, 8415, 7731]);
/// # let _ = (one, many, tokens);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EmbeddingInput(serde_json::Value);

impl EmbeddingInput {
    /// One list of token ids, embedded as one input.
    ///
    /// ```
    /// use venice_sdk::{EmbeddingInput, types::CreateEmbeddingRequestSchema};
    ///
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", EmbeddingInput::tokens([791, 8415, 7731]));
    /// # let _ = request;
    /// ```
    pub fn tokens(ids: impl IntoIterator<Item = u32>) -> Self {
        Self(json!(ids.into_iter().collect::<Vec<u32>>()))
    }

    /// Several lists of token ids, one vector each.
    ///
    /// ```
    /// use venice_sdk::{EmbeddingInput, types::CreateEmbeddingRequestSchema};
    ///
    /// let input = EmbeddingInput::token_lists([vec![791, 8415], vec![7731, 12, 99]]);
    /// let request = CreateEmbeddingRequestSchema::new("text-embedding-bge-m3", input);
    /// # let _ = request;
    /// ```
    pub fn token_lists<L: IntoIterator<Item = u32>>(lists: impl IntoIterator<Item = L>) -> Self {
        let lists: Vec<Vec<u32>> = lists.into_iter().map(|l| l.into_iter().collect()).collect();
        Self(json!(lists))
    }
}

/// One text. (An empty text cannot be the generated non-empty string; it
/// becomes a one-item list holding it, which [`Embeddings::create`] refuses
/// before sending.)
impl From<&str> for EmbeddingInput {
    fn from(text: &str) -> Self {
        Self(json!(text))
    }
}

/// One text.
impl From<String> for EmbeddingInput {
    fn from(text: String) -> Self {
        Self(serde_json::Value::String(text))
    }
}

/// One text.
impl From<&String> for EmbeddingInput {
    fn from(text: &String) -> Self {
        Self::from(text.as_str())
    }
}

/// Several texts, one vector each.
impl From<Vec<String>> for EmbeddingInput {
    fn from(texts: Vec<String>) -> Self {
        Self(json!(texts))
    }
}

/// Several texts, one vector each.
impl From<&[String]> for EmbeddingInput {
    fn from(texts: &[String]) -> Self {
        Self(json!(texts))
    }
}

/// Several texts, one vector each.
impl From<Vec<&str>> for EmbeddingInput {
    fn from(texts: Vec<&str>) -> Self {
        Self(json!(texts))
    }
}

/// Several texts, one vector each.
impl From<&[&str]> for EmbeddingInput {
    fn from(texts: &[&str]) -> Self {
        Self(json!(texts))
    }
}

/// Several texts, one vector each.
impl<const N: usize> From<[&str; N]> for EmbeddingInput {
    fn from(texts: [&str; N]) -> Self {
        Self(json!(texts.as_slice()))
    }
}

/// The generated input type, as it is.
impl From<types::CreateEmbeddingRequestSchemaInput> for EmbeddingInput {
    fn from(input: types::CreateEmbeddingRequestSchemaInput) -> Self {
        Self(shape::json_of(&input))
    }
}

/// Refuses what the API refuses: empty texts, empty lists, more than
/// [`MAX_INPUTS`] items. Read from the input's JSON (a text, a list of texts, of
/// token ids or of token lists), not from the generated union's variants, whose
/// names and order follow the spec's.
fn check_input(input: Option<&serde_json::Value>) -> Result<(), Error> {
    use serde_json::Value;
    let items = match input {
        Some(Value::String(text)) if text.is_empty() => {
            return Err(Error::invalid("input", "must not be an empty string"));
        }
        Some(Value::Array(items)) => {
            for (at, item) in items.iter().enumerate() {
                match item {
                    Value::String(text) if text.is_empty() => {
                        return Err(Error::invalid(
                            format!("input[{at}]"),
                            "must not be an empty string",
                        ));
                    }
                    Value::Array(tokens) if tokens.is_empty() => {
                        return Err(Error::invalid(
                            format!("input[{at}]"),
                            "must hold at least 1 token",
                        ));
                    }
                    _ => {}
                }
            }
            items.len()
        }
        // One text, none, or a shape added upstream: the API checks it.
        _ => return Ok(()),
    };
    if items == 0 {
        return Err(Error::invalid("input", "must hold at least 1 item"));
    }
    if items > MAX_INPUTS {
        return Err(Error::invalid(
            "input",
            format!("must hold at most {MAX_INPUTS} items (holds {items})"),
        ));
    }
    Ok(())
}

/// The answer as sent: the vectors are numbers or base64, which the generated
/// response type (numbers only) cannot read.
#[derive(serde::Deserialize)]
struct Wire {
    data: Vec<WireItem>,
    #[serde(default)]
    model: String,
    #[serde(default)]
    usage: Option<types::CreateEmbeddingResponseUsage>,
}

#[derive(serde::Deserialize)]
struct WireItem {
    embedding: Vector,
    #[serde(default)]
    index: Option<usize>,
}

/// One vector as sent: `f32`s read straight from the numbers, or base64 text
/// decoded afterwards (so its error can name the item).
enum Vector {
    Floats(Vec<f32>),
    Base64(String),
}

impl Vector {
    /// The vector, or what is wrong with it (`is not valid base64: …`).
    fn into_vector(self) -> Result<Vec<f32>, String> {
        match self {
            Vector::Floats(values) => Ok(values),
            Vector::Base64(text) => decode_base64(&text),
        }
    }
}

/// Little-endian `f32`s from base64 text.
fn decode_base64(text: &str) -> Result<Vec<f32>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("is not valid base64: {e}"))?;
    if bytes.len() % 4 != 0 {
        return Err(format!(
            "holds {} bytes, not a whole number of 32-bit floats",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

impl<'de> serde::Deserialize<'de> for Vector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VectorVisitor;

        impl<'de> Visitor<'de> for VectorVisitor {
            type Value = Vector;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of numbers or a base64 string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Vector, E> {
                Ok(Vector::Base64(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Vector, E> {
                Ok(Vector::Base64(v))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vector, A::Error> {
                // The hint is the server's to give: capped, so it cannot
                // reserve more than the body could hold anyway.
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(value) = seq.next_element::<f32>()? {
                    values.push(value);
                }
                Ok(Vector::Floats(values))
            }
        }

        deserializer.deserialize_any(VectorVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors_are_little_endian_f32s() {
        let values = [0.5f32, -1.25, 3.0e-7];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert_eq!(decode_base64(&text).unwrap(), values);
        assert!(
            decode_base64("AAAA!")
                .unwrap_err()
                .contains("not valid base64")
        );
        // 3 bytes: not a whole f32.
        assert!(decode_base64("AAAA").unwrap_err().contains("3 bytes"));
        assert_eq!(decode_base64("").unwrap(), Vec::<f32>::new());
    }

    #[test]
    fn wire_vectors_are_numbers_or_text() {
        let wire: Wire = serde_json::from_str(
            r#"{"data": [{"embedding": [0.25, -1, 2e-3], "index": 0, "object": "embedding"},
                         {"embedding": "AACAPw==", "index": 1}], "model": "m", "object": "list"}"#,
        )
        .unwrap();
        let vectors: Vec<Vec<f32>> = wire
            .data
            .into_iter()
            .map(|i| i.embedding.into_vector().unwrap())
            .collect();
        assert_eq!(vectors, [vec![0.25, -1.0, 2e-3], vec![1.0]]);
        assert!(serde_json::from_str::<Vector>("{}").is_err());
        assert!(serde_json::from_str::<Vector>(r#"["x"]"#).is_err());
    }

    #[test]
    fn inputs_convert_and_empty_ones_are_refused() {
        use EmbeddingInput as Input;
        let json = |input: Input| shape::json_of(&input_of(input.0));
        let check_input = |input: &Input| check_input(Some(&json(input.clone())));
        assert_eq!(json(Input::from("hi")), json!("hi"));
        assert_eq!(json(Input::from(String::from("hi"))), json!("hi"));
        assert_eq!(json(Input::from(["a", "b"])), json!(["a", "b"]));
        assert_eq!(
            json(Input::from("")),
            json!([""]),
            "an empty text is a list"
        );
        assert!(check_input(&Input::from("hi")).is_ok());
        let tokens = Input::token_lists([Vec::<u32>::new()]);
        for bad in [
            Input::from(""),
            Input::from(String::new()),
            Input::from(Vec::<&str>::new()),
            Input::from(["a", ""]),
            Input::from(vec!["x"; MAX_INPUTS + 1]),
            tokens,
        ] {
            let e = check_input(&bad).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidRequest { field, .. } if field.starts_with("input")),
                "{e}"
            );
        }
        assert!(check_input(&Input::from(vec!["x"; MAX_INPUTS])).is_ok());
        assert!(check_input(&Input::tokens([1, 2])).is_ok());
        assert_eq!(json(Input::tokens([1, 2])), json!([1, 2]));
        assert_eq!(json(Input::token_lists([[1], [2]])), json!([[1], [2]]));
        assert_eq!(
            json(Input::from(vec!["a".to_owned(), "b".to_owned()])),
            json!(["a", "b"])
        );
    }
}
