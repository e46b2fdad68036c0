//! amphi as an LTI 1.3 Advantage tool (Moodle 4.x): OIDC login and launch,
//! Deep Linking, grades back through Assignment and Grade Services, the
//! course roster through Names and Role Provisioning Services, and Dynamic
//! Registration.
//!
//! - `keys.rs`: amphi's RSA keys, published at `/lti/jwks`.
//! - `http.rs`: the one HTTP client that talks to platforms (time and size
//!   limits, no redirects: only the URLs registered for a platform are used).
//! - `keysets.rs`: platforms' keysets, cached, refetched once for an unknown
//!   `kid` (rate-limited).
//! - `claims.rs`: the id_token's claims, their checks and the role mapping.
//! - `login.rs`: `/lti/login` (third-party login initiation) and
//!   `/lti/launch` (the id_token's checks, then the launch itself).
//! - `launch.rs`: a resource link launch: the member, the session, the page
//!   that takes them into the web client.
//! - `deep_linking.rs`: the activity picker and the signed response.
//! - `library_pick.rs`: the shared library in the picker (a copy made in
//!   the trainer's tenant, the deep link naming the copy).
//! - `services.rs`: access tokens (client_credentials with a signed
//!   assertion), scores (AGS) and memberships (NRPS).
//! - `grades.rs`: the worker that posts scores from the outbox.
//! - `registration.rs`: Dynamic Registration.
//! - `pages.rs`: the HTML pages (French and English), errors included.
//! - `frames.rs`: `frame-ancestors` on every HTML response: amphi itself
//!   and the registered platforms' origins, nothing else.
//! - `admin.rs`: the platforms API under `/api/v1/admin/lti` and the roster.
//!
//! A launch's member id is `lti:<platform id>:<sub>`: stable across launches,
//! distinct across platforms; the platform's tenant is the member's.

mod admin;
mod claims;
mod deep_linking;
pub mod frames;
pub mod grades;
mod http;
pub mod keys;
mod keysets;
mod launch;
mod library_pick;
mod login;
mod pages;
mod registration;
mod services;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use prometheus::{IntCounterVec, Opts};
use serde::Deserialize;

use crate::app::AppState;

pub use admin::api_router;
pub use claims::role_of;
pub use pages::LtiError;

/// The `[lti]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LtiConfig {
    pub public_url: String,
    pub leeway_s: u64,
    pub login_ttl_s: u64,
    pub keyset_refetch_s: u64,
    pub keyset_cache_s: u64,
    pub http_timeout_ms: u64,
    pub max_response_bytes: usize,
    pub key_grace_days: u64,
    pub registration_ttl_hours: u64,
    pub max_backoff_ms: u64,
}

impl LtiConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !self.public_url.is_empty() && url::Url::parse(&self.public_url).is_err() {
            return Err("public_url must be an absolute URL (https://amphi.example.org)".into());
        }
        if self.leeway_s > 600 {
            return Err("leeway_s must be at most 600".into());
        }
        if self.login_ttl_s == 0 || self.http_timeout_ms == 0 || self.max_response_bytes < 4096 {
            return Err("login_ttl_s and http_timeout_ms must be positive, max_response_bytes at least 4096".into());
        }
        if self.max_backoff_ms < 1000 {
            return Err("max_backoff_ms must be at least 1000".into());
        }
        Ok(())
    }
}

/// The LTI side of a node: keys, caches, metrics.
pub struct Lti {
    pub keys: Arc<keys::ToolKeys>,
    keysets: keysets::Keysets,
    services: services::Services,
    http: http::PlatformHttp,
    metrics: LtiMetrics,
    pub frames: frames::FramePolicy,
}

/// LTI figures, registered with the node's other metrics.
pub struct LtiMetrics {
    /// Launches and logins, by outcome (`ok` or the refusal's code).
    pub launches: IntCounterVec,
    /// Scores sent to platforms, by outcome (`delivered`, `settled`, `failed`).
    pub scores: IntCounterVec,
}

impl Lti {
    pub fn new(config: &crate::config::Config, registry: &prometheus::Registry) -> Lti {
        let http = http::PlatformHttp::new(&config.lti);
        let launches = IntCounterVec::new(
            Opts::new("lti_launches_total", "LTI logins and launches, by outcome (ok or the refusal's code)"),
            &["outcome"],
        )
        .expect("valid metric");
        let scores =
            IntCounterVec::new(Opts::new("lti_scores_total", "Scores sent to LTI platforms, by outcome"), &["outcome"])
                .expect("valid metric");
        for metric in [&launches, &scores] {
            if let Err(error) = registry.register(Box::new(metric.clone())) {
                tracing::warn!(%error, "cannot register an LTI metric");
            }
        }
        Lti {
            keys: Arc::new(keys::ToolKeys::new(&config.data_dir, config.lti.key_grace_days)),
            keysets: keysets::Keysets::new(http.clone(), &config.lti),
            services: services::Services::new(http.clone()),
            http,
            metrics: LtiMetrics { launches, scores },
            frames: frames::FramePolicy::default(),
        }
    }
}

/// The tool's routes under `/lti`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lti/login", get(login::initiate_get).post(login::initiate_post))
        .route("/lti/launch", post(login::launch))
        .route("/lti/jwks", get(jwks))
        .route(LOGO_PATH, get(logo))
        .route("/lti/register", get(registration::register))
        .route("/lti/setup", get(registration::setup))
        .route("/lti/deep-link", post(deep_linking::respond))
        .route("/lti/deep-link/library", post(library_pick::pick))
        .route("/lti/deep-link/library/search", post(library_pick::search))
        .route(
            "/lti/deep-link/create",
            post(deep_linking::create)
                .layer(axum::extract::DefaultBodyLimit::max(crate::api::MAX_IMPORT_BYTES + 64 * 1024)),
        )
}

/// The tool's logo, shown by platforms next to its activities.
pub const LOGO_PATH: &str = "/lti/logo.svg";

async fn logo() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "image/svg+xml"), (axum::http::header::CACHE_CONTROL, "max-age=86400")],
        include_str!("logo.svg"),
    )
}

async fn jwks(axum::extract::State(app): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    match app.lti.keys.jwks().await {
        Ok(keyset) => ([(axum::http::header::CACHE_CONTROL, "max-age=300")], axum::Json(keyset)).into_response(),
        Err(error) => {
            tracing::error!(%error, "cannot load the LTI keys");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, "LTI keys unavailable").into_response()
        }
    }
}

/// The member id of a platform's user.
pub fn member_id(platform_id: &str, sub: &str) -> String {
    format!("lti:{platform_id}:{sub}")
}

/// The platform a member id came from, if it is an LTI member's.
pub fn platform_of_member(member: &str) -> Option<&str> {
    member.strip_prefix("lti:")?.split_once(':').map(|(platform, _)| platform)
}

/// The platform's user id (`sub`) behind an LTI member id.
pub fn sub_of_member(member: &str) -> Option<&str> {
    member.strip_prefix("lti:")?.split_once(':').map(|(_, sub)| sub)
}

/// amphi's public base URL for LTI, without a trailing slash.
pub fn public_url(app: &AppState, headers: &axum::http::HeaderMap) -> String {
    let configured = if app.config.lti.public_url.is_empty() {
        &app.config.invitations.public_url
    } else {
        &app.config.lti.public_url
    };
    if !configured.is_empty() {
        return configured.trim_end_matches('/').to_string();
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn now_ms() -> i64 {
    crate::hub::now_ms() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ids_name_their_platform_and_user() {
        let id = member_id("p1", "42");
        assert_eq!(id, "lti:p1:42");
        assert_eq!(platform_of_member(&id), Some("p1"));
        assert_eq!(sub_of_member(&id), Some("42"));
        assert_eq!(sub_of_member("lti:p1:a:b"), Some("a:b"), "a sub may hold colons");
        assert_eq!(platform_of_member("guest-1"), None);
        assert_eq!(platform_of_member("lti:nocolon"), None);
    }
}
