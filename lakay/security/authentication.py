"""DRF authentication for service clients: API key + HMAC-SHA256 signature + replay cache."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key
from lakay.security.crypto import decrypt_secret
from lakay.security.models import ApiKey
from lakay.security.services import hash_api_key
from lakay.security.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_for

logger = get_logger(__name__)

KEY_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class ServicePrincipal:
    """The authenticated caller of a signed request (stands in for ``request.user``)."""

    client_name: str
    key_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self) -> str:
        return f"client:{self.client_name}"

    @property
    def username(self) -> str:
        return f"client:{self.client_name}"

    def __str__(self) -> str:
        return self.username


@dataclass(frozen=True)
class _CachedKey:
    key_hash: str
    secret: str
    principal: ServicePrincipal
    expires: float


_cache: dict[str, _CachedKey] = {}


def _load_key(key_id: str) -> _CachedKey | None:
    now = time.monotonic()
    cached = _cache.get(key_id)
    if cached and cached.expires > now:
        return cached
    key = (
        ApiKey.objects.select_related("client")
        .filter(key_id=key_id, revoked_at__isnull=True, client__is_active=True)
        .first()
    )
    if key is None:
        _cache.pop(key_id, None)
        return None
    loaded = _CachedKey(
        key_hash=key.key_hash,
        secret=decrypt_secret(key.signing_secret_encrypted),
        principal=ServicePrincipal(client_name=key.client.name, key_id=key.key_id, roles=frozenset(key.client.roles)),
        expires=now + KEY_CACHE_SECONDS,
    )
    _cache[key_id] = loaded
    return loaded


def clear_key_cache() -> None:
    _cache.clear()


class SignedApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "ApiKey"

    def authenticate(self, request: Request) -> tuple[ServicePrincipal, str] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        api_key = header[len(self.keyword) + 1 :].strip()
        parts = api_key.split("_", 2)
        if len(parts) != 3 or parts[0] != "lk":
            raise exceptions.AuthenticationFailed("Malformed API key.")
        loaded = _load_key(parts[1])
        if loaded is None or not hmac.compare_digest(loaded.key_hash, hash_api_key(api_key)):
            logger.warning("security.auth.bad_key", key_id=parts[1][:16])
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        self._verify_signature(request, loaded)
        return loaded.principal, loaded.principal.key_id

    def _verify_signature(self, request: Request, loaded: _CachedKey) -> None:
        stamp = request.headers.get(TIMESTAMP_HEADER, "")
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not stamp or not given:
            raise exceptions.AuthenticationFailed(f"{TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers are required.")
        try:
            skew = abs(time.time() - int(stamp))
        except ValueError as error:
            raise exceptions.AuthenticationFailed("Timestamp must be Unix seconds.") from error
        if skew > settings.API_SIGNATURE_MAX_SKEW_SECONDS:
            raise exceptions.AuthenticationFailed("Request timestamp outside the allowed window.")
        expected = signature_for(
            secret=loaded.secret,
            method=request.method or "",
            path=request.get_full_path(),
            timestamp=stamp,
            body=request._request.body,
        )
        if not hmac.compare_digest(expected, given):
            logger.warning("security.auth.bad_signature", key_id=loaded.principal.key_id)
            raise exceptions.AuthenticationFailed("Invalid request signature.")
        replay_key = redis_key("sig", loaded.principal.key_id, given)
        window = 2 * settings.API_SIGNATURE_MAX_SKEW_SECONDS
        if not get_redis().set(replay_key, b"1", nx=True, ex=window):
            logger.warning("security.auth.replay", key_id=loaded.principal.key_id)
            raise exceptions.AuthenticationFailed("Replayed request signature.")

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
