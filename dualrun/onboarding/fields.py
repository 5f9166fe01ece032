"""Fields: turn one paired column into a ``FieldProposal`` with its evidence.

Decides the field kind, the text normalising steps that make more values agree, the
unit of amounts (from values or headers), and, once rows are paired by the key, an enum
map for codes that differ between the sides. Pure: pairs in, proposals out.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import replace

from dualrun.onboarding.pairing import _UNITS, _Pair
from dualrun.onboarding.synonyms import concept, header_unit
from dualrun.onboarding.values import FieldProposal
from dualrun.reconcile.normalise import normalise_text

ENUM_MAX_VALUES = 30


def _steps(pair: _Pair) -> tuple[tuple[str, ...], str]:
    """Text steps that make more manual values found on the CRM side, with the evidence."""
    steps: list[str] = []
    notes = []

    def missing(chosen: list[str]) -> int:
        def norm(v: str | None) -> str | None:
            return normalise_text(
                v,
                simplified="simplified" in chosen,
                company_suffix="company_suffix" in chosen,
                casefold="casefold" in chosen,
            )

        crm_values = {norm(v) for v in pair.crm.cells} - {None}
        return len({norm(v) for v in pair.manual.cells} - {None} - crm_values)

    before = missing(steps)
    for step in ("simplified", "company_suffix", "casefold"):
        after = missing([*steps, step])
        if after < before:
            notes.append(f"{step}: {before - after} more manual value(s) found in the CRM")
            steps.append(step)
            before = after
    return tuple(steps), "; ".join(notes)


def _unit_by_magnitude(pair: _Pair) -> int | None:
    left, right = pair.manual.numbers(), pair.crm.numbers()
    positive_l = [float(n) for n in left if n > 0]
    positive_r = [float(n) for n in right if n > 0]
    if len(positive_l) < 3 or len(positive_r) < 3:
        return None
    ratio = math.log10(statistics.median(positive_r) / statistics.median(positive_l))
    nearest = round(ratio)
    return nearest if nearest in _UNITS and abs(ratio - nearest) < 0.35 else None


def _common_kind(manual: str, crm: str) -> str:
    """The field type for a pair of columns whose values look like these kinds."""
    if {manual, crm} <= {"amount", "number"}:
        return "amount" if "amount" in (manual, crm) else "number"
    if manual == crm:
        return manual
    if {manual, crm} == {"id", "text"}:
        return "id"
    return "text"


def _field_from_pair(name: str, pair: _Pair) -> FieldProposal:
    m, c = pair.manual, pair.crm
    info = concept(pair.concept) if pair.concept else None
    kind = _common_kind(m.kind, c.kind)
    evidence = []
    if pair.header_score:
        how = f"header synonym ({pair.concept})" if pair.concept else "similar headers"
        evidence.append(f"{how} {pair.header_score:.0%}")
    evidence.append(f"{pair.overlap:.0%} of values overlap")
    confidence = (
        min(1.0, 0.5 * pair.header_score + 0.6 * pair.overlap) if pair.header_score else pair.score
    )
    steps: tuple[str, ...] = ()
    manual_unit = crm_unit = None
    if kind in ("text", "id"):
        steps, step_notes = _steps(pair)
        if kind == "id":
            steps = tuple(s for s in steps if s == "casefold")
        if step_notes:
            evidence.append(step_notes)
    if kind == "amount":
        exponent: int | None = pair.exponent
        unit_note = header_unit(m.header)
        if pair.overlap < 0.3:
            exponent = _unit_by_magnitude(pair)
            if exponent is not None:
                evidence.append(f"CRM amounts are ~10^{exponent} × the manual ones (medians)")
        if exponent:
            manual_unit, crm_unit = _UNITS[exponent], "元"
            evidence.append(f"manual × {10**exponent:,} = CRM (unit {manual_unit})")
            if unit_note and unit_note.rstrip("元") != manual_unit.rstrip("元"):
                confidence = min(confidence, 0.6)
                evidence.append(f"but the header says {unit_note}")
        elif unit_note and unit_note not in ("元",):
            manual_unit, crm_unit = unit_note, "元"
            confidence = min(confidence, 0.6)
            evidence.append(f"header says {unit_note}, values do not confirm it")
    if m.has_fullwidth:
        evidence.append("full-width characters seen (half-width by default)")
    if kind == "text" and pair.overlap < 0.3:
        confidence = min(confidence, 0.6)
    return FieldProposal(
        name=name,
        manual=m.header,
        crm=c.header,
        kind=kind,
        normalise=steps,
        manual_unit=manual_unit,
        crm_unit=crm_unit,
        critical=bool(info and info.critical) or kind == "amount",
        pii=bool(info and info.pii) or kind in ("phone", "email"),
        compare=info.compare if info else True,
        evidence="; ".join(evidence),
        confidence=round(confidence, 2),
    )


def _enum_map(proposal: FieldProposal, pair: _Pair, joined: list[tuple[int, int]]) -> FieldProposal:
    """Turn a low-cardinality text field whose codes differ into an enum with a map."""
    steps = proposal.normalise

    def norm(v: str | None) -> str | None:
        return normalise_text(
            v,
            simplified="simplified" in steps,
            company_suffix="company_suffix" in steps,
            casefold="casefold" in steps,
        )

    manual = [norm(v) for v in pair.manual.cells]
    crm = [norm(v) for v in pair.crm.cells]
    crm_values = {v for v in crm if v is not None}
    manual_values = {v for v in manual if v is not None}
    if not (1 < len(crm_values) <= ENUM_MAX_VALUES and len(manual_values) <= ENUM_MAX_VALUES):
        return proposal
    foreign = manual_values - crm_values
    if not foreign:
        return proposal
    seen: dict[str, Counter[str]] = {}
    for m_row, c_row in joined:
        left, right = manual[m_row], crm[c_row]
        if left is not None and left in foreign and right is not None:
            seen.setdefault(left, Counter())[right] += 1
    mapping = []
    for value in sorted(foreign):
        counts = seen.get(value)
        if counts:
            target, n = counts.most_common(1)[0]
            if n >= 2 and n / sum(counts.values()) >= 0.6:
                mapping.append((value, target))
    if not mapping:
        return proposal
    unmapped = len(foreign) - len(mapping)
    evidence = (
        f"{proposal.evidence}; coded differently: map learnt from {len(joined)} records "
        f"paired by the key ({len(mapping)} values"
        + (f", {unmapped} not mapped" if unmapped else "")
        + ")"
    )
    return replace(
        proposal,
        kind="enum",
        enum_map=tuple(mapping),
        evidence=evidence,
        confidence=min(proposal.confidence, 0.7),
    )
