-- The shared library (mutualisation): activities published by trainers for
-- their académie (tenant) or, by the national role, for every académie.
-- `audience` is who may find an item: '*' for national items, else the
-- author's tenant. `kind` is quiz, board or plan; `source` the room or plan
-- it was published from. `disciplines` and `tags` are JSON arrays;
-- `level_key` and the `library_disciplines` rows hold the folded values the
-- filters compare; `folded` is the folded searchable text (title,
-- description, disciplines, level, tags, author) whose terms are in
-- `library_terms`. `version` is the latest version's number.
CREATE TABLE library_items (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    audience TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    disciplines TEXT NOT NULL,
    level TEXT NOT NULL,
    level_key TEXT NOT NULL,
    duration_min BIGINT,
    tags TEXT NOT NULL,
    licence TEXT NOT NULL,
    version BIGINT NOT NULL,
    folded TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    withdrawn_by TEXT
);

-- Search: what a member may see (their tenant's and national items), not
-- withdrawn, newest first; by académie; by author (erasure).
CREATE INDEX library_items_visible ON library_items (audience, published_at, id) WHERE withdrawn_at IS NULL;
CREATE INDEX library_items_recent ON library_items (published_at, id) WHERE withdrawn_at IS NULL;
CREATE INDEX library_items_by_tenant ON library_items (tenant, published_at, id);
CREATE INDEX library_items_by_author ON library_items (tenant, author);

-- Each version's content (the activity's definition as JSON, as stored
-- for a room or a plan) and metadata (JSON), and the author's note.
CREATE TABLE library_versions (
    item_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    note TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- The folded terms of each item, for prefix search through the index: a
-- rare prefix's items by `term`, or each item checked by `(item_id, term)`.
CREATE TABLE library_terms (
    term TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (term, item_id)
);
CREATE INDEX library_terms_by_item ON library_terms (item_id, term);

-- Each item's folded disciplines, for the discipline filter.
CREATE TABLE library_disciplines (
    discipline TEXT NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (discipline, item_id)
);
CREATE INDEX library_disciplines_by_item ON library_disciplines (item_id, discipline);

-- Copies made from the library: the room (quiz, board) or plan `target`
-- made in the copier's tenant from `item_id` at `version`.
CREATE TABLE library_copies (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    tenant TEXT NOT NULL,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX library_copies_by_owner ON library_copies (tenant, owner, created_at);
CREATE INDEX library_copies_by_target ON library_copies (target);
CREATE INDEX library_copies_by_item ON library_copies (item_id);
