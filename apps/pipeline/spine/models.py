"""Tables of the event spine."""

from __future__ import annotations

import uuid

from django.db import models

from apps.pipeline.spine.choices import DeadLetterReason, DeadLetterStatus, RawEventStatus

__all__ = ["DeadLetter", "OutboxMessage", "RawEvent"]


class RawEvent(models.Model):
    """Every accepted inbound event, stored once by ``event_id`` (the idempotency key of the spine).

    Written by the consumer (and by API calls that submit an event) in the same transaction as the
    domain effects of its handlers, so an event is either stored *and* handled, or neither.
    """

    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=64)
    event_version = models.CharField(max_length=16)
    occurred_at = models.DateTimeField(help_text="The event's own timestamp (UTC); windows use this.")
    received_at = models.DateTimeField()
    source_service = models.CharField(max_length=64)
    correlation_id = models.UUIDField(null=True, blank=True)
    topic = models.CharField(max_length=255, help_text="Logical topic, or 'api' for events submitted over HTTP.")
    partition = models.IntegerField(null=True, blank=True)
    offset = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField()
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical envelope.")
    status = models.CharField(max_length=16, choices=RawEventStatus.choices, default=RawEventStatus.PROCESSED)

    class Meta:
        indexes = [models.Index(fields=["event_type", "occurred_at"], name="rawevent_type_time")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class DeadLetter(models.Model):
    """An inbound message that could not be accepted or handled, kept with its reason and position."""

    topic = models.CharField(max_length=255)
    partition = models.IntegerField(null=True, blank=True)
    offset = models.BigIntegerField(null=True, blank=True)
    message_key = models.TextField(blank=True)
    raw_value = models.BinaryField(help_text="The message exactly as received.")
    event_id = models.CharField(max_length=64, blank=True, help_text="As found in the message, if any.")
    event_type = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=32, choices=DeadLetterReason.choices)
    error_message = models.TextField()
    error_details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=DeadLetterStatus.choices, default=DeadLetterStatus.PENDING)
    replay_count = models.PositiveIntegerField(default=0)
    last_replayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        indexes = [
            models.Index(fields=["status", "reason"], name="deadletter_status_reason"),
        ]
        constraints = [
            # One dead letter per broker position: a redelivered batch does not duplicate it.
            models.UniqueConstraint(
                fields=["topic", "partition", "offset"],
                condition=models.Q(offset__isnull=False),
                name="deadletter_unique_position",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} @ {self.topic}[{self.partition}]:{self.offset}"


class OutboxMessage(models.Model):
    """A message to publish, written in the same transaction as the change that caused it.

    The relay publishes rows in id order with an idempotent producer and stamps ``published_at``
    after the broker acknowledged them. ``message_id`` travels as the ``event_id`` of the message and
    the ``lakay-message-id`` header, so consumers (and the relay's own crash recovery) can dedup.
    """

    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    topic = models.CharField(max_length=255, help_text="Logical topic (without KAFKA_TOPIC_PREFIX).")
    message_key = models.CharField(max_length=255)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField(null=True, blank=True)
    raw_value = models.BinaryField(null=True, blank=True, help_text="Bytes to publish as-is (dead-letter copies).")
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(auto_now_add=True, help_text="Not retried before this (back-off).")
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_pending",
                condition=models.Q(published_at__isnull=True),
            ),
            models.Index(fields=["topic", "created_at"], name="outbox_topic_created"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}:{self.message_key}:{self.message_id}"
