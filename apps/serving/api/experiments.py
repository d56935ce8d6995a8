"""``/api/v1/experiments…`` (runbook §7): create, list, detail, start/pause/complete, results, guardrails."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.serving.api.permissions import MODEL_WRITERS, READERS, actor_of
from apps.serving.choices import ExperimentStatus
from apps.serving.experiments.selectors import experiment_guardrails, experiment_results
from apps.serving.experiments.services import (
    experiment_complete,
    experiment_create,
    experiment_pause,
    experiment_start,
)
from apps.serving.models import Experiment, ExperimentEvent
from lakay.exceptions import NotFoundError


class ExperimentEventSerializer(serializers.ModelSerializer[ExperimentEvent]):
    class Meta:
        model = ExperimentEvent
        fields = ("action", "from_status", "to_status", "actor", "reason", "at")


class ExperimentOutputSerializer(serializers.ModelSerializer[Experiment]):
    class Meta:
        model = Experiment
        fields: tuple[str, ...] = (
            "id",
            "name",
            "description",
            "model_type",
            "status",
            "variants",
            "primary_metric",
            "guardrails",
            "config",
            "created_by",
            "created_at",
            "started_at",
            "completed_at",
        )


class ExperimentDetailSerializer(ExperimentOutputSerializer):
    events = ExperimentEventSerializer(many=True, read_only=True)
    report = serializers.JSONField(read_only=True)

    class Meta(ExperimentOutputSerializer.Meta):
        fields = (*ExperimentOutputSerializer.Meta.fields, "events", "report")


class ExperimentListCreateView(ListAPIView[Experiment]):
    serializer_class = ExperimentOutputSerializer
    filterset_fields = {"status": ["exact"], "model_type": ["exact"]}

    def get_permissions(self) -> list[Any]:
        return [MODEL_WRITERS()] if self.request.method == "POST" else [READERS()]

    def get_queryset(self) -> Any:
        return Experiment.objects.order_by("-created_at", "-id")

    class ExperimentCreateSerializer(serializers.Serializer[Any]):
        class ExperimentVariantSerializer(serializers.Serializer[Any]):
            name = serializers.CharField(max_length=50)
            model_alias = serializers.ChoiceField(choices=("champion", "challenger"))
            traffic_pct = serializers.IntegerField(min_value=1, max_value=100)

        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        model_type = serializers.CharField(required=False, default="fraud")
        variants = ExperimentVariantSerializer(many=True, required=False)
        primary_metric = serializers.ChoiceField(choices=("flag_rate", "mean_score"), default="flag_rate")
        guardrails = serializers.DictField(child=serializers.FloatField(), required=False)
        config = serializers.DictField(required=False)

    @extend_schema(
        request=ExperimentCreateSerializer,
        responses={201: ExperimentDetailSerializer},
        summary="Create an experiment (draft).",
    )
    def post(self, request: Request) -> Response:
        data = self.ExperimentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        experiment = experiment_create(
            name=values["name"],
            actor=actor_of(request),
            description=values["description"],
            model_type=values["model_type"],
            variants=values.get("variants"),
            primary_metric=values["primary_metric"],
            guardrails=values.get("guardrails"),
            config=values.get("config"),
        )
        return Response(ExperimentDetailSerializer(experiment).data, status=201)


class ExperimentDetailView(APIView):
    permission_classes = [READERS]

    @extend_schema(responses={200: ExperimentDetailSerializer}, summary="One experiment with its history.")
    def get(self, request: Request, experiment_id: int) -> Response:
        return Response(ExperimentDetailSerializer(_experiment(experiment_id)).data)


class ExperimentTransitionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class _TransitionView(APIView):
    permission_classes = [MODEL_WRITERS]
    service: Any = None

    @extend_schema(request=ExperimentTransitionSerializer, responses={200: ExperimentDetailSerializer})
    def put(self, request: Request, experiment_id: int) -> Response:
        data = ExperimentTransitionSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        experiment = type(self).service(
            experiment_id=experiment_id, actor=actor_of(request), reason=data.validated_data["reason"]
        )
        return Response(ExperimentDetailSerializer(experiment).data)


class ExperimentStartView(_TransitionView):
    service = staticmethod(experiment_start)


class ExperimentPauseView(_TransitionView):
    service = staticmethod(experiment_pause)


class ExperimentCompleteView(_TransitionView):
    service = staticmethod(experiment_complete)


class ExperimentResultsView(APIView):
    permission_classes = [READERS]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Per-arm results and significance against control.")
    def get(self, request: Request, experiment_id: int) -> Response:
        experiment = _experiment(experiment_id)
        if experiment.status == ExperimentStatus.COMPLETED and experiment.report.get("results"):
            return Response(experiment.report["results"])
        return Response(experiment_results(experiment))


class ExperimentGuardrailsView(APIView):
    permission_classes = [READERS]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Guardrail status of every arm; any_breached.")
    def get(self, request: Request, experiment_id: int) -> Response:
        experiment = _experiment(experiment_id)
        if experiment.status == ExperimentStatus.COMPLETED and experiment.report.get("guardrails"):
            return Response(experiment.report["guardrails"])
        return Response(experiment_guardrails(experiment))


def _experiment(experiment_id: int) -> Experiment:
    experiment = Experiment.objects.prefetch_related("events").filter(id=experiment_id).first()
    if experiment is None:
        raise NotFoundError("No such experiment.", code="experiment_not_found", details={"id": experiment_id})
    return experiment
