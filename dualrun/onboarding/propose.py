"""Propose a config from the tables a lead brings: entities, field map, key, normalisers.

Pure: ``propose`` takes the tables already read (``RawTable``) and returns a
``Proposal`` value, every part with the evidence it rests on and a confidence. It reads
no file and prints nothing. When nothing can be paired it raises ``UsageError`` rather
than guess.

The work is split by job: ``values`` (the ``Proposal`` dataclasses), ``profile``
(column profiles), ``pairing`` (columns and tables paired across the sides), ``fields``
and ``entities`` (building the proposal). This module keeps the entry point and
re-exports the public names, so ``from dualrun.onboarding.propose import ...`` works.
"""

from __future__ import annotations

from collections.abc import Sequence

from dualrun.errors import UsageError
from dualrun.onboarding.entities import _entity, _entity_name
from dualrun.onboarding.fields import ENUM_MAX_VALUES
from dualrun.onboarding.pairing import ACCEPT_FROM, _Candidate, _candidate
from dualrun.onboarding.profile import SAMPLE_ROWS, _groups
from dualrun.onboarding.values import (
    CHECK_BELOW,
    NO_OWNER,
    EntityProposal,
    FieldProposal,
    MatchProposal,
    Proposal,
    SourceProposal,
)
from dualrun.reconcile.readers import RawTable

__all__ = [
    "ACCEPT_FROM",
    "CHECK_BELOW",
    "ENUM_MAX_VALUES",
    "NO_OWNER",
    "SAMPLE_ROWS",
    "EntityProposal",
    "FieldProposal",
    "MatchProposal",
    "Proposal",
    "SourceProposal",
    "propose",
]


def propose(
    manual: Sequence[RawTable],
    crm: Sequence[RawTable],
    *,
    entity_names: Sequence[str] = (),
    project_name: str = "dualrun project",
    timezone: str = "Asia/Shanghai",
    default_country: str = "86",
) -> Proposal:
    """Propose entities, field maps, keys and normalisers for these tables.

    ``entity_names`` names the entities found, in the order of the manual tables.

    Raises:
        UsageError: no manual table pairs with a CRM table (nothing in common), or
            ``entity_names`` does not fit the number of entities found.
    """
    manual_groups = _groups("manual", manual, timezone, default_country)
    crm_groups = _groups("crm", crm, timezone, default_country)
    candidates = [_candidate(m, c) for m in manual_groups for c in crm_groups]
    candidates.sort(key=lambda c: c.score, reverse=True)
    chosen: list[_Candidate] = []
    for cand in candidates:
        if cand.score <= 0:
            break
        if any(c.manual is cand.manual or c.crm is cand.crm for c in chosen):
            continue
        chosen.append(cand)
    if not chosen:
        raise UsageError(
            "could not pair the manual files with the CRM files: no column names or values "
            "in common ("
            + "; ".join(
                f"{g.file}: {', '.join(c.header for c in g.columns[:6])}"
                for g in manual_groups + crm_groups
            )
            + ")",
            hint="check that --manual and --crm name the same kind of records (customers with "
            "customers), or run `dualrun init --example DIR` and adapt its dualrun.toml by hand",
        )
    chosen.sort(key=lambda c: manual_groups.index(c.manual))
    if entity_names and len(entity_names) != len(chosen):
        raise UsageError(
            f"--entity names {len(entity_names)} entities but {len(chosen)} pairs were found: "
            + "; ".join(c.evidence for c in chosen),
            hint="give one --entity per pair, in the order of the --manual files",
        )
    used: set[str] = set()
    entities = []
    for i, cand in enumerate(chosen):
        name = _entity_name(cand, used, entity_names[i] if entity_names else None)
        entities.append(
            _entity(name, cand.manual, cand.crm, cand.pairs, (cand.evidence, cand.confidence))
        )
    notes = [
        f"{g.side} file {g.file}"
        + (f" (sheets {', '.join(s for s in g.sheets if s)})" if not g.all_sheets else "")
        + " was not paired with anything: no entity proposed for it"
        for g in manual_groups + crm_groups
        if not any(c.manual is g or c.crm is g for c in chosen)
    ]
    chinese = any(not c.header.isascii() for g in manual_groups for c in g.columns)
    return Proposal(
        project_name,
        "zh" if chinese else "en",
        tuple(entities),
        tuple(notes),
        timezone=timezone,
        default_country=default_country,
    )
