"""The views people open: each a page of panels, in the web UI and as a Grafana dashboard.

A view either lists panels (``dashboards.panels.PANELS``), is the journey search (its
page renders ``sinks.queries.find_journeys`` with the journey's SLA clocks; Grafana gets
the ``journey_timeline`` panel), or is ``planned``: its page says what it will show and
which work it waits for, and shows no data until that data exists. A ``live`` view shows
the state now (stuck journeys), whatever the window.
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
    #: Why the view has no data yet (empty when it has).
    planned: str = ""
    #: It shows the state now: no window to choose.
    live: bool = False


VIEWS: dict[str, View] = {
    v.slug: v
    for v in (
        View(
            "health",
            "Partner health",
            "Volume, freshness, exception rate, data-quality problems, dead letters and SLA "
            "attainment, per partner and node, with trends.",
            panels=(
                "overview",
                "partner_health",
                "volume_trend",
                "exception_rate_trend",
                "dead_letter_trend",
                "quality_flags",
                "sla_attainment_trend",
                "sla_attainment",
            ),
        ),
        View(
            "latency",
            "Latency",
            "Stage and handoff durations (p50/p90/p99) per partner and node, over time; "
            "deliveries on time against the promise.",
            panels=(
                "stage_latency_trend",
                "stage_latency",
                "promise_on_time_trend",
                "promise_on_time",
            ),
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
            "The live list of journeys past their stage's deadline or held by a silent "
            "partner, by the partner and node holding them, the SLA stage and how long they "
            "have been stuck; each leads to its journey.",
            panels=("stuck_by_stage", "stuck_journeys"),
            filters=("node", "stage", "older_than"),
            live=True,
        ),
        View(
            "alerts",
            "Alerts",
            "Open and resolved alerts and incidents: SLA breaches, journeys held by silent "
            "partners, silent partners, and incidents that stand for many breaches of one "
            "partner, node and stage.",
            panels=("alerts_overview", "alerts_trend", "alerts_list"),
            filters=("status",),
        ),
    )
}
