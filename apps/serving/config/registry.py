"""Declared parameters (the schema of the live configuration)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lakay.exceptions import ApplicationError, NotFoundError

KINDS = ("decimal", "float", "int", "bool", "str", "json")


@dataclass(frozen=True)
class Parameter:
    """One tunable value. ``default`` comes from the environment variable the runbook names."""

    key: str  # "<domain>.<name>", e.g. "fraud.high_threshold"
    default: Any
    kind: str = "float"
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    env_var: str = ""
    choices: tuple[str, ...] = ()

    @property
    def domain(self) -> str:
        return self.key.split(".", 1)[0]

    def coerce(self, raw: Any) -> Any:
        """Parse and check ``raw`` (from the CLI, API or database); raise ApplicationError if invalid."""
        try:
            value = self._parse(raw)
        except (ValueError, TypeError, InvalidOperation, json.JSONDecodeError) as error:
            raise ApplicationError(
                f"{self.key} expects a {self.kind}.",
                code="invalid_value",
                details={"key": self.key, "value": str(raw)[:100]},
            ) from error
        if self.kind in {"decimal", "float", "int"}:
            number = float(value)
            if self.minimum is not None and number < self.minimum:
                raise ApplicationError(
                    f"{self.key} must be ≥ {self.minimum}.",
                    code="out_of_range",
                    details={"key": self.key, "minimum": self.minimum},
                )
            if self.maximum is not None and number > self.maximum:
                raise ApplicationError(
                    f"{self.key} must be ≤ {self.maximum}.",
                    code="out_of_range",
                    details={"key": self.key, "maximum": self.maximum},
                )
        if self.choices and value not in self.choices:
            raise ApplicationError(
                f"{self.key} must be one of {', '.join(self.choices)}.",
                code="invalid_choice",
                details={"key": self.key, "choices": list(self.choices)},
            )
        return value

    def _parse(self, raw: Any) -> Any:
        if self.kind == "decimal":
            return Decimal(str(raw))
        if self.kind == "float":
            return float(raw)
        if self.kind == "int":
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError("not an integer")
            return int(str(raw)) if not isinstance(raw, int | float) else int(raw)
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError("not a boolean")
        if self.kind == "json":
            return json.loads(raw) if isinstance(raw, str) else raw
        return str(raw)

    def to_storage(self, value: Any) -> Any:
        """JSON-storable form (Decimal as string so no precision is lost)."""
        return str(value) if isinstance(value, Decimal) else value


_parameters: dict[str, Parameter] = {}


def register_parameters(items: Iterable[Parameter]) -> None:
    for parameter in items:
        if parameter.kind not in KINDS:
            raise ValueError(f"{parameter.key}: unknown kind {parameter.kind}")
        parameter.coerce(parameter.default)  # a broken env default fails at start-up, loudly
        _parameters[parameter.key] = parameter


def get_parameter(key: str) -> Parameter:
    try:
        return _parameters[key]
    except KeyError as error:
        raise NotFoundError(f"Unknown parameter {key}.", code="unknown_parameter", details={"key": key}) from error


def parameters(domain: str | None = None) -> list[Parameter]:
    return sorted((p for p in _parameters.values() if domain is None or p.domain == domain), key=lambda p: p.key)
