"""B5: query latency with millions of events landed: journey lookup by each identifier
type, the stuck-order list, alerts, orphans and every dashboard panel.

    python -m bench.queries --events 10000000 --journeys 1000000
    python -m bench.queries --events 1000000 --journeys 100000 --repeats 10   # quick

A fresh chDB store gets the real schema (``sinks.migrate``), then synthetic history is
generated inside ClickHouse (``INSERT ... SELECT`` from a per-journey plan) into the
tables the sink writes: journey_events, identifiers, journey_members, journey_aliases,
alerts, dead_letters and journey_stages (the SLA engine's stage facts, derived from the same
plan and breach alerts as the worker would derive them). The materialized views fill the
dashboard aggregates exactly as they do when the sink inserts. The history is 14 days of
orders on the network of ``seamscope.yaml``: each journey is placed on a marketplace,
picked, packed and handed off by a warehouse (owned or 3PL), labelled, and carried to
delivery by a carrier, with the
identifiers each partner reports (order number, marketplace order, fulfilment order,
fulfilment, shipment, package, SSCC, tracking number). Recent journeys are still in
flight, some are cancelled, some are stuck past an SLA deadline (open breach alerts),
some had a late carrier pickup (resolved breaches), some report exceptions or carry
data-quality flags, carrier scans of some land as orphans before their link (a few are
never linked), and about one payload in 200 is a dead letter. Journeys get ~10 events;
completed ones get extra carrier scans so the event count is exactly as asked.

Each query runs the way its caller runs it (``sinks.queries`` functions, panels through
``dashboards.panels.run_panel`` with the web UI's default filters): once to warm up,
then ``--repeats`` times; lookups use a different existing identifier each time.
Results: bench/results/queries-<events>.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"

#: p95 targets of issue #6, milliseconds.
TARGET_LOOKUP_MS = 100.0
TARGET_STUCK_MS = 500.0
TARGET_PANEL_MS = 1000.0

DAYS = 14
#: A query whose warm-up takes longer than this many seconds is timed 3 times, or once.
SLOW_S = 5.0
VERY_SLOW_S = 30.0
CHUNK_JOURNEYS = 100_000

#: A journey's path: milestone, who reports it, hours after the previous step (low, high).
PATH: tuple[tuple[str, str, float, float], ...] = (
    ("order_placed", "marketplace", 0.0, 0.0),
    ("order_confirmed", "marketplace", 0.01, 0.2),
    ("picked", "warehouse", 0.3, 6.0),
    ("packed", "warehouse", 0.1, 0.5),
    ("label_created", "marketplace", 0.05, 0.2),
    ("handed_off", "warehouse", 0.5, 4.0),
    ("picked_up", "carrier", 0.2, 2.0),
    ("in_transit", "carrier", 2.0, 10.0),
    ("out_for_delivery", "carrier", 10.0, 40.0),
    ("delivered", "carrier", 1.0, 6.0),
)
#: Where a stuck journey stops (events it has), the SLA stage it breaches, the milestone
#: that started the stage, the step of that milestone, its limit in hours, and who holds it.
STUCK: tuple[tuple[int, str, str, int, float, str], ...] = (
    (2, "pick_pack", "order_placed", 0, 24.0, "warehouse"),
    (4, "ship", "packed", 3, 8.0, "warehouse"),
    (6, "carrier_pickup", "handed_off", 5, 6.0, "carrier"),
    (8, "delivery", "handed_off", 5, 120.0, "carrier"),
)
#: Exceptions a carrier reports in place of an in-transit scan: milestone, reason, party.
EXCEPTIONS: tuple[tuple[str, str, str], ...] = (
    ("delayed", "carrier_delay", "carrier"),
    ("delayed", "weather_delay", "force_majeure"),
    ("exception", "carrier_damaged_parcel", "carrier"),
    ("exception", "consignee_incorrect_address", "consignee"),
    ("on_hold", "customs_documentation", "customs"),
    ("delivery_failed", "consignee_not_home", "consignee"),
    ("exception", "carrier_parcel_lost", "carrier"),
)
DEAD_LETTER_REASONS: tuple[tuple[str, str], ...] = (
    ("payload is not JSON: Expecting value: line 1 column 1 (char 0)", "invalid_payload"),
    ("the payload does not match the partner's format: shipment.0.package: Field required",
     "invalid_payload"),
    ("unknown event type 'ORDER_UPDATED'", "invalid_payload"),
    ("timestamp '2024-13-45T25:00:00' is not a valid time", "invalid_payload"),
    ("adapter error: KeyError: 'trackingNumber'", "adapter_error"),
    ("no partner is configured for this topic", "unknown_topic"),
)  # fmt: skip
#: Share of orders, packages and dead letters per partner (others: 1).
WEIGHTS = {
    "shopify": 4, "amazon": 3, "walmart": 2, "dc-east-wms": 4, "tpl-west": 2, "shiphero": 2,
    "ups": 5, "fedex": 4, "usps": 4,
}  # fmt: skip
CITIES = ("Newark, NJ", "Louisville, KY", "Memphis, TN", "Chicago, IL", "Reno, NV",
          "Ontario, CA", "Dallas, TX", "Atlanta, GA", "Columbus, OH", "Phoenix, AZ")  # fmt: skip


def log(msg: str) -> None:
    print(f"[b5 {datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# -- generation -----------------------------------------------------------------------
def _u(*parts: str) -> str:
    """A uniform number in [0, 1) from a hash of the parts (SQL)."""
    return f"(cityHash64({', '.join(parts)}) % 1000000) / 1000000"


def _id_key(types: str, issuers: str, values: str) -> str:
    """identifier_key() over arrays (SQL): global types drop the issuer, ignore case and spaces."""
    return (
        f"arrayMap((t, i, v) -> if(t IN ('order', 'sscc', 'tracking_number'), "
        f"concat(t, '::', upper(replaceAll(v, ' ', ''))), concat(t, ':', i, ':', v)), "
        f"{types}, {issuers}, {values})"
    )


def _journey_id(key: str) -> str:
    return f"concat('jrn_', substring(lower(hex(SHA256({key}))), 1, 24))"


#: One row per journey: its partners, identifiers, times and fate.
_PLAN = f"""
CREATE TABLE b5_plan ENGINE = MergeTree ORDER BY j AS
SELECT *, sum(complete) OVER (ORDER BY j ROWS UNBOUNDED PRECEDING) - 1 AS crank
FROM (
  SELECT
    number AS j,
    toString(100000 + number) AS order_no,
    {{mk_slots:Array(UInt8)}}[1 + cityHash64(number, 'mk') % length({{mk_slots:Array(UInt8)}})]
      AS mk,
    {{wh_slots:Array(UInt8)}}[1 + cityHash64(number, 'wh') % length({{wh_slots:Array(UInt8)}})]
      AS wh,
    {{cr_slots:Array(UInt8)}}[1 + cityHash64(number, 'cr') % length({{cr_slots:Array(UInt8)}})]
      AS cr,
    {{p_id:Array(String)}}[mk] AS mk_id,
    {{p_id:Array(String)}}[wh] AS wh_id,
    {{p_carrier:Array(String)}}[cr] AS cr_code,
    if(mk_id = 'amazon',
       format('{{}}-{{}}-{{}}', leftPad(toString(cityHash64(number, 'mo') % 1000), 3, '0'),
              leftPad(toString(cityHash64(number, 'mo2') % 10000000), 7, '0'),
              leftPad(toString(cityHash64(number, 'mo3') % 10000000), 7, '0')),
       toString(1000000000000 + cityHash64(number, 'mo') % 9000000000000)) AS mo,
    toString(100000000 + cityHash64(number, 'fo') % 900000000) AS fo,
    toString(1000000000 + cityHash64(number, 'fu') % 9000000000) AS ful,
    toString(10000000 + cityHash64(number, 'sh') % 90000000) AS shp,
    concat('D', substring(lower(hex(cityHash64(number, 'pk'))), 1, 8), '/1') AS pkg,
    concat('00614141', leftPad(toString(cityHash64(number, 'ss') % 1000000000), 9, '0'), '0')
      AS sscc,
    if(cr_code = 'ups', concat('1Z', leftPad(hex(cityHash64(number, 'tr')), 16, '0')),
       toString(100000000000 + cityHash64(number, 'tr') % 900000000000)) AS trk,
    if(cr_code = 'ups', concat('1Z', leftPad(hex(cityHash64(number, 't2')), 16, '0')),
       toString(100000000000 + cityHash64(number, 't2') % 900000000000)) AS trk2,
    {_journey_id("concat('order::', order_no)")} AS jid,
    {_journey_id("concat('marketplace_order:', mk_id, ':', mo)")} AS alias_jid,
    {_u("number", "'late'")} < 0.06 AS late_pickup,
    toDateTime64({{now:DateTime64(3)}}, 3)
      - toIntervalMillisecond(toUInt64({_u("number", "'at'")} * {DAYS} * 86400000)) AS placed_at,
    arrayCumSum(arrayMap(i -> toUInt32(3600 * if(i = 7 AND late_pickup,
        6.5 + 6 * {_u("number", "i")},
        {{lo:Array(Float64)}}[i] + ({{hi:Array(Float64)}}[i] - {{lo:Array(Float64)}}[i])
          * {_u("number", "i")})), range(1, {len(PATH) + 1}))) AS offsets,
    arrayCount(o -> placed_at + toIntervalSecond(o) <= {{now:DateTime64(3)}}, offsets) AS reached,
    {_u("number", "'fate'")} AS u_fate,
    multiIf(u_fate < 0.01, 'cancelled', u_fate < 0.035, 'stuck', 'normal') AS fate,
    {{stuck_at:Array(UInt8)}}[1 + cityHash64(number, 'stuck') % {len(STUCK)}] AS stuck_at,
    toUInt32(multiIf(fate = 'cancelled', 2, fate = 'stuck', least(stuck_at, reached), reached))
      AS stop,
    fate = 'normal' AND stop = {len(PATH)} AS complete,
    if({_u("number", "'exc'")} < 0.05,
       1 + cityHash64(number, 'exc') % {len(EXCEPTIONS)}, 0) AS exc,
    multiIf({_u("number", "'orphan'")} < 0.015, 1,
            {_u("number", "'orphan'")} < 0.017, 2, 0) AS orphan_kind,
    concat('orphan_', substring(lower(hex(SHA256(concat('tracking_number::',
           upper(if(orphan_kind = 2, trk2, trk)))))), 1, 21)) AS orphan_jid
  FROM numbers({{journeys:UInt64}})
)
"""

#: The canonical event as the sink stores it (``payload``), for ClickHouse's format().
_PAYLOAD = (
    '{{"schema_version":1,"event_id":"{}","journey_id":"{}","milestone":"{}",'
    '"raw_status":"{}","occurred_at":"{}Z","ingested_at":"{}Z","partner_id":"{}",'
    '"partner_type":"{}","node_id":"{}","ownership":"{}","identifiers":[{}],'
    '"location":"{}","source":{{"topic":"{}","partition":{},"offset":{},'
    '"partner_format":"{}"}}}}'
)

#: One row per event of the journeys [lo, hi), with the identifiers each partner reports.
_EVENTS = f"""
SELECT
  j, s, jid, orphan_jid, orphan_kind, mk_id, wh_id, cr_code,
  toInt32(if(extra = 0 OR s < 8, s, if(s < 8 + extra, -1, toInt32(s) - extra))) AS p,
  if(p = -1, 'carrier', {{kinds:Array(String)}}[p + 1]) AS kind,
  multiIf(kind = 'marketplace', mk, kind = 'warehouse', wh, cr) AS pi,
  multiIf(p = -1, 'in_transit', p = 1 AND fate = 'cancelled', 'order_cancelled',
          p = 7 AND exc > 0, {{exc_milestone:Array(String)}}[exc],
          {{milestones:Array(String)}}[p + 1])
    AS milestone,
  placed_at + toIntervalMillisecond(toInt64(1000 * if(p = -1,
      offsets[8] + (offsets[9] - offsets[8]) * (s - 7) / (extra + 1), offsets[p + 1])))
    AS occurred_at,
  least(occurred_at + toIntervalSecond(if(kind = 'carrier', 60 + cityHash64(j, s, 'ing') % 1800,
                                         1 + cityHash64(j, s, 'ing') % 60)),
        {{now:DateTime64(3)}}) AS ingested_at,
  occurred_at + toIntervalSecond(cityHash64(j, s, 'rep') % 30) AS reported_at,
  if(orphan_kind > 0 AND (p = -1 OR p >= 6), orphan_jid, jid) AS journey_id,
  concat('evt_', lower(hex(MD5(concat(toString(j), '/', toString(s)))))) AS event_id,
  {{p_id:Array(String)}}[pi] AS partner_id,
  {{p_type:Array(String)}}[pi] AS partner_type,
  {{p_node:Array(String)}}[pi] AS node_id,
  {{p_own:Array(String)}}[pi] AS ownership,
  {{p_format:Array(String)}}[pi] AS partner_format,
  if(orphan_kind = 2, trk2, trk) AS scanned,
  multiIf(p IN (0, 1), [order_no, mo], p IN (2, 3), [order_no, ful, sscc],
          p = 4, [order_no, fo, pkg, trk], p = 5, [order_no, ful, shp, sscc, trk], [scanned])
    AS id_values,
  multiIf(p IN (0, 1), ['order', 'marketplace_order'],
          p IN (2, 3), ['order', 'fulfillment', 'sscc'],
          p = 4, ['order', 'fulfillment_order', 'package', 'tracking_number'],
          p = 5, ['order', 'fulfillment', 'shipment', 'sscc', 'tracking_number'],
          ['tracking_number']) AS id_types,
  multiIf(p IN (0, 1), ['', mk_id], p IN (2, 3), ['', wh_id, ''],
          p = 4, ['', mk_id, mk_id, cr_code], p = 5, ['', wh_id, wh_id, '', cr_code], [cr_code])
    AS id_issuers,
  {_id_key("id_types", "id_issuers", "id_values")} AS id_keys,
  if(p = 7 AND exc > 0, {{exc_reason:Array(String)}}[exc], '') AS exception_reason,
  if(p = 7 AND exc > 0, {{exc_party:Array(String)}}[exc], '') AS exception_responsible,
  concat(upper(substring(milestone, 1, 1)), substring(replaceAll(milestone, '_', ' '), 2))
    AS description,
  if(kind = 'carrier', upper(substring(hex(cityHash64(milestone)), 1, 2)), upper(milestone))
    AS raw_status,
  if(kind = 'carrier', {{cities:Array(String)}}[1 + cityHash64(j, s, 'loc') % {len(CITIES)}], '')
    AS location,
  multiIf({_u("j", "s", "'q'")} < 0.01, ['timezone_assumed_utc'],
          {_u("j", "s", "'q'")} < 0.011, ['very_late'],
          {_u("j", "s", "'q'")} < 0.0115, ['future_timestamp'], []) AS quality_flags,
  concat('seamscope.raw.', partner_id) AS source_topic,
  toInt32(j % 4) AS source_partition,
  toInt64(j * 32 + s) AS source_offset,
  format('{_PAYLOAD}',
         event_id, journey_id, milestone, raw_status, toString(occurred_at),
         toString(ingested_at), partner_id, partner_type, node_id, ownership,
         arrayStringConcat(arrayMap((t, i, v) ->
           format('{{{{"type":"{{}}","value":"{{}}","issuer":"{{}}"}}}}', t, v, i),
           id_types, id_issuers, id_values), ','),
         location, source_topic, source_partition, source_offset, partner_format) AS payload
FROM (
  SELECT *, if(complete, {{extra_q:UInt32}} + (crank < {{extra_r:UInt64}}), 0) AS extra
  FROM b5_plan WHERE j >= {{lo:UInt64}} AND j < {{hi:UInt64}})
ARRAY JOIN range(toUInt32(stop + extra)) AS s
"""

_INSERT_EVENTS = f"""
INSERT INTO journey_events (event_id, journey_id, schema_version, milestone, raw_status,
  description, occurred_at, reported_at, ingested_at, partner_id, partner_type, node_id,
  ownership, identifier_keys, identifier_values, exception_reason, exception_responsible,
  location, quality_flags, source_topic, source_partition, source_offset, partner_format,
  payload)
SELECT event_id, journey_id, 1, milestone, raw_status, description, occurred_at, reported_at,
  ingested_at, partner_id, partner_type, node_id, ownership, id_keys, id_values,
  exception_reason, exception_responsible, location, quality_flags, source_topic,
  source_partition, source_offset, partner_format, payload
FROM ({_EVENTS})
"""

_INSERT_IDENTIFIERS = f"""
INSERT INTO identifiers (id_value, id_type, issuer, id_key, journey_id, event_id, partner_id,
  occurred_at, ingested_at)
SELECT id_value, id_type, issuer, id_key, journey_id, event_id, partner_id, occurred_at,
  ingested_at
FROM ({_EVENTS})
ARRAY JOIN id_values AS id_value, id_types AS id_type, id_issuers AS issuer, id_keys AS id_key
"""

#: Memberships as the stitcher derives them: the marketplace order id under the journey id
#: it first had (now an alias), everything else under the order's journey, each once the
#: step that reports it has happened.
_INSERT_MEMBERS = f"""
INSERT INTO journey_members (journey_id, id_key, id_value, id_type, updated_at)
SELECT m.1, {_id_key("[m.4]", "[m.3]", "[m.2]")}[1], m.2, m.4,
       placed_at + toIntervalSecond(offsets[m.5 + 1] + 5)
FROM b5_plan
ARRAY JOIN [
  (alias_jid, mo, mk_id, 'marketplace_order', 0),
  (jid, order_no, '', 'order', 0),
  (jid, ful, wh_id, 'fulfillment', 2),
  (jid, sscc, '', 'sscc', 2),
  (jid, fo, mk_id, 'fulfillment_order', 4),
  (jid, pkg, mk_id, 'package', 4),
  (jid, trk, cr_code, 'tracking_number', 4),
  (jid, shp, wh_id, 'shipment', 5)] AS m
WHERE m.5 < stop
"""

_INSERT_ALIASES = """
INSERT INTO journey_aliases (alias_id, journey_id, version, updated_at)
SELECT a.1, jid, toUInt64(toUnixTimestamp64Milli(placed_at)) * 1000 + a.2, placed_at
FROM b5_plan
ARRAY JOIN [(alias_jid, 1),
            (concat('jrn_', substring(lower(hex(SHA256(concat('merged:', order_no)))), 1, 24)),
             2)] AS a
WHERE a.2 = 1 OR cityHash64(j, 'merge') % 100 < 3
"""

_ALERT_COLUMNS = (
    "alert_id, kind, status, rule, partner_id, node_id, journey_id, stage_start, since, "
    "deadline, opened_at, updated_at, resolved_at, last_milestone, last_event_at, "
    "last_partner_id, incident_id, journeys, paged, version"
)


def _at(step: str) -> str:
    """When the journey reached path step ``step`` (SQL)."""
    return f"(placed_at + toIntervalSecond(offsets[({step}) + 1]))"


#: Open breaches of stuck journeys (the stage they stopped in, and the delivery promise
#: when it is past too), escalated after 4 hours; silent holds at a silent 3PL; resolved
#: breaches of late carrier pickups. One row per alert version, as the worker emits them.
_INSERT_ALERTS = f"""
INSERT INTO alerts ({_ALERT_COLUMNS})
WITH breaches AS (
  SELECT
    jid, stop,
    indexOf({{stuck_at:Array(UInt8)}}, stuck_at) AS si,
    arrayJoin([{{stuck_rule:Array(String)}}[si], 'promise']) AS rule,
    rule = 'promise' AS promise,
    if(promise, 'order_placed', {{stuck_start:Array(String)}}[si]) AS stage_start,
    if(promise, placed_at, {_at("{stuck_step:Array(UInt8)}[si]")}) AS since,
    since + toIntervalSecond(toUInt32(3600 * if(promise, 168, {{stuck_hours:Array(Float64)}}[si])))
      AS deadline,
    multiIf(promise AND stop >= 7, cr, promise, last_pi,
            {{stuck_holder:Array(String)}}[si] = 'carrier', cr, wh) AS holder,
    {{kinds:Array(String)}}[stop] AS last_kind,
    multiIf(last_kind = 'marketplace', mk, last_kind = 'warehouse', wh, cr) AS last_pi,
    {{milestones:Array(String)}}[stop] AS last_milestone,
    {_at("stop - 1")} AS last_event_at
  FROM b5_plan
  WHERE fate = 'stuck' AND stop = stuck_at)
SELECT
  concat('alr_', substring(lower(hex(SHA256(concat('sla', char(31), jid, char(31), rule)))),
         1, 24)),
  'sla_breach', v.1, rule, {{p_id:Array(String)}}[holder], {{p_node:Array(String)}}[holder],
  jid, stage_start, since, deadline, deadline + toIntervalSecond(3), v.2, NULL,
  last_milestone, last_event_at, {{p_id:Array(String)}}[last_pi], '', 0, v.1 = 'escalated',
  toUInt64(toUnixTimestamp64Milli(v.2)) * 1000
FROM breaches
ARRAY JOIN [('open', deadline + toIntervalSecond(3)),
            ('escalated', deadline + toIntervalHour(4))] AS v
WHERE deadline < {{now:DateTime64(3)}}
  AND (v.1 = 'open' OR deadline + toIntervalHour(4) < {{now:DateTime64(3)}})
UNION ALL
SELECT
  concat('alr_', substring(lower(hex(SHA256(concat('silent', char(31), 'shiphero', char(31),
         jid)))), 1, 24)),
  'silent_hold', 'open', 'silence', 'shiphero', {{p_node:Array(String)}}[wh], jid, '',
  {_at("stop - 1")}, NULL, {{now:DateTime64(3)}} - toIntervalHour(1),
  {{now:DateTime64(3)}} - toIntervalHour(1), NULL, {{milestones:Array(String)}}[stop],
  {_at("stop - 1")}, 'shiphero', 'alr_silent_shiphero', 0, false,
  toUInt64(toUnixTimestamp64Milli({{now:DateTime64(3)}})) * 1000 - 3600000000
FROM b5_plan
WHERE fate = 'stuck' AND stop = stuck_at AND stop <= 4 AND wh_id = 'shiphero'
UNION ALL
SELECT
  concat('alr_', substring(lower(hex(SHA256(concat('sla', char(31), jid, char(31),
         'carrier_pickup')))), 1, 24)),
  'sla_breach', v.1, 'carrier_pickup', {{p_id:Array(String)}}[cr], {{p_node:Array(String)}}[cr],
  jid, 'handed_off', {_at("5")}, {_at("5")} + toIntervalHour(6),
  {_at("5")} + toIntervalSecond(6 * 3600 + 3), v.2, if(v.1 = 'resolved', v.2, NULL),
  if(v.1 = 'resolved', 'picked_up', 'handed_off'), v.2 - toIntervalSecond(3),
  if(v.1 = 'resolved', {{p_id:Array(String)}}[cr], wh_id), '', 0, false,
  toUInt64(toUnixTimestamp64Milli(v.2)) * 1000
FROM b5_plan
ARRAY JOIN [('open', {_at("5")} + toIntervalSecond(6 * 3600 + 3)),
            ('escalated', {_at("5")} + toIntervalHour(10)),
            ('resolved', {_at("6")} + toIntervalSecond(3))] AS v
WHERE late_pickup AND stop > 6 AND v.2 <= {{now:DateTime64(3)}}
  AND (v.1 != 'escalated' OR {_at("6")} > {_at("5")} + toIntervalHour(10))
"""

_INSERT_SILENT_PARTNER = f"""
INSERT INTO alerts ({_ALERT_COLUMNS})
SELECT 'alr_silent_shiphero', 'partner_silent', 'open', 'silence', 'shiphero', 'tpl-reno', '',
  '', now - toIntervalHour(3), now - toIntervalHour(1), now - toIntervalHour(1),
  now - toIntervalHour(1), NULL, '', NULL, '', '', toUInt32(n), true,
  toUInt64(toUnixTimestamp64Milli(now)) * 1000
FROM (SELECT toDateTime64({{now:DateTime64(3)}}, 3) AS now,
             (SELECT count() FROM alerts WHERE kind = 'silent_hold') AS n)
"""

_STAGE_COLUMNS = (
    "journey_id, kind, stage, stage_no, at, started_at, from_partner, partner_id, node_id, "
    "ownership, handoff, seconds, ended, missed, promise, promised, deadline, version, deleted"
)


def _partner_at(step: str) -> str:
    """The partner slot that reports path step ``step`` (SQL)."""
    return (
        f"multiIf({{kinds:Array(String)}}[({step}) + 1] = 'marketplace', mk, "
        f"{{kinds:Array(String)}}[({step}) + 1] = 'warehouse', wh, cr)"
    )


#: Whether the journey reached path step ``step``: its carrier's scans that stay orphans
#: (never linked) never reach it.
def _reached(step: str) -> str:
    return f"(({step}) < stop AND NOT (orphan_kind = 2 AND ({step}) >= 6))"


#: The SLA engine's latency stage facts: one per journey and consecutive stage
#: (``streams.sla.STAGES``, as path steps: start, end, stage number) both of whose
#: milestones the journey reached.
_INSERT_LATENCY = f"""
INSERT INTO journey_stages ({_STAGE_COLUMNS})
SELECT jid, 'latency',
  concat({{milestones:Array(String)}}[st.1 + 1], ' → ', {{milestones:Array(String)}}[st.2 + 1]),
  st.3, {_at("st.2")}, {_at("st.1")}, {{p_id:Array(String)}}[{_partner_at("st.1")}],
  {{p_id:Array(String)}}[{_partner_at("st.2")}] AS partner_id,
  {{p_node:Array(String)}}[{_partner_at("st.2")}], {{p_own:Array(String)}}[{_partner_at("st.2")}],
  {_partner_at("st.1")} != {_partner_at("st.2")}, offsets[st.2 + 1] - offsets[st.1 + 1],
  0, 0, 0, 0, NULL, toUInt64(toUnixTimestamp64Milli({{now:DateTime64(3)}})) * 1000, 0
FROM b5_plan
ARRAY JOIN {{stage_steps:Array(Tuple(UInt8, UInt8, UInt8))}} AS st
WHERE {_reached("st.2")}
"""

#: The SLA engine's outcome facts: one per journey and SLA stage (id, number, start step,
#: end steps, promise) that started and either ended or breached (the breach alerts made
#: above): missed when breached and not ended by the breach's deadline; decided when it
#: ended, else at the deadline; for the breach's holder, else for who reported its end.
_INSERT_OUTCOMES = f"""
INSERT INTO journey_stages ({_STAGE_COLUMNS})
WITH breaches AS (
  SELECT journey_id, rule, argMax(deadline, version) AS b_deadline,
         argMax(partner_id, version) AS b_partner, argMax(node_id, version) AS b_node
  FROM alerts WHERE kind = 'sla_breach' GROUP BY journey_id, rule)
SELECT jid, 'sla', rule, stage_no,
  if(ended, finish, b.b_deadline) AS at_, started,
  {{p_id:Array(String)}}[{_partner_at("start_step")}],
  if(b.b_partner != '', b.b_partner, {{p_id:Array(String)}}[{_partner_at("fstep")}]) AS partner,
  if(b.b_partner != '', b.b_node, {{p_node:Array(String)}}[{_partner_at("fstep")}]) AS node,
  {{p_own:Array(String)}}[indexOf({{p_node:Array(String)}}, node)], 0,
  dateDiff('second', started, at_),
  ended, b.journey_id != '' AND (NOT ended OR finish > b.b_deadline), promise, 0,
  if(b.journey_id != '', b.b_deadline, NULL),
  toUInt64(toUnixTimestamp64Milli({{now:DateTime64(3)}})) * 1000, 0
FROM (
  SELECT jid, st.1 AS rule, st.2 AS stage_no, st.3 AS start_step, st.5 AS promise, mk, wh, cr,
         arrayFilter(e -> {_reached("e")}, st.4) AS ended_steps,
         notEmpty(ended_steps) AS ended, arrayMin(ended_steps) AS fstep,
         {_at("start_step")} AS started, {_at("fstep")} AS finish
  FROM b5_plan
  ARRAY JOIN {{sla_steps:Array(Tuple(String, UInt8, UInt8, Array(UInt8), UInt8))}} AS st
  WHERE {_reached("st.3")}) AS p
LEFT JOIN breaches AS b ON b.journey_id = p.jid AND b.rule = p.rule
WHERE ended OR b.journey_id != ''
"""

_INSERT_DEAD_LETTERS = f"""
INSERT INTO dead_letters (dead_letter_id, partner_id, partner_format, source_topic,
  source_partition, source_offset, reason, error_kind, raw, headers, failed_at)
SELECT
  concat('dlq_', substring(lower(hex(SHA256(concat('dl', toString(number))))), 1, 24)),
  {{p_id:Array(String)}}[pi], {{p_format:Array(String)}}[pi],
  concat('seamscope.raw.', {{p_id:Array(String)}}[pi]), toInt32(number % 4),
  toInt64(1000000000 + number), {{dl_reason:Array(String)}}[ri], {{dl_kind:Array(String)}}[ri],
  if(ri = 1, concat('<html><body>502 Bad Gateway ', toString(number), '</body></html>'),
     concat('{{"trackResponse":{{"shipment":[{{"inquiryNumber":"', toString(number),
            '","package":[]}}],"statusCode":"', toString(cityHash64(number) % 1000), '"}}}}')),
  map('content-type', 'application/json'),
  toDateTime64({{now:DateTime64(3)}}, 3)
    - toIntervalMillisecond(toUInt64({_u("number", "'dl'")} * {DAYS} * 86400000))
FROM (
  SELECT number,
    {{all_slots:Array(UInt8)}}[1 + cityHash64(number, 'p') % length({{all_slots:Array(UInt8)}})]
      AS pi,
    toUInt8(1 + cityHash64(number, 'r') % {len(DEAD_LETTER_REASONS)}) AS ri
  FROM numbers({{letters:UInt64}}))
"""


@dataclass
class Step:
    step: str
    rows: int
    seconds: float


class Generator:
    """Fills a migrated store with ``events`` events of ``journeys`` journeys."""

    def __init__(self, store: Any, events: int, journeys: int, now: datetime) -> None:
        from seamscope.network import load_network

        self.store = store
        self.events = events
        self.journeys = journeys
        self.now = now
        self.steps: list[Step] = []
        from streams.sla import STAGES

        network = load_network(ROOT / "seamscope.yaml")
        step = {m: i for i, (m, _, _, _) in enumerate(PATH)}
        nodes = network.nodes_by_id
        partners = list(network.partners)
        slots: dict[str, list[int]] = {"marketplace": [], "warehouse": [], "carrier": []}
        for i, p in enumerate(partners, start=1):
            slots[p.type.value].extend([i] * WEIGHTS.get(p.id, 1))
        self.params: dict[str, Any] = {
            "now": now,
            "journeys": journeys,
            "p_id": [p.id for p in partners],
            "p_type": [p.type.value for p in partners],
            "p_node": [p.node for p in partners],
            "p_own": [nodes[p.node].ownership.value for p in partners],
            "p_format": [p.format for p in partners],
            "p_carrier": [p.carrier or p.id for p in partners],
            "mk_slots": slots["marketplace"],
            "wh_slots": slots["warehouse"],
            "cr_slots": slots["carrier"],
            "all_slots": [i for s in slots.values() for i in s],
            "milestones": [m for m, _, _, _ in PATH],
            "kinds": [k for _, k, _, _ in PATH],
            "lo": [lo for _, _, lo, _ in PATH],
            "hi": [hi for _, _, _, hi in PATH],
            "stuck_at": [s[0] for s in STUCK],
            "stuck_rule": [s[1] for s in STUCK],
            "stuck_start": [s[2] for s in STUCK],
            "stuck_step": [s[3] for s in STUCK],
            "stuck_hours": [s[4] for s in STUCK],
            "stuck_holder": [s[5] for s in STUCK],
            "exc_milestone": [e[0] for e in EXCEPTIONS],
            "exc_reason": [e[1] for e in EXCEPTIONS],
            "exc_party": [e[2] for e in EXCEPTIONS],
            "cities": list(CITIES),
            "dl_reason": [r for r, _ in DEAD_LETTER_REASONS],
            "dl_kind": [k for _, k in DEAD_LETTER_REASONS],
            "letters": max(1, events // 200),
            "stage_steps": [(step[a], step[b], no) for no, (a, b) in enumerate(STAGES, 1)],
            "sla_steps": [
                (
                    st.id,
                    no,
                    step[st.start.value],
                    [step[m] for m in st.end if m in step],
                    int(st.promise),
                )
                for no, st in enumerate(network.sla.stages, 1)
                if st.start.value in step
            ],
        }

    def _run(self, name: str, sql: str, table: str, **extra: Any) -> None:
        before = self._count(table)
        values = {**self.params, **extra}
        used = {k: values[k] for k in re.findall(r"\{(\w+):", sql)}
        t0 = time.perf_counter()
        self.store.command(sql, used or None)
        seconds = time.perf_counter() - t0
        rows = self._count(table) - before
        self.steps.append(Step(name, rows, seconds))
        log(f"{name}: {rows:,} rows in {seconds:.1f} s")

    def _count(self, table: str) -> int:
        return int(
            self.store.rows(
                "SELECT sum(rows) AS n FROM system.parts WHERE database = currentDatabase() "
                "AND table = {t:String} AND active",
                {"t": table},
            )[0]["n"]
        )

    def generate(self) -> None:
        self.store.command("DROP TABLE IF EXISTS b5_plan")
        self._run("plan (one row per journey)", _PLAN, "b5_plan")
        row = self.store.rows(
            "SELECT sum(stop) AS base, countIf(complete) AS complete FROM b5_plan"
        )[0]
        base, complete = int(row["base"]), int(row["complete"])
        deficit = self.events - base
        if deficit < 0 or complete == 0:
            raise ValueError(
                f"{self.events} events are too few for {self.journeys} journeys: their paths "
                f"alone hold {base} (ask for at least {len(PATH)} events per journey)"
            )
        extra = {"extra_q": deficit // complete, "extra_r": deficit % complete}
        log(f"{base:,} path events, {deficit:,} extra carrier scans over {complete:,} journeys")
        for lo in range(0, self.journeys, CHUNK_JOURNEYS):
            hi = min(lo + CHUNK_JOURNEYS, self.journeys)
            chunk = {"lo": lo, "hi": hi, **extra}
            self._run(f"journey_events, journeys {lo:,}-{hi:,}", _INSERT_EVENTS, "journey_events",
                      **chunk)  # fmt: skip
            self._run(f"identifiers, journeys {lo:,}-{hi:,}", _INSERT_IDENTIFIERS, "identifiers",
                      **chunk)  # fmt: skip
        self._run("journey_members", _INSERT_MEMBERS, "journey_members")
        self._run("journey_aliases", _INSERT_ALIASES, "journey_aliases")
        self._run("alerts", _INSERT_ALERTS, "alerts")
        self._run("alerts (silent partner)", _INSERT_SILENT_PARTNER, "alerts")
        self._run("dead_letters", _INSERT_DEAD_LETTERS, "dead_letters")
        self._run("journey_stages (latency)", _INSERT_LATENCY, "journey_stages")
        self._run("journey_stages (SLA outcomes)", _INSERT_OUTCOMES, "journey_stages")

    def settle(self, limit_s: float = 600.0) -> float:
        """Wait for background merges to finish (as a store some time after its inserts)."""
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < limit_s:
            n = int(self.store.rows("SELECT count() AS n FROM system.merges")[0]["n"])
            if n == 0:
                break
            time.sleep(1.0)
        return time.perf_counter() - t0


def table_rows(store: Any) -> dict[str, dict[str, int]]:
    rows = store.rows(
        "SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes "
        "FROM system.parts WHERE database = currentDatabase() AND active "
        "GROUP BY table ORDER BY table"
    )
    return {
        str(r["table"]): {
            "rows": int(r["rows"]),
            "parts": int(r["parts"]),
            "bytes": int(r["bytes"]),
        }
        for r in rows
    }


# -- measurement ----------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class Query:
    name: str
    group: str
    target_ms: float | None
    call: Callable[[], int]  # runs the query once; returns how many rows it gave


def timed(q: Query, repeats: int) -> dict[str, Any]:
    """One warm-up, then ``repeats`` timed runs; fewer of a query slower than ``SLOW_S``
    (3) or ``VERY_SLOW_S`` (1): its percentiles are then those of these runs."""
    t0 = time.perf_counter()
    q.call()  # warm-up
    warm_up = time.perf_counter() - t0
    if warm_up > VERY_SLOW_S:
        repeats = 1
    elif warm_up > SLOW_S:
        repeats = min(repeats, 3)
    times, rows = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        rows.append(q.call())
        times.append((time.perf_counter() - t0) * 1000)
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    met = None if q.target_ms is None else p95 <= q.target_ms
    return {
        "query": q.name, "group": q.group, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
        "max_ms": round(max(times), 1), "target_ms": q.target_ms, "met": met,
        "runs": repeats, "rows_min": min(rows), "rows_max": max(rows),
    }  # fmt: skip


def samples(store: Any, per_type: int = 200) -> dict[str, list[str]]:
    """Existing identifiers of each type (and journey ids), chosen by hash."""
    n = int(store.rows("SELECT count() AS n FROM identifiers")[0]["n"])
    modulus = max(1, n // (per_type * 60))
    out: dict[str, list[str]] = {}
    for r in store.rows(
        f"SELECT id_type, groupUniqArray({int(per_type)})(id_value) AS vals FROM identifiers "
        "WHERE cityHash64(id_value) % {m:UInt64} = 0 GROUP BY id_type",
        {"m": modulus},
    ):
        out[str(r["id_type"])] = sorted(r["vals"])
    out["journey_id"] = sorted(
        r["journey_id"]
        for r in store.rows(
            "SELECT DISTINCT journey_id FROM journey_members "
            "WHERE cityHash64(journey_id) % {m:UInt64} = 0 LIMIT {k:UInt32}",
            {"k": per_type, "m": max(1, modulus // 4)},
        )
    )
    return out


def queries(store: Any, picks: dict[str, list[str]], rng: random.Random) -> list[Query]:
    """Every query measured, run as its caller runs it."""
    from dashboards.panels import PANELS, run_panel
    from dashboards.web import Filters, partner_options, recent_orders
    from seamscope.network import load_network
    from sinks.queries import find_alerts, find_journeys, find_orphans, find_stuck

    sla = load_network(ROOT / "seamscope.yaml").sla
    out: list[Query] = []

    def lookup(values: list[str]) -> Callable[[], int]:
        return lambda: len(find_journeys(store, rng.choice(values)))

    for id_type, values in sorted(picks.items()):
        out.append(Query(f"journey lookup by {id_type}", "lookup", TARGET_LOOKUP_MS,
                         lookup(values)))  # fmt: skip
    missing = [f"NOSUCH{rng.randrange(10**12)}" for _ in range(50)]
    out.append(Query("journey lookup, not found", "lookup", TARGET_LOOKUP_MS, lookup(missing)))
    busiest = store.rows(
        "SELECT partner_id, count() AS n FROM alerts FINAL WHERE status != 'resolved' "
        "AND kind = 'sla_breach' GROUP BY partner_id ORDER BY n DESC LIMIT 1"
    )
    partner = str(busiest[0]["partner_id"]) if busiest else "dc-east-wms"
    out += [
        Query("stuck list (defaults)", "stuck", TARGET_STUCK_MS, lambda: len(find_stuck(store))),
        Query(f"stuck list --partner {partner}", "stuck", TARGET_STUCK_MS,
              lambda: len(find_stuck(store, partner=partner))),
        Query("alerts (all)", "alerts", None, lambda: len(find_alerts(store))),
        Query("alerts --open", "alerts", None, lambda: len(find_alerts(store, open_only=True))),
        Query("orphans (older than 1 h)", "orphans", None, lambda: len(find_orphans(store))),
        Query("web: partner filter options", "web", None, lambda: len(partner_options(store))),
        Query("web: journey page's recent orders", "web", None,
              lambda: len(recent_orders(store))),
    ]  # fmt: skip
    orders = picks.get("order", ["100000"])
    for name in PANELS:

        def panel(name: str = name) -> int:
            filters = Filters.from_query({"id": rng.choice(orders)})
            return len(run_panel(store, name, filters.pinned().parameters(sla)))

        out.append(Query(f"panel {name}", "panel", TARGET_PANEL_MS, panel))
    return out


def measure(
    events: int, journeys: int, repeats: int, keep: Path | None = None, only: str = ""
) -> dict[str, Any]:
    """Generate, then time every query (or those matching ``only``), in this process
    (chDB opens one store per process). A store kept in ``keep`` by an earlier run is
    measured again as it is (after applying any new migrations)."""
    from sinks.migrate import migrate
    from sinks.store import Store

    started = datetime.now(UTC)
    result: dict[str, Any] = {
        "benchmark": "B5 queries", "started_at": started.isoformat(), "events_asked": events,
        "journeys": journeys, "repeats": repeats,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="seamscope-b5-") as tmp:
        folder = keep or Path(tmp)
        store = Store(f"chdb://{folder / 'store'}", "b5")
        try:
            migrate(store)
            result["chdb_version"] = store.rows("SELECT version() AS v")[0]["v"]
            gen = Generator(store, events, journeys, started.replace(microsecond=0))
            if table_rows(store).get("journey_events", {}).get("rows"):
                log(f"measuring the store kept in {folder} as it is")
                result["generation_s"] = result["merge_wait_s"] = 0.0
            else:
                t0 = time.perf_counter()
                gen.generate()
                result["generation_s"] = round(time.perf_counter() - t0, 1)
                result["merge_wait_s"] = round(gen.settle(), 1)
                log(f"generated in {result['generation_s']} s, merges settled in "
                    f"{result['merge_wait_s']} s")  # fmt: skip
                store.command("DROP TABLE IF EXISTS b5_plan")
            result["generation_steps"] = [s.__dict__ for s in gen.steps]
            result["tables"] = table_rows(store)
            result["events"] = result["tables"]["journey_events"]["rows"]
            picks = samples(store)
            result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
            rng = random.Random(5)
            result["queries"] = []
            for q in queries(store, picks, rng):
                if only and not re.search(only, q.name):
                    continue
                r = timed(q, repeats)
                log(f"{q.name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms")
                result["queries"].append(r)
        finally:
            store.close()
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    return result


# -- report ---------------------------------------------------------------------------
def markdown(r: dict[str, Any]) -> str:
    gen = r["generation_s"]
    lines = [
        f"# B5 queries: {r['events']:,} events, {r['journeys']:,} journeys "
        f"(chDB {r.get('chdb_version', '?')}, {r['machine']['cpus']} cpus)",
        "",
        f"Generated in {gen:.0f} s (merges settled {r['merge_wait_s']:.0f} s later); "
        f"{r['repeats']} timed runs per query after one warm-up. Load average (1, 5, 15 min) "
        f"{r['load_average_before']} before the queries, {r['load_average_after']} after.",
        "",
        "| query | p50 ms | p95 ms | target p95 | met? |",
        "|---|---:|---:|---:|---|",
    ]
    for q in r["queries"]:
        target = f"{q['target_ms']:.0f} ms" if q["target_ms"] else "—"
        met = "—" if q["met"] is None else ("yes" if q["met"] else "**no**")
        runs = "" if q["runs"] == r["repeats"] else f" ({q['runs']} run{'s' * (q['runs'] > 1)})"
        lines.append(
            f"| {q['query']}{runs} | {q['p50_ms']:,.1f} | {q['p95_ms']:,.1f} | {target} | {met} |"
        )
    lines += ["", "| table | rows | parts | MB on disk |", "|---|---:|---:|---:|"]
    for name, t in r["tables"].items():
        lines.append(f"| {name} | {t['rows']:,} | {t['parts']} | {t['bytes'] / 1e6:,.1f} |")
    return "\n".join(lines)


def report(r: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"queries-{r['events']}.json").write_text(json.dumps(r, indent=2, default=str))
    print(markdown(r), flush=True)


def run(events: int, journeys: int, repeats: int = 20) -> dict[str, Any]:
    """B5 in a child process (chDB opens one store per process); writes and prints results."""
    with tempfile.TemporaryDirectory(prefix="seamscope-b5-out-") as tmp:
        out = Path(tmp) / "result.json"
        subprocess.run(
            [sys.executable, "-m", "bench.queries", "--events", str(events), "--journeys",
             str(journeys), "--repeats", str(repeats), "--json-out", str(out)],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        result: dict[str, Any] = json.loads(out.read_text())
    report(result)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=20, help="timed runs per query")
    ap.add_argument(
        "--keep", type=Path, help="keep the store in this folder (reused as it is if it exists)"
    )
    ap.add_argument("--only", default="", help="time only the queries matching this regex")
    ap.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    result = measure(args.events, args.journeys, args.repeats, args.keep, args.only)
    if args.json_out:
        args.json_out.write_text(json.dumps(result, default=str))
    else:
        report(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
