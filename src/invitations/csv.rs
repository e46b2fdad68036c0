//! The registration CSV: UTF-8 with or without a BOM, `,` or `;` separated
//! (French spreadsheets export with `;`), a header row naming the columns in
//! English or French (`name`/`nom`, `prénom`, `email`/`e-mail`/`courriel`,
//! optionally `atelier`). Every row is checked (address syntax, name
//! length); duplicate addresses are merged (the later row wins); the first
//! problem refuses the whole file with its line number and a stable reason.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use crate::store::{MemberProfile, NewRegistration};

/// Why a file was refused: a stable `reason`, the 1-based line (0 for the
/// file as a whole) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if *line > 0 { format!("line {line}: ") } else { String::new() })]
pub struct CsvError {
    pub reason: &'static str,
    pub line: u64,
    pub message: String,
}

fn refuse(reason: &'static str, line: u64, message: impl Into<String>) -> CsvError {
    CsvError { reason, line, message: message.into() }
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// One per address, in the order first seen.
    pub people: Vec<NewRegistration>,
    /// The line each person was last given on.
    pub lines: Vec<u64>,
    /// Rows merged into an earlier one with the same address.
    pub merged: usize,
}

/// The limits a file is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_name_chars: usize,
    pub max_rows: usize,
}

/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    FirstName,
    LastName,
    Email,
    Atelier,
    Academie,
    Departement,
    Discipline,
}

/// A header cell without case, accents or punctuation.
fn simplify(header: &str) -> String {
    header.nfd().filter(|c| c.is_ascii_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn column(header: &str) -> Option<Column> {
    match simplify(header).as_str() {
        "name" | "fullname" | "nomcomplet" | "participant" | "participante" | "nometprenom" | "prenometnom" => {
            Some(Column::Name)
        }
        "prenom" | "firstname" | "givenname" => Some(Column::FirstName),
        "nom" | "lastname" | "surname" | "familyname" | "nomdefamille" => Some(Column::LastName),
        "email"
        | "mail"
        | "courriel"
        | "emailaddress"
        | "adresseemail"
        | "adressemail"
        | "adressecourriel"
        | "adresseelectronique"
        | "mel" => Some(Column::Email),
        "atelier" | "workshop" | "group" | "groupe" => Some(Column::Atelier),
        "academie" | "academy" => Some(Column::Academie),
        "departement" | "department" => Some(Column::Departement),
        "discipline" | "subject" => Some(Column::Discipline),
        _ => None,
    }
}

/// Whether `email` looks like a deliverable address: one `@`, an ASCII
/// local part and a dotted ASCII domain (internationalized addresses need
/// SMTPUTF8, which relays rarely offer), no spaces.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok && email.len() <= MAX_EMAIL_CHARS && email.parse::<lettre::Address>().is_ok()
}

/// The 1-based line of the record starting at byte `at` of `text` (a
/// record after a CRLF may be said to start at its `\n`).
fn line_at(text: &str, at: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(at).unwrap_or(usize::MAX).min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// The value of column `c` in `record` ("" when absent).
fn cell<'r>(columns: &[Option<Column>], record: &'r ::csv::StringRecord, c: Column) -> &'r str {
    columns.iter().position(|x| *x == Some(c)).and_then(|i| record.get(i)).unwrap_or_default()
}

/// Reads a registration file.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Parsed, CsvError> {
    let text = utf8_text(bytes)?;
    let header_line = text.lines().find(|line| !line.trim().is_empty()).unwrap_or_default();
    if header_line.is_empty() {
        return Err(refuse("csv_empty", 0, "the file is empty"));
    }
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() { b';' } else { b',' };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns = read_columns(&mut reader, text)?;
    let mut roster = Roster::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(text, p.byte()));
            refuse("csv_syntax", line, format!("not valid CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| line_at(text, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        let person = read_person(&columns, &record, line, limits)?;
        roster.add(person, line, limits)?;
    }
    if roster.people.is_empty() {
        return Err(refuse("csv_empty", 0, "the file names no participant"));
    }
    Ok(Parsed { people: roster.people, lines: roster.lines, merged: roster.merged })
}

/// The file's text, without its BOM; not UTF-8 is refused with the line of
/// the first bad byte.
fn utf8_text(bytes: &[u8]) -> Result<&str, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        refuse("csv_encoding", line, "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
    })
}

/// The column each header cell names (`None`: a column not read). A column
/// named twice, or no e-mail or name column, refuses the file.
fn read_columns(reader: &mut ::csv::Reader<&[u8]>, text: &str) -> Result<Vec<Option<Column>>, CsvError> {
    let headers = reader.headers().map_err(|e| refuse("csv_syntax", 1, e.to_string()))?.clone();
    let header_line_number = headers.position().map_or(1, |p| line_at(text, p.byte()));
    let mut columns: Vec<Option<Column>> = Vec::new();
    for header in &headers {
        let found = column(header);
        if found.is_some() && columns.contains(&found) {
            return Err(refuse("csv_header", header_line_number, format!("the column {header:?} appears twice")));
        }
        columns.push(found);
    }
    let has = |c: Column| columns.contains(&Some(c));
    if !has(Column::Email) || !(has(Column::Name) || has(Column::LastName) || has(Column::FirstName)) {
        return Err(refuse(
            "csv_header",
            header_line_number,
            "the first row must name the columns: name (or nom, prénom) and email (or e-mail, courriel)",
        ));
    }
    Ok(columns)
}

/// The person of the row `record` at `line`: the full name (or the first
/// and last names) with its spaces collapsed, the address in lower case,
/// the atelier if given; each one checked.
fn read_person(
    columns: &[Option<Column>],
    record: &::csv::StringRecord,
    line: u64,
    limits: Limits,
) -> Result<NewRegistration, CsvError> {
    if record.len() > columns.len() {
        return Err(refuse("csv_columns", line, format!("{} values for {} columns", record.len(), columns.len())));
    }
    let value = |c: Column| cell(columns, record, c);
    let name = match value(Column::Name) {
        "" => [value(Column::FirstName), value(Column::LastName)]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
        full => full.to_string(),
    };
    let name: String = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > limits.max_name_chars || name.chars().any(char::is_control) {
        return Err(refuse("csv_name", line, format!("a name has 1 to {} characters", limits.max_name_chars)));
    }
    let email = value(Column::Email).to_lowercase();
    if !is_email(&email) {
        return Err(refuse("csv_email", line, format!("{email:?} is not an e-mail address")));
    }
    let atelier = Some(value(Column::Atelier)).filter(|a| !a.is_empty()).map(String::from);
    if let Some(atelier) = &atelier {
        let valid = atelier.len() <= 64 && atelier.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(refuse("csv_atelier", line, format!("{atelier:?} is not an atelier id")));
        }
    }
    let known = |c: Column| Some(value(c)).filter(|v| !v.is_empty());
    let profile = MemberProfile::new(known(Column::Academie), known(Column::Departement), known(Column::Discipline));
    Ok(NewRegistration { name, email, atelier, profile })
}

/// The people read so far, as [`Parsed`] holds them, and the index of each
/// address.
#[derive(Default)]
struct Roster {
    people: Vec<NewRegistration>,
    lines: Vec<u64>,
    merged: usize,
    seen: BTreeMap<String, usize>,
}

impl Roster {
    /// Adds `person`, given at `line`, or merges them into the earlier row
    /// with the same address: the later name wins, and the later atelier
    /// if it names one. A new person beyond `limits.max_rows` refuses the
    /// file.
    fn add(&mut self, person: NewRegistration, line: u64, limits: Limits) -> Result<(), CsvError> {
        match self.seen.get(&person.email) {
            Some(&index) => {
                self.merged += 1;
                self.lines[index] = line;
                let earlier = &mut self.people[index];
                earlier.name = person.name;
                if person.atelier.is_some() {
                    earlier.atelier = person.atelier;
                }
                let later = person.profile;
                let profile = &mut earlier.profile;
                profile.academie = later.academie.or(profile.academie.take());
                profile.departement = later.departement.or(profile.departement.take());
                profile.discipline = later.discipline.or(profile.discipline.take());
            }
            None => {
                if self.people.len() >= limits.max_rows {
                    return Err(refuse("csv_too_many", line, format!("at most {} participants", limits.max_rows)));
                }
                self.seen.insert(person.email.clone(), self.people.len());
                self.people.push(person);
                self.lines.push(line);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_name_chars: 40, max_rows: 100 };

    #[test]
    fn a_french_excel_export_is_read() {
        let file = "\u{feff}Prénom;Nom;Courriel;Atelier\r\nÉlise;Martin;Elise.Martin@ac-lyon.fr;a1\r\n\
                    Jean;Dupont;jean.dupont@ac-lyon.fr;\r\n;;;\r\n";
        let parsed = parse(file.as_bytes(), LIMITS).unwrap();
        assert_eq!(parsed.merged, 0);
        assert_eq!(
            parsed.people,
            vec![
                NewRegistration {
                    name: "Élise Martin".into(),
                    email: "elise.martin@ac-lyon.fr".into(),
                    atelier: Some("a1".into()),
                    profile: MemberProfile::default(),
                },
                NewRegistration {
                    name: "Jean Dupont".into(),
                    email: "jean.dupont@ac-lyon.fr".into(),
                    atelier: None,
                    profile: MemberProfile::default(),
                },
            ]
        );
    }

    #[test]
    fn the_optional_profile_columns_are_read_and_merged() {
        let file = "Nom;Courriel;Académie;Département;Discipline\nA;a@example.org;Lyon;Rhône;Mathématiques\n\
                    B;b@example.org;;;\nA bis;A@example.org;;Ain;\n";
        let parsed = parse(file.as_bytes(), LIMITS).unwrap();
        assert_eq!(parsed.people.len(), 2);
        let a = &parsed.people[0].profile;
        assert_eq!(a.academie.as_deref(), Some("Lyon"));
        assert_eq!(a.departement.as_deref(), Some("Ain"), "the later row's known value wins");
        assert_eq!(a.discipline.as_deref(), Some("Mathématiques"), "an empty later cell keeps it");
        assert!(parsed.people[1].profile.is_empty());
    }

    #[test]
    fn commas_quotes_and_duplicates() {
        let file = "name,email\n\"Durand, Camille\",camille@example.org\nC. Durand,CAMILLE@example.org\n";
        let parsed = parse(file.as_bytes(), LIMITS).unwrap();
        assert_eq!(parsed.merged, 1);
        assert_eq!(parsed.people.len(), 1);
        assert_eq!(parsed.people[0].name, "C. Durand", "the later row wins");
        let english = "E-mail,Full name\nx@example.org,X\n";
        assert_eq!(parse(english.as_bytes(), LIMITS).unwrap().people[0].name, "X");
    }

    #[test]
    fn bad_files_are_refused_with_their_line() {
        let bad_email = "nom;e-mail\nA;a@example.org\nB;not-an-address\n";
        let error = parse(bad_email.as_bytes(), LIMITS).unwrap_err();
        assert_eq!((error.reason, error.line), ("csv_email", 3));
        let crlf = "\u{feff}nom;e-mail\r\n\r\nA;a@example.org\r\nB;b@example.org\r\nC;nope\r\n";
        assert_eq!(parse(crlf.as_bytes(), LIMITS).unwrap_err().line, 5, "CRLF lines, a blank one");
        assert!(error.to_string().starts_with("line 3: "), "{error}");
        let long = format!("name,email\n{},x@example.org\n", "n".repeat(41));
        assert_eq!(parse(long.as_bytes(), LIMITS).unwrap_err().reason, "csv_name");
        assert_eq!(parse(b"who,what\na,b\n", LIMITS).unwrap_err().reason, "csv_header");
        assert_eq!(parse(b"", LIMITS).unwrap_err().reason, "csv_empty");
        assert_eq!(parse(b"name,email\n", LIMITS).unwrap_err().reason, "csv_empty");
        let latin1 = b"name,email\nJos\xe9,j@example.org\n";
        assert_eq!(
            parse(latin1, LIMITS).unwrap_err(),
            refuse("csv_encoding", 2, "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
        );
        assert_eq!(parse(b"name,email\na,a@b.fr,extra\n", LIMITS).unwrap_err().reason, "csv_columns");
        assert_eq!(parse(b"name,email,atelier\na,a@b.fr,bad id\n", LIMITS).unwrap_err().reason, "csv_atelier");
        let many: String =
            std::iter::once("name,email\n".to_string()).chain((0..101).map(|i| format!("p{i},p{i}@x.fr\n"))).collect();
        assert_eq!(parse(many.as_bytes(), LIMITS).unwrap_err().reason, "csv_too_many");
    }

    #[test]
    fn addresses_are_checked() {
        for good in ["a@b.fr", "jean.dupont+ateliers@ac-lyon.fr", "o'brien@example.org"] {
            assert!(is_email(good), "{good}");
        }
        for bad in
            ["", "a", "a@b", "a @b.fr", "élise@exemple.fr", "a@b..fr", ".a@b.fr", "a@-b.fr", "a@b.fr>", "a@@b.fr"]
        {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
