"""Who may do what in serving: ML engineers and admins change models, splits and experiments; operators
may also force a reload (runbook §9.3); analysts and operators read monitoring. Service clients: nothing."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from lakay.security.permissions import HasRole
from lakay.security.roles import Role

READERS = HasRole.of(Role.ANALYST, Role.OPERATOR, Role.ML_ENGINEER, Role.ADMIN)
MODEL_WRITERS = HasRole.of(Role.ML_ENGINEER, Role.ADMIN)
RELOADERS = HasRole.of(Role.OPERATOR, Role.ML_ENGINEER, Role.ADMIN)


def actor_of(request: Request) -> str:
    user: Any = request.user
    return str(getattr(user, "username", "") or getattr(user, "client_name", "") or "unknown")
