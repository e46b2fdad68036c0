-- Uploads: who stored which blob (the blob store holds the bytes, named by
-- their SHA-256), one row per blob, room and member. Quotas add up `size`
-- per member, room and tenant. `referenced_at` is set once a post, an
-- atelier file or a production of the tenant names the blob (a blob is
-- served to and referenced from its tenant only); the upload sweep deletes
-- rows never referenced past a grace period, and a blob's file once no row
-- names it.
CREATE TABLE uploads (
    blob TEXT NOT NULL,
    tenant TEXT NOT NULL,
    room TEXT NOT NULL,
    member TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    referenced_at BIGINT,
    PRIMARY KEY (blob, room, member)
);

CREATE INDEX uploads_by_tenant ON uploads (tenant, blob);
CREATE INDEX uploads_by_room ON uploads (room);
CREATE INDEX uploads_by_member ON uploads (member);
CREATE INDEX uploads_unreferenced ON uploads (referenced_at, created_at);
