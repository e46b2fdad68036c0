-- BigBlueButton webhook events (bbb-webhooks callbacks), one row per event,
-- deduplicated by what identifies a v3 event: its type, time, meeting and
-- user (bbb-webhooks retries a callback until it succeeds). `meeting` and
-- `member` are amphi's ids (the meetingID and userID amphi gave BBB), so
-- that video time joins the attendance report; `body` is the event as
-- received.
CREATE TABLE bbb_events (
    event TEXT NOT NULL,
    at BIGINT NOT NULL,
    internal_meeting TEXT NOT NULL,
    internal_user TEXT NOT NULL,
    meeting TEXT NOT NULL,
    member TEXT NOT NULL,
    member_name TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (event, at, internal_meeting, internal_user)
);

CREATE INDEX bbb_events_by_meeting ON bbb_events (meeting);
