"""Celery tasks of serving (thin: call a service)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.management import call_command

from apps.serving.choices import CheckTrigger
from apps.serving.monitoring.services import monitoring_check
from apps.serving.runtime.process import runtime

# Training jobs a schedule may start, by command name. Serving sits below fraud and does not import it:
# the fraud app provides the command, serving's scheduler only runs it.
TRAINING_COMMANDS = ("train_fraud_model",)


@shared_task(name="serving.check_drift")
def check_drift() -> list[dict[str, Any]]:
    reports = monitoring_check(trigger=CheckTrigger.SCHEDULE)
    return [{"version": r.model_version, "status": r.status, "max_psi": r.max_psi} for r in reports]


@shared_task(name="serving.flush_buffers")
def flush_buffers() -> int:
    """Write what this worker process buffered (workers that score between beats)."""
    return sum(runtime().flush().values())


@shared_task(name="serving.run_training", acks_late=True, time_limit=6 * 3600)
def run_training(command: str = "train_fraud_model", arguments: list[str] | None = None) -> str:
    if command not in TRAINING_COMMANDS:
        raise ValueError(f"{command} is not a training command")
    call_command(command, *(arguments or []))
    return command
