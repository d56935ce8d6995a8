"""Tables of the serving app."""

from apps.serving.models.config import ThresholdChange, ThresholdValue
from apps.serving.models.experiments import Experiment, ExperimentAssignment, ExperimentEvent, ExperimentMetric
from apps.serving.models.metrics import VariantMetrics, VariantOutcome
from apps.serving.models.monitoring import DriftObservation, DriftReport, MonitoringAlert
from apps.serving.models.registry import ModelAliasChange, ModelVersion

__all__ = [
    "DriftObservation",
    "DriftReport",
    "Experiment",
    "ExperimentAssignment",
    "ExperimentEvent",
    "ExperimentMetric",
    "ModelAliasChange",
    "ModelVersion",
    "MonitoringAlert",
    "ThresholdChange",
    "ThresholdValue",
    "VariantMetrics",
    "VariantOutcome",
]
