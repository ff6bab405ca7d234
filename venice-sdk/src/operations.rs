//! What the SDK knows about each operation of the API beyond its types: one
//! [`Operation`] constant per operation (`operations::CREATE_CHAT_COMPLETION`),
//! named after its (normalized) operation id, with its [`Method`], path, [`Auth`]
//! mode, idempotency key, value rules ([`Constraint`], [`Rule`]) and example answer;
//! [`ALL`] of them in spec order; and the identity of the spec they come from
//! ([`SPEC_VERSION`], [`SPEC_SHA256`]).
//!
//! The SDK's resource methods name these constants, so an operation that
//! disappears or is renamed upstream is a compile error in the one method that
//! uses it. The constants are generated from the spec (`cargo xtask regen`); the
//! types are written by hand in the `venice-operation` crate, re-exported here.
//! Tell operations apart by [`Operation::id`], never by method and path strings:
//!
//! ```
//! use venice_sdk::operations::{self, Method};
//!
//! let op = &operations::CREATE_CHAT_COMPLETION;
//! assert_eq!(op.method, Method::Post);
//! assert!(operations::ALL.iter().any(|o| o.id == op.id));
//! ```

pub use crate::generated::operations::*;
pub use crate::validate::OperationExt;
#[doc(inline)]
pub use venice_operation::{Auth, Constraint, Method, Operation, Rule, UnknownMethod};
