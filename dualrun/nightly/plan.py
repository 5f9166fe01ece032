"""Decide what one run's findings do to the tracker. Pure: values in, a SyncPlan out.

  * a new fingerprint opens an issue (unless a systemic issue covers it);
  * seen again: evidence, last-seen run and occurrences are refreshed; a change of
    values is journaled; status, owner and comments are kept;
  * not seen in ``resolve_after`` consecutive runs that covered its entity: resolved
    as ``no_longer_detected``;
  * seen again after its resolution (in a run that started later): reopened;
  * accepted: stays accepted unless the values move or the acceptance expired.
A run whose inputs are byte-identical to the last synced run that covered an entity is
no new observation for that entity: it changes nothing there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dualrun.issues import DONE_STATUSES, UNRESOLVED_STATUSES
from dualrun.nightly.model import Finding, KnownIssue
from dualrun.nightly.patterns import SystemicGroup, find_groups
from dualrun.nightly.settings import NightlyConfig


@dataclass(frozen=True)
class NewIssue:
    fingerprint: str
    entity: str
    module: str
    kind: str
    field: str | None
    severity: str
    owner_name: str | None  # the record's 负责人, for routing
    record_key: str | None
    evidence: dict[str, Any]
    systemic: bool = False


@dataclass(frozen=True)
class SeenAgain:
    key: str
    evidence: dict[str, Any]
    values_changed: bool


@dataclass(frozen=True)
class Reopen:
    key: str
    reason: str
    evidence: dict[str, Any]


@dataclass
class SyncPlan:
    """What a run does to the tracker; built up by ``plan_sync``."""

    creates: list[NewIssue] = field(default_factory=list)
    seen: list[SeenAgain] = field(default_factory=list)
    reopen: list[Reopen] = field(default_factory=list)
    missed: list[tuple[str, int]] = field(default_factory=list)  # (key, missed runs so far)
    resolve: list[str] = field(default_factory=list)
    covered_by_systemic: int = 0


def values_of(evidence: Mapping[str, Any] | None) -> Any:
    """The part of the evidence that says what differs (not where or when)."""
    if not evidence:
        return None
    return evidence.get("values")


def plan_sync(
    findings: Sequence[Finding],
    known: Mapping[str, KnownIssue],
    *,
    new_observation: Mapping[str, bool],  # per covered entity
    run_started_at: datetime,
    today: date,
    settings: NightlyConfig,
) -> SyncPlan:
    plan = SyncPlan()
    observed = {entity for entity, new in new_observation.items() if new}
    items = [f for f in _grouped(findings, settings) if f.entity in observed]
    groups = find_groups(items, settings.systemic_min)
    covered: set[str] = set()
    systemic_items: list[Finding] = []
    for group in groups:
        issue = known.get(group.fingerprint)
        if issue is None or issue.status in UNRESOLVED_STATUSES:
            covered.update(m.fingerprint for m in group.members)
        systemic_items.append(_systemic_finding(group))
    for finding in [*systemic_items, *items]:
        issue = known.get(finding.fingerprint)
        if issue is None:
            if finding.fingerprint in covered:
                plan.covered_by_systemic += 1
                continue
            plan.creates.append(_new_issue(finding, settings))
            continue
        _seen(plan, issue, finding, run_started_at, today)
    present = {f.fingerprint for f in [*systemic_items, *items]}
    for issue in known.values():
        if issue.entity not in observed or issue.fingerprint in present:
            continue
        if issue.status not in UNRESOLVED_STATUSES:
            continue
        missed = issue.missed_runs + 1
        if missed >= settings.resolve_after:
            plan.resolve.append(issue.key)
        else:
            plan.missed.append((issue.key, missed))
    return plan


def _seen(
    plan: SyncPlan, issue: KnownIssue, finding: Finding, started: datetime, today: date
) -> None:
    changed = values_of(issue.evidence) != values_of(finding.evidence)
    if issue.status == "accepted":
        expired = issue.accepted_until is not None and issue.accepted_until < today
        moved = values_of(issue.accepted_evidence) not in (None, values_of(finding.evidence))
        if expired or moved:
            reason = (
                "the acceptance expired" if expired else "the values moved beyond what was accepted"
            )
            plan.reopen.append(Reopen(issue.key, reason, finding.evidence))
            return
    elif issue.status in DONE_STATUSES:
        resolved = issue.resolved_at
        if resolved is None or _aware(started) > _aware(resolved):
            plan.reopen.append(
                Reopen(issue.key, "seen again after its resolution (regression)", finding.evidence)
            )
            return
    plan.seen.append(SeenAgain(issue.key, finding.evidence, changed))


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _grouped(findings: Iterable[Finding], settings: NightlyConfig) -> list[Finding]:
    """Per field (default), or one finding per record for its field mismatches."""
    items = list(findings)
    if settings.group == "field":
        return items
    from dualrun.reconcile.findings import fingerprint

    records: dict[tuple[str, str], list[Finding]] = {}
    others = []
    for item in items:
        if item.kind == "field_mismatch":
            records.setdefault((item.entity, item.identity), []).append(item)
        else:
            others.append(item)
    for (entity, identity), members in sorted(records.items()):
        first = members[0]
        values = sorted((m.field or "", values_of(m.evidence)) for m in members)
        others.append(
            Finding(
                fingerprint=fingerprint(entity, "field_mismatch", identity, None),
                entity=entity,
                module=first.module,
                kind="field_mismatch",
                field=None,
                identity=identity,
                key=first.key,
                owner=first.owner,
                critical=any(m.critical for m in members),
                evidence={**first.evidence, "fields": [m.field for m in members], "values": values},
            )
        )
    return others


def _systemic_finding(group: SystemicGroup) -> Finding:
    first = group.members[0]
    return Finding(
        fingerprint=group.fingerprint,
        entity=group.entity,
        module=first.module,
        kind="systemic",
        field=group.field,
        identity=group.pattern,
        key={},
        owner=None,
        critical=True,
        evidence={
            "pattern": group.pattern,
            "description": group.describe(),
            "count": len(group.members),
            "values": {"pattern": group.pattern, "count": len(group.members)},
            "records": [
                {"key": m.key, "owner": m.owner, "values": values_of(m.evidence)}
                for m in sorted(group.members, key=lambda m: m.identity)
            ],
        },
    )


def _new_issue(finding: Finding, settings: NightlyConfig) -> NewIssue:
    key_text = " / ".join(str(v) for v in finding.key.values() if v is not None) or None
    return NewIssue(
        fingerprint=finding.fingerprint,
        entity=finding.entity,
        module=finding.module,
        kind=finding.kind,
        field=finding.field,
        severity=settings.severity_for(finding.kind, finding.critical),
        owner_name=finding.owner,
        record_key=key_text,
        evidence=finding.evidence,
        systemic=finding.kind == "systemic",
    )
