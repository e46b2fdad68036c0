//! Participation in ateliers, for the report the server returns as
//! `participation.json`: per member, the milliseconds spent in each atelier
//! while present and assigned to it while it was open; per atelier, its
//! totals (members, time, broadcasts received, help calls, productions)
//! and its latest production.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use amphi_protocol::breakout::Production;

use crate::activity::Millis;

/// A breakout session's participation at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// When the figures were taken (ms since the Unix epoch); stretches
    /// still running are counted up to it.
    pub at: Millis,
    /// In plan order, then ateliers no longer in the plan.
    pub ateliers: Vec<AtelierParticipation>,
    /// Every participant the session has seen, by id.
    pub members: Vec<MemberParticipation>,
}

/// One atelier's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtelierParticipation {
    pub id: String,
    pub name: String,
    /// Members who spent time in it.
    pub members: u32,
    /// Their time in it, summed.
    pub time_ms: u64,
    /// How long it was open, summed over its openings.
    pub open_ms: u64,
    /// Broadcasts it received: those sent to it, and those sent to every
    /// atelier while it was open.
    pub broadcasts: u32,
    pub help_calls: u32,
    /// Production versions handed in.
    pub productions: u32,
    /// The latest of them (what the atelier made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production: Option<Production>,
}

/// One member's time in ateliers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberParticipation {
    pub member: String,
    pub name: String,
    /// Time in every atelier, summed.
    pub total_ms: u64,
    /// Time per atelier id (ateliers never entered are left out).
    pub ateliers: BTreeMap<String, u64>,
}

/// What the session counts for each atelier.
#[derive(Debug, Clone, Default)]
pub(super) struct AtelierTally {
    pub name: String,
    pub members: BTreeSet<String>,
    /// Openings already closed, summed.
    pub open_ms: u64,
    pub broadcasts: u32,
    pub help_calls: u32,
    pub productions: u32,
}

/// A member's time, settled and running.
#[derive(Debug, Clone, Default)]
pub(super) struct MemberClock {
    /// The atelier the member is in now, and since when.
    pub stretch: Option<(String, Millis)>,
    /// Settled time per atelier.
    pub settled: BTreeMap<String, u64>,
}

impl MemberClock {
    /// Moves the member to `now_in` (or out of every atelier) at `now`;
    /// returns whether a new stretch started.
    pub fn set(&mut self, now_in: Option<&str>, now: Millis) -> bool {
        if self.stretch.as_ref().map(|(atelier, _)| atelier.as_str()) == now_in {
            return false;
        }
        if let Some((atelier, since)) = self.stretch.take() {
            let settled = self.settled.entry(atelier).or_default();
            *settled = settled.saturating_add(now.saturating_sub(since));
        }
        self.stretch = now_in.map(|atelier| (atelier.to_string(), now));
        self.stretch.is_some()
    }

    /// Time per atelier up to `now`, the running stretch included.
    pub fn at(&self, now: Millis) -> BTreeMap<String, u64> {
        let mut times = self.settled.clone();
        if let Some((atelier, since)) = &self.stretch {
            let time = times.entry(atelier.clone()).or_default();
            *time = time.saturating_add(now.saturating_sub(*since));
        }
        times
    }
}
