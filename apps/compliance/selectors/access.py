"""Who may see and do what. SAR existence is visible to compliance officers and admins only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from apps.compliance.models import Case
from lakay.exceptions import NotFoundError, PermissionDeniedError
from lakay.security.permissions import has_role
from lakay.security.roles import Role

COMPLIANCE_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMIN)
CASE_WORKER_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.ANALYST)


def is_compliance(user: Any) -> bool:
    return has_role(user, *COMPLIANCE_ROLES)


def is_case_worker(user: Any) -> bool:
    return has_role(user, *CASE_WORKER_ROLES)


def require_compliance_officer(user: Any) -> None:
    if not is_compliance(user):
        raise PermissionDeniedError("Only compliance officers may do this.", code="compliance_role_required")


def require_case_worker(user: Any) -> None:
    if not is_case_worker(user):
        raise PermissionDeniedError("Only compliance staff may work cases.", code="case_role_required")


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Officers see every case. Analysts see their own and unassigned cases, never one with a SAR."""
    if is_compliance(user):
        return Case.objects.all()
    if has_role(user, Role.ANALYST):
        return Case.objects.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True), has_sar=False)
    return Case.objects.none()


def case_access(*, user: Any, case_id: int) -> Case:
    """The case if ``user`` may see it; otherwise 'not found' (existence is not revealed)."""
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:
        raise NotFoundError("No such case.", code="case_not_found")
    return case
