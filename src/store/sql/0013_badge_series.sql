-- A badge over a series of activities ("complete these three
-- micro-modules"): every activity of the series, its own `activity`
-- included, one row each. A badge without rows recognises its `activity`
-- alone. A series badge is earned once the recipient's completion of each
-- of them meets the rule (`complete` or `passed`).
CREATE TABLE badge_series (
    badge_id TEXT NOT NULL,
    activity TEXT NOT NULL,
    PRIMARY KEY (badge_id, activity)
);

CREATE INDEX badge_series_by_activity ON badge_series (activity);
