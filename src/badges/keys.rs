//! The issuers' signing keys: one Ed25519 key pair per tenant, kept under
//! `<data_dir>/badges/keys/<tenant>.pem` (PKCS#8 PEM, mode 0600), generated
//! on first use (created exclusively: nodes sharing the data directory
//! agree on the first one written), published as a JWKS.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Why an issuer's key could not be had.
#[derive(Debug, thiserror::Error)]
#[error("badge issuer key {path}: {message}")]
pub struct KeyError {
    pub path: String,
    pub message: String,
}

/// One issuer's key pair.
pub struct IssuerKey {
    /// The RFC 7638 thumbprint of the public key.
    pub kid: String,
    /// The public key, base64url (the JWK's `x`).
    pub x: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
}

impl IssuerKey {
    /// The key pair of a PKCS#8 PEM.
    pub fn from_pem(pem: &str) -> Result<IssuerKey, String> {
        let signing = SigningKey::from_pkcs8_pem(pem).map_err(|e| format!("not an Ed25519 PKCS#8 key: {e}"))?;
        Self::from_signing(&signing)
    }

    fn from_signing(signing: &SigningKey) -> Result<IssuerKey, String> {
        let der = signing.to_pkcs8_der().map_err(|e| e.to_string())?;
        let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
        let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
        let decoding = DecodingKey::from_ed_components(&x).map_err(|e| e.to_string())?;
        Ok(IssuerKey { kid, x, encoding: EncodingKey::from_ed_der(der.as_bytes()), decoding })
    }

    /// The public half as a JWK.
    pub fn jwk(&self) -> Value {
        json!({ "kty": "OKP", "crv": "Ed25519", "x": self.x, "kid": self.kid, "alg": "EdDSA", "use": "sig" })
    }
}

/// The issuers' keys, read (or generated) on first use and kept.
pub struct IssuerKeys {
    dir: PathBuf,
    loaded: Mutex<HashMap<String, Arc<IssuerKey>>>,
}

/// A tenant's key file name: the tenant's id when it is a plain name, else
/// its hex.
fn file_name(tenant: &str) -> String {
    let plain = !tenant.is_empty()
        && !tenant.starts_with('.')
        && tenant.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain { format!("{tenant}.pem") } else { format!("x-{}.pem", hex::encode(tenant)) }
}

impl IssuerKeys {
    pub fn new(data_dir: &Path) -> IssuerKeys {
        IssuerKeys { dir: data_dir.join("badges").join("keys"), loaded: Mutex::new(HashMap::new()) }
    }

    /// The key of `tenant`, generated into the data directory if it has none.
    pub fn get(&self, tenant: &str) -> Result<Arc<IssuerKey>, KeyError> {
        if let Some(key) = self.loaded.lock().unwrap_or_else(|p| p.into_inner()).get(tenant) {
            return Ok(Arc::clone(key));
        }
        let path = self.dir.join(file_name(tenant));
        let error = |message: String| KeyError { path: path.display().to_string(), message };
        let key = match std::fs::read_to_string(&path) {
            Ok(pem) => IssuerKey::from_pem(&pem).map_err(error)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.generate(&path).map_err(error)?,
            Err(e) => return Err(error(e.to_string())),
        };
        let key = Arc::new(key);
        self.loaded.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant.to_string(), Arc::clone(&key));
        Ok(key)
    }

    fn generate(&self, path: &Path) -> Result<IssuerKey, String> {
        use std::io::Write as _;
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let signing = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
        let pem = signing.to_pkcs8_pem(LineEnding::LF).map_err(|e| e.to_string())?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(pem.as_bytes()).and_then(|()| file.sync_all()).map_err(|e| e.to_string())?;
                tracing::info!(path = %path.display(), "badge issuer key generated");
                IssuerKey::from_signing(&signing)
            }
            // Another node (or request) wrote it first: theirs is the key.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pem = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
                IssuerKey::from_pem(&pem)
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_generated_once_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let first = IssuerKeys::new(dir.path()).get("ac-lyon").unwrap();
        let again = IssuerKeys::new(dir.path()).get("ac-lyon").unwrap();
        assert_eq!(first.kid, again.kid);
        assert_eq!(first.x, again.x);
        let other = IssuerKeys::new(dir.path()).get("ac-nice").unwrap();
        assert_ne!(first.kid, other.kid);
        assert!(dir.path().join("badges/keys/ac-lyon.pem").exists());
        assert_eq!(file_name("../etc"), format!("x-{}.pem", hex::encode("../etc")));
    }
}
