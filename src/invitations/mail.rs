//! The e-mails: an invitation (text and HTML alternatives with the personal
//! join link, and the `.ics` calendar event as a `text/calendar;
//! method=REQUEST` attachment) or a reminder, in French (default) or
//! English, and the SMTP relay they are sent through (lettre, tokio,
//! rustls).

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{SmtpConfig, SmtpTls};
use crate::local_time::{Language, spoken};

/// The language of an e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// `en` → English; anything else → French.
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") { Lang::En } else { Lang::Fr }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// What an e-mail says, before it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The calendar event (invitations).
    pub ics: Option<String>,
}

/// What a letter is about.
#[derive(Debug, Clone)]
pub struct Details<'a> {
    pub lang: Lang,
    pub name: &'a str,
    pub title: &'a str,
    pub starts_at: i64,
    pub duration_min: i64,
    pub link: &'a str,
    pub atelier: Option<&'a str>,
    pub organizer: &'a str,
    /// The session's time zone (its tenant's), an IANA name.
    pub zone: &'a str,
}

/// The session's start as the reader's clock says it.
fn when(d: &Details<'_>) -> String {
    let language = match d.lang {
        Lang::Fr => Language::French,
        Lang::En => Language::English,
    };
    spoken(d.starts_at, d.zone, language)
}

/// `1 h 30`, `2 days`… of seconds, for a reminder's subject.
fn span(lang: Lang, seconds: i64) -> String {
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    let mut parts = Vec::new();
    let unit = |n: i64, fr: &str, en: &str| match lang {
        Lang::Fr => format!("{n} {fr}{}", if n > 1 && !fr.ends_with('s') { "s" } else { "" }),
        Lang::En => format!("{n} {en}{}", if n > 1 { "s" } else { "" }),
    };
    if days > 0 {
        parts.push(unit(days, "jour", "day"));
    }
    if hours > 0 {
        parts.push(unit(hours, "heure", "hour"));
    }
    if minutes > 0 || parts.is_empty() {
        parts.push(unit(minutes.max(1), "minute", "minute"));
    }
    parts.join(" ")
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The text and HTML bodies of the paragraphs given.
fn bodies(paragraphs: &[String], link: &str, button: &str) -> (String, String) {
    let text = paragraphs.join("\n\n");
    let mut html = String::from("<!DOCTYPE html><html><body>");
    for paragraph in paragraphs {
        if paragraph == link {
            html.push_str(&format!("<p><a href=\"{}\">{}</a></p>", html_escape(link), html_escape(button)));
        } else {
            html.push_str(&format!("<p>{}</p>", html_escape(paragraph).replace('\n', "<br>")));
        }
    }
    html.push_str("</body></html>");
    (text, html)
}

/// An invitation (the calendar event is added by the caller).
pub fn invitation(d: &Details<'_>, to_email: &str, ics: String) -> Letter {
    let at = when(d);
    let paragraphs: Vec<String> = match d.lang {
        Lang::Fr => {
            let mut p = vec![
                format!("Bonjour {},", d.name),
                format!(
                    "{} vous invite à la séance «\u{a0}{}\u{a0}», {at}, pour {} minutes.",
                    d.organizer, d.title, d.duration_min
                ),
            ];
            if let Some(atelier) = d.atelier {
                p.push(format!("Vous participerez à l’atelier «\u{a0}{atelier}\u{a0}»."));
            }
            p.push("Le jour venu, rejoignez la séance avec votre lien personnel (ne le transmettez pas)\u{a0}:".into());
            p.push(d.link.to_string());
            p.push("L’événement est joint pour votre agenda.".into());
            p
        }
        Lang::En => {
            let mut p = vec![
                format!("Hello {},", d.name),
                format!(
                    "{} invites you to the session \"{}\" {at}, for {} minutes.",
                    d.organizer, d.title, d.duration_min
                ),
            ];
            if let Some(atelier) = d.atelier {
                p.push(format!("You will take part in the atelier \"{atelier}\"."));
            }
            p.push("On the day, join with your personal link (do not share it):".into());
            p.push(d.link.to_string());
            p.push("The event is attached for your calendar.".into());
            p
        }
    };
    let (subject, button) = match d.lang {
        Lang::Fr => (format!("Invitation\u{a0}: {}", d.title), "Rejoindre la séance"),
        Lang::En => (format!("Invitation: {}", d.title), "Join the session"),
    };
    let (text, html) = bodies(&paragraphs, d.link, button);
    Letter { to_name: d.name.into(), to_email: to_email.into(), subject, text, html, ics: Some(ics) }
}

/// A reminder sent `before_s` seconds before the start.
pub fn reminder(d: &Details<'_>, to_email: &str, before_s: i64) -> Letter {
    let at = when(d);
    let soon = span(d.lang, before_s);
    let (subject, paragraphs, button) = match d.lang {
        Lang::Fr => (
            format!("Rappel\u{a0}: «\u{a0}{}\u{a0}» commence dans {soon}", d.title),
            vec![
                format!("Bonjour {},", d.name),
                format!("La séance «\u{a0}{}\u{a0}» commence {at}.", d.title),
                "Rejoignez-la avec votre lien personnel\u{a0}:".into(),
                d.link.to_string(),
            ],
            "Rejoindre la séance",
        ),
        Lang::En => (
            format!("Reminder: \"{}\" starts in {soon}", d.title),
            vec![
                format!("Hello {},", d.name),
                format!("The session \"{}\" starts {at}.", d.title),
                "Join with your personal link:".into(),
                d.link.to_string(),
            ],
            "Join the session",
        ),
    };
    let (text, html) = bodies(&paragraphs, d.link, button);
    Letter { to_name: d.name.into(), to_email: to_email.into(), subject, text, html, ics: None }
}

/// A failed send: whether the relay refused for good (5xx) and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

/// The SMTP relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `config` (enabled and validated).
    pub fn new(config: &SmtpConfig) -> Result<Mailer, String> {
        let host = config.host.trim();
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(|e| e.to_string())?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| e.to_string())?,
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_millis(config.timeout_ms)));
        if !config.username.is_empty() {
            builder = builder.credentials(Credentials::new(config.username.clone(), config.password.clone()));
        }
        let from = config.from.parse::<Mailbox>().map_err(|e| format!("smtp.from: {e}"))?;
        Ok(Mailer { transport: builder.build(), from })
    }

    /// The sender's address.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Encodes `letter` with the stable `message_id` (`<…@…>`).
    pub fn message(&self, letter: &Letter, message_id: &str) -> Result<Message, SendError> {
        let permanent = |message: String| SendError { permanent: true, message };
        let to = Mailbox::new(
            Some(letter.to_name.clone()),
            letter.to_email.parse().map_err(|e| permanent(format!("recipient {:?}: {e}", letter.to_email)))?,
        );
        let alternative = MultiPart::alternative()
            .singlepart(SinglePart::plain(letter.text.clone()))
            .singlepart(SinglePart::html(letter.html.clone()));
        let body = match &letter.ics {
            Some(ics) => {
                let calendar = ContentType::parse("text/calendar; charset=utf-8; method=REQUEST")
                    .map_err(|e| permanent(e.to_string()))?;
                MultiPart::mixed()
                    .multipart(alternative)
                    .singlepart(Attachment::new("invitation.ics".into()).body(ics.clone(), calendar))
            }
            None => alternative,
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject.clone())
            .message_id(Some(message_id.to_string()))
            .multipart(body)
            .map_err(|e| permanent(e.to_string()))
    }

    /// Sends one message through the relay.
    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| SendError { permanent: e.is_permanent(), message: e.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(lang: Lang) -> Details<'static> {
        Details {
            lang,
            name: "Élise <Martin>",
            title: "Ateliers du matin",
            starts_at: crate::invitations::parse_datetime("2026-12-01T09:30:00Z").unwrap(),
            duration_min: 90,
            link: "https://amphi.example/j/KM7R4P?token=abc",
            atelier: Some("Atelier 1"),
            organizer: "Mme Leroy",
            zone: "Europe/Paris",
        }
    }

    #[test]
    fn invitations_speak_french_by_default_and_english_on_request() {
        let fr = invitation(&details(Lang::from_code("fr")), "e@x.fr", "ICS".into());
        assert_eq!(fr.subject, "Invitation\u{a0}: Ateliers du matin");
        // 09:30 UTC on 1 December is 10:30 in Paris (winter time).
        assert!(fr.text.contains("le 01/12/2026 à 10h30, heure de Paris"), "{}", fr.text);
        assert!(fr.text.contains("https://amphi.example/j/KM7R4P?token=abc"));
        assert!(fr.text.contains("Atelier 1"));
        assert!(fr.html.contains("Élise &lt;Martin&gt;"), "HTML is escaped: {}", fr.html);
        let en = invitation(&details(Lang::from_code("EN")), "e@x.fr", "ICS".into());
        assert!(en.text.contains("on 2026-12-01 at 10:30, Paris time"), "{}", en.text);
        let reminder = reminder(&details(Lang::Fr), "e@x.fr", 3600);
        assert_eq!(reminder.subject, "Rappel\u{a0}: «\u{a0}Ateliers du matin\u{a0}» commence dans 1 heure");
        assert!(reminder.ics.is_none());
    }

    #[test]
    fn spans_read_well() {
        assert_eq!(span(Lang::Fr, 86_400), "1 jour");
        assert_eq!(span(Lang::En, 90 * 60), "1 hour 30 minutes");
        assert_eq!(span(Lang::Fr, 5), "1 minute");
    }

    #[test]
    fn messages_are_multipart_with_the_calendar() {
        let config = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            username: String::new(),
            password: String::new(),
            from: "amphi <no-reply@amphi.example>".into(),
            timeout_ms: 1000,
        };
        let mailer = Mailer::new(&config).unwrap();
        let letter = invitation(&details(Lang::Fr), "elise@ac-lyon.fr", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into());
        let raw = String::from_utf8(mailer.message(&letter, "<m1@amphi>").unwrap().formatted()).unwrap();
        assert!(raw.contains("multipart/mixed"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/calendar; charset=utf-8; method=REQUEST"));
        assert!(raw.contains("Message-ID: <m1@amphi>"));
        let bad = Letter { to_email: "not an address".into(), ..letter };
        assert!(mailer.message(&bad, "<m2@amphi>").unwrap_err().permanent);
    }
}
