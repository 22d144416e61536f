-- The host name a project's production alias is served at (`<hostname>.<base domain>`): its
-- slug, unless another live project held that name first (logs from before names were
-- claimed globally); NULL then, and the project is reached by its deployments' own URLs.
ALTER TABLE rm_projects ADD COLUMN hostname TEXT;
CREATE INDEX IF NOT EXISTS rm_projects_hostname ON rm_projects (hostname);
