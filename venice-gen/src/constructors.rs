//! Constructors over the required fields of every generated type.
//!
//! A struct literal of a generated type (`types::Foo { a, b: None }`) stops compiling
//! each time upstream adds an optional field, and upstream adds one every few weeks.
//! For every struct of the `types` module, and every struct-like variant of its
//! enums, this emits a constructor taking only the required fields and leaving every
//! optional one unset (or at its serde default):
//!
//! - `types::Foo::from_required(a, b) -> Foo`
//! - `types::Bar::variant_from_required(c) -> Bar` for `Bar::Variant { c, … }`
//!
//! A new optional field leaves the signature unchanged; a new *required* field adds a
//! parameter, so the one call that must now provide it stops compiling.
//!
//! Request types also get `new(..)`, the same fields in the order a person says
//! them ([`crate::request_new`]); `from_required` stays on every struct.
//!
//! A field whose type is an enum of one unit variant (the tag of a discriminated
//! union, such as `role: assistant`) is filled with that variant: it can hold
//! nothing else.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// What a constructor does with one field.
pub(crate) enum Init {
    /// A parameter of the constructor.
    Required,
    /// `None`, an empty collection, or the serde default.
    Value(TokenStream),
}

/// The enums of one unit variant among `items`: name → that variant.
pub(crate) type Tags = HashMap<String, syn::Ident>;

pub(crate) fn one_value_enums(items: &[syn::Item]) -> Tags {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Enum(e) => match e.variants.iter().collect::<Vec<_>>().as_slice() {
                [v] if matches!(v.fields, syn::Fields::Unit) => {
                    Some((e.ident.to_string(), v.ident.clone()))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// How the field is initialized, from its type and its `#[serde(default …)]`.
pub(crate) fn init_of(field: &syn::Field, tags: &Tags) -> Init {
    if is_option(&field.ty) {
        return Init::Value(quote!(::std::option::Option::None));
    }
    if let syn::Type::Path(p) = &field.ty
        && p.qself.is_none()
        && let [segment] = p.path.segments.iter().collect::<Vec<_>>().as_slice()
        && matches!(segment.arguments, syn::PathArguments::None)
        && let Some(variant) = tags.get(&segment.ident.to_string())
    {
        let ty = &segment.ident;
        return Init::Value(quote!(#ty::#variant));
    }
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let mut init = None;
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                if let Ok(value) = meta.value() {
                    let lit: syn::LitStr = value.parse()?;
                    if let Ok(path) = lit.parse::<syn::ExprPath>() {
                        init = Some(quote!(#path()));
                    }
                } else {
                    init = Some(quote!(::std::default::Default::default()));
                }
            } else if meta.input.peek(syn::Token![=]) {
                let value = meta.value()?;
                let _: syn::Expr = value.parse()?;
            }
            Ok(())
        });
        if let Some(init) = init {
            return Init::Value(init);
        }
    }
    Init::Required
}

fn is_option(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Option"),
        _ => false,
    }
}

/// The parameters and the field initializers of a constructor over `fields`.
fn parts(
    fields: &syn::FieldsNamed,
    tags: &Tags,
) -> (Vec<TokenStream>, Vec<TokenStream>, Vec<String>) {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut names = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else { continue };
        let ty = &field.ty;
        match init_of(field, tags) {
            Init::Required => {
                params.push(quote!(#ident: #ty));
                inits.push(quote!(#ident));
                names.push(format!("`{}`", ident.to_string().trim_start_matches("r#")));
            }
            Init::Value(value) => inits.push(quote!(#ident: #value)),
        }
    }
    (params, inits, names)
}

fn required_doc(names: &[String]) -> String {
    if names.is_empty() {
        " It has no required field.".to_owned()
    } else {
        format!(" Required: {}.", names.join(", "))
    }
}

/// The constructors for the items of the `types` module.
pub fn for_types(items: &[syn::Item]) -> Vec<syn::Item> {
    let tags = one_value_enums(items);
    let mut out = Vec::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let syn::Fields::Named(fields) = &s.fields else {
                    continue;
                };
                let name = &s.ident;
                let (params, inits, names) = parts(fields, &tags);
                let doc = format!(
                    " A `{name}` from its required fields, every optional field unset.{}\n\n A field added upstream as optional leaves this signature unchanged.",
                    required_doc(&names)
                );
                out.push(syn::parse_quote! {
                    impl #name {
                        #[doc = #doc]
                        #[allow(clippy::too_many_arguments)]
                        pub fn from_required(#(#params),*) -> Self {
                            Self { #(#inits),* }
                        }
                    }
                });
            }
            syn::Item::Enum(e) => {
                let name = &e.ident;
                let mut fns = Vec::new();
                for variant in &e.variants {
                    let syn::Fields::Named(fields) = &variant.fields else {
                        continue;
                    };
                    let v = &variant.ident;
                    let snake = heck::ToSnakeCase::to_snake_case(v.to_string().as_str());
                    let f = format_ident!("{}_from_required", snake);
                    let (params, inits, names) = parts(fields, &tags);
                    let doc = format!(
                        " `{name}::{v}` from its required fields, every optional field unset.{}",
                        required_doc(&names)
                    );
                    fns.push(quote! {
                        #[doc = #doc]
                        #[allow(clippy::too_many_arguments)]
                        pub fn #f(#(#params),*) -> Self {
                            Self::#v { #(#inits),* }
                        }
                    });
                }
                if !fns.is_empty() {
                    out.push(syn::parse_quote! {
                        impl #name { #(#fns)* }
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Appends the constructors to the `types` module of `file`.
pub fn add_to(file: &mut syn::File) {
    for item in &mut file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == "types"
            && let Some((_, items)) = &mut m.content
        {
            let extra = for_types(items);
            items.extend(extra);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_take_only_required_fields() {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Req {
                    pub model: ::std::string::String,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub temperature: ::std::option::Option<f64>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tools: ::std::vec::Vec<::std::string::String>,
                    #[serde(default = "defaults::req_n")]
                    pub n: i64,
                }
                pub enum Msg {
                    User { content: ::std::string::String, #[serde(default)] name: ::std::option::Option<::std::string::String> },
                    Plain(::std::string::String),
                }
            }
        };
        let mut file = file;
        add_to(&mut file);
        let code = prettyplease::unparse(&file);
        let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("pub fn from_required(model: ::std::string::String) -> Self"),
            "{code}"
        );
        assert!(
            flat.contains("temperature: ::std::option::Option::None"),
            "{code}"
        );
        assert!(
            flat.contains("tools: ::std::default::Default::default()"),
            "{code}"
        );
        assert!(flat.contains("n: defaults::req_n()"), "{code}");
        assert!(
            flat.contains("pub fn user_from_required(content: ::std::string::String) -> Self"),
            "{code}"
        );
        assert!(flat.contains("Required: `model`."), "{code}");
        assert!(!flat.contains("plain_from_required"), "{code}");
    }

    #[test]
    fn one_value_tags_are_filled_not_asked_for() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub enum AssistantRole { Assistant }
                pub enum Kind { A, B }
                pub enum Msg {
                    Assistant { role: AssistantRole, kind: Kind, text: ::std::string::String },
                }
            }
        };
        add_to(&mut file);
        let code = prettyplease::unparse(&file);
        let flat: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(
                "pub fn assistant_from_required(kind: Kind, text: ::std::string::String) -> Self"
            ),
            "{code}"
        );
        assert!(flat.contains("role: AssistantRole::Assistant"), "{code}");
    }
}
