//! Characters: `client.characters()`.

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
    /// Lists the public characters.
    pub async fn list(&self) -> Result<Response<types::ListCharactersResponse>, Error> {
        Call::new(&operations::LIST_CHARACTERS)
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
