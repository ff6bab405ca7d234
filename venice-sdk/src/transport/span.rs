//! The tracing span of one call: opened before the first attempt, closed with the
//! status, the number of attempts, the duration and the request id — never a key.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::Error;
use crate::operations::Operation;
use crate::secret::Redactor;

/// The span of one call and when it started.
pub(crate) struct CallSpan {
    pub span: tracing::Span,
    started: Instant,
}

/// A duration in whole milliseconds for logs, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl CallSpan {
    /// Opens the span of a call of `op`.
    pub fn open(op: &Operation) -> CallSpan {
        CallSpan {
            span: tracing::info_span!(
                "venice.call",
                operation = op.id,
                method = op.method.as_str(),
                path = op.path,
                status = tracing::field::Empty,
                attempts = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                request_id = tracing::field::Empty,
            ),
            started: Instant::now(),
        }
    }

    /// Records the answer the attempts ended with: its status, the attempts
    /// it took, its request id.
    pub fn answered(
        &self,
        status: StatusCode,
        attempts: u32,
        request_id: Option<&str>,
        redactor: &Redactor,
    ) {
        self.span.record("status", status.as_u16());
        self.span.record("attempts", attempts);
        if let Some(id) = request_id {
            self.span
                .record("request_id", redactor.scrub_str(id).as_ref());
        }
    }

    /// Records how long the call took, once its answer was read (or its
    /// stream handed over), and its error if it failed (the status and
    /// request id, when a response arrived).
    pub fn ended(&self, error: Option<&Error>) {
        self.span
            .record("duration_ms", millis(self.started.elapsed()));
        if let Some(error) = error {
            if let Some(status) = error.status() {
                self.span.record("status", status.as_u16());
            }
            if let Some(id) = error.request_id() {
                self.span.record("request_id", id);
            }
        }
    }
}
