"""Celery tasks (thin): the debounced scoring sweep and a one-circle rescore."""

from __future__ import annotations

from celery import shared_task

from apps.circles.choices import ScoringTrigger
from apps.circles.services.scoring import circle_score, circles_score_pending


@shared_task(name="circles.score_pending_circles", ignore_result=True)
def score_pending_circles() -> int:
    """Rescore circles with new facts (beat: every few seconds; see lakay/schedules.py)."""
    return circles_score_pending()


@shared_task(name="circles.score_circle", ignore_result=True)
def score_circle(circle_id: str) -> None:
    circle_score(circle_id=circle_id, trigger=ScoringTrigger.COMMAND)
