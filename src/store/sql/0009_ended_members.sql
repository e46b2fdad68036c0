-- Members whose tokens issued so far no longer work: a guest who left their
-- room, a member a leader removed. A resume token (and, for a guest, any
-- token) issued at or before `ended_at` is refused.
CREATE TABLE ended_members (
    member TEXT PRIMARY KEY,
    ended_at BIGINT NOT NULL
);
