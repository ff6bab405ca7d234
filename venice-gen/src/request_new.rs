//! `new(..)` on every request type: its required fields, in the order a person says
//! them.
//!
//! [`from_required`](crate::constructors) takes the required fields in the order
//! typify declares them, which is alphabetical: `QueueVideoRequest::from_required(
//! duration, model, prompt)`. This pass adds, next to it, a constructor that reads
//! the way the request is described — `QueueVideoRequest::new("wan-2.1", "a cat",
//! "5s")` — to every *request type* with at least one required field.
//!
//! # Which types are request types
//!
//! The types a user builds to send: the body type of every operation (read from the
//! generated builders' `body` methods, as progenitor types them) and every type of
//! the `types` module those reach through fields, union members, items and map
//! values (message items, tool definitions, nested options). A type shared with a
//! response gets `new` too (harmless: it is a constructor). Answer-only types get
//! none: nobody builds them, and each would be one more public item to keep stable.
//! Only structs with named fields get `new`; enum variants keep their
//! `<variant>_from_required`.
//!
//! # The order of the arguments — one rule
//!
//! 1. `model`, if it is required;
//! 2. the *main input*: the first required field whose name is in [`MAIN_INPUTS`]
//!    (`messages`, `input`, `prompt`, `text`, …, in that order of preference);
//! 3. every other required field, in the order the generated struct declares them
//!    (typify's order, alphabetical). Not the spec's property order: JSON Schema gives
//!    that order no meaning, and upstream reordering two properties of the same type
//!    must not silently swap two arguments.
//!
//! A required field holding a one-value tag (`role: user`) is filled, as in
//! `from_required`. The doc comment of each `new` lists its parameters in order
//! ("Required, in this order: …").
//!
//! # The parameters
//!
//! - `String` → `impl Into<String>`;
//! - a string newtype of `types` (a string with a length rule) → `impl Into<String>`,
//!   wrapped as given: lengths are checked when the request is sent (venice-sdk's
//!   `validate`, an `Error::InvalidRequest` naming the field), so `new` stays
//!   infallible and keeps its signature when upstream adds or drops a length rule.
//!   A newtype with a `pattern` (which the send path does not check) is taken as
//!   itself (`impl Into<T>`: `"…".parse()?`), so its check is never skipped;
//! - `Vec<T>` → `impl IntoIterator<Item = impl Into<T>>` (an array, a `Vec`, an
//!   iterator);
//! - anything else `T` → `impl Into<T>` (an open enum from its wire string, `"5s"`;
//!   a number, a bool, a nested request type).
//!
//! # Collisions
//!
//! A type that already has an inherent `new` gets none generated: one in the
//! generated module, or one the hand-written layer (`venice-sdk/src`, read by
//! [`hand_written_news`]) defines in an `impl types::X` block. Those are richer (they
//! take SDK types like `Message` or `EmbeddingInput`, check values, and are written
//! through JSON so they survive a reshaped spec) and keep their callers. So adding a
//! hand-written `new` is followed by `cargo xtask regen`, which drops the generated
//! one (`cargo xtask check` says so until then).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::constructors::{Init, Tags, init_of, one_value_enums};

/// The names a request's main input goes by, most preferred first: the first of
/// these among the required fields is the argument after `model`.
pub const MAIN_INPUTS: &[&str] = &[
    "messages",
    "input",
    "prompt",
    "text",
    "query",
    "content",
    "image",
    "images",
    "audio",
    "file",
    "video_url",
    "image_url",
    "audio_url",
    "url",
];

/// The field that always comes first when it is required.
pub const FIRST: &str = "model";

/// Where the hand-written layer lives, from this crate (both are workspace members).
pub const SDK_SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../venice-sdk/src");

/// The names of the `types` the hand-written sources under `dir` give an inherent
/// `new` (`impl types::X { pub fn new(..) }`, at any depth, in any file but the
/// generated one). A file that does not parse is an error naming it.
pub fn hand_written_news(dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let mut paths = Vec::new();
        for entry in entries {
            paths.push(
                entry
                    .map_err(|e| format!("reading {}: {e}", dir.display()))?
                    .path(),
            );
        }
        paths.sort();
        for path in paths {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_none_or(|n| n != "generated.rs")
            {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("reading {}: {e}", path.display()))?;
                let file = syn::parse_file(&text)
                    .map_err(|e| format!("parsing {}: {e}", path.display()))?;
                collect_news(&file.items, &mut names);
            }
        }
    }
    Ok(names)
}

/// The `X` of each `impl types::X` among `items` (and nested modules) with a `new`.
fn collect_news(items: &[syn::Item], names: &mut BTreeSet<String>) {
    for item in items {
        match item {
            syn::Item::Impl(i) if i.trait_.is_none() => {
                let syn::Type::Path(p) = &*i.self_ty else {
                    continue;
                };
                let segments: Vec<_> = p.path.segments.iter().collect();
                let [.., module, last] = segments.as_slice() else {
                    continue;
                };
                let has_new = i
                    .items
                    .iter()
                    .any(|f| matches!(f, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
                if module.ident == "types" && has_new {
                    names.insert(last.ident.to_string());
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    collect_news(inner, names);
                }
            }
            _ => {}
        }
    }
}

/// The body types of the operations: `T` of each builder's
/// `fn body<V>(..) where V: TryInto<types::T>`.
fn body_types(file: &syn::File) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in &file.items {
        let syn::Item::Mod(m) = item else { continue };
        if m.ident != "builder" {
            continue;
        }
        let Some((_, items)) = &m.content else {
            continue;
        };
        for item in items {
            let syn::Item::Impl(i) = item else { continue };
            for f in &i.items {
                let syn::ImplItem::Fn(f) = f else { continue };
                if f.sig.ident != "body" {
                    continue;
                }
                let Some(clause) = &f.sig.generics.where_clause else {
                    continue;
                };
                for predicate in &clause.predicates {
                    let syn::WherePredicate::Type(t) = predicate else {
                        continue;
                    };
                    for bound in &t.bounds {
                        let syn::TypeParamBound::Trait(b) = bound else {
                            continue;
                        };
                        let Some(last) = b.path.segments.last() else {
                            continue;
                        };
                        if last.ident != "TryInto" {
                            continue;
                        }
                        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                            for arg in &args.args {
                                if let syn::GenericArgument::Type(ty) = arg {
                                    names_in(ty, &mut out);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Every identifier a type path names, generic arguments included
/// (`Option<Vec<types::Foo>>` → `Option`, `Vec`, `types`, `Foo`).
fn names_in(ty: &syn::Type, out: &mut BTreeSet<String>) {
    match ty {
        syn::Type::Path(p) => {
            for segment in &p.path.segments {
                out.insert(segment.ident.to_string());
                if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::Type(ty) = arg {
                            names_in(ty, out);
                        }
                    }
                }
            }
        }
        syn::Type::Reference(r) => names_in(&r.elem, out),
        syn::Type::Array(a) => names_in(&a.elem, out),
        syn::Type::Slice(s) => names_in(&s.elem, out),
        syn::Type::Tuple(t) => t.elems.iter().for_each(|t| names_in(t, out)),
        syn::Type::Paren(p) => names_in(&p.elem, out),
        syn::Type::Group(g) => names_in(&g.elem, out),
        _ => {}
    }
}

/// The field types of a struct or an enum's variants.
fn field_types(item: &syn::Item) -> Vec<&syn::Type> {
    match item {
        syn::Item::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        syn::Item::Enum(e) => e
            .variants
            .iter()
            .flat_map(|v| v.fields.iter().map(|f| &f.ty))
            .collect(),
        syn::Item::Type(t) => vec![&*t.ty],
        _ => Vec::new(),
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// The request types among `items`: `roots` and what they reach.
fn reachable(items: &[syn::Item], roots: &BTreeSet<String>) -> BTreeSet<String> {
    let by_name: BTreeMap<String, &syn::Item> = items
        .iter()
        .filter_map(|item| item_name(item).map(|n| (n, item)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut pending: Vec<String> = roots
        .iter()
        .filter(|n| by_name.contains_key(*n))
        .cloned()
        .collect();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(item) = by_name.get(&name) else {
            continue;
        };
        let mut names = BTreeSet::new();
        for ty in field_types(item) {
            names_in(ty, &mut names);
        }
        pending.extend(
            names
                .into_iter()
                .filter(|n| by_name.contains_key(n) && !seen.contains(n)),
        );
    }
    seen
}

/// `names` and what those that are aliases (`pub type X = Y;`, such as the names
/// by position of `stable_names`) stand for, through chains of aliases.
fn through_aliases(items: &[syn::Item], names: &BTreeSet<String>) -> BTreeSet<String> {
    let aliases: BTreeMap<String, String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Type(t) => bare_name(&t.ty).map(|target| (t.ident.to_string(), target)),
            _ => None,
        })
        .collect();
    let mut out = BTreeSet::new();
    for name in names {
        let mut name = name.clone();
        // At most one step per alias: a cycle cannot loop forever.
        for _ in 0..=aliases.len() {
            if !out.insert(name.clone()) {
                break;
            }
            match aliases.get(&name) {
                Some(target) => name = target.clone(),
                None => break,
            }
        }
    }
    out
}

/// The types of `types` with an inherent `new` already.
fn generated_news(items: &[syn::Item]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in items {
        let syn::Item::Impl(i) = item else { continue };
        if i.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(p) = &*i.self_ty else {
            continue;
        };
        let has_new = i
            .items
            .iter()
            .any(|f| matches!(f, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
        if has_new && let Some(last) = p.path.segments.last() {
            names.insert(last.ident.to_string());
        }
    }
    names
}

/// The string newtypes among `items` (`struct X(String)`) whose rules the send path
/// checks: those without a `pattern` (typify checks one with `regress` in `FromStr`;
/// the SDK's value rules cover lengths, not patterns).
fn string_newtypes(items: &[syn::Item]) -> BTreeSet<String> {
    let patterned: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i)
                if i.trait_.as_ref().is_some_and(|(path, _)| {
                    path.segments.last().is_some_and(|s| s.ident == "FromStr")
                }) && quote!(#i).to_string().contains("regress") =>
            {
                bare_name(&i.self_ty)
            }
            _ => None,
        })
        .collect();
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => match &s.fields {
                syn::Fields::Unnamed(f) => match f.unnamed.iter().collect::<Vec<_>>().as_slice() {
                    [field] if is_string(&field.ty) => Some(s.ident.to_string()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .filter(|name| !patterned.contains(name))
        .collect()
}

fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()))
}

/// `T` of `Vec<T>`.
fn vec_item(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(t)] => Some(t),
        _ => None,
    }
}

/// The name of a type that is a bare identifier (`Foo`), if it is one.
fn bare_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    match p.path.segments.iter().collect::<Vec<_>>().as_slice() {
        [s] if s.arguments.is_empty() && p.qself.is_none() => Some(s.ident.to_string()),
        _ => None,
    }
}

/// The field's name as written in JSON and docs (without `r#`).
fn plain(ident: &syn::Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}

/// The required fields of `fields` in the order of the rule (see the module docs).
pub fn ordered<'a>(required: &[&'a syn::Field]) -> Vec<&'a syn::Field> {
    let name = |f: &syn::Field| f.ident.as_ref().map(plain).unwrap_or_default();
    let mut rest: Vec<&syn::Field> = required.to_vec();
    let mut out = Vec::new();
    if let Some(i) = rest.iter().position(|f| name(f) == FIRST) {
        out.push(rest.remove(i));
    }
    if let Some(i) = MAIN_INPUTS
        .iter()
        .find_map(|main| rest.iter().position(|f| name(f) == *main))
    {
        out.push(rest.remove(i));
    }
    out.extend(rest);
    out
}

/// `new` for one struct, or `None` when it has no required field.
fn new_for(s: &syn::ItemStruct, tags: &Tags, newtypes: &BTreeSet<String>) -> Option<syn::Item> {
    let syn::Fields::Named(fields) = &s.fields else {
        return None;
    };
    let mut inits = Vec::new();
    let mut required = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref()?;
        match init_of(field, tags) {
            Init::Required => required.push(field),
            Init::Value(value) => inits.push(quote!(#ident: #value)),
        }
    }
    if required.is_empty() {
        return None;
    }
    let mut params: Vec<TokenStream> = Vec::new();
    let mut names = Vec::new();
    let mut checked_later = Vec::new();
    for field in ordered(&required) {
        let ident = field.ident.as_ref()?;
        let ty = &field.ty;
        names.push(format!("`{}`", plain(ident)));
        if is_string(ty) {
            params.push(quote!(#ident: impl ::std::convert::Into<::std::string::String>));
            inits.push(quote!(#ident: #ident.into()));
        } else if let Some(name) = bare_name(ty).filter(|n| newtypes.contains(n)) {
            let newtype = format_ident!("{}", name);
            checked_later.push(format!("`{}`", plain(ident)));
            params.push(quote!(#ident: impl ::std::convert::Into<::std::string::String>));
            inits.push(quote!(#ident: #newtype(#ident.into())));
        } else if let Some(item) = vec_item(ty) {
            params.push(
                quote!(#ident: impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>),
            );
            inits
                .push(quote!(#ident: #ident.into_iter().map(::std::convert::Into::into).collect()));
        } else {
            params.push(quote!(#ident: impl ::std::convert::Into<#ty>));
            inits.push(quote!(#ident: #ident.into()));
        }
    }
    let name = &s.ident;
    let mut doc = format!(
        " A `{name}` from its required fields, every optional field unset.\n\n Required, in this order: {} (`model` first, then the main input, then the rest as declared: venice-gen's `request_new` rule). A field added upstream as optional leaves this signature unchanged.",
        names.join(", ")
    );
    if !checked_later.is_empty() {
        let _ = write!(
            doc,
            " The length rules of {} are checked when the request is sent.",
            checked_later.join(", ")
        );
    }
    Some(syn::parse_quote! {
        impl #name {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

/// The `new`s for the request types of `file` (whose `types` module holds the
/// types), except for the types named in `skip` and those with a `new` already.
pub fn add_to(file: &mut syn::File, skip: &BTreeSet<String>) {
    let roots = body_types(file);
    for item in &mut file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == "types"
            && let Some((_, items)) = &mut m.content
        {
            let tags = one_value_enums(items);
            let newtypes = string_newtypes(items);
            let requests = reachable(items, &roots);
            let taken = generated_news(items);
            let skip = through_aliases(items, skip);
            let extra: Vec<syn::Item> = items
                .iter()
                .filter_map(|item| match item {
                    syn::Item::Struct(s)
                        if requests.contains(&s.ident.to_string())
                            && !taken.contains(&s.ident.to_string())
                            && !skip.contains(&s.ident.to_string()) =>
                    {
                        new_for(s, &tags, &newtypes)
                    }
                    _ => None,
                })
                .collect();
            items.extend(extra);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `types` with `items`, and a builder whose `body` takes `Req`.
    fn spec_with(items: TokenStream) -> syn::File {
        syn::parse_quote! {
            pub mod types {
                #items
            }
            pub mod builder {
                impl<'a> QueueThing<'a> {
                    pub fn body<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::Req>,
                        <V as std::convert::TryInto<types::Req>>::Error: std::fmt::Display,
                    {
                        self
                    }
                }
            }
        }
    }

    fn generate(items: TokenStream, skip: &[&str]) -> String {
        let mut file = spec_with(items);
        let skip = skip.iter().map(|s| (*s).to_owned()).collect();
        add_to(&mut file, &skip);
        let code = prettyplease::unparse(&file);
        code.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn model_first_then_the_main_input_then_the_rest_as_declared() {
        let code = generate(
            quote! {
                pub struct Req {
                    pub aspect: ::std::string::String,
                    pub duration: Duration,
                    pub model: ::std::string::String,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub negative_prompt: ::std::option::Option<::std::string::String>,
                    pub prompt: ReqPrompt,
                    pub role: UserRole,
                    pub seed: i64,
                    pub urls: ::std::vec::Vec<::std::string::String>,
                }
                pub struct ReqPrompt(::std::string::String);
                pub enum Duration { X5s, X10s }
                pub enum UserRole { User }
            },
            &[],
        );
        assert!(
            code.contains(
                "pub fn new( model: impl ::std::convert::Into<::std::string::String>, \
                 prompt: impl ::std::convert::Into<::std::string::String>, \
                 aspect: impl ::std::convert::Into<::std::string::String>, \
                 duration: impl ::std::convert::Into<Duration>, \
                 seed: impl ::std::convert::Into<i64>, \
                 urls: impl ::std::iter::IntoIterator< Item = impl ::std::convert::Into<::std::string::String>, >, ) -> Self"
            ),
            "{code}"
        );
        assert!(
            code.contains(
                "Required, in this order: `model`, `prompt`, `aspect`, `duration`, `seed`, `urls` ("
            ),
            "{code}"
        );
        crate::test_support::assert_contains_all(
            &code,
            &[
                "prompt: ReqPrompt(prompt.into())",
                "The length rules of `prompt` are checked when the request is sent.",
                "role: UserRole::User",
                "negative_prompt: ::std::option::Option::None",
                "urls: urls.into_iter().map(::std::convert::Into::into).collect()",
            ],
        );
    }

    #[test]
    fn the_main_input_is_the_first_of_the_list_present() {
        // `input` comes before `prompt` in MAIN_INPUTS; no `model` here.
        let code = generate(
            quote! {
                pub struct Req {
                    pub alpha: bool,
                    pub input: ::std::string::String,
                    pub prompt: ::std::string::String,
                }
            },
            &[],
        );
        assert!(
            code.contains("Required, in this order: `input`, `alpha`, `prompt` ("),
            "{code}"
        );
    }

    #[test]
    fn no_required_field_no_new_and_answers_get_none() {
        let code = generate(
            quote! {
                pub struct Req {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub model: ::std::option::Option<::std::string::String>,
                    pub nested: ::std::option::Option<Nested>,
                }
                pub struct Nested { pub text: ::std::string::String }
                pub struct Answer { pub id: ::std::string::String }
            },
            &[],
        );
        assert!(!code.contains("impl Req {"), "{code}");
        // Reached through an `Option` field: a request type.
        assert!(code.contains("impl Nested {"), "{code}");
        // Reached from no body: not a request type.
        assert!(!code.contains("impl Answer {"), "{code}");
    }

    #[test]
    fn an_existing_new_wins() {
        let items = quote! {
            pub struct Req { pub model: ::std::string::String, pub inner: Inner, pub moved: Moved7 }
            pub struct Inner { pub text: ::std::string::String }
            impl Inner { pub fn new() -> Self { Inner { text: ::std::string::String::new() } } }
            pub struct Moved7 { pub url: ::std::string::String }
            pub type ReqMoved = Moved7;
        };
        // A hand-written `new` (the skip set), one already generated, one on a
        // type renamed under an alias by position.
        let code = generate(items, &["Req", "ReqMoved"]);
        assert_eq!(code.matches("pub fn new(").count(), 1, "{code}");
        assert!(!code.contains("impl Req {"), "{code}");
        assert!(!code.contains("impl Moved7 {"), "{code}");
    }

    #[test]
    fn a_newtype_with_a_pattern_is_taken_as_itself() {
        let code = generate(
            quote! {
                pub struct Req { pub handle: ReqHandle }
                pub struct ReqHandle(::std::string::String);
                impl ::std::str::FromStr for ReqHandle {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                        static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                            ::std::sync::LazyLock::new(|| ::regress::Regex::new("^vv_").unwrap());
                        Ok(Self(value.to_string()))
                    }
                }
            },
            &[],
        );
        assert!(
            code.contains("pub fn new(handle: impl ::std::convert::Into<ReqHandle>) -> Self"),
            "{code}"
        );
    }

    #[test]
    fn hand_written_news_are_read_from_impl_blocks_of_types() {
        let file: syn::File = syn::parse_quote! {
            impl types::A { pub fn new() -> Self { Self::default() } }
            impl types::B { pub fn other() {} }
            impl C { pub fn new() -> Self { Self::default() } }
            mod inner { impl crate::types::D { fn new() {} } }
            impl Default for types::E { fn default() -> Self { Self } }
        };
        let mut names = BTreeSet::new();
        collect_news(&file.items, &mut names);
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["A", "D"]);
    }

    #[test]
    fn the_sdk_sources_are_found() -> Result<(), String> {
        let names = hand_written_news(Path::new(SDK_SOURCES))?;
        assert!(names.contains("ChatCompletionRequest"), "{names:?}");
        Ok(())
    }
}
