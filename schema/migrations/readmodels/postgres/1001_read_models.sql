-- Read models: disposable projections of the log, rebuilt by `clouddeck projections rebuild`.
-- Times are microseconds since the Unix epoch (the recording time of the event that set them).
-- Flags are 0/1 integers so that the same statements run on SQLite and PostgreSQL.

CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection  TEXT   PRIMARY KEY,
    position    BIGINT NOT NULL
);

-- The last stream version each projection applied: drops duplicates a Kafka feed delivers.
CREATE TABLE IF NOT EXISTS projection_streams (
    projection  TEXT   NOT NULL,
    stream_id   TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (projection, stream_id)
);

CREATE TABLE IF NOT EXISTS rm_users (
    user_id        TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    registered_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS rm_users_email ON rm_users (email);

CREATE TABLE IF NOT EXISTS rm_organizations (
    organization_id  TEXT PRIMARY KEY,
    slug             TEXT NOT NULL,
    name             TEXT NOT NULL,
    owner_user_id    TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_organizations_slug ON rm_organizations (slug);

CREATE TABLE IF NOT EXISTS rm_members (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    role             TEXT NOT NULL,
    joined_at        BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX IF NOT EXISTS rm_members_user ON rm_members (user_id);

CREATE TABLE IF NOT EXISTS rm_invitations (
    invitation_id    TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL,
    email            TEXT NOT NULL,
    role             TEXT NOT NULL,
    invited_by       TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    accepted_by      TEXT
);

CREATE TABLE IF NOT EXISTS rm_api_tokens (
    token_id         TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL,
    secret_sha256    TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT,
    revoked_at       BIGINT
);
CREATE INDEX IF NOT EXISTS rm_api_tokens_secret ON rm_api_tokens (secret_sha256);

CREATE TABLE IF NOT EXISTS rm_projects (
    project_id                TEXT PRIMARY KEY,
    organization_id           TEXT NOT NULL,
    slug                      TEXT NOT NULL,
    name                      TEXT NOT NULL,
    framework                 TEXT,
    production_branch         TEXT NOT NULL,
    install_command           TEXT,
    build_command             TEXT,
    output_directory          TEXT,
    root_directory            TEXT,
    production_deployment_id  TEXT,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL,
    deleted_at                BIGINT
);
CREATE INDEX IF NOT EXISTS rm_projects_org_slug ON rm_projects (organization_id, slug);

CREATE TABLE IF NOT EXISTS rm_env_vars (
    project_id  TEXT NOT NULL,
    key         TEXT NOT NULL,
    target      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (project_id, key, target)
);

CREATE TABLE IF NOT EXISTS rm_deployments (
    deployment_id     TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    target            TEXT NOT NULL,
    status            TEXT NOT NULL,
    source_kind       TEXT NOT NULL,
    source_ref        TEXT NOT NULL,
    commit_sha        TEXT,
    prebuilt          BIGINT NOT NULL,
    url               TEXT,
    build_duration_ms BIGINT,
    error             TEXT,
    manifest_sha256   TEXT,
    file_count        BIGINT,
    total_bytes       BIGINT,
    log_chunks        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_deployments_project ON rm_deployments (project_id, created_at);
