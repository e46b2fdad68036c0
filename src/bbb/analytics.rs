//! The learning-analytics callback BigBlueButton posts after a meeting to
//! `meta_analytics-callback-url`: a JSON body (who attended, how long,
//! how engaged) with `Authorization: Bearer <JWT>`, the JWT holding only
//! an `exp` and signed with the shared secret (HS512; HS256 is accepted
//! too). Verify the token before trusting the body.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::checksum::bearer_token;

/// Why an analytics callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalyticsError {
    #[error("the analytics callback carries no `Authorization: Bearer` token")]
    MissingToken,
    #[error("the analytics callback's token has expired")]
    Expired,
    #[error("the analytics callback's token is not valid: {0}")]
    InvalidToken(String),
    #[error("the analytics callback's body is not the expected JSON: {0}")]
    BadBody(String),
}

/// The claims of the callback's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsClaims {
    /// Expiry, in seconds since the epoch (BigBlueButton gives 24 hours).
    pub exp: u64,
}

/// The callback's body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnalyticsCallback {
    #[serde(default)]
    pub version: String,
    /// The `meetingID` amphi gave at creation.
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub data: AnalyticsData,
}

/// What the meeting's events add up to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnalyticsData {
    /// Metadata given at creation, names in snake_case
    /// (`amphi_session_id`).
    #[serde(default, deserialize_with = "text_map")]
    pub metadata: BTreeMap<String, String>,
    /// The meeting's length in seconds.
    #[serde(default, rename = "duration")]
    pub duration_seconds: f64,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub finish: String,
    #[serde(default)]
    pub attendees: Vec<AnalyticsAttendee>,
    /// Everything else (`files`, `polls`, ...), untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One attendee's summary.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnalyticsAttendee {
    /// The `userID` given at join (amphi's member id); a number in some
    /// versions, read as text.
    #[serde(deserialize_with = "text")]
    pub ext_user_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub moderator: bool,
    /// Join times, one per (re)connection.
    #[serde(default)]
    pub joins: Vec<String>,
    #[serde(default)]
    pub leaves: Vec<String>,
    /// Time present, in seconds.
    #[serde(default, rename = "duration")]
    pub duration_seconds: f64,
    #[serde(default)]
    pub engagement: Engagement,
    /// Everything else (`sessions`, `recent_talking_time`, ...), untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How much an attendee took part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Engagement {
    #[serde(deserialize_with = "count")]
    pub chats: u64,
    #[serde(deserialize_with = "count")]
    pub talks: u64,
    #[serde(deserialize_with = "count")]
    pub raisehand: u64,
    #[serde(deserialize_with = "count")]
    pub emojis: u64,
    #[serde(deserialize_with = "count")]
    pub poll_votes: u64,
    /// Seconds spoken.
    #[serde(deserialize_with = "count")]
    pub talk_time: u64,
}

/// Checks the `Authorization` header of an analytics callback: a JWT
/// signed with the shared secret (HS512 or HS256), not expired.
pub fn verify_analytics_token(secret: &str, authorization: Option<&str>) -> Result<AnalyticsClaims, AnalyticsError> {
    let token = authorization.and_then(bearer_token).ok_or(AnalyticsError::MissingToken)?;
    if secret.is_empty() {
        return Err(AnalyticsError::InvalidToken("no shared secret is configured".into()));
    }
    let mut validation = Validation::new(Algorithm::HS512);
    validation.algorithms = vec![Algorithm::HS512, Algorithm::HS256];
    validation.set_required_spec_claims(&["exp"]);
    validation.leeway = 60;
    jsonwebtoken::decode::<AnalyticsClaims>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
        .map(|data| data.claims)
        .map_err(|error| match error.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => AnalyticsError::Expired,
            _ => AnalyticsError::InvalidToken(error.to_string()),
        })
}

/// Reads the callback's JSON body.
pub fn parse_analytics(body: &[u8]) -> Result<AnalyticsCallback, AnalyticsError> {
    serde_json::from_slice(body).map_err(|error| AnalyticsError::BadBody(error.to_string()))
}

/// Verifies the token, then reads the body.
pub fn receive_analytics(
    secret: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Result<AnalyticsCallback, AnalyticsError> {
    verify_analytics_token(secret, authorization)?;
    parse_analytics(body)
}

/// Signs a token the way BigBlueButton does (for tests and the simulator).
pub fn sign_analytics_token(secret: &str, exp: u64, algorithm: Algorithm) -> Result<String, AnalyticsError> {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        &AnalyticsClaims { exp },
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|error| AnalyticsError::InvalidToken(error.to_string()))
}

fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        other => Err(serde::de::Error::custom(format!("expected a string or a number, got {other}"))),
    }
}

fn text_map<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error> {
    let entries = Map::deserialize(deserializer)?;
    Ok(entries
        .into_iter()
        .map(|(name, value)| {
            let value = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            (name, value)
        })
        .collect())
}

fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Number(number) => match (number.as_u64(), number.as_f64()) {
            (Some(whole), _) => Ok(whole),
            (None, Some(real)) if real >= 0.0 && real.is_finite() => Ok(real.round() as u64),
            _ => Err(serde::de::Error::custom(format!("expected a count, got {number}"))),
        },
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!("expected a count, got {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

    fn now() -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }

    fn fixture() -> Vec<u8> {
        let path = format!("{}/tests/fixtures/bbb/analytics_callback.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_token_signed_like_bigbluebutton_is_accepted() {
        for algorithm in [Algorithm::HS512, Algorithm::HS256] {
            let token = sign_analytics_token(SECRET, now() + 24 * 3600, algorithm).unwrap();
            let header = format!("Bearer {token}");
            assert!(verify_analytics_token(SECRET, Some(&header)).is_ok(), "{algorithm:?}");
        }
    }

    #[test]
    fn bad_tokens_are_refused_with_the_reason() {
        let token = sign_analytics_token("another secret", now() + 3600, Algorithm::HS512).unwrap();
        assert!(matches!(
            verify_analytics_token(SECRET, Some(&format!("Bearer {token}"))),
            Err(AnalyticsError::InvalidToken(_))
        ));
        let expired = sign_analytics_token(SECRET, now() - 3600, Algorithm::HS512).unwrap();
        assert_eq!(verify_analytics_token(SECRET, Some(&format!("Bearer {expired}"))), Err(AnalyticsError::Expired));
        let weak = sign_analytics_token(SECRET, now() + 3600, Algorithm::HS384).unwrap();
        assert!(matches!(
            verify_analytics_token(SECRET, Some(&format!("Bearer {weak}"))),
            Err(AnalyticsError::InvalidToken(_))
        ));
        assert_eq!(verify_analytics_token(SECRET, None), Err(AnalyticsError::MissingToken));
        assert_eq!(verify_analytics_token(SECRET, Some("Basic abc")), Err(AnalyticsError::MissingToken));
        assert!(matches!(
            verify_analytics_token(SECRET, Some("Bearer not.a.jwt")),
            Err(AnalyticsError::InvalidToken(_))
        ));
        let token = sign_analytics_token(SECRET, now() + 3600, Algorithm::HS512).unwrap();
        assert!(matches!(
            verify_analytics_token("", Some(&format!("Bearer {token}"))),
            Err(AnalyticsError::InvalidToken(_))
        ));
    }

    #[test]
    fn the_recorded_body_is_read() {
        let token = sign_analytics_token(SECRET, now() + 60, Algorithm::HS512).unwrap();
        let callback = receive_analytics(SECRET, Some(&format!("Bearer {token}")), &fixture()).unwrap();
        assert_eq!(callback.version, "1.0");
        assert_eq!(callback.meeting_id, "amphi-s9-a3");
        let data = &callback.data;
        assert_eq!(data.metadata.get("amphi_session_id").map(String::as_str), Some("session-9"));
        assert_eq!(data.metadata.get("is_breakout").map(String::as_str), Some("false"));
        assert_eq!(data.duration_seconds, 3196.0);
        assert_eq!(data.attendees.len(), 2);
        let trainer = &data.attendees[0];
        assert_eq!((trainer.ext_user_id.as_str(), trainer.moderator), ("trainer-1", true));
        assert_eq!(trainer.engagement.talk_time, 1746);
        let member = &data.attendees[1];
        assert_eq!(member.ext_user_id, "42");
        assert_eq!(member.joins.len(), 2);
        assert_eq!(
            member.engagement,
            Engagement { chats: 5, talks: 2, raisehand: 1, emojis: 0, poll_votes: 1, talk_time: 26 }
        );
        assert!(data.extra.contains_key("files"));
        assert!(member.extra.contains_key("recent_talking_time"));
    }

    #[test]
    fn a_bad_body_is_an_error() {
        assert!(matches!(parse_analytics(b"{}"), Err(AnalyticsError::BadBody(_))));
        assert!(matches!(parse_analytics(b"not json"), Err(AnalyticsError::BadBody(_))));
        let wrong = br#"{"meeting_id":"m","internal_meeting_id":"i","data":{"attendees":[{"ext_user_id":true}]}}"#;
        assert!(matches!(parse_analytics(wrong), Err(AnalyticsError::BadBody(_))));
    }
}
