//! The HTTP accept loop: each TCP connection (with `TCP_NODELAY`, so that
//! small frames leave at once) is admitted within the cap on open
//! connections per source address (`http.max_connections_per_address`,
//! beyond it closed at once and counted in `amphi_abuse_total`), then
//! served by hyper (HTTP/1.1, WebSocket upgrades) with a header-read
//! timeout (`http.header_read_timeout_ms`). On shutdown it stops accepting
//! and lets the requests in flight finish (idle connections are closed).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use crate::app::AppState;

/// How long shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// Open connections per source address (IPv6 as its /64).
#[derive(Default)]
pub struct ConnectionCap {
    limit: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection's place, shared by the HTTP connection and, once
/// upgraded, its WebSocket; freed when the last holder drops it.
#[derive(Clone)]
pub struct Place(#[allow(dead_code, reason = "held for its Drop")] Arc<Admitted>);

/// One admitted connection; dropping it frees its place.
pub struct Admitted {
    cap: Arc<ConnectionCap>,
    key: IpAddr,
}

impl ConnectionCap {
    pub fn new(limit: usize) -> ConnectionCap {
        ConnectionCap { limit, open: Mutex::new(HashMap::new()) }
    }

    /// A place for a connection from `address`, unless it has `limit` open.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Option<Admitted> {
        let key = crate::transport::joins::address_key(address);
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(key).or_insert(0);
        if self.limit > 0 && *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Admitted { cap: Arc::clone(self), key })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.cap.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// Serves `router` on `listener` until `stop` is cancelled.
pub async fn serve(listener: TcpListener, router: Router, app: &AppState, stop: CancellationToken) {
    let cap = Arc::new(ConnectionCap::new(app.config.http.max_connections_per_address));
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(app.config.http.header_read_timeout());
    let connections = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stop.cancelled() => break,
        };
        let Some(admitted) = cap.admit(peer.ip()) else {
            app.metrics.abuse.with_label_values(&["connections_per_address"]).inc();
            tracing::debug!(%peer, "too many connections from this address: closed");
            continue;
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let place = Place(Arc::new(admitted));
        let held = place.clone();
        let service = router.clone().map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request.extensions_mut().insert(held.clone());
            request
        });
        let service = TowerToHyperService::new(service.map_err(|never: Infallible| match never {}));
        let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let stop = stop.clone();
        connections.spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                () = stop.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop(place);
        });
    }
    drop(listener);
    connections.close();
    if tokio::time::timeout(DRAIN, connections.wait()).await.is_err() {
        tracing::warn!("some requests did not finish in time");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_per_address_and_come_back() {
        let cap = Arc::new(ConnectionCap::new(2));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let first = cap.admit(a).unwrap();
        let _second = cap.admit(a).unwrap();
        assert!(cap.admit(a).is_none(), "the third is refused");
        assert!(cap.admit("10.0.0.2".parse().unwrap()).is_some(), "another address has its own");
        drop(first);
        assert!(cap.admit(a).is_some(), "a place came back");
        let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
        let _one = cap.admit(v6("2001:db8::1")).unwrap();
        let _two = cap.admit(v6("2001:db8::2")).unwrap();
        assert!(cap.admit(v6("2001:db8::3")).is_none(), "one /64 is one address");
        assert!(Arc::new(ConnectionCap::new(0)).admit(a).is_some(), "0: no limit");
    }
}
