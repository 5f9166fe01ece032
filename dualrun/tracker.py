"""The issue tracker's use cases: each opens one transaction, checks, changes, journals.

The rules (lifecycle, permissions, routing, due dates) are the pure functions of
``dualrun.issues``; the store is ``dualrun.store.issues``. This module joins them:
read the issue, ask the rules, write through the optimistic version. Repeating an
action that is already true changes nothing and is not an error.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, or_

from dualrun.config import Config
from dualrun.errors import UsageError
from dualrun.issues import (
    CATEGORIES,
    DONE_STATUSES,
    KINDS,
    LINK_KINDS,
    SEVERITIES,
    STATUS_CATEGORY,
    STATUSES,
    UNRESOLVED_STATUSES,
    IssueState,
    Lifecycle,
    RoutingFacts,
    default_due,
    is_blocker,
    route,
    time_waiting_on_consultant,
)
from dualrun.issues.model import did_you_mean
from dualrun.issues.permissions import Actor, actor_for, check
from dualrun.store import issues as repo
from dualrun.store.schema import issues as issues_table

USER_ENV = "DUALRUN_USER"
Clock = Callable[[], datetime]


def current_login(as_option: str | None) -> str:
    """--as, else DUALRUN_USER, else the OS login."""
    return as_option or os.environ.get(USER_ENV) or getpass.getuser()


def _now() -> datetime:
    return datetime.now(UTC)


def state_of(row: Row[Any] | Mapping[str, Any]) -> IssueState:
    data = row._mapping if isinstance(row, Row) else row
    return IssueState(
        key=data["key"],
        kind=data["kind"],
        category=data["category"],
        title=data["title"],
        description=data["description"] or "",
        severity=data["severity"],
        blocks_cutover=bool(data["blocks_cutover"]),
        module=data["module"],
        entity=data["entity"],
        reporter=data["reporter"],
        owner=data["owner"],
        status=data["status"],
        resolution=data["resolution"],
        workaround=data["workaround"],
        due_date=data["due_date"],
        escalated_to=data["escalated_to"],
        consultant_ref=data["consultant_ref"],
        accepted_by=data["accepted_by"],
        accepted_until=data["accepted_until"],
        labels=tuple(data["labels"] or ()),
        watchers=tuple(data["watchers"] or ()),
        version=int(data["version"]),
    )


@dataclass(frozen=True)
class IssueFilter:
    statuses: tuple[str, ...] = ()  # statuses or categories (open/active/done); () = unresolved
    all_statuses: bool = False
    owner: str | None = None
    unowned: bool = False
    severity: tuple[str, ...] = ()
    kind: str | None = None
    category: str | None = None
    module: str | None = None
    entity: str | None = None
    blocker: bool = False
    overdue: bool = False
    text: str | None = None
    created_since: date | None = None
    updated_since: date | None = None
    sort: str = "key"


@dataclass(frozen=True)
class IssueView:
    """Everything `issues show` prints."""

    row: dict[str, Any]
    state: IssueState
    blocker: bool
    journal: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    links: list[tuple[str, str]]
    waiting_on_consultant: timedelta

    def to_dict(self) -> dict[str, Any]:
        return {
            **{k: _plain(v) for k, v in self.row.items() if k != "id"},
            "status_category": STATUS_CATEGORY[self.state.status],
            "blocker": self.blocker,
            "waiting_on_consultant_hours": round(
                self.waiting_on_consultant.total_seconds() / 3600, 2
            ),
            "links": [{"kind": k, "key": t} for k, t in self.links],
            "comments": [{k: _plain(v) for k, v in c.items()} for c in self.comments],
            "journal": [{k: _plain(v) for k, v in j.items()} for j in self.journal],
        }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


@dataclass
class Tracker:
    config: Config
    engine: Engine
    actor: Actor
    clock: Clock = field(default=_now)

    @property
    def settings(self) -> Any:
        return self.config.data.issues

    @property
    def people(self) -> Mapping[str, Any]:
        return self.config.data.people

    @property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle.from_settings(self.settings)

    # -- creating ------------------------------------------------------------------------
    def new(
        self,
        *,
        title: str,
        kind: str = "report",
        category: str | None = None,
        severity: str | None = None,
        description: str = "",
        module: str | None = None,
        entity: str | None = None,
        record_key: str | None = None,
        record_owner: str | None = None,
        owner: str | None = None,
        due_date: date | None = None,
        labels: Sequence[str] = (),
        workaround: str | None = None,
        blocks_cutover: bool = False,
        source: str = "cli",
        source_ref: str | None = None,
        extra: Mapping[str, Any] | None = None,
        connection: Connection | None = None,
        batch_id: int | None = None,
    ) -> str:
        """File an issue; the owner comes from the routing rules unless given."""
        if not title.strip():
            raise UsageError("a title is required", hint='--title "what went wrong"')
        _choice("kind", kind, KINDS)
        if category is not None:
            _choice("category", category, CATEGORIES)
        if severity is not None:
            _choice("severity", severity, SEVERITIES)
        if module is not None and entity is None:
            modules = sorted({e.module for e in self.config.entities.values()})
            _choice("module", module, modules)
        if entity is not None:
            _choice("entity", entity, list(self.config.entities))
            module = module or self.config.entities[entity].module
        check(self.actor, "create", None, self.settings, self.people)
        if owner is not None:
            self._known_person(owner)
        else:
            owner = route(
                RoutingFacts(
                    kind=kind,
                    category=category,
                    module=module,
                    entity=entity,
                    record_owner=record_owner,
                ),
                self.settings.routing,
                self.people,
            )
        at = self.clock()
        values = {
            "kind": kind,
            "category": category,
            "title": title.strip(),
            "description": description,
            "severity": severity,
            "blocks_cutover": blocks_cutover,
            "module": module,
            "entity": entity,
            "record_key": record_key,
            "reporter": self.actor.login,
            "owner": owner,
            "status": "new",
            "workaround": workaround,
            "due_date": due_date or default_due(severity, at.date(), self.settings.due_days),
            "labels": list(labels),
            "watchers": [self.actor.login],
            "source": source,
            "source_ref": source_ref,
            **(extra or {}),
        }
        if connection is not None:
            return self._create(connection, values, at, batch_id)
        with self.engine.begin() as conn:
            return self._create(conn, values, at, batch_id)

    def _create(
        self, conn: Connection, values: Mapping[str, Any], at: datetime, batch_id: int | None
    ) -> str:
        return repo.create_issue(
            conn,
            values,
            actor=self.actor.login,
            at=at,
            key_prefix=self.settings.key_prefix,
            batch_id=batch_id,
        )

    # -- reading -------------------------------------------------------------------------
    def show(self, key: str) -> IssueView:
        with self.engine.connect() as conn:
            row = repo.get_row(conn, key)
            issue_id = int(row.id)
            journal = [dict(j._mapping) for j in repo.journal(conn, issue_id)]
            comments = [dict(c._mapping) for c in repo.comments(conn, issue_id)]
            links = repo.links(conn, issue_id)
        state = state_of(row)
        history = [(row.created_at, "new")] + [
            (j["at"], _loads(j["new_value"])) for j in journal if j["field"] == "status"
        ]
        until = self.clock().replace(tzinfo=None) if history[0][0].tzinfo is None else self.clock()
        return IssueView(
            row=dict(row._mapping),
            state=state,
            blocker=is_blocker(state),
            journal=journal,
            comments=comments,
            links=links,
            waiting_on_consultant=time_waiting_on_consultant(history, until),
        )

    def list(self, flt: IssueFilter) -> list[dict[str, Any]]:
        c = issues_table.c
        where: list[Any] = []
        if not flt.all_statuses:
            wanted: set[str] = set()
            for name in flt.statuses or ("open", "active"):
                if name in ("open", "active", "done"):
                    wanted |= {s for s, cat in STATUS_CATEGORY.items() if cat == name}
                elif name == "unresolved":
                    wanted |= set(UNRESOLVED_STATUSES)
                else:
                    _choice("status", name, [*STATUSES, "open", "active", "done", "unresolved"])
                    wanted.add(name)
            where.append(c.status.in_(sorted(wanted)))
        if flt.owner:
            where.append(c.owner == flt.owner)
        if flt.unowned:
            where.append(c.owner.is_(None))
        if flt.severity:
            where.append(c.severity.in_(flt.severity))
        for name in ("kind", "category", "module", "entity"):
            value = getattr(flt, name)
            if value:
                where.append(getattr(c, name) == value)
        if flt.blocker:
            where.append(or_(c.severity == "S1", c.blocks_cutover.is_(True)))
            where.append(c.status.in_(sorted(UNRESOLVED_STATUSES)))
        if flt.overdue:
            where.append(c.due_date < self.clock().date())
            where.append(c.status.in_(sorted(UNRESOLVED_STATUSES)))
        if flt.text:
            pattern = f"%{flt.text}%"
            where.append(or_(c.title.ilike(pattern), c.description.ilike(pattern)))
        if flt.created_since:
            where.append(c.created_at >= datetime.combine(flt.created_since, datetime.min.time()))
        if flt.updated_since:
            where.append(c.updated_at >= datetime.combine(flt.updated_since, datetime.min.time()))
        sorts: dict[str, list[Any]] = {
            "key": [c.id],
            "severity": [c.severity, c.id],
            "due": [c.due_date, c.id],
            "updated": [c.updated_at.desc(), c.id],
            "owner": [c.owner, c.id],
            "status": [c.status, c.id],
        }
        _choice("sort", flt.sort, list(sorts))
        with self.engine.connect() as conn:
            rows = repo.select_rows(conn, where, sorts[flt.sort])
        out = []
        for row in rows:
            data = dict(row._mapping)
            state = state_of(row)
            data["blocker"] = is_blocker(state)
            data["status_category"] = STATUS_CATEGORY[state.status]
            out.append(data)
        return out

    # -- changing ------------------------------------------------------------------------
    def edit(self, key: str, changes: Mapping[str, Any]) -> bool:
        """Change editable fields; returns False when nothing changed."""
        self.check_values(changes)
        with self.engine.begin() as conn:
            row = repo.get_row(conn, key)
            planned = self.plan_edit(row, changes)
            if not planned:
                return False
            repo.change_issue(
                conn, key, planned, expected=row._mapping, actor=self.actor.login, at=self.clock()
            )
            return True

    def move(self, key: str, status: str, changes: Mapping[str, Any] | None = None) -> bool:
        _choice("status", status, STATUSES)
        extra = dict(changes or {})
        self.check_values(extra)
        with self.engine.begin() as conn:
            row = repo.get_row(conn, key)
            planned = self.plan_move(row, status, extra)
            if not planned:
                return False
            repo.change_issue(
                conn, key, planned, expected=row._mapping, actor=self.actor.login, at=self.clock()
            )
            return True

    def plan_edit(self, row: Row[Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        """What an edit of `row` writes, after the permission and lifecycle checks
        (raises when refused; {} when nothing changes). The spreadsheet import uses it too."""
        state = state_of(row)
        real = {f: v for f, v in changes.items() if getattr(state, f, None) != v}
        if not real:
            return {}
        if set(real) == {"owner"}:
            check(self.actor, "assign", state, self.settings, self.people, assignee=real["owner"])
        else:
            check(self.actor, "edit", state, self.settings, self.people, fields=set(real))
        self.lifecycle.plan_move(state, state.status, real)  # required fields still hold
        real.update(self._default_due(row, state, real))
        return real

    def plan_move(self, row: Row[Any], status: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        """What moving `row` to `status` writes (with `extra` fields), after the checks."""
        state = state_of(row)
        check(self.actor, "move", state, self.settings, self.people, to=status, fields=set(extra))
        planned = self.lifecycle.plan_move(
            state, status, extra, by_tool=self.actor.role == "system"
        )
        if not planned:
            return {}
        if status == "escalated" and state.status != "escalated":
            planned["escalated_at"] = self.clock()
        planned.update(self._default_due(row, state, planned))
        if status in DONE_STATUSES and state.status not in DONE_STATUSES:
            planned["resolved_at"] = self.clock()
        if status == "accepted":
            planned["accepted_evidence"] = row.evidence  # what was accepted, for the nightly
        return planned

    def check_values(self, changes: Mapping[str, Any]) -> None:
        if changes.get("owner") is not None:
            self._known_person(str(changes["owner"]))
        if changes.get("severity") is not None:
            _choice("severity", str(changes["severity"]), SEVERITIES)
        if changes.get("category") is not None:
            _choice("category", str(changes["category"]), CATEGORIES)

    def escalate(self, key: str, consultant: str, reference: str | None = None) -> bool:
        self._known_person(consultant, role="consultant")
        changes: dict[str, Any] = {"escalated_to": consultant}
        if reference:
            changes["consultant_ref"] = reference
        return self.move(key, "escalated", changes)

    def comment(self, key: str, body: str) -> None:
        if not body.strip():
            raise UsageError("the comment is empty")
        with self.engine.begin() as conn:
            row = repo.get_row(conn, key)
            check(self.actor, "comment", state_of(row), self.settings, self.people)
            repo.add_comment(conn, int(row.id), author=self.actor.login, at=self.clock(), body=body)

    def link(self, key: str, kind: str, target: str) -> bool:
        _choice("link kind", kind, LINK_KINDS)
        with self.engine.begin() as conn:
            row = repo.get_row(conn, key)
            other = repo.get_row(conn, target)
            if row.id == other.id:
                raise UsageError(f"{key} cannot be linked to itself")
            check(self.actor, "link", state_of(row), self.settings, self.people)
            return repo.add_link(
                conn, int(row.id), kind, int(other.id), actor=self.actor.login, at=self.clock()
            )

    def watch(self, key: str, on: bool = True) -> bool:
        with self.engine.begin() as conn:
            row = repo.get_row(conn, key)
            state = state_of(row)
            check(self.actor, "watch", state, self.settings, self.people)
            watchers = list(state.watchers)
            if on == (self.actor.login in watchers):
                return False
            watchers = (
                [*watchers, self.actor.login]
                if on
                else [w for w in watchers if w != self.actor.login]
            )
            repo.change_issue(
                conn,
                key,
                {"watchers": watchers},
                expected=row._mapping,
                actor=self.actor.login,
                at=self.clock(),
            )
            return True

    def require_lead(self, doing: str) -> None:
        """Refuse, naming the leads, unless the acting person is a lead."""
        from dualrun.errors import PermissionDenied

        if self.actor.role != "lead":
            leads = [p for p, c in self.people.items() if c.role == "lead"]
            raise PermissionDenied(
                f"{self.actor.label} may not {doing}: only leads "
                f"({', '.join(leads) or 'none declared'}) may"
            )

    def _default_due(
        self, row: Row[Any], state: IssueState, changes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A severity given later (at triage, say) brings the default due date, if none."""
        severity = changes.get("severity")
        if severity is None or state.due_date is not None or "due_date" in changes:
            return {}
        due = default_due(str(severity), row.created_at.date(), self.settings.due_days)
        return {} if due is None else {"due_date": due}

    def _known_person(self, login: str, role: str | None = None) -> None:
        person = self.people.get(login)
        if person is None:
            raise UsageError(
                f"unknown person {login!r}{did_you_mean(login, list(self.people))}",
                hint="people are declared in the config under [people.LOGIN]",
            )
        if role is not None and person.role not in (role, "lead"):
            names = [p for p, c in self.people.items() if c.role == role]
            raise UsageError(
                f"{login} is a {person.role}, not a {role}",
                hint=f"{role}s: {', '.join(names) or 'none declared'}",
            )


def _loads(text: str | None) -> Any:
    import json

    return None if text is None else json.loads(text)


def _choice(what: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise UsageError(
            f"unknown {what} {value!r}{did_you_mean(value, list(allowed))}",
            hint=f"allowed: {', '.join(allowed)}",
        )


def open_tracker(config: Config, db_url: str | None, login: str | None) -> Tracker:
    from dualrun.store import open_store

    engine = open_store(config.store_url(db_url))
    actor = actor_for(current_login(login), config.data.people, config.data.issues.system_actor)
    return Tracker(config=config, engine=engine, actor=actor)


def cut_over(tracker: Tracker, module: str, on: date, carry_on: Sequence[str]) -> list[str]:
    """Record that `module` stopped its spreadsheets; close its discrepancy issues as
    cut_over (except the keys in `carry_on`). Leads only. Returns the keys closed."""
    from dualrun.store.readiness import record_cutover

    modules = sorted({e.module for e in tracker.config.entities.values()})
    _choice("module", module, modules)
    tracker.require_lead(f"cut over {module}")
    carry = {k.upper() for k in carry_on}
    closed: list[str] = []
    at = tracker.clock()
    with tracker.engine.begin() as conn:
        if not record_cutover(
            conn,
            module=module,
            on=on,
            recorded_by=tracker.actor.login,
            at=at,
            carry_on=sorted(carry),
        ):
            return closed
        c = issues_table.c
        rows = repo.select_rows(
            conn,
            [
                c.kind == "discrepancy",
                c.module == module,
                c.status.in_(sorted(UNRESOLVED_STATUSES)),
            ],
            [c.id],
        )
        for row in rows:
            if row.key in carry:
                continue
            planned = tracker.lifecycle.plan_move(
                state_of(row), "closed", {"resolution": "cut_over"}, by_tool=True
            )
            repo.change_issue(
                conn,
                row.key,
                {**planned, "resolved_at": at},
                expected=row._mapping,
                actor=tracker.actor.login,
                at=at,
            )
            closed.append(row.key)
    return closed
