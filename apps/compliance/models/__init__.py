"""Compliance models, one module per sub-domain."""

from apps.compliance.models.alerts import ComplianceAlert
from apps.compliance.models.cases import AuditEntry, Case, CaseEvidence, CaseNote
from apps.compliance.models.filings import Filing, FilingBatch, SarDraft
from apps.compliance.models.monitoring import (
    CircleParticipation,
    ComplianceCustomer,
    CurrencyDayTotal,
    JurisdictionRisk,
    MoneyMovement,
)
from apps.compliance.models.reports import ComplianceReport
from apps.compliance.models.risk import EddReview, RiskAssessment

__all__ = [
    "AuditEntry",
    "Case",
    "CaseEvidence",
    "CaseNote",
    "CircleParticipation",
    "ComplianceAlert",
    "ComplianceCustomer",
    "ComplianceReport",
    "CurrencyDayTotal",
    "EddReview",
    "Filing",
    "FilingBatch",
    "JurisdictionRisk",
    "MoneyMovement",
    "RiskAssessment",
    "SarDraft",
]
