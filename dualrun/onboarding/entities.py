"""Entities: build one ``EntityProposal`` from a paired manual and CRM table.

Names the fields, chooses the match key (with fallbacks and fuzzy name matching),
spots the CRM's own record-ID column and personal data left unpaired, and names the
entity. Raises ``UsageError`` when no column can serve as a key. Pure: no file access.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from dualrun.errors import UsageError
from dualrun.onboarding.fields import _enum_map, _field_from_pair
from dualrun.onboarding.pairing import _Candidate, _keyable, _Pair
from dualrun.onboarding.profile import _GUID, _Column, _Group, _share
from dualrun.onboarding.synonyms import ENTITY_LABELS, concept, entity_hint, header_key
from dualrun.onboarding.values import (
    EntityProposal,
    FieldProposal,
    MatchProposal,
    SourceProposal,
)


def _field_name(pair_concept: str | None, header: str, used: set[str]) -> str:
    base = pair_concept
    if base is None:
        ascii_name = re.sub(r"__c$", "", header, flags=re.IGNORECASE)
        ascii_name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", ascii_name)
        ascii_name = re.sub(r"[^a-z0-9]+", "_", ascii_name.casefold()).strip("_")
        base = (
            ascii_name
            if ascii_name and ascii_name.isascii() and ascii_name[0].isalpha()
            else "field"
        )
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _join(manual: _Column, crm: _Column) -> list[tuple[int, int]]:
    """Row pairs sharing a key value that is unique on both sides."""

    def unique_rows(values: Sequence[str | None]) -> dict[str, int]:
        counts = Counter(v for v in values if v is not None)
        return {v: i for i, v in enumerate(values) if v is not None and counts[v] == 1}

    left, right = unique_rows(manual.typed), unique_rows(crm.typed)
    return [(left[v], right[v]) for v in left.keys() & right.keys()]


def _choose_key(pairs: list[_Pair]) -> tuple[_Pair, str, float] | None:
    bonus = {"id": 0.2, "sfid": 0.2, "text": 0.0, "email": -0.1, "phone": -0.1}
    best: tuple[float, _Pair] | None = None
    for pair in pairs:
        if not _keyable(pair):
            continue
        m, c = pair.manual, pair.crm
        unique = min(m.uniqueness, c.uniqueness)
        if unique < 0.98 or min(m.fill, c.fill) < 0.8:
            continue
        score = pair.overlap * min(m.fill, c.fill) + bonus.get(m.kind, 0.0)
        if best is None or score > best[0]:
            best = (score, pair)
    if best is None:
        return None
    pair = best[1]
    m, c = pair.manual, pair.crm
    evidence = (
        f"{m.header} ↔ {c.header}: unique on both sides ({m.uniqueness:.0%} / "
        f"{c.uniqueness:.0%}), filled {min(m.fill, c.fill):.0%}, "
        f"{pair.overlap:.0%} of values overlap"
    )
    confidence = pair.overlap * min(m.fill, c.fill)
    if m.kind == "text":
        # Names change (renamed, new legal form): a renamed customer would show as missing.
        evidence += "; a name as key: a renamed record shows as missing on both sides"
        confidence = min(confidence, 0.75)
    return pair, evidence, confidence


def _match(
    pairs: list[_Pair], fields: dict[int, FieldProposal]
) -> tuple[MatchProposal, _Pair | None]:
    names = {i: f.name for i, f in fields.items()}
    chosen = _choose_key(pairs)
    by_kind = {
        kind: [i for i, p in enumerate(pairs) if p.manual.kind == kind and _keyable(p)]
        for kind in ("phone", "email")
    }
    key_index = pairs.index(chosen[0]) if chosen else None
    fallback = tuple(
        (names[i],) for kind in ("phone", "email") for i in by_kind[kind][:1] if i != key_index
    )
    names_found = [
        i for i, p in enumerate(pairs) if p.concept == "name" and p.manual.kind == "text"
    ]
    own_name = [i for i in names_found if names[i] == "name"]
    name_index = (own_name or names_found)[0] if names_found else None
    city = next((names[i] for i, p in enumerate(pairs) if p.concept == "city"), None)
    if chosen is not None:
        pair, evidence, confidence = chosen
        key = (names[pairs.index(pair)],)
    else:
        candidates = [
            i for i in (*by_kind["phone"], *by_kind["email"], name_index) if i is not None
        ]
        if not candidates:
            raise _unusable(
                "no column is unique on both sides and none holds a phone, e-mail or name"
            )
        index = max(candidates, key=lambda i: pairs[i].overlap)
        pair = pairs[index]
        key = (names[index],)
        evidence = (
            f"no column is unique on both sides; {pair.manual.header} ↔ {pair.crm.header} "
            f"is the best there is ({pair.overlap:.0%} of values overlap): duplicates will show"
        )
        confidence = 0.4
        fallback = tuple(f for f in fallback if f != key)
    fuzzy = names[name_index] if name_index is not None and (names[name_index],) != key else None
    fuzzy_block = (city,) if fuzzy and city else ()
    return (
        MatchProposal(
            key=key,
            key_evidence=evidence,
            key_confidence=round(confidence, 2),
            fallback=fallback,
            fallback_evidence="rows without a usable key are looked up by these, in order"
            if fallback
            else "",
            fuzzy_field=fuzzy,
            fuzzy_block=fuzzy_block,
            fuzzy_evidence=(
                "what is still unpaired is matched by similar names"
                + (" within the same city" if fuzzy_block else "")
                + " (a clear best match only)"
            )
            if fuzzy
            else "",
        ),
        pair if chosen is not None else None,
    )


def _unusable(reason: str) -> UsageError:
    return UsageError(
        f"cannot propose a match key: {reason}",
        hint="add a column both sides share (e.g. the ledger's 客户编号 kept in the CRM's "
        "external-ID field), or write the [entities.X.match] table by hand",
    )


def _is_record_id(column: _Column) -> bool:
    """A CRM-only column holding the CRM's own record IDs (Salesforce ID, Dynamics GUID)."""
    if column.kind == "sfid":
        return True
    values = [v for v in column.cells if v is not None][:5000]
    return (
        bool(values)
        and column.uniqueness >= 0.99
        and _share(values, lambda v: bool(_GUID.match(v))) >= 0.95
    )


def _source(group: _Group) -> SourceProposal:
    sheets = () if group.all_sheets else tuple(s for s in group.sheets if s is not None)
    return SourceProposal(group.file, sheets, group.header_rows, group.rows)


def _entity(
    name: str, manual: _Group, crm: _Group, pairs: list[_Pair], pairing: tuple[str, float]
) -> EntityProposal:
    used: set[str] = set()
    fields: dict[int, FieldProposal] = {}
    order = {c.header: n for n, c in enumerate(manual.columns)}
    pairs = sorted(pairs, key=lambda p: order[p.manual.header])
    for i, pair in enumerate(pairs):
        named = pair.concept
        crm_key = header_key(pair.crm.header)
        if named == "name" and crm_key.isascii() and crm_key != "name":
            named = None  # Account_Name__c on an opportunity is not the record's own name
        field_name = _field_name(named, pair.crm.header, used)
        fields[i] = _field_from_pair(field_name, pair)
    match, key_pair = _match(pairs, fields)
    if key_pair is not None:
        joined = _join(key_pair.manual, key_pair.crm)
        for i, pair in enumerate(pairs):
            proposal = fields[i]
            if proposal.kind == "text" and pair.concept not in ("owner", "name", "contact", "note"):
                fields[i] = _enum_map(proposal, pair, joined)
    extra: list[FieldProposal] = []
    paired_m = {p.manual.header for p in pairs}
    paired_c = {p.crm.header for p in pairs}
    record_id, record_evidence = None, ""
    for column in crm.columns:
        if column.header in paired_c:
            continue
        if record_id is None and _is_record_id(column):
            record_id = _field_name("crm_id", column.header, used)
            what = "Salesforce IDs" if column.kind == "sfid" else "unique GUIDs"
            record_evidence = f"{column.header}: {column.kind_share:.0%} of values are {what}"
            extra.append(
                FieldProposal(
                    record_id,
                    None,
                    column.header,
                    kind=column.kind,
                    compare=False,
                    evidence=record_evidence,
                    confidence=1.0,
                )
            )
            paired_c.add(column.header)
    for group, paired, side in ((manual, paired_m, "manual"), (crm, paired_c, "crm")):
        for column in group.columns:
            if column.header in paired:
                continue
            pii = [n for n in column.concepts if concept(n).pii]
            if pii or column.kind in ("phone", "email"):
                extra.append(
                    FieldProposal(
                        _field_name(pii[0] if pii else column.kind, column.header, used),
                        column.header if side == "manual" else None,
                        column.header if side == "crm" else None,
                        kind=column.kind if column.kind in ("phone", "email") else "text",
                        pii=True,
                        evidence=f"{side} only, personal data ({column.header}): kept for masking",
                        confidence=1.0,
                    )
                )
                paired.add(column.header)
    all_fields = tuple(fields[i] for i in sorted(fields)) + tuple(extra)
    owner = next(
        (f.name for f, p in zip(fields.values(), pairs, strict=True) if p.concept == "owner"), None
    )
    return EntityProposal(
        name=name,
        label=ENTITY_LABELS.get(name),
        manual=(_source(manual),),
        crm=(_source(crm),),
        fields=all_fields,
        match=match,
        pairing_evidence=pairing[0],
        pairing_confidence=pairing[1],
        owner=owner,
        record_id=record_id,
        record_id_evidence=record_evidence,
        unmapped_manual=tuple(c.header for c in manual.columns if c.header not in paired_m),
        unmapped_crm=tuple(c.header for c in crm.columns if c.header not in paired_c),
    )


def _entity_name(candidate: _Candidate, used: set[str], given: str | None) -> str:
    if given:
        name = given
    else:
        hint = entity_hint(candidate.crm.file) or entity_hint(candidate.manual.file)
        name = hint or "entity"
    base, n = name, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name
