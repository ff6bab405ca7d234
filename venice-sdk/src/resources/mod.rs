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

#[cfg(feature = "api-keys")]
mod api_keys;
#[cfg(feature = "audio")]
mod audio;
#[cfg(feature = "audio")]
mod audio_jobs;
#[cfg(feature = "augment")]
mod augment;
#[cfg(feature = "billing")]
mod billing;
#[cfg(feature = "characters")]
mod characters;
#[cfg(feature = "chat")]
mod chat;
#[cfg(feature = "crypto")]
mod crypto;
#[cfg(feature = "embeddings")]
mod embeddings;
#[cfg(feature = "images")]
mod images;
#[cfg(any(feature = "audio", feature = "video"))]
mod jobs;
#[cfg(feature = "models")]
mod models;
#[cfg(feature = "responses")]
mod responses;
#[cfg(feature = "tee")]
mod tee;
#[cfg(feature = "chat")]
mod tool_runner;
#[cfg(any(
    feature = "images",
    feature = "audio",
    feature = "video",
    feature = "augment"
))]
mod upload;
#[cfg(feature = "video")]
mod video;
#[cfg(feature = "x402")]
mod x402;

#[cfg(feature = "api-keys")]
pub use api_keys::ApiKeys;
#[cfg(feature = "audio")]
pub use audio::{Audio, ClonedVoice, SpeechStream, TimedText, Timestamps, Transcription};
#[cfg(feature = "augment")]
pub use augment::Augment;
#[cfg(feature = "billing")]
pub use billing::{Billing, CsvExport, CsvPage, UsageHistoryQuery, UsagePeriod};
#[cfg(feature = "characters")]
pub use characters::{CharacterFilters, Characters};
#[cfg(feature = "chat")]
pub use chat::{
    Carried, Chat, ChatCompletion, Cost, Message, Parsed, Tool, ToolCall, VeniceParameters,
    WebSearch,
};
#[cfg(feature = "crypto")]
pub use crypto::Crypto;
#[cfg(feature = "embeddings")]
pub use embeddings::{Embedding, EmbeddingInput, EmbeddingList, Embeddings};
#[cfg(feature = "images")]
pub use images::{GeneratedImages, ImageSource, Images, OpenAiImages};
#[cfg(any(feature = "audio", feature = "video"))]
pub use jobs::{
    DownloadUrl, Job, JobKind, JobTicket, JobUpdate, Media, Progress, ProgressStream,
    RetrieveOutcome,
};
#[cfg(feature = "models")]
pub use models::{Capability, ModelId, ModelTypeFilter, Models};
#[cfg(feature = "responses")]
pub use responses::Responses;
#[cfg(feature = "tee")]
pub use tee::{Tee, TeeSession};
#[cfg(feature = "chat")]
pub use tool_runner::{HandlerErrors, Round, ToolRun, ToolRunner};
#[cfg(any(
    feature = "images",
    feature = "audio",
    feature = "video",
    feature = "augment"
))]
pub use upload::{FileInput, ImageInput};
#[cfg(feature = "video")]
pub use video::Video;
#[cfg(feature = "x402")]
pub use x402::{PaymentRequirement, PaymentResponse, X402};
