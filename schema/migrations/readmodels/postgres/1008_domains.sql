-- Custom domains (stream `domain-<id>`): ownership over DNS and the certificate serving them.
-- `status`: pending_verification, verified, active, failed, removed (rows stay, for the
-- audit's sake; lists skip removed ones). Never a private key: those stay sealed in the log.
CREATE TABLE IF NOT EXISTS rm_domains (
    domain_id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    hostname TEXT NOT NULL,
    verification_token TEXT NOT NULL,
    redirect_to TEXT,
    status TEXT NOT NULL,
    last_error TEXT,
    checks BIGINT NOT NULL DEFAULT 0,
    certificate_status TEXT,
    certificate_issuer TEXT,
    certificate_not_before BIGINT,
    certificate_not_after BIGINT,
    certificate_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_domains_project ON rm_domains (project_id);
CREATE INDEX IF NOT EXISTS rm_domains_hostname ON rm_domains (hostname);
