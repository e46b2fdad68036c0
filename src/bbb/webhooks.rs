//! bbb-webhooks callbacks: the form-encoded body (`domain`, `event` = a
//! JSON array of events in the v3 format, `timestamp`), its events typed
//! for the ones amphi acts on (meeting created and ended, user joined and
//! left) and kept as raw JSON otherwise, each with the digest of its
//! content: bbb-webhooks retries a callback until it succeeds, and a
//! redelivery is byte for byte the same event, while two distinct events
//! may share a type, millisecond, meeting and user (a burst).
//! Authenticating the callback is [`super::checksum::verify_webhook`].

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use serde_json::Value;

/// Why a callback body was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook body has no `event` field")]
    MissingEvent,
    #[error("the webhook's `event` field is not JSON: {0}")]
    BadJson(String),
    #[error("the webhook's `event` field is not a JSON array of events")]
    NotAnArray,
}

/// One callback: where it comes from and its events, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookCallback {
    /// The BigBlueButton server's domain (`domain`).
    pub domain: Option<String>,
    /// When bbb-webhooks first tried this callback, in ms (`timestamp`).
    pub timestamp_ms: Option<u64>,
    pub events: Vec<ReceivedEvent>,
}

/// One event as received: typed, and the digest of its JSON (what makes a
/// redelivery the same event).
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    pub event: WebhookEvent,
    /// `hex(SHA-256)` of the event's JSON.
    pub digest: String,
}

/// A meeting as webhooks name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingRef {
    pub internal_id: String,
    /// The `meetingID` amphi gave at creation.
    pub external_id: String,
}

/// A user as webhooks name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRef {
    pub internal_id: String,
    /// The `userID` amphi gave at join (amphi's member id).
    pub external_id: String,
    pub name: Option<String>,
    /// `MODERATOR` or `VIEWER`, on `user-joined`.
    pub role: Option<String>,
    pub presenter: Option<bool>,
}

/// One event of a callback.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookEvent {
    MeetingCreated {
        meeting: MeetingRef,
        name: String,
        is_breakout: bool,
        /// The parent's internal id, for a breakout room.
        parent_id: Option<String>,
        /// The `meta_*` given at creation (names without `meta_`).
        metadata: BTreeMap<String, String>,
        at_ms: u64,
    },
    MeetingEnded {
        meeting: MeetingRef,
        at_ms: u64,
    },
    UserJoined {
        meeting: MeetingRef,
        user: UserRef,
        at_ms: u64,
    },
    UserLeft {
        meeting: MeetingRef,
        user: UserRef,
        at_ms: u64,
    },
    /// Any other event (or a known one in an unexpected shape), kept whole.
    Other {
        /// The event id (`data.id`), or the raw event's name.
        id: String,
        at_ms: Option<u64>,
        raw: Value,
    },
}

/// Reads a callback's form-encoded body.
pub fn parse_callback(body: &[u8]) -> Result<WebhookCallback, WebhookError> {
    let mut domain = None;
    let mut timestamp_ms = None;
    let mut events = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        match name.as_ref() {
            "domain" => domain = Some(value.into_owned()),
            "timestamp" => timestamp_ms = value.trim().parse().ok(),
            "event" => events = Some(parse_received(&value)?),
            _ => {}
        }
    }
    let events = events.ok_or(WebhookError::MissingEvent)?;
    Ok(WebhookCallback { domain, timestamp_ms, events })
}

/// Reads the `event` field: a JSON array of events (a single event object
/// is accepted too), each with its digest.
pub fn parse_received(json: &str) -> Result<Vec<ReceivedEvent>, WebhookError> {
    let value: Value = serde_json::from_str(json).map_err(|error| WebhookError::BadJson(error.to_string()))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(_) => vec![value],
        _ => return Err(WebhookError::NotAnArray),
    };
    Ok(items
        .into_iter()
        .map(|raw| {
            let digest = hex::encode(Sha256::digest(raw.to_string().as_bytes()));
            ReceivedEvent { event: WebhookEvent::from_json(raw), digest }
        })
        .collect())
}

/// The events of an `event` field, typed.
pub fn parse_events(json: &str) -> Result<Vec<WebhookEvent>, WebhookError> {
    Ok(parse_received(json)?.into_iter().map(|received| received.event).collect())
}

impl WebhookEvent {
    /// Types one event, keeping it raw when it is not one amphi acts on or
    /// lacks what the type needs.
    pub fn from_json(raw: Value) -> WebhookEvent {
        let id = event_id(&raw);
        let at_ms = raw.pointer("/data/event/ts").and_then(as_u64);
        let typed = at_ms.and_then(|at_ms| typed_event(&id, &raw, at_ms));
        typed.unwrap_or(WebhookEvent::Other { id, at_ms, raw })
    }

    /// The event's id (`meeting-created`, `user-joined`, ...).
    pub fn id(&self) -> &str {
        match self {
            WebhookEvent::MeetingCreated { .. } => "meeting-created",
            WebhookEvent::MeetingEnded { .. } => "meeting-ended",
            WebhookEvent::UserJoined { .. } => "user-joined",
            WebhookEvent::UserLeft { .. } => "user-left",
            WebhookEvent::Other { id, .. } => id,
        }
    }

    /// When the event happened, in ms since the epoch.
    pub fn at_ms(&self) -> Option<u64> {
        match self {
            WebhookEvent::MeetingCreated { at_ms, .. }
            | WebhookEvent::MeetingEnded { at_ms, .. }
            | WebhookEvent::UserJoined { at_ms, .. }
            | WebhookEvent::UserLeft { at_ms, .. } => Some(*at_ms),
            WebhookEvent::Other { at_ms, .. } => *at_ms,
        }
    }

    /// The meeting's internal id, if the event names one.
    pub fn internal_meeting_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::MeetingCreated { meeting, .. }
            | WebhookEvent::MeetingEnded { meeting, .. }
            | WebhookEvent::UserJoined { meeting, .. }
            | WebhookEvent::UserLeft { meeting, .. } => Some(&meeting.internal_id),
            WebhookEvent::Other { raw, .. } => {
                raw.pointer("/data/attributes/meeting/internal-meeting-id").and_then(Value::as_str)
            }
        }
    }

    /// The user's internal id, if the event names one.
    pub fn internal_user_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::UserJoined { user, .. } | WebhookEvent::UserLeft { user, .. } => Some(&user.internal_id),
            WebhookEvent::Other { raw, .. } => {
                raw.pointer("/data/attributes/user/internal-user-id").and_then(Value::as_str)
            }
            _ => None,
        }
    }
}

fn typed_event(id: &str, raw: &Value, at_ms: u64) -> Option<WebhookEvent> {
    let attributes = raw.pointer("/data/attributes")?;
    let meeting = meeting_ref(attributes.get("meeting")?)?;
    match id {
        "meeting-created" => {
            let details = attributes.get("meeting")?;
            let metadata = details
                .get("metadata")
                .and_then(Value::as_object)
                .map(|entries| {
                    entries.iter().map(|(name, value)| (name.clone(), scalar_text(value).unwrap_or_default())).collect()
                })
                .unwrap_or_default();
            let parent_id = details
                .get("parent-id")
                .and_then(Value::as_str)
                .filter(|parent| !parent.is_empty() && *parent != "bbb-none")
                .map(str::to_string);
            Some(WebhookEvent::MeetingCreated {
                meeting,
                name: details.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                is_breakout: details.get("is-breakout").and_then(as_bool).unwrap_or(false),
                parent_id,
                metadata,
                at_ms,
            })
        }
        "meeting-ended" => Some(WebhookEvent::MeetingEnded { meeting, at_ms }),
        "user-joined" => Some(WebhookEvent::UserJoined { meeting, user: user_ref(attributes.get("user")?)?, at_ms }),
        "user-left" => Some(WebhookEvent::UserLeft { meeting, user: user_ref(attributes.get("user")?)?, at_ms }),
        _ => None,
    }
}

fn meeting_ref(meeting: &Value) -> Option<MeetingRef> {
    Some(MeetingRef {
        internal_id: meeting.get("internal-meeting-id")?.as_str()?.to_string(),
        external_id: meeting.get("external-meeting-id").and_then(Value::as_str).unwrap_or_default().to_string(),
    })
}

fn user_ref(user: &Value) -> Option<UserRef> {
    Some(UserRef {
        internal_id: user.get("internal-user-id")?.as_str()?.to_string(),
        external_id: user.get("external-user-id").and_then(scalar_text).unwrap_or_default(),
        name: user.get("name").and_then(Value::as_str).map(str::to_string),
        role: user.get("role").and_then(Value::as_str).map(str::to_string),
        presenter: user.get("presenter").and_then(as_bool),
    })
}

fn event_id(raw: &Value) -> String {
    raw.pointer("/data/id")
        .or_else(|| raw.pointer("/envelope/name"))
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string()
}

/// A number, or a string holding one.
fn as_u64(value: &Value) -> Option<u64> {
    value.as_u64().or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
}

/// A boolean, or a string `true`/`false` (bbb-webhooks sends `presenter`
/// as a string).
fn as_bool(value: &Value) -> Option<bool> {
    value.as_bool().or_else(|| match value.as_str()? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    })
}

/// A string, number or boolean as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEETING: &str = "a0715c95000a2bcb90604ecc7097dbc94592c690-1715261728123";

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/bbb/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_recorded_callback_body_is_read() {
        let callback = parse_callback(fixture("webhook_user_joined.form").as_bytes()).unwrap();
        assert_eq!(callback.domain.as_deref(), Some("bbb.example.org"));
        assert_eq!(callback.timestamp_ms, Some(1_715_261_734_755));
        let events: Vec<_> = callback.events.iter().map(|received| received.event.clone()).collect();
        assert_eq!(
            events,
            [WebhookEvent::UserJoined {
                meeting: MeetingRef { internal_id: MEETING.into(), external_id: "amphi-s9-a3".into() },
                user: UserRef {
                    internal_id: "w_1fewpbchnudl".into(),
                    external_id: "member-42".into(),
                    name: Some("Zoé Martin".into()),
                    role: Some("VIEWER".into()),
                    presenter: Some(false),
                },
                at_ms: 1_715_261_734_740,
            }]
        );
    }

    #[test]
    fn a_signed_recorded_callback_is_authenticated_then_read() {
        use crate::bbb::checksum::{split_callback_checksum, verify_webhook, webhook_checksum};
        use crate::bbb::config::{BbbConfig, ChecksumAlgorithm};

        let config = BbbConfig {
            secret: "s3cret".into(),
            checksum_algorithm: ChecksumAlgorithm::Sha256,
            ..BbbConfig::default()
        };
        let registered = "https://amphi.example.org/bbb/hooks?atelier=3";
        let body = fixture("webhook_user_joined.form");
        // What bbb-webhooks does: hash URL + body + secret, append it to the URL.
        let checksum = webhook_checksum(ChecksumAlgorithm::Sha256, registered, body.as_bytes(), "s3cret");
        let received_url = format!("{registered}&checksum={checksum}");

        let (callback_url, checksum) = split_callback_checksum(&received_url);
        assert!(verify_webhook(&config, callback_url, body.as_bytes(), checksum, None).is_ok());
        let callback = parse_callback(body.as_bytes()).unwrap();
        assert_eq!(callback.events[0].event.id(), "user-joined");

        let forged = body.replace("member-42", "member-43");
        assert!(verify_webhook(&config, callback_url, forged.as_bytes(), checksum, None).is_err());
    }

    #[test]
    fn every_event_of_a_meeting_is_typed_or_kept_raw() {
        let events = parse_events(&fixture("webhook_events.json")).unwrap();
        let ids: Vec<_> = events.iter().map(WebhookEvent::id).collect();
        assert_eq!(ids, ["meeting-created", "user-joined", "user-raise-hand-changed", "user-left", "meeting-ended"]);
        match &events[0] {
            WebhookEvent::MeetingCreated { meeting, name, is_breakout, parent_id, metadata, at_ms } => {
                assert_eq!(meeting.external_id, "amphi-s9-a3");
                assert_eq!(name, "Atelier 3: didactique");
                assert!(!is_breakout);
                assert_eq!(parent_id, &None);
                assert_eq!(metadata.get("amphi-session-id").map(String::as_str), Some("session-9"));
                assert_eq!(metadata.get("amphi-atelier-id").map(String::as_str), Some("atelier-3"));
                assert_eq!(*at_ms, 1_715_261_728_509);
            }
            other => panic!("{other:?}"),
        }
        match &events[2] {
            WebhookEvent::Other { id, at_ms, raw } => {
                assert_eq!(id, "user-raise-hand-changed");
                assert_eq!(*at_ms, Some(1_715_261_769_968));
                assert_eq!(raw.pointer("/data/attributes/user/raise-hand"), Some(&Value::Bool(true)));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&events[3], WebhookEvent::UserLeft { user, .. } if user.external_id == "member-42" && user.name.is_none())
        );
        assert!(matches!(&events[4], WebhookEvent::MeetingEnded { meeting, .. } if meeting.internal_id == MEETING));
        assert_eq!(events[2].internal_meeting_id(), Some(MEETING));
        assert_eq!(events[2].internal_user_id(), Some("w_1fewpbchnudl"));
    }

    #[test]
    fn a_known_event_in_an_unexpected_shape_is_kept_raw() {
        let events =
            parse_events(r#"[{"data":{"id":"user-joined","attributes":{"meeting":{}},"event":{"ts":1}}}, {"x": 1}]"#)
                .unwrap();
        assert!(matches!(&events[0], WebhookEvent::Other { id, at_ms: Some(1), .. } if id == "user-joined"));
        assert!(matches!(&events[1], WebhookEvent::Other { id, at_ms: None, .. } if id == "unknown"));
    }

    #[test]
    fn bad_bodies_are_errors() {
        assert_eq!(parse_callback(b"domain=x&timestamp=1"), Err(WebhookError::MissingEvent));
        assert!(matches!(parse_callback(b"event=%5Bnot+json"), Err(WebhookError::BadJson(_))));
        assert_eq!(parse_callback(b"event=42"), Err(WebhookError::NotAnArray));
        assert_eq!(parse_callback(b"event=%5B%5D").unwrap().events, []);
    }

    #[test]
    fn a_redelivery_has_the_same_digest_and_a_burst_of_distinct_events_does_not() {
        let json = fixture("webhook_events.json");
        let first = parse_received(&json).unwrap();
        let again = parse_received(&json).unwrap();
        assert_eq!(first, again, "a redelivery is the same events");
        // Two events of one type, millisecond, meeting and user that differ
        // in content (bbb-webhooks stamps a burst with one timestamp).
        let burst = r#"[
            {"data":{"id":"user-raise-hand-changed","attributes":{"meeting":{"internal-meeting-id":"m"},
             "user":{"internal-user-id":"u","raise-hand":true}},"event":{"ts":5}}},
            {"data":{"id":"user-raise-hand-changed","attributes":{"meeting":{"internal-meeting-id":"m"},
             "user":{"internal-user-id":"u","raise-hand":false}},"event":{"ts":5}}}]"#;
        let events = parse_received(burst).unwrap();
        assert_eq!(events[0].event.at_ms(), events[1].event.at_ms());
        assert_ne!(events[0].digest, events[1].digest, "distinct events are kept apart");
        let digests: std::collections::HashSet<_> = first.iter().map(|r| &r.digest).collect();
        assert_eq!(digests.len(), first.len());
    }
}
