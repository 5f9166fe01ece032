"""Renderings of a run: the xlsx workbook and the self-contained HTML report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dualrun.service import RunResult

FORMATS = ("xlsx", "html")


def write_run_reports(
    result: RunResult,
    project_name: str,
    out_dir: Path,
    lang: str,
    formats: Sequence[str] = FORMATS,
) -> dict[str, str]:
    """Write run-N.xlsx and/or run-N.html into out_dir; return their paths by format."""
    from dualrun.reports.run_html import write_run_html
    from dualrun.reports.run_xlsx import write_run_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind in formats:
        path = report_path(out_dir, result.run_id, kind)
        if kind == "xlsx":
            write_run_xlsx(result, path, lang)
        else:
            write_run_html(result, project_name, path, lang)
        written[kind] = str(path)
    return written


def report_path(out_dir: Path, run_id: int, kind: str) -> Path:
    """Where run ``run_id``'s report of format ``kind`` (xlsx, html) goes."""
    return out_dir / f"run-{run_id}.{kind}"
