//! amphi's integration tests: one binary. Each test starts a real server on
//! port 0 and talks to it over real WebSockets and HTTP; PostgreSQL tests
//! use the local server (a fresh database each).

mod util;

mod architecture;
mod ateliers;
mod attendance;
mod bad_input;
mod badges;
mod bbb_webhooks;
mod board;
mod board_activity;
mod board_reactions;
mod board_switches;
mod closing_rule;
mod cluster;
mod documents;
mod durability;
mod first_run;
mod folding;
mod fuzz;
mod hardening;
mod http;
mod invitations;
mod library;
mod library_files;
mod link_previews;
mod load_smoke;
mod lobby;
mod lti;
mod lti_library;
mod lti_platform;
mod my_rooms;
mod outbox;
mod quiz_exports;
mod quiz_import;
mod quiz_live;
mod recordings;
mod resume;
mod room_management;
mod statistics;
mod store;
mod uploads;
