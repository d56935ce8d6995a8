"""The event contracts in contracts/: well-formed, complete, self-contained, and strict on bad input.

Plain pytest; needs no Django. ``python -m pytest tests/contracts`` works with the project's settings. Without Django,
add ``--confcutdir=tests/contracts`` so pytest skips ``tests/conftest.py`` (it imports Django and DRF):
``python -m pytest tests/contracts -p no:django --confcutdir=tests/contracts``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
BASE_ID = "https://contracts.trebanx.com"
INBOUND_SOURCES = {
    "circle-service",
    "transaction-service",
    "user-service",
    "remittance-service",
    "security-service",
    "trebanx-api",
}
EXPECTED_INBOUND = 32
EXPECTED_OUTBOUND = 5
PAYMENT_METHODS = ["cash_at_agent", "ach", "debit_card", "credit_card", "wallet", "money_order"]
NON_UTC = "2026-01-01T10:00:00-05:00"
ARABIC_INDIC_TEN = "\u0661\u0660.\u0660\u0660"  # "10.00" in Arabic-Indic digits: Python's \d matches it

# Category of an event type from its prefix (the rule the upstream loader used; keep it true).
PREFIX_CATEGORY = [
    ("circle-", "circle"),
    ("transaction-", "transaction"),
    ("user-", "user"),
    ("login-", "user"),
    ("session-", "user"),
    ("device-", "user"),
    ("remittance-", "remittance"),
    ("exchange-", "remittance"),
    ("security-", "security"),
    ("account-", "security"),
    ("step-up-", "security"),
]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


TOPICS: dict[str, Any] = _load(CONTRACTS / "topics.json")
INBOUND_TOPICS = {topic: spec for topic, spec in TOPICS.items() if topic != "outbound"}
OUTBOUND_TOPICS: dict[str, Any] = TOPICS["outbound"]

# event_type -> (relative path, schema)
SCHEMAS: dict[str, tuple[str, dict]] = {}
for _path in sorted((CONTRACTS / "events").rglob("*.json")) + sorted((CONTRACTS / "outbound").rglob("*.json")):
    _schema = _load(_path)
    SCHEMAS[_schema["properties"]["event_type"]["const"]] = (_path.relative_to(CONTRACTS).as_posix(), _schema)
INBOUND_TYPES = [t for spec in INBOUND_TOPICS.values() for t in spec["event_types"]]
OUTBOUND_TYPES = [t for spec in OUTBOUND_TOPICS.values() for t in spec["event_types"]]
ALL_TYPES = INBOUND_TYPES + OUTBOUND_TYPES
VALIDATORS = {event_type: Draft202012Validator(schema) for event_type, (_, schema) in SCHEMAS.items()}


def example(event_type: str) -> dict:
    return _load(CONTRACTS / "examples" / f"{event_type}.json")


def is_valid(event_type: str, instance: Any) -> bool:
    return VALIDATORS[event_type].is_valid(instance)


def assert_invalid(event_type: str, instance: Any, why: str) -> None:
    assert not is_valid(event_type, instance), f"{event_type}: accepted {why}"


def walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def typed_leaves(schema: dict, node: dict, instance: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path in instance, $defs name) for every value of the instance whose property is a `$ref` to a def."""
    if not isinstance(instance, dict) or "properties" not in node:
        return
    for key, value in instance.items():
        prop = node["properties"][key]
        options = prop.get("anyOf", [prop])
        for option in options:
            if "$ref" in option and value is not None:
                name = option["$ref"].split("/")[-1]
                target = schema["$defs"][name]
                if target.get("type") == "object" and "properties" in target:
                    yield from typed_leaves(schema, target, value, (*path, key))
                else:
                    yield (*path, key), name
            elif option.get("type") == "object":
                yield from typed_leaves(schema, option, value, (*path, key))
            elif option.get("type") == "array" and isinstance(option.get("items"), dict):
                items = option["items"]
                for index, item in enumerate(value or []):
                    if items.get("type") == "object":
                        yield from typed_leaves(schema, items, item, (*path, key, index))
                    elif "$ref" in items:
                        yield (*path, key, index), items["$ref"].split("/")[-1]


def payload_leaves(event_type: str, instance: dict | None = None) -> list[tuple[tuple, str]]:
    """(path inside the payload, $defs name) for every typed value of the payload of ``instance``."""
    _, schema = SCHEMAS[event_type]
    instance = example(event_type) if instance is None else instance
    return list(typed_leaves(schema, schema["properties"]["payload"], instance["payload"]))


def leaves_of(event_type: str, *def_names: str) -> list[tuple]:
    return [path for path, name in payload_leaves(event_type) if name in def_names]


def set_at(instance: dict, path: tuple, value: Any) -> dict:
    out = copy.deepcopy(instance)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def delete_at(instance: dict, path: tuple) -> dict:
    out = copy.deepcopy(instance)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


# ---------------------------------------------------------------------------------------------
# Files and layout
# ---------------------------------------------------------------------------------------------


def test_every_schema_is_valid_draft_2020_12():
    files = sorted((CONTRACTS / "events").rglob("*")) + sorted((CONTRACTS / "outbound").rglob("*"))
    for path in files:
        if path.is_file():
            assert path.suffix == ".json", f"stray file {path}"
            schema = _load(path)
            assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path
            Draft202012Validator.check_schema(schema)


def test_topics_list_exactly_the_files_present():
    assert set(INBOUND_TOPICS) == {
        "trebanx.circle.events",
        "trebanx.transaction.events",
        "trebanx.user.events",
        "trebanx.remittance.events",
        "trebanx.security.events",
    }
    assert set(OUTBOUND_TOPICS) == {
        "lakay.fraud.alerts",
        "lakay.circles.tier-changes",
        "lakay.behavior.ato-alerts",
        "lakay.compliance.alerts",
        "lakay.compliance.edd-triggers",
    }
    assert len(INBOUND_TYPES) == len(set(INBOUND_TYPES)) == EXPECTED_INBOUND
    assert len(OUTBOUND_TYPES) == len(set(OUTBOUND_TYPES)) == EXPECTED_OUTBOUND
    assert not set(INBOUND_TYPES) & set(OUTBOUND_TYPES)

    listed = {
        f"events/{spec['category']}/{t}/1.0.json" for spec in INBOUND_TOPICS.values() for t in spec["event_types"]
    }
    listed |= {f"outbound/{topic}/1.0.json" for topic in OUTBOUND_TOPICS}
    present = {p.relative_to(CONTRACTS).as_posix() for p in (CONTRACTS / "events").rglob("*.json")}
    present |= {p.relative_to(CONTRACTS).as_posix() for p in (CONTRACTS / "outbound").rglob("*.json")}
    assert present == listed
    assert len(present) == EXPECTED_INBOUND + EXPECTED_OUTBOUND == len(SCHEMAS)

    examples = {p.stem for p in (CONTRACTS / "examples").glob("*.json")}
    assert examples == set(ALL_TYPES)


def test_runbook_event_types_are_all_there():
    runbook = {
        "circle": [
            "circle-created",
            "circle-member-joined",
            "circle-member-dropped",
            "circle-contribution-received",
            "circle-contribution-missed",
            "circle-payout-executed",
            "circle-completed",
            "circle-failed",
        ],
        "transaction": ["transaction-initiated", "transaction-completed", "transaction-failed", "transaction-flagged"],
        "user": [
            "user-registered",
            "user-verified",
            "user-profile-updated",
            "login-attempt",
            "login-success",
            "login-failed",
            "session-started",
            "session-ended",
            "device-registered",
            "user-action-performed",
        ],
        "remittance": [
            "remittance-initiated",
            "remittance-processing",
            "remittance-completed",
            "remittance-failed",
            "exchange-rate-updated",
        ],
        "security": [
            "account-locked",
            "account-unlocked",
            "account-credentials-changed",
            "security-mfa-changed",
            "step-up-challenge-completed",
        ],
    }
    by_category = {spec["category"]: set(spec["event_types"]) for spec in INBOUND_TOPICS.values()}
    assert by_category == {category: set(types) for category, types in runbook.items()}


@pytest.mark.parametrize("event_type", INBOUND_TYPES)
def test_category_follows_event_type_prefix(event_type):
    category = next(c for prefix, c in PREFIX_CATEGORY if event_type.startswith(prefix))
    assert SCHEMAS[event_type][0].startswith(f"events/{category}/{event_type}/")


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_envelope(event_type):
    rel, schema = SCHEMAS[event_type]
    assert schema["$id"] == f"{BASE_ID}/{rel}"
    assert schema["title"]
    assert schema["description"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["event_id", "event_type", "event_version", "timestamp", "source_service", "payload"]
    props = schema["properties"]
    assert set(props) == {
        "event_id",
        "event_type",
        "event_version",
        "timestamp",
        "source_service",
        "correlation_id",
        "payload",
    }
    assert props["event_version"]["const"] == Path(rel).stem == "1.0"
    assert props["event_id"]["$ref"] == props["correlation_id"]["$ref"] == "#/$defs/uuid"
    assert props["timestamp"]["$ref"] == "#/$defs/timestamp"
    assert props["payload"]["type"] == "object"
    assert props["payload"]["additionalProperties"] is False
    if event_type in OUTBOUND_TYPES:
        assert props["source_service"]["const"] == "lakay-intelligence"
        topic = next(t for t, spec in OUTBOUND_TOPICS.items() if event_type in spec["event_types"])
        assert rel == f"outbound/{topic}/1.0.json"
        key = OUTBOUND_TOPICS[topic]["partition_key"]
        assert key.startswith("payload.")
        assert key[len("payload.") :] in props["payload"]["required"]
    else:
        assert set(props["source_service"]["enum"]) == INBOUND_SOURCES


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_schema_is_self_contained_and_follows_conventions(event_type):
    rel, schema = SCHEMAS[event_type]
    defs = schema.get("$defs", {})
    used = set()
    for path, node in walk(schema):
        if not isinstance(node, dict):
            continue
        where = f"{rel} at {'/'.join(map(str, path))}"
        if "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/$defs/"), f"cross-file or odd $ref in {where}"
            assert ref.split("/")[-1] in defs, f"dangling $ref in {where}"
            used.add(ref.split("/")[-1])
        in_condition = any(part in ("if", "then", "not") for part in path)
        if "properties" in node and isinstance(node["properties"], dict) and not in_condition:
            assert node.get("additionalProperties") is False, f"open object in {where}"
            for name, prop in node["properties"].items():
                assert prop.get("description"), f"{where}: property {name} has no description"
            assert set(node.get("required", [])) <= set(node["properties"]), where
        types = node.get("type")
        types = types if isinstance(types, list) else [types]
        if "string" in types and "enum" not in node and "const" not in node:
            assert "maxLength" in node, f"unbounded string in {where}"
            assert "pattern" in node, f"string without pattern in {where}"
        if "array" in types:
            assert "maxItems" in node, f"unbounded array in {where}"
        if "integer" in types or "number" in types:
            assert "minimum" in node, f"number without minimum in {where}"
            assert "maximum" in node, f"number without maximum in {where}"
        if "object" in types and "properties" not in node and not in_condition:
            assert "maxProperties" in node, f"unbounded free-form object in {where}"
    assert used == set(defs), f"{rel}: unused $defs {set(defs) - used}"


def test_no_format_keyword_anywhere():
    for rel, schema in SCHEMAS.values():
        for path, node in walk(schema):
            if isinstance(node, dict) and path[-1:] != ("properties",):
                assert "format" not in node, f"{rel}: `format` at {path}"


def test_every_payment_method_field_uses_the_one_enum():
    method_fields = {"payment_method", "payout_method", "funding_method"}
    seen = 0
    for rel, schema in SCHEMAS.values():
        if "payment_method" in schema.get("$defs", {}):
            assert schema["$defs"]["payment_method"]["enum"] == PAYMENT_METHODS, rel
        for path, node in walk(schema):
            if path and path[-1] in method_fields and path[-2:-1] == ("properties",) and "if" not in path:
                assert node["$ref"] == "#/$defs/payment_method", rel
                seen += 1
    assert seen == 3  # contribution payment_method, payout payout_method, remittance funding_method
    _, txn = SCHEMAS["transaction-initiated"]
    for side in ("source", "destination"):
        assert (
            txn["properties"]["payload"]["properties"][side]["properties"]["type"]["$ref"] == "#/$defs/payment_method"
        )
    _, remittance = SCHEMAS["remittance-initiated"]
    delivery = remittance["properties"]["payload"]["properties"]["delivery_method"]
    assert delivery["enum"] == ["mobile_wallet", "bank_deposit", "cash_pickup_agent"]


def test_readme_documents_every_enum_value():
    readme = (CONTRACTS / "README.md").read_text(encoding="utf-8")
    for rel, schema in SCHEMAS.values():
        for _, node in walk(schema):
            if isinstance(node, dict) and isinstance(node.get("enum"), list):
                for value in node["enum"]:
                    assert f"`{value}`" in readme, f"README does not mention `{value}` ({rel})"
    assert "## Version policy" in readme


# ---------------------------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_example_is_valid(event_type):
    instance = example(event_type)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATORS[event_type].iter_errors(instance)]
    assert not errors, errors
    assert instance["event_type"] == event_type


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_example_timestamps_are_real_utc_instants(event_type):
    instance = example(event_type)
    paths = [("timestamp",)] + [("payload", *p) for p in leaves_of(event_type, "timestamp")]
    for path in paths:
        value = instance
        for key in path:
            value = value[key]
        parsed = datetime.fromisoformat(value)
        assert parsed.utcoffset() == UTC.utcoffset(None), path


# ---------------------------------------------------------------------------------------------
# Mutations that must fail
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_money_must_be_two_decimal_strings(event_type):
    instance = example(event_type)
    for path, name in payload_leaves(event_type):
        full = ("payload", *path)
        if name == "positive_money":
            assert_invalid(event_type, set_at(instance, full, "0.00"), f"0.00 at {path}")
        if name in ("money", "positive_money"):
            for bad in (
                "10.5",
                "-5.00",
                "10",
                "10.000",
                "1e3",
                "010.00",
                " 10.00",
                "10.00\n",
                ARABIC_INDIC_TEN,
                "1000000000000.00",
                10.5,
                10,
            ):
                assert_invalid(event_type, set_at(instance, full, bad), f"{bad!r} at {path}")
            assert is_valid(event_type, set_at(instance, full, "999999999999.99"))
        if name == "money":
            assert is_valid(event_type, set_at(instance, full, "0.00")), f"0.00 rejected at {path}"


def test_the_amounts_that_move_money_are_strictly_positive():
    cases = {
        "transaction-initiated": ["amount"],
        "transaction-completed": ["amount"],
        "circle-created": ["contribution_amount"],
        "circle-contribution-received": ["amount"],
        "circle-contribution-missed": ["amount_due"],
        "circle-payout-executed": ["amount"],
        "remittance-initiated": ["send_amount", "receive_amount"],
        "remittance-completed": ["actual_receive_amount"],
    }
    for event_type, fields in cases.items():
        for field in fields:
            instance = example(event_type)
            assert_invalid(event_type, set_at(instance, ("payload", field), "0.00"), f"{field} 0.00")
            assert_invalid(event_type, set_at(instance, ("payload", field), "10.5"), f"{field} 10.5")
            assert_invalid(event_type, set_at(instance, ("payload", field), "-5.00"), f"{field} -5.00")
            assert is_valid(event_type, set_at(instance, ("payload", field), "0.01"))


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_timestamps_must_be_utc(event_type):
    instance = example(event_type)
    paths = [("timestamp",)] + [("payload", *p) for p in leaves_of(event_type, "timestamp")]
    for path in paths:
        for bad in (
            NON_UTC,
            "2026-01-01T10:00:00",
            "2026-01-01 10:00:00Z",
            "2026-01-01T10:00:00+01:00",
            "2026-13-01T10:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T10:00:00.1234567Z",
            "2026-01-01T10:00:00Z\n",
            "2026-01-01",
            1767261600,
        ):
            assert_invalid(event_type, set_at(instance, path, bad), f"{bad!r} at {path}")
        for good in ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00.123456Z"):
            assert is_valid(event_type, set_at(instance, path, good)), f"{good} rejected at {path}"


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_dates_are_plain_dates(event_type):
    instance = example(event_type)
    for path in [("payload", *p) for p in leaves_of(event_type, "date")]:
        for bad in ("2026-03-16T00:00:00Z", "16/03/2026", "2026-3-16", "2026-02-30x"):
            assert_invalid(event_type, set_at(instance, path, bad), f"{bad!r} at {path}")


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_unknown_fields_are_rejected(event_type):
    instance = example(event_type)
    assert_invalid(event_type, set_at(instance, ("payload", "unexpected_field"), "x"), "an unknown payload field")
    assert_invalid(event_type, set_at(instance, ("unexpected_field",), "x"), "an unknown envelope field")
    for path, node in walk(instance["payload"]):
        if path and isinstance(node, dict) and path[-1] != "details":  # outbound `details` are free-form
            assert_invalid(
                event_type,
                set_at(instance, ("payload", *path, "unexpected_field"), 1),
                f"an unknown field inside {path}",
            )


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_missing_required_fields_are_rejected(event_type):
    _, schema = SCHEMAS[event_type]
    instance = example(event_type)
    for field in schema["required"]:
        assert_invalid(event_type, delete_at(instance, (field,)), f"no envelope {field}")
    for field in schema["properties"]["payload"]["required"]:
        assert field in instance["payload"], f"example of {event_type} lacks required {field}"
        assert_invalid(event_type, delete_at(instance, ("payload", field)), f"no payload {field}")


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_envelope_values_are_checked(event_type):
    instance = example(event_type)
    other = "transaction-failed" if event_type != "transaction-failed" else "transaction-flagged"
    assert_invalid(event_type, set_at(instance, ("event_type",), other), "another event_type")
    assert_invalid(event_type, set_at(instance, ("event_version",), "1.1"), "another version")
    assert_invalid(event_type, set_at(instance, ("event_version",), 1.0), "a numeric version")
    assert_invalid(event_type, set_at(instance, ("event_id",), "not-a-uuid"), "a bad event_id")
    assert_invalid(
        event_type, set_at(instance, ("event_id",), "0b6a7f3e1c2d4e5f8a9b0c1d2e3f4a51"), "an unhyphenated uuid"
    )
    assert_invalid(event_type, set_at(instance, ("correlation_id",), None), "a null correlation_id")
    assert_invalid(event_type, set_at(instance, ("payload",), []), "a list payload")
    assert is_valid(event_type, delete_at(instance, ("correlation_id",)) if "correlation_id" in instance else instance)
    if event_type in OUTBOUND_TYPES:
        assert_invalid(event_type, set_at(instance, ("source_service",), "transaction-service"), "a Trebanx source")
    else:
        assert_invalid(event_type, set_at(instance, ("source_service",), "lakay-intelligence"), "Lakay as source")
        assert_invalid(event_type, set_at(instance, ("source_service",), "billing-service"), "an unknown source")


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_hostile_strings_are_rejected(event_type):
    instance = example(event_type)
    for path, name in payload_leaves(event_type):
        full = ("payload", *path)
        if name in ("id", "name", "label", "text", "email", "phone", "ip_address", "uuid"):
            assert_invalid(event_type, set_at(instance, full, "a" * 1_000_001), f"a 1 MB string at {path}")
            assert_invalid(event_type, set_at(instance, full, "ab\x00cd"), f"NUL at {path}")
        if name in ("id", "name", "label"):
            assert_invalid(event_type, set_at(instance, full, "abc\n"), f"a newline at {path}")
        if name == "id":
            assert_invalid(event_type, set_at(instance, full, ""), f"an empty id at {path}")
            assert_invalid(event_type, set_at(instance, full, "a b"), f"a space in an id at {path}")
            assert_invalid(event_type, set_at(instance, full, "x" * 65), f"a 65-char id at {path}")
    for path, node in walk(instance["payload"]):
        if path and isinstance(node, list):
            assert_invalid(event_type, set_at(instance, ("payload", *path), node * 1000), f"a huge list at {path}")


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_cash_at_agent_requires_agent_id(event_type):
    methods = leaves_of(event_type, "payment_method")
    instance = example(event_type)
    if not methods:
        assert "agent_id" not in SCHEMAS[event_type][1]["properties"]["payload"]["properties"]
        return
    without_agent = delete_at(instance, ("payload", "agent_id")) if "agent_id" in instance["payload"] else instance
    for path in methods:
        full = ("payload", *path)
        cash = set_at(without_agent, full, "cash_at_agent")
        assert_invalid(event_type, cash, f"cash_at_agent at {path} without agent_id")
        assert is_valid(event_type, set_at(cash, ("payload", "agent_id"), "agent_us_mia_003"))
        for method in PAYMENT_METHODS[1:]:
            others = without_agent
            for other in methods:
                others = set_at(others, ("payload", *other), method)
            assert is_valid(event_type, others), f"{method} at {path} without agent_id rejected"
        assert_invalid(event_type, set_at(instance, full, "cash"), f"an unknown method at {path}")
        assert_invalid(event_type, set_at(instance, full, "stripe"), f"an upstream method at {path}")


def test_transaction_initiated_cash_on_either_side_needs_agent():
    instance = delete_at(example("transaction-initiated"), ("payload", "agent_id"))
    instance = set_at(instance, ("payload", "source", "type"), "ach")
    assert is_valid("transaction-initiated", instance)
    for side in ("source", "destination"):
        assert_invalid("transaction-initiated", set_at(instance, ("payload", side, "type"), "cash_at_agent"), side)


def test_cash_pickup_abroad_is_not_a_us_cash_method():
    instance = example("remittance-initiated")
    digital = set_at(delete_at(instance, ("payload", "agent_id")), ("payload", "funding_method"), "debit_card")
    assert digital["payload"]["delivery_method"] == "cash_pickup_agent"
    assert is_valid("remittance-initiated", digital)  # Haitian cash pickup needs no US agent
    assert_invalid("remittance-initiated", set_at(instance, ("payload", "funding_method"), "cash_pickup_agent"), "x")
    assert_invalid("remittance-initiated", set_at(instance, ("payload", "delivery_method"), "cash_at_agent"), "x")


def test_exchange_rates_are_not_money():
    instance = example("exchange-rate-updated")
    for good in ("131.25", "130.9", "1", "0.0076", "999999.999999"):
        assert is_valid("exchange-rate-updated", set_at(instance, ("payload", "rate"), good)), good
    for bad in ("0", "0.0", "000.000", "-131.25", "1e2", "1234567", "1.1234567", 131.25, "131.25\n"):
        assert_invalid("exchange-rate-updated", set_at(instance, ("payload", "rate"), bad), repr(bad))
    assert_invalid("exchange-rate-updated", set_at(instance, ("payload", "pair"), "USD/EUR"), "another pair")


def test_geo_and_network_fields():
    instance = example("login-attempt")
    geo = ("payload", "geo_location")
    assert_invalid("login-attempt", set_at(instance, (*geo, "latitude"), 91), "latitude 91")
    assert_invalid("login-attempt", set_at(instance, (*geo, "longitude"), -180.5), "longitude -180.5")
    assert_invalid("login-attempt", set_at(instance, (*geo, "country"), "us"), "lower-case country")
    assert_invalid("login-attempt", set_at(instance, (*geo, "country"), "USA"), "alpha-3 country")
    assert_invalid("login-attempt", delete_at(instance, (*geo, "latitude")), "geo without latitude")
    assert is_valid("login-attempt", delete_at(instance, (*geo, "city")))
    for good in ("203.0.113.24", "::1", "2001:db8::7334", "::ffff:192.0.2.1"):
        assert is_valid("login-attempt", set_at(instance, ("payload", "ip_address"), good)), good
    for bad in ("256.1.1.1", "1.2.3", "localhost", "1.2.3.4\n", "abc"):
        assert_invalid("login-attempt", set_at(instance, ("payload", "ip_address"), bad), bad)


def test_outbound_compliance_text_cannot_name_a_sar():
    instance = example("compliance-alert-raised")
    basis = ("payload", "regulatory_basis")
    for bad in (
        "SAR filed on 2026-04-10",
        "sar drafted",
        "see SARs",
        "Suspicious Activity Report pending",
        "31 CFR 1022.320 (SAR)",
        "queued:SAR",
    ):
        assert_invalid("compliance-alert-raised", set_at(instance, basis, bad), repr(bad))
    for good in ("31 CFR 1022.320(a)(2)", "Sarasota agent cluster", "31 CFR 1010.311"):
        assert is_valid("compliance-alert-raised", set_at(instance, basis, good)), good
    assert is_valid("compliance-alert-raised", set_at(instance, ("payload", "recommended_action"), "file_sar"))
    assert is_valid("compliance-alert-raised", set_at(instance, ("payload", "amount_total"), None))
    edd = example("edd-triggered")
    assert_invalid("edd-triggered", set_at(edd, ("payload", "reasons"), ["Prior SAR on file"]), "SAR in reasons")
    assert_invalid("edd-triggered", set_at(edd, ("payload", "new_level"), "low"), "EDD into low")
    assert is_valid("edd-triggered", set_at(edd, ("payload", "previous_level"), None))


def test_outbound_nullable_and_free_form_fields():
    ato = example("ato-alert-raised")
    assert is_valid("ato-alert-raised", set_at(ato, ("payload", "session_id"), "sess_c41d2e"))
    assert_invalid("ato-alert-raised", set_at(ato, ("payload", "ato_risk_score"), 1.01), "score > 1")
    details = ("payload", "contributing_signals", 0, "details")
    assert_invalid("ato-alert-raised", set_at(ato, (*details, "nested"), {"a": 1}), "a nested details object")
    assert_invalid("ato-alert-raised", set_at(ato, details, {f"k{i}": i for i in range(51)}), "51 detail keys")
    assert_invalid("ato-alert-raised", set_at(ato, details, {"Bad Key": 1}), "a non-snake-case key")
    tier = example("circle-tier-changed")
    assert is_valid("circle-tier-changed", set_at(tier, ("payload", "previous_tier"), None))
    assert_invalid("circle-tier-changed", set_at(tier, ("payload", "new_tier"), "at_risk"), "at_risk")
    fraud = example("fraud-alert-raised")
    assert_invalid("fraud-alert-raised", set_at(fraud, ("payload", "severity"), "medium"), "severity medium")


# ---------------------------------------------------------------------------------------------
# The Rust validator (if installed) must agree, since patterns are written to mean the same everywhere.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_jsonschema_rs_agrees(event_type):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    _, schema = SCHEMAS[event_type]
    validator = jsonschema_rs.validator_for(schema)
    instance = example(event_type)
    assert validator.is_valid(instance)
    mutants = [set_at(instance, ("timestamp",), NON_UTC), set_at(instance, ("payload", "zz"), 1)]
    for path, name in payload_leaves(event_type):
        full = ("payload", *path)
        if name in ("money", "positive_money"):
            mutants += [set_at(instance, full, "10.00\n"), set_at(instance, full, ARABIC_INDIC_TEN)]
        if name == "positive_money":
            mutants.append(set_at(instance, full, "0.00"))
        if name == "id":
            mutants.append(set_at(instance, full, "abc\n"))
    for mutant in mutants:
        assert not validator.is_valid(mutant)
        assert not is_valid(event_type, mutant)


def test_patterns_use_ascii_digits_and_a_strict_end_anchor():
    for rel, schema in SCHEMAS.values():
        for path, node in walk(schema):
            if isinstance(node, dict) and isinstance(node.get("pattern"), str) and "not" not in path:
                pattern = node["pattern"]
                re.compile(pattern)
                assert "\\d" not in pattern, f"{rel}: \\d at {path}"
                assert pattern.startswith("^"), f"{rel}: no start anchor at {path}"
                assert pattern.endswith("$(?!\\n)"), f"{rel}: loose end anchor at {path}"
