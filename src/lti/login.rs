//! The OIDC third-party login (`/lti/login`: a platform starts a launch,
//! amphi answers with an authentication request carrying a fresh state and
//! nonce) and its return (`/lti/launch`: the id_token is checked — the
//! login's state used once, the signature against the platform's own
//! keyset, issuer, audience, times, nonce, deployment, message — before
//! the launch is handed to [`super::launch`] or [`super::deep_linking`]).
//!
//! The state is kept in the store, not in a cookie: a launch inside Moodle's
//! iframe is a third-party context where browsers may drop cookies, and a
//! state that is random, bound to its nonce and usable once is what the
//! check needs.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::claims::{IdToken, Message};
use super::keysets::KeyLookupError;
use super::{LtiError, now_ms, public_url};
use crate::app::AppState;
use crate::store::{LoginClaim, PlatformRecord};

/// The fields of a login initiation (query or form).
#[derive(Debug, Deserialize)]
pub struct Initiation {
    #[serde(default)]
    iss: String,
    #[serde(default)]
    login_hint: String,
    #[serde(default)]
    target_link_uri: String,
    #[serde(default)]
    lti_message_hint: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    lti_deployment_id: Option<String>,
}

pub async fn initiate_get(State(app): State<AppState>, headers: HeaderMap, Query(form): Query<Initiation>) -> Response {
    initiate(app, headers, form).await
}

pub async fn initiate_post(State(app): State<AppState>, headers: HeaderMap, Form(form): Form<Initiation>) -> Response {
    initiate(app, headers, form).await
}

async fn initiate(app: AppState, headers: HeaderMap, form: Initiation) -> Response {
    let outcome = redirect_to_platform(&app, &headers, form).await;
    let label = outcome.as_ref().map_or_else(|e| e.code, |_| "login");
    app.lti.metrics.launches.with_label_values(&[label]).inc();
    match outcome {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn redirect_to_platform(app: &AppState, headers: &HeaderMap, form: Initiation) -> Result<Response, LtiError> {
    if form.iss.is_empty() || form.login_hint.is_empty() || form.target_link_uri.is_empty() {
        return Err(LtiError::bad("lti_bad_request", "a login initiation needs iss, login_hint and target_link_uri"));
    }
    let base = public_url(app, headers);
    if super::pages::origin_of(&form.target_link_uri) != super::pages::origin_of(&base) {
        return Err(LtiError::bad("lti_bad_request", "target_link_uri is not an address of this amphi"));
    }
    let platform = find_platform(app, &form.iss, form.client_id.as_deref()).await?;
    if let Some(deployment) = &form.lti_deployment_id
        && !platform.deployment_ids.contains(deployment)
    {
        return Err(LtiError::bad("lti_unknown_deployment", format!("deployment {deployment:?} is not registered")));
    }
    let state = random_token();
    let nonce = random_token();
    let now = now_ms();
    let expires_at = now + (app.config.lti.login_ttl_s as i64) * 1000;
    app.store.insert_lti_login(&state, &nonce, &platform.id, now, expires_at).await.map_err(LtiError::internal)?;
    let mut url = url::Url::parse(&platform.auth_url).map_err(LtiError::internal)?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("scope", "openid")
            .append_pair("response_type", "id_token")
            .append_pair("response_mode", "form_post")
            .append_pair("prompt", "none")
            .append_pair("client_id", &platform.client_id)
            .append_pair("redirect_uri", &format!("{base}/lti/launch"))
            .append_pair("login_hint", &form.login_hint)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce);
        if let Some(hint) = &form.lti_message_hint {
            query.append_pair("lti_message_hint", hint);
        }
    }
    Ok((StatusCode::FOUND, [(header::LOCATION, url.to_string()), (header::CACHE_CONTROL, "no-store".into())])
        .into_response())
}

/// The platform a login names: by issuer, and client id when given (an
/// issuer may have registered amphi more than once).
async fn find_platform(app: &AppState, issuer: &str, client_id: Option<&str>) -> Result<PlatformRecord, LtiError> {
    let platforms = app.store.lti_platforms_by_issuer(issuer).await.map_err(LtiError::internal)?;
    let mut matching = platforms.into_iter().filter(|p| client_id.is_none_or(|id| id == p.client_id));
    match (matching.next(), matching.next()) {
        (Some(platform), None) => Ok(platform),
        (Some(_), Some(_)) => {
            Err(LtiError::bad("lti_unknown_platform", "this issuer registered amphi several times: send client_id"))
        }
        (None, _) => Err(LtiError::bad("lti_unknown_platform", format!("no platform {issuer:?} is registered"))),
    }
}

fn random_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// The form a platform posts to the redirect URI.
#[derive(Debug, Deserialize)]
pub struct LaunchForm {
    #[serde(default)]
    id_token: String,
    #[serde(default)]
    state: String,
}

/// `POST /lti/launch`.
pub async fn launch(State(app): State<AppState>, Form(form): Form<LaunchForm>) -> Response {
    let outcome = verified_launch(&app, &form).await;
    let outcome = match outcome {
        Ok((platform, token, Message::ResourceLink)) => super::launch::resource_link(&app, &platform, token).await,
        Ok((platform, token, Message::DeepLinking)) => super::deep_linking::picker(&app, &platform, token).await,
        Err(error) => Err(error),
    };
    let label = outcome.as_ref().map_or_else(|e| e.code, |_| "ok");
    app.lti.metrics.launches.with_label_values(&[label]).inc();
    match outcome {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(code = error.code, detail = %error.detail, "LTI launch refused");
            error.into_response()
        }
    }
}

/// Checks everything about a launch; nothing is stored before it passes
/// (but its login's state, which is used up).
async fn verified_launch(app: &AppState, form: &LaunchForm) -> Result<(PlatformRecord, IdToken, Message), LtiError> {
    if form.id_token.is_empty() || form.state.is_empty() {
        return Err(LtiError::bad("lti_bad_request", "a launch needs id_token and state"));
    }
    let (nonce, platform_id) =
        match app.store.claim_lti_login(&form.state, now_ms()).await.map_err(LtiError::internal)? {
            LoginClaim::Fresh { nonce, platform_id } => (nonce, platform_id),
            LoginClaim::Unknown => return Err(LtiError::bad("lti_bad_state", "no login was started with this state")),
            LoginClaim::Replayed => return Err(LtiError::bad("lti_replayed", "this login's state was already used")),
            LoginClaim::Expired => {
                return Err(LtiError::bad("lti_login_expired", "the login is older than lti.login_ttl_s"));
            }
        };
    let platform = app
        .store
        .lti_platform(&platform_id)
        .await
        .map_err(LtiError::internal)?
        .ok_or_else(|| LtiError::bad("lti_unknown_platform", "the platform of this login was removed"))?;
    let token = verify_id_token(app, &platform, &form.id_token).await?;
    let config = &app.config.lti;
    let message = token
        .check(
            &platform.client_id,
            &platform.deployment_ids,
            &nonce,
            crate::auth::unix_seconds(),
            config.leeway_s,
            config.login_ttl_s,
        )
        .map_err(|e| LtiError::bad(e.code, e.detail).in_lang(token.lang()))?;
    Ok((platform, token, message))
}

/// Verifies an id_token's signature (RS256, a key of the platform's own
/// keyset), expiry, issuer and audience.
async fn verify_id_token(app: &AppState, platform: &PlatformRecord, id_token: &str) -> Result<IdToken, LtiError> {
    let header = jsonwebtoken::decode_header(id_token)
        .map_err(|e| LtiError::bad("lti_bad_signature", format!("not a signed JWT: {e}")))?;
    if header.alg != Algorithm::RS256 {
        return Err(LtiError::bad("lti_bad_signature", format!("{:?} is not RS256", header.alg)));
    }
    let key = app.lti.keysets.key(platform, header.kid.as_deref()).await.map_err(|error| match error {
        KeyLookupError::Unavailable(_) => {
            LtiError::new(StatusCode::SERVICE_UNAVAILABLE, "lti_keyset_unavailable", error.to_string())
        }
        other => LtiError::bad("lti_bad_signature", other.to_string()),
    })?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = app.config.lti.leeway_s;
    validation.set_audience(&[&platform.client_id]);
    validation.set_issuer(&[&platform.issuer]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
    validation.validate_nbf = true;
    jsonwebtoken::decode::<IdToken>(id_token, &key, &validation).map(|data| data.claims).map_err(|error| {
        use jsonwebtoken::errors::ErrorKind;
        let code = match error.kind() {
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => "lti_bad_time",
            ErrorKind::InvalidIssuer => "lti_wrong_issuer",
            ErrorKind::InvalidAudience => "lti_wrong_audience",
            ErrorKind::MissingRequiredClaim(_) | ErrorKind::Json(_) => "lti_missing_claim",
            _ => "lti_bad_signature",
        };
        LtiError::bad(code, error.to_string())
    })
}
