//! Ordering keys: strings that sort in byte order and between any two of
//! which another can always be made, so a post can be put between two
//! others without renumbering anything. This is fractional indexing in
//! base 62 (as David Greenspan's `fractional-indexing`): an integer part
//! whose first character tells its length (so appending stays short: 62
//! keys of 2 characters, 3,844 of 3...), then a fraction for insertions in
//! between. A fraction never ends with the smallest digit.

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ZERO: u8 = DIGITS[0];
const LAST: u8 = DIGITS[DIGITS.len() - 1];

fn value(digit: u8) -> usize {
    DIGITS.iter().position(|d| *d == digit).unwrap_or(0)
}

/// A key strictly between `before` and `after` (`None`: no bound on that
/// side). Bounds must be keys made here, with `before < after`.
pub fn between(before: Option<&str>, after: Option<&str>) -> String {
    let key = match (before.map(str::as_bytes), after.map(str::as_bytes)) {
        (None, None) => b"a0".to_vec(),
        (None, Some(b)) => {
            let (int_b, frac_b) = split(b);
            if int_b.first() == Some(&b'A') && int_b[1..].iter().all(|d| *d == ZERO) {
                [int_b, &midpoint(b"", Some(frac_b))].concat()
            } else if !frac_b.is_empty() {
                int_b.to_vec()
            } else {
                // The smallest integer has a fraction above (handled above).
                decrement(int_b).unwrap_or_else(|| [int_b, &midpoint(b"", Some(frac_b))].concat())
            }
        }
        (Some(a), None) => {
            let (int_a, frac_a) = split(a);
            increment(int_a).unwrap_or_else(|| [int_a, &midpoint(frac_a, None)].concat())
        }
        (Some(a), Some(b)) => {
            let (int_a, frac_a) = split(a);
            let (int_b, frac_b) = split(b);
            if int_a == int_b {
                [int_a, &midpoint(frac_a, Some(frac_b))].concat()
            } else {
                match increment(int_a) {
                    Some(next) if next.as_slice() < b => next,
                    _ => [int_a, &midpoint(frac_a, None)].concat(),
                }
            }
        }
    };
    String::from_utf8(key).expect("keys are ASCII")
}

/// The integer part's length, from its head: `a`..`z` 2..27, `Z`..`A` 2..27.
fn integer_length(head: u8) -> usize {
    match head {
        b'a'..=b'z' => usize::from(head - b'a') + 2,
        b'A'..=b'Z' => usize::from(b'Z' - head) + 2,
        _ => 1,
    }
}

fn split(key: &[u8]) -> (&[u8], &[u8]) {
    let length = key.first().map_or(0, |head| integer_length(*head)).min(key.len());
    key.split_at(length)
}

/// The next integer part, `None` past the largest.
fn increment(integer: &[u8]) -> Option<Vec<u8>> {
    let (head, digits) = integer.split_first()?;
    let mut digits = digits.to_vec();
    for digit in digits.iter_mut().rev() {
        if *digit == LAST {
            *digit = ZERO;
        } else {
            *digit = DIGITS[value(*digit) + 1];
            return Some([&[*head], digits.as_slice()].concat());
        }
    }
    match *head {
        b'Z' => Some(vec![b'a', ZERO]),
        b'z' => None,
        head => {
            let head = head + 1;
            if head > b'a' {
                digits.push(ZERO);
            } else {
                digits.pop();
            }
            Some([&[head], digits.as_slice()].concat())
        }
    }
}

/// The previous integer part, `None` below the smallest.
fn decrement(integer: &[u8]) -> Option<Vec<u8>> {
    let (head, digits) = integer.split_first()?;
    let mut digits = digits.to_vec();
    for digit in digits.iter_mut().rev() {
        if *digit == ZERO {
            *digit = LAST;
        } else {
            *digit = DIGITS[value(*digit) - 1];
            return Some([&[*head], digits.as_slice()].concat());
        }
    }
    match *head {
        b'a' => Some(vec![b'Z', LAST]),
        b'A' => None,
        head => {
            let head = head - 1;
            if head < b'Z' {
                digits.push(LAST);
            } else {
                digits.pop();
            }
            Some([&[head], digits.as_slice()].concat())
        }
    }
}

/// The midpoint of two fractions read in `[0, 1)`: `low` (may be empty,
/// i.e. 0) and `high` (`None`, i.e. 1).
fn midpoint(low: &[u8], high: Option<&[u8]>) -> Vec<u8> {
    if let Some(high) = high {
        // A common prefix (reading a missing digit of `low` as 0) is kept.
        let mut n = 0;
        while n < high.len() && low.get(n).copied().unwrap_or(ZERO) == high[n] {
            n += 1;
        }
        if n > 0 {
            let mut key = high[..n].to_vec();
            key.extend(midpoint(low.get(n..).unwrap_or_default(), Some(&high[n..])));
            return key;
        }
    }
    let digit_low = low.first().map_or(0, |d| value(*d));
    let digit_high = high.and_then(|h| h.first()).map_or(DIGITS.len(), |d| value(*d));
    if digit_high - digit_low > 1 {
        return vec![DIGITS[(digit_low + digit_high).div_ceil(2)]];
    }
    match high {
        // `high` has more digits: its first digit alone lies between.
        Some(high) if high.len() > 1 => vec![high[0]],
        // Consecutive digits: keep `low`'s and go one level deeper.
        _ => {
            let mut key = vec![DIGITS[digit_low]];
            key.extend(midpoint(low.get(1..).unwrap_or_default(), None));
            key
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_between_their_bounds() {
        let first = between(None, None);
        assert_eq!(first, "a0");
        let after = between(Some(&first), None);
        assert_eq!(after, "a1");
        let before = between(None, Some(&first));
        let middle = between(Some(&first), Some(&after));
        assert!(before < first && first < middle && middle < after, "{before} {first} {middle} {after}");
    }

    #[test]
    fn inserting_many_times_at_one_place_keeps_order() {
        let mut keys = vec![between(None, None)];
        let end = between(Some(&keys[0]), None);
        keys.push(end);
        for _ in 0..300 {
            let next = between(Some(&keys[0]), Some(&keys[1]));
            keys.insert(1, next);
            let front = between(None, Some(&keys[0]));
            keys.insert(0, front);
        }
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len(), "no two keys alike");
    }

    #[test]
    fn appending_and_prepending_stay_short() {
        let (mut last, mut first) = (between(None, None), between(None, None));
        for _ in 0..5000 {
            let next = between(Some(&last), None);
            assert!(next > last, "{next} > {last}");
            last = next;
            let previous = between(None, Some(&first));
            assert!(previous < first, "{previous} < {first}");
            first = previous;
        }
        assert!(last.len() <= 4 && first.len() <= 4, "{last} {first}");
    }

    #[test]
    fn random_insertions_agree_with_sorting() {
        let mut keys: Vec<String> = vec![];
        let mut state = 7u64;
        for _ in 0..2000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let at = if keys.is_empty() { 0 } else { (state >> 33) as usize % (keys.len() + 1) };
            let before = at.checked_sub(1).map(|i| keys[i].as_str());
            let after = keys.get(at).map(String::as_str);
            let key = between(before, after);
            assert!(before.is_none_or(|b| b < key.as_str()) && after.is_none_or(|a| key.as_str() < a));
            keys.insert(at, key);
        }
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
