"""`dualrun init`: a lead's own files become a config that checks and reconciles.

Run with ``pytest -s`` to see the proposed configs and the places marked ``# CHECK``.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import typer
from conftest import PROJECT_ROOT, SHARED_DATA, missing_shared_data
from typer.testing import CliRunner

from dualrun.checking import check_project
from dualrun.cli.init import register
from dualrun.config import Config, EntityConfig, load_config
from dualrun.errors import UsageError
from dualrun.onboarding import Proposal, propose_config, write_config
from dualrun.service import run_reconcile

DEMO = PROJECT_ROOT / "examples" / "demo"
SALESFORCE_ACCOUNTS = SHARED_DATA / "salesforce-sample" / "Account.csv"


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """A stand-in for the dualrun app."""

    return app


def _invoke(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(_app(), list(args))
    return result.exit_code, result.output, result.exception


def _columns(entity: EntityConfig) -> dict[tuple[tuple[str, ...], tuple[str, ...]], str]:
    """Each field as (manual columns, crm columns) → field name."""
    return {
        (tuple(spec.headers("manual")), tuple(spec.headers("crm"))): name
        for name, spec in entity.fields.items()
    }


def _show(title: str, config_path: Path, proposal: Proposal) -> None:
    print(f"\n===== {title}: {config_path} =====")
    print(config_path.read_text(encoding="utf-8"))
    print(f"----- {title}: places marked # CHECK -----")
    for place in proposal.checks() or ["(none)"]:
        print(f"  {place}")


def _reconcile_runs(config: Config, tmp_path: Path) -> None:
    assert check_project(config) is not None
    result = run_reconcile(config, out_dir=tmp_path / "reports")
    assert result.discrepancy_count >= 0
    assert (tmp_path / "reports").exists()


def test_demo_night_1_proposal_maps_what_the_hand_written_config_maps(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for side, name in (("manual", "客户台账.xlsx"), ("crm", "Account.csv")):
        (project / side).mkdir(parents=True)
        shutil.copy(DEMO / "nights" / "night-1" / side / name, project / side / name)

    proposal = propose_config(
        project, [project / "manual" / "客户台账.xlsx"], [project / "crm" / "Account.csv"]
    )
    path = write_config(project, proposal)
    config = load_config(path)
    _show("bundled example, night 1, account", path, proposal)

    proposed = config.entities["account"]
    hand = load_config(DEMO / "dualrun.toml").entities["account"]
    assert proposed.manual[0].path == "manual/客户台账.xlsx"  # relative to the project
    hand_columns, proposed_columns = _columns(hand), _columns(proposed)
    right = [hand_columns[c] for c in hand_columns if c in proposed_columns]
    wrong = [hand_columns[c] for c in hand_columns if c not in proposed_columns]
    hand_key = [
        (tuple(hand.fields[f].headers("manual")), tuple(hand.fields[f].headers("crm")))
        for f in hand.match.key
    ]
    proposed_key = [
        (tuple(proposed.fields[f].headers("manual")), tuple(proposed.fields[f].headers("crm")))
        for f in proposed.match.key
    ]
    print(
        f"fields right: {len(right)}/{len(hand_columns)} {right}; missed: {wrong}; "
        f"key right: {hand_key == proposed_key} ({proposed.match.key})"
    )
    assert len(right) == len(hand_columns), f"missed {wrong}"
    assert hand_key == proposed_key
    assert proposed.owner is not None
    assert proposed.fields[proposed.owner].headers("crm") == ["Owner_Name__c"]
    revenue = next(s for s in proposed.fields.values() if s.crm == "AnnualRevenue")
    assert (revenue.type, revenue.manual_unit, revenue.critical) == ("amount", "万元", True)
    assert all(proposed.fields[f].pii for f in ("phone", "email", "contact"))
    _reconcile_runs(config, project)


def _write_chinese_ledger(path: Path, accounts: list[dict[str, str]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户台账"
    sheet.append(["华东区客户台账（2026年）"])  # a merged title row above the header
    sheet.merge_cells("A1:D1")
    sheet.append(["客户名称", "城市", "行业", "年收入(万元)"])
    for row in accounts:
        revenue = row["AnnualRevenue"]
        in_wan = f"{Decimal(revenue) / 10000:f}" if revenue else ""
        sheet.append([row["Name"], row["BillingCity"], row["Industry"], in_wan])
    book.save(path)


def test_ledger_derived_from_real_salesforce_accounts(tmp_path: Path) -> None:
    if not SALESFORCE_ACCOUNTS.exists():
        missing_shared_data(str(SALESFORCE_ACCOUNTS))
    with SALESFORCE_ACCOUNTS.open(encoding="utf-8-sig", newline="") as handle:
        accounts = list(csv.DictReader(handle))
    # Planted: one account only in the CRM, one name without its legal suffix.
    ledger_rows = [dict(row) for row in accounts[:-1]]
    ledger_rows[2]["Name"] = ledger_rows[2]["Name"].replace(" Inc.", "")
    project = tmp_path / "project"
    project.mkdir()
    ledger = project / "客户台账.xlsx"
    _write_chinese_ledger(ledger, ledger_rows)

    proposal = propose_config(project, [ledger], [SALESFORCE_ACCOUNTS])
    path = write_config(project, proposal)
    config = load_config(path)
    _show("ledger derived from shared/data Account.csv", path, proposal)

    [(entity_name, entity)] = config.entities.items()
    assert entity_name == "account"
    name_field = next(n for n, s in entity.fields.items() if s.manual == "客户名称")
    assert entity.fields[name_field].crm == "Name"
    assert entity.match.key == [name_field]
    revenue = next(s for s in entity.fields.values() if s.manual == "年收入(万元)")
    assert (revenue.crm, revenue.type, revenue.manual_unit) == ("AnnualRevenue", "amount", "万元")
    assert entity.record_id is not None and entity.fields[entity.record_id].crm == "Id"
    _reconcile_runs(config, project)


def test_files_with_nothing_in_common_give_a_clear_message(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["品名", "库存数量", "仓库"])
    for n in range(1, 8):
        sheet.append([f"螺丝 M{n}", str(n * 37), f"{n}号仓"])
    stock = tmp_path / "库存.xlsx"
    book.save(stock)

    _code, _out, error = _invoke(
        "init", str(tmp_path / "p"), "--manual", str(stock), "--crm", str(DEMO / "crm/Account.csv")
    )
    assert isinstance(error, UsageError)
    message = error.render()
    print(f"\nunrecognisable input → {message}")
    assert "could not pair" in message and "库存.xlsx" in message and "Account.csv" in message
    assert "hint:" in message
    assert not (tmp_path / "p" / "dualrun.toml").exists()


def test_missing_crm_files_are_a_usage_error(tmp_path: Path) -> None:
    _code, _out, error = _invoke(
        "init", str(tmp_path), "--manual", str(DEMO / "manual/客户台账.xlsx")
    )
    assert isinstance(error, UsageError)
    assert "--crm" in error.message


def test_example_copies_the_demo_and_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    code, out, error = _invoke("init", "--example", str(target))
    assert (code, error) == (0, None), out
    assert (target / "dualrun.toml").exists()
    load_config(target / "dualrun.toml")

    _code, _out, error = _invoke("init", "--example", str(target))
    assert isinstance(error, UsageError) and "--force" in error.render()

    manual, crm = DEMO / "manual/客户台账.xlsx", DEMO / "crm/Account.csv"
    args = ["init", str(target), "--manual", str(manual), "--crm", str(crm), "--yes"]
    _code, _out, error = _invoke(*args)
    assert isinstance(error, UsageError) and "already exists" in error.render()
    code, out, error = _invoke(*args, "--force")
    assert (code, error) == (0, None), out
    assert "wrote" in out and "next: dualrun check" in out
    assert set(load_config(target / "dualrun.toml").entities) == {"account"}


def test_without_a_terminal_it_writes_the_proposal_without_asking(tmp_path: Path) -> None:
    manual, crm = DEMO / "manual/商机跟踪表.xlsx", DEMO / "crm/Opportunity.csv"
    code, out, error = _invoke(
        "init", str(tmp_path), "--manual", str(manual), "--crm", str(crm), "-e", "deals"
    )
    assert (code, error) == (0, None), out
    config = load_config(tmp_path / "dualrun.toml")
    deals = config.entities["deals"]
    assert deals.fields[deals.match.key[0]].crm == "Legacy_Opportunity_ID__c"
    amount = next(s for s in deals.fields.values() if s.crm == "Amount")
    assert amount.manual_unit == "万元"
