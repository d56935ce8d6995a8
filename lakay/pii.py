"""Keyed tokens for personal data: one function used by logs and the lake.

``pii_token("user_id", "u-123")`` → ``tok_user_id_<24 hex>``: HMAC-SHA256 keyed by ``PII_TOKEN_SECRET``
over ``field:value``. Deterministic so tokens stay joinable; irreversible without the reverse mapping
(kept encrypted by the lake's audited service).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

# Fields that identify or locate a person. Nested keys (geo_location.latitude) match on the last part.
PII_FIELDS: frozenset[str] = frozenset(
    {
        "user_id",
        "sender_id",
        "organizer_id",
        "recipient_id",
        "member_id",
        "email",
        "phone",
        "ip_address",
        "device_id",
        "full_name",
        "first_name",
        "last_name",
        "name",
        "recipient_name",
        "recipient_phone",
        "sender_name",
        "address",
        "government_id",
        "date_of_birth",
        "latitude",
        "longitude",
        "user_agent",
        "username",
    }
)


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return secret.encode()


def pii_token(field: str, value: object) -> str:
    """Return the keyed token for ``value`` of ``field`` (same input, same token)."""
    digest = hmac.new(_key(settings.PII_TOKEN_SECRET), f"{field}:{value}".encode(), hashlib.sha256)
    return f"tok_{field}_{digest.hexdigest()[:24]}"


def scrub(value: object, field: str = "") -> object:
    """Replace PII fields anywhere inside ``value`` (dicts and lists walked recursively)."""
    if isinstance(value, dict):
        return {key: scrub(item, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, field) for item in value]
    if field in PII_FIELDS and value not in (None, ""):
        return pii_token(field, value)
    return value
