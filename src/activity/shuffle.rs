//! Deterministic shuffles for the pure activities (no randomness source
//! inside them): SplitMix64 and the Fisher–Yates permutation it drives, so
//! a room rebuilt from its journal, on any node, draws the same orders.

/// SplitMix64: a tiny, well-mixed deterministic generator.
pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A Fisher–Yates permutation of `0..n` drawn from `state` (which advances).
pub fn permutation(n: usize, state: &mut u64) -> Vec<usize> {
    let mut out: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (splitmix(state) % (i as u64 + 1)) as usize;
        out.swap(i, j);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference).
        let mut state = 0;
        assert_eq!(splitmix(&mut state), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix(&mut state), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn permutations_are_permutations_and_repeat_for_a_key() {
        let draw = |key: u64| permutation(20, &mut { key });
        let mut sorted = draw(7);
        assert_eq!(draw(7), sorted);
        assert_ne!(draw(8), sorted);
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
        assert!(permutation(0, &mut 1).is_empty());
    }
}
