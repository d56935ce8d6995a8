"""Projections of the activity that velocity features count: logins (sessions) and circle joins."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from apps.fraud.features.facts import to_us
from apps.fraud.features.online import record_circle_join, record_login

_LOGIN_SQL = """
INSERT INTO fraud_fraudlogin (session_id, user_id, occurred_at) VALUES (%s, %s, %s)
ON CONFLICT (session_id) DO UPDATE SET occurred_at = LEAST(fraud_fraudlogin.occurred_at, EXCLUDED.occurred_at)
"""
_JOIN_SQL = """
INSERT INTO fraud_fraudcirclejoin (circle_id, user_id, occurred_at) VALUES (%s, %s, %s)
ON CONFLICT (circle_id, user_id) DO UPDATE
    SET occurred_at = LEAST(fraud_fraudcirclejoin.occurred_at, EXCLUDED.occurred_at)
"""


def login_record(*, user_id: str, session_id: str, occurred_at: datetime) -> None:
    """One login per session (``login-success`` and ``session-started`` of a session count once)."""
    with connection.cursor() as cursor:
        cursor.execute(_LOGIN_SQL, [session_id, user_id, occurred_at])
    record_login(user_id=user_id, session_id=session_id, ts_us=to_us(occurred_at))


def circle_join_record(*, user_id: str, circle_id: str, occurred_at: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_JOIN_SQL, [circle_id, user_id, occurred_at])
    record_circle_join(user_id=user_id, circle_id=circle_id, ts_us=to_us(occurred_at))
