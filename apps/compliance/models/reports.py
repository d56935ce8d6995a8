"""Generated compliance reports (runbook Appendix A), stored with the figures they contained."""

from __future__ import annotations

from django.db import models

from apps.compliance.choices import ReportType


class ComplianceReport(models.Model):
    report_id = models.CharField(max_length=40, unique=True)
    report_type = models.CharField(max_length=16, choices=ReportType.choices)
    parameters = models.JSONField(default=dict)
    content = models.JSONField(default=dict)
    generated_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["report_type", "created_at"], name="cmp_report_type_created")]

    def __str__(self) -> str:
        return self.report_id
