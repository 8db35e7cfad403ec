"""What an owned WMS would capture for a simulated order: EPCIS 2.0 JSON-LD documents.

picked    -> ObjectEvent, bizStep picking, item SGTINs, the retailer's purchase order
packed    -> AggregationEvent ADD, the shipping unit's SSCC as parent of the items
handed_off-> ObjectEvent, bizStep shipping, disposition in_transit, the SSCC, po + bol
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from schemas.adapters.epcis.mapper import gs1_check_digit
from schemas.adapters.simulation import SimOrder, SimPayload
from schemas.canonical import Milestone

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
#: The simulated warehouse's local offset, as EPCIS records it with every event.
WAREHOUSE_TZ = timezone(timedelta(hours=-5))
#: GS1 company prefix length assumed when splitting GTINs, GLNs and SSCCs into EPC URNs.
PREFIX_DIGITS = 7


class EpcisRenderer:
    milestones = frozenset({Milestone.picked, Milestone.packed, Milestone.handed_off})

    def render(self, order: SimOrder, milestone: Milestone, at: datetime) -> list[SimPayload]:
        if milestone not in self.milestones:
            return []
        po = {"type": "po", "bizTransaction": bt_urn(order.retailer_gln, order.order_number)}
        local = at.astimezone(WAREHOUSE_TZ)
        event: dict[str, Any] = {
            "type": "ObjectEvent",
            "eventTime": local.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": local.isoformat()[-6:],
            "action": "OBSERVE",
        }
        if milestone is Milestone.picked:
            event |= {
                "epcList": item_epcs(order),
                "bizStep": "picking",
                "disposition": "in_progress",
                "bizTransactionList": [po],
            }
        elif milestone is Milestone.packed:
            event |= {
                "type": "AggregationEvent",
                "action": "ADD",
                "parentID": sscc_epc(order.sscc),
                "childEPCs": item_epcs(order),
                "bizStep": "packing",
                "disposition": "container_closed",
                "bizTransactionList": [po],
            }
        else:
            bol = bt_urn(order.warehouse_gln, order.tracking_number)
            event |= {
                "epcList": [sscc_epc(order.sscc)],
                "bizStep": "shipping",
                "disposition": "in_transit",
                "bizTransactionList": [po, {"type": "bol", "bizTransaction": bol}],
            }
        location = {"id": sgln(order.warehouse_gln)}
        event |= {"readPoint": location, "bizLocation": location}
        digest = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
        event = {"eventID": f"ni:///sha-256;{digest}?ver=CBV2.0", **event}
        document = {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": at.astimezone(UTC).isoformat(timespec="milliseconds"),
            "epcisBody": {"eventList": [event]},
        }
        headers = {"content-type": "application/ld+json", "gs1-epcis-version": "2.0.0"}
        return [SimPayload(value=json.dumps(document).encode(), headers=headers)]


def bt_urn(gln: str, ident: str) -> str:
    return f"urn:epcglobal:cbv:bt:{gln}:{ident}"


def sgln(gln: str) -> str:
    return f"urn:epc:id:sgln:{gln[:PREFIX_DIGITS]}.{gln[PREFIX_DIGITS:12]}.0"


def sscc_epc(sscc: str) -> str:
    """The EPC URN of an SSCC; its Digital Link when the check digit would not round-trip."""
    if len(sscc) == 18 and sscc.isdigit() and gs1_check_digit(sscc[:17]) == sscc[17]:
        prefix, serial = sscc[1 : 1 + PREFIX_DIGITS], sscc[0] + sscc[1 + PREFIX_DIGITS : 17]
        return f"urn:epc:id:sscc:{prefix}.{serial}"
    return f"https://id.gs1.org/00/{sscc}"


def item_epcs(order: SimOrder) -> list[str]:
    """One SGTIN per unit: GTIN-14 split as indicator, company prefix, item reference."""
    epcs = []
    for item in order.items:
        gtin = item.gtin.zfill(14)
        prefix, reference = gtin[1 : 1 + PREFIX_DIGITS], gtin[0] + gtin[1 + PREFIX_DIGITS : 13]
        for unit in range(1, item.quantity + 1):
            epcs.append(f"urn:epc:id:sgtin:{prefix}.{reference}.{order.order_number}{unit:03d}")
    return epcs


RENDERER = EpcisRenderer()
