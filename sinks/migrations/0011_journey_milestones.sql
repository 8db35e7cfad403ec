-- When each journey first reached each milestone, and who reported it then: the latency
-- panels pair consecutive milestones from here (one narrow row per journey and
-- milestone instead of every event with its payload). The earliest report wins whenever
-- it lands, so arrival order does not matter. Rows carry the journey id an event landed
-- with; the panels resolve merged journeys through journey_aliases.
-- `month` is when the milestone occurred, clamped like event_minute's minute, so a
-- window's query reads only the partitions it needs.
CREATE TABLE IF NOT EXISTS journey_milestones
(
    journey_id  String,
    milestone   LowCardinality(String),
    month       Date,
    -- (first occurred_at, partner_id, partner_type, node_id, ownership)
    first       SimpleAggregateFunction(min,
                    Tuple(DateTime64(3, 'UTC'), String, String, String, String))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (journey_id, milestone)
TTL month + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_milestones_mv TO journey_milestones AS
SELECT
    journey_id, milestone,
    toStartOfMonth(greatest(least(occurred_at, ingested_at), ingested_at - INTERVAL 30 DAY))
        AS month,
    min((occurred_at, toString(partner_id), toString(partner_type), toString(node_id),
         toString(ownership))) AS first
FROM journey_events
GROUP BY journey_id, milestone, month;

INSERT INTO journey_milestones
SELECT
    journey_id, milestone,
    toStartOfMonth(greatest(least(occurred_at, ingested_at), ingested_at - INTERVAL 30 DAY))
        AS month,
    min((occurred_at, toString(partner_id), toString(partner_type), toString(node_id),
         toString(ownership))) AS first
FROM journey_events
GROUP BY journey_id, milestone, month;
