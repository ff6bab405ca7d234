//! Mutations that simulate what upstream does between two specs: additions that
//! break no one (a new optional property on every object schema, a new value on
//! every enum, a new member on every union, a new operation) and changes of
//! *shape* that upstream makes all the time (an enum loosened into a free string, a
//! union that loses or reorders members, a required field made optional, an
//! integer made a number, an inline schema moved to `components/schemas` under
//! another name, and the other way round, a free string tightened into an enum).
//!
//! `cargo xtask mutate-check` regenerates the SDK from each spec of [`SPECS`] into a
//! scratch copy and compiles it with its tests and examples: a wrapper that builds
//! a generated struct with an exhaustive literal, matches a generated enum without a
//! fallback arm, names an untagged union's variant by number (`Variant0`), or relies
//! on a trait only one shape has (`FromStr` on an enum), fails there.
//!
//! Every mutation is a rule over schema *shapes*, applied everywhere it fits; none
//! names a file, an operation or a schema.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use venice_openapi::walk::{components, for_each_operation, resolved_schema, walk_all_schemas};

/// The name of the property added to every object schema.
pub const MUTANT_FIELD: &str = "x_mutant_field";
/// The value added to every enum of strings.
pub const MUTANT_VALUE: &str = "x-mutant-value";
/// The values of the enums free strings become.
pub const MUTANT_ENUM: [&str; 2] = ["x-mutant-a", "x-mutant-b"];
/// The path of the added operation.
pub const MUTANT_PATH: &str = "/x-mutant/{id}";

/// One kind of change upstream makes between two specs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutation {
    /// A new optional property on every object schema.
    NewField,
    /// A new value on every enum of two values or more.
    NewEnumValue,
    /// A new member on every union of two types or more.
    NewUnionMember,
    /// A new operation.
    NewOperation,
    /// Every string enum of two values or more becomes a free string.
    EnumToString,
    /// Every free string (no `enum`, `format` or `pattern`) becomes an enum of two values.
    StringToEnum,
    /// Every union of three members or more (`null` aside) loses its first member.
    UnionDropsFirst,
    /// Every union of two members or more (`null` aside) lists them in reverse order.
    UnionReordered,
    /// Every required property of a schema a request body reaches becomes optional.
    RequiredToOptional,
    /// Every integer (without `enum`) becomes a number.
    IntegerToNumber,
    /// Every inline schema that makes a type (an object, a string enum, a union; not
    /// a union's member, not a nullable one) nested in another moves to
    /// `components/schemas` under a new name and is referenced there.
    InlineToComponent,
}

impl Mutation {
    /// What the mutation does, for the report.
    pub fn describe(self) -> &'static str {
        match self {
            Mutation::NewField => "object schemas got an optional field",
            Mutation::NewEnumValue => "enums got a value",
            Mutation::NewUnionMember => "unions got a member",
            Mutation::NewOperation => "operation added",
            Mutation::EnumToString => "enums became free strings",
            Mutation::StringToEnum => "free strings became enums",
            Mutation::UnionDropsFirst => "unions lost their first member",
            Mutation::UnionReordered => "unions had their members reordered",
            Mutation::RequiredToOptional => "required request fields became optional",
            Mutation::IntegerToNumber => "integers became numbers",
            Mutation::InlineToComponent => "inline schemas moved to components/schemas",
        }
    }
}

/// One mutated spec: a set of mutations that do not conflict.
#[derive(Clone, Copy, Debug)]
pub struct MutatedSpec {
    /// Its name in the report and in the scratch directory.
    pub name: &'static str,
    /// Its mutations (applied in [`apply`]'s fixed order).
    pub mutations: &'static [Mutation],
}

/// The mutated specs `cargo xtask mutate-check` compiles against. Together they hold
/// every mutation; two that conflict (an enum loosened and a string tightened) are
/// in different specs.
pub const SPECS: &[MutatedSpec] = &[
    MutatedSpec {
        name: "grown",
        mutations: &[
            Mutation::InlineToComponent,
            Mutation::UnionReordered,
            Mutation::StringToEnum,
            Mutation::NewUnionMember,
            Mutation::NewEnumValue,
            Mutation::NewField,
            Mutation::NewOperation,
        ],
    },
    MutatedSpec {
        name: "loosened",
        mutations: &[
            Mutation::UnionDropsFirst,
            Mutation::EnumToString,
            Mutation::IntegerToNumber,
            Mutation::RequiredToOptional,
        ],
    },
];

/// How many places each mutation touched.
pub type Counts = BTreeMap<Mutation, usize>;

/// The order mutations are applied in, whatever order a spec lists them in: the
/// moves first (so the moved schemas are mutated like the others), the additions
/// last (so a union that lost a member still gets one, and a new enum a value).
const ORDER: [Mutation; 11] = [
    Mutation::InlineToComponent,
    Mutation::UnionReordered,
    Mutation::UnionDropsFirst,
    Mutation::EnumToString,
    Mutation::StringToEnum,
    Mutation::IntegerToNumber,
    Mutation::RequiredToOptional,
    Mutation::NewUnionMember,
    Mutation::NewEnumValue,
    Mutation::NewField,
    Mutation::NewOperation,
];

/// Applies `mutations` to a loaded (not yet normalized) document; returns how many
/// places each touched.
pub fn apply(doc: &mut Value, mutations: &[Mutation]) -> Counts {
    let mut counts = Counts::new();
    for mutation in ORDER {
        if !mutations.contains(&mutation) {
            continue;
        }
        let n = match mutation {
            Mutation::NewField => new_fields(doc),
            Mutation::NewEnumValue => new_enum_values(doc),
            Mutation::NewUnionMember => new_union_members(doc),
            Mutation::NewOperation => new_operation(doc),
            Mutation::EnumToString => enums_to_strings(doc),
            Mutation::StringToEnum => strings_to_enums(doc),
            Mutation::UnionDropsFirst => unions_drop_first(doc),
            Mutation::UnionReordered => unions_reordered(doc),
            Mutation::RequiredToOptional => required_to_optional(doc),
            Mutation::IntegerToNumber => integers_to_numbers(doc),
            Mutation::InlineToComponent => inline_to_components(doc),
        };
        counts.insert(mutation, n);
    }
    counts
}

/// The additive mutations only (what `mutate-check` simulated before it changed
/// shapes): a field, an enum value, a union member, an operation.
pub fn mutate(doc: &mut Value) -> Counts {
    apply(
        doc,
        &[
            Mutation::NewField,
            Mutation::NewEnumValue,
            Mutation::NewUnionMember,
            Mutation::NewOperation,
        ],
    )
}

fn is_null_only(member: &Value) -> bool {
    member.get("nullable") == Some(&Value::Bool(true))
        && member
            .as_object()
            .is_some_and(|o| !o.contains_key("type") && !o.contains_key("$ref"))
        || member.get("type").and_then(Value::as_str) == Some("null")
}

fn is_plain_string(member: &Value) -> bool {
    member.get("type").and_then(Value::as_str) == Some("string")
        && !member.as_object().is_some_and(|o| o.contains_key("format"))
}

fn accepts_anything(member: &Value) -> bool {
    member.as_object().is_some_and(|o| {
        !o.keys().any(|k| {
            matches!(
                k.as_str(),
                "type" | "$ref" | "properties" | "items" | "enum"
            )
        }) && !o.contains_key("anyOf")
            && !o.contains_key("oneOf")
            && !o.contains_key("allOf")
    })
}

/// The members of a union that are not `null` alone.
fn real_members(members: &[Value]) -> usize {
    members.iter().filter(|v| !is_null_only(v)).count()
}

/// Whether a union is a union of types the generator keeps apart: at least two
/// members besides `null`, not strings only (those merge into one string) and none
/// accepting anything (that makes any value).
fn is_real_union(members: &[Value]) -> bool {
    let real: Vec<&Value> = members.iter().filter(|v| !is_null_only(v)).collect();
    real.len() >= 2
        && !real.iter().all(|v| is_plain_string(v))
        && !real.iter().any(|v| accepts_anything(v))
}

/// Calls `f` on the member list of every `anyOf` and `oneOf` of the document.
fn for_each_union(doc: &mut Value, f: &mut dyn FnMut(&mut Vec<Value>) -> bool) -> usize {
    let mut n = 0;
    walk_all_schemas(doc, &mut |schema| {
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = schema.get_mut(key)
                && f(members)
            {
                n += 1;
            }
        }
    });
    n
}

fn string_enum_values(schema: &Map<String, Value>) -> Option<&Vec<Value>> {
    let values = schema.get("enum")?.as_array()?;
    let typed = match schema.get("type") {
        Some(t) => t.as_str() == Some("string"),
        None => true,
    };
    (typed && values.iter().all(Value::is_string)).then_some(values)
}

/// A member a union did not have: a copy of its first object member (with a new
/// value for every single-valued property, which is how tagged unions name their
/// variants, and one more property), or a boolean for a union of other types.
fn new_member(members: &[Value], components: &Value) -> Value {
    let object = members
        .iter()
        .map(|m| resolved_schema(components, m))
        .find(|m| m.get("properties").is_some());
    match object {
        Some(mut member) => {
            if let Some(obj) = member.as_object_mut() {
                obj.remove("title");
                obj.insert(
                    "description".into(),
                    json!("A member added by the mutation check."),
                );
            }
            if let Some(Value::Object(props)) = member.get_mut("properties") {
                for prop in props.values_mut() {
                    if prop
                        .get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.len() == 1)
                    {
                        prop["enum"] = json!([MUTANT_VALUE]);
                    }
                }
                props.insert("x_mutant_member".into(), json!({"type": "string"}));
            }
            member
        }
        None => json!({"type": "boolean", "description": "A member added by the mutation check."}),
    }
}

fn new_fields(doc: &mut Value) -> usize {
    let mut n = 0;
    walk_all_schemas(doc, &mut |schema| {
        // An object without properties is a free-form map (`serde_json::Map`):
        // a first property would make it a struct, a change of type.
        if let Some(Value::Object(props)) = schema.get_mut("properties")
            && !props.is_empty()
            && !props.contains_key(MUTANT_FIELD)
        {
            props.insert(
                MUTANT_FIELD.into(),
                json!({"type": "string", "description": "A field added by the mutation check."}),
            );
            n += 1;
        }
    });
    n
}

fn new_enum_values(doc: &mut Value) -> usize {
    let mut n = 0;
    walk_all_schemas(doc, &mut |schema| {
        let Some(Value::Array(values)) = schema.get_mut("enum") else {
            return;
        };
        // A string enum gets a string, an enum of numbers a number. A one-value
        // enum is a constant (the tag that names a union's variant, `success:
        // [true]`): upstream does not grow those.
        let new = if values.len() < 2 {
            None
        } else if values.iter().all(Value::is_string) {
            Some(json!(MUTANT_VALUE))
        } else if values.iter().all(Value::is_i64) {
            values
                .iter()
                .filter_map(Value::as_i64)
                .max()
                .map(|v| json!(v + 1))
        } else {
            None
        };
        if let Some(new) = new
            && !values.contains(&new)
            && !values.iter().any(Value::is_null)
        {
            values.push(new);
            n += 1;
        }
    });
    n
}

fn new_union_members(doc: &mut Value) -> usize {
    let components = components(doc, "schemas");
    // A union of one type and null is an optional value, strings only are a
    // string, and a union with an anything-member is any value: a new member
    // would change the field's type, which is not what this simulates.
    for_each_union(doc, &mut |members| {
        if !is_real_union(members) {
            return false;
        }
        let member = new_member(members, &components);
        members.push(member);
        true
    })
}

fn new_operation(doc: &mut Value) -> usize {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return 0;
    };
    if paths.contains_key(MUTANT_PATH) {
        return 0;
    }
    paths.insert(
        MUTANT_PATH.into(),
        json!({"get": {
            "operationId": "getXMutant",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"id": {"type": "string"}}
            }}}}}
        }}),
    );
    1
}

/// (a) Every string enum of two values or more, anywhere (parameters, bodies,
/// answers, union members), loses its list and becomes a free string. One-value
/// enums are constants (a tag), which upstream does not loosen.
///
/// The type an enum had disappears (the field becomes a `String`): hand-written
/// code names it by position (the generator's `stable_names` keep
/// `ListModelsType` as an alias of `String`) and builds and compares it through
/// its wire string (`ListModelsType::from("text")`, `status == "completed"`),
/// never by variant.
fn enums_to_strings(doc: &mut Value) -> usize {
    let mut n = 0;
    walk_all_schemas(doc, &mut |schema| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if string_enum_values(obj).is_some_and(|v| v.len() >= 2) {
            obj.remove("enum");
            obj.insert("type".into(), json!("string"));
            n += 1;
        }
    });
    n
}

/// (b) Every free string (`type: string` without `enum`, `format` or `pattern`),
/// anywhere, becomes an enum of two values (opened by the generator: any string
/// still goes through its fallback).
fn strings_to_enums(doc: &mut Value) -> usize {
    let mut n = 0;
    walk_all_schemas(doc, &mut |schema| {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if obj.get("type").and_then(Value::as_str) == Some("string")
            && !["enum", "format", "pattern", "x-rust-type"]
                .iter()
                .any(|k| obj.contains_key(*k))
        {
            obj.insert("enum".into(), json!(MUTANT_ENUM));
            obj.remove("default");
            obj.remove("example");
            n += 1;
        }
    });
    n
}

/// (c) A union of three members or more (`null` aside) loses its first: it stays a
/// union, but every later member moves up one place (typify's `Variant1` becomes
/// `Variant0`).
fn unions_drop_first(doc: &mut Value) -> usize {
    for_each_union(doc, &mut |members| {
        if real_members(members) < 3 {
            return false;
        }
        match members.iter().position(|m| !is_null_only(m)) {
            Some(first) => {
                members.remove(first);
                true
            }
            None => false,
        }
    })
}

/// (d) A union of two members or more (`null` aside) lists them in reverse order
/// (a `null` member keeps its place).
fn unions_reordered(doc: &mut Value) -> usize {
    for_each_union(doc, &mut |members| {
        if real_members(members) < 2 {
            return false;
        }
        let slots: Vec<usize> = (0..members.len())
            .filter(|&i| !is_null_only(&members[i]))
            .collect();
        let reversed: Vec<Value> = slots.iter().rev().map(|&i| members[i].clone()).collect();
        for (slot, member) in slots.into_iter().zip(reversed) {
            members[slot] = member;
        }
        true
    })
}

/// (e) Every required property of every schema a request body reaches (inline or
/// a component) becomes optional (a one-value tag stays required: it names the
/// variant).
fn required_to_optional(doc: &mut Value) -> usize {
    let mut n = 0;
    venice_openapi::walk::walk_request_schemas(doc, &mut |schema| n += loosen_required(schema));
    n
}

/// Drops the required properties of one object schema but its one-value tags;
/// returns how many.
fn loosen_required(schema: &mut Value) -> usize {
    let Some(obj) = schema.as_object_mut() else {
        return 0;
    };
    let tags: Vec<String> = match obj.get("properties") {
        Some(Value::Object(props)) => props
            .iter()
            .filter(|(_, p)| {
                p.get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() == 1)
            })
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    };
    let Some(Value::Array(required)) = obj.get_mut("required") else {
        return 0;
    };
    let before = required.len();
    required.retain(|r| r.as_str().is_some_and(|r| tags.iter().any(|t| t == r)));
    let n = before - required.len();
    if required.is_empty() {
        obj.remove("required");
    }
    n
}

/// (f) Every integer without an `enum`, anywhere, becomes a number.
fn integers_to_numbers(doc: &mut Value) -> usize {
    let mut n = 0;
    walk_all_schemas(doc, &mut |schema| n += integer_to_number(schema));
    n
}

/// Makes `schema` a number when it is an integer without an `enum`; 1 if it did.
fn integer_to_number(schema: &mut Value) -> usize {
    let mut n = 0;
    {
        let Some(obj) = schema.as_object_mut() else {
            return 0;
        };
        if obj.get("type").and_then(Value::as_str) == Some("integer") && !obj.contains_key("enum") {
            obj.insert("type".into(), json!("number"));
            if obj
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("int"))
            {
                obj.remove("format");
            }
            n += 1;
        }
    }
    n
}

/// Whether an inline schema makes a type of its own (an object with properties, an
/// enum, a union): those are what upstream moves to `components` when it starts
/// sharing them. An enum of other values than strings stays: typify makes it a
/// newtype whose conversions name `String` unqualified, which a generated type of
/// that name (an enum member typify names after its type) then shadows. Not a
/// nullable one either: typify wraps a nullable component in a newtype
/// of the same name as the type it wraps, which does not compile.
fn makes_a_type(schema: &Value) -> bool {
    let nullable = |o: &Map<String, Value>| {
        o.get("nullable") == Some(&Value::Bool(true))
            || ["anyOf", "oneOf"].iter().any(|k| {
                o.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|m| m.iter().any(is_null_only))
            })
    };
    schema.as_object().is_some_and(|o| {
        !o.contains_key("$ref")
            && !nullable(o)
            && (o
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty())
                || string_enum_values(o).is_some()
                || ["anyOf", "oneOf", "allOf"]
                    .iter()
                    .any(|k| o.contains_key(*k)))
    })
}

/// The inline schemas moved so far, under their new names (identical copies share one).
#[derive(Default)]
struct Moved {
    schemas: Vec<(String, Value)>,
    taken: Vec<String>,
}

impl Moved {
    /// The component a schema moves to: the one an identical copy moved to, or a
    /// new one, named like no type the spec had (`MovedSchema7`), without its title
    /// (the generator would name the type after it).
    fn place(&mut self, schema: &Value) -> String {
        let mut renamed = schema.clone();
        if let Some(o) = renamed.as_object_mut() {
            o.remove("title");
        }
        if let Some((name, _)) = self.schemas.iter().find(|(_, moved)| *moved == renamed) {
            return name.clone();
        }
        let mut k = self.schemas.len();
        let name = loop {
            let name = format!("MovedSchema{k}");
            if !self.taken.contains(&name) {
                break name;
            }
            k += 1;
        };
        self.taken.push(name.clone());
        self.schemas.push((name.clone(), renamed));
        name
    }
}

/// Moves the inline schemas nested in `schema` that make a type of their own (not
/// `schema` itself, nor a union's members: a member moved out becomes a newtype
/// variant, another shape) to `moved`, leaving a `$ref`; the deepest first.
fn move_nested(schema: &mut Value, moved: &mut Moved) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let mut children: Vec<(&mut Value, bool)> = Vec::new();
    for (key, value) in obj.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(props)) => {
                children.extend(props.values_mut().map(|c| (c, true)));
            }
            ("items" | "additionalProperties", child @ Value::Object(_)) => {
                children.push((child, true));
            }
            ("anyOf" | "oneOf" | "allOf", Value::Array(list)) => {
                children.extend(list.iter_mut().map(|c| (c, false)));
            }
            _ => {}
        }
    }
    for (child, movable) in children {
        move_nested(child, moved);
        if movable && makes_a_type(child) {
            let name = moved.place(child);
            *child = json!({"$ref": format!("#/components/schemas/{name}")});
        }
    }
}

/// (g) Every inline schema that makes a type of its own (an object, an enum, a
/// union), nested in a component schema or in an operation's body or response
/// schema (a property's, an array's items, a map's values), moves to
/// `components/schemas` under a name of its own and is referenced there. Upstream
/// does this when it starts sharing a shape; the generated type takes the new
/// name, and code that named the type by where it sat must still compile (see the
/// generator's names by position).
fn inline_to_components(doc: &mut Value) -> usize {
    // The names in use: the components', and the titles they carry.
    let taken = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .flat_map(|(name, schema)| {
                    let title = schema.get("title").and_then(Value::as_str);
                    [
                        Some(name.clone()),
                        title.map(heck::ToUpperCamelCase::to_upper_camel_case),
                    ]
                })
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    let mut moved = Moved {
        taken,
        ..Moved::default()
    };
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for schema in schemas.values_mut() {
            move_nested(schema, &mut moved);
        }
    }
    for_each_operation(doc, &mut |op| {
        let mut contents: Vec<&mut Value> = Vec::new();
        if let Some(o) = op.operation.as_object_mut() {
            for (key, value) in o.iter_mut() {
                match key.as_str() {
                    "requestBody" => {
                        if let Some(Value::Object(content)) = value.get_mut("content") {
                            contents.extend(content.values_mut());
                        }
                    }
                    "responses" => {
                        for response in value
                            .as_object_mut()
                            .into_iter()
                            .flat_map(|r| r.values_mut())
                        {
                            if let Some(Value::Object(content)) = response.get_mut("content") {
                                contents.extend(content.values_mut());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for media in contents {
            if let Some(schema) = media.get_mut("schema") {
                move_nested(schema, &mut moved);
            }
        }
    });
    let moved = moved.schemas;
    let n = moved.len();
    if n > 0
        && let Some(root) = doc.as_object_mut()
        && let Value::Object(components) = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()))
        && let Value::Object(schemas) = components
            .entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()))
    {
        schemas.extend(moved);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_additive_mutation_applies() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"responses": {}}}},
            "components": {"schemas": {
                "Obj": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}},
                "Ints": {"type": "integer", "enum": [1, 2, 4]},
                "Flag": {"type": "boolean", "enum": [true]},
                "Tagged": {"oneOf": [
                    {"type": "object", "properties": {"role": {"type": "string", "enum": ["user"]}}},
                    {"type": "object", "properties": {"role": {"type": "string", "enum": ["tool"]}}}
                ]},
                "Opt": {"anyOf": [{"type": "string"}, {"nullable": true}]},
                "Strs": {"anyOf": [{"type": "string"}, {"type": "string", "enum": ["x"]}]},
                "Mixed": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "Map": {"type": "object", "properties": {}}
            }}
        });
        let m = mutate(&mut doc);
        let s = &doc["components"]["schemas"];
        assert_eq!(s["Obj"]["properties"][MUTANT_FIELD]["type"], "string");
        assert_eq!(
            s["Obj"]["properties"]["kind"]["enum"],
            json!(["a", "b", MUTANT_VALUE])
        );
        assert_eq!(s["Ints"]["enum"], json!([1, 2, 4, 5]));
        assert_eq!(s["Flag"]["enum"], json!([true]), "a constant stays one");
        let tagged = s["Tagged"]["oneOf"].as_array().unwrap();
        assert_eq!(tagged.len(), 3);
        assert_eq!(
            tagged[2]["properties"]["role"]["enum"],
            json!([MUTANT_VALUE])
        );
        assert_eq!(
            s["Opt"]["anyOf"].as_array().unwrap().len(),
            2,
            "optional stays optional"
        );
        assert_eq!(s["Strs"]["anyOf"].as_array().unwrap().len(), 2);
        assert_eq!(s["Mixed"]["anyOf"][2]["type"], "boolean");
        assert_eq!(s["Map"]["properties"], json!({}), "a map stays a map");
        assert!(doc["paths"].get(MUTANT_PATH).is_some());
        assert_eq!(m[&Mutation::NewOperation], 1);
        assert_eq!(m[&Mutation::NewUnionMember], 2);
        assert_eq!(
            (m[&Mutation::NewField], m[&Mutation::NewEnumValue]),
            (4, 2),
            "the new member of `Tagged` gets a field too: {m:?}"
        );
    }

    #[test]
    fn enums_become_strings_and_strings_enums_everywhere() {
        let spec = json!({"components": {"schemas": {
            "Voice": {"anyOf": [
                {"type": "string", "enum": ["af_sky", "eve"]},
                {"type": "string", "pattern": "^vv_"}
            ]},
            "Content": {"anyOf": [
                {"type": "string", "description": "text"},
                {"type": "array", "items": {"type": "string"}}
            ]},
            "Req": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["a", "b"]},
                "name": {"type": "string"},
                "when": {"type": "string", "format": "date-time"},
                "tag": {"anyOf": [{"type": "string", "enum": ["only"]}, {"type": "integer"}]}
            }}
        }}});
        let mut loose = spec.clone();
        let m = apply(&mut loose, &[Mutation::EnumToString]);
        let s = &loose["components"]["schemas"];
        assert_eq!(s["Voice"]["anyOf"][0], json!({"type": "string"}));
        assert_eq!(s["Req"]["properties"]["kind"], json!({"type": "string"}));
        assert_eq!(
            s["Req"]["properties"]["tag"]["anyOf"][0]["enum"],
            json!(["only"]),
            "a constant stays"
        );
        assert_eq!(m[&Mutation::EnumToString], 2);

        let mut tight = spec;
        let m = apply(&mut tight, &[Mutation::StringToEnum]);
        let s = &tight["components"]["schemas"];
        assert_eq!(s["Content"]["anyOf"][0]["enum"], json!(MUTANT_ENUM));
        assert_eq!(
            s["Content"]["anyOf"][1]["items"]["enum"],
            json!(MUTANT_ENUM)
        );
        assert_eq!(s["Req"]["properties"]["name"]["enum"], json!(MUTANT_ENUM));
        assert!(
            s["Req"]["properties"]["when"].get("enum").is_none(),
            "a format stays"
        );
        assert!(
            s["Voice"]["anyOf"][1].get("enum").is_none(),
            "a pattern stays"
        );
        assert_eq!(s["Voice"]["anyOf"][0]["enum"], json!(["af_sky", "eve"]));
        assert_eq!(m[&Mutation::StringToEnum], 3);
    }

    #[test]
    fn unions_lose_their_first_member_or_are_reordered() {
        let spec = json!({"components": {"schemas": {
            "Input": {"anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "array", "items": {"type": "integer"}},
                {"nullable": true}
            ]},
            "Pair": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "Opt": {"anyOf": [{"type": "null"}, {"type": "integer"}]}
        }}});
        let mut dropped = spec.clone();
        let m = apply(&mut dropped, &[Mutation::UnionDropsFirst]);
        let s = &dropped["components"]["schemas"];
        assert_eq!(s["Input"]["anyOf"].as_array().unwrap().len(), 3);
        assert_eq!(s["Input"]["anyOf"][0]["type"], "array");
        assert_eq!(
            s["Pair"]["oneOf"].as_array().unwrap().len(),
            2,
            "a union of two stays one"
        );
        assert_eq!(m[&Mutation::UnionDropsFirst], 1);

        let mut reordered = spec;
        let m = apply(&mut reordered, &[Mutation::UnionReordered]);
        let s = &reordered["components"]["schemas"];
        assert_eq!(s["Input"]["anyOf"][0]["items"]["type"], "integer");
        assert_eq!(s["Input"]["anyOf"][2]["type"], "string");
        assert_eq!(s["Input"]["anyOf"][3], json!({"nullable": true}));
        assert_eq!(s["Pair"]["oneOf"][0]["type"], "integer");
        assert_eq!(
            s["Opt"]["anyOf"][0]["type"], "null",
            "optional stays optional"
        );
        assert_eq!(m[&Mutation::UnionReordered], 2);
    }

    #[test]
    fn required_request_fields_become_optional_and_integers_numbers() {
        let mut doc = json!({
            "paths": {"/a": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}}}
            }}, "/b": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}
                }}}},
                "responses": {"200": {"description": "OK"}}
            }}},
            "components": {"schemas": {
                "Req": {"type": "object", "required": ["model", "type", "part"], "properties": {
                    "model": {"type": "string"},
                    "type": {"type": "string", "enum": ["text"]},
                    "n": {"anyOf": [{"type": "integer", "format": "int32"}, {"type": "array", "items": {"type": "integer"}}]},
                    "part": {"$ref": "#/components/schemas/Part"}
                }},
                "Part": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
                "Res": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
            }}
        });
        let m = apply(
            &mut doc,
            &[Mutation::RequiredToOptional, Mutation::IntegerToNumber],
        );
        let s = &doc["components"]["schemas"];
        assert_eq!(s["Req"]["required"], json!(["type"]), "the tag stays");
        assert_eq!(s["Part"].get("required"), None, "reached through a $ref");
        assert_eq!(
            s["Res"]["required"],
            json!(["id"]),
            "responses are left alone"
        );
        let inline =
            &doc["paths"]["/b"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(inline.get("required"), None, "an inline body too");
        assert_eq!(
            s["Req"]["properties"]["n"]["anyOf"][0],
            json!({"type": "number"})
        );
        assert_eq!(
            s["Req"]["properties"]["n"]["anyOf"][1]["items"],
            json!({"type": "number"})
        );
        assert_eq!(m[&Mutation::RequiredToOptional], 4);
        assert_eq!(m[&Mutation::IntegerToNumber], 2);
    }

    #[test]
    fn nested_schemas_move_to_components_under_new_names() {
        let tool = json!({"type": "object", "title": "Tool call", "properties": {"name": {"type": "string"}}});
        let mut doc = json!({
            "paths": {"/a": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "title": "Body", "properties": {
                        "tool": tool,
                        "mode": {"type": "string", "enum": ["on", "off"]},
                        "name": {"type": "string"}
                    }
                }}}},
                "responses": {"200": {"description": "OK"}}
            }}},
            "components": {"schemas": {
                "MovedSchema0": {"type": "object", "properties": {"x": {"type": "string"}}},
                "Req": {"type": "object", "properties": {
                    "tools": {"type": "array", "items": tool},
                    "input": {"anyOf": [{"type": "string"}, {"type": "object", "title": "Part", "properties": {"p": {"type": "string"}}}]},
                    "plain": {"type": "object", "properties": {"x": {"type": "string"}}},
                    "maybe": {"type": "object", "nullable": true, "properties": {"x": {"type": "string"}}},
                    "flags": {"type": "array", "items": {"type": "boolean", "enum": [true]}}
                }}
            }}
        });
        let m = apply(&mut doc, &[Mutation::InlineToComponent]);
        let s = &doc["components"]["schemas"];
        let req = &s["Req"]["properties"];
        let name = |r: &Value| {
            r["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .map(str::to_owned)
        };
        let tools = name(&req["tools"]["items"]).expect("items moved");
        assert!(
            tools.starts_with("MovedSchema") && tools != "MovedSchema0",
            "{tools}"
        );
        let mut untitled = tool.clone();
        untitled.as_object_mut().unwrap().remove("title");
        assert_eq!(s[&tools], untitled, "under a new name, not its title");
        let body =
            &doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["title"], "Body", "the body's own schema stays");
        assert_eq!(
            name(&body["properties"]["tool"]),
            Some(tools),
            "one per shape"
        );
        let plain = name(&req["plain"]).expect("untitled ones move too");
        assert_ne!(plain, "MovedSchema0", "a taken name is skipped");
        assert!(
            name(&body["properties"]["mode"]).is_some(),
            "string enums move"
        );
        assert!(
            body["properties"]["name"].get("$ref").is_none(),
            "a plain string stays"
        );
        let input = name(&req["input"]).expect("a union moves");
        assert_eq!(
            s[&input]["anyOf"][1]["title"], "Part",
            "its member stays in it"
        );
        assert!(req["maybe"].get("$ref").is_none(), "a nullable one stays");
        assert!(
            req["flags"]["items"].get("$ref").is_none(),
            "a boolean enum stays"
        );
        assert_eq!(m[&Mutation::InlineToComponent], 4, "{doc:#}");
    }

    #[test]
    fn every_mutation_is_in_a_spec_and_conflicting_ones_apart() {
        for mutation in ORDER {
            assert!(
                SPECS.iter().any(|s| s.mutations.contains(&mutation)),
                "{mutation:?} is in no mutated spec"
            );
        }
        for spec in SPECS {
            let has = |m| spec.mutations.contains(&m);
            assert!(!(has(Mutation::EnumToString) && has(Mutation::StringToEnum)));
            assert!(!(has(Mutation::UnionDropsFirst) && has(Mutation::UnionReordered)));
        }
    }
}
