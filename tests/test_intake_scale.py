"""10,000 issues exported and the unedited export imported back: nothing changes.

Run with ``pytest -s`` to see the rows and seconds for the export and the import.
"""

from __future__ import annotations

import time
from pathlib import Path

from conftest import CONFIG, write_project
from sqlalchemy import func, select

from dualrun.config import load_config
from dualrun.intake.edits import CONFLICT, REJECTED, UNCHANGED, UPDATED, import_edits
from dualrun.intake.export import is_export, write_export
from dualrun.store.schema import issue_journal
from dualrun.store.schema import issues as issues_table
from dualrun.tracker import IssueFilter, open_tracker

ROWS = 10_000
PEOPLE = """
[people.lisi]
name = "李四"
role = "lead"

[people.zhangwei]
name = "张伟"

[people.lina]
name = "李娜"
"""


def test_10k_row_export_import_round_trip_changes_nothing(tmp_path: Path) -> None:
    config = load_config(write_project(tmp_path / "p", config=CONFIG + PEOPLE))
    tracker = open_tracker(config, None, "lisi")
    owners = ("zhangwei", "lina", "lisi")
    started = time.perf_counter()
    with tracker.engine.begin() as conn:
        for n in range(ROWS):
            tracker.new(
                title=f"客户 C{n:05d} 金额不一致 =SUM(A1)",
                severity=("S1", "S2", "S3")[n % 3],
                description=f"row {n}",
                owner=owners[n % 3],
                workaround="+86 先手工" if n % 7 == 0 else None,
                connection=conn,
            )
    created = time.perf_counter() - started

    def state() -> tuple[int, dict[str, int]]:
        with tracker.engine.connect() as conn:
            journal = int(
                conn.execute(select(func.count()).select_from(issue_journal)).scalar_one()
            )
            c = issues_table.c
            versions = {str(k): int(v) for k, v in conn.execute(select(c.key, c.version))}
        return journal, versions

    before = state()
    assert len(before[1]) == ROWS

    path = tmp_path / "all.xlsx"
    started = time.perf_counter()
    count = write_export(tracker, IssueFilter(all_statuses=True), path)
    exported = time.perf_counter() - started
    assert count == ROWS

    started = time.perf_counter()
    assert is_export(path)
    receipt = import_edits(tracker, [path])
    imported = time.perf_counter() - started

    counts = {r: receipt.count(r) for r in (UPDATED, UNCHANGED, REJECTED, CONFLICT)}
    assert counts == {UPDATED: 0, UNCHANGED: ROWS, REJECTED: 0, CONFLICT: 0}
    assert receipt.batch_id is None and receipt.exit_code == 0
    assert state() == before
    print(
        f"\n10k round trip: {ROWS} issues created in {created:.1f}s; "
        f"export {count} rows in {exported:.1f}s; "
        f"import {len(receipt.outcomes)} rows in {imported:.1f}s "
        f"(0 updated, 0 rejected, 0 conflicts; journal {before[0]} rows, unchanged)"
    )
