-- The latency and SLA panels read journey_stages (the SLA engine's stage facts) since
-- 0024; nothing reads journey_milestones any more, and its view cost every insert into
-- journey_events a part of its own. It is derived data: dropping it loses nothing.
DROP VIEW IF EXISTS journey_milestones_mv;
DROP TABLE IF EXISTS journey_milestones;
