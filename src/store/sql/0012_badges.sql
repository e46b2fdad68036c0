-- Badges (Open Badges 3.0 achievements) attached to an activity (a room),
-- and their awards: one per badge and recipient, written in the same
-- transaction as the completion that earns it. `rule` is `complete`,
-- `passed` (the quiz's pass mark) or `attendance` (`min_percent` of the
-- ateliers' open time). A retired badge (`retired_at`) is awarded no more;
-- what it awarded stays verifiable.
CREATE TABLE badges (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    activity TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    criteria TEXT NOT NULL,
    image TEXT,
    rule TEXT NOT NULL,
    min_percent INTEGER NOT NULL DEFAULT 0,
    valid_days INTEGER,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE INDEX badges_by_activity ON badges (activity);
CREATE INDEX badges_by_tenant ON badges (tenant, created_at);

-- An award: the recipient (the member id of the completion), their name as
-- the room knew it (for the certificate; blanked with guests' names), when
-- it was issued and until when it is valid, the completion's figures, its
-- place in the tenant's revocation list, and the signed credential (a
-- VC-JWT), set once when it is first delivered.
CREATE TABLE badge_awards (
    id TEXT PRIMARY KEY,
    badge_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    guest BOOLEAN NOT NULL,
    salt TEXT NOT NULL,
    score BIGINT NOT NULL,
    max_score BIGINT NOT NULL,
    attended_ms BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT,
    status_index BIGINT NOT NULL,
    credential TEXT,
    revoked_at BIGINT,
    revocation_reason TEXT,
    UNIQUE (badge_id, recipient),
    UNIQUE (tenant, status_index)
);

CREATE INDEX badge_awards_by_recipient ON badge_awards (recipient);

-- The next free index of each tenant's revocation list (Bitstring Status
-- List): taken under the row's lock, so nodes never share one.
CREATE TABLE badge_status_lists (
    tenant TEXT PRIMARY KEY,
    next_index BIGINT NOT NULL
);
