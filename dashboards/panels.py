"""Dashboard panels as code: each a named ClickHouse query plus how to show it.

The same definitions serve the built-in web UI (``dashboards/web.py``, through the query
API) and the generated Grafana dashboards (``python -m dashboards.grafana``). Queries
take bound parameters only (``{name:Type}``, declared once in ``PARAMETERS``); user
input never becomes SQL text. The SQL below is assembled from module constants only.

Panels read the aggregate tables of migrations 0010-0013 (``event_minute``,
``partner_last_seen``, ``journey_milestones``, ``exception_events``,
``dead_letter_minute``), so they cost the same however many events have landed.
"""

# ruff: noqa: S608 - the SQL here is assembled from this module's constants only; every
# value from outside is a bound {name:Type} parameter.
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sinks.store import Store

Visual = Literal["table", "timeseries", "bar", "stat"]


@dataclass(frozen=True)
class Parameter:
    """A bound query parameter: its ClickHouse type and what Grafana puts in its place."""

    name: str
    type: str
    grafana: str
    description: str


#: Every parameter a panel may use. Grafana's values are its ClickHouse plugin's macros
#: and dashboard variables (``sqlstring`` quotes and escapes a variable's values).
PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("since", "DateTime64(3)", "$__fromTime_ms", "window start (inclusive)"),
        Parameter("until", "DateTime64(3)", "$__toTime_ms", "window end (exclusive)"),
        Parameter("bucket", "UInt32", "$__interval_s", "seconds per chart point (60 at least)"),
        Parameter(
            "partners", "Array(String)", "[${partner:sqlstring}]", "partner ids; empty = all"
        ),
        Parameter("reason", "String", "${reason:sqlstring}", "exception reason; empty = any"),
        Parameter(
            "responsible", "String", "${responsible:sqlstring}", "responsible party; empty = any"
        ),
        Parameter("id", "String", "${id:sqlstring}", "any identifier of a journey"),
    )
}

_PARAM_RE = re.compile(r"\{(\w+):([^{}]+)\}")

#: Consecutive milestones of a journey whose time between is a stage (or a handoff, when
#: different partners report its two ends). The stage is attributed to the partner and
#: node that reported its end: they did the work in between.
STAGES: tuple[tuple[str, str], ...] = (
    ("order_placed", "picked"),
    ("picked", "packed"),
    ("packed", "handed_off"),
    ("handed_off", "picked_up"),
    ("picked_up", "delivered"),
)


@dataclass(frozen=True)
class Panel:
    """A named query and its visualisation.

    ``x`` is the time column (timeseries) or the category columns joined (bar);
    ``y`` the value columns; ``series`` the column whose values name the lines or bar
    groups. ``unit`` formats values (``s`` durations, ``%`` rates). ``links`` turn a
    column's cells into links to a view, ``{column}`` filled from the row.
    ``zero_fill`` draws missing time buckets as 0 (counts), else as gaps (latencies);
    ``log_scale`` suits values spread over orders of magnitude. ``width`` is the share
    of a 24-column row the panel takes.
    """

    name: str
    title: str
    sql: str
    visual: Visual
    description: str = ""
    x: tuple[str, ...] = ()
    y: tuple[str, ...] = ()
    series: str = ""
    unit: str = ""
    links: dict[str, str] = field(default_factory=dict)
    zero_fill: bool = True
    log_scale: bool = False
    width: int = 24

    @property
    def parameters(self) -> dict[str, str]:
        """The bound parameters the query uses, name -> ClickHouse type."""
        return {m.group(1): m.group(2) for m in _PARAM_RE.finditer(self.sql)}


# -- reusable query fragments (constants) ---------------------------------------------
_PARTNERS = "(empty({partners:Array(String)}) OR has({partners:Array(String)}, partner_id))"
_MINUTES = "minute >= toStartOfMinute({since:DateTime64(3)}) AND minute < {until:DateTime64(3)}"
_BUCKET = "toStartOfInterval(minute, toIntervalSecond(greatest(60, {bucket:UInt32})))"
_STAGE_LIST = "[" + ", ".join(f"('{a}', '{b}')" for a, b in STAGES) + "]"
_STAGE_MILESTONES = "[" + ", ".join(f"'{m}'" for m in dict.fromkeys(sum(STAGES, ()))) + "]"

#: Journeys' stages: one row per journey and stage whose two milestones both occurred,
#: ended in the window and started at most 30 days before it. Milestones count for the
#: journey they belong to now: an orphan's (reported before the link that ties it to an
#: order) through journey_members by its identifier keys, a merged journey's through
#: journey_aliases.
_TRANSITIONS = f"""
WITH
  aliases AS (
    SELECT alias_id, argMax(journey_id, version) AS final_id
    FROM journey_aliases GROUP BY alias_id),
  landed AS (
    SELECT journey_id, milestone, min(first) AS first, groupUniqArrayArray(id_keys) AS keys
    FROM journey_milestones
    WHERE month >= toStartOfMonth({{since:DateTime64(3)}} - INTERVAL 30 DAY)
      AND milestone IN {_STAGE_MILESTONES}
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
    FROM reached GROUP BY journey),
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

#: Counts over event_minute rows. Per partner or node, journeys are the journey ids its
#: events landed with, orphans included (a carrier's reports land as orphans of their
#: tracking numbers until read through journey_members); over everything, orders only.
_EVENT_COUNTS = """
       uniqCombined64Merge(event_ids) AS events,
       uniqCombined64Merge(landed_ids) AS journeys,
       uniqCombined64MergeIf(event_ids, exception_reason != '') AS exceptions,
       round(100 * exceptions / greatest(events, 1), 2) AS exception_rate_pct,
       uniqCombined64MergeIf(event_ids, quality_flag != '') AS quality_problems"""

_ORDER_COUNTS = _EVENT_COUNTS.replace("(landed_ids)", "(journey_ids)")

_JOURNEY_ID = "replaceRegexpOne(trimBoth({id:String}), '^#', '')"


def _panels(*panels: Panel) -> dict[str, Panel]:
    return {p.name: p for p in panels}


PANELS: dict[str, Panel] = _panels(
    # -- partner health ---------------------------------------------------------------
    Panel(
        name="overview",
        title="In this window",
        description="Events, journeys (orders), exceptions, data-quality problems and dead "
        "letters in the window.",
        visual="stat",
        y=(
            "events",
            "journeys",
            "exceptions",
            "exception_rate_pct",
            "quality_problems",
            "dead_letters",
        ),
        sql=f"""
SELECT {_ORDER_COUNTS},
       (SELECT uniqCombined64Merge(letter_ids) FROM dead_letter_minute
        WHERE {_MINUTES} AND {_PARTNERS}) AS dead_letters
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}""",
    ),
    Panel(
        name="partner_health",
        title="Partner health",
        description="Per partner and node in the window: events, journeys (as the events "
        "landed), exception rate, data-quality problems, dead letters; and how long since "
        "the partner last reported (whatever the window).",
        visual="table",
        links={"partner_id": "health?partner={partner_id}"},
        sql=f"""
WITH
  ev AS (
    SELECT partner_id, node_id, ownership, partner_type, {_EVENT_COUNTS}
    FROM event_minute
    WHERE {_MINUTES} AND {_PARTNERS}
    GROUP BY partner_id, node_id, ownership, partner_type),
  dl AS (
    SELECT partner_id, uniqCombined64Merge(letter_ids) AS dead_letters
    FROM dead_letter_minute
    WHERE {_MINUTES} AND {_PARTNERS}
    GROUP BY partner_id),
  seen AS (
    SELECT partner_id, max(last_ingested_at) AS seen_at
    FROM partner_last_seen
    WHERE {_PARTNERS}
    GROUP BY partner_id)
SELECT partner_id, node_id, ownership, partner_type, events, journeys, exceptions,
       exception_rate_pct, quality_problems, dead_letters,
       if(seen.partner_id = '', NULL, seen_at) AS last_report_at,
       if(seen.partner_id = '', NULL, dateDiff('second', seen_at, now64(3))) AS silent_for_s
FROM ev FULL OUTER JOIN dl USING partner_id
LEFT JOIN seen USING partner_id
ORDER BY partner_id, node_id""",
    ),
    Panel(
        name="volume_trend",
        title="Events per partner",
        description="Distinct events per partner over time (when they occurred).",
        visual="timeseries",
        x=("time",),
        y=("events",),
        series="partner_id",
        width=12,
        sql=f"""
SELECT {_BUCKET} AS time, partner_id, uniqCombined64Merge(event_ids) AS events
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY time, partner_id
ORDER BY time, partner_id""",
    ),
    Panel(
        name="exception_rate_trend",
        title="Exception rate per partner",
        description="Share of a partner's events that report an exception, over time.",
        visual="timeseries",
        x=("time",),
        y=("exception_rate_pct",),
        series="partner_id",
        unit="%",
        width=12,
        sql=f"""
SELECT {_BUCKET} AS time, partner_id,
       round(100 * uniqCombined64MergeIf(event_ids, exception_reason != '')
             / greatest(uniqCombined64Merge(event_ids), 1), 2) AS exception_rate_pct
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY time, partner_id
ORDER BY time, partner_id""",
    ),
    Panel(
        name="quality_flags",
        title="Data-quality problems",
        description="Events flagged by the data-quality checks (future or very late "
        "timestamps, missing time zones, error declarations), per partner, node and flag.",
        visual="table",
        width=12,
        sql=f"""
SELECT partner_id, node_id, quality_flag, uniqCombined64Merge(event_ids) AS events,
       max(last_ingested_at) AS last_at
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS} AND quality_flag != ''
GROUP BY partner_id, node_id, quality_flag
ORDER BY events DESC, partner_id, quality_flag""",
    ),
    Panel(
        name="dead_letter_trend",
        title="Dead letters per partner",
        description="Payloads that could not become events, per partner, over time.",
        visual="timeseries",
        x=("time",),
        y=("letters",),
        series="partner_id",
        width=12,
        sql=f"""
SELECT {_BUCKET} AS time, partner_id, uniqCombined64Merge(letter_ids) AS letters
FROM dead_letter_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY time, partner_id
ORDER BY time, partner_id""",
    ),
    # -- latency ----------------------------------------------------------------------
    Panel(
        name="stage_latency_trend",
        title="Stage latency p90",
        description="90th percentile of each stage's duration over time, by when the stage ended.",
        visual="timeseries",
        x=("time",),
        y=("p90_s",),
        series="stage",
        unit="s",
        zero_fill=False,
        log_scale=True,
        sql=f"""{_TRANSITIONS}
SELECT toStartOfInterval(ended_at, toIntervalSecond(greatest(60, {{bucket:UInt32}}))) AS time,
       stage, round(quantile(0.9)(seconds)) AS p90_s
FROM stages
GROUP BY time, stage_no, stage
ORDER BY time, stage_no""",
    ),
    Panel(
        name="stage_latency",
        title="Stage and handoff latency per partner and node",
        description="Percentiles of each stage's duration, attributed to the partner and "
        "node that reported its end; a handoff is a stage whose two ends different partners "
        "reported.",
        visual="table",
        unit="s",
        sql=f"""{_TRANSITIONS}
SELECT stage, from_partner, partner_id, node_id, ownership, handoff,
       count() AS transitions,
       round(quantile(0.5)(seconds)) AS p50_s,
       round(quantile(0.9)(seconds)) AS p90_s,
       round(quantile(0.99)(seconds)) AS p99_s
FROM stages
GROUP BY stage_no, stage, from_partner, partner_id, node_id, ownership, handoff
ORDER BY stage_no, partner_id, node_id, from_partner""",
    ),
    # -- exceptions -------------------------------------------------------------------
    Panel(
        name="exceptions_by_responsible",
        title="Exceptions by responsible party",
        description="Exception events per responsible party and partner.",
        visual="bar",
        x=("exception_responsible",),
        y=("events",),
        series="partner_id",
        width=12,
        sql=f"""
SELECT exception_responsible, partner_id, uniqCombined64Merge(event_ids) AS events
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS} AND exception_reason != ''
GROUP BY exception_responsible, partner_id
ORDER BY exception_responsible, partner_id""",
    ),
    Panel(
        name="exception_trend",
        title="Exceptions over time by responsible party",
        description="Exception events per responsible party over time.",
        visual="timeseries",
        x=("time",),
        y=("events",),
        series="exception_responsible",
        width=12,
        sql=f"""
SELECT {_BUCKET} AS time, exception_responsible, uniqCombined64Merge(event_ids) AS events
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS} AND exception_reason != ''
GROUP BY time, exception_responsible
ORDER BY time, exception_responsible""",
    ),
    Panel(
        name="exceptions_by_reason",
        title="Exceptions by reason",
        description="Exception events and journeys per reason, responsible party and "
        "partner; follow a reason to its journeys.",
        visual="table",
        links={
            "exception_reason": "exceptions?reason={exception_reason}"
            "&responsible={exception_responsible}&partner={partner_id}"
        },
        sql=f"""
SELECT exception_reason, exception_responsible, partner_id, node_id,
       uniqCombined64Merge(event_ids) AS events, uniqCombined64Merge(journey_ids) AS journeys,
       max(last_occurred_at) AS last_at
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS} AND exception_reason != ''
GROUP BY exception_reason, exception_responsible, partner_id, node_id
ORDER BY events DESC, exception_reason, partner_id
LIMIT 200""",
    ),
    Panel(
        name="exception_journeys",
        title="Journeys with exceptions",
        description="The latest exception events (filtered by reason and responsible party "
        "when given), each with its journey.",
        visual="table",
        links={"journey_id": "journey?id={journey_id}"},
        sql=f"""
SELECT occurred_at, partner_id, node_id, milestone, exception_reason,
       exception_responsible, description, journey_id,
       arrayStringConcat(identifier_values, ' ') AS identifiers
FROM exception_events
WHERE at >= {{since:DateTime64(3)}} AND at < {{until:DateTime64(3)}}
  AND ({{reason:String}} = '' OR exception_reason = {{reason:String}})
  AND ({{responsible:String}} = '' OR exception_responsible = {{responsible:String}})
  AND {_PARTNERS}
ORDER BY at DESC, event_id
LIMIT 1 BY event_id
LIMIT 200""",
    ),
    # -- owned vs partner -------------------------------------------------------------
    Panel(
        name="ownership_summary",
        title="Owned vs partner nodes",
        description="The same metrics for owned nodes and partner nodes.",
        visual="table",
        sql=f"""
SELECT ownership, uniqExact(node_id) AS nodes, uniqExact(partner_id) AS partners,
       {_ORDER_COUNTS}
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY ownership
ORDER BY ownership""",
    ),
    Panel(
        name="ownership_latency",
        title="Stage latency p90, owned vs partner",
        description="90th percentile of each stage's duration, by the ownership of the node "
        "that ended it.",
        visual="bar",
        x=("stage",),
        y=("p90_s",),
        series="ownership",
        unit="s",
        width=12,
        sql=f"""{_TRANSITIONS}
SELECT stage, ownership, count() AS transitions,
       round(quantile(0.5)(seconds)) AS p50_s,
       round(quantile(0.9)(seconds)) AS p90_s,
       round(quantile(0.99)(seconds)) AS p99_s
FROM stages
GROUP BY stage_no, stage, ownership
ORDER BY stage_no, ownership""",
    ),
    Panel(
        name="ownership_exception_trend",
        title="Exception rate, owned vs partner",
        description="Share of events reporting an exception, by node ownership, over time.",
        visual="timeseries",
        x=("time",),
        y=("exception_rate_pct",),
        series="ownership",
        unit="%",
        width=12,
        sql=f"""
SELECT {_BUCKET} AS time, ownership,
       round(100 * uniqCombined64MergeIf(event_ids, exception_reason != '')
             / greatest(uniqCombined64Merge(event_ids), 1), 2) AS exception_rate_pct
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY time, ownership
ORDER BY time, ownership""",
    ),
    Panel(
        name="node_comparison",
        title="Per node",
        description="Each node's events, journeys, exception rate and data-quality problems, "
        "with its ownership.",
        visual="table",
        sql=f"""
SELECT node_id, ownership, partner_type, {_EVENT_COUNTS}
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY node_id, ownership, partner_type
ORDER BY ownership, partner_type, node_id""",
    ),
    Panel(
        name="milestones_by_ownership",
        title="Events per milestone, owned vs partner nodes",
        description="Where journeys are reported from, by node ownership.",
        visual="bar",
        x=("milestone",),
        y=("events",),
        series="ownership",
        sql=f"""
SELECT milestone, ownership, uniqCombined64Merge(event_ids) AS events
FROM event_minute
WHERE {_MINUTES} AND {_PARTNERS}
GROUP BY milestone, ownership
ORDER BY milestone, ownership""",
    ),
    # -- dead letters -----------------------------------------------------------------
    Panel(
        name="dead_letters",
        title="Dead letters by partner and reason",
        description="Payloads that did not become events, with the reason.",
        visual="table",
        sql=f"""
SELECT partner_id, source_topic, error_kind, reason, uniqExact(dead_letter_id) AS letters,
       max(failed_at) AS last_at
FROM dead_letters
WHERE failed_at >= {{since:DateTime64(3)}} AND failed_at < {{until:DateTime64(3)}}
  AND {_PARTNERS}
GROUP BY partner_id, source_topic, error_kind, reason
ORDER BY letters DESC, partner_id, reason
LIMIT 200""",
    ),
    Panel(
        name="dead_letter_samples",
        title="Latest dead letters",
        description="The latest payloads that did not become events: where they came from, "
        "why, and how they start.",
        visual="table",
        sql=f"""
SELECT failed_at, partner_id, source_topic, source_partition, source_offset, error_kind,
       reason, toValidUTF8(substring(raw, 1, 120)) AS raw_start
FROM dead_letters
WHERE failed_at >= {{since:DateTime64(3)}} AND failed_at < {{until:DateTime64(3)}}
  AND {_PARTNERS}
ORDER BY failed_at DESC, dead_letter_id
LIMIT 1 BY dead_letter_id
LIMIT 50""",
    ),
    # -- journey ----------------------------------------------------------------------
    Panel(
        name="journey_timeline",
        title="Journey timeline",
        description="Every event of the journeys an identifier belongs to (order number, "
        "marketplace order, fulfilment, SSCC, tracking number, or a journey id): merged "
        "journeys and events reported before their link included, in time order.",
        visual="table",
        sql=f"""
WITH
  seen AS (
    SELECT DISTINCT id_key, journey_id FROM identifiers
    WHERE id_value IN ({_JOURNEY_ID}, upper({_JOURNEY_ID}),
                       upper(replaceAll({_JOURNEY_ID}, ' ', '')))),
  candidates AS (
    SELECT journey_id FROM seen
    UNION DISTINCT
    SELECT journey_id FROM journey_members WHERE id_key IN (SELECT id_key FROM seen)
    UNION DISTINCT
    SELECT {_JOURNEY_ID} AS journey_id
    WHERE startsWith({_JOURNEY_ID}, 'jrn_') OR startsWith({_JOURNEY_ID}, 'orphan_')),
  aliases AS (
    SELECT alias_id, argMax(journey_id, version) AS final_id
    FROM journey_aliases GROUP BY alias_id),
  resolved AS (
    SELECT DISTINCT if(a.final_id = '', c.journey_id, a.final_id) AS final
    FROM candidates AS c LEFT JOIN aliases AS a ON a.alias_id = c.journey_id),
  finals AS (
    SELECT final FROM resolved
    WHERE NOT startsWith(final, 'orphan_')
       OR (SELECT countIf(NOT startsWith(final, 'orphan_')) FROM resolved) = 0),
  ids AS (
    SELECT final AS member FROM finals
    UNION DISTINCT
    SELECT alias_id AS member FROM aliases WHERE final_id IN (SELECT final FROM finals))
SELECT occurred_at, milestone, partner_id, partner_type, node_id, ownership, raw_status,
       exception_reason, exception_responsible, journey_id, event_id
FROM journey_events
WHERE journey_id IN (SELECT member FROM ids)
   OR event_id IN (
     SELECT event_id FROM identifiers WHERE id_key IN (
       SELECT id_key FROM journey_members WHERE journey_id IN (SELECT member FROM ids)))
ORDER BY occurred_at, event_id
LIMIT 1 BY event_id""",
    ),
)


# -- parameters -----------------------------------------------------------------------
#: Window lengths the web UI offers, in hours.
WINDOWS_H = (1, 6, 24, 72, 168, 720)
_BUCKETS_S = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def bucket_for(window: timedelta, points: int = 60) -> int:
    """A round bucket size giving about ``points`` points over the window."""
    want = window.total_seconds() / points
    return next((b for b in _BUCKETS_S if b >= want), _BUCKETS_S[-1])


def window_parameters(
    hours: float = 24.0,
    until: datetime | None = None,
    partner: str = "",
    reason: str = "",
    responsible: str = "",
    id: str = "",
) -> dict[str, Any]:
    """Values for every parameter: a window of ``hours`` ending at ``until`` (now)."""
    end = (until or datetime.now(UTC)).astimezone(UTC)
    span = timedelta(hours=hours)
    return {
        "since": end - span,
        "until": end,
        "bucket": bucket_for(span),
        "partners": [partner] if partner else [],
        "reason": reason,
        "responsible": responsible,
        "id": id,
    }


def run_panel(
    store: Store, name: str, parameters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows of a panel; ``KeyError`` naming the known panels for an unknown name.

    Parameters not given take ``window_parameters()``'s defaults (the last 24 hours, all
    partners); only the ones the query uses are sent, always bound.
    """
    try:
        panel = PANELS[name]
    except KeyError:
        raise KeyError(f"no panel {name!r}; known: {', '.join(sorted(PANELS))}") from None
    values = {**window_parameters(), **(parameters or {})}
    return store.rows(panel.sql, {k: values[k] for k in panel.parameters})
