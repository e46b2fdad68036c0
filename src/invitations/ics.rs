//! A minimal RFC 5545 writer for the invitation's calendar event: one
//! VEVENT in a `METHOD:REQUEST` VCALENDAR, times in UTC, text values
//! escaped (`\`, `;`, `,`, newlines), every line ended by CRLF and folded
//! at 75 octets (never inside a UTF-8 character).

use super::civil;

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
    let (year, month, day, hour, minute, second) = civil(ms);
    format!("{year:04}{month:02}{day:02}T{hour:02}{minute:02}{second:02}Z")
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
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//amphi//invitations//FR".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:REQUEST".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape(&event.uid)),
        format!("DTSTAMP:{}", utc(event.stamp_ms)),
        format!("DTSTART:{}", utc(event.start_ms)),
        format!("DTEND:{}", utc(event.end_ms)),
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
    ];
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
        assert_eq!(get("DTSTART:"), "DTSTART:20261201T093000Z");
        assert_eq!(get("DTEND:"), "DTEND:20261201T110000Z");
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
