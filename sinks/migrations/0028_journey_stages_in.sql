-- The sink's way in for stage facts, as 0027 is for canonical events: each record of
-- seamscope.stage-facts as it came, one line of JSON, into a table that keeps nothing;
-- a view reads it into journey_stages, making the rows the sink's own reading makes
-- (sinks/clickhouse_sink.py, stage_row; a test holds the two equal). A record that
-- reading refuses (a value missing) makes the view refuse the whole insert with the
-- message below; the sink then reads that block record by record.
CREATE TABLE IF NOT EXISTS journey_stages_in
(
    json String
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_stages_in_mv TO journey_stages AS
SELECT
    f.journey_id AS journey_id, f.kind AS kind, f.stage AS stage, f.stage_no AS stage_no,
    fact_at AS at, started AS started_at, f.from_partner AS from_partner,
    f.partner_id AS partner_id, f.node_id AS node_id, f.ownership AS ownership,
    f.handoff AS handoff, f.seconds AS seconds, f.ended AS ended, f.missed AS missed,
    f.promise AS promise, f.promised AS promised, deadline_at AS deadline,
    f.version AS version, f.deleted AS deleted
FROM
(
    SELECT
        JSONExtract(json, 'Tuple(journey_id Nullable(String), kind Nullable(String),
            stage Nullable(String), stage_no Nullable(UInt8), at Nullable(String),
            started_at Nullable(String), from_partner Nullable(String),
            partner_id Nullable(String), node_id Nullable(String), ownership Nullable(String),
            handoff Nullable(Bool), seconds Nullable(Int64), ended Nullable(Bool),
            missed Nullable(Bool), promise Nullable(Bool), promised Nullable(Bool),
            deadline Nullable(String), version Nullable(UInt64), deleted Nullable(Bool))') AS f,
        parseDateTime64BestEffortOrNull(f.at, 3, 'UTC') AS fact_at,
        parseDateTime64BestEffortOrNull(f.started_at, 3, 'UTC') AS started,
        parseDateTime64BestEffortOrNull(f.deadline, 3, 'UTC') AS deadline_at
    FROM journey_stages_in
)
WHERE throwIf(ifNull(
    isNull(f.journey_id) OR isNull(f.kind) OR isNull(f.stage) OR isNull(f.stage_no)
    OR isNull(fact_at) OR isNull(started) OR isNull(f.from_partner) OR isNull(f.partner_id)
    OR isNull(f.node_id) OR isNull(f.ownership) OR isNull(f.handoff) OR isNull(f.seconds)
    OR isNull(f.ended) OR isNull(f.missed) OR isNull(f.promise) OR isNull(f.promised)
    OR (isNull(deadline_at) AND ifNull(f.deadline, '') != '') OR isNull(f.version)
    OR isNull(f.deleted), 1),
    'seamscope: not a readable stage fact, read record by record') = 0;
