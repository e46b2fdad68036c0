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
-- attendance and journal indexes hold every column read (covering), the
-- journal's in the order its counts are grouped (room, member, action).
CREATE INDEX rooms_by_tenant_kind ON rooms (tenant, id, kind);
CREATE INDEX attendance_for_statistics ON attendance (room, joined_at, role, member, left_at);
CREATE INDEX completions_by_tenant_time ON completions (tenant, updated_at);
CREATE INDEX badge_awards_by_tenant_time ON badge_awards (tenant, issued_at);
CREATE INDEX room_inputs_for_statistics ON room_inputs (room, member, action, at, role);
