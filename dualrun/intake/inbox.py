"""`dualrun issues import --inbox DIR`: process every new workbook dropped in a folder.

Each new ``.xlsx`` directly in DIR (not receipts, not hidden or Office lock files such
as ``~$x.xlsx``) is imported on its own, as `import` would (forms → created / unchanged /
rejected; exports → edits), then moved with its receipt beside it to ``DIR/processed/``
when every row was applied or unchanged, else to ``DIR/rejected/`` (some row rejected or
in conflict, or the file could not be read). Only DIR itself is scanned, so a file in
``processed/`` or ``rejected/`` is never read again; a name already taken there gets a
numbered suffix rather than overwriting it. ``dry_run`` writes and moves nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dualrun.errors import EXIT_ERROR, EXIT_OK, DualrunError, InputError
from dualrun.intake.edits import import_edits
from dualrun.intake.export import is_export
from dualrun.intake.importer import (
    REJECTED,
    Receipt,
    RowOutcome,
    import_forms,
    receipt_path,
    write_receipt,
)
from dualrun.tracker import Tracker

PROCESSED = "processed"
REJECTED_DIR = "rejected"
RECEIPT_SUFFIX = ".receipt.xlsx"


@dataclass(frozen=True)
class InboxFile:
    file: Path  # where it was found
    lines: tuple[str, ...]  # the import's summary
    exit_code: int
    moved_to: Path | None = None  # None on a dry run
    receipt: Path | None = None

    @property
    def folder(self) -> str:
        return PROCESSED if self.exit_code == EXIT_OK else REJECTED_DIR

    def summary_lines(self, dry_run: bool) -> list[str]:
        head = self.lines[0] if self.lines else ""
        if dry_run:
            where = f"would move to {self.folder}/"
        else:
            where = f"moved to {self.moved_to}" if self.moved_to else "not moved"
        out = [f"{self.file.name}: {head}; {where}"]
        out += [f"  {line.strip()}" for line in self.lines[1:] if not _is_footer(line)]
        return out


def _is_footer(line: str) -> bool:
    return line.startswith(("receipt: ", "dry run: "))


def new_workbooks(inbox: Path) -> list[Path]:
    """The workbooks in `inbox` still to process, by name."""
    if not inbox.is_dir():
        raise InputError(f"{inbox}: no such folder", hint="--inbox takes the shared folder")
    found = []
    for path in sorted(inbox.iterdir()):
        name = path.name
        if not path.is_file() or path.suffix.lower() != ".xlsx":
            continue
        if name.startswith(("~", ".")) or name.lower().endswith(RECEIPT_SUFFIX):
            continue
        found.append(path)
    return found


def process_inbox(tracker: Tracker, inbox: Path, *, dry_run: bool = False) -> list[InboxFile]:
    """Import each new workbook in `inbox` on its own and file it away with its receipt."""
    results = []
    for path in new_workbooks(inbox):
        lines, code, receipt = _import_one(tracker, path, dry_run)
        item = InboxFile(path, tuple(lines), code)
        if not dry_run:
            target = inbox / item.folder
            moved, moved_receipt = _move(path, receipt, target)
            item = InboxFile(path, tuple(lines), code, moved, moved_receipt)
        results.append(item)
    return results


def exit_code(results: Sequence[InboxFile]) -> int:
    return max((r.exit_code for r in results), default=EXIT_OK)


def _import_one(tracker: Tracker, path: Path, dry_run: bool) -> tuple[list[str], int, Path | None]:
    try:
        if is_export(path):
            edits = import_edits(tracker, [path], dry_run=dry_run)
            lines, code = edits.summary_lines(), edits.exit_code
            receipt = edits.receipt_files[0] if edits.receipt_files else None
        else:
            forms = import_forms(tracker, [path], dry_run=dry_run)
            lines, code = forms.summary_lines(), forms.exit_code
            receipt = forms.receipt_files[0] if forms.receipt_files else None
    except DualrunError as error:  # unreadable: nothing of it was written
        lines, code, receipt = [f"not read: {error.message}"], EXIT_ERROR, None
        if not dry_run:
            receipt = _unreadable_receipt(path, error.message)
    return lines, code, receipt


def _unreadable_receipt(path: Path, reason: str) -> Path | None:
    outcome = RowOutcome(file=path.name, sheet="", row=0, result=REJECTED, values={}, reason=reason)
    try:
        return write_receipt(Receipt(files=(path,), outcomes=(outcome,)), path)
    except DualrunError:
        return None


def _move(path: Path, receipt: Path | None, folder: Path) -> tuple[Path, Path | None]:
    """Move the workbook (and its receipt, renamed to match) into `folder`."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    number = 2
    while target.exists() or receipt_path(target).exists():
        target = folder / f"{path.stem} ({number}){path.suffix}"
        number += 1
    try:
        shutil.move(str(path), str(target))
        moved_receipt = None
        if receipt is not None and receipt.exists():
            moved_receipt = receipt_path(target)
            shutil.move(str(receipt), str(moved_receipt))
    except OSError as exc:
        raise InputError(f"cannot move {path} to {folder}: {exc.strerror}") from exc
    return target, moved_receipt
