"""`dualrun init`: propose a dualrun.toml from a lead's own files, or copy the demo."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dualrun.onboarding import Proposal


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    folder: Annotated[
        Path, typer.Argument(help="The project folder; dualrun.toml is written there.")
    ] = Path("."),
    manual: Annotated[
        list[Path] | None,
        typer.Option("--manual", "-m", help="A hand-kept spreadsheet (repeatable)."),
    ] = None,
    crm: Annotated[
        list[Path] | None, typer.Option("--crm", help="A CRM export, csv or xlsx (repeatable).")
    ] = None,
    entity: Annotated[
        list[str] | None,
        typer.Option(
            "--entity", "-e", help="Name the entities found, in the order of --manual files."
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Accept every proposal without asking.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing dualrun.toml (or demo folder).")
    ] = False,
    example: Annotated[
        bool, typer.Option("--example", help="Copy the bundled demo project instead.")
    ] = False,
) -> None:
    """Propose a dualrun.toml from your spreadsheets and CRM exports, each line with its
    evidence; anything uncertain is marked # CHECK."""
    from dualrun.onboarding import config_path, propose_config, write_config

    if example:
        from dualrun.demo import copy_demo

        project = copy_demo(folder, force=force)
        typer.echo(f"demo project copied to {project}")
        typer.echo(f"next: dualrun check -c {project / 'dualrun.toml'}")
        return
    config_path(folder, force=force)  # refuse before the slow part
    proposal = propose_config(folder, manual or [], crm or [], entity_names=entity or [])
    if not yes and sys.stdin.isatty():
        proposal = _ask(proposal)
        if not typer.confirm(f"write {folder / 'dualrun.toml'}?", default=True):
            typer.echo("nothing written")
            return
    target = write_config(folder, proposal, force=force)
    _summary(proposal, target)


def _ask(proposal: Proposal) -> Proposal:
    """The few questions asked on a terminal: the name of each entity."""
    entities = []
    for entity in proposal.entities:
        typer.echo(_describe(entity))
        name = typer.prompt("entity name", default=entity.name).strip() or entity.name
        entities.append(dataclasses.replace(entity, name=name))
    return dataclasses.replace(proposal, entities=tuple(entities))


def _describe(entity: object) -> str:
    from dualrun.onboarding import EntityProposal

    assert isinstance(entity, EntityProposal)
    key = ", ".join(entity.match.key)
    return (
        f"{entity.name}: {entity.pairing_evidence}\n"
        f"  {len(entity.fields)} fields, key {key} ({entity.match.key_evidence})"
    )


def _summary(proposal: Proposal, target: Path) -> None:
    typer.echo(f"wrote {target}")
    for entity in proposal.entities:
        typer.echo(_describe(entity))
    checks = proposal.checks()
    if checks:
        typer.echo(f"{len(checks)} places marked # CHECK (look at these first):")
        for place in checks:
            typer.echo(f"  {place}")
    typer.echo(f"next: dualrun check -c {target}")
