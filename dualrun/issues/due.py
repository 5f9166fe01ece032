"""Default due dates: an issue is due a configured number of days after it was created.

Pure: the caller passes the creation date; this module never reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta


def default_due(severity: str | None, created: date, due_days: Mapping[str, int]) -> date | None:
    """``created`` plus ``due_days[severity]`` calendar days; None without a severity or
    when the config gives that severity no due period."""
    if severity is None or severity not in due_days:
        return None
    return created + timedelta(days=due_days[severity])
