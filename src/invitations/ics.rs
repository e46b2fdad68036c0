//! A minimal RFC 5545 writer for the invitation's calendar event: one
//! VEVENT in a `METHOD:REQUEST` VCALENDAR, its start and end in the
//! session's time zone (`TZID`, with the `VTIMEZONE` that defines it: the
//! zone's offsets and changes around the event, from the IANA data), text
//! values escaped (`\`, `;`, `,`, newlines), every line ended by CRLF and
//! folded at 75 octets (never inside a UTF-8 character).

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A person in the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// The event of one invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable per registration: a calendar updates the same event when it
    /// receives it again.
    pub uid: String,
    /// When this copy was written (ms since the epoch).
    pub stamp_ms: i64,
    pub start_ms: i64,
    pub end_ms: i64,
    /// The IANA time zone the event's times are written in.
    pub zone: String,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub organizer: Person,
    pub attendee: Person,
}

/// The line-length limit of RFC 5545 §3.1, in octets, CRLF excluded.
const FOLD_AT: usize = 75;

/// `YYYYMMDDTHHMMSSZ`.
pub fn utc(ms: i64) -> String {
    timestamp(ms).strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `YYYYMMDDTHHMMSS` at `zone` (a local DATE-TIME, RFC 5545 §3.3.5 form 3).
pub fn local(ms: i64, zone: &TimeZone) -> String {
    timestamp(ms).to_zoned(zone.clone()).strftime("%Y%m%dT%H%M%S").to_string()
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `+HHMM` of an offset in seconds.
fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The `VTIMEZONE` of `name` for an event from `start_ms` to `end_ms`: one
/// `STANDARD` or `DAYLIGHT` block per offset change from a year before the
/// event to a year after it (or one block with the zone's only offset), so
/// that every calendar reads the event's local times right.
fn vtimezone(name: &str, zone: &TimeZone, start_ms: i64, end_ms: i64) -> Vec<String> {
    const YEAR_MS: i64 = 366 * 24 * 3600 * 1000;
    let from = timestamp(start_ms.saturating_sub(YEAR_MS));
    let until = timestamp(end_ms.saturating_add(YEAR_MS));
    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{name}")];
    let mut before = zone.to_offset_info(from);
    let mut blocks = 0;
    for transition in zone.following(from).take_while(|t| t.timestamp() <= until) {
        let after = zone.to_offset_info(transition.timestamp());
        let kind = if after.dst().is_dst() { "DAYLIGHT" } else { "STANDARD" };
        let local_start = transition.timestamp().to_zoned(TimeZone::fixed(before.offset()));
        lines.extend([
            format!("BEGIN:{kind}"),
            format!("DTSTART:{}", local_start.strftime("%Y%m%dT%H%M%S")),
            format!("TZOFFSETFROM:{}", offset(before.offset().seconds())),
            format!("TZOFFSETTO:{}", offset(after.offset().seconds())),
            format!("TZNAME:{}", after.abbreviation()),
            format!("END:{kind}"),
        ]);
        before = after;
        blocks += 1;
    }
    if blocks == 0 {
        let only = before.offset().seconds();
        lines.extend([
            "BEGIN:STANDARD".to_string(),
            "DTSTART:19700101T000000".to_string(),
            format!("TZOFFSETFROM:{}", offset(only)),
            format!("TZOFFSETTO:{}", offset(only)),
            format!("TZNAME:{}", before.abbreviation()),
            "END:STANDARD".to_string(),
        ]);
    }
    lines.push("END:VTIMEZONE".to_string());
    lines
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (`CN=`): quoted, without the characters a quoted
/// value cannot hold.
fn param(text: &str) -> String {
    let clean: String = text.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    format!("\"{clean}\"")
}

/// Appends `line` folded at 75 octets, with CRLF.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > FOLD_AT {
            out.push_str("\r\n ");
            width = 1; // the leading space counts
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The calendar file of `event`.
pub fn write(event: &Event) -> String {
    let zone = TimeZone::get(&event.zone).unwrap_or(TimeZone::UTC);
    let tzid = if TimeZone::get(&event.zone).is_ok() { event.zone.as_str() } else { "UTC" };
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//amphi//invitations//FR".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:REQUEST".into(),
    ];
    lines.extend(vtimezone(tzid, &zone, event.start_ms, event.end_ms));
    lines.extend([
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape(&event.uid)),
        format!("DTSTAMP:{}", utc(event.stamp_ms)),
        format!("DTSTART;TZID={tzid}:{}", local(event.start_ms, &zone)),
        format!("DTEND;TZID={tzid}:{}", local(event.end_ms, &zone)),
        "SEQUENCE:0".into(),
        "STATUS:CONFIRMED".into(),
        format!("SUMMARY:{}", escape(&event.summary)),
        format!("DESCRIPTION:{}", escape(&event.description)),
        format!("URL:{}", event.url),
        format!("ORGANIZER;CN={}:mailto:{}", param(&event.organizer.name), event.organizer.email),
        format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{}",
            param(&event.attendee.name),
            event.attendee.email
        ),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ]);
    let mut out = String::new();
    for line in &lines {
        push_folded(&mut out, line);
    }
    out
}

/// Undoes the folding (for tests and readers): the logical lines.
pub fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in text.split("\r\n") {
        match physical.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => {
                if let Some(last) = lines.last_mut() {
                    last.push_str(rest);
                }
            }
            _ if physical.is_empty() => {}
            _ => lines.push(physical.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            uid: "reg-1234@amphi".into(),
            stamp_ms: 1_795_000_000_000,
            start_ms: crate::invitations::parse_datetime("2026-12-01T09:30:00Z").unwrap(),
            end_ms: crate::invitations::parse_datetime("2026-12-01T11:00:00Z").unwrap(),
            zone: "Europe/Paris".into(),
            summary: "Ateliers du matin; groupe A, salle 2".into(),
            description: format!(
                "Rejoignez la séance : https://amphi.example/j/KM7R4P?token={}\nÀ bientôt",
                "x".repeat(200)
            ),
            url: format!("https://amphi.example/j/KM7R4P?token={}", "x".repeat(200)),
            organizer: Person { name: "Mme \"Leroy\"".into(), email: "no-reply@amphi.example".into() },
            attendee: Person { name: "Élise Martin".into(), email: "elise.martin@ac-lyon.fr".into() },
        }
    }

    #[test]
    fn lines_are_crlf_folded_at_75_octets() {
        let text = write(&event());
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "no bare LF");
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        assert!(text.contains("\r\n "), "long lines are folded");
    }

    #[test]
    fn unfolded_it_holds_the_event() {
        let lines = unfold(&write(&event()));
        let get = |name: &str| lines.iter().find(|l| l.starts_with(name)).cloned().unwrap_or_default();
        // 09:30 UTC on 1 December is 10:30 in Paris.
        assert_eq!(get("DTSTART;"), "DTSTART;TZID=Europe/Paris:20261201T103000");
        assert_eq!(get("DTEND;"), "DTEND;TZID=Europe/Paris:20261201T120000");
        assert_eq!(get("UID:"), "UID:reg-1234@amphi");
        assert_eq!(get("METHOD:"), "METHOD:REQUEST");
        assert_eq!(get("SUMMARY:"), "SUMMARY:Ateliers du matin\\; groupe A\\, salle 2");
        assert!(get("DESCRIPTION:").contains("\\nÀ bientôt"));
        assert_eq!(get("URL:"), format!("URL:https://amphi.example/j/KM7R4P?token={}", "x".repeat(200)));
        assert_eq!(get("ORGANIZER"), "ORGANIZER;CN=\"Mme Leroy\":mailto:no-reply@amphi.example");
        assert!(get("ATTENDEE").ends_with(":mailto:elise.martin@ac-lyon.fr"));
        assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    }

    #[test]
    fn the_time_zone_is_defined_with_its_changes_around_the_event() {
        // A session on Sunday 25 October 2026, the morning daylight saving ends.
        let mut on_the_change = event();
        on_the_change.start_ms = crate::invitations::parse_datetime("2026-10-25T08:30:00Z").unwrap();
        on_the_change.end_ms = on_the_change.start_ms + 90 * 60_000;
        let lines = unfold(&write(&on_the_change));
        let get = |name: &str| lines.iter().find(|l| l.starts_with(name)).cloned().unwrap_or_default();
        assert_eq!(get("DTSTART;"), "DTSTART;TZID=Europe/Paris:20261025T093000", "9:30 in Paris, winter time");
        let zone: Vec<&str> = lines
            .iter()
            .map(String::as_str)
            .skip_while(|l| *l != "BEGIN:VTIMEZONE")
            .take_while(|l| *l != "END:VTIMEZONE")
            .collect();
        assert_eq!(zone[1], "TZID:Europe/Paris");
        let change = zone.windows(4).find(|w| w[0] == "BEGIN:STANDARD" && w[1] == "DTSTART:20261025T030000");
        let change = change.expect("the change of 25 October 2026 at 03:00 local time");
        assert_eq!((change[2], change[3]), ("TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"));
        assert!(zone.contains(&"TZOFFSETTO:+0200"), "the spring change too");

        // A zone without daylight saving: one block with its offset.
        let mut reunion = event();
        reunion.zone = "Indian/Reunion".into();
        let lines = unfold(&write(&reunion));
        assert!(lines.contains(&"DTSTART;TZID=Indian/Reunion:20261201T133000".to_string()), "{lines:?}");
        assert!(lines.contains(&"TZOFFSETTO:+0400".to_string()));
        assert!(!lines.iter().any(|l| l == "BEGIN:DAYLIGHT"));
    }

    #[test]
    fn folding_never_splits_a_character() {
        let mut out = String::new();
        push_folded(&mut out, &format!("SUMMARY:{}", "é".repeat(100)));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75);
        }
        assert_eq!(unfold(&out), vec![format!("SUMMARY:{}", "é".repeat(100))]);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a\\b;c,d\r\ne\nf\u{7}"), "a\\\\b\\;c\\,d\\ne\\nf");
        assert_eq!(utc(0), "19700101T000000Z");
    }
}
