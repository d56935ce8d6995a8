"""FATF listings as dated data: which list a country was on at a given date."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from typing import Any

from apps.compliance.models import JurisdictionRisk

_CACHE_SECONDS = 60.0
_cache: dict[str, Any] = {"loaded": 0.0, "rows": None}


def _rows() -> dict[str, list[tuple[str, date, date | None]]]:
    now = time.monotonic()
    if _cache["rows"] is None or now - _cache["loaded"] > _CACHE_SECONDS:
        rows: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
        for country, kind, start, end in JurisdictionRisk.objects.values_list(
            "country_code", "list_kind", "effective_from", "effective_to"
        ):
            rows[country].append((kind, start, end))
        _cache["rows"] = dict(rows)
        _cache["loaded"] = now
    result: dict[str, list[tuple[str, date, date | None]]] = _cache["rows"]
    return result


def clear_cache() -> None:
    _cache["rows"] = None


def jurisdiction_lists(country: str, on: date) -> frozenset[str]:
    """The FATF lists ``country`` was on at ``on`` (empty if none)."""
    if not country:
        return frozenset()
    return frozenset(
        kind for kind, start, end in _rows().get(country.upper(), ()) if start <= on and (end is None or on < end)
    )
