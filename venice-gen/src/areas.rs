//! Gates each generated item by the API areas that use it: venice-sdk's
//! per-area Cargo features (`chat`, `images`, …, all on by default).
//!
//! An *area* is an operation's first tag, by its first word, lower-cased
//! (`Chat` → `chat`, `Responses (Alpha)` → `responses`, `API Keys` → `api`),
//! looked up in [`AREAS`], which names the feature. A build with only some
//! features compiles only the types their operations reach.
//!
//! # What is gated, and by what
//!
//! Found from the generated code itself, never from a type's name:
//!
//! - **What an operation reaches.** progenitor's request builder of each
//!   operation (top-level `builder` module, found from the client method that
//!   returns it, whose name is the operation's `rust_name`) names its body,
//!   parameter and answer types as `types::X`; the error type of its `send`
//!   (`Error<types::X>`) is left out: error answers are decoded by every area.
//!   From there, every type a type's definition names, transitively.
//! - **A type of `types`** is gated by the areas that reach it
//!   (`#[cfg(any(feature = "chat", feature = "responses"))]`). A type reached
//!   by an error answer or by an operation of no known area (a tag this table
//!   does not list yet) is not gated: new upstream areas compile in every build
//!   until the table names them. A type no operation reaches needs what the
//!   reached types it is made of need (none: not gated).
//! - **Every other item of `types`** (impls, the builders of `types::builder`,
//!   the `defaults` functions, aliases) is gated by every gated type it names:
//!   it exists exactly when they all do.
//! - **The generated client** (top-level `builder` items and the client's
//!   methods, already behind `raw`) by its operation's area.
//!
//! Over-approximating is safe (a type compiled in more builds than need it);
//! missing an edge would not be, and the SDK's CI builds venice-sdk with each
//! area alone.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Attribute, ImplItem, Item, parse_quote};

/// The areas the SDK has a feature for: (first word of the tag, lower-cased;
/// the venice-sdk feature).
pub const AREAS: &[(&str, &str)] = &[
    ("chat", "chat"),
    ("responses", "responses"),
    ("image", "images"),
    ("audio", "audio"),
    ("video", "video"),
    ("embeddings", "embeddings"),
    ("models", "models"),
    ("api", "api-keys"),
    ("characters", "characters"),
    ("billing", "billing"),
    ("augment", "augment"),
    ("crypto", "crypto"),
    ("x402", "x402"),
];

/// The feature of an operation with `tags`: its first tag's, if [`AREAS`]
/// lists it.
pub fn feature_of(tags: &[String]) -> Option<&'static str> {
    let first = tags.first()?;
    let word: String = first
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())?
        .to_ascii_lowercase();
    AREAS
        .iter()
        .find(|(tag, _)| *tag == word)
        .map(|(_, feature)| *feature)
}

/// Each operation's `rust_name` (snake case of its id), with its feature.
pub fn of_operations(spec: &openapiv3::OpenAPI) -> BTreeMap<String, Option<&'static str>> {
    let mut out = BTreeMap::new();
    for (_, item) in spec.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, op) in item.iter() {
            if let Some(id) = &op.operation_id {
                out.insert(
                    heck::ToSnakeCase::to_snake_case(id.as_str()),
                    feature_of(&op.tags),
                );
            }
        }
    }
    out
}

/// What [`add_to`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Gated {
    /// Types of `types` behind one or more area features.
    pub types: usize,
    /// Types of `types` left in every build.
    pub always: usize,
    /// Other items given a `cfg` (impls, builders, defaults, client parts).
    pub items: usize,
}

/// The areas a type is compiled for: `None` = every build.
type Areas = Option<BTreeSet<&'static str>>;

/// Gates the items of `file` (see the module docs); `features` maps each
/// operation's `rust_name` to its area's feature.
///
/// # Errors
///
/// An item the pass cannot attach an attribute to (a bare token stream).
pub fn add_to(
    file: &mut syn::File,
    features: &BTreeMap<String, Option<&'static str>>,
) -> Result<Gated, String> {
    let Some(types) = module_items(&file.items, "types") else {
        return Ok(Gated::default());
    };
    let names: BTreeSet<String> = types.iter().filter_map(defined_name).collect();
    // What each type's definition names.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        // Aliases too: an alias named by a type leads to its target.
        if let Some(name) = defined_name(item) {
            let named = mentions(definition_types(item), &names);
            edges.entry(name).or_default().extend(named);
        }
    }

    // Each operation's builder: its roots and its error types.
    let builders = builder_of_method(&file.items);
    let mut reach: BTreeMap<String, Areas> = BTreeMap::new();
    let mut always: BTreeSet<String> = BTreeSet::new();
    let mut op_feature: BTreeMap<String, Option<&'static str>> = BTreeMap::new();
    if let Some(builder_items) = module_items(&file.items, "builder") {
        for (method, builder) in &builders {
            let feature = features.get(method).copied().flatten();
            op_feature.insert(builder.clone(), feature);
            let (roots, errors) = builder_types(builder_items, builder);
            always.extend(closure(errors, &edges));
            for name in closure(roots, &edges) {
                let entry = reach.entry(name).or_insert_with(|| Some(BTreeSet::new()));
                match (entry.as_mut(), feature) {
                    (Some(set), Some(f)) => {
                        set.insert(f);
                    }
                    _ => *entry = None,
                }
            }
        }
    }
    // What an item naming `name` needs: the areas that reach it, or, for a
    // type no operation reaches, those of every reached type it is made of.
    let needs_of = |name: &str| -> Vec<Areas> {
        if always.contains(name) {
            return vec![None];
        }
        if let Some(areas) = reach.get(name) {
            return vec![areas.clone()];
        }
        closure(BTreeSet::from([name.to_owned()]), &edges)
            .iter()
            .filter(|member| !always.contains(*member))
            .filter_map(|member| reach.get(member).cloned())
            .collect()
    };

    let mut gated = Gated::default();
    let Some(types) = module_items_mut(&mut file.items, "types") else {
        return Ok(gated);
    };
    for item in types.iter_mut() {
        match item {
            Item::Mod(m) if m.ident == "builder" || m.ident == "defaults" => {
                let Some((_, inner)) = m.content.as_mut() else {
                    continue;
                };
                for member in inner.iter_mut() {
                    let named = mentions(member.to_token_stream(), &names);
                    if let Some(cfg) = cfg_of(named.iter().flat_map(|n| needs_of(n))) {
                        attrs_of(member)?.push(cfg);
                        gated.items = gated.items.saturating_add(1);
                    }
                }
            }
            Item::Mod(_) => {}
            Item::Struct(_) | Item::Enum(_) => {
                let Some(name) = defined_name(item) else {
                    continue;
                };
                match cfg_of(needs_of(&name)) {
                    Some(cfg) => {
                        attrs_of(item)?.push(cfg);
                        gated.types = gated.types.saturating_add(1);
                    }
                    None => gated.always = gated.always.saturating_add(1),
                }
            }
            _ => {
                let named = mentions(item.to_token_stream(), &names);
                if let Some(cfg) = cfg_of(named.iter().flat_map(|n| needs_of(n))) {
                    attrs_of(item)?.push(cfg);
                    gated.items = gated.items.saturating_add(1);
                }
            }
        }
    }

    // The generated client: its builders and methods, by operation.
    for item in &mut file.items {
        match item {
            Item::Mod(m) if m.ident == "builder" => {
                let Some((_, inner)) = m.content.as_mut() else {
                    continue;
                };
                for member in inner.iter_mut() {
                    let feature =
                        self_name(member).and_then(|name| op_feature.get(&name).copied().flatten());
                    if let Some(feature) = feature {
                        attrs_of(member)?.push(parse_quote!(#[cfg(feature = #feature)]));
                        gated.items = gated.items.saturating_add(1);
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                for member in &mut imp.items {
                    if let ImplItem::Fn(f) = member
                        && let Some(Some(feature)) = features.get(&f.sig.ident.to_string())
                        && builders.contains_key(&f.sig.ident.to_string())
                    {
                        f.attrs.push(parse_quote!(#[cfg(feature = #feature)]));
                        gated.items = gated.items.saturating_add(1);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(gated)
}

/// `#[cfg(..)]` for an item that needs every one of `needs` (`None`: built
/// always); `None` when it needs nothing.
fn cfg_of(needs: impl IntoIterator<Item = Areas>) -> Option<Attribute> {
    let mut sets: Vec<BTreeSet<&'static str>> = needs
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    sets.sort();
    sets.dedup();
    // `any(a)` implies `any(b)` when a ⊆ b: only the smallest sets matter.
    let minimal: Vec<&BTreeSet<&'static str>> = sets
        .iter()
        .filter(|s| !sets.iter().any(|t| t != *s && t.is_subset(s)))
        .collect();
    let any = |set: &BTreeSet<&'static str>| -> TokenStream {
        let features = set.iter();
        if set.len() == 1 {
            quote::quote!(#(feature = #features)*)
        } else {
            quote::quote!(any(#(feature = #features),*))
        }
    };
    match minimal.as_slice() {
        [] => None,
        [one] => {
            let one = any(one);
            Some(parse_quote!(#[cfg(#one)]))
        }
        many => {
            let each = many.iter().map(|s| any(s));
            Some(parse_quote!(#[cfg(all(#(#each),*))]))
        }
    }
}

/// Everything reachable from `roots` over `edges` (the roots included).
fn closure(
    roots: BTreeSet<String>,
    edges: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.into_iter().collect();
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone())
            && let Some(next) = edges.get(&name)
        {
            stack.extend(next.iter().filter(|n| !seen.contains(*n)).cloned());
        }
    }
    seen
}

/// The client methods and the builder each returns (`builder::X<'_>`).
fn builder_of_method(items: &[Item]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for member in &imp.items {
            let ImplItem::Fn(f) = member else { continue };
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let syn::Type::Path(path) = ty.as_ref() else {
                continue;
            };
            let segments: Vec<_> = path.path.segments.iter().collect();
            if let [module, builder] = segments.as_slice()
                && module.ident == "builder"
            {
                out.insert(f.sig.ident.to_string(), builder.ident.to_string());
            }
        }
    }
    out
}

/// The `types::X` an operation's builder names: (the others, those of its
/// error type `Error<types::X>`).
fn builder_types(items: &[Item], builder: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut roots = BTreeSet::new();
    let mut errors = BTreeSet::new();
    for item in items {
        if self_name(item).as_deref() != Some(builder) {
            continue;
        }
        let leaves = leaves(item.to_token_stream());
        let mut i = 0;
        while i < leaves.len() {
            if is_ident(&leaves, i, "types")
                && let Some((name, next)) = type_path_at(&leaves, i)
            {
                let in_error =
                    i >= 2 && is_punct(&leaves, i - 1, '<') && is_ident(&leaves, i - 2, "Error");
                if in_error {
                    errors.insert(name);
                } else {
                    roots.insert(name);
                }
                i = next;
            } else {
                i += 1;
            }
        }
    }
    (roots, errors)
}

/// At `leaves[i]` = `types`: the type named by `types::X` or
/// `types::builder::X`, and the index after it.
fn type_path_at(leaves: &[TokenTree], i: usize) -> Option<(String, usize)> {
    let colons = |at: usize| is_punct(leaves, at, ':') && is_punct(leaves, at + 1, ':');
    if !colons(i + 1) {
        return None;
    }
    let mut at = i + 3;
    if is_ident(leaves, at, "builder") && colons(at + 1) {
        at += 3;
    }
    match leaves.get(at) {
        Some(TokenTree::Ident(name)) => Some((name.to_string(), at + 1)),
        _ => None,
    }
}

fn is_ident(leaves: &[TokenTree], i: usize, text: &str) -> bool {
    matches!(leaves.get(i), Some(TokenTree::Ident(id)) if id == text)
}

fn is_punct(leaves: &[TokenTree], i: usize, c: char) -> bool {
    matches!(leaves.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// The tokens of `tokens`, groups flattened (delimiters dropped).
fn leaves(tokens: TokenStream) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for tree in tokens {
        match tree {
            TokenTree::Group(g) => out.extend(leaves(g.stream())),
            other => out.push(other),
        }
    }
    out
}

/// The names of `names` that `tokens` mention as types: an identifier that
/// starts a path, or follows `types::`, `builder::`, `super::`, `self::` or
/// `crate::`. A variant named like a type (`Self::Text`, `Kind::Text`) is not
/// a mention of the type `Text`.
fn mentions(tokens: TokenStream, names: &BTreeSet<String>) -> BTreeSet<String> {
    let leaves = leaves(tokens);
    let mut out = BTreeSet::new();
    for (i, leaf) in leaves.iter().enumerate() {
        let TokenTree::Ident(id) = leaf else { continue };
        let text = id.to_string();
        if !names.contains(&text) {
            continue;
        }
        let after_path = i >= 2 && is_punct(&leaves, i - 1, ':') && is_punct(&leaves, i - 2, ':');
        let module_path = i >= 3
            && ["types", "builder", "super", "self", "crate"]
                .iter()
                .any(|m| is_ident(&leaves, i - 3, m));
        // `type Error = ..;` in an impl names an associated type.
        let associated = i >= 1 && is_ident(&leaves, i - 1, "type");
        if (!after_path || module_path) && !associated {
            out.insert(text);
        }
    }
    out
}

/// The types a definition is made of: its fields' types (not its variants'
/// names), or an alias's target.
fn definition_types(item: &Item) -> TokenStream {
    let fields = |fields: &syn::Fields| -> TokenStream {
        let types = fields.iter().map(|f| &f.ty);
        quote::quote!(#(#types)*)
    };
    match item {
        Item::Struct(s) => fields(&s.fields),
        Item::Enum(e) => {
            let each = e.variants.iter().map(|v| fields(&v.fields));
            quote::quote!(#(#each)*)
        }
        Item::Type(t) => t.ty.to_token_stream(),
        _ => TokenStream::new(),
    }
}

/// The name a struct, enum or type alias defines.
fn defined_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        _ => None,
    }
}

/// The type an item defines or implements (`impl X`, `impl T for X`).
fn self_name(item: &Item) -> Option<String> {
    match item {
        Item::Impl(imp) => match imp.self_ty.as_ref() {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        other => defined_name(other),
    }
}

fn module_items<'a>(items: &'a [Item], name: &str) -> Option<&'a [Item]> {
    items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, i)| i.as_slice()),
        _ => None,
    })
}

fn module_items_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, i)| i),
        _ => None,
    })
}

/// The attributes of `item`, or why there are none to add to.
fn attrs_of(item: &mut Item) -> Result<&mut Vec<Attribute>, String> {
    let text = item.to_token_stream().to_string();
    crate::raw_feature::attrs_of(item)
        .ok_or_else(|| format!("areas: cannot gate a generated item: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_contains_all;

    fn features() -> BTreeMap<String, Option<&'static str>> {
        [
            ("chat".to_owned(), Some("chat")),
            ("images".to_owned(), Some("images")),
            ("later".to_owned(), None),
        ]
        .into_iter()
        .collect()
    }

    /// Parsed, never compiled: the bodies only have to read like progenitor's.
    fn fixture() -> syn::File {
        parse_quote! {
            pub mod types {
                pub struct ErrorBody { pub detail: Detail }
                pub struct Detail { pub text: String }
                pub struct ChatRequest { pub messages: Vec<Message>, pub style: Style }
                pub struct Message { pub text: String }
                pub struct ImageRequest { pub style: Style }
                pub enum Style { Flat, Other(String) }
                pub struct LaterAnswer { pub n: u64 }
                pub struct Unused { pub x: u64 }
                pub struct Orphan { pub inner: Orphaned }
                pub struct Orphaned { pub m: Message }
                pub type OldMessage = Message;
                impl From<Message> for ChatRequest {
                    fn from(m: Message) -> Self { Self::with_message(m) }
                }
                impl From<Style> for ImageRequest {
                    fn from(s: Style) -> Self { Self { style: s } }
                }
                pub mod builder {
                    pub struct Message { text: String }
                    impl TryFrom<Message> for super::Message {
                        type Error = String;
                        fn try_from(m: Message) -> Result<Self, String> { Ok(Self { text: m.text }) }
                    }
                }
                pub mod defaults {
                    pub(super) fn style() -> super::Style { super::Style::Flat }
                }
            }
            pub struct Client;
            impl Client {
                pub fn chat(&self) -> builder::Chat<'_> { builder::Chat::new(self) }
                pub fn images(&self) -> builder::Images<'_> { builder::Images::new(self) }
                pub fn later(&self) -> builder::Later<'_> { builder::Later::new(self) }
            }
            pub mod builder {
                pub struct Chat<'a> { body: Result<types::builder::ChatRequest, String> }
                impl<'a> Chat<'a> {
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<types::ErrorBody>> { self.client.send(self.body).await }
                }
                pub struct Images<'a> { body: types::ImageRequest }
                pub struct Later<'a> { x: () }
                impl<'a> Later<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::LaterAnswer>, Error<()>> { self.client.send(self.x).await }
                }
            }
        }
    }

    /// Each item of the gated fixture with its `cfg`, as source.
    fn gated() -> (String, Gated) {
        let mut file = fixture();
        let gated = add_to(&mut file, &features()).unwrap();
        (
            prettyplease::unparse(&file)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            gated,
        )
    }

    #[test]
    fn a_type_is_gated_by_the_areas_that_reach_it() {
        let (code, _) = gated();
        assert_contains_all(
            &code,
            &[
                r#"#[cfg(feature = "chat")] pub struct ChatRequest"#,
                r#"#[cfg(feature = "chat")] pub struct Message"#,
                r#"#[cfg(any(feature = "chat", feature = "images"))] pub enum Style"#,
                r#"#[cfg(feature = "images")] pub struct ImageRequest"#,
                // Reached by no operation: what the reached types in it need.
                r#"#[cfg(feature = "chat")] pub struct Orphan "#,
                r#"#[cfg(feature = "chat")] pub struct Orphaned "#,
            ],
        );
    }

    #[test]
    fn errors_unknown_areas_and_unused_types_are_always_built() {
        let (code, gated) = gated();
        for name in ["ErrorBody", "Detail", "LaterAnswer", "Unused"] {
            let plain = format!("}} pub struct {name}");
            let first = format!("pub mod types {{ pub struct {name}");
            assert!(
                code.contains(&plain) || code.contains(&first),
                "{name} should have no cfg:\n{code}"
            );
        }
        assert_eq!(gated.types, 6);
        assert_eq!(gated.always, 4);
    }

    #[test]
    fn other_items_need_every_gated_type_they_name() {
        let (code, _) = gated();
        assert_contains_all(
            &code,
            &[
                // Message ⊂ chat, ChatRequest ⊂ chat.
                r#"#[cfg(feature = "chat")] impl From<Message> for ChatRequest"#,
                // Style is chat or images; ImageRequest images only: images.
                r#"#[cfg(feature = "images")] impl From<Style> for ImageRequest"#,
                r#"#[cfg(feature = "chat")] pub type OldMessage = Message;"#,
                r#"pub mod builder { #[cfg(feature = "chat")] pub struct Message { text: String, }"#,
                r#"#[cfg(any(feature = "chat", feature = "images"))] pub(super) fn style()"#,
            ],
        );
    }

    #[test]
    fn the_client_is_gated_by_operation() {
        let (code, _) = gated();
        assert_contains_all(
            &code,
            &[
                r#"#[cfg(feature = "chat")] pub fn chat(&self)"#,
                r#"#[cfg(feature = "images")] pub fn images(&self)"#,
                r#"#[cfg(feature = "chat")] pub struct Chat<'a>"#,
                r#"#[cfg(feature = "chat")] impl<'a> Chat<'a>"#,
            ],
        );
        assert!(code.contains("} pub fn later(&self)"), "{code}");
        assert!(code.contains("} pub struct Later<'a>"), "{code}");
    }

    #[test]
    fn an_item_naming_types_of_two_disjoint_areas_needs_both() {
        let cfg = cfg_of([
            Some(BTreeSet::from(["chat"])),
            Some(BTreeSet::from(["images"])),
            None,
        ])
        .unwrap();
        assert_eq!(
            cfg.to_token_stream().to_string(),
            r#"# [cfg (all (feature = "chat" , feature = "images"))]"#
        );
        assert!(cfg_of([None, Some(BTreeSet::new())]).is_none());
    }

    /// The features named here are venice-sdk's `all-areas`, and only those:
    /// a feature the generated code names and the SDK lacks would never be on.
    #[test]
    fn every_area_is_a_feature_of_venice_sdk() {
        let manifest = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../venice-sdk/Cargo.toml"
        ))
        .unwrap();
        let line = manifest
            .lines()
            .find_map(|l| l.strip_prefix("all-areas = "))
            .expect("venice-sdk has an all-areas feature");
        let listed: BTreeSet<&str> = line
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        let ours: BTreeSet<&str> = AREAS.iter().map(|(_, f)| *f).collect();
        assert_eq!(listed, ours);
        for feature in ours {
            assert!(
                manifest.contains(&format!("\n{feature} = [")),
                "venice-sdk declares no `{feature}` feature"
            );
        }
    }

    #[test]
    fn an_area_is_the_first_word_of_the_first_tag() {
        let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(feature_of(&tags(&["Responses (Alpha)"])), Some("responses"));
        assert_eq!(feature_of(&tags(&["API Keys"])), Some("api-keys"));
        assert_eq!(feature_of(&tags(&["Audio", "Speech"])), Some("audio"));
        assert_eq!(feature_of(&tags(&["Crypto RPC"])), Some("crypto"));
        assert_eq!(feature_of(&tags(&["Something New"])), None);
        assert_eq!(feature_of(&[]), None);
    }
}
