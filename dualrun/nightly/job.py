"""`dualrun nightly`: one lock, reconcile, then sync the run into the tracker atomically.

A run is synced in one transaction that also stamps ``runs.synced_at``: a crash between
reconciling and syncing leaves the run stored and unsynced, and the next nightly run
syncs it first. Two nightly jobs on one store: the second refuses with a clear message
(the lock row names the holder); a lock older than ``lock_stale_hours`` is taken over.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from dualrun.config import Config
from dualrun.errors import DualrunError, PermissionDenied
from dualrun.issues import Lifecycle, RoutingFacts, default_due, route
from dualrun.nightly.model import Finding, KnownIssue
from dualrun.nightly.plan import NewIssue, SyncPlan, plan_sync
from dualrun.service import RunResult, run_reconcile, utc_now
from dualrun.store import issues as repo
from dualrun.store import open_store
from dualrun.store.schema import discrepancies, issues, nightly_lock, run_inputs, runs
from dualrun.tracker import state_of

FAULT_ENV = "DUALRUN_FAULT"  # test hook: "after-reconcile" kills the job before syncing
Clock = Callable[[], datetime]


class NightlyLocked(DualrunError):
    """Another nightly job holds the store."""


@dataclass
class SyncSummary:
    run_id: int
    new: Counter[tuple[str, str]] = field(default_factory=Counter)  # (entity, owner)
    updated: Counter[tuple[str, str]] = field(default_factory=Counter)
    resolved: Counter[tuple[str, str]] = field(default_factory=Counter)
    reopened: Counter[tuple[str, str]] = field(default_factory=Counter)
    systemic: Counter[tuple[str, str]] = field(default_factory=Counter)
    covered_by_systemic: int = 0
    observed: dict[str, bool] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        return {
            "new": sum(self.new.values()),
            "updated": sum(self.updated.values()),
            "auto_resolved": sum(self.resolved.values()),
            "reopened": sum(self.reopened.values()),
            "systemic": sum(self.systemic.values()),
            "covered_by_systemic": self.covered_by_systemic,
        }


@dataclass(frozen=True)
class NightlyResult:
    run: RunResult
    syncs: tuple[SyncSummary, ...]
    unresolved_discrepancy_issues: int


def run_nightly(
    config: Config,
    *,
    entities: tuple[str, ...] = (),
    db_url: str | None = None,
    out_dir: Path | None = None,
    lang: str | None = None,
    clock: Clock = utc_now,
    progress: Callable[[str], None] | None = None,
) -> NightlyResult:
    engine = open_store(config.store_url(db_url))
    say = progress or (lambda _m: None)
    with _lock(engine, clock, config.data.nightly.lock_stale_hours):
        syncs = [sync_run(engine, config, run_id, clock) for run_id in _pending_runs(engine)]
        result = run_reconcile(
            config,
            entities=entities,
            db_url=db_url,
            out_dir=out_dir,
            lang=lang,
            clock=clock,
            progress=say,
        )
        if os.environ.get(FAULT_ENV) == "after-reconcile":
            os.kill(os.getpid(), 9)
        say("turning discrepancies into issues")
        syncs.append(sync_run(engine, config, result.run_id, clock))
    if out_dir is not None:
        say("writing the readiness report")
        from dualrun.readiness_report import build_report, write_report

        report = build_report(config, db_url, lang or config.project.lang, now=clock())
        target = write_report(report, "html", out_dir / "readiness.html")
        result = RunResult(
            **{**result.__dict__, "reports": {**result.reports, "readiness": str(target)}}
        )
    return NightlyResult(result, tuple(syncs), unresolved_discrepancy_issues(engine))


def unresolved_discrepancy_issues(engine: Engine) -> int:
    from dualrun.issues import UNRESOLVED_STATUSES

    with engine.connect() as conn:
        rows = conn.execute(
            select(issues.c.id).where(
                and_(
                    issues.c.kind == "discrepancy", issues.c.status.in_(sorted(UNRESOLVED_STATUSES))
                )
            )
        ).all()
    return len(rows)


@contextmanager
def _lock(engine: Engine, clock: Clock, stale_hours: float) -> Iterator[None]:
    holder = f"pid {os.getpid()} on {socket.gethostname()}"
    now = clock()
    stale = now - timedelta(hours=stale_hours)
    with engine.begin() as conn:
        taken = conn.execute(
            update(nightly_lock)
            .where(
                and_(
                    nightly_lock.c.id == 1,
                    or_(nightly_lock.c.holder.is_(None), nightly_lock.c.since < stale),
                )
            )
            .values(holder=holder, since=now)
        ).rowcount
        if taken != 1:
            row = conn.execute(select(nightly_lock).where(nightly_lock.c.id == 1)).one()
            if _dead_here(row.holder):  # a job on this machine that was killed: take over
                conn.execute(
                    update(nightly_lock)
                    .where(and_(nightly_lock.c.id == 1, nightly_lock.c.holder == row.holder))
                    .values(holder=holder, since=now)
                )
                taken = 1
        if taken != 1:
            raise NightlyLocked(
                f"another nightly job is running on this store ({row.holder}, since {row.since})",
                hint="wait for it to finish; a lock older than "
                f"{stale_hours:g} hours is taken over automatically",
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                update(nightly_lock)
                .where(and_(nightly_lock.c.id == 1, nightly_lock.c.holder == holder))
                .values(holder=None, since=None)
            )


def _dead_here(holder: str | None) -> bool:
    """True when the lock's holder was a process on this machine that no longer exists."""
    if not holder:
        return False
    words = holder.split()
    if len(words) != 4 or words[0] != "pid" or words[3] != socket.gethostname():
        return False
    try:
        os.kill(int(words[1]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def _pending_runs(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [
            int(r[0])
            for r in conn.execute(
                select(runs.c.id)
                .where(and_(runs.c.status == "ok", runs.c.synced_at.is_(None)))
                .order_by(runs.c.id)
            )
        ]


def sync_run(engine: Engine, config: Config, run_id: int, clock: Clock) -> SyncSummary:
    """Apply one stored run to the tracker, atomically with its synced_at stamp."""
    summary = SyncSummary(run_id)
    with engine.begin() as conn:
        run = conn.execute(select(runs).where(runs.c.id == run_id)).one()
        if run.synced_at is not None:
            return summary
        covered = _as_list(run.entities_covered)
        observed = {e: _new_observation(conn, run_id, e, run.config_hash) for e in covered}
        summary.observed = observed
        findings = _findings(conn, config, run_id)
        known = _known(conn)
        plan = plan_sync(
            findings,
            known,
            new_observation=observed,
            run_started_at=run.started_at,
            today=clock().date(),
            settings=config.data.nightly,
        )
        _apply(conn, config, plan, run_id, clock(), known, summary)
        conn.execute(update(runs).where(runs.c.id == run_id).values(synced_at=clock()))
    return summary


def _as_list(value: Any) -> list[str]:
    return list(json.loads(value)) if isinstance(value, str) else list(value or [])


def _entity_digest(conn: Connection, run_id: int, entity: str, config_hash: str) -> str:
    rows = conn.execute(
        select(run_inputs.c.side, run_inputs.c.path, run_inputs.c.sha256)
        .where(and_(run_inputs.c.run_id == run_id, run_inputs.c.entity == entity))
        .order_by(run_inputs.c.side, run_inputs.c.path)
    ).all()
    text = config_hash + "".join(f"|{s}|{p}|{h}" for s, p, h in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def _new_observation(conn: Connection, run_id: int, entity: str, config_hash: str) -> bool:
    """False when the inputs equal those of the last synced run that covered the entity."""
    previous = conn.execute(
        select(runs.c.id, runs.c.config_hash, runs.c.entities_covered)
        .where(and_(runs.c.status == "ok", runs.c.synced_at.is_not(None), runs.c.id < run_id))
        .order_by(runs.c.id.desc())
    ).all()
    for prior in previous:
        if entity in _as_list(prior.entities_covered):
            return _entity_digest(conn, prior.id, entity, prior.config_hash) != _entity_digest(
                conn, run_id, entity, config_hash
            )
    return True


def _findings(conn: Connection, config: Config, run_id: int) -> list[Finding]:
    rows = conn.execute(
        select(discrepancies).where(discrepancies.c.run_id == run_id).order_by(discrepancies.c.id)
    ).all()
    found = []
    for row in rows:
        entity = config.entities.get(row.entity)
        spec = entity.fields.get(row.field) if entity and row.field else None
        found.append(
            Finding(
                fingerprint=row.fingerprint,
                entity=row.entity,
                module=entity.module if entity else "default",
                kind=row.kind,
                field=row.field,
                identity=row.identity or row.fingerprint,
                key=json.loads(row.key or "{}"),
                owner=row.owner,
                critical=bool(spec and spec.critical),
                manual_normalised=row.manual_normalised,
                crm_normalised=row.crm_normalised,
                manual_place=f"{row.manual_file}#{row.manual_sheet or ''}"
                if row.manual_present
                else None,
                evidence=_evidence(row),
            )
        )
    return found


def _evidence(row: Any) -> dict[str, Any]:
    sides = {}
    for side in ("manual", "crm"):
        if getattr(row, f"{side}_present"):
            record = getattr(row, f"{side}_record")
            sides[side] = {
                "raw": getattr(row, f"{side}_raw"),
                "normalised": getattr(row, f"{side}_normalised"),
                "record_id": getattr(row, f"{side}_record_id"),
                "file": getattr(row, f"{side}_file"),
                "sheet": getattr(row, f"{side}_sheet"),
                "row": getattr(row, f"{side}_row"),
                "record": json.loads(record) if record else None,
            }
    if row.kind == "field_mismatch":
        values: Any = {s: sides[s]["normalised"] for s in sides}
    elif row.members:
        values = sorted(json.dumps(m, sort_keys=True) for m in json.loads(row.members))
    else:
        values = {s: sides[s]["record"] for s in sides}
    return {
        "kind": row.kind,
        "field": row.field,
        "key": json.loads(row.key or "{}"),
        "values": values,
        **sides,
        "rule": row.rule,
        "score": row.score,
        "members": json.loads(row.members) if row.members else None,
        "run_id": row.run_id,
    }


def _known(conn: Connection) -> dict[str, KnownIssue]:
    rows = conn.execute(select(issues).where(issues.c.fingerprint.is_not(None))).all()
    return {
        r.fingerprint: KnownIssue(
            key=r.key,
            fingerprint=r.fingerprint,
            entity=r.entity,
            status=r.status,
            evidence=r.evidence,
            missed_runs=r.missed_runs,
            occurrences=r.occurrences,
            resolved_at=r.resolved_at,
            accepted_until=r.accepted_until,
            accepted_evidence=r.accepted_evidence,
            systemic=bool(r.systemic),
        )
        for r in rows
    }


def _apply(
    conn: Connection,
    config: Config,
    plan: SyncPlan,
    run_id: int,
    at: datetime,
    known: Mapping[str, KnownIssue],
    summary: SyncSummary,
) -> None:
    settings = config.data.issues
    actor = settings.system_actor
    _check_system_permissions(config, plan)
    lifecycle = Lifecycle.from_settings(settings)
    summary.covered_by_systemic = plan.covered_by_systemic
    for new in plan.creates:
        owner = route(
            RoutingFacts(
                kind="discrepancy",
                module=new.module,
                entity=new.entity,
                field=new.field,
                record_owner=new.owner_name,
            ),
            settings.routing,
            config.data.people,
        )
        repo.create_issue(
            conn,
            {
                "kind": "discrepancy",
                "title": _title(config, new),
                "description": new.evidence.get("description", ""),
                "severity": new.severity,
                "module": new.module,
                "entity": new.entity,
                "record_key": new.record_key,
                "fingerprint": new.fingerprint,
                "reporter": actor,
                "owner": owner,
                "status": "new",
                "due_date": default_due(new.severity, at.date(), settings.due_days),
                "evidence": new.evidence,
                "occurrences": 1,
                "first_seen_run": run_id,
                "last_seen_run": run_id,
                "source": "nightly",
                "systemic": new.systemic,
                "watchers": [],
            },
            actor=actor,
            at=at,
            key_prefix=settings.key_prefix,
            run_id=run_id,
        )
        bucket = summary.systemic if new.systemic else summary.new
        bucket[(new.entity, owner or "(unowned)")] += 1
    for seen in plan.seen:
        row = repo.get_row(conn, seen.key)
        quiet = ["occurrences", "last_seen_run", "missed_runs"]
        if not seen.values_changed:
            quiet.append("evidence")
        repo.change_issue(
            conn,
            seen.key,
            {
                "evidence": seen.evidence,
                "occurrences": row.occurrences + 1,
                "last_seen_run": run_id,
                "missed_runs": 0,
            },
            expected=row._mapping,
            actor=actor,
            at=at,
            action="nightly",
            run_id=run_id,
            quiet=quiet,
        )
        summary.updated[(row.entity or "", row.owner or "(unowned)")] += 1
    for key, missed in plan.missed:
        row = repo.get_row(conn, key)
        repo.change_issue(
            conn,
            key,
            {"missed_runs": missed},
            expected=row._mapping,
            actor=actor,
            at=at,
            run_id=run_id,
            quiet=["missed_runs"],
        )
    for key in plan.resolve:
        row = repo.get_row(conn, key)
        changes = lifecycle.plan_move(
            state_of(row), "resolved", {"resolution": "no_longer_detected"}, by_tool=True
        )
        repo.change_issue(
            conn,
            key,
            {**changes, "resolved_at": at, "missed_runs": 0},
            expected=row._mapping,
            actor=actor,
            at=at,
            action="nightly",
            run_id=run_id,
            quiet=["missed_runs"],
        )
        summary.resolved[(row.entity or "", row.owner or "(unowned)")] += 1
    for reopen in plan.reopen:
        row = repo.get_row(conn, reopen.key)
        changes = lifecycle.plan_move(state_of(row), "reopened", by_tool=True)
        repo.change_issue(
            conn,
            reopen.key,
            {
                **changes,
                "evidence": reopen.evidence,
                "occurrences": row.occurrences + 1,
                "last_seen_run": run_id,
                "missed_runs": 0,
                "resolved_at": None,
            },
            expected=row._mapping,
            actor=actor,
            at=at,
            action="nightly",
            run_id=run_id,
            quiet=["occurrences", "last_seen_run", "missed_runs", "resolved_at"],
        )
        repo.add_comment(
            conn, int(row.id), author=actor, at=at, body=f"reopened: {reopen.reason} (run {run_id})"
        )
        summary.reopened[(row.entity or "", row.owner or "(unowned)")] += 1
    del known


def _check_system_permissions(config: Config, plan: SyncPlan) -> None:
    """The nightly job acts as the system actor: only what [issues] system_permissions allow."""
    from dualrun.issues.permissions import actor_for, check

    settings = config.data.issues
    system = actor_for(settings.system_actor, config.data.people, settings.system_actor)
    if plan.creates:
        check(system, "create", None, settings, config.data.people)
    allowed = set(settings.system_permissions)
    for action, needed in (
        ("update_evidence", plan.seen or plan.missed),
        ("move", plan.resolve or plan.reopen),
        ("comment", plan.reopen),
    ):
        if needed and action not in allowed:
            raise PermissionDenied(
                f"the nightly job ({settings.system_actor}) may not {action.replace('_', ' ')}: "
                f"[issues] system_permissions = {sorted(allowed)}",
                hint=f'add "{action}" to system_permissions, or run without it',
            )


def _title(config: Config, new: NewIssue) -> str:
    zh = config.project.lang == "zh"
    entity = config.entities.get(new.entity)
    label = (entity.label if entity and entity.label and zh else None) or new.entity
    if new.systemic:
        return f"{label}: {new.evidence.get('description', new.fingerprint)}"
    kinds_zh = {
        "missing_in_crm": "CRM 中缺失",
        "missing_in_manual": "手工台账中缺失",
        "field_mismatch": "字段不一致",
        "duplicate": "重复记录",
        "ambiguous_match": "无法唯一匹配",
        "unkeyed_row": "无键记录",
    }
    kind = kinds_zh.get(new.kind, new.kind) if zh else new.kind.replace("_", " ")
    what = f"{kind}: {new.field}" if new.field else kind
    return f"{label} {new.record_key or ''} {what}".replace("  ", " ").strip()
