"""PII in the lake: which fields are personal, their keyed tokens, the encrypted reverse mapping, and
the one audited way to read a value back.

Tokens are ``lakay.pii.pii_token(field, value)`` — the same function the logs use, so a token in a log
line, a silver file and a gold row is the same string. The lake tokenizes the log set
(``lakay.pii.PII_FIELDS``) plus what the contracts call personal data and the logs never see
(address parts, US state, the name of whoever confirmed a payout, referral codes). Every leaf under an
``address`` object is personal too. Person ids under other names (``sender_id``, ``organizer_id``,
``recipient_id``, ``member_id``) are keyed as ``user_id``, so one person has one token everywhere.

The reverse mapping (token → value) is stored Fernet-encrypted with ``PII_ENCRYPTION_KEY`` (a list,
newest first: MultiFernet decrypts with any and ``pii_keys_rotate`` re-encrypts with the newest).
``pii_reveal`` is the only reader; it requires a compliance officer or admin, a reason, and writes a
``PiiRevealAudit`` row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import connection, transaction

from apps.pipeline.lake.models import PiiRevealAudit, PiiTokenMapping
from lakay.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from lakay.logging import get_logger
from lakay.pii import PII_FIELDS, pii_token
from lakay.security.permissions import has_role
from lakay.security.roles import Role

logger = get_logger(__name__)

LAKE_PII_FIELDS: frozenset[str] = PII_FIELDS | frozenset(
    {"state", "city", "line1", "postal_code", "confirmed_by", "referral_code"}
)
# Objects whose every leaf is personal, whatever the leaf is called.
PII_OBJECTS: frozenset[str] = frozenset({"address"})
# Fields that name a person by their Trebanx user id under another role: tokenized in the ``user_id``
# namespace so a sender, an organizer and a user are the same token (gold joins people across events).
PERSON_ID_FIELDS: frozenset[str] = frozenset({"sender_id", "recipient_id", "organizer_id", "member_id"})
REVEAL_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMIN)


def is_pii_path(path: Sequence[str]) -> bool:
    """``("geo_location", "latitude")`` → True. A leaf is personal by its name or its ancestors'."""
    return path[-1] in LAKE_PII_FIELDS or any(part in PII_OBJECTS for part in path[:-1])


def token_field(path: Sequence[str]) -> str:
    """The field name a token is keyed with: the leaf name (as in the logs), ``user_id`` for person ids."""
    leaf = path[-1]
    return "user_id" if leaf in PERSON_ID_FIELDS else leaf


class Tokenizer:
    """``lakay.pii.pii_token`` for many values: the same HMAC-SHA256 (``PII_TOKEN_SECRET`` over
    ``field:value``), keyed once instead of once per value and without a settings lookup per call."""

    def __init__(self) -> None:
        self._keyed = hmac.new(settings.PII_TOKEN_SECRET.encode(), digestmod=hashlib.sha256)

    def token(self, field: str, value: object) -> str:
        digest = self._keyed.copy()
        digest.update(f"{field}:{value}".encode())
        return f"tok_{field}_{digest.hexdigest()[:24]}"

    def tokens(self, field: str, values: Iterable[object]) -> list[str]:
        keyed = self._keyed
        prefix = f"tok_{field}_"
        result = []
        for value in values:
            digest = keyed.copy()
            digest.update(f"{field}:{value}".encode())
            result.append(prefix + digest.hexdigest()[:24])
        return result


def scrub_value(value: Any, path: tuple[str, ...] = ()) -> Any:
    """Tokenize personal leaves anywhere in a JSON value (dicts and lists walked, address objects too)."""
    if isinstance(value, dict):
        return {key: scrub_value(item, (*path, str(key))) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_value(item, path) for item in value]
    if path and value is not None and value != "" and is_pii_path(path):
        return pii_token(token_field(path), value)
    return value


def scrub_text(text: str, values: Iterable[str]) -> str:
    """Remove known personal values from free text (error messages quoting the input)."""
    for value in values:
        if value and len(value) >= 3:
            text = text.replace(value, "…")
    return text


# ---------------------------------------------------------------------------------- encryption
def _derived_key(material: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"pii-mapping:{material}".encode()).digest())


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], fallback_material: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    # Development only (settings refuse a missing key in staging/production).
    return MultiFernet([Fernet(_derived_key(fallback_material))])


def pii_fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEY), f"{settings.SECRET_KEY}:{settings.PII_TOKEN_SECRET}")


# ---------------------------------------------------------------------------------- mapping
def pii_mappings_store(mappings: dict[str, tuple[str, str]]) -> int:
    """Store token → (field, value) pairs not stored yet (encrypted). Returns how many were new.

    Uses COPY into a temporary table and one ``INSERT … ON CONFLICT DO NOTHING``: a first build of a
    large lake writes hundreds of thousands of mappings.
    """
    if not mappings:
        return 0
    candidates = list(mappings)
    table = PiiTokenMapping._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE token = ANY(%s)", [candidates])  # noqa: S608  # nosec B608  # table name from the model
        known = {row[0] for row in cursor.fetchall()}
    new = [token for token in candidates if token not in known]
    if not new:
        return 0
    fernet = pii_fernet()
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS lake_pii_incoming "
            "(token varchar(80), field varchar(64), encrypted_value text) ON COMMIT DELETE ROWS"
        )
        with cursor.copy("COPY lake_pii_incoming (token, field, encrypted_value) FROM STDIN") as copy:
            for token in new:
                field, value = mappings[token]
                copy.write_row((token, field, fernet.encrypt(value.encode()).decode()))
        cursor.execute(
            f"INSERT INTO {PiiTokenMapping._meta.db_table} (token, field, encrypted_value, created_at) "  # noqa: S608  # nosec B608  # table name from the model
            "SELECT token, field, encrypted_value, %s FROM lake_pii_incoming ON CONFLICT (token) DO NOTHING",
            [now],
        )
        inserted = cursor.rowcount
    return max(inserted, 0)


def pii_reveal(*, token: str, actor: Any, reason: str) -> str:
    """The original value behind ``token``, for a compliance officer or admin, audited."""
    if not has_role(actor, *REVEAL_ROLES):
        raise PermissionDeniedError("Only compliance officers and admins may reveal personal data.")
    if not reason or not reason.strip():
        raise ApplicationError("A reason is required to reveal personal data.", code="reason_required")
    mapping = PiiTokenMapping.objects.filter(token=token).first()
    if mapping is None:
        raise NotFoundError("Unknown token.", code="token_not_found")
    value = pii_fernet().decrypt(mapping.encrypted_value.encode()).decode()
    PiiRevealAudit.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(getattr(actor, "username", "") or getattr(actor, "name", "") or "unknown")[:150],
        token=token,
        field=mapping.field,
        reason=reason.strip(),
    )
    logger.info("lake.pii.revealed", token=token, field=mapping.field, actor=getattr(actor, "pk", None))
    return value


def pii_keys_rotate(*, batch_size: int = 2000) -> int:
    """Re-encrypt every mapping with the newest ``PII_ENCRYPTION_KEY``. Returns rows rewritten."""
    fernet = pii_fernet()
    rewritten = 0
    last = ""
    while True:
        with transaction.atomic():
            rows = list(
                PiiTokenMapping.objects.select_for_update()
                .filter(token__gt=last)
                .order_by("token")
                .values_list("token", "encrypted_value")[:batch_size]
            )
            if not rows:
                return rewritten
            for token, encrypted in rows:
                PiiTokenMapping.objects.filter(token=token).update(
                    encrypted_value=fernet.rotate(encrypted.encode()).decode()
                )
            rewritten += len(rows)
            last = rows[-1][0]
