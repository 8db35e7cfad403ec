"""Every topic Seamscope reads or writes, declared once. These names are the external contract."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)

RAW_PREFIX = "seamscope.raw."
DEADLETTER = "seamscope.deadletter"
JOURNEY_EVENTS = "seamscope.journey-events"
JOURNEYS = "seamscope.journeys"
ALERTS = "seamscope.alerts"
#: Each journey's stage facts (latency stages, SLA outcomes), from the SLA engine, keyed by
#: journey id; the latency and SLA panels read them.
STAGE_FACTS = "seamscope.stage-facts"
#: Every event's identity facts and what the SLA clocks read of it, keyed by the worker
#: that stitched it; each worker reads all of it into its identity graph and SLA clocks.
IDENTITY = "seamscope.identity"

#: Header naming the worker instance that produced a record (see ``Pipeline.origin``).
ORIGIN = "seamscope-origin"

#: Topics the worker writes, keyed by journey id (dead letters by partner id).
OUTPUT_TOPICS = (JOURNEY_EVENTS, JOURNEYS, DEADLETTER, IDENTITY, STAGE_FACTS)


def raw_topic(partner_id: str) -> str:
    """The topic a partner's raw payloads arrive on."""
    return f"{RAW_PREFIX}{partner_id}"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int


async def ensure_topics(admin: AIOKafkaAdminClient, specs: list[TopicSpec]) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    existing = set(await admin.list_topics())
    missing = [s for s in specs if s.name not in existing]
    if not missing:
        return []
    try:
        await admin.create_topics(
            [NewTopic(s.name, num_partitions=s.partitions, replication_factor=1) for s in missing]
        )
    except TopicAlreadyExistsError:
        log.debug("topics created concurrently by another process")
    return [s.name for s in missing]
