"""Strict JSON for everything Lakay receives (Kafka messages and API bodies).

RFC 8259 JSON and nothing more: no ``NaN``/``Infinity`` literals, no number that overflows a double
(``1e309`` would silently become ``inf``), and no lone UTF-16 surrogate (``"\\ud800"``): I-JSON
(RFC 7493) refuses them because they are not Unicode text — they cannot be encoded as UTF-8, so no
error message echoing them can be rendered and no column can store them.
"""

from __future__ import annotations

import json
import math
from typing import Any


class StrictJSONError(ValueError):
    """The text is JSON Python would accept but Lakay refuses."""


def _refuse_constant(name: str) -> float:
    raise StrictJSONError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise StrictJSONError(f"{text[:40]} overflows a double")
    return number


def loads(text: str | bytes) -> Any:
    """Parse ``text`` (bytes must be UTF-8: no UTF-16/32 sniffing, no BOM).

    Raises ValueError (JSONDecodeError, UnicodeDecodeError, StrictJSONError, an integer past Python's
    4300-digit limit) or RecursionError (nesting deeper than the interpreter's stack).
    """
    decoded = text.decode("utf-8") if isinstance(text, bytes) else text
    return json.loads(decoded, parse_constant=_refuse_constant, parse_float=_finite_float)


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
