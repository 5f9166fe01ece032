"""Bad input, end to end through `dualrun reconcile`: a clear message, exit 2, nothing stored.

Each case damages the small project of conftest one way. Run this file as a script to
print the table of messages and exit codes (quoted in the closing notes):
    .venv/bin/python tests/test_bad_inputs.py
"""

from __future__ import annotations

import os
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import CliResult, run_cli, write_project

Damage = Callable[[Path], None]


def manual(project: Path) -> Path:
    return project / "manual" / "台账.xlsx"


def crm(project: Path) -> Path:
    return project / "crm" / "Account.csv"


def set_config(project: Path, old: str, new: str) -> None:
    config = project / "dualrun.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def missing_file(project: Path) -> None:
    crm(project).unlink()


def missing_folder(project: Path) -> None:
    set_config(project, '"crm/Account.csv"', '"exports/*.csv"')


def zero_byte(project: Path) -> None:
    manual(project).write_bytes(b"")


def truncated(project: Path) -> None:
    data = manual(project).read_bytes()
    manual(project).write_bytes(data[: len(data) // 2])


def renamed_random(project: Path) -> None:
    manual(project).write_bytes(os.urandom(3000))


def password_protected(project: Path) -> None:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\x00") + struct.pack("<H", 34)
    manual(project).write_bytes(header + bytes(512) + entry + bytes(4096))


def html_as_xls(project: Path) -> None:
    path = project / "manual" / "台账.xls"
    path.write_bytes("<html><body><table><tr><td>客户编号</td></tr></table></body></html>".encode())
    set_config(project, '"manual/台账.xlsx"', '"manual/台账.xls"')


def header_not_found(project: Path) -> None:
    lines = "\n".join(f"{n},{n * 2},{n * 3}" for n in range(60))
    crm(project).write_text(lines + "\n", encoding="utf-8")


def duplicate_header(project: Path) -> None:
    text = crm(project).read_text(encoding="utf-8-sig")
    crm(project).write_text(text.replace("Owner_Name__c", "Phone", 1), encoding="utf-8")


def both_aliases_present(project: Path) -> None:
    book = openpyxl.load_workbook(manual(project))
    sheet = book["张伟"]
    sheet["G3"] = "公司名称"
    book.save(manual(project))


def missing_column(project: Path) -> None:
    set_config(project, '"金额(万元)"', '"金额（万元）"')


def undecodable(project: Path) -> None:
    data = crm(project).read_bytes()
    crm(project).write_bytes(data.replace("西安".encode(), b"\xff\xfe\xfa", 1))


def broken_quoting(project: Path) -> None:
    text = crm(project).read_text(encoding="utf-8-sig")
    crm(project).write_text(text.replace(",上海远航贸易,", ',"上海远航贸易,', 1), encoding="utf-8")


def formula_without_value(project: Path) -> None:
    book = openpyxl.load_workbook(manual(project))
    book["张伟"]["E5"] = "=1+2"
    book.save(manual(project))


def not_a_zip_workbook(project: Path) -> None:
    with zipfile.ZipFile(manual(project), "w") as archive:
        archive.writestr("readme.txt", "not a workbook")


CASES: dict[str, tuple[Damage, str]] = {
    "missing file": (missing_file, "file not found"),
    "missing folder (glob)": (missing_folder, "no file matches 'exports/*.csv'"),
    "zero-byte workbook": (zero_byte, "file is empty"),
    "truncated workbook": (truncated, "damaged or incomplete"),
    "random bytes named .xlsx": (renamed_random, "not a spreadsheet"),
    "zip that is no workbook": (not_a_zip_workbook, "not a spreadsheet"),
    "password-protected workbook": (password_protected, "password-protected workbook"),
    "HTML table saved as .xls": (html_as_xls, "really an HTML page"),
    "header not found": (header_not_found, "no header row found"),
    "duplicate header names": (duplicate_header, "columns D and G are both named 'Phone'"),
    "two aliases of one field present": (both_aliases_present, "are all present"),
    "mapped column missing": (missing_column, "did you mean '金额(万元)'?"),
    "undecodable bytes": (undecodable, "row 4"),
    "broken csv quoting": (broken_quoting, "is never closed"),
    "formula without cached value": (formula_without_value, "holds a formula with no saved"),
}


def run_case(damage: Damage, folder: Path) -> CliResult:
    project = write_project(folder).parent
    damage(project)
    return run_cli("reconcile", "-c", str(project / "dualrun.toml"), "--out", str(folder / "o"))


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_a_clear_error_and_stores_nothing(name: str, tmp_path: Path) -> None:
    damage, expected = CASES[name]
    result = run_case(damage, tmp_path / "p")
    assert result.code == 2, result.err + result.out
    assert expected in result.err
    assert result.err.startswith("dualrun: ")
    assert "Traceback" not in result.err
    assert not (tmp_path / "o").exists()
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'p' / 'dualrun.db'}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from discrepancies")).scalar() == 0
        assert connection.execute(sa.text("select status from runs")).scalar() == "failed"


def test_formula_cells_may_be_read_as_empty_when_the_config_says_so(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p").parent
    formula_without_value(project)
    set_config(
        project,
        'path = "manual/台账.xlsx"',
        'path = "manual/台账.xlsx"\nformula_without_value = "empty"',
    )
    result = run_cli("reconcile", "-c", str(project / "dualrun.toml"), "--out", str(tmp_path / "o"))
    assert result.code == 1, result.err
    assert "formula cell(s) have no saved value and were read as empty" in result.out


def main() -> None:
    print("| bad input | exit | message |\n|---|---|---|")
    for name, (damage, _expected) in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            result = run_case(damage, Path(folder) / "p")
        message = result.err.strip().replace(folder, "…").replace("\n", " ").replace("|", "\\|")
        print(f"| {name} | {result.code} | `{message}` |")


if __name__ == "__main__":
    main()


def test_notes_and_summary_sheets_are_skipped_with_a_warning(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p").parent
    book = openpyxl.load_workbook(manual(project))
    notes = book.create_sheet("填写说明", 0)
    notes["A1"] = "请在每个销售员的工作表中登记客户。"
    summary = book.create_sheet("汇总")
    summary.append(["销售员", "客户数"])
    summary.append(["张伟", 3])
    book.save(manual(project))
    result = run_cli(
        "reconcile", "-c", str(project / "dualrun.toml"), "--json", "--out", str(tmp_path / "o")
    )
    assert result.code == 1, result.err
    import json

    document = json.loads(result.out)
    skipped = {(w["sheet"], w["message"].split(":")[0]) for w in document["warnings"]}
    assert ("填写说明", "sheet skipped") in skipped
    assert ("汇总", "sheet skipped") in skipped
    assert document["entities"]["account"]["rows_manual"] == 3


def test_a_header_with_nothing_under_it_is_zero_records_reported(tmp_path: Path) -> None:
    from conftest import CRM_ROWS

    project = write_project(tmp_path / "p", manual_rows=[], crm_rows=CRM_ROWS).parent
    result = run_cli(
        "reconcile", "-c", str(project / "dualrun.toml"), "--json", "--out", str(tmp_path / "o")
    )
    assert result.code == 1, result.err
    import json

    document = json.loads(result.out)
    assert document["entities"]["account"]["rows_manual"] == 0
    assert document["counts"]["missing_in_manual"] == 3
    assert any("no data rows" in w["message"] for w in document["warnings"])
