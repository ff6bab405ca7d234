//! Structured output: ask for JSON of your own type and get the value back.
//!
//! ```sh
//! cargo run --example structured
//! ```

use serde::Deserialize;
use venice_sdk::types::ChatCompletionRequest;
use venice_sdk::{Capability, Client, Message};

/// Any error of the example.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What we want back: the derive gives the schema, serde reads the answer.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Recipe {
    /// The dish.
    pub title: String,
    /// How long it takes, in minutes.
    pub minutes: u32,
    /// The ingredients, with their quantities.
    pub ingredients: Vec<Ingredient>,
    /// Anything worth knowing; may be absent.
    pub tip: Option<String>,
}

/// One ingredient.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Ingredient {
    /// Its name.
    pub name: String,
    /// How much, with the unit.
    pub quantity: String,
}

/// Asks a model that supports response schemas for a recipe; returns it.
pub async fn run(client: &Client) -> Result<Recipe, BoxError> {
    let model = client
        .models()
        .pick(&[Capability::ResponseSchema])
        .await?
        .ok_or("no model supports response schemas")?;
    let request = ChatCompletionRequest::new(
        model,
        [Message::user("A quick recipe for pancakes, for two.")],
    );
    let recipe = client.chat().parse::<Recipe>(request).await?.value;
    println!("{} ({} min)", recipe.title, recipe.minutes);
    for i in &recipe.ingredients {
        println!("- {}: {}", i.name, i.quantity);
    }
    if let Some(tip) = &recipe.tip {
        println!("tip: {tip}");
    }
    Ok(recipe)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    venice_testing::run_example(async |client| run(client).await.map(|_| ())).await
}
