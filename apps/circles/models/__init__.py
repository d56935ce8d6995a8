"""Tables of the circles app: projections of circle events, and health history."""

from apps.circles.models.health import CircleAnomaly, CircleHealth, CircleTierChange
from apps.circles.models.projections import (
    Circle,
    CircleContribution,
    CircleMember,
    CircleMissedContribution,
    CirclePayout,
    CircleTransaction,
)

__all__ = [
    "Circle",
    "CircleAnomaly",
    "CircleContribution",
    "CircleHealth",
    "CircleMember",
    "CircleMissedContribution",
    "CirclePayout",
    "CircleTierChange",
    "CircleTransaction",
]
