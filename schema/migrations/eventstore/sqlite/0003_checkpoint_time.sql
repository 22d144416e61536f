-- When each checkpoint last moved or was confirmed (ms since the epoch): a reader that saves
-- its position regularly (an edge) is live while this is recent, so a promote can wait for
-- every live edge to have applied it.
ALTER TABLE log_checkpoints ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
