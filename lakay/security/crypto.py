"""Encryption of secrets at rest (API signing secrets) with MultiFernet, so keys can rotate."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derived_key(material: str, purpose: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"{purpose}:{material}".encode()).digest())


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], fallback_material: str, purpose: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    # Development only (settings refuse this in staging/production): derive from SECRET_KEY.
    return MultiFernet([Fernet(_derived_key(fallback_material, purpose))])


def secrets_fernet() -> MultiFernet:
    return _fernet(tuple(settings.API_SECRETS_ENCRYPTION_KEYS), settings.SECRET_KEY, "api-secrets")


def encrypt_secret(value: str) -> str:
    return secrets_fernet().encrypt(value.encode()).decode()


def decrypt_secret(token: str) -> str:
    return secrets_fernet().decrypt(token.encode()).decode()
