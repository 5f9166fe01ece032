"""Repository of what readiness needs besides runs and issues: sign-offs, accepted risks,
cut-over modules."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Engine, insert, select

from dualrun.store.schema import accepted_risks, cutovers, signoffs


def add_signoff(
    engine: Engine, *, role: str, who: str, module: str | None, at: datetime, note: str | None
) -> None:
    with engine.begin() as conn:
        conn.execute(insert(signoffs).values(role=role, who=who, module=module, at=at, note=note))


def add_accepted_risk(
    engine: Engine,
    *,
    gate: str,
    module: str | None,
    owner: str,
    due: date,
    note: str,
    recorded_by: str,
    at: datetime,
) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(accepted_risks).values(
                gate=gate,
                module=module,
                owner=owner,
                due=due,
                note=note,
                recorded_by=recorded_by,
                at=at,
            )
        )


def cutover_dates(conn: Connection) -> dict[str, date]:
    return {r.module: r.on for r in conn.execute(select(cutovers))}


def record_cutover(
    conn: Connection,
    *,
    module: str,
    on: date,
    recorded_by: str,
    at: datetime,
    carry_on: list[str],
) -> bool:
    if conn.execute(select(cutovers.c.module).where(cutovers.c.module == module)).first():
        return False
    conn.execute(
        insert(cutovers).values(
            module=module, on=on, recorded_by=recorded_by, at=at, carry_on=carry_on
        )
    )
    return True
