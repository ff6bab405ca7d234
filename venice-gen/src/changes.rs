//! What changed for SDK users between two generated clients: operations added,
//! removed or renamed; per type the fields added, removed, or whose requiredness or
//! type changed; enum values added or removed; and which of it breaks source
//! compatibility.
//!
//! It compares generated code (parsed with `syn`), not specs: what users compile
//! against is what matters, after every normalization pass.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use quote::ToTokens;

/// One operation of a generated `operations::ALL` table.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Op {
    id: String,
    method: String,
    path: String,
}

/// One field of a generated struct.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Field {
    ty: String,
    required: bool,
}

/// What users see of a generated client.
#[derive(Clone, Debug, Default)]
struct Surface {
    ops: Vec<Op>,
    structs: BTreeMap<String, BTreeMap<String, Field>>,
    /// Enum name → its values (the serialized name of each unit variant, the
    /// variant name otherwise), the fallback of an open enum left out.
    enums: BTreeMap<String, BTreeSet<String>>,
    /// Open enum name → its fallback variant (`#[serde(untagged)]`, holding values
    /// the SDK does not know; see [`crate::open_enums`]).
    fallbacks: BTreeMap<String, String>,
}

fn flat(tokens: impl ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn serde_value(attrs: &[syn::Attribute], key: &str) -> Option<String> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                if let Ok(value) = meta.value() {
                    let lit: syn::LitStr = value.parse()?;
                    found = Some(lit.value());
                } else {
                    found = Some(String::new());
                }
            } else if meta.input.peek(syn::Token![=]) {
                let value = meta.value()?;
                let _: syn::Expr = value.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// A type as users write it: `Option<Vec<String>>`, not
/// `:: std :: option :: Option < :: std :: vec :: Vec < … > , >`.
fn pretty_ty(ty: &syn::Type) -> String {
    let mut s: String = flat(ty).chars().filter(|c| !c.is_whitespace()).collect();
    for (long, short) in [
        ("::std::option::", ""),
        ("::std::vec::", ""),
        ("::std::string::", ""),
        ("::std::collections::", ""),
        ("::std::num::", ""),
        ("::serde_json::", "serde_json::"),
        (",>", ">"),
    ] {
        s = s.replace(long, short);
    }
    s
}

fn field_of(field: &syn::Field) -> Field {
    let ty = pretty_ty(&field.ty);
    let optional = ty.starts_with("Option<");
    let defaulted = serde_value(&field.attrs, "default").is_some();
    Field {
        ty,
        required: !optional && !defaulted,
    }
}

fn str_field(
    fields: &syn::punctuated::Punctuated<syn::FieldValue, syn::Token![,]>,
    name: &str,
) -> String {
    fields
        .iter()
        .find(|f| matches!(&f.member, syn::Member::Named(i) if i == name))
        .and_then(|f| match &f.expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The `method` of an operation literal, upper case: `Method::Post` (or the
/// string literal `"POST"` of clients generated before `Method` existed).
fn method_field(fields: &syn::punctuated::Punctuated<syn::FieldValue, syn::Token![,]>) -> String {
    let from_path = fields
        .iter()
        .find(|f| matches!(&f.member, syn::Member::Named(i) if i == "method"))
        .and_then(|f| match &f.expr {
            syn::Expr::Path(p) => p.path.segments.last(),
            _ => None,
        })
        .and_then(|last| {
            last.ident
                .to_string()
                .parse::<venice_operation::Method>()
                .ok()
        });
    match from_path {
        Some(method) => method.as_str().to_owned(),
        None => str_field(fields, "method"),
    }
}

fn surface(code: &str) -> Result<Surface, String> {
    let file = syn::parse_file(code).map_err(|e| format!("generated code does not parse: {e}"))?;
    let mut out = Surface::default();
    for item in &file.items {
        let syn::Item::Mod(m) = item else { continue };
        let Some((_, items)) = &m.content else {
            continue;
        };
        if m.ident == "types" {
            for item in items {
                match item {
                    syn::Item::Struct(s) => {
                        if let syn::Fields::Named(named) = &s.fields {
                            let fields = named
                                .named
                                .iter()
                                .filter_map(|f| Some((f.ident.as_ref()?.to_string(), field_of(f))))
                                .collect();
                            out.structs.insert(s.ident.to_string(), fields);
                        }
                    }
                    syn::Item::Enum(e) => {
                        // The fallback of an open enum (see `crate::open_enums`): the
                        // one untagged variant beside unit variants. Not a value.
                        let (fallbacks, known): (Vec<&syn::Variant>, Vec<&syn::Variant>) = e
                            .variants
                            .iter()
                            .partition(|v| serde_value(&v.attrs, "untagged").is_some());
                        let open = matches!(fallbacks.as_slice(), [_])
                            && !known.is_empty()
                            && known.iter().all(|v| matches!(v.fields, syn::Fields::Unit));
                        if let (true, [fallback]) = (open, fallbacks.as_slice()) {
                            out.fallbacks
                                .insert(e.ident.to_string(), fallback.ident.to_string());
                        }
                        let listed = if open {
                            known
                        } else {
                            e.variants.iter().collect()
                        };
                        let values = listed
                            .into_iter()
                            .map(|v| {
                                serde_value(&v.attrs, "rename")
                                    .filter(|r| {
                                        !r.is_empty() && matches!(v.fields, syn::Fields::Unit)
                                    })
                                    .unwrap_or_else(|| v.ident.to_string())
                            })
                            .collect();
                        out.enums.insert(e.ident.to_string(), values);
                    }
                    _ => {}
                }
            }
        } else if m.ident == "operations" {
            // One `const NAME: Operation = Operation { … }` per operation; older
            // clients listed the same literals inside `ALL`.
            let mut push = |expr: &syn::Expr| {
                if let syn::Expr::Struct(s) = expr {
                    out.ops.push(Op {
                        id: str_field(&s.fields, "id"),
                        method: method_field(&s.fields),
                        path: str_field(&s.fields, "path"),
                    });
                }
            };
            for item in items {
                let syn::Item::Const(c) = item else { continue };
                match &*c.expr {
                    syn::Expr::Reference(r) if c.ident == "ALL" => {
                        if let syn::Expr::Array(list) = &*r.expr {
                            list.elems.iter().for_each(&mut push);
                        }
                    }
                    expr => push(expr),
                }
            }
        }
    }
    Ok(out)
}

/// The changes from `old` to `new` generated code.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// Changes that break code written against the old client, one line each.
    pub breaking: Vec<String>,
    /// Changes that do not, one line each.
    pub compatible: Vec<String>,
}

impl Changes {
    /// Whether nothing users see changed.
    pub fn is_empty(&self) -> bool {
        self.breaking.is_empty() && self.compatible.is_empty()
    }

    /// The changes as Markdown, for a changelog or a pull request.
    pub fn to_markdown(&self, title: &str) -> String {
        let mut out = format!("## {title}\n\n");
        if self.is_empty() {
            out.push_str("Nothing changed for SDK users.\n");
            return out;
        }
        for (heading, lines) in [
            ("Breaking for SDK users", &self.breaking),
            ("Compatible", &self.compatible),
        ] {
            if lines.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {heading}\n");
            for line in lines {
                let _ = writeln!(out, "- {line}");
            }
            out.push('\n');
        }
        out
    }
}

/// Compares two generated clients (the checked-in one and a fresh one).
pub fn compare(old: &str, new: &str) -> Result<Changes, String> {
    let old = surface(old)?;
    let new = surface(new)?;
    let mut c = Changes::default();
    let key = |o: &Op| (o.method.clone(), o.path.clone());
    let old_ops: BTreeMap<_, _> = old.ops.iter().map(|o| (key(o), o)).collect();
    let new_ops: BTreeMap<_, _> = new.ops.iter().map(|o| (key(o), o)).collect();
    for (k, o) in &new_ops {
        match old_ops.get(k) {
            None => c
                .compatible
                .push(format!("operation added: `{}` ({} {})", o.id, o.method, o.path)),
            Some(prev) if prev.id != o.id => c.breaking.push(format!(
                "operation renamed: `{}` → `{}` ({} {}): the generated method and the `operations` constant are renamed; the SDK method that names the constant stops compiling until it is updated, and keeps its own name for users",
                prev.id, o.id, o.method, o.path
            )),
            Some(_) => {}
        }
    }
    for (k, o) in &old_ops {
        if !new_ops.contains_key(k) {
            c.breaking.push(format!(
                "operation removed: `{}` ({} {})",
                o.id, o.method, o.path
            ));
        }
    }
    for (name, fields) in &new.structs {
        let Some(before) = old.structs.get(name) else {
            c.compatible.push(format!("type added: `{name}`"));
            continue;
        };
        for (field, f) in fields {
            match before.get(field) {
                None if f.required => c.breaking.push(format!(
                    "`{name}.{field}` added, required (`{}`): `{name}::from_required` takes it (a request must now set it; for a response type only code that builds one breaks)",
                    f.ty
                )),
                None => c
                    .compatible
                    .push(format!("`{name}.{field}` added, optional (`{}`)", f.ty)),
                Some(b) if b.required != f.required && b.ty == f.ty => {
                    c.breaking.push(format!(
                        "`{name}.{field}` became {} (type `{}` unchanged; `{name}::from_required` {} it)",
                        if f.required { "required" } else { "optional" },
                        f.ty,
                        if f.required { "now takes" } else { "no longer takes" },
                    ))
                }
                Some(b) if b.required != f.required => c.breaking.push(format!(
                    "`{name}.{field}` became {} (`{}` → `{}`)",
                    if f.required { "required" } else { "optional" },
                    b.ty,
                    f.ty
                )),
                Some(b) if b.ty != f.ty => c.breaking.push(format!(
                    "`{name}.{field}` changed type: `{}` → `{}`",
                    b.ty, f.ty
                )),
                Some(_) => {}
            }
        }
        for field in before.keys() {
            if !fields.contains_key(field) {
                c.breaking.push(format!("`{name}.{field}` removed"));
            }
        }
    }
    for name in old.structs.keys() {
        if !new.structs.contains_key(name) && !new.enums.contains_key(name) {
            c.breaking.push(format!("type removed: `{name}`"));
        }
    }
    for (name, values) in &new.enums {
        let Some(before) = old.enums.get(name) else {
            if !old.structs.contains_key(name) {
                c.compatible.push(format!("type added: `{name}`"));
            }
            continue;
        };
        match (old.fallbacks.get(name), new.fallbacks.get(name)) {
            (None, Some(fallback)) => c.breaking.push(format!(
                "`{name}` opened: a value it does not name is `{name}::{fallback}(String)`; it is no longer `Copy`, and a `match` without a fallback arm stops compiling"
            )),
            (Some(fallback), None) => c.breaking.push(format!(
                "`{name}` closed: `{name}::{fallback}` removed"
            )),
            _ => {}
        }
        let fallback = new.fallbacks.get(name);
        for v in values.difference(before) {
            c.compatible.push(match fallback {
                Some(f) if old.fallbacks.contains_key(name) => format!(
                    "`{name}` gained `{v}` (read as `{name}::{f}(\"{v}\")` before; breaks only a `match` without a fallback arm)"
                ),
                _ => format!(
                    "`{name}` gained `{v}` (breaks only a `match` without a fallback arm)"
                ),
            });
        }
        for v in before.difference(values) {
            c.breaking.push(format!("`{name}` lost `{v}`"));
        }
    }
    for name in old.enums.keys() {
        if !new.enums.contains_key(name) && !new.structs.contains_key(name) {
            c.breaking.push(format!("type removed: `{name}`"));
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

    fn client(body: &str) -> String {
        crate::generate(&format!("{HEAD}{body}"), "t.yaml")
            .unwrap()
            .code
    }

    #[test]
    fn every_kind_of_change_is_reported_and_classified() {
        let old = client(
            "paths:
  /a:
    post:
      operationId: createAs
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Req'}}}}
      responses: {'200': {description: ok}}
  /gone:
    get: {operationId: gone, responses: {'200': {description: ok}}}
components:
  schemas:
    Req:
      type: object
      required: [model]
      properties:
        model: {type: string}
        n: {type: integer}
        old: {type: string}
        mode: {type: string, enum: [fast, slow]}
",
        );
        let new = client(
            "paths:
  /a:
    post:
      operationId: createA
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Req'}}}}
      responses: {'200': {description: ok}}
  /b:
    get: {operationId: listB, responses: {'200': {description: ok}}}
components:
  schemas:
    Req:
      type: object
      required: [model, prompt]
      properties:
        model: {type: string}
        n: {type: number}
        prompt: {type: string}
        extra: {type: boolean}
        mode: {type: string, enum: [fast, turbo]}
",
        );
        let c = compare(&old, &new).unwrap();
        let breaking = c.breaking.join("\n");
        let compatible = c.compatible.join("\n");
        crate::test_support::assert_contains_all(
            &breaking,
            &[
                "operation renamed: `createAs` → `createA`",
                "operation removed: `gone`",
                "`Req.prompt` added, required",
                "`Req.n` changed type",
                "`Req.old` removed",
                "`ReqMode` lost `slow`",
            ],
        );
        crate::test_support::assert_contains_all(
            &compatible,
            &[
                "operation added: `listB` (GET /b)",
                "`Req.extra` added, optional",
                "`ReqMode` gained `turbo`",
            ],
        );
        let md = c.to_markdown("Spec update");
        assert!(
            md.starts_with("## Spec update\n\n### Breaking for SDK users\n\n- "),
            "{md}"
        );
        assert!(compare(&new, &new).unwrap().is_empty());
    }

    #[test]
    fn opening_an_enum_is_reported_once_and_its_fallback_is_no_value() {
        let closed = "pub mod types {
            #[derive(Clone, Copy)]
            pub enum Mode { #[serde(rename = \"fast\")] Fast, #[serde(rename = \"slow\")] Slow }
        }";
        let open = "pub mod types {
            #[derive(Clone)]
            pub enum Mode {
                #[serde(rename = \"fast\")] Fast,
                #[serde(rename = \"slow\")] Slow,
                #[serde(untagged)] Other(::std::string::String),
            }
        }";
        let more = "pub mod types {
            #[derive(Clone)]
            pub enum Mode {
                #[serde(rename = \"fast\")] Fast,
                #[serde(rename = \"slow\")] Slow,
                #[serde(rename = \"turbo\")] Turbo,
                #[serde(untagged)] Other(::std::string::String),
            }
        }";
        let c = compare(closed, open).unwrap();
        assert_eq!(
            c.breaking,
            [
                "`Mode` opened: a value it does not name is `Mode::Other(String)`; it is no longer `Copy`, and a `match` without a fallback arm stops compiling"
            ]
        );
        assert!(c.compatible.is_empty(), "{:?}", c.compatible);
        let c = compare(open, more).unwrap();
        assert!(c.breaking.is_empty(), "{:?}", c.breaking);
        assert_eq!(
            c.compatible,
            [
                "`Mode` gained `turbo` (read as `Mode::Other(\"turbo\")` before; breaks only a `match` without a fallback arm)"
            ]
        );
        assert!(compare(open, open).unwrap().is_empty());
    }
}
