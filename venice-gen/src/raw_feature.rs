//! Puts the generated client and typify's struct builders behind the SDK's `raw`
//! Cargo feature.
//!
//! progenitor in builder style emits, beside the `types` the SDK is built on, a
//! client of its own (`Client`, one builder per operation in `builder`, a
//! `prelude`) and, for each struct of `types`, a builder in `types::builder`
//! with a `builder()` constructor. The SDK sends every request itself: those items
//! serve only users who call `Client::raw()` or `types::X::builder()`. They are
//! half of the generated lines and a fifth of the crate's build, so they are
//! compiled only for users who turn the feature on.
//!
//! # What is gated
//!
//! Found by position, never by type name:
//!
//! - every top-level item but the `types` and `operations` modules (the client,
//!   its impls, the `builder` and `prelude` modules, the `progenitor_client`
//!   imports);
//! - the `builder` module inside `types`;
//! - each inherent `fn builder` of a type inside `types`.
//!
//! Nothing else of `types` names a builder; the SDK's CI compiles the crate with
//! and without the feature, so an item a newer progenitor adds that does is
//! caught there.
//!
//! # What is hidden
//!
//! The generated client's constructors (`new`, `new_with_client` of a top-level
//! inherent impl) are `#[doc(hidden)]`: they take the SDK's own `Inner`, which
//! users cannot build, and a client made with another base URL would send the
//! key there. `Client::raw()` is the way to the generated client.

use syn::{Attribute, ImplItem, Item, parse_quote};

/// The Cargo feature of venice-sdk the gated items need.
pub const FEATURE: &str = "raw";

/// Gates the generated client and the struct builders of `file` behind
/// [`FEATURE`]; returns how many items it gated.
///
/// # Errors
///
/// An item it cannot attach an attribute to (a bare token stream): the caller
/// reports it instead of emitting a client whose parts would not compile apart.
pub fn add_to(file: &mut syn::File) -> Result<usize, String> {
    let cfg: Attribute = parse_quote!(#[cfg(feature = "raw")]);
    let mut gated = 0usize;
    for item in &mut file.items {
        match item {
            Item::Mod(m) if m.ident == "operations" => {}
            Item::Mod(m) if m.ident == "types" => {
                let Some((_, items)) = m.content.as_mut() else {
                    continue;
                };
                for inner in items {
                    match inner {
                        Item::Mod(b) if b.ident == "builder" => {
                            b.attrs.push(cfg.clone());
                            gated = gated.saturating_add(1);
                        }
                        Item::Impl(imp) if imp.trait_.is_none() => {
                            for member in &mut imp.items {
                                if let ImplItem::Fn(f) = member
                                    && f.sig.ident == "builder"
                                {
                                    f.attrs.push(cfg.clone());
                                    gated = gated.saturating_add(1);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            other => {
                if let Item::Impl(imp) = other
                    && imp.trait_.is_none()
                {
                    hide_constructors(imp);
                }
                let attrs = attrs_of(other).ok_or_else(|| {
                    "a top-level item of the generated client has no attributes to gate \
                     behind the `raw` feature"
                        .to_owned()
                })?;
                attrs.push(cfg.clone());
                gated = gated.saturating_add(1);
            }
        }
    }
    Ok(gated)
}

/// Hides the generated client's constructors (see the module's documentation).
fn hide_constructors(imp: &mut syn::ItemImpl) {
    for member in &mut imp.items {
        if let ImplItem::Fn(f) = member
            && (f.sig.ident == "new" || f.sig.ident == "new_with_client")
        {
            f.attrs.push(parse_quote!(#[doc(hidden)]));
        }
    }
}

/// The attributes of `item`, where it has any.
pub(crate) fn attrs_of(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::ExternCrate(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::ForeignMod(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::TraitAlias(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(code: &str) -> String {
        let mut file: syn::File = syn::parse_str(code).unwrap();
        add_to(&mut file).unwrap();
        prettyplease::unparse(&file)
    }

    #[test]
    fn the_client_and_the_builders_are_gated_and_the_types_are_not() {
        let out = gate(
            r#"
            pub use progenitor_client::Error;
            pub mod types {
                pub struct Thing { pub a: String }
                impl Thing {
                    pub fn builder() -> builder::Thing { Default::default() }
                    pub fn from_required(a: String) -> Self { Self { a } }
                }
                impl From<&Thing> for Thing { fn from(t: &Thing) -> Self { t.clone() } }
                pub mod builder { pub struct Thing; }
                pub mod defaults {}
            }
            pub struct Client { baseurl: String }
            impl Client { pub fn new() {} pub fn new_with_client() {} pub fn call(&self) {} }
            pub mod builder {}
            pub mod prelude {}
            pub mod operations { pub const A: u8 = 1; }
            "#,
        );
        let gated = |line: &str| {
            let at = out
                .find(line)
                .unwrap_or_else(|| panic!("{line} missing in\n{out}"));
            out[..at].trim_end().ends_with("#[cfg(feature = \"raw\")]")
        };
        for line in [
            "pub use progenitor_client::Error;",
            "pub fn builder() -> builder::Thing",
            "pub mod builder {\n        pub struct Thing;",
            "pub struct Client {",
            "impl Client {",
            "pub mod builder {}",
            "pub mod prelude {}",
        ] {
            assert!(gated(line), "{line} is not gated in\n{out}");
        }
        let hidden = |line: &str| {
            let at = out
                .find(line)
                .unwrap_or_else(|| panic!("{line} missing in\n{out}"));
            out[..at].trim_end().ends_with("#[doc(hidden)]")
        };
        assert!(hidden("pub fn new()"), "{out}");
        assert!(hidden("pub fn new_with_client()"), "{out}");
        assert!(!hidden("pub fn call(&self)"), "{out}");
        assert!(!hidden("pub fn from_required("), "{out}");
        for line in [
            "pub mod types {",
            "pub struct Thing {",
            "pub fn from_required(",
            "impl From<&Thing> for Thing",
            "pub mod defaults {}",
            "pub mod operations {",
        ] {
            assert!(!gated(line), "{line} is gated in\n{out}");
        }
    }

    #[test]
    fn an_item_without_attributes_is_an_error() {
        let mut file: syn::File = syn::parse_str("pub mod types {}").unwrap();
        file.items.push(Item::Verbatim(quote::quote!(
            struct X;
        )));
        assert!(add_to(&mut file).is_err());
    }
}
