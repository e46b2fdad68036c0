-- Managing one's rooms (#24). `deleted_at` is set when a leader moves a room
-- to the trash (milliseconds since the epoch): a room in the trash is not
-- found by id or join code, is listed in its creator's trash, comes back on
-- restore (`deleted_at` cleared), and is deleted for good when emptied or
-- `store.trash_retention_days` after it was trashed.
ALTER TABLE rooms ADD COLUMN deleted_at BIGINT;
CREATE INDEX rooms_in_trash ON rooms (deleted_at);

-- A leader's own folders for their rooms ("Mes sessions"), by tenant and
-- member. Deleting a folder sends its rooms back to the root.
CREATE TABLE room_folders (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    member TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX room_folders_by_member ON room_folders (tenant, member, name);

-- Where a member keeps a room and whether it is a favourite: one row per
-- member and room, only when either is set.
CREATE TABLE room_marks (
    tenant TEXT NOT NULL,
    member TEXT NOT NULL,
    room TEXT NOT NULL,
    folder TEXT,
    favourite BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, member, room)
);
CREATE INDEX room_marks_by_folder ON room_marks (folder);
