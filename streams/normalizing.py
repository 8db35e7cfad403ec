"""Normalizing for the worker, in processes of its own while the worker stitches.

Normalizing is pure (raw bytes in, canonical events out) and costs the worker about half
its CPU per record; stitching and the SLA clocks hold state and must see every event in
one place. So the worker sends each batch's records, a chunk at a time, to a pool of
normalizing processes and stitches chunk after chunk as their results come back: the
pool normalizes the next chunk meanwhile, on another core. With no processes (one core,
or ``SEAMSCOPE_WORKER_NORMALIZE_PROCESSES=0``), the worker normalizes them itself.

The processes are started with ``spawn``: the worker's own threads (Kafka clients, the
event loop) must not be forked. A process that dies takes no record with it: its chunks
are normalized in the worker and a new pool is started.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import AsyncGenerator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing import get_context

from schemas.adapters.base import PartnerContext
from seamscope.runtime import freeze_heap, tune_gc
from seamscope.telemetry import StageCosts
from streams.pipeline import Normalized, RawRecord, Record, normalize_batch

log = logging.getLogger(__name__)

#: The partner contexts of a normalizing process (set once, when it starts).
_contexts: dict[str, PartnerContext] = {}


def _start(contexts: dict[str, PartnerContext]) -> None:
    global _contexts
    _contexts = contexts
    # Ctrl-C reaches the whole process group: the worker stops its pool itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker killed outright cannot stop its pool: a process must not outlive it.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    tune_gc()
    freeze_heap()


def _exit_with(sentinel: int) -> None:
    """Wait for the worker to end, then end this process (however busy)."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _ready() -> int:
    return os.getpid()


def _normalize(records: list[RawRecord], now: datetime) -> tuple[list[Normalized], float]:
    """The chunk normalized, and the CPU time that took (this process's)."""
    started = time.process_time()
    return normalize_batch(records, _contexts, now), time.process_time() - started


def default_processes() -> int:
    """Normalizing processes for this machine: one per core beyond the worker's, at most
    two (the worker's stitching and clocks take about as long per record as normalizing;
    more would wait on it). On 2 cores, shared with the broker and the sink, one still
    gains: the worker is the bottleneck there, not the cores."""
    return max(0, min(2, (os.cpu_count() or 1) - 1))


class Normalizer:
    """Normalizes chunks of raw records, in ``processes`` processes or (0) in this one;
    the CPU time that takes, wherever it runs, goes to ``costs`` (stage ``normalize``)."""

    def __init__(
        self,
        contexts: dict[str, PartnerContext],
        processes: int,
        costs: StageCosts | None = None,
    ) -> None:
        self.contexts = contexts
        self.processes = processes
        self.costs = costs or StageCosts(("normalize",))
        self._pool: ProcessPoolExecutor | None = None
        #: A process died: the pool is replaced before the next batch.
        self._broken = False
        self.restarts = 0

    async def start(self) -> None:
        if not self.processes:
            return
        self._pool = ProcessPoolExecutor(
            self.processes, mp_context=get_context("spawn"), initializer=_start,
            initargs=(self.contexts,),
        )  # fmt: skip
        # Every process started now (each imports the adapters), not on the first batch.
        loop = asyncio.get_running_loop()
        pids = await asyncio.gather(
            *(loop.run_in_executor(self._pool, _ready) for _ in range(self.processes))
        )
        log.info("normalizing processes started: pids %s", ", ".join(map(str, sorted(set(pids)))))

    async def stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def each(
        self, chunks: Sequence[Sequence[Record]], now: datetime
    ) -> AsyncGenerator[tuple[Sequence[Record], list[Normalized]], None]:
        """Each chunk with its records normalized (``normalize_batch``), chunk after chunk.

        With a pool, every chunk is handed over at once and normalized while the caller
        works on those before it; without one, a chunk is normalized when asked for.
        """
        if self._broken:
            await self._restart()
        pool = self._pool
        if pool is None:
            for chunk in chunks:
                yield chunk, self._here(chunk, now)
            return
        futures: list[Future[tuple[list[Normalized], float]]] = []
        try:
            for chunk in chunks:
                sent = [RawRecord.of(r) for r in chunk]  # (what pickles cheaply)
                futures.append(pool.submit(_normalize, sent, now))
        except BrokenProcessPool:  # (a process died since the last batch)
            self._broken = True
        try:
            for i, chunk in enumerate(chunks):
                result = None
                if i < len(futures) and not self._broken:
                    try:
                        result, cpu = await asyncio.wrap_future(futures[i])
                        self.costs.add("normalize", cpu)
                    except BrokenProcessPool as exc:
                        log.error("a normalizing process died (%s); normalizing here", exc)
                        self._broken = True
                yield chunk, self._here(chunk, now) if result is None else result
        finally:
            for future in futures:
                future.cancel()
        if self._broken:  # (a batch given up on restarts it at the next)
            await self._restart()

    def _here(self, chunk: Sequence[Record], now: datetime) -> list[Normalized]:
        with self.costs.timed("normalize"):
            return normalize_batch(chunk, self.contexts, now)

    async def _restart(self) -> None:
        """Replace a pool one of whose processes died."""
        old, self._pool = self._pool, None
        if old is not None:
            await asyncio.to_thread(old.shutdown, wait=False, cancel_futures=True)
        self._broken = False
        self.restarts += 1
        try:
            await self.start()
        except (OSError, BrokenProcessPool):  # (e.g. out of memory or processes)
            log.exception("could not start normalizing processes; normalizing in the worker")
            self._pool = None
