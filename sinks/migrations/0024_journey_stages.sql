-- Each journey's stage facts, from the worker's SLA engine (topic seamscope.stage-facts):
-- kind 'latency', one row per consecutive path stage both of whose milestones were
-- reached (`at` = when it ended); kind 'sla', one row per SLA stage once decided (`at` =
-- when it ended, or its breach's deadline when it did not), met or missed. The engine
-- resolves orphans and knows the deadlines, so the latency and SLA panels read only the
-- rows of their window instead of re-deriving every journey's progress.
-- `at` is part of the key, so a window reads only its own partitions and granules. A fact
-- whose time moves (an earlier report arrived) is re-emitted under the new time and
-- withdrawn under the old one (`deleted`); a fact emitted again (retries, the worker's
-- replay on restart) has the same key and a higher version: read with FINAL, each key
-- counts once, withdrawn ones not at all.
CREATE TABLE IF NOT EXISTS journey_stages
(
    journey_id    String,
    kind          LowCardinality(String),
    stage         LowCardinality(String),
    stage_no      UInt8,
    at            DateTime64(3, 'UTC') CODEC(Delta, ZSTD),
    started_at    DateTime64(3, 'UTC') CODEC(Delta, ZSTD),
    from_partner  LowCardinality(String),
    partner_id    LowCardinality(String),
    node_id       LowCardinality(String),
    ownership     LowCardinality(String),
    handoff       UInt8,
    seconds       Int64,
    ended         UInt8,
    missed        UInt8,
    promise       UInt8,
    -- the marketplace gave the journey a promised date
    promised      UInt8,
    deadline      Nullable(DateTime64(3, 'UTC')),
    version       UInt64,
    deleted       UInt8,
    INDEX idx_journey journey_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version, deleted)
PARTITION BY toYYYYMM(at)
ORDER BY (kind, at, journey_id, stage)
TTL toDateTime(at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;
