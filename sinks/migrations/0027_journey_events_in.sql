-- The sink's way in for canonical events: each record of seamscope.journey-events as it
-- came from Kafka, one line of JSON, into a table that keeps nothing. A view reads each
-- line once into the event's columns (journey_events_read, which keeps nothing either);
-- two views make of those the journey_events and identifiers rows. Reading 5,000 events
-- into rows in Python, then the client turning them into columns, cost about as much as
-- the insert itself.
-- The rows are those the sink's own reading makes (sinks/clickhouse_sink.py, event_rows;
-- a test holds the two equal). Where that reading refuses a record, the first view
-- refuses the whole insert, before anything is written, with the message below; the
-- sink then reads that block's records one by one, and an unreadable one becomes a dead
-- letter. So is an identifier of a type unique on its own (its key upper-cased) that is
-- not plain ASCII: Python and ClickHouse upper-case other letters differently.
-- A retry under the same deduplication token lands nothing twice: the views' blocks
-- inherit it (deduplicate_blocks_in_dependent_materialized_views, set by the sink).
CREATE TABLE IF NOT EXISTS journey_events_in
(
    json String
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS journey_events_read
(
    event_id              String,
    journey_id            String,
    schema_version        UInt8,
    milestone             String,
    raw_status            String,
    description           String,
    occurred_at           DateTime64(3, 'UTC'),
    reported_at           Nullable(DateTime64(3, 'UTC')),
    ingested_at           DateTime64(3, 'UTC'),
    partner_id            String,
    partner_type          String,
    node_id               String,
    ownership             String,
    identifier_keys       Array(String),
    identifier_values     Array(String),
    identifier_types      Array(String),
    identifier_issuers    Array(String),
    exception_reason      String,
    exception_responsible String,
    location              String,
    quality_flags         Array(String),
    source_topic          String,
    source_partition      Int32,
    source_offset         Int64,
    partner_format        String,
    payload               String
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_events_read_mv TO journey_events_read AS
SELECT
    assumeNotNull(e.event_id) AS event_id, assumeNotNull(e.journey_id) AS journey_id,
    assumeNotNull(e.schema_version) AS schema_version,
    assumeNotNull(e.milestone) AS milestone, e.raw_status AS raw_status,
    e.description AS description, assumeNotNull(occurred) AS occurred_at,
    reported AS reported_at, assumeNotNull(ingested) AS ingested_at,
    assumeNotNull(e.partner_id) AS partner_id, assumeNotNull(e.partner_type) AS partner_type,
    assumeNotNull(e.node_id) AS node_id, assumeNotNull(e.ownership) AS ownership,
    arrayMap(k -> assumeNotNull(k), keys) AS identifier_keys,
    arrayMap(i -> assumeNotNull(i.value), e.identifiers) AS identifier_values,
    arrayMap(i -> assumeNotNull(i.type), e.identifiers) AS identifier_types,
    arrayMap(i -> i.issuer, e.identifiers) AS identifier_issuers,
    e.exception.reason AS exception_reason, e.exception.responsible AS exception_responsible,
    e.location AS location, e.quality_flags AS quality_flags, e.source.topic AS source_topic,
    ifNull(e.source.partition, -1) AS source_partition,
    ifNull(e.source.offset, -1) AS source_offset,
    e.source.partner_format AS partner_format, json AS payload
FROM
(
    SELECT
        json,
        JSONExtract(json, 'Tuple(event_id Nullable(String), journey_id Nullable(String),
            schema_version Nullable(UInt8), milestone Nullable(String), raw_status String,
            description String, occurred_at Nullable(String), reported_at Nullable(String),
            ingested_at Nullable(String), partner_id Nullable(String),
            partner_type Nullable(String), node_id Nullable(String), ownership Nullable(String),
            identifiers Array(Tuple(type Nullable(String), issuer String, value Nullable(String))),
            exception Tuple(reason String, responsible String), location String,
            quality_flags Array(String), source Tuple(topic String, partition Nullable(Int32),
            offset Nullable(Int64), partner_format String))') AS e,
        parseDateTime64BestEffortOrNull(e.occurred_at, 3, 'UTC') AS occurred,
        parseDateTime64BestEffortOrNull(e.reported_at, 3, 'UTC') AS reported,
        parseDateTime64BestEffortOrNull(e.ingested_at, 3, 'UTC') AS ingested,
        arrayMap(i -> if(i.type IN ('order', 'sscc', 'tracking_number'),
                         i.type || '::' || upper(replaceAll(i.value, ' ', '')),
                         i.type || ':' || i.issuer || ':' || i.value),
                 e.identifiers) AS keys
    FROM journey_events_in
)
WHERE throwIf(ifNull(
    isNull(e.event_id) OR isNull(e.journey_id) OR isNull(e.schema_version)
    OR isNull(e.milestone) OR isNull(e.partner_id) OR isNull(e.partner_type)
    OR isNull(e.node_id) OR isNull(e.ownership) OR NOT JSONHas(json, 'identifiers')
    OR isNull(occurred) OR isNull(ingested)
    OR (isNull(reported) AND ifNull(e.reported_at, '') != '')
    OR arrayExists(k -> isNull(k), keys)
    OR arrayExists(i -> i.type IN ('order', 'sscc', 'tracking_number')
                        AND length(i.value) != lengthUTF8(i.value), e.identifiers), 1),
    'seamscope: not a readable canonical event, read record by record') = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_events_in_mv TO journey_events AS
SELECT * EXCEPT (identifier_types, identifier_issuers)
FROM journey_events_read;

CREATE MATERIALIZED VIEW IF NOT EXISTS identifiers_in_mv TO identifiers AS
SELECT
    value AS id_value, type AS id_type, issuer, key AS id_key, journey_id, event_id,
    partner_id, occurred_at, ingested_at
FROM journey_events_read
ARRAY JOIN identifier_values AS value, identifier_types AS type,
           identifier_issuers AS issuer, identifier_keys AS key;
