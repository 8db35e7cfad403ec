"""Alert webhooks: JSON POSTs signed with HMAC-SHA256, retried with backoff.

Each delivery carries ``X-Seamscope-Alert-Id`` and ``X-Seamscope-Alert-Status`` (so a
receiver can drop a repeat) and, with a secret, ``X-Seamscope-Signature: sha256=<hex>``
over the exact body. ``slack`` format sends a Slack-compatible ``{"text": ...}`` body.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def slack_text(alert: dict[str, Any]) -> str:
    kind = alert["kind"].replace("_", " ")
    who = alert["partner_id"] + (f" at {alert['node_id']}" if alert["node_id"] else "")
    what = {
        "incident": f"{alert['journeys']} journeys past the {alert['rule']} SLA",
        "partner_silent": f"silent, holding {alert['journeys']} open journeys",
        "sla_breach": f"journey {alert['journey_id']} past the {alert['rule']} SLA "
        f"(due {alert['deadline']})",
        "silent_hold": f"journey {alert['journey_id']} held by a silent partner",
    }.get(alert["kind"], alert["rule"])
    return f"[{alert['status'].upper()}] {kind}: {who}: {what}"


class Webhook:
    def __init__(
        self, url: str, secret: str | None = None, fmt: str = "json", max_attempts: int = 8,
        backoff_s: float = 0.5,
    ) -> None:  # fmt: skip
        self.url = url
        self.secret = secret
        self.fmt = fmt
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.delivered = 0
        self.failed = 0
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def send(self, alert: dict[str, Any]) -> None:
        """Queue an alert; delivery happens in the background, in order."""
        self._queue.put_nowait(alert)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run())

    async def stop(self, drain_s: float = 5.0) -> None:
        try:
            await asyncio.wait_for(self._queue.join(), drain_s)
        except TimeoutError:
            log.warning("%d webhook deliveries still queued at shutdown", self._queue.qsize())
        if self._task:
            self._task.cancel()
        if self._session:
            await self._session.close()

    async def _run(self) -> None:
        while True:
            alert = await self._queue.get()
            try:
                await self._deliver(alert)
            finally:
                self._queue.task_done()

    async def _deliver(self, alert: dict[str, Any]) -> None:
        payload = {"text": slack_text(alert), "alert": alert} if self.fmt == "slack" else alert
        body = json.dumps(payload, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Seamscope-Alert-Id": alert["alert_id"],
            "X-Seamscope-Alert-Status": alert["status"],
        }
        if self.secret:
            headers["X-Seamscope-Signature"] = signature(self.secret, body)
        assert self._session is not None
        delay = self.backoff_s
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self._session.post(self.url, data=body, headers=headers) as resp:
                    if resp.status < 500 and resp.status != 429:
                        if resp.status >= 400:
                            log.error("webhook refused alert %s: HTTP %d", alert["alert_id"],
                                      resp.status)  # fmt: skip
                            self.failed += 1
                        else:
                            self.delivered += 1
                        return
                    reason = f"HTTP {resp.status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            log.warning("webhook attempt %d/%d for %s failed (%s)", attempt, self.max_attempts,
                        alert["alert_id"], reason)  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
        self.failed += 1
        log.error("webhook gave up on alert %s after %d attempts", alert["alert_id"],
                  self.max_attempts)  # fmt: skip
