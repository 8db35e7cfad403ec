-- Alerts with their lifecycle: the newest version of each alert wins.
CREATE TABLE IF NOT EXISTS alerts
(
    alert_id         String,
    kind             LowCardinality(String),
    status           LowCardinality(String),
    rule             LowCardinality(String),
    partner_id       LowCardinality(String),
    node_id          LowCardinality(String),
    journey_id       String,
    stage_start      LowCardinality(String),
    since            Nullable(DateTime64(3, 'UTC')),
    deadline         Nullable(DateTime64(3, 'UTC')),
    opened_at        Nullable(DateTime64(3, 'UTC')),
    updated_at       DateTime64(3, 'UTC'),
    resolved_at      Nullable(DateTime64(3, 'UTC')),
    last_milestone   LowCardinality(String),
    last_event_at    Nullable(DateTime64(3, 'UTC')),
    last_partner_id  LowCardinality(String),
    incident_id      String,
    journeys         UInt32,
    paged            Bool,
    version          UInt64,
    INDEX idx_journey journey_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version)
ORDER BY alert_id
SETTINGS non_replicated_deduplication_window = 10000;
