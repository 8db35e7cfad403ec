-- Each journey's retailer order numbers, one narrow row each, for the lists that show the
-- order next to a journey id (stuck orders): a thousand journeys' orders are then a read
-- of this small table, not of every member of every journey.
CREATE TABLE IF NOT EXISTS journey_orders
(
    journey_id    String,
    order_number  String
)
ENGINE = ReplacingMergeTree
ORDER BY (journey_id, order_number)
SETTINGS index_granularity = 1024;

CREATE MATERIALIZED VIEW IF NOT EXISTS journey_orders_mv TO journey_orders AS
SELECT journey_id, id_value AS order_number FROM journey_members WHERE id_type = 'order';

-- Orders recorded before this migration (a repeat collapses).
INSERT INTO journey_orders
SELECT journey_id, id_value AS order_number FROM journey_members WHERE id_type = 'order';
