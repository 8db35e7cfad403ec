-- The sink writes the blocks of a topic due in one flush as one insert per table (an
-- insert's fixed cost dominated when each partition's block was its own insert). The
-- ledger records each block's group (its deduplication token) and the group's size, so a
-- restart re-cuts the blocks into the same groups and ClickHouse drops the repeat.
-- Ranges recorded before have no group: they are re-written alone, as they were.
ALTER TABLE sink_ledger ADD COLUMN IF NOT EXISTS write_group String DEFAULT '';
ALTER TABLE sink_ledger ADD COLUMN IF NOT EXISTS group_size UInt16 DEFAULT 1;
