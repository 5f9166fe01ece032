"""Find systemic differences: one cause behind many records, so one issue instead of many.

Patterns, tried in this order for each (entity, field):
  * a power-of-ten ratio between the sides (元 vs 万元: ×10,000);
  * one side is the other with something in front (a phone prefix, a leading zero);
  * the same value pair again and again (one owner's name spelled one way everywhere);
and for records missing in the CRM, a whole sheet of the ledger missing. A pattern that
at least ``minimum`` findings share becomes a group. Pure: findings in, groups out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dualrun.nightly.model import Finding


@dataclass(frozen=True)
class SystemicGroup:
    fingerprint: str
    entity: str
    field: str | None
    pattern: str
    members: tuple[Finding, ...]

    def describe(self) -> str:
        kind, _, detail = self.pattern.partition(":")
        if kind == "ratio":
            return f"{self.field}: CRM value = manual value × {detail} on every record"
        if kind == "prefix":
            return f"{self.field}: the values differ only by a leading {detail!r}"
        if kind == "map":
            manual, _, crm = detail.partition("→")
            return f"{self.field}: manual {manual!r} is {crm!r} in the CRM on every record"
        return f"records of {detail} are all missing in the CRM"


def systemic_fingerprint(entity: str, field: str | None, pattern: str) -> str:
    text = "\x1f".join((entity, "systemic", field or "", pattern))
    return "s" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:23]


def find_groups(findings: Sequence[Finding], minimum: int) -> list[SystemicGroup]:
    """Groups of at least `minimum` findings that share one pattern (each finding once)."""
    groups: list[SystemicGroup] = []
    by_field: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    by_sheet: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.kind == "field_mismatch" and finding.field:
            by_field[(finding.entity, finding.field)].append(finding)
        elif finding.kind == "missing_in_crm" and finding.manual_place:
            by_sheet[(finding.entity, finding.manual_place)].append(finding)
    for (entity, field), members in sorted(by_field.items()):
        left = list(members)
        for detect in (_ratio, _prefix, _mapping):
            buckets: dict[str, list[Finding]] = defaultdict(list)
            for finding in left:
                pattern = detect(finding.manual_normalised, finding.crm_normalised)
                if pattern is not None:
                    buckets[pattern].append(finding)
            taken: set[str] = set()
            for pattern, bucket in sorted(buckets.items()):
                if len(bucket) >= minimum:
                    groups.append(
                        SystemicGroup(
                            systemic_fingerprint(entity, field, pattern),
                            entity,
                            field,
                            pattern,
                            tuple(bucket),
                        )
                    )
                    taken.update(f.fingerprint for f in bucket)
            left = [f for f in left if f.fingerprint not in taken]
    for (entity, place), members in sorted(by_sheet.items()):
        if len(members) >= minimum:
            pattern = f"sheet:{place}"
            groups.append(
                SystemicGroup(
                    systemic_fingerprint(entity, None, pattern),
                    entity,
                    None,
                    pattern,
                    tuple(members),
                )
            )
    return groups


def _ratio(manual: str | None, crm: str | None) -> str | None:
    try:
        m, c = Decimal(manual or ""), Decimal(crm or "")
    except InvalidOperation:
        return None
    if m == 0 or c == 0:
        return None
    ratio = c / m
    for exponent in range(1, 9):
        for value in (Decimal(10) ** exponent, Decimal(10) ** -exponent):
            if ratio == value:
                return f"ratio:{value.normalize():f}"
    return None


def _prefix(manual: str | None, crm: str | None) -> str | None:
    if not manual or not crm or manual == crm:
        return None
    longer, shorter = (manual, crm) if len(manual) > len(crm) else (crm, manual)
    if longer.endswith(shorter) and len(longer) - len(shorter) <= 4:
        return f"prefix:{longer[: len(longer) - len(shorter)]}"
    return None


def _mapping(manual: str | None, crm: str | None) -> str | None:
    if manual is None or crm is None:
        return None
    return f"map:{manual}→{crm}"
