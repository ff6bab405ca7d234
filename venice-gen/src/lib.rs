//! Generates the `venice-sdk` client from the Venice OpenAPI document.
//!
//! The document is normalized by [`venice_openapi`], handed to progenitor in builder
//! style with merged tags, and formatted with prettyplease. The output is
//! deterministic (the same spec gives the same bytes) and starts with a header naming
//! the command, the spec and its sha256.
//!
//! progenitor and typify fail on some inputs by panicking (`panic!`, `todo!`,
//! `assert!`, `unreachable!`). [`generate`] contains those panics and turns them into
//! an [`Error`] that names the operations that trigger them.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use proc_macro2::TokenStream;
use quote::quote;
use sha2::{Digest, Sha256};
use venice_openapi::{Normalized, Report};

mod answers;
pub mod areas;
pub mod changes;
pub mod constructors;
pub mod mutate;
pub mod open_enums;
pub mod raw_feature;
pub mod request_new;
mod stable_names;
mod strings;
mod unknown_variants;

/// The command that regenerates the checked-in client, named in the header.
pub const REGEN_COMMAND: &str = "cargo xtask regen";

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec could not be loaded or normalized.
    #[error(transparent)]
    Spec(#[from] venice_openapi::Error),
    /// progenitor returned an error.
    #[error("progenitor cannot generate a client for this spec: {0}")]
    Generator(String),
    /// progenitor or typify panicked; the panic was contained.
    #[error("the generator panicked ({message}); {culprits}")]
    GeneratorPanic {
        /// The panic message.
        message: String,
        /// Which operations trigger it when generated alone, or where else to look.
        culprits: String,
    },
    /// The generated tokens are not valid Rust.
    #[error("the generated code does not parse as Rust: {0}")]
    Unparsable(String),
    /// A post-processing step found generated code of a shape it does not know.
    #[error("cannot post-process the generated code: {0}")]
    PostProcess(String),
    /// The spec does not tell unambiguously something the SDK needs (such as
    /// which header carries the wallet credential).
    #[error("the spec is ambiguous: {0}")]
    Ambiguous(String),
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// A generated client.
#[derive(Debug)]
pub struct Output {
    /// The formatted Rust source, header included.
    pub code: String,
    /// What normalization changed.
    pub report: Report,
    /// `info.version` of the spec.
    pub spec_version: String,
}

impl Output {
    /// Number of lines of the generated source.
    pub fn line_count(&self) -> usize {
        self.code.lines().count()
    }
}

/// The sha256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The progenitor settings the SDK is built on.
///
/// Builder style survives new optional parameters (positional breaks callers each
/// time one is added); merged tags avoid ambiguous methods for operations with two
/// tags. The SDK provides the hooks (authentication, transport) and the inner state.
pub fn settings() -> progenitor_impl::GenerationSettings {
    let mut settings = progenitor_impl::GenerationSettings::new();
    settings
        .with_interface(progenitor_impl::InterfaceStyle::Builder)
        .with_tag(progenitor_impl::TagStyle::Merged)
        .with_inner_type(quote!(crate::config::Inner))
        .with_hooks(progenitor_impl::HooksMode::Expected)
        .with_derive("PartialEq")
        // `x-rust-type` of the `secret_fields` pass: the SDK's own `Secret` type.
        .with_crate("venice-sdk", progenitor_impl::CrateVers::Any, None);
    settings
}

/// Generates the client for `spec_text`; `spec_name` is how the header names it.
pub fn generate(spec_text: &str, spec_name: &str) -> Result<Output, Error> {
    generate_normalized(
        &venice_openapi::normalize_str(spec_text)?,
        spec_text,
        spec_name,
    )
}

/// Generates the client and the httpmock helpers for `spec_text`, normalizing it once.
pub fn generate_both(spec_text: &str, spec_name: &str) -> Result<(Output, String), Error> {
    let normalized = venice_openapi::normalize_str(spec_text)?;
    let client = generate_normalized(&normalized, spec_text, spec_name)?;
    let mocks = generate_mocks_normalized(&normalized, spec_text, spec_name)?;
    Ok((client, mocks))
}

/// Generates the client from `normalized`, the normalization of `spec_text`.
pub fn generate_normalized(
    normalized: &Normalized,
    spec_text: &str,
    spec_name: &str,
) -> Result<Output, Error> {
    let tokens = generate_tokens(normalized)?;
    let metadata = operations_module(normalized, spec_text)?;
    let mut file: syn::File =
        syn::parse2(quote! { #tokens #metadata }).map_err(|e| Error::Unparsable(e.to_string()))?;
    constructors::add_to(&mut file);
    // Data enums first: the string enums gain a data variant of their own.
    unknown_variants::add_to(&mut file);
    open_enums::add_to(&mut file).map_err(Error::PostProcess)?;
    strings::add_to(&mut file);
    stable_names::add_to(&mut file);
    // The hand-written layer's own `new`s win: the generator skips those types
    // (after `stable_names`: a skipped name may be an alias of a moved type).
    let hand_written = request_new::hand_written_news(std::path::Path::new(
        request_new::SDK_SOURCES,
    ))
    .map_err(|message| Error::Read {
        path: request_new::SDK_SOURCES.to_owned(),
        message,
    })?;
    request_new::add_to(&mut file, &hand_written);
    // Each type behind the area features of the operations that reach it
    // (after every step that adds impls: they are gated by the types they name).
    areas::add_to(&mut file, &areas::of_operations(&normalized.spec))
        .map_err(Error::PostProcess)?;
    // Last: the steps above read the client's builders.
    raw_feature::add_to(&mut file).map_err(Error::PostProcess)?;
    let body = prettyplease::unparse(&file);
    let header = header(normalized, spec_text, spec_name);
    Ok(Output {
        code: header + &body,
        spec_version: normalized.spec.info.version.clone(),
        report: normalized.report.clone(),
    })
}

/// Runs progenitor, containing its panics.
fn generate_tokens(normalized: &Normalized) -> Result<TokenStream, Error> {
    match run_contained(&normalized.spec) {
        Ok(result) => result,
        Err(message) => {
            let culprits = find_culprits(normalized);
            Err(Error::GeneratorPanic { message, culprits })
        }
    }
}

/// Serializes panic-hook swaps: the hook is process-wide.
static HOOK_LOCK: Mutex<()> = Mutex::new(());

/// Generates with the panic hook silenced; `Err` holds a panic's message.
fn run_contained(spec: &openapiv3::OpenAPI) -> Result<Result<TokenStream, Error>, String> {
    contain(|| {
        let mut generator = progenitor_impl::Generator::new(&settings());
        generator
            .generate_tokens(spec)
            .map_err(|e| Error::Generator(e.to_string()))
    })
}

/// Runs `f` with the panic hook silenced; `Err` holds a panic's message.
fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let _guard = HOOK_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic payload".to_owned())
    })
}

/// The module path the generated mocks use to name the SDK's types.
pub const MOCKS_CRATE_PATH: &str = "venice_sdk";

/// Generates progenitor's typed httpmock helpers for `spec_text`: one `when`/`then`
/// pair of extension traits per operation, for `venice-testing`.
pub fn generate_mocks(spec_text: &str, spec_name: &str) -> Result<String, Error> {
    generate_mocks_normalized(
        &venice_openapi::normalize_str(spec_text)?,
        spec_text,
        spec_name,
    )
}

/// Generates the httpmock helpers from `normalized`, the normalization of `spec_text`.
pub fn generate_mocks_normalized(
    normalized: &Normalized,
    spec_text: &str,
    spec_name: &str,
) -> Result<String, Error> {
    let mut document = normalized.document.clone();
    let changed = array_query_params_as_text(&mut document);
    let spec = if changed > 0 {
        venice_openapi::parse_openapi(&document)?
    } else {
        normalized.spec.clone()
    };
    let tokens = contain(|| {
        let mut generator = progenitor_impl::Generator::new(&settings());
        generator
            .httpmock(&spec, MOCKS_CRATE_PATH)
            .map_err(|e| Error::Generator(e.to_string()))
    })
    .map_err(|message| Error::GeneratorPanic {
        message,
        culprits: "while generating the httpmock helpers".into(),
    })??;
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Unparsable(e.to_string()))?;
    // The success answer's type of each operation, read from the client.
    let client: syn::File =
        syn::parse2(generate_tokens(normalized)?).map_err(|e| Error::Unparsable(e.to_string()))?;
    let decoder: syn::File = syn::parse2(answers::decoder(&answers::success_types(&client)))
        .map_err(|e| Error::Unparsable(e.to_string()))?;
    file.items.extend(decoder.items);
    Ok(header(normalized, spec_text, spec_name) + &prettyplease::unparse(&file))
}

/// Makes every array-valued query parameter a string, for the mocks only; returns
/// how many it changed.
///
/// Prevents: progenitor's httpmock helpers calling `to_string()` on the `Vec` of an
/// array query parameter (`GET /characters?categories=…`), which does not compile.
/// The mock then matches the parameter as one text value.
fn array_query_params_as_text(document: &mut serde_json::Value) -> usize {
    let components = venice_openapi::walk::components(document, "schemas");
    let is_array = |schema: &serde_json::Value| {
        let resolved = venice_openapi::walk::deref(&components, "schemas", schema);
        resolved.get("type").and_then(serde_json::Value::as_str) == Some("array")
    };
    let mut count = 0;
    venice_openapi::walk::for_each_operation(document, &mut |op| {
        let Some(params) = op
            .operation
            .get_mut("parameters")
            .and_then(serde_json::Value::as_array_mut)
        else {
            return;
        };
        for p in params {
            if p.get("in").and_then(serde_json::Value::as_str) == Some("query")
                && p.get("schema").is_some_and(is_array)
                && let Some(obj) = p.as_object_mut()
            {
                obj.insert("schema".into(), serde_json::json!({"type": "string"}));
                count += 1;
            }
        }
    });
    count
}

fn header(normalized: &Normalized, spec_text: &str, spec_name: &str) -> String {
    format!(
        "// @generated by `{REGEN_COMMAND}` from {spec_name}\n\
         // (OpenAPI `info.version` {version}, sha256 {sha}).\n\
         // DO NOT EDIT. Change the spec, the passes in venice-openapi or the settings in\n\
         // venice-gen, then run `{REGEN_COMMAND}`.\n\n",
        version = normalized.spec.info.version,
        sha = sha256_hex(spec_text.as_bytes()),
    )
}

/// Generates each operation alone (with all components) to name the ones that panic.
fn find_culprits(normalized: &Normalized) -> String {
    let mut components_only = normalized.spec.clone();
    components_only.paths.paths.clear();
    if run_contained(&components_only).is_err() {
        return "it fails on the component schemas alone, before any operation".into();
    }
    let mut bad = Vec::new();
    let mut errors = Vec::new();
    for (path, item) in &normalized.spec.paths.paths {
        let Some(item) = item.as_item() else {
            continue;
        };
        for (method, op) in item.iter() {
            let mut single = components_only.clone();
            let mut only = openapiv3::PathItem {
                parameters: item.parameters.clone(),
                ..Default::default()
            };
            match method {
                "get" => only.get = Some(op.clone()),
                "put" => only.put = Some(op.clone()),
                "post" => only.post = Some(op.clone()),
                "delete" => only.delete = Some(op.clone()),
                "options" => only.options = Some(op.clone()),
                "head" => only.head = Some(op.clone()),
                "patch" => only.patch = Some(op.clone()),
                _ => only.trace = Some(op.clone()),
            }
            single
                .paths
                .paths
                .insert(path.clone(), openapiv3::ReferenceOr::Item(only));
            let name = format!(
                "{} {path} ({})",
                method.to_ascii_uppercase(),
                op.operation_id.as_deref().unwrap_or("no id")
            );
            match run_contained(&single) {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => errors.push(format!("{name}: {e}")),
                Err(_) => bad.push(name),
            }
        }
    }
    let mut out = if bad.is_empty() {
        "no single operation triggers it; it comes from their combination".to_owned()
    } else {
        format!("triggered by {}", bad.join(", "))
    };
    if !errors.is_empty() {
        out.push_str(&format!(
            "; other operations also fail: {}",
            errors.join("; ")
        ));
    }
    out
}

/// The `operations` module: one [`Operation`](venice_operation::Operation) value
/// per operation (what the SDK needs to know about it that progenitor does not
/// carry: method, path, authentication, value rules, …), `ALL`, `by_rust_name`
/// and the spec's identity. The types are venice-operation's, written by hand;
/// only their values are generated.
fn operations_module(normalized: &Normalized, spec_text: &str) -> Result<TokenStream, Error> {
    let version = &normalized.spec.info.version;
    let wallet_header = match venice_openapi::facts::wallet_auth_header(&normalized.document)
        .map_err(Error::Ambiguous)?
    {
        Some(name) => quote!(Some(#name)),
        None => quote!(None),
    };
    let sha = sha256_hex(spec_text.as_bytes());
    let mut constant_names = constant_names(
        normalized
            .report
            .operations
            .iter()
            .map(|op| op.operation_id.as_str()),
    )
    .into_iter();
    let mut entries = Vec::with_capacity(normalized.report.operations.len());
    for op in &normalized.report.operations {
        let id = &op.operation_id;
        let method = &op.method;
        let method_value: venice_operation::Method = method
            .parse()
            .map_err(|e| Error::Ambiguous(format!("operation `{id}`: method `{method}`: {e}")))?;
        let method_tokens = MethodTokens(method_value);
        let rust_name = heck::ToSnakeCase::to_snake_case(id.as_str());
        let path = &op.path;
        let auth = AuthTokens(op.auth);
        let idempotency_key = op.idempotency_key;
        let doc = &normalized.document;
        let constraints = venice_openapi::facts::request_constraints(doc, method, path)
            .into_iter()
            .map(|c| {
                // The pointer's tokens, unescaped, so that the SDK compares
                // path steps without splitting or unescaping per request.
                let path = c
                    .pointer
                    .split('/')
                    .skip(1)
                    .map(|t| t.replace("~1", "/").replace("~0", "~"))
                    .collect::<Vec<_>>();
                let pointer = &c.pointer;
                let rule = RuleTokens(c.rule);
                quote!(Constraint { pointer: #pointer, path: &[#(#path),*], rule: #rule },)
            });
        let example = match venice_openapi::facts::example_response(doc, method, path) {
            Some(v) => {
                let text = v.to_string();
                quote!(Some(#text))
            }
            None => quote!(None),
        };
        let returns_secret = response_mentions(doc, method, path, "venice_sdk::Secret");
        let header_params = venice_openapi::facts::header_parameters(doc, method, path);
        let response_headers = venice_openapi::facts::success_response_headers(doc, method, path);
        let constant = quote::format_ident!("{}", constant_names.next().unwrap_or_default());
        let summary = format!("`{method} {path}` (`{id}`).");
        let value = quote! {
            Operation {
                id: #id,
                rust_name: #rust_name,
                method: #method_tokens,
                path: #path,
                auth: #auth,
                idempotency_key: #idempotency_key,
                returns_secret: #returns_secret,
                constraints: &[#(#constraints)*],
                header_params: &[#(#header_params),*],
                response_headers: &[#(#response_headers),*],
                example_response: #example,
            }
        };
        entries.push((constant, summary, rust_name, value));
    }
    let constants = entries.iter().map(|(constant, summary, _, value)| {
        quote! {
            #[doc = #summary]
            pub const #constant: Operation = #value;
        }
    });
    let all = entries.iter().map(|(constant, ..)| quote!(#constant,));
    let by_name = entries
        .iter()
        .map(|(constant, _, rust_name, _)| quote!(#rust_name => Some(&#constant),));
    Ok(quote! {
        /// One [`Operation`] per operation of the spec, named after its (normalized)
        /// operation id; the types are venice-operation's, re-exported by the SDK's
        /// hand-written `operations` module with these values.
        pub mod operations {
            use ::venice_operation::{Auth, Constraint, Method, Operation, Rule};

            /// `info.version` of the spec this client was generated from.
            pub const SPEC_VERSION: &str = #version;
            /// sha256 of the spec this client was generated from.
            pub const SPEC_SHA256: &str = #sha;
            /// The header a wallet's Sign-In-With-X token travels in, as the
            /// spec names it: the spec's security scheme of type `apiKey` in a
            /// header (found by its shape, not its name). `None` when the spec
            /// has none. Header names compare without regard to case.
            ///
            /// ```
            /// use venice_sdk::operations;
            ///
            /// if let Some(name) = operations::WALLET_AUTH_HEADER {
            ///     assert!(!name.is_empty());
            /// }
            /// ```
            pub const WALLET_AUTH_HEADER: Option<&str> = #wallet_header;

            #(#constants)*

            /// Every operation, in spec order.
            pub const ALL: &[Operation] = &[#(#all)*];

            /// The operation whose generated method is `rust_name`: what progenitor
            /// passes to the client hooks (`OperationInfo::operation_id`).
            pub fn by_rust_name(rust_name: &str) -> Option<&'static Operation> {
                match rust_name {
                    #(#by_name)*
                    _ => None,
                }
            }
        }
    })
}

/// A [`Rule`](venice_operation::Rule) as the expression that builds it (a newtype:
/// the orphan rule keeps `ToTokens` off the foreign type). Each variant is named
/// once below, by its shape; the match is exhaustive, so a variant added to the
/// type fails this build until it is written here too.
struct RuleTokens(venice_operation::Rule);

impl quote::ToTokens for RuleTokens {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        use venice_operation::Rule as R;
        macro_rules! rule {
            (counts: $($count:ident),*; bounds: $($bound:ident),*) => {
                match self.0 {
                    $(R::$count(n) => quote!(Rule::$count(#n)),)*
                    $(R::$bound { value, exclusive } => {
                        quote!(Rule::$bound { value: #value, exclusive: #exclusive })
                    })*
                }
            };
        }
        tokens.extend(rule!(
            counts: MinItems, MaxItems, MinLength, MaxLength;
            bounds: Minimum, Maximum
        ));
    }
}

/// An [`Auth`](venice_operation::Auth) as the path that names it (exhaustive, as
/// [`RuleTokens`]).
struct AuthTokens(venice_operation::Auth);

impl quote::ToTokens for AuthTokens {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        use venice_operation::Auth as A;
        macro_rules! auth {
            ($($mode:ident),*) => {
                match self.0 {
                    $(A::$mode => quote!(Auth::$mode),)*
                }
            };
        }
        tokens.extend(auth!(Bearer, BearerOrWallet, Wallet, Optional, None));
    }
}

/// A [`Method`](venice_operation::Method) as the path that names it (exhaustive,
/// as [`RuleTokens`]).
struct MethodTokens(venice_operation::Method);

impl quote::ToTokens for MethodTokens {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        use venice_operation::Method as M;
        macro_rules! method {
            ($($method:ident),*) => {
                match self.0 {
                    $(M::$method => quote!(Method::$method),)*
                }
            };
        }
        tokens.extend(method!(Get, Put, Post, Delete, Options, Head, Patch, Trace));
    }
}

/// The constant of each operation in the `operations` module: its id in
/// SCREAMING_SNAKE_CASE (`createChatCompletion` → `CREATE_CHAT_COMPLETION`), made a
/// valid identifier (`OP_` before one that would not start with a letter, such as
/// an empty one), and unique (a `_2`, `_3`, … suffix, also when it would take a
/// name the module already uses).
fn constant_names<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: std::collections::BTreeSet<String> =
        ["ALL", "SPEC_VERSION", "SPEC_SHA256", "WALLET_AUTH_HEADER"]
            .into_iter()
            .map(str::to_owned)
            .collect();
    ids.map(|id| {
        let mut name: String = heck::ToShoutySnakeCase::to_shouty_snake_case(id)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            name.insert_str(0, "OP_");
        }
        let mut unique = name.clone();
        let mut n = 2u32;
        while !taken.insert(unique.clone()) {
            unique = format!("{name}_{n}");
            n = n.saturating_add(1);
        }
        unique
    })
    .collect()
}

/// Whether the success responses of `METHOD path`, with every component schema they
/// reach, contain `needle` anywhere.
fn response_mentions(doc: &serde_json::Value, method: &str, path: &str, needle: &str) -> bool {
    let pointer = format!(
        "/paths/{}/{}/responses",
        venice_openapi::walk::pointer_escape(path),
        method.to_ascii_lowercase()
    );
    let Some(responses) = doc.pointer(&pointer).and_then(|r| r.as_object()) else {
        return false;
    };
    let success: Vec<&serde_json::Value> = responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .map(|(_, r)| r)
        .collect();
    let mut roots = Vec::new();
    for response in &success {
        venice_openapi::walk::collect_refs(response, &mut roots);
    }
    let schemas = doc.pointer("/components/schemas");
    let mentions = |value: &serde_json::Value| value.to_string().contains(needle);
    success.iter().any(|r| mentions(r))
        || venice_openapi::walk::reachable_schemas(doc, roots)
            .iter()
            .filter_map(|name| schemas.and_then(|all| all.get(name)))
            .any(mentions)
}

/// The spec of the checked-in client, relative to the workspace root.
pub const SPEC_PATH: &str = "spec/venice.yaml";
/// The checked-in client, relative to the workspace root.
pub const OUTPUT_PATH: &str = "venice-sdk/src/generated.rs";
/// The checked-in httpmock helpers, relative to the workspace root.
pub const MOCKS_PATH: &str = "venice-testing/src/generated.rs";

/// A unified diff from `checked_in` to `fresh` of the file at `path`, or `None` when
/// they are equal.
pub fn stale_diff(path: &str, checked_in: &str, fresh: &str) -> Option<String> {
    if checked_in == fresh {
        return None;
    }
    let diff = similar::TextDiff::from_lines(checked_in, fresh);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("{path} (checked in)"), "regenerated")
            .to_string(),
    )
}

/// Whether the checked-in generated files under the workspace `root` match what the
/// spec and the generator make now: each file's path (relative to `root`) with a
/// unified diff when it is stale (a missing file is stale), `None` when current.
/// The spec is normalized once for both files.
pub fn freshness(root: &std::path::Path) -> Result<Vec<(&'static str, Option<String>)>, Error> {
    let spec_text = std::fs::read_to_string(root.join(SPEC_PATH)).map_err(|e| Error::Read {
        path: SPEC_PATH.to_owned(),
        message: e.to_string(),
    })?;
    let (client, mocks) = generate_both(&spec_text, SPEC_PATH)?;
    Ok([(OUTPUT_PATH, client.code), (MOCKS_PATH, mocks)]
        .into_iter()
        .map(|(path, fresh)| {
            let checked_in = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            (path, stale_diff(path, &checked_in, &fresh))
        })
        .collect())
}

/// What the passes' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    /// Asserts that `haystack` (generated code, a report) contains every one of
    /// `needles`, naming the first one missing.
    pub(crate) fn assert_contains_all(haystack: &str, needles: &[&str]) {
        for needle in needles {
            assert!(
                haystack.contains(needle),
                "missing `{needle}` in:\n{haystack}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::constant_names;

    #[test]
    fn operation_constants_are_valid_unique_identifiers() {
        let ids = [
            "createChatCompletion",
            "listModels",
            "list_models",
            "2fa",
            "",
            "ALL",
            "émoji-op",
        ];
        let names = constant_names(ids.into_iter());
        assert_eq!(
            names,
            [
                "CREATE_CHAT_COMPLETION",
                "LIST_MODELS",
                "LIST_MODELS_2",
                "OP_2FA",
                "OP_",
                "ALL_2",
                "OP__MOJI_OP"
            ]
        );
        for name in &names {
            assert!(syn::parse_str::<syn::Ident>(name).is_ok(), "{name}");
        }
    }
}
