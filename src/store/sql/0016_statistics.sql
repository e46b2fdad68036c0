-- What a member's platform or registration file said of them, for the usage
-- statistics' breakdowns: académie, department (département) and
-- discipline, each when known. One row per tenant and member, replaced field
-- by field as launches and registrations say more; deleted with the user's
-- other data on erasure.
CREATE TABLE member_profiles (
    tenant TEXT NOT NULL,
    member TEXT NOT NULL,
    academie TEXT,
    departement TEXT,
    discipline TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, member)
);

-- The statistics read each source by tenant (its rooms) and time; the
-- attendance index holds every column read (covering). The journal gets no
-- index of its own: every answer of a live room writes into it, and each
-- index there is one more scattered page per commit on that hot path (#20);
-- the statistics read it along its primary key, by room.
CREATE INDEX rooms_by_tenant_kind ON rooms (tenant, id, kind);
CREATE INDEX attendance_for_statistics ON attendance (room, joined_at, role, member, left_at);
CREATE INDEX completions_by_tenant_time ON completions (tenant, updated_at);
CREATE INDEX badge_awards_by_tenant_time ON badge_awards (tenant, issued_at);
