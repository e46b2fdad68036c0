//! Time in video rooms, from stored BigBlueButton events. From webhooks:
//! each `user-joined` opens a stretch of a member in a meeting, closed by
//! their `user-left` or the meeting's `meeting-ended` (a stretch still open
//! counts until now). From the analytics callback (a BigBlueButton without
//! bbb-webhooks sends only that): each attendee's joins and leaves, used for
//! a member and meeting that webhooks do not tell (never both: no double
//! counting), and their engagement (talk time, chats, raised hands, emojis,
//! poll votes). Every figure says which source it came from. Meetings of an
//! amphi session are named `amphi-{session}` (the plenary) and
//! `amphi-{session}-{atelier}`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::analytics::read_attendee;
use crate::store::BbbEventRecord;

/// The stored event names of the analytics callback.
pub const ANALYTICS_MEETING: &str = "analytics-meeting";
pub const ANALYTICS_ATTENDEE: &str = "analytics-attendee";

/// Where a figure about video rooms comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VideoSource {
    #[serde(rename = "bigbluebutton_webhooks")]
    Webhooks,
    #[serde(rename = "bigbluebutton_analytics")]
    Analytics,
}

impl VideoSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoSource::Webhooks => "bigbluebutton_webhooks",
            VideoSource::Analytics => "bigbluebutton_analytics",
        }
    }
}

/// One attendee's engagement in one meeting (analytics callback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VideoEngagement {
    pub meeting: String,
    pub member: String,
    pub name: String,
    pub moderator: bool,
    pub talk_seconds: u64,
    pub chats: u64,
    pub talks: u64,
    pub raised_hands: u64,
    pub emojis: u64,
    pub poll_votes: u64,
    pub source: VideoSource,
}

/// What the stored events tell of a session's video rooms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VideoReport {
    pub stretches: Vec<VideoStretch>,
    pub engagement: Vec<VideoEngagement>,
}

/// The prefix of the meeting ids of a session.
pub fn meeting_prefix(session: &str) -> String {
    format!("amphi-{session}")
}

/// One member's stretch in one meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoStretch {
    pub meeting: String,
    pub member: String,
    pub name: String,
    pub joined_at: i64,
    pub left_at: Option<i64>,
    pub source: VideoSource,
}

/// The stretches and engagement told by `events` (oldest first): webhook
/// stretches, then analytics stretches for the (meeting, member) pairs no
/// webhook tells, each analytics attendee's engagement.
pub fn video_report(events: &[BbbEventRecord]) -> VideoReport {
    let mut stretches = video_stretches(events);
    let told: BTreeSet<(String, String)> = stretches.iter().map(|s| (s.meeting.clone(), s.member.clone())).collect();
    let finish: BTreeMap<&str, i64> = events
        .iter()
        .filter(|e| e.event == ANALYTICS_MEETING)
        .filter_map(|e| {
            let body: Value = serde_json::from_str(&e.body).ok()?;
            Some((e.meeting.as_str(), analytics_time(body.pointer("/data/finish")?.as_str()?)?))
        })
        .collect();
    let mut engagement = Vec::new();
    for event in events.iter().filter(|e| e.event == ANALYTICS_ATTENDEE && !e.member.is_empty()) {
        let Ok(body) = serde_json::from_str::<Value>(&event.body) else { continue };
        let Some(attendee) = read_attendee(&body, "attendee", &mut Vec::new()) else { continue };
        let figures = &attendee.engagement;
        engagement.push(VideoEngagement {
            meeting: event.meeting.clone(),
            member: event.member.clone(),
            name: event.member_name.clone(),
            moderator: attendee.moderator,
            talk_seconds: figures.talk_time,
            chats: figures.chats,
            talks: figures.talks,
            raised_hands: figures.raisehand,
            emojis: figures.emojis,
            poll_votes: figures.poll_votes,
            source: VideoSource::Analytics,
        });
        if told.contains(&(event.meeting.clone(), event.member.clone())) {
            continue;
        }
        let leaves: Vec<Option<i64>> = attendee.leaves.iter().map(|t| analytics_time(t)).collect();
        for (index, joined) in attendee.joins.iter().enumerate() {
            let Some(joined_at) = analytics_time(joined) else { continue };
            // A join without its leave ends with the meeting.
            let left_at = leaves.get(index).copied().flatten().or(finish.get(event.meeting.as_str()).copied());
            stretches.push(VideoStretch {
                meeting: event.meeting.clone(),
                member: event.member.clone(),
                name: event.member_name.clone(),
                joined_at,
                left_at: left_at.map(|left| left.max(joined_at)),
                source: VideoSource::Analytics,
            });
        }
    }
    stretches.sort_by(|a, b| (a.joined_at, &a.meeting, &a.member).cmp(&(b.joined_at, &b.meeting, &b.member)));
    VideoReport { stretches, engagement }
}

/// A time as the analytics callback writes it (`2024-05-09 13:35:40 +0000`,
/// or RFC 3339), in ms since the epoch.
fn analytics_time(text: &str) -> Option<i64> {
    let text = text.trim();
    jiff::Timestamp::strptime("%Y-%m-%d %H:%M:%S %z", text)
        .or_else(|_| text.parse::<jiff::Timestamp>())
        .ok()
        .map(|at| at.as_millisecond())
}

/// The stretches told by `events` (oldest first), in order of joining.
pub fn video_stretches(events: &[BbbEventRecord]) -> Vec<VideoStretch> {
    let mut open: BTreeMap<(String, String), VideoStretch> = BTreeMap::new();
    let mut done = Vec::new();
    for event in events {
        let key = (event.meeting.clone(), event.member.clone());
        match event.event.as_str() {
            "user-joined" if !event.member.is_empty() => {
                open.entry(key).or_insert_with(|| VideoStretch {
                    meeting: event.meeting.clone(),
                    member: event.member.clone(),
                    name: event.member_name.clone(),
                    joined_at: event.at,
                    left_at: None,
                    source: VideoSource::Webhooks,
                });
            }
            "user-left" => {
                if let Some(mut stretch) = open.remove(&key) {
                    stretch.left_at = Some(event.at);
                    done.push(stretch);
                }
            }
            "meeting-ended" => {
                let ended: Vec<_> = open.keys().filter(|(meeting, _)| *meeting == event.meeting).cloned().collect();
                for key in ended {
                    if let Some(mut stretch) = open.remove(&key) {
                        stretch.left_at = Some(event.at);
                        done.push(stretch);
                    }
                }
            }
            _ => {}
        }
    }
    done.extend(open.into_values());
    done.sort_by(|a, b| (a.joined_at, &a.meeting, &a.member).cmp(&(b.joined_at, &b.meeting, &b.member)));
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event: &str, at: i64, meeting: &str, member: &str) -> BbbEventRecord {
        BbbEventRecord {
            key: format!("{event}:{at}:{meeting}:{member}"),
            event: event.into(),
            at,
            internal_meeting: format!("internal-{meeting}"),
            internal_user: format!("w_{member}"),
            meeting: meeting.into(),
            member: member.into(),
            member_name: format!("Name of {member}"),
            body: "{}".into(),
        }
    }

    #[test]
    fn joins_and_leaves_pair_up_and_a_meeting_end_closes_the_rest() {
        let events = [
            event("meeting-created", 0, "amphi-s-a1", ""),
            event("user-joined", 1_000, "amphi-s-a1", "zoe"),
            event("user-joined", 2_000, "amphi-s-a1", "noe"),
            event("user-joined", 2_500, "amphi-s-a1", "zoe"), // a second tab: same stretch
            event("user-left", 61_000, "amphi-s-a1", "zoe"),
            event("user-left", 62_000, "amphi-s-a2", "zoe"), // never joined there: ignored
            event("user-joined", 70_000, "amphi-s-a1", "zoe"),
            event("meeting-ended", 90_000, "amphi-s-a1", ""),
        ];
        let stretches: Vec<_> =
            video_stretches(&events).into_iter().map(|s| (s.member, s.joined_at, s.left_at)).collect();
        assert_eq!(
            stretches,
            vec![
                ("zoe".to_string(), 1_000, Some(61_000)),
                ("noe".to_string(), 2_000, Some(90_000)),
                ("zoe".to_string(), 70_000, Some(90_000)),
            ]
        );
        assert_eq!(meeting_prefix("s"), "amphi-s");
    }
}
