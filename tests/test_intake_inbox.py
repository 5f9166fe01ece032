"""`import --inbox DIR` (each new workbook imported once, filed away with its receipt) and
`export --per-owner DIR` (one workbook per owner with only their unresolved issues)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import CONFIG, run_cli, write_project

from dualrun.cli.intake import register
from dualrun.cli.issues import app as issues_app
from dualrun.intake.export import label

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


def all_issues(project: Path) -> list[dict[str, object]]:
    code, out, err = cli(project, "list", "--status", "all", "--json")
    assert code == 0, err
    data = json.loads(out)
    return list(data if isinstance(data, list) else data["issues"])


def form(path: Path, *rows: tuple[object, ...]) -> Path:
    """A minimal hand-made form: title, description, owner."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["标题/Title", "描述/Description", "负责人/Owner"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_inbox_moves_each_workbook_with_its_receipt_and_never_rereads(
    project: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    form(inbox / "good.xlsx", ("订单金额为零", "保存后为零", "张伟"))
    form(inbox / "bad.xlsx", ("客户电话丢失", "", "张伟"), ("负责人错", "", "nobody"))
    (inbox / "broken.xlsx").write_bytes(b"not a workbook")
    (inbox / "~$good.xlsx").write_bytes(b"office lock file")  # never read
    (inbox / "notes.txt").write_text("not a workbook")

    code, out, err = cli(project, "import", "--inbox", str(inbox), "--dry-run")
    assert code == 2, err
    assert "would move to processed/" in out and "nothing was changed or moved" in out
    assert all_issues(project) == []
    assert names(inbox) == ["bad.xlsx", "broken.xlsx", "good.xlsx", "notes.txt", "~$good.xlsx"]

    code, out, err = cli(project, "import", "--inbox", str(inbox))
    assert code == 2, err  # the worst of the files: one could not be read
    lines = out.splitlines()
    assert any(line.startswith("good.xlsx: 1 created, 0 unchanged, 0 rejected") for line in lines)
    assert any(line.startswith("bad.xlsx: 1 created, 0 unchanged, 1 rejected") for line in lines)
    assert any(line.startswith("broken.xlsx: not read:") for line in lines)
    assert names(inbox) == ["notes.txt", "processed", "rejected", "~$good.xlsx"]
    assert names(inbox / "processed") == ["good.receipt.xlsx", "good.xlsx"]
    assert names(inbox / "rejected") == [
        "bad.receipt.xlsx",
        "bad.xlsx",
        "broken.receipt.xlsx",
        "broken.xlsx",
    ]
    receipt = openpyxl.load_workbook(inbox / "rejected" / "bad.receipt.xlsx").worksheets[0]
    results = [row[3] for row in receipt.iter_rows(min_row=2, values_only=True)]
    assert sorted(str(r) for r in results) == ["已登记 created", "被拒 rejected"]
    assert len(all_issues(project)) == 2

    # A second run reads nothing: processed/ and rejected/ are never re-read.
    code, out, _ = cli(project, "import", "--inbox", str(inbox))
    assert (code, out.strip()) == (0, f"no new workbooks in {inbox}")

    # The same form dropped again: imported as unchanged, filed without overwriting.
    form(inbox / "good.xlsx", ("订单金额为零", "保存后为零", "张伟"))
    code, out, _ = cli(project, "import", "--inbox", str(inbox))
    assert code == 0 and "good.xlsx: 0 created, 1 unchanged, 0 rejected" in out
    assert names(inbox / "processed") == [
        "good (2).receipt.xlsx",
        "good (2).xlsx",
        "good.receipt.xlsx",
        "good.xlsx",
    ]
    assert len(all_issues(project)) == 2


def test_inbox_applies_an_edited_export(project: Path, tmp_path: Path) -> None:
    assert cli(project, "new", "--title", "金额不一致", "--owner", "zhangwei")[0] == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "edits.xlsx"
    assert cli(project, "export", "-o", str(path))[0] == 0
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    cols = {str(c.value): int(c.column) for c in sheet[1]}
    sheet.cell(row=2, column=cols[label("owner")], value="lina")
    book.save(path)

    code, out, err = cli(project, "import", "--inbox", str(inbox))
    assert code == 0, err + out
    assert "edits.xlsx: 1 updated, 0 unchanged, 0 rejected, 0 conflict" in out
    assert names(inbox / "processed") == ["edits.receipt.xlsx", "edits.xlsx"]
    assert [i["owner"] for i in all_issues(project)] == ["lina"]


def test_inbox_and_files_together_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    code, _, err = cli(project, "import", "x.xlsx", "--inbox", str(tmp_path))
    assert code == 2 and "not both" in err


def keys_in(path: Path) -> set[str]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cols = {str(c.value): int(c.column) for c in sheet[1]}
    return {
        str(sheet.cell(row=r, column=cols[label("key")]).value) for r in range(2, sheet.max_row + 1)
    }


def test_per_owner_writes_each_owner_only_their_unresolved_issues(
    project: Path, tmp_path: Path
) -> None:
    for title, owner in [("甲", "zhangwei"), ("乙", "zhangwei"), ("丙", "lina"), ("丁", "lina")]:
        assert cli(project, "new", "--title", title, "--owner", owner)[0] == 0
    assert cli(project, "new", "--title", "戊 13800138000")[0] == 0
    by_title = {str(i["title"]): str(i["key"]) for i in all_issues(project)}
    unowned = [t for t, k in by_title.items() if t.startswith("戊")]
    assert unowned
    done = by_title["丁"]
    code, _, err = cli(project, "move", done, "resolved", "--resolution", "fixed")
    assert code == 0, err

    folder = tmp_path / "owners"
    code, out, err = cli(project, "export", "--per-owner", str(folder), "--mask-pii")
    assert code == 0, err
    owners = {i["owner"] for i in all_issues(project)}
    expected = {f"{o}.xlsx" for o in owners if o} | (
        {"(unowned).xlsx"} if None in owners else set()
    )
    assert set(names(folder)) == expected
    assert keys_in(folder / "zhangwei.xlsx") == {by_title["甲"], by_title["乙"]}
    assert keys_in(folder / "lina.xlsx") == {by_title["丙"]}  # 丁 is resolved
    for path in folder.iterdir():
        meta = dict(openpyxl.load_workbook(path)["_meta"].iter_rows(values_only=True))
        assert meta["masked"] == "yes"
    everything = set().union(*(keys_in(p) for p in folder.iterdir()))
    assert everything == set(by_title.values()) - {done}
    assert "13800138000" not in json.dumps(
        [list(r) for p in folder.iterdir() for r in openpyxl.load_workbook(p).worksheets[0].values],
        ensure_ascii=False,
        default=str,
    )

    # The owner edits their file and the lead imports it back.
    book = openpyxl.load_workbook(folder / "zhangwei.xlsx")
    sheet = book.worksheets[0]
    cols = {str(c.value): int(c.column) for c in sheet[1]}
    sheet.cell(row=2, column=cols[label("workaround")], value="先手工改")
    book.save(folder / "zhangwei.xlsx")
    code, out, err = cli(project, "import", str(folder / "zhangwei.xlsx"))
    assert code == 0 and "1 updated, 1 unchanged" in out, err + out


def test_per_owner_with_owner_is_refused(project: Path, tmp_path: Path) -> None:
    code, _, err = cli(project, "export", "--per-owner", str(tmp_path), "--owner", "lina")
    assert code == 2 and "--per-owner" in err
