"""Terminal renderings of results (rich tables on a terminal, plain text otherwise)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from dualrun.reconcile.model import KINDS
from dualrun.reports.labels import labels

if TYPE_CHECKING:
    from dualrun.checking import CheckReport
    from dualrun.nightly.job import NightlyResult
    from dualrun.service import RunResult
    from dualrun.store.runs import RunRecord


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False)


@contextmanager
def progress_printer(enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on a terminal; silent when not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _message: None
        return
    console = _console(stderr=True)
    with console.status("starting") as status:
        yield lambda message: status.update(message)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def print_run_summary(result: RunResult, lang: str) -> None:
    """One line per entity: sizes, match rate, and only the kinds that occurred."""
    text = labels(lang)
    console = _console()
    table = Table(title=f"{text['run']} #{result.run_id}", title_justify="left")
    table.add_column(text["entity"])
    for column in ("rows_manual", "rows_crm", "pairs", "match_rate"):
        table.add_column(text[column], justify="right")
    table.add_column(text["counts"])
    for entity in result.entities:
        stats = entity.stats
        found = ", ".join(
            f"{text[kind]} {stats.counts[kind]:,}" for kind in KINDS if stats.counts.get(kind)
        )
        table.add_row(
            entity.entity,
            f"{stats.rows_manual:,}",
            f"{stats.rows_crm:,}",
            f"{stats.pairs:,}",
            _pct(stats.match_rate),
            found or text["none"],
        )
    console.print(table)
    for warning in result.warnings[:20]:
        where = ", ".join(
            str(p) for p in (warning.file, warning.sheet, warning.row and f"row {warning.row}") if p
        )
        console.print(f"warning: {where}: {warning.message}")
    if len(result.warnings) > 20:
        console.print(f"… and {len(result.warnings) - 20} more warnings (see the HTML report)")
    for fmt, path in result.reports.items():
        console.print(f"{fmt}: {path}")


def print_runs(records: list[RunRecord]) -> None:
    table = Table()
    for column in ("run", "started", "status", "entities", "discrepancies", "reason"):
        table.add_column(column)
    for record in records:
        table.add_row(
            str(record.id),
            record.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            record.status,
            ", ".join(record.entities_covered or record.entities_requested),
            f"{record.discrepancy_count:,}",
            (record.reason or "").splitlines()[0] if record.reason else "",
        )
    _console().print(table)


def print_check(report: CheckReport) -> None:
    console = _console()
    for entity in report.entities:
        console.print(f"{entity.name} (module {entity.module})")
        for table in entity.tables:
            where = table.file + (f" [{table.sheet}]" if table.sheet else "")
            console.print(
                f"  {table.side:6} {where}: header at row {table.header_row}, {table.rows:,} rows"
            )
            for field, column in table.mapping.items():
                console.print(f"      {field:20} ← {column}")
            if table.unmapped:
                console.print(f"      kept as context (not compared): {', '.join(table.unmapped)}")
            for sample in table.samples:
                console.print(
                    "      sample: "
                    + "; ".join(f"{k}={raw!r}→{norm!r}" for k, (raw, norm) in sample.items())
                )
        for warning in entity.warnings[:10]:
            console.print(f"  warning: {warning}")
    console.print("config and sources OK")


def print_nightly(result: NightlyResult, lang: str) -> None:
    """The run's table, then what the night did to the tracker, per entity and per owner."""
    print_run_summary(result.run, lang)
    console = _console()
    for sync in result.syncs:
        totals = sync.totals()
        stale = [e for e, new in sync.observed.items() if not new]
        console.print(
            f"issues from run #{sync.run_id}: "
            + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in totals.items())
            + (f" (inputs unchanged for {', '.join(stale)}: nothing counted)" if stale else "")
        )
        table = Table(title_justify="left")
        for column in (
            "entity",
            "owner",
            "new",
            "updated",
            "auto-resolved",
            "reopened",
            "systemic",
        ):
            table.add_column(column, justify="left" if column in ("entity", "owner") else "right")
        keys = sorted(
            set(sync.new)
            | set(sync.updated)
            | set(sync.resolved)
            | set(sync.reopened)
            | set(sync.systemic)
        )
        for key in keys:
            table.add_row(
                key[0],
                key[1],
                *(
                    str(c[key])
                    for c in (sync.new, sync.updated, sync.resolved, sync.reopened, sync.systemic)
                ),
            )
        if keys:
            console.print(table)
    console.print(f"unresolved discrepancy issues: {result.unresolved_discrepancy_issues}")
