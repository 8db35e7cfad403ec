"""Connection and tuning settings: one frozen object, read from the environment.

Every field reads ``SEAMSCOPE_<NAME>`` (e.g. ``SEAMSCOPE_KAFKA_BOOTSTRAP``). Secrets are
``SecretStr`` and never printed; ``Settings.describe()`` shows what is safe to show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEAMSCOPE_", frozen=True, extra="ignore")

    kafka_bootstrap: str = Field(
        default="",
        description="Kafka bootstrap servers (host:port,...). Empty: the embedded broker "
        "started by `seamscope demo` (found through the run folder).",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="Kafka security protocol."
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        default=None, description="SASL mechanism when the protocol is SASL_*."
    )
    kafka_sasl_username: str | None = Field(default=None, description="SASL user name.")
    kafka_sasl_password: SecretStr | None = Field(default=None, description="SASL password.")
    kafka_ssl_cafile: Path | None = Field(default=None, description="CA bundle for SSL.")
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=1_000,
        description="Consumer group session timeout. Lower means faster joins and failover.",
    )
    kafka_fetch_max_wait_ms: int = Field(
        default=100,
        ge=0,
        description="How long the broker may hold a fetch that finds nothing new (ms). Some "
        "brokers answer only when it ends, not when records arrive: it bounds the delay each "
        "hop of the pipeline adds.",
    )
    topic_partitions: int = Field(
        default=4, ge=1, description="Partitions for topics Seamscope creates."
    )
    clickhouse_url: SecretStr = Field(
        default=SecretStr("chdb://.seamscope/store"),
        description="ClickHouse: http(s)://user:pass@host:8123/db, or chdb:///path for the "
        "embedded engine (chdb://relative/path is relative to the working directory).",
    )
    clickhouse_database: str = Field(default="seamscope", description="Database name.")
    config: Path = Field(
        default=Path("seamscope.yaml"), description="Network config file (partners, nodes)."
    )
    run_dir: Path = Field(
        default=Path(".seamscope/run"),
        description="Where the demo keeps its broker log and address files.",
    )
    api_url: str = Field(
        default="", description="URL of a running demo's query API (found in the run folder)."
    )
    worker_batch_max: int = Field(
        default=5_000, ge=1, description="Most raw messages the worker takes per batch."
    )
    worker_normalize_processes: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="Processes that normalize raw messages beside each worker, which then "
        "only stitches and runs the SLA clocks (0: the worker normalizes them itself; "
        "unset: one per core beyond the first, at most two).",
    )
    sink_batch_max_rows: int = Field(
        default=20_000, ge=1, description="Flush the sink when a batch holds this many rows."
    )
    sink_flush_interval_s: float = Field(
        default=1.0, gt=0, description="Flush the sink at least this often (seconds)."
    )
    sink_flush_idle_s: float = Field(
        default=0.5,
        ge=0,
        description="Flush as soon as the input pauses, once this long after the last flush "
        "(seconds; 0: only by interval and size). Keeps rows fresh between bursts.",
    )
    journey_retention_s: int = Field(
        default=14 * 24 * 3600,
        ge=0,
        description="How long (event time) a finished journey stays in the worker's identity "
        "graph and SLA clocks (with its breaches), for late links and reports. Lookups in "
        "ClickHouse are not affected.",
    )
    sla_hot_journeys: int = Field(
        default=50_000,
        ge=0,
        description="The SLA clocks keep this many recently touched journeys as objects "
        "(~1.4 KB each) and the rest packed (~0.3 KB each; unpacking and packing again when "
        "next touched costs ~20-45 microseconds).",
    )
    sla_clock: Literal["wall", "event"] = Field(
        default="wall",
        description="SLA clocks run on wall-clock time (live) or on event time (a backfill of "
        "history: the latest occurred_at seen, minus the lateness allowance).",
    )
    sla_lateness_s: int = Field(
        default=600, ge=0, description="Event-time clocks wait this long for late reports."
    )
    webhook_url: str = Field(default="", description="POST alerts here (JSON), if set.")
    webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key for the X-Seamscope-Signature header."
    )
    webhook_format: Literal["json", "slack"] = Field(
        default="json", description="json: the alert; slack: a Slack-compatible text body."
    )
    web_token: SecretStr | None = Field(
        default=None,
        description="Token the web UI and query API require (Bearer header or ?token=); "
        "required when `seamscope web` binds a non-loopback address.",
    )
    metrics_exporter: Literal["none", "console", "otlp"] = Field(
        default="none",
        description="Where the worker and the sink send their own metrics (OpenTelemetry: "
        "records, CPU per stage, lag, flushes): none; console (a JSON document per export "
        "on standard output); otlp (a collector, set by the OTEL_EXPORTER_OTLP_* variables; "
        "needs the otlp extra).",
    )
    metrics_interval_s: float = Field(
        default=30.0, gt=0, description="How often the metrics are exported (seconds)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level."
    )

    @field_validator("kafka_bootstrap")
    @classmethod
    def _bootstrap_shape(cls, value: str) -> str:
        for server in filter(None, (s.strip() for s in value.split(","))):
            host, sep, port = server.rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"expected host:port[,host:port...], got {server!r}")
        return value.strip()

    @field_validator("clickhouse_url")
    @classmethod
    def _url_scheme(cls, value: SecretStr) -> SecretStr:
        scheme = urlsplit(value.get_secret_value()).scheme
        if scheme not in {"chdb", "http", "https"}:
            raise ValueError(f"scheme must be chdb, http or https, got {scheme or 'none'!r}")
        return value

    @property
    def is_embedded_store(self) -> bool:
        return self.clickhouse_url.get_secret_value().startswith("chdb:")

    def kafka_client_options(self) -> dict[str, Any]:
        """Options shared by every aiokafka client Seamscope creates."""
        opts: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap,
            "security_protocol": self.kafka_security_protocol,
        }
        if self.kafka_sasl_mechanism:
            opts["sasl_mechanism"] = self.kafka_sasl_mechanism
            opts["sasl_plain_username"] = self.kafka_sasl_username
            if self.kafka_sasl_password is not None:
                opts["sasl_plain_password"] = self.kafka_sasl_password.get_secret_value()
        if self.kafka_security_protocol in {"SSL", "SASL_SSL"}:
            from aiokafka.helpers import create_ssl_context

            opts["ssl_context"] = create_ssl_context(
                cafile=str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None
            )
        return opts

    def describe(self) -> dict[str, str]:
        """Settings safe to print: secrets masked, passwords removed from URLs."""
        shown = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
                value = redact_url(value) if name == "clickhouse_url" else "**********"
            shown[name] = "" if value is None else str(value)
        return shown


def redact_url(url: str) -> str:
    """The URL with any password replaced, fit for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
