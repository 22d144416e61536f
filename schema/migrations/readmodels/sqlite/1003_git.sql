-- Projects that follow a git repository (the webhook secret stays sealed).
ALTER TABLE rm_projects ADD COLUMN git_repository TEXT;
ALTER TABLE rm_projects ADD COLUMN sealed_webhook_secret TEXT;
