//! What the offline Venice knows: models, traits, OpenAI name mappings, image
//! styles and characters.

use serde_json::{Map, Value, json};
use venice_sdk::operations;

/// A model of the offline catalog.
pub(crate) struct Model {
    pub id: &'static str,
    /// One of the spec's model types: `text`, `image`, `asr`, `embedding`,
    /// `music`, `tts`, `upscale`, `inpaint` or `video`.
    pub kind: &'static str,
    pub traits: &'static [&'static str],
    pub context_tokens: u32,
    /// Thinks out loud (`reasoning_content`).
    pub reasoning: bool,
    pub function_calling: bool,
    pub web_search: bool,
    pub vision: bool,
    pub code: bool,
    /// Runs in a TEE and takes end-to-end encrypted chat (`supportsE2EE`,
    /// `supportsTeeAttestation`).
    pub e2ee: bool,
    pub source: &'static str,
}

const fn text(
    id: &'static str,
    traits: &'static [&'static str],
    context_tokens: u32,
    reasoning: bool,
    vision: bool,
    source: &'static str,
) -> Model {
    Model {
        id,
        kind: "text",
        traits,
        context_tokens,
        reasoning,
        function_calling: true,
        web_search: true,
        vision,
        code: false,
        e2ee: false,
        source,
    }
}

const fn image(id: &'static str, traits: &'static [&'static str], source: &'static str) -> Model {
    Model {
        id,
        kind: "image",
        traits,
        context_tokens: 0,
        reasoning: false,
        function_calling: false,
        web_search: false,
        vision: false,
        code: false,
        e2ee: false,
        source,
    }
}

/// A model of a kind other than text or image (speech, embeddings, jobs, …).
const fn other(id: &'static str, kind: &'static str, source: &'static str) -> Model {
    Model {
        kind,
        ..image(id, &[], source)
    }
}

/// The model types of the spec's `GET /models?type=` enum (`all` and `code`
/// besides).
pub(crate) const KINDS: &[&str] = &[
    "asr",
    "embedding",
    "image",
    "music",
    "text",
    "tts",
    "upscale",
    "inpaint",
    "video",
];

/// Every model, text first.
pub(crate) const MODELS: &[Model] = &[
    text(
        "llama-3.3-70b",
        &["default", "function_calling_default"],
        65_536,
        false,
        false,
        "https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct",
    ),
    text(
        "llama-3.2-3b",
        &["fastest"],
        131_072,
        false,
        false,
        "https://huggingface.co/meta-llama/Llama-3.2-3B",
    ),
    text(
        "qwen3-4b",
        &["default_reasoning"],
        40_960,
        true,
        false,
        "https://huggingface.co/Qwen/Qwen3-4B",
    ),
    text(
        "qwen3-235b",
        &["most_intelligent"],
        131_072,
        true,
        false,
        "https://huggingface.co/Qwen/Qwen3-235B-A22B",
    ),
    text(
        "mistral-31-24b",
        &["default_vision"],
        131_072,
        false,
        true,
        "https://huggingface.co/mistralai/Mistral-Small-3.1-24B-Instruct-2503",
    ),
    text(
        "venice-uncensored",
        &["most_uncensored"],
        32_768,
        false,
        false,
        "https://huggingface.co/cognitivecomputations/Dolphin-Mistral-24B-Venice-Edition",
    ),
    Model {
        code: true,
        ..text(
            "qwen-2.5-coder-32b",
            &["default_code"],
            32_768,
            false,
            false,
            "https://huggingface.co/Qwen/Qwen2.5-Coder-32B-Instruct-GGUF",
        )
    },
    Model {
        function_calling: false,
        web_search: false,
        e2ee: true,
        ..text(
            "e2ee-gemma-3-27b-p",
            &[],
            131_072,
            false,
            false,
            "https://huggingface.co/google/gemma-3-27b-it",
        )
    },
    image(
        "venice-sd35",
        &["default", "eliza-default"],
        "https://huggingface.co/stabilityai/stable-diffusion-3.5-large",
    ),
    image(
        "flux-dev",
        &["highest_quality"],
        "https://huggingface.co/black-forest-labs/FLUX.1-dev",
    ),
    image(
        "flux-dev-uncensored",
        &["most_uncensored"],
        "https://huggingface.co/black-forest-labs/FLUX.1-dev",
    ),
    image(
        "hidream",
        &["fastest"],
        "https://huggingface.co/HiDream-ai/HiDream-I1-Dev",
    ),
    // The models the other operations of the offline Venice take.
    other("nvidia/parakeet-tdt-0.6b-v3", "asr", ""),
    other("openai/whisper-large-v3", "asr", ""),
    other("text-embedding-bge-m3", "embedding", ""),
    other("elevenlabs-music", "music", ""),
    other("tts-kokoro", "tts", ""),
    other("tts-chatterbox-hd", "tts", ""),
    other("upscaler", "upscale", ""),
    other("qwen-edit", "inpaint", ""),
    other("offline-vps-text-to-video", "video", ""),
    other("wan-2-7-text-to-video", "video", ""),
];

/// OpenAI model names and the Venice model each maps to, per type.
pub(crate) const TEXT_MAPPING: &[(&str, &str)] = &[
    ("gpt-4o", "llama-3.3-70b"),
    ("gpt-4o-mini", "llama-3.2-3b"),
    ("gpt-3.5-turbo", "llama-3.2-3b"),
    ("o1-mini", "qwen3-235b"),
    ("o3-mini", "qwen3-235b"),
    ("deepseek-r1", "qwen3-235b"),
];

/// OpenAI image model names and the Venice model each maps to.
pub(crate) const IMAGE_MAPPING: &[(&str, &str)] =
    &[("dall-e-3", "venice-sd35"), ("dall-e-2", "hidream")];

/// Image styles accepted as `style_preset`.
pub(crate) const STYLES: &[&str] = &[
    "3D Model",
    "Analog Film",
    "Anime",
    "Cinematic",
    "Comic Book",
    "Craft Clay",
    "Digital Art",
    "Enhance",
    "Fantasy Art",
    "Isometric Style",
    "Line Art",
    "Lowpoly",
    "Neon Punk",
    "Origami",
    "Photographic",
    "Pixel Art",
    "Texture",
];

/// The model of `kind` a request names: an id (feature suffixes after `:` are
/// ignored) or an OpenAI name Venice maps.
/// The text model `name` names, else the API's 404 naming the offline text
/// models.
pub(crate) fn text_model(name: &str) -> Result<&'static Model, super::Reply> {
    resolve(name, "text").ok_or_else(|| {
        super::Reply::error(
            404,
            &format!(
                "Specified model not found: {name} (the offline Venice has {})",
                ids("text").join(", ")
            ),
        )
    })
}

/// Whether `model` (feature suffixes ignored) is an end-to-end encrypted
/// model of the catalog (listed with or without the `tee` feature's enclave).
pub(crate) fn is_e2ee(model: &str) -> bool {
    resolve(model, "text").is_some_and(|m| m.e2ee)
}

pub(crate) fn resolve(name: &str, kind: &str) -> Option<&'static Model> {
    let base = name.split(':').next().unwrap_or(name).trim();
    let mapping = if kind == "image" {
        IMAGE_MAPPING
    } else {
        TEXT_MAPPING
    };
    let id = mapping
        .iter()
        .find(|(openai, _)| *openai == base)
        .map_or(base, |(_, venice)| *venice);
    MODELS.iter().find(|m| m.id == id && m.kind == kind)
}

/// Whether a model name turns thinking off (`qwen3-4b:disable_thinking=true`).
pub(crate) fn thinking_disabled(name: &str) -> bool {
    name.split_once(':').is_some_and(|(_, features)| {
        features
            .split('&')
            .any(|f| f.eq_ignore_ascii_case("disable_thinking=true"))
    })
}

/// The ids of the models of `kind`, for error messages.
pub(crate) fn ids(kind: &str) -> Vec<&'static str> {
    MODELS
        .iter()
        .filter(|m| m.kind == kind)
        .map(|m| m.id)
        .collect()
}

/// The `GET /models` entry of a model: its facts over the spec's example entry
/// (a text model), so fields upstream adds are present.
pub(crate) fn model_json(model: &Model) -> Value {
    let mut example = crate::util::example_at(&operations::LIST_MODELS, "/data/0");
    let mut spec = example
        .get_mut("model_spec")
        .map(Value::take)
        .unwrap_or_else(|| json!({}));
    if let Some(obj) = spec.as_object_mut() {
        obj.remove("pricing");
        if model.kind != "text" {
            for key in ["capabilities", "availableContextTokens", "constraints"] {
                obj.remove(key);
            }
        }
        obj.remove("description");
        obj.remove("name");
    }
    let mut ours = json!({
        "traits": model.traits,
        "modelSource": model.source,
        "beta": false,
        "offline": false,
        "privacy": "private",
    });
    if model.kind == "text" {
        ours["availableContextTokens"] = json!(model.context_tokens);
        ours["capabilities"] = json!({
            "optimizedForCode": model.code,
            "quantization": "fp8",
            "supportsFunctionCalling": model.function_calling,
            "supportsReasoning": model.reasoning,
            "supportsResponseSchema": true,
            "supportsVision": model.vision,
            "supportsWebSearch": model.web_search,
            "supportsLogProbs": true,
            "supportsE2EE": model.e2ee,
            "supportsTeeAttestation": model.e2ee,
        });
        ours["pricing"] =
            json!({"input": {"usd": 0.7, "diem": 7}, "output": {"usd": 2.8, "diem": 28}});
    } else if model.kind == "image" {
        ours["constraints"] = json!({
            "promptCharacterLimit": 1500,
            "steps": {"default": 25, "max": 50},
            "widthHeightDivisor": 8,
        });
        ours["pricing"] = json!({"generation": {"usd": 0.01, "diem": 0.1}});
    }
    let spec = crate::util::merge(spec, ours);
    crate::util::merge(
        example,
        json!({
            "id": model.id,
            "type": model.kind,
            "object": "model",
            "created": 1_727_966_436,
            "owned_by": "venice.ai",
            "model_spec": spec,
        }),
    )
}

/// `GET /models?type=…`.
pub(crate) fn models(type_: &str) -> Value {
    let data: Vec<Value> = MODELS
        .iter()
        .filter(|m| match type_ {
            "all" => true,
            "code" => m.code,
            kind => m.kind == kind,
        })
        .map(model_json)
        .collect();
    json!({"object": "list", "type": type_, "data": data})
}

/// `GET /models/traits?type=…`: each trait and the model that has it.
pub(crate) fn traits(type_: &str) -> Value {
    let mut data = Map::new();
    for model in MODELS.iter().filter(|m| m.kind == type_) {
        for t in model.traits {
            data.entry(*t).or_insert_with(|| json!(model.id));
        }
    }
    json!({"object": "list", "type": type_, "data": data})
}

/// `GET /models/compatibility_mapping?type=…`.
pub(crate) fn compatibility_mapping(type_: &str) -> Value {
    let mapping = if type_ == "image" {
        IMAGE_MAPPING
    } else {
        TEXT_MAPPING
    };
    let data: Map<String, Value> = mapping
        .iter()
        .map(|(openai, venice)| ((*openai).to_owned(), json!(venice)))
        .collect();
    json!({"object": "list", "type": type_, "data": data})
}

/// `GET /image/styles`.
pub(crate) fn styles() -> Value {
    json!({"object": "list", "data": STYLES})
}

/// `GET /characters`.
pub(crate) fn characters() -> Value {
    let example = crate::util::example_at(&operations::LIST_CHARACTERS, "/data/0");
    let mut list = characters_of_our_own();
    if let Some(Value::Array(data)) = list.get_mut("data") {
        for entry in data.iter_mut() {
            *entry = crate::util::merge(example.clone(), entry.take());
        }
    }
    list
}

/// `GET /characters/{slug}`: the catalog's character of that slug (its
/// fields over the spec's example of this answer), or a 404.
pub(crate) fn character(slug: &str) -> Result<Value, (u16, Value)> {
    let found = characters()
        .get("data")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|c| c.get("slug").and_then(Value::as_str) == Some(slug))
                .cloned()
        });
    let Some(found) = found else {
        return Err((404, json!({"error": "Character not found"})));
    };
    let example = crate::util::example_at(&operations::GET_CHARACTER_BY_SLUG, "/data");
    Ok(json!({"object": "character", "data": crate::util::merge(example, found)}))
}

/// `GET /characters` with its query filters: `search` (name, description,
/// tags; `#tag` for tags only), `tags`, `categories` and `modelId` (repeated or
/// comma-separated), `isAdult`, `isPro`, `isWebEnabled`, `sortBy`, `sortOrder`,
/// `limit` (1 to 100, default 50) and `offset`.
pub(crate) fn characters_filtered(query: &[(String, String)]) -> Result<Value, Value> {
    let invalid = |field: &str, message: &str| json!({field: {"_errors": [message]}});
    let many = |name: &str| -> Vec<String> {
        query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_lowercase())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let one = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let flag = |name: &str| -> Result<Option<bool>, Value> {
        match one(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(invalid(
                name,
                "Invalid enum value. Expected 'true' | 'false'",
            )),
        }
    };
    let (tags, categories, models) = (many("tags"), many("categories"), many("modelId"));
    for (name, list) in [
        ("tags", &tags),
        ("categories", &categories),
        ("modelId", &models),
    ] {
        if list.len() > 20 {
            return Err(invalid(name, "Array must contain at most 20 element(s)"));
        }
    }
    let (adult, pro, web) = (flag("isAdult")?, flag("isPro")?, flag("isWebEnabled")?);
    let limit = match one("limit").map(str::parse::<usize>) {
        None => 50,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return Err(invalid("limit", "Number must be between 1 and 100")),
    };
    let offset = match one("offset").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(_) => return Err(invalid("offset", "Expected a number")),
    };
    let search = one("search").map(str::to_lowercase);
    let mut list = characters();
    let Some(Value::Array(data)) = list.get_mut("data") else {
        return Ok(list);
    };
    let text = |c: &Value, key: &str| {
        c.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase()
    };
    let tags_of = |c: &Value| -> Vec<String> {
        c.get("tags")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default()
    };
    data.retain(|c| {
        let slug = text(c, "slug");
        let own_categories = CATEGORIES
            .iter()
            .find(|(s, _)| *s == slug)
            .map_or(&[][..], |(_, cats)| *cats);
        let searched = search.as_ref().is_none_or(|q| match q.strip_prefix('#') {
            Some(tag) => tags_of(c).iter().any(|t| t == tag),
            None => {
                text(c, "name").contains(q.as_str())
                    || text(c, "description").contains(q.as_str())
                    || tags_of(c).iter().any(|t| t.contains(q.as_str()))
            }
        });
        let flag_ok = |wanted: Option<bool>, key: &str| {
            wanted.is_none_or(|w| c.get(key).and_then(Value::as_bool).unwrap_or(false) == w)
        };
        let model = text(c, "modelId");
        searched
            && (tags.is_empty() || tags_of(c).iter().any(|t| tags.contains(t)))
            && (categories.is_empty()
                || own_categories
                    .iter()
                    .any(|k| categories.iter().any(|w| w == k)))
            && (models.is_empty() || models.contains(&model))
            && flag_ok(adult, "adult")
            && flag_ok(web, "webEnabled")
            && pro.is_none_or(|p| PRO_MODELS.contains(&model.as_str()) == p)
    });
    let key = |c: &Value| match one("sortBy") {
        Some("mostRecent") => c
            .get("createdAt")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        // Imports, featured and the rating modes: by imports.
        _ => format!(
            "{:012}",
            c.pointer("/stats/imports")
                .and_then(Value::as_u64)
                .unwrap_or(0)
        ),
    };
    data.sort_by_key(|c| key(c));
    if one("sortOrder") != Some("asc") {
        data.reverse();
    }
    let page: Vec<Value> = data.drain(..).skip(offset).take(limit).collect();
    *data = page;
    Ok(list)
}

/// How many reviews each offline character has.
pub(crate) const REVIEWS: &[(&str, u64)] = &[("alan-watts", 45), ("marcus-aurelius", 7)];

/// `GET /characters/{slug}/reviews` with `page` (from 1, default 1) and
/// `pageSize` (1 to 100, default 20): the character's reviews, newest first,
/// the same in every run; an unknown slug is a 404.
pub(crate) fn reviews(slug: &str, query: &[(String, String)]) -> Result<Value, (u16, Value)> {
    let invalid = |field: &str, message: &str| {
        (
            400,
            json!({"error": "Invalid request parameters", "details": {"_errors": [], field: {"_errors": [message]}}}),
        )
    };
    let one = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let page = match one("page").map(str::parse::<u64>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return Err(invalid("page", "Number must be greater than 0")),
    };
    let size = match one("pageSize").map(str::parse::<u64>) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return Err(invalid("pageSize", "Number must be between 1 and 100")),
    };
    let Some((_, total)) = REVIEWS.iter().find(|(s, _)| *s == slug) else {
        return Err((404, json!({"error": "Character not found"})));
    };
    let character_id = crate::util::uuid(0x5eed, crate::util::mix(1, slug.len() as u64));
    let rating = |n: u64| 3 + (n * 7 + slug.len() as u64) % 3;
    let skip = (page - 1).saturating_mul(size);
    let data: Vec<Value> = (0..*total)
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(size).unwrap_or(100))
        .map(|n| {
            json!({
                "characterId": character_id,
                "createdAt": crate::util::iso8601(1_767_225_600 - i64::try_from(n).unwrap_or(0) * 86_400),
                "id": crate::util::uuid(0x5eed, n.wrapping_add(1000 * slug.len() as u64)),
                "isOwner": false,
                "locale": if n % 2 == 0 { json!("en") } else { Value::Null },
                "message": if n % 3 == 0 { Value::Null } else { json!(format!("Review {} of {slug}: thoughtful and grounded.", n + 1)) },
                "rating": rating(n),
                "userAvatarUrl": Value::Null,
                "username": format!("reader_{n}")
            })
        })
        .collect();
    let sum: u64 = (0..*total).map(rating).sum();
    let average = if *total == 0 {
        0.0
    } else {
        ((sum as f64 / *total as f64) * 10.0).round() / 10.0
    };
    Ok(json!({
        "object": "list",
        "data": data,
        "pagination": {"page": page, "pageSize": size, "total": total, "totalPages": total.div_ceil(size)},
        "summary": {"averageRating": average, "totalReviews": total}
    }))
}

/// The categories of the offline characters (the listing does not show them).
const CATEGORIES: &[(&str, &[&str])] = &[
    ("alan-watts", &["philosophy", "spirituality"]),
    ("marcus-aurelius", &["philosophy", "history"]),
];

/// The models that make a character "pro".
const PRO_MODELS: &[&str] = &["qwen3-235b"];

/// The characters the offline Venice knows, before the spec's example fills in the
/// fields upstream added since.
fn characters_of_our_own() -> Value {
    json!({
        "object": "list",
        "data": [
            {
                "name": "Alan Watts",
                "description": "Alan Watts (6 January 1915 – 16 November 1973) was a British and American writer, speaker, and self-styled \"philosophical entertainer\", known for interpreting and popularizing Buddhist, Taoist, and Hindu philosophy for a Western audience.",
                "slug": "alan-watts",
                "shareUrl": "https://venice.ai/c/alan-watts",
                "createdAt": "2024-12-20T21:28:08.934Z",
                "updatedAt": "2025-02-09T03:23:53.708Z",
                "webEnabled": true,
                "adult": false,
                "tags": ["AlanWatts", "Philosophy", "Buddhism", "Taoist", "Hindu"],
                "modelId": "llama-3.3-70b",
                "stats": {"imports": 112}
            },
            {
                "name": "Marcus Aurelius",
                "description": "Roman emperor and Stoic philosopher, author of the Meditations. Answers with calm, practical advice on virtue, duty and what is within our control.",
                "slug": "marcus-aurelius",
                "shareUrl": "https://venice.ai/c/marcus-aurelius",
                "createdAt": "2025-01-14T10:02:51.120Z",
                "updatedAt": "2025-02-27T18:44:09.311Z",
                "webEnabled": false,
                "adult": false,
                "tags": ["Stoicism", "Philosophy", "History"],
                "modelId": "qwen3-235b",
                "stats": {"imports": 87}
            }
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_by_id_mapping_and_feature_suffix() {
        assert_eq!(
            resolve("llama-3.3-70b", "text").map(|m| m.id),
            Some("llama-3.3-70b")
        );
        assert_eq!(
            resolve("gpt-4o", "text").map(|m| m.id),
            Some("llama-3.3-70b")
        );
        assert_eq!(
            resolve("qwen3-4b:disable_thinking=true", "text").map(|m| m.id),
            Some("qwen3-4b")
        );
        assert!(resolve("flux-dev", "text").is_none());
        assert!(resolve("flux-dev", "image").is_some());
        assert!(thinking_disabled("qwen3-4b:disable_thinking=true"));
        assert!(!thinking_disabled("qwen3-4b"));
    }

    #[test]
    fn every_kind_has_a_default() {
        assert_eq!(traits("text")["data"]["default"], "llama-3.3-70b");
        assert_eq!(traits("image")["data"]["default"], "venice-sd35");
    }
}
