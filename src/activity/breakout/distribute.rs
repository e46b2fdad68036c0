//! Sending participants to ateliers by draw: `random` (each participant
//! draws an atelier with places left) and `balanced` (participants dealt
//! in a shuffled order to the smallest atelier with places left, so sizes
//! differ by at most one where capacities allow). Deterministic: the same
//! key, candidates and sizes give the same result, with no randomness
//! source inside the pure machine.

use crate::activity::shuffle::{permutation, splitmix};

/// One atelier a draw may fill.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    /// Members already in it.
    pub size: u32,
    /// Most members it takes.
    pub capacity: Option<u32>,
}

impl Slot {
    fn has_room(&self) -> bool {
        self.capacity.is_none_or(|c| self.size < c)
    }
}

/// Random: each of `candidates` (in the given order) draws one of the
/// slots with room left. Returns `(candidate index, slot index)` for each
/// candidate placed; those left when every slot is full are not placed.
pub(super) fn random(candidates: usize, slots: &mut [Slot], key: u64) -> Vec<(usize, usize)> {
    let mut state = key;
    let mut placed = Vec::new();
    for candidate in 0..candidates {
        let open: Vec<usize> = (0..slots.len()).filter(|&s| slots[s].has_room()).collect();
        if open.is_empty() {
            break;
        }
        let pick = open[(splitmix(&mut state) % open.len() as u64) as usize];
        slots[pick].size += 1;
        placed.push((candidate, pick));
    }
    placed
}

/// Balanced: candidates in a shuffled order, each to the smallest slot
/// with room left (ties broken in a shuffled order of the slots, so the
/// first ateliers of the plan are not always the bigger ones).
pub(super) fn balanced(candidates: usize, slots: &mut [Slot], key: u64) -> Vec<(usize, usize)> {
    let mut state = key;
    let order = permutation(candidates, &mut state);
    let tie_order = permutation(slots.len(), &mut state);
    let mut placed = Vec::new();
    for candidate in order {
        let best = tie_order.iter().copied().filter(|&s| slots[s].has_room()).min_by_key(|&s| slots[s].size);
        let Some(best) = best else { break };
        slots[best].size += 1;
        placed.push((candidate, best));
    }
    placed.sort_unstable();
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(n: usize) -> Vec<Slot> {
        vec![Slot { size: 0, capacity: None }; n]
    }

    #[test]
    fn balanced_sizes_differ_by_at_most_one_and_honour_capacities() {
        for key in 0..50 {
            for (people, ateliers) in [(30, 5), (31, 5), (7, 3), (2, 5), (0, 3)] {
                let mut s = slots(ateliers);
                let placed = balanced(people, &mut s, key);
                assert_eq!(placed.len(), people);
                let sizes: Vec<u32> = s.iter().map(|s| s.size).collect();
                let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(max - min <= 1, "{sizes:?}");
            }
        }
        let mut capped = vec![Slot { size: 0, capacity: Some(2) }, Slot { size: 1, capacity: Some(3) }];
        let placed = balanced(10, &mut capped, 7);
        assert_eq!(placed.len(), 4);
        assert_eq!((capped[0].size, capped[1].size), (2, 3));
    }

    #[test]
    fn random_is_deterministic_and_fills_only_slots_with_room() {
        let mut a = slots(4);
        let mut b = slots(4);
        assert_eq!(random(20, &mut a, 42), random(20, &mut b, 42));
        let mut c = slots(4);
        assert_ne!(random(20, &mut c, 43), random(20, &mut slots(4), 42));
        let mut capped = vec![Slot { size: 0, capacity: Some(1) }, Slot { size: 0, capacity: Some(1) }];
        assert_eq!(random(5, &mut capped, 1).len(), 2);
    }
}
