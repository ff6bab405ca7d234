//! Which type each operation's success answer decodes into, read from the
//! generated client (a builder's `send` returns `ResponseValue<types::X>`),
//! and `decode_success_answer`, emitted into `venice-testing`: decodes a body
//! as an operation's success answer with the SDK's own rules
//! (`venice_sdk::from_json`), so that tests can walk every operation.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericArgument, ImplItem, Item, PathArguments, ReturnType, Type};

/// `(method name, type path)` of every operation whose success answer is a
/// JSON type (`types::X`), in the order of the client's methods.
pub fn success_types(client: &syn::File) -> Vec<(String, syn::Path)> {
    let mut builders: Vec<(String, syn::Path)> = Vec::new();
    let mut methods: Vec<(String, String)> = Vec::new();
    for item in &client.items {
        match item {
            Item::Mod(module) if module.ident == "builder" => {
                for item in module.content.iter().flat_map(|(_, items)| items) {
                    if let Item::Impl(block) = item
                        && let Some(name) = type_name(&block.self_ty)
                        && let Some(answer) = block.items.iter().find_map(send_answer)
                    {
                        builders.push((name, answer));
                    }
                }
            }
            Item::Impl(block) if type_name(&block.self_ty).as_deref() == Some("Client") => {
                for item in &block.items {
                    if let ImplItem::Fn(method) = item
                        && let ReturnType::Type(_, ty) = &method.sig.output
                        && let Type::Path(path) = &**ty
                        && path.path.segments.len() == 2
                        && path.path.segments[0].ident == "builder"
                    {
                        methods.push((
                            method.sig.ident.to_string(),
                            path.path.segments[1].ident.to_string(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    methods
        .into_iter()
        .filter_map(|(method, builder)| {
            let (_, answer) = builders.iter().find(|(name, _)| *name == builder)?;
            Some((method, answer.clone()))
        })
        .collect()
}

/// The last segment's name of a type path.
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `types::X` of `async fn send(self) -> Result<ResponseValue<types::X>, _>`.
fn send_answer(item: &ImplItem) -> Option<syn::Path> {
    let ImplItem::Fn(method) = item else {
        return None;
    };
    if method.sig.ident != "send" {
        return None;
    }
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return None;
    };
    let result = last_generic(ty, "Result")?;
    let value = last_generic(result, "ResponseValue")?;
    match value {
        Type::Path(path)
            if path.path.segments.len() == 2 && path.path.segments[0].ident == "types" =>
        {
            Some(path.path.clone())
        }
        _ => None,
    }
}

/// The first generic argument of `ty` when its last segment is `name`.
fn last_generic<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// `decode_success_answer`, for the operations of `answers`.
pub fn decoder(answers: &[(String, syn::Path)]) -> TokenStream {
    let arms = answers.iter().map(|(method, path)| {
        quote! { #method => ::venice_sdk::from_json::<::venice_sdk::#path>(body).map(drop), }
    });
    quote! {
        /// Decodes `body` as the success answer of the operation whose
        /// generated method is `rust_name` (an [`Operation`]'s `rust_name`),
        /// with the SDK's own rules ([`venice_sdk::from_json`]: lenient, within
        /// the memory budget). `None` for an operation without a JSON answer.
        ///
        /// ```
        /// use venice_sdk::operations;
        ///
        /// let body = br#"{"object": "list", "data": []}"#;
        /// let decoded = venice_testing::generated::decode_success_answer(
        ///     operations::LIST_CHARACTERS.rust_name,
        ///     body,
        /// );
        /// assert!(matches!(decoded, Some(Ok(()))));
        /// ```
        ///
        /// [`Operation`]: venice_sdk::operations::Operation
        pub fn decode_success_answer(
            rust_name: &str,
            body: &[u8],
        ) -> ::std::option::Option<::std::result::Result<(), ::venice_sdk::Error>> {
            ::std::option::Option::Some(match rust_name {
                #(#arms)*
                _ => return ::std::option::Option::None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_type_of_each_method_is_read_from_its_builder() {
        let client: syn::File = syn::parse_quote! {
            impl Client {
                pub fn list_things(&self) -> builder::ListThings<'_> { builder::ListThings::new(self) }
                pub fn get_bytes(&self) -> builder::GetBytes<'_> { builder::GetBytes::new(self) }
            }
            pub mod builder {
                impl<'a> ListThings<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::ThingList>, Error<types::ApiErrorBody>> { self.go().await }
                }
                impl<'a> GetBytes<'a> {
                    pub async fn send(self) -> Result<ResponseValue<ByteStream>, Error<()>> { self.go().await }
                }
            }
        };
        let answers = success_types(&client);
        assert_eq!(answers.len(), 1);
        assert_eq!(answers[0].0, "list_things");
        let path = &answers[0].1;
        assert_eq!(quote!(#path).to_string(), "types :: ThingList");
        let code = decoder(&answers).to_string();
        crate::test_support::assert_contains_all(&code, &["\"list_things\"", "ThingList"]);
    }
}
