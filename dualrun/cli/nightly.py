"""`dualrun nightly`: the cron line. Reconcile, sync issues, write the reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dualrun.cli.options import ConfigOption, DbOption, LangOption
from dualrun.errors import EXIT_FINDINGS, EXIT_OK


def nightly(
    config: ConfigOption = None,
    entity: Annotated[
        list[str] | None, typer.Option("--entity", "-e", help="Only this entity (repeatable).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Report folder.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Reconcile and turn discrepancies into issues: exit 0 when no discrepancy issue is
    unresolved, 1 when some are, 2 on error (the run record says why)."""
    from dualrun.cli.render import print_nightly, progress_printer
    from dualrun.config import load_config
    from dualrun.nightly.job import run_nightly
    from dualrun.service import default_out_dir, utc_now

    loaded = load_config(config)
    with progress_printer() as say:
        result = run_nightly(
            loaded,
            entities=tuple(entity or ()),
            db_url=db,
            out_dir=out or default_out_dir(loaded, utc_now()),
            lang=lang,
            progress=say,
        )
    print_nightly(result, lang or loaded.project.lang)
    raise typer.Exit(EXIT_FINDINGS if result.unresolved_discrepancy_issues else EXIT_OK)
