"""Data of the admin monitoring page: served versions, split, per-variant metrics, drift charts, alerts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.serving.choices import ModelAlias
from apps.serving.conf import model_name as configured_model_name
from apps.serving.config import config_value
from apps.serving.models import DriftReport
from apps.serving.monitoring.charts import psi_bars, psi_history, score_histograms
from apps.serving.monitoring.selectors import (
    drift_history,
    latest_drift_report,
    metrics_rows,
    model_version_record,
    recent_alerts,
    summarize,
    variant_report,
)
from apps.serving.parameters import CHALLENGER_TRAFFIC_PCT
from apps.serving.registry import mlflow_store
from lakay.logging import get_logger

logger = get_logger(__name__)


def monitoring_context(*, version: int | None = None) -> dict[str, Any]:
    name = configured_model_name()
    try:
        aliases = mlflow_store.aliases(name)
        registry_error = None
    except Exception as error:  # the page still shows what PostgreSQL holds
        aliases, registry_error = {}, f"{type(error).__name__}: {error}"[:200]
    checked_versions = sorted(set(DriftReport.objects.filter(model_name=name).values_list("model_version", flat=True)))
    selected = version or aliases.get(ModelAlias.CHAMPION) or (checked_versions[-1] if checked_versions else None)
    challenger_pct = int(config_value(CHALLENGER_TRAFFIC_PCT))
    context: dict[str, Any] = {
        "model_name": name,
        "aliases": aliases,
        "registry_error": registry_error,
        "versions": sorted(set(checked_versions) | set(aliases.values())),
        "selected_version": selected,
        "split": {"champion": 100 - challenger_pct, "challenger": challenger_pct},
        "variants": [
            {"alias": alias, "version": aliases.get(alias), **variant_report(model_name=name, variant=alias)}
            for alias in (ModelAlias.CHAMPION, ModelAlias.CHALLENGER)
        ],
        "alerts": recent_alerts(model_name=name, limit=15),
        "report": None,
        "bars": None,
        "history": None,
        "score_bins": [],
    }
    if selected is None:
        return context
    report = latest_drift_report(model_name=name, version=selected)
    record = model_version_record(model_name=name, version=selected)
    served = summarize(metrics_rows(model_name=name, version=selected, since=timezone.now() - timedelta(hours=24)))
    context.update(
        report=report,
        bars=psi_bars(report) if report is not None else None,
        history=psi_history(drift_history(model_name=name, version=selected)),
        score_bins=score_histograms(served["score_distribution"]["histogram"]),
        baseline=((record.reference if record else {}) or {}).get("score"),
        served=served,
    )
    return context
