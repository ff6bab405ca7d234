//! Opens the string enums of the `types` module to values the SDK does not know yet.
//!
//! typify makes every `enum` of strings a closed Rust enum: a value upstream adds (a
//! new video duration, aspect ratio or model id, every few days) cannot be sent
//! until a new SDK release. Response schemas are already opened by normalization
//! (their enums become strings, see `venice_openapi::passes::open_response_types`);
//! what remains are the enums of requests, which this step opens.
//!
//! # Which enums
//!
//! Found by shape, never by name: an enum of the `types` module whose variants are
//! all unit variants, at least two, that derives serde's `Serialize` and
//! `Deserialize` and carries no container `#[serde(…)]` attribute (each variant
//! then names one string value: its `rename`, or its name). An enum of one value is
//! left closed: it is the constant tag of a union member (`type: function_call`),
//! which decoding relies on to tell the members apart, and which a new upstream value
//! would not extend (a new member would).
//!
//! # What changes
//!
//! - A last variant `Other(String)` (the *fallback*), `#[serde(untagged)]`: it
//!   serializes as the string it holds, and any string no known variant names
//!   deserializes into it. If the enum already has a variant named `Other` (a known
//!   value `"other"`), the fallback is `Other_`, with one more `_` per further
//!   collision.
//! - `Copy` leaves the derives (a `String` is not `Copy`); every other derive stays
//!   (the fallback sorts after the known values).
//! - `Display` writes the fallback's string.
//! - `FromStr` (and the `TryFrom<&str>` / `TryFrom<String>` that call it) returns
//!   the fallback for a value no known variant names, and still rejects an empty
//!   string: it is never a value upstream adds, and it is what an unset setting or
//!   environment variable parses from. (Not for the enums of the next section.)
//!
//! # Enums that tell union members apart
//!
//! An untagged union is decoded, and parsed by its own `FromStr`, by trying its
//! members in turn; an enum held (directly or through other types) by any member but
//! the last is what makes that member refuse another's value (`ToolCall`:
//! `{"type": "web_search"}` before a function call; a voice name before a
//! cloned-voice handle). Accepting any string there would read a later member's
//! value as the earlier member. Such an enum is opened for sending only: its
//! fallback is also `#[serde(skip_deserializing)]` and its `FromStr` is left as
//! typify wrote it, so it serializes a fallback built directly
//! (`Enum::Other(s)`) as given, and parsing and decoding behave as before (an
//! unknown value fails, and the union tries its next member).

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, format_ident};

/// The doc comment of the fallback variant.
const FALLBACK_DOC: &str = " A value this SDK does not know yet, sent as given.";

/// The doc comment of the fallback of an enum that tells union members apart.
const SEND_ONLY_DOC: &str = " A value this SDK does not know yet, sent as given.\n\n Built directly only: this type tells the members of a union apart, so parsing\n and decoding still refuse a value it does not know (and the union tries its next\n member).";

/// The message of `FromStr` for an empty string.
const EMPTY_MESSAGE: &str = "empty value";

/// What [`add_to`] opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// The enums given a fallback that also decodes, by name.
    pub open: Vec<String>,
    /// The enums given a fallback for sending only (they tell union members apart).
    pub send_only: Vec<String>,
}

impl Opened {
    /// How many enums were opened in all.
    pub fn count(&self) -> usize {
        self.open.len() + self.send_only.len()
    }
}

/// Opens the string enums of the `types` module of `file`; `Err` names an enum
/// whose generated `Display` or `FromStr` does not have the shape this step edits.
pub fn add_to(file: &mut syn::File) -> Result<Opened, String> {
    let mut opened = Opened::default();
    for item in &mut file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == "types"
            && let Some((_, items)) = &mut m.content
        {
            let more = open_items(items)?;
            opened.open.extend(more.open);
            opened.send_only.extend(more.send_only);
        }
    }
    Ok(opened)
}

/// Opens the string enums among `items` (the content of the `types` module).
pub fn open_items(items: &mut [syn::Item]) -> Result<Opened, String> {
    let guarded = union_guards(items);
    // Enum name → (its fallback variant, whether parsing and decoding reach it).
    let mut fallbacks: HashMap<String, (syn::Ident, bool)> = HashMap::new();
    let mut opened = Opened::default();
    for item in items.iter_mut() {
        let syn::Item::Enum(e) = item else { continue };
        if !is_string_enum(e) {
            continue;
        }
        let name = e.ident.to_string();
        let fallback = fallback_ident(e);
        let decodes = !guarded.contains(&name);
        open_enum(e, &fallback, decodes);
        if decodes {
            opened.open.push(name.clone());
        } else {
            opened.send_only.push(name.clone());
        }
        fallbacks.insert(name, (fallback, decodes));
    }
    for item in items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let Some(name) = self_name(imp) else { continue };
        let Some((fallback, decodes)) = fallbacks.get(&name) else {
            continue;
        };
        match trait_name(imp).as_deref() {
            Some("Display") => patch_display(imp, fallback)
                .map_err(|why| format!("`Display` of `{name}`: {why}"))?,
            Some("FromStr") if *decodes => patch_from_str(imp, fallback)
                .map_err(|why| format!("`FromStr` of `{name}`: {why}"))?,
            _ => {}
        }
    }
    Ok(opened)
}

/// Whether `e` is one of typify's string enums of at least two values.
fn is_string_enum(e: &syn::ItemEnum) -> bool {
    let derives = derives(&e.attrs);
    e.variants.len() >= 2
        && e.variants
            .iter()
            .all(|v| matches!(v.fields, syn::Fields::Unit) && v.discriminant.is_none())
        && derives.iter().any(|d| d == "Serialize")
        && derives.iter().any(|d| d == "Deserialize")
        && !e.attrs.iter().any(|a| a.path().is_ident("serde"))
}

/// The last segment of every path in the `#[derive(…)]` attributes of `attrs`.
fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        if let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) {
            out.extend(
                paths
                    .iter()
                    .filter_map(|p| p.segments.last().map(|s| s.ident.to_string())),
            );
        }
    }
    out
}

/// `Other`, or `Other_` (one more `_` per collision) if `e` has a variant of that
/// name.
fn fallback_ident(e: &syn::ItemEnum) -> syn::Ident {
    let mut name = String::from("Other");
    while e.variants.iter().any(|v| v.ident == name) {
        name.push('_');
    }
    format_ident!("{}", name)
}

/// Adds the fallback variant and drops `Copy` from the derives.
fn open_enum(e: &mut syn::ItemEnum, fallback: &syn::Ident, decodes: bool) {
    for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| p.segments.last().is_none_or(|s| s.ident != "Copy"))
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    let variant: syn::Variant = if decodes {
        syn::parse_quote! {
            #[doc = #FALLBACK_DOC]
            #[serde(untagged)]
            #fallback(::std::string::String)
        }
    } else {
        syn::parse_quote! {
            #[doc = #SEND_ONLY_DOC]
            #[serde(untagged, skip_deserializing)]
            #fallback(::std::string::String)
        }
    };
    e.variants.push(variant);
}

/// The names of the types that tell the members of an untagged union apart: every
/// type a member other than the last holds, directly or through other types of
/// `items`.
fn union_guards(items: &[syn::Item]) -> BTreeSet<String> {
    // Type name → the names its fields mention.
    let mut mentions: HashMap<String, Vec<String>> = HashMap::new();
    let mut roots = Vec::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                mentions.insert(s.ident.to_string(), names_in(&s.fields));
            }
            syn::Item::Enum(e) => {
                let all = e
                    .variants
                    .iter()
                    .flat_map(|v| names_in(&v.fields))
                    .collect();
                mentions.insert(e.ident.to_string(), all);
                if is_untagged(&e.attrs) {
                    let before_last = e.variants.len().saturating_sub(1);
                    for v in e.variants.iter().take(before_last) {
                        roots.extend(names_in(&v.fields));
                    }
                }
            }
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = roots.pop() {
        if let Some(next) = mentions.get(&name)
            && seen.insert(name)
        {
            roots.extend(next.iter().cloned());
        }
    }
    seen
}

/// Every identifier in the types of `fields` (paths and generic arguments alike;
/// names that are not types of the module are ignored by the caller).
fn names_in(fields: &syn::Fields) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        for tree in tokens {
            match tree {
                TokenTree::Ident(i) => out.push(i.to_string()),
                TokenTree::Group(g) => walk(g.stream(), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for field in fields {
        walk(field.ty.to_token_stream(), &mut out);
    }
    out
}

/// `#[serde(untagged)]` among `attrs` (a union, or a fallback variant).
pub(crate) fn is_untagged(attrs: &[syn::Attribute]) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("untagged") {
                found = true;
            } else if meta.input.peek(syn::Token![=]) {
                let value = meta.value()?;
                let _: syn::Expr = value.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// The name of the type an `impl` is for, when it is a plain name.
fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

/// The last segment of the trait an `impl` implements.
fn trait_name(imp: &syn::ItemImpl) -> Option<String> {
    let (path, _) = imp.trait_.as_ref()?;
    path.segments.last().map(|s| s.ident.to_string())
}

/// The one method of `imp` named `name`.
fn method<'a>(imp: &'a mut syn::ItemImpl, name: &str) -> Result<&'a mut syn::ImplItemFn, String> {
    imp.items
        .iter_mut()
        .find_map(|i| match i {
            syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
            _ => None,
        })
        .ok_or_else(|| format!("no `{name}` method"))
}

/// The name the `index`th parameter of `f` binds.
fn param(f: &syn::ImplItemFn, index: usize) -> Result<syn::Ident, String> {
    match f.sig.inputs.iter().nth(index) {
        Some(syn::FnArg::Typed(t)) => match &*t.pat {
            syn::Pat::Ident(i) => Ok(i.ident.clone()),
            _ => Err(format!("parameter {index} is not a plain name")),
        },
        _ => Err(format!("no parameter {index}")),
    }
}

/// The `match` the body of `f` consists of.
fn body_match(f: &mut syn::ImplItemFn) -> Result<&mut syn::ExprMatch, String> {
    match f.block.stmts.as_mut_slice() {
        [syn::Stmt::Expr(syn::Expr::Match(m), None)] => Ok(m),
        _ => Err("the body is not one `match`".into()),
    }
}

/// `match *self { … }` gains `Self::Other(ref value) => f.write_str(value)`.
fn patch_display(imp: &mut syn::ItemImpl, fallback: &syn::Ident) -> Result<(), String> {
    let fmt = method(imp, "fmt")?;
    let f = param(fmt, 1)?;
    let m = body_match(fmt)?;
    let derefs_self = matches!(
        &*m.expr,
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_))
            && matches!(&*u.expr, syn::Expr::Path(p) if p.path.is_ident("self"))
    );
    if !derefs_self {
        return Err("the `match` is not on `*self`".into());
    }
    m.arms.push(syn::parse_quote! {
        Self::#fallback(ref value) => #f.write_str(value),
    });
    Ok(())
}

/// `match value { …, _ => Err(…) }`: the catch-all arm becomes an error for an
/// empty string and the fallback for any other.
fn patch_from_str(imp: &mut syn::ItemImpl, fallback: &syn::Ident) -> Result<(), String> {
    let from_str = method(imp, "from_str")?;
    let value = param(from_str, 0)?;
    let m = body_match(from_str)?;
    match m.arms.last() {
        // A guard is part of the pattern (`Pat::Guard`): `Wild` has none.
        Some(arm) if matches!(arm.pat, syn::Pat::Wild(_)) => {}
        _ => return Err("the `match` does not end with a `_` arm".into()),
    }
    m.arms.pop();
    m.arms.push(syn::parse_quote! {
        _ if #value.is_empty() => Err(#EMPTY_MESSAGE.into()),
    });
    m.arms.push(syn::parse_quote! {
        _ => Ok(Self::#fallback(#value.to_owned())),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `types` module shaped like typify's output for a string enum.
    fn typify_shaped() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
                pub enum Duration {
                    #[serde(rename = "5s")]
                    X5s,
                    Auto,
                }
                impl ::std::fmt::Display for Duration {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::X5s => f.write_str("5s"),
                            Self::Auto => f.write_str("Auto"),
                        }
                    }
                }
                impl ::std::str::FromStr for Duration {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value {
                            "5s" => Ok(Self::X5s),
                            "Auto" => Ok(Self::Auto),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]
                pub enum Pick {
                    #[serde(rename = "other")]
                    Other,
                    #[serde(rename = "first")]
                    First,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]
                pub enum FunctionType {
                    #[serde(rename = "function")]
                    Function,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                #[serde(untagged)]
                pub enum Call {
                    Search { #[serde(rename = "type")] type_: SearchType },
                    Function { #[serde(rename = "type")] type_: FunctionType, name: ::std::string::String },
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]
                pub enum SearchType {
                    #[serde(rename = "web_search")]
                    WebSearch,
                    #[serde(rename = "x_search")]
                    XSearch,
                }
                impl ::std::str::FromStr for SearchType {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value {
                            "web_search" => Ok(Self::WebSearch),
                            "x_search" => Ok(Self::XSearch),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, PartialEq)]
                #[serde(try_from = "i64")]
                pub enum Level { A, B }
            }
        }
    }

    fn flat(file: &syn::File) -> String {
        prettyplease::unparse(file)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn enum_named<'a>(file: &'a syn::File, name: &str) -> &'a syn::ItemEnum {
        let Some(syn::Item::Mod(m)) = file.items.first() else {
            panic!("no module")
        };
        let Some((_, items)) = &m.content else {
            panic!("empty module")
        };
        items
            .iter()
            .find_map(|i| match i {
                syn::Item::Enum(e) if e.ident == name => Some(e),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no enum {name}"))
    }

    #[test]
    fn string_enums_gain_a_fallback_and_lose_copy() {
        let mut file = typify_shaped();
        let opened = add_to(&mut file).unwrap();
        assert_eq!(opened.open, ["Duration", "Pick"]);
        assert_eq!(opened.send_only, ["SearchType"]);
        // The output is still Rust.
        let code = prettyplease::unparse(&file);
        let _: syn::File = syn::parse_str(&code).unwrap();

        let duration = enum_named(&file, "Duration");
        let last = duration.variants.last().unwrap();
        assert_eq!(last.ident, "Other");
        assert!(matches!(&last.fields, syn::Fields::Unnamed(f) if f.unnamed.len() == 1));
        assert!(!derives(&duration.attrs).contains(&"Copy".to_owned()));
        assert!(derives(&duration.attrs).contains(&"Hash".to_owned()));

        let flat = flat(&file);
        crate::test_support::assert_contains_all(
            &flat,
            &[
                "/// A value this SDK does not know yet, sent as given. #[serde(untagged)] Other(::std::string::String),",
                "Self::Other(ref value) => f.write_str(value),",
                r#"_ if value.is_empty() => Err("empty value".into()),"#,
                "_ => Ok(Self::Other(value.to_owned())),",
            ],
        );
        // Only `SearchType`'s (see below) keeps refusing unknown values.
        assert_eq!(flat.matches("invalid value").count(), 1, "{flat}");
    }

    #[test]
    fn a_variant_named_other_moves_the_fallback_aside() {
        let mut file = typify_shaped();
        add_to(&mut file).unwrap();
        let pick = enum_named(&file, "Pick");
        let names: Vec<String> = pick.variants.iter().map(|v| v.ident.to_string()).collect();
        assert_eq!(names, ["Other", "First", "Other_"]);
    }

    #[test]
    fn tags_and_non_string_enums_stay_closed() {
        let mut file = typify_shaped();
        add_to(&mut file).unwrap();
        // One value: a union member's tag.
        assert_eq!(enum_named(&file, "FunctionType").variants.len(), 1);
        // A container attribute: not a plain string enum.
        assert_eq!(enum_named(&file, "Level").variants.len(), 2);
        // Unions are not string enums.
        assert_eq!(enum_named(&file, "Call").variants.len(), 2);
    }

    #[test]
    fn an_enum_telling_union_members_apart_is_opened_for_sending_only() {
        let mut file = typify_shaped();
        add_to(&mut file).unwrap();
        let search = enum_named(&file, "SearchType");
        let last = search.variants.last().unwrap();
        assert_eq!(last.ident, "Other");
        let attr = last
            .attrs
            .iter()
            .find(|a| a.path().is_ident("serde"))
            .unwrap();
        assert_eq!(
            attr.to_token_stream().to_string(),
            "# [serde (untagged , skip_deserializing)]"
        );
        // Its `FromStr` is left alone: a union parsing it tries its next member.
        let flat = flat(&file);
        assert!(
            flat.contains(r#""x_search" => Ok(Self::XSearch), _ => Err("invalid value".into()),"#),
            "{flat}"
        );
    }

    #[test]
    fn an_unexpected_from_str_is_an_error_not_broken_code() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub enum Mode { A, B }
                impl ::std::str::FromStr for Mode {
                    type Err = ();
                    fn from_str(value: &str) -> Result<Self, ()> {
                        if value == "A" { Ok(Self::A) } else { Ok(Self::B) }
                    }
                }
            }
        };
        let err = add_to(&mut file).unwrap_err();
        assert!(err.contains("`FromStr` of `Mode`"), "{err}");
    }
}
