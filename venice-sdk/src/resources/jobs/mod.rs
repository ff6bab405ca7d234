//! Media jobs (video and music generation) from queue to media, shared by
//! [`Video`](super::Video) and [`Audio`](super::Audio). Imports run one way:
//! `ticket` ← `storage` ← `job` ← `media` ← `progress`; `outcome` stands
//! alone.
//!
//! - `ticket`: [`JobKind`] (a kind's operations and accept header),
//!   [`JobTicket`], [`DownloadUrl`];
//! - `storage`: the `download_url`'s host (fetch, revoke, ranges);
//! - `job`: the [`Job`] handle, one status poll, the cleanup;
//! - `media`: [`Media`] and its download (resume, temporary file);
//! - `progress`: [`Job::progress`], [`Job::wait`], [`Job::poll`];
//! - `outcome`: [`RetrieveOutcome`], what one `retrieve` call answered.

mod job;
mod media;
mod outcome;
mod progress;
mod storage;
mod ticket;

pub use job::Job;
pub use media::Media;
pub use outcome::RetrieveOutcome;
pub use progress::{JobUpdate, Progress, ProgressStream};
pub use ticket::{DownloadUrl, JobKind, JobTicket};
