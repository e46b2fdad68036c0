//! One WebSocket connection: one task, one `select!` loop, frames handled in
//! order. It authenticates with `hello`, attaches to rooms (snapshot or
//! replay), forwards commands to room actors and writes their answers, and
//! drains its bounded event queue to the socket. A durable command is
//! acknowledged once its write is committed, without holding up the loop.
//! It closes with a documented code on shutdown, slowness, idleness, abuse
//! or a frame far too big.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use amphi_protocol::quiz::QuizCommand;
use amphi_protocol::quiz::QuizEvent;
use amphi_protocol::server::EventBody;
use amphi_protocol::{
    Auth, ClientMessage, ClientMsgId, CloseCode, ErrorCode, Format, OLDEST_PROTOCOL_VERSION, PROTOCOL_VERSION,
    ServerMessage,
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::SinkExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite;
use tracing::Instrument;
use uuid::Uuid;

use super::rate::{RateLimiter, Verdict};
use super::validate;
use crate::activity::Refusal;
use crate::activity::lobby::LobbyCommand;
use crate::app::AppState;
use crate::auth::{Member, TokenError};
use crate::backoff::Backoff;
use crate::bus::{Closer, ConnId, Envelope, Folding, Subscriber};
use crate::hub::{Accepted, Attached, HubError, RoomCommand, RoomGone, RoomHandle, Who, now_ms};

/// Events written to the socket in one batch before flushing.
const WRITE_BATCH: usize = 64;
/// Time allowed to deliver a close frame.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// The peer is gone (or the socket failed): stop without a close frame.
struct Gone;

/// Why the loop ended.
enum Exit {
    Close(CloseCode),
    Gone,
}

/// A command waiting for its commit: resolves to its id, its room, and
/// whether it was committed.
type PendingAck = Pin<Box<dyn Future<Output = (ClientMsgId, String, bool)> + Send + Sync>>;

struct Attachment {
    handle: RoomHandle,
    /// The last seq written for this room: older events are not sent again.
    last_seq: u64,
    /// What protocol 2 leaves out here (shared with the fan-out).
    folding: Arc<Folding>,
}

struct Connection {
    id: ConnId,
    format: Format,
    app: AppState,
    member: Option<(Member, Who)>,
    rooms: HashMap<Uuid, Attachment>,
    queue: mpsc::Sender<Arc<Envelope>>,
    closer: Arc<Closer>,
    rate: RateLimiter,
    last_seen: Instant,
    /// Durable commands applied and not yet committed.
    pending: Vec<PendingAck>,
    /// The peer's address, for the limits on joining by code.
    address: Option<std::net::IpAddr>,
    /// The protocol version said in `hello`.
    version: u16,
}

/// Serves one upgraded connection until it closes.
pub async fn run(socket: WebSocket, format: Format, app: AppState, address: Option<std::net::IpAddr>) {
    let id = app.next_connection_id();
    let span = tracing::info_span!("conn", conn = id, member = tracing::field::Empty, tenant = tracing::field::Empty);
    async move {
        app.metrics.connections.inc();
        let (queue, events) = mpsc::channel(app.config.websocket.outbound_queue);
        let limits = &app.config.limits;
        let now = Instant::now();
        let mut connection = Connection {
            id,
            format,
            rate: RateLimiter::new(limits.commands_per_second, limits.command_burst, now),
            app: app.clone(),
            member: None,
            rooms: HashMap::new(),
            queue,
            closer: Arc::new(Closer::default()),
            last_seen: now,
            pending: Vec::new(),
            address,
            version: PROTOCOL_VERSION,
        };
        connection.serve(socket, events).await;
        connection.detach_all();
        app.metrics.connections.dec();
    }
    .instrument(span)
    .await
}

impl Connection {
    async fn serve(&mut self, mut socket: WebSocket, mut events: mpsc::Receiver<Arc<Envelope>>) {
        let ws = &self.app.config.websocket;
        let handshake_deadline = tokio::time::Instant::now() + ws.handshake_timeout();
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + ws.heartbeat(), ws.heartbeat());
        let shutdown = self.app.shutdown.clone();
        let closer = Arc::clone(&self.closer);
        // Made once, not per turn of the loop: each registers a waiter the
        // first time it is polled, and stays registered.
        let shutting_down = shutdown.cancelled();
        let close_requested = closer.closed();
        tokio::pin!(shutting_down, close_requested);
        let exit = loop {
            tokio::select! {
                biased;
                () = &mut shutting_down => break Exit::Close(CloseCode::GoingAway),
                code = &mut close_requested => break Exit::Close(code),
                () = tokio::time::sleep_until(handshake_deadline), if self.member.is_none() => {
                    break Exit::Close(CloseCode::HandshakeTimeout);
                }
                frame = socket.recv() => match frame {
                    None => break Exit::Gone,
                    Some(Err(error)) => break read_error_exit(&error),
                    Some(Ok(message)) => {
                        self.last_seen = Instant::now();
                        // Boxed: handling a frame needs a large future (hello, attach,
                        // a room round trip); idle connections should not carry it.
                        match Box::pin(self.on_frame(message, &mut socket)).await {
                            Ok(None) => {}
                            Ok(Some(code)) => break Exit::Close(code),
                            Err(Gone) => break Exit::Gone,
                        }
                    }
                },
                // The arms' writes are boxed too: their futures hold a whole
                // `ServerMessage` or envelopes, which idle connections should
                // not carry in their task.
                (id, room, committed) = next_committed(&mut self.pending), if !self.pending.is_empty() => {
                    let written = if committed {
                        Box::pin(self.reply(&mut socket, &ServerMessage::Ack { id })).await
                    } else {
                        let refusal = Refusal::new(ErrorCode::Unavailable, "not stored: retry with the same id");
                        Box::pin(self.error(&mut socket, Some(id), Some(room), refusal)).await
                    };
                    if written.is_err() {
                        break Exit::Gone;
                    }
                }
                Some(first) = events.recv() => {
                    if Box::pin(self.write_events(first, &mut events, &mut socket)).await.is_err() {
                        break Exit::Gone;
                    }
                }
                _ = heartbeat.tick() => {
                    if self.last_seen.elapsed() > self.app.config.websocket.idle_timeout() {
                        break Exit::Close(CloseCode::IdleTimeout);
                    }
                    if Box::pin(self.send(&mut socket, Message::Ping(Bytes::new()))).await.is_err() {
                        break Exit::Gone;
                    }
                }
            }
        };
        self.close(socket, exit).await;
    }

    /// Ends the connection: with its close code when it has one (a write
    /// interrupted by a close request, a slow consumer, ends as `Gone` but
    /// still owes the peer its code).
    async fn close(&self, mut socket: WebSocket, exit: Exit) {
        let code = match exit {
            Exit::Close(code) => Some(code),
            Exit::Gone => self.closer.requested(),
        };
        let Some(code) = code else { return };
        self.app.metrics.closes.with_label_values(&[&code.code().to_string()]).inc();
        tracing::debug!(code = code.code(), reason = code.reason(), "closing connection");
        let frame = CloseFrame { code: code.code(), reason: Utf8Bytes::from_static(code.reason()) };
        // The closing handshake: send our close, then read until the peer's
        // (dropping the socket with unread data would reset it and could lose
        // our close frame).
        let _ = tokio::time::timeout(CLOSE_GRACE, async {
            socket.send(Message::Close(Some(frame))).await?;
            while let Some(frame) = socket.recv().await {
                if matches!(frame?, Message::Close(_)) {
                    break;
                }
            }
            Ok::<(), axum::Error>(())
        })
        .await;
    }

    /// Handles one frame. `Ok(Some(code))` asks to close the connection.
    async fn on_frame(&mut self, message: Message, socket: &mut WebSocket) -> Result<Option<CloseCode>, Gone> {
        let (bytes, format) = match &message {
            Message::Text(text) => (text.as_bytes(), Format::Json),
            Message::Binary(bytes) => (&bytes[..], Format::MsgPack),
            Message::Ping(_) | Message::Pong(_) => return Ok(None),
            Message::Close(_) => return Err(Gone),
        };
        match self.rate.check(Instant::now()) {
            Verdict::Allowed => {}
            Verdict::Refused => {
                self.error(socket, None, None, Refusal::new(ErrorCode::RateLimited, "too many messages: slow down"))
                    .await?;
                return Ok(None);
            }
            Verdict::Abuse => return Ok(Some(CloseCode::RateLimited)),
        }
        let limit = self.app.config.limits.max_frame_bytes;
        if bytes.len() > limit {
            let refusal = Refusal::new(ErrorCode::FrameTooLarge, format!("frames are limited to {limit} bytes"));
            self.error(socket, None, None, refusal).await?;
            return Ok(None);
        }
        let decoded = match format.decode_client(bytes) {
            Ok(decoded) => decoded,
            Err(error) => {
                self.app.metrics.frames_in.with_label_values(&["invalid"]).inc();
                self.error(socket, None, None, Refusal::new(error.code, error.message)).await?;
                return Ok(None);
            }
        };
        self.app.metrics.frames_in.with_label_values(&[decoded.type_name()]).inc();
        if let Err(refusal) = validate::check(&decoded, &self.app.config.limits) {
            let room = room_of(&decoded);
            self.error(socket, decoded.id().cloned(), room, refusal).await?;
            return Ok(None);
        }
        self.dispatch(decoded, socket).await.map(|()| None)
    }

    async fn dispatch(&mut self, message: ClientMessage, socket: &mut WebSocket) -> Result<(), Gone> {
        match message {
            ClientMessage::Hello { v, auth, last_seq } => {
                return self.hello(v, auth, last_seq, socket).await;
            }
            // Allowed before `hello`: a client may check the clock first.
            ClientMessage::Ping { id } => {
                let pong = ServerMessage::Pong { id, server_time_ms: now_ms() };
                return self.reply(socket, &pong).await;
            }
            _ => {}
        }
        if self.member.is_none() {
            let refusal = Refusal::new(ErrorCode::NotAuthenticated, "send `hello` first");
            return self.error(socket, message.id().cloned(), None, refusal).await;
        }
        match message {
            ClientMessage::Join { id, room, code } => self.join(id, room, code, socket).await,
            ClientMessage::Leave { id, room } => self.leave(id, room, socket).await,
            ClientMessage::Announce { id, room, text } => {
                let command = RoomCommand::Lobby(LobbyCommand::Announce { text });
                self.room_command(id, room, command, socket).await
            }
            ClientMessage::RaiseHand { id, room } => {
                let command = RoomCommand::Lobby(LobbyCommand::RaiseHand);
                self.room_command(id, room, command, socket).await
            }
            ClientMessage::LowerHand { id, room, member } => {
                let command = RoomCommand::Lobby(LobbyCommand::LowerHand { member });
                self.room_command(id, room, command, socket).await
            }
            ClientMessage::Lock { id, room } => {
                let command = RoomCommand::Lobby(LobbyCommand::Lock { locked: true });
                self.room_command(id, room, command, socket).await
            }
            ClientMessage::Unlock { id, room } => {
                let command = RoomCommand::Lobby(LobbyCommand::Lock { locked: false });
                self.room_command(id, room, command, socket).await
            }
            ClientMessage::RemoveMember { id, room, member } => {
                let command = RoomCommand::Lobby(LobbyCommand::RemoveMember { member: member.clone() });
                match self.command_to_room(&id, &room, command).await {
                    Ok(outcome) => {
                        // Their tokens end before the leader hears it is done.
                        if matches!(outcome, Ok(Ok(_))) {
                            super::ended::end(&self.app, &member).await;
                        }
                        self.answer(id, room, outcome, socket).await.map(drop)
                    }
                    Err(refusal) => self.error(socket, Some(id), Some(room), refusal).await,
                }
            }
            ClientMessage::Quiz { id, room, command } => {
                let answered = match &command {
                    QuizCommand::Answer { question, .. } => validate::room_id(&room).ok().map(|room| (room, *question)),
                    _ => None,
                };
                let accepted = self.room_command_outcome(id, room, RoomCommand::Quiz(command), socket).await?;
                if let (true, Some((room, question))) = (accepted, answered)
                    && let Some(attachment) = self.rooms.get(&room)
                {
                    attachment.folding.answer_accepted(question);
                }
                Ok(())
            }
            ClientMessage::Board { id, room, command } => {
                match super::board::prepare(&self.app, &self.tenant(), *command).await {
                    Ok(command) => self.room_command(id, room, RoomCommand::Board(Box::new(command)), socket).await,
                    Err(refusal) => self.error(socket, Some(id), Some(room), refusal).await,
                }
            }
            ClientMessage::Breakout { id, room, command } => {
                let tenant = self.tenant();
                let prepared = match super::breakout::prepare(&self.app, &tenant, *command).await {
                    Ok(command) => super::recordings::prepare(&self.app, &tenant, &room, command).await,
                    Err(refusal) => Err(refusal),
                };
                let prepared = match prepared {
                    Ok(command) => super::documents::prepare(&self.app, &tenant, &room, command).await,
                    Err(refusal) => Err(refusal),
                };
                match prepared {
                    Ok(command) => self.breakout_command(id, room, command, socket).await,
                    Err(refusal) => self.error(socket, Some(id), Some(room), refusal).await,
                }
            }
            ClientMessage::Hello { .. } | ClientMessage::Ping { .. } => Ok(()), // answered above
        }
    }

    /// The authenticated member's tenant (the rooms they can reach are
    /// its rooms).
    fn tenant(&self) -> String {
        self.member.as_ref().map(|(member, _)| member.tenant.clone()).unwrap_or_default()
    }

    /// Forwards a breakout command (what follows it outside the room is the
    /// effects runner's, handed over by the room).
    async fn breakout_command(
        &mut self,
        id: ClientMsgId,
        room: String,
        command: amphi_protocol::breakout::BreakoutCommand,
        socket: &mut WebSocket,
    ) -> Result<(), Gone> {
        self.room_command(id, room, RoomCommand::Breakout(Box::new(command)), socket).await
    }

    /// Forwards a command to the room it names and writes its answer.
    async fn room_command(
        &mut self,
        id: ClientMsgId,
        room: String,
        command: RoomCommand,
        socket: &mut WebSocket,
    ) -> Result<(), Gone> {
        self.room_command_outcome(id, room, command, socket).await.map(drop)
    }

    /// [`Connection::room_command`], saying whether the room accepted it.
    async fn room_command_outcome(
        &mut self,
        id: ClientMsgId,
        room: String,
        command: RoomCommand,
        socket: &mut WebSocket,
    ) -> Result<bool, Gone> {
        match self.command_to_room(&id, &room, command).await {
            Ok(outcome) => self.answer(id, room, outcome, socket).await,
            Err(refusal) => self.error(socket, Some(id), Some(room), refusal).await.map(|()| false),
        }
    }

    /// Sends a command to the room it names, if attached here.
    async fn command_to_room(
        &self,
        id: &ClientMsgId,
        room: &str,
        command: RoomCommand,
    ) -> Result<Result<Result<Accepted, Refusal>, crate::hub::RoomGone>, Refusal> {
        let attached = validate::room_id(room).ok().and_then(|uuid| self.rooms.get(&uuid));
        let (Some(attachment), Some((_, who))) = (attached, &self.member) else {
            return Err(Refusal::new(ErrorCode::NotInRoom, "join this room first"));
        };
        let (handle, who) = (attachment.handle.clone(), who.clone());
        Ok(handle.command(who, id.clone(), command).await)
    }

    /// Writes a room's answer to a command (an ack once it is committed);
    /// says whether the room accepted it.
    async fn answer(
        &mut self,
        id: ClientMsgId,
        room: String,
        outcome: Result<Result<Accepted, Refusal>, crate::hub::RoomGone>,
        socket: &mut WebSocket,
    ) -> Result<bool, Gone> {
        match outcome {
            Ok(Ok(Accepted::Applied)) => self.reply(socket, &ServerMessage::Ack { id }).await.map(|()| true),
            Ok(Ok(Accepted::Committing(receipt))) => {
                self.pending.push(Box::pin(async move { (id, room, receipt.await) }));
                Ok(true)
            }
            Ok(Ok(Accepted::Page(page))) => {
                self.reply(socket, &ServerMessage::BoardPage { id, room, page }).await.map(|()| true)
            }
            Ok(Err(refusal)) => self.error(socket, Some(id), Some(room), refusal).await.map(|()| false),
            Err(_) => self.error(socket, Some(id), Some(room), unavailable()).await.map(|()| false),
        }
    }

    async fn hello(
        &mut self,
        v: u16,
        auth: Auth,
        last_seq: std::collections::BTreeMap<String, u64>,
        socket: &mut WebSocket,
    ) -> Result<(), Gone> {
        if self.member.is_some() {
            let refusal = Refusal::new(ErrorCode::AlreadyAuthenticated, "this connection has already said hello");
            return self.error(socket, None, None, refusal).await;
        }
        if !(OLDEST_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v) {
            let message = format!("this server speaks protocols {OLDEST_PROTOCOL_VERSION} to {PROTOCOL_VERSION}");
            return self.error(socket, None, None, Refusal::new(ErrorCode::UnsupportedProtocol, message)).await;
        }
        let (member, guest_room) = match self.authenticate(auth).await {
            Ok(found) => found,
            Err(refusal) => return self.error(socket, None, None, refusal).await,
        };
        let span = tracing::Span::current();
        span.record("member", member.id.as_str());
        span.record("tenant", member.tenant.as_str());
        let keys = &self.app.keys;
        let resume = crate::auth::claims_for(&member, self.app.config.auth.resume_ttl_hours);
        self.version = v;
        let welcome = ServerMessage::Welcome {
            v,
            member: member.identity(),
            blob_token: Some(self.app.blob_links.token(&member.tenant, resume.exp)),
            resume_token: keys.sign(&resume),
            server_time_ms: now_ms(),
            heartbeat_ms: self.app.config.websocket.heartbeat_ms,
        };
        let who = Who {
            id: member.id.as_str().into(),
            name: member.name.as_str().into(),
            role: member.role,
            guest: member.guest,
        };
        self.member = Some((member, who));
        self.reply(socket, &welcome).await?;

        if let Some(handle) = guest_room {
            let since = last_seq.get(&handle.id().to_string()).copied();
            if let Err(refusal) = self.attach(handle.clone(), since, socket).await? {
                self.error(socket, None, Some(handle.id().to_string()), refusal).await?;
            }
        }
        for (room, since) in last_seq {
            let Ok(uuid) = Uuid::parse_str(&room) else {
                continue;
            };
            if self.rooms.contains_key(&uuid) {
                continue;
            }
            let outcome = match self.find_room(Some(uuid), None).await {
                Ok(handle) => self.attach(handle, Some(since), socket).await?,
                Err(refusal) => Err(refusal),
            };
            if let Err(refusal) = outcome {
                self.error(socket, None, Some(room), refusal).await?;
            }
        }
        Ok(())
    }

    /// Who the `hello` names, and for a guest the room of their code.
    async fn authenticate(&self, auth: Auth) -> Result<(Member, Option<RoomHandle>), Refusal> {
        match auth {
            Auth::Resume { token } => match self.app.keys.verify(&token) {
                Ok(claims) => {
                    super::ended::check(&self.app, &claims).await?;
                    Ok((Member::from(claims), None))
                }
                Err(TokenError::Expired) => Err(Refusal::new(ErrorCode::TokenExpired, "the token has expired")),
                Err(TokenError::Invalid(why)) => Err(Refusal::new(ErrorCode::Unauthorized, why)),
            },
            Auth::Token { token } => match self.app.keys.verify(&token) {
                Ok(claims) => Ok((Member::from(claims), None)),
                Err(TokenError::Expired) => Err(Refusal::new(ErrorCode::TokenExpired, "the token has expired")),
                Err(TokenError::Invalid(why)) => Err(Refusal::new(ErrorCode::Unauthorized, why)),
            },
            Auth::JoinCode { code, name } => {
                let handle = self.find_room_by_code(code).await?;
                self.check_schedule(&handle).await?;
                if let Err(limited) = self.app.joins.take_guest_join(self.address, handle.id(), Instant::now()) {
                    return Err(self.limited(limited));
                }
                let member = Member::guest(name.trim().to_string(), handle.record.tenant.clone(), handle.id());
                Ok((member, Some(handle)))
            }
        }
    }

    /// The room of a join code, within the limits on wrong codes per source
    /// address.
    async fn find_room_by_code(&self, code: String) -> Result<RoomHandle, Refusal> {
        let joins = &self.app.joins;
        if let Err(limited) = joins.check_guessing(self.address, Instant::now()) {
            return Err(self.limited(limited));
        }
        let found = self.find_room(None, Some(code)).await;
        if found.as_ref().is_err_and(|refusal| refusal.code == ErrorCode::RoomNotFound) {
            joins.failed_code(self.address, Instant::now());
        }
        found
    }

    /// A join code stops working `invitations.link_grace_hours` after its
    /// session's scheduled end (as personal join links do).
    async fn check_schedule(&self, handle: &RoomHandle) -> Result<(), Refusal> {
        let schedule = self.app.store.schedule(handle.id()).await.map_err(|error| {
            tracing::warn!(%error, "cannot read a session's schedule");
            unavailable()
        })?;
        let grace_ms = i64::try_from(self.app.config.invitations.link_grace_hours * 3_600_000).unwrap_or(i64::MAX);
        match schedule {
            Some(schedule) if schedule.ends_at().saturating_add(grace_ms) < now_ms() as i64 => {
                self.app.metrics.abuse.with_label_values(&["ended_session_code"]).inc();
                Err(crate::hub::session_ended())
            }
            _ => Ok(()),
        }
    }

    /// A refusal by the limits on joining by code, counted.
    fn limited(&self, limited: super::joins::Limited) -> Refusal {
        self.app.metrics.abuse.with_label_values(&[limited.kind()]).inc();
        Refusal::new(ErrorCode::RateLimited, limited.message())
    }

    /// The room with this id or code, if this member may enter it. Rooms of
    /// other tenants are reported as not found.
    async fn find_room(&self, room: Option<Uuid>, code: Option<String>) -> Result<RoomHandle, Refusal> {
        let hub = &self.app.hub;
        let mut moving = WhileMoving::new(&self.app);
        let found = loop {
            let found = match (room, &code) {
                (Some(id), _) => hub.room(id).await,
                (None, Some(code)) => hub.room_by_code(code).await,
                (None, None) => Ok(None),
            };
            match found {
                // Redis reconnecting, or settling after it came back empty.
                Err(HubError::Cluster(_) | HubError::Settling) if moving.wait().await => {}
                found => break found,
            }
        };
        let handle = match found {
            Ok(Some(handle)) => handle,
            Ok(None) => {
                return Err(Refusal::new(ErrorCode::RoomNotFound, "no room has this id or code"));
            }
            Err(error) => {
                tracing::warn!(%error, "room lookup failed");
                return Err(unavailable());
            }
        };
        match &self.member {
            Some((member, _)) if !member.may_enter(&handle.record.tenant, handle.id()) => {
                Err(Refusal::new(ErrorCode::RoomNotFound, "no room has this id or code"))
            }
            _ => Ok(handle),
        }
    }

    async fn join(
        &mut self,
        id: ClientMsgId,
        room: Option<String>,
        code: Option<String>,
        socket: &mut WebSocket,
    ) -> Result<(), Gone> {
        let uuid = room.as_deref().and_then(|r| Uuid::parse_str(r).ok());
        let found = match (uuid, code) {
            (None, Some(code)) => self.find_room_by_code(code).await,
            (uuid, code) => self.find_room(uuid, code).await,
        };
        let outcome = match found {
            Ok(handle) => {
                // Joining a room this connection is in starts it over with a
                // fresh snapshot (the member may have left it from another
                // connection meanwhile).
                self.detach(handle.id());
                self.attach(handle, None, socket).await?
            }
            Err(refusal) => Err(refusal),
        };
        match outcome {
            Ok(()) => self.reply(socket, &ServerMessage::Ack { id }).await,
            Err(refusal) => self.error(socket, Some(id), room, refusal).await,
        }
    }

    async fn leave(&mut self, id: ClientMsgId, room: String, socket: &mut WebSocket) -> Result<(), Gone> {
        let attachment = validate::room_id(&room).ok().and_then(|uuid| self.rooms.remove(&uuid));
        let (Some(attachment), Some((_, who))) = (attachment, &self.member) else {
            let refusal = Refusal::new(ErrorCode::NotInRoom, "you are not in this room");
            return self.error(socket, Some(id), Some(room), refusal).await;
        };
        self.app.fanout.unsubscribe(attachment.handle.id(), self.id);
        let guest_of_this_room = self
            .member
            .as_ref()
            .is_some_and(|(member, _)| member.guest && member.room_scope == Some(attachment.handle.id()));
        match attachment.handle.leave(who.id.clone()).await {
            Ok(()) => {
                if guest_of_this_room {
                    super::ended::end(&self.app, &who.id).await;
                }
                self.reply(socket, &ServerMessage::Ack { id }).await
            }
            Err(_) => self.error(socket, Some(id), Some(room), unavailable()).await,
        }
    }

    /// Attaches through `handle`; while the room is moving to another node
    /// (its known owner is dead or no longer runs it: a takeover under way),
    /// finds the room again and retries (see [`WhileMoving`]). So a member
    /// sent to resume lands on the new owner in one `join`, which only takes
    /// longer.
    async fn attach_following(
        &self,
        mut handle: RoomHandle,
        who: Who,
        since: Option<u64>,
    ) -> Result<(RoomHandle, Result<Attached, Refusal>), RoomGone> {
        let mut moving = WhileMoving::new(&self.app);
        loop {
            match handle.attach(who.clone(), since).await {
                Ok(outcome) => return Ok((handle, outcome)),
                Err(RoomGone) if !handle.is_local() && moving.wait().await => {
                    self.app.hub.forget(handle.id());
                    handle = match self.app.hub.room(handle.id()).await {
                        Ok(Some(found)) => found,
                        _ => return Err(RoomGone),
                    };
                }
                Err(gone) => return Err(gone),
            }
        }
    }

    /// Attaches this connection to a room and writes `joined` with a
    /// snapshot, or `joined` and the events missed since `since`. The inner
    /// result is the room's refusal, if any.
    async fn attach(
        &mut self,
        handle: RoomHandle,
        since: Option<u64>,
        socket: &mut WebSocket,
    ) -> Result<Result<(), Refusal>, Gone> {
        let max = self.app.config.limits.max_rooms_per_connection;
        if self.rooms.len() >= max {
            return Ok(Err(Refusal::new(ErrorCode::OutOfRange, format!("a connection may join at most {max} rooms"))));
        }
        let Some((_, who)) = &self.member else {
            return Ok(Err(Refusal::new(ErrorCode::NotAuthenticated, "send `hello` first")));
        };
        let who = who.clone();
        let room = handle.id();
        // Subscribe before the room computes its view: every event after
        // that view is queued, and the ones already in it are skipped by seq.
        let folding = Arc::new(Folding::for_version(self.version));
        let subscriber = Subscriber {
            member: who.id.clone(),
            role: who.role,
            queue: self.queue.clone(),
            closer: self.closer.clone(),
            folding: Arc::clone(&folding),
        };
        self.app.fanout.subscribe(room, self.id, subscriber);
        let (handle, attached) = match self.attach_following(handle, who, since).await {
            Ok((handle, Ok(attached))) => (handle, attached),
            Ok((_, Err(refusal))) => {
                self.app.fanout.unsubscribe(room, self.id);
                return Ok(Err(refusal));
            }
            Err(_) => {
                self.app.fanout.unsubscribe(room, self.id);
                return Ok(Err(unavailable()));
            }
        };
        let mut snapshot = attached.snapshot;
        if let Some(board) = snapshot.as_mut().and_then(|s| s.board.as_mut()) {
            // The post form names the video hosts this node embeds.
            board.video_hosts = self.app.config.board.video_hosts.clone();
        }
        let joined = ServerMessage::Joined { room: handle.info(), seq: attached.seq, snapshot: snapshot.map(Box::new) };
        self.rooms.insert(room, Attachment { handle, last_seq: attached.seq, folding });
        self.reply(socket, &joined).await?;
        for envelope in attached.replay {
            self.feed_frame(socket, envelope.encoded(self.format), "event").await?;
        }
        self.flush(socket).await.map(Ok)
    }

    /// Writes `first` and whatever else is queued (up to a batch), then
    /// flushes once.
    async fn write_events(
        &mut self,
        first: Arc<Envelope>,
        events: &mut mpsc::Receiver<Arc<Envelope>>,
        socket: &mut WebSocket,
    ) -> Result<(), Gone> {
        let mut next = Some(first);
        let mut written = 0;
        while let Some(envelope) = next {
            if let Some(attachment) = self.rooms.get_mut(&envelope.room)
                && envelope.seq > attachment.last_seq
            {
                attachment.last_seq = envelope.seq;
                if attachment.folding.writes(&envelope.message) {
                    self.feed_frame(socket, envelope.encoded(self.format), "").await?;
                } else {
                    self.app.metrics.frames_folded.inc();
                }
                if self.is_removal_of_me(&envelope.message) {
                    // Told first, then closed: a removed member does not
                    // reconnect (4011).
                    self.closer.close(CloseCode::Removed);
                }
            }
            written += 1;
            next = if written < WRITE_BATCH { events.try_recv().ok() } else { None };
        }
        self.flush(socket).await
    }

    async fn reply(&self, socket: &mut WebSocket, message: &ServerMessage) -> Result<(), Gone> {
        match self.format.encode(message) {
            Ok(bytes) => self.send(socket, self.frame(Bytes::from(bytes))?).await.inspect(|()| {
                self.app.metrics.frames_out.with_label_values(&[message.type_name()]).inc();
            }),
            Err(error) => {
                tracing::error!(%error, "cannot encode a reply");
                Ok(())
            }
        }
    }

    async fn error(
        &self,
        socket: &mut WebSocket,
        id: Option<ClientMsgId>,
        room: Option<String>,
        refusal: Refusal,
    ) -> Result<(), Gone> {
        self.app.metrics.errors.with_label_values(&[refusal.code.as_str()]).inc();
        tracing::debug!(code = %refusal.code, message = %refusal.message, "refused");
        let message = ServerMessage::Error { id, room, code: refusal.code, message: refusal.message };
        self.reply(socket, &message).await
    }

    /// A frame of this connection's format. (Event bytes in the JSON format
    /// are valid UTF-8 by construction; the check is cheap.)
    fn frame(&self, bytes: Bytes) -> Result<Message, Gone> {
        if self.format.is_text() {
            Utf8Bytes::try_from(bytes).map(Message::Text).map_err(|_| Gone)
        } else {
            Ok(Message::Binary(bytes))
        }
    }

    /// Buffers a frame without flushing. `label` names it for metrics when
    /// the fan-out did not count it already.
    async fn feed_frame(&self, socket: &mut WebSocket, bytes: Bytes, label: &str) -> Result<(), Gone> {
        if bytes.is_empty() {
            return Ok(());
        }
        if !label.is_empty() {
            self.app.metrics.frames_out.with_label_values(&[label]).inc();
        }
        let frame = self.frame(bytes)?;
        self.with_write_timeout(socket.feed(frame)).await
    }

    async fn flush(&self, socket: &mut WebSocket) -> Result<(), Gone> {
        self.with_write_timeout(socket.flush()).await
    }

    async fn send(&self, socket: &mut WebSocket, message: Message) -> Result<(), Gone> {
        self.with_write_timeout(socket.send(message)).await
    }

    /// Runs a socket write, giving up when it takes longer than the write
    /// timeout or when a close is requested meanwhile (a slow consumer is
    /// usually stuck in a write).
    async fn with_write_timeout<E>(&self, write: impl Future<Output = Result<(), E>>) -> Result<(), Gone> {
        // Biased, write first: a write that completes at once (the usual
        // case) never registers a timer or a close waiter.
        tokio::select! {
            biased;
            written = tokio::time::timeout(self.app.config.websocket.write_timeout(), write) => match written {
                Ok(Ok(())) => Ok(()),
                _ => Err(Gone),
            },
            _ = self.closer.closed() => Err(Gone),
        }
    }

    /// Whether `message` says a trainer removed this connection's member.
    fn is_removal_of_me(&self, message: &ServerMessage) -> bool {
        let member = match message {
            ServerMessage::Event {
                event: EventBody::Quiz { event: QuizEvent::ParticipantRemoved { member } }, ..
            }
            | ServerMessage::Event { event: EventBody::MemberRemoved { member, .. }, .. } => member,
            _ => return false,
        };
        self.member.as_ref().is_some_and(|(_, who)| *who.id == **member)
    }

    /// Takes this connection out of a room it is attached to, if it is.
    fn detach(&mut self, room: Uuid) {
        let (Some(attachment), Some((_, who))) = (self.rooms.remove(&room), &self.member) else {
            return;
        };
        self.app.fanout.unsubscribe(room, self.id);
        attachment.handle.detach(who.id.clone());
    }

    /// Leaves the fan-out table and tells each room this connection is gone.
    fn detach_all(&mut self) {
        let rooms: Vec<Uuid> = self.rooms.keys().copied().collect();
        for room in rooms {
            self.detach(room);
        }
    }
}

/// The first pending command whose commit is settled.
async fn next_committed(pending: &mut Vec<PendingAck>) -> (ClientMsgId, String, bool) {
    std::future::poll_fn(|cx| {
        for i in 0..pending.len() {
            if let Poll::Ready(settled) = pending[i].as_mut().poll(cx) {
                drop(pending.swap_remove(i));
                return Poll::Ready(settled);
            }
        }
        Poll::Pending
    })
    .await
}

fn read_error_exit(error: &axum::Error) -> Exit {
    // tungstenite reports a frame or message over `max_message_size` as a
    // capacity error; anything else means the socket is unusable.
    let source = std::error::Error::source(error).and_then(|e| e.downcast_ref::<tungstenite::Error>());
    if matches!(source, Some(tungstenite::Error::Capacity(_))) {
        Exit::Close(CloseCode::MessageTooBig)
    } else {
        Exit::Gone
    }
}

fn room_of(message: &ClientMessage) -> Option<String> {
    match message {
        ClientMessage::Leave { room, .. }
        | ClientMessage::Announce { room, .. }
        | ClientMessage::RaiseHand { room, .. }
        | ClientMessage::LowerHand { room, .. }
        | ClientMessage::Quiz { room, .. }
        | ClientMessage::Board { room, .. }
        | ClientMessage::Breakout { room, .. }
        | ClientMessage::Lock { room, .. }
        | ClientMessage::Unlock { room, .. }
        | ClientMessage::RemoveMember { room, .. } => Some(room.clone()),
        ClientMessage::Join { room, .. } => room.clone(),
        ClientMessage::Hello { .. } | ClientMessage::Ping { .. } => None,
    }
}

/// How long a `join` waits while its room moves between nodes (or Redis
/// reconnects) before it is answered `unavailable`: `cluster.lease_ms` and a
/// second from the first failure (the owner's lease has moved by then),
/// retrying with backoff. Each retry is counted in
/// `amphi_attach_retries_total`.
struct WhileMoving {
    patience: Duration,
    deadline: Option<Instant>,
    failures: u32,
    metrics: Arc<crate::metrics::Metrics>,
}

impl WhileMoving {
    const RETRY: Backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));

    fn new(app: &AppState) -> WhileMoving {
        let patience = Duration::from_millis(app.config.cluster.lease_ms) + Duration::from_secs(1);
        WhileMoving { patience, deadline: None, failures: 0, metrics: Arc::clone(&app.metrics) }
    }

    /// Waits before the next try; `false` once out of patience.
    async fn wait(&mut self) -> bool {
        let deadline = *self.deadline.get_or_insert_with(|| Instant::now() + self.patience);
        if Instant::now() >= deadline {
            return false;
        }
        self.failures += 1;
        self.metrics.attach_retries.inc();
        tokio::time::sleep(Self::RETRY.delay(self.failures)).await;
        true
    }
}

fn unavailable() -> Refusal {
    Refusal::new(ErrorCode::Unavailable, "the room is not available right now: retry with the same id")
}
