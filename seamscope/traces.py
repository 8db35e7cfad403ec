"""Journeys as OpenTelemetry traces: one trace per journey, one span per stage it sat in.

A tracing backend (Jaeger, Tempo, Honeycomb, ...) then shows an order's path the way it
shows a request's: where the time went, who held it, at which handoff it stalled. The
root span runs from the journey's first event to its last (to now, while it is not
done); under it, a span for each stage: from the event that reached a milestone to the
event that reached the next one, held by the partner that reported it, with every event
of the stage as a span event. A stage that ends with another partner taking over names
it (``seamscope.handoff_to``); exceptions and failed deliveries are error spans.

The trace and span ids are derived from the journey id, so exporting a journey again
gives the same trace, not a second one.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import Status, StatusCode

from seamscope import __version__
from seamscope.telemetry import TelemetryError
from sinks.queries import as_utc
from streams.state import RETRACTED_FLAG, current_stage

#: Stages whose span is an error: the journey went wrong there.
_FAILED = frozenset({"exception", "delivery_failed", "returned_to_sender"})


@dataclass
class StageSpan:
    """One stage of a journey: a run of events of the same milestone."""

    milestone: str
    start: datetime
    end: datetime
    partner_id: str
    node_id: str
    ownership: str
    partner_type: str
    events: list[Mapping[str, Any]] = field(default_factory=list)
    handoff_to: str = ""
    open: bool = False


def stages(journey: Mapping[str, Any], now: datetime) -> list[StageSpan]:
    """The journey's stages in time order (retracted events left out): each ends when
    the next begins; the last when its last event came if the journey is done, else now."""
    events = sorted(
        (e for e in journey["events"] if RETRACTED_FLAG not in (e.get("quality_flags") or ())),
        key=lambda e: as_utc(e["occurred_at"]),
    )
    spans: list[StageSpan] = []
    for e in events:
        at = as_utc(e["occurred_at"])
        if spans and spans[-1].milestone == e["milestone"]:
            spans[-1].events.append(e)
            spans[-1].end = at
            continue
        if spans:
            spans[-1].end = at
            if spans[-1].partner_id != e["partner_id"]:
                spans[-1].handoff_to = e["partner_id"]
        held = StageSpan(e["milestone"], at, at, e["partner_id"], e["node_id"], e["ownership"],
                         e["partner_type"], [e])  # fmt: skip
        spans.append(held)
    stage = current_stage({**e, "occurred_at": as_utc(e["occurred_at"])} for e in events)
    if spans and not (stage and stage.done):
        spans[-1].end = max(spans[-1].end, now)
        spans[-1].open = True
    return spans


def export_journeys(
    journeys: Iterable[Mapping[str, Any]], exporter: SpanExporter, now: datetime | None = None
) -> list[tuple[str, int]]:
    """Each journey as a trace, all sent through ``exporter`` at once (then shut down);
    the trace id (hex) and the number of spans of each. Raises ``TelemetryError`` when
    the exporter does not take them."""
    spans, made = journey_spans(journeys, now or datetime.now(UTC))
    try:
        result = exporter.export(spans) if spans else SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    if result is not SpanExportResult.SUCCESS:
        raise TelemetryError(f"the span exporter did not take the {len(spans)} spans")
    return made


def journey_spans(
    journeys: Iterable[Mapping[str, Any]], now: datetime
) -> tuple[list[ReadableSpan], list[tuple[str, int]]]:
    """The journeys' spans, and the trace id (hex) and number of spans of each."""
    ids = _JourneyIds()
    resource = Resource.create({"service.name": "seamscope", "service.version": __version__})
    provider = TracerProvider(resource=resource, id_generator=ids)
    kept = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(kept))
    tracer = provider.get_tracer("seamscope.journeys")
    made: list[tuple[str, int]] = []
    for journey in journeys:
        ids.begin(journey["journey_id"])
        made.append((f"{ids.trace_id:032x}", _trace(tracer, journey, stages(journey, now))))
    spans = list(kept.get_finished_spans())
    provider.shutdown()
    return spans, made


def _trace(tracer: trace.Tracer, journey: Mapping[str, Any], spans: Sequence[StageSpan]) -> int:
    if not spans:
        return 0
    identifiers = [f"{i['type']}:{i['value']}" for i in journey.get("identifiers", ())]
    root = tracer.start_span(
        f"journey {journey['journey_id']}",
        start_time=_ns(spans[0].start),
        attributes={
            "seamscope.journey_id": journey["journey_id"],
            "seamscope.identifiers": identifiers,
            "seamscope.aliases": list(journey.get("aliases", ())),
            "seamscope.milestone": spans[-1].milestone,
            "seamscope.open": spans[-1].open,
        },
    )
    context = trace.set_span_in_context(root)
    for s in spans:
        span = tracer.start_span(
            s.milestone,
            context=context,
            start_time=_ns(s.start),
            attributes={
                "seamscope.partner_id": s.partner_id,
                "seamscope.partner_type": s.partner_type,
                "seamscope.node_id": s.node_id,
                "seamscope.ownership": s.ownership,
                "seamscope.handoff_to": s.handoff_to,
                "seamscope.open": s.open,
                "seamscope.events": len(s.events),
            },
        )
        for e in s.events:
            span.add_event(
                e["milestone"],
                {k: str(e.get(k) or "") for k in ("event_id", "partner_id", "raw_status",
                                                  "description", "location")},
                timestamp=_ns(as_utc(e["occurred_at"])),
            )  # fmt: skip
        if s.milestone in _FAILED:
            reasons = [e["exception_reason"] for e in s.events if e.get("exception_reason")]
            span.set_status(Status(StatusCode.ERROR, reasons[0] if reasons else s.milestone))
        span.end(_ns(s.end))
    root.end(_ns(spans[-1].end))
    return len(spans) + 1


class _JourneyIds(IdGenerator):
    """Trace and span ids from the journey id: the same journey, the same ids."""

    def begin(self, journey_id: str) -> None:
        self.seed = hashlib.sha256(journey_id.encode()).digest()
        self.trace_id = int.from_bytes(self.seed[:16], "big") or 1
        self.spans = 0

    def generate_trace_id(self) -> int:
        return self.trace_id

    def generate_span_id(self) -> int:
        self.spans += 1
        digest = hashlib.sha256(self.seed + self.spans.to_bytes(4, "big")).digest()
        return int.from_bytes(digest[:8], "big") or 1


def span_exporter(kind: str) -> SpanExporter:
    """``console``: a JSON document per span on standard output; ``otlp``: the collector
    the ``OTEL_EXPORTER_OTLP_*`` variables name (needs the ``otlp`` extra)."""
    if kind == "console":
        return ConsoleSpanExporter(out=sys.stdout, formatter=_json_line)
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        raise TelemetryError(
            "exporting traces to OTLP needs the OTLP exporter: pip install 'seamscope[otlp]'"
        ) from exc
    exporter: SpanExporter = OTLPSpanExporter()
    return exporter


def _json_line(span: ReadableSpan) -> str:
    return span.to_json(indent=None) + "\n"


def _ns(t: datetime) -> int:
    return int(t.timestamp() * 1_000_000) * 1000
