//! Every paginated list as a stream, and the usage history (JSON, CSV, every
//! page): against the offline Venice (real walks over its data sets), and
//! against loopback servers that page badly (the same cursor twice, pages
//! without end, a page repeating the last one, an error on page 2).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use serde_json::{Value, json};
use venice_sdk::{ApiErrorKind, CharacterFilters, Client, Error, Paging, UsageHistoryQuery};
use venice_testing::httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use venice_testing::{OfflineVenice, VeniceMocks};

const WALLET: &str = "0x3333333333333333333333333333333333333333";

/// Reads a stream to its end, and checks it stays ended.
async fn drain<T>(
    mut stream: impl futures::Stream<Item = Result<T, Error>> + Unpin,
) -> Vec<Result<T, Error>> {
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    assert!(stream.next().await.is_none(), "an ended stream stays ended");
    items
}

fn oks<T>(items: Vec<Result<T, Error>>) -> Vec<T> {
    items
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("unexpected error: {e}")))
        .collect()
}

fn pagination_reason(item: &Result<impl std::fmt::Debug, Error>) -> String {
    match item {
        Err(Error::Pagination { reason, .. }) => reason.clone(),
        other => panic!("expected a pagination error, got {other:?}"),
    }
}

/// Entries' timestamps, as text (read through JSON: their type is the spec's).
fn timestamps(
    entries: &[venice_sdk::types::GetBillingUsageHistoryResponseDataItem],
) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["timestamp"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The offline Venice

#[tokio::test]
async fn every_character_is_listed_one_page_at_a_time() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let all = client.characters().list().await.unwrap();
    let expected: Vec<String> = all.data.iter().map(|c| c.slug.to_string()).collect();
    assert!(expected.len() >= 2);
    let calls_before = venice.calls("listCharacters");
    let walked = oks(drain(
        client
            .characters()
            .list_all(&CharacterFilters::new(), Paging::default().page_size(1)),
    )
    .await);
    let slugs: Vec<String> = walked.iter().map(|c| c.slug.to_string()).collect();
    assert_eq!(slugs, expected);
    assert_eq!(
        venice.calls("listCharacters") - calls_before,
        expected.len() as u64 + 1,
        "one page per character, then an empty page"
    );
}

#[tokio::test]
async fn reviews_are_walked_by_page_number_and_bounded_by_max_items() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let reviews = oks(drain(
        client
            .characters()
            .reviews_all("alan-watts", Paging::default().page_size(10)),
    )
    .await);
    assert_eq!(reviews.len(), 45);
    let ids: HashSet<String> = reviews.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(ids.len(), 45, "no review twice");
    assert_eq!(
        venice.calls("getCharacterReviews"),
        5,
        "10, 10, 10, 10, then 5 (short)"
    );

    let first = oks(drain(
        client
            .characters()
            .reviews_all("alan-watts", Paging::default().page_size(10).max_items(12)),
    )
    .await);
    assert_eq!(first.len(), 12);
    assert_eq!(first[..], reviews[..12]);
    assert_eq!(
        venice.calls("getCharacterReviews"),
        7,
        "two more pages, not three"
    );

    // The default page size (100) takes one request.
    let all = oks(drain(
        client
            .characters()
            .reviews_all("alan-watts", Paging::default()),
    )
    .await);
    assert_eq!(all, reviews);
    assert_eq!(venice.calls("getCharacterReviews"), 8);

    // An unknown character is the stream's one item.
    let items = drain(
        client
            .characters()
            .reviews_all("nobody-at-all", Paging::default()),
    )
    .await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().api().unwrap().kind,
        ApiErrorKind::NotFound
    );
}

#[tokio::test]
async fn a_page_size_out_of_range_is_refused_before_sending() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let first = drain(
        client
            .characters()
            .list_all(&CharacterFilters::new(), Paging::default().page_size(101)),
    )
    .await;
    assert!(
        matches!(&first[..], [Err(Error::InvalidRequest { field, .. })] if field == "limit"),
        "{first:?}"
    );
    let first = drain(
        client
            .characters()
            .reviews_all("alan-watts", Paging::default().page_size(0)),
    )
    .await;
    assert!(
        matches!(&first[..], [Err(Error::InvalidRequest { field, .. })] if field == "pageSize"),
        "{first:?}"
    );
    let items = drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default().page_size(5)),
    )
    .await;
    assert!(
        matches!(&items[..], [Err(Error::InvalidRequest { field, .. })] if field == "pageSize")
    );
    assert_eq!(venice.request_count(), 0);
}

#[tokio::test]
async fn transactions_are_walked_newest_first() {
    let venice = OfflineVenice::start().await;
    let client = venice
        .client_builder()
        .sign_in_with_x(OfflineVenice::wallet_token(WALLET))
        .build()
        .unwrap();
    for usd in [5.0, 6.0, 7.0, 8.0, 9.0] {
        client
            .x402()
            .top_up(OfflineVenice::payment_signature(WALLET, usd))
            .await
            .unwrap();
    }
    let transactions = oks(drain(
        client
            .x402()
            .transactions_all(WALLET, Paging::default().page_size(2)),
    )
    .await);
    let amounts: Vec<f64> = transactions.iter().map(|t| t.amount).collect();
    assert_eq!(amounts, [9.0, 8.0, 7.0, 6.0, 5.0]);
    assert_eq!(
        venice.calls("getX402Transactions"),
        3,
        "2, 2, then 1 (short)"
    );
}

#[tokio::test]
async fn the_usage_history_is_walked_by_cursor() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let entries = oks(drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default().page_size(10)),
    )
    .await);
    assert_eq!(entries.len(), 57);
    let times = timestamps(&entries);
    assert_eq!(times[0], "2026-06-01T00:00:00.000Z");
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "ascending, no entry twice"
    );
    assert_eq!(venice.calls("getBillingUsageHistory"), 6);

    // The default page size (1000) takes one request.
    let all = oks(drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default()),
    )
    .await);
    assert_eq!(all, entries);
    assert_eq!(venice.calls("getBillingUsageHistory"), 7);

    // Filters travel inside the cursor.
    let query = UsageHistoryQuery::new()
        .currency("USD")
        .start("2026-06-02T00:00:00Z")
        .end("2026-06-07T00:00:00Z");
    let usd = oks(drain(
        client
            .billing()
            .usage_history_all(&query, Paging::default().page_size(10)),
    )
    .await);
    let expected: Vec<_> = entries
        .iter()
        .filter(|e| e.currency == "USD")
        .filter(|e| {
            let t = serde_json::to_value(e).unwrap()["timestamp"]
                .as_str()
                .unwrap()
                .to_owned();
            ("2026-06-02".."2026-06-07").contains(&t.as_str())
        })
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(usd, expected);

    // max_items: no page beyond them.
    let before = venice.calls("getBillingUsageHistory");
    let some = oks(drain(client.billing().usage_history_all(
        &UsageHistoryQuery::new(),
        Paging::default().page_size(10).max_items(15),
    ))
    .await);
    assert_eq!(some[..], entries[..15]);
    assert_eq!(venice.calls("getBillingUsageHistory") - before, 2);
}

#[tokio::test]
async fn one_json_page_names_the_next_and_a_bad_cursor_is_a_400() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let page = client
        .billing()
        .usage_history(&UsageHistoryQuery::new().page_size(50))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 50);
    let cursor = serde_json::to_value(&page.next_cursor).unwrap();
    let cursor = cursor.as_str().unwrap().to_owned();
    let last = client
        .billing()
        .usage_history(&UsageHistoryQuery::new().cursor(cursor.clone()))
        .await
        .unwrap();
    assert_eq!(last.data.len(), 7);
    assert_eq!(
        serde_json::to_value(&last.next_cursor).unwrap(),
        Value::Null
    );

    // A cursor the server did not make.
    let err = client
        .billing()
        .usage_history(&UsageHistoryQuery::new().cursor("AZq3fK9tXhIVDm2j4vN8cQ"))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().kind, ApiErrorKind::BadRequest, "{err}");

    // Filters with a cursor: refused by the SDK before sending ...
    let sent = venice.request_count();
    let err = client
        .billing()
        .usage_history(
            &UsageHistoryQuery::new()
                .cursor(cursor.clone())
                .page_size(10),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { field, .. } if field == "cursor"),
        "{err}"
    );
    assert_eq!(venice.request_count(), sent);
    // ... and by the server when they arrive anyway.
    let err = client
        .with_query("pageSize", "10")
        .billing()
        .usage_history(&UsageHistoryQuery::new().cursor(cursor))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().status, 400, "{err}");
}

#[tokio::test]
async fn csv_pages_carry_their_cursor_and_the_export_writes_one_header() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let mut first = Vec::new();
    let page = client
        .billing()
        .usage_history_csv(&UsageHistoryQuery::new().page_size(50), &mut first)
        .await
        .unwrap();
    assert_eq!(page.written, first.len() as u64);
    let text = String::from_utf8(first).unwrap();
    assert!(text.starts_with("timestamp,"), "{text}");
    assert_eq!(text.lines().count(), 51, "a header and 50 rows");
    let cursor = page.next_cursor.clone().unwrap();
    assert!(page.meta.headers.get("content-disposition").is_some());
    let mut second = Vec::new();
    let last = client
        .billing()
        .usage_history_csv(&UsageHistoryQuery::new().cursor(cursor), &mut second)
        .await
        .unwrap();
    assert_eq!(last.next_cursor, None);
    assert_eq!(String::from_utf8(second).unwrap().lines().count(), 8);

    let mut csv = Vec::new();
    let export = client
        .billing()
        .usage_history_csv_all(
            &UsageHistoryQuery::new(),
            Paging::default().page_size(10),
            &mut csv,
        )
        .await
        .unwrap();
    assert_eq!(export.pages, 6);
    assert_eq!(export.written, csv.len() as u64);
    let text = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 58, "one header and 57 rows");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("timestamp,")).count(),
        1
    );
    assert!(lines[1].starts_with("2026-06-01T00:00:00.000Z,"));
    // The same rows as the JSON walk, in the same order.
    let entries = oks(drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default()),
    )
    .await);
    let rows: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(rows, timestamps(&entries));
}

// ---------------------------------------------------------------------------
// Servers that page badly

fn response(
    status: u16,
    content_type: &str,
    headers: &[(&str, String)],
    body: String,
) -> HttpMockResponse {
    let mut builder = HttpMockResponse::builder()
        .status(status)
        .header("content-type", content_type);
    for (name, value) in headers {
        builder = builder.header(*name, value.clone());
    }
    builder.body(body).build()
}

fn query_param(req: &HttpMockRequest, name: &str) -> Option<String> {
    req.query_params()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A usage entry at second `n` of 2026-06-01.
fn entry(n: u64) -> Value {
    json!({
        "amount": -0.01, "currency": "USD", "inferenceDetails": null, "notes": "API Inference",
        "pricePerUnitUsd": 0.01, "sku": format!("sku-{n}"),
        "timestamp": format!("2026-06-01T00:00:{:02}.000Z", n % 60), "units": 1
    })
}

/// A server whose usage history answers `answer(request number, cursor)`:
/// the page's entries and next cursor.
fn usage_server(
    answer: impl Fn(u64, Option<String>) -> (Vec<Value>, Option<String>) + Send + Sync + 'static,
) -> (MockServer, Arc<AtomicU64>, Client) {
    let server = MockServer::start();
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    server.mock(|when, then| {
        when.path("/billing/usage-history");
        then.respond_with(move |req: &HttpMockRequest| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let (data, next) = answer(n, query_param(req, "cursor"));
            response(
                200,
                "application/json",
                &[],
                json!({"data": data, "nextCursor": next}).to_string(),
            )
        });
    });
    let client = server.venice_client().unwrap();
    (server, requests, client)
}

#[tokio::test]
async fn the_same_cursor_twice_ends_the_walk_after_the_page_that_named_it() {
    let (_server, requests, client) = usage_server(|n, _| {
        (
            (n * 10..n * 10 + 10).map(entry).collect(),
            Some("again".to_owned()),
        )
    });
    let items = drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default()),
    )
    .await;
    assert_eq!(items.len(), 21, "two pages, then the error");
    assert!(items[..20].iter().all(Result::is_ok));
    let reason = pagination_reason(&items[20]);
    assert!(reason.contains("cursor already sent"), "{reason}");
    assert!(
        items[20]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("getBillingUsageHistory")
    );
    assert_eq!(requests.load(Ordering::SeqCst), 2);

    // A cycle of two cursors is caught as well.
    let (_server, requests, client) = usage_server(|n, _| {
        (
            vec![entry(n)],
            Some(if n % 2 == 0 { "a" } else { "b" }.to_owned()),
        )
    });
    let items = drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default()),
    )
    .await;
    assert_eq!(items.len(), 4);
    pagination_reason(&items[3]);
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn endless_cursors_end_at_max_pages() {
    let (_server, requests, client) =
        usage_server(|n, _| (vec![entry(n)], Some(format!("cursor{n}"))));
    let items = drain(
        client
            .billing()
            .usage_history_all(&UsageHistoryQuery::new(), Paging::default().max_pages(4)),
    )
    .await;
    assert_eq!(items.len(), 5);
    assert!(items[..4].iter().all(Result::is_ok));
    let reason = pagination_reason(&items[4]);
    assert!(reason.contains("max_pages"), "{reason}");
    assert_eq!(requests.load(Ordering::SeqCst), 4);
}

/// A character of the spec's example with this slug.
fn character(slug: &str) -> Value {
    let example: Value = serde_json::from_str(
        venice_sdk::operations::LIST_CHARACTERS
            .example_response
            .unwrap(),
    )
    .unwrap();
    let mut character = example["data"][0].clone();
    character["slug"] = json!(slug);
    character["id"] = json!(format!("id-{slug}"));
    character
}

#[tokio::test]
async fn offset_walks_that_never_end_or_repeat_a_page_are_stopped() {
    // Full pages forever, each new.
    let server = MockServer::start();
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    server.mock(|when, then| {
        when.path("/characters");
        then.respond_with(move |req: &HttpMockRequest| {
            counter.fetch_add(1, Ordering::SeqCst);
            let offset: u64 = query_param(req, "offset").unwrap().parse().unwrap();
            let limit: u64 = query_param(req, "limit").unwrap().parse().unwrap();
            let data: Vec<Value> = (offset..offset + limit)
                .map(|n| character(&format!("c{n}")))
                .collect();
            response(
                200,
                "application/json",
                &[],
                json!({"object": "list", "data": data}).to_string(),
            )
        });
    });
    let client = server.venice_client().unwrap();
    let paging = Paging::default().page_size(5).max_pages(3);
    let items = drain(
        client
            .characters()
            .list_all(&CharacterFilters::new(), paging),
    )
    .await;
    assert_eq!(items.len(), 16);
    let slugs: Vec<String> = items[..15]
        .iter()
        .map(|c| c.as_ref().unwrap().slug.to_string())
        .collect();
    assert_eq!(slugs, (0..15).map(|n| format!("c{n}")).collect::<Vec<_>>());
    pagination_reason(&items[15]);
    assert_eq!(requests.load(Ordering::SeqCst), 3);

    // A server that ignores the offset: the same full page again.
    let server = MockServer::start();
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    server.mock(|when, then| {
        when.path("/characters");
        then.respond_with(move |_: &HttpMockRequest| {
            counter.fetch_add(1, Ordering::SeqCst);
            let data: Vec<Value> = (0..5).map(|n| character(&format!("c{n}"))).collect();
            response(
                200,
                "application/json",
                &[],
                json!({"object": "list", "data": data}).to_string(),
            )
        });
    });
    let client = server.venice_client().unwrap();
    let items = drain(
        client
            .characters()
            .list_all(&CharacterFilters::new(), Paging::default().page_size(5)),
    )
    .await;
    assert_eq!(
        items.len(),
        6,
        "the first page, then the error (not the page again)"
    );
    let reason = pagination_reason(&items[5]);
    assert!(reason.contains("repeats"), "{reason}");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_error_on_page_two_comes_after_page_ones_items() {
    let server = MockServer::start();
    let review = |n: u64| {
        json!({
            "characterId": "c", "createdAt": "2026-01-01T00:00:00Z", "id": format!("r{n}"),
            "isOwner": false, "locale": null, "message": null, "rating": 5,
            "userAvatarUrl": null, "username": "u"
        })
    };
    let page_one = json!({
        "object": "list", "data": [review(1), review(2)],
        "pagination": {"page": 1, "pageSize": 2, "total": 9, "totalPages": 5},
        "summary": {"averageRating": 5, "totalReviews": 9}
    });
    let one = server.mock(|when, then| {
        when.path("/characters/alan-watts/reviews")
            .query_param("page", "1")
            .query_param("pageSize", "2");
        then.status(200)
            .header("content-type", "application/json")
            .body(page_one.to_string());
    });
    let two = server.mock(|when, then| {
        when.path("/characters/alan-watts/reviews")
            .query_param("page", "2");
        then.status(503)
            .header("content-type", "application/json")
            .body(r#"{"error": "Service unavailable"}"#);
    });
    let client = server.venice_client().unwrap();
    let mut reviews = client
        .characters()
        .reviews_all("alan-watts", Paging::default().page_size(2));
    assert_eq!(reviews.next().await.unwrap().unwrap().id, "r1");
    assert_eq!(reviews.next().await.unwrap().unwrap().id, "r2");
    two.assert_calls(0);
    let err = reviews.next().await.unwrap().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    assert!(reviews.next().await.is_none());
    assert!(reviews.next().await.is_none());
    one.assert_calls(1);
    two.assert_calls(1);
}

#[tokio::test]
async fn csv_pages_follow_x_next_cursor_and_keep_one_header() {
    let server = MockServer::start();
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    server.mock(|when, then| {
        when.path("/billing/usage-history")
            .header_includes("accept", "text/csv");
        then.respond_with(move |req: &HttpMockRequest| {
            counter.fetch_add(1, Ordering::SeqCst);
            let (body, next) = match query_param(req, "cursor").as_deref() {
                None => {
                    assert_eq!(query_param(req, "pageSize").as_deref(), Some("10"));
                    ("h1,h2\nr1,\"a\nb\"\n", Some("c2"))
                }
                // No line feed after the last row, and no filter alongside.
                Some("c2") => {
                    assert_eq!(req.query_params().len(), 1, "the cursor only");
                    ("h1,h2\nr2,x", Some("c3"))
                }
                Some("c3") => ("h1,h2\r\nr3,y\n", None),
                Some(other) => panic!("unexpected cursor {other}"),
            };
            let headers: Vec<(&str, String)> = next
                .map(|c| ("x-next-cursor", c.to_owned()))
                .into_iter()
                .collect();
            response(200, "text/csv; charset=utf-8", &headers, body.to_owned())
        });
    });
    let client = server.venice_client().unwrap();
    let mut one = Vec::new();
    let page = client
        .billing()
        .usage_history_csv(&UsageHistoryQuery::new().page_size(10), &mut one)
        .await
        .unwrap();
    assert_eq!(page.next_cursor.as_deref(), Some("c2"));
    assert_eq!(one, b"h1,h2\nr1,\"a\nb\"\n");
    assert_eq!(page.written, one.len() as u64);

    let mut csv = Vec::new();
    let export = client
        .billing()
        .usage_history_csv_all(
            &UsageHistoryQuery::new(),
            Paging::default().page_size(10),
            &mut csv,
        )
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(csv.clone()).unwrap(),
        "h1,h2\nr1,\"a\nb\"\nr2,x\nr3,y\n"
    );
    assert_eq!(export.pages, 3);
    assert_eq!(export.written, csv.len() as u64);
    assert_eq!(requests.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_csv_export_stops_on_a_repeated_cursor_or_a_json_answer() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/billing/usage-history");
        then.status(200)
            .header("content-type", "text/csv")
            .header("x-next-cursor", "same")
            .body("h\nrow\n");
    });
    let client = server.venice_client().unwrap();
    let mut csv = Vec::new();
    let err = client
        .billing()
        .usage_history_csv_all(&UsageHistoryQuery::new(), Paging::default(), &mut csv)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Pagination { .. }), "{err}");
    assert_eq!(
        csv, b"h\nrow\nrow\n",
        "the pages before the error stay written"
    );

    // A server answering JSON to a CSV request: nothing written.
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/billing/usage-history");
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"data": [], "nextCursor": null}"#);
    });
    let client = server.venice_client().unwrap();
    let mut csv = Vec::new();
    let err = client
        .billing()
        .usage_history_csv(&UsageHistoryQuery::new(), &mut csv)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err}");
    assert!(csv.is_empty());
}
