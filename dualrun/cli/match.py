"""`dualrun match confirm|reject|list`: people's word on pairs, honoured by every later run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualrun.cli.options import ConfigOption, DbOption

app = typer.Typer(
    help="Confirm or reject pairs the matching proposed (or could not decide).",
    no_args_is_help=True,
)

EntityArg = Annotated[str, typer.Argument(help="The entity, e.g. account.")]
ManualArg = Annotated[
    str, typer.Argument(help="The manual record: its key, or its identity from a report.")
]
CrmArg = Annotated[str, typer.Argument(help="The CRM record: its key, record ID or identity.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why.")]
AsOption = Annotated[str | None, typer.Option("--as", help="Act as this person.")]


def _decide(
    decision: str,
    entity: str,
    manual_key: str,
    crm_key: str,
    note: str | None,
    login: str | None,
    config: Path | None,
    db: str | None,
) -> None:
    from dualrun.config import load_config
    from dualrun.errors import PermissionDenied
    from dualrun.service import select_entities, utc_now
    from dualrun.store.decisions import record_decision
    from dualrun.tracker import open_tracker

    loaded = load_config(config)
    select_entities(loaded, [entity])
    tracker = open_tracker(loaded, db, login)
    if tracker.actor.role != "lead":
        leads = [p for p, c in loaded.data.people.items() if c.role == "lead"]
        raise PermissionDenied(
            f"{tracker.actor.label} may not {decision} a match: only leads "
            f"({', '.join(leads) or 'none declared'}) may"
        )
    changed = record_decision(
        tracker.engine,
        entity=entity,
        manual_key=manual_key,
        crm_key=crm_key,
        decision=decision,
        actor=tracker.actor.login,
        at=utc_now(),
        note=note,
    )
    verb = "same record" if decision == "confirm" else "not the same record"
    typer.echo(
        f"{entity}: {manual_key} ↔ {crm_key}: {verb}; every later run honours it"
        if changed
        else f"{entity}: {manual_key} ↔ {crm_key}: already so, nothing changed"
    )


@app.command("confirm")
def confirm(
    entity: EntityArg,
    manual_key: ManualArg,
    crm_key: CrmArg,
    note: NoteOption = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Say two records are the same, whatever the matching rules think."""
    _decide("confirm", entity, manual_key, crm_key, note, login, config, db)


@app.command("reject")
def reject(
    entity: EntityArg,
    manual_key: ManualArg,
    crm_key: CrmArg,
    note: NoteOption = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Say two records are not the same: no fallback or fuzzy rule will pair them."""
    _decide("reject", entity, manual_key, crm_key, note, login, config, db)


@app.command("list")
def list_decisions(config: ConfigOption = None, db: DbOption = None) -> None:
    """The decisions on record."""
    from dualrun.config import load_config
    from dualrun.store import open_store
    from dualrun.store.decisions import all_decisions

    loaded = load_config(config)
    for row in all_decisions(open_store(loaded.store_url(db))):
        typer.echo(
            f"{row['entity']}: {row['manual_key']} ↔ {row['crm_key']}: "
            f"{row['decision']} by {row['actor']} at {row['at']}"
            + (f" ({row['note']})" if row["note"] else "")
        )
