-- Usage by organization, project, metric and hour. Each cell keeps the set of
-- (event id, quantity) that made it, so an event inserted twice counts once:
--   SELECT metric, project_id,
--          arraySum(arrayMap(x -> tupleElement(x, 2), groupUniqArrayMerge(events))) AS quantity
--   FROM usage_hourly WHERE organization_id = … GROUP BY metric, project_id
CREATE MATERIALIZED VIEW IF NOT EXISTS usage_hourly
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (organization_id, project_id, metric, hour)
AS SELECT
    organization_id,
    project_id,
    metric,
    hour,
    groupUniqArrayState((event_id, quantity)) AS events
FROM usage_events
GROUP BY organization_id, project_id, metric, hour
