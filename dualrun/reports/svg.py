"""Inline SVG charts as data: point lists a template draws (no script, no external asset)."""

from __future__ import annotations

from collections.abc import Sequence

PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#be185d")


def polyline(
    values: Sequence[float | None],
    width: float,
    height: float,
    low: float | None = None,
    high: float | None = None,
    pad: float = 2.0,
) -> str:
    """The `points` attribute of a polyline through the values (gaps skipped)."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo = min(known) if low is None else low
    hi = max(known) if high is None else high
    span = (hi - lo) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = []
    for n, value in enumerate(values):
        if value is None:
            continue
        x = pad + n * step
        y = height - pad - (value - lo) / span * (height - 2 * pad)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def bars(
    values: Sequence[int], width: float, height: float, top: int
) -> list[tuple[float, float, float]]:
    """(x, y, bar height) per value, scaled to `top`."""
    if not values:
        return []
    slot = width / len(values)
    out = []
    for n, value in enumerate(values):
        h = 0.0 if top == 0 else value / top * (height - 2)
        out.append((n * slot + 1, height - h, h))
    return out
