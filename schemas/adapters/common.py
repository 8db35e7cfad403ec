"""Helpers the partner formats share: headers, safe XML, timestamps, identifiers.

Nothing here knows a partner. Each format folder still parses into its own models and maps
field by field; these functions only keep the fiddly parts (XML safety, time zones, epoch
milliseconds, GraphQL ids, placeholder values) the same everywhere.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

from schemas.adapters.base import (
    NormalizeResult,
    RawMessage,
    build_event,
    decode_json,
    describe_validation_error,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

#: Flag for a timestamp the partner wrote without a zone where its format defines none.
TIMEZONE_ASSUMED_UTC = "timezone_assumed_utc"
#: Flags for codes a format's tables do not know (the event is kept with milestone unknown).
UNKNOWN_STATUS = "unknown_status"
UNKNOWN_INCIDENT = "unknown_incident"

#: Values partners put where an identifier should be, which identify nothing. A placeholder
#: tracking number such as "Pickup" would otherwise stitch every pickup order together.
PLACEHOLDERS = frozenset(
    {"", "-", "--", "0", "n/a", "na", "none", "null", "nil", "pickup", "string", "unknown", "tbd"}
)

_BOM = b"\xef\xbb\xbf"
_FORBIDDEN_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OFFSET = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2}):?(\d{2})?$")
_EPOCH_DIGITS = re.compile(r"^-?\d{9,16}$")


def header(headers: Mapping[str, str], name: str) -> str:
    """A transport header by name, whatever case the transport kept ("" when absent)."""
    name = name.lower()
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    return ""


def clean_id(value: object) -> str:
    """An identifier as text, or "" when it is missing or a placeholder ("Pickup", "n/a")."""
    if value is None or isinstance(value, bool):
        return ""
    text = str(value).strip()
    return "" if text.lower() in PLACEHOLDERS else text


def gid_tail(value: object) -> str:
    """``gid://shopify/FulfillmentOrder/1046000783`` -> ``1046000783``; other ids unchanged."""
    text = clean_id(value)
    if text.startswith("gid://"):
        text = text.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return clean_id(text)


#: Carrier names as marketplaces and 3PLs write them -> karrio-style carrier codes, the
#: issuer of tracking numbers (tracking numbers stitch whoever issues them).
CARRIER_CODES: dict[str, str] = {
    "ups": "ups",
    "fedex": "fedex",
    "fed_ex": "fedex",
    "fedex_ground": "fedex",
    "usps": "usps",
    "usps_marketplace": "usps",
    "stamps_com": "usps",
    "dhl": "dhl_express",
    "dhl_express": "dhl_express",
    "dhl_us": "dhl_express",
    "dhl_ecommerce": "dhl_ecommerce",
    "dhl_global_mail": "dhl_ecommerce",
    "canada_post": "canadapost",
    "canadapost": "canadapost",
    "royal_mail": "royalmail",
    "royalmail": "royalmail",
    "purolator": "purolator",
    "dpd": "dpd",
    "dpd_uk": "dpd",
    "gls": "gls",
    "ontrac": "ontrac",
    "amazon_shipping": "amazon_shipping",
    "amazon_logistics": "amazon",
    "amzl": "amazon",
    "easypost": "easypost",
}


def carrier_code(name: object) -> str:
    """``"FedEx"``/``"Fed Ex"``/``"fedex_ground"`` -> ``"fedex"``; unknown names -> a slug."""
    slug = re.sub(r"[^a-z0-9]+", "_", str(name or "").strip().lower()).strip("_")
    return CARRIER_CODES.get(slug, slug)


def as_list(value: Any) -> Any:
    """Lenient list: ``None``/``""`` -> ``[]``, a single item -> ``[item]`` (XML, sloppy JSON)."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


#: A list field that also accepts one bare item, as XML (and some JSON APIs) write them.
Many = Annotated[list[T], BeforeValidator(as_list)]


def blank_none(value: Any) -> Any:
    """An empty XML element (read as ``""``) where an object is expected means "absent"."""
    return None if value == "" else value


#: An optional object field that also accepts an empty XML element.
Blank = Annotated[T | None, BeforeValidator(blank_none)]


# --- payload decoding --------------------------------------------------------------------


def looks_like_xml(raw: RawMessage) -> bool:
    """True when the payload's first meaningful character is ``<``."""
    return raw.value.removeprefix(_BOM).lstrip()[:1] == b"<"


def load_json(raw: RawMessage) -> tuple[Any, str | None]:
    """The JSON payload, or the reason it is not JSON (never raises)."""
    try:
        return decode_json(RawMessage(raw.value.removeprefix(_BOM), raw.headers))
    except RecursionError:
        return None, "payload is not usable JSON: nested too deeply"


def load_json_object(raw: RawMessage, partner: str) -> tuple[dict[str, Any] | None, str | None]:
    """A JSON object payload, or the reason it is not one (``<partner> payload must be ...``)."""
    payload, error = load_json(raw)
    if error is not None:
        return None, error
    if not isinstance(payload, dict):
        return None, f"{partner} payload must be a JSON object, got {type(payload).__name__}"
    return payload, None


def load_xml(raw: RawMessage) -> tuple[ET.Element | None, str | None]:
    """Parse XML with the stdlib parser, refusing DTDs and entity declarations first.

    A ``<!DOCTYPE`` or ``<!ENTITY`` can expand entities without bound (billion laughs) or
    reach outside the payload; partners have no need for either, so such payloads are
    dead-lettered with a reason instead of being parsed.
    """
    data = raw.value.removeprefix(_BOM).lstrip()  # a gateway's stray newline is harmless
    if _FORBIDDEN_XML.search(data):
        return None, (
            "XML payload declares a DTD or entities (<!DOCTYPE>/<!ENTITY>), which are refused "
            "for safety; send the document without them"
        )
    try:
        return ET.fromstring(data), None  # noqa: S314 - DTDs and entities refused above
    except ET.ParseError as exc:
        return None, f"payload is not well-formed XML: {exc}"
    except (RecursionError, ValueError) as exc:
        return None, f"payload is not usable XML: {exc}"


def local_name(tag: object) -> str:
    """``{http://www.dhl.com}TrackingResponse`` -> ``TrackingResponse``."""
    return _local_name(tag) if isinstance(tag, str) else ""


@lru_cache(maxsize=4096)  # a format has a few dozen tags, each seen on every payload
def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def xml_data(element: ET.Element) -> Any:
    """An element as plain data (namespaces dropped), the way xmltodict would read it.

    Text-only elements become their stripped text; elements with children become dicts of
    local names (repeated names become lists); attributes become ``@name`` keys and the
    text beside them ``#text``; ``xsi:nil="true"`` becomes ``None``. Raises RecursionError
    on absurd nesting (callers report it as a problem).
    """
    if element.get(_NIL) == "true":
        return None
    children = list(element)
    attributes = {f"@{local_name(k)}": v for k, v in element.attrib.items() if k != _NIL}
    text = (element.text or "").strip()
    if not children and not attributes:
        return text
    data: dict[str, Any] = dict(attributes)
    for child in children:
        if not isinstance(child.tag, str):  # comments and processing instructions
            continue
        name = local_name(child.tag)
        value = xml_data(child)
        if name in data:
            existing = data[name]
            data[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            data[name] = value
    if text:
        data["#text"] = text
    return data


def xml_root(raw: RawMessage) -> tuple[str, Any, str | None]:
    """(root element's local name, its data, problem) for an XML payload."""
    root, error = load_xml(raw)
    if root is None:
        return "", None, error
    try:
        return local_name(root.tag), xml_data(root), None
    except RecursionError:
        return "", None, "payload is not usable XML: nested too deeply"


def validate(model: type[M], data: Any, name: str = "") -> tuple[M | None, str | None]:
    """``model.model_validate(data)`` or the readable reason it does not fit."""
    label = name or model.__name__
    if not isinstance(data, dict):
        return None, f"{label} must be an object, got {type(data).__name__}"
    try:
        return model.model_validate(data), None
    except ValidationError as exc:
        return None, describe_validation_error(label, exc)


# --- time --------------------------------------------------------------------------------


def fixed_offset(text: str) -> timezone | None:
    """``-05:00``, ``+0200``, ``GMT-04:00``, ``+1`` -> a fixed zone; None if not an offset."""
    match = _OFFSET.match(text.strip())
    if not match:
        return None
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 23 or minutes > 59:
        return None
    sign = -1 if match.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def epoch(value: float, what: str = "timestamp") -> datetime:
    """Unix seconds or milliseconds (told apart by size) as an aware UTC datetime."""
    seconds = value / 1000 if abs(value) >= 10**11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{what} {value!r} is not a usable epoch time") from None


def parse_time(
    value: object,
    what: str = "timestamp",
    *,
    local: tzinfo | None = None,
    offset: str | None = None,
) -> tuple[datetime, tuple[str, ...]]:
    """A partner timestamp as aware UTC, with the quality flags it earned.

    ISO 8601 with an offset (or ``Z``) is exact. Epoch seconds or milliseconds (numbers or
    digit strings) are UTC by definition. A time without a zone is read in ``offset`` (a
    text offset the partner gave beside it), else in ``local`` (the zone the partner's
    format defines), else as UTC flagged ``timezone_assumed_utc``. Raises ValueError with
    a readable message when the value is no time at all.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} is missing")
    if isinstance(value, int | float):
        return epoch(value, what), ()
    if isinstance(value, datetime):
        at = value
    else:
        text = str(value).strip()
        if _EPOCH_DIGITS.match(text):
            return epoch(int(text), what), ()
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"{what} {text!r} is not an ISO 8601 timestamp") from None
    return aware(at, what, local=local, offset=offset)


def aware(
    at: datetime, what: str = "timestamp", *, local: tzinfo | None = None, offset: str | None = None
) -> tuple[datetime, tuple[str, ...]]:
    """A parsed datetime made aware and UTC (see ``parse_time`` for the rules)."""
    try:
        if at.tzinfo is not None and at.utcoffset() is not None:
            return at.astimezone(UTC), ()
        zone = fixed_offset(offset) if offset else None
        if zone is not None:
            return at.replace(tzinfo=zone).astimezone(UTC), ()
        if local is not None:
            return at.replace(tzinfo=local).astimezone(UTC), ()
        return at.replace(tzinfo=UTC), (TIMEZONE_ASSUMED_UTC,)
    except (OverflowError, ValueError):
        raise ValueError(f"{what} {at.isoformat()} is out of range once made UTC") from None


def parse_local(
    date: str, time: str, what: str = "timestamp", fmt: str = "%Y-%m-%d %H:%M:%S"
) -> datetime:
    """A naive datetime from separate date and time texts in ``fmt``; ValueError if not."""
    text = f"{date.strip()} {time.strip()}".strip()
    try:
        return datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware by the caller
    except ValueError:
        raise ValueError(f"{what} {text!r} does not match {fmt}") from None


def promised_time(result: NormalizeResult, value: object, what: str) -> datetime | None:
    """A delivery date the partner promised, if it gave one; an unreadable one is a
    problem (the events are still made, without it)."""
    if value is None or value == "":
        return None
    try:
        return parse_time(value, what)[0]
    except ValueError as exc:
        result.problems.append(str(exc))
        return None


def add_event(
    result: NormalizeResult,
    *,
    when: object,
    what: str,
    local: tzinfo | None = None,
    extra_flags: Sequence[str] = (),
    **fields: Any,
) -> None:
    """Read the partner's timestamp and append the event; an unreadable time is a problem.

    ``fields`` are ``build_event``'s (ctx, raw, ingested_at, milestone, identifiers, ...).
    """
    try:
        occurred_at, time_flags = parse_time(when, what, local=local)
    except ValueError as exc:
        result.problems.append(str(exc))
        return
    result.events.append(
        build_event(occurred_at=occurred_at, extra_flags=(*time_flags, *extra_flags), **fields)
    )
