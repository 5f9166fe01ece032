"""Export → edit offline as a user would → import: updated, unchanged, conflict, rejected;
formula-like text stays text; --mask-pii; undo of a form import and of an edit import."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import CONFIG, run_cli, write_project

from dualrun.cli.intake import register
from dualrun.cli.issues import app as issues_app
from dualrun.config import load_config
from dualrun.errors import DualrunError
from dualrun.intake.export import label
from dualrun.intake.undo import undo_batch
from dualrun.tracker import open_tracker

register(issues_app)

PEOPLE = """
[people.lisi]
name = "李四"
role = "lead"

[people.zhangwei]
name = "张伟"

[people.lina]
name = "李娜"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "p", config=CONFIG + PEOPLE)


def cli(project: Path, *args: str, who: str = "lisi") -> tuple[int, str, str]:
    result = run_cli("issues", *args, "-c", str(project), "--as", who)
    return result.code, result.out, result.err


def issue(project: Path, key: str) -> dict[str, object]:
    code, out, err = cli(project, "show", key, "--json")
    assert code == 0, err
    return dict(json.loads(out))


def new(project: Path, title: str, *extra: str) -> None:
    code, _, err = cli(project, "new", "--title", title, *extra)
    assert code == 0, err


def export(project: Path, *extra: str) -> Path:
    path = project.parent / "export.xlsx"
    code, _, err = cli(project, "export", "-o", str(path), "--status", "all", *extra)
    assert code == 0, err
    return path


def columns(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    return {str(c.value): int(c.column) for c in sheet[1]}


def edit(path: Path, key: str, **values: object) -> None:
    """Change cells of the row of `key` as a user would in Excel."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    cols = columns(sheet)
    for number in range(2, sheet.max_row + 1):
        if sheet.cell(row=number, column=cols[label("key")]).value == key:
            for name, value in values.items():
                sheet.cell(row=number, column=cols[label(name)], value=value)
    book.save(path)


def undo(project: Path, batch: str, *flags: str, who: str = "lisi") -> tuple[int, str]:
    """`dualrun issues undo BATCH [--dry-run]` (called directly: not yet a CLI command)."""
    tracker = open_tracker(load_config(project), None, who)
    try:
        report = undo_batch(tracker, int(batch), dry_run="--dry-run" in flags)
    except DualrunError as error:
        return 1, error.message
    finally:
        tracker.engine.dispose()
    return 0, "\n".join(report.lines()) + "\n"


def keys(project: Path) -> list[str]:
    code, out, err = cli(project, "list", "--status", "all", "--json")
    assert code == 0, err
    data = json.loads(out)
    return [str(i["key"]) for i in (data if isinstance(data, list) else data["issues"])]


def test_edit_round_trip_updates_then_is_unchanged(project: Path) -> None:
    new(project, "客户导入后负责人为空", "--severity", "S3")
    key = keys(project)[0]
    path = export(project)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert "_meta" in book.sheetnames and book["_meta"].sheet_state == "hidden"
    header = [c.value for c in sheet[1]]
    assert label("title") in header and "只读" in label("title") and "只读" not in label("owner")
    assert any(sheet.column_dimensions[k].hidden for k in sheet.column_dimensions)

    edit(path, key, owner="李娜", severity="S2", workaround="手工记录", new_comment="已联系客户")
    code, out, err = cli(project, "import", str(path))
    assert code == 0, out + err
    assert out.splitlines()[0].startswith("1 updated, 0 unchanged, 0 rejected, 0 conflict (batch")
    data = issue(project, key)
    assert (data["owner"], data["severity"], data["workaround"]) == ("lina", "S2", "手工记录")
    assert [c["body"] for c in data["comments"]] == ["已联系客户"]  # type: ignore[index]
    batches = {j["batch_id"] for j in data["journal"] if j["action"] == "set"}  # type: ignore[index]
    assert len(batches) == 1 and None not in batches

    code, out, err = cli(project, "import", str(path))
    assert (code, out.splitlines()[0]) == (0, "0 updated, 1 unchanged, 0 rejected, 0 conflict")
    assert len(issue(project, key)["comments"]) == 1  # type: ignore[arg-type]


def test_conflict_is_reported_with_both_values_and_not_applied(project: Path) -> None:
    new(project, "商机金额被清零")
    key = keys(project)[0]
    path = export(project)
    assert cli(project, "assign", key, "zhangwei")[0] == 0  # changed in the store after export
    edit(path, key, owner="lina", workaround="先手工记录")
    code, out, err = cli(project, "import", str(path))
    assert code == 1, err
    assert "conflict" in out and "owner: file 'lina', store 'zhangwei'" in out
    data = issue(project, key)
    assert (data["owner"], data["workaround"]) == ("zhangwei", None)
    receipt = openpyxl.load_workbook(path.with_name("export.receipt.xlsx")).active
    assert receipt is not None
    rows = list(receipt.iter_rows(values_only=True))
    assert rows[1][3] == "冲突 conflict" and rows[1][6:9] == ("owner", "lina", "zhangwei")


def test_bad_rows_are_rejected_with_reasons(project: Path) -> None:
    new(project, "一")
    new(project, "二")
    first, second = keys(project)
    path = export(project)
    edit(path, first, due_date="next week")
    edit(path, second, status="resolvedd")
    code, out, _ = cli(project, "import", str(path))
    assert code == 1
    assert "bad date 'next week'" in out and "resolvedd" in out
    assert issue(project, second)["status"] == "new"


def test_formula_like_text_is_exported_as_text(project: Path) -> None:
    title = '=HYPERLINK("http://evil.example","click")'
    new(project, title)
    path = export(project)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cell = sheet.cell(row=2, column=columns(sheet)[label("title")])
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", title, True)
    code, out, _ = cli(project, "import", str(path))
    assert (code, out.splitlines()[0]) == (0, "0 updated, 1 unchanged, 0 rejected, 0 conflict")

    csv_path = project.parent / "export.csv"
    assert cli(project, "export", "-o", str(csv_path), "--format", "csv")[0] == 0
    assert "'=HYPERLINK" in csv_path.read_text(encoding="utf-8-sig")


def test_mask_pii_leaves_no_phone_or_email(project: Path) -> None:
    new(project, "客户 13812345678 的邮箱 wang.fang@example.com 错误")
    path = export(project, "--mask-pii")
    book = openpyxl.load_workbook(path)
    text = " ".join(
        str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r
    )
    assert "13812345678" not in text and "wang.fang@example.com" not in text
    assert "138****5678" in text


def test_undo_of_a_form_import_withdraws_the_issues(project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "Description"])
    sheet.append(["导出报表很慢", "超过一分钟"])
    form = tmp_path / "form.xlsx"
    book.save(form)
    assert cli(project, "import", str(form))[0] == 0
    key = keys(project)[0]
    assert undo(project, "1", who="zhangwei")[0] != 0  # leads only
    code, out = undo(project, "1", "--dry-run")
    assert code == 0 and "would be withdrawn" in out, out
    assert issue(project, key)["status"] == "new"
    code, out = undo(project, "1")
    assert code == 0, out
    data = issue(project, key)
    assert (data["status"], data["resolution"]) == ("closed", "withdrawn")
    code, out = undo(project, "1")  # twice: a no-op
    assert out.splitlines()[0].startswith("batch 1: 0 issue(s) withdrawn, 0 field(s)")


def test_undo_of_an_edit_import_restores_old_values(project: Path) -> None:
    new(project, "一", "--severity", "S3")
    new(project, "二")
    first, second = keys(project)
    path = export(project)
    edit(path, first, severity="S1", workaround="先这样")
    edit(path, second, owner="lina")
    code, out, err = cli(project, "import", str(path))
    assert code == 0, out + err
    batch = out.split("(batch ")[1].split(")")[0]
    assert cli(project, "assign", second, "zhangwei")[0] == 0  # changed again since
    code, out = undo(project, batch)
    assert code == 0, out
    assert "skipped: " + second + " owner: changed again since" in out
    data = issue(project, first)
    assert (data["severity"], data["workaround"]) == ("S3", None)
    assert issue(project, second)["owner"] == "zhangwei"
    code, out = undo(project, batch)
    assert "0 field(s) restored" in out.splitlines()[0]
