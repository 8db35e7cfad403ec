"""Shared fixtures: a real embedded broker and a real chDB engine, never mocks."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from seamscope.embedded import EmbeddedBroker
from seamscope.network import Network, load_network
from seamscope.settings import Settings
from sinks.migrate import migrate
from sinks.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"

#: chDB allows one engine folder per process: every test shares it, each in its own database.
_CHDB_DIR = Path(os.environ.get("SEAMSCOPE_TEST_CHDB", f"/tmp/seamscope-test-chdb-{os.getpid()}"))


@pytest.fixture(scope="session")
def network() -> Network:
    return load_network(ROOT / "seamscope.yaml")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(tmp_path / "run") as b:
        yield b


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(f"chdb://{_CHDB_DIR}", database=f"t_{uuid.uuid4().hex[:12]}")
    migrate(s)
    yield s
    s.command(f"DROP DATABASE IF EXISTS `{s.database}`")


@pytest.fixture
def settings(broker: EmbeddedBroker, store: Store, tmp_path: Path) -> Settings:
    return Settings(
        kafka_bootstrap=broker.bootstrap,
        kafka_session_timeout_ms=1500,
        clickhouse_url=store.url,
        clickhouse_database=store.database,
        config=ROOT / "seamscope.yaml",
        run_dir=tmp_path / "run",
        sink_flush_interval_s=0.3,
        topic_partitions=2,
    )
