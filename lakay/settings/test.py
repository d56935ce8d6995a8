"""Test settings: the real services (PostgreSQL, Redis, Kafka, S3, MLflow), faster hashing, eager Celery."""

from lakay.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
LAKAY_ENVIRONMENT = "test"
# Tansu assigns partitions about session.timeout/2 after a join; keep joins and rebalances short.
KAFKA_SESSION_TIMEOUT_MS = 3000
KAFKA_HEARTBEAT_INTERVAL_MS = 300
KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS = 0.2

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]  # noqa: F405
