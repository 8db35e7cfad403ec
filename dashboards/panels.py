"""Dashboard panels as code: each a named ClickHouse query plus how to show it.

The same definitions serve the built-in web UI (through the query API) and, later,
generated Grafana dashboards. Queries take bound parameters only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sinks.store import Store


@dataclass(frozen=True)
class Panel:
    name: str
    title: str
    sql: str
    visual: Literal["table", "timeseries", "bar"]
    description: str = ""


PANELS: dict[str, Panel] = {
    p.name: p
    for p in (
        Panel(
            name="partner_health",
            title="Partner health",
            description="Per partner and node: events, journeys, exceptions, data-quality "
            "flags, and how long since the partner last reported.",
            visual="table",
            sql="""
SELECT partner_id, node_id, ownership,
       uniqExact(event_id) AS events,
       uniqExact(journey_id) AS journeys,
       uniqExactIf(event_id, exception_reason != '') AS exceptions,
       uniqExactIf(event_id, length(quality_flags) > 0) AS quality_problems,
       max(ingested_at) AS last_event_at,
       dateDiff('second', max(ingested_at), now64(3)) AS silent_for_s
FROM journey_events
GROUP BY partner_id, node_id, ownership
ORDER BY partner_id, node_id""",
        ),
        Panel(
            name="dead_letters",
            title="Dead letters by partner and reason",
            description="Payloads that did not become events, with the reason.",
            visual="table",
            sql="""
SELECT partner_id, source_topic, reason, count() AS letters, max(failed_at) AS last_at
FROM dead_letters
GROUP BY partner_id, source_topic, reason
ORDER BY letters DESC, partner_id
LIMIT 200""",
        ),
        Panel(
            name="milestones_by_ownership",
            title="Events per milestone, owned vs partner nodes",
            description="Where journeys are reported from, by node ownership.",
            visual="bar",
            sql="""
SELECT milestone, ownership, uniqExact(event_id) AS events
FROM journey_events
GROUP BY milestone, ownership
ORDER BY milestone, ownership""",
        ),
    )
}


def run_panel(
    store: Store, name: str, parameters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows of a panel; ``KeyError`` naming the known panels for an unknown name."""
    try:
        panel = PANELS[name]
    except KeyError:
        raise KeyError(f"no panel {name!r}; known: {', '.join(sorted(PANELS))}") from None
    return store.rows(panel.sql, parameters or {})
