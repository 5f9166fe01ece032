"""The intake form: written with dropdowns and hidden row IDs, filled in as a user would,
imported with every row accounted for, once only, in one batch."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import CONFIG, run_cli, write_project

from dualrun.cli.intake import register
from dualrun.cli.issues import app as issues_app
from dualrun.intake.rows import EXAMPLE_ID, Choices, FormRow, Rejection, parse_row

register(issues_app)

PEOPLE = """
[people.lisi]
name = "李四"
role = "lead"

[people.zhangwei]
name = "张伟"

[people.lina]
name = "李娜"
aliases = ["Li Na"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "p", config=CONFIG + PEOPLE)


def cli(project: Path, *args: str, who: str = "lisi") -> tuple[int, str, str]:
    result = run_cli("issues", *args, "-c", str(project), "--as", who)
    return result.code, result.out, result.err


def template(project: Path) -> Path:
    form = project.parent / "问题反馈表.xlsx"
    result = run_cli("issues", "template", "-o", str(form), "-c", str(project))
    assert result.code == 0, result.err
    return form


def all_issues(project: Path) -> list[dict[str, object]]:
    code, out, err = cli(project, "list", "--status", "all", "--json")
    assert code == 0, err
    data = json.loads(out)
    return list(data if isinstance(data, list) else data["issues"])


def test_template_has_dropdowns_hidden_ids_example_and_metadata(project: Path) -> None:
    book = openpyxl.load_workbook(template(project))
    assert book.sheetnames == ["说明 Instructions", "问题 Issues", "_lists", "_meta"]
    assert book["_lists"].sheet_state == "hidden" and book["_meta"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in book["_meta"].iter_rows(values_only=True)}
    assert (meta["form"], meta["form_version"], meta["project"]) == (
        "dualrun-intake",
        1,
        "测试项目",
    )
    instructions = " ".join(str(c) for r in book["说明 Instructions"].values for c in r if c)
    assert "标题必填" in instructions and "A title is required" in instructions

    sheet = book["问题 Issues"]
    assert book.active is sheet and sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[0] == "标题/Title" and header[-1] == "行标识/Row ID"
    assert sheet.column_dimensions["K"].hidden
    ids = [sheet.cell(row=r, column=11).value for r in range(3, sheet.max_row + 1)]
    assert len(ids) == 500 and len(set(ids)) == 500
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(i)) for i in ids)
    assert sheet["K2"].value == EXAMPLE_ID and "示例" in str(sheet["A2"].value)

    lists = book["_lists"]
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert set(validations) == {"B2:B502", "C2:C502", "D2:D502", "E2:E502", "H2:H502"}
    assert all(v.type == "list" for v in sheet.data_validations.dataValidation)
    assert all(f.startswith("'_lists'!$") for f in validations.values())
    owners = [c.value for c in lists["E"][1:] if c.value]
    assert owners == ["李四 (lisi)", "张伟 (zhangwei)", "李娜 (lina)"]
    assert "data problem" in [c.value for c in lists["A"]]  # lang = "en"
    assert [c.value for c in lists["D"][1:] if c.value] == ["account"]


def fill(form: Path) -> None:
    """Type rows into the form as a user in Excel would (row 2 stays the example)."""
    book = openpyxl.load_workbook(form)
    sheet = book["问题 Issues"]
    rows = {
        3: [
            "客户导入后负责人为空",
            "数据问题",
            "S1",
            None,
            "account",
            "C003",
            "导入后为空",
            "李娜",
            None,
            "zhangwei",
        ],
        4: [
            "商机金额被清零",
            "system defect",
            "S2 major (needs a workaround)",
            "SFA",
            None,
            None,
            "保存时",
            None,
            "先手工记录",
            "Li Na",
        ],
        5: ["客户电话重复", "data problm", "S3"],
        6: [None, "question", None, None, None, None, "忘了写标题"],
        7: ["合同日期错", "data_problem", None, None, None, None, None, "王五"],
        8: ["=1+2", "question"],
        9: ["严重程度写错", None, "S5"],
        10: ["公式没有值"],
    }
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    sheet["A8"].data_type = "s"  # typed as '=1+2: text, not a formula
    sheet["G10"] = "=A3&A4"  # a formula openpyxl saves without a cached value
    sheet["B12"].font = openpyxl.styles.Font(bold=True)  # styled but empty: ignored
    book.save(form)


RECEIPT = """\
3 created, 0 unchanged, 5 rejected (batch 1)
  rejected: 问题反馈表.xlsx, sheet '问题 Issues', row 5: 类别/Category: unknown value \
'data problm'; did you mean 'data problem'? (allowed: system defect, data problem, \
process problem, operation/training problem, enhancement request, question)
  rejected: 问题反馈表.xlsx, sheet '问题 Issues', row 6: 标题/Title: missing; every issue \
needs a title
  rejected: 问题反馈表.xlsx, sheet '问题 Issues', row 7: 负责人/Owner: unknown value '王五' \
(allowed: 李四 (lisi), 张伟 (zhangwei), 李娜 (lina))
  rejected: 问题反馈表.xlsx, sheet '问题 Issues', row 9: 严重程度/Severity: unknown value \
'S5' (allowed: S1, S2, S3, S4)
  rejected: 问题反馈表.xlsx, sheet '问题 Issues', row 10: 描述/Description: formula with no \
saved value (type the value)
"""


def test_import_files_good_rows_rejects_bad_ones_and_is_idempotent(project: Path) -> None:
    form = template(project)
    fill(form)
    code, out, err = cli(project, "import", str(form))
    assert code == 1, err
    receipt = form.with_name("问题反馈表.receipt.xlsx")
    assert out == RECEIPT + f"receipt: {receipt}\n"

    issues = {i["title"]: i for i in all_issues(project)}
    assert set(issues) == {"客户导入后负责人为空", "商机金额被清零", "=1+2"}
    first = issues["客户导入后负责人为空"]
    assert (first["category"], first["severity"], first["entity"], first["module"]) == (
        "data_problem",
        "S1",
        "account",
        "SFA",
    )
    assert (first["owner"], first["reporter"], first["record_key"]) == ("lina", "zhangwei", "C003")
    assert str(first["source_ref"]).startswith("form:") and first["source"] == "form"
    second = issues["商机金额被清零"]
    assert (second["severity"], second["reporter"], second["workaround"]) == (
        "S2",
        "lina",
        "先手工记录",
    )
    assert issues["=1+2"]["reporter"] == "lisi"  # no reporter: the person importing
    batches = set()
    for issue in issues.values():
        code, out, err = cli(project, "show", str(issue["key"]), "--json")
        batches |= {j["batch_id"] for j in json.loads(out)["journal"] if j["action"] == "create"}
    assert batches == {1}

    book = openpyxl.load_workbook(receipt)
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:6] == (
        "文件/File",
        "工作表/Sheet",
        "行/Row",
        "结果/Result",
        "问题/Issue",
        "原因/Reason",
    )
    results = {r[2]: r[3] for r in rows[1:]}
    assert results == {
        3: "已登记 created",
        4: "已登记 created",
        5: "被拒 rejected",
        6: "被拒 rejected",
        7: "被拒 rejected",
        8: "已登记 created",
        9: "被拒 rejected",
        10: "被拒 rejected",
    }
    assert [r[6] for r in rows if r[2] == 8] == ["'=1+2"]  # formula-safe in the receipt

    code, out, err = cli(project, "import", str(form))
    assert code == 1, err
    assert out.splitlines()[0] == "0 created, 3 unchanged, 5 rejected"
    assert cli(project, "import", str(receipt))[0] == 2  # a receipt is not a form
    assert len(all_issues(project)) == 3


def test_dry_run_changes_nothing(project: Path) -> None:
    form = template(project)
    fill(form)
    code, out, err = cli(project, "import", str(form), "--dry-run")
    assert code == 1, err
    assert out.splitlines()[0] == "3 would be created, 0 unchanged, 5 rejected"
    assert "dry run: nothing was changed" in out
    assert all_issues(project) == []
    assert not form.with_name("问题反馈表.receipt.xlsx").exists()


def test_a_sheet_without_row_ids_is_matched_on_reporter_and_content(
    project: Path, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Title", "Description", "Reporter", "Category"])
    sheet.append(["导出报表很慢", "超过一分钟", "zhangwei", "question"])
    sheet.append([])
    sheet.append(["导出报表很慢", "超过一分钟", "zhangwei", "question"])  # sent twice
    path = tmp_path / "my own sheet.xlsx"
    book.save(path)
    code, out, _ = cli(project, "import", str(path))
    assert (code, out.splitlines()[0]) == (0, "1 created, 1 unchanged, 0 rejected (batch 1)")
    code, out, _ = cli(project, "import", str(path), who="zhangwei")
    assert (code, out.splitlines()[0]) == (0, "0 created, 2 unchanged, 0 rejected"), out
    assert len(all_issues(project)) == 1


def test_a_copied_row_id_with_other_content_is_rejected(project: Path) -> None:
    form = template(project)
    book = openpyxl.load_workbook(form)
    sheet = book["问题 Issues"]
    sheet["A3"], sheet["A4"] = "第一个问题", "复制后改写的问题"
    sheet["K4"] = sheet["K3"].value  # the user copied row 3, hidden ID and all
    book.save(form)
    for _ in range(2):
        code, out, err = cli(project, "import", str(form))
        assert code == 1, err
        assert "row 4: 行标识/Row ID already used by" in out and "(a copied row?)" in out
    assert [i["title"] for i in all_issues(project)] == ["第一个问题"]


def test_nothing_readable_exits_2_and_changes_nothing(project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    no_form = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(no_form)
    for path in (bad, no_form, tmp_path / "missing.xlsx"):
        code, out, err = cli(project, "import", str(path))
        assert code == 2, (path, out, err)
    assert all_issues(project) == []


def test_all_rows_good_exits_0() -> None:
    choices = Choices.build({"account": ("SFA", "客户")}, {"lina": ("李娜", ("Li Na",))})
    row = parse_row(
        {"title": " 客户重复 ", "entity": "客户", "owner": "li na", "category": "改进建议"},
        choices,
    )
    assert row == FormRow(title="客户重复", entity="account", owner="lina", category="enhancement")
    bad = parse_row({"title": "x", "module": "ERP", "entity": "account"}, choices)
    assert isinstance(bad, Rejection) and "模块/Module: unknown value 'ERP'" in bad.reason


def test_a_formula_cell_is_imported_as_its_saved_value(project: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["标题", "描述"])
    sheet.append(["合计不对", "=1+2"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    saved = tmp_path / "saved.xlsx"  # as Excel saves it: the formula with its value
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(saved, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")
            dst.writestr(info, data)
    code, out, _ = cli(project, "import", str(saved))
    assert (code, out.splitlines()[0]) == (0, "1 created, 0 unchanged, 0 rejected (batch 1)")
    assert [i["description"] for i in all_issues(project)] == ["3"]
