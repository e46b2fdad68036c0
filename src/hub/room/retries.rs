//! What a room remembers of each member's commands to answer their retries:
//! the last results in full, then the ids of older applied and committed
//! commands as hashes. A retried id is answered, never applied twice.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::Arc;

use amphi_protocol::ClientMsgId;

use super::Accepted;
use crate::activity::Refusal;

/// How many results per member are remembered in full.
const RECENT_RESULTS_PER_MEMBER: usize = 64;

/// How many more of a member's applied command ids (beyond the recent
/// results) are remembered, as 64-bit hashes, so that a retry is answered
/// `ack` rather than applied again: 8 bytes each, 32 KiB a member at most.
const APPLIED_IDS_PER_MEMBER: usize = 4096;

/// A command's outcome, as a retry of it is answered.
pub type Outcome = Result<Accepted, Refusal>;

/// The retry memory of one room.
#[derive(Default)]
pub struct Retries {
    recent: HashMap<Arc<str>, VecDeque<(ClientMsgId, Outcome)>>,
    applied: HashMap<Arc<str>, AppliedIds>,
}

impl Retries {
    /// What `member`'s command `id` got, if it was seen: its result while
    /// recent, `Applied` once only its id is kept.
    pub fn answer(&self, member: &str, id: &str) -> Option<Outcome> {
        if let Some((_, outcome)) =
            self.recent.get(member).and_then(|recent| recent.iter().find(|(seen, _)| seen == id))
        {
            return Some(outcome.clone());
        }
        self.applied.get(member).is_some_and(|applied| applied.contains(id)).then_some(Ok(Accepted::Applied))
    }

    /// Records what `member`'s command `id` got. A result leaving the recent
    /// ones keeps its id if it was applied and committed; a refusal is
    /// forgotten (its retry is judged afresh).
    pub fn remember(&mut self, member: Arc<str>, id: ClientMsgId, outcome: Outcome) {
        let recent = self.recent.entry(Arc::clone(&member)).or_default();
        let evicted = if recent.len() == RECENT_RESULTS_PER_MEMBER { recent.pop_front() } else { None };
        recent.push_back((id, outcome));
        let committed = |outcome: &Outcome| match outcome {
            Ok(Accepted::Committing(receipt)) => receipt.peek() == Some(&true),
            Ok(_) => true,
            Err(_) => false,
        };
        if let Some((old, outcome)) = evicted
            && committed(&outcome)
        {
            self.applied.entry(member).or_default().insert(&old);
        }
    }

    /// Forgets a member who left or was removed.
    pub fn forget(&mut self, member: &str) {
        self.recent.remove(member);
        self.applied.remove(member);
    }
}

/// A member's older applied command ids, as hashes, oldest dropped first.
#[derive(Default)]
struct AppliedIds {
    order: VecDeque<u64>,
    set: HashSet<u64>,
}

impl AppliedIds {
    fn hash(id: &str) -> u64 {
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(id)
    }

    fn insert(&mut self, id: &str) {
        let hash = Self::hash(id);
        if !self.set.insert(hash) {
            return;
        }
        self.order.push_back(hash);
        if self.order.len() > APPLIED_IDS_PER_MEMBER
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(&Self::hash(id))
    }
}

#[cfg(test)]
mod tests {
    use amphi_protocol::ErrorCode;
    use futures_util::FutureExt;

    use super::*;

    fn member() -> Arc<str> {
        Arc::from("m-1")
    }

    #[test]
    fn a_recent_result_is_answered_as_it_was() {
        let mut retries = Retries::default();
        retries.remember(member(), "a".into(), Err(Refusal::new(ErrorCode::AnswerLate, "late")));
        retries.remember(member(), "b".into(), Ok(Accepted::Applied));
        assert_eq!(retries.answer("m-1", "a").unwrap().unwrap_err().code, ErrorCode::AnswerLate);
        assert!(matches!(retries.answer("m-1", "b"), Some(Ok(Accepted::Applied))));
        assert!(retries.answer("m-1", "c").is_none());
        assert!(retries.answer("m-2", "a").is_none(), "ids are per member");
    }

    #[test]
    fn an_old_applied_id_is_still_answered_and_an_old_refusal_is_forgotten() {
        let mut retries = Retries::default();
        retries.remember(member(), "refused".into(), Err(Refusal::new(ErrorCode::Forbidden, "no")));
        retries.remember(member(), "applied".into(), Ok(Accepted::Applied));
        for i in 0..RECENT_RESULTS_PER_MEMBER {
            retries.remember(member(), format!("later-{i}"), Ok(Accepted::Applied));
        }
        assert!(matches!(retries.answer("m-1", "applied"), Some(Ok(Accepted::Applied))));
        assert!(retries.answer("m-1", "refused").is_none());
    }

    #[test]
    fn an_uncommitted_command_leaving_the_recent_results_is_not_kept() {
        let mut retries = Retries::default();
        let never: super::super::Receipt = async { false }.boxed().shared();
        let pending: super::super::Receipt = futures_util::future::pending().boxed().shared();
        retries.remember(member(), "failed".into(), Ok(Accepted::Committing(never.clone())));
        retries.remember(member(), "pending".into(), Ok(Accepted::Committing(pending)));
        let committed: super::super::Receipt = async { true }.boxed().shared();
        let _ = committed.clone().now_or_never();
        let _ = never.now_or_never();
        retries.remember(member(), "committed".into(), Ok(Accepted::Committing(committed)));
        for i in 0..RECENT_RESULTS_PER_MEMBER {
            retries.remember(member(), format!("later-{i}"), Ok(Accepted::Applied));
        }
        assert!(retries.answer("m-1", "failed").is_none());
        assert!(retries.answer("m-1", "pending").is_none());
        assert!(matches!(retries.answer("m-1", "committed"), Some(Ok(Accepted::Applied))));
    }

    #[test]
    fn the_applied_ids_are_bounded_and_forgotten_with_their_member() {
        let mut retries = Retries::default();
        let total = RECENT_RESULTS_PER_MEMBER + APPLIED_IDS_PER_MEMBER + 1;
        for i in 0..total {
            retries.remember(member(), format!("id-{i}"), Ok(Accepted::Applied));
        }
        assert_eq!(retries.applied["m-1"].order.len(), APPLIED_IDS_PER_MEMBER);
        assert!(retries.answer("m-1", "id-0").is_none(), "the oldest id is dropped");
        assert!(retries.answer("m-1", "id-1").is_some());
        retries.forget("m-1");
        assert!(
            retries.answer("m-1", "id-1").is_none() && retries.answer("m-1", &format!("id-{}", total - 1)).is_none()
        );
    }
}
