//! One file per API area, each with its handle (`client.chat()`, …), one method
//! per operation, and the request and response helpers that serve that area.
//!
//! A method names its operation by the generated constant
//! (`operations::CREATE_CHAT_COMPLETION`): an operation renamed or removed
//! upstream is a compile error in that one method. Method names are the SDK's own
//! and stay put when upstream renames an operation.
//!
//! Adding an operation: add its method to the area's file (or a new file with a
//! handle, declared below): one `transport::Call` chain naming its constant.

mod api_keys;
mod audio;
mod audio_jobs;
mod augment;
mod billing;
mod characters;
mod chat;
mod crypto;
mod embeddings;
mod images;
mod jobs;
mod models;
mod responses;
#[cfg(feature = "tee")]
mod tee;
mod tool_runner;
mod upload;
mod video;
mod x402;

pub use api_keys::ApiKeys;
pub use audio::{Audio, ClonedVoice, SpeechStream, TimedText, Timestamps, Transcription};
pub use augment::Augment;
pub use billing::{Billing, CsvExport, CsvPage, UsageHistoryQuery, UsagePeriod};
pub use characters::{CharacterFilters, Characters};
pub use chat::{
    Carried, Chat, ChatCompletion, Cost, Message, Parsed, Tool, ToolCall, VeniceParameters,
    WebSearch,
};
pub use crypto::Crypto;
pub use embeddings::{Embedding, EmbeddingInput, EmbeddingList, Embeddings};
pub use images::{GeneratedImages, ImageSource, Images, OpenAiImages};
pub use jobs::{
    DownloadUrl, Job, JobKind, JobTicket, JobUpdate, Media, Progress, ProgressStream,
    RetrieveOutcome,
};
pub use models::{Capability, ModelId, ModelTypeFilter, Models};
pub use responses::Responses;
#[cfg(feature = "tee")]
pub use tee::{Tee, TeeSession};
pub use tool_runner::{HandlerErrors, Round, ToolRun, ToolRunner};
pub use upload::{FileInput, ImageInput};
pub use video::Video;
pub use x402::{PaymentRequirement, PaymentResponse, X402};
