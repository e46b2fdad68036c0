//! The two dialects every CSV export comes in (`?dialect=en`, the default,
//! and `fr`, what the French web client downloads): how a cell writes a
//! time, a decimal, a yes/no, and which delimiter separates the cells.
//! English is for scripts and English spreadsheets (`,`, decimal points,
//! RFC 3339 UTC times); French is for French spreadsheets (`;`, decimal
//! commas, "oui"/"non", times on the tenant's clock, `02/12/2026 09:30:05`).

use amphi_protocol::ErrorCode;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::ApiError;
use super::download::{self, CsvExport};
use crate::local_time::{self, Language};

/// The spreadsheets a CSV is written for.
#[derive(Debug, Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    #[default]
    En,
    Fr,
}

/// `?dialect=en|fr` of an export.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DialectParams {
    #[serde(default)]
    pub dialect: Dialect,
}

impl DialectParams {
    /// The query's dialect; an unknown one is `invalid_field`.
    pub fn read(params: Result<Query<DialectParams>, QueryRejection>) -> Result<Dialect, ApiError> {
        params
            .map(|Query(p)| p.dialect)
            .map_err(|rejection| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, rejection.body_text()))
    }
}

/// How the cells of one export are written: its dialect at a tenant's zone.
pub struct Sheet {
    pub dialect: Dialect,
    zone_name: String,
    zone: TimeZone,
}

impl Sheet {
    pub fn new(dialect: Dialect, zone_name: &str) -> Sheet {
        Sheet { dialect, zone_name: zone_name.to_string(), zone: TimeZone::get(zone_name).unwrap_or(TimeZone::UTC) }
    }

    pub fn french(&self) -> bool {
        self.dialect == Dialect::Fr
    }

    /// A writer with this dialect's delimiter.
    pub fn writer(&self) -> CsvExport {
        CsvExport::with_delimiter(if self.french() { b';' } else { b',' })
    }

    /// `en` or `fr`, whichever this dialect says.
    pub fn say<'a>(&self, en: &'a str, fr: &'a str) -> &'a str {
        if self.french() { fr } else { en }
    }

    /// A time: RFC 3339 UTC, or `02/12/2026 09:30:05` on the zone's clock.
    pub fn time(&self, ms: i64) -> String {
        if self.french() {
            Timestamp::from_millisecond(ms)
                .unwrap_or(Timestamp::UNIX_EPOCH)
                .to_zoned(self.zone.clone())
                .strftime("%d/%m/%Y %H:%M:%S")
                .to_string()
        } else {
            download::timestamp(u64::try_from(ms).unwrap_or(0))
        }
    }

    /// A time column's header: `en`, or `fr` followed by the zone ("Arrivée
    /// (heure de Paris)"), since a French time cell has no offset.
    pub fn time_header(&self, en: &str, fr: &str) -> String {
        if self.french() {
            format!("{fr} ({})", local_time::zone_label(&self.zone_name, Language::French))
        } else {
            en.to_string()
        }
    }

    /// The day of `ms` on the zone's clock, `2026-12-02` (file names).
    pub fn date(&self, ms: i64) -> String {
        Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned(self.zone.clone())
            .strftime("%Y-%m-%d")
            .to_string()
    }

    /// A number with one decimal: `12.5`, or `12,5`.
    pub fn decimal1(&self, value: f64) -> String {
        let text = format!("{value:.1}");
        if self.french() { text.replace('.', ",") } else { text }
    }

    /// Milliseconds as seconds: `1250` → `1,25` in French; the milliseconds
    /// themselves in English.
    pub fn seconds(&self, ms: u64) -> String {
        if !self.french() {
            return ms.to_string();
        }
        let whole = ms / 1000;
        let fraction = format!("{:03}", ms % 1000);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() { whole.to_string() } else { format!("{whole},{fraction}") }
    }

    /// `yes`/`no`, or `oui`/`non`.
    pub fn yes_no(&self, value: bool) -> &'static str {
        match (self.french(), value) {
            (true, true) => "oui",
            (true, false) => "non",
            (false, true) => "yes",
            (false, false) => "no",
        }
    }

    /// `true`/`false`, or `oui`/`non`.
    pub fn boolean(&self, value: bool) -> &'static str {
        if self.french() {
            self.yes_no(value)
        } else if value {
            "true"
        } else {
            "false"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn french_cells_are_on_the_tenants_clock_with_decimal_commas() {
        let fr = Sheet::new(Dialect::Fr, "Europe/Paris");
        // Both sides of the clock change (25 October 2026).
        assert_eq!(fr.time(ms("2026-10-24T07:30:05Z")), "24/10/2026 09:30:05");
        assert_eq!(fr.time(ms("2026-10-26T08:30:05Z")), "26/10/2026 09:30:05");
        assert_eq!(fr.time_header("joined_at", "Arrivée"), "Arrivée (heure de Paris)");
        assert_eq!(fr.date(ms("2026-12-01T23:30:00Z")), "2026-12-02");
        assert_eq!(fr.decimal1(12.26), "12,3");
        assert_eq!(fr.decimal1(3.0), "3,0");
        assert_eq!(fr.seconds(1250), "1,25");
        assert_eq!(fr.seconds(3000), "3");
        assert_eq!((fr.yes_no(true), fr.boolean(false)), ("oui", "non"));
        let reunion = Sheet::new(Dialect::Fr, "Indian/Reunion");
        assert_eq!(reunion.time(ms("2026-12-01T08:30:00Z")), "01/12/2026 12:30:00");
    }

    #[test]
    fn english_cells_are_utc_with_decimal_points() {
        let en = Sheet::new(Dialect::En, "Europe/Paris");
        assert_eq!(en.time(ms("2026-12-01T08:30:00Z")), "2026-12-01T08:30:00.000Z");
        assert_eq!(en.time_header("joined_at", "Arrivée"), "joined_at");
        assert_eq!(en.decimal1(12.26), "12.3");
        assert_eq!(en.seconds(1250), "1250");
        assert_eq!((en.yes_no(true), en.boolean(false)), ("yes", "false"));
    }
}
