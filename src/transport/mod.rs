//! The WebSocket endpoint `/ws`: Origin check, subprotocol (wire format)
//! negotiation, buffers sized for phones, then one task per connection
//! ([`connection`]).

mod board;
pub mod breakout;
mod connection;
mod documents;
pub mod ended;
pub mod joins;
mod rate;
mod recordings;
mod validate;

use amphi_protocol::{ErrorCode, Format};
use std::net::SocketAddr;

use axum::Extension;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;
use crate::app::AppState;

/// `GET /ws`: upgrades to a WebSocket speaking protocol 1 or 2 (said in `hello`).
pub async fn upgrade(
    State(app): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    place: Option<Extension<crate::listener::Place>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let address = peer.map(|Extension(ConnectInfo(peer))| peer.ip());
    if let Err(refusal) = check_origin(&headers, &app.config.allowed_origins) {
        return refusal.into_response();
    }
    let format = match negotiate(&headers) {
        Ok(format) => format,
        Err(refusal) => return refusal.into_response(),
    };
    let ws_config = &app.config.websocket;
    let hard_max = app.config.limits.hard_max_frame_bytes;
    // No cap on the write buffer: a trainer's snapshot of a large room is one
    // big frame, and what may queue per connection is bounded by the
    // outbound queue and the write timeout already.
    ws.protocols([format.subprotocol()])
        .read_buffer_size(ws_config.read_buffer_bytes)
        .write_buffer_size(ws_config.write_buffer_bytes)
        .max_message_size(hard_max)
        .max_frame_size(hard_max)
        .on_failed_upgrade(|error| tracing::debug!(%error, "websocket upgrade failed"))
        .on_upgrade(move |socket| {
            let tasks = app.tasks.clone();
            tasks.track_future(async move {
                // The connection keeps its place under the cap per address.
                let _place = place;
                connection::run(socket, format, app, address).await
            })
        })
}

/// The wire format from `Sec-WebSocket-Protocol`: the first one we speak, or
/// JSON when the client names none.
fn negotiate(headers: &HeaderMap) -> Result<Format, ApiError> {
    let offered: Vec<&str> = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if offered.is_empty() {
        return Ok(Format::Json);
    }
    offered.iter().find_map(|name| Format::from_subprotocol(name)).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnsupportedProtocol,
            format!("no supported subprotocol among {offered:?}: use amphi.v1.json or amphi.v1.msgpack"),
        )
    })
}

/// Browsers send `Origin`; it must be this server's own origin or in the
/// allowlist. Clients that send none (not browsers) pass.
fn check_origin(headers: &HeaderMap, allowed: &[String]) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    if allowed.iter().any(|a| a == "*" || a.trim_end_matches('/') == origin) {
        return Ok(());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    if host.is_some() && origin_host == host {
        return Ok(());
    }
    Err(ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, format!("origin {origin} is not allowed")))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn same_origin_and_allowlisted_origins_pass() {
        let same = headers(&[(header::ORIGIN, "http://127.0.0.1:8080"), (header::HOST, "127.0.0.1:8080")]);
        assert!(check_origin(&same, &[]).is_ok());
        let other = headers(&[(header::ORIGIN, "https://evil.example"), (header::HOST, "127.0.0.1:8080")]);
        assert!(check_origin(&other, &[]).is_err());
        assert!(check_origin(&other, &["https://evil.example".into()]).is_ok());
        assert!(check_origin(&other, &["*".into()]).is_ok());
        assert!(check_origin(&headers(&[]), &[]).is_ok(), "no Origin: not a browser");
    }

    #[test]
    fn the_first_supported_subprotocol_wins() {
        let h = headers(&[(header::SEC_WEBSOCKET_PROTOCOL, "foo, amphi.v1.msgpack, amphi.v1.json")]);
        assert_eq!(negotiate(&h).unwrap(), Format::MsgPack);
        assert_eq!(negotiate(&headers(&[])).unwrap(), Format::Json);
        assert!(negotiate(&headers(&[(header::SEC_WEBSOCKET_PROTOCOL, "mqtt")])).is_err());
    }
}
