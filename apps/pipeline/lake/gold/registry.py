"""The gold datasets: name, grain, builder, who may read them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from apps.pipeline.lake.gold.context import GoldContext
from apps.pipeline.lake.gold.daily import (
    compliance_reporting,
    daily_transaction_summary,
    haiti_corridor_analytics,
    platform_health,
)
from apps.pipeline.lake.gold.snapshots import circle_lifecycle_summary, user_risk_dashboard
from apps.pipeline.lake.gold.training import fraud_training
from lakay.security.roles import Role

DAILY = "daily"
SNAPSHOT = "snapshot"
PEOPLE = (Role.ANALYST, Role.COMPLIANCE_OFFICER, Role.OPERATOR, Role.ML_ENGINEER, Role.ADMIN)
COMPLIANCE = (Role.COMPLIANCE_OFFICER, Role.ADMIN)


@dataclass(frozen=True)
class GoldDataset:
    name: str
    grain: str  # daily: one partition per event date; snapshot: the state as of the partition date
    description: str
    build: Callable[[GoldContext], pa.Table]
    roles: tuple[Role, ...] = PEOPLE


DATASETS: dict[str, GoldDataset] = {
    dataset.name: dataset
    for dataset in (
        GoldDataset(
            "daily-transaction-summary",
            DAILY,
            "Per user and day: transactions started/completed/failed/flagged, amounts, cash, fraud scores and alerts.",
            daily_transaction_summary,
        ),
        GoldDataset(
            "circle-lifecycle-summary",
            SNAPSHOT,
            "Per circle as of a day: members, contributions collected vs due, payouts, status, health and tier.",
            circle_lifecycle_summary,
        ),
        GoldDataset(
            "user-risk-dashboard",
            SNAPSHOT,
            "Per user as of a day: fraud, ATO and compliance signals, volumes over 7/30/90 days, overall risk level.",
            user_risk_dashboard,
        ),
        GoldDataset(
            "compliance-reporting",
            DAILY,
            "Per day: cash transactions, CTR and SAR filings, compliance alerts by type and priority, EDD.",
            compliance_reporting,
            roles=COMPLIANCE,
        ),
        GoldDataset(
            "platform-health",
            DAILY,
            "Per day: active users, sessions, logins, volumes, circles, alerts, average fraud score and circle health.",
            platform_health,
        ),
        GoldDataset(
            "haiti-corridor-analytics",
            DAILY,
            "Per day, corridor and delivery method: remittances, volumes, rates, fees, delivery success and time.",
            haiti_corridor_analytics,
        ),
        GoldDataset(
            "fraud_training",
            DAILY,
            "Labelled scored transactions with their point-in-time features (for model training).",
            fraud_training,
            roles=(Role.ML_ENGINEER, Role.ADMIN),
        ),
    )
}
