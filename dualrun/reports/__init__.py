"""Renderings of a run: the xlsx workbook and the self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dualrun.service import RunResult


def write_run_reports(
    result: RunResult, project_name: str, out_dir: Path, lang: str
) -> dict[str, str]:
    """Write run-N.xlsx and run-N.html into out_dir; return their paths by format."""
    from dualrun.reports.run_html import write_run_html
    from dualrun.reports.run_xlsx import write_run_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx = out_dir / f"run-{result.run_id}.xlsx"
    html = out_dir / f"run-{result.run_id}.html"
    write_run_xlsx(result, xlsx, lang)
    write_run_html(result, project_name, html, lang)
    return {"xlsx": str(xlsx), "html": str(html)}
