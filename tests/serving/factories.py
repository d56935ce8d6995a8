"""Factories of serving rows that need no MLflow (monitoring, experiments, records)."""

from __future__ import annotations

import factory
from django.utils import timezone

from apps.serving.constants import LATENCY_BUCKETS_MS, SCORE_HISTOGRAM_BINS
from apps.serving.models import Experiment, ModelVersion, VariantMetrics


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model_name = "test-fraud"
    version = factory.Sequence(lambda n: n + 1)
    feature_names = ["amount", "velocity"]
    metrics = factory.LazyFunction(lambda: {"auc_pr": 0.5})
    operating_threshold = 0.5
    reference = factory.LazyFunction(
        lambda: {
            "features": {
                "amount": {"edges": [100.0, 500.0], "counts": [50, 30, 20], "missing": 0, "mean": 300.0, "std": 200.0},
                "velocity": {"edges": [1.0], "counts": [60, 40], "missing": 0, "mean": 1.0, "std": 1.0},
            },
            "score": {"edges": [0.1, 0.5], "counts": [70, 20, 10], "missing": 0, "mean": 0.1, "std": 0.05},
        }
    )
    registered_at = factory.LazyFunction(timezone.now)
    created_by = "trainer"


class VariantMetricsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VariantMetrics

    model_name = "test-fraud"
    model_version = 1
    variant = "champion"
    period_start = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0, microsecond=0))
    score_histogram = factory.LazyFunction(lambda: [0] * SCORE_HISTOGRAM_BINS)
    latency_histogram = factory.LazyFunction(lambda: [0] * len(LATENCY_BUCKETS_MS))


class ExperimentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Experiment

    name = factory.Sequence(lambda n: f"experiment-{n}")
    variants = factory.LazyFunction(
        lambda: [
            {"name": "control", "model_alias": "champion", "traffic_pct": 50},
            {"name": "treatment", "model_alias": "challenger", "traffic_pct": 50},
        ]
    )
    created_by = "ml@tests"
