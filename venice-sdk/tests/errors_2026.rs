//! The answers spec 20260731 added, typed: `409 needs_consent` from
//! `POST /video/queue` (and sending the consent), `422
//! provider_content_policy` from `POST /video/retrieve` (as an API error and
//! as the end of a media job), and endpoint deprecation (`Deprecation`,
//! `Link: rel="successor-version"`) in `meta()` of a `410 Gone` and of a
//! `200`, with hostile header values. On the loopback: the offline Venice, a
//! scripted server, and raw TCP for bytes no HTTP library would write.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use support::{FaultServer, http};
use tokio::io::AsyncWriteExt as _;
use venice_sdk::types::{QueueVideoRequest, RetrieveVideoRequest};
use venice_sdk::{
    ApiError, ApiErrorKind, Client, ConsentAcceptance, Error, JobErrorKind, ResponseMeta,
    operations,
};
use venice_testing::OfflineVenice;

const VIDEO_MODEL: &str = "seedance-2-0-text-to-video";
const FAST: Duration = Duration::from_millis(5);

/// The spec's examples (`spec/venice.yaml`, 20260731.124403), copied as
/// fixed vectors: the `Deprecation` and `Link` headers of `GET
/// /billing/usage`, and the `ProviderContentPolicyError` body made of its
/// fields' examples.
const SPEC_DEPRECATION: &str = "@1783555200";
const SPEC_LINK: &str = r#"</api/v1/billing/usage-history>; rel="successor-version""#;
const SPEC_SUCCESSOR: &str = "/api/v1/billing/usage-history";
const SPEC_DEPRECATED_AT: u64 = 1_783_555_200;
const SPEC_CONTENT_POLICY: &str = r#"{"error": {
    "message": "The selected model provider rejected this request due to its content policies. Credits have been refunded. Try using wan-2-7-text-to-video instead.",
    "type": "provider_content_policy",
    "recommended_model": "wan-2-7-text-to-video",
    "credits_refunded": true
}}"#;

/// The spec gives the `409 needs_consent` answer a schema but no example:
/// a body of that schema, every field set.
const SPEC_SHAPED_CONSENT: &str = r#"{
    "error": {"code": "needs_consent", "message": "Seedance consent is required before this request can be queued"},
    "consent_flow": "seedance",
    "face_media_roles": ["image", "reference_video"],
    "consent": {"consent_version": "2026-07-01", "policy_text": "You accept the face-media policy."},
    "docs_url": "https://docs.venice.ai/consent"
}"#;

fn video(prompt: &str) -> QueueVideoRequest {
    serde_json::from_value(json!({"model": VIDEO_MODEL, "prompt": prompt, "duration": "5s"}))
        .unwrap()
}

fn api(result: Result<impl std::fmt::Debug, Error>) -> ApiError {
    match result {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn every_statement() -> ConsentAcceptance {
    ConsentAcceptance::new()
        .terms_and_privacy(true)
        .legal_right(true)
        .screening_acknowledged(true)
}

async fn balance_usd(client: &Client) -> f64 {
    let balance = client.billing().balance().await.unwrap();
    balance.json_at::<f64>("/balances/usd").unwrap().unwrap()
}

#[tokio::test]
async fn consent_is_asked_typed_and_sending_it_queues_the_job() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut request = video("A portrait that turns its head [offline:consent]");

    let err = client.video().generate(request.clone()).await;
    let Err(Error::Api(e)) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(e.status, StatusCode::CONFLICT);
    assert_eq!(e.kind, ApiErrorKind::ConsentRequired);
    assert_eq!(e.code.as_deref(), Some("needs_consent"));
    assert!(!err.as_ref().unwrap_err().is_retryable());
    // A 409 is retried for idempotent calls, never this one: one attempt.
    assert_eq!(venice.calls("queueVideo"), 1);
    assert!(e.content_policy().is_none());

    let consent = e.consent().expect("the consent asked for");
    assert_eq!(consent.flow.as_deref(), Some("seedance"));
    assert!(consent.version.as_deref().is_some_and(|v| !v.is_empty()));
    assert!(
        consent
            .policy_text
            .as_deref()
            .is_some_and(|t| t.contains("faces"))
    );
    assert_eq!(consent.face_media_roles, ["image"]);
    assert!(consent.docs_url.is_some());

    // Not every statement accepted: refused, the request unchanged.
    let before = serde_json::to_value(&request).unwrap();
    let partial = ConsentAcceptance::new()
        .terms_and_privacy(true)
        .screening_acknowledged(true);
    match consent.apply_to(&mut request, partial) {
        Err(Error::InvalidRequest { field, .. }) => {
            assert_eq!(field, "consents.seedance.confirmed_legal_right");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert_eq!(serde_json::to_value(&request).unwrap(), before);

    consent.apply_to(&mut request, every_statement()).unwrap();
    let sent = serde_json::to_value(&request).unwrap();
    assert_eq!(
        sent["consents"]["seedance"],
        json!({"confirmed_terms_and_privacy": true, "confirmed_legal_right": true,
               "confirmed_screening_acknowledged": true})
    );
    assert_eq!(sent["prompt"], before["prompt"]);
    let mut media = client
        .video()
        .generate(request)
        .await
        .unwrap()
        .poll_interval(FAST)
        .wait()
        .await
        .unwrap();
    assert!(media.bytes().await.unwrap().starts_with(b"\0\0\0"));
    assert_eq!(venice.calls("queueVideo"), 2);
}

#[tokio::test]
async fn a_consent_of_a_flow_the_sdk_does_not_know_is_refused_not_dropped() {
    let server = FaultServer::start(vec![http(
        409,
        &[("content-type", "application/json")],
        SPEC_SHAPED_CONSENT.replace("\"seedance\"", "\"kling\""),
    )])
    .await;
    let e = api(server.client().video().queue(video("x")).await);
    let consent = e.consent().unwrap();
    assert_eq!(consent.flow.as_deref(), Some("kling"));
    let mut request = video("x");
    let err = consent
        .apply_to(&mut request, every_statement())
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "consents.kling"),
        "{err:?}"
    );
    // A flow that is no field name is never put on the request.
    let hostile = FaultServer::start(vec![http(
        409,
        &[("content-type", "application/json")],
        SPEC_SHAPED_CONSENT.replace("\"seedance\"", r#""a\nb/../c""#),
    )])
    .await;
    let consent = api(hostile.client().video().queue(video("x")).await)
        .consent()
        .unwrap();
    assert!(matches!(
        consent.apply_to(&mut request, every_statement()),
        Err(Error::InvalidRequest { .. })
    ));
}

#[tokio::test]
async fn the_spec_shaped_consent_body_is_read_whole() {
    let server = FaultServer::start(vec![http(
        409,
        &[("content-type", "application/json")],
        SPEC_SHAPED_CONSENT,
    )])
    .await;
    let e = api(server.client().video().queue(video("x")).await);
    assert_eq!(server.attempts(), 1);
    assert_eq!(e.kind, ApiErrorKind::ConsentRequired);
    assert_eq!(
        e.message,
        "Seedance consent is required before this request can be queued"
    );
    let consent = e.consent().unwrap();
    assert_eq!(consent.version.as_deref(), Some("2026-07-01"));
    assert_eq!(
        consent.policy_text.as_deref(),
        Some("You accept the face-media policy.")
    );
    assert_eq!(consent.face_media_roles, ["image", "reference_video"]);
    assert_eq!(
        consent.docs_url.as_deref(),
        Some("https://docs.venice.ai/consent")
    );
}

#[tokio::test]
async fn a_content_policy_refusal_ends_the_job_typed_and_refunded() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let before = balance_usd(&client).await;
    let job = client
        .video()
        .generate(video("A storm [offline:content-policy]"))
        .await
        .unwrap()
        .poll_interval(FAST);
    let err = job.wait().await.unwrap_err();
    let Error::Job(job_error) = &err else {
        panic!("expected a job error, got {err:?}")
    };
    let JobErrorKind::ContentPolicy(refusal) = &job_error.kind else {
        panic!("expected ContentPolicy, got {:?}", job_error.kind)
    };
    assert_eq!(refusal.credits_refunded, Some(true));
    assert_eq!(
        refusal.recommended_model.as_deref(),
        Some("wan-2-7-text-to-video")
    );
    assert!(refusal.message.as_deref().unwrap().contains("refunded"));
    assert_eq!(err.content_policy().as_ref(), Some(refusal));
    assert_eq!(err.status(), Some(StatusCode::UNPROCESSABLE_ENTITY));
    let source = job_error.source.as_ref().and_then(Error::api).unwrap();
    assert_eq!(source.kind, ApiErrorKind::ContentPolicy);
    let shown = err.to_string();
    assert!(
        shown.contains("content policy") && shown.contains("wan-2-7-text-to-video"),
        "{shown}"
    );
    // The refund: the balance is back where it was.
    assert!((balance_usd(&client).await - before).abs() < 1e-9);

    // Retrieved directly, the same refusal is an API error.
    let retrieve: RetrieveVideoRequest = serde_json::from_value(json!({
        "model": job.ticket().model, "queue_id": job.ticket().queue_id,
    }))
    .unwrap();
    let e = api(client.video().retrieve(retrieve).await);
    assert_eq!(e.kind, ApiErrorKind::ContentPolicy);
    assert_eq!(e.content_policy().as_ref(), Some(refusal));
    assert!(!Error::Api(Box::new(e)).is_retryable());
}

#[tokio::test]
async fn the_spec_example_content_policy_body_is_typed() {
    let server = FaultServer::start(vec![http(
        422,
        &[("content-type", "application/json")],
        SPEC_CONTENT_POLICY,
    )])
    .await;
    let retrieve: RetrieveVideoRequest =
        serde_json::from_value(json!({"model": VIDEO_MODEL, "queue_id": "q-1"})).unwrap();
    let e = api(server.client().video().retrieve(retrieve).await);
    assert_eq!(server.attempts(), 1);
    assert_eq!(e.kind, ApiErrorKind::ContentPolicy);
    assert_eq!(e.code.as_deref(), Some("provider_content_policy"));
    let refusal = e.content_policy().unwrap();
    assert_eq!(refusal.credits_refunded, Some(true));
    assert_eq!(
        refusal.recommended_model.as_deref(),
        Some("wan-2-7-text-to-video")
    );
    assert!(refusal.message.unwrap().starts_with("The selected model"));
    // A job polling into the same answer ends typed too.
    let job = server
        .client()
        .video()
        .job(VIDEO_MODEL, "q-1")
        .poll_interval(FAST);
    let err = job.wait().await.unwrap_err();
    assert_eq!(
        err.content_policy().and_then(|r| r.recommended_model),
        Some("wan-2-7-text-to-video".to_owned())
    );
}

#[cfg(feature = "raw")] // `Client::raw`
#[tokio::test]
async fn the_offline_deprecated_endpoint_is_gone_with_its_successor() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let err = client.raw().get_billing_usage().send().await.unwrap_err();
    let progenitor_client::Error::ErrorResponse(answer) = err else {
        panic!("expected an error response, got {err:?}")
    };
    assert_eq!(answer.status(), StatusCode::GONE);
    let meta = ResponseMeta::from_headers(answer.status(), answer.headers().clone());
    let notice = meta.endpoint_deprecation.unwrap();
    assert_eq!(notice.deprecation.as_deref(), Some(SPEC_DEPRECATION));
    assert_eq!(
        notice.deprecated_at,
        Some(UNIX_EPOCH + Duration::from_secs(SPEC_DEPRECATED_AT))
    );
    assert_eq!(notice.successor.as_deref(), Some(SPEC_SUCCESSOR));
    // Other answers of the offline Venice carry no notice.
    let balance = client.billing().balance().await.unwrap();
    assert!(balance.meta().endpoint_deprecation.is_none());
}

#[tokio::test]
async fn gone_and_a_deprecated_success_carry_the_notice_in_meta() {
    let headers = [
        ("content-type", "application/json"),
        ("deprecation", SPEC_DEPRECATION),
        ("link", SPEC_LINK),
        ("sunset", "Wed, 01 Jan 2031 00:00:00 GMT"),
    ];
    let ok = operations::GET_BILLING_BALANCE
        .example_response
        .unwrap_or(r#"{"canConsume": true}"#);
    let server = FaultServer::start(vec![
        http(
            410,
            &headers,
            r#"{"error": "This endpoint has been deprecated"}"#,
        ),
        http(200, &headers, ok),
    ])
    .await;
    let client = server.client();

    let err = client.billing().balance().await;
    assert_eq!(server.attempts(), 1, "a 410 is not retried");
    let e = api(err);
    assert_eq!(e.kind, ApiErrorKind::Gone);
    assert_eq!(e.status, StatusCode::GONE);
    let notice = e.endpoint_deprecation().unwrap();
    assert_eq!(notice.successor.as_deref(), Some(SPEC_SUCCESSOR));
    assert_eq!(
        notice.deprecated_at,
        Some(UNIX_EPOCH + Duration::from_secs(SPEC_DEPRECATED_AT))
    );
    assert_eq!(
        notice.sunset,
        Some(UNIX_EPOCH + Duration::from_secs(1_924_992_000))
    );
    assert_eq!(e.meta.endpoint_deprecation.as_deref(), Some(notice));

    let balance = client.billing().balance().await.unwrap();
    let notice = balance.meta().endpoint_deprecation.as_deref().unwrap();
    assert_eq!(notice.successor.as_deref(), Some(SPEC_SUCCESSOR));
    assert_eq!(notice.deprecation.as_deref(), Some(SPEC_DEPRECATION));
}

/// Serves `head` (status line and headers, as bytes) and a JSON body once per
/// connection, written as is: header bytes no HTTP library would send.
async fn raw_server(head: Vec<u8>, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut answer = head.clone();
            answer.extend_from_slice(
                format!(
                    "content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
            tokio::spawn(async move {
                let _ = support::read_request(&mut socket).await;
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    base
}

#[tokio::test]
async fn hostile_deprecation_headers_on_the_wire_never_panic() {
    let huge_link = format!(
        "link: {}<https://evil/>; rel=successor-version\r\n",
        "<https://a/>; rel=next, ".repeat(2_000)
    );
    let cases: Vec<(Vec<u8>, Option<&str>)> = vec![
        (
            b"deprecation: \xff\xfe@1\r\nlink: <\xff>; rel=successor-version\r\n".to_vec(),
            None,
        ),
        (b"deprecation: @99999999999999999999999\r\n".to_vec(), None),
        (huge_link.into_bytes(), None),
        (
            format!("deprecation: {}\r\n", "@".repeat(100_000)).into_bytes(),
            None,
        ),
        (
            b"link: <a>; rel=\"successor-version\r\nlink: </v2>; rel=successor-version\r\n"
                .to_vec(),
            Some("/v2"),
        ),
    ];
    for (headers, successor) in cases {
        let mut head = b"HTTP/1.1 410 Gone\r\n".to_vec();
        head.extend_from_slice(&headers);
        let base = raw_server(head, r#"{"error": "gone"}"#).await;
        let client = Client::builder()
            .api_key(support::KEY)
            .base_url(&base)
            .build()
            .unwrap();
        let err = client.billing().balance().await;
        let e = api(err);
        assert_eq!(e.kind, ApiErrorKind::Gone);
        let notice = e.endpoint_deprecation();
        assert_eq!(notice.and_then(|n| n.successor.as_deref()), successor);
        assert_eq!(notice.and_then(|n| n.deprecated_at), None);
        assert!(!e.to_string().contains('\n'));
    }
}

fn meta_of(pairs: &[(&str, Vec<u8>)]) -> ResponseMeta {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), value);
        }
    }
    ResponseMeta::from_headers(StatusCode::GONE, headers)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any bytes in `Deprecation`, `Sunset` and `Link` are read without a
    /// panic, and what is kept is bounded text of the header.
    #[test]
    fn any_deprecation_header_bytes_are_read_safely(
        deprecation in proptest::collection::vec(any::<u8>(), 0..64),
        sunset in proptest::collection::vec(any::<u8>(), 0..64),
        links in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..64),
                "[<>;,= \"a-z/@0-9-]{0,80}".prop_map(String::into_bytes),
                "(<[a-z/]{0,8}>; ?rel=\"?(successor-version|next|deprecation)( latest-version)?\"?,? ?){1,4}"
                    .prop_map(String::into_bytes),
            ],
            0..20,
        ),
    ) {
        let mut pairs = vec![("deprecation", deprecation), ("sunset", sunset)];
        pairs.extend(links.into_iter().map(|l| ("link", l)));
        let meta = meta_of(&pairs);
        if let Some(notice) = meta.endpoint_deprecation {
            for text in [&notice.deprecation, &notice.successor, &notice.documentation]
                .into_iter()
                .flatten()
            {
                prop_assert!(text.len() <= venice_sdk::defaults::MAX_DEPRECATION_HEADER);
                prop_assert!(text.bytes().all(|b| (0x20..0x7f).contains(&b)));
            }
        }
    }

    /// A well-formed `@<seconds>` date is read exactly.
    #[test]
    fn every_structured_field_date_is_read(seconds in 0u64..=999_999_999_999_999) {
        let meta = meta_of(&[("deprecation", format!("@{seconds}").into_bytes())]);
        let at = meta.endpoint_deprecation.and_then(|n| n.deprecated_at);
        prop_assert_eq!(at, UNIX_EPOCH.checked_add(Duration::from_secs(seconds)));
    }
}

/// The details of a refusal are read from the body whatever else it holds;
/// a body missing them still gives the kind, with empty details.
#[tokio::test]
async fn refusal_bodies_missing_fields_decode_leniently() {
    let bodies: [(u16, Value, ApiErrorKind); 4] = [
        (
            409,
            json!({"error": {"code": "needs_consent"}}),
            ApiErrorKind::ConsentRequired,
        ),
        (
            409,
            json!({"code": "needs_consent", "consent": {"policy_text": 7}, "extra": [1]}),
            ApiErrorKind::ConsentRequired,
        ),
        (
            422,
            json!({"error": {"type": "provider_content_policy"}}),
            ApiErrorKind::ContentPolicy,
        ),
        (
            422,
            json!({"error": {"type": "provider_content_policy", "credits_refunded": "yes", "recommended_model": null}}),
            ApiErrorKind::ContentPolicy,
        ),
    ];
    for (status, body, kind) in bodies {
        let server = FaultServer::start(vec![http(
            status,
            &[("content-type", "application/json")],
            body.to_string(),
        )])
        .await;
        let e = api(server.client().video().queue(video("x")).await);
        assert_eq!(e.kind, kind, "{body}");
        match kind {
            ApiErrorKind::ConsentRequired => {
                let c = e.consent().unwrap();
                assert_eq!(c.policy_text, None);
                assert!(c.face_media_roles.is_empty());
            }
            _ => {
                let r = e.content_policy().unwrap();
                assert_eq!(r.credits_refunded, None);
                assert_eq!(r.recommended_model, None);
            }
        }
    }
}
