//! Test helpers: a real server started in-process on port 0 (SQLite in a
//! temporary directory, or a fresh PostgreSQL database), a protocol client
//! over real WebSockets in either format, and a TCP proxy the tests can cut.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use amphi::app::AppState;
use amphi::auth::{Claims, unix_seconds};
use amphi::config::Config;
use amphi_protocol::server::RoomSnapshot;
use amphi_protocol::{Auth, ClientMessage, ErrorCode, Format, Role, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode as WsCloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a frame it expects.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub const SECRET: &str = "test-secret-0123456789abcdef0123456789abcdef";

/// A running node.
pub struct TestServer {
    pub addr: SocketAddr,
    pub app: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// A node with the embedded defaults (SQLite in a temporary directory).
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// A node whose config `tune` adjusts first.
    pub async fn start_with(tune: impl FnOnce(&mut Config)) -> TestServer {
        TestServer::start_at(|config, _| tune(config)).await
    }

    /// A node whose config `tune` adjusts knowing the address it will
    /// listen on (for callbacks it must be reached at).
    pub async fn start_at(tune: impl FnOnce(&mut Config, SocketAddr)) -> TestServer {
        init_logs();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults();
        config.data_dir = dir.path().to_path_buf();
        config.jwt_secret = SECRET.into();
        config.log_level = "warn".into();
        config.web_dir = dir.path().join("no-web-client");
        // Every test client comes from 127.0.0.1: the limits on joining by
        // code are off unless a test sets them (tests/hardening.rs).
        config.limits.guest_join_burst_per_address = 0;
        config.limits.guest_join_burst_per_room = 0;
        config.limits.failed_join_codes_per_address = 0;
        tune(&mut config, addr);
        config.validate().expect("test config is valid");
        let app = amphi::app::build(config).await.expect("server builds");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(amphi::app::serve(listener, app.clone(), async move {
            let _ = stopped.await;
        }));
        TestServer { addr, app, stop: Some(stop), task: Some(task), _dir: dir }
    }

    /// Triggers a graceful shutdown and waits for `serve` to return.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => tokio::time::timeout(PATIENCE, task).await.expect("shutdown in time").expect("serve task"),
            None => Ok(()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A signed token for `role` in tenant `default`.
    pub fn token(&self, role: Role, name: &str) -> String {
        self.token_in(role, name, "default")
    }

    pub fn token_in(&self, role: Role, name: &str, tenant: &str) -> String {
        self.sign(Claims {
            sub: format!("{}-{}", role.as_str(), uuid::Uuid::new_v4()),
            name: name.into(),
            tenant: tenant.into(),
            role,
            exp: unix_seconds() + 3600,
            iat: unix_seconds(),
            room: None,
            guest: false,
        })
    }

    pub fn sign(&self, claims: Claims) -> String {
        self.app.keys.sign(&claims)
    }

    /// Creates a room through the REST API; returns its JSON.
    pub async fn create_room(&self, token: &str, title: &str) -> Value {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/rooms"))
            .bearer_auth(token)
            .json(&serde_json::json!({ "title": title }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "room created");
        response.json().await.unwrap()
    }

    /// `GET path` with a bearer token; the JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = reqwest::Client::new().get(self.url(path)).bearer_auth(token).send().await.unwrap();
        response.json().await.expect("a JSON body")
    }

    pub async fn connect(&self, format: Format) -> Client {
        Client::connect(self.addr, format).await
    }
}

/// `GET url` without a token, asking for JSON (public pages that answer a
/// browser with HTML); the JSON body.
pub async fn public_json(url: &str) -> Value {
    let response = reqwest::Client::new().get(url).header("accept", "application/json").send().await.unwrap();
    response.json().await.expect("a JSON body")
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Logs to the test output when `AMPHI_TEST_LOG` is set (e.g. `debug`).
fn init_logs() {
    if let Ok(filter) = std::env::var("AMPHI_TEST_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A protocol client over a real WebSocket.
pub struct Client {
    pub ws: Socket,
    pub format: Format,
}

impl Client {
    pub async fn connect(addr: SocketAddr, format: Format) -> Client {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", format.subprotocol().parse().unwrap());
        let (ws, response) =
            tokio_tungstenite::connect_async_with_config(request, None, true).await.expect("websocket connects");
        let chosen = response.headers().get("Sec-WebSocket-Protocol").and_then(|v| v.to_str().ok());
        assert_eq!(chosen, Some(format.subprotocol()), "the server echoes the subprotocol");
        Client { ws, format }
    }

    /// A client over an already connected TCP stream (e.g. one with a tiny
    /// receive buffer).
    pub async fn over(stream: TcpStream, addr: SocketAddr, format: Format) -> Client {
        stream.set_nodelay(true).unwrap();
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", format.subprotocol().parse().unwrap());
        let (ws, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)).await.expect("upgrade");
        Client { ws, format }
    }

    /// A fresh client message id.
    pub fn id(&mut self) -> String {
        // Unique across connections: the server remembers a member's ids
        // across reconnects, so a new connection must not reuse them.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        format!("c{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        let bytes = self.format.encode(message).unwrap();
        let frame = match self.format {
            Format::Json => Message::Text(String::from_utf8(bytes).unwrap().into()),
            Format::MsgPack => Message::Binary(Bytes::from(bytes)),
        };
        self.ws.send(frame).await.expect("send");
    }

    pub async fn send_raw(&mut self, frame: Message) {
        self.ws.send(frame).await.expect("send raw");
    }

    /// The next protocol message (control frames skipped).
    pub async fn recv(&mut self) -> ServerMessage {
        match self.next_frame().await {
            Frame::Message(message) => message,
            Frame::Closed(code) => {
                panic!("connection closed with {code:?} while a message was expected")
            }
        }
    }

    /// The next message matching `want`, skipping others.
    pub async fn recv_until(&mut self, want: impl Fn(&ServerMessage) -> bool) -> ServerMessage {
        loop {
            let message = self.recv().await;
            if want(&message) {
                return message;
            }
        }
    }

    /// The next message, or the close code if the server closed.
    pub async fn next_message_or_close(&mut self) -> Result<ServerMessage, Option<u16>> {
        match self.next_frame().await {
            Frame::Message(message) => Ok(message),
            Frame::Closed(code) => Err(code),
        }
    }

    /// Reads until the server closes; returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Frame::Closed(code) = self.next_frame().await {
                return code;
            }
        }
    }

    /// Sends `message` and returns its answer (`ack` or `error` with its id),
    /// with the other messages received meanwhile.
    pub async fn request(&mut self, message: ClientMessage) -> (ServerMessage, Vec<ServerMessage>) {
        let id = message.id().cloned().expect("a command with an id");
        self.send(&message).await;
        let mut others = Vec::new();
        loop {
            let reply = self.recv().await;
            match &reply {
                ServerMessage::Ack { id: got } if *got == id => return (reply, others),
                ServerMessage::Error { id: Some(got), .. } if *got == id => return (reply, others),
                _ => others.push(reply),
            }
        }
    }

    /// Sends a command and asserts it is acknowledged.
    pub async fn ok(&mut self, message: ClientMessage) -> Vec<ServerMessage> {
        let (reply, others) = self.request(message).await;
        assert!(matches!(reply, ServerMessage::Ack { .. }), "expected an ack, got {reply:?}");
        others
    }

    /// Sends a command and returns the error code it got.
    pub async fn refused(&mut self, message: ClientMessage) -> ErrorCode {
        match self.request(message).await.0 {
            ServerMessage::Error { code, .. } => code,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    /// `hello` with a token; returns the welcome.
    pub async fn hello_token(&mut self, token: &str) -> ServerMessage {
        self.send(&hello(Auth::Token { token: token.into() })).await;
        let welcome = self.recv().await;
        assert!(matches!(welcome, ServerMessage::Welcome { .. }), "expected welcome, got {welcome:?}");
        welcome
    }

    /// A guest `hello` with a join code; returns the welcome and the snapshot.
    pub async fn hello_guest(&mut self, code: &str, name: &str) -> (ServerMessage, RoomSnapshot) {
        self.send(&hello(Auth::JoinCode { code: code.into(), name: name.into() })).await;
        let welcome = self.recv().await;
        assert!(matches!(welcome, ServerMessage::Welcome { .. }), "expected welcome, got {welcome:?}");
        match self.recv().await {
            ServerMessage::Joined { snapshot: Some(snapshot), .. } => (welcome, *snapshot),
            other => panic!("expected joined with a snapshot, got {other:?}"),
        }
    }

    /// `join` by room id; returns the snapshot.
    pub async fn join(&mut self, room: &str) -> RoomSnapshot {
        let id = self.id();
        let others = self.ok(ClientMessage::Join { id, room: Some(room.into()), code: None }).await;
        others
            .into_iter()
            .find_map(|m| match m {
                ServerMessage::Joined { snapshot: Some(snapshot), .. } => Some(*snapshot),
                _ => None,
            })
            .expect("joined with a snapshot before the ack")
    }

    async fn next_frame(&mut self) -> Frame {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next()).await.expect("a frame in time");
            let message = match frame {
                None => return Frame::Closed(None),
                Some(Err(_)) => return Frame::Closed(None),
                Some(Ok(message)) => message,
            };
            let bytes = match message {
                Message::Text(text) => text.as_bytes().to_vec(),
                Message::Binary(bytes) => bytes.to_vec(),
                Message::Close(frame) => return Frame::Closed(frame.map(|f| u16::from(f.code))),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
            };
            let message: ServerMessage = self.format.decode(&bytes).expect("a valid server message");
            return Frame::Message(message);
        }
    }
}

#[allow(clippy::large_enum_variant, reason = "one frame at a time, in tests")]
enum Frame {
    Message(ServerMessage),
    Closed(Option<u16>),
}

pub fn hello(auth: Auth) -> ClientMessage {
    ClientMessage::Hello { v: 1, auth, last_seq: Default::default() }
}

/// The `code` of a room JSON.
pub fn join_code(room: &Value) -> String {
    room["join_code"].as_str().expect("join code").to_string()
}

pub fn room_id(room: &Value) -> String {
    room["id"].as_str().expect("room id").to_string()
}

pub fn close_code(code: u16) -> WsCloseCode {
    WsCloseCode::from(code)
}

/// A fresh PostgreSQL database on the local server; dropped with the value.
pub struct PgDatabase {
    pub url: String,
    name: String,
}

/// The PostgreSQL server the tests use (`AMPHI_TEST_PG`, default the local
/// one).
pub fn pg_admin_url() -> String {
    std::env::var("AMPHI_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl PgDatabase {
    pub async fn create() -> PgDatabase {
        use sqlx::Connection;
        let admin = pg_admin_url();
        let name = format!("amphi_test_{}", uuid::Uuid::new_v4().simple());
        let mut connection = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {admin}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.expect("create database");
        let base = admin.rsplit_once('/').map(|(base, _)| base.to_string()).expect("url with a database");
        PgDatabase { url: format!("{base}/{name}"), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin = pg_admin_url();
        let name = self.name.clone();
        // Best effort, on its own thread: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut connection) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut connection)
                        .await;
                }
            });
        })
        .join();
    }
}

/// A TCP proxy the test can cut and restore, to simulate a dependency
/// outage.
pub struct Proxy {
    pub addr: SocketAddr,
    cut: tokio::sync::watch::Sender<bool>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (cut, watch) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut watch = watch.clone();
                tokio::spawn(async move {
                    if *watch.borrow() {
                        return;
                    }
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Proxy { addr, cut }
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        let _ = self.cut.send(true);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        let _ = self.cut.send(false);
    }
}

/// The server binary in a process of its own, to be killed with SIGKILL and
/// started again on the same data.
pub struct ServerProcess {
    pub addr: SocketAddr,
    pub keys: amphi::auth::Keys,
    child: std::process::Child,
}

impl ServerProcess {
    /// Starts `amphi serve` on a free port with `data_dir` and, if given,
    /// `database_url` (else SQLite in `data_dir`); waits until it is ready.
    pub async fn start(data_dir: &std::path::Path, database_url: Option<&str>) -> ServerProcess {
        ServerProcess::start_with_env(data_dir, database_url, &[]).await
    }

    /// [`ServerProcess::start`] with more environment (`AMPHI_*` settings).
    pub async fn start_with_env(
        data_dir: &std::path::Path,
        database_url: Option<&str>,
        env: &[(&str, &str)],
    ) -> ServerProcess {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let logs = std::env::var("AMPHI_TEST_LOG").is_ok();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_amphi"))
            .arg("serve")
            .env("AMPHI_LISTEN", addr.to_string())
            .env("AMPHI_DATA_DIR", data_dir)
            .env("AMPHI_DATABASE_URL", database_url.unwrap_or_default())
            .env("AMPHI_JWT_SECRET", SECRET)
            .env("AMPHI_WEB_DIR", data_dir.join("no-web-client"))
            .env("AMPHI_LOG_LEVEL", if logs { "info" } else { "warn" })
            // A slow group commit: an acknowledgement sent before its commit
            // would be caught by a kill that follows it.
            .env("AMPHI_STORE__BATCH_MS", "100")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(if logs { std::process::Stdio::inherit() } else { std::process::Stdio::null() })
            .spawn()
            .expect("the amphi binary starts");
        let server = ServerProcess { addr, keys: amphi::auth::Keys::new(SECRET.as_bytes()), child };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(response) = http.get(server.url("/readyz")).send().await
                && response.status() == 200
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the amphi process did not get ready on {addr}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A signed token for `role` in tenant `default`, with a fixed subject.
    pub fn token(&self, role: Role, sub: &str, name: &str) -> String {
        self.keys.sign(&Claims {
            sub: sub.into(),
            name: name.into(),
            tenant: "default".into(),
            role,
            exp: unix_seconds() + 3600,
            iat: unix_seconds(),
            room: None,
            guest: false,
        })
    }

    pub async fn connect(&self, format: Format) -> Client {
        Client::connect(self.addr, format).await
    }

    /// SIGSTOP (`true`) or SIGCONT (`false`): a node that stops answering.
    pub fn freeze(&self, frozen: bool) {
        let signal = if frozen { "-STOP" } else { "-CONT" };
        let status = std::process::Command::new("kill").arg(signal).arg(self.child.id().to_string()).status();
        assert!(status.is_ok_and(|s| s.success()), "kill {signal}");
    }

    /// SIGKILL: no shutdown, no flush.
    pub fn kill(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until a quiz event matching `want`.
pub async fn quiz_event(
    client: &mut Client,
    want: impl Fn(&amphi_protocol::quiz::QuizEvent) -> bool,
) -> amphi_protocol::quiz::QuizEvent {
    use amphi_protocol::server::EventBody;
    let message = client
        .recv_until(|m| matches!(m, ServerMessage::Event { event: EventBody::Quiz { event }, .. } if want(event)))
        .await;
    match message {
        ServerMessage::Event { event: EventBody::Quiz { event }, .. } => event,
        _ => unreachable!(),
    }
}
