//! The per-participant view of `attendance.csv` (`?per=member`): one row per
//! member with their first join, last leave and minutes present in the
//! session, split into the plenary and each atelier (from the breakout
//! room's participation), plus their minutes in the session's video rooms
//! (from BigBlueButton's webhooks, or its analytics where webhooks say
//! nothing). Overlapping stretches (two tabs, a
//! phone and a laptop) count once.

use std::collections::BTreeMap;

use crate::activity::breakout::participation::Participation;
use crate::bbb::attendance::VideoStretch;
use amphi_protocol::Role;

use crate::store::AttendanceRecord;

/// One member's row.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberSummary {
    pub member: String,
    pub name: String,
    pub role: Role,
    pub guest: bool,
    pub first_join: i64,
    pub last_leave: Option<i64>,
    /// Present in the session (connected), stretches merged.
    pub present_ms: u64,
    /// Present but in no atelier.
    pub plenary_ms: u64,
    /// Per atelier id, in the order of `atelier_ids`.
    pub ateliers_ms: Vec<u64>,
    pub video_ms: u64,
}

/// The rows, by member id, for stretches read at `now` (an open stretch
/// counts until then). `atelier_ids`: the columns of ateliers, in order.
pub fn summarize(
    stretches: &[AttendanceRecord],
    video: &[VideoStretch],
    participation: Option<&Participation>,
    atelier_ids: &[String],
    now: i64,
) -> Vec<MemberSummary> {
    let mut spans: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    let mut rows: BTreeMap<&str, MemberSummary> = BTreeMap::new();
    for stretch in stretches {
        let end = stretch.left_at.unwrap_or(now).max(stretch.joined_at);
        spans.entry(&stretch.member).or_default().push((stretch.joined_at, end));
        let row = rows.entry(&stretch.member).or_insert_with(|| MemberSummary {
            member: stretch.member.clone(),
            name: stretch.member_name.clone(),
            role: stretch.role,
            guest: stretch.guest,
            first_join: stretch.joined_at,
            last_leave: stretch.left_at,
            present_ms: 0,
            plenary_ms: 0,
            ateliers_ms: vec![0; atelier_ids.len()],
            video_ms: 0,
        });
        row.first_join = row.first_join.min(stretch.joined_at);
        // Still present: no last leave yet.
        row.last_leave = match (row.last_leave, stretch.left_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        if row.name.is_empty() {
            row.name = stretch.member_name.clone();
        }
    }
    for (member, spans) in spans {
        if let Some(row) = rows.get_mut(member) {
            row.present_ms = merged_ms(spans);
        }
    }
    let mut video_spans: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    for stretch in video {
        let end = stretch.left_at.unwrap_or(now).max(stretch.joined_at);
        video_spans.entry(&stretch.member).or_default().push((stretch.joined_at, end));
    }
    for (member, spans) in video_spans {
        if let Some(row) = rows.get_mut(member) {
            row.video_ms = merged_ms(spans);
        }
    }
    if let Some(participation) = participation {
        for member in &participation.members {
            let Some(row) = rows.get_mut(member.member.as_str()) else { continue };
            for (column, id) in atelier_ids.iter().enumerate() {
                row.ateliers_ms[column] = member.ateliers.get(id).copied().unwrap_or(0);
            }
        }
    }
    let mut rows: Vec<MemberSummary> = rows.into_values().collect();
    for row in &mut rows {
        let in_ateliers = row.ateliers_ms.iter().fold(0u64, |sum, ms| sum.saturating_add(*ms));
        row.plenary_ms = row.present_ms.saturating_sub(in_ateliers);
    }
    rows.sort_by(|a, b| (a.first_join, &a.member).cmp(&(b.first_join, &b.member)));
    rows
}

/// The length of the union of `spans`.
fn merged_ms(mut spans: Vec<(i64, i64)>) -> u64 {
    spans.sort_unstable();
    let mut total = 0i64;
    let mut current: Option<(i64, i64)> = None;
    for (start, end) in spans {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total += e - s;
    }
    u64::try_from(total).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::breakout::participation::MemberParticipation;

    const MIN: i64 = 60_000;

    fn stretch(member: &str, joined: i64, left: Option<i64>) -> AttendanceRecord {
        AttendanceRecord {
            room: uuid::Uuid::nil(),
            member: member.into(),
            member_name: format!("Name {member}"),
            role: Role::Participant,
            guest: false,
            joined_at: joined,
            left_at: left,
        }
    }

    #[test]
    fn overlapping_stretches_count_once_and_ateliers_split_the_time() {
        let stretches = [
            stretch("m1", 0, Some(10 * MIN)),
            // A second tab, overlapping the first.
            stretch("m1", 5 * MIN, Some(20 * MIN)),
            stretch("m1", 30 * MIN, Some(40 * MIN)),
            stretch("m2", 2 * MIN, None),
        ];
        let video = [VideoStretch {
            meeting: "amphi-x-a1".into(),
            member: "m1".into(),
            name: "Name m1".into(),
            joined_at: 6 * MIN,
            left_at: Some(16 * MIN),
            source: crate::bbb::attendance::VideoSource::Webhooks,
        }];
        let participation = Participation {
            at: 0,
            ateliers: Vec::new(),
            members: vec![MemberParticipation {
                member: "m1".into(),
                name: "Name m1".into(),
                total_ms: (12 * MIN) as u64,
                ateliers: BTreeMap::from([("a1".into(), (12 * MIN) as u64)]),
            }],
        };
        let ids = ["a1".to_string(), "a2".to_string()];
        let rows = summarize(&stretches, &video, Some(&participation), &ids, 50 * MIN);
        assert_eq!(rows.len(), 2);
        let m1 = &rows[0];
        assert_eq!((m1.first_join, m1.last_leave), (0, Some(40 * MIN)));
        assert_eq!(m1.present_ms, (30 * MIN) as u64, "0–20 and 30–40");
        assert_eq!(m1.ateliers_ms, [(12 * MIN) as u64, 0]);
        assert_eq!(m1.plenary_ms, (18 * MIN) as u64);
        assert_eq!(m1.video_ms, (10 * MIN) as u64);
        let m2 = &rows[1];
        assert_eq!((m2.last_leave, m2.present_ms), (None, (48 * MIN) as u64), "still present: counted until now");
        assert_eq!(m2.plenary_ms, m2.present_ms);
    }
}
