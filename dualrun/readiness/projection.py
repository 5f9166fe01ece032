"""The projected ready date: when the trends, if they hold, reach the gates.

Two straight lines fitted by least squares, with each run placed at its start time:
the match rate of every module in parallel run (its lowest entity, per ok run) rising to
the threshold, and the open issue backlog (per run window) falling to zero. The
projection is the latest of the dates they reach. It is "not converging" (no date) when
a line that has not yet reached its target is flat, goes the wrong way, would need more
than ``horizon_days`` from today, or has fewer than two points to draw it through.
A figure already at its target counts as reached today. Pure arithmetic: no numpy,
database, files or clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from dualrun.readiness.history import History, IssuePoint

Series = Sequence[tuple[datetime, float]]


def projected_ready_date(
    history: History, *, match_threshold: float | None = 0.995, horizon_days: int = 365
) -> tuple[date | None, bool]:
    """The date both trends reach their targets, and whether they converge at all.

    ``match_threshold`` None leaves the match rate out (no match_rate gate is set).
    Returns (None, False) when either trend does not converge.
    """
    reached: list[date] = []
    if match_threshold is not None:
        for module, entities in history.module_entities.items():
            if history.live_since(module) is not None or not entities:
                continue
            when = _reaches(
                match_rate_series(history, entities),
                match_threshold,
                rising=True,
                today=history.today,
                horizon_days=horizon_days,
            )
            if when is None:
                return None, False
            reached.append(when)
    when = _reaches(
        backlog_series(history),
        0.0,
        rising=False,
        today=history.today,
        horizon_days=horizon_days,
    )
    if when is None:
        return None, False
    reached.append(when)
    return max(reached), True


def match_rate_series(
    history: History, entities: Sequence[str]
) -> tuple[tuple[datetime, float], ...]:
    """The lowest match rate of ``entities`` at each ok run that measured one."""
    series = []
    for run in history.ok_runs:
        rates = [
            point.match_rate
            for point in run.entities
            if point.entity in entities and point.match_rate is not None
        ]
        if rates:
            series.append((run.started_at, min(rates)))
    return tuple(series)


def backlog_series(history: History) -> tuple[tuple[datetime, float], ...]:
    """Unresolved issues of the modules in parallel run at the end of each run window."""

    def in_parallel_run(issue: IssuePoint) -> bool:
        module = history.module_of(issue.entity) if issue.entity is not None else None
        module = module or issue.module
        return module is None or history.live_since(module) is None

    flows = history.issue_flow(in_parallel_run)
    return tuple(
        (run.started_at, float(flow.open_at_end))
        for run, flow in zip(history.runs, flows, strict=True)
    )


def fit_line(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares (intercept, slope) through (x, y) points; None if x never varies."""
    count = len(points)
    if count < 2:
        return None
    mean_x = sum(x for x, _ in points) / count
    mean_y = sum(y for _, y in points) / count
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def _reaches(
    series: Series, target: float, *, rising: bool, today: date, horizon_days: int
) -> date | None:
    """The date the fitted line reaches ``target`` (today if the latest point has)."""
    if not series:
        return None
    latest = series[-1][1]
    if (latest >= target) if rising else (latest <= target):
        return today
    origin = series[0][0]
    line = fit_line(
        [((moment - origin).total_seconds() / 86400, value) for moment, value in series]
    )
    if line is None:
        return None
    intercept, slope = line
    if (slope <= 0) if rising else (slope >= 0):
        return None  # flat, or getting worse
    days = (target - intercept) / slope
    if days - (today - origin.date()).days > horizon_days:
        return None
    return max((origin + timedelta(days=days)).date(), today)
