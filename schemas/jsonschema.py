"""The committed JSON Schema of the canonical event, for consumers outside Python.

Regenerate with ``python -m schemas.jsonschema`` (``make schema``); a test fails when the
committed file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from schemas.canonical import SCHEMA_VERSION, JourneyEvent

SCHEMA_FILE = Path(__file__).with_name("journey_event.schema.json")


def render() -> str:
    schema = JourneyEvent.model_json_schema(mode="serialization")
    schema["$id"] = f"https://seamscope.dev/schemas/journey-event/v{SCHEMA_VERSION}.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(render())
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
