"""`dualrun issues template` and `dualrun issues import`: the spreadsheet intake form.

Call ``register(issues_app)`` once to add both commands to the `issues` sub-app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualrun.cli.options import ConfigOption, DbOption

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this person (default: DUALRUN_USER, else your login)."),
]


def template(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the form (.xlsx).")
    ] = Path("问题反馈表.xlsx"),
    rows: Annotated[int, typer.Option(help="Input rows, each with its own Row ID.")] = 500,
    config: ConfigOption = None,
) -> None:
    """Write the intake form end users fill in to report problems."""
    from dualrun.config import load_config
    from dualrun.errors import UsageError
    from dualrun.intake.form import write_form

    if rows < 1:
        raise UsageError("--rows must be at least 1")
    path = write_form(load_config(config), output, rows=rows)
    typer.echo(f"wrote {path}")


def import_(
    files: Annotated[list[Path], typer.Argument(help="Filled-in forms (.xlsx).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """File the rows of filled-in forms as issues: one batch, every row accounted for.

    Exit code 0: every row created or unchanged; 1: some rows rejected (the rest were
    applied); 2: nothing could be read.
    """
    from dualrun.config import load_config
    from dualrun.intake.importer import import_forms
    from dualrun.tracker import open_tracker

    tracker = open_tracker(load_config(config), db, login)
    receipt = import_forms(tracker, files, dry_run=dry_run)
    for line in receipt.summary_lines():
        typer.echo(line)
    raise typer.Exit(receipt.exit_code)


def register(issues_app: typer.Typer) -> None:
    """Add `template` and `import` to the `dualrun issues` sub-app (once)."""
    names = {c.name for c in issues_app.registered_commands}
    if "template" not in names:
        issues_app.command("template")(template)
    if "import" not in names:
        issues_app.command("import")(import_)
