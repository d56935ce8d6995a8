"""The values features are computed from: the transaction being scored and the user's history before it.

Both sources of history (Redis online, PostgreSQL point-in-time) fill the same ``History``, and one pure
function (``compute.compute_features``) turns it into features, so serving and training cannot disagree.

"Before" is a total order on ``(event time in µs, transaction_id)``: a transaction at the same instant
with a smaller id counts as earlier. Every loader applies exactly that predicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from apps.fraud.constants import SCORED_CURRENCY

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)

# Credits and fees: the customer does not choose these amounts or initiate them, so they are scored but
# kept out of the history that velocity, baseline and pattern features are computed from.
NON_HISTORY_TYPES = frozenset({"circle_payout", "refund", "fee"})
MEMBER_SEPARATOR = "|"


def to_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch (exact; PostgreSQL keeps microseconds too)."""
    return (moment - EPOCH) // ONE_MICROSECOND


def from_us(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def counts_in_history(transaction_type: str) -> bool:
    return transaction_type not in NON_HISTORY_TYPES


@dataclass(frozen=True, slots=True)
class TransactionFacts:
    """The transaction being scored, normalised from the event (or a stored projection row)."""

    transaction_id: str
    user_id: str
    occurred_at: datetime
    amount: Decimal
    currency: str
    transaction_type: str
    source_type: str = ""
    destination_type: str = ""
    device_id: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    recipient_id: str | None = None
    ip_address: str | None = None

    @property
    def ts_us(self) -> int:
        return to_us(self.occurred_at)

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)

    @property
    def order_key(self) -> tuple[int, str]:
        return (self.ts_us, self.transaction_id)

    @property
    def is_scored_currency(self) -> bool:
        return self.currency == SCORED_CURRENCY

    def fingerprint(self) -> tuple[Any, ...]:
        """What must match for two submissions to be the same transaction (device and geo may be omitted)."""
        return (
            self.user_id,
            self.amount,
            self.currency,
            self.transaction_type,
            self.recipient_id or "",
            self.source_type,
            self.destination_type,
        )

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], *, occurred_at: datetime) -> TransactionFacts:
        geo = payload.get("geo_location") or {}
        latitude = geo.get("latitude")
        longitude = geo.get("longitude")
        return cls(
            transaction_id=str(payload["transaction_id"]),
            user_id=str(payload["user_id"]),
            occurred_at=occurred_at,
            amount=Decimal(str(payload["amount"])),
            currency=str(payload["currency"]),
            transaction_type=str(payload["type"]),
            source_type=str((payload.get("source") or {}).get("type", "")),
            destination_type=str((payload.get("destination") or {}).get("type", "")),
            device_id=payload.get("device_id"),
            country=geo.get("country"),
            latitude=float(latitude) if latitude is not None else None,
            longitude=float(longitude) if longitude is not None else None,
            recipient_id=payload.get("recipient_id"),
            ip_address=payload.get("ip_address"),
        )


@dataclass(frozen=True, slots=True)
class PastTransaction:
    """One earlier transaction of the user, as kept in the online store (and read back from PostgreSQL)."""

    ts_us: int
    transaction_id: str
    amount_cents: int
    device_id: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    recipient_id: str | None = None

    @property
    def order_key(self) -> tuple[int, str]:
        return (self.ts_us, self.transaction_id)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def member(self) -> str:
        """The Redis sorted-set member: deterministic, so re-adding the same transaction is a no-op."""
        return MEMBER_SEPARATOR.join(
            [
                self.transaction_id,
                str(self.amount_cents),
                self.device_id or "",
                self.country or "",
                repr(self.latitude) if self.latitude is not None else "",
                repr(self.longitude) if self.longitude is not None else "",
                self.recipient_id or "",
            ]
        )

    @classmethod
    def from_member(cls, member: str, ts_us: int) -> PastTransaction:
        transaction_id, cents, device, country, latitude, longitude, recipient = member.split(MEMBER_SEPARATOR)
        return cls(
            ts_us=ts_us,
            transaction_id=transaction_id,
            amount_cents=int(cents),
            device_id=device or None,
            country=country or None,
            latitude=float(latitude) if latitude else None,
            longitude=float(longitude) if longitude else None,
            recipient_id=recipient or None,
        )

    @classmethod
    def from_facts(cls, facts: TransactionFacts) -> PastTransaction:
        return cls(
            ts_us=facts.ts_us,
            transaction_id=facts.transaction_id,
            amount_cents=facts.amount_cents,
            device_id=facts.device_id,
            country=facts.country,
            latitude=facts.latitude,
            longitude=facts.longitude,
            recipient_id=facts.recipient_id,
        )


@dataclass(frozen=True, slots=True)
class History:
    """What was known about the user strictly before the transaction (by the order above)."""

    prior: tuple[PastTransaction, ...]  # the last 30 days, oldest first
    device_seen_before: bool
    countries_seen_before: frozenset[str]
    first_transaction_us: int | None  # the user's first transaction ever (None: this is the first)
    logins_10m: int
    circle_joins_24h: int
    source: str = "online"  # online (Redis) | history (PostgreSQL)
