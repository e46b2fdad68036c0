//! Time in video rooms, from stored webhook events: each `user-joined` opens
//! a stretch of a member in a meeting, closed by their `user-left` or the
//! meeting's `meeting-ended` (a stretch still open counts until now).
//! Meetings of an amphi session are named `amphi-{session}` (the plenary)
//! and `amphi-{session}-{atelier}`.

use std::collections::BTreeMap;

use crate::store::BbbEventRecord;

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
