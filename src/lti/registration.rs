//! Installing amphi in a platform. Dynamic Registration (LTI 1.3 Dynamic
//! Registration 1.0): an admin of a tenant mints a one-time link
//! (`POST /api/v1/admin/lti/registrations`), a Moodle administrator pastes
//! it in "Manage tools"; Moodle opens it with `openid_configuration` and
//! `registration_token`; amphi reads the platform's configuration,
//! registers itself (its endpoints, keyset, scopes, Deep Linking) and stores
//! the platform in the link's tenant. `/lti/setup` lists what a manual
//! registration needs.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::pages::{escape, page};
use super::services::{SCOPE_LINEITEM, SCOPE_MEMBERSHIPS, SCOPE_SCORE};
use super::{LOGO_PATH, LtiError, now_ms, public_url};
use crate::app::AppState;
use crate::store::PlatformRecord;

#[derive(Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    openid_configuration: String,
    #[serde(default)]
    registration_token: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// The platform's OpenID configuration, as far as amphi reads it.
#[derive(Deserialize)]
struct PlatformConfiguration {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    registration_endpoint: String,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-platform-configuration", default)]
    lti: Option<Value>,
}

/// `GET /lti/register`: Dynamic Registration.
pub async fn register(State(app): State<AppState>, headers: HeaderMap, Query(query): Query<RegisterQuery>) -> Response {
    let lang = if query.lang.as_deref() == Some("en") { "en" } else { "fr" };
    match registered(&app, &headers, &query).await {
        Ok(platform) => {
            app.lti.metrics.launches.with_label_values(&["registered"]).inc();
            let (title, text) = if lang == "en" {
                (
                    "amphi is installed",
                    format!(
                        "amphi is registered with {} (client id {}). You may close this window.",
                        platform.issuer, platform.client_id
                    ),
                )
            } else {
                (
                    "amphi est installé",
                    format!(
                        "amphi est enregistré auprès de {} (identifiant client {}). Vous pouvez fermer cette fenêtre.",
                        platform.issuer, platform.client_id
                    ),
                )
            };
            let body = format!("<h1>{}</h1><p>{}</p>", escape(title), escape(&text));
            // The platform closes its registration frame on this message.
            let script = "(window.opener || window.parent).postMessage({subject: 'org.imsglobal.lti.close'}, '*');";
            page(lang, title, &body, Some(script), "")
        }
        Err(error) => {
            app.lti.metrics.launches.with_label_values(&[error.code]).inc();
            tracing::warn!(code = error.code, detail = %error.detail, "LTI registration refused");
            axum::response::IntoResponse::into_response(error.in_lang(lang))
        }
    }
}

async fn registered(app: &AppState, headers: &HeaderMap, query: &RegisterQuery) -> Result<PlatformRecord, LtiError> {
    let tenant =
        app.store.lti_registration_tenant(&query.code, now_ms()).await.map_err(LtiError::internal)?.ok_or_else(
            || {
                refused(
                    StatusCode::FORBIDDEN,
                    "this registration link is unknown, used or expired: ask for a new one".into(),
                )
            },
        )?;
    let config = platform_configuration(app, &query.openid_configuration).await?;
    let registration = tool_registration(&public_url(app, headers));
    let (client_id, deployment) =
        register_with(app, &config, query.registration_token.as_deref(), &registration).await?;
    if !app.store.use_lti_registration_code(&query.code, now_ms()).await.map_err(LtiError::internal)? {
        return Err(refused(StatusCode::FORBIDDEN, "this registration link was used meanwhile".into()));
    }
    save_platform(app, tenant, config, client_id, deployment).await
}

/// A refusal of a registration, with why.
fn refused(status: StatusCode, detail: String) -> LtiError {
    LtiError::new(status, "lti_registration_refused", detail)
}

/// The platform's OpenID configuration, fetched from `url`: its issuer on
/// that host, its endpoints URLs.
async fn platform_configuration(app: &AppState, url: &str) -> Result<PlatformConfiguration, LtiError> {
    let config_url = url::Url::parse(url)
        .map_err(|_| refused(StatusCode::BAD_REQUEST, "openid_configuration is not a URL".into()))?;
    let http = &app.lti.http;
    let request = http.request(reqwest::Method::GET, config_url.as_str());
    let config: PlatformConfiguration = http
        .json(config_url.as_str(), request)
        .await
        .map_err(|e| refused(StatusCode::BAD_GATEWAY, format!("the platform's configuration: {e}")))?;
    let issuer_origin = url::Url::parse(&config.issuer).map(|u| u.origin()).ok();
    if issuer_origin != Some(config_url.origin()) {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "the configuration's issuer is not on the configuration's host".into(),
        ));
    }
    for (name, endpoint) in [
        ("authorization_endpoint", &config.authorization_endpoint),
        ("token_endpoint", &config.token_endpoint),
        ("jwks_uri", &config.jwks_uri),
        ("registration_endpoint", &config.registration_endpoint),
    ] {
        if url::Url::parse(endpoint).is_err() {
            return Err(refused(StatusCode::BAD_REQUEST, format!("the configuration's {name} is not a URL")));
        }
    }
    Ok(config)
}

/// What amphi asks the platform to register, at its public address `base`.
fn tool_registration(base: &str) -> Value {
    let scopes = [
        SCOPE_LINEITEM,
        SCOPE_SCORE,
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        SCOPE_MEMBERSHIPS,
    ]
    .join(" ");
    json!({
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": format!("{base}/lti/login"),
        "redirect_uris": [format!("{base}/lti/launch")],
        "client_name": "amphi",
        "jwks_uri": format!("{base}/lti/jwks"),
        "logo_uri": format!("{base}{LOGO_PATH}"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": scopes,
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": domain_of(base),
            "description": "Tests interactifs, murs collaboratifs et ateliers en direct",
            "target_link_uri": format!("{base}/lti/launch"),
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                { "type": "LtiDeepLinkingRequest", "target_link_uri": format!("{base}/lti/launch"), "label": "amphi" },
                { "type": "LtiResourceLinkRequest", "target_link_uri": format!("{base}/lti/launch") },
            ],
        },
    })
}

/// Posts `registration` to the platform's registration endpoint (with its
/// one-time `token`): the client id it gives amphi, and its deployment id.
async fn register_with(
    app: &AppState,
    config: &PlatformConfiguration,
    token: Option<&str>,
    registration: &Value,
) -> Result<(String, Option<String>), LtiError> {
    let http = &app.lti.http;
    let mut request = http.request(reqwest::Method::POST, &config.registration_endpoint).json(registration);
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        request = request.bearer_auth(token);
    }
    let answer: Value = http
        .json(&config.registration_endpoint, request)
        .await
        .map_err(|e| refused(StatusCode::BAD_GATEWAY, format!("the platform refused the registration: {e}")))?;
    let client_id = answer["client_id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| refused(StatusCode::BAD_GATEWAY, "the platform's answer has no client_id".into()))?;
    let deployment = &answer["https://purl.imsglobal.org/spec/lti-tool-configuration"]["deployment_id"];
    let deployment = deployment.as_str().map(String::from).or_else(|| deployment.as_i64().map(|n| n.to_string()));
    Ok((client_id.to_string(), deployment))
}

/// Stores the registered platform in `tenant`, or updates the one this
/// tenant has with the same issuer and client id (its endpoints, one more
/// deployment).
async fn save_platform(
    app: &AppState,
    tenant: String,
    config: PlatformConfiguration,
    client_id: String,
    deployment: Option<String>,
) -> Result<PlatformRecord, LtiError> {
    let name = config
        .lti
        .as_ref()
        .and_then(|l| l["product_family_code"].as_str())
        .map_or_else(|| config.issuer.clone(), |family| format!("{family} {}", config.issuer));
    let existing = app.store.lti_platforms_by_issuer(&config.issuer).await.map_err(LtiError::internal)?;
    if let Some(mut platform) = existing.into_iter().find(|p| p.client_id == client_id && p.tenant == tenant) {
        platform.deployment_ids.extend(deployment.filter(|d| !platform.deployment_ids.contains(d)));
        platform.auth_url = config.authorization_endpoint;
        platform.token_url = config.token_endpoint;
        platform.jwks_url = config.jwks_uri;
        app.store.update_lti_platform(&platform).await.map_err(LtiError::internal)?;
        app.lti.keysets.forget(&platform.id);
        return Ok(platform);
    }
    let platform = PlatformRecord {
        id: uuid::Uuid::new_v4().simple().to_string()[..12].to_string(),
        tenant,
        name,
        issuer: config.issuer,
        client_id,
        deployment_ids: deployment.into_iter().collect(),
        auth_url: config.authorization_endpoint,
        token_url: config.token_endpoint,
        jwks_url: config.jwks_uri,
        created_at: now_ms(),
    };
    app.store.insert_lti_platform(&platform).await.map_err(|error| {
        if error.is_unique_violation() {
            refused(StatusCode::CONFLICT, "this platform and client id are registered in another tenant".into())
        } else {
            LtiError::internal(error)
        }
    })?;
    app.lti.frames.refresh();
    Ok(platform)
}

#[derive(Deserialize)]
pub struct SetupQuery {
    #[serde(default)]
    lang: Option<String>,
}

/// `GET /lti/setup`: what a platform administrator pastes for a manual
/// registration (nothing secret: URLs and the public key).
pub async fn setup(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SetupQuery>,
) -> Result<Response, LtiError> {
    let en = query.lang.as_deref() == Some("en");
    let base = public_url(&app, &headers);
    let keys = app.lti.keys.get().await.map_err(LtiError::internal)?;
    let public_key = keys.last().map(|k| k.public_pem()).unwrap_or_default();
    let (title, intro, login, launch, keyset, key) = if en {
        (
            "Install amphi in Moodle",
            "For a manual registration (Site administration › Plugins › Activity modules › External tool › Manage tools › configure a tool manually), LTI version 1.3:",
            "Initiate login URL",
            "Redirection URI(s) and Tool URL",
            "Public keyset URL",
            "Public key (if the platform asks for a key instead of a keyset)",
        )
    } else {
        (
            "Installer amphi dans Moodle",
            "Pour un enregistrement manuel (Administration du site › Plugins › Modules d’activité › Outil externe › Gérer les outils › configurer un outil manuellement), version LTI\u{a0}1.3\u{a0}:",
            "URL de connexion (Initiate login URL)",
            "URI de redirection et URL de l’outil",
            "URL du jeu de clés publiques (Public keyset URL)",
            "Clé publique (si la plateforme demande une clé plutôt qu’un jeu de clés)",
        )
    };
    let body = format!(
        "<h1>{}</h1><p>{}</p><dl><dt>{}</dt><dd><code>{base}/lti/login</code></dd><dt>{}</dt><dd><code>{base}/lti/launch</code></dd>\
         <dt>{}</dt><dd><code>{base}/lti/jwks</code></dd><dt>{}</dt><dd><pre>{}</pre></dd></dl>",
        escape(title),
        escape(intro),
        escape(login),
        escape(launch),
        escape(keyset),
        escape(key),
        escape(&public_key),
        base = escape(&base),
    );
    Ok(page(if en { "en" } else { "fr" }, title, &body, None, ""))
}

/// The tool's `domain` for a registration: its host, and its port when not
/// the scheme's default (Moodle requires it to be the target link's own).
fn domain_of(base: &str) -> String {
    let Ok(url) = url::Url::parse(base) else { return String::new() };
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::domain_of;

    #[test]
    fn a_domain_carries_its_port_unless_it_is_the_default() {
        assert_eq!(domain_of("https://amphi.ac-lyon.fr"), "amphi.ac-lyon.fr");
        assert_eq!(domain_of("https://amphi.ac-lyon.fr:443/x"), "amphi.ac-lyon.fr");
        assert_eq!(domain_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
    }
}
