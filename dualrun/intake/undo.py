"""Undo an import batch by new journal entries; nothing is deleted.

Issues the batch created are closed with resolution ``withdrawn`` (through the
lifecycle, ``by_tool=True``); fields it changed are set back to their old values,
except a field someone changed again since (skipped and reported). Comments the batch
added stay (nothing is deleted). Undoing twice changes nothing the second time. Leads
only; the undo is itself one batch (kind ``undo``) in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, DateTime, select

from dualrun.errors import PermissionDenied, UsageError
from dualrun.issues import DONE_STATUSES
from dualrun.store import issues as repo
from dualrun.store.schema import batches, issue_journal, issues
from dualrun.tracker import Tracker, state_of


@dataclass
class UndoReport:
    batch: int
    dry_run: bool
    undo_batch: int | None = None
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # "KEY field: new → old"
    skipped: list[str] = field(default_factory=list)  # with why

    def lines(self) -> list[str]:
        verb = "would be " if self.dry_run else ""
        out = [
            f"batch {self.batch}: {len(self.withdrawn)} issue(s) {verb}withdrawn, "
            f"{len(self.restored)} field(s) {verb}restored, {len(self.skipped)} skipped"
            + (f" (undo batch {self.undo_batch})" if self.undo_batch is not None else "")
        ]
        out += [f"  withdrawn: {k}" for k in self.withdrawn]
        out += [f"  restored: {r}" for r in self.restored]
        out += [f"  skipped: {s}" for s in self.skipped]
        if self.dry_run:
            out.append("dry run: nothing was changed")
        return out


def _loads(text: str | None, column: str) -> Any:
    value = None if text is None else json.loads(text)
    if isinstance(value, str):
        kind = issues.c[column].type
        if isinstance(kind, Date):
            return date.fromisoformat(value[:10])
        if isinstance(kind, DateTime):
            return datetime.fromisoformat(value)
    return value


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return stored.replace(tzinfo=None) == value.replace(tzinfo=None)
    return bool(stored == value)


def undo_batch(tracker: Tracker, batch_id: int, *, dry_run: bool = False) -> UndoReport:
    if tracker.actor.role != "lead":
        leads = [p for p, c in tracker.people.items() if c.role == "lead"]
        raise PermissionDenied(
            f"{tracker.actor.label} may not undo an import: only leads "
            f"({', '.join(leads) or 'none declared'}) may"
        )
    report = UndoReport(batch_id, dry_run)
    with tracker.engine.begin() as conn:
        found = conn.execute(select(batches).where(batches.c.id == batch_id)).first()
        if found is None:
            raise UsageError(f"no batch {batch_id}")
        if found.kind == "undo":
            raise UsageError(f"batch {batch_id} is itself an undo; it cannot be undone")
        j = issue_journal.c
        entries = list(
            conn.execute(select(issue_journal).where(j.batch_id == batch_id).order_by(j.id))
        )
        created = {int(e.issue_id) for e in entries if e.action == "create"}
        # per issue and field: the value before the batch and the value it left
        changes: dict[int, dict[str, tuple[str | None, str | None]]] = {}
        for e in entries:
            if e.action == "comment" or e.field is None or int(e.issue_id) in created:
                continue
            per = changes.setdefault(int(e.issue_id), {})
            old = per[e.field][0] if e.field in per else e.old_value
            per[e.field] = (old, e.new_value)
        state: dict[str, int | None] = {"undo": None}

        def batch() -> int:
            undo = state["undo"]
            if undo is None:
                undo = state["undo"] = repo.start_batch(
                    conn,
                    kind="undo",
                    actor=tracker.actor.login,
                    at=tracker.clock(),
                    source=f"batch {batch_id}",
                )
            return undo

        for issue_id in sorted(created):
            _withdraw(tracker, conn, issue_id, report, batch)
        for issue_id, fields in sorted(changes.items()):
            _restore(tracker, conn, issue_id, fields, report, batch)
        report.undo_batch = state["undo"]
    return report


def _row(conn: Connection, issue_id: int) -> Any:
    return conn.execute(select(issues).where(issues.c.id == issue_id)).one()


def _withdraw(
    tracker: Tracker, conn: Connection, issue_id: int, report: UndoReport, batch: Any
) -> None:
    row = _row(conn, issue_id)
    if row.status == "closed" and row.resolution == "withdrawn":
        return  # undone before
    planned = tracker.lifecycle.plan_move(
        state_of(row), "closed", {"resolution": "withdrawn"}, by_tool=True
    )
    report.withdrawn.append(str(row.key))
    if report.dry_run or not planned:
        return
    at = tracker.clock()
    if row.status not in DONE_STATUSES:
        planned["resolved_at"] = at
    repo.change_issue(
        conn,
        str(row.key),
        planned,
        expected=row._mapping,
        actor=tracker.actor.login,
        at=at,
        action="undo",
        batch_id=batch(),
    )


def _restore(
    tracker: Tracker,
    conn: Connection,
    issue_id: int,
    fields: dict[str, tuple[str | None, str | None]],
    report: UndoReport,
    batch: Any,
) -> None:
    row = _row(conn, issue_id)
    back: dict[str, Any] = {}
    for name, (old_text, new_text) in fields.items():
        if name not in issues.c:
            continue
        old, new = _loads(old_text, name), _loads(new_text, name)
        now = row._mapping[name]
        if _same(now, old):
            continue  # already as before the batch (undone before)
        if not _same(now, new):
            report.skipped.append(
                f"{row.key} {name}: changed again since (now {now!r}, batch set {new!r})"
            )
            continue
        back[name] = old
        report.restored.append(f"{row.key} {name}: {new!r} → {old!r}")
    if report.dry_run or not back:
        return
    repo.change_issue(
        conn,
        str(row.key),
        back,
        expected=row._mapping,
        actor=tracker.actor.login,
        at=tracker.clock(),
        action="undo",
        batch_id=batch(),
    )
