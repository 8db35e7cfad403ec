-- When each journey first reached each milestone, and who reported it then: the latency
-- panels pair consecutive milestones from here (one narrow row per journey and
-- milestone instead of every event with its payload). The earliest report wins whenever
-- it lands, so arrival order does not matter. Rows carry the journey id an event landed
-- with and the identifier keys of its events: the panels resolve orphans through
-- journey_members (by those keys) and merged journeys through journey_aliases.
-- `month` is when the milestone occurred (when ingested if that is implausible, as in
-- event_minute), so a window's query reads only the partitions it needs.
CREATE TABLE IF NOT EXISTS journey_milestones
(
    journey_id  String,
    milestone   LowCardinality(String),
    month       Date,
    -- (first occurred_at, partner_id, partner_type, node_id, ownership)
    first       SimpleAggregateFunction(min,
                    Tuple(DateTime64(3, 'UTC'), String, String, String, String)),
    id_keys     SimpleAggregateFunction(groupUniqArrayArray, Array(String))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (journey_id, milestone)
TTL month + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_milestones_mv TO journey_milestones AS
SELECT
    journey_id, milestone,
    toStartOfMonth(if(occurred_at > ingested_at OR occurred_at < ingested_at - INTERVAL 30 DAY,
           ingested_at, occurred_at))
        AS month,
    min((occurred_at, toString(partner_id), toString(partner_type), toString(node_id),
         toString(ownership))) AS first,
    groupUniqArrayArray(identifier_keys) AS id_keys
FROM journey_events
GROUP BY journey_id, milestone, month;

INSERT INTO journey_milestones
SELECT
    journey_id, milestone,
    toStartOfMonth(if(occurred_at > ingested_at OR occurred_at < ingested_at - INTERVAL 30 DAY,
           ingested_at, occurred_at))
        AS month,
    min((occurred_at, toString(partner_id), toString(partner_type), toString(node_id),
         toString(ownership))) AS first,
    groupUniqArrayArray(identifier_keys) AS id_keys
FROM journey_events
GROUP BY journey_id, milestone, month;
