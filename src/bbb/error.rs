//! What can go wrong with a BigBlueButton call, each with a message that
//! names the call and says what to look at.

/// The messageKeys (lowercased) that older servers give for a call they do
/// not know. BigBlueButton 2.x has no `sendChatMessage`; depending on the
/// version and the proxy in front, such a call is answered 404 or with one
/// of these keys.
const UNKNOWN_CALL_KEYS: &[&str] =
    &["unsupportedrequest", "unknowncall", "invalidapicall", "apicallnotfound", "notimplemented"];

/// The failure of a BigBlueButton call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BbbError {
    /// The server answered `<returncode>FAILED</returncode>`.
    #[error("BigBlueButton refused `{call}`: {message_key}: {message}")]
    Failed { call: String, message_key: String, message: String },
    /// The server does not know the call (BigBlueButton older than the
    /// call): the caller falls back to doing without it.
    #[error("the BigBlueButton server does not support `{call}` (it is older than the version that added it)")]
    Unsupported { call: String },
    /// No answer within the configured time limit, after every attempt.
    #[error("BigBlueButton did not answer `{call}` within {timeout_ms} ms ({attempts} attempt(s))")]
    Timeout { call: String, timeout_ms: u64, attempts: u32 },
    /// The server could not be reached.
    #[error("cannot reach BigBlueButton for `{call}` ({attempts} attempt(s)): {reason}")]
    Unreachable { call: String, attempts: u32, reason: String },
    /// An HTTP status other than success, with no BigBlueButton answer.
    #[error("BigBlueButton answered `{call}` with HTTP {status}")]
    Http { call: String, status: u16 },
    /// An answer that is not the documented XML.
    #[error("BigBlueButton's answer to `{call}` is not understood: {reason}")]
    InvalidResponse { call: String, reason: String },
    /// Settings that cannot work (no URL, no secret, ...).
    #[error("BigBlueButton cannot be used with these settings: {0}")]
    Config(String),
    /// A request amphi cannot send as it stands (a bad base URL, an empty
    /// meeting id).
    #[error("cannot send `{call}`: {reason}")]
    InvalidRequest { call: String, reason: String },
}

impl BbbError {
    /// The server's messageKey, for a refused call.
    pub fn message_key(&self) -> Option<&str> {
        match self {
            BbbError::Failed { message_key, .. } => Some(message_key),
            _ => None,
        }
    }

    /// Whether the meeting does not exist (or no longer runs).
    pub fn is_not_found(&self) -> bool {
        matches!(self.message_key(), Some("notFound" | "meetingNotFound" | "invalidMeetingIdentifier"))
    }

    /// Whether trying again later may help: the server was slow, down or
    /// overloaded. A refusal (`Failed`) is a definite answer and is not.
    pub fn is_transient(&self) -> bool {
        match self {
            BbbError::Timeout { .. } | BbbError::Unreachable { .. } => true,
            BbbError::Http { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// Whether a FAILED messageKey says the server does not know the call.
pub(crate) fn is_unknown_call_key(message_key: &str) -> bool {
    UNKNOWN_CALL_KEYS.contains(&message_key.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_call_and_the_key() {
        let failed = BbbError::Failed {
            call: "create".into(),
            message_key: "checksumError".into(),
            message: "You did not pass the checksum security check".into(),
        };
        assert_eq!(
            failed.to_string(),
            "BigBlueButton refused `create`: checksumError: You did not pass the checksum security check"
        );
        assert_eq!(failed.message_key(), Some("checksumError"));
        assert!(!failed.is_transient());
        let timeout = BbbError::Timeout { call: "getMeetingInfo".into(), timeout_ms: 50, attempts: 3 };
        assert_eq!(timeout.to_string(), "BigBlueButton did not answer `getMeetingInfo` within 50 ms (3 attempt(s))");
        assert!(timeout.is_transient());
        assert!(BbbError::Http { call: "end".into(), status: 502 }.is_transient());
        assert!(!BbbError::Http { call: "end".into(), status: 404 }.is_transient());
    }

    #[test]
    fn not_found_and_unknown_calls_are_recognised() {
        let not_found = BbbError::Failed { call: "end".into(), message_key: "notFound".into(), message: String::new() };
        assert!(not_found.is_not_found());
        assert!(is_unknown_call_key("unsupportedRequest"));
        assert!(!is_unknown_call_key("notFound"));
    }
}
