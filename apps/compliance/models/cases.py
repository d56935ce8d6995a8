"""Cases: the officers' unit of work, with notes, evidence and a hash-chained audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.compliance.choices import ACTIVE_CASE_STATUSES, CaseStatus, CaseType, Priority


class Case(models.Model):
    """One customer's compliance matter: opened from alerts, worked in a queue, closed by a decision.

    Status changes only through ``apps.compliance.services.cases`` (conditional updates, one audit
    entry each). ``regulatory_due_on`` is the legal clock (CTR 15 days, SAR 30 days from detection);
    ``sla_due_at`` the internal operating target that escalates.
    """

    customer_id = models.CharField(max_length=80)
    case_type = models.CharField(max_length=16, choices=CaseType.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    priority = models.CharField(max_length=16, choices=Priority.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="compliance_cases"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    detected_on = models.DateField(help_text="Date of the earliest linked detection (starts the SAR clock).")
    regulatory_due_on = models.DateField(null=True, blank=True)
    sla_due_at = models.DateTimeField()
    escalation_count = models.PositiveIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    # SAR confidentiality (31 CFR 1022.320(d)): once a SAR is drafted, only compliance roles see the case.
    has_sar = models.BooleanField(default=False)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval_requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "priority"], name="cmp_case_status_priority"),
            models.Index(fields=["assigned_to", "status"], name="cmp_case_assignee_status"),
            models.Index(fields=["regulatory_due_on"], name="cmp_case_regulatory_due"),
            models.Index(fields=["sla_due_at"], name="cmp_case_sla_due"),
        ]
        constraints = [
            # At most one active case per customer: new alerts attach to it.
            models.UniqueConstraint(
                fields=["customer_id"], condition=Q(status__in=ACTIVE_CASE_STATUSES), name="cmp_case_one_active"
            ),
        ]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CASE-{self.pk:06d}" if self.pk else "CASE-new"


class CaseNote(models.Model):
    """An officer's note on a case (append-only; a correction is a new note)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"


def evidence_path(instance: CaseEvidence, filename: str) -> str:
    return f"compliance/evidence/case-{instance.case_id}/{instance.sha256[:16]}-{filename[-80:]}"


class CaseEvidence(models.Model):
    """A file attached to a case, stored with its SHA-256 so any later change is detectable."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class AuditEntry(models.Model):
    """Append-only, hash-chained record of every case and officer action.

    ``entry_hash = SHA-256(previous_hash || canonical_json(row))``; ``manage.py verify_audit_chain``
    recomputes the chain and names the first row that was edited, removed or reordered. A PostgreSQL
    trigger refuses UPDATE and DELETE on this table.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries", db_constraint=True
    )
    customer_id = models.CharField(max_length=80, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [models.Index(fields=["case", "sequence"], name="cmp_audit_case_sequence")]
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"
