"""Choices of the compliance domain (values shared with the outbound contracts where they overlap)."""

from __future__ import annotations

from django.db import models


class MovementSource(models.TextChoices):
    """Which Trebanx event first described a money movement."""

    TRANSACTION = "transaction", "Transaction"
    REMITTANCE = "remittance", "Remittance"
    CONTRIBUTION = "contribution", "Circle contribution"
    PAYOUT = "payout", "Circle payout"


class MovementFlow(models.TextChoices):
    """Which way money goes for the customer the movement belongs to."""

    SENT = "sent", "Sent to a third party"
    RECEIVED = "received", "Received from a third party"
    OWN_FUNDS = "own_funds", "Own funds (top-up, withdrawal)"
    FEE = "fee", "Fee"


class MovementStatus(models.TextChoices):
    INITIATED = "initiated", "Initiated"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class CurrencyDirection(models.TextChoices):
    """CTR aggregation keeps cash-in and cash-out apart (31 CFR 1010.313(b)); they are never netted."""

    CASH_IN = "cash_in", "Cash in"
    CASH_OUT = "cash_out", "Cash out"


class AlertType(models.TextChoices):
    """``compliance-alert-raised.alert_type`` of the outbound contract."""

    CTR_THRESHOLD = "ctr_threshold", "CTR threshold"
    CTR_PRE_THRESHOLD = "ctr_pre_threshold", "CTR pre-threshold"
    STRUCTURING = "structuring", "Structuring"
    SUSPICIOUS_ACTIVITY = "suspicious_activity", "Suspicious activity"
    RAPID_MOVEMENT = "rapid_movement", "Rapid movement"
    UNUSUAL_VOLUME = "unusual_volume", "Unusual volume"
    HIGH_RISK_GEOGRAPHY = "high_risk_geography", "High-risk geography"
    CIRCLE_COMPLIANCE = "circle_compliance", "Circle compliance"
    EDD_TRIGGER = "edd_trigger", "EDD trigger"
    VELOCITY_ANOMALY = "velocity_anomaly", "Velocity anomaly"


class RuleCode(models.TextChoices):
    """The rule or typology that raised an alert (finer than the contract's alert type)."""

    CTR_THRESHOLD = "ctr_threshold", "CTR: currency over the threshold in one business day"
    CTR_PRE_THRESHOLD = "ctr_pre_threshold", "CTR: currency approaching the threshold"
    ROUND_AMOUNT = "round_amount", "Amount just below a reporting threshold"
    ROUND_AMOUNT_PATTERN = "round_amount_pattern", "Share of round amounts over 30 days"
    RAPID_MOVEMENT = "rapid_movement", "Money received and sent on quickly"
    UNUSUAL_VOLUME = "unusual_volume", "Amount far above the customer's 30-day mean"
    VELOCITY = "velocity", "Transaction count far above the customer's daily norm"
    HIGH_RISK_GEOGRAPHY = "high_risk_geography", "FATF call-for-action jurisdiction involved"
    THIRD_COUNTRY = "third_country", "Activity from a new third country"
    CIRCLE_CASH_CONCENTRATION = "circle_cash_concentration", "Circle: currency contributions concentrated in a day"
    CIRCLE_LARGE_PAYOUT = "circle_large_payout", "Circle: large payout"
    CIRCLE_FLAGGED_MEMBERS = "circle_flagged_members", "Circle: several members under alert"
    STRUCTURING_MICRO = "structuring_micro", "Structuring: micro (one business day)"
    STRUCTURING_SLOW = "structuring_slow", "Structuring: slow (look-back window)"
    STRUCTURING_FAN_OUT = "structuring_fan_out", "Structuring: fan-out (one sender, many recipients)"
    STRUCTURING_FUNNEL = "structuring_funnel", "Structuring: funnel (many senders, one recipient)"
    EDD_TRIGGER = "edd_trigger", "Customer risk rose into enhanced due diligence"


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    ELEVATED = "elevated", "Elevated"
    URGENT = "urgent", "Urgent"
    CRITICAL = "critical", "Critical"


PRIORITY_RANK: dict[str, int] = {
    Priority.ROUTINE: 0,
    Priority.ELEVATED: 1,
    Priority.URGENT: 2,
    Priority.CRITICAL: 3,
}


class RecommendedAction(models.TextChoices):
    FILE_CTR = "file_ctr", "Prepare a CTR"
    FILE_SAR = "file_sar", "Consider a suspicious-activity filing (recommendation)"
    ESCALATE_TO_BSA_OFFICER = "escalate_to_bsa_officer", "Escalate to the BSA officer"
    ENHANCED_MONITORING = "enhanced_monitoring", "Enhanced monitoring"
    BLOCK_TRANSACTION = "block_transaction", "Block the transaction"
    NONE = "none", "Information only"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    IN_CASE = "in_case", "In a case"
    DISMISSED = "dismissed", "Dismissed with rationale"


class CaseType(models.TextChoices):
    CTR = "ctr", "Currency transaction report"
    INVESTIGATION = "investigation", "AML investigation"
    EDD_REVIEW = "edd_review", "Enhanced due diligence review"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    FILED = "filed", "Filed"
    CLOSED_NO_FILING = "closed_no_filing", "Closed, no filing"
    REOPENED = "reopened", "Reopened"


ACTIVE_CASE_STATUSES: tuple[str, ...] = (
    CaseStatus.OPEN,
    CaseStatus.INVESTIGATING,
    CaseStatus.PENDING_APPROVAL,
    CaseStatus.REOPENED,
)
TERMINAL_CASE_STATUSES: tuple[str, ...] = (CaseStatus.FILED, CaseStatus.CLOSED_NO_FILING)


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High (EDD)"
    PROHIBITED = "prohibited", "Prohibited (EDD, exit review)"


RISK_RANK: dict[str, int] = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.PROHIBITED: 3}
EDD_LEVELS: tuple[str, ...] = (RiskLevel.HIGH, RiskLevel.PROHIBITED)


class RiskSource(models.TextChoices):
    COMPUTED = "computed", "Computed"
    OVERRIDE = "override", "Officer override"
    REVIEW = "review", "Officer review"


class EddStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class JurisdictionList(models.TextChoices):
    """FATF public statements: the black list (two flavours) and the grey list."""

    COUNTERMEASURES = "call_for_action_countermeasures", "Call for action: countermeasures"
    CALL_FOR_EDD = "call_for_action_edd", "Call for action: enhanced due diligence"
    INCREASED_MONITORING = "increased_monitoring", "Increased monitoring (grey list)"


class FilingKind(models.TextChoices):
    SAR = "sar", "FinCEN SAR"
    CTR = "ctr", "FinCEN CTR"


class FilingStatus(models.TextChoices):
    PREPARED = "prepared", "Prepared"
    APPROVED = "approved", "Approved"
    SUBMITTED = "submitted", "Submitted"
    ACKNOWLEDGED = "acknowledged", "Acknowledged (BSA ID)"


class ReportType(models.TextChoices):
    CTR = "ctr", "CTR report"
    SAR = "sar", "SAR report"
    SUMMARY = "summary", "Compliance summary"
    AUDIT = "audit", "Audit readiness"
