"""The latency and SLA panels' queries as they were before the SLA engine filed stage
facts: every journey's progress re-derived at query time from ``journey_milestones``
(orphans through journey_members, merged journeys through journey_aliases) and the
``alerts`` table. The reference the stage-fact panels are compared with."""

from __future__ import annotations

from dashboards.panels import _PARTNERS, SLA_STAGES_TYPE, STAGES
from sinks.migrate import available
from sinks.store import Store


def install(store: Store) -> None:
    """Create what these queries read and the schema no longer has (migration 0026 drops
    it): ``journey_milestones`` and its view, as migration 0011 made them. Call before
    landing the events to compare on."""
    (milestones,) = [m for m in available() if m.version == 11]
    for statement in milestones.statements:
        store.command(statement)


_STAGE_LIST = "[" + ", ".join(f"('{a}', '{b}')" for a, b in STAGES) + "]"
_STAGE_MILESTONES = "[" + ", ".join(f"'{m}'" for m in dict.fromkeys(sum(STAGES, ()))) + "]"

_ALIASES = """
  aliases AS (
    SELECT alias_id, argMax(journey_id, version) AS final_id
    FROM journey_aliases GROUP BY alias_id)"""


def _reached(milestones: str) -> str:
    """CTEs ending in ``reached``: when each journey first reached each milestone that
    ``milestones`` (an SQL condition on ``milestone``) lets through, and who reported it
    (``first``: time, partner, partner type, node, ownership). Milestones count for the
    journey they belong to now: an orphan's (reported before the link that ties it to an
    order) through journey_members by its identifier keys, a merged journey's through
    journey_aliases. Milestones from 30 days before the window on are read."""
    return f"""{_ALIASES},
  landed AS (
    SELECT journey_id, milestone, min(first) AS first, groupUniqArrayArray(id_keys) AS keys
    FROM journey_milestones
    WHERE month >= toStartOfMonth({{since:DateTime64(3)}} - INTERVAL 30 DAY)
      AND {milestones}
    GROUP BY journey_id, milestone),
  claimed AS (
    SELECT id_key, any(journey_id) AS claimed_by FROM journey_members
    WHERE id_key IN (SELECT arrayJoin(keys) FROM landed WHERE startsWith(journey_id, 'orphan_'))
    GROUP BY id_key),
  resolved AS (
    SELECT if(startsWith(l.journey_id, 'orphan_'), c.claimed_by, l.journey_id) AS jid,
           l.milestone AS milestone, l.first AS first
    FROM landed AS l
    ARRAY JOIN if(startsWith(l.journey_id, 'orphan_'), l.keys, ['']) AS key
    LEFT JOIN claimed AS c ON c.id_key = key
    WHERE jid != ''),
  reached AS (
    SELECT if(a.final_id = '', r.jid, a.final_id) AS journey, r.milestone AS milestone,
           min(r.first) AS first
    FROM resolved AS r LEFT JOIN aliases AS a ON a.alias_id = r.jid
    GROUP BY journey, milestone),
  per_journey AS (
    SELECT journey, groupArray(milestone) AS ms, groupArray(first) AS firsts
    FROM reached GROUP BY journey)"""


#: Journeys' stages: one row per journey and stage whose two milestones both occurred,
#: ended in the window and started at most 30 days before it.
TRANSITIONS = f"""
WITH{_reached(f"milestone IN {_STAGE_MILESTONES}")},
  transitions AS (
    SELECT journey,
           indexOf({_STAGE_LIST}, pair) AS stage_no,
           concat(pair.1, ' → ', pair.2) AS stage,
           firsts[indexOf(ms, pair.1)] AS start,
           firsts[indexOf(ms, pair.2)] AS finish,
           finish.1 AS ended_at,
           start.2 AS from_partner,
           finish.2 AS partner_id, finish.4 AS node_id, finish.5 AS ownership,
           toUInt8(start.2 != finish.2) AS handoff,
           dateDiff('second', start.1, finish.1) AS seconds
    FROM per_journey ARRAY JOIN {_STAGE_LIST} AS pair
    WHERE has(ms, pair.1) AND has(ms, pair.2)),
  stages AS (
    SELECT * FROM transitions
    WHERE ended_at >= {{since:DateTime64(3)}} AND ended_at < {{until:DateTime64(3)}}
      AND seconds >= 0 AND {_PARTNERS})
"""

_SLA_STAGES = "{sla_stages:" + SLA_STAGES_TYPE + "}"

#: SLA stages decided in the window, one row per journey and stage: ended in the window,
#: or not ended and past a deadline that fell in the window. The deadline is the SLA
#: engine's (the ``sla_breach`` alert it raised when it passed); a stage is ``missed``
#: when it has such an alert and did not end by that deadline, else met (a stage that
#: ended late always has one: the engine records a breach it learns of late, too).
#: It counts for the partner and node the breach names (who held the order), else for
#: whoever reported the stage's end.
_SLA_MILESTONES = f"arrayFlatten(arrayMap(s -> arrayPushFront(s.3, s.2), {_SLA_STAGES}))"
SLA = f"""
WITH{_reached(f"has({_SLA_MILESTONES}, milestone)")},
  ended AS (
    SELECT journey, s.1 AS stage, toUInt8(1) AS ended,
           arraySort(arrayMap(m -> firsts[indexOf(ms, m)], arrayFilter(m -> has(ms, m), s.3)))[1]
             AS finish
    FROM per_journey ARRAY JOIN {_SLA_STAGES} AS s
    WHERE has(ms, s.2) AND hasAny(ms, s.3)),
  breaches AS (
    SELECT if(a.final_id = '', b.journey_id, a.final_id) AS journey, b.rule AS stage,
           toUInt8(1) AS breached, min(b.deadline) AS deadline,
           argMin(b.partner_id, b.deadline) AS b_partner, argMin(b.node_id, b.deadline) AS b_node
    FROM (SELECT journey_id, rule, deadline, partner_id, node_id FROM alerts FINAL
          WHERE kind = 'sla_breach'
            AND has(arrayMap(s -> s.1, {_SLA_STAGES}), rule)) AS b
    LEFT JOIN aliases AS a ON a.alias_id = b.journey_id
    GROUP BY journey, stage),
  nodes AS (SELECT node_id, any(ownership) AS ownership FROM event_minute GROUP BY node_id),
  judged AS (
    SELECT journey, stage, ended,
           has(arrayMap(s -> s.1, arrayFilter(s -> s.4 = 1, {_SLA_STAGES})), stage) AS promise,
           toUInt8(breached = 1 AND (ended = 0 OR finish.1 > deadline)) AS missed,
           if(ended = 1, finish.1, deadline) AS decided_at,
           if(breached = 1 AND b_partner != '', b_partner, finish.2) AS partner_id,
           if(breached = 1 AND b_partner != '', b_node, finish.4) AS node_id
    FROM ended FULL OUTER JOIN breaches USING (journey, stage)),
  decided AS (
    SELECT j.*, n.ownership AS ownership
    FROM judged AS j LEFT JOIN nodes AS n ON n.node_id = j.node_id
    WHERE decided_at >= {{since:DateTime64(3)}} AND decided_at < {{until:DateTime64(3)}}
      AND {_PARTNERS})
"""


#: The promise panel's own part: which journeys had a promised date, from their events.
PROMISE_ON_TIME = f"""{SLA}
SELECT partner_id, node_id, ownership, count() AS due, countIf(missed = 0) AS on_time,
       countIf(missed = 1) AS late, round(100 * on_time / due, 2) AS on_time_pct,
       countIf(journey IN (
         SELECT if(a.final_id = '', e.journey_id, a.final_id)
         FROM (SELECT DISTINCT journey_id FROM journey_events
               WHERE occurred_at >= {{since:DateTime64(3)}} - INTERVAL 30 DAY
                 AND JSONExtractString(payload, 'promised_by') != '') AS e
         LEFT JOIN aliases AS a ON a.alias_id = e.journey_id)) AS with_promise_date
FROM decided
WHERE promise
GROUP BY partner_id, node_id, ownership
ORDER BY partner_id, node_id"""
