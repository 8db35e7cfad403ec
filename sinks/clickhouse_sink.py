"""The ClickHouse sink: journey events, identifiers, aliases, alerts, stage facts and dead
letters, in blocks."""

from __future__ import annotations

import base64
import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from schemas.canonical import identifier_key
from schemas.messages import DeadLetter
from sinks.batching import BatchingSink, Block, Planned, SinkRecord, group_token
from sinks.store import Store
from streams.topics import ALERTS, DEADLETTER, JOURNEY_EVENTS, JOURNEYS, STAGE_FACTS

log = logging.getLogger(__name__)

EVENT_COLUMNS = (
    "event_id", "journey_id", "schema_version", "milestone", "raw_status", "description",
    "occurred_at", "reported_at", "ingested_at", "partner_id", "partner_type", "node_id",
    "ownership", "identifier_keys", "identifier_values", "exception_reason",
    "exception_responsible", "location", "quality_flags", "source_topic", "source_partition",
    "source_offset", "partner_format", "payload",
)  # fmt: skip
IDENTIFIER_COLUMNS = (
    "id_value", "id_type", "issuer", "id_key", "journey_id", "event_id", "partner_id",
    "occurred_at", "ingested_at",
)  # fmt: skip
ALIAS_COLUMNS = ("alias_id", "journey_id", "version", "updated_at")
MEMBER_COLUMNS = ("journey_id", "id_key", "id_value", "id_type", "updated_at")
DEAD_LETTER_COLUMNS = (
    "dead_letter_id", "partner_id", "partner_format", "source_topic", "source_partition",
    "source_offset", "reason", "error_kind", "raw", "headers", "failed_at",
)  # fmt: skip

REPLAY_COLUMNS = (
    "dead_letter_id", "partner_id", "outcome", "events", "reason", "republished_to",
    "replayed_at",
)  # fmt: skip
ALERT_COLUMNS = (
    "alert_id", "kind", "status", "rule", "partner_id", "node_id", "journey_id", "stage_start",
    "since", "deadline", "opened_at", "updated_at", "resolved_at", "last_milestone",
    "last_event_at", "last_partner_id", "incident_id", "journeys", "paged", "version",
)  # fmt: skip
_ALERT_TIMES = {"since", "deadline", "opened_at", "updated_at", "resolved_at", "last_event_at"}
_ALERT_REQUIRED = [c for c in ALERT_COLUMNS if c not in _ALERT_TIMES - {"updated_at"}]
STAGE_COLUMNS = (
    "journey_id", "kind", "stage", "stage_no", "at", "started_at", "from_partner",
    "partner_id", "node_id", "ownership", "handoff", "seconds", "ended", "missed", "promise",
    "promised", "deadline", "version", "deleted",
)  # fmt: skip
_STAGE_TIMES = {"at", "started_at", "deadline"}
_STAGE_REQUIRED = [c for c in STAGE_COLUMNS if c != "deadline"]
_STAGE_FLAGS = {"handoff", "ended", "missed", "promise", "promised", "deleted"}
LEDGER_COLUMNS = (
    "topic", "partition", "first_offset", "last_offset", "first_timestamp", "write_group",
    "group_size",
)  # fmt: skip

Rows = list[list[Any]]

#: Where canonical events and stage facts go in as JSON lines (migrations 0027, 0028), and
#: what their views say of a record they cannot read.
EVENTS_IN = "journey_events_in"
STAGES_IN = "journey_stages_in"
REFUSED = "read record by record"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def _ms(value: str | None) -> int | None:
    """An ISO-8601 time as the ticks of a ``DateTime64(3)`` column: milliseconds since the
    epoch, rounded down (as clickhouse-connect rounds a datetime). A time without a zone
    is taken as UTC. Ticks, not datetimes: the insert then writes them as they are."""
    if not value:
        return None
    at = datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return (at - _EPOCH) // _MS


def event_rows(payload: bytes, events: Rows, identifiers: Rows) -> None:
    """A canonical event (JSON) as one ``journey_events`` row and one ``identifiers`` row
    per identifier. Plain JSON reads, no model validation: the worker validated it."""
    e = orjson.loads(payload)
    ids = e["identifiers"]
    journey, event_id, partner = e["journey_id"], e["event_id"], e["partner_id"]
    keys = [identifier_key(i["type"], i.get("issuer", ""), i["value"]) for i in ids]
    values = [i["value"] for i in ids]
    occurred, ingested = _ms(e["occurred_at"]), _ms(e["ingested_at"])
    if occurred is None or ingested is None:
        raise ValueError("occurred_at and ingested_at are required")
    exc = e.get("exception") or {}
    src = e.get("source") or {}
    row = [
        event_id, journey, e["schema_version"], e["milestone"], e.get("raw_status", ""),
        e.get("description", ""), occurred, _ms(e.get("reported_at")), ingested, partner,
        e["partner_type"], e["node_id"], e["ownership"], keys, values, exc.get("reason", ""),
        exc.get("responsible", ""), e.get("location", ""), e.get("quality_flags", []),
        src.get("topic", ""), src.get("partition", -1), src.get("offset", -1),
        src.get("partner_format", ""), payload,
    ]  # fmt: skip
    # Built whole before anything is appended: a record that fails leaves no partial rows.
    id_rows = [
        [value, i["type"], i.get("issuer", ""), key, journey, event_id, partner, occurred,
         ingested]
        for i, key, value in zip(ids, keys, values, strict=True)
    ]  # fmt: skip
    events.append(row)
    identifiers.extend(id_rows)


def _required(record: dict[str, Any], fields: Iterable[str]) -> None:
    """A record missing a value its table cannot hold empty is unreadable here, not an
    insert that fails (and is retried) forever."""
    missing = [f for f in fields if record.get(f) is None]
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")


def alert_row(payload: bytes) -> list[Any]:
    a = orjson.loads(payload)
    _required(a, _ALERT_REQUIRED)
    return [_ms(a[c]) if c in _ALERT_TIMES else a[c] for c in ALERT_COLUMNS]


def stage_row(payload: bytes) -> list[Any]:
    """A stage fact of the SLA engine (``streams.sla.StageFact``) as a journey_stages row."""
    f = orjson.loads(payload)
    _required(f, _STAGE_REQUIRED)
    return [
        _ms(f[c]) if c in _STAGE_TIMES else int(f[c]) if c in _STAGE_FLAGS else f[c]
        for c in STAGE_COLUMNS
    ]


def journey_row(payload: bytes, aliases: Rows, members: Rows) -> None:
    """A record of the journeys topic: an alias or a membership."""
    a = orjson.loads(payload)
    if a["kind"] == "alias":
        aliases.append([a["alias_id"], a["journey_id"], a["version"], _ms(a["updated_at"])])
    elif a["kind"] == "member":
        id_type, _, value = a["id_key"].split(":", 2)
        members.append([a["journey_id"], a["id_key"], value, id_type, _ms(a["updated_at"])])
    else:
        raise ValueError(f"unknown journey record kind {a['kind']!r}")


def dead_letter_row(payload: bytes, letters: Rows, replays: Rows) -> None:
    """A record of the dead-letter topic: a dead letter, or the outcome of replaying one."""
    d = orjson.loads(payload)
    if d.get("kind") == "replay":
        replays.append([
            d["dead_letter_id"], d["partner_id"], d["outcome"], d["events"], d["reason"],
            d["republished_to"], _ms(d["replayed_at"]),
        ])  # fmt: skip
        return
    letters.append([
        d["dead_letter_id"], d["partner_id"], d["partner_format"], d["source_topic"],
        d["source_partition"], d["source_offset"], d["reason"], d["error_kind"],
        base64.b64decode(d["raw_b64"]), d.get("headers", {}), _ms(d["failed_at"]),
    ])  # fmt: skip


def _unreadable_row(record: SinkRecord, exc: Exception) -> list[Any]:
    return [
        DeadLetter.make_id(record.topic, record.partition, record.offset), "", "",
        record.topic, record.partition, record.offset,
        f"the sink could not read this record: {type(exc).__name__}: {exc}",
        "sink_unreadable", record.value or b"", {}, (datetime.now(UTC) - _EPOCH) // _MS,
    ]  # fmt: skip


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Writing a block makes containers by the hundred thousand (rows, then the client's
    columns) and no reference cycles; they are freed when the block is written. Meanwhile
    the cyclic collector would walk the whole heap again and again: with a large heap that
    was most of the write's time (the client's row-to-column pivot alone, 1.5x the insert).
    It is on again right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ClickHouseSink(BatchingSink):
    """Turns topic records into table rows; one insert per table per block."""

    def __init__(self, store: Store, max_rows: int) -> None:
        super().__init__(max_rows)
        self.store = store
        self.rows_written = 0
        self._writers: dict[str, Callable[[Sequence[Block], str], None]] = {
            JOURNEY_EVENTS: self._write_events,
            JOURNEYS: self._write_journeys,
            DEADLETTER: self._write_dead_letters,
            ALERTS: self._write_alerts,
            STAGE_FACTS: self._write_stages,
        }

    def write_group(self, blocks: Sequence[Block], token: str) -> None:
        """One insert per table for blocks of one topic, deduplicated by ``token``."""
        with _no_gc_pauses():
            self._writers[blocks[0].topic](blocks, token)

    def _insert(self, table: str, rows: Rows, columns: Sequence[str], token: str) -> None:
        self.store.insert(table, rows, columns, dedup_token=f"{token}:{table}")
        self.rows_written += len(rows)

    def _convert(
        self, blocks: Sequence[Block], token: str, convert: Callable[[bytes], None]
    ) -> None:
        """Convert each record; one that cannot be read is kept as a dead-letter row."""
        bad: Rows = []
        for block in blocks:
            for r in block.records:
                try:
                    convert(r.value or b"")
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    log.warning(
                        "unreadable record at %s:%s:%s: %s", r.topic, r.partition, r.offset, exc
                    )
                    bad.append(_unreadable_row(r, exc))
        self._insert("dead_letters", bad, DEAD_LETTER_COLUMNS, f"{token}:unreadable")

    def _write_events(self, blocks: Sequence[Block], token: str) -> None:
        if self._land_lines(EVENTS_IN, blocks, token):
            return
        events: Rows = []
        identifiers: Rows = []
        self._convert(blocks, token, lambda v: event_rows(v, events, identifiers))
        self._insert("journey_events", events, EVENT_COLUMNS, token)
        self._insert("identifiers", identifiers, IDENTIFIER_COLUMNS, token)

    def _land_lines(self, table: str, blocks: Sequence[Block], token: str) -> bool:
        """Hand the records' JSON to ``table`` as it came, a line each, for the store's
        views to make the rows (less CPU than making them here). False, with nothing
        written, when a record is not one line or a view refuses one: the caller reads the
        records one by one, so an unreadable one becomes a dead letter."""
        values = [r.value or b"" for block in blocks for r in block.records]
        if not all(values):
            return False
        lines = b"\n".join(values)
        # (a record of several lines would be several rows; a line's "\r" may end it)
        if lines.count(b"\n") != len(values) - 1 or b"\r" in lines:
            return False
        try:
            self.store.insert_lines(table, lines, dedup_token=f"{token}:{table}")
        except Exception as exc:
            if REFUSED not in str(exc):
                raise  # the store failed, not a record: the write is retried as it is
            log.info("%s refused a record of %s; reading them one by one", table, token)
            return False
        self.rows_written += len(values)
        return True

    def _write_journeys(self, blocks: Sequence[Block], token: str) -> None:
        aliases: Rows = []
        members: Rows = []
        self._convert(blocks, token, lambda v: journey_row(v, aliases, members))
        self._insert("journey_aliases", aliases, ALIAS_COLUMNS, token)
        self._insert("journey_members", members, MEMBER_COLUMNS, token)

    def _write_dead_letters(self, blocks: Sequence[Block], token: str) -> None:
        rows: Rows = []
        replays: Rows = []
        self._convert(blocks, token, lambda v: dead_letter_row(v, rows, replays))
        self._insert("dead_letters", rows, DEAD_LETTER_COLUMNS, token)
        self._insert("dead_letter_replays", replays, REPLAY_COLUMNS, token)

    def _write_alerts(self, blocks: Sequence[Block], token: str) -> None:
        rows: Rows = []
        self._convert(blocks, token, lambda v: rows.append(alert_row(v)))
        self._insert("alerts", rows, ALERT_COLUMNS, token)

    def _write_stages(self, blocks: Sequence[Block], token: str) -> None:
        if self._land_lines(STAGES_IN, blocks, token):
            return
        rows: Rows = []
        self._convert(blocks, token, lambda v: rows.append(stage_row(v)))
        self._insert("journey_stages", rows, STAGE_COLUMNS, token)

    def record_ledger(self, groups: Sequence[Sequence[Block]]) -> None:
        """Write-ahead: the ranges about to be inserted and their groups, so a restart
        re-cuts and groups them the same way."""
        rows = [
            [b.topic, b.partition, b.first_offset, b.last_offset, b.first_timestamp,
             group_token(blocks), len(blocks)]
            for blocks in groups
            for b in blocks
        ]  # fmt: skip
        self.store.insert("sink_ledger", rows, LEDGER_COLUMNS)

    def ledger_ranges(self, topic: str, partition: int, from_offset: int) -> list[Planned]:
        """Blocks written and not committed, each in the group it was last written in."""
        rows = self.store.rows(
            "SELECT first_offset, last_offset, first_timestamp, "
            "argMax(write_group, written_at) AS grp, argMax(group_size, written_at) AS size "
            "FROM sink_ledger "
            "WHERE topic = {t:String} AND partition = {p:Int32} AND first_offset >= {o:Int64} "
            "GROUP BY first_offset, last_offset, first_timestamp ORDER BY first_offset",
            {"t": topic, "p": partition, "o": from_offset},
        )
        # A block written alone (or before groups were recorded) is re-written alone.
        return [
            (int(r["first_offset"]), int(r["last_offset"]), int(r["first_timestamp"]),
             r["grp"] or f"alone:{r['first_offset']}", max(1, int(r["size"])))
            for r in rows
        ]  # fmt: skip
