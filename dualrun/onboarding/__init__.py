"""Onboarding: turn a lead's own spreadsheets and CRM exports into a working config.

``propose_config`` reads every sheet of the given files (the only file access here
besides ``write_config``), hands the tables to the pure ``propose``, and ``render``
turns the proposal into ``dualrun.toml`` text with the evidence for every line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from dualrun.config import DEFAULT_CONFIG_NAME
from dualrun.errors import UsageError
from dualrun.onboarding.propose import (
    EntityProposal,
    FieldProposal,
    MatchProposal,
    Proposal,
    SourceProposal,
    propose,
)
from dualrun.onboarding.render import render
from dualrun.reconcile.readers import RawTable, SourceSpec, read_source

__all__ = [
    "EntityProposal",
    "FieldProposal",
    "MatchProposal",
    "Proposal",
    "SourceProposal",
    "config_path",
    "propose",
    "propose_config",
    "read_tables",
    "relative_path",
    "render",
    "write_config",
]


def config_path(folder: Path, *, force: bool = False) -> Path:
    """Where the config goes; refuses an existing one unless ``force``.

    Raises:
        UsageError: ``folder`` is a file, or holds a dualrun.toml and ``force`` is off.
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder", hint="name a folder for the project")
    target = folder / DEFAULT_CONFIG_NAME
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists",
            hint="pass --force to replace it, or name another folder",
        )
    return target


def relative_path(path: Path, folder: Path) -> str:
    """``path`` as the config will name it: relative to the config's folder, with /."""
    return os.path.relpath(path.resolve(), folder.resolve()).replace(os.sep, "/")


def read_tables(paths: Sequence[Path], folder: Path) -> list[RawTable]:
    """Every sheet of every file, named by its path relative to ``folder``.

    Raises:
        InputError: a file cannot be read (see ``read_source``).
    """
    tables: list[RawTable] = []
    for path in paths:
        tables.extend(read_source(path, SourceSpec(), relative_path(path, folder)))
    return tables


def propose_config(
    folder: Path,
    manual: Sequence[Path],
    crm: Sequence[Path],
    *,
    entity_names: Sequence[str] = (),
) -> Proposal:
    """Read the files and propose a config for a project in ``folder``.

    Raises:
        UsageError: no manual or no CRM file given, or nothing can be paired.
        InputError: a file cannot be read.
    """
    if not manual or not crm:
        raise UsageError(
            "name the spreadsheets with --manual FILE and the CRM exports with --crm FILE",
            hint="or `dualrun init --example DIR` for the bundled demo project",
        )
    return propose(
        read_tables(manual, folder),
        read_tables(crm, folder),
        entity_names=entity_names,
        project_name=folder.resolve().name or "dualrun project",
    )


def write_config(folder: Path, proposal: Proposal, *, force: bool = False) -> Path:
    """Render ``proposal`` into ``folder/dualrun.toml``; refuses to overwrite without force."""
    target = config_path(folder, force=force)
    folder.mkdir(parents=True, exist_ok=True)
    sources = ", ".join(s.path for e in proposal.entities for s in (*e.manual, *e.crm))
    target.write_text(render(proposal, sources=sources), encoding="utf-8")
    return target
