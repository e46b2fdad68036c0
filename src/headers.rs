//! Security headers. Every HTML response gets a Content-Security-Policy:
//! the web client's (scripts, styles, fonts and images from amphi itself,
//! WebSockets to it, video players from the embed hosts of
//! `board.video_hosts` only, no plugins) unless the page set its own (the
//! LTI pages, with their nonce), and in every case the `frame-ancestors` of
//! [`crate::lti::frames`]. With `http.behind_tls`, every response says
//! `Strict-Transport-Security`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;

/// A year, as HSTS is usually given.
const HSTS: &str = "max-age=31536000";

/// The web client's policy, `frame-ancestors` aside.
pub fn web_client_policy(video_hosts: &[String]) -> String {
    let mut frames: Vec<String> = video_hosts
        .iter()
        .map(|host| match host.as_str() {
            "youtube" => "https://www.youtube-nocookie.com".to_string(),
            "vimeo" => "https://player.vimeo.com".to_string(),
            "dailymotion" => "https://www.dailymotion.com".to_string(),
            other => format!("https://{other}"),
        })
        .collect();
    frames.sort();
    frames.dedup();
    let frames = if frames.is_empty() { "'none'".to_string() } else { frames.join(" ") };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         font-src 'self' data:; media-src 'self' blob:; connect-src 'self'; frame-src {frames}; \
         object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// The middleware.
pub async fn apply(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if app.config.http.behind_tls {
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return response;
    }
    let frames = app.lti.frames.directive(&app).await;
    let policy = match response.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}; {frames}"),
        None => format!("{}; {frames}", web_client_policy(&app.config.board.video_hosts)),
    };
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_players_come_from_the_embed_hosts_only() {
        let hosts = ["youtube", "*.apps.education.fr", "vimeo"].map(String::from);
        let policy = web_client_policy(&hosts);
        assert!(
            policy.contains(
                "frame-src https://*.apps.education.fr https://player.vimeo.com https://www.youtube-nocookie.com;"
            ),
            "{policy}"
        );
        assert!(web_client_policy(&[]).contains("frame-src 'none'"));
    }
}
