"""Read silver for gold: one event type over a date range, only the columns asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa

from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.models import LakePartition
from apps.pipeline.lake.paths import silver_file
from apps.pipeline.lake.silver.spec import ENVELOPE_FIELDS, latest_spec
from apps.pipeline.lake.storage import LakeStore


class SilverReader:
    """Reads silver partitions (cached per event type and range within one gold run)."""

    def __init__(self, store: LakeStore):
        self.store = store
        self._cache: dict[tuple[str, date | None, date, tuple[str, ...]], pa.Table] = {}

    def schema(self, event_type: str) -> pa.Schema:
        spec = latest_spec(event_type)
        payload = [pa.field(column.name, column.arrow_type) for column in spec.columns] if spec else []
        return pa.schema([*ENVELOPE_FIELDS, *payload])

    def read(self, event_type: str, date_from: date | None, date_to: date, columns: Sequence[str]) -> pa.Table:
        """Rows of ``event_type`` with ``event_date`` in [date_from, date_to] (all history if no start)."""
        key = (event_type, date_from, date_to, tuple(columns))
        if key in self._cache:
            return self._cache[key]
        schema = self.schema(event_type)
        wanted = [name for name in columns if name in schema.names]
        partitions = LakePartition.objects.filter(
            layer=LakeLayer.SILVER, dataset=event_type, partition_date__lte=date_to, row_count__gt=0
        )
        if date_from is not None:
            partitions = partitions.filter(partition_date__gte=date_from)
        tables = []
        for day in sorted(partitions.values_list("partition_date", flat=True)):
            table = self.store.read_table(silver_file(event_type, day), columns=wanted)
            tables.append(table.cast(pa.schema([schema.field(name) for name in wanted])))
        result = (
            pa.concat_tables(tables) if tables else pa.schema([schema.field(name) for name in wanted]).empty_table()
        )
        # Columns a contract does not have (another version) come back as nulls of a neutral type.
        for name in columns:
            if name not in result.schema.names:
                result = result.append_column(name, pa.nulls(result.num_rows, pa.string()))
        self._cache[key] = result
        return result
