//! One protocol connection: connect (optionally from a chosen source
//! address), `hello`, send commands, read messages. Buffers are small, as
//! ten thousand of these share one process. Every wait is bounded by
//! [`PATIENCE`]; a server's close is reported with its code.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amphi_protocol::{ClientMessage, Format, ServerMessage};
use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// How long a connection waits for a message it expects, a command's
/// answer, a send or a connection.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Data frames received by every connection of this process.
static FRAMES_RECEIVED: AtomicU64 = AtomicU64::new(0);

/// Data frames (text or binary) received so far by every connection of
/// this process, for the server's CPU per frame. A run reads it before and
/// after; the binary runs one scenario per process.
pub fn frames_received() -> u64 {
    FRAMES_RECEIVED.load(Ordering::Relaxed)
}

pub struct Conn {
    ws: WebSocketStream<TcpStream>,
    format: Format,
    /// Messages that arrived while [`Conn::command`] waited for its answer
    /// (a durable command's events come before its `ack`), read first by
    /// [`Conn::recv`].
    held: std::collections::VecDeque<ServerMessage>,
    /// The code of the server's close frame, once it came.
    close_code: Option<u16>,
}

impl Conn {
    /// Opens a WebSocket to `url` from `source` (any local address if
    /// `None`).
    pub async fn connect(url: &str, format: Format, source: Option<IpAddr>) -> anyhow::Result<Conn> {
        match tokio::time::timeout(PATIENCE, Conn::connect_now(url, format, source)).await {
            Ok(conn) => conn,
            Err(_) => bail!("connect_timeout: no WebSocket to {url} within {PATIENCE:?}"),
        }
    }

    async fn connect_now(url: &str, format: Format, source: Option<IpAddr>) -> anyhow::Result<Conn> {
        let host_port = url.trim_start_matches("ws://").split('/').next().ok_or_else(|| anyhow!("bad url {url}"))?;
        let target: SocketAddr = tokio::net::lookup_host(host_port)
            .await
            .with_context(|| format!("resolving {host_port}"))?
            .next()
            .ok_or_else(|| anyhow!("{host_port} resolves to nothing"))?;
        let socket = if target.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        if let Some(source) = source {
            socket.bind(SocketAddr::new(source, 0)).with_context(|| format!("binding {source}"))?;
        }
        let stream = socket.connect(target).await.with_context(|| format!("connecting to {target}"))?;
        stream.set_nodelay(true)?;
        let mut request = url.into_client_request()?;
        request.headers_mut().insert("Sec-WebSocket-Protocol", format.subprotocol().parse()?);
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
        Ok(Conn { ws, format, held: std::collections::VecDeque::new(), close_code: None })
    }

    /// A fresh client message id.
    pub fn id(&mut self) -> String {
        // Unique across connections: the server remembers a member's ids
        // across reconnects, so a new connection must not reuse them.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        format!("l{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    pub async fn send(&mut self, message: &ClientMessage) -> anyhow::Result<()> {
        let bytes = self.format.encode(message)?;
        let frame = match self.format {
            Format::Json => Message::Text(String::from_utf8(bytes)?.into()),
            Format::MsgPack => Message::Binary(Bytes::from(bytes)),
        };
        match tokio::time::timeout(PATIENCE, self.ws.send(frame)).await {
            Ok(sent) => Ok(sent?),
            Err(_) => bail!("send_timeout: the server read nothing for {PATIENCE:?}"),
        }
    }

    /// The next message; `None` when the server closed the connection
    /// (see [`Conn::close_error`]). Pings are answered while reading.
    pub async fn recv(&mut self) -> anyhow::Result<Option<ServerMessage>> {
        if let Some(message) = self.held.pop_front() {
            return Ok(Some(message));
        }
        loop {
            let frame = match tokio::time::timeout(PATIENCE, self.ws.next()).await {
                Err(_) => bail!("no_message: nothing for {PATIENCE:?}"),
                Ok(None) => return Ok(None),
                Ok(Some(frame)) => frame?,
            };
            let bytes = match frame {
                Message::Text(text) => Bytes::from(text),
                Message::Binary(bytes) => bytes,
                Message::Close(frame) => {
                    self.close_code = frame.map(|frame| u16::from(frame.code));
                    return Ok(None);
                }
                _ => continue,
            };
            FRAMES_RECEIVED.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(self.format.decode(&bytes)?));
        }
    }

    /// The error kind for a connection the server closed:
    /// `closed_by_server`, with the close code when one came
    /// (`closed_by_server_4029`).
    pub fn close_error(&self) -> String {
        match self.close_code {
            Some(code) => format!("closed_by_server_{code}"),
            None => "closed_by_server".into(),
        }
    }

    /// Reads until a message matches `want`, for at most [`PATIENCE`].
    pub async fn recv_until(&mut self, want: impl Fn(&ServerMessage) -> bool) -> anyhow::Result<ServerMessage> {
        let wait = async {
            loop {
                match self.recv().await? {
                    Some(message) if want(&message) => return Ok(message),
                    Some(_) => {}
                    None => bail!("{}: while waiting for a message", self.close_error()),
                }
            }
        };
        match tokio::time::timeout(PATIENCE, wait).await {
            Ok(message) => message,
            Err(_) => bail!("no_message: not the one expected within {PATIENCE:?}"),
        }
    }

    /// Sends a command and waits for its `ack`, for at most [`PATIENCE`].
    /// An `error` with its id is an error, and so is an `error` without an
    /// id (the server refused the frame itself, e.g. `rate_limited`): one
    /// command is in flight at a time, so it is this command's.
    pub async fn command(&mut self, message: ClientMessage) -> anyhow::Result<()> {
        let id = message.id().cloned().ok_or_else(|| anyhow!("a command needs an id"))?;
        self.send(&message).await?;
        let mut others = Vec::new();
        let wait = async {
            loop {
                match self.recv().await? {
                    None => bail!("{}: while waiting for an ack", self.close_error()),
                    Some(ServerMessage::Ack { id: got }) if got == id => return Ok(()),
                    // No id: the server refused the frame itself.
                    Some(ServerMessage::Error { id: None, code, message, .. }) => bail!("{code}: {message}"),
                    Some(ServerMessage::Error { id: Some(got), code, message, .. }) if got == id => {
                        bail!("{code}: {message}")
                    }
                    Some(other) => others.push(other),
                }
            }
        };
        let answer = match tokio::time::timeout(PATIENCE, wait).await {
            Ok(answer) => answer,
            Err(_) => Err(anyhow!("no_ack: no answer within {PATIENCE:?}")),
        };
        self.held.extend(others);
        answer
    }

    /// Closes the connection without waiting (a phone losing the network).
    pub async fn drop_now(self) {
        drop(self.ws);
    }
}

/// Wall-clock milliseconds since the Unix epoch, with sub-millisecond
/// precision (comparable with the server's `at` stamps on one machine).
pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}
