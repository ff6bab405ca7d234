//! Typed httpmock mocks for the Venice API: `server.mock_models(&response)`.

use httpmock::{Method, Mock, MockServer, Then, When};
use serde::Serialize;
use serde_json::{Value, json};
use venice_sdk::operations::{self, Auth, Operation};
use venice_sdk::{ChatCompletionChunk, Client, types};
use venice_sdk::{ClonedVoice, EmbeddingList, OpenAiImages, TimedText, Transcription};

use crate::fixtures;

/// The API key [`VeniceMocks::venice_client`] sends.
pub const MOCK_API_KEY: &str = "vk-mock-0000000000000000";

/// Typed mocks of Venice's operations on an [`httpmock::MockServer`].
///
/// Each helper matches the operation's method and path, answers status 200 with
/// the given value serialized as JSON (or the given bytes), and adds Venice's
/// headers ([`fixtures::venice_headers`]). They are usable from synchronous and
/// asynchronous tests alike (mocks on a local server are registered without I/O).
///
/// Point the client at `server.base_url()`, or use [`venice_client`](Self::venice_client).
///
/// When several mocks match a request, httpmock answers with the one created
/// first: create the specific ones before the catch-all ones. The chat,
/// responses and image helpers already tell their variants apart (`stream`,
/// `return_binary`), so [`mock_chat_completion`](Self::mock_chat_completion) and
/// [`mock_chat_stream`](Self::mock_chat_stream) (or
/// [`mock_response`](Self::mock_response) and
/// [`mock_response_stream`](Self::mock_response_stream)) can be used together in
/// any order.
///
/// ```
/// use venice_testing::{VeniceMocks, fixtures, httpmock::MockServer};
/// use venice_sdk::{Message, types::ChatCompletionRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = MockServer::start_async().await;
/// let mock = server.mock_chat_completion(&fixtures::chat_completion("llama-3.3-70b", "Hi!"));
/// let client = server.venice_client().unwrap();
/// let answer = client
///     .chat()
///     .create(ChatCompletionRequest::new("llama-3.3-70b", [Message::user("Hello")]))
///     .await
///     .unwrap();
/// assert_eq!(answer.text().as_deref(), Some("Hi!"));
/// mock.assert();
/// # }
/// ```
pub trait VeniceMocks {
    /// The server the mocks are registered on.
    fn server(&self) -> &MockServer;

    /// A [`Client`] pointed at this server with the key [`MOCK_API_KEY`], and
    /// retries off, so a mocked error status is answered once and returned at
    /// once (build your own client to test retries).
    fn venice_client(&self) -> Result<Client, venice_sdk::Error> {
        Client::builder()
            .api_key(MOCK_API_KEY)
            .base_url(self.server().base_url())
            .max_retries(0)
            .build()
    }

    /// Mocks one operation (`&operations::LIST_MODELS`): `when`
    /// already matches its method and path, `then` already has status 200,
    /// `content-type: application/json` and Venice's headers. Add conditions and
    /// the body:
    ///
    /// ```
    /// # use venice_testing::{VeniceMocks, httpmock::MockServer};
    /// # use venice_sdk::operations;
    /// # let server = MockServer::start();
    /// server.mock_operation(&operations::LIST_MODELS, |when, then| {
    ///     when.query_param("type", "image");
    ///     then.body(r#"{"object": "list", "type": "image", "data": []}"#);
    /// });
    /// ```
    ///
    /// # Panics
    ///
    /// If no operation has this id (a typo in the test).
    fn mock_operation(&self, op: &Operation, f: impl FnOnce(When, Then)) -> Mock<'_> {
        self.server().mock(|when, then| {
            let when = when.method(op.method.as_str()).path(op.path);
            let then = then
                .status(200)
                .header("content-type", "application/json")
                .and(fixtures::venice_headers);
            f(when, then);
        })
    }

    /// Mocks any operation by its constant: a request of `op` (its method and
    /// path, and the headers the SDK must send it) answers 200 with `body` as
    /// JSON and Venice's headers. An operation new to the spec needs no new
    /// helper; the named helpers below are this with the operation's type.
    ///
    /// ```
    /// # use venice_testing::{VeniceMocks, httpmock::MockServer};
    /// # use venice_sdk::operations;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = MockServer::start_async().await;
    /// let balance = serde_json::json!({
    ///     "canConsume": true,
    ///     "consumptionCurrency": "USD",
    ///     "balances": {"USD": 12.5, "DIEM": 0.0},
    ///     "diemEpochAllocation": 0.0
    /// });
    /// let mock = server.mock_op(&operations::GET_BILLING_BALANCE, &balance);
    /// let client = server.venice_client().unwrap();
    /// let answer = client.billing().balance().await.unwrap();
    /// assert_eq!(venice_sdk::from_json::<serde_json::Value>(answer.json().unwrap()).unwrap()["balances"]["USD"], 12.5);
    /// mock.assert();
    /// # }
    /// ```
    fn mock_op(&self, op: &Operation, body: &impl Serialize) -> Mock<'_> {
        op_mock(self.server(), op, to_json(body))
    }

    /// `POST /chat/completions` without `"stream": true` answers `response`.
    fn mock_chat_completion(&self, response: &types::CreateChatCompletionResponse) -> Mock<'_> {
        unstreamed_mock(self.server(), &CHAT, to_json(response))
    }

    /// `POST /chat/completions` with `"stream": true` answers `chunks` as
    /// server-sent events, then `data: [DONE]` (see [`fixtures::chat_chunks`]).
    fn mock_chat_stream(&self, chunks: &[ChatCompletionChunk]) -> Mock<'_> {
        sse_mock(self.server(), &CHAT, fixtures::sse_body(chunks))
    }

    /// `POST /image/generate` without `"return_binary": true` answers `response`
    /// (images base64-encoded, as [`images().generate`](venice_sdk::Images::generate) expects).
    fn mock_image_generate(&self, response: &types::GenerateImageResponse) -> Mock<'_> {
        let body = to_json(response);
        self.server().mock(|when, then| {
            when.method(IMAGE.method.as_str())
                .path(IMAGE.path)
                .json_body_excludes(r#"{"return_binary": true}"#);
            json_ok(then, body)
                .header("x-venice-is-blurred", "false")
                .header("x-venice-is-content-violation", "false");
        })
    }

    /// `POST /image/generate` with `"return_binary": true` answers `png` as
    /// `image/png` (what [`images().generate_bytes`](venice_sdk::Images::generate_bytes) reads).
    fn mock_image_bytes(&self, png: &[u8]) -> Mock<'_> {
        self.server().mock(|when, then| {
            when.method(IMAGE.method.as_str())
                .path(IMAGE.path)
                .json_body_includes(r#"{"return_binary": true}"#);
            png_ok(then, png);
        })
    }

    /// `POST /image/upscale` answers `png` as `image/png`.
    fn mock_upscale(&self, png: &[u8]) -> Mock<'_> {
        self.server().mock(|when, then| {
            when.method(UPSCALE.method.as_str()).path(UPSCALE.path);
            png_ok(then, png);
        })
    }

    /// `GET /image/styles` answers `response`.
    fn mock_image_styles(&self, response: &types::ListImageStylesResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::LIST_IMAGE_STYLES,
            to_json(response),
        )
    }

    /// `GET /models` (any `type`) answers `response`.
    fn mock_models(&self, response: &types::ListModelsResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::LIST_MODELS, to_json(response))
    }

    /// `GET /models/traits` answers `response`.
    fn mock_model_traits(&self, response: &types::ListModelTraitsResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::LIST_MODEL_TRAITS,
            to_json(response),
        )
    }

    /// `GET /models/compatibility_mapping` answers `response`.
    fn mock_model_compatibility_mapping(
        &self,
        response: &types::ListModelCompatibilityMappingResponse,
    ) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::LIST_MODEL_COMPATIBILITY_MAPPING,
            to_json(response),
        )
    }

    /// `GET /api_keys` answers `response`.
    fn mock_api_keys(&self, response: &types::GetApiKeysResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::GET_API_KEYS, to_json(response))
    }

    /// `POST /api_keys` answers `response` (its key is serialized in clear).
    fn mock_create_api_key(&self, response: &types::CreateApiKeyResponse) -> Mock<'_> {
        // The mock serves the key the test put in the response: said explicitly.
        let body = venice_sdk::Secret::exposing(|| to_json(response));
        op_mock(self.server(), &operations::CREATE_API_KEY, body)
    }

    /// `DELETE /api_keys` answers `response`.
    fn mock_delete_api_key(&self, response: &types::DeleteApiKeyResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::DELETE_API_KEY,
            to_json(response),
        )
    }

    /// `GET /api_keys/rate_limits` answers `response`.
    fn mock_rate_limits(&self, response: &types::GetApiKeyRateLimitsResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_API_KEY_RATE_LIMITS,
            to_json(response),
        )
    }

    /// `GET /api_keys/generate_web3_key` answers `response`.
    fn mock_web3_token(&self, response: &types::GetApiKeyGenerateWeb3KeyResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_API_KEY_GENERATE_WEB3_KEY,
            to_json(response),
        )
    }

    /// `POST /api_keys/generate_web3_key` answers `response` (its key is
    /// serialized in clear).
    fn mock_create_web3_key(
        &self,
        response: &types::PostApiKeyGenerateWeb3KeyResponse,
    ) -> Mock<'_> {
        let body = venice_sdk::Secret::exposing(|| to_json(response));
        op_mock(
            self.server(),
            &operations::POST_API_KEY_GENERATE_WEB3_KEY,
            body,
        )
    }

    /// `GET /characters` answers `response`.
    fn mock_characters(&self, response: &types::ListCharactersResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::LIST_CHARACTERS,
            to_json(response),
        )
    }

    /// `method path` answers `status` with Venice's error body `{"error": message}`
    /// and Venice's headers.
    ///
    /// The SDK retries some statuses (408, 409, 429, 5xx) by default: use
    /// [`venice_client`](Self::venice_client) (retries off), or expect several
    /// calls, when mocking those.
    fn mock_error(&self, method: Method, path: &str, status: u16, message: &str) -> Mock<'_> {
        self.server().mock(|when, then| {
            when.method(method).path(path);
            then.status(status)
                .header("content-type", "application/json")
                .and(fixtures::venice_headers)
                .json_body(fixtures::error_body(message));
        })
    }

    /// `POST /video/quote` answers `response`.
    fn mock_video_quote(&self, response: &types::QuoteVideoResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::QUOTE_VIDEO, to_json(response))
    }

    /// `POST /video/queue` answers `response`.
    fn mock_video_queue(&self, response: &types::QueueVideoResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::QUEUE_VIDEO, to_json(response))
    }

    /// `POST /video/retrieve` answers the JSON status `response` (`PROCESSING`,
    /// or `COMPLETED` for models with a `download_url`).
    fn mock_video_status(&self, response: &types::RetrieveVideoResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::RETRIEVE_VIDEO,
            to_json(response),
        )
    }

    /// `POST /video/retrieve` answers `mp4` as `video/mp4` (the finished video).
    fn mock_video_media(&self, mp4: &[u8]) -> Mock<'_> {
        media_mock(self.server(), &operations::RETRIEVE_VIDEO, mp4, "video/mp4")
    }

    /// `POST /video/complete` answers `response`.
    fn mock_video_complete(&self, response: &types::CompleteVideoResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::COMPLETE_VIDEO,
            to_json(response),
        )
    }

    /// `POST /audio/quote` answers `response`.
    fn mock_audio_quote(&self, response: &types::QuoteAudioResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::QUOTE_AUDIO, to_json(response))
    }

    /// `POST /audio/queue` answers `response`.
    fn mock_audio_queue(&self, response: &types::QueueAudioResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::QUEUE_AUDIO, to_json(response))
    }

    /// `POST /audio/retrieve` answers the JSON status `response` (`PROCESSING`).
    fn mock_audio_status(&self, response: &types::RetrieveAudioResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::RETRIEVE_AUDIO,
            to_json(response),
        )
    }

    /// `POST /audio/retrieve` answers `audio` as `media_type` (`audio/mpeg`,
    /// `audio/wav`, `audio/flac`: the finished audio).
    fn mock_audio_media(&self, audio: &[u8], media_type: &str) -> Mock<'_> {
        media_mock(
            self.server(),
            &operations::RETRIEVE_AUDIO,
            audio,
            media_type,
        )
    }

    /// `POST /audio/complete` answers `response`.
    fn mock_audio_complete(&self, response: &types::CompleteAudioResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::COMPLETE_AUDIO,
            to_json(response),
        )
    }

    /// `POST /responses` (without `"stream": true`) answers `response`.
    fn mock_response(&self, response: &types::ResponsesApiResponse) -> Mock<'_> {
        unstreamed_mock(self.server(), &RESPONSES, to_json(response))
    }

    /// `POST /responses` with `"stream": true` answers the Responses events
    /// that end in `response` (see [`fixtures::response_events`]).
    fn mock_response_stream(&self, response: &types::ResponsesApiResponse) -> Mock<'_> {
        sse_mock(
            self.server(),
            &RESPONSES,
            fixtures::response_events(response),
        )
    }

    /// `POST /augment/scrape` answers `response`.
    fn mock_web_scrape(&self, response: &types::WebScrapeResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::WEB_SCRAPE, to_json(response))
    }

    /// `POST /augment/search` answers `response`.
    fn mock_web_search(&self, response: &types::WebSearchResponse) -> Mock<'_> {
        op_mock(self.server(), &operations::WEB_SEARCH, to_json(response))
    }

    /// `POST /augment/text-parser` answers `response` as JSON.
    fn mock_text_parser(&self, response: &types::TextParserResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::CREATE_TEXT_PARSER,
            to_json(response),
        )
    }

    /// `POST /augment/text-parser` answers `text` as `text/plain` (what
    /// `response_format: "text"` gets).
    fn mock_text_parser_text(&self, text: &str) -> Mock<'_> {
        self.server().mock(|when, then| {
            let op = &operations::CREATE_TEXT_PARSER;
            when.method(op.method.as_str()).path(op.path);
            then.status(200)
                .header("content-type", "text/plain; charset=utf-8")
                .and(fixtures::venice_headers)
                .body(text);
        })
    }

    /// `GET /api_keys/{id}` with the id of `response` answers `response`.
    fn mock_api_key(&self, response: &types::GetApiKeyByIdResponse) -> Mock<'_> {
        let op = &venice_sdk::operations::GET_API_KEY_BY_ID;
        let path = op
            .path
            .replace("{id}", &crate::util::url_encode(&response.data.id));
        let body = to_json(response);
        self.server().mock(|when, then| {
            when.method(op.method.as_str()).path(path);
            json_ok(then, body);
        })
    }

    /// `PATCH /api_keys` answers `response`.
    fn mock_update_api_key(&self, response: &types::UpdateApiKeyResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::UPDATE_API_KEY,
            to_json(response),
        )
    }

    /// `GET /api_keys/rate_limits/log` answers `response`.
    fn mock_rate_limit_logs(&self, response: &types::GetApiKeyRateLimitLogsResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_API_KEY_RATE_LIMIT_LOGS,
            to_json(response),
        )
    }

    /// `GET /billing/balance` answers `response`.
    fn mock_billing_balance(&self, response: &types::GetBillingBalanceResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_BILLING_BALANCE,
            to_json(response),
        )
    }

    /// `GET /billing/usage-analytics` (any period) answers `response`.
    fn mock_usage_analytics(&self, response: &types::GetBillingUsageAnalyticsResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_BILLING_USAGE_ANALYTICS,
            to_json(response),
        )
    }

    /// `GET /billing/usage-history` not asking for CSV (any query) answers
    /// `response` as JSON: one page, its `nextCursor` as given. Mock each
    /// page of a walk with [`mock_operation`](Self::mock_operation) and a
    /// `cursor` query condition.
    ///
    /// ```
    /// # use venice_testing::{VeniceMocks, httpmock::MockServer};
    /// # use venice_sdk::types;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = MockServer::start_async().await;
    /// let page: types::GetBillingUsageHistoryResponse =
    ///     serde_json::from_value(serde_json::json!({"data": [], "nextCursor": null})).unwrap();
    /// server.mock_usage_history(&page);
    /// let client = server.venice_client().unwrap();
    /// let answer = client.billing().usage_history(&venice_sdk::UsageHistoryQuery::new()).await.unwrap();
    /// assert!(answer.data.is_empty());
    /// # }
    /// ```
    fn mock_usage_history(&self, response: &types::GetBillingUsageHistoryResponse) -> Mock<'_> {
        let op = &operations::GET_BILLING_USAGE_HISTORY;
        let body = to_json(response);
        self.server().mock(|when, then| {
            when.method(op.method.as_str())
                .path(op.path)
                .header_excludes("accept", "text/csv");
            json_ok(then, body);
        })
    }

    /// `GET /billing/usage-history` asking for CSV (`Accept: text/csv`, any
    /// query) answers `csv` as `text/csv`, with `x-next-cursor: next_cursor`
    /// when given (what [`billing().usage_history_csv`](venice_sdk::Billing::usage_history_csv) reads).
    fn mock_usage_history_csv(&self, csv: &str, next_cursor: Option<&str>) -> Mock<'_> {
        let op = &operations::GET_BILLING_USAGE_HISTORY;
        self.server().mock(|when, then| {
            when.method(op.method.as_str())
                .path(op.path)
                .header_includes("accept", "text/csv");
            let mut then = then
                .status(200)
                .header("content-type", "text/csv; charset=utf-8")
                .header(
                    "content-disposition",
                    "attachment; filename=billing-usage-history-20260708T091530123Z.csv",
                )
                .and(fixtures::venice_headers);
            if let Some(cursor) = next_cursor {
                then = then.header("x-next-cursor", cursor);
            }
            then.body(csv);
        })
    }

    /// `GET /crypto/rpc/networks` answers `response`.
    fn mock_crypto_networks(&self, response: &types::ListCryptoRpcNetworksResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::LIST_CRYPTO_RPC_NETWORKS,
            to_json(response),
        )
    }

    /// `POST /crypto/rpc/{network}` (any network) answers `response`; only a
    /// request carrying an `Idempotency-Key` header matches.
    fn mock_crypto_rpc(&self, response: &types::CryptoRpcProxyResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::CRYPTO_RPC_PROXY,
            to_json(response),
        )
    }

    /// `GET /x402/balance/{walletAddress}` (any wallet) answers `response`; only
    /// a request carrying the spec's wallet header
    /// ([`operations::WALLET_AUTH_HEADER`]: `SIGN-IN-WITH-X`) matches.
    fn mock_x402_balance(&self, response: &types::GetX402BalanceResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_X402_BALANCE,
            to_json(response),
        )
    }

    /// `GET /x402/transactions/{walletAddress}` (any wallet) answers
    /// `response`; only a request carrying the spec's wallet header
    /// (`SIGN-IN-WITH-X`) matches.
    fn mock_x402_transactions(&self, response: &types::GetX402TransactionsResponse) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::GET_X402_TRANSACTIONS,
            to_json(response),
        )
    }

    /// `POST /x402/top-up` carrying the spec's payment header (the top-up's
    /// header parameter: `PAYMENT-SIGNATURE`) answers `response`, with the
    /// settlement in the header the spec declares for it (`PAYMENT-RESPONSE`:
    /// base64 JSON `{ success, network, payer, transaction }`, the payer being
    /// `response`'s wallet), what
    /// [`payment_response`](venice_sdk::Response::payment_response) reads.
    ///
    /// ```
    /// use venice_testing::{VeniceMocks, httpmock::MockServer};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = MockServer::start_async().await;
    /// let credited: venice_sdk::types::TopUpX402BalanceResponse = serde_json::from_value(
    ///     serde_json::json!({"success": true, "data": {"walletAddress": "0x1111111111111111111111111111111111111111",
    ///         "amountCredited": 5, "newBalance": 5, "paymentId": "payment_1"}}),
    /// )
    /// .unwrap();
    /// let mock = server.mock_x402_top_up(&credited);
    /// let top_up = server.venice_client().unwrap().x402().top_up("c2lnbmVk").await.unwrap();
    /// assert_eq!(top_up.payment_response().unwrap().success, Some(true));
    /// mock.assert();
    /// # }
    /// ```
    fn mock_x402_top_up(&self, response: &types::TopUpX402BalanceResponse) -> Mock<'_> {
        use base64::Engine as _;
        let op = &operations::TOP_UP_X402_BALANCE;
        let body = to_json(response);
        let settlement = json!({
            "success": true,
            "network": "eip155:8453",
            "payer": body.pointer("/data/walletAddress").cloned().unwrap_or(Value::Null),
            "transaction": format!("0x{}", "ab".repeat(32)),
        });
        let settlement = base64::engine::general_purpose::STANDARD.encode(settlement.to_string());
        let payment = crate::offline::spec_payment_headers().next();
        self.server().mock(|when, then| {
            let mut when = op_when(when, op);
            if let Some(name) = payment {
                when = when.header_exists(name.to_ascii_lowercase());
            }
            let _ = when;
            let mut then = json_ok(then, body);
            if let Some(name) = op.response_headers.first() {
                then = then.header(*name, settlement.as_str());
            }
            let _ = then;
        })
    }

    /// `POST /embeddings` answers `response` as the API sends it (the vectors
    /// as JSON numbers, `index` and `usage` as given), what
    /// [`embeddings().create`](venice_sdk::Embeddings::create) reads
    /// back into an equal [`EmbeddingList`].
    fn mock_embeddings(&self, response: &EmbeddingList) -> Mock<'_> {
        let data: Vec<Value> = response
            .data
            .iter()
            .map(|e| json!({"object": "embedding", "index": e.index, "embedding": e.vector}))
            .collect();
        let mut body = json!({"object": "list", "model": response.model, "data": data});
        if let Some(usage) = &response.usage {
            body["usage"] = to_json(usage);
        }
        op_mock(self.server(), &operations::CREATE_EMBEDDING, body)
    }

    /// `POST /image/edit` answers `image` as `media_type` (`image/png`,
    /// `image/jpeg`, `image/webp`), what
    /// [`images().edit`](venice_sdk::Images::edit) reads.
    fn mock_image_edit(&self, image: &[u8], media_type: &str) -> Mock<'_> {
        image_mock(
            self.server(),
            &venice_sdk::operations::EDIT_IMAGE,
            image,
            media_type,
        )
    }

    /// `POST /image/multi-edit` answers `image` as `media_type`, what
    /// [`images().multi_edit`](venice_sdk::Images::multi_edit) reads.
    fn mock_image_multi_edit(&self, image: &[u8], media_type: &str) -> Mock<'_> {
        image_mock(
            self.server(),
            &venice_sdk::operations::MULTI_EDIT_IMAGE,
            image,
            media_type,
        )
    }

    /// `POST /image/background-remove` answers `png` as `image/png`, what
    /// [`images().remove_background`](venice_sdk::Images::remove_background)
    /// reads.
    fn mock_background_remove(&self, png: &[u8]) -> Mock<'_> {
        image_mock(
            self.server(),
            &venice_sdk::operations::BACKGROUND_REMOVE_IMAGE,
            png,
            "image/png",
        )
    }

    /// `POST /images/generations` (the OpenAI-compatible endpoint) answers
    /// `response`, each image base64-encoded as `b64_json`, what
    /// [`images().generations`](venice_sdk::Images::generations)
    /// decodes back into an equal [`OpenAiImages`].
    fn mock_image_generations(&self, response: &OpenAiImages) -> Mock<'_> {
        use base64::Engine as _;
        let data: Vec<Value> = response
            .images
            .iter()
            .map(|image| json!({"b64_json": base64::engine::general_purpose::STANDARD.encode(image)}))
            .collect();
        op_mock(
            self.server(),
            &operations::SIMPLE_GENERATE_IMAGE,
            json!({"created": response.created, "data": data}),
        )
    }

    /// `POST /audio/speech` answers `audio` as `media_type` (`audio/mpeg`,
    /// `audio/wav`, …), what [`audio().speech`](venice_sdk::Audio::speech)
    /// and [`speech_to`](venice_sdk::Audio::speech_to) read.
    fn mock_speech(&self, audio: &[u8], media_type: &str) -> Mock<'_> {
        media_mock(self.server(), &operations::CREATE_SPEECH, audio, media_type)
    }

    /// `POST /audio/transcriptions` without `response_format` `text` answers
    /// `response` as JSON (timestamps as the API shapes them), what
    /// [`audio().transcribe`](venice_sdk::Audio::transcribe) reads as
    /// [`JsonOrText::Json`](venice_sdk::JsonOrText::Json).
    fn mock_transcription(&self, response: &Transcription) -> Mock<'_> {
        let timed = |items: &[TimedText], key: &str| -> Vec<Value> {
            items
                .iter()
                .map(|t| json!({key: t.text, "start": t.start, "end": t.end}))
                .collect()
        };
        let mut body = json!({"text": response.text});
        if let Some(duration) = response.duration {
            body["duration"] = json!(duration);
        }
        if let Some(ts) = &response.timestamps {
            body["timestamps"] = json!({
                "word": timed(&ts.word, "word"),
                "segment": timed(&ts.segment, "text"),
                "char": timed(&ts.char, "char"),
            });
        }
        let op = &venice_sdk::operations::CREATE_TRANSCRIPTION;
        self.server().mock(|when, then| {
            when.method(op.method.as_str())
                .path(op.path)
                .body_excludes(TEXT_FORMAT_FIELD);
            json_ok(then, body);
        })
    }

    /// `POST /audio/transcriptions` with `response_format` `text` answers
    /// `text` as `text/plain`.
    fn mock_transcription_text(&self, text: &str) -> Mock<'_> {
        let op = &venice_sdk::operations::CREATE_TRANSCRIPTION;
        self.server().mock(|when, then| {
            when.method(op.method.as_str())
                .path(op.path)
                .body_includes(TEXT_FORMAT_FIELD);
            text_ok(then, text);
        })
    }

    /// `POST /audio/voices` answers `response`, what
    /// [`audio().clone_voice`](venice_sdk::Audio::clone_voice) reads.
    fn mock_clone_voice(&self, response: &ClonedVoice) -> Mock<'_> {
        op_mock(
            self.server(),
            &operations::CREATE_CLONED_VOICE,
            json!({"id": response.id, "model": response.model}),
        )
    }

    /// `POST /video/transcriptions` without `"response_format": "text"`
    /// answers `response` as JSON.
    fn mock_video_transcription(
        &self,
        response: &types::CreateVideoTranscriptionResponse,
    ) -> Mock<'_> {
        let op = &venice_sdk::operations::CREATE_VIDEO_TRANSCRIPTION;
        let body = to_json(response);
        self.server().mock(|when, then| {
            when.method(op.method.as_str())
                .path(op.path)
                .json_body_excludes(r#"{"response_format": "text"}"#);
            json_ok(then, body);
        })
    }

    /// `POST /video/transcriptions` with `"response_format": "text"` answers
    /// `text` as `text/plain`.
    fn mock_video_transcription_text(&self, text: &str) -> Mock<'_> {
        let op = &venice_sdk::operations::CREATE_VIDEO_TRANSCRIPTION;
        self.server().mock(|when, then| {
            when.method(op.method.as_str())
                .path(op.path)
                .json_body_includes(r#"{"response_format": "text"}"#);
            text_ok(then, text);
        })
    }
}

/// Serializes a response type. The generated types always serialize, except a
/// [`Secret`](venice_sdk::Secret) outside [`Secret::exposing`](venice_sdk::Secret::exposing).
fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn json_ok(then: Then, body: Value) -> Then {
    then.status(200)
        .header("content-type", "application/json")
        .and(fixtures::venice_headers)
        .json_body(body)
}

fn png_ok(then: Then, png: &[u8]) -> Then {
    image_ok(then, png, "image/png")
}

/// `image` as `media_type`, with Venice's image and content headers.
fn image_ok(then: Then, image: &[u8], media_type: &str) -> Then {
    then.status(200)
        .header("content-type", media_type)
        .header("x-venice-is-blurred", "false")
        .header("x-venice-is-content-violation", "false")
        .and(fixtures::venice_headers)
        .body(image)
}

/// The operations whose mocks tell requests apart by their body.
const CHAT: Operation = operations::CREATE_CHAT_COMPLETION;
const IMAGE: Operation = operations::GENERATE_IMAGE;
const UPSCALE: Operation = operations::UPSCALE_IMAGE;
const RESPONSES: Operation = operations::CREATE_RESPONSE;

impl VeniceMocks for MockServer {
    fn server(&self) -> &MockServer {
        self
    }
}

/// The form field of a transcription asking for text (as the SDK uploads it).
const TEXT_FORMAT_FIELD: &str = "name=\"response_format\"\r\n\r\ntext\r\n";

/// `text` as `text/plain` with Venice's headers.
fn text_ok(then: Then, text: &str) -> Then {
    then.status(200)
        .header("content-type", "text/plain; charset=utf-8")
        .and(fixtures::venice_headers)
        .body(text)
}

/// `op` answers `image` as `media_type` with Venice's image headers.
fn image_mock<'a>(
    server: &'a MockServer,
    op: &Operation,
    image: &[u8],
    media_type: &str,
) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(op.method.as_str()).path(op.path);
        image_ok(then, image, media_type);
    })
}

/// `op` answers `body` as `media_type` with Venice's headers.
fn media_mock<'a>(
    server: &'a MockServer,
    op: &Operation,
    body: &[u8],
    media_type: &str,
) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(op.method.as_str()).path(op.path);
        then.status(200)
            .header("content-type", media_type)
            .and(fixtures::venice_headers)
            .body(body);
    })
}

/// `op` answers `body` as JSON with Venice's headers. The request must match
/// the operation's method and path (a `{parameter}` matches any one segment)
/// and carry what the SDK must send it: the wallet token to wallet-only
/// operations, an `Idempotency-Key` where the spec declares one.
fn op_mock<'a>(server: &'a MockServer, op: &Operation, body: Value) -> Mock<'a> {
    server.mock(|when, then| {
        op_when(when, op);
        json_ok(then, body);
    })
}

/// `when` matching `op`'s method and path (a `{parameter}` matches any one
/// segment) and the headers the SDK must send it: the spec's wallet header
/// ([`operations::WALLET_AUTH_HEADER`]) to wallet-only operations, an
/// `Idempotency-Key` where the spec declares one.
fn op_when(when: When, op: &Operation) -> When {
    let mut when = when.method(op.method.as_str());
    when = if op.path.contains('{') {
        when.path_matches(path_pattern(op.path).as_str())
    } else {
        when.path(op.path)
    };
    if op.auth == Auth::Wallet
        && let Some(name) = operations::WALLET_AUTH_HEADER
    {
        when = when.header_exists(name.to_ascii_lowercase());
    }
    if op.idempotency_key {
        when = when.header_exists("idempotency-key");
    }
    when
}

/// A regular expression matching `path` with any one segment for each
/// `{parameter}` (the rest matched literally).
fn path_pattern(path: &str) -> String {
    let mut pattern = String::from("^");
    for (i, part) in path.split('{').enumerate() {
        let literal = if i == 0 {
            part
        } else {
            pattern.push_str("[^/]+");
            part.split_once('}').map_or("", |(_, rest)| rest)
        };
        for c in literal.chars() {
            if !c.is_ascii_alphanumeric() && c != '/' && c != '_' {
                pattern.push('\\');
            }
            pattern.push(c);
        }
    }
    pattern.push('$');
    pattern
}

/// `op` without `"stream": true` answers `body` as JSON.
fn unstreamed_mock<'a>(server: &'a MockServer, op: &Operation, body: Value) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(op.method.as_str())
            .path(op.path)
            .json_body_excludes(r#"{"stream": true}"#);
        json_ok(then, body);
    })
}

/// `op` with `"stream": true` answers `body` as server-sent events.
fn sse_mock<'a>(server: &'a MockServer, op: &Operation, body: String) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(op.method.as_str())
            .path(op.path)
            .json_body_includes(r#"{"stream": true}"#);
        then.status(200)
            .header("content-type", "text/event-stream")
            .header("cache-control", "no-cache")
            .and(fixtures::venice_headers)
            .body(body);
    })
}

#[cfg(test)]
mod tests {
    use venice_sdk::operations;

    /// Every operation has a helper (or `mock_operation`); a new one should
    /// not go unnoticed.
    #[test]
    fn a_new_operation_is_noticed() {
        assert_eq!(operations::ALL.len(), 49, "a new operation needs a helper");
    }
}
