//! Characters: `client.characters()`.

use crate::paginate::{Pages, Paging, Walk};
use crate::shape;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

/// The largest page the spec allows for characters (`limit`) and reviews
/// (`pageSize`): what a walk asks for unless told otherwise.
const MAX_PAGE: u64 = 100;

impl Client {
    /// Characters.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let characters = client.characters();
    /// let alan = characters.get("alan-watts").await?;
    /// println!("{}: {:?}", alan.data.name, alan.data.description);
    /// # Ok(()) }
    /// ```
    pub fn characters(&self) -> Characters<'_> {
        Characters { client: self }
    }
}

/// Characters: `client.characters()`.
///
/// ```
/// use venice_sdk::{Message, VeniceParameters, types::ChatCompletionRequest};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let first = client.characters().list().await?.into_inner().data.remove(0);
/// let request = ChatCompletionRequest::new(first.model_id.as_str(), [Message::user("Hello!")])
///     .with_venice_parameters(VeniceParameters::new().character(first.slug));
/// println!("{}", client.chat().create(request).await?.text().unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Characters<'a> {
    pub(crate) client: &'a Client,
}

impl Characters<'_> {
    /// Lists the public characters, with the API's defaults (the first 50).
    /// [`list_filtered`](Self::list_filtered) searches, filters and pages.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let characters = client.characters().list().await?;
    /// for character in &characters.data {
    ///     println!("{} ({}): {:?}", character.name, character.slug, character.tags);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<Response<types::ListCharactersResponse>, Error> {
        self.list_filtered(&CharacterFilters::new()).await
    }

    /// Lists the public characters that match `filters` (search text, tags,
    /// categories, models, flags, sort order, page).
    ///
    /// A value longer than the spec allows (search 200 characters, a tag or
    /// category 100, a model id 200) is refused before sending
    /// ([`Error::InvalidRequest`] naming it, as `tags[1]`); a value the server
    /// rejects otherwise (more than 20 tags, `limit` over 100) is
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// use venice_sdk::CharacterFilters;
    /// let filters = CharacterFilters::new().tags(["Philosophy", "History"]).adult(false).limit(10);
    /// let characters = client.characters().list_filtered(&filters).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_filtered(
        &self,
        filters: &CharacterFilters,
    ) -> Result<Response<types::ListCharactersResponse>, Error> {
        filters.check()?;
        Call::new(&operations::LIST_CHARACTERS)
            .query_each("categories", &filters.categories)
            .query_opt("isAdult", filters.adult)
            .query_opt("isPro", filters.pro)
            .query_opt("isWebEnabled", filters.web_enabled)
            .query_opt("limit", filters.limit)
            .query_each("modelId", &filters.model_ids)
            .query_opt("offset", filters.offset)
            .query_opt("search", filters.search.as_deref())
            .query_opt("sortBy", filters.sort_by.as_ref())
            .query_opt("sortOrder", filters.sort_order.as_ref())
            .query_each("tags", &filters.tags)
            .json(self.client.config())
            .await
    }

    /// The character with this slug (`venice`, …); an unknown slug is
    /// [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let character = client.characters().get("alan-watts").await?;
    /// println!("{} talks through {}", character.data.name, character.data.model_id);
    /// # Ok(()) }
    /// ```
    pub async fn get(
        &self,
        slug: &str,
    ) -> Result<Response<types::GetCharacterBySlugResponse>, Error> {
        Call::new(&operations::GET_CHARACTER_BY_SLUG)
            .path("slug", slug)
            .json(self.client.config())
            .await
    }

    /// The reviews of the character with this slug, one page at a time (`page`
    /// from 1, `page_size` per page; `None` for the API's defaults).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let reviews = client.characters().reviews("alan-watts", Some(1), Some(20)).await?;
    /// for review in &reviews.data {
    ///     println!("{}★ {}: {:?}", review.rating, review.username, review.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn reviews(
        &self,
        slug: &str,
        page: Option<u64>,
        page_size: Option<u64>,
    ) -> Result<Response<types::GetCharacterReviewsResponse>, Error> {
        Call::new(&operations::GET_CHARACTER_REVIEWS)
            .path("slug", slug)
            .query_opt("page", page)
            .query_opt("pageSize", page_size)
            .json(self.client.config())
            .await
    }
}

impl<'a> Characters<'a> {
    /// Every public character that matches `filters`, as one stream: pages of
    /// `limit`/`offset`, each fetched when the caller pulls past the previous
    /// one (see [`Pages`] for how the stream ends).
    ///
    /// The page size is `paging`'s, else the filters' `limit`, else 100 (1 to
    /// 100); the walk starts at the filters' `offset` (else 0). A value the
    /// spec refuses is the stream's one item ([`Error::InvalidRequest`]), and
    /// nothing is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// use venice_sdk::{CharacterFilters, Paging};
    ///
    /// let filters = CharacterFilters::new().tags(["Philosophy"]).adult(false);
    /// let mut characters = client.characters().list_all(&filters, Paging::default().page_size(50));
    /// while let Some(character) = characters.next().await {
    ///     let character = character?;
    ///     println!("{} ({})", character.name, character.slug);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        &self,
        filters: &CharacterFilters,
        paging: Paging,
    ) -> Pages<'a, types::ListCharactersResponseDataItem> {
        let size = match paging.size_within("limit", filters.limit.unwrap_or(MAX_PAGE), 1, MAX_PAGE)
        {
            Ok(size) => size,
            Err(e) => return Pages::failed(e),
        };
        if let Err(e) = filters.check() {
            return Pages::failed(e);
        }
        let op = &operations::LIST_CHARACTERS;
        let walk = Walk::offsets(op.id, &paging, filters.offset.unwrap_or(0), size);
        let client = self.client;
        let filters = filters.clone();
        Pages::offsets(walk, &paging, move |offset, limit| {
            let filters = filters.clone().limit(limit).offset(offset);
            Box::pin(async move {
                let page = client.characters().list_filtered(&filters).await?;
                Ok(page.into_inner().data)
            })
        })
    }

    /// Every review of the character with this slug, as one stream: pages of
    /// `page`/`pageSize`, each fetched when the caller pulls past the
    /// previous one (see [`Pages`] for how the stream ends). The page size is
    /// `paging`'s, else 100 (1 to 100). An unknown slug is the stream's one
    /// item, [`ApiErrorKind::NotFound`](crate::ApiErrorKind::NotFound).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let client = &client;
    /// let mut reviews = client.characters().reviews_all("alan-watts", venice_sdk::Paging::default());
    /// let mut stars = Vec::new();
    /// while let Some(review) = reviews.next().await {
    ///     stars.push(review?.rating as f64);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn reviews_all(
        &self,
        slug: &str,
        paging: Paging,
    ) -> Pages<'a, types::GetCharacterReviewsResponseDataItem> {
        let size = match paging.size_within("pageSize", MAX_PAGE, 1, MAX_PAGE) {
            Ok(size) => size,
            Err(e) => return Pages::failed(e),
        };
        let op = &operations::GET_CHARACTER_REVIEWS;
        let walk = Walk::numbered(op.id, &paging, size);
        let client = self.client;
        let slug = slug.to_owned();
        Pages::numbered(walk, &paging, move |page, page_size| {
            let slug = slug.clone();
            Box::pin(async move {
                let answer = client
                    .characters()
                    .reviews(&slug, Some(page), Some(page_size))
                    .await?;
                Ok(answer.into_inner().data)
            })
        })
    }
}

/// What [`Characters::list_filtered`] asks for: every filter starts unset (the
/// API's defaults) and each setter sets one. Array filters are sent as repeated
/// query parameters (`tags=a&tags=b`), as the spec describes them.
///
/// A builder rather than arguments or public fields: eleven optional filters
/// read better by name, and a filter upstream adds becomes one more setter
/// without changing any existing call.
///
/// ```
/// use venice_sdk::CharacterFilters;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let filters = CharacterFilters::new().search("philosopher").adult(false).limit(10);
/// let found = client.characters().list_filtered(&filters).await?;
/// println!("{} found", found.data.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CharacterFilters {
    search: Option<String>,
    tags: Vec<String>,
    categories: Vec<String>,
    model_ids: Vec<String>,
    adult: Option<bool>,
    pro: Option<bool>,
    web_enabled: Option<bool>,
    limit: Option<u64>,
    offset: Option<u64>,
    sort_by: Option<types::ListCharactersSortBy>,
    sort_order: Option<types::ListCharactersSortOrder>,
}

impl CharacterFilters {
    /// No filter: the API's defaults.
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let all = client.characters().list_filtered(&CharacterFilters::new()).await?;
    /// println!("{} characters", all.data.len());
    /// # Ok(()) }
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Searches names, descriptions and tags (`#tag` searches tags), at most
    /// 200 characters.
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let filters = CharacterFilters::new().search("philosopher");
    /// let found = client.characters().list_filtered(&filters).await?;
    /// println!("{} found", found.data.len());
    /// # Ok(()) }
    /// ```
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Only characters with one of these tags (at most 20, each at most 100
    /// characters); adds to the tags set before.
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let filters = CharacterFilters::new().tags(["Philosophy", "History"]);
    /// # let _ = filters;
    /// ```
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Only characters of one of these categories (at most 20, each at most 100
    /// characters); adds to the categories set before.
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let filters = CharacterFilters::new().categories(["philosophy"]);
    /// # let _ = filters;
    /// ```
    pub fn categories<S: Into<String>>(mut self, categories: impl IntoIterator<Item = S>) -> Self {
        self.categories
            .extend(categories.into_iter().map(Into::into));
        self
    }

    /// Only characters using one of these models (at most 20 ids, each at most
    /// 200 characters); adds to the models set before.
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let filters = CharacterFilters::new().model_ids(["venice-uncensored", "llama-3.3-70b"]);
    /// # let _ = filters;
    /// ```
    pub fn model_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.model_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only adult characters (`true`) or only the others (`false`).
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let safe_for_work = CharacterFilters::new().adult(false);
    /// # let _ = safe_for_work;
    /// ```
    pub fn adult(mut self, adult: bool) -> Self {
        self.adult = Some(adult);
        self
    }

    /// Only characters using pro models (`true`) or only the others (`false`).
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let free_tier = CharacterFilters::new().pro(false);
    /// # let _ = free_tier;
    /// ```
    pub fn pro(mut self, pro: bool) -> Self {
        self.pro = Some(pro);
        self
    }

    /// Only web-enabled characters (`true`) or only the others (`false`).
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let searching_the_web = CharacterFilters::new().web_enabled(true);
    /// # let _ = searching_the_web;
    /// ```
    pub fn web_enabled(mut self, web_enabled: bool) -> Self {
        self.web_enabled = Some(web_enabled);
        self
    }

    /// How many characters to return (1 to 100; the API's default is 50).
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let first_ten = client.characters().list_filtered(&CharacterFilters::new().limit(10)).await?;
    /// assert!(first_ten.data.len() <= 10);
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many characters to skip, for the next page.
    ///
    /// ```
    /// use venice_sdk::CharacterFilters;
    ///
    /// let second_page = CharacterFilters::new().limit(10).offset(10);
    /// # let _ = second_page;
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The sort mode (`featured`, `highestRating`, `imports`, …).
    ///
    /// ```
    /// use venice_sdk::{CharacterFilters, types::{ListCharactersSortBy, ListCharactersSortOrder}};
    ///
    /// let best_first = CharacterFilters::new()
    ///     .sort_by(ListCharactersSortBy::from("highestRating"))
    ///     .sort_order(ListCharactersSortOrder::from("desc"));
    /// # let _ = best_first;
    /// ```
    pub fn sort_by(mut self, sort_by: impl Into<types::ListCharactersSortBy>) -> Self {
        self.sort_by = Some(sort_by.into());
        self
    }

    /// The order of the sort mode (the API's default is descending).
    ///
    /// ```
    /// use venice_sdk::{CharacterFilters, types::{ListCharactersSortBy, ListCharactersSortOrder}};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let filters = CharacterFilters::new()
    ///     .sort_by(ListCharactersSortBy::from("mostRecent"))
    ///     .sort_order(ListCharactersSortOrder::from("asc"));
    /// let oldest_first = client.characters().list_filtered(&filters).await?;
    /// # let _ = oldest_first;
    /// # Ok(()) }
    /// ```
    pub fn sort_order(mut self, order: impl Into<types::ListCharactersSortOrder>) -> Self {
        self.sort_order = Some(order.into());
        self
    }

    /// Checks the values against the spec's length rules, through the
    /// generated parameter types (which carry them), read from JSON: no trait
    /// only a constrained string has is needed.
    fn check(&self) -> Result<(), Error> {
        fn each<T: serde::de::DeserializeOwned>(
            field: &str,
            values: &[String],
        ) -> Result<(), Error> {
            for (i, value) in values.iter().enumerate() {
                shape::convert::<T>(&format!("{field}[{i}]"), value)?;
            }
            Ok(())
        }
        if let Some(search) = &self.search {
            shape::convert::<types::ListCharactersSearch>("search", search)?;
        }
        each::<types::ListCharactersTagsItem>("tags", &self.tags)?;
        each::<types::ListCharactersCategoriesItem>("categories", &self.categories)?;
        each::<types::ListCharactersModelIdItem>("modelId", &self.model_ids)?;
        if self.limit == Some(0) {
            return Err(Error::invalid("limit", "must be at least 1"));
        }
        Ok(())
    }
}
