-- The e-mail a platform gave for one of its users at an LTI launch (when
-- it shares it), kept for the Open Badges 2.0 assertions, which name their
-- recipient by a salted hash of it (Moodle's backpack matches it). Replaced
-- at each launch; deleted with the user's other data on erasure.
CREATE TABLE member_emails (
    tenant TEXT NOT NULL,
    member TEXT NOT NULL,
    email TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, member)
);
