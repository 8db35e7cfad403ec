"""EPCIS XML capture documents read into the JSON binding the mapper already understands.

EPCIS 2.0 XML (``urn:epcglobal:epcis:xsd:2``) and 1.x XML (``...:xsd:1``, where the event
id and error declaration sit in ``<baseExtension>`` and newer event types in
``<extension>``) both become plain dicts with the JSON-LD field names (``eventID``,
``epcList``, ``bizTransactionList``, ...). Parsing goes through ``common.load_xml``, which
refuses DTDs and entity declarations before the stdlib parser sees the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.adapters.base import RawMessage
from schemas.adapters.common import as_list, xml_root

DOCUMENTS = frozenset({"EPCISDocument", "EPCISQueryDocument"})
EVENTS = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "AssociationEvent",
        "TransformationEvent",
    }
)
_SCALARS = (
    "eventID",
    "eventTime",
    "eventTimeZoneOffset",
    "recordTime",
    "action",
    "bizStep",
    "disposition",
    "parentID",
)


@dataclass
class XmlDocument:
    """What an EPCIS XML payload holds: events in JSON binding, or why there are none."""

    events: list[Any] = field(default_factory=list)
    creation_date: str | None = None
    problem: str | None = None


def read_document(raw: RawMessage) -> XmlDocument:
    """An EPCIS XML document (or a single event) as JSON-binding event dicts."""
    root, data, error = xml_root(raw)
    if error is not None:
        return XmlDocument(problem=error)
    if root in EVENTS:
        return XmlDocument(events=[event_data(root, data)])
    if root not in DOCUMENTS:
        return XmlDocument(
            problem=f"EPCIS XML root is {root or 'unnamed'}, neither an EPCISDocument nor an"
            " EPCIS event (capture jobs and master data carry no events)"
        )
    data = data if isinstance(data, dict) else {}
    body = data.get("EPCISBody")
    body = body if isinstance(body, dict) else {}
    if root == "EPCISQueryDocument":
        results = body.get("QueryResults")
        results_body = results.get("resultsBody") if isinstance(results, dict) else None
        body = results_body if isinstance(results_body, dict) else {}
    events: list[Any] = []
    event_list = body.get("EventList")
    if isinstance(event_list, dict):
        for name, value in event_list.items():
            for item in as_list(value):
                if name in EVENTS:
                    events.append(event_data(name, item))
                elif name == "extension" and isinstance(item, dict):  # EPCIS 1.x wrapping
                    for inner, inner_value in item.items():
                        if inner in EVENTS:
                            events.extend(event_data(inner, i) for i in as_list(inner_value))
    created = data.get("@creationDate")
    return XmlDocument(events=events, creation_date=created if isinstance(created, str) else None)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""


def _texts(container: Any, child: str) -> list[str]:
    """``<epcList><epc>a</epc><epc>b</epc></epcList>`` -> ``["a", "b"]``."""
    if not isinstance(container, dict):
        return []
    return [t for t in (_text(v) for v in as_list(container.get(child))) if t]


def _place(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and _text(value.get("id")):
        return {"id": _text(value.get("id"))}
    return None


def event_data(kind: str, element: Any) -> dict[str, Any]:
    """One XML event element (as ``xml_data`` read it) in the JSON binding."""
    element = element if isinstance(element, dict) else {}
    # EPCIS 1.x keeps eventID and errorDeclaration in <baseExtension>, newer fields in
    # <extension>; 2.0 has them all directly on the event.
    merged: dict[str, Any] = {}
    for part in (element.get("extension"), element.get("baseExtension"), element):
        if isinstance(part, dict):
            merged.update(part)
    event: dict[str, Any] = {"type": kind}
    for name in _SCALARS:
        text = _text(merged.get(name))
        if text:
            event[name] = text
    event["epcList"] = _texts(merged.get("epcList"), "epc")
    event["childEPCs"] = _texts(merged.get("childEPCs"), "epc")
    transactions = []
    container = merged.get("bizTransactionList")
    if isinstance(container, dict):
        for item in as_list(container.get("bizTransaction")):
            kind_attr = item.get("@type", "") if isinstance(item, dict) else ""
            value = _text(item)
            if value:
                transactions.append({"type": kind_attr, "bizTransaction": value})
    event["bizTransactionList"] = transactions
    for name in ("readPoint", "bizLocation"):
        place = _place(merged.get(name))
        if place:
            event[name] = place
    declaration = merged.get("errorDeclaration")
    if isinstance(declaration, dict):
        event["errorDeclaration"] = {
            key: value
            for key, value in (
                ("declarationTime", _text(declaration.get("declarationTime")) or None),
                ("reason", _text(declaration.get("reason")) or None),
                (
                    "correctiveEventIDs",
                    _texts(declaration.get("correctiveEventIDs"), "correctiveEventID"),
                ),
            )
            if value
        }
    return event
