"""SAR drafts (compliance officers only: SAR existence is confidential)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.api.common import COMPLIANCE, paginated, username
from apps.compliance.models import SarDraft
from apps.compliance.services.filings import sar_draft_generate, sar_draft_update
from lakay.exceptions import NotFoundError


def draft_json(draft: SarDraft) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "case_id": draft.case_id,
        "version": draft.version,
        "is_machine_drafted": draft.is_machine_drafted,
        "narrative": draft.narrative,
        "facts": draft.facts,
        "activity_codes": draft.activity_codes,
        "created_by": username(draft.created_by),
        "updated_by": username(draft.updated_by),
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


class SarDraftCreateView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(request=None, summary="Machine-draft the SAR narrative of a case from its transactions.")
    def post(self, request: Request, case_id: int) -> Response:
        draft = sar_draft_generate(actor=request.user, case_id=case_id)
        return Response(draft_json(draft), status=status.HTTP_201_CREATED)


class SarDraftListView(APIView):
    permission_classes = [COMPLIANCE]

    @extend_schema(summary="SAR drafts (?machine_drafted=true for drafts no officer has edited yet).")
    def get(self, request: Request) -> Response:
        drafts = SarDraft.objects.select_related("created_by", "updated_by").order_by("-updated_at")
        if request.query_params.get("machine_drafted") in {"true", "false"}:
            drafts = drafts.filter(is_machine_drafted=request.query_params["machine_drafted"] == "true")
        return paginated(request, self, drafts, draft_json)


class SarDraftDetailView(APIView):
    permission_classes = [COMPLIANCE]

    class InputSerializer(serializers.Serializer[Any]):
        narrative = serializers.CharField(max_length=17000)

    @extend_schema(summary="One SAR draft.")
    def get(self, request: Request, draft_id: int) -> Response:
        draft = SarDraft.objects.filter(pk=draft_id).first()
        if draft is None:
            raise NotFoundError("No such SAR draft.", code="sar_draft_not_found")
        return Response(draft_json(draft))

    @extend_schema(request=InputSerializer, summary="Edit the narrative (the editor may no longer approve it).")
    def patch(self, request: Request, draft_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = sar_draft_update(actor=request.user, draft_id=draft_id, narrative=data.validated_data["narrative"])
        return Response(draft_json(draft))
