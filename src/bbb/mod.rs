//! BigBlueButton: ateliers run in BigBlueButton meetings that amphi
//! creates, joins its members to, watches and ends.
//!
//! # Layout
//!
//! - [`config`]: [`BbbConfig`], the server, secret, checksum algorithm,
//!   time limits and webhook authentication.
//! - [`checksum`]: the signatures of API calls and of bbb-webhooks
//!   callbacks, and the query strings they cover.
//! - [`request`] and [`response`]: what amphi asks (create, join, chat,
//!   documents, recordings, hooks) and the typed XML answers.
//! - [`client`]: the [`Bbb`] trait (usable as `Arc<dyn Bbb>`) and
//!   [`HttpBbb`], its reqwest implementation with time limits and retries.
//! - [`webhooks`]: bbb-webhooks callbacks parsed into events, and their
//!   digests. [`analytics`]: the post-meeting analytics callback and its
//!   JWT. [`recordings`]: the recording-ready callback and its JWT.
//!   [`refusals`]: callbacks refused, counted and told by `/readyz`.
//! - [`simulator`]: a test helper, an HTTP server that checks checksums
//!   like BigBlueButton and answers with its documented XML.
//! - [`error`], [`xml`].

pub mod analytics;
pub mod attendance;
pub mod checksum;
pub mod client;
pub mod config;
pub mod error;
pub mod hooks;
pub mod recordings;
pub mod refusals;
pub mod request;
pub mod response;
pub mod simulator;
pub mod webhooks;
pub mod xml;

#[cfg(test)]
mod client_tests;

pub use client::{Bbb, BbbFuture, HttpBbb};
pub use config::{BbbConfig, ChecksumAlgorithm, WebhookAuthMode};
pub use error::BbbError;
pub use request::{
    BreakoutGroup, ChatMessage, CreateMeeting, Document, HookRegistration, JoinRequest, JoinRole, Passwords,
    RecordingsQuery,
};
pub use response::{Attendee, BreakoutInfo, HookCreated, MeetingCreated, MeetingInfo, PlaybackFormat, Recording};
