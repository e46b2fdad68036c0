-- BigBlueButton events keyed by what makes a redelivery the same event: a
-- digest of the event as received (webhooks) or of what the analytics
-- callback stores once (its meeting and attendee). The former key (type,
-- time, meeting, user) merged distinct events that bbb-webhooks stamps with
-- one millisecond in a burst. Rows already stored keep their former
-- identity as their key.
CREATE TABLE bbb_events_keyed (
    dedup_key TEXT NOT NULL PRIMARY KEY,
    event TEXT NOT NULL,
    at BIGINT NOT NULL,
    internal_meeting TEXT NOT NULL,
    internal_user TEXT NOT NULL,
    meeting TEXT NOT NULL,
    member TEXT NOT NULL,
    member_name TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL
);

INSERT INTO bbb_events_keyed (dedup_key, event, at, internal_meeting, internal_user, meeting, member, member_name, body,
                              received_at)
SELECT event || ':' || at || ':' || internal_meeting || ':' || internal_user, event, at, internal_meeting,
       internal_user, meeting, member, member_name, body, received_at
FROM bbb_events;

DROP TABLE bbb_events;
ALTER TABLE bbb_events_keyed RENAME TO bbb_events;
CREATE INDEX bbb_events_by_meeting ON bbb_events (meeting);
CREATE INDEX bbb_events_by_internal_meeting ON bbb_events (internal_meeting);
