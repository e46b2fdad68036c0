-- Completions in Moodle's states (0 incomplete, 1 complete, 2 complete and
-- passed, 3 complete and failed), one per tenant, activity and user.
CREATE TABLE completions (
    tenant TEXT NOT NULL,
    activity TEXT NOT NULL,
    user_id TEXT NOT NULL,
    state INTEGER NOT NULL,
    score BIGINT NOT NULL,
    max_score BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, activity, user_id)
);
