//! Text normalization for comparing short answers and aggregating word
//! clouds: what a participant types on a phone should match what the
//! trainer wrote, whatever the case, accents, spacing or keyboard.
//!
//! [`normalize`] does, in order:
//!
//! 1. lowercase (Unicode);
//! 2. compatibility decomposition (NFKD), which also splits ligatures such
//!    as `ﬁ` and turns non-breaking spaces into spaces;
//! 3. drops combining marks, so `é` becomes `e` and `ç` becomes `c`;
//! 4. folds what NFKD leaves alone: `œ` to `oe`, `æ` to `ae`, `ß` to `ss`,
//!    typographic apostrophes (`’`, `‘`, `ʼ`) to `'`, French and English
//!    quotes (`«`, `»`, `“`, `”`, `„`) to `"`, and dashes (`‐`, `‑`, `–`,
//!    `—`) to `-`;
//! 5. collapses every run of whitespace into one space and trims the ends.
//!
//! Punctuation is otherwise kept: `Paris.` and `Paris` differ.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The comparable form of `text`; see the module documentation.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space_pending = false;
    let lowered = text.to_lowercase();
    for c in lowered.nfkd().filter(|&c| !is_combining_mark(c)) {
        let folded: &str = match c {
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            '’' | '‘' | 'ʼ' => "'",
            '«' | '»' | '“' | '”' | '„' => "\"",
            '‐' | '‑' | '–' | '—' => "-",
            c if c.is_whitespace() => {
                space_pending = !out.is_empty();
                continue;
            }
            _ => {
                if space_pending {
                    out.push(' ');
                    space_pending = false;
                }
                out.push(c);
                continue;
            }
        };
        if space_pending {
            out.push(' ');
            space_pending = false;
        }
        out.push_str(folded);
    }
    out
}

/// Whether the normalized `answer` matches the normalized `pattern`, where
/// `*` in the pattern stands for any run of characters (as in Moodle's
/// short answers); a pattern without `*` must be equal.
pub fn matches(pattern: &str, answer: &str) -> bool {
    let pattern = normalize(pattern);
    let answer = normalize(answer);
    if !pattern.contains('*') {
        return pattern == answer;
    }
    wildcard_match(&pattern.chars().collect::<Vec<_>>(), &answer.chars().collect::<Vec<_>>())
}

/// Greedy matching with backtracking to the last `*`: linear in practice,
/// quadratic at worst, never exponential.
fn wildcard_match(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            last_star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star, matched)) = last_star {
            p = star + 1;
            t = matched + 1;
            last_star = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_spaces_do_not_matter() {
        assert_eq!(normalize("  Élève   À\tl'ÉCOLE \n"), "eleve a l'ecole");
        assert_eq!(normalize("Ça"), "ca");
        assert_eq!(normalize("naïveté"), "naivete");
        assert_eq!(normalize("Noël"), "noel");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \t "), "");
    }

    #[test]
    fn ligatures_and_special_letters_are_spelled_out() {
        assert_eq!(normalize("Cœur"), "coeur");
        assert_eq!(normalize("ŒUVRE"), "oeuvre");
        assert_eq!(normalize("Lætitia"), "laetitia");
        assert_eq!(normalize("ﬁn"), "fin");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("x²"), "x2");
    }

    #[test]
    fn typography_of_phones_is_folded() {
        assert_eq!(normalize("l’école"), "l'ecole");
        assert_eq!(normalize("«\u{a0}oui\u{a0}»"), "\" oui \"");
        assert_eq!(normalize("Saint–Étienne"), "saint-etienne");
        assert_eq!(normalize("pourquoi\u{202f}?"), "pourquoi ?");
    }

    #[test]
    fn punctuation_is_kept() {
        assert_ne!(normalize("Paris."), normalize("Paris"));
    }

    #[test]
    fn wildcards_match_any_run() {
        assert!(matches("Paris", " paris "));
        assert!(!matches("Paris", "Pariss"));
        assert!(matches("*Paris*", "à Paris, en France"));
        assert!(matches("Ré*", "Révolution"));
        assert!(!matches("Ré*", "la Révolution"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("*", ""));
        assert!(matches("a**", "a"));
        assert!(matches("*aab", "aaaab"));
    }
}
