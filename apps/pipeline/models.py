"""Models of the pipeline app: the spine's tables (and, in ``lake``, the lake's metadata)."""

from apps.pipeline.lake.models import (
    BronzeCheckpoint,
    Dashboard,
    LakeFile,
    LakeJob,
    LakePartition,
    PiiRevealAudit,
    PiiTokenMapping,
    SilverQualityLog,
)
from apps.pipeline.simulator.models import SimulationLabel, SimulationRun
from apps.pipeline.spine.models import DeadLetter, OutboxMessage, RawEvent

__all__ = [
    "BronzeCheckpoint",
    "Dashboard",
    "DeadLetter",
    "LakeFile",
    "LakeJob",
    "LakePartition",
    "OutboxMessage",
    "PiiRevealAudit",
    "PiiTokenMapping",
    "RawEvent",
    "SilverQualityLog",
    "SimulationLabel",
    "SimulationRun",
]
