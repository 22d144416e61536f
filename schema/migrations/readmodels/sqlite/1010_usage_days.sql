-- The UTC day each usage figure counts on (`YYYY-MM-DD`), for usage drawn by day. Rows
-- written before this column read '' until the read models are rebuilt.
ALTER TABLE rm_usage_events ADD COLUMN day TEXT NOT NULL DEFAULT '';
