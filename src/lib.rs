//! amphi: a real-time classroom engagement server for hybrid teacher
//! training (live quizzes, boards, ateliers), speaking protocol v1 over
//! WebSocket.
//!
//! # Layout
//!
//! - [`app`]: the composition root. [`app::build`] turns a [`config::Config`]
//!   into shared state; [`app::serve`] runs a node on a listener until a
//!   shutdown signal. The binary and the tests call the same two functions.
//! - [`transport`]: `/ws`: Origin check, format negotiation, and one task per
//!   connection (handshake, commands, replies, event queue, heartbeats).
//! - [`hub`]: the registry of live rooms and join codes; each room is one
//!   actor (one task, bounded mailbox) generic over the activity it runs,
//!   spoken to with one request vocabulary here and between nodes.
//! - [`activity`]: pure state machines, `(state, input, now) -> events`; no
//!   I/O: the lobby (presence, announcements, raised hands), the quiz, the
//!   board and the ateliers.
//! - [`quiz`]: quiz content: the model (also the native JSON format),
//!   answer checking and scoring, GIFT and Moodle XML import. Pure code.
//! - [`bus`]: carries every room event to every node's fan-out (in-process
//!   for one node); the envelopes events travel in and the fan-out table.
//! - [`cluster`]: several nodes over Redis: room leases, relayed events,
//!   calls to a room's owner node.
//! - [`store`]: the course store (SQLite or PostgreSQL): rooms, the quiz
//!   rooms' input journals, attendance, completions and their outbox, with
//!   the group-commit writer that makes acknowledgements durable.
//! - [`invitations`]: participants registered ahead of a session (CSV),
//!   their personal join links, and the invitation and reminder e-mails
//!   (with a calendar event) sent through SMTP by a background worker.
//! - [`outbox`]: delivers completion changes to an HTTP endpoint (signed,
//!   retried, at least once). [`retention`]: purges guests' names.
//! - [`auth`]: JWTs, guest capabilities, resume tokens.
//! - [`effects`]: runs what applied commands ask of the outside world (BigBlueButton
//!   meetings and chats) and feeds the outcome back to the room.
//! - [`backoff`]: the one exponential backoff with jitter every retry loop uses.
//! - [`bbb`]: the BigBlueButton API client behind a trait, webhooks and
//!   analytics callbacks, and a simulator for tests.
//! - [`lti`]: amphi as an LTI 1.3 Advantage tool: login and launch, Deep
//!   Linking, grades (AGS) and rosters (NRPS), Dynamic Registration.
//! - [`api`]: REST under `/api/v1`, with its OpenAPI document.
//! - [`media`]: what board posts carry: stored files (content-addressed,
//!   type-sniffed), embedded videos, link cards.
//! - [`badges`]: Open Badges 3.0 credentials and certificates for completed
//!   activities. [`first_run`]: the first start's trainer link.
//! - [`web`]: the built web client at `/`; [`headers`]: the security
//!   headers of HTML responses; [`listener`]: the HTTP accept loop (cap per
//!   address, header-read timeout).
//! - [`local_time`]: each tenant's time zone and how a date is said to people.
//! - [`config`], [`metrics`].
//!
//! Wire types live in the `amphi-protocol` crate.

pub mod activity;
pub mod api;
pub mod app;
pub mod auth;
pub mod backoff;
pub mod badges;
pub mod bbb;
pub mod bus;
pub mod cluster;
pub mod config;
pub mod effects;
pub mod first_run;
pub mod headers;
pub mod hub;
pub mod invitations;
pub mod listener;
pub mod local_time;
pub mod lti;
pub mod media;
pub mod metrics;
pub mod outbox;
pub mod quiz;
pub mod retention;
pub mod rollup;
pub mod store;
pub mod text_fold;
pub mod transport;
pub mod web;
