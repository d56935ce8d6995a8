"""Deterministic champion/challenger routing: SHA-256 of the user id, mod 100. Pure."""

from __future__ import annotations

import hashlib

from apps.serving.choices import ModelAlias
from apps.serving.constants import ROUTING_BUCKETS


def routing_bucket(key: str) -> int:
    """0..99, stable across processes, machines and restarts (unlike ``hash()``)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") % ROUTING_BUCKETS


def route_variant(user_id: str, challenger_pct: int) -> str:
    """The alias that scores ``user_id``: the challenger for buckets below ``challenger_pct``."""
    return ModelAlias.CHALLENGER if routing_bucket(user_id) < challenger_pct else ModelAlias.CHAMPION
