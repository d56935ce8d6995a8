"""Cases: the queues (mine, unassigned, due soon, breached) and the case page with every action as a button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.compliance.admin.alerts import priority_badge
from apps.compliance.admin.base import CaseWorkerAdmin
from apps.compliance.choices import ACTIVE_CASE_STATUSES, AlertStatus, CaseStatus
from apps.compliance.models import Case, CaseEvidence, ComplianceAlert, Filing, SarDraft
from apps.compliance.selectors.access import case_access, cases_visible_to, is_compliance
from apps.compliance.selectors.cases import case_movements, case_timeline, queue
from apps.compliance.selectors.risk import risk_history
from apps.compliance.services import cases as services
from apps.compliance.services.filings import sar_draft_generate, sar_draft_update
from lakay.exceptions import ApplicationError


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("mine", "Mine"), ("unassigned", "Unassigned"), ("due_soon", "Due soon"), ("breached", "Breached")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value():
            return queryset & queue(request.user, self.value() or "")
        return queryset


def _post(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))


def _file(request: HttpRequest) -> UploadedFile:
    upload = request.FILES.get("file")
    if not isinstance(upload, UploadedFile):
        raise ApplicationError("Choose a file to attach.", code="file_required")
    return upload


ACTIONS: dict[str, Callable[[HttpRequest, int], Any]] = {
    "assign-me": lambda request, pk: services.case_assign(actor=request.user, case_id=pk, assignee_id=request.user.pk),
    "reassign": lambda request, pk: services.case_assign(
        actor=request.user,
        case_id=pk,
        assignee_id=int(_post(request, "assignee_id")) if _post(request, "assignee_id") else None,
    ),
    "start": lambda request, pk: services.case_start_investigation(actor=request.user, case_id=pk),
    "note": lambda request, pk: services.case_add_note(actor=request.user, case_id=pk, body=_post(request, "body")),
    "request-approval": lambda request, pk: services.case_request_approval(actor=request.user, case_id=pk),
    "approve": lambda request, pk: services.case_approve(actor=request.user, case_id=pk),
    "reject": lambda request, pk: services.case_reject_approval(
        actor=request.user, case_id=pk, reason=_post(request, "reason")
    ),
    "close": lambda request, pk: services.case_close_no_filing(
        actor=request.user, case_id=pk, rationale=_post(request, "rationale")
    ),
    "reopen": lambda request, pk: services.case_reopen(actor=request.user, case_id=pk, reason=_post(request, "reason")),
    "attach": lambda request, pk: services.case_attach_alerts(
        actor=request.user, case_id=pk, alert_ids=[int(value) for value in request.POST.getlist("alert_id")]
    ),
    "draft-sar": lambda request, pk: sar_draft_generate(actor=request.user, case_id=pk),
    "edit-sar": lambda request, pk: sar_draft_update(
        actor=request.user, draft_id=SarDraft.objects.get(case_id=pk).pk, narrative=_post(request, "narrative")
    ),
    "evidence": lambda request, pk: services.case_add_evidence(
        actor=request.user, case_id=pk, upload=_file(request), description=_post(request, "description")
    ),
}


@admin.register(Case)
class CaseAdmin(CaseWorkerAdmin):
    list_display = (
        "reference_link",
        "customer_id",
        "case_type",
        "status",
        "priority_label",
        "assigned_to",
        "regulatory_due_on",
        "sla_due_at",
        "clock",
    )
    list_filter = (QueueFilter, "status", "priority", "case_type")
    search_fields = ("customer_id",)
    ordering = ("regulatory_due_on", "sla_due_at")
    list_select_related = ("assigned_to",)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return cases_visible_to(request.user).select_related("assigned_to")

    @admin.display(description="case", ordering="id")
    def reference_link(self, case: Case) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:compliance_case_change", args=[case.pk]), case.reference
        )

    @admin.display(description="priority", ordering="priority")
    def priority_label(self, case: Case) -> str:
        return priority_badge(case.priority)

    @admin.display(description="clock")
    def clock(self, case: Case) -> str:
        if case.status not in ACTIVE_CASE_STATUSES:
            return "-"
        now = timezone.now()
        if case.regulatory_due_on and case.regulatory_due_on < timezone.localdate():
            return format_html('<strong style="color:#b91c1c">{}</strong>', "regulatory date passed")
        if case.sla_due_at < now:
            return format_html('<strong style="color:#c2410c">{}</strong>', "SLA breached")
        if case.regulatory_due_on:
            return f"{(case.regulatory_due_on - timezone.localdate()).days} d to file"
        return "on track"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:case_id>/act/<slug:action>/", view(self.action_view), name="compliance_case_action"),
            path("evidence/<int:evidence_id>/", view(self.evidence_view), name="compliance_case_evidence"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        case = get_object_or_404(self.get_queryset(request), pk=object_id)
        officer = is_compliance(request.user)
        people = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=["compliance_officer", "admin", "analyst"])
            .distinct()
            .order_by("username")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{case.reference} - {case.customer_id}",
            "opts": self.model._meta,
            "case": case,
            "is_officer": officer,
            "is_active": case.status in ACTIVE_CASE_STATUSES,
            "status": CaseStatus,
            "timeline": case_timeline(case),
            "alerts": ComplianceAlert.objects.filter(case=case).order_by("detected_at"),
            "new_alerts": ComplianceAlert.objects.filter(customer_id=case.customer_id, status=AlertStatus.NEW),
            "movements": case_movements(case),
            "notes": case.notes.select_related("author"),
            "evidence": case.evidence.select_related("uploaded_by"),
            "risk_history": risk_history(case.customer_id)[:10],
            "filings": Filing.objects.filter(case=case) if officer else Filing.objects.none(),
            "sar_draft": SarDraft.objects.filter(case=case).first() if officer else None,
            "people": people if officer else [],
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/compliance/case/detail.html", context)

    def action_view(self, request: HttpRequest, case_id: int, action: str) -> HttpResponse:
        target = reverse("admin:compliance_case_change", args=[case_id])
        if request.method != "POST" or action not in ACTIONS:
            return HttpResponseRedirect(target)
        try:
            ACTIONS[action](request, case_id)
            self.message_user(request, f"Done: {action.replace('-', ' ')}.")
        except (ApplicationError, ValueError, KeyError) as error:
            message = error.message if isinstance(error, ApplicationError) else "Invalid input."
            self.message_user(request, message, level=messages.ERROR)
        if not cases_visible_to(request.user).filter(pk=case_id).exists():
            return HttpResponseRedirect(reverse("admin:compliance_case_changelist"))
        return HttpResponseRedirect(target)

    def evidence_view(self, request: HttpRequest, evidence_id: int) -> FileResponse:
        evidence = get_object_or_404(CaseEvidence, pk=evidence_id)
        try:
            case_access(user=request.user, case_id=evidence.case_id)
        except ApplicationError as error:
            raise Http404("No such evidence.") from error
        response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)
        response["X-Content-SHA256"] = evidence.sha256
        return response
