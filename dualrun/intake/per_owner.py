"""`dualrun issues export --per-owner DIR`: one export workbook per owner.

Each owner with matching issues (by default: unresolved) gets ``DIR/<login>.xlsx`` in the
export format, so they edit their own rows and the lead imports the file back; issues
without an owner go to ``DIR/(unowned).xlsx``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from dualrun.errors import InputError
from dualrun.intake.export import write_export
from dualrun.tracker import IssueFilter, Tracker

UNOWNED_NAME = "(unowned)"


def file_name(login: str | None, fmt: str) -> str:
    """The file for an owner: the login with characters unsafe in file names replaced."""
    stem = UNOWNED_NAME if login is None else re.sub(r"[^\w.@-]", "_", login).strip(".") or "_"
    return f"{stem}.{fmt}"


def write_per_owner(
    tracker: Tracker,
    flt: IssueFilter,
    folder: Path,
    *,
    fmt: str = "xlsx",
    mask_pii: bool = False,
    now: datetime | None = None,
) -> list[tuple[Path, int]]:
    """Write one export per owner of the issues `flt` selects; returns (file, count)."""
    if flt.owner is not None or flt.unowned:
        raise InputError("--per-owner cannot be combined with --owner or --unowned")
    owners = sorted({i.get("owner") or "" for i in tracker.list(flt)})
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {folder}: {exc.strerror}") from exc
    written = []
    for owner in owners:
        login = owner or None
        one = replace(flt, owner=login) if login else replace(flt, unowned=True)
        path = folder / file_name(login, fmt)
        count = write_export(tracker, one, path, fmt=fmt, mask_pii=mask_pii, now=now)
        written.append((path, count))
    return written
