"""Cases: list (queues), open from alerts, detail with timeline, and every workflow action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import (
    CASE_WORKERS,
    alert_json,
    case_json,
    entry_json,
    ids,
    movement_json,
    paginated,
)
from apps.compliance.models import Case, ComplianceAlert
from apps.compliance.selectors.access import case_access, cases_visible_to, is_compliance
from apps.compliance.selectors.cases import case_movements, case_timeline, queue
from apps.compliance.services import cases as case_services
from lakay.exceptions import ApplicationError

QUEUES = ("mine", "unassigned", "due_soon", "breached", "all")


class CaseListView(APIView):
    permission_classes = [CASE_WORKERS]

    class InputSerializer(serializers.Serializer[Any]):
        alert_ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=500)

    @extend_schema(summary="Cases visible to you; ?queue=mine|unassigned|due_soon|breached, ?status=.")
    def get(self, request: Request) -> Response:
        name = request.query_params.get("queue", "all")
        if name not in QUEUES:
            raise ApplicationError("Unknown queue.", code="invalid_queue", details={"queues": list(QUEUES)})
        cases = queue(request.user, name) if name != "all" else cases_visible_to(request.user)
        if request.query_params.get("status"):
            cases = cases.filter(status=request.query_params["status"])
        cases = cases.select_related("assigned_to", "prepared_by", "approved_by").order_by("-opened_at", "-id")
        return paginated(request, self, cases, case_json)

    @extend_schema(request=InputSerializer, summary="Open a case from alerts (or attach them to the active case).")
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_services.case_open(actor=request.user, alert_ids=ids(data.validated_data["alert_ids"], "alert_ids"))
        return Response(case_json(case), status=status.HTTP_201_CREATED)


def case_detail(case: Case, user: Any) -> dict[str, Any]:
    body = case_json(case)
    body["alerts"] = [alert_json(alert) for alert in ComplianceAlert.objects.filter(case=case).order_by("detected_at")]
    body["transactions"] = [movement_json(movement) for movement in case_movements(case)]
    body["timeline"] = [entry_json(entry) for entry in case_timeline(case)]
    body["notes"] = [
        {"author": note.author.get_username(), "body": note.body, "at": note.created_at}
        for note in case.notes.select_related("author")
    ]
    body["evidence"] = [
        {
            "id": item.pk,
            "name": item.original_name,
            "sha256": item.sha256,
            "size_bytes": item.size_bytes,
            "at": item.created_at,
        }
        for item in case.evidence.all()
    ]
    if is_compliance(user):
        body["has_sar"] = case.has_sar
    return body


class CaseDetailView(APIView):
    permission_classes = [CASE_WORKERS]

    @extend_schema(summary="A case with its alerts, transactions, notes, evidence and timeline.")
    def get(self, request: Request, case_id: int) -> Response:
        return Response(case_detail(case_access(user=request.user, case_id=case_id), request.user))


class _Action(serializers.Serializer[Any]):
    assignee_id = serializers.IntegerField(required=False, allow_null=True)
    body = serializers.CharField(required=False, max_length=20000)
    reason = serializers.CharField(required=False, max_length=5000)
    rationale = serializers.CharField(required=False, max_length=5000)
    alert_ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=500)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not value:
        raise ApplicationError(f"{name} is required.", code=f"{name}_required")
    return str(value)


ACTIONS: dict[str, Callable[[Any, int, dict[str, Any]], Any]] = {
    "assign": lambda user, case_id, data: case_services.case_assign(
        actor=user, case_id=case_id, assignee_id=data.get("assignee_id", user.pk)
    ),
    "start": lambda user, case_id, data: case_services.case_start_investigation(actor=user, case_id=case_id),
    "notes": lambda user, case_id, data: case_services.case_add_note(
        actor=user, case_id=case_id, body=_text(data, "body")
    ),
    "attach-alerts": lambda user, case_id, data: case_services.case_attach_alerts(
        actor=user, case_id=case_id, alert_ids=ids(data.get("alert_ids") or [], "alert_ids")
    ),
    "request-approval": lambda user, case_id, data: case_services.case_request_approval(actor=user, case_id=case_id),
    "approve": lambda user, case_id, data: case_services.case_approve(actor=user, case_id=case_id),
    "reject": lambda user, case_id, data: case_services.case_reject_approval(
        actor=user, case_id=case_id, reason=_text(data, "reason")
    ),
    "close": lambda user, case_id, data: case_services.case_close_no_filing(
        actor=user, case_id=case_id, rationale=_text(data, "rationale")
    ),
    "reopen": lambda user, case_id, data: case_services.case_reopen(
        actor=user, case_id=case_id, reason=_text(data, "reason")
    ),
}


class CaseActionView(APIView):
    """POST /compliance/cases/{id}/{action}: assign, start, notes, attach-alerts, request-approval, approve,
    reject, close, reopen. Each calls one service; a forbidden transition answers 409 and changes nothing."""

    permission_classes = [CASE_WORKERS]

    @extend_schema(request=_Action, summary="Act on a case (one service per action, audited).")
    def post(self, request: Request, case_id: int, action: str) -> Response:
        if action not in ACTIONS:
            raise ApplicationError("Unknown action.", code="invalid_action", details={"actions": sorted(ACTIONS)})
        data = _Action(data=request.data)
        data.is_valid(raise_exception=True)
        ACTIONS[action](request.user, case_id, dict(data.validated_data))
        case = case_access(user=request.user, case_id=case_id)
        return Response(case_detail(case, request.user))
