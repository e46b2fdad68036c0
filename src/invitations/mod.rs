//! Registrations ahead of a session and their e-mails: the CSV import of
//! participants ([`csv`]), their personal join links (a participant token
//! scoped to the room, valid until a while after the session), the
//! invitation with its calendar event ([`ics`], [`mail`]) and the reminders,
//! sent through an SMTP relay by a background worker ([`worker`]) from the
//! durable `mail_queue` table.

pub mod csv;
pub mod ics;
pub mod mail;
pub mod worker;

use std::time::Duration;

use amphi_protocol::Role;
use serde::Deserialize;

use crate::auth::{Claims, Keys, unix_seconds};
use crate::store::{RegistrationRecord, ScheduleRecord};

/// How long a join link stays valid when the session has no schedule yet.
pub const UNSCHEDULED_LINK_DAYS: u64 = 30;

/// How the SMTP relay is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a relay on localhost or a trusted network).
    None,
    /// Plain text upgraded with STARTTLS (port 587), required.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// `[smtp]`: the relay e-mails go through.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: String,
    pub from: String,
    pub timeout_ms: u64,
}

impl SmtpConfig {
    /// Whether e-mails can be sent (a host is set).
    pub fn is_enabled(&self) -> bool {
        !self.host.trim().is_empty()
    }

    pub fn validate(&self) -> Result<(), String> {
        if !self.is_enabled() {
            return Ok(());
        }
        if self.port == 0 || self.timeout_ms == 0 {
            return Err("port and timeout_ms must be positive".into());
        }
        self.from.parse::<lettre::message::Mailbox>().map_err(|e| format!("from {:?}: {e}", self.from))?;
        if self.username.is_empty() != self.password.is_empty() {
            return Err("username and password go together".into());
        }
        Ok(())
    }
}

/// `[invitations]`: join links, reminders and the mail worker.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationsConfig {
    pub public_url: String,
    pub reminders: Vec<ReminderOffset>,
    pub link_grace_hours: u64,
    pub max_registrations: usize,
    pub poll_ms: u64,
    pub max_attempts: u32,
    pub max_backoff_ms: u64,
}

/// A reminder's offset before the start: a duration (`"24h"`, `"90m"`,
/// `"30s"`) or a number of minutes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ReminderOffset {
    Minutes(u64),
    Text(String),
}

impl ReminderOffset {
    /// The offset in seconds.
    pub fn seconds(&self) -> Result<u64, String> {
        match self {
            ReminderOffset::Minutes(minutes) => Ok(minutes.saturating_mul(60)),
            ReminderOffset::Text(text) => humantime::parse_duration(text.trim())
                .map(|d| d.as_secs())
                .map_err(|e| format!("{text:?} is not a duration like \"24h\" or \"30m\": {e}")),
        }
    }
}

impl InvitationsConfig {
    pub fn validate(&self) -> Result<(), String> {
        let url = self.public_url.trim_end_matches('/');
        if !url.is_empty() && !["http://", "https://"].iter().any(|p| url.starts_with(p)) {
            return Err("public_url must start with http:// or https://".into());
        }
        if self.reminders.len() > 5 {
            return Err("at most 5 reminders".into());
        }
        for reminder in &self.reminders {
            let seconds = reminder.seconds()?;
            if seconds == 0 || seconds > 60 * 24 * 3600 {
                return Err("each reminder is 1 second to 60 days before the start".into());
            }
        }
        if self.max_registrations == 0 || self.poll_ms == 0 || self.max_attempts == 0 || self.max_backoff_ms < 1000 {
            return Err(
                "max_registrations, poll_ms and max_attempts must be positive, max_backoff_ms at least 1000".into()
            );
        }
        Ok(())
    }

    /// The reminders' offsets in seconds (validated at start).
    pub fn reminder_offsets_s(&self) -> Vec<i64> {
        self.reminders.iter().filter_map(|r| r.seconds().ok()).map(|s| i64::try_from(s).unwrap_or(i64::MAX)).collect()
    }

    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.poll_ms)
    }
}

/// A registrant's personal join link: `{public_url}/j/{code}?token=…`
/// (relative when no public URL is configured). The token names the
/// registrant as a participant of that room only, and expires
/// `grace_hours` after the session's end (or [`UNSCHEDULED_LINK_DAYS`]
/// from now while the session has no schedule).
pub fn join_link(
    keys: &Keys,
    public_url: &str,
    join_code: &str,
    registration: &RegistrationRecord,
    schedule: Option<&ScheduleRecord>,
    grace_hours: u64,
) -> String {
    let now = unix_seconds();
    let exp = match schedule {
        Some(schedule) => {
            let end = u64::try_from(schedule.ends_at() / 1000).unwrap_or(0);
            end.saturating_add(grace_hours.saturating_mul(3600)).max(now + 3600)
        }
        None => now + UNSCHEDULED_LINK_DAYS * 24 * 3600,
    };
    let claims = Claims {
        sub: registration.member.clone(),
        name: registration.name.clone(),
        tenant: registration.tenant.clone(),
        role: Role::Participant,
        exp,
        iat: now,
        room: Some(registration.room),
        // Registrants are people from outside, like guests: their names are
        // purged after the guests' retention period.
        guest: true,
    };
    format!("{}/j/{join_code}?token={}", public_url.trim_end_matches('/'), keys.sign(&claims))
}

/// Parses an RFC 3339 date-time (`2026-12-01T09:30:00Z`,
/// `2026-12-01T10:30:00+01:00`, fractions of a second allowed) to
/// milliseconds since the Unix epoch.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let text = text.trim();
    // RFC 3339 only: a date, `T`, a time and an offset.
    if text.len() < 20 || !matches!(text.as_bytes()[10], b'T' | b't') {
        return None;
    }
    text.parse::<jiff::Timestamp>().ok().map(|at| at.as_millisecond())
}

/// `YYYY-MM-DDTHH:MM:SSZ` of milliseconds since the epoch.
pub fn format_datetime(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_round_trip_through_utc() {
        let ms = parse_datetime("2026-12-01T09:30:00Z").unwrap();
        assert_eq!(format_datetime(ms), "2026-12-01T09:30:00Z");
        assert_eq!(parse_datetime("2026-12-01T10:30:00+01:00"), Some(ms));
        assert_eq!(parse_datetime("2026-12-01T09:30:00.250Z"), Some(ms + 250));
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(format_datetime(parse_datetime("2024-02-29T23:59:59Z").unwrap()), "2024-02-29T23:59:59Z");
        for bad in [
            "",
            "2026-02-30T09:00:00Z",
            "2026-12-01 09:30",
            "2026-12-01T25:00:00Z",
            "2026-12-01T09:30:00+1",
            "2026-12-01T09:30:00",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn reminder_offsets_read_durations_and_minutes() {
        assert_eq!(ReminderOffset::Text("24h".into()).seconds(), Ok(86_400));
        assert_eq!(ReminderOffset::Text("90s".into()).seconds(), Ok(90));
        assert_eq!(ReminderOffset::Minutes(60).seconds(), Ok(3600));
        assert!(ReminderOffset::Text("soon".into()).seconds().is_err());
    }
}
