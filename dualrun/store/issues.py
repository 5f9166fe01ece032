"""Repository of issues: create, read, change with an optimistic version, journal, comment.

Every change is one ``UPDATE … WHERE key = :key AND version = :version`` checked by its
row count in the database, so two people changing the same issue at once cannot both
win: the loser gets a ``ConflictError`` naming what the winner changed. Every change
appends journal rows (who, when, field, old → new) that nothing ever deletes. Evidence
refreshed by the nightly job goes through ``refresh_evidence``, which leaves the
version alone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update

from dualrun.errors import ConflictError, UsageError
from dualrun.store.schema import batches, issue_comments, issue_journal, issue_links, issues

#: Fields people edit: a change to any of them bumps the version.
VERSIONED = (
    "status",
    "owner",
    "severity",
    "due_date",
    "resolution",
    "workaround",
    "description",
    "title",
    "category",
    "blocks_cutover",
    "escalated_to",
    "escalated_at",
    "consultant_ref",
    "accepted_by",
    "accepted_until",
    "labels",
    "watchers",
    "module",
    "entity",
)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False, default=str)


def create_issue(
    connection: Connection,
    values: Mapping[str, Any],
    *,
    actor: str,
    at: datetime,
    key_prefix: str,
    batch_id: int | None = None,
    run_id: int | None = None,
) -> str:
    """Insert an issue; its key is PREFIX-id (ids are never reused). Returns the key."""
    row = {
        "labels": [],
        "watchers": [],
        "blocks_cutover": False,
        "occurrences": 0,
        "missed_runs": 0,
        "source": "cli",
        **values,
        "key": f"~{uuid.uuid4().hex[:24]}",  # replaced by PREFIX-id below
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }
    result = connection.execute(insert(issues).values(**row))
    primary = result.inserted_primary_key
    assert primary is not None
    issue_id = int(primary[0])
    key = f"{key_prefix}-{issue_id}"
    connection.execute(update(issues).where(issues.c.id == issue_id).values(key=key))
    _journal(connection, issue_id, at, actor, "create", None, None, None, batch_id, run_id)
    return key


def get_row(connection: Connection, key: str) -> Row[Any]:
    row = connection.execute(select(issues).where(issues.c.key == key.upper())).first()
    if row is None:
        raise UsageError(f"no issue {key}", hint="`dualrun issues list --status all` lists them")
    return row


def change_issue(
    connection: Connection,
    key: str,
    changes: Mapping[str, Any],
    *,
    expected: Mapping[Any, Any],
    actor: str,
    at: datetime,
    action: str = "set",
    batch_id: int | None = None,
    run_id: int | None = None,
    quiet: Collection[str] = (),
) -> int:
    """Apply `changes` if the issue is still as the caller read it (`expected` is that row).

    Fields in `quiet` (counters the nightly job keeps) change without a journal row.
    Returns the new version. Raises ConflictError naming the fields someone else changed.
    """
    current_version = int(expected["version"])
    real = {f: v for f, v in changes.items() if expected.get(f) != v}
    if not real:
        return current_version
    versioned = any(f in VERSIONED for f in real)
    values = {**real, "updated_at": at}
    if versioned:
        values["version"] = current_version + 1
    result = connection.execute(
        update(issues)
        .where(and_(issues.c.key == expected["key"], issues.c.version == current_version))
        .values(**values)
    )
    if result.rowcount != 1:
        raise _conflict(connection, expected)
    for field, new in real.items():
        if field in quiet:
            continue
        _journal(
            connection,
            int(expected["id"]),
            at,
            actor,
            action,
            field,
            _json(expected.get(field)),
            _json(new),
            batch_id,
            run_id,
        )
    return current_version + 1 if versioned else current_version


def _conflict(connection: Connection, expected: Mapping[Any, Any]) -> ConflictError:
    now = connection.execute(select(issues).where(issues.c.id == expected["id"])).one()._mapping
    changed = [
        f"{field}: {expected.get(field)!r} → {now[field]!r}"
        for field in VERSIONED
        if now[field] != expected.get(field)
    ]
    who = connection.execute(
        select(issue_journal.c.actor)
        .where(issue_journal.c.issue_id == expected["id"])
        .order_by(issue_journal.c.id.desc())
        .limit(1)
    ).scalar()
    return ConflictError(
        f"{expected['key']} was changed by {who} while you were working on it "
        f"({'; '.join(changed) or 'version ' + str(now['version'])}); nothing was applied",
        hint=f"look at it again (`dualrun issues show {expected['key']}`) and redo your change",
    )


def add_comment(
    connection: Connection,
    issue_id: int,
    *,
    author: str,
    at: datetime,
    body: str,
    batch_id: int | None = None,
) -> None:
    connection.execute(
        insert(issue_comments).values(
            issue_id=issue_id, author=author, at=at, body=body, batch_id=batch_id
        )
    )
    _journal(connection, issue_id, at, author, "comment", None, None, _json(body), batch_id, None)


def add_link(
    connection: Connection, issue_id: int, kind: str, target_id: int, *, actor: str, at: datetime
) -> bool:
    """Link two issues; False when the link already exists (a no-op, not an error)."""
    exists = connection.execute(
        select(issue_links.c.id).where(
            and_(
                issue_links.c.issue_id == issue_id,
                issue_links.c.kind == kind,
                issue_links.c.target_id == target_id,
            )
        )
    ).first()
    if exists:
        return False
    connection.execute(
        insert(issue_links).values(
            issue_id=issue_id, kind=kind, target_id=target_id, created_by=actor, at=at
        )
    )
    _journal(connection, issue_id, at, actor, "link", kind, None, _json(target_id), None, None)
    return True


def start_batch(
    connection: Connection, *, kind: str, actor: str, at: datetime, source: str | None
) -> int:
    result = connection.execute(
        insert(batches).values(kind=kind, actor=actor, at=at, source=source, summary={})
    )
    primary = result.inserted_primary_key
    assert primary is not None
    return int(primary[0])


def journal(connection: Connection, issue_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(issue_journal)
            .where(issue_journal.c.issue_id == issue_id)
            .order_by(issue_journal.c.id)
        )
    )


def comments(connection: Connection, issue_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(issue_comments)
            .where(issue_comments.c.issue_id == issue_id)
            .order_by(issue_comments.c.id)
        )
    )


def links(connection: Connection, issue_id: int) -> list[tuple[str, str]]:
    target = issues.alias("target")
    rows = connection.execute(
        select(issue_links.c.kind, target.c.key)
        .join(target, target.c.id == issue_links.c.target_id)
        .where(issue_links.c.issue_id == issue_id)
        .order_by(issue_links.c.id)
    )
    return [(r[0], r[1]) for r in rows]


def select_rows(
    connection: Connection, where: Sequence[Any], order: Iterable[Any]
) -> list[Row[Any]]:
    query = select(issues)
    if where:
        query = query.where(and_(*where))
    return list(connection.execute(query.order_by(*order)))


def _journal(
    connection: Connection,
    issue_id: int,
    at: datetime,
    actor: str,
    action: str,
    field: str | None,
    old: str | None,
    new: str | None,
    batch_id: int | None,
    run_id: int | None,
) -> None:
    connection.execute(
        insert(issue_journal).values(
            issue_id=issue_id,
            at=at,
            actor=actor,
            action=action,
            field=field,
            old_value=old,
            new_value=new,
            batch_id=batch_id,
            run_id=run_id,
        )
    )
