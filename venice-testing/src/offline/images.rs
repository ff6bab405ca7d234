//! `POST /image/generate` (JSON or PNG) and `POST /image/upscale` (multipart).

use std::hash::{DefaultHasher, Hash, Hasher};

use base64::Engine as _;
use serde_json::{Value, json};

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
    if !content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Reply::error(415, "Invalid request content-type");
    }
    let Some(image) = part(body, "image") else {
        return Reply::invalid(json!({"image": {"_errors": ["Required"]}}));
    };
    if image.is_empty() {
        return Reply::invalid(json!({"image": {"_errors": ["Image is empty"]}}));
    }
    let scale = match part(body, "scale") {
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

/// The content of the multipart part named `name`.
pub(crate) fn part<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let marker = format!("name=\"{name}\"");
    let at = find(body, marker.as_bytes())?;
    // The boundary line is the line before the part headers.
    let line_start = body[..at]
        .windows(2)
        .rposition(|w| w == b"\r\n")
        .map_or(0, |i| i + 2);
    let boundary_line_end = line_start.checked_sub(2)?;
    let boundary_line_start = body[..boundary_line_end]
        .windows(2)
        .rposition(|w| w == b"\r\n")
        .map_or(0, |i| i + 2);
    let boundary = &body[boundary_line_start..boundary_line_end];
    let headers_end = at + find(&body[at..], b"\r\n\r\n")? + 4;
    let mut end_marker = b"\r\n".to_vec();
    end_marker.extend_from_slice(boundary);
    let len = find(&body[headers_end..], &end_marker)?;
    Some(&body[headers_end..headers_end + len])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_found() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\nDATA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"scale\"\r\n\r\n4\r\n--XyZ--\r\n";
        assert_eq!(part(body, "image"), Some(&b"PNG\r\nDATA"[..]));
        assert_eq!(part(body, "scale"), Some(&b"4"[..]));
        assert_eq!(part(body, "nope"), None);
        assert_eq!(part(b"garbage", "image"), None);
    }

    #[test]
    fn generated_sides_are_small() {
        assert_eq!(small(1024), 64);
        assert_eq!(small(64), 8);
        assert_eq!(small(1280), 80);
    }
}
