//! Signed, expiring access to a tenant's blobs, for what cannot send a
//! bearer token: the web client's `<img src>` and download links (the
//! token comes in `welcome`) and BigBlueButton fetching an atelier's files.
//! A token is `<tenant in base64url>.<expiry, unix seconds>.<HMAC-SHA256 in
//! hex>`, keyed by a key derived from the node's secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signs and checks blob access tokens.
#[derive(Clone)]
pub struct BlobLinks {
    key: Vec<u8>,
}

impl BlobLinks {
    /// Derives the key from the node's secret (tokens are not JWTs: one
    /// cannot stand for the other).
    pub fn new(secret: &[u8]) -> BlobLinks {
        BlobLinks { key: mac(secret, b"amphi blob links v1").to_vec() }
    }

    /// A token for the blobs of `tenant`, valid until `expires` (unix seconds).
    pub fn token(&self, tenant: &str, expires: u64) -> String {
        let signature = hex::encode(mac(&self.key, format!("{tenant}\n{expires}").as_bytes()));
        format!("{}.{expires}.{signature}", URL_SAFE_NO_PAD.encode(tenant))
    }

    /// The tenant a token opens, if it is genuine and not expired at `now`.
    pub fn verify(&self, token: &str, now: u64) -> Option<String> {
        let mut parts = token.split('.');
        let (tenant, expires, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let tenant = String::from_utf8(URL_SAFE_NO_PAD.decode(tenant).ok()?).ok()?;
        let expires: u64 = expires.parse().ok()?;
        let signature = hex::decode(signature).ok()?;
        let mut check = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        check.update(format!("{tenant}\n{expires}").as_bytes());
        check.verify_slice(&signature).ok()?;
        (expires > now && !tenant.is_empty()).then_some(tenant)
    }
}

fn mac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_their_tenant_until_they_expire() {
        let links = BlobLinks::new(b"a secret of at least thirty-two bytes");
        let token = links.token("académie-a", 1000);
        assert_eq!(links.verify(&token, 999).as_deref(), Some("académie-a"));
        assert_eq!(links.verify(&token, 1000), None, "expired");
        let other = BlobLinks::new(b"another secret of thirty-two bytes!!");
        assert_eq!(other.verify(&token, 0), None, "another key");
        let (_, rest) = token.split_once('.').unwrap();
        let forged = format!("{}.{rest}", URL_SAFE_NO_PAD.encode("académie-b"));
        assert_eq!(links.verify(&forged, 0), None, "another tenant");
        let stretched = token.replace(".1000.", ".9999.");
        assert_eq!(links.verify(&stretched, 0), None, "a later expiry");
        assert_eq!(links.verify("garbage", 0), None);
    }
}
