//! The learning-analytics callback BigBlueButton posts after a meeting to
//! `meta_analytics-callback-url`: a JSON body (who attended, how long,
//! how engaged) with `Authorization: Bearer <JWT>`, the JWT holding only
//! an `exp` and signed with the shared secret (HS512; HS256 is accepted
//! too). Verify the token before trusting the body.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// The callback's body, read leniently: only `meeting_id` is essential;
/// any other field that is missing or of an unexpected type gets its
/// default and is named in `unread` (the raw body is stored as received).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalyticsCallback {
    pub version: String,
    /// The `meetingID` amphi gave at creation.
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub data: AnalyticsData,
    /// The fields that could not be read (`data.start`, `data.attendees[1].joins`, ...).
    pub unread: Vec<String>,
}

/// What the meeting's events add up to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalyticsData {
    /// Metadata given at creation, names in snake_case
    /// (`amphi_session_id`).
    pub metadata: BTreeMap<String, String>,
    /// The meeting's length in seconds.
    pub duration_seconds: f64,
    pub start: String,
    pub finish: String,
    pub attendees: Vec<AnalyticsAttendee>,
}

/// One attendee's summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnalyticsAttendee {
    /// The `userID` given at join (amphi's member id); a number in some
    /// versions, read as text.
    pub ext_user_id: String,
    pub name: String,
    pub moderator: bool,
    /// Join times, one per (re)connection (`2024-05-09 13:35:40 +0000`).
    pub joins: Vec<String>,
    pub leaves: Vec<String>,
    /// Time present, in seconds.
    pub duration_seconds: f64,
    pub engagement: Engagement,
}

/// How much an attendee took part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Engagement {
    pub chats: u64,
    pub talks: u64,
    pub raisehand: u64,
    pub emojis: u64,
    pub poll_votes: u64,
    /// Seconds spoken.
    pub talk_time: u64,
}

/// Reads values leniently, noting by path what it could not read.
struct Reader<'a> {
    unread: &'a mut Vec<String>,
}

impl Reader<'_> {
    fn skip(&mut self, path: &str) {
        self.unread.push(path.to_string());
    }

    /// Text from a string or a number; absent or null is empty.
    fn text(&mut self, value: Option<&Value>, path: &str) -> String {
        match value {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            Some(_) => {
                self.skip(path);
                String::new()
            }
        }
    }

    fn number(&mut self, value: Option<&Value>, path: &str) -> f64 {
        match value {
            None | Some(Value::Null) => 0.0,
            Some(Value::Number(number)) => number.as_f64().unwrap_or(0.0),
            Some(Value::String(text)) if text.trim().parse::<f64>().is_ok() => text.trim().parse().unwrap_or(0.0),
            Some(_) => {
                self.skip(path);
                0.0
            }
        }
    }

    fn count(&mut self, value: Option<&Value>, path: &str) -> u64 {
        let number = self.number(value, path);
        if number.is_finite() && number >= 0.0 { number.round() as u64 } else { 0 }
    }

    fn flag(&mut self, value: Option<&Value>, path: &str) -> bool {
        match value {
            None | Some(Value::Null) => false,
            Some(Value::Bool(flag)) => *flag,
            Some(Value::String(text)) if text == "true" || text == "false" => text == "true",
            Some(_) => {
                self.skip(path);
                false
            }
        }
    }

    fn texts(&mut self, value: Option<&Value>, path: &str) -> Vec<String> {
        match value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                items.iter().enumerate().filter_map(|(i, item)| self.some_text(item, &format!("{path}[{i}]"))).collect()
            }
            Some(_) => {
                self.skip(path);
                Vec::new()
            }
        }
    }

    fn some_text(&mut self, value: &Value, path: &str) -> Option<String> {
        let text = scalar_text(value);
        if text.is_none() {
            self.skip(path);
        }
        text
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Reads one attendee (as stored in its own row, or in the callback).
pub fn read_attendee(value: &Value, path: &str, unread: &mut Vec<String>) -> Option<AnalyticsAttendee> {
    let mut read = Reader { unread };
    let ext_user_id = read.text(value.get("ext_user_id"), &format!("{path}.ext_user_id"));
    if ext_user_id.is_empty() {
        if value.get("ext_user_id").is_none_or(|v| v.is_string() || v.is_null()) {
            read.skip(&format!("{path}.ext_user_id"));
        }
        return None;
    }
    let engagement = value.get("engagement");
    let field = |name: &str| engagement.and_then(|e| e.get(name));
    let at = |name: &str| format!("{path}.engagement.{name}");
    Some(AnalyticsAttendee {
        name: read.text(value.get("name"), &format!("{path}.name")),
        moderator: read.flag(value.get("moderator"), &format!("{path}.moderator")),
        joins: read.texts(value.get("joins"), &format!("{path}.joins")),
        leaves: read.texts(value.get("leaves"), &format!("{path}.leaves")),
        duration_seconds: read.number(value.get("duration"), &format!("{path}.duration")),
        engagement: Engagement {
            chats: read.count(field("chats"), &at("chats")),
            talks: read.count(field("talks"), &at("talks")),
            raisehand: read.count(field("raisehand"), &at("raisehand")),
            emojis: read.count(field("emojis"), &at("emojis")),
            poll_votes: read.count(field("poll_votes"), &at("poll_votes")),
            talk_time: read.count(field("talk_time"), &at("talk_time")),
        },
        ext_user_id,
    })
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

/// Reads the callback's JSON body: a JSON object with a `meeting_id`;
/// everything else as far as it can be read (see [`AnalyticsCallback`]).
pub fn parse_analytics(body: &[u8]) -> Result<AnalyticsCallback, AnalyticsError> {
    let root: Value = serde_json::from_slice(body).map_err(|error| AnalyticsError::BadBody(error.to_string()))?;
    if !root.is_object() {
        return Err(AnalyticsError::BadBody("not a JSON object".into()));
    }
    let mut unread = Vec::new();
    let mut read = Reader { unread: &mut unread };
    let meeting_id = read.text(root.get("meeting_id"), "meeting_id");
    if meeting_id.is_empty() {
        return Err(AnalyticsError::BadBody("no `meeting_id`".into()));
    }
    let version = read.text(root.get("version"), "version");
    let internal_meeting_id = read.text(root.get("internal_meeting_id"), "internal_meeting_id");
    let data = root.get("data");
    let field = |name: &str| data.and_then(|d| d.get(name));
    let metadata = match field("metadata") {
        Some(Value::Object(entries)) => entries
            .iter()
            .map(|(name, value)| (name.clone(), scalar_text(value).unwrap_or_else(|| value.to_string())))
            .collect(),
        None | Some(Value::Null) => BTreeMap::new(),
        Some(_) => {
            read.skip("data.metadata");
            BTreeMap::new()
        }
    };
    let duration_seconds = read.number(field("duration"), "data.duration");
    let start = read.text(field("start"), "data.start");
    let finish = read.text(field("finish"), "data.finish");
    let listed = match field("attendees") {
        Some(Value::Array(items)) => items.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            read.skip("data.attendees");
            Vec::new()
        }
    };
    let attendees = listed
        .iter()
        .enumerate()
        .filter_map(|(i, item)| read_attendee(item, &format!("data.attendees[{i}]"), &mut unread))
        .collect();
    Ok(AnalyticsCallback {
        version,
        meeting_id,
        internal_meeting_id,
        data: AnalyticsData { metadata, duration_seconds, start, finish, attendees },
        unread,
    })
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
        assert!(callback.unread.is_empty(), "{:?}", callback.unread);
    }

    #[test]
    fn a_bad_body_is_an_error() {
        assert!(matches!(parse_analytics(b"{}"), Err(AnalyticsError::BadBody(_))), "no meeting_id");
        assert!(matches!(parse_analytics(b"not json"), Err(AnalyticsError::BadBody(_))));
        assert!(matches!(parse_analytics(b"[1]"), Err(AnalyticsError::BadBody(_))));
    }

    #[test]
    fn odd_fields_are_read_leniently_and_named() {
        let odd = br#"{"meeting_id":"amphi-s9-a3","internal_meeting_id":12345,
            "data":{"start":{"t":1},"finish":null,"duration":"3196","attendees":[
              {"ext_user_id":true},
              {"ext_user_id":42,"name":"Zoe","joins":["2024-05-09 13:36:02 +0000",{"x":1}],"leaves":"soon",
               "engagement":{"chats":"many","talk_time":26.4}}]}}"#;
        let callback = parse_analytics(odd).unwrap();
        assert_eq!(callback.internal_meeting_id, "12345", "a number read as text");
        assert_eq!(callback.data.finish, "");
        assert_eq!(callback.data.duration_seconds, 3196.0);
        assert_eq!(callback.data.attendees.len(), 1, "an attendee without an id is left out");
        let zoe = &callback.data.attendees[0];
        assert_eq!((zoe.ext_user_id.as_str(), zoe.joins.len(), zoe.leaves.len()), ("42", 1, 0));
        assert_eq!(zoe.engagement.talk_time, 26);
        assert_eq!(
            callback.unread,
            [
                "data.start",
                "data.attendees[0].ext_user_id",
                "data.attendees[1].joins[1]",
                "data.attendees[1].leaves",
                "data.attendees[1].engagement.chats",
            ]
        );
    }
}
