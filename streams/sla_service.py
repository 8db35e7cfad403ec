"""The SLA service inside the worker: journey events in, alerts out.

Every worker reads all journey events (no group) into its SLA engine, resolving each
event's journeys through the worker's identity graph; only the faust leader publishes
alerts and calls the webhook, so a standby already holds the clocks when it takes over.
On start, alerts raised before are read back from ``seamscope.alerts`` and the history of
journey events is replayed without raising anything; then the clocks run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import mode

from schemas.canonical import identifier_key
from seamscope.network import Network
from seamscope.settings import Settings
from streams import kafka
from streams.sla import Alert, Observation, SlaEngine
from streams.stitch import IdentityGraph
from streams.topics import ALERTS, JOURNEY_EVENTS
from streams.webhook import Webhook

log = logging.getLogger(__name__)

#: Orphan events are retried this long for a journey to claim them.
PENDING_FOR = timedelta(hours=6)


class SlaService(mode.Service):
    def __init__(
        self,
        settings: Settings,
        network: Network,
        graph: IdentityGraph,
        is_leader: Callable[[], bool] = lambda: True,
        **kwargs: Any,
    ) -> None:
        self.settings = settings
        self.engine = SlaEngine(network)
        self.graph = graph
        self.is_leader = is_leader
        carriers = [p for p in network.partners if p.type.value == "carrier"]
        #: tracking-number issuer (carrier code) -> the carrier partner and its node
        self.carriers = {p.carrier: (p.id, p.node) for p in reversed(carriers) if p.carrier}
        self.carriers.update({p.id: (p.id, p.node) for p in carriers})
        self.watermark: datetime | None = None
        self.lateness = timedelta(seconds=settings.sla_lateness_s)
        self.pending: list[tuple[datetime, list[str], dict[str, Any]]] = []
        self.published = 0
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
        return datetime.now(UTC)

    async def on_start(self) -> None:
        await kafka.ensure_network_topics(self.settings, [])
        self.producer = kafka.producer(self.settings)
        await self.producer.start()
        if self.webhook:
            await self.webhook.start()
        await self._restore_alerts()
        self.events = kafka.consumer(self.settings, None)
        await self.events.start()
        self.history_end = await kafka.assign_from_start(self.events, JOURNEY_EVENTS)
        self.engine.replaying = True

    async def on_stop(self) -> None:
        await self.events.stop()
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
                            a = Alert.from_dict(json.loads(r.value))
                            if a.alert_id not in latest or a.version > latest[a.alert_id].version:
                                latest[a.alert_id] = a
            self.engine.restore(latest.values())
            if latest:
                log.info("restored %d alerts raised before", len(latest))
        finally:
            await consumer.stop()

    def _observation(self, e: dict[str, Any], keys: list[str]) -> Observation | None:
        journeys = self.graph.journeys_of(keys)
        if not journeys:
            return None
        return Observation(
            journeys=tuple(journeys),
            milestone=e["milestone"],
            occurred_at=datetime.fromisoformat(e["occurred_at"]),
            partner_id=e["partner_id"],
            partner_type=e["partner_type"],
            node_id=e["node_id"],
            promised_by=datetime.fromisoformat(e["promised_by"]) if e.get("promised_by") else None,
            carrier=next(
                (
                    self.carriers[i["issuer"]]
                    for i in e["identifiers"]
                    if i["type"] == "tracking_number" and i.get("issuer") in self.carriers
                ),
                None,
            ),
            heard_at=datetime.fromisoformat(
                e["occurred_at" if self.settings.sla_clock == "event" else "ingested_at"]
            ),
        )

    @mode.Service.task
    async def _consume(self) -> None:
        while not self.should_stop:
            batches = await self.events.getmany(timeout_ms=200, max_records=10_000)
            changed: list[Alert] = []
            for records in batches.values():
                for r in records:
                    if r.value:
                        changed.extend(self._observe(json.loads(r.value)))
            if self.engine.replaying and not await kafka.behind(self.events, self.history_end):
                self.engine.replaying = False
                log.info("SLA clocks running: %d journeys", self.engine.open_journeys)
            await self._publish(changed)

    def _observe(self, e: dict[str, Any]) -> list[Alert]:
        at = datetime.fromisoformat(e["occurred_at"])
        if "future_timestamp" not in e.get("quality_flags", ()) and (
            self.watermark is None or at > self.watermark
        ):
            self.watermark = at
        keys = [
            identifier_key(i["type"], i.get("issuer", ""), i["value"]) for i in e["identifiers"]
        ]
        obs = self._observation(e, keys)
        if obs is None:
            self.pending.append((datetime.now(UTC), keys, e))
            return []
        return self.engine.observe(obs, self.now())

    @mode.Service.timer(0.5)
    async def _tick(self) -> None:
        if self.engine.replaying:
            return
        changed: list[Alert] = []
        if self.pending:
            waiting, self.pending = self.pending, []
            cutoff = datetime.now(UTC) - PENDING_FOR
            for since, keys, e in waiting:
                obs = self._observation(e, keys)
                if obs is not None:
                    changed.extend(self.engine.observe(obs, self.now()))
                elif since > cutoff:
                    self.pending.append((since, keys, e))
        changed.extend(self.engine.tick(self.now()))
        await self._publish(changed)

    async def _publish(self, changed: list[Alert]) -> None:
        if not changed or not self.is_leader():
            return
        futures = []
        for a in changed:
            record = a.to_dict()
            futures.append(
                await self.producer.send(
                    ALERTS, json.dumps(record).encode(), key=a.alert_id.encode()
                )
            )
            if self.webhook and a.paged:
                self.webhook.send(record)
        for f in futures:
            await f
        self.published += len(changed)
