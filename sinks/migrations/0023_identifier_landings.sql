-- Which journey ids the events carrying an identifier landed with, ordered by the
-- identifier. A journey's timeline also holds the events of its identifiers that landed
-- with other journey ids (an orphan before its link, a shipment shared by two orders):
-- this names those journey ids from a few small granules, instead of reading every row
-- of those identifiers in identifiers. Kept while the latest such event is kept.
CREATE TABLE IF NOT EXISTS identifier_landings
(
    id_key       String,
    journey_id   String,
    ingested_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (id_key, journey_id)
TTL toDateTime(ingested_at) + INTERVAL 400 DAY
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS identifier_landings_mv TO identifier_landings AS
SELECT arrayJoin(identifier_keys) AS id_key, journey_id, max(ingested_at) AS ingested_at
FROM journey_events
GROUP BY id_key, journey_id;

-- Events that landed before this migration (a repeat collapses).
INSERT INTO identifier_landings
SELECT arrayJoin(identifier_keys) AS id_key, journey_id, max(ingested_at) AS ingested_at
FROM journey_events
GROUP BY id_key, journey_id;
