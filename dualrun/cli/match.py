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
    from dualrun.service import select_entities, utc_now
    from dualrun.store.decisions import record_decision
    from dualrun.tracker import open_tracker

    loaded = load_config(config)
    select_entities(loaded, [entity])
    tracker = open_tracker(loaded, db, login)
    tracker.require_lead(f"{decision} a match")
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


DECISION_WORDS = {
    "confirm": "confirm",
    "确认": "confirm",
    "是": "confirm",
    "yes": "confirm",
    "same": "confirm",
    "reject": "reject",
    "拒绝": "reject",
    "否": "reject",
    "no": "reject",
    "different": "reject",
}


@app.command("import")
def import_decisions(
    workbook: Annotated[Path, typer.Argument(help="A run workbook with its decision sheet.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, record nothing.")] = False,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Record the decisions typed into a run workbook's Match decisions sheet."""
    import openpyxl

    from dualrun.errors import InputError, Location, UsageError
    from dualrun.reports.labels import LABELS

    columns = {}
    for text in LABELS.values():
        for field_name in ("entity", "manual_identity", "crm_identity", "decision"):
            columns[text[field_name]] = field_name
    try:
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"cannot read the workbook: {exc}", location=Location(file=str(workbook))
        ) from exc
    sheet_name = next(
        (n for n in book.sheetnames if n in {t["decisions"] for t in LABELS.values()}), None
    )
    if sheet_name is None:
        raise UsageError(
            f"{workbook} has no Match decisions sheet",
            hint="use the run workbook dualrun reconcile wrote",
        )
    rows = list(book[sheet_name].iter_rows(values_only=True))
    header = [columns.get(str(h), "") for h in rows[0]] if rows else []
    if not {"entity", "manual_identity", "crm_identity", "decision"} <= set(header):
        raise UsageError(f"{workbook}, sheet {sheet_name!r}: the header row was changed")
    taken, refused = [], []
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, row, strict=False))
        word = str(cells.get("decision") or "").strip()
        if not word:
            continue
        decision = DECISION_WORDS.get(word.casefold())
        if decision is None:
            refused.append(f"row {number}: {word!r} is not confirm/确认 or reject/拒绝")
            continue
        taken.append(
            (
                str(cells["entity"]),
                str(cells["manual_identity"]),
                str(cells["crm_identity"]),
                decision,
                number,
            )
        )
    for entity, manual_key, crm_key, decision, number in taken:
        typer.echo(f"  row {number}: {entity} {manual_key} ↔ {crm_key}: {decision}")
        if not dry_run:
            _decide(
                decision,
                entity,
                manual_key,
                crm_key,
                f"from {workbook.name} row {number}",
                login,
                config,
                db,
            )
    for line in refused:
        typer.echo(f"  rejected: {sheet_name} {line}")
    typer.echo(
        f"{len(taken)} decision(s) {'would be ' if dry_run else ''}recorded, "
        f"{len(refused)} rejected"
    )
    if refused:
        raise typer.Exit(1)
