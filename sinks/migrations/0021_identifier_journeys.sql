-- Which journeys an identifier belongs to, ordered by the identifier: journey_members
-- re-sorted for a lookup by any id. journey_members is ordered by journey, so finding an
-- identifier's journeys there means checking its bloom filter over the whole table.
CREATE TABLE IF NOT EXISTS identifier_journeys
(
    id_key      String,
    journey_id  String
)
ENGINE = ReplacingMergeTree
ORDER BY (id_key, journey_id)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS identifier_journeys_mv TO identifier_journeys AS
SELECT id_key, journey_id FROM journey_members;

-- Memberships recorded before this migration (a repeat collapses).
INSERT INTO identifier_journeys SELECT id_key, journey_id FROM journey_members;
