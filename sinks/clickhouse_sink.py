"""The ClickHouse sink: journey events, identifiers, aliases and dead letters, in blocks."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from schemas.canonical import identifier_key
from schemas.messages import DeadLetter
from sinks.batching import BatchingSink, Block, SinkRecord
from sinks.store import Store
from streams.topics import ALERTS, DEADLETTER, JOURNEY_EVENTS, JOURNEYS

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
LEDGER_COLUMNS = ("topic", "partition", "first_offset", "last_offset", "first_timestamp")

Rows = list[list[Any]]


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def event_rows(payload: bytes, events: Rows, identifiers: Rows) -> None:
    e = json.loads(payload)
    ids = e["identifiers"]
    keys = [identifier_key(i["type"], i.get("issuer", ""), i["value"]) for i in ids]
    occurred, ingested = _ts(e["occurred_at"]), _ts(e["ingested_at"])
    exc = e.get("exception") or {}
    src = e.get("source") or {}
    events.append([
        e["event_id"], e["journey_id"], e["schema_version"], e["milestone"],
        e.get("raw_status", ""), e.get("description", ""), occurred, _ts(e.get("reported_at")),
        ingested, e["partner_id"], e["partner_type"], e["node_id"], e["ownership"], keys,
        [i["value"] for i in ids], exc.get("reason", ""), exc.get("responsible", ""),
        e.get("location", ""), e.get("quality_flags", []), src.get("topic", ""),
        src.get("partition", -1), src.get("offset", -1), src.get("partner_format", ""),
        payload.decode(),
    ])  # fmt: skip
    for ident, key in zip(ids, keys, strict=True):
        identifiers.append([
            ident["value"], ident["type"], ident.get("issuer", ""), key, e["journey_id"],
            e["event_id"], e["partner_id"], occurred, ingested,
        ])  # fmt: skip


def alert_row(payload: bytes) -> list[Any]:
    a = json.loads(payload)
    return [_ts(a[c]) if c in _ALERT_TIMES else a[c] for c in ALERT_COLUMNS]


def journey_row(payload: bytes, aliases: Rows, members: Rows) -> None:
    """A record of the journeys topic: an alias or a membership."""
    a = json.loads(payload)
    if a["kind"] == "alias":
        aliases.append([a["alias_id"], a["journey_id"], a["version"], _ts(a["updated_at"])])
    elif a["kind"] == "member":
        id_type, _, value = a["id_key"].split(":", 2)
        members.append([a["journey_id"], a["id_key"], value, id_type, _ts(a["updated_at"])])
    else:
        raise ValueError(f"unknown journey record kind {a['kind']!r}")


def dead_letter_row(payload: bytes, letters: Rows, replays: Rows) -> None:
    """A record of the dead-letter topic: a dead letter, or the outcome of replaying one."""
    d = json.loads(payload)
    if d.get("kind") == "replay":
        replays.append([
            d["dead_letter_id"], d["partner_id"], d["outcome"], d["events"], d["reason"],
            d["republished_to"], _ts(d["replayed_at"]),
        ])  # fmt: skip
        return
    letters.append([
        d["dead_letter_id"], d["partner_id"], d["partner_format"], d["source_topic"],
        d["source_partition"], d["source_offset"], d["reason"], d["error_kind"],
        base64.b64decode(d["raw_b64"]), d.get("headers", {}), _ts(d["failed_at"]),
    ])  # fmt: skip


def _unreadable_row(record: SinkRecord, exc: Exception) -> list[Any]:
    return [
        DeadLetter.make_id(record.topic, record.partition, record.offset), "", "",
        record.topic, record.partition, record.offset,
        f"the sink could not read this record: {type(exc).__name__}: {exc}",
        "sink_unreadable", record.value or b"", {}, datetime.now(UTC),
    ]  # fmt: skip


class ClickHouseSink(BatchingSink):
    """Turns topic records into table rows; one insert per table per block."""

    def __init__(self, store: Store, max_rows: int) -> None:
        super().__init__(max_rows)
        self.store = store
        self.rows_written = 0
        self._writers: dict[str, Callable[[Block], None]] = {
            JOURNEY_EVENTS: self._write_events,
            JOURNEYS: self._write_journeys,
            DEADLETTER: self._write_dead_letters,
            ALERTS: self._write_alerts,
        }

    def write(self, block: Block) -> None:
        self._writers[block.topic](block)

    def _insert(self, table: str, rows: Rows, columns: Sequence[str], block: Block) -> None:
        self.store.insert(table, rows, columns, dedup_token=f"{block.token}:{table}")
        self.rows_written += len(rows)

    def _convert(self, block: Block, convert: Callable[[bytes], None]) -> None:
        """Convert each record; one that cannot be read is kept as a dead-letter row."""
        bad: Rows = []
        for r in block.records:
            try:
                convert(r.value or b"")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                log.warning(
                    "unreadable record at %s:%s:%s: %s", r.topic, r.partition, r.offset, exc
                )
                bad.append(_unreadable_row(r, exc))
        self._insert("dead_letters", bad, DEAD_LETTER_COLUMNS, block)

    def _write_events(self, block: Block) -> None:
        events: Rows = []
        identifiers: Rows = []
        self._convert(block, lambda v: event_rows(v, events, identifiers))
        self._insert("journey_events", events, EVENT_COLUMNS, block)
        self._insert("identifiers", identifiers, IDENTIFIER_COLUMNS, block)

    def _write_journeys(self, block: Block) -> None:
        aliases: Rows = []
        members: Rows = []
        self._convert(block, lambda v: journey_row(v, aliases, members))
        self._insert("journey_aliases", aliases, ALIAS_COLUMNS, block)
        self._insert("journey_members", members, MEMBER_COLUMNS, block)

    def _write_dead_letters(self, block: Block) -> None:
        rows: Rows = []
        replays: Rows = []
        self._convert(block, lambda v: dead_letter_row(v, rows, replays))
        self._insert("dead_letters", rows, DEAD_LETTER_COLUMNS, block)
        self._insert("dead_letter_replays", replays, REPLAY_COLUMNS, block)

    def _write_alerts(self, block: Block) -> None:
        rows: Rows = []
        self._convert(block, lambda v: rows.append(alert_row(v)))
        self._insert("alerts", rows, ALERT_COLUMNS, block)

    def record_ledger(self, blocks: list[Block]) -> None:
        """Write-ahead: the ranges about to be inserted, so a restart re-cuts them."""
        rows = [[b.topic, b.partition, b.first_offset, b.last_offset, b.first_timestamp]
                for b in blocks]  # fmt: skip
        self.store.insert("sink_ledger", rows, LEDGER_COLUMNS)

    def ledger_ranges(
        self, topic: str, partition: int, from_offset: int
    ) -> list[tuple[int, int, int]]:
        rows = self.store.rows(
            "SELECT DISTINCT first_offset, last_offset, first_timestamp FROM sink_ledger "
            "WHERE topic = {t:String} AND partition = {p:Int32} AND first_offset >= {o:Int64} "
            "ORDER BY first_offset",
            {"t": topic, "p": partition, "o": from_offset},
        )
        return [
            (int(r["first_offset"]), int(r["last_offset"]), int(r["first_timestamp"])) for r in rows
        ]
