"""The customer projection: identity from user events, activity from money movements, flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.compliance.crypto import encrypt_identity
from apps.compliance.models import ComplianceCustomer

# One statement per movement: create or update the customer and return the country known BEFORE
# this event (the third-country rule compares against it).
_TOUCH_SQL = """
WITH previous AS (SELECT last_country FROM compliance_compliancecustomer WHERE customer_id = %(customer)s)
INSERT INTO compliance_compliancecustomer AS c (
    customer_id, country, is_verified, verification_level, identity_encrypted, first_activity_at,
    last_activity_at, last_country, risk_level, risk_override_level, is_edd_required, is_risk_stale,
    flagged_transaction_count, flagged_risk_total, security_incident_count, created_at, updated_at)
VALUES (%(customer)s, '', false, '', '', %(at)s, %(at)s, %(country)s, '', '', false, true, 0, 0, 0, %(now)s, %(now)s)
ON CONFLICT (customer_id) DO UPDATE SET
    previous_activity_at = CASE WHEN c.last_activity_at IS NULL OR EXCLUDED.last_activity_at > c.last_activity_at
                                THEN c.last_activity_at ELSE c.previous_activity_at END,
    last_activity_at = GREATEST(c.last_activity_at, EXCLUDED.last_activity_at),
    first_activity_at = LEAST(c.first_activity_at, EXCLUDED.first_activity_at),
    last_country = CASE WHEN EXCLUDED.last_country <> ''
                          AND (c.last_activity_at IS NULL OR EXCLUDED.last_activity_at >= c.last_activity_at)
                        THEN EXCLUDED.last_country ELSE c.last_country END,
    is_risk_stale = true,
    updated_at = EXCLUDED.updated_at
RETURNING (SELECT last_country FROM previous)
"""


def customer_touch(*, customer_id: str, occurred_at: datetime, country: str = "") -> str | None:
    """Record activity at ``occurred_at``; returns the last known country before it (None if new)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _TOUCH_SQL, {"customer": customer_id, "at": occurred_at, "country": country, "now": timezone.now()}
        )
        row = cursor.fetchone()
    return row[0] if row else None


_UPSERT_SQL = """
INSERT INTO compliance_compliancecustomer AS c (
    customer_id, country, is_verified, verification_level, identity_encrypted, last_country, risk_level,
    risk_override_level, is_edd_required, is_risk_stale, flagged_transaction_count, flagged_risk_total,
    security_incident_count, registered_at, created_at, updated_at)
VALUES (%(customer)s, %(country)s, %(verified)s, %(level)s, %(identity)s, '', '', '', false, true, 0, 0, 0,
        %(registered)s, %(now)s, %(now)s)
ON CONFLICT (customer_id) DO UPDATE SET {updates}, is_risk_stale = true, updated_at = EXCLUDED.updated_at
"""


def _upsert(customer_id: str, updates: str, **values: Any) -> None:
    params = {
        "customer": customer_id,
        "country": "",
        "verified": False,
        "level": "",
        "identity": "",
        "registered": None,
        "now": timezone.now(),
        **values,
    }
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL.format(updates=updates), params)


def customer_register(*, payload: dict[str, Any]) -> None:
    """``user-registered``: keep the identity a CTR/SAR needs, encrypted, and the registration date."""
    address = payload.get("address") or {}
    identity = {
        "full_name": payload["full_name"],
        "date_of_birth": payload["date_of_birth"],
        "phone": payload["phone"],
        "email": payload["email"],
        "address": {
            "line1": address.get("line1", ""),
            "city": address.get("city", ""),
            "postal_code": address.get("postal_code", ""),
            "state": payload.get("state", ""),
            "country": address.get("country") or payload["country"],
        },
    }
    _upsert(
        payload["user_id"],
        "registered_at = EXCLUDED.registered_at, country = EXCLUDED.country, "
        "identity_encrypted = EXCLUDED.identity_encrypted",
        country=payload["country"],
        identity=encrypt_identity(identity),
        registered=datetime.fromisoformat(payload["registered_at"].replace("Z", "+00:00")),
    )


def customer_verify(*, customer_id: str, level: str) -> None:
    _upsert(
        customer_id, "is_verified = true, verification_level = EXCLUDED.verification_level", verified=True, level=level
    )


def customer_record_flag(*, customer_id: str, risk_score: int) -> None:
    """``transaction-flagged``: Trebanx's own risk score (0-100) feeds the behavioural risk factor."""
    customer, _ = ComplianceCustomer.objects.get_or_create(customer_id=customer_id)
    ComplianceCustomer.objects.filter(pk=customer.pk).update(
        flagged_transaction_count=F("flagged_transaction_count") + 1,
        flagged_risk_total=F("flagged_risk_total") + risk_score / 100.0,
        is_risk_stale=True,
        updated_at=timezone.now(),
    )


def customer_record_security_incident(*, customer_id: str) -> None:
    """An account locked for fraud, compliance or failed logins feeds the behavioural risk factor."""
    customer, _ = ComplianceCustomer.objects.get_or_create(customer_id=customer_id)
    ComplianceCustomer.objects.filter(pk=customer.pk).update(
        security_incident_count=F("security_incident_count") + 1, is_risk_stale=True, updated_at=timezone.now()
    )
