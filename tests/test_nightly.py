"""The nightly job over the demo's nights, on SQLite and on the real PostgreSQL server.

Scenario (the demo's planted differences are in examples/demo/PLANTED.md):
  night 1   60 findings → 60 new issues; the lead accepts one tier difference
  night 2   a night whose CRM account export is missing: the run fails, nothing counts
  night 2   (again, with the export) seen again; the accepted one stays accepted
  night 3   李娜's opportunity amounts all ×0.0001: one systemic issue, not 69
  night 4   the phone difference fixed on night 2 comes back: reopened (regression)
  night 5   convergence; then night 5 again: byte-identical inputs change nothing
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import run_cli

from dualrun.demo import copy_demo

EXPECTED = json.loads(
    (Path(__file__).parent.parent / "examples/demo/expected.json").read_text(encoding="utf-8")
)
KINDS = EXPECTED["kinds"]


def findings(night: str) -> int:
    return sum(counts[k] for counts in EXPECTED["nights"][night].values() for k in KINDS)


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    project = copy_demo(tmp_path / "demo")
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
    else:
        url = f"sqlite:///{project / 'dualrun.db'}"
    return project, url


def stage(project: Path, night: str) -> None:
    for side in ("manual", "crm"):
        shutil.rmtree(project / side, ignore_errors=True)
        shutil.copytree(project / "nights" / night / side, project / side)


def nightly(project: Path, url: str) -> tuple[int, str, str]:
    result = run_cli(
        "nightly",
        "-c",
        str(project / "dualrun.toml"),
        "--db",
        url,
        "--lang",
        "en",
        "--out",
        str(project / "out"),
    )
    return result.code, result.out, result.err


def issues(project: Path, url: str) -> list[dict[str, object]]:
    result = run_cli(
        "issues",
        "list",
        "--status",
        "all",
        "--json",
        "-c",
        str(project / "dualrun.toml"),
        "--db",
        url,
        "--as",
        "lead",
    )
    return list(json.loads(result.out))


def journal_rows(url: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        count = connection.execute(sa.text("select count(*) from issue_journal")).scalar_one()
    engine.dispose()
    return int(count)


def unresolved(rows: list[dict[str, object]]) -> int:
    return sum(1 for r in rows if r["status_category"] != "done")


def test_multi_night_scenario(demo: tuple[Path, str]) -> None:
    project, url = demo
    table: list[str] = []

    stage(project, "night-1")
    code, out, err = nightly(project, url)
    assert code == 1, err
    rows = issues(project, url)
    assert len(rows) == findings("night-1") == 60
    assert all(r["kind"] == "discrepancy" and r["reporter"] == "dualrun-nightly" for r in rows)
    tier = next(r for r in rows if "tier" in str(r["title"]))
    code = run_cli(
        "issues",
        "move",
        str(tier["key"]),
        "accepted",
        "--accepted-by",
        "lead",
        "--until",
        "2099-12-31",
        "-c",
        str(project / "dualrun.toml"),
        "--db",
        url,
        "--as",
        "lead",
    ).code
    assert code == 0
    table.append(f"night 1: {len(rows)} issues, {unresolved(rows)} unresolved")

    stage(project, "night-2")
    (project / "crm" / "Account.csv").unlink()
    before = journal_rows(url)
    code, _out, err = nightly(project, url)
    assert code == 2 and "Account.csv" in err
    assert journal_rows(url) == before  # a failed night changes no issue
    runs = run_cli("runs", "-c", str(project / "dualrun.toml"), "--db", url).out
    assert "failed" in runs

    stage(project, "night-2")
    code, out, err = nightly(project, url)
    assert code == 1, err
    rows = issues(project, url)
    by_key = {r["key"]: r for r in rows}
    assert by_key[tier["key"]]["status"] == "accepted"  # same values: stays accepted
    table.append(f"night 2: {len(rows)} issues, {unresolved(rows)} unresolved")

    stage(project, "night-3")
    code, out, err = nightly(project, url)
    assert code == 1, err
    rows = issues(project, url)
    systemic = [r for r in rows if r["systemic"]]
    assert len(systemic) == 1
    assert "× 0.0001" in str(systemic[0]["title"])
    assert "covered by systemic 69" in out
    table.append(f"night 3: {len(rows)} issues, {unresolved(rows)} unresolved, 1 systemic")

    stage(project, "night-4")
    code, out, err = nightly(project, url)
    assert code == 1, err
    rows = issues(project, url)
    reopened = [r for r in rows if r["status"] == "reopened"]
    assert len(reopened) == 1 and "phone" in str(reopened[0]["title"])
    table.append(f"night 4: {len(rows)} issues, {unresolved(rows)} unresolved, 1 reopened")

    stage(project, "night-5")
    code, out, err = nightly(project, url)
    assert code == 1, err
    rows = issues(project, url)
    resolved = [r for r in rows if r["resolution"] == "no_longer_detected"]
    assert resolved and all(r["status"] == "resolved" for r in resolved)
    assert systemic[0]["key"] in {r["key"] for r in resolved}  # fixed on night 4, gone twice
    table.append(f"night 5: {len(rows)} issues, {unresolved(rows)} unresolved")

    before = journal_rows(url)
    code, out, err = nightly(project, url)
    assert code == 1, err
    assert journal_rows(url) == before
    assert issues(project, url) == rows
    assert "nothing counted" in out
    print("\n" + "\n".join(table))


def test_a_crash_between_reconcile_and_sync_is_completed_by_the_next_run(
    demo: tuple[Path, str],
) -> None:
    project, url = demo
    stage(project, "night-1")
    env = {**os.environ, "DUALRUN_FAULT": "after-reconcile"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dualrun",
            "nightly",
            "-c",
            str(project / "dualrun.toml"),
            "--db",
            url,
            "--out",
            str(project / "out"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == -9  # killed, as kill -9 would
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        run = connection.execute(sa.text("select status, synced_at from runs")).one()
        assert run.status == "ok" and run.synced_at is None
        assert connection.execute(sa.text("select count(*) from issues")).scalar_one() == 0
        holder = connection.execute(sa.text("select holder from nightly_lock")).scalar_one()
        assert holder.startswith("pid ")  # the killed job still holds it...
    engine.dispose()
    code, out, err = nightly(project, url)
    assert code == 1, err
    assert "issues from run #1: new 60" in out  # the crashed run, synced first
    assert "issues from run #2: new 0" in out  # same inputs: nothing new, nothing counted
    assert len(issues(project, url)) == 60  # ...and the next job took over its dead lock


def test_a_second_nightly_job_refuses_while_one_runs(demo: tuple[Path, str]) -> None:
    project, url = demo
    stage(project, "night-1")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    run_cli("db", "upgrade", "-c", str(project / "dualrun.toml"), "--db", url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("update nightly_lock set holder = 'pid 1 on elsewhere', since = :now"),
            {"now": __import__("datetime").datetime.now(__import__("datetime").UTC)},
        )
    engine.dispose()
    code, _out, err = nightly(project, url)
    assert code == 2
    assert "another nightly job is running on this store (pid 1 on elsewhere" in err


def test_the_system_actor_does_only_what_the_config_allows(demo: tuple[Path, str]) -> None:
    project, url = demo
    config = project / "dualrun.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'key_prefix = "DR"', 'key_prefix = "DR"\nsystem_permissions = ["comment"]'
        ),
        encoding="utf-8",
    )
    stage(project, "night-1")
    code, _out, err = nightly(project, url)
    assert code == 2
    assert "dualrun-nightly" in err and "may not" in err
    assert issues(project, url) == []
