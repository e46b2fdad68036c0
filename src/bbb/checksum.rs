//! BigBlueButton's checksums: an API call is signed with
//! `hex(H(callName + queryString + sharedSecret))` over the exact query
//! string sent, and a bbb-webhooks callback with
//! `hex(H(callbackURL + body + sharedSecret))` (or a bearer token instead).
//! Query strings are built here too, so that what is signed is what is sent.
//! And the meetings' passwords, which BigBlueButton before 2.6 requires.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use super::config::{BbbConfig, ChecksumAlgorithm, WebhookAuthMode};

/// Why a webhook callback was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookAuthError {
    #[error("the callback carries no `checksum` query parameter")]
    MissingChecksum,
    #[error("the callback's checksum does not match its URL, body and the shared secret")]
    ChecksumMismatch,
    #[error("the callback carries no `Authorization: Bearer` header")]
    MissingBearer,
    #[error("the callback's bearer token is not the expected one")]
    BearerMismatch,
}

/// `hex(H(data))`, in lowercase.
pub fn hex_digest(algorithm: ChecksumAlgorithm, parts: &[&[u8]]) -> String {
    fn digest<D: Digest>(parts: &[&[u8]]) -> String {
        let mut hasher = D::new();
        for part in parts {
            hasher.update(part);
        }
        hex::encode(hasher.finalize())
    }
    match algorithm {
        ChecksumAlgorithm::Sha1 => digest::<Sha1>(parts),
        ChecksumAlgorithm::Sha256 => digest::<Sha256>(parts),
        ChecksumAlgorithm::Sha384 => digest::<Sha384>(parts),
        ChecksumAlgorithm::Sha512 => digest::<Sha512>(parts),
    }
}

/// A meeting's password for `role` (`attendeePW`, `moderatorPW`; `password`
/// on `join`): `hex(HMAC-SHA256(secret, role + ":" + meetingID))`, cut to
/// 24 characters. Derived, never stored: every node computes the same one,
/// and nobody without the shared secret can (BigBlueButton 2.6+ joins by
/// `role` and ignores it; earlier versions need it).
pub fn meeting_password(secret: &str, meeting_id: &str, role: super::request::JoinRole) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(role.as_str().as_bytes());
    mac.update(b":");
    mac.update(meeting_id.as_bytes());
    let mut password = hex::encode(mac.finalize().into_bytes());
    password.truncate(24);
    password
}

/// The checksum of one API call: `hex(H(call + query + secret))`, where
/// `query` is the query string exactly as sent, without `checksum`.
pub fn api_checksum(algorithm: ChecksumAlgorithm, call: &str, query: &str, secret: &str) -> String {
    hex_digest(algorithm, &[call.as_bytes(), query.as_bytes(), secret.as_bytes()])
}

/// Encodes parameters as `application/x-www-form-urlencoded` (spaces as
/// `+`), in the order given.
pub fn encode_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name.as_ref(), value.as_ref());
    }
    serializer.finish()
}

/// The query string of a signed call: the encoded parameters followed by
/// their `checksum`.
pub fn signed_query<K: AsRef<str>, V: AsRef<str>>(
    algorithm: ChecksumAlgorithm,
    call: &str,
    params: &[(K, V)],
    secret: &str,
) -> String {
    let query = encode_query(params);
    let checksum = api_checksum(algorithm, call, &query, secret);
    if query.is_empty() { format!("checksum={checksum}") } else { format!("{query}&checksum={checksum}") }
}

/// Checks a received call the way BigBlueButton does: the `checksum`
/// parameter is cut out of the raw query string, and the rest is hashed
/// with the call name and the secret.
pub fn verify_api_checksum(algorithm: ChecksumAlgorithm, call: &str, raw_query: &str, secret: &str) -> bool {
    let Some(checksum) = raw_query.split('&').find_map(|pair| pair.strip_prefix("checksum=")) else {
        return false;
    };
    let signed = raw_query
        .replacen(&format!("&checksum={checksum}"), "", 1)
        .replacen(&format!("checksum={checksum}&"), "", 1)
        .replacen(&format!("checksum={checksum}"), "", 1);
    api_checksum(algorithm, call, &signed, secret).as_bytes().ct_eq(checksum.as_bytes()).into()
}

/// The checksum bbb-webhooks appends to a callback URL:
/// `hex(H(callbackURL + body + secret))`, where `callbackURL` is the URL
/// as registered (without the checksum) and `body` the raw request body.
pub fn webhook_checksum(algorithm: ChecksumAlgorithm, callback_url: &str, body: &[u8], secret: &str) -> String {
    hex_digest(algorithm, &[callback_url.as_bytes(), body, secret.as_bytes()])
}

/// Splits the URL a callback arrived at into the registered callback URL
/// and the `checksum` bbb-webhooks appended to it (last, after `?` or `&`).
pub fn split_callback_checksum(received_url: &str) -> (&str, Option<&str>) {
    for separator in ["&checksum=", "?checksum="] {
        if let Some(at) = received_url.rfind(separator) {
            let checksum = &received_url[at + separator.len()..];
            if !checksum.contains('&') {
                return (&received_url[..at], Some(checksum));
            }
        }
    }
    (received_url, None)
}

/// Authenticates a bbb-webhooks callback: a valid proof in either mode is
/// accepted (a checksum, or the bearer token), since bbb-webhooks counts a
/// refused callback as delivered and a mode set differently on both sides
/// would lose every event; returns the mode the proof was in. When neither
/// holds, the error is the configured mode's.
///
/// `callback_url` is the URL the hook was registered with, `body` the raw
/// request body, `checksum` the `checksum` query parameter if any, and
/// `authorization` the `Authorization` header if any.
pub fn verify_webhook(
    config: &BbbConfig,
    callback_url: &str,
    body: &[u8],
    checksum: Option<&str>,
    authorization: Option<&str>,
) -> Result<WebhookAuthMode, WebhookAuthError> {
    let by_checksum = || {
        let received = checksum.ok_or(WebhookAuthError::MissingChecksum)?;
        let expected = webhook_checksum(config.checksum_algorithm, callback_url, body, &config.secret);
        if bool::from(expected.as_bytes().ct_eq(received.to_ascii_lowercase().as_bytes())) {
            Ok(WebhookAuthMode::Checksum)
        } else {
            Err(WebhookAuthError::ChecksumMismatch)
        }
    };
    let by_bearer = || {
        let token = authorization.and_then(bearer_token).ok_or(WebhookAuthError::MissingBearer)?;
        let expected = config.expected_bearer_token();
        if !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(token.as_bytes())) {
            Ok(WebhookAuthMode::Bearer)
        } else {
            Err(WebhookAuthError::BearerMismatch)
        }
    };
    match config.webhook_auth {
        WebhookAuthMode::Checksum => by_checksum().or_else(|error| by_bearer().map_err(|_| error)),
        WebhookAuthMode::Bearer => by_bearer().or_else(|error| by_checksum().map_err(|_| error)),
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";
    const DOC_QUERY: &str = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444";

    #[test]
    fn the_documentation_example_gives_the_documented_sha1() {
        assert_eq!(
            api_checksum(ChecksumAlgorithm::Sha1, "create", DOC_QUERY, DOC_SECRET),
            "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
        );
    }

    #[test]
    fn the_query_is_encoded_as_the_documentation_shows() {
        let params =
            [("name", "Test Meeting"), ("meetingID", "abc123"), ("attendeePW", "111222"), ("moderatorPW", "333444")];
        assert_eq!(encode_query(&params), DOC_QUERY);
        assert_eq!(
            signed_query(ChecksumAlgorithm::Sha1, "create", &params, DOC_SECRET),
            format!("{DOC_QUERY}&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17")
        );
    }

    #[test]
    fn every_algorithm_hashes_the_same_string() {
        // Computed independently with `printf %s "create$QUERY$SECRET" | shaNsum`.
        let expected = [
            (ChecksumAlgorithm::Sha1, "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"),
            (ChecksumAlgorithm::Sha256, "da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e"),
            (
                ChecksumAlgorithm::Sha384,
                "891ac633df39d0a1b4f8d597f3e190833216c4b29c4fb51ea3ca72757eeb958d6e7b49a845cf29f5c6019c7d29d029d1",
            ),
            (
                ChecksumAlgorithm::Sha512,
                "de73ad61d11a5c801b68d4bd6ec5248546085cefb0b25c85f3c46249ea93a3a4\
                 b120f92c0a8a58d7512cb77821884951a3b01245f3435dbbef49fff3cc3988b4",
            ),
        ];
        for (algorithm, digest) in expected {
            assert_eq!(api_checksum(algorithm, "create", DOC_QUERY, DOC_SECRET), digest, "{algorithm:?}");
        }
    }

    #[test]
    fn special_characters_are_form_encoded() {
        assert_eq!(
            encode_query(&[("fullName", "Zoé & Noé+1"), ("x", "a/b?c=d")]),
            "fullName=Zo%C3%A9+%26+No%C3%A9%2B1&x=a%2Fb%3Fc%3Dd"
        );
    }

    #[test]
    fn a_signed_query_verifies_wherever_the_checksum_stands() {
        for algorithm in [ChecksumAlgorithm::Sha1, ChecksumAlgorithm::Sha256, ChecksumAlgorithm::Sha512] {
            let query = signed_query(algorithm, "join", &[("meetingID", "m 1"), ("fullName", "Ada")], "s");
            assert!(verify_api_checksum(algorithm, "join", &query, "s"));
            assert!(!verify_api_checksum(algorithm, "join", &query, "other secret"));
            assert!(!verify_api_checksum(algorithm, "create", &query, "s"));
            assert!(!verify_api_checksum(algorithm, "join", &query.replace("Ada", "Eve"), "s"));
        }
        let checksum = api_checksum(ChecksumAlgorithm::Sha1, "end", "meetingID=m", "s");
        assert!(verify_api_checksum(ChecksumAlgorithm::Sha1, "end", &format!("checksum={checksum}&meetingID=m"), "s"));
        let empty = signed_query::<&str, &str>(ChecksumAlgorithm::Sha1, "getMeetings", &[], "s");
        assert!(verify_api_checksum(ChecksumAlgorithm::Sha1, "getMeetings", &empty, "s"));
        assert!(!verify_api_checksum(ChecksumAlgorithm::Sha1, "end", "meetingID=m", "s"));
    }

    #[test]
    fn a_sha1_checksum_does_not_pass_a_sha256_server() {
        let query = signed_query(ChecksumAlgorithm::Sha1, "end", &[("meetingID", "m")], "s");
        assert!(!verify_api_checksum(ChecksumAlgorithm::Sha256, "end", &query, "s"));
    }

    fn webhook_config(mode: WebhookAuthMode, token: &str) -> BbbConfig {
        BbbConfig {
            secret: "s3cret".into(),
            webhook_auth: mode,
            webhook_bearer_token: token.into(),
            ..BbbConfig::default()
        }
    }

    #[test]
    fn a_webhook_checksum_covers_url_body_and_secret() {
        let config = webhook_config(WebhookAuthMode::Checksum, "");
        let url = "https://amphi.example.org/bbb/hooks?atelier=7";
        let body = b"domain=bbb.example.org&event=%5B%5D&timestamp=1";
        let checksum = webhook_checksum(ChecksumAlgorithm::Sha1, url, body, "s3cret");
        assert_eq!(
            checksum,
            hex_digest(
                ChecksumAlgorithm::Sha1,
                &[format!("{url}{}s3cret", std::str::from_utf8(body).unwrap()).as_bytes()]
            )
        );
        assert_eq!(verify_webhook(&config, url, body, Some(&checksum), None), Ok(WebhookAuthMode::Checksum));
        assert_eq!(
            verify_webhook(&config, url, body, Some(&checksum.to_uppercase()), None),
            Ok(WebhookAuthMode::Checksum)
        );
        assert_eq!(
            verify_webhook(&config, url, b"domain=evil", Some(&checksum), None),
            Err(WebhookAuthError::ChecksumMismatch)
        );
        assert_eq!(verify_webhook(&config, url, body, None, None), Err(WebhookAuthError::MissingChecksum));
        // bbb-webhooks set to bearer mode while amphi expects checksums: the
        // token (here the shared secret, the default) is a valid proof too.
        assert_eq!(verify_webhook(&config, url, body, None, Some("Bearer s3cret")), Ok(WebhookAuthMode::Bearer));
        assert_eq!(
            verify_webhook(&config, url, body, None, Some("Bearer guess")),
            Err(WebhookAuthError::MissingChecksum),
            "the configured mode's error when neither proof holds"
        );
    }

    #[test]
    fn the_checksum_is_split_off_the_received_url() {
        assert_eq!(
            split_callback_checksum("https://a.example/hooks?atelier=7&checksum=abc"),
            ("https://a.example/hooks?atelier=7", Some("abc"))
        );
        assert_eq!(
            split_callback_checksum("https://a.example/hooks?checksum=abc"),
            ("https://a.example/hooks", Some("abc"))
        );
        assert_eq!(split_callback_checksum("https://a.example/hooks"), ("https://a.example/hooks", None));
    }

    #[test]
    fn a_bearer_webhook_needs_the_configured_token() {
        let config = webhook_config(WebhookAuthMode::Bearer, "tok");
        assert_eq!(verify_webhook(&config, "u", b"", None, Some("Bearer tok")), Ok(WebhookAuthMode::Bearer));
        assert_eq!(verify_webhook(&config, "u", b"", None, Some("bearer  tok ")), Ok(WebhookAuthMode::Bearer));
        assert_eq!(
            verify_webhook(&config, "u", b"", None, Some("Bearer s3cret")),
            Err(WebhookAuthError::BearerMismatch)
        );
        assert_eq!(verify_webhook(&config, "u", b"", None, Some("Basic tok")), Err(WebhookAuthError::MissingBearer));
        assert_eq!(verify_webhook(&config, "u", b"", Some("x"), None), Err(WebhookAuthError::MissingBearer));
        let defaulted = webhook_config(WebhookAuthMode::Bearer, "");
        assert_eq!(verify_webhook(&defaulted, "u", b"", None, Some("Bearer s3cret")), Ok(WebhookAuthMode::Bearer));
        // bbb-webhooks left in checksum mode while amphi expects a token.
        let checksum = webhook_checksum(ChecksumAlgorithm::Sha1, "u", b"", "s3cret");
        assert_eq!(verify_webhook(&config, "u", b"", Some(&checksum), None), Ok(WebhookAuthMode::Checksum));
    }
}
