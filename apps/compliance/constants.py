"""Fixed regulatory facts (not tunable: they change only when the regulation does)."""

from __future__ import annotations

from apps.compliance.choices import AlertType, RuleCode

# 31 CFR 1010.306(a)(1): a CTR is filed within 15 calendar days following the day of the transaction.
CTR_FILING_DAYS = 15
# 31 CFR 1022.320(b)(3): an MSB files a SAR no later than 30 calendar days after initial detection.
SAR_FILING_DAYS = 30
# 31 CFR 1022.320(c) / 1010.430(d): BSA records and SAR supporting documentation are kept 5 years.
RETENTION_YEARS = 5

# Citations carried by each alert. Outbound text must never name the suspicious-activity report
# itself (the outbound schema rejects it): cite the rule by number.
REGULATORY_BASIS: dict[str, str] = {
    RuleCode.CTR_THRESHOLD: (
        "31 CFR 1010.311 and 1010.313 (currency over $10,000 by or for one person in one business day)"
    ),
    RuleCode.CTR_PRE_THRESHOLD: "31 CFR 1010.311 and 1010.313 (currency approaching the reporting threshold)",
    RuleCode.ROUND_AMOUNT: "31 USC 5324 and 31 CFR 1010.100(xx) (amounts just below a reporting threshold)",
    RuleCode.ROUND_AMOUNT_PATTERN: "31 CFR 1022.320(a)(2) (pattern of round amounts)",
    RuleCode.RAPID_MOVEMENT: "31 CFR 1022.320(a)(2)(iii) (funds passed through with no apparent purpose)",
    RuleCode.UNUSUAL_VOLUME: "31 CFR 1022.210 and 1022.320(a)(2) (volume inconsistent with the customer's profile)",
    RuleCode.VELOCITY: "31 CFR 1022.210 and 1022.320(a)(2) (transaction velocity out of pattern)",
    RuleCode.HIGH_RISK_GEOGRAPHY: "31 CFR 1022.210 (risk-based program; FATF call-for-action jurisdiction)",
    RuleCode.THIRD_COUNTRY: "31 CFR 1022.210 (risk-based program; activity from a third country)",
    RuleCode.CIRCLE_CASH_CONCENTRATION: "31 USC 5324 and 31 CFR 1010.313 (currency split across circle members)",
    RuleCode.CIRCLE_LARGE_PAYOUT: "31 CFR 1022.210 (large circle payout)",
    RuleCode.CIRCLE_FLAGGED_MEMBERS: "31 CFR 1022.320(a)(2) (several circle members under review)",
    RuleCode.STRUCTURING_MICRO: "31 USC 5324(a)(3) and 31 CFR 1010.100(xx) (structuring within one business day)",
    RuleCode.STRUCTURING_SLOW: "31 USC 5324(a)(3) and 31 CFR 1010.100(xx) (structuring over several days)",
    RuleCode.STRUCTURING_FAN_OUT: "31 USC 5324(a)(3) and 31 CFR 1022.320(a)(2) (one sender, many recipients)",
    RuleCode.STRUCTURING_FUNNEL: "31 USC 5324(a)(3) and 31 CFR 1022.320(a)(2) (many senders, one recipient)",
    RuleCode.EDD_TRIGGER: "31 CFR 1022.210 (risk-based enhanced due diligence)",
}

# FinCEN SAR activity classification (type, subtype) per rule, used when drafting a SAR.
SAR_ACTIVITY_CODES: dict[str, tuple[int, int]] = {
    RuleCode.STRUCTURING_MICRO: (1, 114),  # structuring: transactions below the CTR threshold
    RuleCode.STRUCTURING_SLOW: (1, 114),
    RuleCode.STRUCTURING_FAN_OUT: (1, 114),
    RuleCode.STRUCTURING_FUNNEL: (8, 824),  # money laundering: funnel account
    RuleCode.ROUND_AMOUNT: (1, 114),
    RuleCode.ROUND_AMOUNT_PATTERN: (8, 812),  # transaction out of pattern for the customer
    RuleCode.RAPID_MOVEMENT: (8, 805),  # suspicious EFT/wire transfers
    RuleCode.UNUSUAL_VOLUME: (8, 812),  # transaction out of pattern for customer(s)
    RuleCode.VELOCITY: (8, 812),
    RuleCode.HIGH_RISK_GEOGRAPHY: (9, 928),  # other: foreign high-risk jurisdiction
    RuleCode.THIRD_COUNTRY: (9, 928),
    RuleCode.CIRCLE_CASH_CONCENTRATION: (1, 114),
    RuleCode.CIRCLE_FLAGGED_MEMBERS: (9, 911),  # two or more individuals working together
}
# Fallback classification: other suspicious activity, no apparent economic or lawful purpose.
SAR_DEFAULT_ACTIVITY_CODE: tuple[int, int] = (9, 925)

MACHINE_DRAFT_MARKER = "[MACHINE-DRAFTED: review, correct and complete before requesting approval]"

# Alerts that say "this customer's activity may be illicit", as opposed to a reporting duty (CTR), a change
# in volume or an EDD review: several circle members under these make a circle-level concern.
SUSPICION_ALERT_TYPES: tuple[str, ...] = (
    AlertType.STRUCTURING,
    AlertType.RAPID_MOVEMENT,
    AlertType.HIGH_RISK_GEOGRAPHY,
    AlertType.SUSPICIOUS_ACTIVITY,
)
