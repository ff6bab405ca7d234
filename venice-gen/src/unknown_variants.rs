//! A last variant for every untagged union: `Unknown(serde_json::Value)`.
//!
//! serde tries the members of an untagged enum in turn on a buffered copy of
//! the value, where the SDK's lenient decoding cannot reach; one value that
//! fits no member — a shape upstream added, or a member missing a field the
//! spec requires — would fail the whole answer. With this variant it is kept
//! as JSON instead, and a request can send a shape the SDK does not know yet.
//! The variant is added to the enum (never to the spec, where a new member
//! would change how typify names the others); the generated `Display` learns
//! it, and derives a JSON value cannot have (`Copy`, `Hash`, `Ord`) are
//! dropped.

use quote::quote;

/// The name of the added variant.
pub const UNKNOWN: &str = "Unknown";

/// Adds the variant to every untagged enum of `types` that has no variant
/// taking any JSON value already; returns how many.
pub fn add_to(file: &mut syn::File) -> usize {
    let Some(types) = types_module(file) else {
        return 0;
    };
    let mut opened = Vec::new();
    for item in types.iter_mut() {
        let syn::Item::Enum(e) = item else { continue };
        let untagged = is_untagged(&e.attrs);
        // An externally tagged enum with data (`{"url": …}` or `{"b64_json": …}`):
        // the variant is untagged, serde's fallback after the tagged ones.
        let external = !untagged
            && !has_serde_key(&e.attrs, "tag")
            && e.variants
                .iter()
                .any(|v| !matches!(v.fields, syn::Fields::Unit));
        if (untagged || external) && !e.variants.iter().any(takes_anything) {
            let doc = "A value none of the other variants fits (a shape this version of the SDK does not know, or one missing what the spec requires), as JSON.";
            if untagged {
                e.variants.push(syn::parse_quote! {
                    #[doc = #doc]
                    Unknown(::serde_json::Value)
                });
            } else {
                e.variants.push(syn::parse_quote! {
                    #[doc = #doc]
                    #[serde(untagged)]
                    Unknown(::serde_json::Value)
                });
            }
            for attr in &mut e.attrs {
                drop_derives(attr);
            }
            opened.push(e.ident.clone());
        }
    }
    for item in types.iter_mut() {
        if let syn::Item::Impl(block) = item
            && let Some((trait_path, _)) = &block.trait_
            && trait_path
                .segments
                .last()
                .is_some_and(|s| s.ident == "Display")
            && let syn::Type::Path(ty) = &*block.self_ty
            && ty.path.get_ident().is_some_and(|id| opened.contains(id))
        {
            for inner in &mut block.items {
                if let syn::ImplItem::Fn(method) = inner {
                    add_display_arm(&mut method.block);
                }
            }
        }
    }
    opened.len()
}

/// The items of `pub mod types`.
fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// `#[serde(untagged)]` on the enum.
fn is_untagged(attrs: &[syn::Attribute]) -> bool {
    has_serde_key(attrs, "untagged")
}

/// A `#[serde(…)]` attribute naming `key` (`untagged`, `tag = "type"`).
fn has_serde_key(attrs: &[syn::Attribute], key: &str) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("serde")
            && attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|metas| metas.iter().any(|m| m.path().is_ident(key)))
    })
}

/// A variant holding a `serde_json::Value` (any JSON fits it already).
fn takes_anything(variant: &syn::Variant) -> bool {
    variant.ident == UNKNOWN
        || variant.fields.iter().any(|field| {
            let ty = &field.ty;
            let text = quote!(#ty).to_string().replace(' ', "");
            text == "::serde_json::Value" || text == "serde_json::Value"
        })
}

/// Drops the derives a `serde_json::Value` does not implement.
fn drop_derives(attr: &mut syn::Attribute) {
    if !attr.path().is_ident("derive") {
        return;
    }
    let Ok(paths) = attr.parse_args_with(
        syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
    ) else {
        return;
    };
    let kept: Vec<&syn::Path> = paths
        .iter()
        .filter(|path| {
            !path.segments.last().is_some_and(|s| {
                matches!(
                    s.ident.to_string().as_str(),
                    "Copy" | "Hash" | "Ord" | "PartialOrd"
                )
            })
        })
        .collect();
    *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
}

/// Adds `Self::Unknown(x) => x.fmt(f)` to the `match` of a `Display::fmt`.
fn add_display_arm(block: &mut syn::Block) {
    for stmt in &mut block.stmts {
        if let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt {
            m.arms.push(syn::parse_quote! {
                Self::Unknown(x) => x.fmt(f),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_enums_get_the_variant_and_display_learns_it() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
                #[serde(untagged)]
                pub enum Size { Variant0(u32), Variant1(f64) }
                impl ::std::fmt::Display for Size {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match self {
                            Self::Variant0(x) => x.fmt(f),
                            Self::Variant1(x) => x.fmt(f),
                        }
                    }
                }
                #[serde(untagged)]
                pub enum Open { Variant0(u32), Variant1(::serde_json::Value) }
                #[serde(tag = "type")]
                pub enum Tagged { A(u8), B }
                pub enum External { #[serde(rename = "url")] Url(String) }
                pub enum Unit { A, B }
            }
        };
        assert_eq!(add_to(&mut file), 2);
        let code = quote!(#file).to_string();
        crate::test_support::assert_contains_all(
            &code,
            &[
                "Unknown (:: serde_json :: Value)",
                "Self :: Unknown (x) => x . fmt (f)",
                "derive (Clone , Debug , PartialEq , Eq)",
            ],
        );
        // Size (untagged) and External (as a serde fallback); not Open (takes
        // any JSON already), Tagged (internally tagged) or Unit (no data).
        assert_eq!(code.matches("Unknown").count(), 3, "{code}");
        assert!(code.contains("# [serde (untagged)] Unknown"), "{code}");
    }
}
