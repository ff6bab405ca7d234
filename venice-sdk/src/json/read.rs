//! A pull reader (tokenizer) for JSON over a byte slice: the input side of a
//! `serde::Deserializer` without serde_json's generic `Read` layer.
//!
//! It accepts exactly what serde_json accepts (strict JSON; numbers classified
//! as serde_json does without `arbitrary_precision`; arrays and objects nested
//! at most as deep as serde_json allows) and fails with serde_json's messages
//! at serde_json's line and column for the syntax errors (the exceptions are
//! in the tests' `known_differences`). Its floats are correctly rounded, where
//! serde_json's (without `float_roundtrip`) may be 1 or 2 ULPs off. It never
//! panics and never recurses: [`Reader::skip_value`] keeps its stack in one
//! `u128`, and checks what it skips as reading it would (serde_json's
//! `IgnoredAny` lets lone surrogates and invalid UTF-8 through).
//!
//! Index arithmetic: every `i + k` below is on an index at most the input's
//! length (which is at most `isize::MAX`) with a small constant `k`, so it
//! cannot overflow; everything computed from the input's *content* (digits,
//! depths, lengths) is checked or saturating.

use memchr::memchr2;

/// What every reading method returns.
type Result<T> = std::result::Result<T, serde_json::Error>;

/// How many arrays and objects may be open at once, plus one: serde_json
/// counts down from 128 and fails when the count reaches 0, so it refuses the
/// 128th nested container (127 are fine). This reader does the same.
const RECURSION_LIMIT: usize = 128;

// serde_json's messages (its `ErrorCode`'s `Display`), word for word.
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const EXPECTED_DOUBLE_QUOTE: &str = "expected `\"`";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const INVALID_UNICODE_CODE_POINT: &str = "invalid unicode code point";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const LONE_LEADING_SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const UNEXPECTED_END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT_EXCEEDED: &str = "recursion limit exceeded";
// Not serde_json's: only for a method called on the wrong kind of value.
const EXPECTED_ARRAY: &str = "expected `[`";
const EXPECTED_OBJECT: &str = "expected `{`";

/// A JSON value's kind, as seen from its first byte (whitespace skipped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number (starts with `-` or a digit).
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// A number as serde_json reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    /// An integer without fraction or exponent that fits a `u64`.
    U64(u64),
    /// A negative integer without fraction or exponent that fits an `i64`.
    I64(i64),
    /// Anything else, including `-0` (as `-0.0`, like serde_json).
    F64(f64),
}

/// A string read from the input: borrowed when it had no escape, else decoded
/// into the reader's scratch buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Text<'de, 's> {
    /// The string's bytes in the input, as they are (it had no escape).
    Borrowed(&'de str),
    /// The string decoded into the reader's scratch buffer (it had escapes).
    Scratch(&'s str),
}

impl<'de, 's> Text<'de, 's> {
    /// The text, wherever it lives.
    pub(crate) fn as_str(&self) -> &str {
        match *self {
            Text::Borrowed(s) | Text::Scratch(s) => s,
        }
    }
}

/// Where a number's parts are in the input, as [`Reader::scan_number`] found them.
struct NumberScan {
    /// The index of its first byte (`-` or a digit).
    start: usize,
    /// The index just after its last byte.
    end: usize,
    /// Whether it starts with `-`.
    negative: bool,
    /// Its digits (integer and fraction parts) as an integer, `None` when
    /// they do not fit a `u64`. Without fraction and exponent: its value.
    mantissa: Option<u64>,
    /// Whether its integer part has more than 20 digits (more than a `u64`
    /// can have).
    long_integer: bool,
    /// Whether it has a fraction (`.` and digits).
    fraction: bool,
    /// Whether it has an exponent (`e`/`E`, an optional sign and digits).
    exponent: bool,
    /// The power of ten to multiply `mantissa` by (saturated).
    exponent10: i64,
}

/// A JSON pull reader over a byte slice.
pub(crate) struct Reader<'de> {
    /// The whole input.
    bytes: &'de [u8],
    /// How many bytes of `bytes` are consumed.
    pos: usize,
    /// How many arrays and objects are open.
    depth: usize,
    /// Where strings with escapes are decoded.
    scratch: Vec<u8>,
}

impl<'de> Reader<'de> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'de [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            depth: 0,
            scratch: Vec::new(),
        }
    }

    /// Skips whitespace and tells the kind of the next value, without consuming it.
    pub(crate) fn peek(&mut self) -> Result<Kind> {
        match self.skip_whitespace() {
            Some(b'n') => Ok(Kind::Null),
            Some(b't' | b'f') => Ok(Kind::Bool),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(b'"') => Ok(Kind::String),
            Some(b'[') => Ok(Kind::Array),
            Some(b'{') => Ok(Kind::Object),
            Some(_) => Err(self.error_at_byte(self.pos, EXPECTED_VALUE)),
            None => Err(self.error_after(self.pos, EOF_VALUE)),
        }
    }

    /// Skips whitespace and consumes `null`.
    pub(crate) fn null(&mut self) -> Result<()> {
        match self.skip_whitespace() {
            Some(b'n') => self.ident(b"null"),
            Some(_) => Err(self.error_at_byte(self.pos, EXPECTED_IDENT)),
            None => Err(self.error_after(self.pos, EOF_VALUE)),
        }
    }

    /// Skips whitespace and consumes `true` or `false`.
    pub(crate) fn bool(&mut self) -> Result<bool> {
        match self.skip_whitespace() {
            Some(b't') => self.ident(b"true").map(|()| true),
            Some(b'f') => self.ident(b"false").map(|()| false),
            Some(_) => Err(self.error_at_byte(self.pos, EXPECTED_IDENT)),
            None => Err(self.error_after(self.pos, EOF_VALUE)),
        }
    }

    /// Skips whitespace and consumes a number, classified as serde_json does:
    /// an integer that fits `u64` is `U64`, a negative one that fits `i64` is
    /// `I64`, anything else (fraction, exponent, out of range, and `-0`, as
    /// `-0.0`) is `F64`, correctly rounded (`str::parse`); an infinite `F64`
    /// is the error "number out of range".
    pub(crate) fn number(&mut self) -> Result<Number> {
        let scan = self.scan_number()?;
        if !scan.fraction && !scan.exponent {
            match scan.mantissa {
                Some(n) if !scan.negative => return Ok(Number::U64(n)),
                // `-0` is not an integer to serde_json: it is `-0.0`.
                Some(n) if n != 0 => {
                    if let Some(n) = 0_i64.checked_sub_unsigned(n) {
                        return Ok(Number::I64(n));
                    }
                }
                _ => {}
            }
        }
        self.float(&scan).map(Number::F64)
    }

    /// Skips whitespace and consumes a string: borrowed from the input when it
    /// has no escape, else decoded into the scratch buffer.
    pub(crate) fn string<'s>(&'s mut self) -> Result<Text<'de, 's>> {
        match self.skip_whitespace() {
            Some(b'"') => {}
            Some(_) => return Err(self.error_at_byte(self.pos, EXPECTED_DOUBLE_QUOTE)),
            None => return Err(self.error_after(self.pos, EOF_VALUE)),
        }
        match self.scan_string(true)? {
            Some(text) => Ok(Text::Borrowed(text)),
            None => match std::str::from_utf8(&self.scratch) {
                Ok(text) => Ok(Text::Scratch(text)),
                Err(err) => Err(self.scratch_utf8_error(err.valid_up_to())),
            },
        }
    }

    /// Skips whitespace and consumes `[`, opening an array.
    pub(crate) fn begin_array(&mut self) -> Result<()> {
        match self.skip_whitespace() {
            Some(b'[') => self.enter(),
            Some(_) => Err(self.error_at_byte(self.pos, EXPECTED_ARRAY)),
            None => Err(self.error_after(self.pos, EOF_VALUE)),
        }
    }

    /// Skips whitespace and consumes `{`, opening an object.
    pub(crate) fn begin_object(&mut self) -> Result<()> {
        match self.skip_whitespace() {
            Some(b'{') => self.enter(),
            Some(_) => Err(self.error_at_byte(self.pos, EXPECTED_OBJECT)),
            None => Err(self.error_after(self.pos, EOF_VALUE)),
        }
    }

    /// Inside an array: consumes `]` and returns false at its end; otherwise
    /// consumes the `,` before the element (not before the `first`) and
    /// returns true, leaving the element itself to the caller.
    pub(crate) fn next_element(&mut self, first: bool) -> Result<bool> {
        match self.skip_whitespace() {
            Some(b']') => {
                self.leave();
                Ok(false)
            }
            Some(_) if first => Ok(true),
            Some(b',') => {
                self.pos += 1;
                match self.skip_whitespace() {
                    // serde_json tells a trailing comma as such.
                    Some(b']') => Err(self.error_at_byte(self.pos, TRAILING_COMMA)),
                    Some(_) => Ok(true),
                    None => Err(self.error_after(self.pos, EOF_VALUE)),
                }
            }
            Some(_) => Err(self.error_at_byte(self.pos, EXPECTED_LIST_COMMA_OR_END)),
            None => Err(self.error_after(self.pos, EOF_LIST)),
        }
    }

    /// Inside an object: consumes `}` and returns `None` at its end; otherwise
    /// consumes the `,` (not before the `first`), the key and the `:`, and
    /// returns the key, leaving the value to the caller.
    pub(crate) fn next_key<'s>(&'s mut self, first: bool) -> Result<Option<Text<'de, 's>>> {
        if !self.key_start(first)? {
            return Ok(None);
        }
        match self.scan_string(true)? {
            Some(key) => {
                self.pos = colon(self.bytes, self.pos)?;
                Ok(Some(Text::Borrowed(key)))
            }
            None => {
                let key = match std::str::from_utf8(&self.scratch) {
                    Ok(key) => key,
                    Err(err) => return Err(self.scratch_utf8_error(err.valid_up_to())),
                };
                self.pos = colon(self.bytes, self.pos)?;
                Ok(Some(Text::Scratch(key)))
            }
        }
    }

    /// Skips one whole value of any kind, validating it as reading it would
    /// (same errors), without allocating and without recursing.
    pub(crate) fn skip_value(&mut self) -> Result<()> {
        // The containers opened here, innermost last: bit `k` is set when the
        // `k`th is an object. `enter` refuses more than `RECURSION_LIMIT`, so
        // 128 bits are enough.
        let mut objects: u128 = 0;
        let mut open: u32 = 0;
        loop {
            let opened = match self.peek()? {
                Kind::Null => self.ident(b"null").map(|()| None)?,
                Kind::Bool => self.bool().map(|_| None)?,
                Kind::Number => self.skip_number().map(|()| None)?,
                Kind::String => self.scan_string(false).map(|_| None)?,
                Kind::Array => self.enter().map(|()| Some(false))?,
                Kind::Object => self.enter().map(|()| Some(true))?,
            };
            let mut first = match opened {
                Some(is_object) => {
                    let Some(bit) = 1_u128.checked_shl(open) else {
                        return Err(self.error_at_byte(self.pos, RECURSION_LIMIT_EXCEEDED));
                    };
                    if is_object {
                        objects |= bit;
                    } else {
                        objects &= !bit;
                    }
                    open = open.saturating_add(1);
                    true
                }
                None => false,
            };
            // Find the next value to read, closing the containers that end.
            loop {
                let Some(top) = open.checked_sub(1) else {
                    return Ok(());
                };
                let in_object = objects.checked_shr(top).is_some_and(|bits| bits & 1 == 1);
                let more = if in_object {
                    let more = self.key_start(first)?;
                    if more {
                        self.scan_string(false)?;
                        self.pos = colon(self.bytes, self.pos)?;
                    }
                    more
                } else {
                    self.next_element(first)?
                };
                if more {
                    break;
                }
                open = top;
                first = false;
            }
        }
    }

    /// After the one entry of an object that holds an enum's variant
    /// (`{"name": value}`): consumes the `}` that ends it, as serde_json does
    /// (anything else is "expected value").
    pub(crate) fn end_variant(&mut self) -> Result<()> {
        match self.skip_whitespace() {
            Some(b'}') => {
                self.leave();
                Ok(())
            }
            Some(_) => Err(self.error_after(self.pos, EXPECTED_VALUE)),
            None => Err(self.error_after(self.pos, EOF_OBJECT)),
        }
    }

    /// After the top-level value: only whitespace may follow.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.skip_whitespace() {
            Some(_) => Err(self.error_at_byte(self.pos, TRAILING_CHARACTERS)),
            None => Ok(()),
        }
    }

    /// An error with `message` at the current position, displayed as
    /// serde_json's: "{message} at line {line} column {column}", the column
    /// being the bytes consumed since the last `'\n'` (serde_json's position
    /// for an error found after reading a value, such as a wrong type).
    pub(crate) fn error(&self, message: &str) -> serde_json::Error {
        self.error_after(self.pos, message)
    }

    /// Bytes consumed so far (for the tests).
    #[cfg(test)]
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// Skips whitespace; returns the next byte, not consumed (`None` at the end).
    #[inline]
    fn skip_whitespace(&mut self) -> Option<u8> {
        let bytes = self.bytes;
        let mut i = self.pos;
        while let Some(&byte) = bytes.get(i) {
            if !matches!(byte, b' ' | b'\n' | b'\t' | b'\r') {
                self.pos = i;
                return Some(byte);
            }
            i += 1;
        }
        self.pos = i;
        None
    }

    /// Consumes `word` (`null`, `true`, `false`), which starts at `self.pos`.
    #[inline]
    fn ident(&mut self, word: &'static [u8]) -> Result<()> {
        let start = self.pos;
        let end = start.saturating_add(word.len());
        if self.bytes.get(start..end) == Some(word) {
            self.pos = end;
            return Ok(());
        }
        // Where serde_json stops: at the first byte that differs, or the end.
        for (i, &expected) in (start..).zip(word) {
            match self.bytes.get(i) {
                None => return Err(self.error_after(i, EOF_VALUE)),
                Some(&byte) if byte != expected => {
                    return Err(self.error_at_byte(i, EXPECTED_IDENT));
                }
                Some(_) => {}
            }
        }
        Err(self.error_at_byte(start, EXPECTED_IDENT))
    }

    /// Opens an array or object whose bracket is at `self.pos`.
    fn enter(&mut self) -> Result<()> {
        let depth = self.depth.saturating_add(1);
        if depth >= RECURSION_LIMIT {
            return Err(self.error_at_byte(self.pos, RECURSION_LIMIT_EXCEEDED));
        }
        self.depth = depth;
        self.pos += 1;
        Ok(())
    }

    /// Closes an array or object whose bracket is at `self.pos`.
    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.pos += 1;
    }

    /// Inside an object: at its end, consumes `}` and returns false; else
    /// consumes the `,` (not before the `first`) and returns true, `self.pos`
    /// at the key's opening quote.
    fn key_start(&mut self, first: bool) -> Result<bool> {
        match self.skip_whitespace() {
            Some(b'}') => {
                self.leave();
                return Ok(false);
            }
            Some(b'"') if first => return Ok(true),
            Some(_) if first => return Err(self.error_at_byte(self.pos, KEY_MUST_BE_A_STRING)),
            Some(b',') => self.pos += 1,
            Some(_) => return Err(self.error_at_byte(self.pos, EXPECTED_OBJECT_COMMA_OR_END)),
            None => return Err(self.error_after(self.pos, EOF_OBJECT)),
        }
        match self.skip_whitespace() {
            Some(b'"') => Ok(true),
            Some(b'}') => Err(self.error_at_byte(self.pos, TRAILING_COMMA)),
            Some(_) => Err(self.error_at_byte(self.pos, KEY_MUST_BE_A_STRING)),
            None => Err(self.error_after(self.pos, EOF_VALUE)),
        }
    }

    /// Skips whitespace and consumes a number, checking its grammar and
    /// computing its parts without converting it.
    #[inline]
    fn scan_number(&mut self) -> Result<NumberScan> {
        let bytes = self.bytes;
        if self.skip_whitespace().is_none() {
            return Err(self.error_after(self.pos, EOF_VALUE));
        }
        let start = self.pos;
        let mut i = start;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut long_integer = false;
        let mut mantissa = match bytes.get(i) {
            Some(b'0') => {
                i += 1;
                // No leading zero.
                if matches!(bytes.get(i), Some(b'0'..=b'9')) {
                    return Err(self.error_at_byte(i, INVALID_NUMBER));
                }
                Some(0)
            }
            Some(b'1'..=b'9') => {
                let first = i;
                let mantissa;
                (i, mantissa) = self.accumulate_digits(i, Some(0));
                long_integer = i - first > 20;
                mantissa
            }
            Some(_) => return Err(self.error_at_byte(i, INVALID_NUMBER)),
            None => return Err(self.error_after(i, EOF_VALUE)),
        };
        let fraction = bytes.get(i) == Some(&b'.');
        let mut exponent10: i64 = 0;
        if fraction {
            let first = i + 1;
            (i, mantissa) = self.accumulate_digits(first, mantissa);
            if i == first {
                return Err(self.missing_digit(i));
            }
            exponent10 = i64::try_from(i - first).map_or(i64::MIN, |digits| -digits);
        }
        let exponent = matches!(bytes.get(i), Some(b'e' | b'E'));
        if exponent {
            i += 1;
            let exponent_negative = bytes.get(i) == Some(&b'-');
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let first = i;
            let mut value: i64 = 0;
            while let Some(&byte) = bytes.get(i) {
                let digit = byte.wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                value = value.saturating_mul(10).saturating_add(i64::from(digit));
                i += 1;
            }
            if i == first {
                return Err(self.missing_digit(i));
            }
            exponent10 = if exponent_negative {
                exponent10.saturating_sub(value)
            } else {
                exponent10.saturating_add(value)
            };
        }
        self.pos = i;
        Ok(NumberScan {
            start,
            end: i,
            negative,
            mantissa,
            long_integer,
            fraction,
            exponent,
            exponent10,
        })
    }

    /// The digits from `i` added to `value` (`None` once it overflows);
    /// returns the index after them and the value.
    #[inline]
    fn accumulate_digits(&self, mut i: usize, mut value: Option<u64>) -> (usize, Option<u64>) {
        while let Some(&byte) = self.bytes.get(i) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            value = value
                .and_then(|v| v.checked_mul(10))
                .and_then(|v| v.checked_add(u64::from(digit)));
            i += 1;
        }
        (i, value)
    }

    /// The error for a digit missing at `i` (after `.`, `e` or `e±`).
    #[cold]
    fn missing_digit(&self, i: usize) -> serde_json::Error {
        if i < self.bytes.len() {
            self.error_at_byte(i, INVALID_NUMBER)
        } else {
            self.error_after(i, EOF_VALUE)
        }
    }

    /// The `f64` of a scanned number, correctly rounded; "number out of
    /// range" if infinite.
    #[inline]
    fn float(&self, scan: &NumberScan) -> Result<f64> {
        if let Some(value) = exact_float(scan) {
            return Ok(value);
        }
        let text = self.bytes.get(scan.start..scan.end).unwrap_or_default();
        match std::str::from_utf8(text).map(str::parse::<f64>) {
            Ok(Ok(value)) if value.is_finite() => Ok(value),
            Ok(Ok(_)) => Err(self.error_after(scan.end, NUMBER_OUT_OF_RANGE)),
            // Not reached: the text is ASCII and valid JSON number grammar,
            // which `f64::from_str` accepts.
            _ => Err(self.error_after(scan.end, INVALID_NUMBER)),
        }
    }

    /// Skips a number, checking it as [`Reader::number`] would.
    fn skip_number(&mut self) -> Result<()> {
        let scan = self.scan_number()?;
        // Only a number with an exponent or a long integer part can be out
        // of range (`f64::MAX` is about 1.8e308).
        if scan.exponent || scan.long_integer {
            self.float(&scan)?;
        }
        Ok(())
    }

    /// Consumes the string whose opening quote is at `self.pos`. Without
    /// escapes, returns it borrowed from the input. With escapes, returns
    /// `None`: when `decode`, its decoded bytes are in `self.scratch` (for the
    /// caller to check as UTF-8); else it was only checked, UTF-8 included.
    fn scan_string(&mut self, decode: bool) -> Result<Option<&'de str>> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut at = self.find_quote_or_escape(start)?;
        if bytes.get(at) == Some(&b'"') {
            let raw = bytes.get(start..at).unwrap_or_default();
            return match std::str::from_utf8(raw) {
                Ok(text) => {
                    self.pos = at + 1;
                    Ok(Some(text))
                }
                Err(err) => Err(self.utf8_error(at, raw.len(), err.valid_up_to())),
            };
        }
        if decode {
            self.scratch.clear();
        }
        // Without `decode`: how long the decoded string would be, and where
        // its first invalid UTF-8 byte would be (reported at its end, as the
        // decoding path does).
        let mut decoded_len: usize = 0;
        let mut invalid_utf8: Option<usize> = None;
        let mut chunk_start = start;
        loop {
            let chunk = bytes.get(chunk_start..at).unwrap_or_default();
            if decode {
                self.scratch.extend_from_slice(chunk);
            } else {
                if invalid_utf8.is_none()
                    && let Err(err) = std::str::from_utf8(chunk)
                {
                    invalid_utf8 = Some(decoded_len.saturating_add(err.valid_up_to()));
                }
                decoded_len = decoded_len.saturating_add(chunk.len());
            }
            if bytes.get(at) == Some(&b'"') {
                if let Some(valid_up_to) = invalid_utf8 {
                    return Err(self.utf8_error(at, decoded_len, valid_up_to));
                }
                self.pos = at + 1;
                return Ok(None);
            }
            // A backslash at `at`.
            let (next, len) = self.escape(at, decode)?;
            decoded_len = decoded_len.saturating_add(len);
            chunk_start = next;
            at = self.find_quote_or_escape(next)?;
        }
    }

    /// The index of the first `"` or `\` from `from`; an error if a control
    /// character comes first or the input ends.
    #[inline]
    fn find_quote_or_escape(&self, from: usize) -> Result<usize> {
        let rest = self.bytes.get(from..).unwrap_or_default();
        let (chunk, found) = match memchr2(b'"', b'\\', rest) {
            Some(offset) => (rest.get(..offset).unwrap_or_default(), Some(offset)),
            None => (rest, None),
        };
        if has_control(chunk) {
            let offset = chunk
                .iter()
                .position(|&byte| byte < 0x20)
                .unwrap_or_default();
            return Err(self.error_at_byte(from + offset, CONTROL_CHARACTER));
        }
        match found {
            Some(offset) => Ok(from + offset),
            None => Err(self.error_after(self.bytes.len(), EOF_STRING)),
        }
    }

    /// Reads the escape whose backslash is at `at`, pushing its character to
    /// the scratch buffer when `decode`. Returns the index after it and its
    /// character's length in UTF-8.
    fn escape(&mut self, at: usize, decode: bool) -> Result<(usize, usize)> {
        let Some(&kind) = self.bytes.get(at + 1) else {
            return Err(self.error_after(self.bytes.len(), EOF_STRING));
        };
        let byte = match kind {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => b'\x08',
            b'f' => b'\x0c',
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(at, decode),
            _ => return Err(self.error_at_byte(at + 1, INVALID_ESCAPE)),
        };
        if decode {
            self.scratch.push(byte);
        }
        Ok((at + 2, 1))
    }

    /// Reads the `\uXXXX` escape (with its low surrogate's `\uXXXX` when it
    /// is a high surrogate) whose backslash is at `at`. As [`Reader::escape`].
    fn unicode_escape(&mut self, at: usize, decode: bool) -> Result<(usize, usize)> {
        let first = self.hex4(at + 2)?;
        let (code, next) = match first {
            0xDC00..=0xDFFF => {
                return Err(self.error_after(at + 6, LONE_LEADING_SURROGATE));
            }
            0xD800..=0xDBFF => {
                match self.bytes.get(at + 6) {
                    Some(b'\\') => {}
                    Some(_) => return Err(self.error_after(at + 7, UNEXPECTED_END_OF_HEX_ESCAPE)),
                    None => return Err(self.error_after(self.bytes.len(), EOF_STRING)),
                }
                match self.bytes.get(at + 7) {
                    Some(b'u') => {}
                    Some(_) => return Err(self.error_after(at + 8, UNEXPECTED_END_OF_HEX_ESCAPE)),
                    None => return Err(self.error_after(self.bytes.len(), EOF_STRING)),
                }
                let second = self.hex4(at + 8)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error_after(at + 12, LONE_LEADING_SURROGATE));
                }
                let high = u32::from(first & 0x3FF);
                let low = u32::from(second & 0x3FF);
                (0x1_0000 + ((high << 10) | low), at + 12)
            }
            _ => (u32::from(first), at + 6),
        };
        let Some(c) = char::from_u32(code) else {
            // Not reached: surrogates are paired above.
            return Err(self.error_after(next, INVALID_UNICODE_CODE_POINT));
        };
        if decode {
            let mut buf = [0; 4];
            self.scratch
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        Ok((next, c.len_utf8()))
    }

    /// The four hex digits at `from`.
    fn hex4(&self, from: usize) -> Result<u16> {
        let Some(digits) = self.bytes.get(from..from + 4) else {
            // serde_json: fewer than 4 bytes left is the end, whatever they are.
            return Err(self.error_after(self.bytes.len(), EOF_STRING));
        };
        let mut value: u16 = 0;
        for &digit in digits {
            let nibble = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(self.error_after(from + 4, INVALID_ESCAPE)),
            };
            value = (value << 4) | u16::from(nibble);
        }
        Ok(value)
    }

    /// The error for a string with escapes whose decoded bytes (in scratch)
    /// are not UTF-8 from `valid_up_to`; `self.pos` is after its closing quote.
    #[cold]
    fn scratch_utf8_error(&self, valid_up_to: usize) -> serde_json::Error {
        let close = self.pos.saturating_sub(1);
        self.utf8_error(close, self.scratch.len(), valid_up_to)
    }

    /// The error for a string whose closing quote is at `close` and whose
    /// decoded bytes (`decoded_len` of them) are not UTF-8 from `valid_up_to`,
    /// located as serde_json does: back from the closing quote by the decoded
    /// bytes from the invalid one (exact without escapes, approximate with).
    #[cold]
    fn utf8_error(
        &self,
        close: usize,
        decoded_len: usize,
        valid_up_to: usize,
    ) -> serde_json::Error {
        let (line, column) = position(self.bytes, close + 1);
        let column = column.saturating_sub(decoded_len.saturating_sub(valid_up_to));
        custom(INVALID_UNICODE_CODE_POINT, line, column)
    }

    /// An error located after `consumed` bytes (serde_json's `error`).
    #[cold]
    fn error_after(&self, consumed: usize, message: &str) -> serde_json::Error {
        error_after(self.bytes, consumed, message)
    }

    /// An error located at the byte at `index`, counted in the column
    /// (serde_json's `peek_error`); at the end of the input, as `error_after`.
    #[cold]
    fn error_at_byte(&self, index: usize, message: &str) -> serde_json::Error {
        error_after(self.bytes, index.saturating_add(1), message)
    }
}

/// The value of a scanned number when computing it in `f64` is exact
/// (Clinger's fast path): a mantissa of at most 53 bits and a power of ten
/// of at most 22 are both exact, so one multiplication or division rounds
/// once, correctly, as `str::parse` would. `None` otherwise.
#[inline]
fn exact_float(scan: &NumberScan) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mantissa = scan.mantissa?;
    if mantissa > 1 << 53 {
        return None;
    }
    // Exact: at most 53 bits.
    #[allow(clippy::cast_precision_loss)]
    let mantissa = mantissa as f64;
    let power = *POW10.get(usize::try_from(scan.exponent10.unsigned_abs()).ok()?)?;
    let value = if scan.exponent10 < 0 {
        mantissa / power
    } else {
        mantissa * power
    };
    Some(if scan.negative { -value } else { value })
}

/// Consumes the whitespace and the `:` after an object's key, from `i`;
/// returns the index after the `:`.
#[inline]
fn colon(bytes: &[u8], mut i: usize) -> Result<usize> {
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b':' => return Ok(i + 1),
            b' ' | b'\n' | b'\t' | b'\r' => i += 1,
            _ => return Err(error_after(bytes, i + 1, EXPECTED_COLON)),
        }
    }
    Err(error_after(bytes, i, EOF_OBJECT))
}

/// Whether `chunk` has a control character (U+0000 to U+001F): its least
/// byte, a reduction without early exit, so that it vectorizes.
#[inline]
fn has_control(chunk: &[u8]) -> bool {
    chunk.iter().fold(u8::MAX, |least, &byte| least.min(byte)) < 0x20
}

/// An error located after `consumed` bytes of `bytes`.
#[cold]
fn error_after(bytes: &[u8], consumed: usize, message: &str) -> serde_json::Error {
    let (line, column) = position(bytes, consumed);
    custom(message, line, column)
}

/// serde_json's line (1-based) and column (bytes since the last `'\n'`) after
/// `consumed` bytes of `bytes` (at most all of them).
fn position(bytes: &[u8], consumed: usize) -> (usize, usize) {
    let before = bytes.get(..consumed).unwrap_or(bytes);
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
    let line = memchr::memchr_iter(b'\n', before).count().saturating_add(1);
    (line, before.len().saturating_sub(line_start))
}

/// The error "{message} at line {line} column {column}", as serde_json
/// displays (and parses back) its own.
fn custom(message: &str, line: usize, column: usize) -> serde_json::Error {
    <serde_json::Error as serde::de::Error>::custom(format!(
        "{message} at line {line} column {column}"
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    /// Reads one whole value with the reader, recursively (the depth limit
    /// of `begin_array`/`begin_object` bounds the recursion).
    fn read_value(reader: &mut Reader<'_>) -> Result<Value> {
        Ok(match reader.peek()? {
            Kind::Null => {
                reader.null()?;
                Value::Null
            }
            Kind::Bool => Value::Bool(reader.bool()?),
            Kind::Number => Value::Number(match reader.number()? {
                Number::U64(n) => n.into(),
                Number::I64(n) => n.into(),
                Number::F64(f) => {
                    serde_json::Number::from_f64(f).ok_or_else(|| reader.error("not finite"))?
                }
            }),
            Kind::String => Value::String(reader.string()?.as_str().to_owned()),
            Kind::Array => {
                reader.begin_array()?;
                let mut items = Vec::new();
                let mut first = true;
                while reader.next_element(first)? {
                    first = false;
                    items.push(read_value(reader)?);
                }
                Value::Array(items)
            }
            Kind::Object => {
                reader.begin_object()?;
                let mut map = Map::new();
                let mut first = true;
                while let Some(key) = reader.next_key(first)? {
                    first = false;
                    let key = key.as_str().to_owned();
                    let value = read_value(reader)?;
                    map.insert(key, value);
                }
                Value::Object(map)
            }
        })
    }

    /// Reads `bytes` as one JSON document; returns it and the offset after the value.
    fn read_all(bytes: &[u8]) -> Result<(Value, usize)> {
        let mut reader = Reader::new(bytes);
        let value = read_value(&mut reader)?;
        let offset = reader.offset();
        reader.end()?;
        Ok((value, offset))
    }

    /// Skips `bytes` as one JSON document; returns the offset after the value.
    fn skip_all(bytes: &[u8]) -> Result<usize> {
        let mut reader = Reader::new(bytes);
        reader.skip_value()?;
        let offset = reader.offset();
        reader.end()?;
        Ok(offset)
    }

    /// How many ULPs serde_json's floats may be off (see `floats_are_correctly_rounded`).
    const SERDE_JSON_ULPS: u64 = 2;

    /// How many units in the last place `a` and `b` are apart (`u64::MAX`
    /// across signs, so `-0.0` and `0.0` differ).
    fn ulps(a: f64, b: f64) -> u64 {
        if a.to_bits() == b.to_bits() {
            0
        } else if a.is_sign_negative() != b.is_sign_negative() {
            u64::MAX
        } else {
            a.to_bits().abs_diff(b.to_bits())
        }
    }

    /// Whether `a` and `b` are the same value: numbers of the same kind,
    /// floats at most `max_ulps` apart (0: bit for bit), object keys in the
    /// same order.
    fn same(a: &Value, b: &Value, max_ulps: u64) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
                (Some(fx), Some(fy)) if x.is_f64() && y.is_f64() => ulps(fx, fy) <= max_ulps,
                _ => !x.is_f64() && !y.is_f64() && x == y,
            },
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y, max_ulps))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((kx, vx), (ky, vy))| kx == ky && same(vx, vy, max_ulps))
            }
            _ => a == b,
        }
    }

    /// `n` nested arrays.
    fn nested(n: usize) -> String {
        format!("{}{}", "[".repeat(n), "]".repeat(n))
    }

    /// Valid documents, each compared with serde_json.
    fn valid_inputs() -> Vec<Vec<u8>> {
        let texts = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "-0.0",
            "0.0",
            "0.1",
            "1E+2",
            "1e-2",
            "2.5E-3",
            "1e308",
            "-1e308",
            "1.7976931348623157e308",
            "2.2250738585072014e-308",
            "5e-324",
            "1e-400",
            "-1e-400",
            "0e999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775807",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551615",
            "18446744073709551616",
            "-18446744073709551616",
            "123456789012345678901234567890",
            "123456789012345678901234567890.5e-10",
            "0.30000000000000004",
            "3.141592653589793",
            "\"\"",
            "\"abc\"",
            r#""\"\\\/\b\f\n\r\t""#,
            r#""\u00e9""#,
            r#""\u00E9t\u00e9 \u0000 \u001f \uFFFF""#,
            r#""\uD83D\uDE00""#,
            r#""x\ud83d\ude00y""#,
            r#""a\/b""#,
            "\"caf\u{e9} \u{1F600} \u{7f}\"",
            r#""caf\u00e9 café \n end""#,
            "[]",
            "{}",
            "[[]]",
            "[{}]",
            "{\"a\":[]}",
            "[1,-2,3.5,\"x\",true,false,null,[],{}]",
            " \t\r\n[ 1 , 2 ,\n\t3 ] \r\n",
            "\n{ \"a\" : 1 , \"b\" : [ true , false , null ] , \"c\" : { } }\n",
            r#"{"a":{"b":{"c":[1,[2,[3,{"d":"e"}]]]}}}"#,
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"\u00e9":"\n","plain":"text","":""}"#,
        ];
        let mut inputs: Vec<Vec<u8>> = texts.iter().map(|t| t.as_bytes().to_vec()).collect();
        inputs.push(nested(RECURSION_LIMIT - 1).into_bytes());
        inputs.push(format!("{}1{}", "{\"k\":[".repeat(63), "]}".repeat(63)).into_bytes());
        inputs
    }

    #[test]
    fn reads_valid_documents_as_serde_json_does() {
        for input in valid_inputs() {
            let shown = String::from_utf8_lossy(&input);
            let theirs: Value = serde_json::from_slice(&input)
                .unwrap_or_else(|err| panic!("serde_json rejects {shown}: {err}"));
            let (ours, offset) =
                read_all(&input).unwrap_or_else(|err| panic!("reader rejects {shown}: {err}"));
            // serde_json is not correctly rounded without its `float_roundtrip`
            // feature (see `floats_are_correctly_rounded`).
            assert!(
                same(&ours, &theirs, SERDE_JSON_ULPS),
                "{shown}: {ours:?} != {theirs:?}"
            );
            let skipped = skip_all(&input).unwrap_or_else(|err| panic!("skip {shown}: {err}"));
            assert_eq!(skipped, offset, "{shown}");
        }
    }

    #[test]
    fn numbers_are_classified_as_serde_json_does() {
        let cases: &[(&str, Number)] = &[
            ("0", Number::U64(0)),
            ("18446744073709551615", Number::U64(u64::MAX)),
            ("-1", Number::I64(-1)),
            ("-9223372036854775808", Number::I64(i64::MIN)),
            ("-9223372036854775809", Number::F64(-9223372036854775809.0)),
            ("18446744073709551616", Number::F64(18446744073709551616.0)),
            ("1.0", Number::F64(1.0)),
            ("1e2", Number::F64(100.0)),
            ("1E+2", Number::F64(100.0)),
            ("-0", Number::F64(-0.0)),
        ];
        for &(text, expected) in cases {
            let mut reader = Reader::new(text.as_bytes());
            let number = reader.number().unwrap();
            assert_eq!(number, expected, "{text}");
            assert_eq!(reader.offset(), text.len());
        }
        // `-0` is `-0.0` to serde_json too (a float, negative zero).
        let theirs: Value = serde_json::from_str("-0").unwrap();
        assert!(theirs.is_f64());
        assert!(theirs.as_f64().unwrap().is_sign_negative());
        let mut reader = Reader::new(b"-0");
        match reader.number().unwrap() {
            Number::F64(f) => assert!(f == 0.0 && f.is_sign_negative()),
            other => panic!("{other:?}"),
        }
    }

    /// The reader's floats are `str::parse`'s, correctly rounded. serde_json's
    /// are not (without its `float_roundtrip` feature, which this workspace
    /// does not enable): it multiplies or divides the significand by a power
    /// of ten in `f64`, rounding twice. Over 2 000 000 random finite floats
    /// written by serde_json (shortest round-trip text), serde_json read ~29 %
    /// of them back one ULP off and ~0.2 % two ULPs off, never more; so the
    /// comparisons with serde_json allow `SERDE_JSON_ULPS`, while the reader
    /// must give back the exact bits.
    #[test]
    fn floats_are_correctly_rounded() {
        // Shortest texts of floats that serde_json reads back off (1 and 2 ULPs).
        for (text, serde_json_off) in [
            ("1.0715660391465826e-75", 1),
            ("-1.603964615428183e+143", 1),
            ("-9.867437071726851e-60", 2),
        ] {
            let exact: f64 = text.parse().unwrap();
            assert_eq!(
                format!("{exact:e}").replace('e', ""),
                text.replace(['e', '+'], "")
            );
            let mut reader = Reader::new(text.as_bytes());
            assert_eq!(reader.number().unwrap(), Number::F64(exact), "{text}");
            // Informative: serde_json's error at the time of writing.
            let theirs: f64 = serde_json::from_str(text).unwrap();
            let off = ulps(theirs, exact);
            assert!(off <= SERDE_JSON_ULPS, "{text}: {off}");
            if off != serde_json_off {
                println!("{text}: serde_json now {off} ULPs off, was {serde_json_off}");
            }
        }
        // Short decimals (the exact fast path and its edges) and long ones.
        let mut rng = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..50_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let digits = (rng >> (rng % 64)).to_string();
            let point = usize::try_from(rng % 23).unwrap().min(digits.len() - 1);
            let (integer, fraction) = digits.split_at(digits.len() - point);
            let sign = if rng & (1 << 20) == 0 { "" } else { "-" };
            let mut text = if fraction.is_empty() {
                format!("{sign}{integer}.0")
            } else {
                format!("{sign}{integer}.{fraction}")
            };
            if rng & (1 << 21) != 0 {
                let exponent = i64::try_from(rng % 61).unwrap() - 30;
                text.push_str(&format!("e{exponent}"));
            }
            let exact: f64 = text.parse().unwrap();
            let mut reader = Reader::new(text.as_bytes());
            assert_eq!(reader.number().unwrap(), Number::F64(exact), "{text}");
            assert_eq!(reader.offset(), text.len(), "{text}");
            let theirs: f64 = serde_json::from_str(&text).unwrap();
            assert!(ulps(theirs, exact) <= SERDE_JSON_ULPS, "{text}");
        }
        // Floats written by serde_json, shortest round-trip texts.
        let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..20_000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let x = f64::from_bits(rng);
            if !x.is_finite() {
                continue;
            }
            let text = serde_json::to_string(&x).unwrap();
            let mut reader = Reader::new(text.as_bytes());
            match reader.number().unwrap() {
                Number::F64(f) => assert_eq!(f.to_bits(), x.to_bits(), "{text}"),
                other => panic!("{text}: {other:?}"),
            }
            let theirs: f64 = serde_json::from_str(&text).unwrap();
            assert!(ulps(theirs, x) <= SERDE_JSON_ULPS, "{text}");
        }
    }

    /// Malformed documents: serde_json and the reader both fail; for each
    /// whether the reader's error is serde_json's exactly (message, line,
    /// column). Every case below matches; see `known_differences` for those
    /// that cannot.
    fn malformed_inputs() -> Vec<Vec<u8>> {
        let texts = [
            "",
            "   ",
            "[",
            "[1,]",
            "[1 2]",
            "[1,",
            "[}",
            "[,1]",
            "{",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":}",
            "{1:2}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":1,",
            "{\"a\":1,2}",
            "01",
            "-01",
            "1.",
            "1.e5",
            "-",
            "-x",
            "+1",
            ".5",
            "1e",
            "1e+",
            "1ex",
            "1e400",
            "-1e400",
            "123456789012345678901234567890e300",
            "\"abc",
            "\"\\x\"",
            "\"\\",
            "\"\u{1}\"",
            "\"a\nb\"",
            "\"\\ud800\"",
            "\"\\ud800\\n\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"\\ud800\\udbff\"",
            "tru",
            "trux",
            "nul",
            "nulll",
            "fals",
            "x",
            "[1] x",
            "{} {}",
            "[\n  1,\n  2\n  3]",
            "{\n  \"a\": 1,\n  \"b\":\n}",
            "[\n\"\\q\"]",
        ];
        let mut inputs: Vec<Vec<u8>> = texts.iter().map(|t| t.as_bytes().to_vec()).collect();
        inputs.push(vec![b'"', 0xff, b'"']);
        inputs.push(vec![b'"', b'a', b'b', 0xc3, b'"']);
        inputs.push(b"\"\\n\xff\"".to_vec());
        inputs.push(b"{\"k\xe9\":1}".to_vec());
        inputs.push(b"[\"\\u00e9\", \"\\t\xf0\x9f\x98\"]".to_vec());
        inputs.push(b"\"\xff\\x\"".to_vec());
        inputs.push(nested(RECURSION_LIMIT).into_bytes());
        inputs.push("{\"a\":".repeat(200).into_bytes());
        inputs
    }

    /// The message of an error, without its position.
    fn message(err: &serde_json::Error) -> String {
        let shown = err.to_string();
        match shown.rfind(" at line ") {
            Some(at) => shown[..at].to_owned(),
            None => shown,
        }
    }

    #[test]
    fn rejects_malformed_documents_as_serde_json_does() {
        for input in malformed_inputs() {
            let shown = String::from_utf8_lossy(&input);
            let theirs = serde_json::from_slice::<Value>(&input)
                .err()
                .unwrap_or_else(|| panic!("serde_json accepts {shown:?}"));
            let ours = read_all(&input)
                .err()
                .unwrap_or_else(|| panic!("reader accepts {shown:?}"));
            assert_eq!(message(&ours), message(&theirs), "{shown:?}");
            assert_eq!(
                (ours.line(), ours.column()),
                (theirs.line(), theirs.column()),
                "{shown:?}: {ours} / {theirs}"
            );
            assert_eq!(ours.to_string(), theirs.to_string(), "{shown:?}");
            // Skipping fails the same way.
            let skipped = skip_all(&input)
                .err()
                .unwrap_or_else(|| panic!("skip accepts {shown:?}"));
            assert_eq!(skipped.to_string(), ours.to_string(), "skip {shown:?}");
        }
    }

    /// Where the reader knowingly differs from serde_json.
    #[test]
    fn known_differences() {
        // serde_json's `IgnoredAny` (its skip) accepts a lone surrogate and
        // invalid UTF-8 in strings; `skip_value` rejects them as reading does.
        for input in [&b"[\"\\ud800\"]"[..], b"[\"\xff\"]"] {
            assert!(serde_json::from_slice::<serde::de::IgnoredAny>(input).is_ok());
            assert_eq!(
                skip_all(input).unwrap_err().to_string(),
                read_all(input).unwrap_err().to_string()
            );
        }
        // An exponent too long for an `i32`: serde_json stops at the digit
        // that overflows, the reader reports the end of the number.
        let input = b"1e99999999999999";
        let theirs = serde_json::from_slice::<Value>(input).unwrap_err();
        let ours = read_all(input).unwrap_err();
        assert_eq!(message(&ours), message(&theirs));
        assert_eq!(ours.column(), input.len());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let input = "[".repeat(100_000);
        let theirs = serde_json::from_str::<Value>(&input).unwrap_err();
        let ours = read_all(input.as_bytes()).unwrap_err();
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!(message(&ours), RECURSION_LIMIT_EXCEEDED);
        let skipped = skip_all(input.as_bytes()).unwrap_err();
        assert_eq!(skipped.to_string(), ours.to_string());
        let objects = "{\"a\":".repeat(100_000);
        let skipped = skip_all(objects.as_bytes()).unwrap_err();
        assert_eq!(message(&skipped), RECURSION_LIMIT_EXCEEDED);
        // The limit is serde_json's: 127 nested containers, not 128.
        assert!(serde_json::from_str::<Value>(&nested(RECURSION_LIMIT - 1)).is_ok());
        assert!(serde_json::from_str::<Value>(&nested(RECURSION_LIMIT)).is_err());
        assert!(read_all(nested(RECURSION_LIMIT - 1).as_bytes()).is_ok());
        assert!(skip_all(nested(RECURSION_LIMIT - 1).as_bytes()).is_ok());
        assert!(skip_all(nested(RECURSION_LIMIT).as_bytes()).is_err());
    }

    #[test]
    fn skip_value_consumes_exactly_one_value() {
        let input = br#"[{"a":[1,"x\n",{"b":null}],"c":-1.5e3}, "s", 7] tail"#;
        let mut reader = Reader::new(input);
        reader.begin_array().unwrap();
        assert!(reader.next_element(true).unwrap());
        reader.skip_value().unwrap();
        assert!(reader.next_element(false).unwrap());
        assert_eq!(reader.string().unwrap().as_str(), "s");
        assert!(reader.next_element(false).unwrap());
        reader.skip_value().unwrap();
        assert!(!reader.next_element(false).unwrap());
        assert_eq!(reader.depth, 0);
        assert_eq!(reader.offset(), input.len() - " tail".len());
        assert!(reader.end().is_err());
    }

    #[test]
    fn strings_are_borrowed_without_escapes() {
        let input = br#"{"plain": "text", "k\u00e9y": "a\nb", "": ""}"#;
        let mut reader = Reader::new(input);
        reader.begin_object().unwrap();
        let key = reader.next_key(true).unwrap().unwrap();
        assert!(matches!(key, Text::Borrowed("plain")), "{key:?}");
        let value = reader.string().unwrap();
        assert!(matches!(value, Text::Borrowed("text")), "{value:?}");
        let key = reader.next_key(false).unwrap().unwrap();
        assert!(matches!(key, Text::Scratch("kéy")), "{key:?}");
        let value = reader.string().unwrap();
        assert!(matches!(value, Text::Scratch("a\nb")), "{value:?}");
        let key = reader.next_key(false).unwrap().unwrap();
        assert!(matches!(key, Text::Borrowed("")), "{key:?}");
        let value = reader.string().unwrap();
        assert!(matches!(value, Text::Borrowed("")), "{value:?}");
        assert!(reader.next_key(false).unwrap().is_none());
        reader.end().unwrap();
    }

    #[test]
    fn error_is_located_as_serde_json_locates_a_wrong_type() {
        let input = "[\n  1]";
        let theirs = serde_json::from_str::<Vec<String>>(input).unwrap_err();
        let mut reader = Reader::new(input.as_bytes());
        reader.begin_array().unwrap();
        assert!(reader.next_element(true).unwrap());
        assert_eq!(reader.number().unwrap(), Number::U64(1));
        let ours = reader.error("invalid type: integer `1`, expected a string");
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!((ours.line(), ours.column()), (2, 3));
    }

    /// Strings with every kind of character, escapes and quotes included.
    fn any_string() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            '"',
            '\\',
            '/',
            '\u{0}',
            '\u{8}',
            '\u{c}',
            '\u{1f}',
            '\n',
            '\r',
            '\t',
            '\u{7f}',
            '\u{e9}',
            '\u{2028}',
            '\u{fffd}',
            '\u{ffff}',
            '\u{1f600}',
            '\u{10ffff}',
        ]);
        prop::collection::vec(
            prop_oneof![3 => any::<char>(), 2 => special, 3 => prop::char::range('a', 'z')],
            0..12,
        )
        .prop_map(String::from_iter)
    }

    /// Numbers of every kind serde_json has.
    fn any_number() -> impl Strategy<Value = serde_json::Number> {
        prop_oneof![
            any::<u64>().prop_map(serde_json::Number::from),
            any::<i64>().prop_map(serde_json::Number::from),
            any::<f64>().prop_filter_map("finite", serde_json::Number::from_f64),
            (-1e6..1e6_f64).prop_filter_map("finite", serde_json::Number::from_f64),
            prop::sample::select(vec![
                0.0,
                -0.0,
                1.0,
                f64::MAX,
                f64::MIN,
                f64::MIN_POSITIVE,
                5e-324
            ])
            .prop_filter_map("finite", serde_json::Number::from_f64),
        ]
    }

    /// Any JSON value.
    pub(in crate::json) fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any_number().prop_map(Value::Number),
            any_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any_string(), inner), 0..8)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    /// Pieces of JSON, right and wrong, to put together at random.
    fn any_fragments() -> impl Strategy<Value = Vec<u8>> {
        let pieces: Vec<&'static [u8]> = vec![
            b"[",
            b"]",
            b"{",
            b"}",
            b",",
            b":",
            b"\"",
            b"\"a\"",
            b"\"k\":",
            b" ",
            b"\n",
            b"\\",
            b"\\n",
            b"\\u",
            b"\\ud83d",
            b"\\ude00",
            b"00e9",
            b"0",
            b"1",
            b"9",
            b"-",
            b".",
            b"e",
            b"E+",
            b"true",
            b"fals",
            b"null",
            b"x",
            b"\x01",
            b"\xff",
            b"\xc3\xa9",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..24)
            .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any value serde_json writes (compact or pretty) reads back the
        /// same: exactly the original (the reader's floats are correctly
        /// rounded and serde_json writes the shortest round-trip text), and
        /// as serde_json reads it (within its rounding error).
        #[test]
        fn round_trips_what_serde_json_writes(value in any_value()) {
            let texts = [serde_json::to_vec(&value).unwrap(), serde_json::to_vec_pretty(&value).unwrap()];
            for text in texts {
                let (ours, offset) = read_all(&text)
                    .map_err(|err| TestCaseError::fail(format!("{err}")))?;
                prop_assert!(same(&ours, &value, 0), "{ours:?} != {value:?}");
                let theirs: Value = serde_json::from_slice(&text).unwrap();
                prop_assert!(same(&ours, &theirs, SERDE_JSON_ULPS), "{ours:?} != {theirs:?}");
                prop_assert_eq!(offset, text.len());
                prop_assert_eq!(skip_all(&text).map_err(|err| TestCaseError::fail(format!("{err}")))?, offset);
            }
        }

        /// On random pieces of JSON the reader accepts what serde_json
        /// accepts, reads the same value, and fails with the same error.
        #[test]
        fn agrees_with_serde_json_on_random_input(input in any_fragments()) {
            let theirs = serde_json::from_slice::<Value>(&input);
            let ours = read_all(&input);
            let skipped = skip_all(&input);
            match (&ours, &theirs) {
                (Ok((ours, offset)), Ok(theirs)) => {
                    prop_assert!(same(ours, theirs, SERDE_JSON_ULPS), "{ours:?} != {theirs:?}");
                    prop_assert_eq!(skipped.ok(), Some(*offset));
                }
                (Err(ours), Err(theirs)) => {
                    prop_assert_eq!(ours.to_string(), theirs.to_string());
                    prop_assert_eq!(skipped.err().map(|err| err.to_string()), Some(ours.to_string()));
                }
                _ => prop_assert!(false, "reader {:?}, serde_json {:?}", ours, theirs),
            }
        }
    }
}
