//! A test helper: a small BigBlueButton stand-in, an axum server on a free
//! local port that checks every call's checksum exactly like BigBlueButton
//! (the configured hash over the raw query string without `checksum`) and
//! answers `create`, `join` (a redirect), `end`, `getMeetingInfo`,
//! `isMeetingRunning`, `getRecordings`, `sendChatMessage`,
//! `insertDocument`, `deleteRecordings` and `hooks/create` with the
//! documented XML. It records: a meeting created with `record=true` whose
//! recording a moderator started ([`BbbSimulator::start_recording`]) has a
//! published recording once it ends, listed by `getRecordings`, and its
//! `meta_bbb-recording-ready-url` is POSTed `signed_parameters` (the JWT
//! BigBlueButton signs HS256 with the shared secret). It keeps
//! every call it received for assertions, and can be told to refuse a call
//! (FAILED), answer with an HTTP status, be slow, or behave like
//! BigBlueButton 2.x (no `sendChatMessage`), 2.4 (no `insertDocument`
//! either) or like one before 2.6 (joins
//! by `password` only: `role` unknown; a meeting created without
//! passwords gets random ones). Not for production use.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use super::checksum::{hex_digest, verify_api_checksum};
use super::config::{BbbConfig, ChecksumAlgorithm};
use super::xml::{self, escape};

/// A running simulator; the server stops when it is dropped.
pub struct BbbSimulator {
    address: SocketAddr,
    secret: String,
    algorithm: ChecksumAlgorithm,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

/// One call as the simulator received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedCall {
    /// The call name (`create`, `hooks/create`, ...).
    pub name: String,
    /// `GET` or `POST`.
    pub method: String,
    /// The decoded query parameters, in order, without `checksum`.
    pub params: Vec<(String, String)>,
    /// The request body, if any.
    pub body: Option<String>,
    /// Whether the checksum was right.
    pub checksum_valid: bool,
}

/// A misbehaviour to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer `<returncode>FAILED</returncode>` with this messageKey.
    Failed { message_key: String, message: String },
    /// Answer this HTTP status with an empty body.
    Status(u16),
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Answer 200 with this body instead of the call's answer.
    Body(String),
}

/// What the server task and the test share.
struct Shared {
    secret: String,
    algorithm: ChecksumAlgorithm,
    address: SocketAddr,
    /// A std mutex: it is never held across an `.await`.
    state: Mutex<SimState>,
}

#[derive(Default)]
struct SimState {
    calls: Vec<ReceivedCall>,
    faults: Vec<InjectedFault>,
    legacy: bool,
    before_2_6: bool,
    before_2_5: bool,
    meetings: BTreeMap<String, Meeting>,
    hooks: Vec<Hook>,
    next_token: u64,
    recordings: Vec<SimRecording>,
    recording_callbacks: Vec<RecordingCallback>,
}

/// A recording the simulator made.
struct SimRecording {
    record_id: String,
    meeting_id: String,
    name: String,
    start_ms: u64,
    end_ms: u64,
    participants: u64,
    metadata: BTreeMap<String, String>,
    deleted: bool,
}

/// A recording-ready callback the simulator sent, and how it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingCallback {
    pub url: String,
    pub record_id: String,
    /// The HTTP status, or why there was none.
    pub answer: Result<u16, String>,
}

struct InjectedFault {
    /// The call it applies to, `*` for every call.
    call: String,
    fault: Fault,
    /// How many more times; forever when `None`.
    remaining: Option<u32>,
}

struct Meeting {
    name: String,
    internal_id: String,
    attendee_password: String,
    moderator_password: String,
    create_time_ms: u64,
    end_time_ms: u64,
    record: bool,
    /// A moderator started the recording.
    recording: bool,
    ended: bool,
    metadata: BTreeMap<String, String>,
    attendees: Vec<SimAttendee>,
    participants_seen: u64,
    documents: Vec<String>,
    chat: Vec<(String, String)>,
    groups: Option<String>,
    breakout_rooms: Vec<String>,
    breakout_of: Option<(String, u64)>,
}

struct SimAttendee {
    user_id: String,
    full_name: String,
    role: String,
}

struct Hook {
    id: u64,
    callback_url: String,
    meeting_id: Option<String>,
    get_raw: bool,
}

/// The calls a BigBlueButton 2.x server does not know.
const ADDED_IN_3_0: &[&str] = &["sendChatMessage"];
/// The calls a BigBlueButton 2.4 server does not know.
const ADDED_IN_2_5: &[&str] = &["insertDocument"];

impl BbbSimulator {
    /// Starts a simulator that shares `secret` and expects `algorithm`.
    pub async fn start(secret: impl Into<String>, algorithm: ChecksumAlgorithm) -> std::io::Result<BbbSimulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let secret = secret.into();
        let shared =
            Arc::new(Shared { secret: secret.clone(), algorithm, address, state: Mutex::new(SimState::default()) });
        let router = Router::new().route("/bigbluebutton/api/{*call}", any(handle)).with_state(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::warn!(%error, "the BigBlueButton simulator stopped");
            }
        });
        Ok(BbbSimulator { address, secret, algorithm, shared, server })
    }

    /// The base URL, as `bbb-conf --secret` would print it.
    pub fn url(&self) -> String {
        format!("http://{}/bigbluebutton/", self.address)
    }

    /// Settings that reach this simulator: a 2 s time limit, two retries
    /// 10 ms apart.
    pub fn config(&self) -> BbbConfig {
        BbbConfig {
            url: self.url(),
            secret: self.secret.clone(),
            checksum_algorithm: self.algorithm,
            timeout_ms: 2_000,
            retries: 2,
            retry_backoff_ms: 10,
            ..BbbConfig::default()
        }
    }

    /// Every call received so far, in order.
    pub fn calls(&self) -> Vec<ReceivedCall> {
        self.state().calls.clone()
    }

    /// The calls received with this name.
    pub fn calls_named(&self, name: &str) -> Vec<ReceivedCall> {
        self.state().calls.iter().filter(|call| call.name == name).cloned().collect()
    }

    /// Applies `fault` to every `call` (`*` for every call) from now on.
    pub fn inject(&self, call: &str, fault: Fault) {
        self.state().faults.push(InjectedFault { call: call.into(), fault, remaining: None });
    }

    /// Applies `fault` to the next `times` `call`s only.
    pub fn inject_times(&self, call: &str, fault: Fault, times: u32) {
        self.state().faults.push(InjectedFault { call: call.into(), fault, remaining: Some(times) });
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Behaves like BigBlueButton 2.x: calls added in 3.0 answer 404.
    pub fn pretend_bbb_2x(&self, legacy: bool) {
        self.state().legacy = legacy;
    }

    /// Behaves like BigBlueButton before 2.6: `join` needs the meeting's
    /// attendee or moderator password (which decides the role; `role` is
    /// not read), and `create` without passwords makes random ones.
    pub fn pretend_bbb_before_2_6(&self, old: bool) {
        self.state().before_2_6 = old;
    }

    /// Behaves like BigBlueButton 2.4: no `insertDocument` (404), nor the
    /// calls of 3.0, and joins by password as before 2.6.
    pub fn pretend_bbb_2_4(&self) {
        let mut state = self.state();
        state.legacy = true;
        state.before_2_6 = true;
        state.before_2_5 = true;
    }

    /// The public chat messages a meeting received, as (sender, message).
    pub fn chat_messages(&self, meeting_id: &str) -> Vec<(String, String)> {
        self.state().meetings.get(meeting_id).map(|meeting| meeting.chat.clone()).unwrap_or_default()
    }

    /// The URLs of the documents a meeting received (at creation or later).
    pub fn documents(&self, meeting_id: &str) -> Vec<String> {
        self.state().meetings.get(meeting_id).map(|meeting| meeting.documents.clone()).unwrap_or_default()
    }

    /// Opens the breakout rooms of the `groups` given at creation, as a
    /// moderator would: one running breakout meeting per group, listed in
    /// the parent's `breakoutRooms`. Returns their meeting ids.
    pub fn start_breakout_rooms(&self, meeting_id: &str) -> Vec<String> {
        let mut state = self.state();
        let Some(parent) = state.meetings.get(meeting_id) else {
            return Vec::new();
        };
        let count = parent
            .groups
            .as_deref()
            .and_then(|groups| serde_json::from_str::<Vec<serde_json::Value>>(groups).ok())
            .map_or(0, |groups| groups.len());
        let parent_internal = parent.internal_id.clone();
        let name = parent.name.clone();
        let ids: Vec<String> = (1..=count).map(|sequence| format!("{parent_internal}-breakout-{sequence}")).collect();
        for (sequence, id) in (1u64..).zip(&ids) {
            let mut room = new_meeting(&format!("{name} (Room {sequence})"), id, false);
            room.internal_id = id.clone();
            room.breakout_of = Some((parent_internal.clone(), sequence));
            state.meetings.insert(id.clone(), room);
        }
        if let Some(parent) = state.meetings.get_mut(meeting_id) {
            parent.breakout_rooms = ids.clone();
        }
        ids
    }

    /// A moderator presses "start recording": recorded only if the meeting
    /// was created with `record=true` (else BigBlueButton shows no button).
    /// Returns whether the meeting is now being recorded.
    pub fn start_recording(&self, meeting_id: &str) -> bool {
        let mut state = self.state();
        let Some(meeting) = state.meetings.get_mut(meeting_id).filter(|meeting| !meeting.ended) else {
            return false;
        };
        meeting.recording = meeting.record;
        meeting.recording
    }

    /// The meeting ends as when its last attendee leaves (or `end` is
    /// called): a recorded meeting's recording is published and its
    /// recording-ready callback sent. Returns the new recording's id.
    pub fn end_meeting(&self, meeting_id: &str) -> Option<String> {
        let mut state = self.state();
        end_and_publish(&self.shared, &mut state, meeting_id)
    }

    /// The recording-ready callbacks sent so far (their answers arrive in
    /// the background).
    pub fn recording_callbacks(&self) -> Vec<RecordingCallback> {
        self.state().recording_callbacks.clone()
    }

    /// The ids of the recordings not deleted.
    pub fn recording_ids(&self) -> Vec<String> {
        self.state().recordings.iter().filter(|r| !r.deleted).map(|r| r.record_id.clone()).collect()
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        lock(&self.shared)
    }
}

impl Drop for BbbSimulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock(shared: &Shared) -> MutexGuard<'_, SimState> {
    shared.state.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path(call): Path<String>,
    method: Method,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let raw_query = query.unwrap_or_default();
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw_query.as_bytes())
        .filter(|(name, _)| name != "checksum")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let checksum_valid = verify_api_checksum(shared.algorithm, &call, &raw_query, &shared.secret);
    let body = (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned());

    let delay = {
        let mut state = lock(&shared);
        state.calls.push(ReceivedCall {
            name: call.clone(),
            method: method.to_string(),
            params: params.clone(),
            body: body.clone(),
            checksum_valid,
        });
        if !checksum_valid {
            return failed("checksumError", "You did not pass the checksum security check");
        }
        if (state.legacy && ADDED_IN_3_0.contains(&call.as_str()))
            || (state.before_2_5 && ADDED_IN_2_5.contains(&call.as_str()))
        {
            return StatusCode::NOT_FOUND.into_response();
        }
        match take_fault(&mut state, &call) {
            Some(Fault::Failed { message_key, message }) => return failed(&message_key, &message),
            Some(Fault::Status(status)) => {
                return StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response();
            }
            Some(Fault::Body(body)) => return xml_response(body),
            Some(Fault::Delay(delay)) => Some(delay),
            None => None,
        }
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }

    let mut state = lock(&shared);
    let request = Request { params: &params, body: body.as_deref(), address: shared.address };
    match call.as_str() {
        "create" => create(&mut state, &request),
        "join" => join(&mut state, &request),
        "end" => end(&shared, &mut state, &request),
        "getMeetingInfo" => meeting_info(&state, &request),
        "isMeetingRunning" => is_running(&state, &request),
        "getRecordings" => recordings(&state, &request),
        "deleteRecordings" => delete_recordings(&mut state, &request),
        "sendChatMessage" => send_chat(&mut state, &request),
        "insertDocument" => insert_document(&mut state, &request),
        "hooks/create" => create_hook(&mut state, &request),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The injected fault for this call, counted down.
fn take_fault(state: &mut SimState, call: &str) -> Option<Fault> {
    let index = state.faults.iter().position(|fault| {
        (fault.call == call || fault.call == "*") && fault.remaining.is_none_or(|remaining| remaining > 0)
    })?;
    let injected = &mut state.faults[index];
    if let Some(remaining) = &mut injected.remaining {
        *remaining -= 1;
    }
    Some(injected.fault.clone())
}

struct Request<'a> {
    params: &'a [(String, String)],
    body: Option<&'a str>,
    address: SocketAddr,
}

impl Request<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    fn meeting_id(&self) -> Option<&str> {
        self.param("meetingID").filter(|id| !id.is_empty())
    }
}

fn create(state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(meeting_id) = request.meeting_id() else {
        return failed("missingParamMeetingID", "You must specify a meeting ID for the meeting.");
    };
    if let Some(existing) = state.meetings.get(meeting_id).filter(|meeting| !meeting.ended) {
        return success(&format!(
            "{}<messageKey>duplicateWarning</messageKey>\
             <message>This conference was already in existence and may currently be in progress.</message>",
            created_fields(meeting_id, existing)
        ));
    }
    let name = request.param("name").unwrap_or(meeting_id);
    let mut meeting = new_meeting(name, meeting_id, request.param("record") == Some("true"));
    for (key, value) in request.params {
        if let Some(name) = key.strip_prefix("meta_") {
            // BigBlueButton keeps metadata names in lowercase.
            meeting.metadata.insert(name.to_ascii_lowercase(), value.clone());
        }
    }
    // BigBlueButton makes random passwords for those not given.
    let random = || uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    meeting.attendee_password = request.param("attendeePW").map_or_else(random, str::to_string);
    meeting.moderator_password = request.param("moderatorPW").map_or_else(random, str::to_string);
    meeting.groups = request.param("groups").map(str::to_string);
    meeting.documents = request.body.map(document_urls).unwrap_or_default();
    let response = success(&created_fields(meeting_id, &meeting));
    state.meetings.insert(meeting_id.to_string(), meeting);
    response
}

fn join(state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(meeting_id) = request.meeting_id() else {
        return failed("missingParamMeetingID", "You must specify a meeting ID for the meeting.");
    };
    let Some(full_name) = request.param("fullName").filter(|name| !name.is_empty()) else {
        return failed(
            "missingParamFullName",
            "You must specify a name for the attendee who will be joining the meeting.",
        );
    };
    let invalid_password = || {
        failed(
            "invalidPassword",
            "You either did not supply a password or the password supplied is neither the attendee or \
             moderator password for this conference.",
        )
    };
    let before_2_6 = state.before_2_6;
    state.next_token += 1;
    let token = state.next_token;
    let Some(meeting) = state.meetings.get_mut(meeting_id).filter(|meeting| !meeting.ended) else {
        return failed(
            "invalidMeetingIdentifier",
            "The meeting ID that you supplied did not match any existing meetings",
        );
    };
    let password = request.param("password");
    let role = if before_2_6 {
        match password {
            Some(p) if p == meeting.moderator_password => "MODERATOR".to_string(),
            Some(p) if p == meeting.attendee_password => "VIEWER".to_string(),
            _ => return invalid_password(),
        }
    } else {
        match request.param("role").map(str::to_ascii_uppercase).as_deref() {
            Some(role @ ("MODERATOR" | "VIEWER")) => role.to_string(),
            _ => return invalid_password(),
        }
    };
    let user_id = request.param("userID").map_or_else(|| format!("w_{token}"), str::to_string);
    meeting.attendees.retain(|attendee| attendee.user_id != user_id);
    meeting.attendees.push(SimAttendee { user_id: user_id.clone(), full_name: full_name.to_string(), role });
    meeting.participants_seen += 1;
    let url = format!("http://{}/html5client/join?sessionToken=session-{token}", request.address);
    if request.param("redirect") == Some("false") {
        return success(&format!(
            "<messageKey>successfullyJoined</messageKey><message>You have joined successfully.</message>\
             <meeting_id>{}</meeting_id><user_id>{}</user_id><session_token>session-{token}</session_token>\
             <url>{}</url>",
            escape(&meeting.internal_id),
            escape(&user_id),
            escape(&url)
        ));
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(&url) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn end(shared: &Arc<Shared>, state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(meeting_id) = request.meeting_id().filter(|id| state.meetings.get(*id).is_some_and(|m| !m.ended)) else {
        return not_found();
    };
    end_and_publish(shared, state, meeting_id);
    success(
        "<messageKey>sentEndMeetingRequest</messageKey><message>A request to end the meeting was sent. \
         Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify \
         that it was ended.</message>",
    )
}

fn meeting_info(state: &SimState, request: &Request<'_>) -> Response {
    let Some((meeting_id, meeting)) =
        request.meeting_id().and_then(|id| state.meetings.get_key_value(id)).filter(|(_, m)| !m.ended)
    else {
        return not_found();
    };
    let moderators = meeting.attendees.iter().filter(|attendee| attendee.role == "MODERATOR").count();
    let attendees: String = meeting
        .attendees
        .iter()
        .map(|attendee| {
            format!(
                "<attendee><userID>{}</userID><fullName>{}</fullName><role>{}</role>\
                 <isPresenter>false</isPresenter><isListeningOnly>true</isListeningOnly>\
                 <hasJoinedVoice>false</hasJoinedVoice><hasVideo>false</hasVideo>\
                 <clientType>HTML5</clientType><customdata/></attendee>",
                escape(&attendee.user_id),
                escape(&attendee.full_name),
                attendee.role
            )
        })
        .collect();
    let breakout = match &meeting.breakout_of {
        Some((parent, sequence)) => format!(
            "<breakout><parentMeetingID>{}</parentMeetingID><sequence>{sequence}</sequence>\
             <freeJoin>false</freeJoin></breakout>",
            escape(parent)
        ),
        None if !meeting.breakout_rooms.is_empty() => format!(
            "<breakoutRooms>{}</breakoutRooms>",
            meeting.breakout_rooms.iter().map(|id| format!("<breakout>{}</breakout>", escape(id))).collect::<String>()
        ),
        None => String::new(),
    };
    success(&format!(
        "<meetingName>{name}</meetingName><meetingID>{id}</meetingID>\
         <internalMeetingID>{internal}</internalMeetingID><createTime>{created}</createTime>\
         <createDate>{created}</createDate><voiceBridge>70757</voiceBridge><dialNumber>613-555-1234</dialNumber>\
         <running>{running}</running><duration>0</duration><hasUserJoined>{joined}</hasUserJoined>\
         <recording>false</recording><hasBeenForciblyEnded>false</hasBeenForciblyEnded>\
         <startTime>{created}</startTime><endTime>0</endTime><participantCount>{count}</participantCount>\
         <listenerCount>{count}</listenerCount><voiceParticipantCount>0</voiceParticipantCount>\
         <videoCount>0</videoCount><maxUsers>0</maxUsers><moderatorCount>{moderators}</moderatorCount>\
         <attendees>{attendees}</attendees><metadata>{metadata}</metadata>\
         <isBreakout>{is_breakout}</isBreakout>{breakout}",
        name = escape(&meeting.name),
        id = escape(meeting_id),
        internal = escape(&meeting.internal_id),
        created = meeting.create_time_ms,
        running = is_meeting_running(meeting),
        joined = meeting.participants_seen > 0,
        count = meeting.attendees.len(),
        metadata = metadata_xml(&meeting.metadata),
        is_breakout = meeting.breakout_of.is_some(),
    ))
}

fn is_running(state: &SimState, request: &Request<'_>) -> Response {
    let running = request.meeting_id().and_then(|id| state.meetings.get(id)).is_some_and(is_meeting_running);
    success(&format!("<running>{running}</running>"))
}

fn recordings(state: &SimState, request: &Request<'_>) -> Response {
    let meetings = listed(request.param("meetingID"));
    let records = listed(request.param("recordID"));
    let filters: Vec<(String, &str)> = request
        .params
        .iter()
        .filter_map(|(key, value)| key.strip_prefix("meta_").map(|name| (name.to_ascii_lowercase(), value.as_str())))
        .collect();
    let list: String = state
        .recordings
        .iter()
        .filter(|r| !r.deleted)
        .filter(|r| meetings.as_ref().is_none_or(|ids| ids.contains(&r.meeting_id.as_str())))
        .filter(|r| records.as_ref().is_none_or(|ids| ids.contains(&r.record_id.as_str())))
        .filter(|r| filters.iter().all(|(name, value)| r.metadata.get(name).map(String::as_str) == Some(*value)))
        .map(|r| {
            let minutes = (r.end_ms.saturating_sub(r.start_ms)).div_ceil(60_000);
            format!(
                "<recording><recordID>{record}</recordID><meetingID>{id}</meetingID>\
                 <internalMeetingID>{record}</internalMeetingID><name>{name}</name><isBreakout>false</isBreakout>\
                 <published>true</published><state>published</state><startTime>{start}</startTime>\
                 <endTime>{end}</endTime><participants>{participants}</participants>\
                 <rawSize>0</rawSize><metadata>{metadata}</metadata><size>0</size><playback><format>\
                 <type>presentation</type>\
                 <url>http://{address}/playback/presentation/2.3/{record}</url>\
                 <processingTime>0</processingTime><length>{minutes}</length><size>0</size></format></playback>\
                 <data/></recording>",
                record = escape(&r.record_id),
                id = escape(&r.meeting_id),
                name = escape(&r.name),
                start = r.start_ms,
                end = r.end_ms,
                participants = r.participants,
                metadata = metadata_xml(&r.metadata),
                address = request.address,
            )
        })
        .collect();
    if list.is_empty() {
        return success(
            "<recordings></recordings><messageKey>noRecordings</messageKey>\
             <message>There are no recordings for the meeting(s).</message>",
        );
    }
    success(&format!("<recordings>{list}</recordings>"))
}

/// A comma-separated list of ids, if one is given.
fn listed(value: Option<&str>) -> Option<Vec<&str>> {
    value.filter(|v| !v.is_empty()).map(|v| v.split(',').collect())
}

fn delete_recordings(state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(ids) = request.param("recordID").filter(|ids| !ids.is_empty()) else {
        return failed("missingParamRecordID", "You must specify one or more a recording IDs.");
    };
    let ids: Vec<&str> = ids.split(',').collect();
    let mut found = false;
    for recording in state.recordings.iter_mut().filter(|r| !r.deleted && ids.contains(&r.record_id.as_str())) {
        recording.deleted = true;
        found = true;
    }
    if !found {
        return failed("notFound", "We could not find recordings");
    }
    success("<deleted>true</deleted>")
}

/// Ends a meeting; a recorded one gets its published recording, and its
/// recording-ready callback is sent in the background.
fn end_and_publish(shared: &Arc<Shared>, state: &mut SimState, meeting_id: &str) -> Option<String> {
    let meeting = state.meetings.get_mut(meeting_id).filter(|meeting| !meeting.ended)?;
    meeting.ended = true;
    meeting.end_time_ms = now_ms();
    meeting.attendees.clear();
    if !meeting.recording {
        return None;
    }
    let recording = SimRecording {
        record_id: meeting.internal_id.clone(),
        meeting_id: meeting_id.to_string(),
        name: meeting.name.clone(),
        start_ms: meeting.create_time_ms,
        end_ms: meeting.end_time_ms,
        participants: meeting.participants_seen,
        metadata: meeting.metadata.clone(),
        deleted: false,
    };
    let record_id = recording.record_id.clone();
    let callback = recording.metadata.get(super::recordings::META_RECORDING_READY_URL).cloned();
    state.recordings.push(recording);
    if let Some(url) = callback {
        let ready =
            super::recordings::RecordingReady { meeting_id: meeting_id.to_string(), record_id: record_id.clone() };
        let index = state.recording_callbacks.len();
        state.recording_callbacks.push(RecordingCallback {
            url: url.clone(),
            record_id: record_id.clone(),
            answer: Err("not answered yet".into()),
        });
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            let answer = post_recording_ready(&shared.secret, &url, &ready).await;
            if let Some(sent) = lock(&shared).recording_callbacks.get_mut(index) {
                sent.answer = answer;
            }
        });
    }
    Some(record_id)
}

/// POSTs `signed_parameters` as BigBlueButton's post-publish script does.
async fn post_recording_ready(
    secret: &str,
    url: &str,
    ready: &super::recordings::RecordingReady,
) -> Result<u16, String> {
    let token = super::recordings::sign_recording_ready(secret, ready).map_err(|error| error.to_string())?;
    let body = url::form_urlencoded::Serializer::new(String::new()).append_pair("signed_parameters", &token).finish();
    let response = reqwest::Client::new()
        .post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    Ok(response.status().as_u16())
}

fn send_chat(state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(meeting_id) = request.meeting_id() else {
        return failed("missingParamMeetingID", "You must specify a meeting ID for the meeting.");
    };
    let message = request.param("message").unwrap_or_default();
    let user_name = request.param("userName").unwrap_or("System");
    if message.is_empty() || message.chars().count() > 500 || user_name.chars().count() > 255 {
        return failed("validationError", "The message must have 1 to 500 characters and the userName at most 255.");
    }
    let Some(meeting) = state.meetings.get_mut(meeting_id).filter(|meeting| !meeting.ended) else {
        return failed("meetingNotFound", "A meeting with that ID does not exist");
    };
    meeting.chat.push((user_name.to_string(), message.to_string()));
    success("<messageKey></messageKey><message></message>")
}

fn insert_document(state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(meeting) = request.meeting_id().and_then(|id| state.meetings.get_mut(id)).filter(|m| !m.ended) else {
        return not_found();
    };
    let urls = request.body.map(document_urls).unwrap_or_default();
    if urls.is_empty() {
        return failed("missingDocument", "No document was found in the request body.");
    }
    meeting.documents.extend(urls);
    success("<message>Presentation is being uploaded</message>")
}

fn create_hook(state: &mut SimState, request: &Request<'_>) -> Response {
    let Some(callback_url) = request.param("callbackURL").filter(|url| !url.is_empty()) else {
        return failed("missingParamCallbackURL", "You must specify a callbackURL in the parameters.");
    };
    let meeting_id = request.meeting_id().map(str::to_string);
    if let Some(hook) =
        state.hooks.iter().find(|hook| hook.callback_url == callback_url && hook.meeting_id == meeting_id)
    {
        return success(&format!(
            "<hookID>{}</hookID><messageKey>duplicateWarning</messageKey>\
             <message>There is already a hook for this callback URL.</message>",
            hook.id
        ));
    }
    let hook = Hook {
        id: state.hooks.len() as u64 + 1,
        callback_url: callback_url.to_string(),
        meeting_id,
        get_raw: request.param("getRaw") == Some("true"),
    };
    let response = success(&format!(
        "<hookID>{}</hookID><permanentHook>false</permanentHook><rawData>{}</rawData>",
        hook.id, hook.get_raw
    ));
    state.hooks.push(hook);
    response
}

fn new_meeting(name: &str, meeting_id: &str, record: bool) -> Meeting {
    let create_time_ms = now_ms();
    let internal_id = format!("{}-{create_time_ms}", hex_digest(ChecksumAlgorithm::Sha1, &[meeting_id.as_bytes()]));
    Meeting {
        name: name.to_string(),
        internal_id,
        attendee_password: String::new(),
        moderator_password: String::new(),
        create_time_ms,
        end_time_ms: 0,
        record,
        recording: false,
        ended: false,
        metadata: BTreeMap::new(),
        attendees: Vec::new(),
        participants_seen: 0,
        documents: Vec::new(),
        chat: Vec::new(),
        groups: None,
        breakout_rooms: Vec::new(),
        breakout_of: None,
    }
}

/// BigBlueButton says a meeting runs once someone has joined it.
fn is_meeting_running(meeting: &Meeting) -> bool {
    !meeting.ended && !meeting.attendees.is_empty()
}

fn created_fields(meeting_id: &str, meeting: &Meeting) -> String {
    let parent = meeting.breakout_of.as_ref().map_or("bbb-none", |(parent, _)| parent.as_str());
    format!(
        "<meetingID>{}</meetingID><internalMeetingID>{}</internalMeetingID><parentMeetingID>{}</parentMeetingID>\
         <createTime>{}</createTime><voiceBridge>70757</voiceBridge><dialNumber>613-555-1234</dialNumber>\
         <createDate>{}</createDate><hasUserJoined>{}</hasUserJoined><duration>0</duration>\
         <hasBeenForciblyEnded>false</hasBeenForciblyEnded>",
        escape(meeting_id),
        escape(&meeting.internal_id),
        escape(parent),
        meeting.create_time_ms,
        meeting.create_time_ms,
        meeting.participants_seen > 0
    )
}

fn metadata_xml(metadata: &BTreeMap<String, String>) -> String {
    metadata
        .iter()
        .filter(|(name, _)| is_xml_name(name))
        .map(|(name, value)| format!("<{name}>{}</{name}>", escape(value)))
        .collect()
}

/// Metadata names become element names; anything else is left out.
fn is_xml_name(name: &str) -> bool {
    name.chars().next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The `url` of each `<document>` in a `<modules>` body.
fn document_urls(body: &str) -> Vec<String> {
    let Ok(root) = xml::parse(body) else {
        return Vec::new();
    };
    root.children_named("module")
        .filter(|module| module.attribute("name") == Some("presentation"))
        .flat_map(|module| module.children_named("document"))
        .filter_map(|document| document.attribute("url").map(str::to_string))
        .collect()
}

fn success(fields: &str) -> Response {
    xml_response(format!("<response><returncode>SUCCESS</returncode>{fields}</response>"))
}

fn failed(message_key: &str, message: &str) -> Response {
    xml_response(format!(
        "<response><returncode>FAILED</returncode><messageKey>{}</messageKey><message>{}</message></response>",
        escape(message_key),
        escape(message)
    ))
}

fn not_found() -> Response {
    failed("notFound", "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?")
}

fn xml_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml;charset=utf-8")], body).into_response()
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as u64)
}
