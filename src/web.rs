//! The web client, served at `/` from the built `web-client/dist`
//! directory. Unknown paths (like `/j/KM7R4P`) get `index.html`, so the
//! client's own router handles them. The build's brotli and gzip copies
//! (`x.js.br`, `x.js.gz`) go to browsers that accept them; the files under
//! `/assets/` are named after their content, so browsers keep them for a
//! year, while every other file (`index.html`) is asked for again each time.
//! Without a build, a short page says how to make one.

use std::convert::Infallible;
use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

const NOT_BUILT: &str = "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>amphi</title>\
<h1>amphi</h1><p>Le client web n'est pas construit. Lancez <code>npm ci &amp;&amp; npm run build</code> \
dans <code>web-client/</code>.</p><p lang=\"en\">The web client is not built: run \
<code>npm ci &amp;&amp; npm run build</code> in <code>web-client/</code>.</p></html>";

/// The fallback service for every path the router does not know.
pub fn service<S: Clone + Send + Sync + 'static>(web_dir: &Path) -> MethodRouter<S> {
    let index = web_dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %web_dir.display(), "web client not built: serving a placeholder page");
        return axum::routing::any(|| async { (StatusCode::OK, Html(NOT_BUILT)) });
    }
    let assets = ServeDir::new(web_dir).precompressed_br().precompressed_gzip();
    let files = assets.clone().fallback(ServeFile::new(index).precompressed_br().precompressed_gzip());
    axum::routing::any(move |request: Request<Body>| {
        let (assets, files) = (assets.clone(), files.clone());
        async move {
            let is_api = request.uri().path().starts_with("/api/");
            if is_api {
                return Ok::<Response, Infallible>(
                    (
                        StatusCode::NOT_FOUND,
                        [(header::CONTENT_TYPE, "application/json")],
                        r#"{"code":"not_found","message":"no such API route"}"#,
                    )
                        .into_response(),
                );
            }
            // A missing asset is a 404 (a page served as a script would be kept a year).
            let hashed = request.uri().path().starts_with("/assets/");
            let served = if hashed {
                assets.oneshot(request).await.map(IntoResponse::into_response)
            } else {
                files.oneshot(request).await.map(IntoResponse::into_response)
            };
            let mut response = served.unwrap_or_else(|e| match e {});
            if response.status().is_success() {
                let policy = if hashed { IMMUTABLE } else { REVALIDATE };
                response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            }
            Ok(response)
        }
    })
}

/// The web client's page, for a URL of the server's own that a person may
/// open in a browser (a credential's, scanned off a certificate): the
/// client's router shows it.
pub async fn index_page(web_dir: &Path) -> Response {
    match tokio::fs::read_to_string(web_dir.join("index.html")).await {
        Ok(page) => ([(header::CACHE_CONTROL, REVALIDATE)], Html(page)).into_response(),
        Err(_) => (StatusCode::OK, Html(NOT_BUILT)).into_response(),
    }
}

/// Whether a request asks for a page (a browser's `Accept`) rather than data.
pub fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"))
}

/// For the build's content-named files: a new build has new names.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// For `index.html` and the other fixed names: checked each time (a 304 when unchanged).
const REVALIDATE: &str = "no-cache";
