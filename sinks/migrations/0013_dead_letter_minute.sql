-- Dead letters per partner, kind and minute, for the dead-letter trend panels.
-- Distinct dead-letter ids, so a redelivered letter counts once.
CREATE TABLE IF NOT EXISTS dead_letter_minute
(
    minute         DateTime('UTC') CODEC(Delta, ZSTD(1)),
    partner_id     LowCardinality(String),
    error_kind     LowCardinality(String),
    letter_ids     AggregateFunction(uniqCombined64, String),
    last_failed_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (partner_id, error_kind, minute)
TTL minute + INTERVAL 400 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS dead_letter_minute_mv TO dead_letter_minute AS
SELECT toStartOfMinute(failed_at) AS minute, partner_id, error_kind,
       uniqCombined64State(dead_letter_id) AS letter_ids, max(failed_at) AS last_failed_at
FROM dead_letters
GROUP BY minute, partner_id, error_kind;

INSERT INTO dead_letter_minute
SELECT toStartOfMinute(failed_at) AS minute, partner_id, error_kind,
       uniqCombined64State(dead_letter_id) AS letter_ids, max(failed_at) AS last_failed_at
FROM dead_letters
GROUP BY minute, partner_id, error_kind;
