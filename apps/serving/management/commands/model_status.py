"""``manage.py model_status``: registered versions, aliases, split, last drift check, recent alerts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.serving.conf import model_name as configured_model_name
from apps.serving.models import ModelAliasChange, ModelVersion
from apps.serving.monitoring.reports import monitoring_report, routing_report
from apps.serving.registry import mlflow_store
from apps.serving.registry.services import registry_sync


class Command(BaseCommand):
    help = "What serves now: versions with their metrics, aliases, split, drift, alerts and recent changes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", default=None, help="Registered model name (default SERVING_MODEL_NAME).")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["model"] or configured_model_name()
        registry_sync(model_name=name)
        aliases = {version: alias for alias, version in mlflow_store.aliases(name).items()}
        self.stdout.write(f"model {name}")
        for version in ModelVersion.objects.filter(model_name=name).order_by("-version")[:10]:
            metrics = {key: _number(version.metrics.get(key)) for key in ("auc_pr", "precision_at_threshold")}
            recall = _number(version.metrics.get("recall_at_threshold"))
            alias = ("@" + aliases[version.version]) if version.version in aliases else ""
            self.stdout.write(
                f"  v{version.version:<4} {alias:12} AUC-PR {metrics['auc_pr']}  P {metrics['precision_at_threshold']}"
                f"  R {recall}  threshold {version.operating_threshold}"
                f"  registered {version.registered_at:%Y-%m-%d %H:%M} by {version.created_by}"
            )
        report = monitoring_report()
        routing = routing_report()
        model = report["model"]
        self.stdout.write(
            f"serving: {report['mode']}; champion v{model['version'] or '-'} loaded={model['loaded']}"
            + (f"; load_error: {model['load_error']}" if model["load_error"] else "")
        )
        self.stdout.write(f"split: champion {routing['champion_pct']}% / challenger {routing['challenger_pct']}%")
        drift = report["drift"]
        checked = drift["checked_at"] or "never"
        self.stdout.write(f"drift: {drift['status']} (checked {checked}, {drift['total_observations']} observations)")
        for alert in report["drift"]["recent_alerts"][:5] + report["scores"]["recent_alerts"][:5]:
            self.stdout.write(f"  alert {alert}")
        for change in ModelAliasChange.objects.filter(model_name=name)[:5]:
            forced = " FORCED" if change.is_forced else ""
            self.stdout.write(
                f"  {change.changed_at:%Y-%m-%d %H:%M} @{change.alias} {change.action}"
                f" v{change.previous_version or '-'} → v{change.new_version or '-'}"
                f" by {change.actor}{forced}: {change.reason}"
            )


def _number(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float | int) else "-"
