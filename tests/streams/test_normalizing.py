"""Normalizing in processes beside the worker: the same events as in the worker, and no
chunk lost when a normalizing process dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from seamscope.network import Network
from streams.normalizing import Normalizer
from streams.pipeline import Normalized, RawRecord, normalize_batch
from streams.simulate import Simulator
from streams.topics import raw_topic
from tests.helpers import ROOT, raw_records

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _chunks(network: Network) -> list[list[RawRecord]]:
    steps = Simulator(network, seed=5).plan_history(30, NOW, days=6)
    records = [RawRecord.of(r) for r in raw_records(network, steps)]
    records += [
        RawRecord(raw_topic("shopify"), 0, 1, b'{"id": 1, "name": '),  # a problem
        RawRecord("seamscope.raw.stranger", 0, 2, b"{}"),  # no partner reads it
    ]
    return [records[i : i + 40] for i in range(0, len(records), 40)]


async def _normalized(
    normalizer: Normalizer, chunks: list[list[RawRecord]]
) -> list[tuple[list[RawRecord], list[Normalized]]]:
    return [done async for done in normalizer.each(chunks, NOW)]


def _pids(normalizer: Normalizer) -> set[int]:
    pool = normalizer._pool
    assert pool is not None
    return set(pool._processes)


def test_a_normalizing_process_gives_what_the_worker_would(network: Network) -> None:
    chunks = _chunks(network)
    here = [normalize_batch(chunk, network.contexts, NOW) for chunk in chunks]
    assert sum(len(done[0]) for n in here for done in n if done) > 100
    assert any(done and done[1] for n in here for done in n)  # the broken payload
    assert any(done is None for n in here for done in n)  # the stranger's topic

    async def run() -> None:
        normalizer = Normalizer(network.contexts, processes=1)
        await normalizer.start()
        try:
            assert _pids(normalizer) and os.getpid() not in _pids(normalizer)
            away = await _normalized(normalizer, chunks)
        finally:
            await normalizer.stop()
        assert [chunk for chunk, _ in away] == chunks
        assert [n for _, n in away] == here

    asyncio.run(run())


def test_chunks_a_dead_process_held_are_normalized_here_and_a_new_one_starts(
    network: Network,
) -> None:
    chunks = _chunks(network)
    here = [normalize_batch(chunk, network.contexts, NOW) for chunk in chunks]

    async def run() -> None:
        normalizer = Normalizer(network.contexts, processes=1)
        await normalizer.start()
        try:
            assert [n for _, n in await _normalized(normalizer, chunks)] == here
            (first,) = _pids(normalizer)
            os.kill(first, signal.SIGKILL)
            assert [n for _, n in await _normalized(normalizer, chunks)] == here
            assert normalizer.restarts == 1
            (second,) = _pids(normalizer)
            assert second != first
            assert [n for _, n in await _normalized(normalizer, chunks)] == here
            assert normalizer.restarts == 1 and _pids(normalizer) == {second}
        finally:
            await normalizer.stop()

    asyncio.run(run())


def test_no_processes_normalizes_in_the_worker(network: Network) -> None:
    chunks = _chunks(network)
    normalizer = Normalizer(network.contexts, processes=0)
    asyncio.run(normalizer.start())
    assert normalizer._pool is None
    done = asyncio.run(_normalized(normalizer, chunks))
    assert [n for _, n in done] == [normalize_batch(c, network.contexts, NOW) for c in chunks]


_KILLED_WORKER = """
import asyncio, sys
from pathlib import Path
from seamscope.network import load_network
from streams.normalizing import Normalizer

async def main() -> None:
    normalizer = Normalizer(load_network(Path(sys.argv[1])).contexts, processes=1)
    await normalizer.start()
    print(*normalizer._pool._processes, flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_a_worker_killed_outright_leaves_no_normalizing_process_behind() -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WORKER, str(ROOT / "seamscope.yaml")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert worker.stdout is not None
    (child,) = map(int, worker.stdout.readline().split())
    os.kill(child, 0)  # it runs
    worker.kill()
    worker.wait(10)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended: only its exit status is left)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
