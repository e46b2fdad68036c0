-- Saved breakout plans: a facilitator's ateliers and settings, reusable to
-- create breakout rooms (`plan_id`). `definition` is the breakout
-- definition as JSON, as POST /rooms accepts it.
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX plans_by_tenant ON plans (tenant, updated_at);

-- When a session (a room) takes place, set with its invitations: the
-- calendar event, the reminders and the join links' expiry follow it.
CREATE TABLE session_schedules (
    room TEXT PRIMARY KEY,
    starts_at BIGINT NOT NULL,
    duration_min BIGINT NOT NULL,
    organizer_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Participants registered ahead of a session (imported from a CSV file).
-- `member` is the stable member id their personal join link names;
-- `atelier` the atelier they were pre-assigned to, if any. One row per
-- e-mail address (lowercased) and room.
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    room TEXT NOT NULL,
    tenant TEXT NOT NULL,
    member TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    atelier TEXT,
    created_at BIGINT NOT NULL,
    invited_at BIGINT,
    UNIQUE (room, email)
);

CREATE INDEX registrations_by_member ON registrations (member);
CREATE INDEX registrations_by_email ON registrations (email);

-- E-mails to send (invitations and reminders), written when invitations are
-- requested and sent by the mail worker: claimed (`claimed_until`), retried
-- with backoff (`attempts`, `next_attempt_at`, `last_error`), and marked
-- (`state`: pending, sent, failed after the last attempt, skipped for a
-- reminder whose session had started) so that a restart sends none twice.
CREATE TABLE mail_queue (
    id TEXT PRIMARY KEY,
    registration TEXT NOT NULL,
    room TEXT NOT NULL,
    kind TEXT NOT NULL,
    offset_s BIGINT,
    lang TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX mail_queue_due ON mail_queue (state, next_attempt_at);
CREATE INDEX mail_queue_by_registration ON mail_queue (registration);
CREATE INDEX mail_queue_by_room ON mail_queue (room);
