//! Billing: `client.billing()`: the balance, usage analytics, and the usage
//! history (one JSON page, every page as a stream, CSV pages written into a
//! writer).
//!
//! `GET /billing/usage` is not wrapped: it is deprecated upstream and only
//! answers `410 Gone` (the spec points to `usage_analytics` and
//! `usage_history`).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use crate::paginate::{Fetched, Pages, Paging, Walk};
use crate::shape;
use crate::transport::Call;
use crate::{Client, Error, Response, ResponseMeta, operations, types};

impl Client {
    /// Billing: balances and usage analytics.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let billing = client.billing();
    /// let balance = billing.balance().await?;
    /// println!("can consume: {}", balance.can_consume);
    /// # Ok(()) }
    /// ```
    pub fn billing(&self) -> Billing<'_> {
        Billing { client: self }
    }
}

/// Billing: `client.billing()`.
///
/// ```
/// use venice_sdk::UsagePeriod;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let usage = client.billing().usage_analytics(&UsagePeriod::days(30)).await?;
/// println!("{:?}", usage.top_models);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Billing<'a> {
    pub(crate) client: &'a Client,
}

/// The period [`Billing::usage_analytics`] covers.
///
/// ```
/// use venice_sdk::UsagePeriod;
///
/// let week = UsagePeriod::Default;
/// let month = UsagePeriod::days(30);
/// let june = UsagePeriod::between("2026-06-01", "2026-06-30");
/// # let _ = (week, month, june);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsagePeriod {
    /// The API's default (the last 7 days).
    #[default]
    Default,
    /// The last `n` days (at most 90).
    Days(u32),
    /// From `start` to `end`, both `YYYY-MM-DD` and included.
    Between {
        /// The first day, `YYYY-MM-DD`.
        start: String,
        /// The last day, `YYYY-MM-DD`.
        end: String,
    },
}

impl UsagePeriod {
    /// The last `n` days (at most 90).
    ///
    /// ```
    /// use venice_sdk::UsagePeriod;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let usage = client.billing().usage_analytics(&UsagePeriod::days(30)).await?;
    /// for day in &usage.by_date {
    ///     println!("{}: ${}", day.date, day.usd);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn days(n: u32) -> Self {
        UsagePeriod::Days(n)
    }

    /// From `start` to `end`, both `YYYY-MM-DD`.
    ///
    /// ```
    /// use venice_sdk::UsagePeriod;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let june = UsagePeriod::between("2026-06-01", "2026-06-30");
    /// let usage = client.billing().usage_analytics(&june).await?;
    /// println!("{} models used", usage.by_model.len());
    /// # Ok(()) }
    /// ```
    pub fn between(start: impl Into<String>, end: impl Into<String>) -> Self {
        UsagePeriod::Between {
            start: start.into(),
            end: end.into(),
        }
    }
}

impl Billing<'_> {
    /// The account's balance: whether it can consume, in which currency, the
    /// remaining DIEM and USD balances, and the DIEM allocation of the epoch.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let balance = client.billing().balance().await?;
    /// println!(
    ///     "USD {:?}, DIEM {:?}, paying in {:?}",
    ///     balance.balances.usd, balance.balances.diem, balance.consumption_currency
    /// );
    /// # Ok(()) }
    /// ```
    pub async fn balance(&self) -> Result<Response<types::GetBillingBalanceResponse>, Error> {
        Call::new(&operations::GET_BILLING_BALANCE)
            .json(self.client.config())
            .await
    }

    /// Usage totals over `period`, by day, by model (with token-type
    /// breakdowns) and by API key (beta upstream; cached by Venice for 10
    /// minutes).
    ///
    /// A period the spec's patterns reject (`Days(0)`, a date that is not
    /// `YYYY-MM-DD`) is refused before sending ([`Error::InvalidRequest`]); one
    /// the server refuses (over 90 days) is
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest); a query the
    /// server gives up on is a `504` ([`ApiErrorKind::Timeout`](crate::ApiErrorKind::Timeout)):
    /// ask for a shorter period.
    ///
    /// ```
    /// use venice_sdk::UsagePeriod;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let usage = client.billing().usage_analytics(&UsagePeriod::days(7)).await?;
    /// for model in &usage.by_model {
    ///     println!("{:?}", model.model_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn usage_analytics(
        &self,
        period: &UsagePeriod,
    ) -> Result<Response<types::GetBillingUsageAnalyticsResponse>, Error> {
        let call = Call::new(&operations::GET_BILLING_USAGE_ANALYTICS);
        let call = match period {
            UsagePeriod::Default => call,
            UsagePeriod::Days(n) => {
                // Checked by the generated parameter types (their patterns), read
                // from JSON: no trait only a constrained string has is needed.
                let lookback = format!("{n}d");
                shape::convert::<types::GetBillingUsageAnalyticsLookback>("lookback", &lookback)?;
                call.query("lookback", lookback)
            }
            UsagePeriod::Between { start, end } => {
                shape::convert::<types::GetBillingUsageAnalyticsStartDate>("startDate", start)?;
                shape::convert::<types::GetBillingUsageAnalyticsEndDate>("endDate", end)?;
                call.query("startDate", start.as_str())
                    .query("endDate", end.as_str())
            }
        };
        call.json(self.client.config()).await
    }
}

/// What [`Billing::usage_history`] asks for: a first page (filters set with
/// [`start`](Self::start), [`end`](Self::end), [`page_size`](Self::page_size),
/// [`currency`](Self::currency); each unset one is the API's default), or a
/// continuation ([`cursor`](Self::cursor) and nothing else: the filters
/// travel inside the cursor, and the API rejects them sent alongside it).
///
/// Values are checked against the spec's rules before anything is sent
/// ([`Error::InvalidRequest`] naming the parameter): timestamps are RFC 3339
/// in UTC with a `Z` (`2026-06-01T00:00:00Z`, fractions allowed, at most 40
/// characters) and the end later than the start; a page size from 10 to 1000;
/// a cursor of at most 512 characters of `A-Z a-z 0-9 _ -`; a cursor with a
/// filter is refused.
///
/// ```
/// use venice_sdk::UsageHistoryQuery;
///
/// let june = UsageHistoryQuery::new()
///     .start("2026-06-01T00:00:00Z")
///     .end("2026-07-01T00:00:00Z")
///     .currency("USD")
///     .page_size(100);
/// let next = UsageHistoryQuery::new().cursor("AZq3fK9tXhIVDm2j4vN8cQ");
/// # let _ = (june, next);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageHistoryQuery {
    cursor: Option<String>,
    start: Option<String>,
    end: Option<String>,
    page_size: Option<u64>,
    currency: Option<String>,
}

impl UsageHistoryQuery {
    /// The first page with the API's defaults (all of the history, 1000
    /// entries a page, every currency).
    ///
    /// ```
    /// let first = venice_sdk::UsageHistoryQuery::new();
    /// assert_eq!(first, venice_sdk::UsageHistoryQuery::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Entries at or after this time (inclusive), RFC 3339 in UTC:
    /// `2026-06-01T00:00:00Z`.
    ///
    /// ```
    /// let query = venice_sdk::UsageHistoryQuery::new().start("2026-06-01T00:00:00Z");
    /// # let _ = query;
    /// ```
    pub fn start(mut self, timestamp: impl Into<String>) -> Self {
        self.start = Some(timestamp.into());
        self
    }

    /// Entries before this time (exclusive), RFC 3339 in UTC, later than the
    /// start: `2026-07-01T00:00:00Z`. Windows sharing a boundary walk the
    /// history without gaps or overlaps.
    ///
    /// ```
    /// let query = venice_sdk::UsageHistoryQuery::new().end("2026-07-01T00:00:00Z");
    /// # let _ = query;
    /// ```
    pub fn end(mut self, timestamp: impl Into<String>) -> Self {
        self.end = Some(timestamp.into());
        self
    }

    /// Entries per page, from 10 to 1000 (the API's default is 1000).
    ///
    /// ```
    /// let query = venice_sdk::UsageHistoryQuery::new().page_size(50);
    /// # let _ = query;
    /// ```
    pub fn page_size(mut self, n: u64) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Only entries charged in this currency, by its wire name (`USD`,
    /// `DIEM`, `BUNDLED_CREDITS`; a name the SDK does not know is sent as
    /// given).
    ///
    /// ```
    /// let query = venice_sdk::UsageHistoryQuery::new().currency("DIEM");
    /// # let _ = query;
    /// ```
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// A continuation: the page a previous page's next cursor names
    /// (`nextCursor` in JSON, [`CsvPage::next_cursor`] in CSV). Set nothing
    /// else: the filters of the walk travel inside the cursor.
    ///
    /// ```
    /// let next = venice_sdk::UsageHistoryQuery::new().cursor("AZq3fK9tXhIVDm2j4vN8cQ");
    /// # let _ = next;
    /// ```
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// The query of a walk's first request: this one, with the page size of
    /// `paging` when it sets one; checked.
    fn first_of_walk(&self, paging: &Paging) -> Result<UsageHistoryQuery, Error> {
        let mut first = self.clone();
        if let Some(size) = paging.get_page_size() {
            first.page_size = Some(size);
        }
        first.check()?;
        Ok(first)
    }

    /// Checks the values against the spec's rules, through the generated
    /// parameter types (read from JSON: no trait only one shape has is
    /// needed), plus the rules the types do not carry (the timestamp form and
    /// order, the page size range, no filter with a cursor).
    fn check(&self) -> Result<(), Error> {
        if let Some(cursor) = &self.cursor {
            let filters = [
                ("startTimestamp", self.start.is_some()),
                ("endTimestamp", self.end.is_some()),
                ("pageSize", self.page_size.is_some()),
                ("currency", self.currency.is_some()),
            ];
            if let Some((name, _)) = filters.iter().find(|(_, set)| *set) {
                return Err(Error::invalid(
                    "cursor",
                    format!(
                        "is sent alone: the filters of a walk travel inside its cursor, and `{name}` sent alongside one is rejected by the API (drop the filters, or start a new walk without the cursor)"
                    ),
                ));
            }
            if cursor.is_empty() {
                return Err(Error::invalid("cursor", "is empty"));
            }
            shape::convert::<types::GetBillingUsageHistoryCursor>("cursor", cursor)?;
        }
        let start = match &self.start {
            Some(start) => {
                shape::convert::<types::GetBillingUsageHistoryStartTimestamp>(
                    "startTimestamp",
                    start,
                )?;
                Some(timestamp_key("startTimestamp", start)?)
            }
            None => None,
        };
        let end = match &self.end {
            Some(end) => {
                shape::convert::<types::GetBillingUsageHistoryEndTimestamp>("endTimestamp", end)?;
                Some(timestamp_key("endTimestamp", end)?)
            }
            None => None,
        };
        if let (Some(start), Some(end)) = (start, end)
            && end <= start
        {
            return Err(Error::invalid(
                "endTimestamp",
                "must be later than startTimestamp",
            ));
        }
        if let Some(size) = self.page_size {
            if !(10..=1000).contains(&size) {
                return Err(Error::invalid(
                    "pageSize",
                    format!("must be from 10 to 1000, got {size}"),
                ));
            }
            shape::convert::<types::GetBillingUsageHistoryPageSize>("pageSize", size)?;
        }
        if let Some(currency) = &self.currency {
            if currency.trim().is_empty() {
                return Err(Error::invalid("currency", "is empty"));
            }
            shape::convert::<types::GetBillingUsageHistoryCurrency>("currency", currency)?;
        }
        Ok(())
    }

    /// The call of this query (checked), accepting `accept`.
    fn call(&self, accept: &'static str) -> Result<Call<'static>, Error> {
        self.check()?;
        Ok(Call::new(&operations::GET_BILLING_USAGE_HISTORY)
            .accept(accept)
            .query_opt("cursor", self.cursor.as_deref())
            .query_opt("startTimestamp", self.start.as_deref())
            .query_opt("endTimestamp", self.end.as_deref())
            .query_opt("pageSize", self.page_size)
            .query_opt("currency", self.currency.as_deref()))
    }
}

/// `value` as a sortable key when it is an RFC 3339 time in UTC ending in `Z`
/// (`YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits): the
/// seconds part and the fraction padded to 9 digits.
fn timestamp_key(field: &str, value: &str) -> Result<(String, String), Error> {
    let refuse = || {
        Error::invalid(
            field,
            "must be an RFC 3339 time in UTC ending in Z, such as 2026-06-01T00:00:00Z",
        )
    };
    let bytes = value.as_bytes();
    let (Some(seconds), Some(rest)) = (value.get(..19), value.get(19..)) else {
        return Err(refuse());
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    let shaped = bytes.iter().take(19).enumerate().all(|(i, b)| {
        match separators.iter().find(|(at, _)| *at == i) {
            Some((_, sep)) => b == sep,
            None => b.is_ascii_digit(),
        }
    });
    let number = |from: usize, to: usize| -> u32 {
        seconds
            .get(from..to)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or(u32::MAX)
    };
    let in_range = (1..=12).contains(&number(5, 7))
        && (1..=31).contains(&number(8, 10))
        && number(11, 13) <= 23
        && number(14, 16) <= 59
        && number(17, 19) <= 60;
    let fraction = match rest.strip_suffix('Z') {
        Some("") => Some(""),
        Some(fraction) => fraction
            .strip_prefix('.')
            .filter(|d| (1..=9).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())),
        None => None,
    };
    match fraction {
        Some(fraction) if shaped && in_range => Ok((seconds.to_owned(), format!("{fraction:0<9}"))),
        _ => Err(refuse()),
    }
}

/// One page of the usage history written as CSV by
/// [`Billing::usage_history_csv`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let client = &client;
/// let mut csv = Vec::new();
/// let page = client
///     .billing()
///     .usage_history_csv(&venice_sdk::UsageHistoryQuery::new(), &mut csv)
///     .await?;
/// println!("{} bytes, request id {:?}", page.written, page.meta.request_id);
/// if let Some(cursor) = page.next_cursor {
///     let next = venice_sdk::UsageHistoryQuery::new().cursor(cursor);
///     client.billing().usage_history_csv(&next, &mut csv).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CsvPage {
    /// The cursor of the next page (the `x-next-cursor` header); `None` on the
    /// last page.
    pub next_cursor: Option<String>,
    /// How many bytes were written into the writer.
    pub written: u64,
    /// The response metadata (status, request id, rate limits, headers such
    /// as `Content-Disposition`).
    pub meta: ResponseMeta,
}

/// Every page of the usage history written as one CSV by
/// [`Billing::usage_history_csv_all`].
///
/// ```no_run
/// # async fn run(client: &venice_sdk::Client) -> Result<(), venice_sdk::Error> {
/// let mut file = tokio::fs::File::create("usage.csv").await.map_err(|source| {
///     venice_sdk::Error::Io { path: "usage.csv".into(), source }
/// })?;
/// let export = client
///     .billing()
///     .usage_history_csv_all(&venice_sdk::UsageHistoryQuery::new(), venice_sdk::Paging::default(), &mut file)
///     .await?;
/// println!("{} pages, {} bytes", export.pages, export.written);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CsvExport {
    /// How many pages were fetched.
    pub pages: u64,
    /// How many bytes were written into the writer (the repeated header rows
    /// of later pages not included).
    pub written: u64,
    /// The metadata of the last page's response.
    pub meta: ResponseMeta,
}

impl<'a> Billing<'a> {
    /// One page of the usage history, in ascending time order: the entries
    /// (amount, currency, SKU, units, price, timestamp, inference details)
    /// and `next_cursor`, the cursor of the next page (`None` on the last).
    /// Pass it to [`UsageHistoryQuery::cursor`] for the next page, or walk
    /// them all with [`usage_history_all`](Self::usage_history_all).
    ///
    /// Errors: a value the spec's rules refuse (see [`UsageHistoryQuery`]) is
    /// an [`Error::InvalidRequest`] and nothing is sent; a cursor the server
    /// rejects (expired, tampered with, another user's) is
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest): restart
    /// the walk from the first page.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// use venice_sdk::UsageHistoryQuery;
    ///
    /// let query = UsageHistoryQuery::new().start("2026-06-01T00:00:00Z").page_size(100);
    /// let page = client.billing().usage_history(&query).await?;
    /// for entry in &page.data {
    ///     println!("{} {} {}", entry.sku, entry.units, entry.amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn usage_history(
        &self,
        query: &UsageHistoryQuery,
    ) -> Result<Response<types::GetBillingUsageHistoryResponse>, Error> {
        query
            .call("application/json")?
            .json(self.client.config())
            .await
    }

    /// One page of the usage history as CSV (`Accept: text/csv`), written
    /// into `writer` as it arrives, never held whole; the next page's cursor
    /// comes from the `x-next-cursor` header.
    ///
    /// At most [`max_response_size`](crate::ClientBuilder::max_response_size)
    /// bytes are written ([`Error::BodyTooLarge`] past it; what was written
    /// stays); retries happen only before the first byte is written. An
    /// answer that is not `text/csv` is an [`Error::Decode`] and nothing is
    /// written. Other errors as for [`usage_history`](Self::usage_history).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// let mut csv = Vec::new();
    /// let page = client
    ///     .billing()
    ///     .usage_history_csv(&venice_sdk::UsageHistoryQuery::new().page_size(100), &mut csv)
    ///     .await?;
    /// println!("{} bytes; next page: {:?}", csv.len(), page.next_cursor);
    /// # Ok(()) }
    /// ```
    pub async fn usage_history_csv<W>(
        &self,
        query: &UsageHistoryQuery,
        writer: &mut W,
    ) -> Result<CsvPage, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let (written, meta) = query
            .call("text/csv")?
            .download(self.client.config(), "text/csv", writer)
            .await?
            .into_parts();
        Ok(CsvPage {
            next_cursor: next_cursor_header(&meta),
            written,
            meta,
        })
    }

    /// Every page of the usage history as one CSV written into `writer`: the
    /// first page whole, the later ones without their header row, each
    /// streamed as it arrives. Walks like
    /// [`usage_history_all`](Self::usage_history_all): `paging`'s page size
    /// (10 to 1000) and [`max_pages`](Paging::max_pages) apply, and a cursor
    /// named twice ends the walk with [`Error::Pagination`];
    /// [`max_items`](Paging::max_items) does not (rows are not parsed: bound
    /// the export by its time window or its pages).
    ///
    /// Each page is capped as in [`usage_history_csv`](Self::usage_history_csv).
    /// On an error, the pages before it stay written (and the page that
    /// failed, as far as it came).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// use venice_sdk::{Paging, UsageHistoryQuery};
    ///
    /// let june = UsageHistoryQuery::new().start("2026-06-01T00:00:00Z").end("2026-07-01T00:00:00Z");
    /// let mut csv = Vec::new();
    /// let export = client.billing().usage_history_csv_all(&june, Paging::default(), &mut csv).await?;
    /// assert_eq!(export.written, csv.len() as u64);
    /// # Ok(()) }
    /// ```
    pub async fn usage_history_csv_all<W>(
        &self,
        query: &UsageHistoryQuery,
        paging: Paging,
        writer: &mut W,
    ) -> Result<CsvExport, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let first = query.first_of_walk(&paging)?;
        let op = &operations::GET_BILLING_USAGE_HISTORY;
        let mut walk = Walk::cursors(op.id, &paging, first.cursor.as_deref());
        let mut sink = CsvSink {
            inner: writer,
            skipping: false,
            written: 0,
            last: None,
        };
        let mut meta = ResponseMeta::default();
        while let Some(at) = walk.next_request()? {
            let query = match at {
                crate::paginate::At::Cursor(Some(cursor)) => {
                    UsageHistoryQuery::new().cursor(cursor)
                }
                _ => first.clone(),
            };
            // A later page's header row is the first one's again.
            sink.skipping = sink.written > 0;
            let page = self.usage_history_csv(&query, &mut sink).await?;
            if sink.last.is_some_and(|b| b != b'\n') {
                // A page not ending its last row: the next page's rows must
                // not join it.
                sink.write_all(b"\n").await.map_err(|source| Error::Io {
                    path: std::path::PathBuf::new(),
                    source,
                })?;
            }
            meta = page.meta;
            walk.record_cursor(page.next_cursor)
                .map_err(crate::paginate::Stop::into_error)?;
        }
        Ok(CsvExport {
            pages: walk.pages(),
            written: sink.written,
            meta,
        })
    }

    /// Every entry of the usage history that `query` selects, in ascending
    /// time order, as one stream: each page fetched when the caller pulls
    /// past the previous one, by the cursor it names (see [`Pages`] for how
    /// the stream ends). `paging`'s page size (10 to 1000) replaces the
    /// query's; a query holding a cursor resumes a walk from it (then set no
    /// page size).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// use venice_sdk::{Paging, UsageHistoryQuery};
    ///
    /// let query = UsageHistoryQuery::new().start("2026-06-01T00:00:00Z").currency("USD");
    /// let mut entries = client.billing().usage_history_all(&query, Paging::default().max_items(5000));
    /// let mut spent = 0.0;
    /// while let Some(entry) = entries.next().await {
    ///     spent += entry?.amount;
    /// }
    /// println!("USD {spent:.2}");
    /// # Ok(()) }
    /// ```
    pub fn usage_history_all(
        &self,
        query: &UsageHistoryQuery,
        paging: Paging,
    ) -> Pages<'a, types::GetBillingUsageHistoryResponseDataItem> {
        let first = match query.first_of_walk(&paging) {
            Ok(first) => first,
            Err(e) => return Pages::failed(e),
        };
        let op = &operations::GET_BILLING_USAGE_HISTORY;
        let walk = Walk::cursors(op.id, &paging, first.cursor.as_deref());
        let client = self.client;
        Pages::cursors(walk, &paging, move |cursor| {
            let query = match cursor {
                Some(cursor) => UsageHistoryQuery::new().cursor(cursor),
                None => first.clone(),
            };
            Box::pin(async move {
                let page = client.billing().usage_history(&query).await?.into_inner();
                // Read through its JSON: a string, or null on the last page.
                let next_cursor = shape::json_of(&page.next_cursor)
                    .as_str()
                    .map(str::to_owned);
                Ok(Fetched {
                    items: page.data,
                    next_cursor,
                })
            })
        })
    }
}

/// The `x-next-cursor` header of a CSV page (absent or empty: the last page).
fn next_cursor_header(meta: &ResponseMeta) -> Option<String> {
    meta.headers
        .get("x-next-cursor")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The writer of a CSV export: drops a later page's header row (up to and
/// including its first line feed) when `skipping`, counts what it passes on,
/// and remembers the last byte.
struct CsvSink<'w, W: ?Sized> {
    inner: &'w mut W,
    skipping: bool,
    written: u64,
    last: Option<u8>,
}

impl<W: AsyncWrite + Unpin + ?Sized> AsyncWrite for CsvSink<'_, W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.skipping {
            // Taken and dropped: up to the line feed, or all of it.
            return Poll::Ready(Ok(match memchr::memchr(b'\n', buf) {
                Some(at) => {
                    this.skipping = false;
                    at.saturating_add(1)
                }
                None => buf.len(),
            }));
        }
        let polled = Pin::new(&mut *this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &polled {
            this.written = this.written.saturating_add(*n as u64);
            if let Some(last) = n.checked_sub(1).and_then(|i| buf.get(i)) {
                this.last = Some(*last);
            }
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The caller's writer stays open: only flushed.
        Pin::new(&mut *self.inner).poll_flush(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_and_ordered() {
        for good in [
            "2026-06-01T00:00:00Z",
            "2026-06-15T19:05:10.504Z",
            "2026-12-31T23:59:60.123456789Z",
        ] {
            assert!(timestamp_key("t", good).is_ok(), "{good}");
        }
        for bad in [
            "2026-06-01",
            "2026-06-01T00:00:00",
            "2026-06-01T00:00:00+02:00",
            "2026-13-01T00:00:00Z",
            "2026-06-01 00:00:00Z",
            "2026-06-01T00:00:00.Z",
            "2026-06-01T00:00:00.1234567890Z",
            "２０２６-06-01T00:00:00Z",
        ] {
            assert!(timestamp_key("t", bad).is_err(), "{bad}");
        }
        let query = UsageHistoryQuery::new()
            .start("2026-06-01T00:00:00.5Z")
            .end("2026-06-01T00:00:00Z");
        assert!(query.check().is_err(), "the end is before the start");
        let query = UsageHistoryQuery::new()
            .start("2026-06-01T00:00:00Z")
            .end("2026-06-01T00:00:00.5Z");
        assert!(query.check().is_ok());
    }

    #[test]
    fn a_query_breaking_the_spec_is_refused_naming_the_parameter() {
        let field = |q: UsageHistoryQuery| match q.check() {
            Err(Error::InvalidRequest { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(UsageHistoryQuery::new().page_size(9)), "pageSize");
        assert_eq!(field(UsageHistoryQuery::new().page_size(1001)), "pageSize");
        assert_eq!(field(UsageHistoryQuery::new().cursor("a b")), "cursor");
        assert_eq!(
            field(UsageHistoryQuery::new().cursor("x".repeat(513))),
            "cursor"
        );
        assert_eq!(
            field(UsageHistoryQuery::new().cursor("abc").currency("USD")),
            "cursor"
        );
        assert_eq!(field(UsageHistoryQuery::new().currency("")), "currency");
        assert_eq!(
            field(UsageHistoryQuery::new().start("yesterday")),
            "startTimestamp"
        );
        assert!(UsageHistoryQuery::new().cursor("AZq3-_9").check().is_ok());
        assert!(
            UsageHistoryQuery::new()
                .currency("USD")
                .page_size(10)
                .check()
                .is_ok()
        );
        assert!(UsageHistoryQuery::new().currency("NEW_ONE").check().is_ok());
    }

    #[tokio::test]
    async fn the_csv_sink_drops_one_header_row_and_counts_the_rest() {
        let mut out = Vec::new();
        let mut sink = CsvSink {
            inner: &mut out,
            skipping: true,
            written: 0,
            last: None,
        };
        sink.write_all(b"a,b").await.unwrap();
        sink.write_all(b"\r\n1,2\n3,").await.unwrap();
        sink.write_all(b"4").await.unwrap();
        assert_eq!(sink.written, 7);
        assert_eq!(sink.last, Some(b'4'));
        assert_eq!(out, b"1,2\n3,4");
    }
}
