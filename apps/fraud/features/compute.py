"""The one feature function: (transaction, history before it) → numeric features.

Pure and deterministic: no I/O, no clock, no live parameters (a feature's definition never changes
under a model that was trained on it). Missing values are ``None`` (a model sees them as missing).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from apps.fraud.constants import DAY_US, EARTH_RADIUS_KM, HOUR_US, MICROSECONDS, MINUTE_US
from apps.fraud.features.facts import History, PastTransaction, TransactionFacts

FEATURE_NAMES: tuple[str, ...] = (
    "amount",
    "txn_count_1h",
    "txn_amount_1h",
    "txn_count_24h",
    "txn_amount_24h",
    "txn_count_7d",
    "txn_amount_7d",
    "txn_count_30d",
    "txn_amount_30d",
    "unique_devices_7d",
    "unique_countries_7d",
    "is_new_device",
    "is_new_country",
    "has_history",
    "days_since_first_txn",
    "time_since_last_txn_seconds",
    "distance_from_last_km",
    "travel_speed_kmh",
    "avg_amount_30d",
    "std_amount_30d",
    "amount_zscore_30d",
    "login_count_10m",
    "circle_joins_24h",
    "same_recipient_count_10m",
    "same_recipient_amount_24h",
    "round_amount_ratio_30d",
    "gap_std_7d_seconds",
    "near_threshold_count_7d",
    "local_hour",
)

WINDOWS_US: dict[str, int] = {"1h": HOUR_US, "24h": DAY_US, "7d": 7 * DAY_US, "30d": 30 * DAY_US}
SAME_RECIPIENT_WINDOW_US = 10 * MINUTE_US
SAME_RECIPIENT_TOLERANCE = 0.05  # "the same amount": within 5 %
ROUND_CENTS = 100_00  # a round amount is a whole multiple of $100
# Amount bands just under the $3,000 and $10,000 reporting lines (cents, lower bound inclusive).
NEAR_THRESHOLD_BANDS_CENTS: tuple[tuple[int, int], ...] = ((2_800_00, 3_000_00), (9_500_00, 10_000_00))
MIN_TRAVEL_HOURS = 1 / 60  # two transactions a second apart are treated as a minute apart
DEFAULT_UTC_OFFSET_HOURS = -5  # US Eastern (most Trebanx customers) when the location is unknown

FeatureValues = dict[str, float | None]


@dataclass(frozen=True)
class FeatureSet:
    """Numeric ``values`` (in FEATURE_NAMES order), non-numeric ``context`` and the history behind them."""

    values: FeatureValues
    history: History
    context: dict[str, Any] = field(default_factory=dict)


def mean_and_std(values: list[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (None when undefined): exact sums, cheaper than ``statistics``."""
    if not values:
        return None, None
    mean = math.fsum(values) / len(values)
    if len(values) < 2:
        return mean, None
    return mean, math.sqrt(math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def in_window(history: History, now_us: int, window_us: int) -> list[PastTransaction]:
    start = now_us - window_us
    return [past for past in history.prior if past.ts_us >= start]


def is_near_threshold(cents: int) -> bool:
    return any(low <= cents < high for low, high in NEAR_THRESHOLD_BANDS_CENTS)


def local_hour(facts: TransactionFacts) -> float:
    """Hour of day where the customer is: solar time from the longitude, else US Eastern."""
    offset = facts.longitude / 15.0 if facts.longitude is not None else DEFAULT_UTC_OFFSET_HOURS
    moment = facts.occurred_at
    utc_hour = moment.hour + moment.minute / 60 + moment.second / 3600
    return round((utc_hour + offset) % 24, 4)


def _cents(value: int) -> float:
    return value / 100


def compute_features(facts: TransactionFacts, history: History) -> FeatureSet:
    """Features of ``facts`` given everything the user did before it (``history``)."""
    now = facts.ts_us
    amount_cents = facts.amount_cents
    values: FeatureValues = {"amount": _cents(amount_cents)}
    windows = {name: in_window(history, now, span) for name, span in WINDOWS_US.items()}
    for name, items in windows.items():
        values[f"txn_count_{name}"] = float(len(items))
        values[f"txn_amount_{name}"] = _cents(sum(item.amount_cents for item in items))

    week = windows["7d"]
    values["unique_devices_7d"] = float(len({item.device_id for item in week if item.device_id}))
    values["unique_countries_7d"] = float(len({item.country for item in week if item.country}))
    has_history = history.first_transaction_us is not None
    values["has_history"] = 1.0 if has_history else 0.0
    values["is_new_device"] = 1.0 if has_history and facts.device_id and not history.device_seen_before else 0.0
    is_new_country = has_history and facts.country and facts.country not in history.countries_seen_before
    values["is_new_country"] = 1.0 if is_new_country else 0.0
    values["days_since_first_txn"] = (
        round((now - history.first_transaction_us) / DAY_US, 6) if history.first_transaction_us is not None else None
    )

    context: dict[str, Any] = {
        "history_source": history.source,
        "countries_seen_before": sorted(history.countries_seen_before),
    }
    last = history.prior[-1] if history.prior else None
    values["time_since_last_txn_seconds"] = (now - last.ts_us) / MICROSECONDS if last else None
    _travel(facts, history, values, context)

    month = windows["30d"]
    amounts = [item.amount_cents / 100 for item in month]
    mean, std = mean_and_std(amounts)
    values["avg_amount_30d"] = round(mean, 6) if mean is not None else None
    values["std_amount_30d"] = round(std, 6) if std is not None else None
    values["amount_zscore_30d"] = (
        round((amount_cents / 100 - mean) / std, 6) if mean is not None and std is not None and std > 0 else None
    )

    values["login_count_10m"] = float(history.logins_10m)
    values["circle_joins_24h"] = float(history.circle_joins_24h)
    _same_recipient(facts, windows["24h"], values)

    considered = [*(item.amount_cents for item in month), amount_cents]
    values["round_amount_ratio_30d"] = round(
        sum(1 for cents in considered if cents % ROUND_CENTS == 0) / len(considered), 6
    )
    stamps = [*(item.ts_us for item in week), now]
    gaps = [(later - earlier) / MICROSECONDS for earlier, later in itertools.pairwise(stamps)]
    gap_std = mean_and_std(gaps)[1]
    values["gap_std_7d_seconds"] = round(gap_std, 6) if gap_std is not None else None
    values["near_threshold_count_7d"] = float(sum(1 for item in week if is_near_threshold(item.amount_cents)))
    values["local_hour"] = local_hour(facts)
    return FeatureSet(values={name: values[name] for name in FEATURE_NAMES}, history=history, context=context)


def _travel(facts: TransactionFacts, history: History, values: FeatureValues, context: dict[str, Any]) -> None:
    located = next((item for item in reversed(history.prior) if item.has_location), None)
    values["distance_from_last_km"] = None
    values["travel_speed_kmh"] = None
    if located is None or located.latitude is None or located.longitude is None:
        return
    if facts.latitude is None or facts.longitude is None:
        return
    distance = haversine_km(located.latitude, located.longitude, facts.latitude, facts.longitude)
    hours = max((facts.ts_us - located.ts_us) / HOUR_US, MIN_TRAVEL_HOURS)
    values["distance_from_last_km"] = round(distance, 3)
    values["travel_speed_kmh"] = round(distance / hours, 3)
    context["previous_country"] = located.country
    context["previous_transaction_id"] = located.transaction_id
    context["hours_since_previous_location"] = round((facts.ts_us - located.ts_us) / HOUR_US, 4)


def _same_recipient(facts: TransactionFacts, day: list[PastTransaction], values: FeatureValues) -> None:
    if not facts.recipient_id:
        values["same_recipient_count_10m"] = 0.0
        values["same_recipient_amount_24h"] = 0.0
        return
    same = [item for item in day if item.recipient_id == facts.recipient_id]
    start = facts.ts_us - SAME_RECIPIENT_WINDOW_US
    amount = facts.amount_cents
    similar = [
        item
        for item in same
        if item.ts_us >= start and abs(item.amount_cents - amount) <= SAME_RECIPIENT_TOLERANCE * amount
    ]
    values["same_recipient_count_10m"] = float(len(similar))
    values["same_recipient_amount_24h"] = _cents(sum(item.amount_cents for item in same))
