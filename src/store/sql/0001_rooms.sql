-- Rooms: one live activity run (a lobby, later a quiz session, a board, an
-- atelier). Portable SQL: the same file runs on SQLite and PostgreSQL.
CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    join_code TEXT UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX rooms_by_tenant ON rooms (tenant);
