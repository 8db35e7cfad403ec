"""The SLA service inside the worker: journey events in, alerts out.

Every worker observes every journey event, resolving each event's journeys through the
worker's identity graph: the events its own pipeline stitched as they are, and those other
workers stitched as their identity facts carry them (``seamscope.identity``, which every
worker reads whole anyway: one record per batch). Only the faust leader publishes alerts
and calls the webhook, so a standby already holds the clocks when it takes over. On start,
alerts raised before are read back from ``seamscope.alerts`` and the history is replayed
from ``seamscope.journey-events`` without raising anything; then the clocks run. The
engine's stage facts go to ``seamscope.stage-facts`` the same way (the leader publishes);
the replay re-derives them, and a fact published again unchanged replaces itself in the
store (same key), so a restart counts nothing twice. (Observing an event twice changes
nothing: another worker's event near the end of the history may come both ways.)
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import mode
import orjson

from schemas.canonical import identifier_key
from seamscope.network import Network
from seamscope.settings import Settings
from seamscope.telemetry import StageCosts
from streams import kafka
from streams.pipeline import Record, Seen
from streams.sla import Alert, Observation, SlaEngine
from streams.stitch import IdentityGraph, is_order_level, journey_id_for
from streams.topics import ALERTS, JOURNEY_EVENTS, ORIGIN, STAGE_FACTS
from streams.webhook import Webhook

log = logging.getLogger(__name__)

#: Orphan events wait this long for a journey to claim them.
PENDING_FOR = timedelta(hours=6)


@dataclass(slots=True, eq=False)
class _Orphan:
    """An event none of whose identifiers a journey holds yet."""

    since: datetime
    e: Seen
    seq: int = 0


#: How often the clocks are looked at: a breach opens at most this long after its deadline
#: (a tick with nothing due costs microseconds).
TICK_S = 0.25


class SlaService(mode.Service):
    def __init__(
        self,
        settings: Settings,
        network: Network,
        graph: IdentityGraph,
        is_leader: Callable[[], bool] = lambda: True,
        origin: str = "",
        costs: StageCosts | None = None,
        **kwargs: Any,
    ) -> None:
        self.settings = settings
        #: CPU time of the clocks (stage ``clocks``): observing, ticking, encoding alerts.
        self.costs = costs or StageCosts(("clocks",))
        #: Journey events carrying this origin header were produced by this process's
        #: own pipeline and handed to ``observe_local`` already: not decoded again.
        self.origin = origin.encode()
        self.engine = SlaEngine(
            network,
            hot_journeys=settings.sla_hot_journeys,
            retention=timedelta(seconds=settings.journey_retention_s),
        )
        self.graph = graph
        self.is_leader = is_leader
        carriers = [p for p in network.partners if p.type.value == "carrier"]
        #: tracking-number issuer (carrier code) -> the carrier partner and its node
        self.carriers = {p.carrier: (p.id, p.node) for p in reversed(carriers) if p.carrier}
        self.carriers.update({p.id: (p.id, p.node) for p in carriers})
        self.watermark: datetime | None = None
        self.lateness = timedelta(seconds=settings.sla_lateness_s)
        #: Orphan events (no journey holds any of their identifiers yet), by each key they
        #: wait for: observed as soon as the identity graph files one of those keys under a
        #: journey (``claim``); and in arrival order, to be forgotten after ``PENDING_FOR``.
        self.orphans: dict[str, list[_Orphan]] = {}
        self._orphans_by_age: OrderedDict[int, _Orphan] = OrderedDict()
        self._orphan_seq = 0
        self.published = 0
        self.facts_published = 0
        #: While catching up no breach opens (see ``SlaEngine.replaying``): on the
        #: history of events, and on event time also on the raw input still
        #: waiting (the watermark of a backlog runs ahead of its slowest partitions).
        self.engine.replaying = True
        self.history_read = False
        self.input_behind: Callable[[], bool] = lambda: False
        #: The wall-clock time before which every raw record has been read and observed
        #: (the worker's; None: no bound). The wall clock never runs past it, so a backlog
        #: in this pipeline never looks like a partner missing its deadline.
        self.input_horizon: Callable[[], datetime | None] = lambda: None
        self._restored = asyncio.Event()
        self.webhook: Webhook | None = None
        if settings.webhook_url:
            secret = settings.webhook_secret
            self.webhook = Webhook(
                settings.webhook_url,
                secret.get_secret_value() if secret else None,
                settings.webhook_format,
            )
        super().__init__(**kwargs)

    def now(self) -> datetime:
        if self.settings.sla_clock == "event":
            if self.watermark is None:
                return datetime.min.replace(tzinfo=UTC)
            return self.watermark - self.lateness
        now = datetime.now(UTC)
        horizon = self.input_horizon()
        return now if horizon is None or horizon > now else horizon

    async def on_start(self) -> None:
        await kafka.ensure_network_topics(self.settings, [])
        self.producer = kafka.producer(self.settings)
        await self.producer.start()
        self.sender = kafka.BatchSender(self.producer)
        if self.webhook:
            await self.webhook.start()
        await self._restore_alerts()
        self.history = kafka.consumer(self.settings, None)
        await self.history.start()
        self.history_end = await kafka.assign_from_start(self.history, JOURNEY_EVENTS)
        self._restored.set()

    async def on_stop(self) -> None:
        await self.history.stop()
        if self.webhook:
            await self.webhook.stop()
        await self.producer.stop()

    async def _restore_alerts(self) -> None:
        consumer = kafka.consumer(self.settings, None)
        await consumer.start()
        try:
            end = await kafka.assign_from_start(consumer, ALERTS)
            latest: dict[str, Alert] = {}
            while await kafka.behind(consumer, end):
                batches = await consumer.getmany(timeout_ms=500, max_records=20_000)
                for records in batches.values():
                    for r in records:
                        if r.value:
                            a = Alert.from_dict(orjson.loads(r.value))
                            if a.alert_id not in latest or a.version > latest[a.alert_id].version:
                                latest[a.alert_id] = a
            self.engine.restore(latest.values())
            if latest:
                log.info("restored %d alerts raised before", len(latest))
        finally:
            await consumer.stop()

    def _observation(self, e: Seen, journeys: list[str]) -> Observation:
        return Observation(
            journeys=tuple(journeys),
            milestone=e.milestone,
            occurred_at=e.occurred_at,
            partner_id=e.partner_id,
            partner_type=e.partner_type,
            node_id=e.node_id,
            ownership=e.ownership,
            promised_by=e.promised_by,
            carrier=self._carrier(e.issuers),
            heard_at=e.occurred_at if self.settings.sla_clock == "event" else e.ingested_at,
        )

    def _carrier(self, identifiers: Iterable[tuple[str, str | None]]) -> tuple[str, str] | None:
        """The carrier (partner, node) whose tracking number the event carries, if any."""
        for id_type, issuer in identifiers:
            if id_type == "tracking_number" and issuer in self.carriers:
                return self.carriers[issuer]
        return None

    @mode.Service.task
    async def _replay(self) -> None:
        """The history: every journey event published before the service started (and a
        few after, observed twice: harmless). What follows reaches the clocks from the
        worker (``observe_local``)."""
        await self._restored.wait()
        while not self.should_stop and await kafka.behind(self.history, self.history_end):
            batches = await self.history.getmany(timeout_ms=200, max_records=10_000)
            with self.costs.timed("clocks"):
                changed = self.observe_records(r for part in batches.values() for r in part)
            await self._publish(changed)
        await self.history.stop()
        self.history_read = True
        settled = self.engine.forget_settled(self.now())
        log.info(
            "SLA clocks running: %d journeys, %d alerts (%d resolved breaches of journeys "
            "forgotten before dropped)",
            self.engine.open_journeys, self.engine.alerts_held, settled,
        )  # fmt: skip

    def observe_records(self, records: Iterable[Record]) -> list[Alert]:
        """Journey events read from Kafka (this process's own are skipped): a journey is
        looked at once for the poll, as in ``observe_local``."""
        changed: list[Alert] = []
        self._catching_up(observing=True)
        self.engine.defer()
        try:
            for r in records:
                if r.value and not self._own(r.headers):
                    changed.extend(self._observe(_seen(orjson.loads(r.value))))
        finally:
            changed.extend(self.engine.evaluate_deferred(self.now()))
        return changed

    def _own(self, headers: Sequence[tuple[str, bytes]]) -> bool:
        return bool(self.origin) and any(k == ORIGIN and v == self.origin for k, v in headers)

    def _catching_up(self, observing: bool = False) -> bool:
        """Whether breaches wait: on the history of events; on event time, while
        raw input waits beyond the last poll; and always while observing a batch: the
        clock may be past a deadline whose ending event is later in the same batch, so
        only ``tick``, between batches, opens breaches."""
        event_time = self.settings.sla_clock == "event"
        self.engine.replaying = (
            not self.history_read or observing or (event_time and self.input_behind())
        )
        return self.engine.replaying

    async def observe_local(self, events: Iterable[Seen], claimed: Iterable[str] = ()) -> None:
        """Events this process's pipeline just stitched, or other workers' identity facts
        carried, as they are (not decoded from Kafka). ``claimed``: identifier keys the
        graph has filed under a journey since: orphans waiting for one of them are
        observed now."""
        await self._restored.wait()  # alerts raised before are restored first
        with self.costs.timed("clocks"):
            self._catching_up(observing=True)
            changed: list[Alert] = []
            # (Event time moves with the events; the wall clock is the batch's.)
            now = None if self.settings.sla_clock == "event" else self.now()
            # A journey is looked at once for the batch, not once per event (at the worker's
            # batch size, a journey of B2's has about two events in a batch).
            self.engine.defer()
            try:
                for e in events:
                    changed.extend(self._observe(e, now))
                changed.extend(self._claim(claimed, now))
            finally:
                changed.extend(self.engine.evaluate_deferred(now or self.now()))
        await self._publish(changed)

    def _advance(self, at: datetime, flags: Sequence[str]) -> None:
        if "future_timestamp" not in flags and (self.watermark is None or at > self.watermark):
            self.watermark = at

    def _observe(self, e: Seen, now: datetime | None = None) -> list[Alert]:
        """One event, on the clocks of the journeys the graph files it under now (the whole
        batch applied: a link later in it may have merged two); an orphan waits for a
        journey to claim it."""
        self._advance(e.occurred_at, e.quality_flags)
        journeys = self.graph.journeys_of(e.keys)
        if not journeys:
            self._wait(_Orphan(datetime.now(UTC), e))
            return []
        return self._observe_filed(e, journeys, now)

    def _observe_filed(self, e: Seen, journeys: list[str], now: datetime | None) -> list[Alert]:
        linked = [k for link in e.links for k in link]
        return [
            *self._follow_merges([*e.keys, *linked]),
            *self.engine.observe(self._observation(e, journeys), now or self.now()),
        ]

    def _follow_merges(self, keys: Iterable[str]) -> list[Alert]:
        """Fold journeys the engine holds under an id their order no longer goes by (two
        orders' ids found to be one order: the older id is an alias now) into the journey
        they became, so stage clocks and facts see the whole order. An order's journey id
        is that of one of its order-level identifiers, so an identifier whose own journey
        id the engine holds, while the graph files it under another, names a merge."""
        changed: list[Alert] = []
        for key in keys:
            if not is_order_level(key):
                continue
            earlier = journey_id_for(key)
            if not self.engine.knows(earlier):
                continue
            current = self.graph.order_journey(key)
            if current is not None and current != earlier:
                changed.extend(self.engine.merge(earlier, current, self.now()))
        return changed

    @mode.Service.timer(TICK_S)
    async def _tick(self) -> None:
        with self.costs.timed("clocks"):
            self._forget_orphans(datetime.now(UTC) - PENDING_FOR)
            if self._catching_up():
                return
            changed = self.engine.tick(self.now())
        await self._publish(changed)

    def _wait(self, orphan: _Orphan) -> None:
        """Keep an orphan until a journey claims one of its keys."""
        self._orphan_seq += 1
        orphan.seq = self._orphan_seq
        self._orphans_by_age[orphan.seq] = orphan
        for key in orphan.e.keys:
            self.orphans.setdefault(key, []).append(orphan)

    def _unwait(self, orphan: _Orphan) -> None:
        del self._orphans_by_age[orphan.seq]
        for key in orphan.e.keys:
            waiting = self.orphans.get(key)
            if waiting is not None:
                waiting.remove(orphan)
                if not waiting:
                    del self.orphans[key]

    def _claim(self, keys: Iterable[str], now: datetime | None = None) -> list[Alert]:
        """Observe the orphans waiting for ``keys``, which a journey now holds."""
        changed: list[Alert] = []
        for key in keys:
            waiting = self.orphans.get(key)
            while waiting:
                orphan = waiting[0]
                self._unwait(orphan)
                journeys = self.graph.journeys_of(orphan.e.keys)
                if journeys:  # (else its journey was retired meanwhile)
                    changed.extend(self._observe_filed(orphan.e, journeys, now))
                waiting = self.orphans.get(key)
        return changed

    def _forget_orphans(self, cutoff: datetime) -> None:
        """Orphans that came before ``cutoff`` and no journey claimed are let go."""
        while self._orphans_by_age:
            orphan = next(iter(self._orphans_by_age.values()))
            if orphan.since >= cutoff:
                return
            self._unwait(orphan)

    async def _publish(self, changed: list[Alert]) -> None:
        facts = self.engine.take_facts()
        if not (changed or facts) or not self.is_leader():
            return
        with self.costs.timed("clocks"):
            # orjson writes the dataclasses as their ``to_dict()`` would, at a third the cost.
            records = []
            for a in changed:
                records.append((ALERTS, a.alert_id.encode(), orjson.dumps(a)))
                if self.webhook and a.paged:
                    self.webhook.send(a.to_dict())
            records.extend((STAGE_FACTS, f.journey_id.encode(), orjson.dumps(f)) for f in facts)
        await self.sender.send(records)
        self.published += len(changed)
        self.facts_published += len(facts)


def _seen(e: dict[str, Any]) -> Seen:
    """What the clocks read of a journey event, from its JSON (``JourneyEvent``)."""
    promised = e.get("promised_by")
    return Seen(
        b"",
        tuple(dict.fromkeys(_key(i) for i in e["identifiers"])),
        tuple((_key(link["child"]), _key(link["parent"])) for link in e.get("links", ())),
        e["milestone"],
        datetime.fromisoformat(e["occurred_at"]),
        datetime.fromisoformat(e["ingested_at"]),
        tuple(e.get("quality_flags", ())),
        e["partner_id"],
        e["partner_type"],
        e["node_id"],
        e.get("ownership", ""),
        datetime.fromisoformat(promised) if promised else None,
        tuple((i["type"], i.get("issuer", "")) for i in e["identifiers"]),
    )


def _key(identifier: dict[str, str]) -> str:
    return identifier_key(identifier["type"], identifier.get("issuer", ""), identifier["value"])
