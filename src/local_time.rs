//! Local times for the people amphi writes to: each tenant (académie) has
//! an IANA time zone (`[time]`: Europe/Paris by default, the overseas
//! académies their own), and a date and time is said in the reader's
//! language with the zone's name ("le 01/12/2026 à 9h30, heure de Paris").
//! Time-zone data is jiff's bundled copy of the IANA database, so every
//! machine says the same thing, daylight saving included.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

/// The `[time]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeConfig {
    /// The time zone of tenants not listed in `tenants`.
    pub zone: String,
    /// Tenant → IANA time zone.
    #[serde(default)]
    pub tenants: BTreeMap<String, String>,
}

impl TimeConfig {
    pub fn validate(&self) -> Result<(), String> {
        for name in std::iter::once(&self.zone).chain(self.tenants.values()) {
            TimeZone::get(name).map_err(|e| format!("`{name}` is not a known IANA time zone: {e}"))?;
        }
        Ok(())
    }

    /// The zone of `tenant`, by its IANA name.
    pub fn zone_name(&self, tenant: &str) -> &str {
        self.tenants.get(tenant).unwrap_or(&self.zone)
    }

    /// The zone of `tenant` (UTC if the configured name is unknown, which
    /// `validate` refuses at start).
    pub fn zone_of(&self, tenant: &str) -> TimeZone {
        TimeZone::get(self.zone_name(tenant)).unwrap_or(TimeZone::UTC)
    }
}

/// The languages a date is said in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    French,
    English,
}

/// How a zone is named to a reader: "heure de Paris", "Paris time".
pub fn zone_label(zone: &str, language: Language) -> String {
    let french = match zone {
        "Europe/Paris" => "heure de Paris",
        "Indian/Reunion" => "heure de La Réunion",
        "Indian/Mayotte" => "heure de Mayotte",
        "America/Guadeloupe" => "heure de la Guadeloupe",
        "America/Martinique" => "heure de la Martinique",
        "America/Cayenne" => "heure de la Guyane",
        "America/Miquelon" => "heure de Saint-Pierre-et-Miquelon",
        "Pacific/Noumea" => "heure de Nouméa",
        "Pacific/Tahiti" => "heure de Tahiti",
        "Pacific/Wallis" => "heure de Wallis-et-Futuna",
        "UTC" | "Etc/UTC" => "temps universel (UTC)",
        _ => "",
    };
    let city = zone.rsplit('/').next().unwrap_or(zone).replace('_', " ");
    match language {
        Language::French if !french.is_empty() => french.to_string(),
        Language::French => format!("heure de {city}"),
        Language::English if matches!(zone, "UTC" | "Etc/UTC") => "UTC".to_string(),
        Language::English => format!("{city} time"),
    }
}

/// `ms` since the epoch said in `language` at `zone` (an IANA name):
/// "le 01/12/2026 à 9h30, heure de Paris", "on 2026-12-01 at 9:30, Paris time".
pub fn spoken(ms: i64, zone: &str, language: Language) -> String {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    let local = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(tz);
    let label = zone_label(zone, language);
    match language {
        Language::French => {
            format!("le {} à {}h{:02}, {label}", local.strftime("%d/%m/%Y"), local.hour(), local.minute())
        }
        Language::English => {
            format!("on {} at {}:{:02}, {label}", local.strftime("%Y-%m-%d"), local.hour(), local.minute())
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
    fn a_session_at_half_past_nine_in_paris_is_said_so_on_both_sides_of_the_clock_change() {
        // Daylight saving ends in Europe on Sunday 25 October 2026 at 03:00.
        assert_eq!(
            spoken(ms("2026-10-24T07:30:00Z"), "Europe/Paris", Language::French),
            "le 24/10/2026 à 9h30, heure de Paris"
        );
        assert_eq!(
            spoken(ms("2026-10-26T08:30:00Z"), "Europe/Paris", Language::French),
            "le 26/10/2026 à 9h30, heure de Paris"
        );
        assert_eq!(
            spoken(ms("2026-12-01T08:30:00Z"), "Europe/Paris", Language::English),
            "on 2026-12-01 at 9:30, Paris time"
        );
    }

    #[test]
    fn overseas_academies_have_their_own_zones() {
        let config = TimeConfig {
            zone: "Europe/Paris".into(),
            tenants: BTreeMap::from([("ac-reunion".into(), "Indian/Reunion".into())]),
        };
        assert!(config.validate().is_ok());
        assert_eq!(config.zone_name("ac-reunion"), "Indian/Reunion");
        assert_eq!(config.zone_name("ac-lyon"), "Europe/Paris");
        // 08:30 UTC is 12:30 in La Réunion (UTC+4, no daylight saving).
        assert_eq!(
            spoken(ms("2026-12-01T08:30:00Z"), config.zone_name("ac-reunion"), Language::French),
            "le 01/12/2026 à 12h30, heure de La Réunion"
        );
        let wrong = TimeConfig { zone: "Europe/Lutece".into(), tenants: BTreeMap::new() };
        assert!(wrong.validate().unwrap_err().contains("Europe/Lutece"));
    }
}
