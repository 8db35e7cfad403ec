-- Payloads that could not be turned into canonical events, with the raw bytes and why.
CREATE TABLE IF NOT EXISTS dead_letters
(
    dead_letter_id    String,
    partner_id        LowCardinality(String),
    partner_format    LowCardinality(String),
    source_topic      LowCardinality(String),
    source_partition  Int32,
    source_offset     Int64,
    reason            String,
    error_kind        LowCardinality(String),
    raw               String CODEC(ZSTD(3)),
    headers           Map(String, String),
    failed_at         DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    INDEX idx_reason reason TYPE tokenbf_v1(8192, 3, 0) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(failed_at)
ORDER BY (partner_id, source_topic, source_partition, source_offset)
TTL toDateTime(failed_at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- The sink's write-ahead ledger: which offset ranges it inserted as one block, so a
-- restart re-cuts the same blocks and ClickHouse deduplicates them by token.
CREATE TABLE IF NOT EXISTS sink_ledger
(
    topic         LowCardinality(String),
    partition     Int32,
    first_offset  Int64,
    last_offset   Int64,
    first_timestamp Int64,
    written_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (topic, partition, first_offset)
TTL toDateTime(written_at) + INTERVAL 14 DAY;
