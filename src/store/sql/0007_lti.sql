-- LTI 1.3: the platforms registered (one Moodle per académie, each in one
-- tenant), logins on their way to a launch, resource links (a course's
-- activity, mapped to its live session), and Dynamic Registration codes.
CREATE TABLE lti_platforms (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- A JSON array of the deployment ids launches may carry.
    deployment_ids TEXT NOT NULL,
    auth_url TEXT NOT NULL,
    token_url TEXT NOT NULL,
    jwks_url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (issuer, client_id)
);

-- One row per login initiation; the launch that completes it marks it used
-- (a second launch with the same state or nonce is a replay).
CREATE TABLE lti_logins (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE INDEX lti_logins_by_expiry ON lti_logins (expires_at);

CREATE TABLE lti_links (
    platform_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    resource_link_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    title TEXT NOT NULL,
    -- The live session the link opens now (a new session replaces it).
    room_id TEXT NOT NULL,
    -- The activity chosen through Deep Linking that sessions are copied from.
    template_room TEXT,
    lineitem_url TEXT,
    lineitems_url TEXT,
    memberships_url TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (platform_id, deployment_id, resource_link_id)
);

CREATE INDEX lti_links_by_room ON lti_links (room_id);

CREATE TABLE lti_registration_codes (
    code TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
