//! The mail worker: sends the invitations and reminders of the
//! `mail_queue` table through the SMTP relay. Like the outbox worker, it
//! polls for rows due, claims each one (so that nodes sharing a database
//! never send the same e-mail together), sends it, and marks it `sent`
//! before anything else: a restart resumes with what is still pending and
//! sends nothing twice (a crash between the relay's acceptance and the mark
//! is the one window, and the stable Message-ID lets mail clients drop the
//! copy). A failure is retried with exponential backoff up to
//! `invitations.max_attempts`, then reported as `failed`; a reminder whose
//! session has started is `skipped`.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::ics::{self, Event, Person};
use super::mail::{self, Details, Lang, Mailer};
use crate::activity::breakout::BreakoutDefinition;
use crate::app::App;
use crate::store::MailRecord;

/// E-mails fetched per poll.
const BATCH: i64 = 50;
/// How long a claim holds (then another worker may take the row).
const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Runs until `stop` is cancelled. Does nothing without an SMTP host.
pub async fn run(app: Arc<App>, stop: CancellationToken) {
    let config = &app.config;
    if !config.smtp.is_enabled() {
        return;
    }
    let mailer = match Mailer::new(&config.smtp) {
        Ok(mailer) => mailer,
        Err(error) => {
            tracing::error!(%error, "cannot set up the SMTP relay: invitations will not be sent");
            return;
        }
    };
    tracing::info!(host = %config.smtp.host, port = config.smtp.port, "mail worker started");
    let poll = config.invitations.poll();
    while !stop.is_cancelled() {
        let now = now_ms();
        let due = match app.store.mails_due(now, BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "cannot read the mail queue");
                Vec::new()
            }
        };
        let idle = due.is_empty();
        for mail in due {
            if stop.is_cancelled() {
                break;
            }
            match app.store.claim_mail(&mail.id, now_ms(), now_ms() + CLAIM_MS).await {
                Ok(true) => process(&app, &mailer, mail).await,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, id = %mail.id, "cannot claim an e-mail"),
            }
        }
        if idle {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = stop.cancelled() => {}
            }
        }
    }
}

/// What happened to one e-mail.
enum Outcome {
    Sent,
    Skipped,
    Failed { permanent: bool, error: String },
}

async fn process(app: &App, mailer: &Mailer, mail: MailRecord) {
    let outcome = attempt(app, mailer, &mail).await;
    let store = &app.store;
    let recorded = match outcome {
        Outcome::Sent => {
            app.metrics.mails.with_label_values(&[mail.kind.as_str(), "sent"]).inc();
            store.mail_sent(&mail.id, now_ms()).await
        }
        Outcome::Skipped => {
            app.metrics.mails.with_label_values(&[mail.kind.as_str(), "skipped"]).inc();
            store.mail_skipped(&mail.id).await
        }
        Outcome::Failed { permanent, error } => {
            app.metrics.mails.with_label_values(&[mail.kind.as_str(), "failed"]).inc();
            let attempts = mail.attempts + 1;
            let last = attempts >= i64::from(app.config.invitations.max_attempts);
            let delay = crate::outbox::backoff_ms(mail.attempts, app.config.invitations.max_backoff_ms);
            tracing::warn!(id = %mail.id, kind = %mail.kind, attempts, permanent, last, %error, "an e-mail was not sent");
            store.mail_failed(&mail.id, now_ms() + delay as i64, &error, last).await
        }
    };
    if let Err(error) = recorded {
        tracing::warn!(%error, id = %mail.id, "cannot record an e-mail's outcome");
    }
}

async fn attempt(app: &App, mailer: &Mailer, mail: &MailRecord) -> Outcome {
    let failed = |error: String| Outcome::Failed { permanent: false, error };
    let store = &app.store;
    let (registration, schedule, room) = match (
        store.registration(mail.registration).await,
        store.schedule(mail.room).await,
        store.room(mail.room).await,
    ) {
        (Ok(Some(r)), Ok(Some(s)), Ok(Some(room))) => (r, s, room),
        (Ok(None), _, _) | (_, Ok(None), _) | (_, _, Ok(None)) => {
            return Outcome::Failed { permanent: true, error: "its registration or session is gone".into() };
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failed(e.to_string()),
    };
    let now = now_ms();
    if mail.kind == "reminder" && now >= schedule.starts_at {
        return Outcome::Skipped;
    }
    let invitations = &app.config.invitations;
    let code = room.join_code.clone().unwrap_or_default();
    let link = super::join_link(
        &app.keys,
        &invitations.public_url,
        &code,
        &registration,
        Some(&schedule),
        invitations.link_grace_hours,
    );
    let atelier_name = registration.atelier.as_ref().map(|id| {
        room.activity
            .as_deref()
            .and_then(|json| serde_json::from_str::<BreakoutDefinition>(json).ok())
            .and_then(|d| d.plan.ateliers.into_iter().find(|a| &a.id == id).map(|a| a.name))
            .unwrap_or_else(|| id.clone())
    });
    let details = Details {
        lang: Lang::from_code(&mail.lang),
        name: &registration.name,
        title: &room.title,
        starts_at: schedule.starts_at,
        duration_min: schedule.duration_min,
        link: &link,
        atelier: atelier_name.as_deref(),
        organizer: &schedule.organizer_name,
        zone: app.config.time.zone_name(&registration.tenant),
    };
    let domain = mailer.from().email.domain().to_string();
    let letter = if mail.kind == "invitation" {
        let event = Event {
            uid: format!("{}@{domain}", registration.id),
            stamp_ms: now,
            start_ms: schedule.starts_at,
            end_ms: schedule.ends_at(),
            zone: details.zone.to_string(),
            summary: room.title.clone(),
            description: details_description(&details),
            url: link.clone(),
            organizer: Person { name: schedule.organizer_name.clone(), email: mailer.from().email.to_string() },
            attendee: Person { name: registration.name.clone(), email: registration.email.clone() },
        };
        mail::invitation(&details, &registration.email, ics::write(&event))
    } else {
        mail::reminder(&details, &registration.email, mail.offset_s.unwrap_or(0))
    };
    let message = match mailer.message(&letter, &format!("<{}@{domain}>", mail.id)) {
        Ok(message) => message,
        Err(error) => return Outcome::Failed { permanent: error.permanent, error: error.message },
    };
    match mailer.send(message).await {
        Ok(()) => Outcome::Sent,
        Err(error) => Outcome::Failed { permanent: error.permanent, error: error.message },
    }
}

fn details_description(details: &Details<'_>) -> String {
    match details.lang {
        Lang::Fr => format!("Rejoindre la séance avec votre lien personnel\u{a0}: {}", details.link),
        Lang::En => format!("Join the session with your personal link: {}", details.link),
    }
}

fn now_ms() -> i64 {
    crate::hub::now_ms() as i64
}
