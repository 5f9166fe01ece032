"""The values ``propose`` returns: a ``Proposal`` of entities, fields, sources and keys.

Frozen dataclasses only, each part carrying the evidence it rests on and a confidence;
``CHECK_BELOW`` decides which parts are marked ``# CHECK``. No logic beyond reading
these values back: no file access, no printing.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_OWNER = "no owner column (负责人/Owner) found: per-owner adoption and routing need one"
CHECK_BELOW = 0.8  # proposals less sure than this are marked "# CHECK"


@dataclass(frozen=True)
class FieldProposal:
    """One canonical field: its column on each side, how to normalise it, and why."""

    name: str
    manual: str | None
    crm: str | None
    kind: str = "text"
    normalise: tuple[str, ...] = ()
    manual_unit: str | None = None
    crm_unit: str | None = None
    enum_map: tuple[tuple[str, str], ...] = ()
    critical: bool = False
    pii: bool = False
    compare: bool = True
    evidence: str = ""
    confidence: float = 1.0

    @property
    def check(self) -> bool:
        return self.confidence < CHECK_BELOW


@dataclass(frozen=True)
class SourceProposal:
    """One file on one side; ``sheets`` empty means every visible sheet."""

    path: str
    sheets: tuple[str, ...]
    header_rows: tuple[int, ...]
    rows: int


@dataclass(frozen=True)
class MatchProposal:
    key: tuple[str, ...]
    key_evidence: str
    key_confidence: float
    fallback: tuple[tuple[str, ...], ...] = ()
    fallback_evidence: str = ""
    fuzzy_field: str | None = None
    fuzzy_block: tuple[str, ...] = ()
    fuzzy_evidence: str = ""


@dataclass(frozen=True)
class EntityProposal:
    name: str
    label: str | None
    manual: tuple[SourceProposal, ...]
    crm: tuple[SourceProposal, ...]
    fields: tuple[FieldProposal, ...]
    match: MatchProposal
    pairing_evidence: str
    pairing_confidence: float
    owner: str | None = None
    record_id: str | None = None
    record_id_evidence: str = ""
    unmapped_manual: tuple[str, ...] = ()
    unmapped_crm: tuple[str, ...] = ()

    def field(self, name: str) -> FieldProposal:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Proposal:
    """Everything ``init`` proposes; ``notes`` are things the lead must look at."""

    project_name: str
    lang: str
    entities: tuple[EntityProposal, ...]
    notes: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"
    default_country: str = "86"

    def checks(self) -> list[str]:
        """Every place marked ``# CHECK``, as ``entity.where: evidence``."""
        found: list[str] = []
        for entity in self.entities:
            if entity.pairing_confidence < CHECK_BELOW:
                found.append(f"{entity.name}: pairing: {entity.pairing_evidence}")
            if entity.match.key_confidence < CHECK_BELOW:
                found.append(f"{entity.name}.match.key: {entity.match.key_evidence}")
            if entity.owner is None:
                found.append(f"{entity.name}.owner: {NO_OWNER}")
            found += [
                f"{entity.name}.fields.{f.name}: {f.evidence}" for f in entity.fields if f.check
            ]
        return found + [f"note: {n}" for n in self.notes]
