//! The BigBlueButton settings: where the server is, the shared secret and
//! checksum algorithm it signs with, how long and how often to try a call,
//! and how bbb-webhooks callbacks authenticate themselves.

use std::fmt;

use serde::Deserialize;

/// How to reach and trust a BigBlueButton server. Deserializable from the
/// main config (a `[bbb]` table); every field has a default, and an empty
/// `url` means BigBlueButton is not used.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BbbConfig {
    /// The server's base URL as `bbb-conf --secret` prints it
    /// (`https://bbb.example.org/bigbluebutton/`); a URL ending in `/api`
    /// is accepted too.
    pub url: String,
    /// The shared secret (`securitySalt`).
    pub secret: String,
    /// The hash the server expects in checksums.
    pub checksum_algorithm: ChecksumAlgorithm,
    /// The time limit of one HTTP request.
    pub timeout_ms: u64,
    /// How many more times an idempotent call is tried after a timeout, a
    /// connection failure or a 5xx answer.
    pub retries: u32,
    /// The pause before the first retry; it doubles before each next one.
    pub retry_backoff_ms: u64,
    /// How bbb-webhooks callbacks prove where they come from.
    pub webhook_auth: WebhookAuthMode,
    /// The token expected in `Authorization: Bearer` when `webhook_auth` is
    /// `bearer`; when empty, the shared secret is expected (bbb-webhooks'
    /// own default).
    pub webhook_bearer_token: String,
    /// amphi's public base URL as BigBlueButton reaches it
    /// (`https://amphi.example.org`): callbacks are registered at
    /// `<callback_base_url>/api/v1/bbb/webhooks`, and their checksums
    /// cover that URL.
    pub callback_base_url: String,
    /// Register the webhook endpoint with `hooks/create` at start (needs
    /// `callback_base_url`).
    pub register_webhooks: bool,
}

/// The hash of BigBlueButton's checksums (the server's
/// `supportedChecksumAlgorithms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumAlgorithm {
    #[default]
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// How a bbb-webhooks callback is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookAuthMode {
    /// A `checksum` query parameter: `hex(H(callbackURL + body + secret))`.
    #[default]
    Checksum,
    /// An `Authorization: Bearer <token>` header (bbb-webhooks' `auth2_0`).
    Bearer,
}

/// A setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BbbConfigError {
    #[error("bbb.url `{0}` is not an absolute http(s) URL")]
    BadUrl(String),
    #[error("bbb.secret is empty: BigBlueButton refuses unsigned calls")]
    MissingSecret,
    #[error("bbb.timeout_ms must be at least 1")]
    ZeroTimeout,
}

impl Default for BbbConfig {
    fn default() -> BbbConfig {
        BbbConfig {
            url: String::new(),
            secret: String::new(),
            checksum_algorithm: ChecksumAlgorithm::Sha1,
            timeout_ms: 5_000,
            retries: 2,
            retry_backoff_ms: 200,
            webhook_auth: WebhookAuthMode::Checksum,
            webhook_bearer_token: String::new(),
            callback_base_url: String::new(),
            register_webhooks: true,
        }
    }
}

impl BbbConfig {
    /// Whether a server is configured at all.
    pub fn is_enabled(&self) -> bool {
        !self.url.trim().is_empty()
    }

    /// Checks the settings of an enabled server.
    pub fn validate(&self) -> Result<(), BbbConfigError> {
        if !self.is_enabled() {
            return Ok(());
        }
        match url::Url::parse(self.url.trim()) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => {}
            _ => return Err(BbbConfigError::BadUrl(self.url.clone())),
        }
        if self.secret.is_empty() {
            return Err(BbbConfigError::MissingSecret);
        }
        if self.timeout_ms == 0 {
            return Err(BbbConfigError::ZeroTimeout);
        }
        Ok(())
    }

    /// The token a bearer-authenticated webhook callback must carry.
    pub fn expected_bearer_token(&self) -> &str {
        if self.webhook_bearer_token.is_empty() { &self.secret } else { &self.webhook_bearer_token }
    }
}

/// Secrets stay out of logs.
impl fmt::Debug for BbbConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BbbConfig")
            .field("url", &self.url)
            .field("secret", &redacted(&self.secret))
            .field("checksum_algorithm", &self.checksum_algorithm)
            .field("timeout_ms", &self.timeout_ms)
            .field("retries", &self.retries)
            .field("retry_backoff_ms", &self.retry_backoff_ms)
            .field("webhook_auth", &self.webhook_auth)
            .field("webhook_bearer_token", &redacted(&self.webhook_bearer_token))
            .field("callback_base_url", &self.callback_base_url)
            .field("register_webhooks", &self.register_webhooks)
            .finish()
    }
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() { "" } else { "<redacted>" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_gives_the_defaults() {
        let config: BbbConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, BbbConfig::default());
        assert!(!config.is_enabled());
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn every_field_is_read() {
        let config: BbbConfig = serde_json::from_str(
            r#"{"url": "https://bbb.example.org/bigbluebutton/", "secret": "s3cret",
                "checksum_algorithm": "sha512", "timeout_ms": 900, "retries": 4, "retry_backoff_ms": 10,
                "webhook_auth": "bearer", "webhook_bearer_token": "tok"}"#,
        )
        .unwrap();
        assert_eq!(config.checksum_algorithm, ChecksumAlgorithm::Sha512);
        assert_eq!(config.webhook_auth, WebhookAuthMode::Bearer);
        assert_eq!((config.timeout_ms, config.retries, config.retry_backoff_ms), (900, 4, 10));
        assert_eq!(config.expected_bearer_token(), "tok");
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn unknown_keys_and_algorithms_are_refused() {
        assert!(serde_json::from_str::<BbbConfig>(r#"{"salt": "x"}"#).is_err());
        assert!(serde_json::from_str::<BbbConfig>(r#"{"checksum_algorithm": "md5"}"#).is_err());
    }

    #[test]
    fn validation_names_the_problem() {
        let mut config = BbbConfig { url: "bbb.example.org".into(), secret: "s".into(), ..BbbConfig::default() };
        assert_eq!(config.validate(), Err(BbbConfigError::BadUrl("bbb.example.org".into())));
        config.url = "https://bbb.example.org/bigbluebutton/".into();
        config.secret.clear();
        assert_eq!(config.validate(), Err(BbbConfigError::MissingSecret));
        config.secret = "s".into();
        config.timeout_ms = 0;
        assert_eq!(config.validate(), Err(BbbConfigError::ZeroTimeout));
    }

    #[test]
    fn the_bearer_token_defaults_to_the_secret_and_debug_hides_both() {
        let config = BbbConfig { secret: "s3cret".into(), ..BbbConfig::default() };
        assert_eq!(config.expected_bearer_token(), "s3cret");
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
