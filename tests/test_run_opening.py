"""The store opens while the first entity is read: the store still decides what counts."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import run_cli

from dualrun.config import load_config
from dualrun.demo import copy_demo
from dualrun.errors import InputError, StoreError
from dualrun.service import run_reconcile
from dualrun.store import open_store


def test_a_cut_over_first_entity_is_neither_compared_nor_needed(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "demo")
    config = project / "dualrun.toml"
    assert run_cli("cutover", "SFA", "-c", str(config), "--as", "lead").code == 0
    # account, the first entity, belongs to SFA: its ledger may be gone for good.
    (project / "manual" / "客户台账.xlsx").unlink()
    result = run_reconcile(load_config(config))
    assert [e.entity for e in result.entities] == ["case"]


def test_a_read_error_on_the_first_entity_is_recorded_on_the_run(project: Path) -> None:
    (project.parent / "crm" / "Account.csv").write_bytes(b"")
    config = load_config(project)
    with pytest.raises(InputError, match="empty"):
        run_reconcile(config)
    engine = open_store(config.store_url(None))
    with engine.connect() as connection:
        status, reason = connection.execute(sa.text("select status, reason from runs")).one()
    assert status == "failed" and "empty" in reason


def test_a_store_error_wins_over_what_the_read_gave(project: Path) -> None:
    (project.parent / "crm" / "Account.csv").write_bytes(b"")  # a read error as well
    with pytest.raises(StoreError, match="cannot use store URL"):
        run_reconcile(load_config(project), db_url="nosuchdb://x")


def test_an_in_memory_store_is_opened_in_this_thread(project: Path) -> None:
    result = run_reconcile(load_config(project), db_url="sqlite://")
    assert result.discrepancy_count == 3
