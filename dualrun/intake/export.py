"""Export issues to a workbook (or CSV) people edit offline and import back.

Editable columns (status, owner, severity, due date, resolution, workaround, a new
comment) have a green header; read-only ones a grey header with the suffix
"（只读 read-only）". Two hidden columns carry, per row, the issue's version and the
editable values as exported, so the import can tell an edit from a conflict. A hidden
``_meta`` sheet marks the workbook as an export. Text that looks like a formula is
written as a text cell with Excel's quote-prefix style (CSV: an apostrophe).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from dualrun.errors import InputError
from dualrun.readiness_report import mask_text
from dualrun.reports.safe import FORMULA_STARTS, formula_safe
from dualrun.store.schema import issue_journal
from dualrun.tracker import IssueFilter, Tracker

EXPORT_KIND = "dualrun-export"
EXPORT_VERSION = 1
EXPORT_SHEET = "问题导出 Issues"
META_SHEET = "_meta"
READ_ONLY = "（只读 read-only）"

#: Editable columns: field → (Chinese, English).
EDITABLE: Mapping[str, tuple[str, str]] = {
    "status": ("状态", "Status"),
    "owner": ("负责人", "Owner"),
    "severity": ("严重程度", "Severity"),
    "due_date": ("截止日期", "Due date"),
    "resolution": ("解决方式", "Resolution"),
    "workaround": ("临时方案", "Workaround"),
    "new_comment": ("新评论", "New comment"),
}
#: Read-only columns: field → (Chinese, English).
READ_ONLY_COLUMNS: Mapping[str, tuple[str, str]] = {
    "key": ("编号", "Key"),
    "title": ("标题", "Title"),
    "kind": ("类型", "Kind"),
    "category": ("类别", "Category"),
    "module": ("模块", "Module"),
    "entity": ("对象", "Entity"),
    "reporter": ("提交人", "Reporter"),
    "evidence": ("证据摘要", "Evidence summary"),
    "history": ("历史条数", "History count"),
}
HIDDEN = ("_version", "_exported")
#: The editable fields that are issue fields (not the new comment).
FIELDS = tuple(f for f in EDITABLE if f != "new_comment")
ORDER = ("key", "title", *EDITABLE, *(f for f in READ_ONLY_COLUMNS if f not in ("key", "title")))
EDIT_FILL = PatternFill("solid", fgColor="E2EFDA")
READ_FILL = PatternFill("solid", fgColor="D9D9D9")
WIDTHS = {"title": 40, "workaround": 30, "new_comment": 30, "evidence": 40}


def label(name: str) -> str:
    if name in EDITABLE:
        zh, en = EDITABLE[name]
        return f"{zh}/{en}"
    if name in READ_ONLY_COLUMNS:
        zh, en = READ_ONLY_COLUMNS[name]
        return f"{zh}/{en}{READ_ONLY}"
    return name


def column_of(header: object) -> str | None:
    """The field a header cell names (suffix, language and spacing tolerated)."""
    if not isinstance(header, str):
        return None
    text = header.replace(READ_ONLY, "").replace("／", "/").strip()
    if text in HIDDEN:
        return text
    for name, (zh, en) in {**EDITABLE, **READ_ONLY_COLUMNS}.items():
        if text.casefold() in (f"{zh}/{en}".casefold(), zh, en.casefold(), name):
            return name
    return None


def display(field: str, value: Any) -> str | None:
    """A stored value as the text the export shows (and the import compares)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if field == "due_date" else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _evidence(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, Mapping):
        text = "; ".join(f"{k}: {v}" for k, v in value.items())
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:299] + "…"


def export_rows(
    tracker: Tracker, flt: IssueFilter, *, mask_pii: bool = False
) -> list[dict[str, Any]]:
    """One dict per issue: every column's value (text), hidden columns included."""
    issues = tracker.list(flt)
    ids = [int(i["id"]) for i in issues]
    counts: dict[int, int] = {}
    with tracker.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                select(issue_journal.c.issue_id, func.count())
                .where(issue_journal.c.issue_id.in_(chunk))
                .group_by(issue_journal.c.issue_id)
            )
            counts.update({int(i): int(n) for i, n in conn.execute(query)})

    def text(value: str | None) -> str | None:
        return mask_text(value, set()) if (mask_pii and value is not None) else value

    rows = []
    for issue in issues:
        row: dict[str, Any] = {f: text(display(f, issue.get(f))) for f in FIELDS}
        row["new_comment"] = None
        for name in READ_ONLY_COLUMNS:
            if name == "evidence":
                row[name] = text(_evidence(issue.get("evidence")))
            elif name == "history":
                row[name] = counts.get(int(issue["id"]), 0)
            else:
                row[name] = text(display(name, issue.get(name)))
        row["_version"] = int(issue["version"])
        row["_exported"] = json.dumps({f: row[f] for f in FIELDS}, ensure_ascii=False)
        rows.append(row)
    return rows


def _text_cell(cell: Cell, value: Any) -> None:
    """Write `value`; text that looks like a formula stays text (quote-prefixed)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.font = Font()  # gives the cell its own style record
            cell._style.quotePrefix = 1


def write_export(
    tracker: Tracker,
    flt: IssueFilter,
    path: Path,
    *,
    fmt: str = "xlsx",
    mask_pii: bool = False,
    now: datetime | None = None,
) -> int:
    """Write the export to `path`; returns the number of issues."""
    rows = export_rows(tracker, flt, mask_pii=mask_pii)
    names = [*ORDER, *HIDDEN]
    try:
        if fmt == "csv":
            _write_csv(path, names, rows)
        elif fmt == "xlsx":
            _write_xlsx(tracker, path, names, rows, mask_pii, now or datetime.now(UTC))
        else:
            raise InputError(f"unknown format {fmt!r}", hint="xlsx or csv")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc
    return len(rows)


def _write_csv(path: Path, names: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([label(n) for n in names])
        for row in rows:
            writer.writerow([formula_safe(row.get(n)) for n in names])


def _write_xlsx(
    tracker: Tracker,
    path: Path,
    names: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    mask_pii: bool,
    now: datetime,
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = EXPORT_SHEET
    for index, name in enumerate(names, start=1):
        cell = sheet.cell(row=1, column=index, value=label(name))
        cell.font = Font(bold=True, color="000000" if name in EDITABLE else "595959")
        cell.fill = EDIT_FILL if name in EDITABLE else READ_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(name, 14)
        if name in HIDDEN:
            sheet.column_dimensions[letter].hidden = True
    for number, row in enumerate(rows, start=2):
        for index, name in enumerate(names, start=1):
            _text_cell(sheet.cell(row=number, column=index), row.get(name))
    sheet.freeze_panes = "C2"

    meta = book.create_sheet(META_SHEET)
    facts: list[tuple[str, object]] = [
        ("form", EXPORT_KIND),
        ("form_version", EXPORT_VERSION),
        ("project", tracker.config.project.name),
        ("generated_at", now.isoformat(timespec="seconds")),
        ("masked", "yes" if mask_pii else "no"),
        ("editable", ", ".join(EDITABLE)),
    ]
    for fact, setting in facts:
        meta.append([fact, formula_safe(setting)])
    meta.sheet_state = "hidden"
    book.active = book.index(sheet)
    book.save(path)


def is_export(path: Path) -> bool:
    """True when `path` is a workbook written by `write_export`."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # not readable here: the form importer reports why
        return False
    try:
        if META_SHEET not in book.sheetnames:
            return False
        for row in book[META_SHEET].iter_rows(values_only=True):
            if row and row[0] == "form":
                return bool(len(row) > 1 and row[1] == EXPORT_KIND)
        return False
    finally:
        book.close()
