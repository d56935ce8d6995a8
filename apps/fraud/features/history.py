"""History from PostgreSQL: point in time for one transaction, whole timelines for training, rebuild data.

Reads the projection tables (``FraudTransaction``, ``FraudLogin``, ``FraudCircleJoin``) with the same
"before" order as the online store: ``(occurred_at, transaction_id) < (T, current id)``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Min, Q, QuerySet

from apps.fraud.constants import CIRCLE_JOIN_WINDOW_US, FEATURE_WINDOW_US, LOGIN_WINDOW_US
from apps.fraud.features.facts import (
    NON_HISTORY_TYPES,
    History,
    PastTransaction,
    TransactionFacts,
    from_us,
    to_us,
)
from apps.fraud.models import FraudCircleJoin, FraudLogin, FraudTransaction

HISTORY_FIELDS = (
    "transaction_id",
    "occurred_at",
    "amount",
    "device_id",
    "country",
    "latitude",
    "longitude",
    "recipient_id",
)


def history_transactions(user_id: str) -> QuerySet[FraudTransaction]:
    return FraudTransaction.objects.filter(user_id=user_id).exclude(transaction_type__in=NON_HISTORY_TYPES)


def past_from_row(row: dict[str, object]) -> PastTransaction:
    amount = row["amount"]
    return PastTransaction(
        ts_us=to_us(row["occurred_at"]),  # type: ignore[arg-type]
        transaction_id=str(row["transaction_id"]),
        amount_cents=int(amount * 100),  # type: ignore[operator]
        device_id=row["device_id"] or None,  # type: ignore[arg-type]
        country=row["country"] or None,  # type: ignore[arg-type]
        latitude=row["latitude"],  # type: ignore[arg-type]
        longitude=row["longitude"],  # type: ignore[arg-type]
        recipient_id=row["recipient_id"] or None,  # type: ignore[arg-type]
    )


def _before(facts: TransactionFacts) -> Q:
    return Q(occurred_at__lt=facts.occurred_at) | Q(
        occurred_at=facts.occurred_at, transaction_id__lt=facts.transaction_id
    )


def history_at(facts: TransactionFacts) -> History:
    """The user's history strictly before ``facts``, from PostgreSQL (training and the online fallback)."""
    transactions = history_transactions(facts.user_id)
    before = transactions.filter(_before(facts))
    window_start = from_us(facts.ts_us - FEATURE_WINDOW_US)
    prior = sorted(
        (past_from_row(row) for row in before.filter(occurred_at__gte=window_start).values(*HISTORY_FIELDS)),
        key=lambda past: past.order_key,
    )
    first = before.aggregate(first=Min("occurred_at"))["first"]
    device_seen = bool(facts.device_id) and before.filter(device_id=facts.device_id).exists()
    countries = frozenset(
        country for country in before.exclude(country=None).values_list("country", flat=True).distinct() if country
    )
    logins = FraudLogin.objects.filter(
        user_id=facts.user_id,
        occurred_at__gte=from_us(facts.ts_us - LOGIN_WINDOW_US),
        occurred_at__lte=facts.occurred_at,
    ).count()
    joins = FraudCircleJoin.objects.filter(
        user_id=facts.user_id,
        occurred_at__gte=from_us(facts.ts_us - CIRCLE_JOIN_WINDOW_US),
        occurred_at__lte=facts.occurred_at,
    ).count()
    return History(
        prior=tuple(prior),
        device_seen_before=device_seen,
        countries_seen_before=countries,
        first_transaction_us=to_us(first) if first is not None else None,
        logins_10m=logins,
        circle_joins_24h=joins,
        source="history",
    )


@dataclass
class Timeline:
    """Everything one user did, in order: answers "history before (T, id)" for many transactions at once."""

    transactions: list[PastTransaction] = field(default_factory=list)
    logins_us: list[int] = field(default_factory=list)
    joins_us: list[int] = field(default_factory=list)
    first_device: dict[str, tuple[int, str]] = field(default_factory=dict)
    first_country: dict[str, tuple[int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.transactions.sort(key=lambda past: past.order_key)
        self._keys = [past.order_key for past in self.transactions]
        self.logins_us.sort()
        self.joins_us.sort()
        for past in self.transactions:
            if past.device_id:
                self.first_device.setdefault(past.device_id, past.order_key)
            if past.country:
                self.first_country.setdefault(past.country, past.order_key)

    def history_at(self, facts: TransactionFacts) -> History:
        key = facts.order_key
        end = bisect.bisect_left(self._keys, key)
        start = bisect.bisect_left(self._keys, (facts.ts_us - FEATURE_WINDOW_US, ""))
        seen_device = facts.device_id in self.first_device and self.first_device[facts.device_id] < key
        countries = frozenset(country for country, first in self.first_country.items() if first < key)
        return History(
            prior=tuple(self.transactions[start:end]),
            device_seen_before=bool(facts.device_id) and seen_device,
            countries_seen_before=countries,
            first_transaction_us=self.transactions[0].ts_us if end > 0 else None,
            logins_10m=_count_between(self.logins_us, facts.ts_us - LOGIN_WINDOW_US, facts.ts_us),
            circle_joins_24h=_count_between(self.joins_us, facts.ts_us - CIRCLE_JOIN_WINDOW_US, facts.ts_us),
            source="history",
        )


def _count_between(stamps: list[int], low: int, high: int) -> int:
    return bisect.bisect_right(stamps, high) - bisect.bisect_left(stamps, low)


def load_timelines(user_ids: Iterable[str]) -> dict[str, Timeline]:
    """Whole timelines of ``user_ids`` in three queries (training builds features for many rows at once)."""
    users = sorted(set(user_ids))
    transactions: dict[str, list[PastTransaction]] = {user: [] for user in users}
    rows = (
        FraudTransaction.objects.filter(user_id__in=users)
        .exclude(transaction_type__in=NON_HISTORY_TYPES)
        .values("user_id", *HISTORY_FIELDS)
    )
    for row in rows.iterator(chunk_size=5000):
        transactions[str(row["user_id"])].append(past_from_row(row))
    logins: dict[str, list[int]] = {user: [] for user in users}
    for user, moment in FraudLogin.objects.filter(user_id__in=users).values_list("user_id", "occurred_at"):
        logins[user].append(to_us(moment))
    joins: dict[str, list[int]] = {user: [] for user in users}
    for user, moment in FraudCircleJoin.objects.filter(user_id__in=users).values_list("user_id", "occurred_at"):
        joins[user].append(to_us(moment))
    return {user: Timeline(transactions[user], logins[user], joins[user]) for user in users}


def facts_of(row: FraudTransaction) -> TransactionFacts:
    return TransactionFacts(
        transaction_id=row.transaction_id,
        user_id=row.user_id,
        occurred_at=row.occurred_at,
        amount=row.amount,
        currency=row.currency,
        transaction_type=row.transaction_type,
        source_type=row.source_type,
        destination_type=row.destination_type,
        device_id=row.device_id,
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
        recipient_id=row.recipient_id,
        ip_address=row.ip_address,
    )


@dataclass(frozen=True)
class RebuildData:
    """What the online store needs to rebuild one user's keys."""

    floor_us: int
    transactions: list[PastTransaction]
    logins: list[tuple[str, int]]
    joins: list[tuple[str, int]]
    first_seen: dict[str, tuple[int, str]]  # "first", "d:<device>", "c:<country>" → earliest (ts, id)


def rebuild_data(user_id: str, *, at_us: int, retention_us: int) -> RebuildData:
    """The user's recent events and first-seen markers, from the newest known event (or ``at_us``) back."""
    transactions = history_transactions(user_id)
    latest = transactions.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    newest = max(at_us, to_us(latest)) if latest is not None else at_us
    floor_us = newest - retention_us
    start = from_us(floor_us)
    recent = [past_from_row(row) for row in transactions.filter(occurred_at__gte=start).values(*HISTORY_FIELDS)]
    first_seen: dict[str, tuple[int, str]] = {}
    earliest = transactions.order_by("occurred_at", "transaction_id").values_list("occurred_at", "transaction_id")
    first = earliest.first()
    if first is not None:
        first_seen["first"] = (to_us(first[0]), first[1])
    for prefix, column in (("d", "device_id"), ("c", "country")):
        firsts = (
            transactions.exclude(**{column: None})
            .order_by(column, "occurred_at", "transaction_id")
            .distinct(column)
            .values_list(column, "occurred_at", "transaction_id")
        )
        for value, moment, transaction_id in firsts:
            if value:
                first_seen[f"{prefix}:{value}"] = (to_us(moment), transaction_id)
    logins = [
        (session, to_us(moment))
        for session, moment in FraudLogin.objects.filter(user_id=user_id, occurred_at__gte=start).values_list(
            "session_id", "occurred_at"
        )
    ]
    joins = [
        (circle, to_us(moment))
        for circle, moment in FraudCircleJoin.objects.filter(user_id=user_id, occurred_at__gte=start).values_list(
            "circle_id", "occurred_at"
        )
    ]
    return RebuildData(floor_us, recent, logins, joins, first_seen)


def iter_stored_facts(queryset: QuerySet[FraudTransaction]) -> Iterator[TransactionFacts]:
    for row in queryset.iterator(chunk_size=2000):
        yield facts_of(row)
