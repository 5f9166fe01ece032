"""`dualrun demo` end to end, as the README's demo command runs it; and its reports."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from conftest import run_cli


def test_demo_replays_five_nights_and_writes_reports(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    result = run_cli("demo", str(target), "--lang", "en")
    assert result.code == 0, result.err
    assert result.out.count("== night-") == 5
    html = target / "reports" / "night-5" / "run-5.html"
    assert f"open the latest report: {html}" in result.out
    assert html.exists()
    expected = json.loads((target / "expected.json").read_text(encoding="utf-8"))
    night1 = expected["nights"]["night-1"]["account"]
    book = openpyxl.load_workbook(target / "reports" / "night-1" / "run-1.xlsx", read_only=True)
    sheets = book.sheetnames
    assert sheets[0] == "Summary"
    summary = list(book["Summary"].iter_rows(values_only=True))
    header, account = summary[0], summary[1]
    row = dict(zip(header, account, strict=True))
    assert row["Missing in CRM"] == night1["missing_in_crm"]
    assert row["Duplicate"] == night1["duplicate"]
    missing = list(book["account-Missing in CRM"].iter_rows(values_only=True))
    assert len(missing) - 1 == night1["missing_in_crm"]
    columns = dict(zip(missing[0], missing[1], strict=True))
    assert "name=" in str(columns["Record"])
    assert columns["Manual File"] == "manual/客户台账.xlsx"
    dup = list(book["account-Duplicate"].iter_rows(values_only=True))
    involved = dict(zip(dup[0], dup[1], strict=True))["Records involved"]
    assert "Manual manual/客户台账.xlsx[" in str(involved)


def test_demo_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_cli("demo", str(target))
    assert result.code == 2
    assert "already exists" in result.err
    assert (target / "keep.txt").exists()
