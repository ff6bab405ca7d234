//! Strings in and out: every string enum and every string newtype of the `types`
//! module is built from, and compares equal to, the string it is sent as.
//!
//! Upstream gives one field a free string in one spec, an enum in the next, and a
//! named string schema (typify's newtype `struct Status(String)`) in a third. A
//! `String` compares with `"completed"`; with these impls the other two shapes do
//! too, so `answer.status == "completed"` (and `assert_eq!(answer.status,
//! "completed")`) compiles and means the same on every shape, without allocating.
//!
//! For each such type `T`: `PartialEq<str>`, `PartialEq<&str>` and
//! `PartialEq<String>`.
//!
//! Building works the same way: `T::from("text")` and `"text".into()` compile on
//! a `String` and, with the impls added here, on every shape that can hold any
//! string:
//!
//! - an open string enum (one with [`crate::open_enums`]'s fallback) gets
//!   `From<&str>` and `From<String>` in place of typify's `TryFrom` pair: a known
//!   value is its variant, any other string the fallback (the empty one too: the
//!   server judges it). `FromStr` keeps refusing an empty string, and `TryFrom`
//!   still works, infallibly, through the standard blanket impl;
//! - a string newtype that typify gave `From<String>` gets `From<&str>`;
//! - a union (an untagged enum) with one member holding a plain `String` gets
//!   `From<&str>` and `From<String>` to that member, unless it has them: a text
//!   goes where the spec takes "a string or a list of parts" (`ResponsesRequest::new(
//!   "venice-uncensored", "Hi")`). A text sent as given is what the spec's string
//!   member takes, whatever the other members are.
//!
//! - A string enum: every variant is a unit variant (its wire value is its
//!   `#[serde(rename)]`, or its name) or holds one `String` (the fallback
//!   [`crate::open_enums`] adds, compared by its content).
//! - A string newtype: a tuple struct of one `String` field.

use proc_macro2::TokenStream;
use quote::quote;

/// Adds the comparisons and conversions to the `types` module of `file`; returns
/// how many types got them.
pub fn add_to(file: &mut syn::File) -> usize {
    let Some(items) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return 0;
    };
    let mut added: Vec<syn::Item> = Vec::new();
    // Open enums whose `TryFrom<&str>`/`TryFrom<String>` give way to `From`.
    let mut replaced: Vec<String> = Vec::new();
    let mut n = 0;
    for item in items.iter() {
        match item {
            syn::Item::Enum(e) if crate::open_enums::is_untagged(&e.attrs) => {
                let Some(member) = string_member(e) else {
                    continue;
                };
                let name = e.ident.to_string();
                let has = |t: &str, arg: &str| items.iter().any(|i| is_impl_of(i, &name, t, arg));
                if has("From", "String") || has("From", "&str") || has("TryFrom", "&str") {
                    continue;
                }
                added.extend(text_into_member(&e.ident, &member));
                n += 1;
            }
            syn::Item::Enum(e) => {
                let Some(shape) = enum_shape(e) else { continue };
                added.extend(comparisons(&e.ident, &shape.arms));
                if let Some(fallback) = &shape.fallback {
                    added.extend(conversions(&e.ident, &shape.wire, fallback));
                    replaced.push(e.ident.to_string());
                }
                n += 1;
            }
            syn::Item::Struct(s) if is_string_newtype(s) => {
                added.extend(comparisons(
                    &s.ident,
                    &quote!(Self(value) => value == other,),
                ));
                let name = s.ident.to_string();
                let has = |t: &str, arg: &str| items.iter().any(|i| is_impl_of(i, &name, t, arg));
                if has("From", "String") && !has("From", "&str") && !has("TryFrom", "&str") {
                    let ident = &s.ident;
                    added.push(syn::parse_quote! {
                        impl ::std::convert::From<&str> for #ident {
                            fn from(value: &str) -> Self {
                                Self(value.to_owned())
                            }
                        }
                    });
                }
                n += 1;
            }
            _ => {}
        }
    }
    items.retain(|item| {
        !replaced.iter().any(|name| {
            is_impl_of(item, name, "TryFrom", "&str") || is_impl_of(item, name, "TryFrom", "String")
        })
    });
    items.extend(added);
    n
}

/// Whether `item` is `impl <trait_>< <arg> > for <name>` (`arg`: `&str` or
/// `String`, however the path is written).
fn is_impl_of(item: &syn::Item, name: &str, trait_: &str, arg: &str) -> bool {
    let syn::Item::Impl(imp) = item else {
        return false;
    };
    let self_is = matches!(&*imp.self_ty, syn::Type::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == name));
    let Some((path, _)) = &imp.trait_ else {
        return false;
    };
    let Some(last) = path.segments.last() else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    let arg_is = args.args.iter().any(|a| match (a, arg) {
        (syn::GenericArgument::Type(syn::Type::Reference(r)), "&str") => {
            matches!(&*r.elem, syn::Type::Path(p) if p.path.is_ident("str"))
        }
        (syn::GenericArgument::Type(t), "String") => is_string(t),
        _ => false,
    });
    self_is && last.ident == trait_ && arg_is
}

/// `From<&str>` and `From<String>` for an open enum: each known wire value to
/// its variant, anything else to the fallback.
fn conversions(
    name: &syn::Ident,
    wire: &[(String, syn::Ident)],
    fallback: &syn::Ident,
) -> Vec<syn::Item> {
    let values = wire.iter().map(|(w, _)| w);
    let variants = wire.iter().map(|(_, v)| v);
    vec![
        syn::parse_quote! {
            impl ::std::convert::From<&str> for #name {
                /// The variant sent as `value`; a value this SDK does not know is
                /// kept as given.
                fn from(value: &str) -> Self {
                    match value {
                        #(#values => Self::#variants,)*
                        _ => Self::#fallback(value.to_owned()),
                    }
                }
            }
        },
        syn::parse_quote! {
            impl ::std::convert::From<::std::string::String> for #name {
                /// The variant sent as `value`; a value this SDK does not know is
                /// kept as given.
                fn from(value: ::std::string::String) -> Self {
                    match Self::from(value.as_str()) {
                        Self::#fallback(_) => Self::#fallback(value),
                        known => known,
                    }
                }
            }
        },
    ]
}

/// `From<&str>` and `From<String>` for the union `name`: the text as its
/// `member`.
fn text_into_member(name: &syn::Ident, member: &syn::Ident) -> Vec<syn::Item> {
    vec![
        syn::parse_quote! {
            impl ::std::convert::From<&str> for #name {
                /// The text, sent as given.
                fn from(value: &str) -> Self {
                    Self::#member(value.to_owned())
                }
            }
        },
        syn::parse_quote! {
            impl ::std::convert::From<::std::string::String> for #name {
                /// The text, sent as given.
                fn from(value: ::std::string::String) -> Self {
                    Self::#member(value)
                }
            }
        },
    ]
}

/// The one member of the union `e` that holds a plain `String`; `None` when
/// none or several do.
fn string_member(e: &syn::ItemEnum) -> Option<syn::Ident> {
    let mut members = e.variants.iter().filter(|v| {
        matches!(&v.fields, syn::Fields::Unnamed(f) if f.unnamed.len() == 1 && is_string(&f.unnamed[0].ty))
    });
    let member = members.next()?;
    members.next().is_none().then(|| member.ident.clone())
}

/// The three impls for `name`, whose `match self` arms compare with `other: &str`.
fn comparisons(name: &syn::Ident, arms: &TokenStream) -> Vec<syn::Item> {
    vec![
        syn::parse_quote! {
            impl ::std::cmp::PartialEq<str> for #name {
                fn eq(&self, other: &str) -> bool {
                    match self {
                        #arms
                    }
                }
            }
        },
        syn::parse_quote! {
            impl ::std::cmp::PartialEq<&str> for #name {
                fn eq(&self, other: &&str) -> bool {
                    <Self as ::std::cmp::PartialEq<str>>::eq(self, other)
                }
            }
        },
        syn::parse_quote! {
            impl ::std::cmp::PartialEq<::std::string::String> for #name {
                fn eq(&self, other: &::std::string::String) -> bool {
                    <Self as ::std::cmp::PartialEq<str>>::eq(self, other.as_str())
                }
            }
        },
    ]
}

/// What a string enum is made of.
struct EnumShape {
    /// The arms of its comparison with `other: &str`.
    arms: TokenStream,
    /// Each unit variant's wire value.
    wire: Vec<(String, syn::Ident)>,
    /// The variant holding any other string, if it has one.
    fallback: Option<syn::Ident>,
}

/// The shape of a string enum, or `None` when `e` is not one: unit variants (at
/// least one) and at most one variant holding a `String`, no container
/// `#[serde(…)]` attribute (a tagged or untagged data enum).
fn enum_shape(e: &syn::ItemEnum) -> Option<EnumShape> {
    if e.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    let mut arms = Vec::new();
    let mut wire = Vec::new();
    let mut fallback = None;
    for v in &e.variants {
        let ident = &v.ident;
        match &v.fields {
            syn::Fields::Unit => {
                let value = serde_rename(&v.attrs).unwrap_or_else(|| ident.to_string());
                arms.push(quote!(Self::#ident => other == #value,));
                wire.push((value, ident.clone()));
            }
            syn::Fields::Unnamed(f)
                if fallback.is_none() && f.unnamed.len() == 1 && is_string(&f.unnamed[0].ty) =>
            {
                arms.push(quote!(Self::#ident(value) => value == other,));
                fallback = Some(ident.clone());
            }
            _ => return None,
        }
    }
    (!wire.is_empty()).then(|| EnumShape {
        arms: arms.into_iter().collect(),
        wire,
        fallback,
    })
}

/// Whether `s` is a tuple struct of one `String`.
fn is_string_newtype(s: &syn::ItemStruct) -> bool {
    matches!(&s.fields, syn::Fields::Unnamed(f) if f.unnamed.len() == 1 && is_string(&f.unnamed[0].ty))
}

/// Whether `ty` is `String` (however its path is written).
fn is_string(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "String" && s.arguments.is_empty()))
}

/// The value of `#[serde(rename = "…")]` among `attrs`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                found = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_enums_and_newtypes_compare_with_their_wire_strings() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub enum Status {
                    #[serde(rename = "in_progress")]
                    InProgress,
                    Done,
                    #[serde(untagged)]
                    Other(::std::string::String),
                }
                #[serde(transparent)]
                pub struct Reason(pub ::std::string::String);
                #[serde(untagged)]
                pub enum Content { Text(::std::string::String), Parts(Vec<Part>) }
                pub struct Part { pub text: ::std::string::String }
                impl ::std::convert::TryFrom<&str> for Status {
                    type Error = ();
                    fn try_from(value: &str) -> Result<Self, ()> { value.parse() }
                }
                impl ::std::convert::From<::std::string::String> for Reason {
                    fn from(value: ::std::string::String) -> Self { Self(value) }
                }
            }
        };
        assert_eq!(add_to(&mut file), 3);
        let code_of = |file: &syn::File| quote!(#file).to_string().replace(' ', "");
        let code = code_of(&file);
        crate::test_support::assert_contains_all(
            &code,
            &[
                "\"in_progress\"=>Self::InProgress,\"Done\"=>Self::Done,_=>Self::Other(value.to_owned())",
                "Self::InProgress=>other==\"in_progress\"",
                "Self::Done=>other==\"Done\"",
                "Self::Other(value)=>value==other",
                "PartialEq<&str>forReason",
            ],
        );
        assert!(
            !code.contains("PartialEq<str>forContent"),
            "a data enum is no string: {code}"
        );
        assert!(
            code.contains("From<&str>forContent")
                && code.contains("Self::Text(value.to_owned())")
                && code.contains("From<::std::string::String>forContent"),
            "a union takes a text as its string member: {code}"
        );
        assert!(!code.contains("forPart"), "{code}");
        assert!(
            !code.contains("TryFrom<&str>forStatus"),
            "replaced by From: {code}"
        );
        assert!(code.contains("From<&str>forReason"), "{code}");
    }

    #[test]
    fn a_union_with_its_own_conversion_or_two_string_members_gets_none() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[serde(untagged)]
                pub enum Owned { Text(::std::string::String), Parts(Vec<u8>) }
                impl ::std::convert::From<::std::string::String> for Owned {
                    fn from(value: ::std::string::String) -> Self { Self::Text(value) }
                }
                #[serde(untagged)]
                pub enum Twice { A(::std::string::String), B(String) }
                #[serde(untagged)]
                pub enum Newtyped { Text(Prompt), Parts(Vec<u8>) }
                pub struct Prompt(i64);
            }
        };
        assert_eq!(add_to(&mut file), 0);
        let code = quote!(#file).to_string().replace(' ', "");
        assert!(!code.contains("From<&str>"), "{code}");
    }
}
