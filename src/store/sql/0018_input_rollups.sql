-- The statistics' counts of the journal, rolled up: per room, member, action
-- and quarter of an hour (every time zone's midnight falls on one, so a
-- period's bounds never split a slot), how many participants' answers and
-- posts, and ateliers openings, the journal holds. The statistics read these
-- (about one row per member and session) instead of every input, plus the
-- journal's tail beyond each room's mark (the room's tenant and kind are
-- copied in: the statistics read no room per row). Written by the rollup task, off
-- the live path; a user's erasure deletes theirs with their inputs.
CREATE TABLE input_rollups (
    room TEXT NOT NULL,
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    member TEXT NOT NULL,
    action TEXT NOT NULL,
    slot BIGINT NOT NULL,
    inputs BIGINT NOT NULL,
    PRIMARY KEY (room, member, action, slot)
);

CREATE INDEX input_rollups_by_member ON input_rollups (member);

-- How far each room's journal is rolled up: the last position counted.
CREATE TABLE input_rollup_marks (
    room TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
