//! What the generator adds to the generated types of *this* spec, checked on
//! their current shape (variants by name): the SDK's own tests stay shape-neutral
//! so that `cargo xtask mutate-check` compiles them against reshaped specs; these
//! need the shapes of `spec/venice.yaml` and live outside that check.

use venice_sdk::types;

/// An unknown value parses to the fallback and round-trips through serde; a known
/// one keeps its variant; an empty string is refused.
#[test]
fn request_enums_parse_unknown_values_to_their_fallback() {
    use types::QueueVideoRequestDuration as Duration;

    let unknown: Duration = "17s".parse().unwrap();
    assert_eq!(unknown, Duration::Other("17s".to_owned()));
    assert_eq!(unknown.to_string(), "17s");
    let json = serde_json::to_string(&unknown).unwrap();
    assert_eq!(json, r#""17s""#);
    assert_eq!(serde_json::from_str::<Duration>(&json).unwrap(), unknown);
    assert_eq!(Duration::from("17s"), unknown);

    assert_eq!("5s".parse::<Duration>().unwrap(), Duration::X5s);
    assert_eq!(
        serde_json::from_str::<Duration>(r#""5s""#).unwrap(),
        Duration::X5s
    );
    assert_eq!(
        serde_json::to_string(&Duration::X1Gen).unwrap(),
        r#""1 gen""#
    );
    assert_eq!(Duration::X1Gen.to_string(), "1 gen");

    assert!("".parse::<Duration>().is_err());
}

/// `From<&str>` is total: a known value is its variant, any other string the
/// fallback (the empty one too: the server judges it); `FromStr` still refuses
/// an empty string.
#[test]
fn request_enums_are_built_from_any_string() {
    use types::QueueVideoRequestDuration as Duration;

    assert_eq!(Duration::from("5s"), Duration::X5s);
    assert_eq!(Duration::from(String::from("1 gen")), Duration::X1Gen);
    assert_eq!(Duration::from("17s"), Duration::Other("17s".to_owned()));
    assert_eq!(
        Duration::from(String::from("17s")),
        Duration::Other("17s".to_owned())
    );
    assert_eq!(Duration::from(""), Duration::Other(String::new()));
    assert!("".parse::<Duration>().is_err());
    // Comparisons with the wire string, known or not, without allocating.
    assert_eq!(Duration::X5s, "5s");
    assert!(Duration::X5s != "6s");
    assert_eq!(Duration::Other("17s".to_owned()), String::from("17s"));
}
