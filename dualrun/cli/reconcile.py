"""`dualrun check`, `dualrun reconcile`, `dualrun runs` and `dualrun db upgrade`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dualrun.cli.nightly import nightly
from dualrun.cli.options import ConfigOption, DbOption, LangOption
from dualrun.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, UsageError

EntityOption = Annotated[
    list[str] | None,
    typer.Option("--entity", "-e", help="Only this entity (repeatable). Default: all."),
]


def register(app: typer.Typer, db_app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("reconcile")(reconcile)
    app.command("runs")(runs)
    app.command("demo")(demo)
    app.command("nightly")(nightly)
    db_app.command("upgrade")(db_upgrade)


def check(config: ConfigOption = None, entity: EntityOption = None) -> None:
    """Validate the config and every source without running: headers, mapping, samples."""
    from dualrun.checking import check_project
    from dualrun.cli.render import print_check
    from dualrun.config import load_config

    loaded = load_config(config)
    print_check(check_project(loaded, entity or []))


def reconcile(
    config: ConfigOption = None,
    entity: EntityOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default reports/<date>).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the versioned JSON document to stdout.")
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Compare manual spreadsheets with CRM exports; exit 1 when discrepancies are found."""
    from dualrun.cli.render import print_run_summary, progress_printer
    from dualrun.config import load_config
    from dualrun.service import default_out_dir, run_reconcile, utc_now

    if lang not in (None, "zh", "en"):
        raise UsageError(f"--lang must be zh or en, not {lang!r}")
    loaded = load_config(config)
    out_dir = out or default_out_dir(loaded, utc_now())
    with progress_printer(enabled=not as_json) as say:
        result = run_reconcile(
            loaded,
            entities=entity or [],
            db_url=db,
            out_dir=out_dir,
            lang=lang,
            progress=say,
            with_json=as_json,
        )
    if as_json:
        sys.stdout.flush()
        result.write_json(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        print_run_summary(result, lang or loaded.project.lang)
    raise typer.Exit(EXIT_FINDINGS if result.discrepancy_count else EXIT_OK)


def runs(
    config: ConfigOption = None,
    db: DbOption = None,
    limit: Annotated[int, typer.Option("--limit", help="How many runs, newest first.")] = 20,
) -> None:
    """List recent runs with their status (failed runs say why)."""
    from dualrun.cli.render import print_runs
    from dualrun.config import load_config
    from dualrun.store import open_store
    from dualrun.store.runs import list_runs

    loaded = load_config(config)
    print_runs(list_runs(open_store(loaded.store_url(db)), limit))


def db_upgrade(config: ConfigOption = None, db: DbOption = None) -> None:
    """Create the store or upgrade it to the newest schema."""
    from dualrun.config import load_config
    from dualrun.store import open_store
    from dualrun.store.database import current_tables

    loaded = load_config(config)
    engine = open_store(loaded.store_url(db))
    typer.echo(f"store at {engine.url.render_as_string(hide_password=True)} is up to date")
    typer.echo("tables: " + ", ".join(current_tables(engine)))


__all__ = ["EXIT_ERROR", "register"]


def demo(
    folder: Annotated[Path, typer.Argument(help="Where to put the demo project.")] = Path(
        "dualrun-demo"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Replace the folder if it exists.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """Copy the bundled demo project and run the nightly job on each of its nights."""
    from dualrun.cli.render import print_nightly, progress_printer
    from dualrun.config import load_config
    from dualrun.demo import copy_demo, replay
    from dualrun.nightly.job import run_nightly

    project = copy_demo(folder, force=force)
    typer.echo(f"demo project copied to {project}")
    result = None
    for night in replay(project):
        config = load_config(project / "dualrun.toml")
        typer.echo(f"\n== {night.name} ==")
        with progress_printer() as say:
            result = run_nightly(
                config, out_dir=project / "reports" / night.name, lang=lang, progress=say
            )
        print_nightly(result, lang or config.project.lang)
    if result is not None:
        typer.echo(f"\nopen the latest report: {result.run.reports.get('html')}")
        typer.echo(f"cutover readiness: {result.run.reports.get('readiness')}")
        typer.echo(f"the issues: dualrun issues list -c {project / 'dualrun.toml'} --status all")
