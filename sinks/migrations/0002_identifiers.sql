-- Every identifier an event mentions, to find a journey by any partner's ID.
CREATE TABLE IF NOT EXISTS identifiers
(
    id_value     String,
    id_type      LowCardinality(String),
    issuer       LowCardinality(String),
    id_key       String,
    journey_id   String,
    event_id     String,
    partner_id   LowCardinality(String),
    occurred_at  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    ingested_at  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (id_value, id_key, event_id)
TTL toDateTime(ingested_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- When journeys merge (a late link joins two), the earlier journey id becomes an alias.
-- The newest version of an alias wins.
CREATE TABLE IF NOT EXISTS journey_aliases
(
    alias_id    String,
    journey_id  String,
    version     UInt64,
    updated_at  DateTime64(3, 'UTC'),
    INDEX idx_journey_id journey_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version)
ORDER BY alias_id
SETTINGS non_replicated_deduplication_window = 10000;
