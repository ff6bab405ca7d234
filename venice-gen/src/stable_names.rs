//! Names by position: every operation's body and parameters, and every field of
//! every struct of the `types` module (its items and map values too), has a type
//! named after where it sits, whatever the shape upstream gives it.
//!
//! typify names an inline schema after where it sits (`ListModels` + `type` →
//! `ListModelsType`, `CreateChatCompletionResponse` + `choices` + item →
//! `CreateChatCompletionResponseChoicesItem`), and nothing else has that name. When
//! upstream loosens the enum into a free string the type disappears (the parameter
//! becomes a `String`); when it moves the schema to `components` the type takes the
//! component's name. Code that named the old type stops compiling, although nothing
//! it does with the value changed.
//!
//! This step gives each of those positions its name back: where no type of the
//! `types` module has it, it adds `pub type <name> = <the type there>;`. So
//! `types::ListModelsType` names the type of `GET /models`'s `type` parameter in
//! every spec, an enum in one and `String` in the next, and hand-written code names
//! types by position, never by the accident of the current shape. The aliases are
//! hidden from the docs: the types they name are documented where they are.
//!
//! The positions, each `<owner><Position>` in UpperCamelCase:
//!
//! - an operation's body: `<Builder>Body` (progenitor's `EditImageBody`);
//! - an operation's parameter: `<Builder><Param>` (`ListModelsType`);
//! - a struct's field: `<Struct><Field>`, the type inside `Option` and `Box`;
//! - an array field's items: `<Struct><Field>Item`; a map field's values:
//!   `<Struct><Field>Value`.
//!
//! A position whose owner is itself a name added here (a struct moved to
//! `components` under another name) gets its fields' names too, through that name,
//! a few levels deep.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use heck::ToUpperCamelCase;
use syn::{Fields, GenericArgument, Item, PathArguments, Type};

/// How many names added here may stand between a position and the struct that
/// owns it (a struct that holds itself would otherwise add names forever).
const MAX_DEPTH: usize = 4;

/// Adds the missing names by position to the `types` module of `file`; returns how
/// many it added.
pub fn add_to(file: &mut syn::File) -> usize {
    let bodies_and_params = builder_positions(file);
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return 0;
    };
    let mut taken: BTreeSet<String> = types.iter().filter_map(item_name).collect();
    // The named-field structs: name → (field name, field type).
    let structs: BTreeMap<String, Vec<(String, Type)>> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Named(named) => Some((
                    s.ident.to_string(),
                    named
                        .named
                        .iter()
                        .filter_map(|f| Some((field_name(f.ident.as_ref()?), f.ty.clone())))
                        .collect(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect();

    let mut added: Vec<(String, Type)> = Vec::new();
    let add = |name: String, ty: Type, taken: &mut BTreeSet<String>, added: &mut Vec<_>| {
        if !is_ident(&name) || !taken.insert(name.clone()) {
            return false;
        }
        added.push((name, ty));
        true
    };
    for (name, ty) in bodies_and_params {
        add(name, ty, &mut taken, &mut added);
    }
    // (owner name, struct it names, depth): real structs first, then the names
    // added here that stand for a struct.
    // Breadth first: a real struct's positions take their names before a
    // position reached through an added name can.
    let mut owners: VecDeque<(String, String, usize)> =
        structs.keys().map(|s| (s.clone(), s.clone(), 0)).collect();
    for (name, ty) in &added {
        if let Some(target) = local_name(ty).filter(|t| structs.contains_key(t)) {
            owners.push_back((name.clone(), target, 1));
        }
    }
    while let Some((owner, target, depth)) = owners.pop_front() {
        let Some(fields) = structs.get(&target) else {
            continue;
        };
        for (field, ty) in fields {
            let ty = strip(ty, &["Option", "Box"]);
            let base = format!("{owner}{}", field.to_upper_camel_case());
            let mut positions = vec![(base.clone(), ty.clone())];
            if let Some(item) = generic_arg(&ty, "Vec", 0) {
                positions.push((format!("{base}Item"), strip(&item, &["Box"])));
            }
            for map in ["HashMap", "BTreeMap", "Map"] {
                if let Some(value) = generic_arg(&ty, map, 1) {
                    positions.push((format!("{base}Value"), strip(&value, &["Box"])));
                }
            }
            for (name, ty) in positions {
                let target = local_name(&ty).filter(|t| structs.contains_key(t));
                if add(name.clone(), ty, &mut taken, &mut added)
                    && let Some(target) = target
                    && depth < MAX_DEPTH
                {
                    owners.push_back((name, target, depth + 1));
                }
            }
        }
    }
    let n = added.len();
    for (name, ty) in added {
        let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
        types.push(syn::parse_quote! {
            #[doc(hidden)]
            pub type #ident = #ty;
        });
    }
    n
}

/// `(<Builder><Param>, type)` of every field of the client's builders (`client`
/// aside): its type inside `Result<_, String>` and `Option`, with `types::` (and
/// `types::builder::`) dropped, as the `types` module names it.
fn builder_positions(file: &syn::File) -> Vec<(String, Type)> {
    let mut out = Vec::new();
    for item in &file.items {
        let Item::Mod(module) = item else { continue };
        if module.ident != "builder" {
            continue;
        }
        for item in module.content.iter().flat_map(|(_, items)| items) {
            let Item::Struct(s) = item else { continue };
            let Fields::Named(named) = &s.fields else {
                continue;
            };
            for field in &named.named {
                let Some(ident) = &field.ident else { continue };
                if ident == "client" {
                    continue;
                }
                let ty = generic_arg(&field.ty, "Result", 0).unwrap_or_else(|| field.ty.clone());
                let ty = strip(&ty, &["Option"]);
                let Some(local) = types_path(&ty) else {
                    continue;
                };
                let name = format!("{}{}", s.ident, field_name(ident).to_upper_camel_case());
                if let Some(item) = generic_arg(&local, "Vec", 0) {
                    out.push((format!("{name}Item"), item));
                }
                out.push((name, local));
            }
        }
    }
    out
}

/// `ty` as the `types` module writes it: `types::X` and `types::builder::X` (the
/// builder of a body is built from the type of the same name) become `X`, in type
/// arguments too; `None` for a path into another module of the client.
fn types_path(ty: &Type) -> Option<Type> {
    let mut ty = ty.clone();
    localize(&mut ty).then_some(ty)
}

/// Rewrites the paths of `ty` in place (see [`types_path`]); false when one leads
/// somewhere the `types` module cannot name.
fn localize(ty: &mut Type) -> bool {
    let Type::Path(path) = ty else { return false };
    if path.qself.is_some() {
        return false;
    }
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let drop = match names.as_slice() {
        ["types", "builder", _] => 2,
        ["types", _] => 1,
        [_] => 0,
        _ if path.path.leading_colon.is_some() => 0,
        _ => return false,
    };
    if drop > 0 {
        path.path.segments = path.path.segments.iter().skip(drop).cloned().collect();
    }
    path.path
        .segments
        .iter_mut()
        .all(|segment| match &mut segment.arguments {
            PathArguments::AngleBracketed(args) => args.args.iter_mut().all(|arg| match arg {
                GenericArgument::Type(t) => localize(t),
                _ => true,
            }),
            PathArguments::None => true,
            PathArguments::Parenthesized(_) => false,
        })
}

/// A field's name as typify derives type names from it (`r#type` → `type`).
fn field_name(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    name.trim_end_matches('_').to_owned()
}

/// The name an item of the `types` module defines.
fn item_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Mod(m) => Some(m.ident.to_string()),
        _ => None,
    }
}

/// Whether `name` can be a type's identifier.
fn is_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The name of a type the `types` module defines, written as a bare identifier.
fn local_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() => {
            match p.path.segments.iter().collect::<Vec<_>>().as_slice() {
                [only] if matches!(only.arguments, PathArguments::None) => {
                    Some(only.ident.to_string())
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The `n`th type argument of `ty` when its last segment is `wrapper`.
fn generic_arg(ty: &Type, wrapper: &str, n: usize) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .nth(n)
}

/// `ty` with the outer wrappers named in `wrappers` taken off, repeatedly.
fn strip(ty: &Type, wrappers: &[&str]) -> Type {
    let mut ty = ty.clone();
    while let Some(inner) = wrappers.iter().find_map(|w| generic_arg(&ty, w, 0)) {
        ty = inner;
    }
    ty
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn names(file: &syn::File) -> Vec<String> {
        let types = file
            .items
            .iter()
            .find_map(|item| match item {
                Item::Mod(m) if m.ident == "types" => m.content.as_ref().map(|(_, i)| i),
                _ => None,
            })
            .cloned()
            .unwrap_or_default();
        types
            .iter()
            .filter_map(|item| match item {
                Item::Type(t) => Some(format!("{} = {}", t.ident, {
                    let ty = &t.ty;
                    quote!(#ty).to_string().replace(' ', "")
                })),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn positions_without_a_type_get_their_name_back() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Listing {
                    pub choices: ::std::vec::Vec<Moved>,
                    pub sort: ::std::option::Option<::std::string::String>,
                    pub extra: ::std::collections::HashMap<::std::string::String, i64>,
                    pub r#type: ListingType,
                }
                pub enum ListingType { A, B }
                pub struct Moved {
                    pub message: ::std::option::Option<::std::boxed::Box<Inner>>,
                }
                pub struct Inner { pub text: ::std::string::String }
                pub struct EditImageRequest { pub prompt: ::std::string::String }
            }
            pub mod builder {
                pub struct ListModels<'a> {
                    client: &'a super::Client,
                    type_: Result<Option<::std::string::String>, String>,
                    tags: Result<Option<::std::vec::Vec<types::Tag>>, String>,
                }
                pub struct EditImage<'a> {
                    client: &'a super::Client,
                    body: Result<types::builder::EditImageRequest, String>,
                }
            }
        };
        let n = add_to(&mut file);
        let names = names(&file);
        for expected in [
            "ListModelsType = ::std::string::String",
            "ListModelsTags = ::std::vec::Vec<Tag>",
            "ListModelsTagsItem = Tag",
            "EditImageBody = EditImageRequest",
            "EditImageBodyPrompt = ::std::string::String",
            "ListingChoices = ::std::vec::Vec<Moved>",
            "ListingChoicesItem = Moved",
            "ListingChoicesItemMessage = Inner",
            "ListingChoicesItemMessageText = ::std::string::String",
            "ListingSort = ::std::string::String",
            "ListingExtraValue = i64",
            "MovedMessage = Inner",
        ] {
            assert!(
                names.contains(&expected.to_owned()),
                "{expected} missing from {names:?}"
            );
        }
        // A position that has its type already keeps it: no alias shadows it.
        assert!(
            !names.iter().any(|n| n.starts_with("ListingType ")),
            "{names:?}"
        );
        assert_eq!(n, names.len());
    }

    #[test]
    fn a_struct_that_holds_itself_adds_finitely_many_names() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Node { pub next: ::std::option::Option<::std::boxed::Box<Node>> }
            }
        };
        let n = add_to(&mut file);
        assert!(n > 0 && n <= MAX_DEPTH + 1, "{n}");
    }
}
