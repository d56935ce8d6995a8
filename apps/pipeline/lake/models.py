"""Tables of the data lake: what is in the lake (files, partitions), where bronze stands in Kafka,
silver quality runs, long jobs and their progress, and the encrypted reverse mapping of PII tokens.

The Parquet files themselves live in the lake storage (``apps.pipeline.lake.storage``); PostgreSQL
holds the metadata that says which files count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.pipeline.lake.choices import LakeJobKind, LakeJobStatus, LakeLayer

__all__ = [
    "BronzeCheckpoint",
    "Dashboard",
    "LakeFile",
    "LakeJob",
    "LakePartition",
    "PiiRevealAudit",
    "PiiTokenMapping",
    "SilverQualityLog",
]


class LakeFile(models.Model):
    """One Parquet file the lake counts. Bronze files are appended; silver and gold files replace
    their partition's previous file. A file on storage without a row here is an orphan of a crash
    between write and commit and is ignored (its events are redelivered by Kafka)."""

    layer = models.CharField(max_length=8, choices=LakeLayer.choices)
    dataset = models.CharField(max_length=64, help_text="Event type (bronze/silver) or gold dataset name.")
    partition_date = models.DateField()
    path = models.CharField(max_length=500, unique=True, help_text="Path inside the lake storage.")
    row_count = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["layer", "dataset", "partition_date"], name="lakefile_partition")]

    def __str__(self) -> str:
        return self.path


class LakePartition(models.Model):
    """A Hive partition (``<layer>/<dataset>/date=YYYY-MM-DD``) with its size and freshness.

    ``source_version`` is the version of the input this partition was built from (for silver: the
    bronze partition's ``version`` when it was processed), so a changed input marks it stale.
    """

    layer = models.CharField(max_length=8, choices=LakeLayer.choices)
    dataset = models.CharField(max_length=64)
    partition_date = models.DateField()
    row_count = models.PositiveBigIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    rejected_count = models.PositiveBigIntegerField(default=0, help_text="Silver: events rejected in the last run.")
    version = models.PositiveBigIntegerField(default=0, help_text="Incremented on every write.")
    source_version = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(help_text="Last write (freshness).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["layer", "dataset", "partition_date"], name="lakepartition_unique"),
        ]
        indexes = [models.Index(fields=["layer", "updated_at"], name="lakepartition_layer_updated")]

    def __str__(self) -> str:
        return f"{self.layer}/{self.dataset}/date={self.partition_date}"


class BronzeCheckpoint(models.Model):
    """Next Kafka offset to read per consumer group and partition, written in the same transaction
    as the files' metadata after the files are durable; the bronze consumer seeks here on assignment."""

    consumer_group = models.CharField(max_length=255)
    topic = models.CharField(max_length=255, help_text="Broker-side topic name.")
    partition = models.IntegerField()
    offset = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer_group", "topic", "partition"], name="bronzecheckpoint_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}] @ {self.offset}"


class SilverQualityLog(models.Model):
    """The result of processing one bronze partition into silver."""

    job = models.ForeignKey("pipeline.LakeJob", null=True, blank=True, on_delete=models.SET_NULL)
    event_type = models.CharField(max_length=64)
    partition_date = models.DateField()
    total = models.PositiveIntegerField()
    passed = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    duplicates_removed = models.PositiveIntegerField()
    rejection_rate = models.FloatField()
    reasons = models.JSONField(default=dict, help_text="Rejection reason → count.")
    is_alert = models.BooleanField(default=False, help_text="Rejection rate above the alert threshold.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ("-id",)
        indexes = [models.Index(fields=["event_type", "partition_date"], name="silverquality_partition")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.partition_date}: {self.passed}/{self.total}"


class LakeJob(models.Model):
    """A silver/gold run, refresh or rebuild, with progress the admin and the command line show."""

    kind = models.CharField(max_length=16, choices=LakeJobKind.choices)
    status = models.CharField(max_length=16, choices=LakeJobStatus.choices, default=LakeJobStatus.QUEUED)
    parameters = models.JSONField(default=dict)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict)
    requested_by = models.CharField(max_length=150, blank=True, help_text="Username, 'beat' or 'cli'.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        indexes = [models.Index(fields=["status", "kind"], name="lakejob_status_kind")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == LakeJobStatus.SUCCEEDED else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class PiiTokenMapping(models.Model):
    """Token → the original value, Fernet-encrypted (``PII_ENCRYPTION_KEY``, MultiFernet rotation).

    Read only through ``apps.pipeline.lake.pii.pii_reveal`` which writes a ``PiiRevealAudit`` row."""

    token = models.CharField(max_length=80, primary_key=True)
    field = models.CharField(max_length=64)
    encrypted_value = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.token


class PiiRevealAudit(models.Model):
    """Who revealed which token's value, when and why (append-only)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, help_text="Username or process that asked.")
    token = models.CharField(max_length=80)
    field = models.CharField(max_length=64)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"{self.actor_label} revealed {self.token}"


class Dashboard(LakePartition):
    """Admin entry for the dashboard pages (no table of its own: it reads gold)."""

    class Meta:
        proxy = True
        verbose_name = "dashboard"
        verbose_name_plural = "dashboards"
