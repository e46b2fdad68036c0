//! One protocol connection: connect (optionally from a chosen source
//! address), `hello`, send commands, read messages. Buffers are small, as
//! ten thousand of these share one process.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amphi_protocol::{ClientMessage, Format, ServerMessage};
use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

/// How long a connection waits for a message it expects.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Conn {
    ws: WebSocketStream<TcpStream>,
    format: Format,
    /// Messages that arrived while [`Conn::command`] waited for its answer
    /// (a durable command's events come before its `ack`), read first by
    /// [`Conn::recv`].
    held: std::collections::VecDeque<ServerMessage>,
}

impl Conn {
    /// Opens a WebSocket to `url` from `source` (any local address if
    /// `None`).
    pub async fn connect(url: &str, format: Format, source: Option<IpAddr>) -> anyhow::Result<Conn> {
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
        Ok(Conn { ws, format, held: std::collections::VecDeque::new() })
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
        self.ws.send(frame).await?;
        Ok(())
    }

    /// The next message; `None` when the server closed the connection.
    /// Pings are answered while reading.
    pub async fn recv(&mut self) -> anyhow::Result<Option<ServerMessage>> {
        if let Some(message) = self.held.pop_front() {
            return Ok(Some(message));
        }
        loop {
            let frame = match tokio::time::timeout(PATIENCE, self.ws.next()).await {
                Err(_) => bail!("no message for {PATIENCE:?}"),
                Ok(None) => return Ok(None),
                Ok(Some(frame)) => frame?,
            };
            let bytes = match frame {
                Message::Text(text) => Bytes::from(text),
                Message::Binary(bytes) => bytes,
                Message::Close(_) => return Ok(None),
                _ => continue,
            };
            return Ok(Some(self.format.decode(&bytes)?));
        }
    }

    /// Reads until a message matches `want`.
    pub async fn recv_until(&mut self, want: impl Fn(&ServerMessage) -> bool) -> anyhow::Result<ServerMessage> {
        loop {
            match self.recv().await? {
                Some(message) if want(&message) => return Ok(message),
                Some(_) => {}
                None => bail!("closed by the server"),
            }
        }
    }

    /// Sends a command and waits for its `ack` (an `error` is an error).
    pub async fn command(&mut self, message: ClientMessage) -> anyhow::Result<()> {
        let id = message.id().cloned().ok_or_else(|| anyhow!("a command needs an id"))?;
        self.send(&message).await?;
        let mut others = Vec::new();
        let answer = loop {
            match self.recv().await? {
                None => bail!("the server closed the connection"),
                Some(ServerMessage::Ack { id: got }) if got == id => break Ok(()),
                Some(ServerMessage::Error { id: Some(got), code, message, .. }) if got == id => {
                    break Err(anyhow!("{code}: {message}"));
                }
                Some(other) => others.push(other),
            }
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
