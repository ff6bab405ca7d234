//! `POST /image/generate` (JSON or PNG), `POST /images/generations` (the
//! OpenAI-compatible form), `POST /image/upscale` (multipart), and `POST
//! /image/edit`, `/image/multi-edit` and `/image/background-remove` (an image
//! by URL or base64 in JSON, or uploaded).

use std::hash::{DefaultHasher, Hash, Hasher};

use base64::Engine as _;
use serde_json::{Value, json};

use super::form::{self, Form};
use super::{Reply, State, catalog};
use crate::{fixtures, png, util};

/// Largest side of a generated image: the offline Venice draws small pictures
/// (a requested 1024 × 1024 comes back as 64 × 64) so tests stay fast.
const MAX_SIDE: u64 = 80;

pub(crate) fn generate(state: &State, body: &Value) -> Reply {
    let Some(model_name) = body.get("model").and_then(Value::as_str) else {
        return Reply::invalid(json!({"model": {"_errors": ["Required"]}}));
    };
    let prompt = match body.get("prompt").and_then(Value::as_str) {
        Some(p) if !p.trim().is_empty() && p.chars().count() <= 1500 => p,
        Some(_) => {
            return Reply::invalid(
                json!({"prompt": {"_errors": ["String must contain between 1 and 1500 character(s)"]}}),
            );
        }
        None => return Reply::invalid(json!({"prompt": {"_errors": ["Required"]}})),
    };
    let Some(model) = catalog::resolve(model_name, "image") else {
        return Reply::error(
            404,
            &format!(
                "Specified model not found: {model_name} (the offline Venice has {})",
                catalog::ids("image").join(", ")
            ),
        );
    };
    let side = |key: &str| body.get(key).and_then(Value::as_u64).unwrap_or(1024);
    let (width, height) = (side("width"), side("height"));
    for (key, value) in [("width", width), ("height", height)] {
        if value == 0 || value > 1280 {
            return Reply::invalid(
                json!({key: {"_errors": ["Number must be less than or equal to 1280"]}}),
            );
        }
    }
    if let Some(style) = body.get("style_preset").and_then(Value::as_str)
        && !catalog::STYLES.contains(&style)
    {
        return Reply::invalid(
            json!({"style_preset": {"_errors": [format!("Invalid style preset: {style}")]}}),
        );
    }

    let mut hasher = DefaultHasher::new();
    prompt.hash(&mut hasher);
    body.get("seed").map(Value::to_string).hash(&mut hasher);
    let image = fixtures::gradient_png(small(width), small(height), hasher.finish());
    let n = state.next_id();
    let flags = [
        ("x-venice-is-blurred", "false"),
        ("x-venice-is-content-violation", "false"),
    ];
    if body.get("return_binary").and_then(Value::as_bool) == Some(true) {
        return Reply::bytes("image/png", image)
            .with_headers(&flags)
            .with_cost(0.01);
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&image);
    let body = json!({
        "id": format!("generate-image-{}", util::hex(state.seed, n, 12)),
        "images": [encoded],
        "request": {
            "model": model.id,
            "prompt": prompt,
            "width": width,
            "height": height,
            "style_preset": body.get("style_preset"),
            "negative_prompt": body.get("negative_prompt"),
            "seed": body.get("seed"),
            "steps": body.get("steps").cloned().unwrap_or(json!(25)),
        },
        "timing": {
            "inferenceDuration": 1843,
            "inferencePreprocessingTime": 12,
            "inferenceQueueTime": 95,
            "total": 1950
        }
    });
    Reply::json(200, &body).with_headers(&flags).with_cost(0.01)
}

fn small(side: u64) -> u32 {
    u32::try_from((side / 16).clamp(8, MAX_SIDE)).unwrap_or(8)
}

pub(crate) fn upscale(_state: &State, content_type: &str, body: &[u8]) -> Reply {
    let form = match Form::read(content_type, body) {
        Ok(form) => form,
        Err(reply) => return reply,
    };
    let Some(image) = form.part("image") else {
        return Reply::invalid(json!({"image": {"_errors": ["Required"]}}));
    };
    if image.is_empty() {
        return Reply::invalid(json!({"image": {"_errors": ["Image is empty"]}}));
    }
    let scale = match form.part("scale") {
        None => 2.0,
        Some(raw) => match std::str::from_utf8(raw)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
        {
            Some(s) if s > 1.0 && s <= 4.0 => s,
            _ => {
                return Reply::invalid(
                    json!({"scale": {"_errors": ["Number must be greater than 1 and less than or equal to 4"]}}),
                );
            }
        },
    };
    let (width, height) = png::dimensions(image).unwrap_or((64, 64));
    let scaled = |side: u32| {
        // Saturating float-to-int conversion; the result is clamped anyway.
        let side = (f64::from(side) * scale).round() as u32;
        side.clamp(1, 256)
    };
    let mut hasher = DefaultHasher::new();
    image.hash(&mut hasher);
    let out = fixtures::gradient_png(scaled(width), scaled(height), hasher.finish());
    Reply::bytes("image/png", out).with_cost(0.01)
}

/// The models `/image/edit` and `/image/multi-edit` take.
const EDIT_MODELS: &[&str] = &[
    "firered-image-edit",
    "qwen-edit",
    "grok-imagine-edit",
    "grok-imagine-quality-edit",
    "qwen-image-2-edit",
    "qwen-image-2-pro-edit",
    "wan-2-7-pro-edit",
    "flux-2-max-edit",
    "gpt-image-2-edit",
    "gpt-image-1-5-edit",
    "nano-banana-2-edit",
    "nano-banana-pro-edit",
    "seedream-v5-lite-edit",
    "seedream-v4-edit",
];

/// Largest side of an edited image (the input's size, capped so tests stay fast).
const MAX_EDIT_SIDE: u32 = 256;

/// A request body of an operation taking JSON or multipart form data: JSON
/// fields, or the form's text fields and files.
enum Body {
    Json(Value),
    Form(Form),
}

impl Body {
    fn read(content_type: &str, body: &[u8]) -> Result<Body, Reply> {
        let ct = content_type.trim_start().to_ascii_lowercase();
        if form::is_multipart(&ct) {
            Form::read(content_type, body).map(Body::Form)
        } else if ct.starts_with("application/json") {
            serde_json::from_slice(body).map(Body::Json).map_err(|e| {
                Reply::invalid(json!({"_errors": [format!("Invalid JSON body: {e}")]}))
            })
        } else {
            Err(Reply::error(415, "Invalid request content-type"))
        }
    }

    /// A text field.
    fn text(&self, name: &str) -> Option<String> {
        match self {
            Body::Json(v) => v.get(name).and_then(Value::as_str).map(str::to_owned),
            Body::Form(form) => form.text(name).map(str::to_owned),
        }
    }
}

/// An image as sent: its bytes (uploaded, or decoded from base64 or a data
/// URL), or a URL the offline Venice cannot fetch (it draws from the URL).
enum Image {
    Data(Vec<u8>),
    Url(String),
}

impl Image {
    /// An image given as text in JSON.
    fn from_text(text: &str) -> Option<Image> {
        let text = text.trim();
        if text.starts_with("https://") || text.starts_with("http://") {
            return Some(Image::Url(text.to_owned()));
        }
        let data = match text.strip_prefix("data:") {
            Some(rest) => rest.split_once(";base64,")?.1,
            None => text,
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        (!bytes.is_empty()).then_some(Image::Data(bytes))
    }

    /// A seed for the colours of what is drawn from it.
    fn seed(&self, prompt: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        prompt.hash(&mut hasher);
        match self {
            Image::Data(bytes) => bytes.hash(&mut hasher),
            Image::Url(url) => url.hash(&mut hasher),
        }
        hasher.finish()
    }

    /// Its size if it is a PNG (else 64 × 64), capped at [`MAX_EDIT_SIDE`].
    fn size(&self) -> (u32, u32) {
        let (w, h) = match self {
            Image::Data(bytes) => png::dimensions(bytes).unwrap_or((64, 64)),
            Image::Url(_) => (64, 64),
        };
        (w.clamp(1, MAX_EDIT_SIDE), h.clamp(1, MAX_EDIT_SIDE))
    }
}

/// The images of `field`: JSON text (one, or a list with `list`) or uploaded files.
fn images(body: &Body, field: &str, list: bool) -> Result<Vec<Image>, Reply> {
    let invalid = |message: &str| Reply::invalid(json!({field: {"_errors": [message]}}));
    match body {
        Body::Form(form) => {
            let files = form.parts(field);
            if files.iter().any(|f| f.is_empty()) {
                return Err(invalid("Image is empty"));
            }
            Ok(files.into_iter().map(|f| Image::Data(f.to_vec())).collect())
        }
        Body::Json(v) => {
            let texts: Vec<&Value> = match v.get(field) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) if list => items.iter().collect(),
                Some(one) if !list => vec![one],
                Some(_) => return Err(invalid("Expected array")),
            };
            texts
                .into_iter()
                .map(|t| {
                    t.as_str().and_then(Image::from_text).ok_or_else(|| {
                        invalid("Invalid image: expected base64 data, a data URL or an http(s) URL")
                    })
                })
                .collect()
        }
    }
}

/// The prompt of an edit (1 to 32,768 characters).
fn edit_prompt(body: &Body) -> Result<String, Reply> {
    match body.text("prompt") {
        Some(p) if !p.trim().is_empty() && p.chars().count() <= 32_768 => Ok(p),
        Some(_) => Err(Reply::invalid(
            json!({"prompt": {"_errors": ["String must contain between 1 and 32768 character(s)"]}}),
        )),
        None => Err(Reply::invalid(json!({"prompt": {"_errors": ["Required"]}}))),
    }
}

/// The editing model: `model`, else `modelId`, else the default.
fn edit_model(body: &Body) -> Result<&'static str, Reply> {
    let name = body
        .text("model")
        .or_else(|| body.text("modelId"))
        .unwrap_or_else(|| EDIT_MODELS[0].to_owned());
    EDIT_MODELS
        .iter()
        .find(|m| **m == name)
        .copied()
        .ok_or_else(|| {
            Reply::error(
                404,
                &format!(
                    "Specified model not found: {name} (the offline Venice edits with {})",
                    EDIT_MODELS.join(", ")
                ),
            )
        })
}

/// An edited image: a gradient the size of `base`, its colours from the
/// prompt and every input. Always a PNG (the offline Venice encodes no JPEG
/// or WebP), whatever `output_format` asked.
fn edited(base: &Image, seed: u64, model: &str) -> Reply {
    let (w, h) = base.size();
    Reply::bytes("image/png", fixtures::gradient_png(w, h, seed))
        .with_headers(&[
            ("x-venice-is-content-violation", "false"),
            ("x-venice-model-id", model),
            ("x-venice-model-name", model),
        ])
        .with_cost(0.04)
}

/// The answer to a multipart (or JSON) body, or the error reading it.
fn with_form(
    content_type: &str,
    body: &[u8],
    answer: impl FnOnce(&Body) -> Result<Reply, Reply>,
) -> Reply {
    match Body::read(content_type, body) {
        Ok(body) => answer(&body).unwrap_or_else(|reply| reply),
        Err(reply) => reply,
    }
}

pub(crate) fn edit(_state: &State, content_type: &str, body: &[u8]) -> Reply {
    with_form(content_type, body, |body| {
        let prompt = edit_prompt(body)?;
        let model = edit_model(body)?;
        let image = images(body, "image", false)?
            .into_iter()
            .next()
            .ok_or_else(|| Reply::invalid(json!({"image": {"_errors": ["Required"]}})))?;
        let seed = image.seed(&prompt);
        Ok(edited(&image, seed, model))
    })
}

pub(crate) fn multi_edit(_state: &State, content_type: &str, body: &[u8]) -> Reply {
    with_form(content_type, body, |body| {
        let prompt = edit_prompt(body)?;
        let model = edit_model(body)?;
        let images = images(body, "images", true)?;
        if images.is_empty() || images.len() > 3 {
            return Err(Reply::invalid(json!({"images": {"_errors": [
                "Array must contain between 1 and 3 element(s)"
            ]}})));
        }
        let seed = images
            .iter()
            .fold(0u64, |acc, image| acc.rotate_left(7) ^ image.seed(&prompt));
        Ok(edited(&images[0], seed, model))
    })
}

pub(crate) fn remove_background(_state: &State, content_type: &str, body: &[u8]) -> Reply {
    with_form(content_type, body, |body| {
        let mut found = images(body, "image", false)?;
        if let Some(url) = body.text("image_url") {
            match Image::from_text(&url) {
                Some(image @ Image::Url(_)) => found.push(image),
                _ => {
                    return Err(Reply::invalid(
                        json!({"image_url": {"_errors": ["Invalid url"]}}),
                    ));
                }
            }
        }
        let image = match found.len() {
            1 => found.remove(0),
            0 => {
                return Err(Reply::invalid(
                    json!({"_errors": ["Either image or image_url is required"]}),
                ));
            }
            _ => {
                return Err(Reply::invalid(
                    json!({"_errors": ["Provide either image or image_url, not both"]}),
                ));
            }
        };
        let (w, h) = image.size();
        let [r, g, b, ..] = image.seed("").to_le_bytes();
        // The subject: an ellipse in the middle; around it, transparency.
        let png = png::encode_rgba(w, h, move |x, y| {
            let dx = (f64::from(x) + 0.5) / f64::from(w) - 0.5;
            let dy = (f64::from(y) + 0.5) / f64::from(h) - 0.5;
            let inside = dx * dx / 0.16 + dy * dy / 0.16 <= 1.0;
            if inside { [r, g, b, 255] } else { [0, 0, 0, 0] }
        });
        Ok(Reply::bytes("image/png", png).with_cost(0.02))
    })
}

pub(crate) fn generations(_state: &State, body: &Value) -> Reply {
    let prompt = match body.get("prompt").and_then(Value::as_str) {
        Some(p) if !p.trim().is_empty() && p.chars().count() <= 1500 => p,
        Some(_) => {
            return Reply::invalid(
                json!({"prompt": {"_errors": ["String must contain between 1 and 1500 character(s)"]}}),
            );
        }
        None => return Reply::invalid(json!({"prompt": {"_errors": ["Required"]}})),
    };
    if body
        .get("n")
        .and_then(Value::as_u64)
        .is_some_and(|n| n != 1)
    {
        return Reply::invalid(json!({"n": {"_errors": ["Number must be equal to 1"]}}));
    }
    // An unknown model (an OpenAI name) is Venice's default image model.
    let name = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let model =
        catalog::resolve(name, "image").or_else(|| catalog::resolve("venice-sd35", "image"));
    let (width, height) = match body.get("size").and_then(Value::as_str) {
        None | Some("auto") => (1024, 1024),
        Some(size) => match size
            .split_once('x')
            .and_then(|(w, h)| Some((w.parse::<u64>().ok()?, h.parse::<u64>().ok()?)))
        {
            Some(wh) => wh,
            None => {
                return Reply::invalid(
                    json!({"size": {"_errors": [format!("Invalid enum value: {size}")]}}),
                );
            }
        },
    };
    let mut hasher = DefaultHasher::new();
    prompt.hash(&mut hasher);
    model.map(|m| m.id).hash(&mut hasher);
    let image = fixtures::gradient_png(small(width), small(height), hasher.finish());
    let encoded = base64::engine::general_purpose::STANDARD.encode(&image);
    let item = match body.get("response_format").and_then(Value::as_str) {
        None | Some("b64_json") => json!({"b64_json": encoded}),
        Some("url") => json!({"url": format!("data:image/png;base64,{encoded}")}),
        Some(other) => {
            return Reply::invalid(json!({"response_format": {"_errors": [
                format!("Invalid enum value. Expected 'b64_json' | 'url', received '{other}'")
            ]}}));
        }
    };
    Reply::json(200, &json!({"created": util::unix_now(), "data": [item]}))
        .with_headers(&[
            ("x-venice-is-blurred", "false"),
            ("x-venice-is-content-violation", "false"),
        ])
        .with_cost(0.01)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_read_from_base64_data_urls_and_urls() {
        assert!(matches!(
            Image::from_text("https://example.com/a.png"),
            Some(Image::Url(_))
        ));
        let png = fixtures::gradient_png(10, 12, 1);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        let data = Image::from_text(&format!("data:image/png;base64,{b64}")).unwrap();
        assert_eq!(data.size(), (10, 12));
        assert!(matches!(Image::from_text(&b64), Some(Image::Data(_))));
        assert!(Image::from_text("not base64!").is_none());
        assert!(Image::from_text("").is_none());
    }

    #[test]
    fn generated_sides_are_small() {
        assert_eq!(small(1024), 64);
        assert_eq!(small(64), 8);
        assert_eq!(small(1280), 80);
    }
}
