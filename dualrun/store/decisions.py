"""Repository of people's match decisions (confirm / reject a pair), one per pair."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, insert, select, update

from dualrun.reconcile.engine import MatchDecision
from dualrun.store.schema import match_decisions


def record_decision(
    engine: Engine,
    *,
    entity: str,
    manual_key: str,
    crm_key: str,
    decision: str,
    actor: str,
    at: datetime,
    note: str | None,
) -> bool:
    """Store or change the decision on a pair; False when it was already so."""
    with engine.begin() as conn:
        where = and_(
            match_decisions.c.entity == entity,
            match_decisions.c.manual_key == manual_key,
            match_decisions.c.crm_key == crm_key,
        )
        current = conn.execute(select(match_decisions.c.decision).where(where)).scalar()
        if current == decision:
            return False
        values = {"decision": decision, "actor": actor, "at": at, "note": note}
        if current is None:
            conn.execute(
                insert(match_decisions).values(
                    entity=entity, manual_key=manual_key, crm_key=crm_key, **values
                )
            )
        else:
            conn.execute(update(match_decisions).where(where).values(**values))
        return True


def decisions_for(engine: Engine, entity: str) -> list[MatchDecision]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(match_decisions)
            .where(match_decisions.c.entity == entity)
            .order_by(match_decisions.c.id)
        ).all()
    return [MatchDecision(r.manual_key, r.crm_key, r.decision) for r in rows]


def all_decisions(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(select(match_decisions).order_by(match_decisions.c.id)).all()
    return [dict(r._mapping) for r in rows]
