"""Customers as compliance sees them: open alerts grouped per customer, risk rating and its history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.compliance.admin.base import ComplianceOnlyAdmin
from apps.compliance.choices import AlertStatus, RiskLevel
from apps.compliance.models import ComplianceAlert, ComplianceCustomer, EddReview, RiskAssessment
from apps.compliance.selectors.risk import risk_history
from apps.compliance.services.risk import edd_review_complete, risk_review
from lakay.exceptions import ApplicationError


class OpenAlertsFilter(admin.SimpleListFilter):
    title = "open alerts"
    parameter_name = "open_alerts"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "With untriaged alerts")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ComplianceCustomer]) -> QuerySet[ComplianceCustomer]:
        if self.value() == "yes":
            return queryset.filter(open_alerts__gt=0)  # type: ignore[misc]  # annotated in get_queryset
        return queryset


@admin.register(ComplianceCustomer)
class ComplianceCustomerAdmin(ComplianceOnlyAdmin):
    """Alerts grouped per customer: how many are untriaged, the rating, the next review."""

    list_display = (
        "customer_id",
        "open_alerts_link",
        "effective_level",
        "risk_score",
        "risk_review_due_on",
        "is_edd_required",
        "last_activity_at",
    )
    list_filter = (OpenAlertsFilter, "risk_level", "risk_override_level", "is_edd_required")
    search_fields = ("customer_id",)
    ordering = ("-last_activity_at",)
    exclude = ("identity_encrypted",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ComplianceCustomer]:
        untriaged = (
            ComplianceAlert.objects.filter(customer_id=OuterRef("customer_id"), status=AlertStatus.NEW)
            .order_by()
            .values("customer_id")
            .annotate(count=Count("id"))
            .values("count")
        )
        return super().get_queryset(request).annotate(open_alerts=Coalesce(Subquery(untriaged), 0))

    @admin.display(description="untriaged alerts", ordering="open_alerts")
    def open_alerts_link(self, customer: ComplianceCustomer) -> str:
        url = reverse("admin:compliance_compliancealert_changelist") + f"?customer_id={customer.customer_id}&queue=new"
        return format_html('<a href="{}">{}</a>', url, getattr(customer, "open_alerts", 0))

    @admin.display(description="risk level")
    def effective_level(self, customer: ComplianceCustomer) -> str:
        return customer.effective_risk_level or "-"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:customer_pk>/review/", view(self.review_view), name="compliance_customer_review"),
            path("edd/<int:review_id>/complete/", view(self.edd_complete_view), name="compliance_edd_complete"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        customer = get_object_or_404(ComplianceCustomer, pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Customer {customer.customer_id}",
            "opts": self.model._meta,
            "customer": customer,
            "levels": RiskLevel.choices,
            "history": risk_history(customer.customer_id)[:50],
            "alerts": ComplianceAlert.objects.filter(customer_id=customer.customer_id).order_by("-created_at")[:50],
            "edd_reviews": EddReview.objects.filter(customer_id=customer.customer_id),
        }
        return TemplateResponse(request, "admin/compliance/customer/detail.html", context)

    def review_view(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = get_object_or_404(ComplianceCustomer, pk=customer_pk)
        if request.method == "POST":
            try:
                risk_review(
                    actor=request.user,
                    customer_id=customer.customer_id,
                    level=request.POST.get("level") or None,
                    reason=request.POST.get("reason", ""),
                )
                self.message_user(request, "Risk review recorded.")
            except ApplicationError as error:
                self.message_user(request, error.message, level=messages.ERROR)
        return HttpResponseRedirect(reverse("admin:compliance_compliancecustomer_change", args=[customer_pk]))

    def edd_complete_view(self, request: HttpRequest, review_id: int) -> HttpResponse:
        review = get_object_or_404(EddReview, pk=review_id)
        customer = get_object_or_404(ComplianceCustomer, customer_id=review.customer_id)
        if request.method == "POST":
            try:
                edd_review_complete(actor=request.user, review_id=review_id, outcome=request.POST.get("outcome", ""))
                self.message_user(request, "EDD review completed.")
            except ApplicationError as error:
                self.message_user(request, error.message, level=messages.ERROR)
        return HttpResponseRedirect(reverse("admin:compliance_compliancecustomer_change", args=[customer.pk]))


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ComplianceOnlyAdmin):
    list_display = ("customer_id", "level", "computed_level", "score", "source", "actor", "review_due_on", "created_at")
    list_filter = ("level", "source")
    search_fields = ("customer_id",)
    ordering = ("-created_at",)


@admin.register(EddReview)
class EddReviewAdmin(ComplianceOnlyAdmin):
    list_display = ("trigger_id", "customer_id", "previous_level", "new_level", "status", "review_due_on", "created_at")
    list_filter = ("status", "new_level")
    search_fields = ("customer_id", "trigger_id")
    ordering = ("review_due_on",)
