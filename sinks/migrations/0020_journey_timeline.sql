-- Journey events ordered by the journey they landed with, for lookups. journey_events is
-- ordered by partner and time, so one journey's ten-odd events lie in as many granules,
-- found only through identifiers; here they are one or two granules. A lookup reads its
-- journey ids (the journey and its aliases) here, and the events of its members'
-- identifiers by (journey_id, occurred_at, event_id), which identifiers rows carry too.
-- Orphans (journey id 'orphan_...') sort together, so listing them reads only them.
-- The columns a timeline shows, not the payload; kept as long as journey_events keeps
-- the event. An event delivered twice with the same journey id collapses to one row.
CREATE TABLE IF NOT EXISTS journey_timeline
(
    journey_id            String,
    occurred_at           DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    event_id              String,
    milestone             LowCardinality(String),
    raw_status            String,
    description           String,
    ingested_at           DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    partner_id            LowCardinality(String),
    partner_type          LowCardinality(String),
    node_id               LowCardinality(String),
    ownership             LowCardinality(String),
    identifier_keys       Array(String),
    exception_reason      LowCardinality(String),
    exception_responsible LowCardinality(String),
    location              String,
    quality_flags         Array(LowCardinality(String)),
    partner_format        LowCardinality(String)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (journey_id, occurred_at, event_id)
TTL toDateTime(ingested_at) + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_timeline_mv TO journey_timeline AS
SELECT journey_id, occurred_at, event_id, milestone, raw_status, description, ingested_at,
       partner_id, partner_type, node_id, ownership, identifier_keys, exception_reason,
       exception_responsible, location, quality_flags, partner_format
FROM journey_events;

-- Events that landed before this migration (an event the view also wrote collapses).
INSERT INTO journey_timeline
SELECT journey_id, occurred_at, event_id, milestone, raw_status, description, ingested_at,
       partner_id, partner_type, node_id, ownership, identifier_keys, exception_reason,
       exception_responsible, location, quality_flags, partner_format
FROM journey_events;
