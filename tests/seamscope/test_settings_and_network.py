"""Settings and the network config: clear errors, secrets never shown."""

from __future__ import annotations

import pytest

from schemas.canonical import Ownership
from seamscope.network import NetworkConfigError, parse_network
from seamscope.settings import Settings
from streams.topics import raw_topic


def test_secrets_are_masked_in_what_settings_show() -> None:
    s = Settings(
        clickhouse_url="https://ops:hunter2@ch.example.com:8443/seamscope",
        kafka_sasl_mechanism="PLAIN",
        kafka_sasl_username="svc",
        kafka_sasl_password="s3cret",
    )
    shown = s.describe()
    assert "hunter2" not in repr(shown) and "s3cret" not in repr(shown)
    assert "hunter2" not in repr(s) and "s3cret" not in repr(s)
    assert shown["clickhouse_url"] == "https://ops:***@ch.example.com:8443/seamscope"
    assert shown["kafka_sasl_password"] == "**********"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kafka_bootstrap", "localhost", "expected host:port"),
        ("clickhouse_url", "postgres://x", "scheme must be chdb, http or https"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(field: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**{field: value})


def test_demo_network_maps_topics_to_partner_contexts(network) -> None:  # type: ignore[no-untyped-def]
    ctx = network.contexts[raw_topic("dc-east-wms")]
    assert (ctx.partner_id, ctx.node_id, ctx.ownership) == (
        "dc-east-wms",
        "dc-east",
        Ownership.owned,
    )
    assert network.contexts[raw_topic("tpl-west")].ownership is Ownership.partner
    kinds = {p.type.value for p in network.partners}
    assert kinds == {"marketplace", "warehouse", "carrier"}


BROKEN = """
nodes:
  - {id: dc, type: warehouse, ownership: owned}
  - {id: dc, type: warehouse, ownership: owned}
partners:
  - {id: Bad Id, type: warehouse, format: epcis, node: dc}
  - {id: ups, type: carrier, format: ups, node: nowhere}
  - {id: wms, type: carrier, format: epcis, node: dc}
  - {id: x, type: warehouse, format: telex, node: dc}
"""


def test_every_problem_in_the_network_config_is_reported_at_once() -> None:
    with pytest.raises(NetworkConfigError) as err:
        parse_network(BROKEN, "seamscope.yaml")
    problems = err.value.problems
    assert problems == [
        "node id 'dc' is defined twice",
        "partner id 'Bad Id' must be lowercase letters, digits, '.', '_' or '-' "
        "(it names Kafka topics)",
        "partner 'ups' names node 'nowhere', which is not defined (nodes: dc)",
        "partner 'wms' is a carrier but its node 'dc' is a warehouse",
        "partner 'x' has unknown format 'telex' (known: " + ", ".join(sorted(_formats())) + ")",
    ]
    assert str(err.value).startswith("seamscope.yaml: 5 problem(s):")


def _formats() -> list[str]:
    from schemas.adapters import FORMATS

    return list(FORMATS)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nodes: [", "not valid YAML"),
        ("- 1\n- 2", "expected a mapping with 'nodes' and 'partners'"),
        ("nodes: []\npartners: []", "no partners are defined"),
        ("nodes: []", "partners: Field required"),
    ],
)
def test_unusable_configs_say_why(text: str, problem: str) -> None:
    with pytest.raises(NetworkConfigError) as err:
        parse_network(text)
    assert any(problem in p for p in err.value.problems), err.value.problems
