"""``fraud_training``: labelled transactions with the features they had when they were scored
(point in time, from the fraud app), one partition per scoring date, for the serving app's training."""

from __future__ import annotations

import pyarrow as pa

from apps.pipeline.lake.gold import sources
from apps.pipeline.lake.gold.context import GoldContext


def fraud_training(ctx: GoldContext) -> pa.Table:
    rows = sources.fraud_training_rows(ctx.date_from, ctx.date_to)
    return rows.sort_by([("date", "ascending"), ("transaction_id", "ascending")])
