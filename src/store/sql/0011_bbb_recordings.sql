-- Recordings of the BigBlueButton meetings of a session's ateliers (or of
-- the session itself, `atelier` empty), as the recording-ready callback
-- announced them or `getRecordings` listed them: one row per recording,
-- updated each time BigBlueButton tells more (the playback link comes with
-- `getRecordings`). Deleted with the session's recordings.
CREATE TABLE bbb_recordings (
    record_id TEXT NOT NULL PRIMARY KEY,
    room TEXT NOT NULL,
    atelier TEXT NOT NULL,
    meeting TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    participants BIGINT NOT NULL,
    playback_format TEXT NOT NULL,
    playback_url TEXT NOT NULL,
    length_minutes BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX bbb_recordings_by_room ON bbb_recordings (room, started_at);
