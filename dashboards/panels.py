"""Dashboard panels as code: each a named ClickHouse query plus how to show it.

The same definitions serve the built-in web UI (``dashboards/web.py``, through the query
API) and the generated Grafana dashboards (``python -m dashboards.grafana``). Queries
take bound parameters only (``{name:Type}``, declared once in ``PARAMETERS``); user
input never becomes SQL text. The SQL below is assembled from module constants only.

Panels read the aggregate tables of migrations 0010-0013 (``event_minute``,
``partner_last_seen``, ``exception_events``, ``dead_letter_minute``) and the SLA engine's
stage facts (``journey_stages``, migration 0024: latency stages and SLA outcomes, filed
by when they ended or were decided), so they cost what their window holds, however many
events have landed.
"""

# ruff: noqa: S608 - the SQL here is assembled from this module's constants only; every
# value from outside is a bound {name:Type} parameter.
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from seamscope.network import Sla
from sinks.store import Store
from streams.sla import STAGES as STAGES

Visual = Literal["table", "timeseries", "bar", "stat"]


@dataclass(frozen=True)
class Parameter:
    """A bound query parameter: its ClickHouse type and what Grafana puts in its place.

    ``variable`` is the kind of Grafana dashboard variable that supplies it, when it is
    not one of the plugin's macros: ``textbox`` (typed by people, quoted by Grafana) or
    ``constant`` (written by the generator, hidden).
    """

    name: str
    type: str
    grafana: str
    description: str
    variable: str = ""
    label: str = ""


#: The SLA stages of the network config as a bound parameter (``sla_stages``): which
#: milestone starts each stage, which end it, and whether it is the delivery promise.
#: The worker's SLA engine decides every deadline (calendars, overrides, promised dates)
#: and every outcome; the SLA panels read its decisions from the ``journey_stages`` table
#: and only need to know which stages exist and which is the promise.
SLA_STAGES_TYPE = "Array(Tuple(String, String, Array(String), UInt8))"

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
        Parameter(
            "reason", "String", "${reason:sqlstring}", "exception reason; empty = any",
            "textbox", "Exception reason",
        ),
        Parameter(
            "responsible", "String", "${responsible:sqlstring}", "responsible party; empty = any",
            "textbox", "Responsible party",
        ),
        Parameter(
            "id", "String", "${id:sqlstring}", "any identifier of a journey", "textbox",
            "Identifier",
        ),
        Parameter("node", "String", "${node:sqlstring}", "node id; empty = any", "textbox", "Node"),
        Parameter(
            "stage", "String", "${stage:sqlstring}", "SLA stage id; empty = any", "textbox",
            "SLA stage",
        ),
        Parameter(
            "min_age_s", "UInt32", "toUInt32OrZero(${min_age_s:sqlstring})",
            "stuck at least this many seconds", "textbox", "Stuck for at least (seconds)",
        ),
        Parameter(
            "status", "String", "${status:sqlstring}",
            "alert status: open (or escalated), escalated, resolved; empty = any", "textbox",
            "Alert status",
        ),
        Parameter(
            "sla_stages", SLA_STAGES_TYPE,
            f"JSONExtract(${{sla_stages:sqlstring}}, '{SLA_STAGES_TYPE}')",
            "the network's SLA stages: (id, start milestone, end milestones, promise)",
            "constant", "SLA stages",
        ),
    )
}  # fmt: skip

_PARAM_RE = re.compile(r"\{(\w+):([^{}]+)\}")


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

#: Journeys' stages (the SLA engine's ``latency`` stage facts, ``journey_stages``): one
#: row per journey and stage whose two milestones both occurred, ended in the window and
#: started at most 30 days before it. The engine files them under the journey an event
#: belongs to once its orphans are claimed, and follows merged journeys (the older id's
#: facts withdrawn), so no aliases or memberships are read here.
_TRANSITIONS = f"""
WITH
  stages AS (
    SELECT journey_id AS journey, stage_no, stage, at AS ended_at, from_partner, partner_id,
           node_id, ownership, handoff, seconds
    FROM journey_stages FINAL
    WHERE kind = 'latency'
      AND at >= {{since:DateTime64(3)}} AND at < {{until:DateTime64(3)}}
      AND started_at >= {{since:DateTime64(3)}} - INTERVAL 30 DAY
      AND seconds >= 0 AND {_PARTNERS})
"""

_SLA_STAGES = "{sla_stages:" + SLA_STAGES_TYPE + "}"

#: SLA stages decided in the window, one row per journey and stage (the SLA engine's
#: ``sla`` stage facts, ``journey_stages``): ended in the window, or not ended and past a
#: deadline that fell in the window. The deadline is the SLA engine's (the ``sla_breach``
#: alert it raised when it passed); a stage is ``missed`` when it has such an alert and
#: did not end by that deadline, else met (a stage that ended late always has one: the
#: engine records a breach it learns of late, too). It counts for the partner and node
#: the breach names (who held the order), else for whoever reported the stage's end. Only
#: the stages of ``sla_stages`` count.
_SLA = f"""
WITH
  decided AS (
    SELECT journey_id AS journey, stage, ended, missed, promise, promised,
           at AS decided_at, partner_id, node_id, ownership
    FROM journey_stages FINAL
    WHERE kind = 'sla'
      AND at >= {{since:DateTime64(3)}} AND at < {{until:DateTime64(3)}}
      AND has(arrayMap(s -> s.1, {_SLA_STAGES}), stage) AND {_PARTNERS})
"""

_ATTAINMENT = """
       count() AS decided,
       countIf(missed = 0) AS met,
       countIf(missed = 1) AS missed_n,
       round(100 * met / decided, 2) AS attainment_pct"""


#: Each order's retailer order number (the smallest, for a journey that has several).
def _orders_of(journeys: str) -> str:
    """The ``orders`` CTE: each journey's retailer order number (the smallest), for the
    journeys of the subquery ``journeys`` only, read from journey_orders by its sort key
    (grouping every journey's members cost 1.5 s at a million journeys)."""
    return f"""
  orders AS (
    SELECT journey_id, min(order_number) AS order_number FROM journey_orders
    WHERE journey_id IN ({journeys}) GROUP BY journey_id)"""


#: Journeys stuck now: past their stage's deadline (open ``sla_breach``) or held by a
#: silent partner (``silent_hold``), as ``sinks.queries.find_stuck`` lists them, filtered
#: by the partner and node holding them, the SLA stage, and how long they have been stuck.
_STUCK = f"""
WITH
  holds AS (
    SELECT * FROM alerts FINAL
    WHERE kind IN ('sla_breach', 'silent_hold') AND status IN ('open', 'escalated')),
{_orders_of("SELECT journey_id FROM holds")},
  stuck AS (
    SELECT a.journey_id AS journey_id, o.order_number AS order_number, a.kind AS why,
           a.rule AS stage, a.partner_id AS partner_id, a.node_id AS node_id,
           a.since AS since, a.deadline AS deadline, a.last_milestone AS last_milestone,
           a.last_event_at AS last_event_at, a.last_partner_id AS last_partner,
           a.status AS status
    FROM holds AS a
    LEFT JOIN orders AS o ON o.journey_id = a.journey_id
    WHERE {_PARTNERS}
      AND ({{node:String}} = '' OR node_id = {{node:String}})
      AND ({{stage:String}} = '' OR stage = {{stage:String}})
      AND since <= now64(3) - toIntervalSecond({{min_age_s:UInt32}}))
"""

#: Alerts that were open at some time in the window, by partner and status.
_ALERTS = f"""
  alerts_in_window AS (
    SELECT * FROM alerts FINAL
    WHERE opened_at < {{until:DateTime64(3)}}
      AND (resolved_at IS NULL OR resolved_at >= {{since:DateTime64(3)}})
      AND {_PARTNERS}
      AND ({{status:String}} = '' OR status = {{status:String}}
           OR ({{status:String}} = 'open' AND status = 'escalated')))"""

#: Columns computed from the current time (ages): they change from one query to the next.
NOW_COLUMNS = frozenset({"silent_for_s", "stuck_for_s", "overdue_for_s"})

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
    Panel(
        name="sla_attainment",
        title="SLA attainment per partner and node",
        description="SLA stages decided in the window (ended, or past their deadline "
        "unfinished), per stage and the partner and node that held the order: how many met "
        "their deadline. Deadlines are the SLA engine's (node calendars, overrides, promised "
        "dates); a stage is missed when its breach alert fired and it had not ended by then.",
        visual="table",
        links={"partner_id": "stuck?partner={partner_id}&stage={stage}"},
        sql=f"""{_SLA}
SELECT stage, partner_id, node_id, ownership, {_ATTAINMENT},
       countIf(missed = 1 AND ended = 0) AS still_open
FROM decided
GROUP BY stage, partner_id, node_id, ownership
ORDER BY stage, partner_id, node_id""",
    ),
    Panel(
        name="sla_attainment_trend",
        title="SLA attainment per partner",
        description="Share of a partner's SLA stages that met their deadline, by when they "
        "were decided.",
        visual="timeseries",
        x=("time",),
        y=("attainment_pct",),
        series="partner_id",
        unit="%",
        zero_fill=False,
        sql=f"""{_SLA}
SELECT toStartOfInterval(decided_at, toIntervalSecond(greatest(60, {{bucket:UInt32}}))) AS time,
       partner_id, round(100 * countIf(missed = 0) / count(), 2) AS attainment_pct
FROM decided
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
    Panel(
        name="promise_on_time",
        title="On time against the promise",
        description="Orders whose delivery promise fell due or that were delivered in the "
        "window, per carrier and node: delivered by the promise or not. The promise is the "
        "marketplace's promised date when it gave one (with_promise_date), else the SLA "
        "config's default for the promise stage.",
        visual="table",
        sql=f"""{_SLA}
SELECT partner_id, node_id, ownership, count() AS due, countIf(missed = 0) AS on_time,
       countIf(missed = 1) AS late, round(100 * on_time / due, 2) AS on_time_pct,
       countIf(promised = 1) AS with_promise_date
FROM decided
WHERE promise
GROUP BY partner_id, node_id, ownership
ORDER BY partner_id, node_id""",
    ),
    Panel(
        name="promise_on_time_trend",
        title="On-time rate against the promise",
        description="Share of orders delivered by their promise, per carrier, by when the "
        "promise was decided (delivered, or due and not delivered).",
        visual="timeseries",
        x=("time",),
        y=("on_time_pct",),
        series="partner_id",
        unit="%",
        zero_fill=False,
        width=24,
        sql=f"""{_SLA}
SELECT toStartOfInterval(decided_at, toIntervalSecond(greatest(60, {{bucket:UInt32}}))) AS time,
       partner_id, round(100 * countIf(missed = 0) / count(), 2) AS on_time_pct
FROM decided
WHERE promise
GROUP BY time, partner_id
ORDER BY time, partner_id""",
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
    # -- stuck orders and alerts --------------------------------------------------------
    Panel(
        name="stuck_by_stage",
        title="Stuck journeys per stage and holder",
        description="Journeys stuck now, per SLA stage (or silence) and the partner holding "
        "them; a journey stuck in several stages counts for the one it is stuck in longest.",
        visual="bar",
        x=("stage",),
        y=("journeys",),
        series="partner_id",
        sql=f"""{_STUCK}
SELECT stage, partner_id, count() AS journeys
FROM (SELECT journey_id, stage, partner_id FROM stuck
      ORDER BY since, journey_id, stage LIMIT 1 BY journey_id)
GROUP BY stage, partner_id
ORDER BY stage, partner_id""",
    ),
    Panel(
        name="stuck_journeys",
        title="Stuck journeys",
        description="Journeys past their stage's deadline or held by a silent partner, oldest "
        "first: since when, the deadline they missed, and the last thing heard. Follow one "
        "to its journey.",
        visual="table",
        links={
            "journey_id": "journey?id={journey_id}",
            "order_number": "journey?id={order_number}",
        },
        sql=f"""{_STUCK}
SELECT journey_id, order_number, why, stage, partner_id AS held_by, node_id AS node, since,
       deadline, dateDiff('second', since, now64(3)) AS stuck_for_s,
       dateDiff('second', deadline, now64(3)) AS overdue_for_s, last_milestone, last_event_at,
       last_partner, status
FROM stuck
ORDER BY since, journey_id, stage
LIMIT 1 BY journey_id
LIMIT 1000""",
    ),
    Panel(
        name="alerts_overview",
        title="Alerts",
        description="Open alerts now (escalated ones included), open incidents and silent "
        "partners; breaches opened and alerts resolved in the window.",
        visual="stat",
        y=(
            "open_alerts",
            "escalated",
            "open_incidents",
            "silent_partners",
            "breaches_opened",
            "resolved",
        ),
        sql=f"""
SELECT countIf(status IN ('open', 'escalated')) AS open_alerts,
       countIf(status = 'escalated') AS escalated,
       countIf(kind = 'incident' AND status != 'resolved') AS open_incidents,
       countIf(kind = 'partner_silent' AND status != 'resolved') AS silent_partners,
       countIf(kind = 'sla_breach' AND opened_at >= {{since:DateTime64(3)}}
               AND opened_at < {{until:DateTime64(3)}}) AS breaches_opened,
       countIf(status = 'resolved' AND resolved_at >= {{since:DateTime64(3)}}
               AND resolved_at < {{until:DateTime64(3)}}) AS resolved
FROM alerts FINAL
WHERE {_PARTNERS}""",
    ),
    Panel(
        name="alerts_trend",
        title="Alerts opened",
        description="Alerts opened over time, per kind: SLA breaches, holds by silent "
        "partners, silent partners and incidents.",
        visual="timeseries",
        x=("time",),
        y=("alerts",),
        series="kind",
        sql=f"""
SELECT toStartOfInterval(opened_at, toIntervalSecond(greatest(60, {{bucket:UInt32}}))) AS time,
       kind, count() AS alerts
FROM alerts FINAL
WHERE opened_at >= {{since:DateTime64(3)}} AND opened_at < {{until:DateTime64(3)}}
  AND {_PARTNERS}
GROUP BY time, kind
ORDER BY time, kind""",
    ),
    Panel(
        name="alerts_list",
        title="Alerts and incidents",
        description="Alerts open at any time in the window: incidents and silent partners "
        "first, then breaches and holds, open before resolved, latest first. One incident "
        "stands for many breaches of one partner, node and stage.",
        visual="table",
        links={"journey_id": "journey?id={journey_id}", "partner_id": "stuck?partner={partner_id}"},
        sql=f"""
WITH{_ALERTS},{_orders_of("SELECT journey_id FROM alerts_in_window")}
SELECT a.status AS status, a.kind AS kind, a.rule AS rule, a.partner_id AS partner_id,
       a.node_id AS node_id, a.journey_id AS journey_id, o.order_number AS order_number,
       a.journeys AS journeys, a.since AS since, a.deadline AS deadline,
       a.opened_at AS opened_at, a.resolved_at AS resolved_at, a.incident_id AS incident_id,
       a.paged AS paged
FROM alerts_in_window AS a LEFT JOIN orders AS o ON o.journey_id = a.journey_id
ORDER BY a.kind IN ('sla_breach', 'silent_hold'), a.status = 'resolved', a.updated_at DESC,
         a.alert_id
LIMIT 500""",
    ),
    # -- journey ----------------------------------------------------------------------
    Panel(
        name="journey_timeline",
        title="Journey timeline",
        description="Every event of the journeys an identifier belongs to (order number, "
        "marketplace order, fulfilment, SSCC, tracking number, or a journey id): merged "
        "journeys and events reported before their link included, in time order.",
        visual="table",
        # Each step is a scalar subquery (run once, its result a constant) and reads its
        # table by the sort key through ``IN (SELECT arrayJoin(...))``, as
        # ``sinks.queries.find_journeys`` does step by step: as CTEs, each step ran again
        # for every later step that used it (5 s at 10M events, 0.2-0.7 s this way).
        sql=f"""
WITH
  {_JOURNEY_ID} AS wanted,
  (SELECT groupUniqArray((id_key, journey_id)) FROM identifiers
   WHERE id_value IN (wanted, upper(wanted), upper(replaceAll(wanted, ' ', '')))) AS seen,
  arrayDistinct(arrayConcat(
    seen.2,
    (SELECT groupUniqArray(journey_id) FROM identifier_journeys
     WHERE id_key IN (SELECT arrayJoin(seen.1))),
    if(startsWith(wanted, 'jrn_') OR startsWith(wanted, 'orphan_'), [wanted], []))) AS candidates,
  (SELECT groupArray((alias_id, final_id)) FROM (
     SELECT alias_id, argMax(journey_id, version) AS final_id FROM journey_aliases
     WHERE alias_id IN (SELECT arrayJoin(candidates)) GROUP BY alias_id)) AS moved,
  arrayDistinct(arrayMap(c -> if(has(moved.1, c), moved.2[indexOf(moved.1, c)], c),
                         candidates)) AS resolved,
  if(arrayExists(f -> NOT startsWith(f, 'orphan_'), resolved),
     arrayFilter(f -> NOT startsWith(f, 'orphan_'), resolved), resolved) AS finals,
  arrayDistinct(arrayConcat(finals, (
    SELECT groupArray(alias_id) FROM (
      SELECT alias_id, argMax(journey_id, version) AS final_id FROM journey_aliases
      WHERE alias_id IN (SELECT alias_id FROM journey_aliases
                         WHERE journey_id IN (SELECT arrayJoin(finals)))
      GROUP BY alias_id)
    WHERE has(finals, final_id)))) AS ids,
  (SELECT groupUniqArray(id_key) FROM journey_members
   WHERE journey_id IN (SELECT arrayJoin(ids))) AS member_keys,
  (SELECT groupUniqArray(journey_id) FROM identifier_landings
   WHERE id_key IN (SELECT arrayJoin(member_keys)) AND NOT has(ids, journey_id)) AS elsewhere
SELECT occurred_at, milestone, partner_id, partner_type, node_id, ownership, raw_status,
       exception_reason, exception_responsible, journey_id, event_id
FROM journey_timeline
WHERE journey_id IN (SELECT arrayJoin(ids))
   OR (journey_id IN (SELECT arrayJoin(elsewhere)) AND hasAny(identifier_keys, member_keys))
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
    node: str = "",
    stage: str = "",
    min_age_s: int = 0,
    status: str = "",
    sla: Sla | None = None,
) -> dict[str, Any]:
    """Values for every parameter: a window of ``hours`` ending at ``until`` (now), and
    the SLA stages of ``sla`` (none: the SLA panels are empty)."""
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
        "node": node,
        "stage": stage,
        "min_age_s": min_age_s,
        "status": status,
        "sla_stages": sla_stages(sla),
    }


def sla_stages(sla: Sla | None) -> list[tuple[str, str, list[str], int]]:
    """The ``sla_stages`` parameter's value for a network's SLA config."""
    if sla is None:
        return []
    return [
        (st.id, st.start.value, [m.value for m in st.end], int(st.promise)) for st in sla.stages
    ]


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
