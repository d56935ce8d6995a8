"""Fixed vocabularies of the spine."""

from __future__ import annotations

from django.db import models


class DeadLetterReason(models.TextChoices):
    INVALID_JSON = "invalid_json", "Not valid JSON"
    NOT_AN_OBJECT = "not_an_object", "JSON is not an object"
    MESSAGE_TOO_LARGE = "message_too_large", "Message larger than the allowed size"
    UNKNOWN_EVENT_TYPE = "unknown_event_type", "Unknown event type"
    UNKNOWN_EVENT_VERSION = "unknown_event_version", "Unknown version of a known event type"
    WRONG_TOPIC = "wrong_topic", "Event type does not belong on this topic"
    SCHEMA_INVALID = "schema_invalid", "Fails its JSON Schema"
    INVALID_TIMESTAMP = "invalid_timestamp", "Timestamp matches the pattern but is not a real instant"
    TIMESTAMP_IN_FUTURE = "timestamp_in_future", "Timestamp further in the future than the allowed skew"
    EVENT_ID_CONFLICT = "event_id_conflict", "Event id already stored with different content"
    HANDLER_ERROR = "handler_error", "A domain handler raised"


class DeadLetterStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    REPLAYED = "replayed", "Replayed successfully"
    FAILED_AGAIN = "failed_again", "Replayed and failed again"
    DISCARDED = "discarded", "Discarded by an operator"


class RawEventStatus(models.TextChoices):
    PROCESSED = "processed", "Processed by every handler"
    HANDLER_FAILED = "handler_failed", "A handler failed; dead-lettered"
