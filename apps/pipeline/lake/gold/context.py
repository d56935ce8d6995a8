"""What a gold builder gets: the range to build, a silver reader and the domain sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from apps.pipeline.lake.gold.reader import SilverReader


@dataclass
class GoldContext:
    date_from: date
    date_to: date
    reader: SilverReader
    notes: list[str] = field(default_factory=list)

    def read(self, event_type: str, columns: list[str], *, days_before: int = 0, all_history: bool = False) -> pa.Table:
        start = None if all_history else self.date_from - timedelta(days=days_before)
        return self.reader.read(event_type, start, self.date_to, ["event_date", "event_timestamp", *columns])

    def in_range(self, table: pa.Table, column: str = "event_date") -> pa.Table:
        values = table.column(column)
        mask = pc.and_(
            pc.greater_equal(values, pa.scalar(self.date_from, pa.date32())),
            pc.less_equal(values, pa.scalar(self.date_to, pa.date32())),
        )
        return table.filter(mask)
