-- Billing: plans over time, usage by period, project and metric with the events behind
-- each figure, invoices with their lines, and organizations blocked for the month.
CREATE TABLE rm_plan_changes (
    organization_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    plan TEXT NOT NULL,
    price_cents BIGINT,
    builds_per_month BIGINT,
    bandwidth_gb BIGINT,
    overage_cents_per_gb BIGINT,
    PRIMARY KEY (organization_id, position)
);

-- project_id '' is organization-wide (seats).
CREATE TABLE rm_usage (
    organization_id TEXT NOT NULL,
    period TEXT NOT NULL,
    project_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (organization_id, period, project_id, metric)
);

CREATE TABLE rm_usage_events (
    organization_id TEXT NOT NULL,
    period TEXT NOT NULL,
    metric TEXT NOT NULL,
    position BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (organization_id, period, metric, position)
);

CREATE TABLE rm_invoices (
    invoice_id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    period TEXT NOT NULL,
    plan TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX rm_invoices_by_organization ON rm_invoices (organization_id, period);

CREATE TABLE rm_invoice_lines (
    invoice_id TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    description TEXT NOT NULL,
    metric TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit TEXT NOT NULL,
    unit_price_cents BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);

-- Free organizations past their bandwidth: the edge stops serving them for the period.
CREATE TABLE rm_blocked (
    organization_id TEXT NOT NULL,
    period TEXT NOT NULL,
    PRIMARY KEY (organization_id, period)
);
