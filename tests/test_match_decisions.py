"""`dualrun match confirm|reject`: people's word on pairs holds in every later run."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

from dualrun.demo import copy_demo, nights, stage_night


def reconcile(project: Path) -> dict[str, object]:
    result = run_cli(
        "reconcile", "-c", str(project / "dualrun.toml"), "--json", "--out", str(project / "out")
    )
    assert result.code == 1, result.err
    return dict(json.loads(result.out))


def match(project: Path, *args: str, who: str = "lead") -> tuple[int, str, str]:
    result = run_cli("match", *args, "-c", str(project / "dualrun.toml"), "--as", who)
    return result.code, result.out, result.err


def test_confirming_an_ambiguous_pair_pairs_it_from_then_on(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "demo")
    stage_night(project, nights(project)[0])
    document = reconcile(project)
    ambiguous = [
        d
        for d in document["discrepancies"]  # type: ignore[union-attr]
        if d["kind"] == "ambiguous_match" and d["entity"] == "account"
    ]
    group = next(d for d in ambiguous if d["rule"].startswith("fuzzy"))
    manual = next(m for m in group["members"] if m["side"] == "manual")
    crm = next(m for m in group["members"] if m["side"] == "crm")
    code, out, err = match(
        project, "confirm", "account", manual["identity"], crm["identity"], "--note", "同一家公司"
    )
    assert code == 0, err
    assert "every later run honours it" in out
    after = reconcile(project)
    stats = after["entities"]["account"]  # type: ignore[index]
    before = document["entities"]["account"]  # type: ignore[index]
    assert stats["counts"]["ambiguous_match"] == before["counts"]["ambiguous_match"] - 1
    assert stats["rules"]["confirmed"] == 1
    listed = run_cli("match", "list", "-c", str(project / "dualrun.toml")).out
    assert "同一家公司" in listed


def test_rejecting_a_fuzzy_pair_keeps_the_records_apart(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "demo")
    stage_night(project, nights(project)[0])
    document = reconcile(project)
    fuzzy = next(
        d
        for d in document["discrepancies"]  # type: ignore[union-attr]
        if str(d["rule"]).startswith("fuzzy") and d["kind"] == "field_mismatch"
    )
    manual = next(m for m in fuzzy["members"] if m["side"] == "manual")
    crm = next(m for m in fuzzy["members"] if m["side"] == "crm")
    assert match(project, "reject", "account", manual["identity"], crm["identity"])[0] == 0
    assert (
        "nothing changed"
        in match(project, "reject", "account", manual["identity"], crm["identity"])[1]
    )
    after = reconcile(project)
    stats = after["entities"]["account"]  # type: ignore[index]
    before = document["entities"]["account"]  # type: ignore[index]
    assert stats["rules"].get("fuzzy:name", 0) == before["rules"]["fuzzy:name"] - 1
    assert stats["counts"]["unkeyed_row"] == before["counts"]["unkeyed_row"] + 1
    assert stats["counts"]["missing_in_manual"] == before["counts"]["missing_in_manual"] + 1


def test_only_leads_decide_matches(tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "demo")
    code, _out, err = match(project, "confirm", "account", "KH0001", "KH0001", who="zhangwei")
    assert code == 2 and "only leads (lead) may" in err


def test_decisions_typed_into_the_run_workbook_are_recorded(tmp_path: Path) -> None:
    import openpyxl

    project = copy_demo(tmp_path / "demo")
    stage_night(project, nights(project)[0])
    document = reconcile(project)
    workbook = Path(str(document["reports"]["xlsx"]))  # type: ignore[index]
    book = openpyxl.load_workbook(workbook)
    sheet = book["配对决定"]
    header = [c.value for c in sheet[1]]
    column = header.index("决定（confirm 确认 / reject 拒绝）") + 1
    rule = header.index("匹配规则") + 1
    ambiguous = [
        r
        for r in range(2, sheet.max_row + 1)
        if "无法唯一匹配 (fuzzy" in str(sheet.cell(r, rule).value)
    ]
    sheet.cell(ambiguous[0], column, "确认")
    sheet.cell(ambiguous[1], column, "maybe")
    book.save(workbook)
    result = run_cli(
        "match", "import", str(workbook), "-c", str(project / "dualrun.toml"), "--as", "lead"
    )
    assert result.code == 1
    assert "1 decision(s) recorded, 1 rejected" in result.out
    assert f"row {ambiguous[1]}: 'maybe' is not confirm" in result.out
    after = reconcile(project)
    assert after["entities"]["account"]["rules"]["confirmed"] == 1  # type: ignore[index]
