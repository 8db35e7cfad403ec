from schemas.jsonschema import SCHEMA_FILE, render


def test_committed_json_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.read_text() == render(), "stale: run `make schema` and commit the file"
