"""The self-contained HTML run report (no external assets, no JavaScript)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from dualrun.reconcile.model import KINDS
from dualrun.reports.labels import labels
from dualrun.reports.templating import environment

if TYPE_CHECKING:
    from dualrun.service import RunResult

ROWS_PER_KIND = 200


def render_run_html(result: RunResult, project_name: str, lang: str) -> str:
    text = labels(lang)
    entities = []
    for entity in result.entities:
        sections = []
        for kind in KINDS:
            frame = entity.discrepancies.filter(pl.col("kind") == kind)
            if frame.height:
                sections.append(
                    {
                        "kind": kind,
                        "total": frame.height,
                        "rows": [_row(r) for r in frame.head(ROWS_PER_KIND).iter_rows(named=True)],
                    }
                )
        entities.append({"result": entity, "stats": entity.stats_dict(), "sections": sections})
    template = environment().get_template("run_report.html")
    return template.render(
        t=text,
        lang=lang,
        project=project_name,
        run=result,
        entities=entities,
        kinds=KINDS,
        limit=ROWS_PER_KIND,
    )


def write_run_html(result: RunResult, project_name: str, path: Path, lang: str) -> None:
    path.write_text(render_run_html(result, project_name, lang), encoding="utf-8")


def _row(row: dict[str, Any]) -> dict[str, Any]:
    key = json.loads(row["key"]) if row["key"] else {}
    record = row["manual_record"] or row["crm_record"]
    return {
        **row,
        "key_text": " / ".join(str(v) for v in key.values() if v is not None),
        "record_items": list(json.loads(record).items()) if record else [],
        "member_list": json.loads(row["members"]) if row["members"] else [],
    }
