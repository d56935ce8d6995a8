"""Filings and FinCEN batches: export approved filings, download XML, mark submitted, record the BSA ID."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.compliance.admin.base import ComplianceOnlyAdmin
from apps.compliance.models import Filing, FilingBatch
from apps.compliance.services.filings import filing_acknowledge, filing_batch_export, filing_batch_mark_submitted
from lakay.exceptions import ApplicationError


@admin.register(Filing)
class FilingAdmin(ComplianceOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "customer_id",
        "status",
        "business_date",
        "cash_in_total",
        "cash_out_total",
        "amount_total",
        "due_on",
        "batch",
        "bsa_id",
        "case_link",
    )
    list_filter = ("kind", "status")
    search_fields = ("customer_id", "bsa_id")
    ordering = ("due_on",)
    actions = ["export_batch"]
    readonly_fields = (
        "kind",
        "case",
        "customer_id",
        "status",
        "business_date",
        "cash_in_total",
        "cash_out_total",
        "amount_total",
        "activity_from",
        "activity_to",
        "due_on",
        "prepared_by",
        "approved_by",
        "approved_at",
        "batch",
        "submitted_at",
        "acknowledged_at",
        "bsa_id",
        "details",
    )
    change_form_template = "admin/compliance/filing/change_form.html"

    @admin.display(description="case")
    def case_link(self, filing: Filing) -> str:
        if filing.case_id is None:
            return "-"
        url = reverse("admin:compliance_case_change", args=[filing.case_id])
        return format_html('<a href="{}">{}</a>', url, f"CASE-{filing.case_id:06d}")

    @admin.action(description="Export the selected approved filings as one FinCEN XML batch")
    def export_batch(self, request: HttpRequest, queryset: QuerySet[Filing]) -> HttpResponse | None:
        kinds = set(queryset.values_list("kind", flat=True))
        if len(kinds) != 1:
            self.message_user(request, "Select filings of one kind (CTR or SAR).", level=messages.ERROR)
            return None
        try:
            batch = filing_batch_export(
                actor=request.user, kind=kinds.pop(), filing_ids=list(queryset.values_list("pk", flat=True))
            )
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:compliance_filingbatch_change", args=[batch.pk]))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:filing_id>/acknowledge/", view(self.acknowledge_view), name="compliance_filing_acknowledge"),
            *super().get_urls(),
        ]

    def acknowledge_view(self, request: HttpRequest, filing_id: int) -> HttpResponse:
        if request.method == "POST":
            try:
                filing_acknowledge(actor=request.user, filing_id=filing_id, bsa_id=request.POST.get("bsa_id", ""))
                self.message_user(request, "Acknowledgement recorded.")
            except ApplicationError as error:
                self.message_user(request, error.message, level=messages.ERROR)
        return HttpResponseRedirect(reverse("admin:compliance_filing_change", args=[filing_id]))


@admin.register(FilingBatch)
class FilingBatchAdmin(ComplianceOnlyAdmin):
    list_display = ("id", "kind", "activity_count", "total_amount", "created_by", "created_at", "submitted_at")
    list_filter = ("kind",)
    readonly_fields = (
        "kind",
        "activity_count",
        "total_amount",
        "sha256",
        "created_by",
        "created_at",
        "submitted_at",
        "submitted_by",
        "download",
    )
    exclude = ("xml",)
    change_form_template = "admin/compliance/filingbatch/change_form.html"

    @admin.display(description="XML")
    def download(self, batch: FilingBatch) -> str:
        return format_html('<a href="{}">download</a>', reverse("admin:compliance_batch_xml", args=[batch.pk]))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:batch_id>/xml/", view(self.xml_view), name="compliance_batch_xml"),
            path("<int:batch_id>/submitted/", view(self.submitted_view), name="compliance_batch_submitted"),
            *super().get_urls(),
        ]

    def xml_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        batch = get_object_or_404(FilingBatch, pk=batch_id)
        response = HttpResponse(batch.xml, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{batch.kind}-batch-{batch.pk}.xml"'
        return response

    def submitted_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        if request.method == "POST":
            try:
                filing_batch_mark_submitted(actor=request.user, batch_id=batch_id)
                self.message_user(request, "Batch marked as submitted to FinCEN.")
            except ApplicationError as error:
                self.message_user(request, error.message, level=messages.ERROR)
        return HttpResponseRedirect(reverse("admin:compliance_filingbatch_change", args=[batch_id]))
