"""Role-based access for the serving admin (people hold roles through groups, not model permissions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lakay.admin import ReadOnlyAdminMixin
from lakay.security.permissions import has_role
from lakay.security.roles import Role

READ_ROLES = (Role.ML_ENGINEER, Role.ADMIN, Role.OPERATOR, Role.ANALYST)
WRITE_ROLES = (Role.ML_ENGINEER, Role.ADMIN)


def can_change_models(request: HttpRequest) -> bool:
    return has_role(request.user, *WRITE_ROLES)


class ServingReadOnlyAdmin(ReadOnlyAdminMixin):
    """Visible to the reading roles; nothing is added, edited or deleted here (services do that)."""

    read_roles: tuple[str, ...] = READ_ROLES

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *self.read_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *self.read_roles)
