-- Canonical journey events, one row per event as stitched by the worker.
-- Lookups go by event id (found through identifiers); partition and TTL by ingestion time, so a partner's odd
-- timestamps (years late, in the future) never expire or scatter rows. An event delivered
-- twice (partner redelivery, worker retry) has one event id and collapses to one row.
CREATE TABLE IF NOT EXISTS journey_events
(
    event_id              String,
    journey_id            String,
    schema_version        UInt8,
    milestone             LowCardinality(String),
    raw_status            String,
    description           String,
    occurred_at           DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    reported_at           Nullable(DateTime64(3, 'UTC')),
    ingested_at           DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    landed_at             DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    partner_id            LowCardinality(String),
    partner_type          LowCardinality(String),
    node_id               LowCardinality(String),
    ownership             LowCardinality(String),
    identifier_keys       Array(String),
    identifier_values     Array(String),
    exception_reason      LowCardinality(String),
    exception_responsible LowCardinality(String),
    location              String,
    quality_flags         Array(LowCardinality(String)),
    source_topic          LowCardinality(String),
    source_partition      Int32,
    source_offset         Int64,
    partner_format        LowCardinality(String),
    payload               String CODEC(ZSTD(3)),
    INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_identifier_values identifier_values TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(landed_at)
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (partner_id, occurred_at, event_id)
TTL toDateTime(ingested_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;
