"""Where produced events go: Kafka (the project's producer), a JSON-Lines file, or a list in memory.

Labels always go to the database (``labels.LabelBook``); the file sink also writes them next to the
events, in ``<file>.labels.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from confluent_kafka import KafkaError, Message, Producer

from apps.pipeline.spine.kafka import build_producer
from apps.pipeline.spine.topics import topic_name
from lakay.logging import get_logger

logger = get_logger(__name__)

Envelope = dict[str, Any]
FLUSH_TIMEOUT_SECONDS = 30.0


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(envelope: Envelope) -> str:
    """Compact JSON, UTF-8 text (one encoder for all: ``json.dumps`` with options builds one per call)."""
    return _encoder.encode(envelope)


class Sink(Protocol):
    description: str
    is_broker: bool  # events reach consumers at once (so a timestamp from the future is dead-lettered)
    failures: int

    def write(self, topic: str, key: str, envelope: Envelope) -> None: ...

    def write_labels(self, records: list[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class MemorySink:
    """Keeps (topic, key, envelope) tuples; for tests and for callers that post-process events."""

    description = "memory"
    is_broker = False
    failures = 0

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, Envelope]] = []
        self.labels: list[dict[str, Any]] = []

    @property
    def events(self) -> list[Envelope]:
        return [envelope for _, _, envelope in self.messages]

    def write(self, topic: str, key: str, envelope: Envelope) -> None:
        self.messages.append((topic, key, envelope))

    def write_labels(self, records: list[dict[str, Any]]) -> None:
        self.labels.extend(records)

    def close(self) -> None:
        return None


class JsonlSink:
    """One envelope per line (the topic and key follow from the event type, see contracts/topics.json)."""

    is_broker = False
    failures = 0

    def __init__(self, path: Path):
        self.path = path
        self.description = f"jsonl:{path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Both stay open for the whole run and are closed by close().
        self._events = path.open("w", encoding="utf-8", buffering=1 << 20)
        self._labels = Path(f"{path}.labels.jsonl").open("w", encoding="utf-8")  # noqa: SIM115

    def write(self, topic: str, key: str, envelope: Envelope) -> None:
        self._events.write(dumps(envelope) + "\n")

    def write_labels(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self._labels.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._labels.flush()

    def close(self) -> None:
        self._events.close()
        self._labels.close()


class KafkaSink:
    """Produces to ``topic_name(<logical topic>)`` with the idempotent project producer."""

    description = "kafka"
    is_broker = True

    def __init__(self, producer: Producer | None = None):
        self._producer = producer or build_producer()
        self._names: dict[str, str] = {}
        self.failures = 0

    def _delivered(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self.failures += 1
            logger.warning("simulator.delivery_failed", topic=message.topic(), reason=str(error))

    def write(self, topic: str, key: str, envelope: Envelope) -> None:
        name = self._names.get(topic)
        if name is None:
            name = self._names[topic] = topic_name(topic)
        value = dumps(envelope).encode()
        while True:
            try:
                self._producer.produce(name, value=value, key=key.encode(), on_delivery=self._delivered)
                break
            except BufferError:  # the local queue is full: let librdkafka send, then retry
                self._producer.poll(0.1)
        self._producer.poll(0)

    def write_labels(self, records: list[dict[str, Any]]) -> None:
        return None

    def close(self) -> None:
        undelivered = self._producer.flush(FLUSH_TIMEOUT_SECONDS)
        if undelivered:
            self.failures += undelivered
            logger.error("simulator.undelivered_at_close", count=undelivered)


def build_sink(output: str) -> Sink:
    """``kafka``, ``jsonl:PATH`` or ``memory``."""
    if output == "kafka":
        return KafkaSink()
    if output == "memory":
        return MemorySink()
    if output.startswith("jsonl:") and len(output) > len("jsonl:"):
        return JsonlSink(Path(output.removeprefix("jsonl:")))
    raise ValueError(f"output must be kafka, memory or jsonl:PATH, not {output!r}")
