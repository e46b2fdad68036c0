//! The BigBlueButton API behind a trait: [`Bbb`] is what the rest of amphi
//! calls (as `Arc<dyn Bbb>`), [`HttpBbb`] speaks to a real server with
//! reqwest. Every call is signed over the exact query string it sends;
//! each request has the configured time limit, and idempotent reads are
//! retried after a timeout, a connection failure or a 5xx answer.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::checksum::{meeting_password, signed_query};
use super::config::{BbbConfig, ChecksumAlgorithm};
use super::error::BbbError;
use super::request::{
    ChatMessage, CreateMeeting, Document, HookRegistration, JoinRequest, JoinRole, Params, Passwords, RecordingsQuery,
    documents_xml, meeting_params, record_params,
};
use super::response::{self, HookCreated, MeetingCreated, MeetingInfo, Recording};
use super::xml::XmlElement;

/// The future of a BigBlueButton call, boxed so that [`Bbb`] stays usable
/// as a trait object.
pub type BbbFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, BbbError>> + Send + 'a>>;

/// The BigBlueButton calls amphi makes.
pub trait Bbb: Send + Sync {
    /// Creates a meeting (idempotent on the server: creating an existing
    /// meeting answers `duplicate`).
    fn create<'a>(&'a self, meeting: &'a CreateMeeting) -> BbbFuture<'a, MeetingCreated>;
    /// The signed URL one member opens to join; no HTTP call is made.
    fn join_url(&self, join: &JoinRequest) -> Result<String, BbbError>;
    /// Ends a meeting for everyone.
    fn end<'a>(&'a self, meeting_id: &'a str) -> BbbFuture<'a, ()>;
    /// A running meeting's state, attendees and breakout rooms.
    fn get_meeting_info<'a>(&'a self, meeting_id: &'a str) -> BbbFuture<'a, MeetingInfo>;
    fn is_meeting_running<'a>(&'a self, meeting_id: &'a str) -> BbbFuture<'a, bool>;
    fn get_recordings<'a>(&'a self, query: &'a RecordingsQuery) -> BbbFuture<'a, Vec<Recording>>;
    /// Deletes recordings for good (their files on the server).
    fn delete_recordings<'a>(&'a self, record_ids: &'a [String]) -> BbbFuture<'a, ()>;
    /// Posts to the meeting's public chat. Servers older than 3.0 answer
    /// [`BbbError::Unsupported`]: fall back to amphi's own channels.
    fn send_chat_message<'a>(&'a self, message: &'a ChatMessage) -> BbbFuture<'a, ()>;
    /// Adds documents to a running meeting's presentations.
    fn insert_document<'a>(&'a self, meeting_id: &'a str, documents: &'a [Document]) -> BbbFuture<'a, ()>;
    /// Registers a bbb-webhooks hook (idempotent on the server). A server
    /// without bbb-webhooks answers [`BbbError::Unsupported`].
    fn hooks_create<'a>(&'a self, hook: &'a HookRegistration) -> BbbFuture<'a, HookCreated>;
}

/// [`Bbb`] over HTTP.
#[derive(Clone)]
pub struct HttpBbb {
    http: reqwest::Client,
    /// The API's base URL, `.../bigbluebutton/api`, without a final slash.
    api_base: String,
    secret: String,
    algorithm: ChecksumAlgorithm,
    timeout_ms: u64,
    retries: u32,
    retry_backoff: Duration,
}

/// Answers larger than this are refused (a long `getRecordings` list is
/// far smaller).
const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// The longest pause between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How one API call is made.
#[derive(Debug, Clone, Copy)]
struct Call {
    name: &'static str,
    /// Safe to send again when the first answer was lost.
    idempotent: bool,
    /// Missing on some servers (too old, or without bbb-webhooks): a 404
    /// means [`BbbError::Unsupported`].
    optional: bool,
}

const CREATE: Call = Call { name: "create", idempotent: false, optional: false };
const END: Call = Call { name: "end", idempotent: false, optional: false };
const GET_MEETING_INFO: Call = Call { name: "getMeetingInfo", idempotent: true, optional: false };
const IS_MEETING_RUNNING: Call = Call { name: "isMeetingRunning", idempotent: true, optional: false };
const GET_RECORDINGS: Call = Call { name: "getRecordings", idempotent: true, optional: false };
const DELETE_RECORDINGS: Call = Call { name: "deleteRecordings", idempotent: true, optional: false };
const SEND_CHAT_MESSAGE: Call = Call { name: "sendChatMessage", idempotent: false, optional: true };
const INSERT_DOCUMENT: Call = Call { name: "insertDocument", idempotent: false, optional: true };
const HOOKS_CREATE: Call = Call { name: "hooks/create", idempotent: true, optional: true };

impl HttpBbb {
    /// A client for the configured server.
    pub fn new(config: &BbbConfig) -> Result<HttpBbb, BbbError> {
        config.validate().map_err(|error| BbbError::Config(error.to_string()))?;
        if !config.is_enabled() {
            return Err(BbbError::Config("bbb.url is empty: no server is configured".into()));
        }
        let timeout = Duration::from_millis(config.timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|error| BbbError::Config(format!("cannot build the HTTP client: {error}")))?;
        Ok(HttpBbb {
            http,
            api_base: api_base(&config.url),
            secret: config.secret.clone(),
            algorithm: config.checksum_algorithm,
            timeout_ms: config.timeout_ms,
            retries: config.retries,
            retry_backoff: Duration::from_millis(config.retry_backoff_ms),
        })
    }

    /// A meeting's passwords, derived from the shared secret.
    fn passwords(&self, meeting_id: &str) -> Passwords {
        Passwords {
            attendee: meeting_password(&self.secret, meeting_id, JoinRole::Viewer),
            moderator: meeting_password(&self.secret, meeting_id, JoinRole::Moderator),
        }
    }

    /// The signed URL of a call with these parameters.
    pub fn signed_url(&self, call: &str, params: &Params) -> String {
        format!("{}/{call}?{}", self.api_base, signed_query(self.algorithm, call, params, &self.secret))
    }

    /// Sends a call, retrying it if it is idempotent, and reads the
    /// envelope of its answer.
    async fn call(&self, call: Call, params: Params, xml_body: Option<String>) -> Result<XmlElement, BbbError> {
        let url = self.signed_url(call.name, &params);
        let attempts = if call.idempotent { self.retries.saturating_add(1) } else { 1 };
        let mut attempt = 1;
        loop {
            match self.attempt(call, &url, xml_body.as_deref()).await {
                Ok(root) => return Ok(root),
                Err(error) if error.is_transient() && attempt < attempts => {
                    let pause = self.backoff(attempt);
                    tracing::warn!(call = call.name, attempt, %error, ?pause, "BigBlueButton call failed; trying again");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                Err(error) => return Err(with_attempts(error, attempt)),
            }
        }
    }

    async fn attempt(&self, call: Call, url: &str, xml_body: Option<&str>) -> Result<XmlElement, BbbError> {
        let request = match xml_body {
            Some(body) => {
                self.http.post(url).header(reqwest::header::CONTENT_TYPE, "application/xml").body(body.to_string())
            }
            None => self.http.get(url),
        };
        let response = request.send().await.map_err(|error| self.transport_error(call, &error))?;
        let status = response.status();
        let body = read_limited(response).await.map_err(|error| match error {
            ReadError::Transport(error) => self.transport_error(call, &error),
            ReadError::TooLarge => BbbError::InvalidResponse {
                call: call.name.into(),
                reason: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
            },
        })?;
        let text = String::from_utf8_lossy(&body);
        if status.is_success() {
            return response::envelope(call.name, &text);
        }
        // A refusal may come with an error status; its envelope says more.
        if let Err(refusal @ (BbbError::Failed { .. } | BbbError::Unsupported { .. })) =
            response::envelope(call.name, &text)
        {
            return Err(refusal);
        }
        if call.optional && status == reqwest::StatusCode::NOT_FOUND {
            return Err(BbbError::Unsupported { call: call.name.into() });
        }
        Err(BbbError::Http { call: call.name.into(), status: status.as_u16() })
    }

    fn transport_error(&self, call: Call, error: &reqwest::Error) -> BbbError {
        if error.is_timeout() {
            BbbError::Timeout { call: call.name.into(), timeout_ms: self.timeout_ms, attempts: 1 }
        } else {
            BbbError::Unreachable { call: call.name.into(), attempts: 1, reason: error_chain(error) }
        }
    }

    /// The pause after `attempt` failed tries (see [`crate::backoff`]).
    fn backoff(&self, attempt: u32) -> Duration {
        crate::backoff::Backoff::new(self.retry_backoff, MAX_BACKOFF).delay(attempt)
    }
}

impl Bbb for HttpBbb {
    fn create<'a>(&'a self, meeting: &'a CreateMeeting) -> BbbFuture<'a, MeetingCreated> {
        Box::pin(async move {
            let mut meeting = meeting.clone();
            meeting.passwords.get_or_insert_with(|| self.passwords(&meeting.meeting_id));
            let params = meeting.params().map_err(|reason| invalid_request(CREATE, reason))?;
            let body = (!meeting.documents.is_empty()).then(|| documents_xml(&meeting.documents));
            let root = self.call(CREATE, params, body).await?;
            response::meeting_created(CREATE.name, &meeting.meeting_id, &root)
        })
    }

    fn join_url(&self, join: &JoinRequest) -> Result<String, BbbError> {
        let mut join = join.clone();
        join.password.get_or_insert_with(|| meeting_password(&self.secret, &join.meeting_id, join.role));
        let params = join.params().map_err(|reason| BbbError::InvalidRequest { call: "join".into(), reason })?;
        Ok(self.signed_url("join", &params))
    }

    fn end<'a>(&'a self, meeting_id: &'a str) -> BbbFuture<'a, ()> {
        Box::pin(async move {
            let params = meeting_params(meeting_id).map_err(|reason| invalid_request(END, reason))?;
            self.call(END, params, None).await.map(drop)
        })
    }

    fn get_meeting_info<'a>(&'a self, meeting_id: &'a str) -> BbbFuture<'a, MeetingInfo> {
        Box::pin(async move {
            let params = meeting_params(meeting_id).map_err(|reason| invalid_request(GET_MEETING_INFO, reason))?;
            let root = self.call(GET_MEETING_INFO, params, None).await?;
            response::meeting_info(GET_MEETING_INFO.name, &root)
        })
    }

    fn is_meeting_running<'a>(&'a self, meeting_id: &'a str) -> BbbFuture<'a, bool> {
        Box::pin(async move {
            let params = meeting_params(meeting_id).map_err(|reason| invalid_request(IS_MEETING_RUNNING, reason))?;
            let root = self.call(IS_MEETING_RUNNING, params, None).await?;
            response::running(IS_MEETING_RUNNING.name, &root)
        })
    }

    fn get_recordings<'a>(&'a self, query: &'a RecordingsQuery) -> BbbFuture<'a, Vec<Recording>> {
        Box::pin(async move {
            let root = self.call(GET_RECORDINGS, query.params(), None).await?;
            response::recordings(GET_RECORDINGS.name, &root)
        })
    }

    fn delete_recordings<'a>(&'a self, record_ids: &'a [String]) -> BbbFuture<'a, ()> {
        Box::pin(async move {
            let params = record_params(record_ids).map_err(|reason| invalid_request(DELETE_RECORDINGS, reason))?;
            self.call(DELETE_RECORDINGS, params, None).await.map(drop)
        })
    }

    fn send_chat_message<'a>(&'a self, message: &'a ChatMessage) -> BbbFuture<'a, ()> {
        Box::pin(async move {
            let params = message.params().map_err(|reason| invalid_request(SEND_CHAT_MESSAGE, reason))?;
            self.call(SEND_CHAT_MESSAGE, params, None).await.map(drop)
        })
    }

    fn insert_document<'a>(&'a self, meeting_id: &'a str, documents: &'a [Document]) -> BbbFuture<'a, ()> {
        Box::pin(async move {
            let params = meeting_params(meeting_id).map_err(|reason| invalid_request(INSERT_DOCUMENT, reason))?;
            if documents.is_empty() {
                return Err(invalid_request(INSERT_DOCUMENT, "no document to insert".into()));
            }
            self.call(INSERT_DOCUMENT, params, Some(documents_xml(documents))).await.map(drop)
        })
    }

    fn hooks_create<'a>(&'a self, hook: &'a HookRegistration) -> BbbFuture<'a, HookCreated> {
        Box::pin(async move {
            let params = hook.params().map_err(|reason| invalid_request(HOOKS_CREATE, reason))?;
            let root = self.call(HOOKS_CREATE, params, None).await?;
            response::hook_created(HOOKS_CREATE.name, &root)
        })
    }
}

/// The secret stays out of logs.
impl std::fmt::Debug for HttpBbb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpBbb")
            .field("api_base", &self.api_base)
            .field("algorithm", &self.algorithm)
            .field("timeout_ms", &self.timeout_ms)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// `https://host/bigbluebutton/` and `https://host/bigbluebutton/api/`
/// both become `https://host/bigbluebutton/api`.
fn api_base(url: &str) -> String {
    let trimmed = url.trim().trim_end_matches('/');
    if trimmed.ends_with("/api") { trimmed.to_string() } else { format!("{trimmed}/api") }
}

fn invalid_request(call: Call, reason: String) -> BbbError {
    BbbError::InvalidRequest { call: call.name.into(), reason }
}

fn with_attempts(error: BbbError, count: u32) -> BbbError {
    match error {
        BbbError::Timeout { call, timeout_ms, .. } => BbbError::Timeout { call, timeout_ms, attempts: count },
        BbbError::Unreachable { call, reason, .. } => BbbError::Unreachable { call, attempts: count, reason },
        other => other,
    }
}

/// The error and its causes, which reqwest keeps apart.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

enum ReadError {
    Transport(reqwest::Error),
    TooLarge,
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if response.content_length().is_some_and(|length| length > MAX_RESPONSE_BYTES as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bbb::checksum::verify_api_checksum;
    use crate::bbb::request::JoinRole;

    fn client(url: &str) -> HttpBbb {
        HttpBbb::new(&BbbConfig {
            url: url.into(),
            secret: "639259d4-9dd8-4b25-bf01-95f9567eaf4b".into(),
            ..BbbConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn the_base_url_ends_at_the_api() {
        for url in [
            "https://bbb.example.org/bigbluebutton/",
            "https://bbb.example.org/bigbluebutton",
            "https://bbb.example.org/bigbluebutton/api/",
            " https://bbb.example.org/bigbluebutton/api ",
        ] {
            assert_eq!(api_base(url), "https://bbb.example.org/bigbluebutton/api", "{url}");
        }
    }

    #[test]
    fn a_join_url_is_signed_over_its_own_query() {
        let bbb = client("https://bbb.example.org/bigbluebutton/");
        let url = bbb
            .join_url(&JoinRequest {
                meeting_id: "amphi-s9-a3".into(),
                full_name: "Zoé Martin".into(),
                user_id: "member-42".into(),
                role: JoinRole::Viewer,
                password: None,
            })
            .unwrap();
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://bbb.example.org/bigbluebutton/api/join");
        let password = meeting_password("639259d4-9dd8-4b25-bf01-95f9567eaf4b", "amphi-s9-a3", JoinRole::Viewer);
        assert!(query.starts_with(&format!(
            "fullName=Zo%C3%A9+Martin&meetingID=amphi-s9-a3&password={password}&role=VIEWER&userID=member-42&checksum="
        )));
        assert!(verify_api_checksum(ChecksumAlgorithm::Sha1, "join", query, "639259d4-9dd8-4b25-bf01-95f9567eaf4b"));
    }

    #[test]
    fn a_join_without_a_name_is_refused_before_signing() {
        let bbb = client("https://bbb.example.org/bigbluebutton/");
        let error = bbb
            .join_url(&JoinRequest {
                meeting_id: "m".into(),
                full_name: " ".into(),
                user_id: "u".into(),
                role: JoinRole::Moderator,
                password: None,
            })
            .unwrap_err();
        assert_eq!(error.to_string(), "cannot send `join`: `fullName` is empty");
    }

    #[test]
    fn a_client_needs_a_usable_config() {
        assert!(HttpBbb::new(&BbbConfig::default()).is_err());
        let error = HttpBbb::new(&BbbConfig { url: "https://bbb.example.org/".into(), ..BbbConfig::default() })
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "BigBlueButton cannot be used with these settings: bbb.secret is empty: \
                 BigBlueButton refuses unsigned calls"
            )
        );
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling() {
        let bbb = client("https://bbb.example.org/bigbluebutton/");
        let within = |attempt, low: u64, high: u64| {
            let pause = bbb.backoff(attempt);
            assert!(
                (Duration::from_millis(low)..=Duration::from_millis(high)).contains(&pause),
                "{attempt}: {pause:?}"
            );
        };
        within(1, 100, 200);
        within(2, 200, 400);
        within(3, 400, 800);
        within(40, 2500, 5000);
    }

    #[test]
    fn the_trait_is_object_safe() {
        let bbb: std::sync::Arc<dyn Bbb> = std::sync::Arc::new(client("https://bbb.example.org/bigbluebutton/"));
        assert!(
            bbb.join_url(&JoinRequest {
                meeting_id: "m".into(),
                full_name: "A".into(),
                user_id: "u".into(),
                role: JoinRole::Moderator,
                password: None,
            })
            .is_ok()
        );
    }
}
