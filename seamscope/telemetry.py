"""The pipeline meters itself (OpenTelemetry): what each stage costs, how far behind it is.

The hot path only adds to plain numbers (a few additions a batch: ``StageCosts``,
counters); the instruments here are observable, so the SDK reads those numbers when it
exports, in its own thread, and metering costs the pipeline nothing per record.

``SEAMSCOPE_METRICS_EXPORTER`` says where the worker and the sink send them: ``none``
(the default), ``console`` (one JSON document per export on standard output) or ``otlp``
(an OpenTelemetry collector, configured by the standard ``OTEL_EXPORTER_OTLP_*``
variables; needs the ``otlp`` extra). ``SEAMSCOPE_METRICS_INTERVAL_S`` sets how often.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry.metrics import CallbackOptions, Meter, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    MetricReader,
    MetricsData,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource

from seamscope import __version__
from seamscope.settings import Settings

if TYPE_CHECKING:
    from sinks.runner import SinkRunner
    from streams.sla_service import SlaService
    from streams.worker import BatchWorker

#: A data point's attributes, as ``metric_values`` keys them: sorted (name, value) pairs.
Attrs = tuple[tuple[str, Any], ...]
#: The worker's stages, in the order a record goes through them.
WORKER_STAGES = ("normalize", "stitch", "clocks")


class TelemetryError(RuntimeError):
    """The metrics exporter asked for cannot be set up."""


class StageCosts:
    """CPU seconds each stage has spent so far (of the thread that ran it)."""

    def __init__(self, stages: Sequence[str]) -> None:
        self.seconds = dict.fromkeys(stages, 0.0)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Adds the CPU time of the ``with`` block (this thread's) to ``stage``."""
        started = time.thread_time()
        try:
            yield
        finally:
            self.seconds[stage] += time.thread_time() - started


def meter_provider(
    settings: Settings, service: str, readers: Sequence[MetricReader] = ()
) -> MeterProvider | None:
    """The process's meter provider: ``readers`` and the exporter the settings name
    (None when there is neither: nothing is metered)."""
    readers = [*readers]
    exporter = _exporter(settings.metrics_exporter)
    if exporter is not None:
        interval_ms = settings.metrics_interval_s * 1000
        readers.append(PeriodicExportingMetricReader(exporter, interval_ms, interval_ms))
    if not readers:
        return None
    resource = Resource.create({"service.name": service, "service.version": __version__})
    return MeterProvider(metric_readers=readers, resource=resource)


def require_exporter(kind: str) -> None:
    """Raises ``TelemetryError`` when the exporter ``kind`` cannot be set up here."""
    if kind == "otlp":
        _otlp()


def _otlp() -> type[MetricExporter]:
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    except ImportError as exc:
        raise TelemetryError(
            "SEAMSCOPE_METRICS_EXPORTER=otlp needs the OTLP exporter: pip install 'seamscope[otlp]'"
        ) from exc
    return OTLPMetricExporter


def _exporter(kind: str) -> MetricExporter | None:
    if kind == "console":
        return ConsoleMetricExporter(out=sys.stdout, formatter=_json_line)
    if kind == "otlp":
        return _otlp()()  # (endpoint, headers, timeout: the OTEL_EXPORTER_OTLP_* variables)
    return None


def _json_line(data: MetricsData) -> str:
    return data.to_json(indent=None) + "\n"


def _one(read: Callable[[], float]) -> Callable[[CallbackOptions], Iterable[Observation]]:
    return lambda _options: [Observation(read())]


def _each(
    read: Callable[[], Mapping[str, float]], attribute: str
) -> Callable[[CallbackOptions], Iterable[Observation]]:
    return lambda _options: [Observation(v, {attribute: k}) for k, v in read().items()]


def meter_worker(meter: Meter, worker: BatchWorker, sla: SlaService) -> None:
    """The worker's instruments: what it read and made, what each stage cost, how far
    behind its input it is, and what its SLA clocks hold."""
    c = worker.counters
    counters: list[tuple[str, str, Callable[[], float], str]] = [
        ("seamscope.worker.records", "{record}", lambda: c.records,
         "Raw partner records read, normalized, stitched and committed."),
        ("seamscope.worker.events", "{event}", lambda: c.events,
         "Canonical events made of them."),
        ("seamscope.worker.dead_letters", "{record}", lambda: c.dead_letters,
         "Raw records that became dead letters."),
        ("seamscope.worker.batches", "{batch}", lambda: c.batches, "Batches committed."),
        ("seamscope.worker.process.cpu_time", "s", time.process_time,
         "CPU time of the worker process (not its normalizing processes)."),
        ("seamscope.sla.alert_updates", "{alert}", lambda: sla.published,
         "Alert changes published (raised, updated, resolved)."),
        ("seamscope.sla.stage_facts", "{fact}", lambda: sla.facts_published,
         "Stage latency and SLA facts published for the dashboards."),
    ]  # fmt: skip
    for name, unit, read, description in counters:
        meter.create_observable_counter(name, [_one(read)], unit, description)
    meter.create_observable_counter(
        "seamscope.worker.stage.cpu_time", [_each(lambda: worker.costs.seconds, "stage")], "s",
        "CPU time per stage: normalize (in the normalizing processes, if any), stitch "
        "(the identity graph and encoding), clocks (the SLA clocks).",
    )  # fmt: skip
    gauges: list[tuple[str, str, Callable[[], float], str]] = [
        ("seamscope.worker.lag", "{record}", lambda: worker.lag,
         "Raw records waiting beyond the worker's position, at its last poll."),
        ("seamscope.sla.open_journeys", "{journey}", lambda: sla.engine.open_journeys,
         "Journeys the SLA clocks hold."),
        ("seamscope.sla.open_alerts", "{alert}", lambda: len(sla.engine.alerts()),
         "Alerts open now."),
        ("seamscope.sla.orphans", "{event}", lambda: len(sla.orphans),
         "Events waiting for a link to file them under a journey."),
    ]  # fmt: skip
    for name, unit, read, description in gauges:
        meter.create_observable_gauge(name, [_one(read)], unit, description)


def meter_sink(meter: Meter, runner: SinkRunner) -> None:
    """The sink's instruments: rows written by topic, flushes and their time, what waits."""
    meter.create_observable_counter(
        "seamscope.sink.rows", [_each(lambda: runner.rows_by_topic, "topic")], "{row}",
        "Records written to ClickHouse, by the topic they came from.",
    )  # fmt: skip
    meter.create_observable_counter(
        "seamscope.sink.flushes", [_one(lambda: runner.flushes)], "{flush}", "Flushes written."
    )
    meter.create_observable_counter(
        "seamscope.sink.flush.time", [_one(lambda: runner.flush_seconds)], "s",
        "Time spent writing flushes (ledger, inserts, commit).",
    )  # fmt: skip
    meter.create_observable_gauge(
        "seamscope.sink.pending_rows", [_one(lambda: runner.sink.pending_rows)], "{row}",
        "Records read and not yet written.",
    )  # fmt: skip
    meter.create_observable_gauge(
        "seamscope.sink.lag", [_one(lambda: runner.lag)], "{record}",
        "Records waiting in Kafka beyond the sink's position, at its last poll.",
    )  # fmt: skip


def per_record(before: dict[str, float], after: dict[str, float], records: int) -> str:
    """``stage X µs`` for each stage's cost per record between two readings."""
    n = max(records, 1)
    return ", ".join(f"{k} {1e6 * (after[k] - before.get(k, 0.0)) / n:.0f} µs" for k in after)


def metric_values(data: MetricsData | dict[str, Any]) -> dict[tuple[str, Attrs], float]:
    """The values of exported metrics (an SDK ``MetricsData``, or the JSON document the
    console exporter writes, as a dict), by name and attributes."""
    doc = data if isinstance(data, dict) else json.loads(data.to_json())
    values: dict[tuple[str, Attrs], float] = {}
    for rm in doc["resource_metrics"]:
        for sm in rm["scope_metrics"]:
            for m in sm["metrics"]:
                for p in m["data"]["data_points"]:
                    values[m["name"], tuple(sorted(p["attributes"].items()))] = p["value"]
    return values


def console_exports(output: str) -> list[dict[str, Any]]:
    """The documents the console exporter wrote (oldest first), among a process's log lines."""
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"resource_')]


def stage_seconds(values: dict[tuple[str, Attrs], float]) -> dict[str, float]:
    """The worker's CPU time by stage, from ``metric_values``."""
    return {
        dict(attrs)["stage"]: v
        for (name, attrs), v in values.items()
        if name == "seamscope.worker.stage.cpu_time"
    }
