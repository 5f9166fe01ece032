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
