-- Exception events only, narrow and ordered for the exceptions view's drill-down
-- (reason, responsible party, partner, time) without scanning every journey event.
CREATE TABLE IF NOT EXISTS exception_events
(
    exception_reason      LowCardinality(String),
    exception_responsible LowCardinality(String),
    partner_id            LowCardinality(String),
    node_id               LowCardinality(String),
    ownership             LowCardinality(String),
    milestone             LowCardinality(String),
    occurred_at           DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    -- when it occurred, or when ingested if that is implausible (as in event_minute)
    at                    DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    event_id              String,
    journey_id            String,
    description           String,
    raw_status            String,
    identifier_values     Array(String)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (exception_reason, exception_responsible, partner_id, at, event_id)
TTL toDateTime(at) + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS exception_events_mv TO exception_events AS
SELECT
    exception_reason, exception_responsible, partner_id, node_id, ownership, milestone,
    occurred_at,
    if(occurred_at > ingested_at OR occurred_at < ingested_at - INTERVAL 30 DAY,
       ingested_at, occurred_at) AS at,
    event_id, journey_id, description, raw_status, identifier_values
FROM journey_events
WHERE exception_reason != '';

INSERT INTO exception_events
SELECT
    exception_reason, exception_responsible, partner_id, node_id, ownership, milestone,
    occurred_at,
    if(occurred_at > ingested_at OR occurred_at < ingested_at - INTERVAL 30 DAY,
       ingested_at, occurred_at) AS at,
    event_id, journey_id, description, raw_status, identifier_values
FROM journey_events
WHERE exception_reason != '';
