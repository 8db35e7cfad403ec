"""The views people open: each a page of panels, in the web UI and as a Grafana dashboard.

A view either lists panels (``dashboards.panels.PANELS``), is the journey search (its
page renders ``sinks.queries.find_journeys``; Grafana gets the ``journey_timeline``
panel), or is ``planned``: its page says what it will show and which work it waits for,
and shows no data until that data exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    slug: str
    title: str
    description: str
    panels: tuple[str, ...] = ()
    #: Extra filters the view's page and dashboard offer besides window and partner.
    filters: tuple[str, ...] = ()
    #: Why the view has no data yet (empty when it is live).
    planned: str = ""


VIEWS: dict[str, View] = {
    v.slug: v
    for v in (
        View(
            "health",
            "Partner health",
            "Volume, freshness, exception rate, data-quality problems and dead letters, per "
            "partner and node, with trends.",
            panels=(
                "overview",
                "partner_health",
                "volume_trend",
                "exception_rate_trend",
                "dead_letter_trend",
                "quality_flags",
            ),
        ),
        View(
            "latency",
            "Latency",
            "Stage and handoff durations (p50/p90/p99) per partner and node, over time.",
            panels=("stage_latency_trend", "stage_latency"),
        ),
        View(
            "exceptions",
            "Exceptions",
            "Exceptions by reason and responsible party, per partner; follow a reason to its "
            "journeys.",
            panels=(
                "exceptions_by_responsible",
                "exception_trend",
                "exceptions_by_reason",
                "exception_journeys",
            ),
            filters=("reason", "responsible"),
        ),
        View(
            "ownership",
            "Owned vs partner",
            "The same metrics for owned nodes and partner nodes, and per node: what to "
            "operate and what to orchestrate.",
            panels=(
                "ownership_summary",
                "ownership_latency",
                "ownership_exception_trend",
                "node_comparison",
                "milestones_by_ownership",
            ),
        ),
        View(
            "journey",
            "Journey",
            "Search by any identifier (order number, marketplace order, fulfilment, SSCC, "
            "tracking number) for one timeline across partners and handoffs.",
            panels=("journey_timeline",),
            filters=("id",),
        ),
        View(
            "dead-letters",
            "Dead letters",
            "Payloads that did not become events, with the reason, per partner.",
            panels=("dead_letter_trend", "dead_letters", "dead_letter_samples"),
        ),
        View(
            "stuck",
            "Stuck orders",
            "The live list of journeys past their stage deadline, with filters by partner, "
            "node and age, each linked to its journey.",
            planned="needs the SLA clocks and stuck-order detection of issue 5 "
            "(per-stage deadlines); until they land there is no deadline to be past.",
        ),
        View(
            "alerts",
            "Alerts",
            "Open and resolved alerts and incidents: partner SLA breaches, silent partners, "
            "exception spikes, one per problem.",
            planned="needs the alerts of issue 5 (the seamscope.alerts topic and its "
            "table); until they land there are no alerts to show.",
        ),
    )
}
