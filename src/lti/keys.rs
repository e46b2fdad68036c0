//! amphi's own signing keys as an LTI tool: RSA key pairs kept under
//! `<data_dir>/lti/keys/` (PKCS#8 PEM, mode 0600, one file per key id),
//! generated on first use, every key still in its grace period published at
//! `/lti/jwks`.
//!
//! A rotation needs no restart: nodes read the directory again every
//! [`RELOAD_SECONDS`], and a new key only signs once it is
//! [`SIGN_AFTER_SECONDS`] old, by when every node publishes it (a platform
//! never meets a signature its copy of the keyset cannot check).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
/// How often a node reads its keys again (a rotation reaches it then).
pub const RELOAD_SECONDS: u64 = 60;
/// How old a new key must be to sign: published by every node by then.
pub const SIGN_AFTER_SECONDS: u64 = 2 * RELOAD_SECONDS;

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

/// The keys as last read, and when.
type Loaded = (Instant, std::sync::Arc<Vec<ToolKey>>);

/// The tool's keys, loaded (or generated) on first use, read again every
/// `reload` (a rotation reaches a running node then).
pub struct ToolKeys {
    dir: PathBuf,
    grace_seconds: u64,
    reload: Duration,
    keys: Mutex<Option<Loaded>>,
}

impl ToolKeys {
    pub fn new(data_dir: &Path, grace_days: u64) -> ToolKeys {
        ToolKeys {
            dir: data_dir.join("lti").join("keys"),
            grace_seconds: grace_days * 86_400,
            reload: Duration::from_secs(RELOAD_SECONDS),
            keys: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<std::sync::Arc<Vec<ToolKey>>> {
        let slot = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.as_ref().filter(|(at, _)| at.elapsed() < self.reload).map(|(_, keys)| std::sync::Arc::clone(keys))
    }

    /// The keys, oldest first; read from the directory when the copy in
    /// memory is older than `reload`, generating the first key if there is
    /// none (a CPU-heavy second: call it off the async threads, see
    /// [`ToolKeys::get`]). A directory that cannot be read again keeps the
    /// keys read before.
    fn load_blocking(&self) -> Result<std::sync::Arc<Vec<ToolKey>>, KeyError> {
        if let Some(keys) = self.cached() {
            return Ok(keys);
        }
        let mut slot = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut keys = match read_keys(&self.dir) {
            Ok(keys) => keys,
            Err(error) => match slot.as_ref() {
                Some((_, previous)) => {
                    tracing::warn!(%error, "cannot read the LTI keys again; keeping those read before");
                    return Ok(std::sync::Arc::clone(previous));
                }
                None => return Err(error),
            },
        };
        if keys.is_empty() {
            keys.push(generate_into(&self.dir, crate::auth::unix_seconds())?);
        }
        let keys = std::sync::Arc::new(keys);
        *slot = Some((Instant::now(), std::sync::Arc::clone(&keys)));
        Ok(keys)
    }

    /// The keys, oldest first (loaded, read again or generated on a
    /// blocking thread).
    pub async fn get(self: &std::sync::Arc<Self>) -> Result<std::sync::Arc<Vec<ToolKey>>, KeyError> {
        if let Some(keys) = self.cached() {
            return Ok(keys);
        }
        let this = std::sync::Arc::clone(self);
        tokio::task::spawn_blocking(move || this.load_blocking())
            .await
            .map_err(|e| KeyError::Io { path: "spawn_blocking".into(), message: e.to_string() })?
    }

    /// Signs `claims` (RS256) with the signing key, its `kid` in the header.
    pub async fn sign<T: Serialize>(self: &std::sync::Arc<Self>, claims: &T) -> Result<String, KeyError> {
        let keys = self.get().await?;
        let key = signing_key(&keys, crate::auth::unix_seconds());
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

    /// Generates a new key: published by every node within
    /// [`RELOAD_SECONDS`], signing after [`SIGN_AFTER_SECONDS`]; the
    /// previous ones stay published for the grace period (nodes share
    /// `<data_dir>/lti/keys`).
    pub fn rotate(data_dir: &Path) -> Result<String, KeyError> {
        let dir = data_dir.join("lti").join("keys");
        let mut now = crate::auth::unix_seconds();
        if let Some(newest) = read_keys(&dir)?.last() {
            now = now.max(newest.created_at + 1);
        }
        Ok(generate_into(&dir, now)?.kid)
    }
}

/// The key that signs at `now`: the newest one at least
/// [`SIGN_AFTER_SECONDS`] old, or the first one while it is the only one
/// (the tool's very first key signs at once: no platform knows another).
fn signing_key(keys: &[ToolKey], now: u64) -> &ToolKey {
    keys.iter()
        .rev()
        .find(|k| now.saturating_sub(k.created_at) >= SIGN_AFTER_SECONDS)
        .unwrap_or_else(|| keys.first().expect("at least one key is loaded"))
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
    fn a_rotation_reaches_a_running_node_and_signs_once_published_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let keys_dir = dir.path().join("lti/keys");
        let now = crate::auth::unix_seconds();
        let first = generate_into(&keys_dir, now - 1000).unwrap().kid;
        let mut running = ToolKeys::new(dir.path(), 14);
        running.reload = Duration::ZERO;
        assert_eq!(signing_key(&running.load_blocking().unwrap(), now).kid, first);

        // Rotated (e.g. from another node): published at once, not signing yet.
        let fresh = ToolKeys::rotate(dir.path()).unwrap();
        let loaded = running.load_blocking().unwrap();
        let kids: Vec<&str> = published(&loaded, now, 14 * 86_400).map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, vec![first.as_str(), fresh.as_str()], "the running node publishes the new key");
        assert_eq!(signing_key(&loaded, now).kid, first, "the old key signs until every node publishes the new one");
        assert_eq!(signing_key(&loaded, now + SIGN_AFTER_SECONDS + 2).kid, fresh, "then the new one signs");

        // A node that keeps its copy for `reload` sees it only then.
        let cached = ToolKeys::new(dir.path(), 14);
        cached.load_blocking().unwrap();
        ToolKeys::rotate(dir.path()).unwrap();
        assert_eq!(cached.load_blocking().unwrap().len(), 2, "within RELOAD_SECONDS, the copy read before");
    }

    #[test]
    fn after_a_rotation_the_old_key_stays_published_for_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let old = ToolKeys::new(dir.path(), 14).load_blocking().unwrap()[0].kid.clone();
        let new = ToolKeys::rotate(dir.path()).unwrap();
        let keys = ToolKeys::new(dir.path(), 14).load_blocking().unwrap();
        assert_eq!(keys.last().unwrap().kid, new, "the new key is the newest");
        let created = keys.last().unwrap().created_at;
        let kids = |now| published(&keys, now, 14 * 86_400).map(|k| k.kid.clone()).collect::<Vec<_>>();
        assert_eq!(kids(created + 86_400), vec![old.clone(), new.clone()]);
        assert_eq!(kids(created + 15 * 86_400), vec![new]);
    }
}
