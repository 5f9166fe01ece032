"""The bundled demo project: copy it somewhere and replay its nights of parallel run.

The demo ships inside the package (``dualrun/examples/demo`` in a wheel,
``examples/demo`` in a checkout). Each night's files replace ``manual/`` and ``crm/``
beside the demo's config before that night is reconciled, as a nightly export would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from dualrun.errors import UsageError

_PACKAGE = Path(__file__).resolve().parent


def bundled_demo() -> Path:
    for candidate in (_PACKAGE / "examples" / "demo", _PACKAGE.parent / "examples" / "demo"):
        if (candidate / "dualrun.toml").exists():
            return candidate
    raise UsageError("the bundled demo is missing from this installation")


def copy_demo(target: Path, *, force: bool = False) -> Path:
    """Copy the demo project (config, nights, docs) into `target`."""
    source = bundled_demo()
    if target.exists() and any(target.iterdir()):
        if not force:
            raise UsageError(
                f"{target} already exists and is not empty",
                hint="pass another folder, or --force to replace it",
            )
        shutil.rmtree(target)
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns("dualrun.db*", "reports", "__pycache__")
    )
    return target


def nights(project: Path) -> list[Path]:
    folder = project / "nights"
    found = sorted(
        (p for p in folder.glob("night-*") if p.is_dir()), key=lambda p: int(p.name.split("-")[1])
    )
    if not found:
        raise UsageError(f"no nights/night-N folders in {project}")
    return found


def stage_night(project: Path, night: Path) -> None:
    """Put one night's exports in place, as the nightly file drop would."""
    for side in ("manual", "crm"):
        destination = project / side
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(night / side, destination)


def replay(project: Path) -> Iterator[Path]:
    for night in nights(project):
        stage_night(project, night)
        yield night
