"""Live configuration of the compliance rules (``COMPLIANCE_*`` environment defaults, database live values).

Every threshold the rules read is a :class:`Parameter` here; operators change them with
``manage.py thresholds set compliance.<name> <value> --reason ...`` and running consumers pick the new
value up within a second. ``rules()`` returns one typed, validated snapshot for an evaluation, so one
event is judged against one consistent set of values.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from apps.serving.config import Parameter, config_snapshot
from lakay.env import env

_D = Decimal


PARAMETERS: list[Parameter] = [
    # ------------------------------------------------------------------ CTR (31 CFR 1010.311/313)
    Parameter(
        key="compliance.ctr_enabled",
        default=env.bool("COMPLIANCE_CTR_ENABLED", default=True),
        kind="bool",
        env_var="COMPLIANCE_CTR_ENABLED",
        description="Aggregate currency per person and business day and raise CTR alerts/filings.",
    ),
    Parameter(
        key="compliance.ctr_threshold",
        default=env.str("COMPLIANCE_CTR_THRESHOLD", default="10000.00"),
        kind="decimal",
        minimum=1,
        maximum=10000,
        env_var="COMPLIANCE_CTR_THRESHOLD",
        description="A CTR is due when a day's cash-in (or cash-out) total is MORE than this (USD). "
        "The federal threshold is $10,000 and this may not be raised above it.",
    ),
    Parameter(
        key="compliance.ctr_warning_levels",
        default=env.list("COMPLIANCE_CTR_WARNING_LEVELS", default=["8000.00", "9000.00"]),
        kind="json",
        env_var="COMPLIANCE_CTR_WARNING_LEVELS",
        description="Day totals (USD, below the CTR threshold) that raise one pre-threshold warning each.",
    ),
    Parameter(
        key="compliance.currency_payment_methods",
        default=env.list("COMPLIANCE_CURRENCY_PAYMENT_METHODS", default=["cash_at_agent"]),
        kind="json",
        env_var="COMPLIANCE_CURRENCY_PAYMENT_METHODS",
        description="payment_method values that are physical currency for CTRs (contracts: only cash_at_agent).",
    ),
    Parameter(
        key="compliance.business_timezone",
        default=env.str("COMPLIANCE_BUSINESS_TIMEZONE", default="America/New_York"),
        kind="str",
        env_var="COMPLIANCE_BUSINESS_TIMEZONE",
        description="Time zone of the business day used for CTR aggregation and daily rules.",
    ),
    Parameter(
        key="compliance.business_day_cutoff_hour",
        default=env.int("COMPLIANCE_BUSINESS_DAY_CUTOFF_HOUR", default=0),
        kind="int",
        minimum=0,
        maximum=23,
        env_var="COMPLIANCE_BUSINESS_DAY_CUTOFF_HOUR",
        description="Local hour at which the business day closes (0 = midnight); later activity counts "
        "on the next business day.",
    ),
    Parameter(
        key="compliance.business_weekdays",
        default=env.list("COMPLIANCE_BUSINESS_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4, 5, 6]),
        kind="json",
        env_var="COMPLIANCE_BUSINESS_WEEKDAYS",
        description="Weekdays the business is open (0 = Monday). Activity on other days rolls to the next "
        "business day (31 CFR 1010.313(b)).",
    ),
    Parameter(
        key="compliance.business_holidays",
        default=env.list("COMPLIANCE_BUSINESS_HOLIDAYS", default=[]),
        kind="json",
        env_var="COMPLIANCE_BUSINESS_HOLIDAYS",
        description="Dates (YYYY-MM-DD) the business is closed; activity on them rolls to the next business day.",
    ),
    # ------------------------------------------------------------------ monitoring rules
    Parameter(
        key="compliance.round_amount_marks",
        default=env.list("COMPLIANCE_ROUND_AMOUNT_MARKS", default=["2999.00", "4999.00", "9999.00"]),
        kind="json",
        env_var="COMPLIANCE_ROUND_AMOUNT_MARKS",
        description="Amounts (USD) just below recordkeeping/reporting thresholds that structurers aim for.",
    ),
    Parameter(
        key="compliance.round_amount_band",
        default=env.str("COMPLIANCE_ROUND_AMOUNT_BAND", default="10.00"),
        kind="decimal",
        minimum=0,
        maximum=1000,
        env_var="COMPLIANCE_ROUND_AMOUNT_BAND",
        description="An amount within this many dollars at or below a mark is 'just below' it.",
    ),
    Parameter(
        key="compliance.round_amount_unit",
        default=env.str("COMPLIANCE_ROUND_AMOUNT_UNIT", default="500.00"),
        kind="decimal",
        minimum=1,
        maximum=100000,
        env_var="COMPLIANCE_ROUND_AMOUNT_UNIT",
        description="A 'round' amount is a whole multiple of this (USD).",
    ),
    Parameter(
        key="compliance.round_amount_ratio",
        default=env.float("COMPLIANCE_ROUND_AMOUNT_RATIO", default=0.60),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="COMPLIANCE_ROUND_AMOUNT_RATIO",
        description="Share of round amounts over 30 days that raises a round-amount pattern alert.",
    ),
    Parameter(
        key="compliance.round_amount_min_count",
        default=env.int("COMPLIANCE_ROUND_AMOUNT_MIN_COUNT", default=5),
        kind="int",
        minimum=1,
        maximum=1000,
        env_var="COMPLIANCE_ROUND_AMOUNT_MIN_COUNT",
        description="Transactions needed in 30 days before the round-amount share is judged.",
    ),
    Parameter(
        key="compliance.rapid_movement_hours",
        default=env.int("COMPLIANCE_RAPID_MOVEMENT_HOURS", default=24),
        kind="int",
        minimum=1,
        maximum=720,
        env_var="COMPLIANCE_RAPID_MOVEMENT_HOURS",
        description="Window after money is received in which sending it on counts as rapid movement.",
    ),
    Parameter(
        key="compliance.rapid_movement_ratio",
        default=env.float("COMPLIANCE_RAPID_MOVEMENT_RATIO", default=0.80),
        kind="float",
        minimum=0.01,
        maximum=1,
        env_var="COMPLIANCE_RAPID_MOVEMENT_RATIO",
        description="Share of a receipt sent on within the window that counts as pass-through.",
    ),
    Parameter(
        key="compliance.rapid_movement_min_amount",
        default=env.str("COMPLIANCE_RAPID_MOVEMENT_MIN_AMOUNT", default="1000.00"),
        kind="decimal",
        minimum=0,
        maximum=1000000,
        env_var="COMPLIANCE_RAPID_MOVEMENT_MIN_AMOUNT",
        description="Smallest receipt (USD) the rapid-movement rule looks at.",
    ),
    Parameter(
        key="compliance.volume_multiplier",
        default=env.float("COMPLIANCE_VOLUME_MULTIPLIER", default=3.0),
        kind="float",
        minimum=1,
        maximum=100,
        env_var="COMPLIANCE_VOLUME_MULTIPLIER",
        description="An amount at least this many times the customer's 30-day mean is unusual volume; a 24-hour "
        "count this many times the daily mean is a velocity anomaly.",
    ),
    Parameter(
        key="compliance.volume_min_history",
        default=env.int("COMPLIANCE_VOLUME_MIN_HISTORY", default=10),
        kind="int",
        minimum=1,
        maximum=1000,
        env_var="COMPLIANCE_VOLUME_MIN_HISTORY",
        description="Earlier transactions in 30 days needed before volume and velocity are judged.",
    ),
    Parameter(
        key="compliance.volume_min_zscore",
        default=env.float("COMPLIANCE_VOLUME_MIN_ZSCORE", default=3.0),
        kind="float",
        minimum=0,
        maximum=100,
        env_var="COMPLIANCE_VOLUME_MIN_ZSCORE",
        description="An unusual amount must also be this many standard deviations above the 30-day mean.",
    ),
    Parameter(
        key="compliance.velocity_min_count_24h",
        default=env.int("COMPLIANCE_VELOCITY_MIN_COUNT_24H", default=5),
        kind="int",
        minimum=2,
        maximum=10000,
        env_var="COMPLIANCE_VELOCITY_MIN_COUNT_24H",
        description="Transactions in 24 hours needed before a velocity anomaly can be raised.",
    ),
    Parameter(
        key="compliance.home_countries",
        default=env.list("COMPLIANCE_HOME_COUNTRIES", default=["US", "HT"]),
        kind="json",
        env_var="COMPLIANCE_HOME_COUNTRIES",
        description="Countries of the corridor (ISO alpha-2); activity from another one is 'third country'.",
    ),
    Parameter(
        key="compliance.geography_alert_lists",
        default=env.list(
            "COMPLIANCE_GEOGRAPHY_ALERT_LISTS", default=["call_for_action_countermeasures", "call_for_action_edd"]
        ),
        kind="json",
        env_var="COMPLIANCE_GEOGRAPHY_ALERT_LISTS",
        description="FATF lists whose jurisdictions raise an alert on every transaction (the grey list only "
        "weighs in the customer risk rating).",
    ),
    Parameter(
        key="compliance.circle_cash_warning",
        default=env.str("COMPLIANCE_CIRCLE_CASH_WARNING", default="8000.00"),
        kind="decimal",
        minimum=0,
        maximum=10000000,
        env_var="COMPLIANCE_CIRCLE_CASH_WARNING",
        description="Currency contributions into one circle in one business day (all members) that raise a "
        "circle alert.",
    ),
    Parameter(
        key="compliance.circle_large_payout",
        default=env.str("COMPLIANCE_CIRCLE_LARGE_PAYOUT", default="8000.00"),
        kind="decimal",
        minimum=0,
        maximum=10000000,
        env_var="COMPLIANCE_CIRCLE_LARGE_PAYOUT",
        description="A circle payout at or above this amount (USD) raises a routine circle alert.",
    ),
    Parameter(
        key="compliance.circle_flagged_members",
        default=env.int("COMPLIANCE_CIRCLE_FLAGGED_MEMBERS", default=2),
        kind="int",
        minimum=2,
        maximum=100,
        env_var="COMPLIANCE_CIRCLE_FLAGGED_MEMBERS",
        description="Members of one circle with open alerts that raise a circle alert.",
    ),
    # ------------------------------------------------------------------ structuring
    Parameter(
        key="compliance.structuring_lookback_days",
        default=env.int("COMPLIANCE_STRUCTURING_LOOKBACK_DAYS", default=30),
        kind="int",
        minimum=1,
        maximum=365,
        env_var="COMPLIANCE_STRUCTURING_LOOKBACK_DAYS",
        description="Look-back of slow structuring (event time).",
    ),
    Parameter(
        key="compliance.structuring_window_hours",
        default=env.int("COMPLIANCE_STRUCTURING_WINDOW_HOURS", default=48),
        kind="int",
        minimum=1,
        maximum=720,
        env_var="COMPLIANCE_STRUCTURING_WINDOW_HOURS",
        description="Window of fan-out and funnel structuring (event time).",
    ),
    Parameter(
        key="compliance.structuring_micro_min_sum",
        default=env.str("COMPLIANCE_STRUCTURING_MICRO_MIN_SUM", default="8000.00"),
        kind="decimal",
        minimum=0,
        maximum=10000,
        env_var="COMPLIANCE_STRUCTURING_MICRO_MIN_SUM",
        description="Business-day total (USD) from which micro structuring is considered.",
    ),
    Parameter(
        key="compliance.structuring_slow_min_amount",
        default=env.str("COMPLIANCE_STRUCTURING_SLOW_MIN_AMOUNT", default="3000.00"),
        kind="decimal",
        minimum=0,
        maximum=10000,
        env_var="COMPLIANCE_STRUCTURING_SLOW_MIN_AMOUNT",
        description="Smallest single amount (USD) slow structuring counts.",
    ),
    Parameter(
        key="compliance.structuring_min_parties",
        default=env.int("COMPLIANCE_STRUCTURING_MIN_PARTIES", default=3),
        kind="int",
        minimum=2,
        maximum=100,
        env_var="COMPLIANCE_STRUCTURING_MIN_PARTIES",
        description="Distinct recipients (fan-out) or senders (funnel) needed in the window.",
    ),
    Parameter(
        key="compliance.sar_confidence",
        default=env.float("COMPLIANCE_SAR_CONFIDENCE", default=0.70),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="COMPLIANCE_SAR_CONFIDENCE",
        description="Structuring confidence from which the alert recommends a suspicious-activity filing (urgent).",
    ),
    Parameter(
        key="compliance.monitor_confidence",
        default=env.float("COMPLIANCE_MONITOR_CONFIDENCE", default=0.40),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="COMPLIANCE_MONITOR_CONFIDENCE",
        description="Structuring confidence from which an alert is raised at all (enhanced monitoring).",
    ),
    # ------------------------------------------------------------------ customer risk
    Parameter(
        key="compliance.risk_low_max",
        default=env.float("COMPLIANCE_RISK_LOW_MAX", default=0.30),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="COMPLIANCE_RISK_LOW_MAX",
        description="Highest risk score rated 'low' (review every 365 days).",
    ),
    Parameter(
        key="compliance.risk_medium_max",
        default=env.float("COMPLIANCE_RISK_MEDIUM_MAX", default=0.60),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="COMPLIANCE_RISK_MEDIUM_MAX",
        description="Highest risk score rated 'medium' (review every 90 days).",
    ),
    Parameter(
        key="compliance.risk_high_max",
        default=env.float("COMPLIANCE_RISK_HIGH_MAX", default=0.80),
        kind="float",
        minimum=0,
        maximum=1,
        env_var="COMPLIANCE_RISK_HIGH_MAX",
        description="Highest risk score rated 'high' (EDD, review in 30 days); above is 'prohibited'.",
    ),
    Parameter(
        key="compliance.risk_category_weights",
        default=env.json(
            "COMPLIANCE_RISK_CATEGORY_WEIGHTS",
            default={"transaction": 0.30, "geographic": 0.25, "behavioural": 0.25, "circle": 0.20},
        ),
        kind="json",
        env_var="COMPLIANCE_RISK_CATEGORY_WEIGHTS",
        description="Weights of the four risk categories (transaction, geographic, behavioural, circle); sum 1.0.",
    ),
    Parameter(
        key="compliance.risk_new_account_days",
        default=env.int("COMPLIANCE_RISK_NEW_ACCOUNT_DAYS", default=90),
        kind="int",
        minimum=1,
        maximum=3650,
        env_var="COMPLIANCE_RISK_NEW_ACCOUNT_DAYS",
        description="Accounts younger than this get the new-account factor and a +0.10 risk surcharge.",
    ),
    Parameter(
        key="compliance.edd_on_call_for_action",
        default=env.bool("COMPLIANCE_EDD_ON_CALL_FOR_ACTION", default=True),
        kind="bool",
        env_var="COMPLIANCE_EDD_ON_CALL_FOR_ACTION",
        description="Activity involving a FATF call-for-action jurisdiction puts the customer at least at 'high'.",
    ),
    # ------------------------------------------------------------------ cases
    Parameter(
        key="compliance.case_sla_hours",
        default=env.json(
            "COMPLIANCE_CASE_SLA_HOURS", default={"critical": 24, "urgent": 72, "elevated": 168, "routine": 336}
        ),
        kind="json",
        env_var="COMPLIANCE_CASE_SLA_HOURS",
        description="Operating SLA per case priority, in hours; a case past it is escalated one priority level.",
    ),
    Parameter(
        key="compliance.due_soon_days",
        default=env.int("COMPLIANCE_DUE_SOON_DAYS", default=5),
        kind="int",
        minimum=0,
        maximum=60,
        env_var="COMPLIANCE_DUE_SOON_DAYS",
        description="A case whose regulatory due date is this close is in the 'due soon' queue.",
    ),
    Parameter(
        key="compliance.sar_min_amount",
        default=env.str("COMPLIANCE_SAR_MIN_AMOUNT", default="2000.00"),
        kind="decimal",
        minimum=0,
        maximum=2000,
        env_var="COMPLIANCE_SAR_MIN_AMOUNT",
        description="MSB mandatory-filing amount (31 CFR 1022.320(a)(2): at least $2,000); smaller filings are "
        "voluntary.",
    ),
    # ------------------------------------------------------------------ filer identity (FinCEN XML)
    Parameter(
        key="compliance.filer_name",
        default=env.str("COMPLIANCE_FILER_NAME", default="Trebanx Inc"),
        kind="str",
        env_var="COMPLIANCE_FILER_NAME",
        description="Legal name of the filing institution (FinCEN XML parties 30/34/35).",
    ),
    Parameter(
        key="compliance.filer_tin",
        default=env.str("COMPLIANCE_FILER_TIN", default="000000000"),
        kind="str",
        env_var="COMPLIANCE_FILER_TIN",
        description="EIN of the filing institution (9 digits).",
    ),
    Parameter(
        key="compliance.filer_address",
        default=env.json(
            "COMPLIANCE_FILER_ADDRESS",
            default={"street": "1 Flatbush Ave", "city": "Brooklyn", "state": "NY", "zip": "11217", "country": "US"},
        ),
        kind="json",
        env_var="COMPLIANCE_FILER_ADDRESS",
        description="Address of the filing institution: street, city, state, zip, country.",
    ),
    Parameter(
        key="compliance.filer_phone",
        default=env.str("COMPLIANCE_FILER_PHONE", default="7185550100"),
        kind="str",
        env_var="COMPLIANCE_FILER_PHONE",
        description="Phone of the compliance contact office (digits only).",
    ),
    Parameter(
        key="compliance.transmitter_tcc",
        default=env.str("COMPLIANCE_TRANSMITTER_TCC", default="PTCC0000"),
        kind="str",
        env_var="COMPLIANCE_TRANSMITTER_TCC",
        description="FinCEN Transmitter Control Code of the batch transmitter.",
    ),
]


@dataclass(frozen=True)
class ComplianceRules:
    """One consistent, validated snapshot of the compliance parameters."""

    ctr_enabled: bool
    ctr_threshold: Decimal
    ctr_warning_levels: tuple[Decimal, ...]
    currency_payment_methods: frozenset[str]
    business_timezone: zoneinfo.ZoneInfo
    business_day_cutoff_hour: int
    business_weekdays: frozenset[int]
    business_holidays: frozenset[str]
    round_amount_marks: tuple[Decimal, ...]
    round_amount_band: Decimal
    round_amount_unit: Decimal
    round_amount_ratio: float
    round_amount_min_count: int
    rapid_movement_hours: int
    rapid_movement_ratio: float
    rapid_movement_min_amount: Decimal
    volume_multiplier: float
    volume_min_history: int
    volume_min_zscore: float
    velocity_min_count_24h: int
    home_countries: frozenset[str]
    geography_alert_lists: frozenset[str]
    circle_cash_warning: Decimal
    circle_large_payout: Decimal
    circle_flagged_members: int
    structuring_lookback_days: int
    structuring_window_hours: int
    structuring_micro_min_sum: Decimal
    structuring_slow_min_amount: Decimal
    structuring_min_parties: int
    sar_confidence: float
    monitor_confidence: float
    risk_low_max: float
    risk_medium_max: float
    risk_high_max: float
    risk_category_weights: dict[str, float]
    risk_new_account_days: int
    edd_on_call_for_action: bool
    case_sla_hours: dict[str, int]
    due_soon_days: int
    sar_min_amount: Decimal


RISK_CATEGORIES = ("transaction", "geographic", "behavioural", "circle")
PRIORITIES = ("routine", "elevated", "urgent", "critical")


def _decimals(values: Any, key: str) -> tuple[Decimal, ...]:
    if not isinstance(values, list):
        raise ImproperlyConfigured(f"{key} must be a list of amounts.")
    try:
        return tuple(sorted(Decimal(str(value)) for value in values))
    except ArithmeticError as error:
        raise ImproperlyConfigured(f"{key} must be a list of amounts.") from error


def _strings(values: Any, key: str) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ImproperlyConfigured(f"{key} must be a list of strings.")
    return frozenset(values)


def build_rules(values: dict[str, Any]) -> ComplianceRules:
    """Validate cross-parameter rules and build the typed snapshot (raises ImproperlyConfigured)."""

    def get(name: str) -> Any:
        return values[f"compliance.{name}"]

    threshold = Decimal(str(get("ctr_threshold")))
    warnings = _decimals(get("ctr_warning_levels"), "compliance.ctr_warning_levels")
    if any(level <= 0 or level >= threshold for level in warnings):
        raise ImproperlyConfigured("compliance.ctr_warning_levels must lie strictly between 0 and the CTR threshold.")
    try:
        zone = zoneinfo.ZoneInfo(str(get("business_timezone")))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ImproperlyConfigured("compliance.business_timezone must be an IANA time zone name.") from error
    weekdays = get("business_weekdays")
    if (
        not isinstance(weekdays, list)
        or not weekdays
        or not all(isinstance(day, int) and 0 <= day <= 6 for day in weekdays)
    ):
        raise ImproperlyConfigured("compliance.business_weekdays must list at least one weekday 0-6.")
    low, medium, high = float(get("risk_low_max")), float(get("risk_medium_max")), float(get("risk_high_max"))
    if not low < medium < high:
        raise ImproperlyConfigured("Risk bands must satisfy risk_low_max < risk_medium_max < risk_high_max.")
    weights = get("risk_category_weights")
    if not isinstance(weights, dict) or set(weights) != set(RISK_CATEGORIES):
        raise ImproperlyConfigured(f"compliance.risk_category_weights must name exactly {', '.join(RISK_CATEGORIES)}.")
    if abs(sum(float(value) for value in weights.values()) - 1.0) > 1e-6:
        raise ImproperlyConfigured("compliance.risk_category_weights must sum to 1.0.")
    sla = get("case_sla_hours")
    if not isinstance(sla, dict) or set(sla) != set(PRIORITIES) or not all(int(value) > 0 for value in sla.values()):
        raise ImproperlyConfigured("compliance.case_sla_hours must give positive hours for every priority.")
    monitor, sar = float(get("monitor_confidence")), float(get("sar_confidence"))
    if monitor > sar:
        raise ImproperlyConfigured("compliance.monitor_confidence must not exceed compliance.sar_confidence.")
    methods = _strings(get("currency_payment_methods"), "compliance.currency_payment_methods")
    return ComplianceRules(
        ctr_enabled=bool(get("ctr_enabled")),
        ctr_threshold=threshold,
        ctr_warning_levels=warnings,
        currency_payment_methods=methods,
        business_timezone=zone,
        business_day_cutoff_hour=int(get("business_day_cutoff_hour")),
        business_weekdays=frozenset(weekdays),
        business_holidays=_strings(get("business_holidays"), "compliance.business_holidays"),
        round_amount_marks=_decimals(get("round_amount_marks"), "compliance.round_amount_marks"),
        round_amount_band=Decimal(str(get("round_amount_band"))),
        round_amount_unit=Decimal(str(get("round_amount_unit"))),
        round_amount_ratio=float(get("round_amount_ratio")),
        round_amount_min_count=int(get("round_amount_min_count")),
        rapid_movement_hours=int(get("rapid_movement_hours")),
        rapid_movement_ratio=float(get("rapid_movement_ratio")),
        rapid_movement_min_amount=Decimal(str(get("rapid_movement_min_amount"))),
        volume_multiplier=float(get("volume_multiplier")),
        volume_min_history=int(get("volume_min_history")),
        volume_min_zscore=float(get("volume_min_zscore")),
        velocity_min_count_24h=int(get("velocity_min_count_24h")),
        home_countries=_strings(get("home_countries"), "compliance.home_countries"),
        geography_alert_lists=_strings(get("geography_alert_lists"), "compliance.geography_alert_lists"),
        circle_cash_warning=Decimal(str(get("circle_cash_warning"))),
        circle_large_payout=Decimal(str(get("circle_large_payout"))),
        circle_flagged_members=int(get("circle_flagged_members")),
        structuring_lookback_days=int(get("structuring_lookback_days")),
        structuring_window_hours=int(get("structuring_window_hours")),
        structuring_micro_min_sum=Decimal(str(get("structuring_micro_min_sum"))),
        structuring_slow_min_amount=Decimal(str(get("structuring_slow_min_amount"))),
        structuring_min_parties=int(get("structuring_min_parties")),
        sar_confidence=sar,
        monitor_confidence=monitor,
        risk_low_max=low,
        risk_medium_max=medium,
        risk_high_max=high,
        risk_category_weights={key: float(value) for key, value in weights.items()},
        risk_new_account_days=int(get("risk_new_account_days")),
        edd_on_call_for_action=bool(get("edd_on_call_for_action")),
        case_sla_hours={key: int(value) for key, value in sla.items()},
        due_soon_days=int(get("due_soon_days")),
        sar_min_amount=Decimal(str(get("sar_min_amount"))),
    )


_cache: dict[str, Any] = {"source": None, "rules": None}


def rules() -> ComplianceRules:
    """The live rules, rebuilt only when the live configuration snapshot changes.

    An invalid combination set at run time (e.g. weights no longer summing to 1.0) raises
    ImproperlyConfigured here, so the event is dead-lettered and replayable rather than judged wrongly.
    """
    snapshot = config_snapshot()
    if _cache["source"] is not snapshot:
        _cache["rules"] = build_rules(snapshot)
        _cache["source"] = snapshot
    result: ComplianceRules = _cache["rules"]
    return result


def filer_identity() -> dict[str, Any]:
    """The filing institution's identity for FinCEN batches (live values)."""
    snapshot = config_snapshot()
    return {
        "name": str(snapshot["compliance.filer_name"]),
        "tin": str(snapshot["compliance.filer_tin"]),
        "address": dict(snapshot["compliance.filer_address"]),
        "phone": str(snapshot["compliance.filer_phone"]),
        "tcc": str(snapshot["compliance.transmitter_tcc"]),
    }


def validate_defaults() -> None:
    """Start-up check of the environment defaults' cross-parameter rules (fails the boot loudly)."""
    build_rules({parameter.key: parameter.coerce(parameter.default) for parameter in PARAMETERS})
