-- A room's activity definition, as JSON: for a quiz room, the quiz and its
-- settings. NULL for a plain lobby.
ALTER TABLE rooms ADD COLUMN activity TEXT;
