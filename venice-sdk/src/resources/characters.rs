//! Characters: `client.characters()`.

use crate::shape;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Characters.
    pub fn characters(&self) -> Characters<'_> {
        Characters { client: self }
    }
}

/// Characters: `client.characters()`.
#[derive(Clone, Copy, Debug)]
pub struct Characters<'a> {
    pub(crate) client: &'a Client,
}

impl Characters<'_> {
    /// Lists the public characters, with the API's defaults (the first 50).
    /// [`list_filtered`](Self::list_filtered) searches, filters and pages.
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
    /// ```no_run
    /// # async fn run(client: &venice_sdk::Client) -> Result<(), venice_sdk::Error> {
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

/// What [`Characters::list_filtered`] asks for: every filter starts unset (the
/// API's defaults) and each setter sets one. Array filters are sent as repeated
/// query parameters (`tags=a&tags=b`), as the spec describes them.
///
/// A builder rather than arguments or public fields: eleven optional filters
/// read better by name, and a filter upstream adds becomes one more setter
/// without changing any existing call.
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
    pub fn new() -> Self {
        Self::default()
    }

    /// Searches names, descriptions and tags (`#tag` searches tags), at most
    /// 200 characters.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Only characters with one of these tags (at most 20, each at most 100
    /// characters); adds to the tags set before.
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Only characters of one of these categories (at most 20, each at most 100
    /// characters); adds to the categories set before.
    pub fn categories<S: Into<String>>(mut self, categories: impl IntoIterator<Item = S>) -> Self {
        self.categories
            .extend(categories.into_iter().map(Into::into));
        self
    }

    /// Only characters using one of these models (at most 20 ids, each at most
    /// 200 characters); adds to the models set before.
    pub fn model_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.model_ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only adult characters (`true`) or only the others (`false`).
    pub fn adult(mut self, adult: bool) -> Self {
        self.adult = Some(adult);
        self
    }

    /// Only characters using pro models (`true`) or only the others (`false`).
    pub fn pro(mut self, pro: bool) -> Self {
        self.pro = Some(pro);
        self
    }

    /// Only web-enabled characters (`true`) or only the others (`false`).
    pub fn web_enabled(mut self, web_enabled: bool) -> Self {
        self.web_enabled = Some(web_enabled);
        self
    }

    /// How many characters to return (1 to 100; the API's default is 50).
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many characters to skip, for the next page.
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The sort mode (`featured`, `highestRating`, `imports`, …).
    pub fn sort_by(mut self, sort_by: types::ListCharactersSortBy) -> Self {
        self.sort_by = Some(sort_by);
        self
    }

    /// The order of the sort mode (the API's default is descending).
    pub fn sort_order(mut self, order: types::ListCharactersSortOrder) -> Self {
        self.sort_order = Some(order);
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
