//! The public URLs a credential names, open to anyone (a verifier, a
//! backpack, an employer): each tenant's issuer profile, its keys (JWKS)
//! and its revocation list; each badge's achievement and image; each
//! award's credential (its verdict, the VC-JWT file, the certificate of
//! participation in PDF, its evidence (what the recipient made, with its
//! files), and its Open Badges 2.0 hosted assertion and baked PNG, with that version's badge class and issuer under
//! `/badges/v2/`); and `POST /badges/verify`, which answers a
//! verdict for a pasted or uploaded credential. An award's URL holds a
//! random id: who holds the link can read the certificate (the recipient's
//! name on it), as with a hosted Open Badge.

use amphi_protocol::ErrorCode;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use uuid::Uuid;

use super::credential::Verdict;
use super::evidence::Contribution;
use super::{Urls, base_url};
use crate::api::ApiError;
use crate::app::AppState;

/// Largest credential `POST /badges/verify` reads.
pub const MAX_VERIFY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/badges/issuers/{tenant}", get(issuer))
        .route("/badges/issuers/{tenant}/jwks", get(jwks))
        .route("/badges/issuers/{tenant}/revocations", get(revocations))
        .route("/badges/achievements/{id}", get(achievement))
        .route("/badges/achievements/{id}/image", get(image))
        .route("/badges/credentials/{id}", get(credential))
        .route("/badges/credentials/{id}/credential.jwt", get(credential_jwt))
        .route("/badges/credentials/{id}/certificate.pdf", get(certificate))
        .route("/badges/credentials/{id}/badge.png", get(baked_png))
        .route("/badges/credentials/{id}/evidence", get(evidence))
        .route("/badges/credentials/{id}/evidence/files/{blob}", get(evidence_file))
        .route("/badges/v2/assertions/{id}", get(assertion_v2))
        .route("/badges/v2/badges/{id}", get(badge_class_v2))
        .route("/badges/v2/issuers/{tenant}", get(issuer_v2))
        .route("/badges/verify", post(verify).layer(DefaultBodyLimit::max(MAX_VERIFY_BYTES)))
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, format!("no {what} has this id"))
}

fn ld_json(value: Value) -> Response {
    let mut response = Json(value).into_response();
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// A tenant known to this server: one configured, or that ever had a badge.
async fn known_tenant(app: &AppState, tenant: &str) -> Result<(), ApiError> {
    let configured = app.config.badges.issuers.contains_key(tenant);
    if configured || app.store.issues_badges(tenant).await.map_err(ApiError::internal)? {
        Ok(())
    } else {
        Err(not_found("issuer"))
    }
}

/// `GET /badges/issuers/{tenant}`: the OB 3.0 issuer `Profile`.
async fn issuer(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
) -> Result<Response, ApiError> {
    known_tenant(&app, &tenant).await?;
    let base = base_url(&app, &headers);
    let mut profile = super::issuer(&app, &base, &tenant).profile();
    profile["@context"] = json!([super::credential::VC_CONTEXT, super::credential::OB_CONTEXT]);
    Ok(ld_json(profile))
}

/// `GET /badges/issuers/{tenant}/jwks`: the issuer's public keys.
async fn jwks(State(app): State<AppState>, Path(tenant): Path<String>) -> Result<Response, ApiError> {
    known_tenant(&app, &tenant).await?;
    let key = app.badge_keys.get(&tenant).map_err(ApiError::internal)?;
    Ok(ld_json(json!({ "keys": [key.jwk()] })))
}

/// `GET /badges/issuers/{tenant}/revocations`: the revocation list, a
/// `BitstringStatusListCredential` signed as a VC-JWT.
async fn revocations(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
) -> Result<Response, ApiError> {
    known_tenant(&app, &tenant).await?;
    let base = base_url(&app, &headers);
    let urls = Urls(&base);
    let (revoked, size) = app.store.revocation_list(&tenant).await.map_err(ApiError::internal)?;
    let encoded = super::status::encode(&revoked, u64::try_from(size).unwrap_or(0));
    let issuer = super::issuer(&app, &base, &tenant).profile();
    let list =
        super::status::list_credential(&issuer, &urls.revocations(&tenant), encoded, crate::hub::now_ms() as i64);
    let key = app.badge_keys.get(&tenant).map_err(ApiError::internal)?;
    let jwt = super::credential::sign(&list, &key, &urls.jwks(&tenant)).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/vc+jwt")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        jwt,
    )
        .into_response())
}

async fn badge(app: &AppState, id: &str) -> Result<crate::store::BadgeRecord, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| not_found("badge"))?;
    app.store.badge(id).await.map_err(ApiError::internal)?.ok_or_else(|| not_found("badge"))
}

/// `GET /badges/achievements/{id}`: the badge as an OB 3.0 `Achievement`.
async fn achievement(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let badge = badge(&app, &id).await?;
    let base = base_url(&app, &headers);
    let issuer = super::issuer(&app, &base, &badge.tenant);
    let mut achievement = super::achievement(&base, &badge).json(&issuer);
    achievement["@context"] = json!([super::credential::VC_CONTEXT, super::credential::OB_CONTEXT]);
    Ok(ld_json(achievement))
}

/// `GET /badges/achievements/{id}/image`
async fn image(State(app): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let badge = badge(&app, &id).await?;
    let blob = badge.image.ok_or_else(|| not_found("badge image"))?;
    let meta = app.blobs.meta(&blob).await.ok_or_else(|| not_found("badge image"))?;
    let path = app.blobs.path(&blob).ok_or_else(|| not_found("badge image"))?;
    let bytes = tokio::fs::read(path).await.map_err(ApiError::internal)?;
    let content_type = HeaderValue::from_str(&meta.content_type).map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        bytes,
    )
        .into_response())
}

/// An award and its badge, by the award's id.
async fn award(app: &AppState, id: &str) -> Result<(crate::store::AwardRecord, crate::store::BadgeRecord), ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| not_found("credential"))?;
    let award = app.store.award(id).await.map_err(ApiError::internal)?.ok_or_else(|| not_found("credential"))?;
    let badge =
        app.store.badge(award.badge).await.map_err(ApiError::internal)?.ok_or_else(|| not_found("credential"))?;
    Ok((award, badge))
}

fn verdict_json(verdict: &Verdict, credential: Option<Value>) -> Value {
    let mut answer = serde_json::to_value(verdict).unwrap_or_else(|_| json!({}));
    answer["verdict"] = json!(verdict.code());
    answer["valid"] = json!(verdict.is_valid());
    if verdict.is_valid() {
        answer["reason"] = json!("signed by its issuer, unchanged, in force and not revoked");
    }
    if let Some(credential) = credential {
        answer["credential"] = credential;
    }
    answer
}

/// `GET /badges/credentials/{id}`: the credential's verdict now, the
/// credential, and its files; to a browser (the certificate's QR code),
/// the web client's page, which shows them.
async fn credential(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if crate::web::wants_page(&headers) {
        return Ok(crate::web::index_page(&app.config.web_dir).await);
    }
    let (award, badge) = award(&app, &id).await?;
    let base = base_url(&app, &headers);
    let jwt = super::signed_credential(&app, &base, &award, &badge).await.map_err(ApiError::internal)?;
    let (verdict, credential) = super::verify_jwt(&app, &base, &jwt, crate::hub::now_ms() as i64).await;
    let mut answer = verdict_json(&verdict, credential);
    let url = Urls(&base).credential(award.id);
    answer["jwt"] = json!(jwt);
    answer["credential_jwt"] = json!(format!("{url}/credential.jwt"));
    answer["certificate_pdf"] = json!(format!("{url}/certificate.pdf"));
    // What the page shows (not the recipient's platform id).
    answer["award"] = json!({
        "recipient_name": award.recipient_name,
        "issued_at": award.issued_at,
        "expires_at": award.expires_at,
        "badge_description": badge.description,
        "badge_image": badge.image.as_ref().map(|_| Urls(&base).image(badge.id)),
        "revoked_at": award.revoked_at,
        "revocation_reason": award.revocation_reason,
    });
    answer["badge_name"] = json!(badge.name);
    Ok(ld_json(answer))
}

/// `GET /badges/credentials/{id}/credential.jwt`: the VC-JWT as a file.
async fn credential_jwt(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (award, badge) = award(&app, &id).await?;
    let base = base_url(&app, &headers);
    let jwt = super::signed_credential(&app, &base, &award, &badge).await.map_err(ApiError::internal)?;
    Ok(crate::api::download::download("application/vc+jwt", &format!("badge-{}.jwt", award.id), jwt.into_bytes()))
}

/// `GET /badges/credentials/{id}/certificate.pdf`: the certificate of
/// participation.
async fn certificate(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (award, badge) = award(&app, &id).await?;
    let base = base_url(&app, &headers);
    let training =
        app.store.room(badge.activity).await.map_err(ApiError::internal)?.map(|r| r.title).unwrap_or_default();
    let issuer = app.config.badges.issuer(&award.tenant);
    let certificate = super::pdf::Certificate {
        recipient: award.recipient_name.clone(),
        training,
        badge: badge.name.clone(),
        issued_at: award.issued_at,
        zone: app.config.time.zone_name(&award.tenant).to_string(),
        minutes: award.attended_ms / 60_000,
        score: (badge.rule != "attendance" && award.max_score > 0).then_some((award.score, award.max_score)),
        issuer: issuer.name,
        issuer_url: issuer.url,
        issuer_email: issuer.email,
        verify_url: Urls(&base).credential(award.id),
    };
    let pdf = tokio::task::spawn_blocking(move || certificate.render())
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(crate::api::download::download("application/pdf", &format!("attestation-{}.pdf", award.id), pdf))
}

/// The evidence of an award still in force: a revoked one shows none.
async fn contributions(app: &AppState, id: &str) -> Result<(crate::store::AwardRecord, Vec<Contribution>), ApiError> {
    let (award, badge) = award(app, id).await?;
    if award.revoked_at.is_some() {
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::NotFound,
            "this award was revoked: its evidence is withdrawn",
        ));
    }
    let made = super::evidence::contributions(app, &award, &badge).await.map_err(ApiError::internal)?;
    Ok((award, made))
}

/// `GET /badges/credentials/{id}/evidence`: what the recipient made, as it
/// is now (each item's `anchor` is the fragment the credential links),
/// with each file's URL; to a browser, the web client's page.
async fn evidence(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if crate::web::wants_page(&headers) {
        return Ok(crate::web::index_page(&app.config.web_dir).await);
    }
    let (award, made) = contributions(&app, &id).await?;
    let page = Urls(&base_url(&app, &headers)).evidence(award.id);
    let items: Vec<Value> = made
        .iter()
        .map(|item| {
            let mut value = serde_json::to_value(item).unwrap_or_default();
            for (file, shown) in item.files.iter().zip(value["files"].as_array_mut().into_iter().flatten()) {
                let name = super::segment(&file.name);
                shown["url"] = json!(format!("{page}/files/{}?name={name}", file.blob));
            }
            value
        })
        .collect();
    Ok(ld_json(json!({ "recipient_name": award.recipient_name, "items": items })))
}

/// `GET /badges/credentials/{id}/evidence/files/{blob}?name=`: a file of
/// the award's evidence, and no other.
async fn evidence_file(
    State(app): State<AppState>,
    Path((id, blob)): Path<(String, String)>,
    Query(named): Query<crate::api::Named>,
) -> Result<Response, ApiError> {
    let (_, made) = contributions(&app, &id).await?;
    if !made.iter().flat_map(|item| &item.files).any(|file| file.blob == blob) {
        app.metrics.abuse.with_label_values(&["evidence_file_refused"]).inc();
        return Err(not_found("file in this award's evidence"));
    }
    crate::api::serve_blob(&app, &blob, named.name.as_deref()).await
}

/// Why an award has no Open Badges 2.0 form.
fn no_v2() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no Open Badges 2.0 assertion: the platform gave no e-mail for the recipient, or the badge's image is not a PNG",
    )
}

/// The award, its badge and its recipient's e-mail, when it has a 2.0 form.
async fn award_v2(
    app: &AppState,
    id: &str,
) -> Result<(crate::store::AwardRecord, crate::store::BadgeRecord, String), ApiError> {
    let (award, badge) = award(app, id).await?;
    let email = super::ob2_email(app, &award, &badge).await.map_err(ApiError::internal)?.ok_or_else(no_v2)?;
    Ok((award, badge, email))
}

/// `GET /badges/v2/assertions/{id}`: the OB 2.0 hosted `Assertion`; once
/// revoked, 410 Gone with `revoked: true` and the reason.
async fn assertion_v2(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (award, badge, email) = award_v2(&app, &id).await?;
    let base = base_url(&app, &headers);
    let v2 = super::ob2::Urls2(&base);
    if award.revoked_at.is_some() {
        let gone = super::ob2::revoked(&v2.assertion(award.id), award.revocation_reason.as_deref());
        let mut response = ld_json(gone);
        *response.status_mut() = StatusCode::GONE;
        return Ok(response);
    }
    let assertion = super::ob2::Assertion {
        id: v2.assertion(award.id),
        badge_class: v2.badge_class(badge.id),
        email: &email,
        salt: &award.salt,
        issued_at: award.issued_at,
        expires_at: award.expires_at,
        image: v2.baked(award.id),
    };
    Ok(ld_json(assertion.json()))
}

/// `GET /badges/v2/badges/{id}`: the OB 2.0 `BadgeClass` (a badge with an image).
async fn badge_class_v2(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let badge = badge(&app, &id).await?;
    if badge.image.is_none() {
        return Err(not_found("badge class (a 2.0 badge has an image)"));
    }
    let base = base_url(&app, &headers);
    let v2 = super::ob2::Urls2(&base);
    let achievement = super::achievement(&base, &badge);
    let image = Urls(&base).image(badge.id);
    Ok(ld_json(super::ob2::badge_class(&v2.badge_class(badge.id), &achievement, &image, &v2.issuer(&badge.tenant))))
}

/// `GET /badges/v2/issuers/{tenant}`: the OB 2.0 `Issuer`.
async fn issuer_v2(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
) -> Result<Response, ApiError> {
    known_tenant(&app, &tenant).await?;
    let base = base_url(&app, &headers);
    let issuer = super::issuer(&app, &base, &tenant);
    Ok(ld_json(super::ob2::issuer(&super::ob2::Urls2(&base).issuer(&tenant), &issuer, &base)))
}

/// `GET /badges/credentials/{id}/badge.png`: the badge's image baked with
/// the award's 2.0 assertion URL (what a 2.0 backpack imports).
async fn baked_png(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (award, badge, _) = award_v2(&app, &id).await?;
    let blob = badge.image.clone().ok_or_else(no_v2)?;
    let path = app.blobs.path(&blob).ok_or_else(no_v2)?;
    let image = tokio::fs::read(path).await.map_err(ApiError::internal)?;
    let url = super::ob2::Urls2(&base_url(&app, &headers)).assertion(award.id);
    let baked = tokio::task::spawn_blocking(move || super::ob2::bake(&image, &url))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(crate::api::download::download("image/png", &format!("badge-{}.png", award.id), baked))
}

/// `POST /badges/verify`: the body is a VC-JWT (as text, or `{"jwt": …}`)
/// or a credential as JSON; the answer is the verdict with its reason.
async fn verify(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| {
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, "the credential is not UTF-8 text")
        })?
        .trim();
    if text.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, "paste or upload a credential"));
    }
    let base = base_url(&app, &headers);
    let now = crate::hub::now_ms() as i64;
    let (verdict, credential) = if text.starts_with('{') {
        let value: Value = crate::api::parse_json(text.as_bytes())?;
        match value.get("jwt").and_then(Value::as_str) {
            Some(jwt) => super::verify_jwt(&app, &base, jwt.trim(), now).await,
            None => super::verify_json(&app, &base, &value, now).await,
        }
    } else {
        super::verify_jwt(&app, &base, text, now).await
    };
    app.metrics.badge_verifications.with_label_values(&[verdict.code()]).inc();
    Ok(ld_json(verdict_json(&verdict, credential)))
}
