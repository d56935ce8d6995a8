"""Role-based access for the compliance admin (people hold roles through groups, not model permissions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.compliance.selectors.access import is_case_worker, is_compliance
from lakay.admin import ReadOnlyAdminMixin


class ComplianceOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Visible to compliance officers and admins; written only by services; nothing is ever deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_compliance(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_compliance(request.user)


class CaseWorkerAdmin(ComplianceOnlyAdmin):
    """Also visible to analysts (the querysets scope what they see)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_case_worker(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_case_worker(request.user)
