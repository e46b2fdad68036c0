//! The composition root: builds the shared state from a [`Config`], the
//! router, and [`serve`], the one entry point that runs a node until its
//! shutdown signal (the binary and the tests both call it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::activity::lobby::LobbySettings;
use crate::auth::Keys;
use crate::bus::Fanout;
use crate::bus::{Bus, LocalBus, RedisBus};
use crate::cluster::{Cluster, ClusterSettings};
use crate::config::Config;
use crate::hub::{Hub, RoomSettings};
use crate::media::BlobStore;
use crate::metrics::Metrics;
use crate::store::{Store, StoreError, Writer, WriterSettings};
use crate::{api, outbox, retention, transport, web};

/// How long shutdown waits for connections to close and writes to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    #[error("BigBlueButton: {0}")]
    Bbb(crate::bbb::BbbError),
}

/// Everything a request handler or a connection needs. Cheap to clone.
pub type AppState = Arc<App>;

pub struct App {
    pub config: Config,
    pub node: String,
    pub keys: Keys,
    pub store: Store,
    /// The store's group-commit writer.
    pub writer: Writer,
    /// Stops the writer once it has committed what is queued.
    writer_stop: CancellationToken,
    writer_task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    pub bus: Arc<dyn Bus>,
    pub fanout: Arc<Fanout>,
    pub hub: Arc<Hub>,
    /// Uploaded files (board attachments).
    pub blobs: BlobStore,
    /// Signed, expiring access to a tenant's blobs (`?access=`).
    pub blob_links: crate::media::links::BlobLinks,
    /// The per-member upload rate.
    pub upload_rate: crate::media::uploads::UploadRate,
    pub link_previews: crate::media::preview::LinkPreviews,
    pub metrics: Arc<Metrics>,
    /// Limits on joining by code, per source address and per room.
    pub joins: transport::joins::JoinLimits,
    /// The BigBlueButton server of ateliers' video rooms, when configured.
    pub bbb: Option<Arc<dyn crate::bbb::Bbb>>,
    /// BigBlueButton callbacks refused (metric and `/readyz` warning).
    pub bbb_refusals: crate::bbb::refusals::CallbackRefusals,
    /// amphi as an LTI tool: its keys, platforms' keysets and tokens.
    pub lti: crate::lti::Lti,
    /// The badge issuers' signing keys (one per tenant, in the data directory).
    pub badge_keys: crate::badges::keys::IssuerKeys,
    /// The first run's one-time sign-in code (`amphi serve` offers it).
    pub first_run: crate::first_run::FirstRun,
    /// Cancelled when the node shuts down: connections close with 1001.
    pub shutdown: CancellationToken,
    /// Connection tasks, awaited at shutdown.
    pub tasks: TaskTracker,
    next_connection: AtomicU64,
}

impl App {
    pub fn next_connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// The tenant a blob token opens, if genuine and not expired.
    pub fn blobs_access(&self, token: &str) -> Option<String> {
        self.blob_links.verify(token, crate::auth::unix_seconds())
    }
}

/// Builds a node from its config: data directory, secret, store (migrated),
/// bus, hub.
pub async fn build(config: Config) -> Result<AppState, StartError> {
    let data_dir_error = |source| StartError::DataDir { path: config.data_dir.display().to_string(), source };
    std::fs::create_dir_all(&config.data_dir).map_err(data_dir_error)?;
    let secret = crate::auth::load_or_create_secret(&config.jwt_secret, &config.data_dir).map_err(data_dir_error)?;
    let metrics = Arc::new(Metrics::new());
    let store = Store::connect(&config.effective_database_url(), Arc::clone(&metrics)).await?;
    restrict_data_dir(&config.data_dir).map_err(data_dir_error)?;
    let writer_stop = CancellationToken::new();
    let writer_settings = WriterSettings {
        batch_writes: config.store.batch_writes,
        batch_ms: config.store.batch_ms,
        queue_writes: config.store.queue_writes,
    };
    let (writer, writer_task) =
        Writer::spawn(store.clone(), writer_settings, Arc::clone(&metrics), writer_stop.clone());
    let fanout = Arc::new(Fanout::new(Arc::clone(&metrics)));
    let cluster = if config.redis_url.is_empty() {
        None
    } else {
        let settings = ClusterSettings {
            redis_url: config.redis_url.clone(),
            lease_ms: config.cluster.lease_ms,
            call_timeout_ms: config.cluster.call_timeout_ms,
            commit_timeout_ms: config.cluster.commit_timeout_ms,
        };
        Some(Cluster::new(&config.node_name(), settings, Arc::clone(&metrics))?)
    };
    let bus: Arc<dyn Bus> = match &cluster {
        Some(cluster) => Arc::new(RedisBus::new(Arc::clone(&fanout), Arc::clone(cluster))),
        None => Arc::new(LocalBus::new(Arc::clone(&fanout))),
    };
    let settings = RoomSettings {
        mailbox: config.rooms.mailbox,
        history: config.rooms.history,
        max_members: config.limits.max_members_per_room,
        lobby: LobbySettings {
            announcements_kept: config.rooms.announcements_kept,
            coalesce_ms: config.rooms.coalesce_ms,
        },
    };
    let blobs = BlobStore::new(config.data_dir.join("blobs"));
    let blob_links = crate::media::links::BlobLinks::new(&secret);
    let bbb: Option<Arc<dyn crate::bbb::Bbb>> = if config.bbb.is_enabled() {
        Some(Arc::new(crate::bbb::HttpBbb::new(&config.bbb).map_err(StartError::Bbb)?))
    } else {
        None
    };
    let effects = bbb.as_ref().map(|bbb| {
        crate::effects::EffectsRunner {
            bbb: Arc::clone(bbb),
            base: config.bbb.callback_base_url.trim_end_matches('/').to_string(),
            blob_links: blob_links.clone(),
            pause: std::time::Duration::from_millis(config.bbb.retry_backoff_ms.max(1)),
        }
        .spawn()
    });
    let hub = Arc::new(Hub::new(
        store.clone(),
        writer.clone(),
        Arc::clone(&bus),
        settings,
        Arc::clone(&metrics),
        cluster,
        effects,
    ));
    let lti = crate::lti::Lti::new(&config, metrics.registry());
    let bbb_refusals = crate::bbb::refusals::CallbackRefusals::new(metrics.registry());
    let joins = transport::joins::JoinLimits::new(&config.limits);
    let upload_rate = crate::media::uploads::UploadRate::new(&config.board);
    let link_previews = crate::media::preview::LinkPreviews::new(config.board.link_previews);
    Ok(Arc::new(App {
        node: config.node_name(),
        lti,
        badge_keys: crate::badges::keys::IssuerKeys::new(&config.data_dir),
        first_run: crate::first_run::FirstRun::new(&config.data_dir),
        keys: Keys::new(&secret),
        blob_links,
        config,
        store,
        writer,
        writer_stop,
        writer_task: std::sync::Mutex::new(Some(writer_task)),
        bus,
        fanout,
        hub,
        blobs,
        upload_rate,
        link_previews,
        bbb,
        bbb_refusals,
        metrics,
        joins,
        shutdown: CancellationToken::new(),
        tasks: TaskTracker::new(),
        next_connection: AtomicU64::new(1),
    }))
}

/// Keeps the data directory to amphi's own user (issue #17, item 9): the
/// directory `0700`, the SQLite database (with its WAL and shared memory)
/// and the generated secret `0600`: they hold names and e-mail addresses.
fn restrict_data_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        for name in ["amphi.db", "amphi.db-wal", "amphi.db-shm", "jwt-secret"] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Every route of a node.
pub fn router(app: AppState) -> Router {
    let web_dir = app.config.web_dir.clone();
    Router::new()
        .route("/ws", get(transport::upgrade))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .nest("/api/v1", api::router())
        .merge(crate::lti::router())
        .merge(crate::badges::routes::router())
        .fallback_service(web::service(&web_dir))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&app), crate::headers::apply))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .with_state(app)
}

/// Serves `app` on `listener` until `signal` resolves, then shuts down
/// gracefully: stop accepting, close every connection with 1001 ("going
/// away, reconnect"), wait for them, commit what the writer holds, close the
/// store. Also runs the outbox delivery and the retention purge.
pub async fn serve(
    listener: TcpListener,
    app: AppState,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(
        %address, node = %app.node, store = app.store.backend(), bus = app.bus.name(),
        "amphi listening on http://{address}"
    );
    let shutdown = app.shutdown.clone();
    tokio::spawn(async move {
        signal.await;
        shutdown.cancel();
    });
    let config = &app.config;
    app.tasks.spawn(outbox::run(
        app.store.clone(),
        config.outbox.clone(),
        Arc::clone(&app.metrics),
        app.shutdown.clone(),
    ));
    app.tasks.spawn(crate::invitations::worker::run(Arc::clone(&app), app.shutdown.clone()));
    app.tasks.spawn(crate::lti::grades::run(Arc::clone(&app), app.shutdown.clone()));
    if let Some(cluster) = app.hub.cluster() {
        let node = crate::cluster::LocalNode {
            hub: Arc::clone(&app.hub),
            fanout: Arc::clone(&app.fanout),
            stop: app.shutdown.clone(),
            erase: Arc::new(crate::api::Eraser(Arc::clone(&app))),
        };
        app.tasks.spawn(crate::cluster::run(node, Arc::clone(cluster)));
    }
    if let Some(bbb) = &app.bbb
        && config.bbb.register_webhooks
        && !config.bbb.callback_base_url.is_empty()
    {
        let url = crate::bbb::hooks::callback_url(&config.bbb.callback_base_url);
        app.tasks.spawn(crate::bbb::hooks::register(Arc::clone(bbb), url, app.shutdown.clone()));
    }
    app.tasks.spawn(crate::media::sweep::run(Arc::clone(&app), app.shutdown.clone()));
    app.tasks.spawn(retention::run(app.store.clone(), config.store.guest_retention_days, app.shutdown.clone()));
    let rollup_every = Duration::from_secs(config.statistics.rollup_interval_s);
    app.tasks.spawn(crate::rollup::run(app.store.clone(), rollup_every, app.shutdown.clone()));
    app.tasks.spawn(retention::run_trash(app.store.clone(), config.store.trash_retention_days, app.shutdown.clone()));
    crate::listener::serve(listener, router(Arc::clone(&app)), &app, app.shutdown.clone()).await;
    app.tasks.close();
    if tokio::time::timeout(SHUTDOWN_GRACE, app.tasks.wait()).await.is_err() {
        tracing::warn!("some connections did not close in time");
    }
    app.writer_stop.cancel();
    let writer_task = app.writer_task.lock().ok().and_then(|mut task| task.take());
    if let Some(task) = writer_task
        && tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err()
    {
        tracing::warn!(
            waiting = app.writer.queued(),
            "the store did not take every write in time (none was acknowledged)"
        );
    }
    if let Some(cluster) = app.hub.cluster() {
        cluster.release(&app.hub.local_rooms()).await;
    }
    app.store.close().await;
    tracing::info!("amphi stopped");
    Ok(())
}

async fn healthz(State(app): State<AppState>) -> Response {
    axum::Json(json!({ "status": "ok", "node": app.node })).into_response()
}

async fn readyz(State(app): State<AppState>) -> Response {
    let mut reasons = Vec::new();
    if let Err(reason) = app.store.ping(Duration::from_secs(2)).await {
        reasons.push(reason);
    }
    if let Err(reason) = app.writer.readiness() {
        reasons.push(reason);
    }
    if let Err(reason) = app.bus.readiness() {
        reasons.push(reason);
    }
    if app.shutdown.is_cancelled() {
        reasons.push("shutting down".to_string());
    }
    if reasons.is_empty() {
        let mut ready = json!({ "status": "ready" });
        if let Some(warning) = app.bbb_refusals.warning(crate::hub::now_ms() as i64) {
            ready["warnings"] = json!([warning]);
        }
        axum::Json(ready).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({ "status": "unavailable", "reasons": reasons })))
            .into_response()
    }
}

async fn metrics(State(app): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], app.metrics.render()).into_response()
}
