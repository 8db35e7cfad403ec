"""Re-process dead letters after a mapping or config fix.

Dead letters are read back from ``seamscope.deadletter`` (so this works while a demo owns
the store), tried again with the current adapters and network config, and those that now
yield events are published again to their partner's raw topic, with their original
transport headers, for the worker to process like any report. Every attempt is recorded
on the dead-letter topic (and so in ``dead_letter_replays``), succeeded or not. Replaying
the same letter twice is harmless: its events have the same ids.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from schemas.adapters import FORMATS
from schemas.adapters.base import RawMessage
from schemas.messages import DeadLetter, DeadLetterReplay
from seamscope.network import Network
from seamscope.settings import Settings
from streams import kafka
from streams.topics import DEADLETTER, raw_topic

log = logging.getLogger(__name__)


@dataclass
class ReplayReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    replays: list[DeadLetterReplay] = field(default_factory=list)


async def read_dead_letters(settings: Settings) -> list[DeadLetter]:
    """Every dead letter on the topic, newest record per dead letter id."""
    consumer = kafka.consumer(settings, None)
    await consumer.start()
    try:
        end = await kafka.assign_from_start(consumer, DEADLETTER)
        letters: dict[str, DeadLetter] = {}
        while await kafka.behind(consumer, end):
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for records in batches.values():
                for r in records:
                    if not r.value or b'"kind":"replay"' in r.value:
                        continue
                    try:
                        letter = DeadLetter.model_validate_json(r.value)
                    except ValueError as exc:
                        log.warning("unreadable dead letter at offset %s: %s", r.offset, exc)
                        continue
                    letters[letter.dead_letter_id] = letter
        return list(letters.values())
    finally:
        await consumer.stop()


def retry(letter: DeadLetter, network: Network, now: datetime) -> DeadLetterReplay:
    """Try a dead letter with today's adapters and config; nothing is published here."""

    def outcome(kind: str, events: int = 0, reason: str = "", topic: str = "") -> DeadLetterReplay:
        return DeadLetterReplay(
            dead_letter_id=letter.dead_letter_id, partner_id=letter.partner_id, outcome=kind,
            events=events, reason=reason, republished_to=topic, replayed_at=now,
        )  # fmt: skip

    topic = raw_topic(letter.partner_id) if letter.partner_id else letter.source_topic
    ctx = network.contexts.get(topic)
    if ctx is None:
        return outcome("skipped", reason=f"no partner in the network config reads {topic!r}")
    raw = RawMessage(letter.raw, letter.headers, topic, letter.source_partition,
                     letter.source_offset)  # fmt: skip
    result = FORMATS[ctx.partner_format].adapter.normalize(raw, ctx, now)
    if result.problems:
        return outcome("still_failing", len(result.events), "; ".join(result.problems))
    return outcome("succeeded", len(result.events), topic=topic)


async def replay_dead_letters(
    settings: Settings,
    network: Network,
    partner: str | None = None,
    since: datetime | None = None,
) -> ReplayReport:
    letters = [
        d
        for d in await read_dead_letters(settings)
        if (partner is None or d.partner_id == partner) and (since is None or d.failed_at >= since)
    ]
    report = ReplayReport()
    now = datetime.now(UTC)
    producer = kafka.producer(settings)
    await producer.start()
    try:
        futures = []
        for letter in sorted(letters, key=lambda d: (d.source_topic, d.source_offset)):
            replay = retry(letter, network, now)
            if replay.outcome == "succeeded":
                headers = [(k, v.encode()) for k, v in letter.headers.items()]
                headers.append(("seamscope-replay-of", letter.dead_letter_id.encode()))
                futures.append(
                    await producer.send(replay.republished_to, letter.raw, headers=headers)
                )
            futures.append(
                await producer.send(
                    DEADLETTER, replay.model_dump_json().encode(), key=letter.partner_id.encode()
                )
            )
            report.outcomes[replay.outcome] += 1
            report.replays.append(replay)
        for f in futures:
            await f
    finally:
        await producer.stop()
    return report
