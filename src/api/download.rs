//! What the exports share: RFC 3339 timestamps (jiff), and files sent as
//! downloads (CSV in UTF-8 with a byte-order mark, which spreadsheets need),
//! named by `Content-Disposition` with an ASCII `filename` and the UTF-8
//! `filename*` of RFC 6266 (so "Géographie" stays "Géographie").
//! Every CSV the server writes goes through [`CsvExport`], which neutralises
//! cells a spreadsheet would run as a formula (OWASP's CSV injection rule:
//! a leading `=`, `+`, `-`, `@`, tab or carriage return gets an apostrophe
//! in front).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::ApiError;

/// What `filename*` keeps as it is: RFC 5987's `attr-char`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Most characters of a title kept in a file name.
const TITLE_CHARS: usize = 80;

/// RFC 3339, UTC, milliseconds: `2026-12-01T08:30:00.000Z`.
pub fn timestamp(ms: u64) -> String {
    jiff::Timestamp::from_millisecond(i64::try_from(ms).unwrap_or(i64::MAX))
        .unwrap_or(jiff::Timestamp::MAX)
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// `body` as an attachment named `name`.
pub fn download(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition(name))], body)
        .into_response()
}

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback
/// (accents dropped, anything else outside printable ASCII, quotes and
/// backslashes as `_`) for old clients, and the name itself,
/// percent-encoded, for the others.
pub fn disposition(name: &str) -> String {
    let ascii: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c == ' ' || c.is_ascii_graphic() => c,
            _ => '_',
        })
        .collect();
    if ascii == name {
        format!("attachment; filename=\"{ascii}\"")
    } else {
        format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(name, ATTR_CHAR))
    }
}

/// A download's name from an activity's title and a date: "Géographie -
/// 2026-12-02 - résultats.csv". Characters file systems refuse (`/ \ : * ?
/// " < > |`, controls) become `-`; a long title is cut at
/// [`TITLE_CHARS`]; an empty one is left out.
pub fn file_name(title: &str, date: &str, what: &str, extension: &str) -> String {
    let title: String =
        title
            .trim()
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                    '-'
                } else {
                    c
                }
            })
            .take(TITLE_CHARS)
            .collect();
    let title = title.trim();
    if title.is_empty() {
        format!("{date} - {what}.{extension}")
    } else {
        format!("{title} - {date} - {what}.{extension}")
    }
}

/// A CSV being written, every cell neutralised against formula injection.
pub struct CsvExport {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvExport {
    pub fn new() -> CsvExport {
        CsvExport::with_delimiter(b',')
    }

    /// A CSV whose cells are separated by `delimiter` (`;` for French
    /// spreadsheets, whose decimal separator is the comma).
    pub fn with_delimiter(delimiter: u8) -> CsvExport {
        CsvExport { writer: csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new()) }
    }

    /// Writes one record, each cell through [`neutralise`].
    pub fn write_record<I, T>(&mut self, record: I) -> Result<(), ApiError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let cells: Vec<std::borrow::Cow<'_, str>> =
            record.into_iter().map(|cell| neutralise(cell.as_ref()).into_owned().into()).collect();
        self.writer.write_record(cells.iter().map(|cell| cell.as_bytes())).map_err(ApiError::internal)
    }

    /// The finished CSV, with a UTF-8 byte-order mark.
    pub fn finish(self) -> Result<Vec<u8>, ApiError> {
        let mut body = "\u{feff}".as_bytes().to_vec();
        body.extend(self.writer.into_inner().map_err(ApiError::internal)?);
        Ok(body)
    }
}

impl Default for CsvExport {
    fn default() -> Self {
        CsvExport::new()
    }
}

/// A cell as it is safe to open in a spreadsheet: one that starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe (the
/// spreadsheet shows it as text), except a plain number such as `-3` or
/// `-2.5`, which no spreadsheet runs.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) { format!("'{cell}").into() } else { cell.into() }
}

/// `-?digits([.,]digits)?`
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once(['.', ',']).unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// A finished CSV as an attachment named `name`, with a BOM.
pub fn csv(name: &str, writer: CsvExport) -> Result<Response, ApiError> {
    Ok(download("text/csv; charset=utf-8", name, writer.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_an_apostrophe() {
        for risky in
            ["=1+1", "=HYPERLINK(\"http://x.io\",\"clic\")", "+33 6", "-1+2", "@SUM(A1)", "\tx", "\rx", "-", "+"]
        {
            assert_eq!(neutralise(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["Camille", "", "2026-12-01T09:30:00.000Z", "1 = 1", "-3", "-2.5", "-2,5", "12", "'=déjà"] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
        let mut csv = CsvExport::new();
        csv.write_record(["=1+1", "ok"]).unwrap();
        let text = String::from_utf8(csv.finish().unwrap()).unwrap();
        assert_eq!(text, "\u{feff}'=1+1,ok\n");
    }

    #[test]
    fn names_keep_their_accents_with_an_ascii_fallback() {
        assert_eq!(disposition("results.csv"), "attachment; filename=\"results.csv\"");
        assert_eq!(
            disposition("Géographie - 2026-12-02 - résultats.csv"),
            "attachment; filename=\"Geographie - 2026-12-02 - resultats.csv\"; \
             filename*=UTF-8''G%C3%A9ographie%20-%202026-12-02%20-%20r%C3%A9sultats.csv"
        );
        assert_eq!(
            disposition("Quiz \"n°1\" 😀.csv"),
            "attachment; filename=\"Quiz _n_1_ _.csv\"; filename*=UTF-8''Quiz%20%22n%C2%B01%22%20%F0%9F%98%80.csv"
        );
        assert_eq!(
            file_name("  Cours 1/2 : l’été ", "2026-12-02", "résultats", "csv"),
            "Cours 1-2 - l’été - 2026-12-02 - résultats.csv"
        );
        assert_eq!(file_name("", "2026-12-02", "results", "json"), "2026-12-02 - results.json");
        assert_eq!(file_name(&"é".repeat(200), "d", "w", "csv").chars().count(), 80 + " - d - w.csv".len());
    }
}
