//! Breakout ("ateliers") wire types: the plan a facilitator prepares, the
//! commands leaders and participants send (`action` tag), the events a
//! breakout session emits (`kind` tag) and the per-viewer snapshot.
//!
//! Visibility rules the server keeps: a participant gets what concerns
//! their own atelier (its opening, timer, instructions, resources, video
//! link, the broadcasts sent to it and its production), the broadcasts sent
//! to everyone and the productions published to the plenary; leaders
//! (trainers, facilitators, admins) see every atelier, the assignment, the
//! help calls and every production. Observers (projectors) see the
//! plenary. Text is plain text, never HTML; links are http or https.

use serde::{Deserialize, Serialize};

use crate::MemberId;
use crate::board::File;

/// How participants end up in ateliers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentMode {
    /// Leaders assign each participant (`assign`); `distribute` places those
    /// left over, balanced.
    #[default]
    Manual,
    /// `distribute` sends each present, unassigned participant to an
    /// atelier drawn at random (sizes may differ; capacities honoured).
    Random,
    /// `distribute` deals present, unassigned participants so that atelier
    /// sizes differ by at most one (capacities honoured).
    Balanced,
    /// Participants choose (`choose`) among the ateliers with places left;
    /// `distribute` places those who did not choose, balanced.
    FreeChoice,
}

/// A link given to an atelier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// 1 to 200 characters.
    pub title: String,
    /// An `http://` or `https://` address, at most 2,000 characters.
    pub url: String,
}

/// Why an atelier's video room could not be created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoProblem {
    /// `unreachable`, `timeout`, `refused`, `http` or `invalid_answer`.
    pub code: String,
    /// What BigBlueButton said, for the facilitator (English, technical).
    pub detail: String,
    /// The server tries again by itself (else: a leader retries).
    pub retrying: bool,
}

/// What became of a file added to an open atelier, in its video room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentDelivery {
    /// Added to the running meeting's presentations (`insertDocument`,
    /// BigBlueButton 2.5 and later).
    Inserted,
    /// The server is older than 2.5 (it has no `insertDocument`): the file
    /// is on the atelier's page only.
    Unsupported,
    /// BigBlueButton could not take it now: on the atelier's page only.
    Failed,
}

/// One atelier of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Atelier {
    /// Stable id: 1 to 64 ASCII letters, digits, `-` or `_`, unique in the
    /// plan (it links the atelier to its video meeting).
    pub id: String,
    /// 1 to 200 characters.
    pub name: String,
    /// Plain text with line breaks, at most 5,000 characters.
    #[serde(default)]
    pub instructions: String,
    /// How long the atelier runs once opened: 60 to 43,200 seconds.
    pub duration_s: u32,
    /// At most 20 links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// At most 20 uploaded files (blob ids from an upload).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<File>,
    /// Most participants it takes (free choice and `distribute`); none: no
    /// limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// The join link of the atelier's video room (filled by the server when
    /// it creates the room, or given by a leader).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// Why the atelier has no video room yet (set by the server when
    /// BigBlueButton could not create it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_problem: Option<VideoProblem>,
    /// The atelier has a shared board.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub board: bool,
    /// The quiz the atelier runs, if any (a quiz room's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiz: Option<String>,
}

/// A facilitator's plan: the ateliers, in order, and how participants are
/// sent to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakoutPlan {
    /// 1 to 50 ateliers.
    pub ateliers: Vec<Atelier>,
    #[serde(default)]
    pub mode: AssignmentMode,
}

/// How a breakout session runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakoutSettings {
    /// Seconds before an atelier's end at which its members and the
    /// leaders get a `time_warning`: at most 5 values, each 1 to 3,600.
    pub warnings_s: Vec<u32>,
    /// Minimum period between two coalesced `counts` (and `choices`)
    /// updates: 50 to 10,000 ms.
    pub coalesce_ms: u64,
    /// Attendance that completes the session for a participant, as a
    /// percentage (1 to 100) of the time their ateliers were open; checked
    /// each time every atelier has closed. None: no completion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_percent: Option<u8>,
}

impl Default for BreakoutSettings {
    fn default() -> Self {
        BreakoutSettings { warnings_s: vec![60, 10], coalesce_ms: 200, completion_percent: None }
    }
}

/// Where an atelier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtelierState {
    /// Not opened yet.
    Pending,
    /// Running: its members work in it until `ends_at`.
    Open,
    /// Ended (by a leader or at its deadline): its members are back in the
    /// plenary. It may be opened again.
    Closed,
}

/// Where the whole session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// No atelier has been opened yet.
    Preparing,
    /// At least one atelier is open.
    Running,
    /// Ateliers ran and every one is closed: everyone is in the plenary.
    Plenary,
}

/// Why an atelier closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// A leader closed it.
    Facilitator,
    /// Its time was up.
    Deadline,
}

/// A leader's message to every atelier (`atelier` absent) or to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    /// Stable id (`b1`, `b2`, …): show each broadcast once.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atelier: Option<String>,
    pub from: MemberId,
    pub from_name: String,
    pub text: String,
    /// When it was sent (ms since the Unix epoch).
    pub at: u64,
}

/// Where a help call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// Waiting for a leader.
    Waiting,
    /// A leader (`by`) is on the way.
    Taken,
    /// Done.
    Resolved,
}

/// A participant's call for a facilitator, from an open atelier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpCall {
    /// Stable id (`h1`, `h2`, …).
    pub id: String,
    pub atelier: String,
    pub member: MemberId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// When it was made (ms since the Unix epoch).
    pub at: u64,
    pub state: CallState,
    /// The leader who took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<MemberId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_name: Option<String>,
}

/// What an atelier hands in. At least one part is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductionContent {
    /// Plain text with line breaks, at most 5,000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// An `http://` or `https://` address, at most 2,000 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// An uploaded file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<File>,
}

/// One version of an atelier's production.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Production {
    pub atelier: String,
    /// The atelier's name: the label shown in the plenary.
    pub atelier_name: String,
    /// 1 for the first submission, then one more per submission (the
    /// latest replaces the earlier ones).
    pub version: u32,
    #[serde(flatten)]
    pub content: ProductionContent,
    /// Who submitted this version.
    pub by: MemberId,
    pub by_name: String,
    /// When it was submitted (ms since the Unix epoch).
    pub at: u64,
}

/// A recording of an atelier's video room shown to the plenary: a link
/// played in BigBlueButton's player.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedRecording {
    /// BigBlueButton's `recordID`.
    pub record_id: String,
    pub atelier: String,
    /// The atelier's name: the label shown in the plenary.
    pub atelier_name: String,
    /// BigBlueButton's player for this recording.
    pub url: String,
    /// When the recorded meeting started (ms since the Unix epoch; 0:
    /// unknown).
    pub started_at: u64,
    /// Its length in minutes, as BigBlueButton says (0: unknown).
    pub length_minutes: u32,
    /// When it was shown (ms since the Unix epoch).
    pub at: u64,
}

/// An atelier as its members see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtelierView {
    #[serde(flatten)]
    pub atelier: Atelier,
    pub state: AtelierState,
    /// When it was (last) opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<u64>,
    /// While open: when it closes by itself (ms since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<u64>,
    /// Broadcasts sent to this atelier, oldest first (the most recent 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broadcasts: Vec<Broadcast>,
    /// The atelier's latest production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production: Option<Production>,
}

/// An atelier a participant may choose (free choice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub name: String,
    pub state: AtelierState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Places left (absent: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
}

/// An atelier as leaders follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtelierStatus {
    pub id: String,
    pub state: AtelierState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<u64>,
    /// Members assigned to it, in id order.
    pub members: Vec<MemberId>,
    /// Members among them with a connection attached.
    pub present: u32,
}

/// How many are in an atelier (leaders, coalesced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtelierCount {
    pub atelier: String,
    pub assigned: u32,
    pub present: u32,
}

/// A member's new place (leaders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentChange {
    pub member: MemberId,
    /// The atelier; absent: back to the plenary, unassigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atelier: Option<String>,
}

/// A command of a room's breakout session. L: leaders (trainers,
/// facilitators, admins); P: participants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum BreakoutCommand {
    /// L: replaces the plan, while no atelier is open.
    SetPlan { plan: BreakoutPlan },
    /// L: puts a participant in an atelier (also while it runs: a
    /// reassignment). May exceed the atelier's capacity.
    Assign { member: MemberId, atelier: String },
    /// L: sends a participant back to the plenary, unassigned.
    Unassign { member: MemberId },
    /// L: places every present, unassigned participant (random in the
    /// `random` mode, balanced otherwise), deterministically.
    Distribute,
    /// P, free choice: joins an atelier with places left.
    Choose { atelier: String },
    /// L: opens the ateliers named (all those not open when absent),
    /// starting their countdowns.
    Open {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ateliers: Option<Vec<String>>,
    },
    /// L: adds 1 to 3,600 seconds to one open atelier (every open one when
    /// absent).
    Extend {
        seconds: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        atelier: Option<String>,
    },
    /// L: closes one open atelier (every open one when absent).
    Close {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        atelier: Option<String>,
    },
    /// L: a message to every atelier at once (and the plenary), or to one.
    Broadcast {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        atelier: Option<String>,
    },
    /// P in an open atelier: calls a facilitator.
    CallHelp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// L: takes a help call (or takes it over).
    TakeCall { call: String },
    /// L: closes a help call.
    ResolveCall { call: String },
    /// P, member of an atelier that has been opened: hands in its
    /// production (the latest version replaces the earlier ones).
    SubmitProduction {
        #[serde(flatten)]
        content: ProductionContent,
    },
    /// L: shows the current production of one atelier (of every atelier
    /// that has one when absent) to the plenary.
    Publish {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        atelier: Option<String>,
    },
    /// L: withdraws one published production (every one when absent).
    Unpublish {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        atelier: Option<String>,
    },
    /// L: adds a file to an atelier (also while it runs; at most 20 files).
    /// When its video room runs, the server also hands the file to it and
    /// says how in `video` (a client sends `atelier` and `file` only).
    AddFile {
        atelier: String,
        file: File,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        video: Option<DocumentDelivery>,
    },
    /// L: shows a recording of an atelier's video room to the plenary. The
    /// server fills `recording` from what BigBlueButton told (a client
    /// sends `record_id` only).
    PublishRecording {
        record_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recording: Option<SharedRecording>,
    },
    /// L: withdraws a recording shown to the plenary.
    UnpublishRecording { record_id: String },
    /// L (and the server, once it created the video room): sets or clears
    /// an atelier's video link.
    SetVideo {
        atelier: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        /// Set by the server only: why there is no video room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<VideoProblem>,
    },
}

/// An event of a room's breakout session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BreakoutEvent {
    /// Leaders: the plan changed.
    Plan { plan: BreakoutPlan },
    /// Participants and observers, free choice: the ateliers to choose
    /// from and their places left (coalesced).
    Choices { choices: Vec<Choice> },
    /// To the members concerned: your atelier is now this one (absent:
    /// you are in the plenary, unassigned). Replace what you knew of it.
    Assignment {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        atelier: Option<Box<AtelierView>>,
    },
    /// Leaders: members moved.
    Assignments { changes: Vec<AssignmentChange> },
    /// The atelier's members and the leaders: it opened.
    Opened { atelier: String, opened_at: u64, ends_at: u64 },
    /// The atelier's members and the leaders: its end moved.
    Extended { atelier: String, ends_at: u64 },
    /// The atelier's members and the leaders: `seconds` left.
    TimeWarning { atelier: String, seconds: u32, ends_at: u64 },
    /// The atelier's members and the leaders: it closed; its members are
    /// back in the plenary.
    Closed { atelier: String, reason: CloseReason },
    /// Everyone: the session's status changed.
    Status { status: SessionStatus },
    /// Everyone (to every atelier), or one atelier's members and the
    /// leaders.
    Broadcast { broadcast: Broadcast },
    /// The leaders and the caller: a help call, new or changed. Upsert by
    /// id; a resolved call leaves the queue.
    HelpCall { call: HelpCall },
    /// The atelier's members and the leaders: a new version of its
    /// production.
    Production { production: Production },
    /// Everyone: productions shown to the plenary (upsert by atelier).
    Published { productions: Vec<Production> },
    /// Everyone: these ateliers' productions are no longer shown.
    Unpublished { ateliers: Vec<String> },
    /// The atelier's members and the leaders: a file was added to it (and,
    /// `video`, what became of it in the running video room).
    FileAdded {
        atelier: String,
        file: File,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        video: Option<DocumentDelivery>,
    },
    /// Everyone: a recording shown to the plenary (upsert by `record_id`).
    RecordingPublished { recording: SharedRecording },
    /// Everyone: this recording is no longer shown.
    RecordingUnpublished { record_id: String },
    /// The atelier's members and the leaders: its video link changed.
    Video {
        atelier: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        video_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        video_problem: Option<VideoProblem>,
    },
    /// Leaders: assigned and present members per atelier (coalesced).
    Counts {
        ateliers: Vec<AtelierCount>,
        /// Present participants in no atelier.
        unassigned_present: u32,
    },
}

/// A breakout session as one viewer sees it when joining.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakoutSnapshot {
    pub title: String,
    pub status: SessionStatus,
    pub mode: AssignmentMode,
    /// Participants: your atelier (absent: you are in the plenary,
    /// unassigned). You are in the plenary too while it is not open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub atelier: Option<Box<AtelierView>>,
    /// Participants and observers, free choice: the ateliers to choose
    /// from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Broadcasts sent to every atelier, oldest first (the most recent
    /// 50); those to your atelier are in `atelier`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broadcasts: Vec<Broadcast>,
    /// Productions shown to the plenary, in plan order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<Production>,
    /// Recordings shown to the plenary, in the order they were shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<SharedRecording>,
    /// Participants: your help call not yet resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub your_call: Option<HelpCall>,
    /// Leaders: the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<BreakoutPlan>,
    /// Leaders: every atelier's state, members and presence, in plan
    /// order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ateliers: Vec<AtelierStatus>,
    /// Leaders: present participants in no atelier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unassigned: Vec<MemberId>,
    /// Leaders: help calls not yet resolved, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<HelpCall>,
    /// Leaders: every atelier's latest production, in plan order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub productions: Vec<Production>,
}
