"""Several writer processes change one issue at once: one wins each round, none is lost.

Runs on the real PostgreSQL server and on SQLite. Printed figures (pytest -s) are
quoted in the closing notes.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from dualrun.store import issues as repo
from dualrun.store import open_store

WRITERS = 6
UPDATES = 25


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_concurrent_writers_lose_no_update(backend: str, pg_url: str, tmp_path: Path) -> None:
    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp_path / 'c.db'}"
    engine = open_store(url)
    with engine.begin() as connection:
        key = repo.create_issue(
            connection,
            {"kind": "report", "title": "t", "reporter": "lisi", "status": "new"},
            actor="lisi",
            at=datetime.now(UTC),
            key_prefix="DR",
        )
    script = Path(__file__).with_name("concurrent_writer.py")
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), url, key, str(n), str(UPDATES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        applied, conflicts = map(int, out.split())
        results.append((applied, conflicts))
    applied = sum(a for a, _ in results)
    conflicts = sum(c for _, c in results)
    with engine.connect() as connection:
        row = repo.get_row(connection, key)
        label_entries = connection.execute(
            sa.text("select count(*) from issue_journal where field = 'labels'")
        ).scalar_one()
    lost = applied - len(row.labels)
    print(
        f"\n{backend}: writers={WRITERS} attempted={WRITERS * UPDATES} applied={applied} "
        f"conflicts={conflicts} lost_updates={lost} final_version={row.version}"
    )
    assert applied + conflicts == WRITERS * UPDATES
    assert lost == 0
    assert len(set(row.labels)) == len(row.labels) == applied
    assert row.version == 1 + applied
    assert label_entries == applied
    assert conflicts > 0  # the writers really overlapped
