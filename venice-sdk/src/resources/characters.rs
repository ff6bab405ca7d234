//! Characters: `client.characters()`.

use crate::{Client, Error, Response, operations, types};

use super::get;

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
        get(self.client, &operations::LIST_CHARACTERS, &[]).await
    }
}
