//! What the Venice.ai SDK knows about one operation of the API beyond its request
//! and response types: [`Operation`], with its [`Method`], its [`Auth`] mode and the
//! [`Constraint`]s ([`Rule`]s) of its request body.
//!
//! venice-sdk re-exports every item from its `operations` module, next to one
//! constant per operation that its code generator writes from Venice's OpenAPI
//! document (`venice_sdk::operations::CREATE_CHAT_COMPLETION`). These types are
//! written here once, by hand: the generator (which reads the document) and the
//! SDK (which sends the requests) both use them and depend on nothing else of each
//! other. The crate has no dependencies and is `no_std`.
//!
//! ```
//! use venice_operation::{Auth, Method, Operation};
//!
//! const LIST_MODELS: Operation = Operation {
//!     id: "listModels",
//!     rust_name: "list_models",
//!     method: Method::Get,
//!     path: "/models",
//!     auth: Auth::Optional,
//!     idempotency_key: false,
//!     returns_secret: false,
//!     constraints: &[],
//!     header_params: &[],
//!     response_headers: &[],
//!     example_response: None,
//! };
//!
//! assert_eq!(LIST_MODELS.method.as_str(), "GET");
//! assert!(LIST_MODELS.auth.sends_key());
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

use core::fmt;
use core::str::FromStr;

/// One operation of the API: one HTTP method on one path template, and what the
/// spec says about it that the generated request and response types do not carry.
///
/// The SDK has one constant per operation (`venice_sdk::operations::*`), written
/// by its code generator; its resource methods name them, so an operation that
/// disappears or is renamed upstream is a compile error in the one method that
/// uses it. Compare operations by [`id`](Self::id).
///
/// ```
/// use venice_operation::{Auth, Constraint, Method, Operation, Rule};
///
/// const CREATE_CHAT_COMPLETION: Operation = Operation {
///     id: "createChatCompletion",
///     rust_name: "create_chat_completion",
///     method: Method::Post,
///     path: "/chat/completions",
///     auth: Auth::BearerOrWallet,
///     idempotency_key: false,
///     returns_secret: false,
///     constraints: &[Constraint {
///         pointer: "/messages",
///         path: &["messages"],
///         rule: Rule::MinItems(1),
///     }],
///     header_params: &[],
///     response_headers: &[],
///     example_response: None,
/// };
///
/// let op = &CREATE_CHAT_COMPLETION;
/// assert_eq!(format!("{} {}", op.method, op.path), "POST /chat/completions");
/// assert_eq!(op.constraints[0].rule, Rule::MinItems(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Operation {
    /// The operation id after normalization (the generated method's name, in camel
    /// case): what tells operations apart.
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// fn is_list_models(op: &Operation) -> bool {
    ///     op.id == OP.id
    /// }
    /// assert!(is_list_models(&OP));
    /// ```
    pub id: &'static str,
    /// The generated method's name, as the generated client reports it to its
    /// hooks (`OperationInfo::operation_id`).
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert_eq!(OP.rust_name, "list_models");
    /// ```
    pub rust_name: &'static str,
    /// The HTTP method.
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert_eq!(OP.method, Method::Get);
    /// ```
    pub method: Method,
    /// The path template, relative to the API's base URL (`/characters/{slug}`).
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert!(OP.path.starts_with('/'));
    /// ```
    pub path: &'static str,
    /// How the operation authenticates, from the spec's `security`.
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert_eq!(OP.auth, Auth::Optional);
    /// ```
    pub auth: Auth,
    /// Whether the operation takes an `Idempotency-Key` header (the same key with
    /// the same body replays the first answer).
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert!(!OP.idempotency_key);
    /// ```
    pub idempotency_key: bool,
    /// Whether a success answer carries a credential (a new API key): its body
    /// must never be quoted in errors or logs.
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert!(!OP.returns_secret);
    /// ```
    pub returns_secret: bool,
    /// Value rules of the JSON request body the generated types do not enforce
    /// (`minItems`, `maxLength`, `maximum`, …).
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert!(OP.constraints.is_empty(), "a GET has no body");
    /// ```
    pub constraints: &'static [Constraint],
    /// The header parameters the operation declares, as the spec names them
    /// (`PAYMENT-SIGNATURE`, `Idempotency-Key`); compare them without regard to
    /// case.
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// let declares = |name: &str| OP.header_params.iter().any(|h| h.eq_ignore_ascii_case(name));
    /// assert!(!declares("idempotency-key"));
    /// ```
    pub header_params: &'static [&'static str],
    /// The headers a success answer declares, as the spec names them
    /// (`PAYMENT-RESPONSE`); compare them without regard to case.
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// assert!(OP.response_headers.iter().all(|name| !name.is_empty()));
    /// ```
    pub response_headers: &'static [&'static str],
    /// An example success body built from the spec's examples (JSON text).
    ///
    /// ```
    /// # use venice_operation::{Auth, Method, Operation};
    /// # const OP: Operation = Operation { id: "listModels", rust_name: "list_models",
    /// #     method: Method::Get, path: "/models", auth: Auth::Optional,
    /// #     idempotency_key: false, returns_secret: false, constraints: &[],
    /// #     header_params: &[], response_headers: &[], example_response: None };
    /// if let Some(json) = OP.example_response {
    ///     assert!(json.starts_with('{') || json.starts_with('['));
    /// }
    /// ```
    pub example_response: Option<&'static str>,
}

impl Operation {
    /// A request the spec does not describe (a storage host's URL, an
    /// endpoint the API serves outside its OpenAPI document), for code that
    /// sends it as it sends the spec's operations: its id, name, method, path
    /// and authentication, and nothing else — no idempotency key, no secret in
    /// its answer, no value rules, no declared headers, no example. A field
    /// added to `Operation` gets its "nothing" here, once.
    ///
    /// ```
    /// use venice_operation::{Auth, Method, Operation};
    ///
    /// const FETCH: Operation =
    ///     Operation::outside_spec("fetchMedia", "fetch_media", Method::Get, "{url}", Auth::None);
    /// assert_eq!((FETCH.id, FETCH.method, FETCH.auth), ("fetchMedia", Method::Get, Auth::None));
    /// assert!(FETCH.constraints.is_empty() && FETCH.header_params.is_empty());
    /// assert!(!FETCH.returns_secret && !FETCH.idempotency_key);
    /// ```
    pub const fn outside_spec(
        id: &'static str,
        rust_name: &'static str,
        method: Method,
        path: &'static str,
        auth: Auth,
    ) -> Operation {
        Operation {
            id,
            rust_name,
            method,
            path,
            auth,
            idempotency_key: false,
            returns_secret: false,
            constraints: &[],
            header_params: &[],
            response_headers: &[],
            example_response: None,
        }
    }

    /// The same operation, declaring `params` as its header parameters.
    ///
    /// ```
    /// use venice_operation::{Auth, Method, Operation};
    ///
    /// const SIGNED: Operation =
    ///     Operation::outside_spec("signed", "signed", Method::Post, "/signed", Auth::Bearer)
    ///         .with_header_params(&["X-Signature"]);
    /// assert_eq!(SIGNED.header_params, ["X-Signature"]);
    /// ```
    pub const fn with_header_params(self, params: &'static [&'static str]) -> Operation {
        Operation {
            header_params: params,
            ..self
        }
    }
}

/// An HTTP method: one of the eight an OpenAPI 3 path item can hold.
///
/// ```
/// use venice_operation::Method;
///
/// assert_eq!(Method::Post.as_str(), "POST");
/// assert_eq!("delete".parse::<Method>(), Ok(Method::Delete));
/// assert!("BREW".parse::<Method>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
    /// `TRACE`.
    Trace,
}

impl Method {
    /// Every method, in the order an OpenAPI path item lists them.
    ///
    /// ```
    /// use venice_operation::Method;
    ///
    /// assert!(Method::ALL.iter().any(|m| m.as_str() == "PATCH"));
    /// ```
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// The method as sent on the wire, in upper case (`"GET"`).
    ///
    /// ```
    /// use venice_operation::Method;
    ///
    /// assert_eq!(Method::Get.as_str(), "GET");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

impl fmt::Display for Method {
    /// Writes [`as_str`](Method::as_str).
    ///
    /// ```
    /// use venice_operation::Method;
    ///
    /// assert_eq!(Method::Patch.to_string(), "PATCH");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = UnknownMethod;

    /// Reads a method name in any ASCII case (an OpenAPI path item spells them in
    /// lower case, HTTP in upper case). Anything else is an [`UnknownMethod`]:
    /// there is no fallback method.
    ///
    /// ```
    /// use venice_operation::Method;
    ///
    /// assert_eq!("get".parse(), Ok(Method::Get));
    /// assert_eq!("PATCH".parse(), Ok(Method::Patch));
    /// assert!("CONNECT".parse::<Method>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownMethod)
    }
}

/// The error of reading a [`Method`] from a name that is none of the eight.
///
/// ```
/// use venice_operation::{Method, UnknownMethod};
///
/// assert_eq!("CONNECT".parse::<Method>(), Err(UnknownMethod));
/// assert_eq!(UnknownMethod.to_string(), "not an OpenAPI HTTP method");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownMethod;

impl fmt::Display for UnknownMethod {
    /// A fixed message (the rejected text is the caller's to quote).
    ///
    /// ```
    /// use venice_operation::UnknownMethod;
    ///
    /// assert!(!UnknownMethod.to_string().is_empty());
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an OpenAPI HTTP method")
    }
}

impl core::error::Error for UnknownMethod {}

/// How an operation authenticates, read from its security requirements.
///
/// A scheme is a *bearer* scheme when it is `type: http, scheme: bearer`; any
/// other scheme (Venice's `siwx`, a signed wallet header) counts as a *wallet*
/// scheme, whose token travels in the header the spec names (in venice-sdk,
/// `operations::WALLET_AUTH_HEADER`).
///
/// ```
/// use venice_operation::Auth;
///
/// assert!(Auth::Optional.sends_key());
/// assert!(!Auth::Wallet.sends_key());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Auth {
    /// The API key is required (`[{BearerAuth: []}]`).
    Bearer,
    /// The API key, or a wallet signature (`[{BearerAuth: []}, {siwx: []}]`).
    BearerOrWallet,
    /// Only a wallet signature (`[{siwx: []}]`): the API key is not sent.
    Wallet,
    /// No credentials needed; the API key is sent when the client has one
    /// (`[{}, {BearerAuth: []}]`).
    Optional,
    /// No credentials (`security: []`, `[{}]`, or no security at all): the API
    /// key is never sent.
    None,
}

impl Auth {
    /// Whether the API key is sent (when the client has one): for every mode but
    /// [`Auth::None`] and [`Auth::Wallet`].
    ///
    /// ```
    /// use venice_operation::Auth;
    ///
    /// assert!(Auth::Bearer.sends_key());
    /// assert!(Auth::BearerOrWallet.sends_key());
    /// assert!(!Auth::None.sends_key());
    /// ```
    pub const fn sends_key(self) -> bool {
        matches!(self, Auth::Bearer | Auth::BearerOrWallet | Auth::Optional)
    }
}

/// One value rule of a request body, at one place.
///
/// ```
/// use venice_operation::{Constraint, Rule};
///
/// let rule = Constraint {
///     pointer: "/messages/*/content",
///     path: &["messages", "*", "content"],
///     rule: Rule::MinLength(1),
/// };
/// assert_eq!(rule.path.len(), 3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Constraint {
    /// JSON pointer to the value; `*` stands for every item of an array.
    ///
    /// ```
    /// # use venice_operation::{Constraint, Rule};
    /// # let c = Constraint { pointer: "/messages", path: &["messages"], rule: Rule::MinItems(1) };
    /// assert!(c.pointer.starts_with('/'));
    /// ```
    pub pointer: &'static str,
    /// The pointer's tokens, unescaped (`["messages", "*", "content"]`).
    ///
    /// ```
    /// # use venice_operation::{Constraint, Rule};
    /// # let c = Constraint { pointer: "/messages", path: &["messages"], rule: Rule::MinItems(1) };
    /// assert_eq!(c.path, ["messages"]);
    /// ```
    pub path: &'static [&'static str],
    /// The rule.
    ///
    /// ```
    /// # use venice_operation::{Constraint, Rule};
    /// # let c = Constraint { pointer: "/messages", path: &["messages"], rule: Rule::MinItems(1) };
    /// assert_eq!(c.rule, Rule::MinItems(1));
    /// ```
    pub rule: Rule,
}

/// A value rule from the spec's schema keywords that the generated types do not
/// enforce.
///
/// ```
/// use venice_operation::Rule;
///
/// let rule = Rule::Maximum { value: 2.0, exclusive: false };
/// assert!(matches!(rule, Rule::Maximum { value, .. } if value == 2.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// At least this many items (`minItems`).
    MinItems(u64),
    /// At most this many items (`maxItems`).
    MaxItems(u64),
    /// At least this many characters (`minLength`).
    MinLength(u64),
    /// At most this many characters (`maxLength`).
    MaxLength(u64),
    /// At least (or, when exclusive, more than) this value (`minimum`;
    /// `exclusiveMinimum: true` makes it strict).
    Minimum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
    /// At most (or, when exclusive, less than) this value (`maximum`;
    /// `exclusiveMaximum: true` makes it strict).
    Maximum {
        /// The bound.
        value: f64,
        /// Whether the bound itself is excluded.
        exclusive: bool,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_read_back_from_their_names_in_either_case() {
        for m in Method::ALL {
            assert_eq!(m.as_str().parse(), Ok(m));
            let mut lower = [0u8; 8];
            let bytes = m.as_str().as_bytes();
            let lower = &mut lower[..bytes.len()];
            lower.copy_from_slice(bytes);
            lower.make_ascii_lowercase();
            assert_eq!(core::str::from_utf8(lower).map(str::parse), Ok(Ok(m)));
        }
        assert_eq!("".parse::<Method>(), Err(UnknownMethod));
        assert_eq!("GETS".parse::<Method>(), Err(UnknownMethod));
    }

    #[test]
    fn only_none_and_wallet_keep_the_key_back() {
        let keep_back = [Auth::None, Auth::Wallet];
        for auth in [
            Auth::Bearer,
            Auth::BearerOrWallet,
            Auth::Wallet,
            Auth::Optional,
            Auth::None,
        ] {
            assert_eq!(auth.sends_key(), !keep_back.contains(&auth));
        }
    }
}
