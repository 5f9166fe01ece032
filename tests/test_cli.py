"""The command line as a user meets it: exit codes, messages, JSON, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PLANTED, CliResult, run_cli, write_project


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert result.out.startswith("dualrun 0.")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["check"],
        ["reconcile"],
        ["runs"],
        ["demo"],
        ["db"],
        ["db", "upgrade"],
        ["init"],
        ["nightly"],
        ["issues"],
        ["match"],
        ["readiness"],
        ["signoff"],
        ["accept-risk"],
        ["cutover"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.code == 0
    assert "Usage" in result.out
    assert len(result.out.splitlines()) > 3


def test_reconcile_finds_the_planted_differences_and_exits_1(project: Path, tmp_path: Path) -> None:
    result = run_cli("reconcile", "-c", str(project), "--json", "--out", str(tmp_path / "out"))
    assert result.code == 1, result.err
    document = json.loads(result.out)
    assert document["schema_version"] == 1
    assert document["counts"] == PLANTED
    stats = document["entities"]["account"]
    assert (stats["rows_manual"], stats["rows_crm"], stats["pairs"]) == (3, 3, 2)
    assert stats["identical_pairs"] == 1
    assert stats["format_only_pairs"] == 1
    mismatch = next(d for d in document["discrepancies"] if d["kind"] == "field_mismatch")
    assert mismatch["key"] == {"code": "C002"}
    assert mismatch["field"] == "amount"
    assert mismatch["manual"]["raw"] == "3.5"
    assert mismatch["manual"]["normalised"] == "35000"
    assert (mismatch["manual"]["sheet"], mismatch["manual"]["row"]) == ("张伟", 5)
    assert mismatch["crm"]["record_id"] == "0015g00000AbCdFAAV"
    assert mismatch["crm"]["row"] == 3
    assert mismatch["rule"] == "key"
    assert len(mismatch["fingerprint"]) == 24
    missing = next(d for d in document["discrepancies"] if d["kind"] == "missing_in_crm")
    assert missing["crm"] is None
    assert missing["manual"]["record"]["name"] == "广州恒通物流"
    assert Path(document["reports"]["xlsx"]).exists()
    assert Path(document["reports"]["html"]).exists()


def test_a_clean_run_exits_0(tmp_path: Path) -> None:
    from conftest import CRM_ROWS, MANUAL_ROWS

    crm = [r[:] for r in CRM_ROWS[:2]]
    crm[1][5] = "35000"
    config = write_project(tmp_path / "p", manual_rows=MANUAL_ROWS[:2], crm_rows=crm)
    result = run_cli("reconcile", "-c", str(config), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err + result.out
    assert "account" in result.out


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("reconcile", "-c", str(tmp_path / "nope.toml"))
    assert result.code == 2
    assert "config file not found" in result.err
    assert "Traceback" not in result.err


def test_config_typo_suggests_the_right_key(project: Path) -> None:
    text = project.read_text(encoding="utf-8").replace('type = "phone"', 'typ = "phone"')
    project.write_text(text, encoding="utf-8")
    result = run_cli("check", "-c", str(project))
    assert result.code == 2
    assert "entities.account.fields.phone.typ: unknown key; did you mean 'type'?" in result.err


def test_unknown_field_type_lists_the_choices(project: Path) -> None:
    text = project.read_text(encoding="utf-8").replace('type = "phone"', 'type = "phon"')
    project.write_text(text, encoding="utf-8")
    result = run_cli("check", "-c", str(project))
    assert result.code == 2
    assert "did you mean 'phone'" in result.err


def test_missing_column_fails_the_run_and_stores_no_findings(project: Path) -> None:
    text = project.read_text(encoding="utf-8").replace('"金额(万元)"', '"金额（万元）x"')
    project.write_text(text, encoding="utf-8")
    result = run_cli("reconcile", "-c", str(project))
    assert result.code == 2
    assert (
        "field 'amount': no column named '金额（万元）x'; did you mean '金额(万元)'?" in result.err
    )
    assert "sheet '张伟', row 3" in result.err
    runs = run_cli("runs", "-c", str(project))
    assert "failed" in runs.out
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{project.parent / 'dualrun.db'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from discrepancies")).scalar() == 0
        status, reason = connection.execute(sa.text("select status, reason from runs")).one()
    assert status == "failed"
    assert "金额（万元）x" in reason


def test_check_shows_header_mapping_and_samples(project: Path) -> None:
    result = run_cli("check", "-c", str(project))
    assert result.code == 0, result.err
    assert "header at row 3" in result.out
    assert "amount" in result.out and "金额(万元)" in result.out
    assert "'3.5'→'35000'" in result.out or "'1.2'→'12000'" in result.out
    assert "config and sources OK" in result.out


def test_unknown_entity_is_a_usage_error(project: Path) -> None:
    result: CliResult = run_cli("reconcile", "-c", str(project), "--entity", "acount")
    assert result.code == 2
    assert "unknown entity 'acount'" in result.err


def test_python_dash_m_works(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dualrun", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("dualrun ")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dualrun", "--debug", "check", "-c", str(tmp_path / "x.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_config_from_environment(project: Path, tmp_path: Path) -> None:
    result = run_cli("check", env={"DUALRUN_CONFIG": str(project)})
    assert result.code == 0, result.err


def test_streamed_json_equals_the_dict_document(tmp_path: Path) -> None:
    import io

    from dualrun.config import load_config
    from dualrun.demo import copy_demo
    from dualrun.service import run_reconcile

    project = copy_demo(tmp_path / "demo")
    result = run_reconcile(load_config(project / "dualrun.toml"))
    stream = io.BytesIO()
    result.write_json(stream)
    streamed = json.loads(stream.getvalue())
    expected = json.loads(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    assert streamed["discrepancies"] == expected["discrepancies"]
    assert streamed == expected
    kinds = {d["kind"] for d in streamed["discrepancies"]}
    assert kinds == {
        "missing_in_crm",
        "missing_in_manual",
        "field_mismatch",
        "duplicate",
        "ambiguous_match",
        "unkeyed_row",
    }


def test_allocator_setting_is_a_default_the_user_can_override() -> None:
    show = "import os, dualrun.cli; print(os.environ['_RJEM_MALLOC_CONF'])"
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    default = subprocess.run(
        [sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True
    )
    assert default.stdout.strip() == "dirty_decay_ms:5000,muzzy_decay_ms:5000"
    # ...and it must be in place before polars (and its allocator) loads.
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, dualrun.cli; print('polars' in sys.modules)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
    mine = subprocess.run(
        [sys.executable, "-c", show],
        env={**env, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert mine.stdout.strip() == "dirty_decay_ms:0"
