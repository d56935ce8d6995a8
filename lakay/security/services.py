"""Writes for service clients and keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lakay.exceptions import ConflictError, NotFoundError
from lakay.logging import get_logger
from lakay.security.crypto import encrypt_secret
from lakay.security.models import ApiClient, ApiKey
from lakay.security.roles import Role

logger = get_logger(__name__)


@dataclass(frozen=True)
class IssuedKey:
    """What the operator must hand to the client. Shown once; only hashes/ciphertexts are kept."""

    client: str
    key_id: str
    api_key: str
    signing_secret: str


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, client_name: str, roles: list[str] | None = None, created_by: str = "") -> IssuedKey:
    """Create (or reuse) the client and issue it a new key + signing secret."""
    wanted_roles = roles or [Role.SERVICE.value]
    unknown = set(wanted_roles) - {role.value for role in Role}
    if unknown:
        raise ConflictError("Unknown role(s).", code="unknown_role", details={"roles": sorted(unknown)})
    client, _ = ApiClient.objects.get_or_create(name=client_name, defaults={"roles": wanted_roles})
    if not client.is_active:
        raise ConflictError("Client is deactivated.", code="client_inactive")
    key_id = secrets.token_hex(6)
    api_key = f"lk_{key_id}_{secrets.token_urlsafe(32)}"
    signing_secret = secrets.token_urlsafe(32)
    ApiKey.objects.create(
        client=client,
        key_id=key_id,
        key_hash=hash_api_key(api_key),
        signing_secret_encrypted=encrypt_secret(signing_secret),
        created_by=created_by,
    )
    logger.info("security.api_key.created", client=client.name, key_id=key_id)
    return IssuedKey(client=client.name, key_id=key_id, api_key=api_key, signing_secret=signing_secret)


def api_key_revoke(*, key_id: str, reason: str) -> ApiKey:
    """Revoke a key now. Running processes stop accepting it within the auth cache TTL (10 s)."""
    updated = ApiKey.objects.filter(key_id=key_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:255]
    )
    try:
        key = ApiKey.objects.select_related("client").get(key_id=key_id)
    except ApiKey.DoesNotExist as error:
        raise NotFoundError("No such key.", code="api_key_not_found") from error
    if not updated:
        raise ConflictError("Key already revoked.", code="api_key_revoked")
    logger.info("security.api_key.revoked", client=key.client.name, key_id=key_id)
    return key
