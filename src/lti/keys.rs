//! amphi's own signing keys as an LTI tool: RSA key pairs kept under
//! `<data_dir>/lti/keys/` (PKCS#8 PEM, mode 0600, one file per key id),
//! generated on first use, the newest one signing, every key still in its
//! grace period published at `/lti/jwks`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use serde_json::{Value, json};

/// Size of the keys amphi generates.
const KEY_BITS: usize = 2048;

/// Why the tool's keys could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("LTI keys in {path}: {message}")]
    Io { path: String, message: String },
    #[error("LTI key {kid}: {message}")]
    Invalid { kid: String, message: String },
}

/// One key pair.
pub struct ToolKey {
    /// `amphi-<unix seconds of creation>-<random>`: sorts by age.
    pub kid: String,
    pub created_at: u64,
    encoding: EncodingKey,
    public: RsaPublicKey,
}

impl ToolKey {
    /// The public half as a JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
        })
    }

    /// The public half as SPKI PEM (what Moodle's manual "Public key" field takes).
    pub fn public_pem(&self) -> String {
        use rsa::pkcs8::EncodePublicKey;
        self.public.to_public_key_pem(LineEnding::LF).unwrap_or_default()
    }
}

/// The tool's keys, loaded (or generated) on first use.
pub struct ToolKeys {
    dir: PathBuf,
    grace_seconds: u64,
    keys: Mutex<Option<std::sync::Arc<Vec<ToolKey>>>>,
}

impl ToolKeys {
    pub fn new(data_dir: &Path, grace_days: u64) -> ToolKeys {
        ToolKeys { dir: data_dir.join("lti").join("keys"), grace_seconds: grace_days * 86_400, keys: Mutex::new(None) }
    }

    /// The keys, newest last; the first call loads them, generating the
    /// first key if there is none (a CPU-heavy second: call it off the
    /// async threads, see [`ToolKeys::get`]).
    fn load_blocking(&self) -> Result<std::sync::Arc<Vec<ToolKey>>, KeyError> {
        let mut slot = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(keys) = slot.as_ref() {
            return Ok(std::sync::Arc::clone(keys));
        }
        let mut keys = read_keys(&self.dir)?;
        if keys.is_empty() {
            keys.push(generate_into(&self.dir, crate::auth::unix_seconds())?);
        }
        let keys = std::sync::Arc::new(keys);
        *slot = Some(std::sync::Arc::clone(&keys));
        Ok(keys)
    }

    /// The keys, newest last (loaded or generated on a blocking thread).
    pub async fn get(self: &std::sync::Arc<Self>) -> Result<std::sync::Arc<Vec<ToolKey>>, KeyError> {
        if let Some(keys) = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref() {
            return Ok(std::sync::Arc::clone(keys));
        }
        let this = std::sync::Arc::clone(self);
        tokio::task::spawn_blocking(move || this.load_blocking())
            .await
            .map_err(|e| KeyError::Io { path: "spawn_blocking".into(), message: e.to_string() })?
    }

    /// Signs `claims` (RS256) with the newest key, its `kid` in the header.
    pub async fn sign<T: Serialize>(self: &std::sync::Arc<Self>, claims: &T) -> Result<String, KeyError> {
        let keys = self.get().await?;
        let key = keys.last().expect("at least one key is loaded");
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|e| KeyError::Invalid { kid: key.kid.clone(), message: e.to_string() })
    }

    /// Checks a token this tool signed (RS256 with one of its published
    /// keys) and returns its claims; `validation` says what else to check.
    pub async fn verify<T: serde::de::DeserializeOwned>(
        self: &std::sync::Arc<Self>,
        token: &str,
        validation: &jsonwebtoken::Validation,
    ) -> Result<T, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
        let keys = self.get().await.map_err(|e| e.to_string())?;
        let now = crate::auth::unix_seconds();
        let key = published(&keys, now, self.grace_seconds)
            .find(|k| Some(&k.kid) == header.kid.as_ref())
            .ok_or_else(|| "signed with no key of this tool".to_string())?;
        let decoding = jsonwebtoken::DecodingKey::from_rsa_raw_components(
            &key.public.n().to_bytes_be(),
            &key.public.e().to_bytes_be(),
        );
        jsonwebtoken::decode::<T>(token, &decoding, validation).map(|data| data.claims).map_err(|e| e.to_string())
    }

    /// The keyset published at `/lti/jwks`: the newest key and those
    /// replaced less than `lti.key_grace_days` ago.
    pub async fn jwks(self: &std::sync::Arc<Self>) -> Result<Value, KeyError> {
        let keys = self.get().await?;
        let now = crate::auth::unix_seconds();
        Ok(json!({ "keys": published(&keys, now, self.grace_seconds).map(ToolKey::jwk).collect::<Vec<_>>() }))
    }

    /// Generates a new key (which signs from now on; the previous ones stay
    /// published for the grace period). Nodes load keys once: restart them
    /// after a rotation (they share `<data_dir>/lti/keys`).
    pub fn rotate(data_dir: &Path) -> Result<String, KeyError> {
        let dir = data_dir.join("lti").join("keys");
        let mut now = crate::auth::unix_seconds();
        if let Some(newest) = read_keys(&dir)?.last() {
            now = now.max(newest.created_at + 1);
        }
        Ok(generate_into(&dir, now)?.kid)
    }
}

/// Keys still published at `now`: the newest, and every key whose successor
/// is younger than the grace period.
fn published(keys: &[ToolKey], now: u64, grace_seconds: u64) -> impl Iterator<Item = &ToolKey> {
    keys.iter()
        .enumerate()
        .filter(move |(index, _)| match keys.get(index + 1) {
            None => true,
            Some(next) => now.saturating_sub(next.created_at) < grace_seconds,
        })
        .map(|(_, key)| key)
}

fn io_error(dir: &Path, error: impl std::fmt::Display) -> KeyError {
    KeyError::Io { path: dir.display().to_string(), message: error.to_string() }
}

fn read_keys(dir: &Path) -> Result<Vec<ToolKey>, KeyError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_error(dir, error)),
    };
    let mut keys = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        let Some(kid) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".pem")) else {
            continue;
        };
        let pem = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        keys.push(key_from_pem(kid, &pem)?);
    }
    keys.sort_by(|a, b| (a.created_at, &a.kid).cmp(&(b.created_at, &b.kid)));
    Ok(keys)
}

fn key_from_pem(kid: &str, pem: &str) -> Result<ToolKey, KeyError> {
    let invalid = |message: String| KeyError::Invalid { kid: kid.to_string(), message };
    let created_at =
        kid.split('-').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| invalid("not an amphi key id".into()))?;
    let private = RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| invalid(e.to_string()))?;
    let der = {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        private.to_pkcs1_der().map_err(|e| invalid(e.to_string()))?
    };
    let encoding = EncodingKey::from_rsa_der(der.as_bytes());
    Ok(ToolKey { kid: kid.to_string(), created_at, encoding, public: private.to_public_key() })
}

fn generate_into(dir: &Path, now: u64) -> Result<ToolKey, KeyError> {
    create_private_dir(dir)?;
    let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, KEY_BITS)
        .map_err(|e| KeyError::Invalid { kid: "new".into(), message: e.to_string() })?;
    let pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Invalid { kid: "new".into(), message: e.to_string() })?;
    let kid = format!("amphi-{now}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let path = dir.join(format!("{kid}.pem"));
    write_private(&path, pem.as_bytes()).map_err(|e| io_error(&path, e))?;
    tracing::info!(%kid, "generated a new LTI signing key");
    key_from_pem(&kid, &pem)
}

fn create_private_dir(dir: &Path) -> Result<(), KeyError> {
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for path in [dir, dir.parent().unwrap_or(dir)] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(|e| io_error(path, e))?;
        }
    }
    Ok(())
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_generated_once_kept_private_and_published() {
        let dir = tempfile::tempdir().unwrap();
        let keys = ToolKeys::new(dir.path(), 14);
        let first = keys.load_blocking().unwrap();
        assert_eq!(first.len(), 1);
        let again = ToolKeys::new(dir.path(), 14).load_blocking().unwrap();
        assert_eq!(again[0].kid, first[0].kid, "the same key after a restart");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let file = dir.path().join("lti/keys").join(format!("{}.pem", first[0].kid));
            assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600);
            let folder = dir.path().join("lti/keys");
            assert_eq!(std::fs::metadata(folder).unwrap().permissions().mode() & 0o777, 0o700);
        }
        let jwk = first[0].jwk();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["e"], "AQAB");
        assert!(jwk["n"].as_str().unwrap().len() > 300, "a 2048-bit modulus");
        assert!(first[0].public_pem().starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn after_a_rotation_the_old_key_stays_published_for_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let old = ToolKeys::new(dir.path(), 14).load_blocking().unwrap()[0].kid.clone();
        let new = ToolKeys::rotate(dir.path()).unwrap();
        let keys = ToolKeys::new(dir.path(), 14).load_blocking().unwrap();
        assert_eq!(keys.last().unwrap().kid, new, "the new key signs");
        let created = keys.last().unwrap().created_at;
        let kids = |now| published(&keys, now, 14 * 86_400).map(|k| k.kid.clone()).collect::<Vec<_>>();
        assert_eq!(kids(created + 86_400), vec![old.clone(), new.clone()]);
        assert_eq!(kids(created + 15 * 86_400), vec![new]);
    }
}
