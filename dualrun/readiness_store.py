"""Build the readiness ``History`` value from the store (runs, stats, issues, sign-offs).

The adapter between the store and the pure judgement in ``dualrun.readiness``: it reads
and converts, and decides nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from dualrun.config import Config
from dualrun.issues.routing import person_for_name
from dualrun.readiness.history import (
    AcceptedRisk,
    EntityPoint,
    History,
    IssuePoint,
    OwnerPoint,
    RunPoint,
    Signoff,
)
from dualrun.store.schema import (
    accepted_risks,
    cutovers,
    discrepancies,
    entity_stats,
    issues,
    owner_stats,
    run_inputs,
    runs,
    signoffs,
)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _list(value: Any) -> list[str]:
    return list(json.loads(value)) if isinstance(value, str) else list(value or [])


def _column_drift(rows: Sequence[Any]) -> dict[tuple[int, str], list[str]]:
    """Per (run, entity): columns that appeared or disappeared since the input's last run."""
    last: dict[tuple[str, str, str], set[str]] = {}
    drift: dict[tuple[int, str], list[str]] = defaultdict(list)
    for run_id, entity, path, columns in rows:
        table = columns if isinstance(columns, dict) else json.loads(columns or "{}")
        for sheet, names in sorted(table.items()):
            where = f"{path}" + (f" [{sheet}]" if sheet else "")
            before = last.get((entity, path, sheet))
            now = set(names)
            if before is not None:
                drift[(run_id, entity)].extend(
                    [f"{where}: column {c!r} disappeared" for c in sorted(before - now)]
                    + [f"{where}: new column {c!r}" for c in sorted(now - before)]
                )
            last[(entity, path, sheet)] = now
    return drift


def critical_fields(config: Config) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(f for f, spec in entity.fields.items() if spec.critical and spec.compare)
        for name, entity in config.entities.items()
    }


def load_history(config: Config, engine: Engine, today: date) -> History:
    people = config.data.people
    modules: dict[str, list[str]] = defaultdict(list)
    for name, entity in config.entities.items():
        modules[entity.module].append(name)
    amount_fields = {
        (name, f)
        for name, entity in config.entities.items()
        for f, spec in entity.fields.items()
        if spec.type == "amount"
    }
    with engine.connect() as conn:
        run_rows = conn.execute(select(runs).order_by(runs.c.started_at, runs.c.id)).all()
        stats_rows = conn.execute(select(entity_stats)).all()
        owner_rows = conn.execute(select(owner_stats)).all()
        mismatch_rows = conn.execute(
            select(
                discrepancies.c.run_id, discrepancies.c.entity, discrepancies.c.field, func.count()
            )
            .where(discrepancies.c.kind == "field_mismatch")
            .group_by(discrepancies.c.run_id, discrepancies.c.entity, discrepancies.c.field)
        ).all()
        issue_rows = conn.execute(select(issues)).all()
        signoff_rows = conn.execute(select(signoffs).order_by(signoffs.c.id)).all()
        risk_rows = conn.execute(select(accepted_risks).order_by(accepted_risks.c.id)).all()
        cutover_rows = conn.execute(select(cutovers)).all()
        input_rows = conn.execute(
            select(
                run_inputs.c.run_id, run_inputs.c.entity, run_inputs.c.path, run_inputs.c.columns
            ).order_by(run_inputs.c.run_id)
        ).all()
    stats_by_run: dict[int, list[Any]] = defaultdict(list)
    for row in stats_rows:
        stats_by_run[row.run_id].append(row)
    owners_by_run: dict[int, list[Any]] = defaultdict(list)
    for row in owner_rows:
        owners_by_run[row.run_id].append(row)
    amounts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for run_id, entity, field_name, count in mismatch_rows:
        if (entity, field_name) in amount_fields:
            amounts[run_id][entity] += int(count)
    drift = _column_drift(input_rows)
    points = []
    for run in run_rows:
        if run.status == "running":
            continue
        entities = []
        for row in stats_by_run.get(run.id, []):
            stats = row.stats if isinstance(row.stats, dict) else json.loads(row.stats)
            entities.append(
                EntityPoint(
                    entity=row.entity,
                    module=row.module,
                    match_rate=row.match_rate,
                    field_accuracy={
                        f: acc.get("accuracy") for f, acc in stats["field_accuracy"].items()
                    },
                    counts=dict(stats["counts"]),
                    rows_manual=row.rows_manual,
                    rows_crm=row.rows_crm,
                    sources_ok=True,
                    column_drift=tuple(drift.get((run.id, row.entity), ())),
                )
            )
        if run.status != "ok":  # the entities it was asked for: their feed failed
            entities = [
                EntityPoint(
                    entity=e,
                    module=config.entities[e].module,
                    match_rate=None,
                    field_accuracy={},
                    counts={},
                    rows_manual=0,
                    rows_crm=0,
                    sources_ok=False,
                )
                for e in _list(run.entities_requested)
                if e in config.entities
            ]
        owners = []
        for row in owners_by_run.get(run.id, []):
            login = person_for_name(row.owner, people)
            team = people[login].team if login else None
            owners.append(
                OwnerPoint(
                    entity=row.entity,
                    owner=row.owner,
                    team=team,
                    rows_manual=row.rows_manual,
                    missing_in_crm=row.missing_in_crm,
                )
            )
        started = _aware(run.started_at)
        assert started is not None
        points.append(
            RunPoint(
                run_id=run.id,
                started_at=started,
                status="ok" if run.status == "ok" else "failed",
                entities=tuple(entities),
                owners=tuple(owners),
                unexplained_amount_differences=dict(amounts.get(run.id, {})),
            )
        )
    issue_points = []
    for row in issue_rows:
        created = _aware(row.created_at)
        assert created is not None
        issue_points.append(
            IssuePoint(
                key=row.key,
                kind=row.kind,
                severity=row.severity,
                blocks_cutover=bool(row.blocks_cutover),
                status=row.status,
                module=row.module,
                entity=row.entity,
                owner=row.owner,
                due_date=row.due_date,
                workaround=row.workaround,
                created_at=created,
                resolved_at=_aware(row.resolved_at),
                waiting_on_consultant=row.status == "escalated",
            )
        )
    return History(
        runs=tuple(points),
        issues=tuple(issue_points),
        signoffs=tuple(
            Signoff(
                role=r.role,
                who=r.who,
                at=_aware(r.at) or datetime.now(UTC),
                module=r.module,
                note=r.note,
            )
            for r in signoff_rows
        ),
        accepted_risks=tuple(
            AcceptedRisk(gate=r.gate, owner=r.owner, due=r.due, note=r.note, module=r.module)
            for r in risk_rows
        ),
        cutovers={r.module: r.on for r in cutover_rows},
        modules={m: tuple(e) for m, e in modules.items()},
        today=today,
    )
