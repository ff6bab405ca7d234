//! Augmentation tools: `client.augment()` — scrape a web page, search the web,
//! extract the text of a document.

use super::upload::FileInput;
use crate::meta::JsonOrText;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Augmentation tools: web scraping, web search, document text extraction.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let augment = client.augment();
    /// let found = augment.search(venice_sdk::types::WebSearchRequest::new("rust async runtimes")).await?;
    /// println!("{} results", found.results.len());
    /// # Ok(()) }
    /// ```
    pub fn augment(&self) -> Augment<'_> {
        Augment { client: self }
    }
}

/// Augmentation tools: `client.augment()`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let page = client.augment().scrape(venice_sdk::types::WebScrapeRequest::new("https://example.com/")).await?;
/// println!("{}", page.content);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Augment<'a> {
    pub(crate) client: &'a Client,
}

impl Augment<'_> {
    /// Scrapes the web page at `request.url` and returns its content as
    /// Markdown. Sites that block automated access (X/Twitter, Reddit, …) are
    /// refused with an [`Error::Api`].
    ///
    /// ```
    /// use venice_sdk::types::WebScrapeRequest;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let request = WebScrapeRequest::new("https://example.com/article");
    /// let page = client.augment().scrape(request).await?;
    /// println!("{} ({})\n{}", page.url, page.format, page.content);
    /// # Ok(()) }
    /// ```
    pub async fn scrape(
        &self,
        request: types::WebScrapeRequest,
    ) -> Result<Response<types::WebScrapeResponse>, Error> {
        Call::new(&operations::WEB_SCRAPE)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// Searches the web (Brave by default, or Google, anonymized) and returns
    /// the results: title, URL, snippet and date of each. A `limit` over 20 is
    /// refused before sending ([`Error::InvalidRequest`]).
    ///
    /// ```
    /// use venice_sdk::types::WebSearchRequest;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// let mut request = WebSearchRequest::new("rust async runtimes");
    /// request.limit = std::num::NonZeroU64::new(5);
    /// let found = client.augment().search(request).await?;
    /// for result in &found.results {
    ///     println!("{} — {}", result.title, result.url);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn search(
        &self,
        request: types::WebSearchRequest,
    ) -> Result<Response<types::WebSearchResponse>, Error> {
        Call::new(&operations::WEB_SEARCH)
            .body(&request)?
            .json(self.client.config())
            .await
    }

    /// Extracts the text of a document (PDF, DOCX, PPTX, XLSX, plain text; at
    /// most 25 MB), uploaded as a multipart form.
    ///
    /// `response_format` is `"json"` (the text and its token count,
    /// [`JsonOrText::Json`]) or `"text"` (the text alone, [`JsonOrText::Text`]);
    /// `None` for the API's default, JSON. The answer is read by its media type,
    /// whatever was asked. An empty file is refused before sending
    /// ([`Error::InvalidRequest`]), a file that cannot be read is an
    /// [`Error::Io`], a format Venice cannot read an [`Error::Api`] (400).
    ///
    /// ```
    /// use venice_sdk::JsonOrText;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let venice = venice_testing::OfflineVenice::start().await;
    /// # let client = venice.client();
    /// # let path = std::env::temp_dir().join("notes.txt");
    /// # std::fs::write(&path, "Meeting notes: ship on Friday.")?;
    /// let answer = client.augment().parse_text(path.as_path(), None).await?;
    /// match answer.into_inner() {
    ///     JsonOrText::Json(parsed) => println!("{} tokens:\n{}", parsed.tokens, parsed.text),
    ///     JsonOrText::Text(text) => println!("{text}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn parse_text(
        &self,
        file: impl Into<FileInput>,
        response_format: Option<&str>,
    ) -> Result<Response<JsonOrText<types::TextParserResponse>>, Error> {
        let file = file.into();
        file.check("file")?;
        if let Some(format) = response_format
            && format.trim().is_empty()
        {
            return Err(Error::invalid("response_format", "is empty"));
        }
        let form = || {
            let form = reqwest::multipart::Form::new().part("file", file.part()?);
            Ok(match response_format {
                Some(format) => form.text("response_format", format.to_owned()),
                None => form,
            })
        };
        Call::new(&operations::CREATE_TEXT_PARSER)
            .accept("application/json, text/plain")
            .form(form)
            .json_or_text(self.client.config())
            .await
    }
}
