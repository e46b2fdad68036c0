//! Recognition: Open Badges 3.0 credentials and certificates of
//! participation, issued when a completion meets a badge's rule (the award
//! is written by the store in the completion's transaction:
//! `src/store/badges.rs`). This module signs and publishes them: the
//! issuers' keys (`keys.rs`), the credential and its verification
//! (`credential.rs`), the revocation list (`status.rs`), the PDF
//! (`pdf.rs`), what the recipient made that backs it up (`evidence.rs`),
//! the trainers' REST API (`api.rs`) and the public URLs a credential
//! names (`routes.rs`).

pub mod api;
pub mod config;
pub mod credential;
pub mod evidence;
pub mod keys;
pub mod ob2;
pub mod pdf;
pub mod routes;
pub mod status;

use serde_json::Value;
use uuid::Uuid;

use crate::app::AppState;
use crate::store::{AwardRecord, BadgeRecord, StoreError};
use credential::{Achievement, Awarded, Evidence, Issuer, Verdict};

pub use config::BadgesConfig;

/// Why a credential could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum BadgeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error("badge credential: {0}")]
    Sign(String),
}

/// The base of the URLs credentials name: `badges.public_url`, else LTI's
/// (or the invitations') public URL, else the request's host.
pub fn base_url(app: &AppState, headers: &axum::http::HeaderMap) -> String {
    configured_base_url(app).unwrap_or_else(|| crate::lti::public_url(app, headers))
}

/// The base of the URLs credentials name when it is configured
/// (`badges.public_url`, else LTI's or the invitations' public URL): what a
/// task without a request (the grades worker) may name.
pub fn configured_base_url(app: &AppState) -> Option<String> {
    [&app.config.badges.public_url, &app.config.lti.public_url, &app.config.invitations.public_url]
        .into_iter()
        .find(|url| !url.is_empty())
        .map(|url| url.trim_end_matches('/').to_string())
}

/// A path segment, percent-encoded.
fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The URLs of one base.
pub struct Urls<'a>(pub &'a str);

impl Urls<'_> {
    pub fn issuer(&self, tenant: &str) -> String {
        format!("{}/badges/issuers/{}", self.0, segment(tenant))
    }
    pub fn jwks(&self, tenant: &str) -> String {
        format!("{}/jwks", self.issuer(tenant))
    }
    pub fn revocations(&self, tenant: &str) -> String {
        format!("{}/revocations", self.issuer(tenant))
    }
    pub fn achievement(&self, badge: Uuid) -> String {
        format!("{}/badges/achievements/{badge}", self.0)
    }
    pub fn image(&self, badge: Uuid) -> String {
        format!("{}/image", self.achievement(badge))
    }
    pub fn credential(&self, award: Uuid) -> String {
        format!("{}/badges/credentials/{award}", self.0)
    }
    pub fn evidence(&self, award: Uuid) -> String {
        format!("{}/evidence", self.credential(award))
    }
}

/// The tenant's issuer profile at `base`.
pub fn issuer(app: &AppState, base: &str, tenant: &str) -> Issuer {
    let profile = app.config.badges.issuer(tenant);
    Issuer { id: Urls(base).issuer(tenant), name: profile.name, url: profile.url, email: profile.email }
}

/// The badge as an OB 3.0 achievement at `base`.
pub fn achievement(base: &str, badge: &BadgeRecord) -> Achievement {
    Achievement {
        id: Urls(base).achievement(badge.id),
        name: badge.name.clone(),
        description: badge.description.clone(),
        criteria: badge.criteria.clone(),
        image: badge.image.as_ref().map(|_| Urls(base).image(badge.id)),
    }
}

/// The recipient's e-mail when the award can be an Open Badges 2.0
/// assertion: the platform gave one at launch, and the badge's image is a
/// PNG (the one format both baked and read by every 2.0 backpack).
pub async fn ob2_email(app: &AppState, award: &AwardRecord, badge: &BadgeRecord) -> Result<Option<String>, StoreError> {
    if !has_png_image(app, badge).await {
        return Ok(None);
    }
    app.store.email_of(&award.tenant, &award.recipient).await
}

/// Whether the badge's image is a PNG (what OB 2.0 bakes).
pub async fn has_png_image(app: &AppState, badge: &BadgeRecord) -> bool {
    let Some(blob) = &badge.image else { return false };
    app.blobs.meta(blob).await.is_some_and(|meta| meta.content_type == "image/png")
}

/// The award's signed credential: the one kept, or signed now and kept
/// (the first one signed stays: every later download is the same file).
pub async fn signed_credential(
    app: &AppState,
    base: &str,
    award: &AwardRecord,
    badge: &BadgeRecord,
) -> Result<String, BadgeError> {
    if let Some(jwt) = &award.credential {
        return Ok(jwt.clone());
    }
    let urls = Urls(base);
    let issuer = issuer(app, base, &award.tenant);
    let awarded = Awarded {
        id: urls.credential(award.id),
        recipient: award.recipient.clone(),
        salt: award.salt.clone(),
        issued_at: award.issued_at,
        expires_at: award.expires_at,
        status_list: urls.revocations(&award.tenant),
        status_index: award.status_index,
        score: (award.max_score > 0 && badge.rule != "attendance").then_some((award.score, award.max_score)),
        evidence: evidence_of(app, &urls, award, badge).await?,
    };
    let unsigned = credential::credential(&issuer, &achievement(base, badge), &awarded);
    let key = app.badge_keys.get(&award.tenant)?;
    let jwt = credential::sign(&unsigned, &key, &urls.jwks(&award.tenant)).map_err(BadgeError::Sign)?;
    Ok(app.store.keep_credential(award.id, &jwt).await?)
}

/// What backs an award up, in French as the certificate says it: the
/// activity (or each of a series), the score when the rule counts one,
/// the time present, and a link to each thing the recipient made (their
/// board posts, their ateliers' productions) on the evidence page.
async fn evidence_of(
    app: &AppState,
    urls: &Urls<'_>,
    award: &AwardRecord,
    badge: &BadgeRecord,
) -> Result<Vec<Evidence>, StoreError> {
    let mut evidence = Vec::new();
    let series = app.store.badge_series(badge.id).await?;
    let activities = if series.is_empty() { vec![badge.activity] } else { series };
    for activity in activities {
        if let Some(room) = app.store.room(activity).await? {
            let narrative = format!("«\u{a0}{}\u{a0}»", room.title);
            evidence.push(Evidence { name: "Activité terminée".into(), narrative, id: None });
        }
    }
    if award.max_score > 0 && badge.rule != "attendance" {
        let narrative = format!("{}\u{a0}/\u{a0}{}\u{a0}points", award.score, award.max_score);
        evidence.push(Evidence { name: "Résultat".into(), narrative, id: None });
    }
    let minutes = award.attended_ms / 60_000;
    if minutes > 0 {
        let narrative = format!("{minutes}\u{a0}minute{} de présence", if minutes > 1 { "s" } else { "" });
        evidence.push(Evidence { name: "Présence".into(), narrative, id: None });
    }
    let page = urls.evidence(award.id);
    for made in evidence::contributions(app, award, badge).await? {
        let id = Some(format!("{page}#{}", made.anchor));
        evidence.push(Evidence { name: made.evidence_name(), narrative: made.narrative(), id });
    }
    Ok(evidence)
}

/// The award a credential of this server names, from its `id`.
fn award_id(base: &str, credential: &Value) -> Option<Uuid> {
    let id = credential.get("id")?.as_str()?;
    Uuid::parse_str(id.strip_prefix(&format!("{base}/badges/credentials/"))?).ok()
}

/// Verifies a VC-JWT at `now`: the issuer must be one of this server's
/// tenants at `base`, the signature its key's, the credential in force and
/// not revoked.
pub async fn verify_jwt(app: &AppState, base: &str, jwt: &str, now: i64) -> (Verdict, Option<Value>) {
    let credential = match credential::read_unverified(jwt) {
        Ok((_, credential)) => credential,
        Err(verdict) => return (verdict, None),
    };
    let issuer_id = credential
        .pointer("/issuer/id")
        .or_else(|| credential.get("issuer"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let prefix = format!("{base}/badges/issuers/");
    let Some(tenant) = issuer_id.strip_prefix(&prefix).map(|t| {
        url::form_urlencoded::parse(format!("t={t}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    }) else {
        let reason = format!("the issuer {issuer_id:?} is not an issuer of this server ({prefix}…)");
        return (Verdict::UnknownIssuer { reason }, Some(credential));
    };
    let key = match app.badge_keys.get(&tenant) {
        Ok(key) => key,
        Err(error) => {
            tracing::error!(%error, "badge issuer key unavailable");
            let reason = "the issuer's key is unavailable".to_string();
            return (Verdict::UnknownIssuer { reason }, Some(credential));
        }
    };
    let (verdict, credential) = credential::verify(jwt, &key, now);
    if !verdict.is_valid() {
        return (verdict, credential);
    }
    revocation(app, base, &tenant, verdict, credential).await
}

/// A valid credential's verdict once its revocation is checked.
async fn revocation(
    app: &AppState,
    base: &str,
    tenant: &str,
    verdict: Verdict,
    credential: Option<Value>,
) -> (Verdict, Option<Value>) {
    let Some(id) = credential.as_ref().and_then(|c| award_id(base, c)) else { return (verdict, credential) };
    match app.store.award(id).await {
        Ok(Some(award)) if award.tenant == tenant && award.revoked_at.is_some() => {
            let when = credential::rfc3339(award.revoked_at.unwrap_or_default());
            let reason = format!(
                "revoked by its issuer on {when}: {}",
                award.revocation_reason.as_deref().unwrap_or("no reason given")
            );
            (Verdict::Revoked { reason }, credential)
        }
        Ok(_) => (verdict, credential),
        Err(error) => {
            tracing::error!(%error, "revocation check failed");
            (Verdict::Malformed { reason: "the revocation list could not be read; try again".into() }, credential)
        }
    }
}

/// Verifies a credential given as JSON (unsigned, e.g. pasted from a
/// wallet): it must be, member for member, the credential this server
/// signed under its id.
pub async fn verify_json(app: &AppState, base: &str, given: &Value, now: i64) -> (Verdict, Option<Value>) {
    let Some(id) = award_id(base, given) else {
        let reason = "its id is not a credential of this server".to_string();
        return (Verdict::UnknownIssuer { reason }, Some(given.clone()));
    };
    let Ok(Some(award)) = app.store.award(id).await else {
        let reason = "no credential with this id was issued here".to_string();
        return (Verdict::UnknownIssuer { reason }, Some(given.clone()));
    };
    let Some(jwt) = award.credential else {
        let reason = "this credential was never delivered, so it cannot have been copied".to_string();
        return (Verdict::Tampered { reason }, Some(given.clone()));
    };
    let (verdict, issued) = verify_jwt(app, base, &jwt, now).await;
    if issued.as_ref() != Some(given) {
        let reason = "it differs from the credential issued under this id: it was changed".to_string();
        return (Verdict::Tampered { reason }, Some(given.clone()));
    }
    (verdict, issued)
}
