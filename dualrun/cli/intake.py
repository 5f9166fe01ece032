"""`dualrun issues template` and `dualrun issues import`: the spreadsheet intake form.

Also `dualrun issues export` (an editable workbook or CSV of issues, which `import`
recognises and applies as edits; `--per-owner DIR` for one workbook per owner),
`import --inbox DIR` (a shared folder of workbooks) and `dualrun issues undo BATCH`.

Call ``register(issues_app)`` once to add these commands to the `issues` sub-app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualrun.cli.options import (
    BlockerFilter,
    CategoryFilter,
    ConfigOption,
    DbOption,
    EntityFilter,
    KindFilter,
    ModuleFilter,
    OverdueFilter,
    OwnerFilter,
    SeverityFilter,
    StatusFilter,
    TextFilter,
    UnownedFilter,
)

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
    files: Annotated[
        list[Path] | None, typer.Argument(help="Filled-in forms or edited exports (.xlsx).")
    ] = None,
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help="Import every new workbook in this folder; move each to processed/ or "
            "rejected/ with its receipt.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """File the rows of filled-in forms as issues: one batch, every row accounted for.

    Exit code 0: every row created or unchanged; 1: some rows rejected (the rest were
    applied); 2: nothing could be read. With --inbox, the worst of the files.
    """
    from dualrun.config import load_config
    from dualrun.errors import UsageError
    from dualrun.intake.edits import import_edits
    from dualrun.intake.export import is_export
    from dualrun.intake.importer import import_forms
    from dualrun.tracker import open_tracker

    files = files or []
    if inbox is not None and files:
        raise UsageError("give files or --inbox DIR, not both")
    tracker = open_tracker(load_config(config), db, login)
    if inbox is not None:
        from dualrun.intake.inbox import exit_code, process_inbox

        results = process_inbox(tracker, inbox, dry_run=dry_run)
        if not results:
            typer.echo(f"no new workbooks in {inbox}")
        for result in results:
            for line in result.summary_lines(dry_run):
                typer.echo(line)
        if dry_run and results:
            typer.echo("dry run: nothing was changed or moved")
        raise typer.Exit(exit_code(results))
    exports = [f for f in files if is_export(f)]
    forms = [f for f in files if f not in exports]
    code = 0
    if forms or not exports:
        receipt = import_forms(tracker, forms, dry_run=dry_run)
        for line in receipt.summary_lines():
            typer.echo(line)
        code = receipt.exit_code
    if exports:
        edits = import_edits(tracker, exports, dry_run=dry_run)
        for line in edits.summary_lines():
            typer.echo(line)
        code = max(code, edits.exit_code)
    raise typer.Exit(code)


def export(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the export (.xlsx or .csv).")
    ] = Path("issues.xlsx"),
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    unowned: UnownedFilter = False,
    severity: SeverityFilter = None,
    kind: KindFilter = None,
    category: CategoryFilter = None,
    module: ModuleFilter = None,
    entity: EntityFilter = None,
    blocker: BlockerFilter = False,
    overdue: OverdueFilter = False,
    text: TextFilter = None,
    fmt: Annotated[str, typer.Option("--format", help="xlsx|csv")] = "xlsx",
    mask_pii: Annotated[
        bool, typer.Option("--mask-pii", help="Mask phone numbers and e-mail addresses.")
    ] = False,
    per_owner: Annotated[
        Path | None,
        typer.Option(
            "--per-owner",
            help="Write one workbook per owner into this folder (<login>.xlsx, "
            "(unowned).xlsx) instead of -o.",
        ),
    ] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Export issues for offline editing; `dualrun issues import FILE` applies the edits."""
    from dualrun.cli.issues import issue_filter
    from dualrun.config import load_config
    from dualrun.errors import UsageError
    from dualrun.intake.export import write_export
    from dualrun.tracker import open_tracker

    if fmt not in ("xlsx", "csv"):
        raise UsageError(f"unknown format {fmt!r}", hint="--format xlsx or --format csv")
    tracker = open_tracker(load_config(config), db, login)
    flt = issue_filter(
        status,
        owner,
        unowned,
        severity,
        kind,
        category,
        module,
        entity,
        blocker,
        overdue,
        text,
    )
    if per_owner is not None:
        from dualrun.intake.per_owner import write_per_owner

        written = write_per_owner(tracker, flt, per_owner, fmt=fmt, mask_pii=mask_pii)
        for path, number in written:
            typer.echo(f"wrote {number} issue(s) to {path}")
        if not written:
            typer.echo(f"no issues to export; nothing written to {per_owner}")
        return
    count = write_export(tracker, flt, output, fmt=fmt, mask_pii=mask_pii)
    typer.echo(f"wrote {count} issue(s) to {output}")


def undo(
    batch: Annotated[int, typer.Argument(help="The batch to undo (printed by import).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")
    ] = False,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Undo an import batch by new journal entries (leads only); nothing is deleted."""
    from dualrun.config import load_config
    from dualrun.intake.undo import undo_batch
    from dualrun.tracker import open_tracker

    tracker = open_tracker(load_config(config), db, login)
    report = undo_batch(tracker, batch, dry_run=dry_run)
    for line in report.lines():
        typer.echo(line)


def register(issues_app: typer.Typer) -> None:
    """Add `template`, `import`, `export` and `undo` to the `dualrun issues` sub-app (once)."""
    names = {c.name for c in issues_app.registered_commands}
    if "template" not in names:
        issues_app.command("template")(template)
    if "import" not in names:
        issues_app.command("import")(import_)
    if "export" not in names:
        issues_app.command("export")(export)
    if "undo" not in names:
        issues_app.command("undo")(undo)
