-- Which identifiers belong to which journey, as learned from links (late binding,
-- split and consolidated shipments). A lookup expands a journey to all its identifiers'
-- events, including events that arrived before their link.
CREATE TABLE IF NOT EXISTS journey_members
(
    journey_id  String,
    id_key      String,
    id_value    String,
    id_type     LowCardinality(String),
    updated_at  DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    INDEX idx_id_key id_key TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_id_value id_value TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
ORDER BY (journey_id, id_key)
SETTINGS non_replicated_deduplication_window = 10000;
