-- Per-minute event aggregates by partner, node, milestone, exception and data-quality
-- flag. The partner-health, exception and owned-vs-partner panels read these instead of
-- journey_events, so they cost the same whatever the event volume.
-- Counts are distinct event (and journey) ids as uniqCombined64 states: exact for the
-- small sets of one minute, within about 1% when merged over large ones; a partner's
-- redelivery of a report, or the backfill below overlapping the view, counts once.
-- Journeys are counted by the journey id an event landed with (before any later merge):
-- journey_ids leaves orphans out (events no order reached when they landed, journey id
-- 'orphan_...'), so it counts orders; landed_ids keeps them, so a carrier whose reports
-- all land as orphans of their tracking numbers still counts the shipments it carried.
-- An event's minute is when it occurred; when that is implausible (after its ingestion,
-- or more than 30 days before it: the data-quality checks flag such clocks) it is when
-- the event was ingested, so odd partner clocks never scatter rows over partitions.
CREATE TABLE IF NOT EXISTS event_minute
(
    minute                DateTime('UTC') CODEC(Delta, ZSTD(1)),
    partner_id            LowCardinality(String),
    partner_type          LowCardinality(String),
    node_id               LowCardinality(String),
    ownership             LowCardinality(String),
    milestone             LowCardinality(String),
    exception_reason      LowCardinality(String),
    exception_responsible LowCardinality(String),
    quality_flag          LowCardinality(String),
    event_ids             AggregateFunction(uniqCombined64, String),
    journey_ids           AggregateFunction(uniqCombined64, String),
    landed_ids            AggregateFunction(uniqCombined64, String),
    last_occurred_at      SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    last_ingested_at      SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (partner_id, node_id, ownership, partner_type, minute, milestone,
          exception_reason, exception_responsible, quality_flag)
TTL minute + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_minute_mv TO event_minute AS
SELECT
    toStartOfMinute(if(occurred_at > ingested_at OR occurred_at < ingested_at - INTERVAL 30 DAY,
           ingested_at, occurred_at))
        AS minute,
    partner_id, partner_type, node_id, ownership, milestone,
    exception_reason, exception_responsible,
    arrayJoin(if(empty(quality_flags), [''], quality_flags)) AS quality_flag,
    uniqCombined64State(event_id) AS event_ids,
    uniqCombined64StateIf(journey_id, NOT startsWith(journey_id, 'orphan_')) AS journey_ids,
    uniqCombined64State(journey_id) AS landed_ids,
    max(occurred_at) AS last_occurred_at,
    max(ingested_at) AS last_ingested_at
FROM journey_events
GROUP BY minute, partner_id, partner_type, node_id, ownership, milestone,
         exception_reason, exception_responsible, quality_flag;

-- Events that landed before this migration (distinct counts make the overlap harmless).
INSERT INTO event_minute
SELECT
    toStartOfMinute(if(occurred_at > ingested_at OR occurred_at < ingested_at - INTERVAL 30 DAY,
           ingested_at, occurred_at))
        AS minute,
    partner_id, partner_type, node_id, ownership, milestone,
    exception_reason, exception_responsible,
    arrayJoin(if(empty(quality_flags), [''], quality_flags)) AS quality_flag,
    uniqCombined64State(event_id) AS event_ids,
    uniqCombined64StateIf(journey_id, NOT startsWith(journey_id, 'orphan_')) AS journey_ids,
    uniqCombined64State(journey_id) AS landed_ids,
    max(occurred_at) AS last_occurred_at,
    max(ingested_at) AS last_ingested_at
FROM journey_events
GROUP BY minute, partner_id, partner_type, node_id, ownership, milestone,
         exception_reason, exception_responsible, quality_flag;

-- When each partner last reported (pipeline time), for freshness whatever the window:
-- one row per partner and node once merged.
CREATE TABLE IF NOT EXISTS partner_last_seen
(
    partner_id       LowCardinality(String),
    node_id          LowCardinality(String),
    last_ingested_at SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    last_occurred_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (partner_id, node_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS partner_last_seen_mv TO partner_last_seen AS
SELECT partner_id, node_id, max(ingested_at) AS last_ingested_at,
       max(occurred_at) AS last_occurred_at
FROM journey_events
GROUP BY partner_id, node_id;

INSERT INTO partner_last_seen
SELECT partner_id, node_id, max(ingested_at) AS last_ingested_at,
       max(occurred_at) AS last_occurred_at
FROM journey_events
GROUP BY partner_id, node_id;
