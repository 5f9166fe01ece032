"""Pairing: which manual column goes with which CRM column, and which table with which.

Scores column pairs by header similarity and value overlap (amounts across units,
text loosely normalised), assigns them one-to-one, and scores a manual table against a
CRM table as a ``_Candidate`` entity. Pure: profiles in, pairs out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dualrun.onboarding.profile import _Column, _Group, _loose
from dualrun.onboarding.synonyms import entity_hint, header_similarity

ACCEPT_FROM = 0.5  # column pairs scoring less are not proposed at all
_UNITS = {0: "元", 3: "千元", 4: "万元", 8: "亿元"}


@dataclass(frozen=True)
class _Pair:
    manual: _Column
    crm: _Column
    header_score: float
    concept: str | None
    overlap: float
    exponent: int  # manual amount × 10**exponent = CRM amount
    score: float


def _overlap(
    left: frozenset[str] | frozenset[Decimal], right: frozenset[str] | frozenset[Decimal]
) -> float:
    smaller = min(len(left), len(right))
    return len(left & right) / smaller if smaller else 0.0


def _value_overlap(manual: _Column, crm: _Column) -> tuple[float, int]:
    numeric = ("amount", "number")
    if manual.kind in numeric and crm.kind in numeric:
        left, right = manual.numbers(), crm.numbers()
        best = (0.0, 0)
        for exponent in _UNITS:
            scaled = frozenset((n.scaleb(exponent)).normalize() for n in left)
            share = _overlap(scaled, right)
            if share > best[0] + 0.05:
                best = (share, exponent)
        return best
    if manual.kind == crm.kind:
        return _overlap(manual.distinct, crm.distinct), 0
    loose_left = frozenset(x for x in map(_loose, manual.cells) if x)
    loose_right = frozenset(x for x in map(_loose, crm.cells) if x)
    return _overlap(loose_left, loose_right), 0


def _pair(manual: _Column, crm: _Column) -> _Pair:
    header, named = header_similarity(manual.header, crm.header)
    overlap, exponent = _value_overlap(manual, crm)
    # Few distinct values (cities, stages) overlap by chance: values alone weigh less.
    few = min(len(manual.distinct), len(crm.distinct)) < 5
    score = 0.6 * header + 0.4 * overlap if header > 0 else (0.4 if few else 0.8) * overlap
    typed = {"phone", "email", "date", "amount", "number", "sfid"}
    kinds = {manual.kind, crm.kind}
    if len(kinds) == 2 and kinds <= typed and kinds != {"amount", "number"}:
        score *= 0.3  # a date column is not a phone column, whatever the headers say
    return _Pair(manual, crm, header, named, overlap, exponent, score)


def _assign(manual: _Group, crm: _Group) -> list[_Pair]:
    """Pair columns one-to-one, best score first."""
    pairs = [_pair(m, c) for m in manual.columns for c in crm.columns]
    pairs.sort(key=lambda p: p.score, reverse=True)
    taken_m: set[str] = set()
    taken_c: set[str] = set()
    chosen = []
    for pair in pairs:
        if pair.score < ACCEPT_FROM:
            break
        if pair.manual.header in taken_m or pair.crm.header in taken_c:
            continue
        taken_m.add(pair.manual.header)
        taken_c.add(pair.crm.header)
        chosen.append(pair)
    return chosen


def _keyable(pair: _Pair) -> bool:
    return pair.overlap >= 0.3 and pair.manual.kind in ("id", "sfid", "text", "email", "phone")


@dataclass(frozen=True)
class _Candidate:
    manual: _Group
    crm: _Group
    pairs: list[_Pair] = field(hash=False)
    score: float
    evidence: str
    confidence: float


def _candidate(manual: _Group, crm: _Group) -> _Candidate:
    pairs = _assign(manual, crm)
    with_values = [p for p in pairs if p.overlap >= 0.3]
    hint_m = entity_hint(manual.file, *(s or "" for s in manual.sheets))
    hint_c = entity_hint(crm.file, *(s or "" for s in crm.sheets))
    same_hint = hint_m is not None and hint_m == hint_c
    score = sum(p.score for p in pairs) + len(with_values) + (1.0 if same_hint else 0.0)
    evidence = (
        f"{manual.file} ↔ {crm.file}: {len(pairs)} columns pair up, {len(with_values)} "
        "with overlapping values" + (f"; both names say {hint_m}" if same_hint else "")
    )
    usable = any(_keyable(p) for p in pairs)
    confidence = min(1.0, len(with_values) / 4) if usable else 0.0
    return _Candidate(manual, crm, pairs, score if usable else 0.0, evidence, confidence)
