"""Geometry of the admin drift charts (server-rendered SVG: no chart library, no script needed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apps.serving.constants import SCORE_FEATURE
from apps.serving.models import DriftReport

WIDTH = 640
BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 200
LINE_HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    status: str
    y: int
    width: float


@dataclass(frozen=True)
class PsiBars:
    bars: list[Bar]
    height: int
    scale_max: float
    warning_x: float
    critical_x: float
    label_width: int = LABEL_WIDTH
    plot_width: int = WIDTH - LABEL_WIDTH - 60


def psi_bars(report: DriftReport) -> PsiBars:
    """One horizontal bar per feature (and the score), largest PSI first, with the two threshold lines."""
    entries = sorted(report.features.items(), key=lambda item: -(item[1].get("psi") or 0.0))
    scale_max = max([report.critical_threshold * 1.2, *((e.get("psi") or 0.0) for _, e in entries)])
    plot_width = WIDTH - LABEL_WIDTH - 60
    bars = [
        Bar(
            label="score" if name == SCORE_FEATURE else name,
            value=entry.get("psi"),
            status=entry.get("status", ""),
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(plot_width * (entry.get("psi") or 0.0) / scale_max, 1) if scale_max else 0.0,
        )
        for index, (name, entry) in enumerate(entries)
    ]
    return PsiBars(
        bars=bars,
        height=max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP),
        scale_max=round(scale_max, 4),
        warning_x=LABEL_WIDTH + round(plot_width * report.warning_threshold / scale_max, 1),
        critical_x=LABEL_WIDTH + round(plot_width * report.critical_threshold / scale_max, 1),
    )


def psi_history(reports: Sequence[DriftReport]) -> dict[str, Any]:
    """Polyline of the largest PSI per check over time, plus the score's PSI."""
    if not reports:
        return {"points_max": "", "points_score": "", "count": 0, "height": LINE_HEIGHT, "width": WIDTH}
    values = [r.max_psi or 0.0 for r in reports] + [r.score_psi or 0.0 for r in reports]
    top = max([*values, reports[-1].critical_threshold * 1.2])
    step = (WIDTH - 40) / max(len(reports) - 1, 1)

    def y(value: float | None) -> float:
        return round(LINE_HEIGHT - 10 - (LINE_HEIGHT - 20) * (value or 0.0) / top, 1)

    return {
        "points_max": " ".join(f"{round(20 + i * step, 1)},{y(r.max_psi)}" for i, r in enumerate(reports)),
        "points_score": " ".join(f"{round(20 + i * step, 1)},{y(r.score_psi)}" for i, r in enumerate(reports)),
        "warning_y": y(reports[-1].warning_threshold),
        "critical_y": y(reports[-1].critical_threshold),
        "count": len(reports),
        "first": reports[0].checked_at,
        "last": reports[-1].checked_at,
        "height": LINE_HEIGHT,
        "width": WIDTH,
        "top": round(top, 3),
    }


def score_histograms(served: Sequence[int]) -> list[dict[str, Any]]:
    """Served score distribution (20 bins over [0, 1]) as bar heights in percent of the tallest bin."""
    total = sum(served)
    tallest = max(served, default=0)
    return [
        {
            "label": f"{i / len(served):.2f}",
            "share": round(100 * count / total, 1) if total else 0.0,
            "height": round(100 * count / tallest, 1) if tallest else 0.0,
        }
        for i, count in enumerate(served)
    ]
