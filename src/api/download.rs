//! What the exports share: RFC 3339 timestamps, and files sent as
//! downloads (CSV in UTF-8 with a byte-order mark, which spreadsheets need).
//! Every CSV the server writes goes through [`CsvExport`], which neutralises
//! cells a spreadsheet would run as a formula (OWASP's CSV injection rule:
//! a leading `=`, `+`, `-`, `@`, tab or carriage return gets an apostrophe
//! in front).

use std::time::{Duration, UNIX_EPOCH};

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// RFC 3339, UTC, milliseconds.
pub fn timestamp(ms: u64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// `body` as an attachment named `name`.
pub fn download(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// A CSV being written, every cell neutralised against formula injection.
pub struct CsvExport {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvExport {
    pub fn new() -> CsvExport {
        CsvExport { writer: csv::Writer::from_writer(Vec::new()) }
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

/// `-?digits(.digits)?`
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
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
        for safe in ["Camille", "", "2026-12-01T09:30:00.000Z", "1 = 1", "-3", "-2.5", "12", "'=déjà"] {
            assert_eq!(neutralise(safe), safe, "{safe:?}");
        }
        let mut csv = CsvExport::new();
        csv.write_record(["=1+1", "ok"]).unwrap();
        let text = String::from_utf8(csv.finish().unwrap()).unwrap();
        assert_eq!(text, "\u{feff}'=1+1,ok\n");
    }
}
