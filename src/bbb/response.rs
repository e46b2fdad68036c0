//! BigBlueButton's XML answers: the `<response>` envelope (SUCCESS, or
//! FAILED with a messageKey) and the typed results of each call. Absent
//! optional elements take their zero value; present but malformed ones are
//! an error that names the element.

use std::collections::BTreeMap;

use super::error::{BbbError, is_unknown_call_key};
use super::xml::{self, XmlElement};

/// What `create` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingCreated {
    pub meeting_id: String,
    pub internal_meeting_id: String,
    /// The parent's internal id for a breakout room; `None` otherwise
    /// (BigBlueButton says `bbb-none`).
    pub parent_meeting_id: Option<String>,
    pub create_time_ms: u64,
    pub voice_bridge: String,
    pub dial_number: String,
    /// The meeting already existed (`duplicateWarning`): nothing changed.
    pub duplicate: bool,
}

/// What `getMeetingInfo` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingInfo {
    pub meeting_name: String,
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub create_time_ms: u64,
    pub running: bool,
    pub has_user_joined: bool,
    pub recording: bool,
    pub has_been_forcibly_ended: bool,
    pub start_time_ms: u64,
    pub end_time_ms: u64,
    pub duration_minutes: u64,
    pub participant_count: u64,
    pub listener_count: u64,
    pub voice_participant_count: u64,
    pub video_count: u64,
    pub moderator_count: u64,
    pub max_users: u64,
    pub attendees: Vec<Attendee>,
    /// Metadata given at creation, by name (without `meta_`; BigBlueButton
    /// may lowercase names).
    pub metadata: BTreeMap<String, String>,
    pub is_breakout: bool,
    /// The internal ids of this meeting's breakout rooms.
    pub breakout_rooms: Vec<String>,
    /// For a breakout room: its parent and number.
    pub breakout: Option<BreakoutInfo>,
}

/// A person in a meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attendee {
    /// The external user id given at join (amphi's member id).
    pub user_id: String,
    pub full_name: String,
    /// `MODERATOR` or `VIEWER`.
    pub role: String,
    pub is_presenter: bool,
    pub is_listening_only: bool,
    pub has_joined_voice: bool,
    pub has_video: bool,
    pub client_type: String,
}

/// Where a breakout room belongs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreakoutInfo {
    pub parent_meeting_id: String,
    pub sequence: u64,
    pub free_join: bool,
}

/// One recording from `getRecordings`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recording {
    pub record_id: String,
    pub meeting_id: String,
    pub internal_meeting_id: String,
    pub name: String,
    pub published: bool,
    /// `processing`, `processed`, `published`, `unpublished`, `deleted`.
    pub state: String,
    pub start_time_ms: u64,
    pub end_time_ms: u64,
    pub participants: u64,
    pub metadata: BTreeMap<String, String>,
    pub playback: Vec<PlaybackFormat>,
}

/// One way to watch a recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaybackFormat {
    /// `presentation`, `video`, `podcast`, ...
    pub format: String,
    pub url: String,
    pub length_minutes: u64,
}

/// What `hooks/create` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookCreated {
    pub hook_id: String,
    /// A hook for this callback URL already existed (`duplicateWarning`).
    pub duplicate: bool,
    pub permanent: bool,
    pub raw_data: bool,
}

impl Attendee {
    pub fn is_moderator(&self) -> bool {
        self.role.eq_ignore_ascii_case("MODERATOR")
    }
}

/// Reads an answer's envelope: the `<response>` element of a SUCCESS, or
/// the error a FAILED stands for.
pub fn envelope(call: &str, body: &str) -> Result<XmlElement, BbbError> {
    let root = xml::parse(body).map_err(|reason| invalid(call, reason))?;
    if root.name != "response" {
        return Err(invalid(call, format!("the root element is <{}>, not <response>", root.name)));
    }
    match root.text_of("returncode").map(str::to_ascii_uppercase).as_deref() {
        Some("SUCCESS") => Ok(root),
        Some("FAILED") => {
            let message_key = root.text_of("messageKey").unwrap_or_default().to_string();
            if is_unknown_call_key(&message_key) {
                return Err(BbbError::Unsupported { call: call.to_string() });
            }
            let message = root.text_of("message").unwrap_or_default().to_string();
            Err(BbbError::Failed { call: call.to_string(), message_key, message })
        }
        Some(other) => Err(invalid(call, format!("unknown returncode `{other}`"))),
        None => Err(invalid(call, "no <returncode>")),
    }
}

/// Reads `create`'s answer for the meeting `requested`. A SUCCESS is all
/// amphi needs: every field is optional (some servers and mocks leave out
/// `internalMeetingID` or even `meetingID`, which is then the one asked).
pub fn meeting_created(call: &str, requested: &str, root: &XmlElement) -> Result<MeetingCreated, BbbError> {
    let read = || -> Result<MeetingCreated, String> {
        Ok(MeetingCreated {
            meeting_id: root.text_of("meetingID").filter(|id| !id.is_empty()).unwrap_or(requested).to_string(),
            internal_meeting_id: text(root, "internalMeetingID"),
            parent_meeting_id: root
                .text_of("parentMeetingID")
                .filter(|parent| !parent.is_empty() && *parent != "bbb-none")
                .map(str::to_string),
            create_time_ms: number(root, "createTime").unwrap_or(0),
            voice_bridge: text(root, "voiceBridge"),
            dial_number: text(root, "dialNumber"),
            duplicate: root.text_of("messageKey") == Some("duplicateWarning"),
        })
    };
    read().map_err(|reason| invalid(call, reason))
}

/// Reads `getMeetingInfo`'s answer.
pub fn meeting_info(call: &str, root: &XmlElement) -> Result<MeetingInfo, BbbError> {
    let read = || -> Result<MeetingInfo, String> {
        let attendees = match root.child("attendees") {
            Some(list) => list.children_named("attendee").map(attendee).collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let breakout_rooms = root
            .child("breakoutRooms")
            .map(|rooms| rooms.children_named("breakout").map(|room| room.text.trim().to_string()).collect())
            .unwrap_or_default();
        let breakout = match root.child("breakout") {
            Some(breakout) => Some(BreakoutInfo {
                parent_meeting_id: text(breakout, "parentMeetingID"),
                sequence: number(breakout, "sequence")?,
                free_join: flag(breakout, "freeJoin")?,
            }),
            None => None,
        };
        Ok(MeetingInfo {
            meeting_name: text(root, "meetingName"),
            meeting_id: required(root, "meetingID")?,
            internal_meeting_id: text(root, "internalMeetingID"),
            create_time_ms: number(root, "createTime")?,
            running: flag(root, "running")?,
            has_user_joined: flag(root, "hasUserJoined")?,
            recording: flag(root, "recording")?,
            has_been_forcibly_ended: flag(root, "hasBeenForciblyEnded")?,
            start_time_ms: number(root, "startTime")?,
            end_time_ms: number(root, "endTime")?,
            duration_minutes: number(root, "duration")?,
            participant_count: number(root, "participantCount")?,
            listener_count: number(root, "listenerCount")?,
            voice_participant_count: number(root, "voiceParticipantCount")?,
            video_count: number(root, "videoCount")?,
            moderator_count: number(root, "moderatorCount")?,
            max_users: number(root, "maxUsers")?,
            attendees,
            metadata: metadata(root),
            is_breakout: flag(root, "isBreakout")?,
            breakout_rooms,
            breakout,
        })
    };
    read().map_err(|reason| invalid(call, reason))
}

/// Reads `isMeetingRunning`'s answer.
pub fn running(call: &str, root: &XmlElement) -> Result<bool, BbbError> {
    match root.text_of("running") {
        Some(_) => flag(root, "running").map_err(|reason| invalid(call, reason)),
        None => Err(invalid(call, "no <running>")),
    }
}

/// Reads `getRecordings`' answer.
pub fn recordings(call: &str, root: &XmlElement) -> Result<Vec<Recording>, BbbError> {
    let Some(list) = root.child("recordings") else {
        return Ok(Vec::new());
    };
    list.children_named("recording").map(recording).collect::<Result<_, _>>().map_err(|reason| invalid(call, reason))
}

/// Reads `hooks/create`'s answer.
pub fn hook_created(call: &str, root: &XmlElement) -> Result<HookCreated, BbbError> {
    let read = || -> Result<HookCreated, String> {
        Ok(HookCreated {
            hook_id: text(root, "hookID"),
            duplicate: root.text_of("messageKey") == Some("duplicateWarning"),
            permanent: flag(root, "permanentHook")?,
            raw_data: flag(root, "rawData")?,
        })
    };
    read().map_err(|reason| invalid(call, reason))
}

fn attendee(element: &XmlElement) -> Result<Attendee, String> {
    Ok(Attendee {
        user_id: text(element, "userID"),
        full_name: text(element, "fullName"),
        role: text(element, "role"),
        is_presenter: flag(element, "isPresenter")?,
        is_listening_only: flag(element, "isListeningOnly")?,
        has_joined_voice: flag(element, "hasJoinedVoice")?,
        has_video: flag(element, "hasVideo")?,
        client_type: text(element, "clientType"),
    })
}

fn recording(element: &XmlElement) -> Result<Recording, String> {
    let playback = match element.child("playback") {
        Some(playback) => playback
            .children_named("format")
            .map(|format| {
                Ok(PlaybackFormat {
                    format: text(format, "type"),
                    url: text(format, "url"),
                    length_minutes: number(format, "length")?,
                })
            })
            .collect::<Result<_, String>>()?,
        None => Vec::new(),
    };
    Ok(Recording {
        record_id: required(element, "recordID")?,
        meeting_id: text(element, "meetingID"),
        internal_meeting_id: text(element, "internalMeetingID"),
        name: text(element, "name"),
        published: flag(element, "published")?,
        state: text(element, "state"),
        start_time_ms: number(element, "startTime")?,
        end_time_ms: number(element, "endTime")?,
        participants: number(element, "participants")?,
        metadata: metadata(element),
        playback,
    })
}

fn metadata(element: &XmlElement) -> BTreeMap<String, String> {
    element
        .child("metadata")
        .map(|metadata| {
            metadata.children.iter().map(|entry| (entry.name.clone(), entry.text.trim().to_string())).collect()
        })
        .unwrap_or_default()
}

fn text(element: &XmlElement, name: &str) -> String {
    element.text_of(name).unwrap_or_default().to_string()
}

fn required(element: &XmlElement, name: &str) -> Result<String, String> {
    match element.text_of(name) {
        Some(value) if !value.is_empty() => Ok(value.to_string()),
        _ => Err(format!("no <{name}> in <{}>", element.name)),
    }
}

/// A whole number; a decimal one (Moodle's mock gives times as
/// `1790000000123.456`) is cut to its whole part.
fn number(element: &XmlElement, name: &str) -> Result<u64, String> {
    match element.text_of(name) {
        None | Some("") => Ok(0),
        Some(value) => value
            .parse()
            .ok()
            .or_else(|| match value.split_once('.') {
                Some((whole, fraction)) if fraction.bytes().all(|b| b.is_ascii_digit()) => whole.parse().ok(),
                _ => None,
            })
            .ok_or(())
            .map_err(|_| format!("<{name}> is `{value}`, not a whole number")),
    }
}

fn flag(element: &XmlElement, name: &str) -> Result<bool, String> {
    match element.text_of(name) {
        None | Some("") => Ok(false),
        Some(value) if value.eq_ignore_ascii_case("true") => Ok(true),
        Some(value) if value.eq_ignore_ascii_case("false") => Ok(false),
        Some(value) => Err(format!("<{name}> is `{value}`, not true or false")),
    }
}

fn invalid(call: &str, reason: impl Into<String>) -> BbbError {
    BbbError::InvalidResponse { call: call.to_string(), reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/bbb/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_failed_answer_carries_its_message_key() {
        let error = envelope("create", &fixture("failed_checksum.xml")).unwrap_err();
        assert_eq!(
            error,
            BbbError::Failed {
                call: "create".into(),
                message_key: "checksumError".into(),
                message: "You did not pass the checksum security check".into(),
            }
        );
    }

    #[test]
    fn an_unknown_call_key_means_unsupported() {
        let body = "<response><returncode>FAILED</returncode><messageKey>unsupportedRequest</messageKey>\
                    <message>This request is not supported.</message></response>";
        assert_eq!(
            envelope("sendChatMessage", body).unwrap_err(),
            BbbError::Unsupported { call: "sendChatMessage".into() }
        );
    }

    #[test]
    fn answers_that_are_not_the_envelope_are_invalid() {
        for body in [
            "<html><body>502</body></html>",
            "<response/>",
            "<response><returncode>MAYBE</returncode></response>",
            "oops",
        ] {
            assert!(matches!(envelope("end", body), Err(BbbError::InvalidResponse { .. })), "{body}");
        }
    }

    #[test]
    fn create_reads_ids_and_the_duplicate_warning() {
        let root = envelope("create", &fixture("create.xml")).unwrap();
        let created = meeting_created("create", "ignored", &root).unwrap();
        assert_eq!(created.meeting_id, "Test");
        assert_eq!(created.internal_meeting_id, "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613");
        assert_eq!(created.parent_meeting_id, None);
        assert_eq!(created.create_time_ms, 1_531_155_809_613);
        assert_eq!(created.voice_bridge, "70757");
        assert!(created.duplicate);
    }

    #[test]
    fn meeting_info_reads_attendees_metadata_and_breakouts() {
        let root = envelope("getMeetingInfo", &fixture("get_meeting_info.xml")).unwrap();
        let info = meeting_info("getMeetingInfo", &root).unwrap();
        assert_eq!(info.meeting_name, "Atelier 3: didactique");
        assert!(info.running && info.has_user_joined && info.recording);
        assert_eq!((info.participant_count, info.moderator_count, info.video_count), (2, 1, 1));
        assert_eq!(info.start_time_ms, 1_715_261_728_142);
        assert_eq!(info.attendees.len(), 2);
        assert_eq!(info.attendees[0].user_id, "trainer-1");
        assert!(info.attendees[0].is_moderator() && info.attendees[0].is_presenter);
        assert_eq!(info.attendees[1].full_name, "Zoé Martin");
        assert!(!info.attendees[1].is_moderator() && info.attendees[1].is_listening_only);
        assert_eq!(info.metadata.get("amphi-session-id").map(String::as_str), Some("session-9"));
        assert_eq!(info.metadata.get("amphi-atelier-id").map(String::as_str), Some("atelier-3"));
        assert!(!info.is_breakout);
        assert_eq!(info.breakout_rooms, ["breakout-room-id-1", "breakout-room-id-2"]);
        assert_eq!(info.breakout, None);
    }

    #[test]
    fn a_breakout_room_names_its_parent() {
        let root = envelope("getMeetingInfo", &fixture("get_meeting_info_breakout.xml")).unwrap();
        let info = meeting_info("getMeetingInfo", &root).unwrap();
        assert!(info.is_breakout);
        assert_eq!(
            info.breakout,
            Some(BreakoutInfo { parent_meeting_id: "ParentMeetingId".into(), sequence: 1, free_join: false })
        );
        assert!(info.attendees.is_empty());
    }

    #[test]
    fn malformed_fields_are_named() {
        let body = "<response><returncode>SUCCESS</returncode><meetingID>m</meetingID>\
                    <running>yes</running></response>";
        let root = envelope("getMeetingInfo", body).unwrap();
        let error = meeting_info("getMeetingInfo", &root).unwrap_err();
        assert_eq!(
            error.to_string(),
            "BigBlueButton's answer to `getMeetingInfo` is not understood: <running> is `yes`, not true or false"
        );
    }

    #[test]
    fn a_create_answered_success_needs_no_other_field() {
        let body = "<response><returncode>SUCCESS</returncode></response>";
        let created = meeting_created("create", "amphi-s1-a1", &envelope("create", body).unwrap()).unwrap();
        assert_eq!(created.meeting_id, "amphi-s1-a1", "the meeting asked for");
        assert_eq!(created.internal_meeting_id, "");
        let body = "<response><returncode>SUCCESS</returncode><meetingID>m</meetingID>\
                    <createTime>soon</createTime></response>";
        let created = meeting_created("create", "m", &envelope("create", body).unwrap()).unwrap();
        assert_eq!(created.create_time_ms, 0, "an unreadable creation time is not needed");
    }

    #[test]
    fn recordings_read_their_formats() {
        let root = envelope("getRecordings", &fixture("get_recordings.xml")).unwrap();
        let list = recordings("getRecordings", &root).unwrap();
        assert_eq!(list.len(), 1);
        let recording = &list[0];
        assert_eq!(recording.record_id, "ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124");
        assert!(recording.published);
        assert_eq!(recording.state, "published");
        assert_eq!(recording.participants, 3);
        assert_eq!(recording.metadata.get("meetingName").map(String::as_str), Some("Fred's Room"));
        let formats: Vec<_> = recording.playback.iter().map(|p| p.format.as_str()).collect();
        assert_eq!(formats, ["podcast", "presentation"]);
        assert!(recording.playback[1].url.starts_with("https://bbb.example.org/playback/presentation/"));
        let empty = envelope("getRecordings", &fixture("get_recordings_empty.xml")).unwrap();
        assert_eq!(recordings("getRecordings", &empty).unwrap(), []);
    }

    #[test]
    fn running_and_hooks_are_read() {
        let root = envelope(
            "isMeetingRunning",
            "<response><returncode>SUCCESS</returncode><running>true</running></response>",
        )
        .unwrap();
        assert_eq!(running("isMeetingRunning", &root), Ok(true));
        let root = envelope("hooks/create", &fixture("hooks_create.xml")).unwrap();
        assert_eq!(
            hook_created("hooks/create", &root).unwrap(),
            HookCreated { hook_id: "1".into(), duplicate: false, permanent: false, raw_data: false }
        );
    }

    #[test]
    fn decimal_times_are_cut_to_whole_milliseconds() {
        // Moodle's mock answers startTime as `format('Uu') / 1000`.
        let body = "<response><returncode>SUCCESS</returncode><recordings><recording><recordID>r1</recordID>\
                    <meetingID>m</meetingID><startTime>1790000000123.456</startTime><endTime>1790000720000</endTime>\
                    </recording></recordings></response>";
        let root = envelope("getRecordings", body).unwrap();
        let listed = recordings("getRecordings", &root).unwrap();
        assert_eq!((listed[0].start_time_ms, listed[0].end_time_ms), (1_790_000_000_123, 1_790_000_720_000));
        let bad = body.replace("1790000720000", "soon");
        assert!(recordings("getRecordings", &envelope("getRecordings", &bad).unwrap()).is_err());
    }
}
