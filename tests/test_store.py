"""The store on SQLite and on the real PostgreSQL server: atomic runs, concurrent runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PLANTED, run_cli

from dualrun.config import load_config
from dualrun.errors import InputError
from dualrun.service import run_reconcile
from dualrun.store import open_store


def counts(url: str) -> dict[str, int]:
    engine = open_store(url)
    with engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f"select count(*) from {table}")).scalar_one()
            for table in ("runs", "run_inputs", "entity_stats", "owner_stats", "discrepancies")
        }


def test_run_on_postgresql(project: Path, pg_url: str, tmp_path: Path) -> None:
    result = run_cli(
        "reconcile", "-c", str(project), "--db", pg_url, "--json", "--out", str(tmp_path / "out")
    )
    assert result.code == 1, result.err
    document = json.loads(result.out)
    assert document["counts"] == PLANTED
    stored = counts(pg_url)
    assert stored["runs"] == 1
    assert stored["discrepancies"] == sum(PLANTED.values())
    assert stored["run_inputs"] == 2
    assert not (project.parent / "dualrun.db").exists()


def test_store_url_from_environment(project: Path, pg_url: str, tmp_path: Path) -> None:
    result = run_cli(
        "reconcile",
        "-c",
        str(project),
        "--out",
        str(tmp_path / "o"),
        env={"DUALRUN_DB_URL": pg_url},
    )
    assert result.code == 1, result.err
    assert counts(pg_url)["runs"] == 1


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_failed_run_stores_only_its_run_record(
    project: Path, backend: str, pg_url: str, tmp_path: Path
) -> None:
    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp_path / 's.db'}"
    config = load_config(project)
    run_reconcile(config, db_url=url)  # a good night first
    (project.parent / "crm" / "Account.csv").unlink()
    with pytest.raises(InputError):
        run_reconcile(config, db_url=url)
    stored = counts(url)
    assert stored["runs"] == 2
    assert stored["discrepancies"] == sum(PLANTED.values())  # only the first night's
    assert stored["run_inputs"] == 2
    engine = open_store(url)
    with engine.connect() as connection:
        status, reason, _covered = connection.execute(
            sa.text("select status, reason, entities_covered from runs order by id desc limit 1")
        ).one()
    assert status == "failed"
    assert "file not found" in reason


def test_db_upgrade_is_idempotent(project: Path, pg_url: str) -> None:
    for _ in range(2):
        result = run_cli("db", "upgrade", "-c", str(project), "--db", pg_url)
        assert result.code == 0, result.err
        assert "discrepancies" in result.out


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_runs_at_once_do_not_corrupt_each_other(
    project: Path, backend: str, pg_url: str, tmp_path: Path
) -> None:
    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp_path / 'c.db'}"
    command = [
        sys.executable,
        "-m",
        "dualrun",
        "reconcile",
        "-c",
        str(project),
        "--db",
        url,
        "--out",
        str(tmp_path / "out"),
    ]
    procs = [
        subprocess.Popen(
            [*command[:-1], str(tmp_path / f"out{n}")],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        for n in range(3)
    ]
    codes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert [c for c, _ in codes] == [1, 1, 1], codes
    stored = counts(url)
    assert stored["runs"] == 3
    assert stored["discrepancies"] == 3 * sum(PLANTED.values())
    engine = open_store(url)
    with engine.connect() as connection:
        per_run = connection.execute(
            sa.text("select run_id, count(*) from discrepancies group by run_id")
        ).all()
        statuses = connection.execute(sa.text("select status from runs")).scalars().all()
    assert sorted(n for _, n in per_run) == [sum(PLANTED.values())] * 3
    assert statuses == ["ok", "ok", "ok"]


def test_bad_store_url_is_a_clear_error(project: Path) -> None:
    result = run_cli("runs", "-c", str(project), "--db", "postgresql://nobody@127.0.0.1:1/x")
    assert result.code == 2
    assert "cannot open the store" in result.err
    assert "Traceback" not in result.err


def test_schema_head_constant_matches_the_migrations() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from dualrun.store.database import MIGRATIONS, SCHEMA_HEAD

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_build_exactly_the_declared_schema(
    backend: str, pg_url: str, tmp_path: Path
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dualrun.store.schema import metadata

    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp_path / 'm.db'}"
    engine = open_store(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_stored_findings_equal_the_run_result_column_for_column(
    project: Path, pg_url: str, tmp_path: Path, backend: str
) -> None:
    """The bulk insert leaves out columns empty in a whole kind: nothing may be lost."""
    from dualrun.reconcile.model import DISCREPANCY_SCHEMA

    url = pg_url if backend == "postgresql" else f"sqlite:///{tmp_path / 'store.db'}"
    result = run_reconcile(load_config(project), db_url=url)
    columns = list(DISCREPANCY_SCHEMA)
    expected = sorted(
        (tuple(row) for e in result.entities for row in e.discrepancies.select(columns).rows()),
        key=repr,
    )
    with open_store(url).connect() as connection:
        stored = sorted(
            (
                tuple(
                    bool(v) if isinstance(v, int) and c.endswith("_present") else v
                    for c, v in zip(columns, row, strict=True)
                )
                for row in connection.execute(
                    sa.text(f"select {', '.join(columns)} from discrepancies where run_id = :r"),
                    {"r": result.run_id},
                )
            ),
            key=repr,
        )
    assert len(expected) == sum(PLANTED.values())
    assert stored == expected
