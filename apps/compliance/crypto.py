"""Encryption of the subject identity kept for FinCEN filings (name, birth date, address, phone).

MultiFernet over ``PII_ENCRYPTION_KEY`` (newest key first, so keys rotate); in development the key is
derived from SECRET_KEY (settings refuse that in staging/production).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], fallback: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    derived = base64.urlsafe_b64encode(hashlib.sha256(f"compliance-identity:{fallback}".encode()).digest())
    return MultiFernet([Fernet(derived)])


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEY), settings.SECRET_KEY)


def encrypt_identity(identity: dict[str, Any]) -> str:
    return _cipher().encrypt(json.dumps(identity, sort_keys=True).encode()).decode()


def decrypt_identity(token: str) -> dict[str, Any]:
    if not token:
        return {}
    data: dict[str, Any] = json.loads(_cipher().decrypt(token.encode()))
    return data
