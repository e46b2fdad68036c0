//! What amphi asks of BigBlueButton, and how each request becomes the
//! documented parameters (in a fixed order, so a signed query string is
//! reproducible) and, for documents, the `<modules>` XML body.

use serde::Serialize;

use super::xml::escape;

/// The metadata name (`meta_amphi-session-id`) linking a meeting to its
/// amphi session. BigBlueButton returns metadata in `getMeetingInfo`,
/// `getRecordings`, webhooks and the analytics callback.
pub const META_SESSION: &str = "amphi-session-id";
/// The metadata name (`meta_amphi-atelier-id`) linking a meeting to its
/// atelier.
pub const META_ATELIER: &str = "amphi-atelier-id";

/// A meeting to create for an atelier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateMeeting {
    /// The external meeting id (`meetingID`), chosen by amphi.
    pub meeting_id: String,
    /// The name shown in BigBlueButton (`name`).
    pub name: String,
    /// The amphi session the meeting belongs to (`meta_amphi-session-id`).
    pub amphi_session_id: String,
    /// The atelier the meeting belongs to (`meta_amphi-atelier-id`).
    pub amphi_atelier_id: Option<String>,
    /// Where BigBlueButton sends people when they leave (`logoutURL`).
    pub logout_url: Option<String>,
    /// Called with GET when the meeting ends (`meta_endCallbackUrl`).
    pub end_callback_url: Option<String>,
    /// Receives the learning-analytics JSON after the meeting
    /// (`meta_analytics-callback-url`; sets `meetingKeepEvents=true`, which
    /// the analytics need).
    pub analytics_callback_url: Option<String>,
    /// Receives the recording-ready callback once a recording of the
    /// meeting is published (`meta_bbb-recording-ready-url`).
    pub recording_ready_url: Option<String>,
    /// Whether the meeting may be recorded (`record`).
    pub record: Option<bool>,
    /// The welcome message (`welcome`).
    pub welcome: Option<String>,
    /// The longest the meeting may last, in minutes (`duration`).
    pub duration_minutes: Option<u32>,
    /// More metadata, as (name without `meta_`, value).
    pub metadata: Vec<(String, String)>,
    /// Documents BigBlueButton downloads at creation (sent in the POST body).
    pub documents: Vec<Document>,
    /// Pre-assigned breakout rooms (`groups`, BigBlueButton 2.5+).
    pub breakout_groups: Vec<BreakoutGroup>,
    /// The passwords (`attendeePW`, `moderatorPW`) BigBlueButton before 2.6
    /// requires; the client fills them from the shared secret.
    pub passwords: Option<Passwords>,
}

/// A meeting's two passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passwords {
    pub attendee: String,
    pub moderator: String,
}

/// A document BigBlueButton fetches by URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub url: String,
    /// A file name with an extension, for URLs that have none.
    pub filename: Option<String>,
}

/// A breakout room with the users (their `userID`) assigned to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakoutGroup {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub roster: Vec<String>,
}

/// The role a member joins with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinRole {
    Moderator,
    Viewer,
}

/// One member's way into a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequest {
    pub meeting_id: String,
    pub full_name: String,
    /// amphi's member id (`userID`), which BigBlueButton reports back as the
    /// external user id in webhooks and analytics.
    pub user_id: String,
    pub role: JoinRole,
    /// The role's password (`password`, for BigBlueButton before 2.6); the
    /// client fills it from the shared secret.
    pub password: Option<String>,
}

/// A public chat message sent on amphi's behalf (BigBlueButton 3.0+).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub meeting_id: String,
    pub message: String,
    /// The sender's name shown in the chat (`userName`).
    pub user_name: Option<String>,
}

/// Which recordings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordingsQuery {
    pub meeting_ids: Vec<String>,
    pub record_ids: Vec<String>,
    /// Metadata filters, as (name without `meta_`, value).
    pub metadata: Vec<(String, String)>,
}

/// A bbb-webhooks hook to register.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookRegistration {
    pub callback_url: String,
    /// Only this meeting's events; every meeting's when `None`.
    pub meeting_id: Option<String>,
    /// Only these event ids (`meeting-created`, `user-joined`, ...); every
    /// event when empty.
    pub event_ids: Vec<String>,
    /// Ask for the raw events too (`getRaw`).
    pub get_raw: bool,
}

/// Encoded parameters, in order.
pub type Params = Vec<(String, String)>;

impl CreateMeeting {
    /// A meeting with the required fields and nothing else.
    pub fn new(meeting_id: impl Into<String>, name: impl Into<String>, amphi_session_id: impl Into<String>) -> Self {
        CreateMeeting {
            meeting_id: meeting_id.into(),
            name: name.into(),
            amphi_session_id: amphi_session_id.into(),
            ..CreateMeeting::default()
        }
    }

    /// The query parameters, or what is missing.
    pub fn params(&self) -> Result<Params, String> {
        require("meetingID", &self.meeting_id)?;
        require("name", &self.name)?;
        let mut params = vec![pair("name", &self.name), pair("meetingID", &self.meeting_id)];
        if let Some(passwords) = &self.passwords {
            params.push(pair("attendeePW", &passwords.attendee));
            params.push(pair("moderatorPW", &passwords.moderator));
        }
        if let Some(record) = self.record {
            params.push(pair("record", if record { "true" } else { "false" }));
        }
        if let Some(welcome) = &self.welcome {
            params.push(pair("welcome", welcome));
        }
        if let Some(minutes) = self.duration_minutes {
            params.push(pair("duration", &minutes.to_string()));
        }
        if let Some(url) = &self.logout_url {
            params.push(pair("logoutURL", url));
        }
        if !self.breakout_groups.is_empty() {
            let groups = serde_json::to_string(&self.breakout_groups).map_err(|e| format!("groups: {e}"))?;
            params.push(pair("groups", &groups));
        }
        if self.analytics_callback_url.is_some() {
            params.push(pair("meetingKeepEvents", "true"));
        }
        if !self.amphi_session_id.is_empty() {
            params.push(meta(META_SESSION, &self.amphi_session_id));
        }
        if let Some(atelier) = &self.amphi_atelier_id {
            params.push(meta(META_ATELIER, atelier));
        }
        if let Some(url) = &self.end_callback_url {
            params.push(meta("endCallbackUrl", url));
        }
        if let Some(url) = &self.analytics_callback_url {
            params.push(meta("analytics-callback-url", url));
        }
        if let Some(url) = &self.recording_ready_url {
            params.push(meta(super::recordings::META_RECORDING_READY_URL, url));
        }
        for (name, value) in &self.metadata {
            require("metadata name", name)?;
            params.push(meta(name, value));
        }
        Ok(params)
    }
}

/// The `<modules>` body that hands documents to `create` or
/// `insertDocument`.
pub fn documents_xml(documents: &[Document]) -> String {
    let mut xml = String::from(r#"<modules><module name="presentation">"#);
    for document in documents {
        xml.push_str(&format!(r#"<document url="{}""#, escape(&document.url)));
        if let Some(filename) = &document.filename {
            xml.push_str(&format!(r#" filename="{}""#, escape(filename)));
        }
        xml.push_str("/>");
    }
    xml.push_str("</module></modules>");
    xml
}

impl JoinRole {
    /// The value of the `role` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinRole::Moderator => "MODERATOR",
            JoinRole::Viewer => "VIEWER",
        }
    }
}

impl JoinRequest {
    /// The query parameters, or what is missing.
    pub fn params(&self) -> Result<Params, String> {
        require("meetingID", &self.meeting_id)?;
        require("fullName", &self.full_name)?;
        require("userID", &self.user_id)?;
        let mut params = vec![pair("fullName", &self.full_name), pair("meetingID", &self.meeting_id)];
        if let Some(password) = &self.password {
            params.push(pair("password", password));
        }
        params.push(pair("role", self.role.as_str()));
        params.push(pair("userID", &self.user_id));
        Ok(params)
    }
}

impl ChatMessage {
    /// The query parameters, or what is missing.
    pub fn params(&self) -> Result<Params, String> {
        require("meetingID", &self.meeting_id)?;
        require("message", &self.message)?;
        let mut params = vec![pair("meetingID", &self.meeting_id), pair("message", &self.message)];
        if let Some(name) = &self.user_name {
            params.push(pair("userName", name));
        }
        Ok(params)
    }
}

impl RecordingsQuery {
    /// The recordings of one meeting.
    pub fn meeting(meeting_id: impl Into<String>) -> Self {
        RecordingsQuery { meeting_ids: vec![meeting_id.into()], ..RecordingsQuery::default() }
    }

    /// The query parameters (ids are comma-separated, as documented).
    pub fn params(&self) -> Params {
        let mut params = Vec::new();
        if !self.meeting_ids.is_empty() {
            params.push(pair("meetingID", &self.meeting_ids.join(",")));
        }
        if !self.record_ids.is_empty() {
            params.push(pair("recordID", &self.record_ids.join(",")));
        }
        for (name, value) in &self.metadata {
            params.push(meta(name, value));
        }
        params
    }
}

impl HookRegistration {
    /// The query parameters, or what is missing.
    pub fn params(&self) -> Result<Params, String> {
        require("callbackURL", &self.callback_url)?;
        let mut params = vec![pair("callbackURL", &self.callback_url)];
        if let Some(meeting) = &self.meeting_id {
            params.push(pair("meetingID", meeting));
        }
        if !self.event_ids.is_empty() {
            params.push(pair("eventID", &self.event_ids.join(",")));
        }
        if self.get_raw {
            params.push(pair("getRaw", "true"));
        }
        Ok(params)
    }
}

/// The parameters of `deleteRecordings` (ids comma-separated), or what is
/// missing.
pub fn record_params(record_ids: &[String]) -> Result<Params, String> {
    if record_ids.iter().all(|id| id.trim().is_empty()) {
        return Err("`recordID` is empty".into());
    }
    Ok(vec![pair("recordID", &record_ids.join(","))])
}

/// The parameters naming one meeting.
pub fn meeting_params(meeting_id: &str) -> Result<Params, String> {
    require("meetingID", meeting_id)?;
    Ok(vec![pair("meetingID", meeting_id)])
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

fn meta(name: &str, value: &str) -> (String, String) {
    (format!("meta_{name}"), value.to_string())
}

fn require(name: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() { Err(format!("`{name}` is empty")) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(params: &Params) -> Vec<&str> {
        params.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[test]
    fn a_full_create_lists_every_documented_parameter() {
        let meeting = CreateMeeting {
            amphi_atelier_id: Some("atelier-3".into()),
            logout_url: Some("https://amphi.example.org/s/1".into()),
            end_callback_url: Some("https://amphi.example.org/bbb/end?m=1".into()),
            analytics_callback_url: Some("https://amphi.example.org/bbb/analytics".into()),
            recording_ready_url: Some("https://amphi.example.org/bbb/recordings".into()),
            record: Some(false),
            welcome: Some("Bienvenue".into()),
            duration_minutes: Some(90),
            metadata: vec![("bbb-origin".into(), "amphi".into())],
            breakout_groups: vec![
                BreakoutGroup { id: "1".into(), name: Some("Groupe A".into()), roster: vec!["u1".into()] },
                BreakoutGroup { id: "2".into(), name: None, roster: vec![] },
            ],
            ..CreateMeeting::new("m-1", "Atelier 3", "session-9")
        };
        let params = meeting.params().unwrap();
        assert_eq!(
            names(&params),
            [
                "name",
                "meetingID",
                "record",
                "welcome",
                "duration",
                "logoutURL",
                "groups",
                "meetingKeepEvents",
                "meta_amphi-session-id",
                "meta_amphi-atelier-id",
                "meta_endCallbackUrl",
                "meta_analytics-callback-url",
                "meta_bbb-recording-ready-url",
                "meta_bbb-origin",
            ]
        );
        let groups = &params.iter().find(|(name, _)| name == "groups").unwrap().1;
        assert_eq!(groups, r#"[{"id":"1","name":"Groupe A","roster":["u1"]},{"id":"2","roster":[]}]"#);
    }

    #[test]
    fn a_minimal_create_sends_only_what_is_set() {
        let params = CreateMeeting::new("m", "n", "s").params().unwrap();
        assert_eq!(names(&params), ["name", "meetingID", "meta_amphi-session-id"]);
    }

    #[test]
    fn missing_required_fields_are_named() {
        assert_eq!(CreateMeeting::new(" ", "n", "s").params().unwrap_err(), "`meetingID` is empty");
        assert_eq!(CreateMeeting::new("m", "", "s").params().unwrap_err(), "`name` is empty");
        let join = JoinRequest {
            meeting_id: "m".into(),
            full_name: "A".into(),
            user_id: "".into(),
            role: JoinRole::Viewer,
            password: None,
        };
        assert_eq!(join.params().unwrap_err(), "`userID` is empty");
        let chat = ChatMessage { meeting_id: "m".into(), message: "".into(), user_name: None };
        assert_eq!(chat.params().unwrap_err(), "`message` is empty");
        assert!(meeting_params("").is_err());
        assert!(HookRegistration::default().params().is_err());
    }

    #[test]
    fn documents_become_the_modules_body() {
        let xml = documents_xml(&[
            Document { url: "https://files.example.org/a.pdf?x=1&y=2".into(), filename: None },
            Document { url: "https://files.example.org/b".into(), filename: Some("b \"1\".pptx".into()) },
        ]);
        assert_eq!(
            xml,
            "<modules><module name=\"presentation\">\
             <document url=\"https://files.example.org/a.pdf?x=1&amp;y=2\"/>\
             <document url=\"https://files.example.org/b\" filename=\"b &quot;1&quot;.pptx\"/>\
             </module></modules>"
        );
        let root = super::super::xml::parse(&xml).unwrap();
        let module = root.child("module").unwrap();
        assert_eq!(module.attribute("name"), Some("presentation"));
        assert_eq!(module.children[0].attribute("url"), Some("https://files.example.org/a.pdf?x=1&y=2"));
    }

    #[test]
    fn recordings_and_hooks_join_their_lists() {
        let query = RecordingsQuery {
            meeting_ids: vec!["a".into(), "b".into()],
            record_ids: vec![],
            metadata: vec![(META_SESSION.into(), "s".into())],
        };
        assert_eq!(query.params(), [pair("meetingID", "a,b"), pair("meta_amphi-session-id", "s")]);
        let hook = HookRegistration {
            callback_url: "https://amphi.example.org/bbb/hooks".into(),
            meeting_id: Some("m".into()),
            event_ids: vec!["user-joined".into(), "user-left".into()],
            get_raw: false,
        };
        assert_eq!(names(&hook.params().unwrap()), ["callbackURL", "meetingID", "eventID"]);
    }
}
