"""The hash-chained audit log: append (serialised) and verify.

``entry_hash = SHA-256(previous_hash || canonical_json(row))`` with a gap-free ``sequence``. Appends
take a transaction-scoped advisory lock so two officers acting at once still form one chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.compliance.models import AuditEntry, Case

GENESIS_HASH = "0" * 64
_LOCK_KEY = 7_316_004_001  # pg_advisory_xact_lock key of the compliance audit chain


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def canonical_row(entry: AuditEntry) -> str:
    """The exact text hashed for a row (every stored column except the hashes)."""
    row = {
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "case_id": entry.case_id,
        "customer_id": entry.customer_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "details": entry.details,
    }
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((previous_hash + canonical_row(entry)).encode()).hexdigest()


def audit_append(
    *,
    actor: Any,
    action: str,
    summary: str,
    case: Case | None = None,
    customer_id: str = "",
    object_type: str = "",
    object_id: str | int = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside the transaction of the change it records")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    sequence, previous_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    entry = AuditEntry(
        sequence=sequence,
        occurred_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=(getattr(actor, "get_username", lambda: "")() or "system")[:150],
        action=action,
        case=case,
        customer_id=customer_id or (case.customer_id if case else ""),
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:300],
        details=_plain(dict(details or {})),
        previous_hash=previous_hash,
        entry_hash="",
    )
    entry.entry_hash = chain_hash(previous_hash, entry)
    entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class ChainVerification:
    entries_checked: int
    is_intact: bool
    first_broken_sequence: int | None = None
    problem: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000)


def audit_chain_verify() -> ChainVerification:
    """Recompute the whole chain; report the first row that was edited, removed or reordered."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for entry in _entries():
        checked += 1
        if entry.sequence != expected_sequence:
            return ChainVerification(
                checked, False, expected_sequence, f"sequence {expected_sequence} is missing (found {entry.sequence})"
            )
        if entry.previous_hash != previous_hash:
            return ChainVerification(checked, False, entry.sequence, "previous_hash does not match the prior row")
        if chain_hash(previous_hash, entry) != entry.entry_hash:
            return ChainVerification(checked, False, entry.sequence, "row content does not match its hash")
        previous_hash = entry.entry_hash
        expected_sequence += 1
    return ChainVerification(checked, True)


def audit_chain_head() -> tuple[int, str]:
    """Sequence and hash of the newest entry (publish it elsewhere to detect truncation)."""
    last = AuditEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)
