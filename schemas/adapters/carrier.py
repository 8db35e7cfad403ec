"""What every carrier format shares: karrio's normalized statuses, incident reasons, scans.

Each carrier folder keeps karrio's tables for that carrier in its ``codes.py``
(``TrackingStatus`` and ``TrackingIncidentReason``: enums of code lists, named after
karrio's normalized status and incident reason, so a test can compare them with karrio's
own) and reads its payload into ``Scan``s. This module turns scans into canonical events
the same way for every carrier: status -> milestone, incident -> reason and responsible
party, unknown codes kept as ``unknown`` with a quality flag, tracking number (and the
carrier's shipment or waybill number) as identifiers.

Carriers are polled and return their whole history each time, so a scan's event id
depends only on its content (time, status, tracking number, location), never on its
position in the response: a re-poll gives the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from schemas.adapters.base import NormalizeResult, PartnerContext, RawMessage, build_event
from schemas.adapters.common import UNKNOWN_INCIDENT, UNKNOWN_STATUS, clean_id, header
from schemas.canonical import (
    ExceptionInfo,
    Identifier,
    IdentifierLink,
    IdType,
    JourneyEvent,
    Milestone,
    Responsible,
)

#: Header a polling gateway sets when the carrier's answer does not repeat the number it
#: was asked about (DPD's SOAP tracking, some USPS answers).
TRACKING_NUMBER_HEADER = "x-tracking-number"


class CodeTable(Enum):
    """A karrio-style table: each member is a normalized name, its value the carrier codes."""

    @classmethod
    def find(cls, *codes: str | None) -> str:
        """The name of the first member listing one of ``codes`` ("" when none does).

        Codes are tried in order, exactly first, then ignoring case and outer spaces.
        """
        exact, folded = _code_index(cls)
        for code in codes:
            if code is None:
                continue
            name = exact.get(code)
            if name is None:
                name = folded.get(code.strip().casefold())
            if name is not None:
                return name
        return ""


#: Per table: code -> member name, exactly and folded (the first member listing a code
#: wins, as in the tables' order); built on first use, a lookup per scan on the hot path.
_CODE_INDEX: dict[type[CodeTable], tuple[dict[str, str], dict[str, str]]] = {}


def _code_index(table: type[CodeTable]) -> tuple[dict[str, str], dict[str, str]]:
    index = _CODE_INDEX.get(table)
    if index is None:
        exact: dict[str, str] = {}
        folded: dict[str, str] = {}
        for member in table:
            for code in member.value:
                exact.setdefault(code, member.name)
                folded.setdefault(code.strip().casefold(), member.name)
        index = _CODE_INDEX[table] = (exact, folded)
    return index


#: karrio's normalized tracking status -> canonical milestone.
MILESTONES: dict[str, Milestone] = {
    "pending": Milestone.label_created,
    "picked_up": Milestone.picked_up,
    "delivered": Milestone.delivered,
    "in_transit": Milestone.in_transit,
    "out_for_delivery": Milestone.out_for_delivery,
    "on_hold": Milestone.on_hold,
    "delivery_failed": Milestone.delivery_failed,
    "cancelled": Milestone.exception,
    "ready_for_pickup": Milestone.ready_for_pickup,
    "delivery_delayed": Milestone.delayed,
    "return_to_sender": Milestone.returned_to_sender,
    "return_initiated": Milestone.returned_to_sender,
    "unknown": Milestone.unknown,
    # Not karrio's: for tables whose carrier reports lost/damaged/refused-by-rule parcels.
    "exception": Milestone.exception,
}

#: Milestones that always carry exception details (reason and responsible party).
EXCEPTIONAL = frozenset(
    {Milestone.on_hold, Milestone.delivery_failed, Milestone.delayed, Milestone.exception}
)

#: Connector-specific karrio reasons whose name does not start with the responsible party.
_RESPONSIBLE: dict[str, Responsible] = {
    "weather_delay": Responsible.force_majeure,
    "natural_disaster": Responsible.force_majeure,
    "force_majeure": Responsible.force_majeure,
    "parcel_being_researched": Responsible.carrier,
    "security_issue": Responsible.carrier,
    "regulatory_hold": Responsible.customs,
    "carrier_delay": Responsible.carrier,
    "delivery_delayed": Responsible.carrier,
    "delivery_exception_delayed": Responsible.carrier,
    "delivery_exception_hold": Responsible.carrier,
    "shipment_on_hold": Responsible.carrier,
    "return_destroyed": Responsible.carrier,
    "delivery_address_issue": Responsible.consignee,
    "wrong_address": Responsible.consignee,
    "recipient_moved": Responsible.consignee,
    "delivery_attempted": Responsible.consignee,
    "delivery_attempt_failed": Responsible.consignee,
    "no_access_to_delivery_location": Responsible.consignee,
    "unable_to_access": Responsible.consignee,
    "signature_required": Responsible.consignee,
    "payment_issue": Responsible.consignee,
    "delivery_exception_undeliverable": Responsible.consignee,
    "delivery_exception_redelivery": Responsible.consignee,
    "delivery_exception_action_required": Responsible.consignee,
    "delivery_exception_high_value_rejected": Responsible.consignee,
    "delivery_exception_cancelled": Responsible.retailer,
    "delivery_exception_incomplete_data": Responsible.retailer,
    "return_by_agreement": Responsible.retailer,
    "hazmat": Responsible.retailer,
}


def responsible_for(reason: str) -> Responsible:
    """Who an incident reason blames: karrio's prefix (carrier_, consignee_, ...) or the table."""
    if reason in _RESPONSIBLE:
        return _RESPONSIBLE[reason]
    try:
        return Responsible(reason.split("_", 1)[0])
    except ValueError:
        return Responsible.unknown


@dataclass(frozen=True)
class Scan:
    """One carrier tracking event, read from the carrier's model, before mapping."""

    tracking_number: str
    occurred_at: datetime
    #: karrio's normalized status for the carrier's code; "" when the table does not know it.
    status: str
    #: The carrier's own status (and detail) code, as the event keeps it in ``raw_status``.
    raw_status: str
    description: str = ""
    location: str = ""
    #: karrio's incident reason, when the carrier gave an incident code the table knows.
    incident: str = ""
    #: The carrier's incident/exception code when it gave one (unknown ones are flagged).
    incident_code: str = ""
    flags: tuple[str, ...] = ()
    #: The carrier's shipment (waybill) number when it groups several parcels.
    shipment: str = ""
    reported_at: datetime | None = None
    #: Who issued the number, when not the partner's carrier (aggregators such as EasyPost).
    issuer: str = ""


def scan_event(
    scan: Scan, ctx: PartnerContext, raw: RawMessage, ingested_at: datetime, carrier: str
) -> JourneyEvent:
    """One scan as a canonical event (see the module docstring for the rules)."""
    issuer = scan.issuer or ctx.carrier or carrier
    tracking = Identifier(type=IdType.tracking_number, value=scan.tracking_number, issuer=issuer)
    identifiers = [tracking]
    links: list[IdentifierLink] = []
    if scan.shipment and scan.shipment != scan.tracking_number:
        shipment = Identifier(type=IdType.shipment, value=scan.shipment, issuer=issuer)
        identifiers.append(shipment)
        links.append(IdentifierLink(child=tracking, parent=shipment))
    flags = list(scan.flags)
    milestone = MILESTONES.get(scan.status, Milestone.unknown)
    if not scan.status:
        flags.append(UNKNOWN_STATUS)
    exception = None
    if milestone in EXCEPTIONAL or scan.incident:
        reason = scan.incident or ("retailer_cancelled" if scan.status == "cancelled" else "")
        if scan.incident_code and not scan.incident:
            flags.append(UNKNOWN_INCIDENT)
        reason = reason or "unknown"
        exception = ExceptionInfo(
            reason=reason, responsible=responsible_for(reason), description=scan.description
        )
    return build_event(
        ctx=ctx,
        raw=raw,
        ingested_at=ingested_at,
        milestone=milestone,
        occurred_at=scan.occurred_at,
        identifiers=identifiers,
        links=links,
        raw_status=scan.raw_status,
        description=scan.description,
        reported_at=scan.reported_at,
        exception=exception,
        location=scan.location,
        discriminator=scan.location,
        extra_flags=tuple(dict.fromkeys(flags)),
    )


def scan_result(
    scans: Iterable[Scan],
    problems: Sequence[str],
    ctx: PartnerContext,
    raw: RawMessage,
    ingested_at: datetime,
    carrier: str,
    name: str,
) -> NormalizeResult:
    """Events for the scans and the problems met reading them; never empty and silent."""
    result = NormalizeResult(problems=list(problems))
    events = (scan_event(s, ctx, raw, ingested_at, carrier) for s in scans)
    # A history that lists the same scan twice gives one event (their ids are equal).
    result.events = list({e.event_id: e for e in events}.values())
    if not result.events and not result.problems:
        result.problems.append(f"{name} response has no tracking events")
    return result


def tracking_number_header(raw: RawMessage) -> str:
    """The number a polling gateway says it asked about (``x-tracking-number``), or ""."""
    return clean_id(header(raw.headers, TRACKING_NUMBER_HEADER))


def place(*parts: object) -> str:
    """Location parts joined with ", ", empty ones left out."""
    return ", ".join(str(p).strip() for p in parts if p is not None and str(p).strip())
