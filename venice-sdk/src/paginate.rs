//! Walking paginated lists, one job: which page comes next, when the walk is
//! over, and the bounds that keep a server from making it endless.
//!
//! - [`Paging`]: what the caller asks of a walk (page size, at most how many
//!   items, at most how many pages).
//! - `Walk`: the bookkeeping of one walk, without I/O — `limit`/`offset`,
//!   `page`/`pageSize` or cursor positions; a short or empty page, or a last
//!   cursor, ends it; a cursor sent twice, a page repeating an earlier one or
//!   more than [`Paging::max_pages`] pages is an [`Error::Pagination`]. The
//!   item streams and the CSV export share it.
//! - [`Pages`]: the items of every page as one [`Stream`], a page fetched only
//!   when the caller pulls past the items of the previous one.

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::BuildHasher;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{Stream, StreamExt};
use serde::Serialize;

use crate::Error;
use crate::defaults::DEFAULT_MAX_PAGES;

/// How far a paginated walk (`list_all`, `reviews_all`, `transactions_all`,
/// `usage_history_all`, `usage_history_csv_all`) may go, and how big its
/// pages are.
///
/// - [`page_size`](Self::page_size): items per request (each operation's
///   range applies; unset: the largest the operation takes, or the API's
///   default for the usage history).
/// - [`max_items`](Self::max_items): the stream ends after this many items,
///   and no page beyond them is fetched (unset: every item).
/// - [`max_pages`](Self::max_pages): at most this many requests; a walk that
///   needs more ends with [`Error::Pagination`] after the items it got. Always
///   set: [`DEFAULT_MAX_PAGES`](crate::defaults::DEFAULT_MAX_PAGES) by default.
///
/// ```
/// use venice_sdk::Paging;
///
/// let paging = Paging::default().page_size(50).max_items(120).max_pages(10);
/// assert_eq!(paging.get_page_size(), Some(50));
/// assert_eq!(paging.get_max_items(), Some(120));
/// assert_eq!(paging.get_max_pages(), 10);
/// assert_eq!(Paging::default().get_max_pages(), venice_sdk::defaults::DEFAULT_MAX_PAGES);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    page_size: Option<u64>,
    max_items: Option<u64>,
    max_pages: u64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page_size: None,
            max_items: None,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

impl Paging {
    /// The defaults: each operation's page size, every item, at most
    /// [`DEFAULT_MAX_PAGES`](crate::defaults::DEFAULT_MAX_PAGES) pages.
    ///
    /// ```
    /// assert_eq!(venice_sdk::Paging::new(), venice_sdk::Paging::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Items per request. A size outside the operation's range (characters,
    /// reviews and transactions 1 to 100, usage history 10 to 1000) is refused
    /// before sending: the stream's one item is an [`Error::InvalidRequest`].
    ///
    /// ```
    /// let paging = venice_sdk::Paging::default().page_size(25);
    /// assert_eq!(paging.get_page_size(), Some(25));
    /// ```
    pub fn page_size(mut self, n: u64) -> Self {
        self.page_size = Some(n);
        self
    }

    /// Ends the stream after `n` items; no page beyond them is fetched
    /// (`0`: nothing is fetched at all).
    ///
    /// ```
    /// let paging = venice_sdk::Paging::default().max_items(5);
    /// assert_eq!(paging.get_max_items(), Some(5));
    /// ```
    pub fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        self
    }

    /// At most `n` requests. A walk that would need one more ends with
    /// [`Error::Pagination`] after the items of the `n` pages it fetched.
    ///
    /// ```
    /// let paging = venice_sdk::Paging::default().max_pages(3);
    /// assert_eq!(paging.get_max_pages(), 3);
    /// ```
    pub fn max_pages(mut self, n: u64) -> Self {
        self.max_pages = n;
        self
    }

    /// The page size set with [`page_size`](Self::page_size), if any.
    ///
    /// ```
    /// assert_eq!(venice_sdk::Paging::default().get_page_size(), None);
    /// ```
    pub fn get_page_size(&self) -> Option<u64> {
        self.page_size
    }

    /// The item bound set with [`max_items`](Self::max_items), if any.
    ///
    /// ```
    /// assert_eq!(venice_sdk::Paging::default().get_max_items(), None);
    /// ```
    pub fn get_max_items(&self) -> Option<u64> {
        self.max_items
    }

    /// The page bound (always set).
    ///
    /// ```
    /// assert_eq!(venice_sdk::Paging::default().max_pages(7).get_max_pages(), 7);
    /// ```
    pub fn get_max_pages(&self) -> u64 {
        self.max_pages
    }

    /// The page size to send: the one set here, else `fallback`, checked
    /// against `min..=max` (the spec's range of the parameter `field`).
    pub(crate) fn size_within(
        &self,
        field: &str,
        fallback: u64,
        min: u64,
        max: u64,
    ) -> Result<u64, Error> {
        let size = self.page_size.unwrap_or(fallback);
        if (min..=max).contains(&size) {
            Ok(size)
        } else {
            Err(Error::invalid(
                field,
                format!("must be from {min} to {max} (the page size), got {size}"),
            ))
        }
    }
}

/// Where one page request starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum At {
    /// Skip this many items (`limit`/`offset` walks).
    Offset(u64),
    /// This page number, from 1 (`page`/`pageSize` walks).
    Page(u64),
    /// The first request of a cursor walk, as the caller's query says
    /// (`None`), or the continuation a cursor names.
    Cursor(Option<String>),
}

/// How a walk moves on.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// By offset; a page of fewer than `size` items is the last.
    Offset { size: u64 },
    /// By page number; a page of fewer than `size` items is the last.
    Page { size: u64 },
    /// By the cursor each page names; no cursor, the last page.
    Cursor,
}

/// Why a page stops the walk.
pub(crate) enum Stop {
    /// The page itself cannot be trusted (it repeats an earlier one): its
    /// items are not yielded.
    Before(Error),
    /// The page is good but there is no safe way on: its items are yielded,
    /// then the error.
    After(Error),
}

impl Stop {
    /// The error, whichever it is.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Stop::Before(e) | Stop::After(e) => e,
        }
    }
}

/// The bookkeeping of one walk: no I/O. Ask [`next_request`](Self::next_request)
/// where the next page starts, fetch it, tell [`record_counted`](Self::record_counted)
/// or [`record_cursor`](Self::record_cursor) what came.
pub(crate) struct Walk {
    operation: &'static str,
    kind: Kind,
    next: Option<At>,
    pages: u64,
    max_pages: u64,
    /// Hashes of the cursors sent, or of the pages received (offset and page
    /// walks): 8 bytes a page, whatever the server sends.
    seen: HashSet<u64>,
    hasher: RandomState,
}

impl Walk {
    fn new(operation: &'static str, paging: &Paging, kind: Kind, first: At) -> Walk {
        Walk {
            operation,
            kind,
            next: Some(first),
            pages: 0,
            max_pages: paging.max_pages,
            seen: HashSet::new(),
            hasher: RandomState::new(),
        }
    }

    /// A `limit`/`offset` walk from `start`, `size` items a page.
    pub(crate) fn offsets(operation: &'static str, paging: &Paging, start: u64, size: u64) -> Walk {
        Walk::new(operation, paging, Kind::Offset { size }, At::Offset(start))
    }

    /// A `page`/`pageSize` walk from page 1, `size` items a page.
    pub(crate) fn numbered(operation: &'static str, paging: &Paging, size: u64) -> Walk {
        Walk::new(operation, paging, Kind::Page { size }, At::Page(1))
    }

    /// A cursor walk, starting with the caller's query, which may itself hold
    /// the cursor `start` (a walk resumed).
    pub(crate) fn cursors(operation: &'static str, paging: &Paging, start: Option<&str>) -> Walk {
        let mut walk = Walk::new(operation, paging, Kind::Cursor, At::Cursor(None));
        if let Some(cursor) = start {
            let hash = walk.hasher.hash_one(cursor);
            walk.seen.insert(hash);
        }
        walk
    }

    /// How many pages were requested so far.
    pub(crate) fn pages(&self) -> u64 {
        self.pages
    }

    fn error(&self, reason: String) -> Error {
        Error::Pagination {
            operation: self.operation,
            reason,
        }
    }

    /// Where the next page starts (counted as requested), `None` once the
    /// walk is over, or an [`Error::Pagination`] when it would pass
    /// [`Paging::max_pages`].
    pub(crate) fn next_request(&mut self) -> Result<Option<At>, Error> {
        let Some(at) = self.next.take() else {
            return Ok(None);
        };
        if self.pages >= self.max_pages {
            return Err(self.error(format!(
                "more pages remain after {} pages (Paging::max_pages); raise Paging::max_pages or narrow the query if the list is that long",
                self.max_pages
            )));
        }
        self.pages = self.pages.saturating_add(1);
        Ok(Some(at))
    }

    /// Records a page of an offset or page-number walk requested `at`: an
    /// empty or short page ends the walk; one whose items repeat an earlier
    /// page's would loop, and is refused.
    pub(crate) fn record_counted<T: Serialize>(
        &mut self,
        at: &At,
        items: &[T],
    ) -> Result<(), Stop> {
        let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
        if count == 0 {
            return Ok(());
        }
        // The page's JSON, hashed: a page that is not JSON (never, for
        // generated types) is not compared.
        if let Ok(json) = serde_json::to_vec(items) {
            let hash = self.hasher.hash_one(&json);
            if !self.seen.insert(hash) {
                let (what, parameter) = match self.kind {
                    Kind::Page { .. } => ("page number", "page"),
                    _ => ("offset", "offset"),
                };
                return Err(Stop::Before(self.error(format!(
                    "page {} repeats the items of an earlier page: the server seems to ignore the {what} (`{parameter}`), so walking on would never end; fetch single pages instead, or report it to Venice",
                    self.pages
                ))));
            }
        }
        let next = match (self.kind, at) {
            (Kind::Offset { size }, At::Offset(offset)) if count >= size => {
                match offset.checked_add(count) {
                    Some(next) => Some(At::Offset(next)),
                    None => {
                        return Err(Stop::After(
                            self.error(
                                "the next offset is past the largest number a request can carry"
                                    .to_owned(),
                            ),
                        ));
                    }
                }
            }
            (Kind::Page { size }, At::Page(page)) if count >= size => {
                match page.checked_add(1) {
                    Some(next) => Some(At::Page(next)),
                    None => {
                        return Err(Stop::After(self.error(
                        "the next page number is past the largest number a request can carry"
                            .to_owned(),
                    )));
                    }
                }
            }
            // A short page is the last one.
            _ => None,
        };
        self.next = next;
        Ok(())
    }

    /// Records the cursor a page of a cursor walk named for the next one
    /// (`None` or empty: it was the last). A cursor sent before in this walk
    /// would repeat pages forever, and is refused after the page's items.
    pub(crate) fn record_cursor(&mut self, next: Option<String>) -> Result<(), Stop> {
        let Some(cursor) = next.filter(|c| !c.trim().is_empty()) else {
            self.next = None;
            return Ok(());
        };
        let hash = self.hasher.hash_one(&cursor);
        if !self.seen.insert(hash) {
            return Err(Stop::After(self.error(format!(
                "page {} named a cursor already sent in this walk, so walking on would repeat pages forever; restart the walk (a narrower time window may help), or report it to Venice",
                self.pages
            ))));
        }
        self.next = Some(At::Cursor(Some(cursor)));
        Ok(())
    }
}

/// One page as a fetch returns it: its items, and for a cursor walk the
/// cursor of the next page.
pub(crate) struct Fetched<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_cursor: Option<String>,
}

/// Fetches the page that starts `at`.
type Fetch<'a, T> = Box<dyn FnMut(At) -> BoxFuture<'a, Result<Fetched<T>, Error>> + Send + 'a>;

/// The items of every page of a list, as one [`Stream`] of
/// `Result<T, Error>`.
///
/// Made by `client.characters().list_all(..)`, `reviews_all(..)`,
/// `client.x402().transactions_all(..)` and
/// `client.billing().usage_history_all(..)`. Nothing is sent until the stream
/// is first polled; the next page is fetched only when the caller pulls past
/// the items of the previous one, so dropping the stream stops the walk.
///
/// Ends:
/// - with `None` after the last page: an empty page, a page shorter than the
///   page size (offset and page-number walks), or no next cursor (cursor
///   walks); or after [`Paging::max_items`] items;
/// - with one `Err` and then `None` when a page fails (the error the call
///   would return, after the items of the pages before it; a page is not
///   retried beyond the client's own retries), when a value is refused before
///   sending ([`Error::InvalidRequest`], as the first item), or when the
///   server's pages would never end ([`Error::Pagination`]: a cursor sent
///   twice, a page repeating an earlier one, more than
///   [`Paging::max_pages`] pages).
///
/// A named type rather than `impl Stream`: it can be stored in a struct and
/// named in a signature; it is `Send` and `Unpin`, and its
/// [`next`](Self::next) needs no `futures` import.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// # let client = &client;
/// use venice_sdk::{CharacterFilters, Paging};
///
/// let mut characters = client
///     .characters()
///     .list_all(&CharacterFilters::new().search("philosophy"), Paging::default().max_items(200));
/// while let Some(character) = characters.next().await {
///     println!("{}", character?.name);
/// }
/// # Ok(()) }
/// ```
pub struct Pages<'a, T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>,
}

impl<T> fmt::Debug for Pages<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl<T> Stream for Pages<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<'a, T: Serialize + Send + 'a> Pages<'a, T> {
    /// The next item, or `None` at the end; the same as `StreamExt::next`,
    /// without needing the `futures` crate.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// let mut reviews = client.characters().reviews_all("alan-watts", venice_sdk::Paging::default());
    /// if let Some(first) = reviews.next().await {
    ///     println!("{} stars", first?.rating);
    /// }
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        StreamExt::next(self).await
    }

    /// A stream whose one item is `error` (a value refused before sending).
    pub(crate) fn failed(error: Error) -> Self {
        Pages {
            inner: Box::pin(futures::stream::iter([Err(error)])),
        }
    }

    /// The items of a `limit`/`offset` walk (see [`Walk::offsets`]);
    /// `fetch(offset, limit)` fetches one page.
    pub(crate) fn offsets<F>(walk: Walk, paging: &Paging, mut fetch: F) -> Self
    where
        F: FnMut(u64, u64) -> BoxFuture<'a, Result<Vec<T>, Error>> + Send + 'a,
    {
        let size = match walk.kind {
            Kind::Offset { size } | Kind::Page { size } => size,
            Kind::Cursor => 0,
        };
        Pages::walk(
            walk,
            paging,
            Box::new(move |at| {
                let offset = match at {
                    At::Offset(offset) => offset,
                    _ => 0,
                };
                let page = fetch(offset, size);
                Box::pin(async move {
                    Ok(Fetched {
                        items: page.await?,
                        next_cursor: None,
                    })
                })
            }),
        )
    }

    /// The items of a `page`/`pageSize` walk (see [`Walk::numbered`]);
    /// `fetch(page, page_size)` fetches one page.
    pub(crate) fn numbered<F>(walk: Walk, paging: &Paging, mut fetch: F) -> Self
    where
        F: FnMut(u64, u64) -> BoxFuture<'a, Result<Vec<T>, Error>> + Send + 'a,
    {
        let size = match walk.kind {
            Kind::Offset { size } | Kind::Page { size } => size,
            Kind::Cursor => 0,
        };
        Pages::walk(
            walk,
            paging,
            Box::new(move |at| {
                let page = match at {
                    At::Page(page) => page,
                    _ => 1,
                };
                let page = fetch(page, size);
                Box::pin(async move {
                    Ok(Fetched {
                        items: page.await?,
                        next_cursor: None,
                    })
                })
            }),
        )
    }

    /// The items of a cursor walk (see [`Walk::cursors`]); `fetch(cursor)`
    /// fetches one page (`None`: the first, as the caller's query says) and
    /// its next cursor.
    pub(crate) fn cursors<F>(walk: Walk, paging: &Paging, mut fetch: F) -> Self
    where
        F: FnMut(Option<String>) -> BoxFuture<'a, Result<Fetched<T>, Error>> + Send + 'a,
    {
        Pages::walk(
            walk,
            paging,
            Box::new(move |at| {
                let cursor = match at {
                    At::Cursor(cursor) => cursor,
                    _ => None,
                };
                fetch(cursor)
            }),
        )
    }

    fn walk(walk: Walk, paging: &Paging, fetch: Fetch<'a, T>) -> Self {
        let walker = Walker {
            walk,
            fetch,
            buffered: VecDeque::new(),
            pending: None,
            yielded: 0,
            max_items: paging.max_items,
            done: false,
        };
        let stream = futures::stream::unfold(walker, |mut walker| async move {
            let item = walker.step().await?;
            Some((item, walker))
        });
        Pages {
            inner: Box::pin(stream.fuse()),
        }
    }
}

/// The state of a [`Pages`] stream.
struct Walker<'a, T> {
    walk: Walk,
    fetch: Fetch<'a, T>,
    /// The fetched items not yet yielded.
    buffered: VecDeque<T>,
    /// The error to yield once `buffered` is empty.
    pending: Option<Error>,
    yielded: u64,
    max_items: Option<u64>,
    done: bool,
}

impl<T: Serialize> Walker<'_, T> {
    /// The next item, fetching a page when none is buffered.
    async fn step(&mut self) -> Option<Result<T, Error>> {
        loop {
            if self.done || self.max_items.is_some_and(|max| self.yielded >= max) {
                self.done = true;
                return None;
            }
            if let Some(item) = self.buffered.pop_front() {
                self.yielded = self.yielded.saturating_add(1);
                return Some(Ok(item));
            }
            if let Some(error) = self.pending.take() {
                self.done = true;
                return Some(Err(error));
            }
            let at = match self.walk.next_request() {
                Ok(Some(at)) => at,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
            };
            let page = match (self.fetch)(at.clone()).await {
                Ok(page) => page,
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
            };
            let recorded = match at {
                At::Cursor(_) => self.walk.record_cursor(page.next_cursor),
                _ => self.walk.record_counted(&at, &page.items),
            };
            match recorded {
                Ok(()) => self.buffered.extend(page.items),
                Err(Stop::Before(error)) => {
                    self.done = true;
                    return Some(Err(error));
                }
                Err(Stop::After(error)) => {
                    self.buffered.extend(page.items);
                    self.pending = Some(error);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn collect<T: Serialize + Send>(pages: Pages<'_, T>) -> Vec<Result<T, Error>> {
        futures::executor::block_on(pages.collect::<Vec<_>>())
    }

    /// An offset walk over `total` numbers, counting the requests.
    fn numbers(total: u64, paging: Paging, calls: Arc<AtomicU64>) -> Pages<'static, u64> {
        let size = paging.size_within("limit", 10, 1, 100).unwrap();
        let walk = Walk::offsets("test", &paging, 0, size);
        Pages::offsets(walk, &paging, move |offset, limit| {
            calls.fetch_add(1, Ordering::Relaxed);
            let end = offset.saturating_add(limit).min(total);
            Box::pin(async move { Ok((offset..end).collect()) })
        })
    }

    #[test]
    fn an_offset_walk_ends_on_a_short_or_empty_page() {
        let calls = Arc::new(AtomicU64::new(0));
        let items = collect(numbers(25, Paging::default().page_size(10), calls.clone()));
        let items: Vec<u64> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, (0..25).collect::<Vec<_>>());
        assert_eq!(calls.load(Ordering::Relaxed), 3, "10, 10, then 5 (short)");

        let calls = Arc::new(AtomicU64::new(0));
        let items = collect(numbers(20, Paging::default().page_size(10), calls.clone()));
        assert_eq!(items.len(), 20);
        assert_eq!(
            calls.load(Ordering::Relaxed),
            3,
            "10, 10, then an empty page"
        );
    }

    #[test]
    fn max_items_fetches_no_page_beyond_them() {
        let calls = Arc::new(AtomicU64::new(0));
        let paging = Paging::default().page_size(10).max_items(12);
        let items = collect(numbers(1000, paging, calls.clone()));
        assert_eq!(items.len(), 12);
        assert_eq!(calls.load(Ordering::Relaxed), 2);

        let calls = Arc::new(AtomicU64::new(0));
        let items = collect(numbers(1000, Paging::default().max_items(0), calls.clone()));
        assert!(items.is_empty());
        assert_eq!(calls.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn max_pages_ends_an_endless_walk_with_an_error_after_its_items() {
        let calls = Arc::new(AtomicU64::new(0));
        let paging = Paging::default().page_size(10).max_pages(3);
        let items = collect(numbers(u64::MAX, paging, calls.clone()));
        assert_eq!(items.len(), 31);
        assert!(items[..30].iter().all(Result::is_ok));
        let err = items[30].as_ref().unwrap_err();
        assert!(matches!(err, Error::Pagination { .. }), "{err:?}");
        assert!(err.to_string().contains("max_pages"), "{err}");
        assert_eq!(calls.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_page_size_out_of_range_is_refused() {
        let err = Paging::default()
            .page_size(0)
            .size_within("limit", 10, 1, 100)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { ref field, .. } if field == "limit"));
        assert!(
            Paging::default()
                .page_size(101)
                .size_within("limit", 10, 1, 100)
                .is_err()
        );
        assert_eq!(
            Paging::default().size_within("limit", 10, 1, 100).unwrap(),
            10
        );
    }

    #[test]
    fn a_repeated_page_or_cursor_stops_the_walk() {
        let paging = Paging::default();
        let mut walk = Walk::offsets("test", &paging, 0, 2);
        let at = walk.next_request().unwrap().unwrap();
        walk.record_counted(&at, &[1, 2]).ok().unwrap();
        let at = walk.next_request().unwrap().unwrap();
        assert_eq!(at, At::Offset(2));
        assert!(matches!(
            walk.record_counted(&at, &[1, 2]),
            Err(Stop::Before(_))
        ));

        let mut walk = Walk::cursors("test", &paging, Some("start"));
        walk.next_request().unwrap().unwrap();
        assert!(matches!(
            walk.record_cursor(Some("start".into())),
            Err(Stop::After(_))
        ));
        let mut walk = Walk::cursors("test", &paging, None);
        walk.next_request().unwrap().unwrap();
        walk.record_cursor(Some("a".into())).ok().unwrap();
        assert_eq!(
            walk.next_request().unwrap(),
            Some(At::Cursor(Some("a".into())))
        );
        walk.record_cursor(Some(String::new())).ok().unwrap();
        assert_eq!(
            walk.next_request().unwrap(),
            None,
            "an empty cursor ends it"
        );
    }
}
