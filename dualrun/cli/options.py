"""Options shared by every command, written once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "-c",
        "--config",
        envvar="DUALRUN_CONFIG",
        help="Project config file (default ./dualrun.toml).",
        show_default=False,
    ),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="DUALRUN_DB_URL",
        help="Store URL (sqlite:///file.db or postgresql://user@host/db); overrides the config.",
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Report language: zh or en (default from the config)."),
]

# The issue filters shared by `issues list`, `issues bulk` and `issues export`.
StatusFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        "-s",
        help="Status or open|active|done|unresolved|all (repeatable). Default: unresolved.",
    ),
]
OwnerFilter = Annotated[str | None, typer.Option("--owner", help="Owner login.")]
UnownedFilter = Annotated[bool, typer.Option("--unowned", help="Only issues without owner.")]
SeverityFilter = Annotated[list[str] | None, typer.Option("--severity", help="Repeatable.")]
KindFilter = Annotated[str | None, typer.Option("--kind", help="discrepancy|report")]
CategoryFilter = Annotated[str | None, typer.Option("--category")]
ModuleFilter = Annotated[str | None, typer.Option("--module")]
EntityFilter = Annotated[str | None, typer.Option("--entity")]
BlockerFilter = Annotated[bool, typer.Option("--blocker", help="Only blockers.")]
OverdueFilter = Annotated[bool, typer.Option("--overdue", help="Only overdue.")]
TextFilter = Annotated[str | None, typer.Option("--text", help="In title or description.")]
