//! Who may show amphi in a frame: its own pages and the platforms
//! registered (Moodle shows LTI activities in an iframe), nothing else. Every
//! HTML response gets `Content-Security-Policy: frame-ancestors 'self'
//! <platform origins>`, the origins read from the store and kept 30 s.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

const KEEP: Duration = Duration::from_secs(30);

/// The cached `frame-ancestors` directive.
#[derive(Default)]
pub struct FramePolicy {
    cached: Mutex<Option<(Instant, String)>>,
}

impl FramePolicy {
    async fn directive(&self, app: &AppState) -> String {
        if let Some((at, directive)) = self.cached.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && at.elapsed() < KEEP
        {
            return directive.clone();
        }
        let mut origins: Vec<String> = match app.store.lti_platforms_all().await {
            Ok(platforms) => platforms
                .iter()
                .flat_map(|p| [&p.issuer, &p.auth_url])
                .map(|url| super::pages::origin_of(url))
                .filter(|origin| origin.starts_with("http"))
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "cannot read the LTI platforms for the frame policy");
                Vec::new()
            }
        };
        origins.sort();
        origins.dedup();
        let directive =
            format!("frame-ancestors 'self'{}", origins.iter().map(|o| format!(" {o}")).collect::<String>());
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), directive.clone()));
        directive
    }

    /// Forgets the cached origins (a platform was added or removed).
    pub fn refresh(&self) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The middleware: adds the directive to every HTML response.
pub async fn apply(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return response;
    }
    let directive = app.lti.frames.directive(&app).await;
    let policy = match response.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}; {directive}"),
        None => directive,
    };
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}
