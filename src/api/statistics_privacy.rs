//! What of the usage statistics may be published: no cell describing fewer
//! than `statistics.min_people` people, and no suppressed cell that a total
//! minus its siblings would give back. Among siblings that add up to a
//! published total (the groups of a period, the periods of the range), a
//! cell under the threshold is suppressed; when it is the only one, the
//! smallest other sibling is suppressed with it (complementary suppression).

/// Which of sibling cells, of these populations, are suppressed.
pub fn suppressed(populations: &[i64], min_people: i64) -> Vec<bool> {
    let mut hidden: Vec<bool> = populations.iter().map(|&people| people < min_people).collect();
    if hidden.iter().filter(|h| **h).count() == 1
        && let Some(smallest) = (0..populations.len()).filter(|&i| !hidden[i]).min_by_key(|&i| (populations[i], i))
    {
        hidden[smallest] = true;
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_and_their_complement_are_suppressed() {
        assert_eq!(suppressed(&[4, 5, 30], 5), [true, true, false], "4 alone would be the total minus 35");
        assert_eq!(suppressed(&[5, 6, 30], 5), [false, false, false]);
        assert_eq!(suppressed(&[1, 2, 30], 5), [true, true, false], "two hidden cells hide each other");
        assert_eq!(suppressed(&[4], 5), [true], "alone: the total is as small");
        assert_eq!(suppressed(&[40, 4, 9], 5), [false, true, true]);
        assert!(suppressed(&[], 5).is_empty());
    }
}
