"""Roles. People get them through Django groups of the same name; service clients through their ApiClient."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ANALYST = "analyst"
    COMPLIANCE_OFFICER = "compliance_officer"
    ML_ENGINEER = "ml_engineer"
    OPERATOR = "operator"
    ADMIN = "admin"
    # Trebanx platform calls (never a person).
    SERVICE = "service"


PEOPLE_ROLES: tuple[Role, ...] = (
    Role.ANALYST,
    Role.COMPLIANCE_OFFICER,
    Role.ML_ENGINEER,
    Role.OPERATOR,
    Role.ADMIN,
)
