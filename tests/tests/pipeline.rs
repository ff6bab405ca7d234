//! The checked-in client matches the spec and the generator, and the pipeline
//! handles the spec's quirks without panicking.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn spec_text() -> String {
    std::fs::read_to_string(root().join(venice_gen::SPEC_PATH)).unwrap()
}

fn checked_in() -> String {
    std::fs::read_to_string(root().join(venice_gen::OUTPUT_PATH)).unwrap()
}

/// What `cargo xtask check` runs.
#[test]
fn checked_in_files_are_current() {
    for (path, diff) in venice_gen::freshness(&root()).unwrap() {
        if let Some(diff) = diff {
            panic!("{path} is stale; run `cargo xtask regen` and commit it:\n{diff}");
        }
    }
}

#[test]
fn the_spec_is_the_upstream_file_verbatim() {
    assert_eq!(
        venice_gen::sha256_hex(spec_text().as_bytes()),
        "8dcd3e4e94bffa2580febd198c0f705ef1e841d39e8f7359ccf3f504e657adc7",
        "spec/venice.yaml is not the 2026-07-31 upstream document"
    );
    let shared = root().join("../shared/spec/venice-20260731.yaml");
    // CI and developers have shared/ beside the repo; elsewhere there is nothing to compare.
    if let Ok(upstream) = std::fs::read_to_string(&shared) {
        assert!(
            upstream == spec_text(),
            "spec/venice.yaml differs from {}",
            shared.display()
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let a = venice_gen::generate(&spec_text(), "x").unwrap();
    let b = venice_gen::generate(&spec_text(), "x").unwrap();
    assert!(a.code == b.code);
}

#[test]
fn a_new_operation_makes_the_check_fail_with_a_diff_naming_it() {
    let mut doc = venice_openapi::load_yaml(&spec_text()).unwrap();
    doc["paths"]["/widgets"] = serde_json::json!({
        "get": {
            "operationId": "listWidgets",
            "responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}
            }}}}
        }
    });
    let changed = serde_json::to_string(&doc).unwrap();
    let fresh = venice_gen::generate(&changed, venice_gen::SPEC_PATH).unwrap();
    let diff = venice_gen::stale_diff(venice_gen::OUTPUT_PATH, &checked_in(), &fresh.code)
        .expect("must be stale");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("pub fn list_widgets(&self)")),
        "{diff}"
    );
}

/// The generated client's operation methods.
fn methods_of(code: &str) -> Vec<String> {
    // Signatures may span lines: join them before looking.
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.split("pub fn ")
        .skip(1)
        .filter(|rest| {
            let sig = rest.split('{').next().unwrap_or("");
            sig.contains("( &self, ) -> builder::") || sig.contains("(&self) -> builder::")
        })
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn generated_client_has_every_non_multipart_operation() {
    let methods = methods_of(&checked_in());
    assert_eq!(methods.len(), 46, "{methods:?}");
    for name in [
        "list_models",
        "list_model_traits",
        "list_model_compatibility_mapping",
        "list_image_styles",
        "create_chat_completion",
        "generate_image",
        "delete_api_key",
        "create_api_key",
        "crypto_rpc_proxy",
        "top_up_x402_balance",
    ] {
        assert!(
            methods.iter().any(|m| m == name),
            "{name} missing from {methods:?}"
        );
    }
    // Multipart-only bodies are left to wrappers.
    for name in [
        "create_transcription",
        "create_cloned_voice",
        "create_text_parser",
    ] {
        assert!(!methods.iter().any(|m| m == name), "{name}");
    }
}

/// The seed spec, kept as a fixture so the passes stay general: the client and the
/// mocks still generate, with the operations of that time.
#[test]
fn the_seed_spec_still_generates() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/venice-20250303.yaml")).unwrap();
    let out = venice_gen::generate(&text, "venice-20250303.yaml").unwrap();
    let methods = methods_of(&out.code);
    assert_eq!(methods.len(), 13, "{methods:?}");
    assert!(methods.iter().any(|m| m == "create_api_keys"));
    assert!(!methods.iter().any(|m| m == "upscale_image"));
    assert!(out.code.contains("pub fn from_required("));
    assert!(!out.code.contains("chrono"));
    let mocks = venice_gen::generate_mocks(&text, "venice-20250303.yaml").unwrap();
    assert!(mocks.contains("pub mod operations"));
}

#[test]
fn the_seed_fixture_is_the_upstream_file_verbatim() {
    let shared = root().join("../shared/spec/venice-20250303.yaml");
    let fixture = std::fs::read(root().join("tests/fixtures/venice-20250303.yaml")).unwrap();
    assert_eq!(
        venice_gen::sha256_hex(&fixture),
        "b4d2ad5cadbb212fc652881d854d4034a0cdf824e7e2cc6b8196ae10317afd7e"
    );
    if let Ok(upstream) = std::fs::read(&shared) {
        assert!(
            upstream == fixture,
            "the fixture differs from {}",
            shared.display()
        );
    }
}

#[test]
fn generated_code_avoids_the_known_generator_traps() {
    let code = checked_in();
    assert!(
        !code.contains("flatten"),
        "a flattened union member is back"
    );
    assert!(!code.contains("\"api-version\"") || code.contains("api_version"));
    // deny_unknown_fields only on request types, never on anything a response holds.
    let lines: Vec<&str> = code.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("deny_unknown_fields") {
            let decl = lines[i + 1..]
                .iter()
                .find(|l| l.contains("pub struct") || l.contains("pub enum"));
            let decl = decl.unwrap();
            assert!(
                !decl.contains("Response") || decl.contains("Request"),
                "deny_unknown_fields on a response type: {decl}"
            );
        }
    }
    // No operation's error type is its success type.
    let mut sends = 0;
    for window in lines.windows(4) {
        let text = window.join(" ");
        if let Some(rest) = text.split("ResponseValue<").nth(1)
            && text.contains("pub async fn send(")
        {
            let ok = rest.split('>').next().unwrap().trim().to_owned();
            let err = text
                .split("Error<")
                .nth(1)
                .map(|e| e.split('>').next().unwrap().trim());
            assert_ne!(Some(ok.as_str()), err, "{text}");
            sends += 1;
        }
    }
    assert!(sends >= 45, "saw {sends} send methods");
}

#[test]
fn the_header_names_the_command_the_spec_and_its_hash() {
    let code = checked_in();
    let header: String = code.lines().take(4).collect::<Vec<_>>().join("\n");
    assert!(header.contains("@generated by `cargo xtask regen` from spec/venice.yaml"));
    assert!(header.contains(&venice_gen::sha256_hex(spec_text().as_bytes())));
    assert!(header.contains("DO NOT EDIT"));
}

const HEAD: &str = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn a_quirky_spec_is_normalized_and_reported() {
    let spec = format!(
        "{HEAD}paths:
  /models:
    get:
      operationId: listModels
      responses:
        '200':
          content: {{application/json: {{schema: {{type: object, properties: {{x: {{anyOf: [{{type: string}}, {{nullable: true}}]}}, q: {{type: string, enum: [auto, Auto]}}}}}}}}}}
  /models/traits:
    get: {{operationId: listModels, responses: {{'200': {{description: ok}}}}}}
  /image/styles:
    get: {{responses: {{'200': {{description: ok}}}}}}
  /up:
    post:
      requestBody: {{content: {{multipart/form-data: {{schema: {{type: object}}}}}}}}
      responses: {{'200': {{description: ok}}}}
"
    );
    let out = venice_gen::generate(&spec, "quirky.yaml").unwrap();
    let report = out.report.to_string();
    assert!(report.contains("renamed to `listModelTraits`"), "{report}");
    assert!(
        report.contains("missing operationId set to `listImageStyles`"),
        "{report}"
    );
    assert!(report.contains("operation left to a wrapper"), "{report}");
    assert!(out.code.contains("pub fn list_model_traits(&self)"));
    assert!(
        out.code
            .contains("pub x: ::std::option::Option<::std::string::String>")
    );
}

#[test]
fn a_generator_panic_is_contained_and_names_the_operation() {
    // A path parameter the operation never declares: progenitor panics on it.
    let spec = format!(
        "{HEAD}paths:
  /y/{{id}}:
    get:
      operationId: getY
      responses:
        '200': {{description: a, content: {{application/json: {{schema: {{type: object}}}}}}}}
  /fine:
    get: {{operationId: fine, responses: {{'200': {{description: ok}}}}}}
"
    );
    let err = venice_gen::generate(&spec, "bad.yaml").unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, venice_gen::Error::GeneratorPanic { .. }),
        "{text}"
    );
    assert!(text.contains("GET /y/{id} (getY)"), "{text}");
    assert!(!text.contains("fine"), "{text}");
}

#[test]
fn several_success_types_are_normalized_not_a_panic() {
    let spec = format!(
        "{HEAD}paths:
  /x:
    get:
      operationId: getX
      responses:
        '200': {{description: a, content: {{application/json: {{schema: {{$ref: '#/components/schemas/A'}}}}}}}}
        '201': {{description: b, content: {{application/json: {{schema: {{$ref: '#/components/schemas/B'}}}}}}}}
components:
  schemas:
    A: {{type: object, properties: {{a: {{type: string}}}}}}
    B: {{type: object, properties: {{b: {{type: string}}}}}}
"
    );
    let out = venice_gen::generate(&spec, "two.yaml").unwrap();
    assert!(out.code.contains("pub fn get_x(&self)"));
    assert!(
        out.report
            .to_string()
            .contains("2 distinct success schemas merged")
    );
}

#[test]
fn malformed_specs_are_errors_naming_the_place() {
    for (spec, needle) in [
        ("openapi: [unclosed", "YAML"),
        ("just a string", "mapping"),
        (
            &format!("{HEAD}paths:\n  /x:\n    get:\n      responses: 7\n") as &str,
            "paths",
        ),
    ] {
        let err = venice_gen::generate(spec, "bad.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
}

/// The shapes of the current spec, each in a few lines: the pipeline generates a
/// client that compiles them into the types and table the SDK expects.
#[test]
fn the_shapes_of_the_current_spec_generate() {
    let spec = format!(
        "{HEAD}security: [{{BearerAuth: []}}]
paths:
  /jobs/{{id}}:
    post:
      operationId: runJob
      security: [{{BearerAuth: []}}, {{siwx: []}}]
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
        - {{name: Idempotency-Key, in: header, schema: {{type: string}}}}
        - {{name: SIGN-IN-WITH-X, in: header, schema: {{type: string}}}}
      requestBody:
        content:
          application/json:
            schema:
              allOf:
                - {{$ref: '#/components/schemas/Closed'}}
                - {{type: object, properties: {{extra: {{type: string}}}}}}
      responses:
        '200':
          description: the job, or its file
          content:
            application/json: {{schema: {{$ref: '#/components/schemas/Job'}}}}
            video/mp4: {{schema: {{type: string, format: binary}}}}
            text/csv: {{schema: {{type: string}}}}
        '402':
          description: pay first
          content:
            application/json:
              schema: {{type: object, properties: {{x402Version: {{type: integer}}, accepts: {{type: array, items: {{}}}}}}}}
  /public:
    get:
      operationId: listPublic
      security: [{{}}, {{BearerAuth: []}}]
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{ok: {{type: boolean, enum: [true]}}}}}}}}}}}}
  /wallet/{{address}}:
    get:
      operationId: getWallet
      security: [{{siwx: []}}]
      parameters:
        - {{name: address, in: path, required: true, schema: {{type: string}}}}
        - {{name: PAYMENT-SIGNATURE, in: header, schema: {{type: string}}}}
      responses:
        '200': {{description: ok, headers: {{PAYMENT-RESPONSE: {{schema: {{type: string}}}}}}, content: {{application/json: {{schema: {{type: object}}}}}}}}
  /open:
    get:
      operationId: openThing
      security: []
      responses:
        '200': {{description: file, content: {{image/png: {{schema: {{type: string, format: binary}}}}}}}}
  /old:
    get:
      operationId: oldThing
      deprecated: true
      responses:
        '410': {{description: gone, content: {{application/json: {{schema: {{type: object, properties: {{error: {{type: string}}}}}}}}}}}}
components:
  securitySchemes:
    BearerAuth: {{type: http, scheme: bearer}}
    siwx: {{type: apiKey, in: header, name: X-Sign-In-With-X}}
  schemas:
    Closed:
      type: object
      additionalProperties: false
      required: [factor]
      properties:
        factor: {{type: integer, enum: [1, 2, 4]}}
        at: {{type: string, format: date-time}}
    Job:
      type: object
      required: [id, created]
      properties:
        id: {{type: string, format: uuid}}
        created: {{type: string, format: date-time}}
        day: {{type: string, format: date}}
        link: {{type: string, format: uri}}
        input: {{anyOf: [{{}}, {{type: string}}, {{type: string, format: uri}}]}}
        part: {{title: Part, type: object, properties: {{a: {{type: string}}}}}}
        other: {{title: Part, type: object, properties: {{b: {{type: integer}}}}}}
"
    );
    let out = venice_gen::generate(&spec, "shapes.yaml").unwrap();
    let code = &out.code;
    assert!(
        !code.contains("chrono") && !code.contains("uuid::"),
        "no date or uuid crate"
    );
    for method in [
        "run_job",
        "list_public",
        "get_wallet",
        "open_thing",
        "old_thing",
    ] {
        assert!(
            code.contains(&format!("pub fn {method}(&self)")),
            "{method}"
        );
    }
    // Header parameters are builder methods; the path parameter too.
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    for setter in [
        "pub fn idempotency_key<",
        "pub fn sign_in_with_x<",
        "pub fn payment_signature<",
        "pub fn id<",
        "pub fn address<",
    ] {
        assert!(flat.contains(setter), "{setter}");
    }
    // The table carries the auth modes and the idempotency key.
    for (id, auth, idem) in [
        ("runJob", "BearerOrWallet", true),
        ("listPublic", "Optional", false),
        ("getWallet", "Wallet", false),
        ("openThing", "None", false),
        ("oldThing", "Bearer", false),
    ] {
        let entry = flat
            .split("Operation { id: ")
            .find(|e| e.starts_with(&format!("\"{id}\"")))
            .unwrap_or_else(|| panic!("{id} missing from the table"));
        assert!(
            entry.contains(&format!("auth: Auth::{auth},")),
            "{id}: {entry}"
        );
        assert!(
            entry.contains(&format!("idempotency_key: {idem},")),
            "{id}: {entry}"
        );
    }
    // The table names the headers as the spec does: the wallet scheme's (by
    // shape: the apiKey header scheme), each operation's header parameters,
    // and the headers its success answer declares.
    assert!(
        flat.contains(r#"pub const WALLET_AUTH_HEADER: Option<&str> = Some("X-Sign-In-With-X");"#),
        "wallet header"
    );
    for (id, params, answers) in [
        (
            "runJob",
            r#"header_params: &["Idempotency-Key", "SIGN-IN-WITH-X"],"#,
            "response_headers: &[],",
        ),
        (
            "getWallet",
            r#"header_params: &["PAYMENT-SIGNATURE"],"#,
            r#"response_headers: &["PAYMENT-RESPONSE"],"#,
        ),
        (
            "listPublic",
            "header_params: &[],",
            "response_headers: &[],",
        ),
    ] {
        let entry = flat
            .split("Operation { id: ")
            .find(|e| e.starts_with(&format!("\"{id}\"")))
            .unwrap_or_else(|| panic!("{id} missing from the table"));
        assert!(entry.contains(params), "{id}: {entry}");
        assert!(entry.contains(answers), "{id}: {entry}");
    }
    // The x402 body stays reachable from the shared error type.
    assert!(flat.contains("pub x402_version:"), "x402Version kept");
    assert!(flat.contains("pub accepts:"), "accepts kept");
    // allOf of a closed schema and more properties: one struct with both.
    assert!(flat.contains("pub extra:") && flat.contains("pub factor:"));
    // `{}`-or-strings union: any JSON value, no Variant0.
    assert!(flat.contains("pub input: ::std::option::Option<::serde_json::Value>"));
    // Binary alternatives recorded for wrappers.
    let report = out.report.to_string();
    assert!(
        report.contains("text/csv") && report.contains("video/mp4"),
        "{report}"
    );
    // A title naming two shapes no longer makes them one type.
    assert!(
        !flat.contains("pub part: ::std::option::Option<Part>")
            || !flat.contains("pub other: ::std::option::Option<Part>")
    );
    // Constructors over the required fields only.
    assert!(flat.contains("pub fn from_required( created: ::std::string::String, id: ::std::string::String, ) -> Self"), "Job::from_required");
}

/// Upstream shipped a spec (2026-04-06) listing `QueueVideoRequest.properties.upscale_factor`
/// twice. The same mistake made in the current spec regenerates, with a warning
/// naming the key and its lines; the last value wins.
#[test]
fn a_spec_with_a_repeated_key_regenerates_with_a_warning() {
    let text = spec_text();
    let at = text
        .find("    QueueVideoRequest:\n")
        .expect("QueueVideoRequest in the spec");
    let props = at + text[at..].find("      properties:\n").unwrap() + "      properties:\n".len();
    let repeated =
        "        upscale_factor:\n          type: integer\n          description: listed twice\n";
    let broken = format!("{}{repeated}{}", &text[..props], &text[props..]);
    let first_line = text[..props].lines().count() + 1;
    let out = venice_gen::generate(&broken, "repeated.yaml").unwrap();
    let warnings = &out.report.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(
            "`upscale_factor` in `components.schemas.QueueVideoRequest.properties.upscale_factor` at lines "
        ) && warnings[0].contains(&format!("lines {first_line}, ")),
        "{}",
        warnings[0]
    );
    assert!(
        out.report
            .to_string()
            .starts_with("warning: duplicate mapping key")
    );
    // The last value (the spec's own) wins: the enum of factors is kept.
    assert!(
        out.code
            .contains("pub struct QueueVideoRequestUpscaleFactor(i64)")
    );
}
