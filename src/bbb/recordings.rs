//! The recording-ready callback: once a meeting's recording is processed
//! and published, BigBlueButton's post-publish script (and Scalelite)
//! POSTs to the meeting's `meta_bbb-recording-ready-url` a form with one
//! field, `signed_parameters`: a JWT signed HS256 with the shared secret
//! whose claims are the meeting's `meeting_id` (the external id amphi gave)
//! and the recording's `record_id`. Nothing else is in it: the recording's
//! playback link comes from `getRecordings`. Read leniently: Moodle's mock
//! sends `signed_parameters` in a GET query and its JWT holds `record_id`
//! only (the meeting is then found through `getRecordings`).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The metadata name of the callback's address (`meta_bbb-recording-ready-url`).
pub const META_RECORDING_READY_URL: &str = "bbb-recording-ready-url";

/// The claims of `signed_parameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingReady {
    /// The `meetingID` amphi gave at creation (empty: not told).
    #[serde(default)]
    pub meeting_id: String,
    /// The recording's id (`recordID` in `getRecordings`).
    pub record_id: String,
}

/// Why a recording-ready callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingReadyError {
    #[error("the recording-ready callback has no `signed_parameters` field")]
    MissingToken,
    #[error("the recording-ready callback's `signed_parameters` is not valid: {0}")]
    InvalidToken(String),
}

impl RecordingReadyError {
    /// The `reason` label of the refusal metric.
    pub fn reason(&self) -> &'static str {
        match self {
            RecordingReadyError::MissingToken => "missing_token",
            RecordingReadyError::InvalidToken(_) => "invalid_token",
        }
    }
}

/// Reads and verifies the callback's form (`signed_parameters=<JWT>`, in
/// the body or the query). The token has no expiry (BigBlueButton
/// sets none); one that has an `exp` must not be past it.
pub fn verify_recording_ready(secret: &str, form: &[u8]) -> Result<RecordingReady, RecordingReadyError> {
    let token = url::form_urlencoded::parse(form)
        .find(|(name, _)| name == "signed_parameters")
        .map(|(_, value)| value.into_owned())
        .filter(|token| !token.is_empty())
        .ok_or(RecordingReadyError::MissingToken)?;
    if secret.is_empty() {
        return Err(RecordingReadyError::InvalidToken("no shared secret is configured".into()));
    }
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims::<&str>(&[]);
    validation.leeway = 60;
    let claims =
        jsonwebtoken::decode::<RecordingReady>(&token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
            .map(|data| data.claims)
            .map_err(|error| RecordingReadyError::InvalidToken(error.to_string()))?;
    if claims.record_id.trim().is_empty() {
        return Err(RecordingReadyError::InvalidToken("`record_id` is empty".into()));
    }
    Ok(claims)
}

/// Signs `signed_parameters` the way BigBlueButton does (for the simulator
/// and tests).
pub fn sign_recording_ready(secret: &str, ready: &RecordingReady) -> Result<String, RecordingReadyError> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), ready, &EncodingKey::from_secret(secret.as_bytes()))
        .map_err(|error| RecordingReadyError::InvalidToken(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "639259d4-9dd8-4b25-bf01-95f9567eaf4b";

    fn form(token: &str) -> Vec<u8> {
        url::form_urlencoded::Serializer::new(String::new()).append_pair("signed_parameters", token).finish().into()
    }

    #[test]
    fn a_signed_callback_names_its_meeting_and_recording() {
        let ready = RecordingReady { meeting_id: "amphi-s-a1".into(), record_id: "abc-123".into() };
        let token = sign_recording_ready(SECRET, &ready).unwrap();
        assert_eq!(verify_recording_ready(SECRET, &form(&token)).unwrap(), ready);
    }

    #[test]
    fn a_wrong_secret_or_no_token_is_refused() {
        let ready = RecordingReady { meeting_id: "m".into(), record_id: "r".into() };
        let token = sign_recording_ready("another secret", &ready).unwrap();
        assert!(matches!(verify_recording_ready(SECRET, &form(&token)), Err(RecordingReadyError::InvalidToken(_))));
        assert_eq!(verify_recording_ready(SECRET, b"other=1"), Err(RecordingReadyError::MissingToken));
        assert_eq!(verify_recording_ready(SECRET, b""), Err(RecordingReadyError::MissingToken));
        let empty = RecordingReady { meeting_id: "m".into(), record_id: " ".into() };
        let token = sign_recording_ready(SECRET, &empty).unwrap();
        assert!(verify_recording_ready(SECRET, &form(&token)).is_err());
    }

    #[test]
    fn a_token_with_the_record_id_only_is_read() {
        // As Moodle's mock signs it: `{"record_id": ...}`.
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({ "record_id": "abc" }),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        let ready = verify_recording_ready(SECRET, &form(&token)).unwrap();
        assert_eq!(ready, RecordingReady { meeting_id: String::new(), record_id: "abc".into() });
    }
}
