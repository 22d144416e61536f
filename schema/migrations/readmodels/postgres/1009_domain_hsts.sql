-- A domain's Strict-Transport-Security max-age in seconds (0: off) and includeSubDomains.
ALTER TABLE rm_domains ADD COLUMN hsts_max_age BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rm_domains ADD COLUMN hsts_include_subdomains BIGINT NOT NULL DEFAULT 0;
-- The log position of the last verification request a recorded check answered.
ALTER TABLE rm_domains ADD COLUMN answered_request BIGINT NOT NULL DEFAULT 0;
