"""One night of one entity: which record is on which side, and what dualrun must find.

``plan_night`` applies the active plants to the live records; ``expected_counts`` is
the bookkeeping behind ``expected.json``, written from the semantics in PLANTED.md,
never from running dualrun. ``check_plan`` asserts that the planted cases cannot be
read another way (no unplanned phone or name match among the records left unpaired).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .master import Master
from .plants import Plant
from .records import FUZZY_MARGIN, FUZZY_THRESHOLD, KEY_FIELD, Record


@dataclass
class NightPlan:
    entity: str
    night: int
    records: dict[str, Record]  # alive this night
    plants: list[Plant]  # active this night
    in_manual: set[str]
    in_crm: set[str]
    crm_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    manual_dups: set[str] = field(default_factory=set)
    crm_dups: set[str] = field(default_factory=set)
    unkeyed: dict[str, str] = field(default_factory=dict)  # key → fallback|fuzzy|none|ambiguous
    ambiguous: list[tuple[str, ...]] = field(default_factory=list)

    def crm_value(self, record: Record, name: str) -> Any:
        return self.crm_values.get(record.key, {}).get(name, record.data[name])


def plan_night(entity: str, master: Master, plants: list[Plant], night: int) -> NightPlan:
    live = {r.key: r for r in master.records(entity) if night in r.nights}
    active = [p for p in plants if p.entity == entity and night in p.nights]
    plan = NightPlan(entity, night, live, active, set(live), set(live))
    for plant in active:
        keys = set(plant.keys)
        if plant.effect == "manual_only":
            plan.in_crm -= keys
        elif plant.effect == "crm_only":
            plan.in_manual -= keys
        elif plant.effect == "crm_value":
            for key, values in plant.crm.items():
                if key in live:
                    plan.crm_values.setdefault(key, {}).update(values)
        elif plant.effect == "manual_dup":
            plan.manual_dups |= keys
        elif plant.effect == "crm_dup":
            plan.crm_dups |= keys
        elif plant.effect == "unkeyed":
            plan.unkeyed.update(dict.fromkeys(plant.keys, plant.how))
            if plant.how == "none":
                plan.in_crm -= keys
        elif plant.effect == "ambiguous":
            plan.unkeyed[plant.keys[0]] = "ambiguous"
            plan.in_manual -= set(plant.keys[1:])
            plan.ambiguous.append(plant.keys)
        else:
            raise ValueError(f"unknown effect {plant.effect!r}")
    check_plan(plan)
    return plan


def check_plan(plan: NightPlan) -> None:
    """The planted cases must be unambiguous, or the expected counts would not be certain."""
    records = plan.records
    assert set(plan.unkeyed) <= plan.in_manual
    assert plan.manual_dups <= plan.in_manual - set(plan.unkeyed)
    assert plan.crm_dups <= plan.in_crm and not plan.manual_dups & plan.crm_dups
    for key, how in plan.unkeyed.items():
        phone = records[key].data.get("phone")
        if how in ("fallback", "fuzzy"):
            assert key in plan.in_crm and key not in plan.crm_dups
            assert (phone is not None) == (how == "fallback")
    for group in plan.ambiguous:
        assert set(group) <= plan.in_crm and not set(group[1:]) & plan.in_manual
    for key, values in plan.crm_values.items():
        for name, value in values.items():
            assert value != records[key].data[name], (key, name)
    if plan.entity == "account":
        check_account_pools(plan)


def check_account_pools(plan: NightPlan) -> None:
    """No record left unpaired by the key may find another by phone or name by accident."""
    dup = plan.manual_dups | plan.crm_dups
    keyed = plan.in_manual - set(plan.unkeyed) - dup
    manual_pool = (keyed - plan.in_crm) | set(plan.unkeyed)
    crm_pool = (plan.in_crm - dup) - keyed
    planned = {k for k, how in plan.unkeyed.items() if how != "none"}
    planned |= {k for group in plan.ambiguous for k in group}
    for m_key in manual_pool:
        for c_key in crm_pool:
            if m_key in planned and c_key in planned:
                continue
            manual, crm = plan.records[m_key].data, plan.records[c_key].data
            crm_phone = plan.crm_value(plan.records[c_key], "phone")
            assert manual["phone"] is None or manual["phone"] != crm_phone, (m_key, c_key)
            if manual["city"] == crm["city"]:
                close = name_similarity(manual["short"], crm["short"])
                assert close < FUZZY_THRESHOLD - FUZZY_MARGIN, (m_key, c_key)


def name_similarity(a: str, b: str) -> float:
    """Indel similarity in percent, 200·LCS/(len a + len b): what a fuzzy ratio measures."""
    previous = [0] * (len(b) + 1)
    for char in a:
        current = [0]
        for n, other in enumerate(b):
            current.append(previous[n] + 1 if char == other else max(previous[n + 1], current[n]))
        previous = current
    return 200 * previous[-1] / (len(a) + len(b))


def paired_keys(plan: NightPlan) -> set[str]:
    """The records that must end up paired: by key, or (accounts) by phone or name."""
    dup = plan.manual_dups | plan.crm_dups
    by_key = (plan.in_manual - set(plan.unkeyed) - dup) & (plan.in_crm - dup)
    return by_key | {k for k, how in plan.unkeyed.items() if how in ("fallback", "fuzzy")}


def differing_fields(plan: NightPlan, key: str) -> list[str]:
    """The fields a pair must report as field_mismatch."""
    names = sorted(plan.crm_values.get(key, {}))
    if plan.unkeyed.get(key) in ("fallback", "fuzzy"):
        names.append(KEY_FIELD[plan.entity])  # empty in the ledger, present in the CRM
    return names


def expected_counts(plan: NightPlan) -> dict[str, int]:
    """The counts dualrun must report, from what was planted (see PLANTED.md)."""
    dup = plan.manual_dups | plan.crm_dups
    m_keyed = plan.in_manual - set(plan.unkeyed) - dup
    c_keyed = plan.in_crm - dup
    by_rule = {k for k, how in plan.unkeyed.items() if how in ("fallback", "fuzzy")}
    in_groups = {k for group in plan.ambiguous for k in group}
    pairs = paired_keys(plan)
    mismatches = {key: len(differing_fields(plan, key)) for key in pairs}
    counts = {
        "rows_manual": len(plan.in_manual) + len(plan.manual_dups),
        "rows_crm": len(plan.in_crm) + len(plan.crm_dups),
        "pairs": len(pairs),
        "identical_pairs": sum(1 for n in mismatches.values() if n == 0),
        "missing_in_crm": len(m_keyed - c_keyed),
        "missing_in_manual": len(c_keyed - m_keyed - by_rule - in_groups),
        "field_mismatch": sum(mismatches.values()),
        "duplicate": len(plan.manual_dups) + len(plan.crm_dups),
        "ambiguous_match": len(plan.ambiguous),
        "unkeyed_row": sum(1 for how in plan.unkeyed.values() if how == "none"),
    }
    return counts
