//! Grades back to the platform: a worker that takes the outbox's
//! `lti_score` rows (written with each completion change of a member who
//! came from a launch of the session's link, in the same transaction) and
//! POSTs each as an AGS score to the link's line item. A platform that is
//! down delays scores, never loses them (retried with backoff, for as long
//! as it takes); a 409 (the platform holds a newer score) settles the row.
//! The badges the completion earned ride along in the score's `comment`,
//! which Moodle shows the learner as the grade's feedback, with the address
//! of each credential.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::http::CallError;
use super::services::{SCOPE_LINEITEM, SCOPE_SCORE};
use super::{now_ms, platform_of_member, sub_of_member};
use crate::app::AppState;
use crate::store::OutboxRecord;

/// The outbox topic of scores for platforms.
pub const TOPIC: &str = "lti_score";
const BATCH: i64 = 100;

/// The completion an `lti_score` row announces.
#[derive(Debug, Deserialize)]
struct Completion {
    activity: uuid::Uuid,
    user: String,
    state: u8,
    score: u32,
    max_score: u32,
    updated_at: i64,
}

/// What became of one delivery.
enum Outcome {
    Delivered,
    /// Refused for good, or nothing to deliver to: kept with the reason.
    Settled(String),
    /// Try again later.
    Failed(String),
}

/// Runs until `stop` is cancelled.
pub async fn run(app: AppState, stop: CancellationToken) {
    let poll = Duration::from_millis(app.config.outbox.poll_ms);
    while !stop.is_cancelled() {
        let due = match app.store.outbox_due(TOPIC, now_ms(), BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "cannot read the outbox's scores");
                Vec::new()
            }
        };
        let idle = due.is_empty();
        for message in due {
            if stop.is_cancelled() {
                break;
            }
            let outcome = deliver(&app, &message).await;
            record(&app, &message, outcome).await;
        }
        if idle {
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = stop.cancelled() => {}
            }
        }
    }
}

async fn record(app: &AppState, message: &OutboxRecord, outcome: Outcome) {
    let metrics = &app.lti.metrics.scores;
    let recorded = match outcome {
        Outcome::Delivered => {
            metrics.with_label_values(&["delivered"]).inc();
            app.store.outbox_delivered(&message.id, now_ms()).await
        }
        Outcome::Settled(why) => {
            metrics.with_label_values(&["settled"]).inc();
            tracing::info!(id = %message.id, %why, "score settled without delivery");
            app.store.outbox_settled(&message.id, now_ms(), &why).await
        }
        Outcome::Failed(error) => {
            metrics.with_label_values(&["failed"]).inc();
            let delay = crate::outbox::backoff_ms(message.attempts.into(), app.config.lti.max_backoff_ms);
            tracing::debug!(id = %message.id, %error, delay_ms = delay, "score delivery failed");
            app.store.outbox_failed(&message.id, now_ms() + delay as i64, &error).await
        }
    };
    if let Err(error) = recorded {
        tracing::warn!(%error, id = %message.id, "cannot record a score delivery");
    }
}

async fn deliver(app: &AppState, message: &OutboxRecord) -> Outcome {
    let completion: Completion = match serde_json::from_str(&message.payload) {
        Ok(completion) => completion,
        Err(error) => return Outcome::Settled(format!("unreadable payload: {error}")),
    };
    let (Some(platform_id), Some(sub)) = (platform_of_member(&completion.user), sub_of_member(&completion.user)) else {
        return Outcome::Settled("not a platform's user".into());
    };
    let platform = match app.store.lti_platform(platform_id).await {
        Ok(Some(platform)) => platform,
        Ok(None) => return Outcome::Settled("the platform was removed".into()),
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let links = match app.store.lti_links_of_room(completion.activity).await {
        Ok(links) => links,
        Err(error) => return Outcome::Failed(error.to_string()),
    };
    let Some(mut link) = links.into_iter().find(|l| l.platform_id == platform.id) else {
        return Outcome::Settled("no link of this platform opens the session".into());
    };
    let lti = &app.lti;
    let lineitem = match (&link.lineitem_url, &link.lineitems_url) {
        (Some(lineitem), _) => lineitem.clone(),
        (None, Some(lineitems)) => {
            // A link made without a line item: make one for it, once.
            let token = match lti.services.token(&lti.keys, &platform, SCOPE_LINEITEM).await {
                Ok(token) => token,
                Err(error) => return failure(app, &platform.id, error),
            };
            let item = json!({
                "scoreMaximum": 100,
                "label": link.title,
                "resourceLinkId": link.resource_link_id,
                "resourceId": link.room_id.to_string(),
                "tag": "amphi",
            });
            match lti.services.create_lineitem(&token, lineitems, &item).await {
                Ok(url) => {
                    link.lineitem_url = Some(url.clone());
                    if let Err(error) = app.store.upsert_lti_link(&link).await {
                        return Outcome::Failed(error.to_string());
                    }
                    url
                }
                Err(error) => return failure(app, &platform.id, error),
            }
        }
        (None, None) => return Outcome::Settled("the link has no grade (no line item service)".into()),
    };
    let token = match lti.services.token(&lti.keys, &platform, SCOPE_SCORE).await {
        Ok(token) => token,
        Err(error) => return failure(app, &platform.id, error),
    };
    let mut score = score_of(&completion, sub);
    match badges_comment(app, &platform.tenant, &completion).await {
        Ok(Some(comment)) => score["comment"] = json!(comment),
        Ok(None) => {}
        Err(error) => return Outcome::Failed(error.to_string()),
    }
    match lti.services.post_score(&token, &lineitem, &score).await {
        Ok(()) => Outcome::Delivered,
        Err(error) => failure(app, &platform.id, error),
    }
}

/// A failed call: 409 settles (a newer score is there), other 4xx but
/// 401/403/408/429 are refusals for good; the rest is retried.
fn failure(app: &AppState, platform_id: &str, error: CallError) -> Outcome {
    match error.status() {
        Some(409) => Outcome::Settled(format!("the platform holds a newer score: {error}")),
        Some(401 | 403) => {
            app.lti.services.forget_tokens(platform_id);
            Outcome::Failed(error.to_string())
        }
        Some(408 | 429) => Outcome::Failed(error.to_string()),
        Some(status) if (400..500).contains(&status) => Outcome::Settled(format!("refused: {error}")),
        _ => Outcome::Failed(error.to_string()),
    }
}

/// The badges `c` earned (its activity's, or a series' it belongs to), in
/// French as the certificates are: "Badge obtenu : Réussite —
/// https://…/badges/credentials/…", the address only when amphi's public
/// URL is configured (a credential keeps the URL it was first served at:
/// this worker has no request to take it from). Awarded in the
/// completion's transaction, they are stored before its score is sent.
async fn badges_comment(
    app: &AppState,
    tenant: &str,
    c: &Completion,
) -> Result<Option<String>, crate::store::StoreError> {
    let base = crate::badges::configured_base_url(app);
    let mut lines = Vec::new();
    for award in app.store.awards_of_recipient(tenant, &c.user).await? {
        let Some(badge) = app.store.badge(award.badge).await? else { continue };
        let ours = badge.activity == c.activity || app.store.badge_series(badge.id).await?.contains(&c.activity);
        if ours && award.revoked_at.is_none() {
            let url = base.as_deref().map(|base| crate::badges::Urls(base).credential(award.id));
            lines.push(comment_line(&badge.name, url.as_deref()));
        }
    }
    Ok((!lines.is_empty()).then(|| lines.join("\n")))
}

/// One badge in a score's comment.
fn comment_line(badge: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("Badge obtenu\u{a0}: {badge} — {url}"),
        None => format!("Badge obtenu\u{a0}: {badge}"),
    }
}

/// The AGS score of a completion. A completion without points (a board's
/// posting requirement) counts 1 of 1 once complete.
fn score_of(c: &Completion, sub: &str) -> Value {
    let (given, maximum) = if c.max_score == 0 { (u32::from(c.state != 0), 1) } else { (c.score, c.max_score) };
    let timestamp = jiff::Timestamp::from_millisecond(c.updated_at).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    json!({
        "userId": sub,
        "scoreGiven": given,
        "scoreMaximum": maximum,
        "activityProgress": if c.state == 0 { "InProgress" } else { "Completed" },
        "gradingProgress": "FullyGraded",
        "timestamp": timestamp.round(jiff::Unit::Millisecond).map(|t| t.to_string()).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion(state: u8, score: u32, max_score: u32) -> Completion {
        Completion {
            activity: uuid::Uuid::nil(),
            user: "lti:p:4".into(),
            state,
            score,
            max_score,
            updated_at: 1_796_191_745_123,
        }
    }

    #[test]
    fn a_badge_is_named_in_the_comment_with_its_address_when_known() {
        assert_eq!(
            comment_line("Réussite", Some("https://amphi.ac-lyon.fr/badges/credentials/1")),
            "Badge obtenu\u{a0}: Réussite — https://amphi.ac-lyon.fr/badges/credentials/1"
        );
        assert_eq!(comment_line("Réussite", None), "Badge obtenu\u{a0}: Réussite");
    }

    #[test]
    fn a_quiz_score_is_sent_fully_graded_with_its_time() {
        let score = score_of(&completion(2, 870, 1000), "4");
        assert_eq!(score["userId"], "4");
        assert_eq!(score["scoreGiven"], 870);
        assert_eq!(score["scoreMaximum"], 1000);
        assert_eq!(score["activityProgress"], "Completed");
        assert_eq!(score["gradingProgress"], "FullyGraded");
        assert_eq!(score["timestamp"], "2026-12-02T06:09:05.123Z");
    }

    #[test]
    fn a_completion_without_points_counts_one_of_one() {
        assert_eq!(score_of(&completion(1, 0, 0), "4")["scoreGiven"], 1);
        assert_eq!(score_of(&completion(0, 0, 0), "4")["scoreGiven"], 0);
        assert_eq!(score_of(&completion(0, 0, 0), "4")["activityProgress"], "InProgress");
    }
}
