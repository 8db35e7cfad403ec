"""The pipeline's own metrics reach where the settings send them, or say why they cannot."""

from __future__ import annotations

import sys

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

from seamscope.cli import main
from seamscope.settings import Settings
from seamscope.telemetry import meter_provider, meter_sink
from sinks.runner import SINK_TOPICS, SinkRunner
from sinks.store import Store

OTLP_MODULE = "opentelemetry.exporter.otlp.proto.http.metric_exporter"


def test_nothing_is_metered_unless_asked() -> None:
    assert meter_provider(Settings(), "seamscope-sink") is None


def test_otlp_sends_the_sink_metrics_to_the_collector_the_otel_variables_name(
    collector: tuple[str, list[tuple[str, str, bytes]]],
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    endpoint, received = collector
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    settings = Settings(metrics_exporter="otlp", metrics_interval_s=3600)
    runner = SinkRunner(settings, store)
    runner.rows_by_topic[SINK_TOPICS[1]] = 42
    meters = meter_provider(settings, "seamscope-sink")
    assert meters is not None
    meter_sink(meters.get_meter("seamscope.sink"), runner)
    try:
        assert meters.force_flush(10_000)
    finally:
        meters.shutdown()

    path, content_type, body = received[0]
    assert (path, content_type) == ("/v1/metrics", "application/x-protobuf")
    request = ExportMetricsServiceRequest.FromString(body)
    (resource,) = request.resource_metrics
    attrs = {a.key: a.value.string_value for a in resource.resource.attributes}
    assert attrs["service.name"] == "seamscope-sink"
    metrics = {m.name: m for sm in resource.scope_metrics for m in sm.metrics}
    assert set(metrics) == {
        "seamscope.sink.rows",
        "seamscope.sink.flushes",
        "seamscope.sink.flush.time",
        "seamscope.sink.pending_rows",
        "seamscope.sink.lag",
    }
    points = metrics["seamscope.sink.rows"].sum.data_points
    rows = {p.attributes[0].value.string_value: p.as_int for p in points}
    assert rows == {topic: 42 if topic == SINK_TOPICS[1] else 0 for topic in SINK_TOPICS}
    assert metrics["seamscope.sink.rows"].sum.is_monotonic


def test_otlp_without_its_exporter_installed_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, OTLP_MODULE, None)  # (import fails: not installed)
    monkeypatch.setenv("SEAMSCOPE_METRICS_EXPORTER", "otlp")
    monkeypatch.setenv("SEAMSCOPE_KAFKA_BOOTSTRAP", "127.0.0.1:9")
    for command in ("worker", "sink"):
        assert main([command]) == 2
        err = capsys.readouterr().err
        assert err.startswith("seamscope: SEAMSCOPE_METRICS_EXPORTER=otlp needs"), err
        assert "pip install 'seamscope[otlp]'" in err
