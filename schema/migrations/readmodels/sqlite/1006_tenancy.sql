-- A token acts with at most its member's current role and dies with their membership:
-- the member behind each token (its creator, or the member behind the token that made it).
ALTER TABLE rm_api_tokens ADD COLUMN member_user_id TEXT;

-- Blobs each organization uploaded: what it may reference in a deployment and what counts
-- against its storage. Not a read model (uploads are not events): `projections rebuild`
-- leaves it alone. Rows of uploads no deployment used are removed after a grace period.
CREATE TABLE IF NOT EXISTS artifact_uploads (
    organization_id TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    bytes           BIGINT NOT NULL,
    uploaded_at     BIGINT NOT NULL,
    PRIMARY KEY (organization_id, sha256)
);
CREATE INDEX IF NOT EXISTS artifact_uploads_sha256 ON artifact_uploads (sha256);
