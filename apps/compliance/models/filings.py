"""SAR drafts, CTR/SAR filing records and the FinCEN XML batches that carry them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.compliance.choices import FilingKind, FilingStatus
from apps.compliance.models.cases import Case


class SarDraft(models.Model):
    """The narrative of a suspicious-activity filing, first drafted by Lakay from the case facts.

    ``is_machine_drafted`` stays true until an officer edits the narrative; approval is refused while it
    is. ``contributors`` lists everyone who shaped the draft: none of them may approve it (four eyes).
    """

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="sar_draft")
    narrative = models.TextField()
    machine_narrative = models.TextField()
    is_machine_drafted = models.BooleanField(default=True)
    facts = models.JSONField(default=dict)
    activity_codes = models.JSONField(default=list)
    contributors = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SAR draft"

    def __str__(self) -> str:
        return f"SAR draft for case {self.case_id} v{self.version}"


class FilingBatch(models.Model):
    """One FinCEN BSA E-Filing XML batch (SARX or CTRX), validated against the shipped schema."""

    kind = models.CharField(max_length=8, choices=FilingKind.choices)
    xml = models.TextField()
    sha256 = models.CharField(max_length=64)
    activity_count = models.PositiveIntegerField()
    total_amount = models.PositiveBigIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "filing batches"

    def __str__(self) -> str:
        return f"{self.kind.upper()} batch {self.pk}"


class Filing(models.Model):
    """A CTR or SAR filing record: prepared → approved → submitted → acknowledged (with the BSA ID)."""

    kind = models.CharField(max_length=8, choices=FilingKind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="filings")
    customer_id = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=FilingStatus.choices, default=FilingStatus.PREPARED)
    business_date = models.DateField(null=True, blank=True, help_text="CTR: the business day reported.")
    cash_in_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    cash_out_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    amount_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    activity_from = models.DateField(null=True, blank=True)
    activity_to = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(FilingBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="filings")
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    bsa_id = models.CharField(max_length=14, null=True, blank=True, unique=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer_id", "business_date"], condition=Q(kind="ctr"), name="cmp_filing_ctr_unique"
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(kind="sar"), name="cmp_filing_sar_per_case"),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="cmp_filing_kind_status"),
            models.Index(fields=["kind", "created_at"], name="cmp_filing_kind_created"),
            models.Index(fields=["due_on"], name="cmp_filing_due"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind.upper()} {self.customer_id} {self.status}"
