//! Checking an enclave's attestation (`GET /tee/attestation`): the answer
//! read field by field, every check fail-closed (a missing or malformed field
//! fails its check), the result a typed [`AttestationReport`].

use k256::PublicKey;
use serde_json::Value;

use super::crypto::{self, POINT_LEN};
use super::quote::TdQuote;

/// The outcome of one check.
///
/// ```
/// use venice_sdk::AttestationCheck;
///
/// assert!(AttestationCheck::Passed.passed());
/// assert!(!AttestationCheck::Failed("the echoed nonce differs".into()).passed());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttestationCheck {
    /// The check held.
    Passed,
    /// The check did not hold, or could not be made (a field missing or
    /// malformed): what was wrong.
    Failed(String),
}

impl AttestationCheck {
    /// Whether the check held.
    ///
    /// ```
    /// # use venice_sdk::AttestationCheck;
    /// assert!(AttestationCheck::Passed.passed());
    /// ```
    pub fn passed(&self) -> bool {
        matches!(self, AttestationCheck::Passed)
    }

    fn of(result: Result<(), String>) -> AttestationCheck {
        match result {
            Ok(()) => AttestationCheck::Passed,
            Err(reason) => AttestationCheck::Failed(reason),
        }
    }
}

/// Each check of an attestation, as the SDK made it, and the server's own
/// claim apart.
///
/// What passing proves, and what it does not, is in the
/// [`Tee`](crate::Tee) docs.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), venice_sdk::Error> {
/// # let venice = venice_testing::OfflineVenice::start().await;
/// # let client = venice.client();
/// let attestation = client.tee().attestation("e2ee-gemma-3-27b-p").await?;
/// for (name, check) in attestation.report.checks() {
///     println!("{name}: {check:?}");
/// }
/// assert!(attestation.report.passed());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttestationReport {
    /// The answer's `nonce` equals the fresh one the SDK sent (compared with
    /// what was sent, never with what the answer says was sent).
    pub nonce: AttestationCheck,
    /// `signing_address` is the Ethereum-style address of
    /// `signing_public_key` (the last 20 bytes of Keccak-256 over the
    /// uncompressed point without its `04` prefix).
    pub signing_address: AttestationCheck,
    /// The TDX quote's report data (read from the quote's bytes) is
    /// `signing_address || 12 zero bytes || nonce sent`: the key is bound to
    /// this enclave and to this request.
    pub report_data: AttestationCheck,
    /// The server's own verification (`server_verification.tdx.reportData`)
    /// names the same report data as the quote.
    pub server_report_data: AttestationCheck,
    /// The TD attributes' debug bit is clear (a debug TD's memory is readable
    /// by its host).
    pub debug_disabled: AttestationCheck,
    /// The server's claim `verified: true` (a claim: the SDK did not verify
    /// the quote's signature or the GPU evidence itself).
    pub server_verified: AttestationCheck,
}

impl AttestationReport {
    /// Every check by name, in order.
    ///
    /// ```
    /// # fn show(report: &venice_sdk::AttestationReport) {
    /// let failed: Vec<_> = report.checks().into_iter().filter(|(_, c)| !c.passed()).collect();
    /// # }
    /// ```
    pub fn checks(&self) -> [(&'static str, &AttestationCheck); 6] {
        [
            ("nonce", &self.nonce),
            ("signing_address", &self.signing_address),
            ("report_data", &self.report_data),
            ("server_report_data", &self.server_report_data),
            ("debug_disabled", &self.debug_disabled),
            ("server_verified", &self.server_verified),
        ]
    }

    /// Whether every check passed, the server's claim included: the
    /// condition for opening a [`TeeSession`](crate::TeeSession).
    ///
    /// ```
    /// # fn show(report: &venice_sdk::AttestationReport) {
    /// if !report.passed() {
    ///     eprintln!("not attested: {:?}", report.failures());
    /// }
    /// # }
    /// ```
    pub fn passed(&self) -> bool {
        self.checks().iter().all(|(_, c)| c.passed())
    }

    /// The failed checks, as `check: what was wrong`.
    ///
    /// ```
    /// # fn show(report: &venice_sdk::AttestationReport) {
    /// for failure in report.failures() {
    ///     eprintln!("{failure}");
    /// }
    /// # }
    /// ```
    pub fn failures(&self) -> Vec<String> {
        self.checks()
            .iter()
            .filter_map(|(name, check)| match check {
                AttestationCheck::Passed => None,
                AttestationCheck::Failed(reason) => Some(format!("{name}: {reason}")),
            })
            .collect()
    }
}

/// An enclave's attestation: what it says about itself, and the report of
/// the SDK's checks ([`report`](Self::report)).
///
/// Made by [`Tee::attestation`](crate::Tee::attestation) (with a fresh nonce)
/// or by [`Attestation::verify`] from an answer and the nonce that was sent.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Attestation {
    /// The nonce sent, as 64 lowercase hex digits.
    pub nonce: String,
    /// The model the answer names, if any.
    pub model: Option<String>,
    /// The enclave's signing address (`0x…`), as sent.
    pub signing_address: Option<String>,
    /// The enclave's public key (uncompressed secp256k1, hex), as sent; what
    /// an encrypted chat encrypts to.
    pub signing_public_key: Option<String>,
    /// Who runs the enclave (`phala`), as sent.
    pub tee_provider: Option<String>,
    /// The enclave's hardware (`intel-tdx`), as sent.
    pub tee_hardware: Option<String>,
    /// The checks.
    pub report: AttestationReport,
    /// The signing key, when it is a point of the curve.
    key: Option<PublicKey>,
}

impl Attestation {
    /// Checks an attestation answer (the JSON of `GET /tee/attestation`)
    /// against the nonce that was sent. Nothing fails here: each check's
    /// outcome is in [`report`](Self::report), fail-closed (a missing or
    /// malformed field fails its check).
    ///
    /// ```
    /// use venice_sdk::Attestation;
    ///
    /// let attestation = Attestation::verify(&serde_json::json!({}), &[7; 32]);
    /// assert!(!attestation.report.passed());
    /// assert!(!attestation.report.nonce.passed());
    /// ```
    pub fn verify(answer: &Value, nonce_sent: &[u8; 32]) -> Attestation {
        let text = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_owned);
        let key = text("signing_public_key")
            .as_deref()
            .and_then(crypto::unhex)
            .filter(|bytes| bytes.len() == POINT_LEN && bytes.first() == Some(&0x04))
            .and_then(|bytes| crypto::public_key(&bytes));
        let address = text("signing_address")
            .as_deref()
            .filter(|a| a.starts_with("0x") || a.starts_with("0X"))
            .and_then(crypto::unhex)
            .and_then(|bytes| <[u8; 20]>::try_from(bytes).ok());
        let quote = text("intel_quote")
            .ok_or_else(|| "the answer has no `intel_quote`".to_owned())
            .and_then(|q| crypto::unhex(&q).ok_or_else(|| "`intel_quote` is not hex".to_owned()))
            .and_then(|bytes| TdQuote::parse(&bytes));

        let report = AttestationReport {
            nonce: AttestationCheck::of(check_nonce(answer, nonce_sent)),
            signing_address: AttestationCheck::of(check_address(answer, key.as_ref(), address)),
            report_data: AttestationCheck::of(check_report_data(&quote, address, nonce_sent)),
            server_report_data: AttestationCheck::of(check_server_report_data(answer, &quote)),
            debug_disabled: AttestationCheck::of(match &quote {
                Ok(q) if q.debug() => Err("the TD runs in debug mode (debug bit set)".into()),
                Ok(_) => Ok(()),
                Err(e) => Err(e.clone()),
            }),
            server_verified: AttestationCheck::of(match answer.get("verified") {
                Some(Value::Bool(true)) => Ok(()),
                Some(Value::Bool(false)) => Err("the server says `verified: false`".into()),
                Some(_) => Err("`verified` is not a boolean".into()),
                None => Err("the answer has no `verified`".into()),
            }),
        };
        Attestation {
            nonce: crypto::hex(nonce_sent),
            model: text("model"),
            signing_address: text("signing_address"),
            signing_public_key: text("signing_public_key"),
            tee_provider: text("tee_provider"),
            tee_hardware: text("tee_hardware"),
            report,
            key,
        }
    }

    /// The enclave's signing key, when it is a point of the curve.
    pub(crate) fn key(&self) -> Option<&PublicKey> {
        self.key.as_ref()
    }
}

fn check_nonce(answer: &Value, sent: &[u8; 32]) -> Result<(), String> {
    let echoed = answer
        .get("nonce")
        .and_then(Value::as_str)
        .ok_or("the answer has no `nonce`")?;
    let echoed = crypto::unhex(echoed).ok_or("`nonce` is not hex")?;
    if echoed.as_slice() == sent.as_slice() {
        Ok(())
    } else {
        Err("the echoed nonce is not the one sent (a replayed or foreign answer)".into())
    }
}

fn check_address(
    answer: &Value,
    key: Option<&PublicKey>,
    address: Option<[u8; 20]>,
) -> Result<(), String> {
    let key = key.ok_or_else(|| match answer.get("signing_public_key") {
        None => "the answer has no `signing_public_key`".to_owned(),
        Some(_) => "`signing_public_key` is not an uncompressed secp256k1 point".to_owned(),
    })?;
    let address = address.ok_or_else(|| match answer.get("signing_address") {
        None => "the answer has no `signing_address`".to_owned(),
        Some(_) => "`signing_address` is not 0x and 40 hex digits".to_owned(),
    })?;
    if crypto::address(key) == address {
        Ok(())
    } else {
        Err("`signing_address` is not the address of `signing_public_key`".into())
    }
}

/// What the report data must be: `address || 12 zero bytes || nonce`.
fn expected_report_data(address: &[u8; 20], nonce: &[u8; 32]) -> [u8; 64] {
    let mut expected = [0u8; 64];
    expected[..20].copy_from_slice(address);
    expected[32..].copy_from_slice(nonce);
    expected
}

fn check_report_data(
    quote: &Result<TdQuote, String>,
    address: Option<[u8; 20]>,
    nonce: &[u8; 32],
) -> Result<(), String> {
    let quote = quote.as_ref().map_err(Clone::clone)?;
    let address = address.ok_or("no valid `signing_address` to compare with")?;
    if quote.report_data == expected_report_data(&address, nonce) {
        Ok(())
    } else {
        Err(
            "the quote's report data is not signing_address || 12 zero bytes || the nonce sent"
                .into(),
        )
    }
}

fn check_server_report_data(answer: &Value, quote: &Result<TdQuote, String>) -> Result<(), String> {
    let quote = quote.as_ref().map_err(Clone::clone)?;
    let claimed = answer
        .pointer("/server_verification/tdx/reportData")
        .and_then(Value::as_str)
        .ok_or("the answer has no `server_verification.tdx.reportData`")?;
    let claimed =
        crypto::unhex(claimed).ok_or("`server_verification.tdx.reportData` is not hex")?;
    if claimed.as_slice() == quote.report_data.as_slice() {
        Ok(())
    } else {
        Err("the server's verification names other report data than the quote".into())
    }
}
