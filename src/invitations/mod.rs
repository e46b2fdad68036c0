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
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = text.get(19..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = padded.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && rest.is_ascii()
            && (rest.starts_with('+') || rest.starts_with('-'))
            && &rest[3..4] == ":" =>
        {
            let hours: i64 = rest[1..3].parse().ok()?;
            let minutes: i64 = rest[4..6].parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_s;
    Some(seconds * 1000 + millis)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of milliseconds since the epoch.
pub fn format_datetime(ms: i64) -> String {
    let (year, month, day, hour, minute, second) = civil(ms);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day, hour, minute, second) in UTC of milliseconds since the
/// epoch.
pub fn civil(ms: i64) -> (i64, i64, i64, i64, i64, i64) {
    let seconds = ms.div_euclid(1000);
    let (days, in_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, in_day / 3600, in_day % 3600 / 60, in_day % 60)
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
        for bad in ["", "2026-02-30T09:00:00Z", "2026-12-01 09:30", "2026-12-01T25:00:00Z", "2026-12-01T09:30:00+1"] {
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
