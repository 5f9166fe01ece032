"""Import filled-in intake forms: every row created, unchanged or rejected, with why.

All files are read (and every row checked) before anything is written; the issues are
then created in ONE transaction as ONE journal batch. A row's identity is its hidden
Row ID (``issues.source_ref = form:<id>``), else its reporter + title + description, so
importing the same form twice files nothing twice. ``dry_run`` writes nothing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from dualrun.errors import EXIT_FINDINGS, EXIT_OK, DualrunError, InputError
from dualrun.intake.rows import (
    COLUMNS,
    NO_SAVED_VALUE,
    Choices,
    FormRow,
    Rejection,
    cell_text,
    header_field,
    header_label,
    is_blank,
    is_example,
    parse_row,
)
from dualrun.reports.safe import formula_safe
from dualrun.store import issues as repo
from dualrun.store.schema import issues as issues_table
from dualrun.tracker import Tracker

CREATED = "created"
UNCHANGED = "unchanged"
REJECTED = "rejected"
HEADER_SCAN_ROWS = 10
RECEIPT_SHEET = "回执 Receipt"
SKIPPED_SHEETS = ("_meta", "_lists", RECEIPT_SHEET)  # a receipt is never read as a form


@dataclass(frozen=True)
class RowOutcome:
    file: str
    sheet: str
    row: int
    result: str  # created | unchanged | rejected
    values: Mapping[str, str | None]
    key: str | None = None
    reason: str = ""


class Outcome(Protocol):
    """One row's outcome, as a receipt lists it."""

    @property
    def file(self) -> str: ...
    @property
    def sheet(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def result(self) -> str: ...
    @property
    def reason(self) -> str: ...


RowResult = TypeVar("RowResult", bound=Outcome)


@dataclass(frozen=True)
class BatchReceipt(Generic[RowResult]):
    """What one import did: an outcome per row, its batch and the receipt files written."""

    files: tuple[Path, ...]
    outcomes: tuple[RowResult, ...]
    dry_run: bool = False
    batch_id: int | None = None
    receipt_files: tuple[Path, ...] = field(default_factory=tuple)
    FAILED: ClassVar[tuple[str, ...]] = (REJECTED,)  # results that make the exit code 1

    def count(self, result: str) -> int:
        return sum(1 for o in self.outcomes if o.result == result)

    @property
    def failed(self) -> list[RowResult]:
        return [o for o in self.outcomes if o.result in self.FAILED]

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.failed else EXIT_OK

    def _summary(self, counts: str) -> list[str]:
        """``counts`` and the batch, a line per failed row, then what else happened."""
        batch = f" (batch {self.batch_id})" if self.batch_id is not None else ""
        lines = [counts + batch, *(self._failed_line(o) for o in self.failed)]
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        lines.extend(f"receipt: {path}" for path in self.receipt_files)
        return lines

    def _failed_line(self, outcome: RowResult) -> str:
        where = f"{outcome.file}, sheet {outcome.sheet!r}, row {outcome.row}"
        return f"  {outcome.result}: {where}: {outcome.reason}"


@dataclass(frozen=True)
class Receipt(BatchReceipt[RowOutcome]):
    """What importing filled-in forms did: created, unchanged, rejected."""

    def summary_lines(self) -> list[str]:
        created = "would be created" if self.dry_run else "created"
        return self._summary(
            f"{self.count(CREATED)} {created}, {self.count(UNCHANGED)} unchanged, "
            f"{self.count(REJECTED)} rejected"
        )


@dataclass(frozen=True)
class _Read:
    file: Path
    sheet: str
    row: int
    values: Mapping[str, object]
    parsed: FormRow | Rejection


@dataclass(frozen=True)
class _Base:
    item: _Read

    def outcome(self, result: str, key: str | None = None, reason: str = "") -> RowOutcome:
        item = self.item
        return RowOutcome(
            file=item.file.name,
            sheet=item.sheet,
            row=item.row,
            result=result,
            values={k: cell_text(v) for k, v in item.values.items()},
            key=key,
            reason=reason,
        )


def choices_for(tracker: Tracker) -> Choices:
    return Choices.build(
        {name: (e.module, e.label) for name, e in tracker.config.entities.items()},
        {login: (p.name, tuple(p.aliases)) for login, p in tracker.people.items()},
    )


def import_forms(
    tracker: Tracker, files: Sequence[Path], *, dry_run: bool = False, write_receipts: bool = True
) -> Receipt:
    """Read every file, then file the good rows as one batch in one transaction."""
    if not files:
        raise InputError("no file given", hint="dualrun issues import 问题反馈表.xlsx")
    choices = choices_for(tracker)
    lang = tracker.config.project.lang
    read = [r for path in files for r in _read_file(path, choices, lang)]

    outcomes: list[RowOutcome] = []
    batch_id: int | None = None
    with tracker.engine.begin() as conn:
        refs = [r.parsed.source_ref for r in read if isinstance(r.parsed, FormRow)]
        known = _existing(conn, refs)
        seen: dict[str, _Read] = {}
        filed: dict[str, str] = {}
        for item in read:
            base = _Base(item)
            parsed = item.parsed
            if isinstance(parsed, Rejection):
                outcomes.append(base.outcome(result=REJECTED, reason=parsed.reason))
                continue
            ref = parsed.source_ref
            if ref in known:
                key, title, description = known[ref]
                if (title, description or "") == (parsed.title, parsed.description):
                    outcomes.append(base.outcome(UNCHANGED, key, f"already filed as {key}"))
                else:
                    outcomes.append(base.outcome(REJECTED, reason=_copied(key)))
                continue
            if ref in seen:
                first = seen[ref]
                if first.parsed == parsed:
                    outcomes.append(
                        base.outcome(
                            UNCHANGED,
                            filed.get(ref),
                            f"same as sheet {first.sheet!r} row {first.row}",
                        )
                    )
                else:
                    where = f"sheet {first.sheet!r} row {first.row}"
                    outcomes.append(base.outcome(REJECTED, reason=_copied(where)))
                continue
            if dry_run:
                seen[ref] = item
                outcomes.append(base.outcome(result=CREATED))
                continue
            if batch_id is None:
                batch_id = repo.start_batch(
                    conn,
                    kind="import",
                    actor=tracker.actor.login,
                    at=tracker.clock(),
                    source=", ".join(p.name for p in files),
                )
            try:
                key = _file(tracker, parsed, conn, batch_id)
            except DualrunError as error:  # refused before anything was written
                outcomes.append(base.outcome(result=REJECTED, reason=error.message))
                continue
            seen[ref] = item
            filed[ref] = key
            outcomes.append(base.outcome(result=CREATED, key=key))
    receipt = Receipt(
        files=tuple(files), outcomes=tuple(outcomes), dry_run=dry_run, batch_id=batch_id
    )
    if dry_run or not write_receipts:
        return receipt
    written = tuple(write_receipt(receipt, path) for path in files)
    return Receipt(
        files=receipt.files,
        outcomes=receipt.outcomes,
        dry_run=False,
        batch_id=batch_id,
        receipt_files=written,
    )


def _file(tracker: Tracker, row: FormRow, conn: Any, batch_id: int) -> str:
    extra: dict[str, Any] = {}
    if row.reporter:
        extra["reporter"] = row.reporter
    return tracker.new(
        title=row.title,
        category=row.category,
        severity=row.severity,
        description=row.description,
        module=row.module,
        entity=row.entity,
        record_key=row.record,
        owner=row.owner,
        workaround=row.workaround,
        source="form",
        source_ref=row.source_ref,
        extra=extra,
        connection=conn,
        batch_id=batch_id,
    )


def _copied(first: str) -> str:
    return (
        f"{header_label('row_id')} already used by {first} with another title or description "
        "(a copied row?); clear the row's ID cell to file it as a new issue"
    )


def _existing(conn: Any, refs: Sequence[str]) -> dict[str, tuple[str, str, str | None]]:
    """Issues already filed from these rows: source_ref → (key, title, description)."""
    found: dict[str, tuple[str, str, str | None]] = {}
    wanted = sorted(set(refs))
    c = issues_table.c
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(c.source_ref, c.key, c.title, c.description).where(c.source_ref.in_(chunk))
        for ref, key, title, description in conn.execute(query.order_by(c.id)):
            found.setdefault(ref, (key, title, description))
    return found


def _open(path: Path, data_only: bool) -> Any:
    try:
        return load_workbook(path, data_only=data_only)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(
            f"{path}: cannot be read as an xlsx workbook ({exc})",
            hint="save it from Excel or WPS as .xlsx and import again",
        ) from exc


def _read_file(path: Path, choices: Choices, lang: str) -> list[_Read]:
    formulas = _open(path, data_only=False)
    values = _open(path, data_only=True)
    out: list[_Read] = []
    forms = 0
    for sheet in formulas.worksheets:
        if sheet.title in SKIPPED_SHEETS:
            continue
        header = _header(sheet)
        if header is None:
            continue
        forms += 1
        header_row, columns = header
        cached = values[sheet.title]
        for number in range(header_row + 1, sheet.max_row + 1):
            row: dict[str, object] = {}
            for index, name in columns.items():
                cell = sheet.cell(row=number, column=index)
                if cell.data_type == "f":
                    saved = cached.cell(row=number, column=index).value
                    row[name] = NO_SAVED_VALUE if saved is None else saved
                else:
                    row[name] = cell.value
            if is_blank(row) or is_example(row):
                continue
            out.append(_Read(path, sheet.title, number, row, parse_row(row, choices, lang)))
    if not forms:
        titles = " or ".join(repr(t) for t in COLUMNS["title"])
        raise InputError(
            f"{path}: no sheet has a header row with a {titles} column",
            hint="use the form from `dualrun issues template`",
        )
    return out


def _header(sheet: Worksheet) -> tuple[int, dict[int, str]] | None:
    for number in range(1, min(sheet.max_row, HEADER_SCAN_ROWS) + 1):
        columns: dict[int, str] = {}
        for cell in sheet[number]:
            name = header_field(cell.value)
            if name is not None and name not in columns.values():
                columns[int(cell.column)] = name
        if "title" in columns.values() and len(columns) >= 2:
            return number, columns
    return None


RECEIPT_HEADERS = [
    "文件/File",
    "工作表/Sheet",
    "行/Row",
    "结果/Result",
    "问题/Issue",
    "原因/Reason",
]
RESULT_LABELS = {
    CREATED: "已登记 created",
    UNCHANGED: "未变化 unchanged",
    REJECTED: "被拒 rejected",
}


def receipt_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.receipt.xlsx")


def write_receipt(receipt: Receipt, path: Path) -> Path:
    """`<name>.receipt.xlsx` beside `path`: its rows with their result; text formula-safe."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = RECEIPT_SHEET
    fields = list(COLUMNS)
    sheet.append(RECEIPT_HEADERS + [header_label(n) for n in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for o in receipt.outcomes:
        if o.file != path.name:
            continue
        cells: list[object] = [
            o.file,
            o.sheet,
            o.row,
            RESULT_LABELS[o.result],
            o.key,
            o.reason,
            *(o.values.get(n) for n in fields),
        ]
        sheet.append([formula_safe(v) for v in cells])
    target = receipt_path(path)
    try:
        book.save(target)
    except OSError as exc:
        raise InputError(f"cannot write the receipt {target}: {exc.strerror}") from exc
    return target
