//! Unit tests of each pass on tiny inline specs.

use serde_json::{Value, json};

use super::*;
use crate::{load_yaml, normalize_str};

fn run(pass: &Pass, doc: &mut Value) -> Vec<String> {
    let mut ctx = Context::default();
    inventory(doc, &mut ctx, &mut Vec::new()).unwrap();
    let mut changes = Vec::new();
    (pass.run)(doc, &mut ctx, &mut changes).unwrap();
    changes
}

fn pass(name: &str) -> &'static Pass {
    PASSES.iter().find(|p| p.name == name).unwrap()
}

fn doc(yaml: &str) -> Value {
    load_yaml(yaml).unwrap()
}

const HEAD: &str = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn yaml_1_2_keeps_on_off_as_strings_and_key_order() {
    let v = load_yaml("b: on\na: off\nc: true\n200: x\n").unwrap();
    assert_eq!(v["b"], json!("on"));
    assert_eq!(v["a"], json!("off"));
    assert_eq!(v["c"], json!(true));
    assert_eq!(v["200"], json!("x"));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["b", "a", "c", "200"]);
}

#[test]
fn malformed_yaml_is_an_error_not_a_panic() {
    assert!(matches!(load_yaml("a: [1, 2"), Err(crate::Error::Yaml(_))));
    assert!(matches!(
        normalize_str("- 1\n- 2\n"),
        Err(crate::Error::Invalid { .. })
    ));
    let err = normalize_str(&format!(
        "{HEAD}paths:\n  /x:\n    get:\n      responses: 7\n"
    ))
    .unwrap_err();
    assert!(err.to_string().contains("paths"), "{err}");
}

#[test]
fn derived_ids_follow_method_and_path() {
    assert_eq!(derived_id("get", "/image/styles"), "listImageStyles");
    assert_eq!(derived_id("get", "/models/traits"), "listModelTraits");
    assert_eq!(
        derived_id("get", "/models/compatibility_mapping"),
        "listModelCompatibilityMapping"
    );
    assert_eq!(derived_id("get", "/models"), "listModels");
    assert_eq!(derived_id("get", "/models/{id}"), "getModelById");
    assert_eq!(derived_id("post", "/api_keys"), "createApiKeys");
    assert_eq!(
        derived_id("delete", "/categories/{id}"),
        "deleteCategoryById"
    );
}

#[test]
fn operation_ids_fill_missing_and_rename_duplicates() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /models/traits: {{get: {{operationId: listModels, responses: {{}}}}}}
  /models: {{get: {{operationId: listModels, responses: {{}}}}}}
  /image/styles: {{get: {{responses: {{}}}}}}
  /a: {{get: {{operationId: same, responses: {{}}}}}}
  /b: {{get: {{operationId: same, responses: {{}}}}}}
"
    ));
    let changes = run(pass("operation_ids"), &mut d);
    assert_eq!(
        d.pointer("/paths/~1models/get/operationId").unwrap(),
        "listModels"
    );
    assert_eq!(
        d.pointer("/paths/~1models~1traits/get/operationId")
            .unwrap(),
        "listModelTraits"
    );
    assert_eq!(
        d.pointer("/paths/~1image~1styles/get/operationId").unwrap(),
        "listImageStyles"
    );
    // No derived name matches `same`: the first keeps it.
    assert_eq!(d.pointer("/paths/~1a/get/operationId").unwrap(), "same");
    assert_eq!(d.pointer("/paths/~1b/get/operationId").unwrap(), "listB");
    assert_eq!(changes.len(), 3, "{changes:?}");
}

#[test]
fn derived_names_never_collide_with_existing_ids() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x: {{get: {{operationId: listX, responses: {{}}}}, post: {{operationId: listX, responses: {{}}}}}}
  /y: {{get: {{operationId: createX, responses: {{}}}}}}
"
    ));
    run(pass("operation_ids"), &mut d);
    assert_eq!(d.pointer("/paths/~1x/get/operationId").unwrap(), "listX");
    assert_eq!(
        d.pointer("/paths/~1x/post/operationId").unwrap(),
        "createX2"
    );
}

#[test]
fn responses_get_descriptions() {
    let mut d = doc(&format!(
        "{HEAD}paths:\n  /x: {{get: {{responses: {{'200': {{}}, '404': {{description: gone}}}}}}}}\n"
    ));
    let changes = run(pass("response_descriptions"), &mut d);
    assert_eq!(
        d.pointer("/paths/~1x/get/responses/200/description")
            .unwrap(),
        "Success"
    );
    assert_eq!(
        d.pointer("/paths/~1x/get/responses/404/description")
            .unwrap(),
        "gone"
    );
    assert_eq!(changes.len(), 1);
}

#[test]
fn transport_headers_are_removed() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    post:
      parameters:
        - {{in: header, name: Accept-Encoding, schema: {{type: string}}}}
        - {{in: query, name: accept-encoding, schema: {{type: string}}}}
        - $ref: '#/components/parameters/Auth'
      responses: {{}}
components:
  parameters:
    Auth: {{in: header, name: authorization, schema: {{type: string}}}}
"
    ));
    let changes = run(pass("transport_headers"), &mut d);
    let params = d
        .pointer("/paths/~1x/post/parameters")
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(params.len(), 1);
    assert_eq!(params[0]["in"], "query");
    assert_eq!(changes.len(), 2);
}

#[test]
fn multipart_body_is_left_to_a_wrapper_and_json_plus_multipart_keeps_json() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /up:
    post:
      operationId: upscaleImage
      requestBody:
        content:
          multipart/form-data:
            schema: {{type: object, properties: {{image: {{type: string, format: binary}}}}}}
      responses: {{}}
  /both:
    post:
      operationId: both
      requestBody:
        content:
          application/json: {{schema: {{type: object}}}}
          multipart/form-data: {{schema: {{type: object}}}}
      responses: {{}}
"
    ));
    let mut ctx = Context::default();
    inventory(&mut d, &mut ctx, &mut Vec::new()).unwrap();
    let mut changes = Vec::new();
    form_bodies(&mut d, &mut ctx, &mut changes).unwrap();
    assert!(d.pointer("/paths/~1up").is_none(), "operation removed");
    assert_eq!(
        d.pointer("/components/schemas/UpscaleImageBody/properties/image/type")
            .unwrap(),
        "string"
    );
    let both = d.pointer("/paths/~1both/post/requestBody/content").unwrap();
    assert_eq!(both.as_object().unwrap().len(), 1);
    assert!(both.get("application/json").is_some());
    let ops = ctx.into_operations(&d);
    let up = ops.iter().find(|o| o.path == "/up").unwrap();
    assert!(!up.generated);
    assert_eq!(
        up.wrap,
        vec![WrapReason::MultipartBody {
            schema: "UpscaleImageBody".into()
        }]
    );
    assert_eq!(changes.len(), 2);
}

#[test]
fn binary_alternative_of_a_json_response_is_recorded() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /gen:
    post:
      responses:
        '200':
          description: OK
          content:
            application/json: {{schema: {{type: object}}}}
            image/png: {{schema: {{type: string, format: binary}}}}
"
    ));
    let mut ctx = Context::default();
    inventory(&mut d, &mut ctx, &mut Vec::new()).unwrap();
    binary_responses(&mut d, &mut ctx, &mut Vec::new()).unwrap();
    let content = d
        .pointer("/paths/~1gen/post/responses/200/content")
        .unwrap();
    assert!(content.get("image/png").is_none());
    let ops = ctx.into_operations(&d);
    assert_eq!(
        ops[0].wrap,
        vec![WrapReason::BinaryResponse {
            media_types: vec!["image/png".into()]
        }]
    );
}

#[test]
fn delete_body_copying_the_response_becomes_query_id() {
    let body = "{type: object, properties: {success: {type: boolean}}, required: [success]}";
    let mut d = doc(&format!(
        "{HEAD}paths:
  /keys:
    delete:
      requestBody: {{content: {{application/json: {{schema: {body}}}}}}}
      responses:
        '200': {{description: OK, content: {{application/json: {{schema: {body}}}}}}}
  /other:
    delete:
      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}
      responses:
        '200': {{description: OK, content: {{application/json: {{schema: {body}}}}}}}
"
    ));
    let changes = run(pass("delete_body_as_query"), &mut d);
    let op = d.pointer("/paths/~1keys/delete").unwrap();
    assert!(op.get("requestBody").is_none());
    assert_eq!(op["parameters"][0]["name"], "id");
    assert_eq!(op["parameters"][0]["in"], "query");
    // A real body is left alone.
    assert!(d.pointer("/paths/~1other/delete/requestBody").is_some());
    assert_eq!(changes.len(), 1);
}

#[test]
fn error_responses_share_one_schema_and_cover_unlisted_statuses() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    get:
      responses:
        '200': {{description: OK, content: {{application/json: {{schema: {{type: object}}}}}}}}
        '400': {{description: bad, content: {{application/json: {{schema: {{type: object, properties: {{error: {{type: string}}}}}}}}}}}}
        '500': {{description: boom}}
"
    ));
    run(pass("shared_error_schema"), &mut d);
    let r = d
        .pointer("/paths/~1x/get/responses")
        .unwrap()
        .as_object()
        .unwrap();
    let statuses: Vec<&String> = r.keys().collect();
    assert_eq!(statuses, ["200", "4XX", "5XX"]);
    for status in ["4XX", "5XX"] {
        assert_eq!(
            r[status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ApiErrorBody",
            "{status}"
        );
    }
    assert_eq!(r["4XX"]["description"], "400: bad");
    assert_eq!(r["5XX"]["description"], "500: boom");
    assert!(
        r["200"]["content"]["application/json"]["schema"]
            .get("$ref")
            .is_none()
    );
    assert!(
        d.pointer("/components/schemas/ApiErrorBody/properties/error")
            .is_some()
    );
}

#[test]
fn a_foreign_error_schema_with_our_name_is_an_error() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}\ncomponents: {{schemas: {{ApiErrorBody: {{type: string}}}}}}\n"
    ));
    let mut ctx = Context::default();
    let err = shared_error_schema(&mut d, &mut ctx, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("ApiErrorBody"));
}

#[test]
fn nullable_unions_fold_null_members() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    One:
      description: keep me
      anyOf: [{{type: string, description: inner}}, {{nullable: true}}, {{nullable: true}}]
    Ref:
      anyOf: [{{nullable: true}}, {{$ref: '#/components/schemas/One'}}]
    Two:
      anyOf: [{{type: string}}, {{type: integer}}, {{type: 'null'}}]
    OnlyNull:
      anyOf: [{{nullable: true}}]
    Untouched:
      anyOf: [{{type: string}}, {{type: integer}}]
"
    ));
    run(pass("nullable_unions"), &mut d);
    let s = d.pointer("/components/schemas").unwrap();
    assert_eq!(
        s["One"],
        json!({"description": "keep me", "nullable": true, "type": "string"})
    );
    assert_eq!(
        s["Ref"],
        json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/One"}]})
    );
    assert_eq!(s["Two"]["anyOf"].as_array().unwrap().len(), 2);
    assert_eq!(s["Two"]["nullable"], true);
    assert_eq!(s["OnlyNull"], json!({"nullable": true}));
    assert!(s["Untouched"].get("nullable").is_none());
}

#[test]
fn response_types_are_opened_and_request_types_are_not() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    post:
      requestBody: {{content: {{application/json: {{schema: {{$ref: '#/components/schemas/Req'}}}}}}}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                properties:
                  kind: {{type: string, enum: [a, b], description: The kind.}}
                  nested: {{$ref: '#/components/schemas/Nested'}}
components:
  schemas:
    Req: {{type: object, additionalProperties: false, properties: {{k: {{type: string, enum: [x]}}}}}}
    Nested: {{type: object, additionalProperties: false, properties: {{deep: {{$ref: '#/components/schemas/Deep'}}}}}}
    Deep: {{type: string, enum: [p, q]}}
    Orphan: {{type: object, additionalProperties: false, properties: {{o: {{type: string}}}}}}
"
    ));
    run(pass("open_response_types"), &mut d);
    let resp = d
        .pointer("/paths/~1x/post/responses/200/content/application~1json/schema")
        .unwrap();
    assert!(resp.get("additionalProperties").is_none());
    assert!(resp["properties"]["kind"].get("enum").is_none());
    assert_eq!(
        resp["properties"]["kind"]["description"],
        "The kind.\n\nKnown values: `a`, `b`."
    );
    let s = d.pointer("/components/schemas").unwrap();
    assert!(s["Nested"].get("additionalProperties").is_none());
    assert!(s["Deep"].get("enum").is_none(), "reached through two refs");
    assert_eq!(s["Req"]["additionalProperties"], false);
    assert_eq!(s["Req"]["properties"]["k"]["enum"], json!(["x"]));
    assert!(
        s["Orphan"].get("additionalProperties").is_none(),
        "no operation uses it: only read"
    );
}

#[test]
fn same_type_string_unions_merge() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Enums: {{anyOf: [{{type: string, enum: [a, b]}}, {{type: string, enum: [b, c]}}]}}
    Free: {{oneOf: [{{type: string, enum: [a]}}, {{type: string}}]}}
    Mixed: {{anyOf: [{{type: string}}, {{type: integer}}]}}
"
    ));
    run(pass("same_type_unions"), &mut d);
    let s = d.pointer("/components/schemas").unwrap();
    assert_eq!(
        s["Enums"],
        json!({"type": "string", "enum": ["a", "b", "c"]})
    );
    assert_eq!(s["Free"], json!({"type": "string"}));
    assert!(s["Mixed"].get("anyOf").is_some());
}

#[test]
fn any_of_becomes_one_of() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    U: {{anyOf: [{{type: object, properties: {{a: {{type: string}}}}}}, {{type: object, properties: {{b: {{type: string}}}}}}]}}
    Single: {{anyOf: [{{$ref: '#/components/schemas/U'}}]}}
"
    ));
    run(pass("any_of_to_one_of"), &mut d);
    let s = d.pointer("/components/schemas").unwrap();
    assert!(s["U"].get("anyOf").is_none());
    assert_eq!(s["U"]["oneOf"].as_array().unwrap().len(), 2);
    assert_eq!(
        s["Single"],
        json!({"allOf": [{"$ref": "#/components/schemas/U"}]})
    );
}

#[test]
fn colliding_enum_values_become_free_strings() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Bad: {{type: string, enum: [auto, Auto, low]}}
    Fine: {{type: string, enum: [auto, low]}}
"
    ));
    run(pass("enum_identifier_collisions"), &mut d);
    let s = d.pointer("/components/schemas").unwrap();
    assert!(s["Bad"].get("enum").is_none());
    assert!(s["Bad"]["description"].as_str().unwrap().contains("`Auto`"));
    assert_eq!(s["Fine"]["enum"], json!(["auto", "low"]));
}

#[test]
fn security_inventory_reads_auth_modes_and_idempotency_keys() {
    let n = normalize_str(&format!(
        "{HEAD}security: [{{BearerAuth: []}}]
paths:
  /a: {{get: {{operationId: a, responses: {{}}}}}}
  /b: {{get: {{operationId: b, security: [], responses: {{}}}}}}
  /c: {{get: {{operationId: c, security: [{{}}], responses: {{}}}}}}
  /d: {{get: {{operationId: d, security: [{{}}, {{BearerAuth: []}}], responses: {{}}}}}}
  /e: {{get: {{operationId: e, security: [{{BearerAuth: []}}, {{siwx: []}}], responses: {{}}}}}}
  /f:
    post:
      operationId: f
      security: [{{siwx: []}}]
      parameters:
        - {{name: SIGN-IN-WITH-X, in: header, schema: {{type: string}}}}
        - {{$ref: '#/components/parameters/Idem'}}
      responses: {{}}
components:
  parameters:
    Idem: {{name: idempotency-key, in: header, schema: {{type: string}}}}
  securitySchemes:
    BearerAuth: {{type: http, scheme: bearer}}
    siwx: {{type: apiKey, in: header, name: X-Sign-In-With-X}}
"
    ))
    .unwrap();
    let auth: Vec<(&str, Auth, bool, bool)> = n
        .report
        .operations
        .iter()
        .map(|o| {
            (
                o.operation_id.as_str(),
                o.auth,
                o.auth.sends_key(),
                o.idempotency_key,
            )
        })
        .collect();
    assert_eq!(
        auth,
        [
            ("a", Auth::Bearer, true, false),
            ("b", Auth::None, false, false),
            ("c", Auth::None, false, false),
            ("d", Auth::Optional, true, false),
            ("e", Auth::BearerOrWallet, true, false),
            ("f", Auth::Wallet, false, true),
        ]
    );
}

#[test]
fn typed_string_formats_stay_strings() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Job:
      type: object
      properties:
        at: {{type: string, format: date-time, description: When.}}
        day: {{type: string, format: date}}
        id: {{type: string, format: uuid}}
        link: {{type: string, format: uri}}
        file: {{type: string, format: binary}}
        n: {{type: integer, format: int64}}
"
    ));
    let changes = run(pass("string_formats"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes[0].starts_with("3 strings"), "{changes:?}");
    let p = d.pointer("/components/schemas/Job/properties").unwrap();
    for key in ["at", "day", "id"] {
        assert!(p[key].get("format").is_none(), "{key}");
    }
    assert_eq!(
        p["at"]["description"],
        "When.\n\nFormat: `date-time` (kept as text)."
    );
    assert_eq!(p["link"]["format"], "uri");
    assert_eq!(p["file"]["format"], "binary");
    assert_eq!(p["n"]["format"], "int64");
}

#[test]
fn a_repeated_mapping_key_is_a_warning_and_the_last_value_wins() {
    let n = normalize_str(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Q:
      type: object
      properties:
        f:
          type: integer
        g:
          type: string
        f:
          type: number
"
    ))
    .unwrap();
    assert_eq!(n.report.warnings.len(), 1, "{:?}", n.report.warnings);
    let w = &n.report.warnings[0];
    assert!(
        w.contains("`f` in `components.schemas.Q.properties.f` at lines 9, 13"),
        "{w}"
    );
    assert!(
        n.report
            .to_string()
            .starts_with("warning: duplicate mapping key")
    );
    assert_eq!(
        n.document
            .pointer("/components/schemas/Q/properties/f/type"),
        Some(&json!("number"))
    );
    let keys: Vec<&String> = n
        .document
        .pointer("/components/schemas/Q/properties")
        .and_then(Value::as_object)
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["f", "g"]);
}

/// Both the seed spec (kept as a fixture) and the current one normalize, with the
/// operations the SDK wraps under stable ids.
#[test]
fn the_seed_and_the_current_venice_specs_normalize() {
    for (text, count, generated) in [
        (
            include_str!("../../../tests/fixtures/venice-20250303.yaml"),
            14,
            13,
        ),
        (include_str!("../../../spec/venice.yaml"), 49, 46),
    ] {
        let n = normalize_str(text).unwrap();
        let ids: Vec<&str> = n
            .report
            .operations
            .iter()
            .map(|o| o.operation_id.as_str())
            .collect();
        for id in [
            "listModels",
            "listModelTraits",
            "listModelCompatibilityMapping",
            "listImageStyles",
            "upscaleImage",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        assert_eq!(n.report.operations.len(), count);
        assert_eq!(
            n.report.operations.iter().filter(|o| o.generated).count(),
            generated
        );
        let text = serde_json::to_string(&n.document).unwrap();
        assert!(!text.contains("\"anyOf\""));
        assert!(!text.contains("\"format\":\"date-time\""));
        assert!(!text.contains("\"additionalProperties\":false") || text.contains("Request"));
    }
}

#[test]
fn credential_fields_in_responses_become_secrets() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /keys:
    post:
      requestBody: {{content: {{application/json: {{schema: {{type: object, properties: {{apiKey: {{type: string}}}}}}}}}}}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {{type: object, properties: {{data: {{$ref: '#/components/schemas/Key'}}}}}}
components:
  schemas:
    Key: {{type: object, properties: {{apiKey: {{type: string}}, api_key_type: {{type: string}}, id: {{type: string}}}}}}
"
    ));
    let changes = run(pass("secret_fields"), &mut d);
    assert_eq!(
        changes,
        ["1 credential fields in responses typed as `Secret`"]
    );
    let key = d.pointer("/components/schemas/Key/properties").unwrap();
    assert_eq!(key["apiKey"]["x-rust-type"], secret_rust_type());
    assert!(key["api_key_type"].get("x-rust-type").is_none());
    assert!(key["id"].get("x-rust-type").is_none());
    // Request bodies are the user's own values: left as strings.
    assert!(
        d.pointer("/paths/~1keys/post/requestBody/content/application~1json/schema/properties/apiKey/x-rust-type")
            .is_none()
    );
}

#[test]
fn optional_request_defaults_are_left_to_the_server() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    post:
      requestBody: {{content: {{application/json: {{schema: {{$ref: '#/components/schemas/Req'}}}}}}}}
      responses:
        '200': {{description: OK, content: {{application/json: {{schema: {{type: object, properties: {{n: {{type: integer, default: 1}}}}}}}}}}}}
components:
  schemas:
    Req:
      type: object
      required: [mode]
      properties:
        temperature: {{type: number, default: 0.7, description: Sampling.}}
        mode: {{type: string, default: fast}}
"
    ));
    let changes = run(pass("request_defaults"), &mut d);
    let props = d.pointer("/components/schemas/Req/properties").unwrap();
    assert!(props["temperature"].get("default").is_none());
    assert_eq!(
        props["temperature"]["description"],
        "Sampling.\n\nDefaults to `0.7` on the server when unset."
    );
    assert_eq!(
        props["mode"]["default"], "fast",
        "required fields keep theirs"
    );
    let resp = d
        .pointer("/paths/~1x/post/responses/200/content/application~1json/schema/properties/n")
        .unwrap();
    assert_eq!(resp["default"], 1, "responses keep theirs");
    assert_eq!(changes.len(), 1);
}

#[test]
fn distinct_success_schemas_become_one_union() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    get:
      responses:
        '200': {{description: a, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A'}}}}}}}}
        '201': {{description: b, content: {{application/json: {{schema: {{$ref: '#/components/schemas/B'}}}}}}}}
        '202': {{description: c, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A'}}}}}}}}
  /same:
    get:
      responses:
        '200': {{description: a, content: {{application/json: {{schema: {{type: object}}}}}}}}
        '201': {{description: b, content: {{application/json: {{schema: {{type: object}}}}}}}}
"
    ));
    let changes = run(pass("single_success_schema"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let r = d.pointer("/paths/~1x/get/responses").unwrap();
    let expected =
        json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]});
    for status in ["200", "201", "202"] {
        assert_eq!(
            r[status]["content"]["application/json"]["schema"], expected,
            "{status}"
        );
    }
    assert_eq!(
        d.pointer("/paths/~1same/get/responses/201/content/application~1json/schema")
            .unwrap(),
        &json!({"type": "object"})
    );
}

#[test]
fn a_title_naming_different_shapes_is_dropped() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    A:
      type: object
      properties:
        x: {{title: text, type: object, properties: {{text: {{type: string}}}}}}
        y: {{title: Text, type: object, properties: {{text: {{type: string}}, cache: {{type: boolean}}}}}}
        z: {{title: Same, type: string}}
        w: {{title: Same, type: string}}
        v: {{title: B, type: integer}}
    B: {{type: object}}
"
    ));
    let changes = run(pass("title_collisions"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes[0].contains("3 titles"), "{changes:?}");
    let p = d.pointer("/components/schemas/A/properties").unwrap();
    assert!(p["x"].get("title").is_none());
    assert!(p["y"].get("title").is_none());
    assert!(p["v"].get("title").is_none(), "collides with component B");
    assert_eq!(p["z"]["title"], "Same", "same shape: one type is right");
    assert_eq!(p["w"]["title"], "Same");
}

#[test]
fn titles_of_union_members_name_variants_and_stay() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    A:
      anyOf:
        - {{title: Msg, type: object, properties: {{a: {{type: string}}}}}}
        - {{title: Other, type: object, properties: {{b: {{type: string}}}}}}
    B:
      anyOf:
        - {{title: Msg, type: object, properties: {{c: {{type: string}}}}}}
"
    ));
    let changes = run(pass("title_collisions"), &mut d);
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(
        d.pointer("/components/schemas/A/anyOf/0/title"),
        Some(&json!("Msg"))
    );
    assert!(!serde_json::to_string(&d).unwrap().contains(MEMBER_MARK));
}

#[test]
fn required_nullable_response_fields_become_optional() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    post:
      requestBody: {{content: {{application/json: {{schema: {{type: object, required: [a], properties: {{a: {{type: string, nullable: true}}}}}}}}}}}}
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema:
                type: object
                required: [logprobs, index]
                properties:
                  logprobs: {{type: object, nullable: true}}
                  index: {{type: integer}}
"
    ));
    let changes = run(pass("nullable_required_responses"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let r = d
        .pointer("/paths/~1x/post/responses/200/content/application~1json/schema/required")
        .unwrap();
    assert_eq!(r, &json!(["index"]));
    let q = d
        .pointer("/paths/~1x/post/requestBody/content/application~1json/schema/required")
        .unwrap();
    assert_eq!(q, &json!(["a"]), "requests keep theirs");
}

#[test]
fn a_union_with_an_anything_member_accepts_any_value() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Img:
      type: object
      properties:
        image:
          description: The image.
          anyOf: [{{}}, {{type: string}}, {{type: string, format: uri}}]
        other:
          anyOf: [{{type: string}}, {{type: integer}}]
"
    ));
    let changes = run(pass("open_unions"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let p = d.pointer("/components/schemas/Img/properties").unwrap();
    assert!(p["image"].get("anyOf").is_none());
    assert_eq!(
        p["image"]["description"],
        "The image.\n\nAny JSON value (the spec lists: any value, string, string (uri))."
    );
    assert!(p["other"].get("anyOf").is_some());
}

#[test]
fn the_shared_error_schema_keeps_the_fields_of_x402_bodies() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /x:
    post:
      responses:
        '200': {{description: ok}}
        '402':
          description: pay
          content:
            application/json:
              schema:
                oneOf:
                  - {{$ref: '#/components/schemas/StandardError'}}
                  - {{$ref: '#/components/schemas/Pay'}}
components:
  schemas:
    StandardError: {{type: object, properties: {{error: {{type: string}}}}}}
    Pay:
      type: object
      properties:
        x402Version: {{type: integer, description: Protocol version.}}
        accepts: {{type: array, items: {{type: object}}}}
"
    ));
    let changes = run(pass("shared_error_schema"), &mut d);
    assert!(
        changes[0]
            .contains("keeps the fields of the error bodies it replaces: x402Version, accepts"),
        "{changes:?}"
    );
    let props = d
        .pointer(&format!("/components/schemas/{ERROR_SCHEMA}/properties"))
        .unwrap();
    assert_eq!(props["x402Version"]["description"], "Protocol version.");
    assert!(props.get("accepts").is_some());
    assert_eq!(
        d.pointer("/paths/~1x/post/responses/4XX/content/application~1json/schema/$ref"),
        Some(&json!(format!("#/components/schemas/{ERROR_SCHEMA}")))
    );
}

#[test]
fn a_closed_schema_extended_by_all_of_is_opened_and_inlined() {
    let mut d = doc(&format!(
        "{HEAD}paths: {{}}
components:
  schemas:
    Closed: {{type: object, additionalProperties: false, properties: {{a: {{type: string}}}}}}
    Extended:
      allOf:
        - {{$ref: '#/components/schemas/Closed'}}
        - {{type: object, properties: {{b: {{type: string}}}}}}
    Same:
      allOf:
        - {{$ref: '#/components/schemas/Closed'}}
        - {{type: object, properties: {{a: {{type: string}}}}}}
"
    ));
    let changes = run(pass("closed_all_of"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let s = d.pointer("/components/schemas").unwrap();
    assert_eq!(
        s["Extended"]["allOf"][0]["properties"]["a"]["type"],
        "string"
    );
    assert!(
        s["Extended"]["allOf"][0]
            .get("additionalProperties")
            .is_none()
    );
    assert_eq!(
        s["Closed"]["additionalProperties"], false,
        "the component stays closed"
    );
    assert!(
        s["Same"]["allOf"][0].get("$ref").is_some(),
        "nothing added: left alone"
    );
}

#[test]
fn discriminated_response_unions_keep_their_tags_and_take_unknown_ones() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /r:
    post:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  output:
                    type: array
                    items:
                      anyOf:
                        - {{type: object, title: A, properties: {{type: {{type: string, enum: [reasoning]}}, id: {{type: string}}}}}}
                        - $ref: '#/components/schemas/Msg'
                  plain:
                    anyOf:
                      - {{type: object, properties: {{kind: {{type: string, enum: [same]}}}}}}
                      - {{type: object, properties: {{kind: {{type: string, enum: [same]}}}}}}
components:
  schemas:
    Msg: {{type: object, properties: {{type: {{type: string, enum: [message]}}, role: {{type: string, enum: [assistant, user]}}}}}}
"
    ));
    let changes = run(pass("discriminated_unions"), &mut d);
    assert_eq!(changes.len(), 1, "{changes:?}");
    run(pass("open_response_types"), &mut d);
    let props = "/paths/~1r/post/responses/200/content/application~1json/schema/properties";
    let members = d
        .pointer(&format!("{props}/output/items/anyOf"))
        .unwrap()
        .as_array()
        .unwrap();
    assert_eq!(members.len(), 3, "a member for unknown tags");
    assert_eq!(members[2]["title"], "Unknown");
    assert_eq!(members[2].get("type"), None, "any JSON, not only an object");
    let tag = &members[0]["properties"]["type"];
    assert_eq!(tag["enum"], json!(["reasoning"]), "kept closed");
    assert_eq!(tag["title"], "reasoning_type");
    assert!(tag.get(DISCRIMINATOR_MARK).is_none(), "mark removed");
    let msg = d.pointer("/components/schemas/Msg/properties").unwrap();
    assert_eq!(msg["type"]["enum"], json!(["message"]), "a $ref member too");
    assert!(
        msg["role"].get("enum").is_none(),
        "other enums still opened"
    );
    // Members holding the same value are not told apart by it: left alone.
    let plain = d.pointer(&format!("{props}/plain/anyOf")).unwrap();
    assert_eq!(plain.as_array().unwrap().len(), 2);
}

#[test]
fn values_to_send_back_exactly_as_received_are_raw_json() {
    let mut d = doc(&format!(
        "{HEAD}paths:
  /chat:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                reasoning_details:
                  type: array
                  description: Pass back the reasoning_details exactly as received.
                  items: {{type: object, required: [type], properties: {{type: {{type: string}}, index: {{type: number}}}}}}
                thought_signature:
                  type: string
                  description: Pass it back exactly as received.
                other:
                  type: array
                  items: {{type: object, properties: {{a: {{type: string}}}}}}
      responses: {{'200': {{description: ok}}}}
"
    ));
    let changes = run(pass("echoed_values"), &mut d);
    let props = &d["paths"]["/chat"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ["properties"];
    let items = props["reasoning_details"]["items"].as_object().unwrap();
    assert!(
        !items.contains_key("properties") && !items.contains_key("type"),
        "{items:?}"
    );
    assert_eq!(
        props["thought_signature"]["type"], "string",
        "a string stays"
    );
    assert_eq!(props["other"]["items"]["properties"]["a"]["type"], "string");
    assert_eq!(changes.len(), 1, "{changes:?}");
}
