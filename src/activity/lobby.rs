//! The room lobby: presence (who is here, with role and connection state),
//! trainer announcements and raised hands. Every room has one; quiz, board
//! and ateliers build on it.
//!
//! Presence is coalesced: changes accumulate and [`Lobby::flush_presence`]
//! turns them into at most one member diff per period for roster viewers,
//! and one counts event for participants per a period that grows with the
//! room (see [`Lobby::participant_period`]), so that 10,000 joins do not
//! cost 10,000 broadcasts to 10,000 members, nor 50,000 frames a second.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use amphi_protocol::server::{Announcement, EventBody, MemberView, PresenceCounts, RaisedHand, RoomSnapshot};
use amphi_protocol::{ErrorCode, Role};

use super::{Actor, Audience, Emit, Millis, Refusal};

/// The longest time between two counts events to participants (see
/// [`Lobby::participant_period`]).
pub const PARTICIPANT_COUNTS_MAX_MS: Millis = 2_000;

/// A lobby command, already decoded and validated for size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LobbyCommand {
    Announce {
        text: String,
    },
    RaiseHand,
    /// Lower `member`'s hand (a leader), or the sender's own when `None`.
    LowerHand {
        member: Option<String>,
    },
    /// A leader closes the room to new guests (`true`) or opens it again.
    Lock {
        locked: bool,
    },
    /// A leader removes a participant for good (the room actor also ends
    /// their attendance; see [`Lobby::removable`]).
    RemoveMember {
        member: String,
    },
}

/// Lobby settings.
#[derive(Debug, Clone, Copy)]
pub struct LobbySettings {
    /// Announcements kept for snapshots.
    pub announcements_kept: usize,
    /// Minimum time between two presence updates.
    pub coalesce_ms: Millis,
}

#[derive(Debug)]
struct Present {
    view: MemberView,
    /// Connections of this member attached to the room.
    connections: u32,
    /// A guest participant (joined with the code): holds a seat only while
    /// connected.
    guest: bool,
}

/// The lobby state of one room.
#[derive(Debug)]
pub struct Lobby {
    settings: LobbySettings,
    members: BTreeMap<String, Present>,
    hands: Vec<RaisedHand>,
    announcements: VecDeque<Announcement>,
    changed: BTreeSet<String>,
    left: BTreeSet<String>,
    last_presence_at: Option<Millis>,
    /// Participants' counts changed since they were last sent.
    participants_stale: bool,
    last_participants_at: Option<Millis>,
    /// Kept up to date on every attach, detach and leave: a join storm
    /// must not count the whole room for each joiner's snapshot.
    counts: PresenceCounts,
    /// Guest participants with no connection: they hold no seat.
    offline_guests: u32,
    /// Closed to new guests by a leader.
    locked: bool,
    /// Members a leader removed: they may not attach again.
    removed: BTreeSet<String>,
}

impl Lobby {
    pub fn new(settings: LobbySettings) -> Lobby {
        Lobby {
            settings,
            members: BTreeMap::new(),
            hands: Vec::new(),
            announcements: VecDeque::new(),
            changed: BTreeSet::new(),
            left: BTreeSet::new(),
            last_presence_at: None,
            participants_stale: false,
            last_participants_at: None,
            counts: PresenceCounts::default(),
            offline_guests: 0,
            locked: false,
            removed: BTreeSet::new(),
        }
    }

    /// The seats taken against `limits.max_members_per_room`: participants
    /// who are connected, or who are not guests (a platform participant
    /// whose phone slept comes back). Leaders and observers take none, and
    /// a guest who left or dropped frees theirs.
    pub fn seats_taken(&self) -> usize {
        self.counts.participants.saturating_sub(self.offline_guests) as usize
    }

    /// Whether a leader locked the room to new guests.
    pub fn is_locked(&self) -> bool {
        self.locked
    }

    /// Whether a leader removed member `id` from the room.
    pub fn is_removed(&self, id: &str) -> bool {
        self.removed.contains(id)
    }

    /// Members who joined and have not left.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    pub fn is_member(&self, id: &str) -> bool {
        self.members.contains_key(id)
    }

    /// A connection of `who` attached to the room (a join or a reconnect).
    /// Returns whether the member came online.
    pub fn attach(&mut self, who: Actor<'_>) -> bool {
        self.attach_as(who, false)
    }

    /// [`Lobby::attach`] for a member who may be a guest.
    pub fn attach_as(&mut self, who: Actor<'_>, guest: bool) -> bool {
        let counts = &mut self.counts;
        let mut new = false;
        let present = self.members.entry(who.id.to_string()).or_insert_with(|| {
            new = true;
            counts.members += 1;
            counts.participants += u32::from(who.role == Role::Participant);
            Present {
                view: MemberView {
                    id: who.id.to_string(),
                    name: who.name.to_string(),
                    role: who.role,
                    connected: false,
                },
                connections: 0,
                guest: guest && who.role == Role::Participant,
            }
        });
        present.connections += 1;
        if present.view.connected {
            return false;
        }
        if present.guest && !new {
            self.offline_guests -= 1;
        }
        present.view.connected = true;
        counts.connected += 1;
        counts.participants_connected += u32::from(present.view.role == Role::Participant);
        self.mark_changed(who.id);
        true
    }

    /// Whether member `id` has a connection attached.
    pub fn is_online(&self, id: &str) -> bool {
        self.members.get(id).is_some_and(|present| present.view.connected)
    }

    /// A connection of member `id` went away (the member stays, offline when
    /// it was their last connection). Returns whether the member went
    /// offline.
    pub fn detach(&mut self, id: &str) -> bool {
        let Some(present) = self.members.get_mut(id) else {
            return false;
        };
        present.connections = present.connections.saturating_sub(1);
        if present.connections > 0 || !present.view.connected {
            return false;
        }
        present.view.connected = false;
        self.offline_guests += u32::from(present.guest);
        self.counts.connected -= 1;
        self.counts.participants_connected -= u32::from(present.view.role == Role::Participant);
        self.mark_changed(id);
        true
    }

    /// Member `id` left for good: gone from presence, hand lowered.
    pub fn leave(&mut self, id: &str) -> Vec<Emit> {
        let Some(present) = self.members.remove(id) else {
            return Vec::new();
        };
        let participant = u32::from(present.view.role == Role::Participant);
        self.counts.members -= 1;
        self.counts.participants -= participant;
        if present.view.connected {
            self.counts.connected -= 1;
            self.counts.participants_connected -= participant;
        } else {
            self.offline_guests -= u32::from(present.guest);
        }
        self.changed.remove(id);
        self.left.insert(id.to_string());
        self.participants_stale = true;
        self.lower(id, id).into_iter().collect()
    }

    /// Applies a command from `who` (who must be a member).
    pub fn apply(&mut self, who: Actor<'_>, command: LobbyCommand, now: Millis) -> Result<Vec<Emit>, Refusal> {
        match command {
            LobbyCommand::Announce { text } => {
                if !who.role.leads() {
                    return Err(Refusal::forbidden("only a trainer, facilitator or admin may announce"));
                }
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(Refusal::new(ErrorCode::OutOfRange, "an announcement cannot be empty"));
                }
                let announcement =
                    Announcement { from: who.id.to_string(), from_name: who.name.to_string(), text, at: now };
                self.announcements.push_back(announcement.clone());
                while self.announcements.len() > self.settings.announcements_kept {
                    self.announcements.pop_front();
                }
                Ok(vec![Emit::everyone(EventBody::Announcement { announcement })])
            }
            LobbyCommand::RaiseHand => {
                if who.role != Role::Participant {
                    return Err(Refusal::forbidden("only participants raise their hand"));
                }
                if self.hands.iter().any(|h| h.member == who.id) {
                    return Ok(Vec::new());
                }
                let hand = RaisedHand { member: who.id.to_string(), name: who.name.to_string(), at: now };
                self.hands.push(hand.clone());
                Ok(vec![Emit::everyone(EventBody::HandRaised { hand })])
            }
            LobbyCommand::LowerHand { member } => {
                let target = member.as_deref().unwrap_or(who.id);
                if target != who.id && !who.role.leads() {
                    return Err(Refusal::forbidden(
                        "only a trainer, facilitator or admin may lower another member's hand",
                    ));
                }
                Ok(self.lower(target, who.id).into_iter().collect())
            }
            LobbyCommand::Lock { locked } => {
                if !who.role.leads() {
                    return Err(Refusal::forbidden("only a trainer, facilitator or admin may lock the room"));
                }
                if std::mem::replace(&mut self.locked, locked) == locked {
                    return Ok(Vec::new());
                }
                Ok(vec![Emit::everyone(EventBody::RoomLocked { locked, by: who.id.to_string() })])
            }
            LobbyCommand::RemoveMember { member } => {
                self.removable(who, &member)?;
                let mut emits = vec![Emit {
                    audience: Audience::Member(member.clone()),
                    body: EventBody::MemberRemoved { member: member.clone(), by: who.id.to_string() },
                }];
                emits.extend(self.leave(&member));
                self.removed.insert(member);
                Ok(emits)
            }
        }
    }

    /// Whether `who` may remove `member`: a leader, removing a participant
    /// of the room (leaders and observers cannot be removed).
    pub fn removable(&self, who: Actor<'_>, member: &str) -> Result<(), Refusal> {
        if !who.role.leads() {
            return Err(Refusal::forbidden("only a trainer, facilitator or admin may remove a member"));
        }
        match self.members.get(member) {
            None => Err(Refusal::new(ErrorCode::NotFound, "no member of this room has this id")),
            Some(present) if present.view.role != Role::Participant => {
                Err(Refusal::forbidden("only participants can be removed"))
            }
            Some(_) => Ok(()),
        }
    }

    fn lower(&mut self, member: &str, by: &str) -> Option<Emit> {
        let position = self.hands.iter().position(|h| h.member == member)?;
        self.hands.remove(position);
        Some(Emit::everyone(EventBody::HandLowered { member: member.to_string(), by: by.to_string() }))
    }

    fn mark_changed(&mut self, id: &str) {
        self.left.remove(id);
        self.changed.insert(id.to_string());
        self.participants_stale = true;
    }

    /// When the pending presence changes should be flushed, if any: at once
    /// after a quiet period, else one coalescing period after the last flush
    /// (for participants, one of their longer periods).
    pub fn presence_due(&self) -> Option<Millis> {
        [self.roster_due(), self.participants_due()].into_iter().flatten().min()
    }

    fn roster_due(&self) -> Option<Millis> {
        if self.changed.is_empty() && self.left.is_empty() {
            return None;
        }
        Some(self.last_presence_at.map_or(0, |last| last + self.settings.coalesce_ms))
    }

    fn participants_due(&self) -> Option<Millis> {
        let period = self.participant_period();
        self.participants_stale.then(|| self.last_participants_at.map_or(0, |last| last + period))
    }

    /// How often participants get the counts: every `coalesce_ms` up to 100
    /// connected participants, then one more period per hundred, at most
    /// every [`PARTICIPANT_COUNTS_MAX_MS`]. A phone shows "N connected"; a
    /// join storm of 10,000 then costs 5,000 frames a second, not 50,000.
    fn participant_period(&self) -> Millis {
        let hundreds = Millis::from(self.counts.participants_connected / 100).max(1);
        let period = self.settings.coalesce_ms.saturating_mul(hundreds);
        period.min(PARTICIPANT_COUNTS_MAX_MS.max(self.settings.coalesce_ms))
    }

    /// The coalesced presence events due at `now`: the member diff for
    /// roster viewers, the counts for participants, or both.
    pub fn flush_presence(&mut self, now: Millis) -> Vec<Emit> {
        let counts = self.counts();
        let mut emits = Vec::new();
        if self.roster_due().is_some_and(|due| due <= now) {
            self.last_presence_at = Some(now);
            let changed = std::mem::take(&mut self.changed)
                .into_iter()
                .filter_map(|id| self.members.get(&id).map(|p| p.view.clone()))
                .collect();
            let left = std::mem::take(&mut self.left).into_iter().collect();
            emits.push(Emit { audience: Audience::RosterViewers, body: EventBody::Presence { counts, changed, left } });
        }
        if self.participants_due().is_some_and(|due| due <= now) {
            self.last_participants_at = Some(now);
            self.participants_stale = false;
            let body = EventBody::Presence { counts, changed: Vec::new(), left: Vec::new() };
            emits.push(Emit { audience: Audience::Participants, body });
        }
        emits
    }

    pub fn counts(&self) -> PresenceCounts {
        self.counts
    }

    /// The counts worked out from the members, one by one (what `counts`
    /// keeps up to date).
    #[cfg(test)]
    fn counted(&self) -> PresenceCounts {
        let mut counts = PresenceCounts::default();
        for present in self.members.values() {
            let participant = present.view.role == Role::Participant;
            counts.members += 1;
            counts.participants += u32::from(participant);
            if present.view.connected {
                counts.connected += 1;
                counts.participants_connected += u32::from(participant);
            }
        }
        counts
    }

    /// The lobby as a member with `role` sees it.
    pub fn snapshot(&self, role: Role) -> RoomSnapshot {
        RoomSnapshot {
            members: if role.sees_roster() {
                self.members.values().map(|p| p.view.clone()).collect()
            } else {
                Vec::new()
            },
            counts: self.counts(),
            hands: self.hands.clone(),
            announcements: self.announcements.iter().cloned().collect(),
            quiz: None,
            board: None,
            breakout: None,
            locked: self.locked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: LobbySettings = LobbySettings { announcements_kept: 3, coalesce_ms: 200 };

    fn trainer() -> Actor<'static> {
        Actor { id: "t1", name: "Mme Durand", role: Role::Trainer }
    }
    fn camille() -> Actor<'static> {
        Actor { id: "p1", name: "Camille", role: Role::Participant }
    }
    fn lea() -> Actor<'static> {
        Actor { id: "p2", name: "Léa", role: Role::Participant }
    }
    fn projector() -> Actor<'static> {
        Actor { id: "o1", name: "Projecteur", role: Role::Observer }
    }

    fn lobby_with(actors: &[Actor<'_>]) -> Lobby {
        let mut lobby = Lobby::new(SETTINGS);
        for a in actors {
            lobby.attach(*a);
        }
        lobby.flush_presence(0);
        lobby
    }

    fn presence_of(emits: &[Emit], audience: Audience) -> (PresenceCounts, Vec<MemberView>, Vec<String>) {
        let emit = emits.iter().find(|e| e.audience == audience).expect("presence for audience");
        match &emit.body {
            EventBody::Presence { counts, changed, left } => (*counts, changed.clone(), left.clone()),
            other => panic!("not presence: {other:?}"),
        }
    }

    #[test]
    fn first_change_flushes_at_once_then_changes_are_coalesced() {
        let mut lobby = Lobby::new(SETTINGS);
        assert_eq!(lobby.presence_due(), None);
        lobby.attach(trainer());
        assert_eq!(lobby.presence_due(), Some(0));
        let first = lobby.flush_presence(1_000);
        assert_eq!(first.len(), 2);
        lobby.attach(camille());
        lobby.attach(lea());
        assert_eq!(lobby.presence_due(), Some(1_200));
        assert!(lobby.flush_presence(1_100).is_empty(), "within the period nothing is sent");
        let second = lobby.flush_presence(1_200);
        let (counts, changed, _) = presence_of(&second, Audience::RosterViewers);
        assert_eq!(changed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["p1", "p2"]);
        assert_eq!(counts, PresenceCounts { members: 3, connected: 3, participants: 2, participants_connected: 2 });
        let (counts_p, changed_p, left_p) = presence_of(&second, Audience::Participants);
        assert_eq!(counts_p, counts);
        assert!(changed_p.is_empty() && left_p.is_empty(), "participants see counts only");
        assert_eq!(lobby.presence_due(), None);
    }

    #[test]
    fn participants_get_the_counts_less_often_as_the_room_grows() {
        let mut lobby = Lobby::new(SETTINGS);
        let ids: Vec<String> = (0..1_000).map(|i| format!("p{i}")).collect();
        for id in &ids {
            lobby.attach(Actor { id, name: "P", role: Role::Participant });
        }
        assert_eq!(lobby.participant_period(), 2_000, "200 ms per hundred, at most 2 s");
        let first = lobby.flush_presence(10_000);
        assert_eq!(first.len(), 2, "the first change goes to everyone at once");
        lobby.attach(trainer());
        assert_eq!(lobby.presence_due(), Some(10_200), "roster viewers: every 200 ms");
        let roster_only = lobby.flush_presence(10_200);
        assert_eq!(roster_only.len(), 1);
        assert_eq!(roster_only[0].audience, Audience::RosterViewers);
        assert_eq!(lobby.presence_due(), Some(12_000), "participants: 2 s after their last counts");
        assert!(lobby.flush_presence(11_999).is_empty());
        let counts = lobby.flush_presence(12_000);
        let (counts, _, _) = presence_of(&counts, Audience::Participants);
        assert_eq!((counts.participants_connected, counts.connected), (1_000, 1_001), "the latest counts");
        assert_eq!(lobby.presence_due(), None);

        let small = lobby_with(&[camille()]);
        assert_eq!(small.participant_period(), 200, "a small room: as often as roster viewers");
    }

    #[test]
    fn a_member_stays_connected_until_their_last_connection_detaches() {
        let mut lobby = lobby_with(&[camille()]);
        assert!(!lobby.attach(camille()), "already online");
        assert!(!lobby.detach("p1"));
        assert_eq!(lobby.presence_due(), None, "one connection left: no change");
        assert!(lobby.is_online("p1"));
        assert!(lobby.detach("p1"), "the last connection went: offline");
        assert!(!lobby.is_online("p1"));
        let emits = lobby.flush_presence(10_000);
        let (counts, changed, _) = presence_of(&emits, Audience::RosterViewers);
        assert!(!changed[0].connected);
        assert_eq!(counts.connected, 0);
        assert_eq!(counts.members, 1, "a disconnected member is still a member");
    }

    #[test]
    fn leaving_removes_the_member_and_lowers_their_hand() {
        let mut lobby = lobby_with(&[trainer(), camille()]);
        lobby.apply(camille(), LobbyCommand::RaiseHand, 5).unwrap();
        let emits = lobby.leave("p1");
        assert_eq!(emits, vec![Emit::everyone(EventBody::HandLowered { member: "p1".into(), by: "p1".into() })]);
        let (counts, changed, left) = presence_of(&lobby.flush_presence(10_000), Audience::RosterViewers);
        assert_eq!(left, vec!["p1".to_string()]);
        assert!(changed.is_empty());
        assert_eq!(counts.members, 1);
        assert!(lobby.snapshot(Role::Trainer).hands.is_empty());
        assert!(lobby.leave("p1").is_empty(), "leaving twice changes nothing");
    }

    #[test]
    fn a_member_who_leaves_and_comes_back_is_changed_not_left() {
        let mut lobby = lobby_with(&[camille()]);
        lobby.leave("p1");
        lobby.attach(camille());
        let (_, changed, left) = presence_of(&lobby.flush_presence(10_000), Audience::RosterViewers);
        assert_eq!(changed.len(), 1);
        assert!(left.is_empty());
    }

    #[test]
    fn announcements_are_for_leaders_and_kept_in_the_snapshot() {
        let mut lobby = lobby_with(&[trainer(), camille()]);
        let refused = lobby.apply(camille(), LobbyCommand::Announce { text: "hi".into() }, 1).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden);
        let refused = lobby.apply(projector(), LobbyCommand::Announce { text: "hi".into() }, 1).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden);
        let empty = lobby.apply(trainer(), LobbyCommand::Announce { text: "  ".into() }, 1).unwrap_err();
        assert_eq!(empty.code, ErrorCode::OutOfRange);
        for i in 0..5 {
            let emits = lobby.apply(trainer(), LobbyCommand::Announce { text: format!(" n°{i} ") }, i).unwrap();
            assert_eq!(emits.len(), 1);
            assert_eq!(emits[0].audience, Audience::Everyone);
        }
        let kept: Vec<String> = lobby.snapshot(Role::Participant).announcements.into_iter().map(|a| a.text).collect();
        assert_eq!(kept, ["n°2", "n°3", "n°4"], "trimmed, oldest first, bounded");
    }

    #[test]
    fn hands_are_raised_once_by_participants_and_lowered_by_owner_or_leader() {
        let mut lobby = lobby_with(&[trainer(), camille(), lea()]);
        assert_eq!(lobby.apply(trainer(), LobbyCommand::RaiseHand, 1).unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(lobby.apply(camille(), LobbyCommand::RaiseHand, 1).unwrap().len(), 1);
        assert!(lobby.apply(camille(), LobbyCommand::RaiseHand, 2).unwrap().is_empty(), "raising twice: no event");
        lobby.apply(lea(), LobbyCommand::RaiseHand, 3).unwrap();
        let hands: Vec<String> = lobby.snapshot(Role::Participant).hands.into_iter().map(|h| h.member).collect();
        assert_eq!(hands, ["p1", "p2"], "oldest first");

        let refused = lobby.apply(lea(), LobbyCommand::LowerHand { member: Some("p1".into()) }, 4).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden, "a participant cannot lower another's hand");
        let emits = lobby.apply(trainer(), LobbyCommand::LowerHand { member: Some("p1".into()) }, 4).unwrap();
        assert_eq!(emits, vec![Emit::everyone(EventBody::HandLowered { member: "p1".into(), by: "t1".into() })]);
        let emits = lobby.apply(lea(), LobbyCommand::LowerHand { member: None }, 5).unwrap();
        assert_eq!(emits.len(), 1);
        assert!(lobby.apply(lea(), LobbyCommand::LowerHand { member: None }, 6).unwrap().is_empty());
        assert!(lobby.snapshot(Role::Trainer).hands.is_empty());
    }

    #[test]
    fn counts_kept_up_to_date_match_a_full_count() {
        let mut lobby = Lobby::new(SETTINGS);
        let mut state = 7u64;
        for step in 0..2_000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let who = [trainer(), camille(), lea(), projector()][(state >> 33) as usize % 4];
            match (state >> 40) % 3 {
                0 => drop(lobby.attach(who)),
                1 => drop(lobby.detach(who.id)),
                _ => drop(lobby.leave(who.id)),
            }
            assert_eq!(lobby.counts(), lobby.counted(), "after step {step}");
        }
    }

    #[test]
    fn only_roster_viewers_see_the_member_list() {
        let lobby = lobby_with(&[trainer(), camille(), projector()]);
        assert_eq!(lobby.snapshot(Role::Trainer).members.len(), 3);
        assert_eq!(lobby.snapshot(Role::Observer).members.len(), 3);
        let participant_view = lobby.snapshot(Role::Participant);
        assert!(participant_view.members.is_empty());
        assert_eq!(participant_view.counts.members, 3);
        assert_eq!(participant_view.counts.participants, 1);
    }

    #[test]
    fn audiences_select_the_right_roles() {
        assert!(Audience::RosterViewers.includes("x", Role::Observer));
        assert!(!Audience::RosterViewers.includes("x", Role::Participant));
        assert!(Audience::Participants.includes("x", Role::Participant));
        assert!(!Audience::Participants.includes("x", Role::Admin));
        assert!(Audience::Member("x".into()).includes("x", Role::Participant));
        assert!(!Audience::Member("x".into()).includes("y", Role::Trainer));
    }

    #[test]
    fn guests_hold_a_seat_only_while_connected_and_leaders_hold_none() {
        let mut lobby = lobby_with(&[trainer(), projector()]);
        assert_eq!(lobby.seats_taken(), 0, "leaders and observers take no seat");
        lobby.attach_as(camille(), true);
        lobby.attach(lea());
        assert_eq!(lobby.seats_taken(), 2);
        lobby.detach("p1");
        lobby.detach("p2");
        assert_eq!(lobby.seats_taken(), 1, "the offline guest frees their seat, the platform participant keeps it");
        lobby.attach_as(camille(), true);
        assert_eq!(lobby.seats_taken(), 2, "a returning guest takes a seat again");
        lobby.detach("p1");
        lobby.leave("p1");
        assert_eq!(lobby.seats_taken(), 1);
        lobby.attach_as(camille(), true);
        lobby.leave("p1");
        assert_eq!(lobby.seats_taken(), 1, "a guest who left while connected frees their seat");
    }

    #[test]
    fn a_leader_locks_the_room_and_removes_participants_only() {
        let mut lobby = lobby_with(&[trainer(), camille(), projector()]);
        let lock = LobbyCommand::Lock { locked: true };
        assert_eq!(lobby.apply(camille(), lock.clone(), 1).unwrap_err().code, ErrorCode::Forbidden);
        let emits = lobby.apply(trainer(), lock.clone(), 1).unwrap();
        assert_eq!(emits, vec![Emit::everyone(EventBody::RoomLocked { locked: true, by: "t1".into() })]);
        assert!(lobby.is_locked() && lobby.snapshot(Role::Participant).locked);
        assert!(lobby.apply(trainer(), lock, 2).unwrap().is_empty(), "locking twice changes nothing");
        let remove = |member: &str| LobbyCommand::RemoveMember { member: member.into() };
        assert_eq!(lobby.apply(camille(), remove("p1"), 3).unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(lobby.apply(trainer(), remove("o1"), 3).unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(lobby.apply(trainer(), remove("t1"), 3).unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(lobby.apply(trainer(), remove("nobody"), 3).unwrap_err().code, ErrorCode::NotFound);
        let emits = lobby.apply(trainer(), remove("p1"), 3).unwrap();
        assert_eq!(emits[0].audience, Audience::Member("p1".into()));
        assert!(lobby.is_removed("p1") && !lobby.is_member("p1"));
        assert_eq!(lobby.seats_taken(), 0);
        assert!(!lobby.apply(trainer(), LobbyCommand::Lock { locked: false }, 4).unwrap().is_empty());
        assert!(!lobby.is_locked());
    }
}
