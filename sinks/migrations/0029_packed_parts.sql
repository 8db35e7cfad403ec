-- Small parts in one file. Every flush writes a part to each table it feeds (13 for a
-- flush of events, memberships and stage facts), and a part in the usual (Full) storage is
-- a folder of about a dozen files; merges write more and delete the parts they replace.
-- On a filesystem where creating a file gets dearer the more were deleted lately (ext4
-- without a journal looks at every recently freed inode before reusing one), that churn
-- came to half of an insert's CPU. Packed storage keeps a part's files in one archive
-- (data.packed): a part written by an insert always (level 0), a merged part until it
-- holds 16 MiB; bigger merged parts are Full, as before, so long scans read them as they
-- always did. B3 (2,000 payloads/s), runs alternated with and without: the sink's mean
-- write 0.14-0.17 s -> 0.11-0.12 s, visible p50 0.98 s -> 0.84-0.87 s. Packed storage is
-- in open-source ClickHouse since 26.x (docker-compose.yml runs 26.9, the engine chDB is).
ALTER TABLE alerts MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE dead_letter_minute MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE dead_letter_replays MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE dead_letters MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE event_minute MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE exception_events MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE identifier_journeys MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE identifier_landings MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE identifiers MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE journey_aliases MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE journey_events MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE journey_members MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE journey_orders MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE journey_stages MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE journey_timeline MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE partner_last_seen MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
ALTER TABLE sink_ledger MODIFY SETTING
    min_level_for_full_part_storage = 1, min_bytes_for_full_part_storage = 16777216;
