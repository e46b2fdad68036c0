//! Platforms' keysets, fetched only from the URL registered for each
//! platform, cached for `lti.keyset_cache_s`; a launch signed with a key id
//! the cached keyset lacks refetches it once (a platform rotated its key), at
//! most once per `lti.keyset_refetch_s` per platform, so forged key ids cannot
//! make amphi hammer a platform.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::JwkSet;
use std::sync::Mutex;

use super::http::{CallError, PlatformHttp};
use crate::store::PlatformRecord;

/// Why no key could be found for a launch.
#[derive(Debug, thiserror::Error)]
pub enum KeyLookupError {
    #[error("the platform's keyset has no key {0:?}")]
    UnknownKid(String),
    #[error("the platform's key {kid:?} is not a usable RSA key: {message}")]
    Unusable { kid: String, message: String },
    #[error("the platform's keyset cannot be fetched: {0}")]
    Unavailable(CallError),
}

struct Cached {
    keys: JwkSet,
    /// When `keys` were fetched (never, while the first fetch fails).
    fetched_at: Option<Instant>,
    /// The last refetch for an unknown key id (for its rate limit).
    refetched_at: Option<Instant>,
    last_error: Option<CallError>,
}

pub struct Keysets {
    http: PlatformHttp,
    cache_for: Duration,
    refetch_every: Duration,
    cached: Mutex<HashMap<String, Cached>>,
}

impl Keysets {
    pub fn new(http: PlatformHttp, config: &super::LtiConfig) -> Keysets {
        Keysets {
            http,
            cache_for: Duration::from_secs(config.keyset_cache_s),
            refetch_every: Duration::from_secs(config.keyset_refetch_s),
            cached: Mutex::new(HashMap::new()),
        }
    }

    /// The platform's key `kid` (or its only key when the token names none).
    pub async fn key(&self, platform: &PlatformRecord, kid: Option<&str>) -> Result<DecodingKey, KeyLookupError> {
        let unknown = || KeyLookupError::UnknownKid(kid.unwrap_or_default().to_string());
        let jwk = {
            let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let entry = cached.get_mut(&platform.id);
            match entry {
                Some(c) if c.fetched_at.is_some_and(|at| at.elapsed() < self.cache_for) => match pick(&c.keys, kid) {
                    Some(jwk) => Some(jwk),
                    // A key id the keyset lacks: refetch, rate-limited.
                    None if c.refetched_at.is_some_and(|at| at.elapsed() < self.refetch_every) => return Err(unknown()),
                    None => {
                        c.refetched_at = Some(Instant::now());
                        None
                    }
                },
                _ => None,
            }
        };
        let jwk = match jwk {
            Some(jwk) => jwk,
            None => {
                // Fetched outside the lock: a slow platform holds up no other.
                let request = self.http.request(reqwest::Method::GET, &platform.jwks_url);
                let fetched: Result<JwkSet, CallError> = self.http.json(&platform.jwks_url, request).await;
                let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let entry = cached.entry(platform.id.clone()).or_insert_with(|| Cached {
                    keys: JwkSet { keys: Vec::new() },
                    fetched_at: None,
                    refetched_at: None,
                    last_error: None,
                });
                match fetched {
                    Ok(keys) => {
                        entry.keys = keys;
                        entry.fetched_at = Some(Instant::now());
                        entry.last_error = None;
                        pick(&entry.keys, kid).ok_or_else(unknown)?
                    }
                    Err(error) => {
                        entry.last_error = Some(error.clone());
                        return Err(KeyLookupError::Unavailable(error));
                    }
                }
            }
        };
        DecodingKey::from_jwk(&jwk)
            .map_err(|e| KeyLookupError::Unusable { kid: kid.unwrap_or_default().to_string(), message: e.to_string() })
    }

    /// Forgets a platform's keyset (its registration changed).
    pub fn forget(&self, platform_id: &str) {
        self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(platform_id);
    }
}

fn pick(keys: &JwkSet, kid: Option<&str>) -> Option<jsonwebtoken::jwk::Jwk> {
    match kid {
        Some(kid) => keys.find(kid).cloned(),
        None if keys.keys.len() == 1 => keys.keys.first().cloned(),
        None => None,
    }
}
