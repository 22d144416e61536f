-- When a projection's position last moved (ms since the epoch), so a stalled projection
-- shows as stalled (issue 15). The position itself stays the highest log position below
-- which every event is applied: the runner applies events in position order only.
ALTER TABLE projection_checkpoints ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
