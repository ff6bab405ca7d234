//! The parts of an Intel TDX quote (version 4) the attestation checks read:
//! the TD report body's `td_attributes` and `report_data`. Only the layout is
//! read here; the quote's signature and certificate chain are not verified
//! (see [`Tee`](crate::Tee)'s docs).
//!
//! Layout (Intel TDX DCAP quote, v4): a 48-byte header (`version: u16` = 4,
//! `attestation_key_type: u16`, `tee_type: u32` = 0x81 for TDX, …), then the
//! 584-byte TD report body (TD10): `tee_tcb_svn` (16), `mr_seam` (48),
//! `mr_signer_seam` (48), `seam_attributes` (8), `td_attributes` (8) at body
//! offset 120, `xfam` (8), `mr_td` (48), `mr_config_id` (48), `mr_owner`
//! (48), `mr_owner_config` (48), four RTMRs (4 × 48), and `report_data`
//! (64) at body offset 520; then the signature data.

/// The quote header.
pub(crate) const HEADER_LEN: usize = 48;
/// The TD report body of a v4 TDX quote.
pub(crate) const BODY_LEN: usize = 584;
/// `td_attributes`, from the start of the quote.
pub(crate) const TD_ATTRIBUTES_AT: usize = HEADER_LEN + 120;
/// `report_data`, from the start of the quote (the body's last 64 bytes).
pub(crate) const REPORT_DATA_AT: usize = HEADER_LEN + BODY_LEN - 64;
/// The TEE type of TDX in the header.
const TEE_TYPE_TDX: u32 = 0x81;
/// The `DEBUG` bit of `td_attributes` (bit 0 of its first byte, `TUD.DEBUG`).
const DEBUG_BIT: u8 = 0x01;

/// What the checks read from a quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TdQuote {
    /// The TD's report data (64 bytes).
    pub(crate) report_data: [u8; 64],
    /// The TD attributes (8 bytes, little-endian bit field).
    pub(crate) td_attributes: [u8; 8],
}

impl TdQuote {
    /// Reads a v4 TDX quote; the error says what is wrong with it.
    pub(crate) fn parse(quote: &[u8]) -> Result<TdQuote, String> {
        let min = HEADER_LEN + BODY_LEN;
        if quote.len() < min {
            return Err(format!(
                "the quote is {} bytes, shorter than a v4 TDX quote's header and TD report ({min})",
                quote.len()
            ));
        }
        let version = u16_at(quote, 0).ok_or("no version")?;
        if version != 4 {
            return Err(format!("quote version {version}, not 4"));
        }
        let tee_type = u32_at(quote, 4).ok_or("no TEE type")?;
        if tee_type != TEE_TYPE_TDX {
            return Err(format!("TEE type {tee_type:#x}, not TDX (0x81)"));
        }
        let report_data = quote
            .get(REPORT_DATA_AT..REPORT_DATA_AT + 64)
            .and_then(|s| <[u8; 64]>::try_from(s).ok())
            .ok_or("no report data")?;
        let td_attributes = quote
            .get(TD_ATTRIBUTES_AT..TD_ATTRIBUTES_AT + 8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .ok_or("no TD attributes")?;
        Ok(TdQuote {
            report_data,
            td_attributes,
        })
    }

    /// Whether the TD runs in debug mode (its memory readable by the host).
    pub(crate) fn debug(&self) -> bool {
        self.td_attributes[0] & DEBUG_BIT != 0
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn quote() -> Vec<u8> {
        let mut q = vec![0u8; HEADER_LEN + BODY_LEN + 4];
        q[0] = 4;
        q[4] = 0x81;
        q[REPORT_DATA_AT] = 0xaa;
        q[REPORT_DATA_AT + 63] = 0xbb;
        q
    }

    #[test]
    fn reads_report_data_and_attributes() {
        let parsed = TdQuote::parse(&quote()).unwrap();
        assert_eq!(parsed.report_data[0], 0xaa);
        assert_eq!(parsed.report_data[63], 0xbb);
        assert!(!parsed.debug());
        let mut q = quote();
        q[TD_ATTRIBUTES_AT] |= 1;
        assert!(TdQuote::parse(&q).unwrap().debug());
    }

    #[test]
    fn refuses_other_shapes() {
        assert!(TdQuote::parse(&[]).is_err());
        assert!(TdQuote::parse(&quote()[..HEADER_LEN + BODY_LEN - 1]).is_err());
        let mut q = quote();
        q[0] = 3;
        assert!(TdQuote::parse(&q).unwrap_err().contains("version 3"));
        let mut q = quote();
        q[4] = 0;
        assert!(TdQuote::parse(&q).unwrap_err().contains("not TDX"));
    }
}
