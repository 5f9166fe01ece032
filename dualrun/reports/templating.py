"""The Jinja environment: templates from the wheel (or the repo), autoescaped, strict."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

_PACKAGE = Path(__file__).resolve().parent.parent


def templates_dir() -> Path:
    """`dualrun/templates` inside an installed wheel, else `templates/` of a checkout."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "run_report.html").exists():
            return candidate
    raise FileNotFoundError("dualrun's templates folder is missing from this installation")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.2f}%"
    env.filters["num"] = lambda v: "—" if v is None else f"{v:,}"
    return env
