//! The string enums of a tiny generated client, opened by `open_enums`
//! (`fixtures/open_enums_types.rs`, kept current by `open_enums_fixture.rs`):
//! the output compiles and behaves as documented.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// `unexpected_cfgs`: the generated code gates its builders on venice-sdk's `raw` feature.
#[allow(missing_docs, dead_code, unexpected_cfgs, clippy::all)]
mod fixture {
    include!("fixtures/open_enums_types.rs");
}

use fixture::types::{Call, Pick, RunBodyDuration, RunBodyVoice, RunBodyVoiceVariant0, SearchType};

#[test]
// `TryFrom<String>` is what is tested: it must keep existing beside `From`.
#[allow(clippy::unnecessary_fallible_conversions)]
fn an_unknown_value_parses_displays_and_serializes_as_given() {
    let d: RunBodyDuration = "17s".parse().unwrap();
    assert_eq!(d, RunBodyDuration::Other("17s".to_owned()));
    assert_eq!(d.to_string(), "17s");
    assert_eq!(serde_json::to_string(&d).unwrap(), r#""17s""#);
    let back: RunBodyDuration = serde_json::from_str(r#""17s""#).unwrap();
    assert_eq!(back, d);
    assert_eq!(
        RunBodyDuration::from("17s".to_owned()),
        RunBodyDuration::Other("17s".to_owned())
    );
    // From is total: known values are their variants, and `"5s"` compares equal.
    assert_eq!(RunBodyDuration::from("5s"), RunBodyDuration::X5s);
    assert_eq!(RunBodyDuration::X5s, "5s");
}

#[test]
fn known_values_keep_their_variants() {
    assert_eq!(
        "5s".parse::<RunBodyDuration>().unwrap(),
        RunBodyDuration::X5s
    );
    assert_eq!(
        serde_json::from_str::<RunBodyDuration>(r#""Auto""#).unwrap(),
        RunBodyDuration::Auto
    );
    assert_eq!(RunBodyDuration::X10s.to_string(), "10s");
    // Case matters, as it does upstream: not a known value, sent as given.
    assert_eq!(
        "auto".parse::<RunBodyDuration>().unwrap(),
        RunBodyDuration::Other("auto".to_owned())
    );
}

#[test]
fn an_empty_string_does_not_parse() {
    let err = "".parse::<RunBodyDuration>().unwrap_err();
    assert_eq!(err.to_string(), "empty value");
    // Decoding takes what it is given: an empty string is read back as sent.
    assert_eq!(
        serde_json::from_str::<RunBodyDuration>(r#""""#).unwrap(),
        RunBodyDuration::Other(String::new())
    );
}

#[test]
fn a_known_value_named_other_keeps_its_name_and_the_fallback_moves_aside() {
    assert_eq!("other".parse::<Pick>().unwrap(), Pick::Other);
    assert_eq!(
        "second".parse::<Pick>().unwrap(),
        Pick::Other_("second".to_owned())
    );
    assert_eq!(serde_json::to_string(&Pick::Other).unwrap(), r#""other""#);
    assert_eq!(
        serde_json::to_string(&Pick::Other_("second".to_owned())).unwrap(),
        r#""second""#
    );
}

#[test]
fn an_enum_telling_union_members_apart_sends_its_fallback_and_reads_as_before() {
    let search = SearchType::Other("deep_search".to_owned());
    assert_eq!(serde_json::to_string(&search).unwrap(), r#""deep_search""#);
    assert_eq!(search.to_string(), "deep_search");
    // Parsing and decoding still refuse it: the union tries its next member.
    assert!("deep_search".parse::<SearchType>().is_err());
    assert!(serde_json::from_str::<SearchType>(r#""deep_search""#).is_err());
    let call: Call = serde_json::from_str(r#"{"type": "function", "name": "f"}"#).unwrap();
    assert!(!matches!(call, Call::Variant0 { .. }), "{call:?}");
    let call: Call = serde_json::from_str(r#"{"type": "web_search"}"#).unwrap();
    assert!(
        matches!(
            call,
            Call::Variant0 {
                type_: SearchType::WebSearch
            }
        ),
        "{call:?}"
    );
}

#[test]
fn a_union_of_strings_parses_each_value_as_its_own_member() {
    assert!(matches!(
        "af_sky".parse::<RunBodyVoice>().unwrap(),
        RunBodyVoice::Variant0(RunBodyVoiceVariant0::AfSky)
    ));
    assert!(matches!(
        "vv_abc1".parse::<RunBodyVoice>().unwrap(),
        RunBodyVoice::Variant1(_)
    ));
    assert!("not a voice".parse::<RunBodyVoice>().is_err());
    let new = RunBodyVoice::Variant0(RunBodyVoiceVariant0::Other("bf_new".to_owned()));
    assert_eq!(serde_json::to_string(&new).unwrap(), r#""bf_new""#);
}
