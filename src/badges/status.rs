//! The issuer's revocation list as a W3C Bitstring Status List: one bit per
//! award (its `statusListIndex`; bit 0 is the left-most bit of the first
//! byte), GZIP-compressed, multibase base64url (`u` prefix, no padding), in
//! a `BitstringStatusListCredential` the issuer signs. At least 131,072
//! entries (16 KiB), so that a list says little about how many awards a
//! tenant issued.

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::credential::{VC_CONTEXT, rfc3339};

/// The smallest list published, in entries.
pub const MIN_ENTRIES: u64 = 131_072;

/// The `encodedList` of a list of `size` entries with `revoked` set.
pub fn encode(revoked: &[i64], size: u64) -> String {
    let entries = size.max(MIN_ENTRIES).div_ceil(8) * 8;
    let mut bits = vec![0u8; (entries / 8) as usize];
    for &index in revoked {
        if let Ok(index) = usize::try_from(index)
            && let Some(byte) = bits.get_mut(index / 8)
        {
            *byte |= 0x80 >> (index % 8);
        }
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = gzip.write_all(&bits);
    format!("u{}", URL_SAFE_NO_PAD.encode(gzip.finish().unwrap_or_default()))
}

/// Whether `index` is set in `encoded` (`None`: not a list, or too short).
pub fn is_set(encoded: &str, index: u64) -> Option<bool> {
    let compressed = URL_SAFE_NO_PAD.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_slice()).take(64 * 1024 * 1024).read_to_end(&mut bits).ok()?;
    let byte = bits.get(usize::try_from(index / 8).ok()?)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// The `BitstringStatusListCredential` at `url`, issued by `issuer` at `now`.
pub fn list_credential(issuer: &Value, url: &str, encoded: String, now: i64) -> Value {
    json!({
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": rfc3339(now),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_bits_read_back_and_others_stay_clear() {
        let encoded = encode(&[0, 5, 131_071], 10);
        assert!(encoded.starts_with('u'));
        assert_eq!(is_set(&encoded, 0), Some(true));
        assert_eq!(is_set(&encoded, 1), Some(false));
        assert_eq!(is_set(&encoded, 5), Some(true));
        assert_eq!(is_set(&encoded, 131_071), Some(true));
        assert_eq!(is_set(&encoded, 131_072), None);
        // A larger list grows past the minimum.
        assert_eq!(is_set(&encode(&[200_000], 200_001), 200_000), Some(true));
        assert_eq!(is_set("not a list", 0), None);
    }
}
