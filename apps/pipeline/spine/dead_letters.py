"""Re-driving dead letters through the same ingest path (after a contract or handler fix)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from apps.pipeline.spine.choices import DeadLetterStatus
from apps.pipeline.spine.ingest import InboundMessage, ingest_batch
from apps.pipeline.spine.models import DeadLetter
from lakay.logging import get_logger

logger = get_logger(__name__)


@dataclass
class ReplaySummary:
    replayed: int = 0
    duplicates: int = 0
    failed_again: int = 0


def dead_letters_pending(
    *, reason: str | None = None, topic: str | None = None, ids: Iterable[int] | None = None
) -> QuerySet[DeadLetter]:
    queryset = DeadLetter.objects.filter(status__in=[DeadLetterStatus.PENDING, DeadLetterStatus.FAILED_AGAIN])
    if reason:
        queryset = queryset.filter(reason=reason)
    if topic:
        queryset = queryset.filter(topic=topic)
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    return queryset.order_by("id")


def dead_letter_replay(dead_letter: DeadLetter) -> str:
    """Re-validate and re-handle one dead letter. Returns its new status."""
    message = InboundMessage(
        topic=dead_letter.topic,
        value=bytes(dead_letter.raw_value),
        partition=dead_letter.partition,
        offset=dead_letter.offset,
        key=dead_letter.message_key.encode() if dead_letter.message_key else None,
    )
    outcome = ingest_batch([message], replay=True, record_dead_letters=False).outcomes[0]
    if outcome.status in {"stored", "duplicate"}:
        status = DeadLetterStatus.REPLAYED
        error_message = dead_letter.error_message
    else:
        status = DeadLetterStatus.FAILED_AGAIN
        error_message = f"{outcome.reason}: {outcome.error}"[:2000]
    DeadLetter.objects.filter(id=dead_letter.id).update(
        status=status,
        replay_count=F("replay_count") + 1,
        last_replayed_at=timezone.now(),
        error_message=error_message,
    )
    logger.info("pipeline.dead_letter.replayed", dead_letter_id=dead_letter.id, status=status, outcome=outcome.status)
    return status


def dead_letters_replay(queryset: QuerySet[DeadLetter]) -> ReplaySummary:
    summary = ReplaySummary()
    for dead_letter in queryset.iterator(chunk_size=200):
        status = dead_letter_replay(dead_letter)
        if status == DeadLetterStatus.REPLAYED:
            summary.replayed += 1
        else:
            summary.failed_again += 1
    return summary
