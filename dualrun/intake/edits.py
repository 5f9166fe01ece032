"""Import an edited export: apply each row's edits as the importing person, in one batch.

Every row ends as updated, unchanged, rejected (with why) or conflict. A row conflicts
when the issue's version in the store differs from the hidden version in the file AND a
field the row changes was also changed in the store since the export (compared with the
hidden exported values); such a row is not applied at all. Evidence refreshed by the
nightly job does not bump the version, so it is never a conflict.

The rules are those of ``Tracker.move`` / ``Tracker.edit`` / ``Tracker.comment``
(permissions, lifecycle, known owners, default due date), applied here on ONE
connection so the whole import is one transaction and every journal row carries the
import's batch id. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import Connection, Row, and_, select

from dualrun.errors import DualrunError, InputError
from dualrun.intake.export import FIELDS, column_of, display
from dualrun.intake.importer import RECEIPT_HEADERS, BatchReceipt, choices_for, receipt_path
from dualrun.intake.rows import NO_SAVED_VALUE, cell_text
from dualrun.issues import SEVERITIES
from dualrun.issues.permissions import check
from dualrun.readiness_report import mask_text
from dualrun.reports.safe import formula_safe
from dualrun.store import issues as repo
from dualrun.store.schema import issue_comments
from dualrun.tracker import Tracker, state_of

UPDATED = "updated"
UNCHANGED = "unchanged"
REJECTED = "rejected"
CONFLICT = "conflict"
RESULT_LABELS = {
    UPDATED: "已更新 updated",
    UNCHANGED: "未变化 unchanged",
    REJECTED: "被拒 rejected",
    CONFLICT: "冲突 conflict",
}


@dataclass(frozen=True)
class Conflict:
    field: str
    in_file: str | None
    in_store: str | None

    def __str__(self) -> str:
        return f"{self.field}: file {self.in_file!r}, store {self.in_store!r}"


@dataclass(frozen=True)
class EditOutcome:
    file: str
    sheet: str
    row: int
    result: str
    key: str | None = None
    reason: str = ""
    conflicts: tuple[Conflict, ...] = ()


@dataclass(frozen=True)
class EditReceipt(BatchReceipt[EditOutcome]):
    """What importing an edited export did: updated, unchanged, rejected, conflict."""

    FAILED: ClassVar[tuple[str, ...]] = (REJECTED, CONFLICT)

    def summary_lines(self) -> list[str]:
        updated = "would be updated" if self.dry_run else "updated"
        return self._summary(
            f"{self.count(UPDATED)} {updated}, {self.count(UNCHANGED)} unchanged, "
            f"{self.count(REJECTED)} rejected, {self.count(CONFLICT)} conflict"
        )

    def _failed_line(self, outcome: EditOutcome) -> str:
        where = f"{outcome.file}, sheet {outcome.sheet!r}, row {outcome.row}"
        key = f" ({outcome.key})" if outcome.key else ""
        return f"  {outcome.result}: {where}{key}: {outcome.reason}"


@dataclass(frozen=True)
class _EditRow:
    file: Path
    sheet: str
    row: int
    key: str | None
    version: int | None
    exported: Mapping[str, str | None]
    values: Mapping[str, str | None]  # field → text in the file
    comment: str | None
    problems: tuple[str, ...]

    def outcome(
        self, result: str, reason: str = "", conflicts: Sequence[Conflict] = ()
    ) -> EditOutcome:
        return EditOutcome(
            self.file.name, self.sheet, self.row, result, self.key, reason, tuple(conflicts)
        )


def _open(path: Path, data_only: bool) -> Any:
    try:
        return load_workbook(path, data_only=data_only)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot be read as an xlsx workbook ({exc})") from exc


def _masked(book: Any) -> bool:
    if "_meta" not in book.sheetnames:
        return False
    return any(r[:2] == ("masked", "yes") for r in book["_meta"].iter_rows(values_only=True))


def _date_text(value: object) -> tuple[str | None, str | None]:
    if isinstance(value, datetime):
        return value.date().isoformat(), None
    if isinstance(value, date):
        return value.isoformat(), None
    text = cell_text(value)
    if text is None:
        return None, None
    try:
        return date.fromisoformat(text[:10].replace("/", "-")).isoformat(), None
    except ValueError:
        return None, f"截止日期/Due date: bad date {text!r} (use YYYY-MM-DD)"


def read_export(path: Path) -> tuple[list[_EditRow], bool]:
    """The rows of an exported workbook, and whether it was exported masked."""
    formulas = _open(path, data_only=False)
    cached = _open(path, data_only=True)
    out: list[_EditRow] = []
    for sheet in formulas.worksheets:
        if sheet.title.startswith("_") or sheet.max_row < 1:
            continue
        columns = {int(c.column): n for c in sheet[1] if (n := column_of(c.value)) is not None}
        if not {"key", "_version"} <= set(columns.values()):
            continue
        for number in range(2, sheet.max_row + 1):
            raw: dict[str, object] = {}
            for index, name in columns.items():
                cell = sheet.cell(row=number, column=index)
                if cell.data_type == "f":
                    saved = cached[sheet.title].cell(row=number, column=index).value
                    raw[name] = NO_SAVED_VALUE if saved is None else saved
                else:
                    raw[name] = cell.value
            if all(cell_text(v) is None and v is not NO_SAVED_VALUE for v in raw.values()):
                continue
            problems = [
                f"{n}: formula with no saved value (type the value)"
                for n, v in raw.items()
                if v is NO_SAVED_VALUE
            ]
            values: dict[str, str | None] = {}
            for name in FIELDS:
                if name not in raw:
                    continue
                if name == "due_date":
                    values[name], problem = _date_text(raw[name])
                    if problem:
                        problems.append(problem)
                else:
                    values[name] = cell_text(raw[name])
            try:
                exported = json.loads(str(raw.get("_exported") or "{}"))
                version = int(str(cell_text(raw.get("_version"))))
            except ValueError:
                exported, version = {}, None
                problems.append("the hidden version columns were changed; export again")
            out.append(
                _EditRow(
                    path,
                    sheet.title,
                    number,
                    (cell_text(raw.get("key")) or "").upper() or None,
                    version,
                    exported,
                    values,
                    cell_text(raw.get("new_comment")),
                    tuple(problems),
                )
            )
    return out, _masked(formulas)


def import_edits(
    tracker: Tracker, files: Sequence[Path], *, dry_run: bool = False, write_receipts: bool = True
) -> EditReceipt:
    """Apply the edits of exported workbooks as one batch in one transaction."""
    read = [(r, masked) for path in files for r, masked in _with_mask(read_export(path))]
    outcomes: list[EditOutcome] = []
    batch: list[int] = []
    with tracker.engine.begin() as conn:
        for item, masked in read:
            outcomes.append(_apply(tracker, conn, item, masked, dry_run, batch, files))
    receipt = EditReceipt(
        tuple(files), tuple(outcomes), dry_run, None if dry_run or not batch else batch[0]
    )
    if dry_run or not write_receipts:
        return receipt
    written = tuple(write_edit_receipt(receipt, path) for path in files)
    return EditReceipt(receipt.files, receipt.outcomes, False, receipt.batch_id, written)


def _with_mask(found: tuple[list[_EditRow], bool]) -> list[tuple[_EditRow, bool]]:
    rows, masked = found
    return [(r, masked) for r in rows]


def _value(tracker: Tracker, name: str, text: str | None) -> Any:
    """The store value for a field's text in the file (raises UsageError if unknown)."""
    if text is None:
        return None
    if name == "due_date":
        return date.fromisoformat(text)
    if name == "owner":
        login = choices_for(tracker).people.get(" ".join(text.split()).casefold())
        if login is None:
            tracker._known_person(text)  # raises naming the people known
            return text
        return login
    if name == "severity":
        code = text.split()[0].upper()
        return code if code in SEVERITIES else text
    if name in ("status", "resolution"):
        return text.strip().replace(" ", "_").lower()
    return text


def _canonical(tracker: Tracker, name: str, text: str | None) -> str | None:
    """The file's text as the export would show the value it means ('李娜' → 'lina')."""
    try:
        return display(name, _value(tracker, name, text))
    except DualrunError:
        return text  # unknown: rejected, with the reason, when applied


def _apply(
    tracker: Tracker,
    conn: Connection,
    item: _EditRow,
    masked: bool,
    dry_run: bool,
    batch: list[int],
    files: Sequence[Path],
) -> EditOutcome:
    if item.problems:
        return item.outcome(REJECTED, "; ".join(item.problems))
    if item.key is None:
        return item.outcome(REJECTED, "编号/Key: missing; this row is not from an export")
    try:
        row = repo.get_row(conn, item.key)
    except DualrunError as error:
        return item.outcome(REJECTED, error.message)

    def in_store(name: str) -> str | None:
        text = display(name, row._mapping[name])
        return mask_text(text, set()) if (masked and text is not None) else text

    changed: dict[str, str | None] = {}
    conflicts: list[Conflict] = []
    for name, typed in item.values.items():
        text = _canonical(tracker, name, typed)
        store = in_store(name)
        before = item.exported.get(name)
        if text in (store, before):  # already so, or not edited in the file
            continue
        if int(row.version) != item.version and before != store:
            conflicts.append(Conflict(name, text, store))
        else:
            changed[name] = text
    if conflicts:
        reason = "changed in the store since the export: " + "; ".join(map(str, conflicts))
        return item.outcome(CONFLICT, reason, conflicts)
    comment = item.comment
    if comment is not None and _has_comment(conn, int(row.id), tracker.actor.login, comment):
        comment = None
    if not changed and comment is None:
        return item.outcome(UNCHANGED)
    try:
        planned = _plan(tracker, row, {n: _value(tracker, n, t) for n, t in changed.items()})
        if comment is not None:
            check(tracker.actor, "comment", state_of(row), tracker.settings, tracker.people)
    except DualrunError as error:
        return item.outcome(REJECTED, error.message)
    if not planned and comment is None:
        return item.outcome(UNCHANGED)
    if dry_run:
        return item.outcome(UPDATED)
    if not batch:
        batch.append(
            repo.start_batch(
                conn,
                kind="import-edits",
                actor=tracker.actor.login,
                at=tracker.clock(),
                source=", ".join(p.name for p in files),
            )
        )
    at = tracker.clock()
    try:
        if planned:
            repo.change_issue(
                conn,
                item.key,
                planned,
                expected=row._mapping,
                actor=tracker.actor.login,
                at=at,
                batch_id=batch[0],
            )
        if comment is not None:
            repo.add_comment(
                conn,
                int(row.id),
                author=tracker.actor.login,
                at=at,
                body=comment,
                batch_id=batch[0],
            )
    except DualrunError as error:  # the UPDATE lost a race: nothing of this row written
        return item.outcome(CONFLICT, error.message)
    return item.outcome(UPDATED)


def _plan(tracker: Tracker, row: Row[Any], changes: dict[str, Any]) -> dict[str, Any]:
    """What `Tracker.move` (status given) or `Tracker.edit` would write; raises if refused."""
    tracker.check_values(changes)
    if "status" in changes:
        status = changes.pop("status")
        if status is None:
            raise InputError("状态/Status: cannot be blank")
        return tracker.plan_move(row, status, changes)
    return tracker.plan_edit(row, changes)


def _has_comment(conn: Connection, issue_id: int, author: str, body: str) -> bool:
    c = issue_comments.c
    found = conn.execute(
        select(c.id).where(and_(c.issue_id == issue_id, c.author == author, c.body == body))
    ).first()
    return found is not None


def write_edit_receipt(receipt: EditReceipt, path: Path) -> Path:
    """`<name>.receipt.xlsx` beside `path`: each row's result and why."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "回执 Receipt"
    sheet.append([*RECEIPT_HEADERS, "字段/Field", "文件中/In file", "库中/In store"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for o in receipt.outcomes:
        if o.file != path.name:
            continue
        base = [o.file, o.sheet, o.row, RESULT_LABELS[o.result], o.key, o.reason]
        if not o.conflicts:
            sheet.append([formula_safe(v) for v in base])
        for c in o.conflicts:
            sheet.append([formula_safe(v) for v in (*base, c.field, c.in_file, c.in_store)])
    target = receipt_path(path)
    try:
        book.save(target)
    except OSError as exc:
        raise InputError(f"cannot write the receipt {target}: {exc.strerror}") from exc
    return target
