"""``manage.py sync_schedules``: write lakay/schedules.py to django-celery-beat (run at deploy)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from lakay.schedules import PERIODIC_TASKS


class Command(BaseCommand):
    help = "Create/update the beat entries defined in lakay/schedules.py (keeps an operator's pause)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, spec in PERIODIC_TASKS.items():
            defaults: dict[str, Any] = {
                "task": spec["task"],
                "description": spec.get("description", ""),
                "kwargs": json.dumps(spec.get("kwargs", {})),
                "crontab": None,
                "interval": None,
            }
            if "crontab" in spec:
                defaults["crontab"], _ = CrontabSchedule.objects.get_or_create(timezone="UTC", **spec["crontab"])
            else:
                defaults["interval"], _ = IntervalSchedule.objects.get_or_create(
                    every=spec["every_seconds"], period=IntervalSchedule.SECONDS
                )
            task, created = PeriodicTask.objects.update_or_create(name=name, defaults=defaults)
            self.stdout.write(f"{'created' if created else 'updated'} {name} ({'on' if task.enabled else 'paused'})")
        stale = PeriodicTask.objects.exclude(name__in=PERIODIC_TASKS).exclude(name__startswith="celery.")
        for task in stale:
            self.stdout.write(self.style.WARNING(f"not in lakay/schedules.py (left as is): {task.name}"))
