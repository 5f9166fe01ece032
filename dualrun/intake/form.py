"""Write the intake form: instructions, an input sheet with dropdowns, hidden metadata.

Each input row carries a hidden, stable Row ID, so importing the same form twice files
nothing twice. Dropdowns help the user; the import checks every value again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dualrun.config import Config
from dualrun.errors import InputError
from dualrun.intake.rows import (
    COLUMNS,
    EXAMPLE_ID,
    EXAMPLE_TITLE,
    category_choices,
    header_label,
    person_choice,
    severity_choices,
)
from dualrun.reports.safe import formula_safe

FORM_KIND = "dualrun-intake"
FORM_VERSION = 1
DEFAULT_ROWS = 500
INPUT_SHEET = "问题 Issues"
INSTRUCTIONS_SHEET = "说明 Instructions"
META_SHEET = "_meta"
LISTS_SHEET = "_lists"

INSTRUCTIONS = [
    ("问题反馈表 / Issue report form", ""),
    ("", ""),
    (
        "1. 在「问题 Issues」工作表中每行填写一个问题；第 2 行是示例，导入时跳过。",
        "1. Fill in one issue per row on the 'Issues' sheet; row 2 is an example and is skipped.",
    ),
    (
        "2. 标题必填；类别、严重程度、模块、对象、负责人请从下拉列表中选择。",
        "2. A title is required; pick category, severity, module, entity and owner from the lists.",
    ),
    (
        "3. 不要修改表头，不要删除或复制隐藏的「行标识」列。",
        "3. Do not change the headers; do not delete or copy the hidden 'Row ID' column.",
    ),
    (
        "4. 填好后交给项目组，由其运行 dualrun issues import 导入；重复导入不会重复登记。",
        "4. Send the file to the project team (dualrun issues import); "
        "importing it twice files nothing twice.",
    ),
    (
        "5. 每行的结果（已登记 / 未变化 / 被拒及原因）写在回执文件中。",
        "5. The receipt workbook says for every row: created, unchanged, or rejected and why.",
    ),
    ("", ""),
    ("严重程度 / Severity", ""),
]
WIDTHS = {"title": 40, "description": 50, "workaround": 30, "record": 16}


def write_form(
    config: Config,
    path: Path,
    *,
    rows: int = DEFAULT_ROWS,
    new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    now: datetime | None = None,
) -> Path:
    """Write the intake form for this project to `path`."""
    lang = config.project.lang
    book = Workbook()
    info = book.active
    assert info is not None
    info.title = INSTRUCTIONS_SHEET
    for zh, en in INSTRUCTIONS:
        info.append([zh, en])
    for zh, en in zip(severity_choices("zh"), severity_choices("en"), strict=True):
        info.append([zh, en])
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 70
    info.column_dimensions["B"].width = 90

    sheet = book.create_sheet(INPUT_SHEET)
    names = list(COLUMNS)
    sheet.append([header_label(n) for n in names])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 14)
    id_column = get_column_letter(names.index("row_id") + 1)
    sheet.column_dimensions[id_column].hidden = True

    example = {
        "title": EXAMPLE_TITLE,
        "category": category_choices(lang)[0],
        "severity": severity_choices(lang)[1],
        "description": "示例行，导入时跳过 / Example row, skipped on import",
        "row_id": EXAMPLE_ID,
    }
    sheet.append([formula_safe(example.get(n)) for n in names])
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
    for _ in range(rows):
        sheet.append([new_id() if n == "row_id" else None for n in names])

    lists = book.create_sheet(LISTS_SHEET)
    people = config.data.people
    columns = {
        "category": category_choices(lang),
        "severity": severity_choices(lang),
        "module": sorted({e.module for e in config.entities.values()}),
        "entity": list(config.entities),
        "owner": [person_choice(login, p.name) for login, p in people.items()],
    }
    last = rows + 2
    for index, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=header_label(name))
        for offset, value in enumerate(values, start=2):
            lists.cell(row=offset, column=index, value=formula_safe(value))
        if not values:
            continue
        check = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            error="请从列表中选择 / Please pick a value from the list",
        )
        target = get_column_letter(names.index(name) + 1)
        check.add(f"{target}2:{target}{last}")
        sheet.add_data_validation(check)
    lists.sheet_state = "hidden"

    meta = book.create_sheet(META_SHEET)
    facts: list[tuple[str, object]] = [
        ("form", FORM_KIND),
        ("form_version", FORM_VERSION),
        ("project", config.project.name),
        ("generated_at", (now or datetime.now(UTC)).isoformat(timespec="seconds")),
    ]
    for fact, setting in facts:
        meta.append([fact, formula_safe(setting)])
    meta.sheet_state = "hidden"
    book.active = book.index(sheet)
    for each in book.worksheets:  # one selected tab, else Excel opens them grouped
        each.sheet_view.tabSelected = each is sheet
    try:
        book.save(path)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc
    return path
