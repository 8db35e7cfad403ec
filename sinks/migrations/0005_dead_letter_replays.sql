-- Each attempt to re-process a dead letter after a fix, and what came of it.
CREATE TABLE IF NOT EXISTS dead_letter_replays
(
    dead_letter_id  String,
    partner_id      LowCardinality(String),
    outcome         LowCardinality(String),
    events          UInt32,
    reason          String,
    republished_to  String,
    replayed_at     DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))
)
ENGINE = ReplacingMergeTree
ORDER BY (partner_id, dead_letter_id, replayed_at)
SETTINGS non_replicated_deduplication_window = 10000;
