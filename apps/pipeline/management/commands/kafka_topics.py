"""``manage.py kafka_topics [--create]``: list or create the 5 trebanx.* inputs, 5 lakay.* outputs and DLQs."""

from __future__ import annotations

from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import NewTopic
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.pipeline.spine.kafka import build_admin
from apps.pipeline.spine.topics import ALL_TOPICS, topic_name


class Command(BaseCommand):
    help = "Show the project's topics on the broker; --create makes the missing ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--create", action="store_true")
        parser.add_argument("--timeout", type=float, default=15.0)

    def handle(self, *args: Any, **options: Any) -> None:
        admin = build_admin()
        try:
            existing = admin.list_topics(timeout=options["timeout"]).topics
        except KafkaException as error:
            raise CommandError(f"Broker {settings.KAFKA_BOOTSTRAP_SERVERS} unreachable: {error}") from error
        missing = [topic_name(topic) for topic in ALL_TOPICS if topic_name(topic) not in existing]
        if options["create"] and missing:
            futures = admin.create_topics(
                [NewTopic(name, settings.KAFKA_TOPIC_PARTITIONS, settings.KAFKA_TOPIC_REPLICATION) for name in missing]
            )
            for name, future in futures.items():
                try:
                    future.result(timeout=options["timeout"])
                    self.stdout.write(f"created {name}")
                except KafkaException as error:
                    if "TOPIC_ALREADY_EXISTS" not in str(error):
                        raise CommandError(f"Could not create {name}: {error}") from error
            existing = admin.list_topics(timeout=options["timeout"]).topics
        for topic in ALL_TOPICS:
            name = topic_name(topic)
            info = existing.get(name)
            state = f"{len(info.partitions)} partitions" if info else "MISSING"
            self.stdout.write(f"{name:48} {state}")
        if not options["create"] and missing:
            self.stdout.write(self.style.WARNING(f"{len(missing)} missing; run with --create"))
