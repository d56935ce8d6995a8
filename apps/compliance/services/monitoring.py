"""The per-event monitoring run: CTR, the monitoring rules and the four structuring typologies.

Called once per NEW money movement (a second event describing the same movement changes nothing).
Reads one window of the customer's movements (event time) and, for funnels, one window of the
recipient's; everything else is arithmetic in ``apps.compliance.detection``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from apps.compliance.choices import (
    AlertType,
    MovementFlow,
    Priority,
    RecommendedAction,
    RuleCode,
)
from apps.compliance.config import ComplianceRules
from apps.compliance.detection import rules as monitoring_rules
from apps.compliance.detection import structuring
from apps.compliance.detection.facts import Detection, Movement
from apps.compliance.models import ComplianceAlert, MoneyMovement
from apps.compliance.selectors.jurisdictions import jurisdiction_lists
from apps.compliance.selectors.monitoring import counterparty_window, customer_window, history_mean
from apps.compliance.services.alerts import AlertSpec, alert_raise
from apps.compliance.services.circles import circle_rules_after_alert, circle_rules_for_movement
from apps.compliance.services.ctr import ctr_apply
from apps.compliance.services.risk import risk_assess

LOOKBACK_DAYS = 30


def _spec(
    detection: Detection,
    *,
    customer_id: str,
    alert_type: str,
    priority: str,
    action: str,
    summary: str,
    detected_at: datetime,
    dedup_key: str,
    movement: MoneyMovement,
) -> AlertSpec:
    return AlertSpec(
        customer_id=customer_id,
        alert_type=alert_type,
        rule_code=detection.rule_code,
        priority=priority,
        recommended_action=action,
        summary=summary,
        detected_at=detected_at,
        business_date=movement.business_date,
        amount_total=detection.amount_total,
        confidence=detection.confidence,
        movements=[fact.movement_id for fact in detection.movements],
        details=dict(detection.details or {}),
        dedup_key=dedup_key,
    )


def _recently_alerted(customer_id: str, rule_code: str, *, since: datetime, tier: str | None) -> bool:
    alerts = ComplianceAlert.objects.filter(customer_id=customer_id, rule_code=rule_code, detected_at__gte=since)
    if tier is not None:
        alerts = alerts.filter(details__tier=tier)
    return alerts.exists()


def _tier(confidence: float | None, rules: ComplianceRules) -> tuple[str, str, str] | None:
    if confidence is None or confidence < rules.monitor_confidence:
        return None
    if confidence >= rules.sar_confidence:
        return "sar", Priority.URGENT, RecommendedAction.FILE_SAR
    return "monitor", Priority.ELEVATED, RecommendedAction.ENHANCED_MONITORING


def _own(movements: list[Movement]) -> list[Movement]:
    """Money the customer moved themselves: sends, and cash they brought in."""
    return [fact for fact in movements if fact.flow == MovementFlow.SENT or fact.is_cash_in]


def monitor_movement(
    movement: MoneyMovement, *, rules: ComplianceRules, previous_country: str | None
) -> list[ComplianceAlert]:
    """Run every rule for a newly recorded movement; returns the alerts raised."""
    at = movement.occurred_at
    raised: list[ComplianceAlert | None] = []
    ctr_apply(movement, rules=rules, detected_at=at)
    horizon = max(rules.structuring_lookback_days, LOOKBACK_DAYS)
    window = customer_window(
        movement.customer_id,
        start=at - timedelta(days=horizon),
        end=at + timedelta(hours=max(rules.rapid_movement_hours, rules.structuring_window_hours)),
    )
    current = next((fact for fact in window if fact.movement_id == movement.pk), None)
    if current is not None:
        past = [fact for fact in window if fact.occurred_at <= at]
        raised += _amount_rules(movement, current, past, rules)
        raised += _rapid_movement(movement, current, window, rules)
        raised += _geography(movement, rules, previous_country)
        raised += _structuring(movement, current, past, rules)
    raised += circle_rules_for_movement(movement, rules=rules)
    alerts = [alert for alert in raised if alert is not None]
    customers = {alert.customer_id for alert in alerts if not alert.customer_id.startswith("circle:")}
    for customer_id in sorted(customers):
        risk_assess(customer_id=customer_id, as_of=at, rules=rules)
        alerts += circle_rules_after_alert(
            customer_id, rules=rules, detected_at=at, business_date=movement.business_date
        )
    return alerts


def _amount_rules(
    movement: MoneyMovement, current: Movement, past: list[Movement], rules: ComplianceRules
) -> list[ComplianceAlert | None]:
    raised: list[ComplianceAlert | None] = []
    at, customer, day = movement.occurred_at, movement.customer_id, movement.business_date
    if current.flow != MovementFlow.RECEIVED:
        mark = monitoring_rules.just_below_mark(
            movement.amount, marks=rules.round_amount_marks, band=rules.round_amount_band
        )
        if mark is not None:
            detection = Detection(RuleCode.ROUND_AMOUNT, (current,), movement.amount, None, {"mark": str(mark)})
            raised.append(
                alert_raise(
                    _spec(
                        detection,
                        customer_id=customer,
                        alert_type=AlertType.SUSPICIOUS_ACTIVITY,
                        priority=Priority.ELEVATED,
                        action=RecommendedAction.ENHANCED_MONITORING,
                        summary=f"${movement.amount:,.2f} sits just below the ${mark:,.2f} mark",
                        detected_at=at,
                        dedup_key=f"round:{movement.pk}",
                        movement=movement,
                    )
                )
            )
    month = [fact for fact in past if fact.occurred_at >= at - timedelta(days=LOOKBACK_DAYS)]
    pattern = monitoring_rules.round_amount_pattern(
        month, ratio=rules.round_amount_ratio, min_count=rules.round_amount_min_count
    )
    if pattern is not None and not _recently_alerted(
        customer, RuleCode.ROUND_AMOUNT_PATTERN, since=at - timedelta(days=LOOKBACK_DAYS), tier=None
    ):
        raised.append(
            alert_raise(
                _spec(
                    pattern,
                    customer_id=customer,
                    alert_type=AlertType.SUSPICIOUS_ACTIVITY,
                    priority=Priority.ELEVATED,
                    action=RecommendedAction.ENHANCED_MONITORING,
                    summary=f"{(pattern.details or {}).get('round_count')} of "
                    f"{(pattern.details or {}).get('transaction_count')} "
                    "transactions in 30 days are round amounts",
                    detected_at=at,
                    dedup_key=f"round_pattern:{customer}:{day.isoformat()}",
                    movement=movement,
                )
            )
        )
    if current.flow == MovementFlow.RECEIVED:
        return raised
    prior = [fact for fact in month if fact.movement_id != current.movement_id]
    volume = monitoring_rules.unusual_volume(
        current,
        prior,
        multiplier=rules.volume_multiplier,
        min_history=rules.volume_min_history,
        min_z_score=rules.volume_min_zscore,
    )
    if volume is not None:
        raised.append(
            alert_raise(
                _spec(
                    volume,
                    customer_id=customer,
                    alert_type=AlertType.UNUSUAL_VOLUME,
                    priority=Priority.ELEVATED,
                    action=RecommendedAction.ENHANCED_MONITORING,
                    summary=f"${movement.amount:,.2f} is {(volume.details or {}).get('ratio_to_mean')}x "
                    "the 30-day mean",
                    detected_at=at,
                    dedup_key=f"volume:{customer}:{day.isoformat()}",
                    movement=movement,
                )
            )
        )
    day_ago = [fact for fact in past if fact.occurred_at >= at - timedelta(hours=24)]
    prior_days = [fact for fact in prior if fact.occurred_at < at - timedelta(hours=24)]
    burst = monitoring_rules.velocity(
        current,
        day_ago,
        prior_days,
        multiplier=rules.volume_multiplier,
        min_count_24h=rules.velocity_min_count_24h,
        min_history=rules.volume_min_history,
    )
    if burst is not None:
        raised.append(
            alert_raise(
                _spec(
                    burst,
                    customer_id=customer,
                    alert_type=AlertType.VELOCITY_ANOMALY,
                    priority=Priority.ELEVATED,
                    action=RecommendedAction.ENHANCED_MONITORING,
                    summary=f"{(burst.details or {}).get('count_24h')} transactions in 24 hours",
                    detected_at=at,
                    dedup_key=f"velocity:{customer}:{day.isoformat()}",
                    movement=movement,
                )
            )
        )
    return raised


def _rapid_movement(
    movement: MoneyMovement, current: Movement, window: list[Movement], rules: ComplianceRules
) -> list[ComplianceAlert | None]:
    hours = rules.rapid_movement_hours
    if current.flow == MovementFlow.RECEIVED:
        receipts = [current]
    elif current.flow == MovementFlow.SENT:
        start = current.occurred_at - timedelta(hours=hours)
        receipts = [
            fact
            for fact in window
            if fact.flow == MovementFlow.RECEIVED and start <= fact.occurred_at <= current.occurred_at
        ]
    else:
        return []
    raised: list[ComplianceAlert | None] = []
    for receipt in receipts:
        detection = monitoring_rules.rapid_movement(
            window,
            receipt=receipt,
            hours=hours,
            ratio=rules.rapid_movement_ratio,
            min_amount=rules.rapid_movement_min_amount,
        )
        if detection is None:
            continue
        details = detection.details or {}
        raised.append(
            alert_raise(
                _spec(
                    detection,
                    customer_id=movement.customer_id,
                    alert_type=AlertType.RAPID_MOVEMENT,
                    priority=Priority.URGENT,
                    action=RecommendedAction.FILE_SAR,
                    summary=f"Received ${receipt.amount:,.2f} and sent ${details.get('sent_on')} on within "
                    f"{details.get('hours_to_last_send')} h",
                    detected_at=movement.occurred_at,
                    dedup_key=f"rapid:{receipt.movement_id}",
                    movement=movement,
                )
            )
        )
    return raised


def _geography(
    movement: MoneyMovement, rules: ComplianceRules, previous_country: str | None
) -> list[ComplianceAlert | None]:
    raised: list[ComplianceAlert | None] = []
    day, at, customer = movement.business_date, movement.occurred_at, movement.customer_id
    fact = Movement(
        movement.pk, movement.reference, customer, movement.counterparty_id, movement.flow, movement.amount, at, day
    )
    for country in sorted({movement.origin_country, movement.destination_country} - {""}):
        lists = jurisdiction_lists(country, day) & rules.geography_alert_lists
        if lists:
            detection = Detection(
                RuleCode.HIGH_RISK_GEOGRAPHY,
                (fact,),
                movement.amount,
                None,
                {"country": country, "fatf_lists": sorted(lists)},
            )
            raised.append(
                alert_raise(
                    _spec(
                        detection,
                        customer_id=customer,
                        alert_type=AlertType.HIGH_RISK_GEOGRAPHY,
                        priority=Priority.CRITICAL,
                        action=RecommendedAction.ESCALATE_TO_BSA_OFFICER,
                        summary=f"Transaction involving {country} ({', '.join(sorted(lists))})",
                        detected_at=at,
                        dedup_key=f"geo:{customer}:{country}:{day.isoformat()}",
                        movement=movement,
                    )
                )
            )
    origin = movement.origin_country
    if origin and origin not in rules.home_countries and previous_country and origin != previous_country:
        detection = Detection(
            RuleCode.THIRD_COUNTRY,
            (fact,),
            movement.amount,
            None,
            {"country": origin, "previous_country": previous_country},
        )
        raised.append(
            alert_raise(
                _spec(
                    detection,
                    customer_id=customer,
                    alert_type=AlertType.SUSPICIOUS_ACTIVITY,
                    priority=Priority.ELEVATED,
                    action=RecommendedAction.ENHANCED_MONITORING,
                    summary=f"Activity from {origin}, a third country (last seen in {previous_country})",
                    detected_at=at,
                    dedup_key=f"third_country:{customer}:{origin}:{day.isoformat()}",
                    movement=movement,
                )
            )
        )
    return raised


def _structuring(
    movement: MoneyMovement, current: Movement, past: list[Movement], rules: ComplianceRules
) -> list[ComplianceAlert | None]:
    own = _own(past)
    if current not in own:
        return []
    raised: list[ComplianceAlert | None] = []
    at, customer, day = movement.occurred_at, movement.customer_id, movement.business_date
    window_hours = rules.structuring_window_hours
    threshold = rules.ctr_threshold
    candidates: list[tuple[Detection | None, str, datetime]] = [
        (
            structuring.micro(
                structuring.on_day(own, day), min_sum=rules.structuring_micro_min_sum, threshold=threshold
            ),
            customer,
            at - timedelta(days=1),
        ),
    ]
    if rules.structuring_slow_min_amount <= movement.amount < threshold:
        lookback = at - timedelta(days=rules.structuring_lookback_days)
        slow_window = [fact for fact in own if fact.occurred_at >= lookback]
        slow_found = structuring.slow(
            slow_window,
            min_amount=rules.structuring_slow_min_amount,
            history_mean=None,
            threshold=threshold,
        )
        if slow_found is not None:  # only now pay for the baseline query
            slow_found = structuring.slow(
                slow_window,
                min_amount=rules.structuring_slow_min_amount,
                history_mean=history_mean(customer, before=lookback),
                threshold=threshold,
            )
        candidates.append((slow_found, customer, lookback))
    is_external = bool(movement.counterparty_id) and not movement.counterparty_id.startswith("circle:")
    if current.flow == MovementFlow.SENT and is_external:
        sent = [
            fact
            for fact in structuring.in_window(own, end=at, hours=window_hours)
            if fact.flow == MovementFlow.SENT
            and fact.counterparty_id
            and not fact.counterparty_id.startswith("circle:")
        ]
        candidates.append(
            (
                structuring.fan_out(sent, min_parties=rules.structuring_min_parties, threshold=threshold),
                customer,
                at - timedelta(hours=window_hours),
            )
        )
        inbound = counterparty_window(movement.counterparty_id, start=at - timedelta(hours=window_hours), end=at)
        candidates.append(
            (
                structuring.funnel(inbound, min_parties=rules.structuring_min_parties, threshold=threshold),
                movement.counterparty_id,
                at - timedelta(hours=window_hours),
            )
        )
    for detection, subject, since in candidates:
        if detection is None:
            continue
        tier = _tier(detection.confidence, rules)
        if tier is None:
            continue
        name, priority, action = tier
        if _recently_alerted(subject, detection.rule_code, since=since, tier=name):
            continue
        label = RuleCode(detection.rule_code).label
        spec = _spec(
            detection,
            customer_id=subject,
            alert_type=AlertType.STRUCTURING,
            priority=priority,
            action=action,
            summary=f"{label}: ${detection.amount_total:,.2f} over {len(detection.movements)} transactions "
            f"(confidence {detection.confidence:.2f})",
            detected_at=at,
            dedup_key=f"{detection.rule_code}:{subject}:{name}:{day.isoformat()}",
            movement=movement,
        )
        spec.details["tier"] = name
        raised.append(alert_raise(spec))
    return raised
