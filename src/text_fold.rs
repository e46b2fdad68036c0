//! Accent folding and tokenising for the library's full-text search, done in
//! Rust so that SQLite and PostgreSQL store and match the same terms: text
//! is lowercased, its diacritics stripped (NFKD, combining marks dropped,
//! `œ æ ß` spelt out), and cut into terms of ASCII letters and digits.
//! A search term matches every stored term it is a prefix of, as a range
//! `term >= prefix AND term < successor(prefix)` that a B-tree index serves
//! whatever the database's collation (letters and digits sort the same in
//! `C` and in the usual locales).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest term kept (longer words are cut: a prefix search still finds them).
pub const MAX_TERM_CHARS: usize = 32;

/// Words too common to search for (French and English); never stored,
/// dropped from queries.
const STOP_WORDS: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "en", "et", "la", "le", "les", "leur", "ou", "par",
    "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "un", "une", "an", "and", "for", "in", "of", "on",
    "the", "to",
];

/// `text` lowercased, without diacritics, every run of characters other
/// than ASCII letters and digits made one space (trimmed).
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut space = true;
    let mut push = |c: char, folded: &mut String| {
        if c.is_ascii_alphanumeric() {
            folded.push(c.to_ascii_lowercase());
            space = false;
        } else if !space {
            folded.push(' ');
            space = true;
        }
    };
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'œ' | 'Œ' => "oe".chars().for_each(|c| push(c, &mut folded)),
            'æ' | 'Æ' => "ae".chars().for_each(|c| push(c, &mut folded)),
            'ß' => "ss".chars().for_each(|c| push(c, &mut folded)),
            'ø' | 'Ø' => push('o', &mut folded),
            'ł' | 'Ł' => push('l', &mut folded),
            'đ' | 'Đ' => push('d', &mut folded),
            c => c.to_lowercase().for_each(|c| push(c, &mut folded)),
        }
    }
    if folded.ends_with(' ') {
        folded.pop();
    }
    folded
}

/// The distinct searchable terms of `text`, sorted: folded words of two
/// characters or more (or a number, even of one digit), stop words left
/// out, each cut at [`MAX_TERM_CHARS`].
pub fn terms(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = fold(text)
        .split(' ')
        .filter(|word| is_term(word))
        .map(|word| word.chars().take(MAX_TERM_CHARS).collect())
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

fn is_term(word: &str) -> bool {
    !word.is_empty() && (word.len() >= 2 || word.bytes().all(|b| b.is_ascii_digit())) && !STOP_WORDS.contains(&word)
}

/// The smallest string greater than every string that starts with
/// `prefix` (a folded term), in the order `0-9` then `a-z`; `None` when
/// there is none (`zz…`): then the range is open above.
pub fn successor(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        let next = match last {
            b'0'..=b'8' | b'a'..=b'y' => last + 1,
            b'9' => b'a',
            _ => continue,
        };
        bytes.push(next);
        return String::from_utf8(bytes).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(fold("Électricité : l'Ohm, ÇA Marche !"), "electricite l ohm ca marche");
        assert_eq!(fold("  Cœur   et ÆTHER, straße  "), "coeur et aether strasse");
        assert_eq!(fold("Mathématiques — 6ᵉ"), "mathematiques 6e");
        assert_eq!(fold("énergie"), fold("ENERGIE"));
        assert_eq!(fold(""), "");
        assert_eq!(fold("?!"), "");
    }

    #[test]
    fn terms_are_distinct_sorted_and_skip_stop_words_and_letters() {
        assert_eq!(terms("Les fractions de la 6e, les Fractions !"), ["6e", "fractions"]);
        assert_eq!(terms("L'eau à l'état solide"), ["eau", "etat", "solide"]);
        assert_eq!(terms("Cycle 3 : cycle"), ["3", "cycle"]);
        let long = "a".repeat(50);
        assert_eq!(terms(&long), ["a".repeat(MAX_TERM_CHARS)]);
    }

    #[test]
    fn the_successor_bounds_every_term_with_the_prefix() {
        assert_eq!(successor("fra").as_deref(), Some("frb"));
        assert_eq!(successor("az").as_deref(), Some("b"));
        assert_eq!(successor("a9").as_deref(), Some("aa"));
        assert_eq!(successor("zz"), None);
        for (prefix, term) in [("fra", "fractions"), ("a9", "a9z"), ("6", "6e")] {
            let next = successor(prefix).unwrap();
            assert!(term >= prefix && term < next.as_str(), "{prefix} {term} {next}");
        }
        let next = successor("fra").unwrap();
        assert!("frz" >= next.as_str() && "fr" < "fra");
    }
}
