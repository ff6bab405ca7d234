//! Incremental, linear-time parser for `text/event-stream` (Server-Sent Events).
//!
//! Venice.ai (like every OpenAI-compatible API) streams chat completions as
//! server-sent events: `data: {json}` lines separated by blank lines, `: ...`
//! keep-alive comments, and a final `data: [DONE]`. This module turns the raw
//! bytes of such a response body, in whatever pieces the network delivers
//! them, into [`Event`]s.
//!
//! # Rules followed (WHATWG HTML, "event stream interpretation")
//!
//! * One UTF-8 byte order mark (`EF BB BF`) at the very start of the stream is
//!   dropped, even if it arrives split across several [`SseParser::push`]
//!   calls. A BOM anywhere else is ordinary content.
//! * Lines end with CRLF, LF or a lone CR. Splitting happens on bytes, so a
//!   chunk may end anywhere: mid-line, between the CR and LF of a CRLF, or
//!   inside a multi-byte UTF-8 character.
//! * A blank line dispatches the event being built. If its data buffer is
//!   empty nothing is dispatched (the event type is still reset); otherwise
//!   one trailing LF is removed from the data and the event is returned.
//! * A line starting with `:` is a comment (servers use them as keep-alives)
//!   and is ignored.
//! * Otherwise the field name is everything before the first `:` and the
//!   value everything after it, minus exactly one leading space if there is
//!   one; a line without `:` is a field name with an empty value. Field names
//!   are compared as exact bytes (case-sensitive):
//!   * `event` sets the event type (`"message"` when unset or empty);
//!   * `data` appends the value and an LF to the data buffer;
//!   * `id` sets the last event ID, unless the value contains NUL; it persists
//!     across events and is reported in every later [`Event::id`];
//!   * `retry` sets the reconnection time if the value is non-empty and all
//!     ASCII digits (see [`Event::retry`]);
//!   * any other field is ignored.
//! * At the end of the stream ([`SseParser::finish`]) an event that was not
//!   terminated by a blank line is discarded, as the specification requires.
//!
//! # Guarantees
//!
//! * **Any chunking gives the same result.** Feeding a stream whole, byte by
//!   byte or split anywhere produces exactly the same sequence of results.
//!   Events are returned as soon as their terminating blank line is seen: a
//!   line ended by a lone CR is processed at once, and an LF that immediately
//!   follows it (the second half of a CRLF split across chunks) is skipped
//!   when it arrives, so CR-terminated streams are never delayed.
//! * **UTF-8 is checked per event.** Bytes are only decoded when an event is
//!   dispatched. An event whose data, event type or id is not valid UTF-8 comes
//!   out as [`SseError::InvalidUtf8`] and parsing continues with the next
//!   event. Lossy decoding is never applied.
//! * **Linear time.** The parser keeps a scan position, so each pushed byte is
//!   searched for a line terminator once, copied at most once into the event's
//!   data and validated once; consumed input is dropped only when it is at
//!   least half of the buffer, so compaction is amortised O(1) per byte.
//! * **Bounded memory.** The bytes held for the event in progress (its data
//!   and event type so far plus the line currently being read, field names
//!   included) may not exceed the limit ([`DEFAULT_MAX_EVENT_SIZE`] unless set
//!   with [`SseParser::with_max_event_size`]). Past it the parser reports
//!   [`SseError::EventTooLarge`] once, throws that event away and skips input
//!   (holding none of it) until the next blank line, then resumes normally.
//!   Provided [`SseParser::next_event`] is drained after each push, memory
//!   stays within a small multiple of the limit plus the chunk size.
//! * **No panics, no `unsafe`.**
//!

#![forbid(unsafe_code)]

use std::fmt;

pub use crate::defaults::DEFAULT_MAX_EVENT_SIZE;

/// The UTF-8 byte order mark, dropped once at the start of a stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Lines at least this long take the [`SseParser::take_long_data_line`] fast
/// path (small in tests so that the property tests exercise it).
const LONG_LINE: usize = if cfg!(test) { 8 } else { 64 * 1024 };

/// Once the input buffer's capacity exceeds this, it is shrunk again when
/// mostly unused, so one huge event does not pin its memory forever.
const SHRINK_THRESHOLD: usize = 64 * 1024;

/// One dispatched server-sent event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The event type: the last `event` field of the event, or `"message"`
    /// when there was none or it was empty.
    pub event: String,
    /// The `data` fields of the event joined with `\n` (e.g. one JSON chunk,
    /// or `[DONE]`).
    pub data: String,
    /// The last event ID at dispatch time: the most recent `id` field seen on
    /// the stream so far (in this event or an earlier one). `None` if no `id`
    /// field was seen or the last one was empty, which the specification
    /// treats as "no last event ID".
    pub id: Option<String>,
    /// The reconnection time in milliseconds from the most recent valid
    /// `retry` field seen since the previous successfully returned event, if
    /// any. This includes `retry` fields in blocks that were not dispatched
    /// for lack of data (e.g. a leading `retry: 3000` block), so the value is
    /// not lost. [`SseParser::reconnection_time`] gives the current value.
    pub retry: Option<u64>,
}

/// Why an event could not be returned. Parsing always continues after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SseError {
    /// An event's accumulated size (data + fields of the event in progress,
    /// or one unterminated line) exceeded the limit. The event was discarded
    /// up to the next blank line.
    EventTooLarge {
        /// The limit in bytes that was exceeded.
        limit: usize,
    },
    /// An event's data/event/id field was not valid UTF-8; `valid_up_to` is
    /// the byte offset at which decoding failed, within the event's data (with
    /// `data` lines joined by `\n`) when the data is invalid, otherwise within
    /// the value of the offending `event` or `id` field. The event was skipped.
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix of the offending value.
        valid_up_to: usize,
    },
}

impl fmt::Display for SseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SseError::EventTooLarge { limit } => write!(
                f,
                "server-sent event larger than the {limit}-byte limit was skipped \
                 (raise it with SseParser::with_max_event_size)"
            ),
            SseError::InvalidUtf8 { valid_up_to } => write!(
                f,
                "server-sent event skipped: its data, event or id field is not valid UTF-8 \
                 (invalid byte at offset {valid_up_to}); the server sent a non-UTF-8 stream"
            ),
        }
    }
}

impl std::error::Error for SseError {}

/// Incremental server-sent events parser.
///
/// Feed it the response body with [`push`](Self::push), after each push take
/// results with [`next_event`](Self::next_event) until it returns `None`, and
/// call [`finish`](Self::finish) when the body ends.
#[derive(Clone)]
pub struct SseParser {
    /// Maximum bytes held for one event in progress.
    limit: usize,
    /// Pushed input; `buf[..line_start]` is consumed and may be dropped.
    buf: Vec<u8>,
    /// Start of the line being read.
    line_start: usize,
    /// `buf[line_start..scan]` is known to contain no CR or LF.
    scan: usize,
    /// Whether the start of the stream has been checked for a BOM.
    bom_checked: bool,
    /// The previous line ended with a CR, so an LF right after it is the
    /// second half of a CRLF and must be skipped.
    skip_lf: bool,
    /// Per-event and per-stream field state.
    state: State,
    /// Bytes examined by the line scan plus bytes moved by compaction, to
    /// check linearity in tests.
    #[cfg(test)]
    work: usize,
}

/// Field state, kept apart from the input buffer so a line borrowed from the
/// buffer can be applied to it.
#[derive(Clone, Default)]
struct State {
    /// Data buffer: each `data` value followed by LF.
    data: Vec<u8>,
    /// Event type buffer.
    event_type: Vec<u8>,
    /// A valid `retry` value not yet reported in a returned event.
    retry: Option<u64>,
    /// An invalid-UTF-8 `id` field seen in the event in progress.
    id_error: Option<SseError>,
    /// The last event ID (`None` when empty).
    last_event_id: Option<String>,
    /// The stream's reconnection time, from the last valid `retry` field.
    reconnection_time: Option<u64>,
    /// The event in progress was too large: ignore lines up to a blank line.
    discarding: bool,
    /// While discarding: the current line already had bytes (dropped before
    /// its terminator arrived), so it is not blank.
    discarded_line_nonempty: bool,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for SseParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseParser")
            .field("max_event_size", &self.limit)
            .field("buffered_bytes", &(self.buf.len() - self.line_start))
            .field("event_bytes", &self.state.held())
            .field("discarding", &self.state.discarding)
            .field("last_event_id", &self.state.last_event_id)
            .field("reconnection_time", &self.state.reconnection_time)
            .finish()
    }
}

impl SseParser {
    /// Creates a parser with the [`DEFAULT_MAX_EVENT_SIZE`] limit.
    #[must_use]
    pub fn new() -> Self {
        Self::with_max_event_size(DEFAULT_MAX_EVENT_SIZE)
    }

    /// Creates a parser whose events in progress may hold at most `limit`
    /// bytes (data and event type accumulated so far plus the line being read,
    /// field names included). Larger events yield [`SseError::EventTooLarge`].
    #[must_use]
    pub fn with_max_event_size(limit: usize) -> Self {
        SseParser {
            limit,
            buf: Vec::new(),
            line_start: 0,
            scan: 0,
            bom_checked: false,
            skip_lf: false,
            state: State::default(),
            #[cfg(test)]
            work: 0,
        }
    }

    /// Appends bytes received from the network (any split: mid-line,
    /// mid-CRLF, mid-UTF-8 character).
    ///
    /// Nothing is parsed here; call [`next_event`](Self::next_event) until it
    /// returns `None` after each push, so that consumed input can be released.
    pub fn push(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        let consumed = self.line_start;
        if consumed > 0 && consumed >= self.buf.len() - consumed {
            // Moves at most `consumed` bytes: amortised O(1) per input byte.
            #[cfg(test)]
            {
                self.work += self.buf.len() - consumed;
            }
            self.buf.drain(..consumed);
            self.scan -= consumed;
            self.line_start = 0;
            let capacity = self.buf.capacity();
            if capacity > SHRINK_THRESHOLD && self.buf.len() + chunk.len() < capacity / 4 {
                self.buf.shrink_to(capacity / 2);
            }
        }
        self.buf.extend_from_slice(chunk);
    }

    /// Returns the next complete event (or error) available from what was
    /// pushed so far, without rescanning consumed bytes; `None` once more input
    /// is needed.
    pub fn next_event(&mut self) -> Option<Result<Event, SseError>> {
        self.advance(false)
    }

    /// Call once at end of stream. Returns every result still pending (events
    /// that [`next_event`](Self::next_event) has not returned yet), then drops
    /// the unfinished event, if any: one not yet terminated by a blank line,
    /// including a final line with no terminator at all. A final line ended by
    /// a lone CR counts as terminated, so a stream ending `"data: x\n\r"`
    /// yields `x`. A partial BOM at the start of an otherwise empty stream is
    /// treated as content.
    ///
    /// Afterwards the parser is reset to its initial state (keeping its
    /// limit), ready for a new stream such as a reconnection. As in the
    /// specification, a new stream starts with an empty last event ID: read
    /// [`last_event_id`](Self::last_event_id) before calling this if you need
    /// it for a `Last-Event-ID` header.
    pub fn finish(&mut self) -> Vec<Result<Event, SseError>> {
        let mut results = Vec::new();
        while let Some(result) = self.advance(true) {
            results.push(result);
        }
        *self = Self::with_max_event_size(self.limit);
        results
    }

    /// The last event ID of the stream so far (`None` if none was set or it
    /// was set to the empty string); send it as `Last-Event-ID` when
    /// reconnecting.
    #[cfg(test)]
    #[must_use]
    pub fn last_event_id(&self) -> Option<&str> {
        self.state.last_event_id.as_deref()
    }

    /// The stream's reconnection time in milliseconds, from the most recent
    /// valid `retry` field, if any.
    #[cfg(test)]
    #[must_use]
    pub fn reconnection_time(&self) -> Option<u64> {
        self.state.reconnection_time
    }

    /// Parses lines until one yields a result or the input runs out. At end
    /// of stream (`eof`) a partial BOM is no longer waited for.
    fn advance(&mut self, eof: bool) -> Option<Result<Event, SseError>> {
        if !self.bom_checked {
            let pending = self.buf.get(self.line_start..).unwrap_or_default();
            if pending.len() >= BOM.len() || eof {
                if pending.starts_with(BOM) {
                    self.line_start += BOM.len();
                    self.scan = self.line_start;
                }
                self.bom_checked = true;
            } else if BOM.starts_with(pending) {
                return None; // could still be a BOM
            } else {
                self.bom_checked = true;
            }
        }
        loop {
            if self.skip_lf {
                let next = *self.buf.get(self.line_start)?;
                self.skip_lf = false;
                if next == b'\n' {
                    self.line_start += 1;
                    self.scan = self.line_start;
                }
            }
            let unscanned = self.buf.get(self.scan..).unwrap_or_default();
            let Some(offset) = find_line_end(unscanned) else {
                #[cfg(test)]
                {
                    self.work += unscanned.len();
                }
                self.scan = self.buf.len();
                return self.check_partial_line();
            };
            #[cfg(test)]
            {
                self.work += offset + 1;
            }
            let end = self.scan + offset;
            let start = self.line_start;
            self.skip_lf = self.buf.get(end) == Some(&b'\r');
            self.line_start = end + 1;
            self.scan = end + 1;
            if self.take_long_data_line(start, end) {
                continue;
            }
            let line = self.buf.get(start..end).unwrap_or_default();
            if let Some(result) = self.state.process_line(line, self.limit) {
                return Some(result);
            }
        }
    }

    /// Fast path for a long first `data` line of an event (typically a whole
    /// multi-megabyte JSON payload): instead of copying its value into a fresh
    /// data buffer, the input buffer itself becomes the data buffer and the
    /// few bytes after the line move to a new input buffer. Same result as
    /// [`State::process_line`], minus one large allocation and copy. Returns
    /// whether the line `buf[start..end]` was handled.
    fn take_long_data_line(&mut self, start: usize, end: usize) -> bool {
        let line_len = end - start;
        let tail_len = self.buf.len() - (end + 1);
        let state = &self.state;
        if line_len < LONG_LINE
            || tail_len > line_len / 4
            || state.discarding
            || !state.data.is_empty()
            || state.held().saturating_add(line_len) > self.limit
        {
            return false;
        }
        let line = self.buf.get(start..end).unwrap_or_default();
        let Some(value) = line.strip_prefix(b"data:") else {
            return false;
        };
        let value_start = end - value.strip_prefix(b" ").unwrap_or(value).len();
        #[cfg(test)]
        {
            self.work += tail_len + (end - value_start);
        }
        let tail = self.buf.get(end + 1..).unwrap_or_default().to_vec();
        let mut data = std::mem::replace(&mut self.buf, tail);
        data.truncate(end);
        data.drain(..value_start);
        data.push(b'\n');
        data.shrink_to_fit();
        self.state.data = data;
        self.line_start = 0;
        self.scan = 0;
        true
    }

    /// Enforces the limit on the unterminated line at the end of the buffer,
    /// and drops its bytes while discarding.
    fn check_partial_line(&mut self) -> Option<Result<Event, SseError>> {
        let partial = self.buf.len() - self.line_start;
        if self.state.discarding {
            if partial > 0 {
                self.state.discarded_line_nonempty = true;
                self.line_start = self.buf.len();
            }
            return None;
        }
        if self.state.held().saturating_add(partial) > self.limit {
            self.state.start_discarding(partial > 0);
            self.line_start = self.buf.len();
            return Some(Err(SseError::EventTooLarge { limit: self.limit }));
        }
        None
    }
}

impl State {
    /// Bytes held for the event in progress.
    fn held(&self) -> usize {
        self.data.len() + self.event_type.len()
    }

    /// Applies one complete line (without its terminator).
    fn process_line(&mut self, line: &[u8], limit: usize) -> Option<Result<Event, SseError>> {
        if self.discarding {
            if line.is_empty() && !self.discarded_line_nonempty {
                self.discarding = false;
            }
            self.discarded_line_nonempty = false;
            return None;
        }
        if line.is_empty() {
            return self.dispatch();
        }
        if self.held().saturating_add(line.len()) > limit {
            self.start_discarding(false);
            return Some(Err(SseError::EventTooLarge { limit }));
        }
        let (name, value) = match memchr::memchr(b':', line) {
            Some(0) => return None, // comment / keep-alive
            Some(colon) => {
                let value = line.get(colon + 1..).unwrap_or_default();
                let name = line.get(..colon).unwrap_or_default();
                (name, value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match name {
            b"data" => {
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            b"id" if !value.contains(&0) => match std::str::from_utf8(value) {
                Ok(id) => self.last_event_id = (!id.is_empty()).then(|| id.to_owned()),
                Err(e) => {
                    self.id_error.get_or_insert(SseError::InvalidUtf8 {
                        valid_up_to: e.valid_up_to(),
                    });
                }
            },
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                let millis = value.iter().fold(0u64, |acc, &digit| {
                    acc.saturating_mul(10)
                        .saturating_add(u64::from(digit - b'0'))
                });
                self.retry = Some(millis);
                self.reconnection_time = Some(millis);
            }
            _ => {}
        }
        None
    }

    /// Handles a blank line: returns the event if its data buffer is not
    /// empty, and resets the per-event buffers either way.
    fn dispatch(&mut self) -> Option<Result<Event, SseError>> {
        let event_type = std::mem::take(&mut self.event_type);
        let id_error = self.id_error.take();
        if self.data.is_empty() {
            return None;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the LF appended after the last data line
        let data = match String::from_utf8(data) {
            Ok(data) => data,
            Err(e) => {
                let valid_up_to = e.utf8_error().valid_up_to();
                return Some(Err(SseError::InvalidUtf8 { valid_up_to }));
            }
        };
        let event = if event_type.is_empty() {
            "message".to_owned()
        } else {
            match String::from_utf8(event_type) {
                Ok(event) => event,
                Err(e) => {
                    let valid_up_to = e.utf8_error().valid_up_to();
                    return Some(Err(SseError::InvalidUtf8 { valid_up_to }));
                }
            }
        };
        if let Some(error) = id_error {
            return Some(Err(error));
        }
        Some(Ok(Event {
            event,
            data,
            id: self.last_event_id.clone(),
            retry: self.retry.take(),
        }))
    }

    /// Drops the event in progress and ignores lines up to the next blank
    /// line. `line_nonempty` tells whether the current line already had bytes.
    fn start_discarding(&mut self, line_nonempty: bool) {
        self.data = Vec::new(); // release the memory, not just the length
        self.event_type = Vec::new();
        self.id_error = None;
        self.discarding = true;
        self.discarded_line_nonempty = line_nonempty;
    }
}

/// Position of the first CR or LF in `haystack` (vectorized: data lines can be
/// megabytes long).
fn find_line_end(haystack: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', haystack)
}

/// Parses a complete stream: pushes all of `input`, drains the events, and
/// finishes.
#[cfg(test)]
#[must_use]
pub fn parse_all(input: &[u8]) -> Vec<Result<Event, SseError>> {
    let mut parser = SseParser::new();
    parser.push(input);
    let mut results = Vec::new();
    while let Some(result) = parser.next_event() {
        results.push(result);
    }
    results.extend(parser.finish());
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_anywhere_give_the_same_events() {
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        for chunk in [&b"data: {\"a\":"[..], b"1}\r", b"\n\r\ndata: [DONE]\n\n"] {
            parser.push(chunk);
            while let Some(event) = parser.next_event() {
                events.push(event.unwrap().data);
            }
        }
        assert!(parser.finish().is_empty());
        assert_eq!(events, ["{\"a\":1}", "[DONE]"]);
    }

    use proptest::prelude::*;

    type Results = Vec<Result<Event, SseError>>;

    fn ev(
        event: &str,
        data: &str,
        id: Option<&str>,
        retry: Option<u64>,
    ) -> Result<Event, SseError> {
        Ok(Event {
            event: event.to_owned(),
            data: data.to_owned(),
            id: id.map(str::to_owned),
            retry,
        })
    }

    fn msg(data: &str) -> Result<Event, SseError> {
        ev("message", data, None, None)
    }

    fn drain(parser: &mut SseParser, out: &mut Results) {
        while let Some(result) = parser.next_event() {
            out.push(result);
        }
    }

    /// Feeds `input` in pieces cut at `cuts` (sorted, any values), draining
    /// after every push.
    fn parse_chunked(input: &[u8], cuts: &[usize], limit: usize) -> Results {
        let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
        cuts.sort_unstable();
        let mut parser = SseParser::with_max_event_size(limit);
        let mut out = Vec::new();
        let mut previous = 0;
        for cut in cuts.into_iter().chain([input.len()]) {
            parser.push(&input[previous..cut]);
            drain(&mut parser, &mut out);
            previous = cut;
        }
        out.extend(parser.finish());
        out
    }

    fn parse_whole(input: &[u8], limit: usize) -> Results {
        parse_chunked(input, &[], limit)
    }

    fn parse_bytewise(input: &[u8], limit: usize) -> Results {
        let cuts: Vec<usize> = (1..input.len()).collect();
        parse_chunked(input, &cuts, limit)
    }

    /// Asserts whole, byte-by-byte and every two-way split all give `expected`.
    fn assert_all_splittings(name: &str, input: &[u8], limit: usize, expected: &Results) {
        assert_eq!(&parse_whole(input, limit), expected, "{name}: whole");
        assert_eq!(
            &parse_bytewise(input, limit),
            expected,
            "{name}: byte by byte"
        );
        for cut in 0..=input.len() {
            assert_eq!(
                &parse_chunked(input, &[cut], limit),
                expected,
                "{name}: split at {cut}"
            );
        }
    }

    const CHAT_STREAM: &str = concat!(
        ": keep-alive\n\n",
        "data: {\"id\":\"chatcmpl-7f\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,",
        "\"model\":\"qwen3-235b\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},",
        "\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-7f\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,",
        "\"model\":\"qwen3-235b\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"L'utilisateur veut la météo… 🌦\"},",
        "\"finish_reason\":null}]}\n\n",
        ": keep-alive\n\n",
        "data: {\"id\":\"chatcmpl-7f\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,",
        "\"model\":\"qwen3-235b\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",",
        "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-7f\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,",
        "\"model\":\"qwen3-235b\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,",
        "\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"chatcmpl-7f\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,",
        "\"model\":\"qwen3-235b\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: {\"id\":\"chatcmpl-7f\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,",
        "\"model\":\"qwen3-235b\",\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":17,",
        "\"total_tokens\":59}}\n\n",
        "data: [DONE]\n\n",
    );

    fn chat_stream_expected() -> Results {
        CHAT_STREAM
            .split("\n\n")
            .filter(|block| block.starts_with("data: "))
            .map(|block| msg(&block["data: ".len()..]))
            .collect()
    }

    fn fixtures() -> Vec<(&'static str, Vec<u8>, Results)> {
        let b = |s: &[u8]| s.to_vec();
        vec![
            (
                "bom stripped",
                b(b"\xEF\xBB\xBFdata: a\n\n"),
                vec![msg("a")],
            ),
            ("bom only", b(b"\xEF\xBB\xBF"), vec![]),
            ("partial bom at eof", b(b"\xEF\xBB"), vec![]),
            (
                "second bom in data kept",
                b(b"\xEF\xBB\xBFdata: \xEF\xBB\xBFx\n\n"),
                vec![msg("\u{feff}x")],
            ),
            (
                "second bom at stream start makes an unknown field",
                b(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n"),
                vec![msg("b")],
            ),
            (
                "bom after the start is not stripped",
                b(b"data: a\n\n\xEF\xBB\xBFdata: b\n\ndata: c\n\n"),
                vec![msg("a"), msg("c")],
            ),
            (
                "bom prefix that is not a bom",
                b(b"\xEF\xBBdata: a\n\ndata: b\n\n"),
                vec![msg("b")],
            ),
            (
                "lf endings",
                b(b"data: a\ndata: b\n\ndata: c\n\n"),
                vec![msg("a\nb"), msg("c")],
            ),
            (
                "cr endings",
                b(b"data: a\rdata: b\r\rdata: c\r\r"),
                vec![msg("a\nb"), msg("c")],
            ),
            (
                "crlf endings",
                b(b"data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"),
                vec![msg("a\nb"), msg("c")],
            ),
            (
                "mixed endings",
                b(b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r\ndata: e\n\rdata: f\r\n\n"),
                vec![msg("a\nb\nc"), msg("d"), msg("e"), msg("f")],
            ),
            ("lf then cr is two lines", b(b"data: x\n\r"), vec![msg("x")]),
            (
                "final blank line is a bare cr",
                b(b"data: x\r\r"),
                vec![msg("x")],
            ),
            (
                "comments and keep-alives",
                b(b": keep-alive\n\n:\n\ndata: a\n: inside\ndata: b\n\n:ping\r\n\r\n"),
                vec![msg("a\nb")],
            ),
            (
                "multi-line data",
                b(b"data: {\ndata:   \"a\": 1\ndata: }\n\n"),
                vec![msg("{\n  \"a\": 1\n}")],
            ),
            ("field without colon", b(b"data\n\n"), vec![msg("")]),
            (
                "two empty data lines",
                b(b"data\ndata\n\n"),
                vec![msg("\n")],
            ),
            (
                "data with empty value",
                b(b"data:\n\ndata: \n\n"),
                vec![msg(""), msg("")],
            ),
            (
                "one leading space stripped",
                b(b"data: a\n\n"),
                vec![msg("a")],
            ),
            ("no space", b(b"data:a\n\n"), vec![msg("a")]),
            ("two spaces keep one", b(b"data:  a\n\n"), vec![msg(" a")]),
            ("tab kept", b(b"data:\ta\n\n"), vec![msg("\ta")]),
            (
                "colons in value",
                b(b"data: a:b: c\n\ndata::\n\n"),
                vec![msg("a:b: c"), msg(":")],
            ),
            ("trailing space kept", b(b"data: a \n\n"), vec![msg("a ")]),
            (
                "event type",
                b(b"event: add\ndata: 1\n\ndata: 2\n\n"),
                vec![ev("add", "1", None, None), msg("2")],
            ),
            (
                "last event field wins",
                b(b"event: a\nevent: b\ndata: 1\n\n"),
                vec![ev("b", "1", None, None)],
            ),
            (
                "empty event type is message",
                b(b"event:\ndata: x\n\n"),
                vec![msg("x")],
            ),
            (
                "event type reset without dispatch",
                b(b"event: lost\n\ndata: x\n\n"),
                vec![msg("x")],
            ),
            (
                "id persists",
                b(b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"),
                vec![
                    ev("message", "a", Some("1"), None),
                    ev("message", "b", Some("1"), None),
                    ev("message", "c", Some("2"), None),
                ],
            ),
            (
                "id set by a block without data",
                b(b"id: 7\n\ndata: a\n\n"),
                vec![ev("message", "a", Some("7"), None)],
            ),
            (
                "empty id resets",
                b(b"id: 1\ndata: a\n\nid\ndata: b\n\n"),
                vec![ev("message", "a", Some("1"), None), msg("b")],
            ),
            (
                "id with nul ignored",
                b(b"id: 1\n\nid: 2\x003\ndata: x\n\n"),
                vec![ev("message", "x", Some("1"), None)],
            ),
            (
                "retry digits",
                b(b"retry: 1500\ndata: a\n\ndata: b\n\n"),
                vec![ev("message", "a", None, Some(1500)), msg("b")],
            ),
            (
                "retry-only block carried to next event",
                b(b"retry: 3000\n\ndata: a\n\n"),
                vec![ev("message", "a", None, Some(3000))],
            ),
            (
                "retry non-digits ignored",
                b(b"retry: 15x\nretry: -1\nretry:  10\nretry\nretry: 1.5\ndata: a\n\n"),
                vec![msg("a")],
            ),
            (
                "retry overflow saturates",
                b(b"retry: 99999999999999999999999\ndata: a\n\n"),
                vec![ev("message", "a", None, Some(u64::MAX))],
            ),
            (
                "unknown fields ignored, names case-sensitive",
                b(b"foo: bar\nDATA: no\nData: no\n data: no\ndata : no\ndata: a\n\n"),
                vec![msg("a")],
            ),
            (
                "unfinished event at eof dropped",
                b(b"data: a\n\ndata: b\n"),
                vec![msg("a")],
            ),
            (
                "unterminated line at eof dropped",
                b(b"data: a\n\ndata: b"),
                vec![msg("a")],
            ),
            ("lone cr after data line at eof", b(b"data: a\r"), vec![]),
            ("only blank lines", b(b"\n\n\r\n\r\r"), vec![]),
            (
                "blank line without data",
                b(b"event: x\nid\nretry: x\n\n"),
                vec![],
            ),
            (
                "done sentinel is data",
                b(b"data: [DONE]\n\n"),
                vec![msg("[DONE]")],
            ),
            (
                "multi-byte utf-8",
                b("data: héllo 🌍 ✓\n\n".as_bytes()),
                vec![msg("héllo 🌍 ✓")],
            ),
            (
                "invalid utf-8 data then valid event",
                b(b"data: a\xFFb\n\ndata: ok\n\n"),
                vec![Err(SseError::InvalidUtf8 { valid_up_to: 1 }), msg("ok")],
            ),
            (
                "invalid utf-8 offset spans data lines",
                b(b"data: ab\ndata: \xC3\n\ndata: ok\n\n"),
                vec![Err(SseError::InvalidUtf8 { valid_up_to: 3 }), msg("ok")],
            ),
            (
                "invalid utf-8 event type",
                b(b"event: \xFF\ndata: a\n\ndata: b\n\n"),
                vec![Err(SseError::InvalidUtf8 { valid_up_to: 0 }), msg("b")],
            ),
            (
                "invalid utf-8 id keeps previous id",
                b(b"id: ok\n\nid: x\xE2\x82\ndata: a\n\ndata: b\n\n"),
                vec![
                    Err(SseError::InvalidUtf8 { valid_up_to: 1 }),
                    ev("message", "b", Some("ok"), None),
                ],
            ),
            (
                "invalid utf-8 in comment and unknown field ignored",
                b(b": \xFF\n\xFF: x\ndata: a\n\n"),
                vec![msg("a")],
            ),
            (
                "chat completion stream",
                b(CHAT_STREAM.as_bytes()),
                chat_stream_expected(),
            ),
            (
                "chat completion stream with crlf",
                CHAT_STREAM.replace('\n', "\r\n").into_bytes(),
                chat_stream_expected(),
            ),
        ]
    }

    #[test]
    fn fixtures_match_with_every_splitting() {
        for (name, input, expected) in fixtures() {
            assert_all_splittings(name, &input, DEFAULT_MAX_EVENT_SIZE, &expected);
            assert_eq!(parse_all(&input), expected, "{name}: parse_all");
            assert_eq!(reference_parse(&input), expected, "{name}: reference model");
        }
    }

    #[test]
    fn chat_stream_fixture_is_realistic() {
        let expected = chat_stream_expected();
        assert_eq!(expected.len(), 7);
        assert_eq!(expected.last(), Some(&msg("[DONE]")));
    }

    #[test]
    fn event_too_large_then_recovers() {
        let mut input = b"data: ".to_vec();
        input.extend([b'x'; 100]);
        input.extend(b"\n\ndata: ok\n\n");
        let expected = vec![Err(SseError::EventTooLarge { limit: 64 }), msg("ok")];
        assert_all_splittings("too large", &input, 64, &expected);
    }

    #[test]
    fn event_too_large_discards_rest_of_event() {
        // The error comes from the accumulated data; the remaining lines of
        // that event (including its id) are ignored, the id before it is kept.
        let mut input = b"id: 1\n".to_vec();
        for _ in 0..6 {
            input.extend(b"data: 0123456789\n");
        }
        input.extend(b"id: 2\ndata: more\n\nevent: e\ndata: ok\n\n");
        let expected = vec![
            Err(SseError::EventTooLarge { limit: 64 }),
            ev("e", "ok", Some("1"), None),
        ];
        assert_all_splittings("accumulated too large", &input, 64, &expected);
    }

    #[test]
    fn oversized_comment_and_unterminated_line() {
        let mut input = b":".to_vec();
        input.extend([b'c'; 70]);
        input.extend(b"\r\n\r\ndata: ok\r\n\r\ndata: ");
        input.extend([b'y'; 70]);
        let expected = vec![
            Err(SseError::EventTooLarge { limit: 64 }),
            msg("ok"),
            Err(SseError::EventTooLarge { limit: 64 }),
        ];
        assert_all_splittings("oversized comment", &input, 64, &expected);
    }

    #[test]
    fn limit_is_inclusive() {
        // "data: " + 58 bytes = 64 bytes held: allowed; 65: too large.
        let ok = format!("data: {}\n\n", "z".repeat(58));
        assert_eq!(parse_whole(ok.as_bytes(), 64), vec![msg(&"z".repeat(58))]);
        let big = format!("data: {}\n\n", "z".repeat(59));
        assert_eq!(
            parse_bytewise(big.as_bytes(), 64),
            vec![Err(SseError::EventTooLarge { limit: 64 })]
        );
    }

    #[test]
    fn huge_line_is_discarded_in_bounded_memory() {
        let mut parser = SseParser::with_max_event_size(1024);
        let chunk = [b'q'; 4096];
        parser.push(b"data: ");
        let mut results = Vec::new();
        for _ in 0..2560 {
            // 10 MiB
            parser.push(&chunk);
            drain(&mut parser, &mut results);
            assert!(
                parser.buf.len() <= 2 * chunk.len(),
                "buffer grew to {}",
                parser.buf.len()
            );
            assert!(parser.buf.capacity() <= 4 * chunk.len() + SHRINK_THRESHOLD);
        }
        parser.push(b"\n\ndata: after\n\n");
        drain(&mut parser, &mut results);
        results.extend(parser.finish());
        assert_eq!(
            results,
            vec![Err(SseError::EventTooLarge { limit: 1024 }), msg("after")]
        );
    }

    #[test]
    fn four_mib_single_line_in_16k_chunks() {
        let size = 4 * 1024 * 1024;
        let mut input = b"data: ".to_vec();
        input.extend((0..size).map(|i| b'a' + (i % 26) as u8));
        input.extend(b"\n\n");
        let mut parser = SseParser::new();
        let mut results = Vec::new();
        for chunk in input.chunks(16 * 1024) {
            parser.push(chunk);
            drain(&mut parser, &mut results);
        }
        results.extend(parser.finish());
        assert_eq!(results.len(), 1);
        let Ok(event) = &results[0] else {
            panic!("{results:?}")
        };
        assert_eq!(event.data.len(), size);
        assert_eq!(event.data.as_bytes(), &input[6..6 + size]);
    }

    #[test]
    fn work_is_linear() {
        // Counts bytes examined by the line scan plus bytes moved by
        // compaction: each input byte must cost O(1), however it is chunked.
        let mut input = b"data: ".to_vec();
        input.extend([b'v'; 256 * 1024]);
        input.extend(b"\n\n");
        for _ in 0..2000 {
            input.extend(b"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n: ka\n\n");
        }
        for chunk_size in [1, 7, 64, 16 * 1024, input.len()] {
            let mut parser = SseParser::new();
            let mut results = Vec::new();
            let mut work = 0;
            for chunk in input.chunks(chunk_size) {
                parser.push(chunk);
                drain(&mut parser, &mut results);
                work += std::mem::take(&mut parser.work);
            }
            results.extend(parser.finish());
            assert_eq!(results.len(), 2001);
            assert!(
                work <= 4 * input.len(),
                "chunk size {chunk_size}: {work} units of work for {} bytes",
                input.len()
            );
        }
    }

    #[test]
    fn events_arrive_without_waiting_for_more_input() {
        let mut parser = SseParser::new();
        parser.push(b"data: a\r\r");
        assert_eq!(parser.next_event(), Some(msg("a")));
        assert_eq!(parser.next_event(), None);
        // The LF of a CRLF split across pushes is not an extra blank line.
        parser.push(b"data: b\r");
        assert_eq!(parser.next_event(), None);
        parser.push(b"\n");
        assert_eq!(parser.next_event(), None);
        parser.push(b"\r");
        assert_eq!(parser.next_event(), Some(msg("b")));
        parser.push(b"\n");
        assert_eq!(parser.next_event(), None);
        assert_eq!(parser.finish(), vec![]);
    }

    #[test]
    fn finish_returns_undrained_events_and_resets() {
        let mut parser = SseParser::with_max_event_size(100);
        parser.push(b"\xEF\xBB\xBFid: 5\nretry: 10\ndata: a\n\ndata: b\n\ndata: c");
        assert_eq!(parser.last_event_id(), None); // nothing parsed yet
        assert_eq!(
            parser.next_event(),
            Some(ev("message", "a", Some("5"), Some(10)))
        );
        assert_eq!(parser.last_event_id(), Some("5"));
        assert_eq!(parser.reconnection_time(), Some(10));
        assert_eq!(parser.finish(), vec![ev("message", "b", Some("5"), None)]);
        assert_eq!(parser.finish(), vec![]);
        assert_eq!(parser.last_event_id(), None);
        // A new stream: BOM handling starts again, limit kept.
        parser.push(b"\xEF\xBB\xBFdata: d\n\n");
        assert_eq!(parser.next_event(), Some(msg("d")));
        parser.push(&[b'x'; 101]);
        assert_eq!(
            parser.next_event(),
            Some(Err(SseError::EventTooLarge { limit: 100 }))
        );
    }

    #[test]
    fn api_basics() {
        assert_eq!(SseParser::default().limit, DEFAULT_MAX_EVENT_SIZE);
        assert_eq!(SseParser::new().limit, 16 * 1024 * 1024);
        let too_large = SseError::EventTooLarge { limit: 16777216 };
        assert_eq!(
            too_large.to_string(),
            "server-sent event larger than the 16777216-byte limit was skipped \
             (raise it with SseParser::with_max_event_size)"
        );
        let utf8 = SseError::InvalidUtf8 { valid_up_to: 3 };
        assert!(utf8.to_string().contains("not valid UTF-8"));
        assert!(utf8.to_string().contains("offset 3"));
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(utf8);
        assert!(!boxed.to_string().contains('\n'));
        let debug = format!("{:?}", SseParser::new());
        assert!(debug.contains("max_event_size"));
        let mut zero = SseParser::with_max_event_size(0);
        zero.push(b"\n\nd");
        assert_eq!(
            zero.next_event(),
            Some(Err(SseError::EventTooLarge { limit: 0 }))
        );
    }

    /// A deliberately naive whole-input model of the same rules, used as an
    /// oracle (no size limit).
    fn reference_parse(input: &[u8]) -> Results {
        let input = input.strip_prefix(BOM).unwrap_or(input);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let mut current = Vec::new();
        let mut i = 0;
        while i < input.len() {
            match input[i] {
                b'\r' => {
                    lines.push(std::mem::take(&mut current));
                    if input.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                }
                b'\n' => lines.push(std::mem::take(&mut current)),
                byte => current.push(byte),
            }
            i += 1;
        }
        let mut out = Vec::new();
        let (mut data, mut event) = (Vec::<u8>::new(), Vec::<u8>::new());
        let mut id: Option<String> = None;
        let mut retry: Option<u64> = None;
        let mut id_error: Option<usize> = None;
        for line in lines {
            if line.is_empty() {
                let block_id_error = id_error.take();
                let event_type = std::mem::take(&mut event);
                if data.is_empty() {
                    continue;
                }
                let mut block_data = std::mem::take(&mut data);
                block_data.pop();
                let result = (|| {
                    let data =
                        String::from_utf8(block_data).map_err(|e| SseError::InvalidUtf8 {
                            valid_up_to: e.utf8_error().valid_up_to(),
                        })?;
                    let event = match String::from_utf8(event_type) {
                        Ok(e) if e.is_empty() => "message".to_owned(),
                        Ok(e) => e,
                        Err(e) => {
                            return Err(SseError::InvalidUtf8 {
                                valid_up_to: e.utf8_error().valid_up_to(),
                            });
                        }
                    };
                    if let Some(valid_up_to) = block_id_error {
                        return Err(SseError::InvalidUtf8 { valid_up_to });
                    }
                    Ok((event, data))
                })();
                out.push(result.map(|(event, data)| Event {
                    event,
                    data,
                    id: id.clone(),
                    retry: retry.take(),
                }));
                continue;
            }
            if line[0] == b':' {
                continue;
            }
            let (name, mut value) = match line.iter().position(|&b| b == b':') {
                Some(c) => (&line[..c], &line[c + 1..]),
                None => (&line[..], &b""[..]),
            };
            if value.first() == Some(&b' ') {
                value = &value[1..];
            }
            if name == b"data" {
                data.extend(value);
                data.push(b'\n');
            } else if name == b"event" {
                event = value.to_vec();
            } else if name == b"id" && !value.contains(&0) {
                match String::from_utf8(value.to_vec()) {
                    Ok(s) if s.is_empty() => id = None,
                    Ok(s) => id = Some(s),
                    Err(e) => id_error = id_error.or(Some(e.utf8_error().valid_up_to())),
                }
            } else if name == b"retry" && !value.is_empty() && value.iter().all(u8::is_ascii_digit)
            {
                // Parse as a big number; anything beyond u64 saturates.
                retry = Some(
                    std::str::from_utf8(value)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(u64::MAX),
                );
            }
        }
        out
    }

    fn interesting_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            4 => prop::sample::select(b"\r\n: datevnirty".to_vec()),
            1 => prop::sample::select(vec![0u8, 0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xFF]),
            1 => any::<u8>(),
        ]
    }

    /// Byte soup made of SSE tokens, so that random input often forms fields,
    /// blank lines and split CRLFs.
    fn token_soup() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            3 => prop::sample::select(vec![
                &b"data"[..], b"data: ", b"event", b"id", b"retry", b":", b" ", b"\r", b"\n",
                b"\r\n", b"\n\n", b"x", b"42", BOM, b"\xC3", b"\xA9", b"\0",
            ])
            .prop_map(<[u8]>::to_vec),
            1 => prop::collection::vec(interesting_byte(), 1..8),
        ];
        prop::collection::vec(token, 0..400).prop_map(|tokens| tokens.concat())
    }

    fn structured_stream() -> impl Strategy<Value = Vec<u8>> {
        let value = prop_oneof![
            Just(b"".to_vec()),
            Just(b" ".to_vec()),
            Just(b"  x".to_vec()),
            Just("é🌍".as_bytes().to_vec()),
            Just(b"\xFF".to_vec()),
            Just(b"\xE2\x82".to_vec()),
            Just(b"a\x00b".to_vec()),
            Just(b"[DONE]".to_vec()),
            Just(b"123".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            prop::collection::vec(prop::sample::select(b"ab :{}\"1".to_vec()), 0..60),
        ];
        let name = prop::sample::select(vec![
            &b"data"[..],
            b"data",
            b"data",
            b"event",
            b"id",
            b"retry",
            b"",
            b"foo",
            b"Data",
        ]);
        let line = prop_oneof![
            4 => (name, prop::sample::select(vec![&b":"[..], b": ", b""]), value)
                .prop_map(|(n, sep, v)| [n, sep, &v[..]].concat()),
            2 => Just(Vec::new()),
            1 => Just(b": keep-alive".to_vec()),
        ];
        let ending = prop::sample::select(vec![&b"\n"[..], b"\r", b"\r\n"]);
        (
            any::<bool>(),
            prop::collection::vec((line, ending), 0..40),
            prop::collection::vec(interesting_byte(), 0..4),
        )
            .prop_map(|(bom, lines, tail)| {
                let mut out = if bom { BOM.to_vec() } else { Vec::new() };
                for (line, ending) in lines {
                    out.extend(line);
                    out.extend(ending);
                }
                out.extend(tail);
                out
            })
    }

    fn limit_strategy() -> impl Strategy<Value = usize> {
        prop_oneof![Just(DEFAULT_MAX_EVENT_SIZE), 0usize..120]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_split_anywhere(
            input in prop::collection::vec(any::<u8>(), 0..2000),
            cuts in prop::collection::vec(any::<usize>(), 0..12),
            limit in limit_strategy(),
        ) {
            let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
            let whole = parse_whole(&input, limit);
            prop_assert_eq!(&parse_chunked(&input, &cuts, limit), &whole);
            if limit == DEFAULT_MAX_EVENT_SIZE {
                prop_assert_eq!(&reference_parse(&input), &whole);
            }
        }

        #[test]
        fn sse_like_bytes_split_anywhere(
            input in token_soup(),
            cuts in prop::collection::vec(any::<usize>(), 0..12),
            limit in limit_strategy(),
        ) {
            let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
            let whole = parse_whole(&input, limit);
            prop_assert_eq!(&parse_chunked(&input, &cuts, limit), &whole);
            if limit == DEFAULT_MAX_EVENT_SIZE {
                prop_assert_eq!(&reference_parse(&input), &whole);
            }
        }

        #[test]
        fn structured_lines_split_anywhere(
            input in structured_stream(),
            cuts in prop::collection::vec(any::<usize>(), 0..12),
            limit in limit_strategy(),
        ) {
            let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
            let whole = parse_whole(&input, limit);
            prop_assert_eq!(&parse_chunked(&input, &cuts, limit), &whole);
            prop_assert_eq!(&parse_bytewise(&input, limit), &whole);
            if limit == DEFAULT_MAX_EVENT_SIZE {
                prop_assert_eq!(&reference_parse(&input), &whole);
            }
        }
    }
}
