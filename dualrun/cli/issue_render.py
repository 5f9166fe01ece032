"""Issue lists and single issues on the terminal, as csv, or as JSON (never truncated)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from dualrun.errors import UsageError
from dualrun.issues import CATEGORY_LABELS, STATUS_LABELS
from dualrun.reports.safe import formula_safe

if TYPE_CHECKING:
    from dualrun.tracker import IssueView

LIST_COLUMNS = (
    "key",
    "status",
    "severity",
    "owner",
    "kind",
    "category",
    "entity",
    "due_date",
    "title",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def print_issue_list(rows: list[dict[str, Any]], fmt: str, lang: str) -> None:
    if fmt == "json":
        json.dump(
            [{k: _plain(v) for k, v in r.items() if k != "id"} for r in rows],
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow([*LIST_COLUMNS, "blocker"])
        for r in rows:
            writer.writerow([formula_safe(_plain(r[c])) for c in LIST_COLUMNS] + [r["blocker"]])
        return
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}", hint="table, csv or json")
    console = Console(highlight=False, markup=False, soft_wrap=False)
    table = Table(show_lines=False)
    for column in LIST_COLUMNS:
        table.add_column(column, overflow="fold")
    statuses = STATUS_LABELS.get(lang, {})
    for r in rows:
        table.add_row(
            r["key"] + (" ⛔" if r["blocker"] else ""),
            statuses.get(r["status"], r["status"]),
            r["severity"] or "",
            r["owner"] or "(unowned)",
            r["kind"],
            r["category"] or "",
            r["entity"] or "",
            r["due_date"].isoformat() if r["due_date"] else "",
            r["title"],
        )
    console.print(table)
    console.print(f"{len(rows)} issue(s)")


def _value(text: str | None) -> str:
    """A journal value (JSON text) as a person reads it."""
    if text is None:
        return "∅"
    value = json.loads(text)
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "∅" if value is None else str(value)


def print_issue(view: IssueView, as_json: bool, lang: str) -> None:
    if as_json:
        json.dump(view.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    row = view.row
    console = Console(highlight=False, markup=False, soft_wrap=True)
    statuses = STATUS_LABELS.get(lang, {})
    categories = CATEGORY_LABELS.get(lang, {})
    console.print(f"{row['key']}  {row['title']}")
    facts = [
        (
            "status",
            statuses.get(row["status"], row["status"])
            + (f" ({row['resolution']})" if row["resolution"] else ""),
        ),
        (
            "kind",
            row["kind"]
            + (f" / {categories.get(row['category'], row['category'])}" if row["category"] else ""),
        ),
        ("severity", (row["severity"] or "—") + ("  BLOCKER" if view.blocker else "")),
        ("owner", row["owner"] or "(unowned)"),
        ("reporter", row["reporter"]),
        ("module/entity", f"{row['module'] or '—'} / {row['entity'] or '—'}"),
        ("record", row["record_key"] or "—"),
        ("due", row["due_date"].isoformat() if row["due_date"] else "—"),
        ("workaround", row["workaround"] or "—"),
        (
            "escalated to",
            (row["escalated_to"] or "—")
            + (f" (ref {row['consultant_ref']})" if row["consultant_ref"] else ""),
        ),
        ("waiting on consultant", f"{view.waiting_on_consultant.total_seconds() / 3600:.1f} h"),
        ("labels", ", ".join(row["labels"] or []) or "—"),
        ("watchers", ", ".join(row["watchers"] or []) or "—"),
        ("version", str(row["version"])),
    ]
    for name, value in facts:
        console.print(f"  {name:22} {value}")
    if row["description"]:
        console.print("\n" + row["description"])
    for kind, target in view.links:
        console.print(f"  link: {kind} {target}")
    if view.comments:
        console.print("\ncomments:")
        for c in view.comments:
            console.print(f"  {_plain(c['at'])}  {c['author']}: {c['body']}")
    console.print("\njournal:")
    for j in view.journal:
        change = ""
        if j["field"]:
            change = f" {j['field']}: {_value(j['old_value'])} → {_value(j['new_value'])}"
        elif j["new_value"]:
            change = f" {_value(j['new_value'])}"
        console.print(f"  {_plain(j['at'])}  {j['actor']}  {j['action']}{change}")
