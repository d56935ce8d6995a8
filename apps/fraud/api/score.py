"""``POST /api/v1/fraud/score``: score one transaction now (the body is a ``transaction-initiated`` payload).

The call is stored as a ``transaction-initiated`` event (source ``trebanx-api``) and handled by the same
handlers as Kafka, so both paths build one history. Idempotent per ``transaction_id``: a repeat returns
the stored score (200), the same id with other content is refused (409).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import redis
from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.fraud.errors import TransactionConflictError
from apps.fraud.features.facts import TransactionFacts
from apps.fraud.features.history import facts_of
from apps.fraud.models import FraudScore
from apps.fraud.selectors import score_for_transaction
from apps.fraud.services.scoring import scored_in_this_context
from apps.pipeline.spine.contracts import ContractViolationError
from apps.pipeline.spine.ingest import ingest_envelope
from lakay.exceptions import ApplicationError, ServiceUnavailableError
from lakay.security.permissions import HasRole
from lakay.security.roles import Role

ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}\Z"
TRANSACTION_TYPES = (
    "circle_contribution",
    "circle_payout",
    "remittance",
    "p2p_transfer",
    "fee",
    "refund",
    "wallet_topup",
    "withdrawal",
)
PAYMENT_METHODS = ("cash_at_agent", "ach", "debit_card", "credit_card", "wallet", "money_order")
API_SOURCE_SERVICE = "trebanx-api"


def _id_field(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(ID_PATTERN, max_length=64, **kwargs)


class PaymentSideSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=PAYMENT_METHODS)
    identifier = serializers.RegexField(r"^[^\x00-\x1f\x7f]{1,64}\Z", max_length=64)


class GeoSerializer(serializers.Serializer[Any]):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    country = serializers.RegexField(r"^[A-Z]{2}\Z")
    city = serializers.RegexField(r"^[^\x00-\x1f\x7f]{1,100}\Z", required=False)


class MetadataSerializer(serializers.Serializer[Any]):
    circle_id = _id_field(required=False)
    cycle_number = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    remittance_id = _id_field(required=False)


class ScoreInputSerializer(serializers.Serializer[Any]):
    transaction_id = _id_field()
    user_id = _id_field()
    type = serializers.ChoiceField(choices=TRANSACTION_TYPES)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    currency = serializers.CharField(max_length=3)
    source = PaymentSideSerializer()  # type: ignore[assignment]  # a payload field, not Field.source
    destination = PaymentSideSerializer()
    recipient_id = _id_field(required=False)
    agent_id = _id_field(required=False)
    metadata = MetadataSerializer(required=False)
    initiated_at = serializers.DateTimeField()
    ip_address = serializers.IPAddressField(required=False)
    device_id = _id_field(required=False)
    geo_location = GeoSerializer(required=False)

    def validate_currency(self, value: str) -> str:
        if value == "USD":
            return value
        if value == "HTG":
            raise serializers.ValidationError("Only USD transactions are scored (thresholds are in USD).")
        raise serializers.ValidationError(f"Unknown currency {value!r}; expected USD.")

    def validate_initiated_at(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise serializers.ValidationError("initiated_at needs a time zone (UTC).")
        value = value.astimezone(UTC)
        limit = datetime.now(UTC) + timedelta(seconds=settings.EVENT_MAX_FUTURE_SKEW_SECONDS)
        if value > limit:
            raise serializers.ValidationError(
                f"initiated_at is in the future beyond the allowed clock skew "
                f"({settings.EVENT_MAX_FUTURE_SKEW_SECONDS} s)."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        cash = "cash_at_agent" in (attrs["source"]["type"], attrs["destination"]["type"])
        if cash and not attrs.get("agent_id"):
            raise serializers.ValidationError({"agent_id": ["Required when money changes hands as cash_at_agent."]})
        return attrs


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_payload(data: dict[str, Any]) -> dict[str, Any]:
    """The validated body in the contract's form (money as a 2-decimal string, UTC ``Z`` timestamps)."""
    payload: dict[str, Any] = {
        "transaction_id": data["transaction_id"],
        "user_id": data["user_id"],
        "type": data["type"],
        "amount": f"{data['amount']:.2f}",
        "currency": data["currency"],
        "source": dict(data["source"]),
        "destination": dict(data["destination"]),
        "initiated_at": _iso(data["initiated_at"]),
    }
    for name in ("recipient_id", "agent_id", "ip_address", "device_id"):
        if data.get(name):
            payload[name] = data[name]
    if data.get("metadata"):
        payload["metadata"] = dict(data["metadata"])
    if data.get("geo_location"):
        payload["geo_location"] = dict(data["geo_location"])
    return payload


def score_body(score: FraudScore) -> dict[str, Any]:
    alert = score.alert
    return {
        "transaction_id": score.transaction_id,
        "user_id": score.user_id,
        "score": round(score.score, 6),
        "risk_tier": score.risk_tier,
        "recommendation": score.recommendation,
        "confidence": round(score.confidence, 6),
        "rule_score": round(score.rule_score, 6),
        "ml_score": score.ml_score,
        "ml_contributions": score.ml_contributions or None,
        "model_version": score.model_version,
        "triggered_rules": score.triggered_rules,
        "alert": (
            {"alert_id": str(alert.alert_id), "status": alert.status, "opened_by_this_score": score.alert_opened}
            if alert is not None
            else None
        ),
        "occurred_at": _iso(score.occurred_at),
        "scored_at": _iso(score.scored_at),
    }


class FraudScoreView(APIView):
    permission_classes = [HasRole.of(Role.SERVICE)]

    @extend_schema(
        request=ScoreInputSerializer,
        responses={
            201: OpenApiResponse(description="Scored now."),
            200: OpenApiResponse(description="Already scored: the stored score."),
            400: OpenApiResponse(description="Field errors, or a contract violation."),
            409: OpenApiResponse(description="transaction_id already known with different content."),
        },
        summary="Score one transaction (stored as a transaction-initiated event; idempotent per transaction_id).",
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ApplicationError("Body must be a JSON object.", code="not_an_object")
        serializer = ScoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payload = event_payload(serializer.validated_data)
        occurred_at = serializer.validated_data["initiated_at"]
        facts = TransactionFacts.from_payload(payload, occurred_at=occurred_at)
        stored = score_for_transaction(facts.transaction_id)
        if stored is not None:
            return Response(self._replay(stored, facts), status=status.HTTP_200_OK)
        envelope = {
            "event_id": str(uuid.uuid4()),
            "event_type": "transaction-initiated",
            "event_version": "1.0",
            "timestamp": payload["initiated_at"],
            "source_service": API_SOURCE_SERVICE,
            "payload": payload,
        }
        try:
            ingest_envelope(envelope)
        except ContractViolationError as violation:
            raise ApplicationError(violation.message, code=str(violation.reason), details=violation.details) from None
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            # Nothing was stored (the event and its effects roll back together); the caller may retry.
            raise ServiceUnavailableError(
                "The online feature store is unavailable; retry shortly.", code="feature_store_unavailable"
            ) from error
        score = scored_in_this_context(facts.transaction_id) or score_for_transaction(facts.transaction_id)
        if score is None:  # pragma: no cover - the handler always stores a score for a USD transaction
            raise ApplicationError("The transaction was not scored.", code="not_scored")
        return Response(score_body(score), status=status.HTTP_201_CREATED)

    def _replay(self, stored: FraudScore, facts: TransactionFacts) -> dict[str, Any]:
        if facts_of(stored.transaction).fingerprint() != facts.fingerprint():
            raise TransactionConflictError(
                "This transaction id is already known with different content.",
                details={"transaction_id": facts.transaction_id},
            )
        return score_body(stored)
