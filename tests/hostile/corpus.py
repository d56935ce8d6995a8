"""The hostile input corpus: malformed, oversized, ambiguous and tricky inbound events.

Each case is one message as a hostile or broken producer could send it, with what the spine must do:
store it, recognise it as a duplicate, or dead-letter it with a reason. The same corpus goes through
``ingest_batch`` (tests/hostile/test_ingest_corpus.py), the real consumer process against the broker
(test_consumer_corpus.py) and ``POST /api/v1/events`` (test_api_corpus.py).

Built by functions (not at import) because events come from the contract examples under settings.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apps.pipeline.spine.choices import DeadLetterReason as Reason
from apps.pipeline.spine.topics import CIRCLE_EVENTS, TRANSACTION_EVENTS, USER_EVENTS
from tests.events import make_event

TWO_MEGABYTES = 2 * 1024 * 1024
STORED = "stored"
DUPLICATE = "duplicate"
DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class Case:
    """One hostile message and the spine's expected answer.

    ``reason``: the dead-letter reason (Kafka) and, unless ``api_code`` says otherwise, the error
    code of the 400 the API answers. ``api``: False when the case only makes sense on Kafka (topics,
    keys, tombstones).
    """

    name: str
    value: bytes | None
    topic: str
    expect: str
    reason: str = ""
    key: bytes | None = None
    api: bool = True
    api_status: int | None = None
    api_code: str | None = None

    @property
    def expected_api_status(self) -> int:
        if self.api_status is not None:
            return self.api_status
        return {STORED: 201, DUPLICATE: 200}.get(self.expect, 400)

    @property
    def expected_api_code(self) -> str:
        return self.api_code or self.reason


def _bytes(envelope: Any) -> bytes:
    """ASCII JSON: NUL and lone surrogates travel as \\u escapes, exactly as a JSON producer writes them."""
    return json.dumps(envelope).encode()


def _txn(**payload: Any) -> dict[str, Any]:
    """A transaction of its own customer (per-customer totals of one case never add up with another's)."""
    fields = {"transaction_id": f"txn_{uuid.uuid4().hex[:16]}", "user_id": f"user_{uuid.uuid4().hex[:12]}", **payload}
    return make_event("transaction-initiated", **fields)


def _login(**payload: Any) -> dict[str, Any]:
    return make_event("login-success", **payload)


def _registered(**payload: Any) -> dict[str, Any]:
    return make_event("user-registered", user_id=f"user_{uuid.uuid4().hex[:12]}", **payload)


def _without(envelope: dict[str, Any], *path: str) -> dict[str, Any]:
    node = envelope
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return envelope


def _with(envelope: dict[str, Any], **fields: Any) -> dict[str, Any]:
    envelope.update(fields)
    return envelope


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _amount(amount: Any) -> dict[str, Any]:
    return _txn(amount=amount)


def _raw_amount(literal: str) -> bytes:
    """A transaction whose amount is a bare JSON number literal (not a string)."""
    marker = "__AMOUNT__"
    return _bytes(_txn(amount=marker)).replace(f'"{marker}"'.encode(), literal.encode())


def syntax_cases() -> list[Case]:
    """Bytes that are not a JSON object at all."""
    valid = _bytes(_login())
    return [
        Case("broken_json", b'{"event_type": "login-success", ', USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case("empty_message", b"", USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case("tombstone", None, USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON, api=False),
        Case("trailing_garbage", valid + b" trailing", USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case("two_objects", valid + valid, USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case("json_array", b"[1, 2, 3]", USER_EVENTS, DEAD_LETTERED, Reason.NOT_AN_OBJECT),
        Case("json_string", b'"login-success"', USER_EVENTS, DEAD_LETTERED, Reason.NOT_AN_OBJECT),
        Case("json_number", b"42", USER_EVENTS, DEAD_LETTERED, Reason.NOT_AN_OBJECT),
        Case("json_null", b"null", USER_EVENTS, DEAD_LETTERED, Reason.NOT_AN_OBJECT),
        Case("json_true", b"true", USER_EVENTS, DEAD_LETTERED, Reason.NOT_AN_OBJECT),
        Case("nan_literal", b'{"event_type": NaN}', USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case("infinity_literal", b'{"value": -Infinity}', USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case("deep_nesting", b"[" * 100_000, USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
        Case(
            "deep_nesting_in_payload",
            _bytes(_login()).replace(b'"mfa_used": true', b'"mfa_used": ' + b"[" * 5000 + b"]" * 5000),
            USER_EVENTS,
            DEAD_LETTERED,
            Reason.INVALID_JSON,
        ),
        Case(
            "integer_with_5000_digits",
            b'{"event_type": "login-success", "n": ' + b"9" * 5000 + b"}",
            USER_EVENTS,
            DEAD_LETTERED,
            Reason.INVALID_JSON,
        ),
        Case(
            "invalid_utf8",
            b'{"event_type": "login-success", "payload": {"user_id": "\xc3\x28\xff"}}',
            USER_EVENTS,
            DEAD_LETTERED,
            Reason.INVALID_JSON,
        ),
        Case(
            "latin1_text",
            '{"event_type": "user-registered", "payload": {"full_name": "Jérôme Désir"}}'.encode("latin-1"),
            USER_EVENTS,
            DEAD_LETTERED,
            Reason.INVALID_JSON,
        ),
        Case(
            "utf16_encoded_event",
            json.dumps(_login()).encode("utf-16"),
            USER_EVENTS,
            DEAD_LETTERED,
            Reason.INVALID_JSON,
        ),
        Case("utf8_bom", b"\xef\xbb\xbf" + _bytes(_login()), USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON),
    ]


def size_cases(max_bytes: int) -> list[Case]:
    """Oversized messages: dead-lettered unparsed on Kafka; the API refuses them before parsing."""
    huge = _login()
    huge["payload"]["user_id"] = "u" * TWO_MEGABYTES
    just_over = _login()
    just_over["payload"]["session_id"] = "s" * max_bytes
    long_label = _txn()
    long_label["payload"]["source"]["identifier"] = "x" * 100_000
    return [
        Case(
            "two_megabytes",
            _bytes(huge),
            USER_EVENTS,
            DEAD_LETTERED,
            Reason.MESSAGE_TOO_LARGE,
            api_status=413,
            api_code="request_too_large",
        ),
        # Over EVENT_MAX_BYTES but under the HTTP body limit: the API reaches the contract, which bounds every string.
        Case("just_over_max_bytes", _bytes(just_over), USER_EVENTS, DEAD_LETTERED, Reason.MESSAGE_TOO_LARGE,
             api_code=Reason.SCHEMA_INVALID),
        Case("very_long_label", _bytes(long_label), TRANSACTION_EVENTS, DEAD_LETTERED, Reason.SCHEMA_INVALID),
    ]  # fmt: skip


def envelope_cases() -> list[Case]:
    """Objects that are not a known, well-formed envelope."""
    return [
        Case("unknown_event_type", _bytes(_with(_login(), event_type="no-such-event")), USER_EVENTS, DEAD_LETTERED,
             Reason.UNKNOWN_EVENT_TYPE),
        Case("event_type_is_a_number", _bytes(_with(_login(), event_type=42)), USER_EVENTS, DEAD_LETTERED,
             Reason.UNKNOWN_EVENT_TYPE),
        Case("event_type_missing", _bytes(_without(_login(), "event_type")), USER_EVENTS, DEAD_LETTERED,
             Reason.UNKNOWN_EVENT_TYPE),
        Case("event_version_unknown", _bytes(_with(_login(), event_version="2.0")), USER_EVENTS, DEAD_LETTERED,
             Reason.UNKNOWN_EVENT_VERSION),
        # 1.0 names a known version (looked up as text), so the schema explains what is wrong: not a string.
        Case("event_version_is_a_number", _bytes(_with(_login(), event_version=1.0)), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("event_version_missing", _bytes(_without(_login(), "event_version")), USER_EVENTS, DEAD_LETTERED,
             Reason.UNKNOWN_EVENT_VERSION),
        Case("wrong_topic", _bytes(_login()), TRANSACTION_EVENTS, DEAD_LETTERED, Reason.WRONG_TOPIC, api=False),
        Case("event_id_missing", _bytes(_without(_login(), "event_id")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("event_id_not_a_uuid", _bytes(_with(_login(), event_id="1234")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("event_id_is_a_number", _bytes(_with(_login(), event_id=1234)), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("timestamp_missing", _bytes(_without(_login(), "timestamp")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("source_service_unknown", _bytes(_with(_login(), source_service="evil-service")), USER_EVENTS,
             DEAD_LETTERED, Reason.SCHEMA_INVALID),
        Case("extra_envelope_field", _bytes(_with(_login(), admin=True)), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("payload_missing", _bytes(_without(_login(), "payload")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("payload_is_a_list", _bytes(_with(_login(), payload=[1, 2])), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("payload_field_missing", _bytes(_without(_login(), "payload", "user_id")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("payload_field_wrong_type", _bytes(_login(mfa_used="yes")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("payload_extra_field", _bytes(_login(is_admin=True)), USER_EVENTS, DEAD_LETTERED, Reason.SCHEMA_INVALID),
    ]  # fmt: skip


def timestamp_cases(now: datetime) -> list[Case]:
    """Event time policy: within the future skew → stored; beyond → dead-lettered; before 2015 → refused."""
    return [
        Case("timestamp_one_day_ahead", _bytes(_login(at=now + timedelta(days=1))), USER_EVENTS, DEAD_LETTERED,
             Reason.TIMESTAMP_IN_FUTURE),
        Case("timestamp_year_9999", _bytes(_with(_login(), timestamp="9999-12-31T23:59:59Z")), USER_EVENTS,
             DEAD_LETTERED, Reason.TIMESTAMP_IN_FUTURE),
        Case("timestamp_within_skew", _bytes(_login(at=now + timedelta(seconds=60))), USER_EVENTS, STORED),
        Case("timestamp_a_year_old", _bytes(_login(at=now - timedelta(days=365))), USER_EVENTS, STORED),
        Case("timestamp_unix_epoch", _bytes(_with(_login(), timestamp="1970-01-01T00:00:00Z")), USER_EVENTS,
             DEAD_LETTERED, Reason.INVALID_TIMESTAMP),
        Case("timestamp_year_1", _bytes(_with(_login(), timestamp="0001-01-01T00:00:00Z")), USER_EVENTS,
             DEAD_LETTERED, Reason.INVALID_TIMESTAMP),
        Case("timestamp_year_0", _bytes(_with(_login(), timestamp="0000-01-01T00:00:00Z")), USER_EVENTS,
             DEAD_LETTERED, Reason.INVALID_TIMESTAMP),
        Case("timestamp_february_30", _bytes(_with(_login(), timestamp="2026-02-30T10:00:00Z")), USER_EVENTS,
             DEAD_LETTERED, Reason.INVALID_TIMESTAMP),
        Case("timestamp_without_zone", _bytes(_with(_login(), timestamp="2026-03-01T10:00:00")), USER_EVENTS,
             DEAD_LETTERED, Reason.SCHEMA_INVALID),
        Case("timestamp_other_offset", _bytes(_with(_login(), timestamp="2026-03-01T10:00:00+05:00")), USER_EVENTS,
             DEAD_LETTERED, Reason.SCHEMA_INVALID),
        Case("timestamp_unix_seconds", _bytes(_with(_login(), timestamp=1767225600)), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
    ]  # fmt: skip


def amount_cases() -> list[Case]:
    """Money: strings with exactly two decimals, 0 < amount < 10^12."""
    return [
        Case(f"amount_{name}", _bytes(_amount(value)), TRANSACTION_EVENTS, DEAD_LETTERED, Reason.SCHEMA_INVALID)
        for name, value in [
            ("negative", "-5.00"),
            ("zero", "0.00"),
            ("exponent_overflow", "1e309"),
            ("twenty_digits", "99999999999999999999.99"),
            ("three_decimals", "10.001"),
            ("nan_string", "NaN"),
            ("infinity_string", "Infinity"),
            ("padded", " 10.00"),
            ("as_number", 10.5),
            ("as_bool", True),
            ("empty", ""),
        ]
    ] + [
        Case("amount_number_overflowing_a_double", _raw_amount("1e309"), TRANSACTION_EVENTS, DEAD_LETTERED,
             Reason.INVALID_JSON),
        Case("amount_number_with_400_digits", _raw_amount("9" * 400), TRANSACTION_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("amount_largest_allowed", _bytes(_amount("999999999999.99")), TRANSACTION_EVENTS, STORED),
    ]  # fmt: skip


def unicode_cases() -> list[Case]:
    """NUL, lone surrogates, bidi overrides, zero-width characters, astral characters."""
    nul_key = _login()
    nul_key["payload"]["user\u0000id"] = "user_1"
    surrogate_key = _login()
    surrogate_key["payload"]["\udfff"] = 1
    return [
        Case("nul_in_payload_value", _bytes(_login(user_id="user\u0000_1")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("nul_in_payload_key", _bytes(nul_key), USER_EVENTS, DEAD_LETTERED, Reason.SCHEMA_INVALID),
        Case("nul_in_event_type", _bytes(_with(_login(), event_type="login\u0000success")), USER_EVENTS,
             DEAD_LETTERED, Reason.UNKNOWN_EVENT_TYPE),
        Case("nul_in_event_version", _bytes(_with(_login(), event_version="1.0\u0000")), USER_EVENTS, DEAD_LETTERED,
             Reason.UNKNOWN_EVENT_VERSION),
        Case("nul_in_event_id", _bytes(_with(_login(), event_id="\u0000" * 36)), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("nul_in_key_of_a_bad_message", b"{broken", USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON,
             key=b"user\x00\xff_1", api=False),
        Case("nul_in_key_of_a_valid_event", _bytes(_login()), USER_EVENTS, STORED, key=b"\x00\x00", api=False),
        Case("lone_surrogate_in_payload", _bytes(_login(user_id="user_\ud800")), USER_EVENTS, DEAD_LETTERED,
             Reason.INVALID_JSON, api_code="parse_error"),
        Case("lone_surrogate_in_event_type", _bytes(_with(_login(), event_type="\udc00")), USER_EVENTS,
             DEAD_LETTERED, Reason.INVALID_JSON, api_code="parse_error"),
        Case("lone_surrogate_as_key", _bytes(surrogate_key), USER_EVENTS, DEAD_LETTERED, Reason.INVALID_JSON,
             api_code="parse_error"),
        Case("zero_width_space_in_id", _bytes(_login(user_id="user\u200b_1")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("rtl_override_in_id", _bytes(_login(user_id="user_\u202e1")), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        Case("control_character_in_name", _bytes(_registered(full_name="Marie\u001bJean")), USER_EVENTS,
             DEAD_LETTERED, Reason.SCHEMA_INVALID),
        Case("very_long_name", _bytes(_registered(full_name="M" * 50_000)), USER_EVENTS, DEAD_LETTERED,
             Reason.SCHEMA_INVALID),
        # Free text may hold any printable Unicode: names are stored as sent (PII-tokenized downstream).
        Case("rtl_override_in_name", _bytes(_registered(full_name="Jean \u202eerreiP")), USER_EVENTS, STORED),
        Case("zero_width_joiner_in_name", _bytes(_registered(full_name="Ma\u200drie\u200b Jean")), USER_EVENTS,
             STORED),
        Case("astral_characters_in_name", _bytes(_registered(full_name="Mari\U0001f600 Jean \U00010348")),
             USER_EVENTS, STORED),
        Case("creole_accents_in_name", _bytes(_registered(full_name="Jérôme Désir Lùkà")), USER_EVENTS, STORED),
    ]  # fmt: skip


def duplicate_cases() -> list[Case]:
    """The same event twice is stored once (a quiet duplicate); the same id with other content is a conflict."""
    original = _txn()
    changed = json.loads(json.dumps(original))
    changed["payload"]["amount"] = "999.00"
    reordered = json.dumps(original, sort_keys=True).encode()  # same content, other byte order
    return [
        Case("duplicate_first", _bytes(original), TRANSACTION_EVENTS, STORED),
        Case("duplicate_second", _bytes(original), TRANSACTION_EVENTS, DUPLICATE),
        Case("duplicate_reordered_keys", reordered, TRANSACTION_EVENTS, DUPLICATE),
        Case("duplicate_other_content", _bytes(changed), TRANSACTION_EVENTS, DEAD_LETTERED, Reason.EVENT_ID_CONFLICT,
             api_status=400),
    ]  # fmt: skip


def build_corpus(*, max_bytes: int, now: datetime | None = None) -> list[Case]:
    """Every case, in an order where each duplicate follows its original."""
    moment = now or datetime.now(UTC)
    return [
        *syntax_cases(),
        *size_cases(max_bytes),
        *envelope_cases(),
        *timestamp_cases(moment),
        *amount_cases(),
        *unicode_cases(),
        *duplicate_cases(),
        Case("valid_circle_event", _bytes(make_event("circle-created")), CIRCLE_EVENTS, STORED),
    ]


def score_body(**changes: Any) -> dict[str, Any]:
    """A valid ``POST /api/v1/fraud/score`` body (a transaction-initiated payload) with ``changes``."""
    body = make_event("transaction-initiated", transaction_id=f"txn_{uuid.uuid4().hex[:16]}")["payload"]
    body["initiated_at"] = _iso(datetime.now(UTC))
    body.update(changes)
    return body


def score_cases() -> list[tuple[str, bytes, int]]:
    """(name, body, expected status) for the scoring API: amounts and Unicode in every kind of field."""
    cases: list[tuple[str, bytes, int]] = []
    for name, amount in [
        ("negative", "-5.00"),
        ("zero", "0.00"),
        ("exponent_overflow", "1e309"),
        ("twenty_digits", "99999999999999999999.99"),
        ("three_decimals", "10.001"),
        ("nan", "NaN"),
        ("infinity", "Infinity"),
        ("minus_infinity", "-Infinity"),
        ("empty", ""),
        ("words", "ten dollars"),
        ("list", [10]),
    ]:
        cases.append((f"amount_{name}", _bytes(score_body(amount=amount)), 400))
    marker = "__AMOUNT__"
    template = _bytes(score_body(amount=marker))
    for name, literal in [("number_overflow", "1e309"), ("number_400_digits", "9" * 400), ("nan_literal", "NaN")]:
        cases.append((f"amount_{name}", template.replace(f'"{marker}"'.encode(), literal.encode()), 400))
    geo = {"latitude": 18.54, "longitude": -72.34, "country": "HT"}
    cases += [
        ("id_with_nul", _bytes(score_body(user_id="user\u0000_1")), 400),
        ("label_with_nul", _bytes(score_body(source={"type": "ach", "identifier": "acct\u0000"})), 400),
        ("id_with_lone_surrogate", _bytes(score_body(user_id="user_\ud800")), 400),
        ("label_with_lone_surrogate", _bytes(score_body(source={"type": "ach", "identifier": "a\udbff"})), 400),
        ("choice_with_lone_surrogate", _bytes(score_body(type="\udc80")), 400),
        ("unknown_field_named_with_a_lone_surrogate", _bytes(score_body(**{"\ud800": 1})), 400),
        ("unknown_field_named_with_nul", _bytes(score_body(**{"\u0000": 1})), 400),
        ("id_with_zero_width_space", _bytes(score_body(transaction_id="txn\u200b1")), 400),
        ("id_with_rtl_override", _bytes(score_body(user_id="user\u202e1")), 400),
        ("label_very_long", _bytes(score_body(source={"type": "ach", "identifier": "x" * 100_000})), 400),
        ("city_with_control_character", _bytes(score_body(geo_location={**geo, "city": "Port\u001b"})), 400),
        ("latitude_overflow", _bytes(score_body(geo_location={**geo, "latitude": 1e308 * 10})), 400),
        ("currency_with_nul", _bytes(score_body(currency="US\u0000")), 400),
        ("not_utf8", b'{"transaction_id": "\xff\xfe"}', 400),
        ("deep_nesting", b"[" * 100_000, 400),
        ("not_an_object", b"[1, 2]", 400),
        # Printable Unicode in free text is accepted: the transaction is scored.
        ("label_with_rtl_override", _bytes(score_body(source={"type": "ach", "identifier": "acct_\u202e987"})), 201),
        ("city_with_zero_width_joiner", _bytes(score_body(geo_location={**geo, "city": "Jak\u200dmel"})), 201),
        ("city_with_astral_characters", _bytes(score_body(geo_location={**geo, "city": "Okap \U0001f334"})), 201),
    ]
    return cases
