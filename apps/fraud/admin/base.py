"""Who sees the fraud admin: analysts and admins work alerts; ML engineers may read scores and labels."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lakay.admin import ReadOnlyAdminMixin
from lakay.security.permissions import has_role
from lakay.security.roles import Role

ANALYST_ROLES = (Role.ANALYST, Role.ADMIN)
READER_ROLES = (Role.ANALYST, Role.ADMIN, Role.ML_ENGINEER)


class FraudReadOnlyAdmin(ReadOnlyAdminMixin):
    """Rows written only by services; visible to the roles in ``view_roles``."""

    view_roles: tuple[str, ...] = READER_ROLES

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *self.view_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *self.view_roles)
