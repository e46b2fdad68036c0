-- The input journal: every state-changing input a quiz room accepted
-- (connections attaching and detaching, participants' answers, trainers'
-- commands), in the order the room applied it. A room is rebuilt after a
-- restart by replaying its journal through the same pure state machine.
-- `kind` is attach, detach or quiz; `action` the quiz command's action
-- (answer, open_question...); `body` the command as JSON; `client_id` the
-- client message id, so that a retry after a restart is answered, not
-- applied twice.
CREATE TABLE room_inputs (
    room TEXT NOT NULL,
    position BIGINT NOT NULL,
    at BIGINT NOT NULL,
    member TEXT NOT NULL,
    member_name TEXT NOT NULL,
    role TEXT NOT NULL,
    guest BOOLEAN NOT NULL,
    kind TEXT NOT NULL,
    action TEXT,
    client_id TEXT,
    body TEXT,
    PRIMARY KEY (room, position)
);

CREATE INDEX room_inputs_by_member ON room_inputs (member);

-- Attendance: one row per stretch of presence of a member in a room (from
-- their first connection to their last disconnection).
CREATE TABLE attendance (
    room TEXT NOT NULL,
    member TEXT NOT NULL,
    member_name TEXT NOT NULL,
    role TEXT NOT NULL,
    guest BOOLEAN NOT NULL,
    joined_at BIGINT NOT NULL,
    left_at BIGINT,
    PRIMARY KEY (room, member, joined_at)
);

CREATE INDEX attendance_by_member ON attendance (member);

-- The outbox: messages for other systems (completion changes), written in
-- the same transaction as the change and delivered at least once by the
-- delivery worker. `id` is the stable delivery id receivers deduplicate on.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    topic TEXT NOT NULL,
    user_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT
);

CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);
