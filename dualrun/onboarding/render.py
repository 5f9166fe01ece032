"""Render a ``Proposal`` as the text of a ``dualrun.toml``.

Every proposed value carries a ``#`` comment with its evidence and confidence, and
anything below the confidence threshold is marked ``# CHECK`` so the lead knows where to
look. Pure: text out, no file access.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from dualrun.onboarding.propose import (
    CHECK_BELOW,
    NO_OWNER,
    EntityProposal,
    FieldProposal,
    Proposal,
    SourceProposal,
)

CHECK = "CHECK"


def _s(value: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def _comment(evidence: str, confidence: float) -> str:
    mark = f"{CHECK}: " if confidence < CHECK_BELOW else ""
    return f"# {mark}{evidence} (confidence {confidence:.0%})"


def render(proposal: Proposal, *, sources: str = "") -> str:
    """The config text for ``proposal``; ``sources`` names the input files in the header."""
    lines = [
        "# dualrun.toml proposed by `dualrun init`" + (f" from {sources}" if sources else ""),
        "# Every proposal below says what it rests on and how sure it is. Look at each line",
        f"# marked {CHECK} first, then run `dualrun check` and `dualrun reconcile`.",
        "# Paths are relative to this file.",
    ]
    lines += [f"# {CHECK}: {note}" for note in proposal.notes]
    lines += [
        "",
        "[project]",
        f"name = {_s(proposal.project_name)}",
        f"lang = {_s(proposal.lang)}",
        f"timezone = {_s(proposal.timezone)}  # CRM timestamps are compared as dates here",
        f"default_country = {_s(proposal.default_country)}  # phones without a country code",
    ]
    for entity in proposal.entities:
        lines += ["", *_entity(entity)]
    return "\n".join(lines) + "\n"


def _entity(entity: EntityProposal) -> list[str]:
    prefix = f"entities.{entity.name}"
    lines = [_comment(f"pairing: {entity.pairing_evidence}", entity.pairing_confidence)]
    lines += [f"[{prefix}]", 'module = "default"  # for a phased cutover: SFA, service, …']
    if entity.label:
        lines.append(f"label = {_s(entity.label)}")
    if entity.owner:
        owner = entity.field(entity.owner)
        lines.append(f"owner = {_s(entity.owner)}  # 负责人: {owner.manual} ↔ {owner.crm}")
    else:
        lines.append(f"# {CHECK}: {NO_OWNER}")
    if entity.record_id:
        lines.append(f"record_id = {_s(entity.record_id)}  # {entity.record_id_evidence}")
    for side, sources in (("manual", entity.manual), ("crm", entity.crm)):
        for source in sources:
            lines += ["", *_source(f"{prefix}.{side}", source)]
    match = entity.match
    lines += [
        "",
        f"[{prefix}.match]",
        _comment(f"key: {match.key_evidence}", match.key_confidence),
        f"key = {_list(match.key)}",
    ]
    if match.fallback:
        groups = ", ".join(_list(group) for group in match.fallback)
        lines.append(f"fallback = [{groups}]  # {match.fallback_evidence}")
    if match.fuzzy_field:
        lines.append(f"# {match.fuzzy_evidence}")
        block = f", block = {_list(match.fuzzy_block)}" if match.fuzzy_block else ""
        lines.append(
            f"fuzzy = {{ field = {_s(match.fuzzy_field)}{block}, threshold = 90, margin = 3 }}"
        )
    for proposal in entity.fields:
        lines += ["", *_field(prefix, proposal)]
    if entity.unmapped_manual or entity.unmapped_crm:
        lines.append("")
        lines.append("# Not mapped: kept as context beside each finding, never compared.")
        if entity.unmapped_manual:
            lines.append(f"#   manual: {', '.join(entity.unmapped_manual)}")
        if entity.unmapped_crm:
            lines.append(f"#   crm: {', '.join(entity.unmapped_crm)}")
    return lines


def _source(table: str, source: SourceProposal) -> list[str]:
    rows = sorted(set(source.header_rows))
    where = f"header in row {', '.join(map(str, rows))}, {source.rows} data rows"
    lines = [f"[[{table}]]", f"path = {_s(source.path)}  # {where}"]
    if source.sheets:
        lines.append(f"sheets = {_list(source.sheets)}  # the sheets with this header")
    return lines


def _field(prefix: str, proposal: FieldProposal) -> list[str]:
    lines = [
        _comment(proposal.evidence, proposal.confidence),
        f"[{prefix}.fields.{proposal.name}]",
    ]
    if proposal.manual is not None:
        lines.append(f"manual = {_s(proposal.manual)}")
    if proposal.crm is not None:
        lines.append(f"crm = {_s(proposal.crm)}")
    if proposal.kind != "text":
        lines.append(f"type = {_s(proposal.kind)}")
    if proposal.normalise:
        lines.append(f"normalise = {_list(proposal.normalise)}")
    if proposal.manual_unit:
        lines.append(f"manual_unit = {_s(proposal.manual_unit)}")
    if proposal.crm_unit:
        lines.append(f"crm_unit = {_s(proposal.crm_unit)}")
    if proposal.enum_map:
        pairs = ", ".join(f"{_s(k)} = {_s(v)}" for k, v in proposal.enum_map)
        lines.append(f"map = {{ {pairs} }}  # manual value = CRM value")
    if proposal.critical:
        lines.append("critical = true")
    if proposal.pii:
        lines.append("pii = true  # personal data: masked in reports for consultants")
    if not proposal.compare:
        why = "the CRM's own ID" if proposal.kind in ("sfid", "id") else "free text"
        lines.append(f"compare = false  # {why}: shown, never compared")
    return lines
