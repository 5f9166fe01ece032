"""The measure of each gate kind: its value now, pass or fail, and why in both languages.

A measure looks at one ``Scope`` (a module, an entity, a team or everything) of one
``History`` and returns a ``Measured``; ``dualrun.readiness.gates`` turns it into a
``GateResult``. A figure that cannot be measured yet fails, and its reason says so.
Every sentence comes from ``dualrun.readiness.messages`` so English and Chinese agree.

Pure: no database, files, clock or printing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dualrun.readiness.history import History, IssuePoint, RunPoint, Signoff
from dualrun.readiness.messages import Text, both, count, join, listing, msg, plain, role
from dualrun.readiness.messages import limit as _limit
from dualrun.readiness.messages import percent as _percent
from dualrun.readiness.settings import KIND_DEFAULTS, GateConfig

CriticalFields = Mapping[str, tuple[str, ...]]  # entity → its critical fields


@dataclass(frozen=True)
class Measured:
    value: float | None
    passed: bool
    reason: Text
    detail: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Scope:
    """What one gate result looks at."""

    value: str | None
    label: Text  # how the reason names the scope
    entities: tuple[str, ...]
    modules: frozenset[str]  # issues naming no known entity concern these modules
    module: str | None  # the module a sign-off must name (None: overall)
    by_team: bool
    known_entities: frozenset[str]
    known_modules: frozenset[str]

    def concerns(self, issue: IssuePoint) -> bool:
        if issue.entity is not None and issue.entity in self.known_entities:
            return issue.entity in self.entities
        if issue.module is None or issue.module not in self.known_modules:
            return True  # an issue that cannot be placed counts everywhere
        return issue.module in self.modules


Measure = Callable[[GateConfig, History, Scope, CriticalFields], Measured]


def clean_streak_text(history: History, entities: Sequence[str]) -> tuple[int, Text | None]:
    """``gates.clean_streak`` with what broke the streak in both languages."""
    streak = 0
    for run in reversed(history.runs_covering(entities)):
        problem = _unclean(run, entities)
        if problem is not None:
            return streak, msg("clean.breaker", run=run_label(run), problem=problem)
        streak += 1
    return streak, None


# --- the measures, one per kind -----------------------------------------------------------


def _match_rate(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    threshold = _threshold(gate)
    rates = sorted(
        (point.match_rate, point.entity)
        for _, point in history.latest_points(scope.entities)
        if point.match_rate is not None
    )
    if not rates:
        return _unmeasured(
            msg("what.match_rate", label=scope.label), msg("why.no_records_compared")
        )
    lowest, entity = rates[0]
    below = [(rate, name) for rate, name in rates if rate < threshold]
    shown = msg("rate.match", entity=entity, rate=_percent(lowest, threshold))
    limit = _limit(threshold)
    if below:
        detail = tuple(
            msg("rate.entity_detail", entity=name, rate=_percent(rate, threshold))
            for rate, name in below
        )
        more = _and_more(len(below), "entity")
        return Measured(
            lowest, False, msg("rate.below", shown=shown, limit=limit, more=more), detail
        )
    tail = msg("rate.lowest_entity", label=scope.label) if len(rates) > 1 else plain("")
    return Measured(lowest, True, msg("rate.meets", shown=shown, limit=limit, tail=tail))


def _field_accuracy(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    threshold = _threshold(gate)

    def fields_of(entity: str) -> Sequence[str]:
        return gate.fields if gate.fields is not None else critical_fields.get(entity, ())

    measured = sorted(
        (accuracy, point.entity, name)
        for _, point in history.latest_points(scope.entities)
        for name in fields_of(point.entity)
        if (accuracy := point.field_accuracy.get(name)) is not None
    )
    if not measured:
        declared = any(fields_of(entity) for entity in scope.entities)
        why = msg("why.no_fields_compared" if declared else "why.no_fields_declared")
        return _unmeasured(msg("what.field_accuracy", label=scope.label), why)
    lowest, entity, name = measured[0]
    below = [item for item in measured if item[0] < threshold]
    shown = msg("rate.field", entity=entity, field=name, rate=_percent(lowest, threshold))
    limit = _limit(threshold)
    if below:
        detail = tuple(
            msg("rate.field_detail", entity=e, field=f, rate=_percent(a, threshold))
            for a, e, f in below
        )
        more = _and_more(len(below), "field")
        return Measured(
            lowest, False, msg("rate.below", shown=shown, limit=limit, more=more), detail
        )
    tail = msg("rate.lowest_field", label=scope.label) if len(measured) > 1 else plain("")
    return Measured(lowest, True, msg("rate.meets", shown=shown, limit=limit, tail=tail))


def _amount_differences(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    allowed = int(_threshold(gate))
    points = history.latest_points(scope.entities)
    if not points:
        return _unmeasured(
            msg("what.amount_differences", label=scope.label), msg("why.not_compared_ok")
        )
    counts = [
        (point.entity, run.unexplained_amount_differences.get(point.entity, 0))
        for run, point in points
    ]
    total = sum(number for _, number in counts)
    noun = "unexplained amount difference"
    detail = tuple(
        msg("amounts.detail", entity=entity, count=count(number, noun))
        for entity, number in counts
        if number
    )
    label = scope.label
    if total == 0:
        return Measured(0, True, msg("amounts.none", label=label))
    if total <= allowed:
        reason = msg("amounts.within", label=label, count=count(total, noun), allowed=allowed)
        return Measured(total, True, reason)
    limit = msg("amounts.none_allowed") if allowed == 0 else msg("amounts.at_most", allowed=allowed)
    reason = msg("amounts.over", label=label, count=count(total, noun), limit=limit)
    return Measured(total, False, reason, detail)


def _clean_runs(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    needed = int(_threshold(gate))
    if not history.runs_covering(scope.entities):
        return _unmeasured(msg("what.clean_runs", label=scope.label), msg("why.not_compared"))
    streak, breaker = clean_streak_text(history, scope.entities)
    detail = (msg("clean.broken_by", breaker=breaker),) if breaker is not None else ()
    runs = count(streak, "clean run")
    if streak >= needed:
        return Measured(
            streak, True, msg("clean.enough", label=scope.label, runs=runs, needed=needed)
        )
    reason = msg("clean.short", label=scope.label, runs=runs, needed=needed)
    return Measured(streak, False, reason, detail)


def _blockers(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    allowed = int(_threshold(gate))
    keys = tuple(
        issue.key for issue in by_age(history.issues) if history.is_open(issue) and blocks(issue)
    )
    if not keys:
        return Measured(0, True, msg("blockers.none", label=scope.label))
    reason = msg(
        "blockers.some",
        label=scope.label,
        count=count(len(keys), "unresolved blocker"),
        keys=listing(keys),
    )
    passed = len(keys) <= allowed
    if passed:
        reason += msg("blockers.within", allowed=allowed)
    return Measured(len(keys), passed, reason, tuple(plain(key) for key in keys))


def _open_s2(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    allowed = int(_threshold(gate))
    open_s2 = [
        issue
        for issue in by_age(history.issues)
        if history.is_open(issue) and issue.severity == "S2"
    ]
    gaps = []
    for issue in open_s2:
        missing = [
            msg(noun)
            for noun, present in (
                ("s2.an_owner", bool(issue.owner)),
                ("s2.a_due_date", issue.due_date is not None),
                ("s2.a_workaround", bool((issue.workaround or "").strip())),
            )
            if not present
        ]
        if missing:
            gaps.append(msg("s2.lacks", key=issue.key, missing=both(missing)))
    number = len(open_s2)
    issues = count(number, "unresolved S2 issue")
    label = scope.label
    if number > allowed:
        reason = msg("s2.too_many", label=label, issues=issues, allowed=allowed)
        return Measured(number, False, reason, tuple(gaps) or tuple(plain(i.key) for i in open_s2))
    if gaps:
        verb = "lacks" if len(gaps) == 1 else "lack"
        gapped = count(len(gaps), "unresolved S2 issue")
        reason = msg("s2.incomplete", count=gapped, label=label, verb=verb)
        return Measured(number, False, reason, tuple(gaps))
    if number == 0:
        return Measured(0, True, msg("s2.none", label=label))
    return Measured(number, True, msg("s2.complete", label=label, issues=issues, allowed=allowed))


def _trend(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    needed = int(_threshold(gate))
    window = gate.window if gate.window is not None else int(KIND_DEFAULTS["trend"]["window"])
    flows = history.issue_flow()[-window:]
    if not flows:
        return _unmeasured(msg("what.trend", label=scope.label), msg("why.no_run"))
    arrived = sum(flow.arrivals for flow in flows)
    closed = sum(flow.closures for flow in flows)
    net = closed - arrived
    detail = tuple(
        msg(
            "trend.detail",
            run_id=flow.run_id,
            arrived=flow.arrivals,
            closed=flow.closures,
            open=flow.open_at_end,
        )
        for flow in flows
    )
    span = msg("trend.span", runs=count(len(flows), "run"))
    outcome = msg(
        "trend.outcome",
        issues=count(closed, "issue"),
        closed=closed,
        label=scope.label,
        verb="was" if closed == 1 else "were",
        arrived=arrived,
        span=span,
    )
    if net >= needed:
        return Measured(net, True, outcome, detail)
    if needed == 0:
        reason = msg("trend.growing", label=scope.label, span=span, arrived=arrived, closed=closed)
    else:
        reason = msg("trend.short", outcome=outcome, needed=needed)
    return Measured(net, False, reason, detail)


def _aging(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    allowed = int(_threshold(gate))
    limits = gate.max_age_days or {}
    too_old = []
    for issue in history.issues:
        limit = limits.get(issue.severity or "")
        if limit is None or not history.is_open(issue):
            continue
        age = (history.today - issue.created_at.date()).days
        if age > limit:
            too_old.append((limit - age, issue.key, issue.severity, age, limit))
    too_old.sort()
    rules = join(
        [
            msg("aging.rule", severity=severity, days=count(days, "day"))
            for severity, days in limits.items()
        ],
        zh="、",
    )
    if not too_old:
        return Measured(0, True, msg("aging.none", label=scope.label, rules=rules))
    _, key, severity, age, limit = too_old[0]
    detail = tuple(
        msg("aging.detail", key=k, severity=s or "", age=count(a, "day"), limit=n)
        for _, k, s, a, n in too_old
    )
    reason = msg(
        "aging.some",
        count=count(len(too_old), "unresolved issue"),
        label=scope.label,
        verb="is" if len(too_old) == 1 else "are",
        key=key,
        severity=severity or "",
        age=count(age, "day"),
        limit=limit,
    )
    return Measured(len(too_old), len(too_old) <= allowed, reason, detail)


def _adoption(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    threshold = _threshold(gate)
    totals: dict[str, list[int]] = {}
    teams: dict[str, str | None] = {}
    for run, point in history.latest_points(scope.entities):
        for owner in run.owners:
            if owner.entity != point.entity or (scope.by_team and owner.team != scope.value):
                continue
            figures = totals.setdefault(owner.owner, [0, 0])
            figures[0] += owner.rows_manual
            figures[1] += owner.missing_in_crm
            teams.setdefault(owner.owner, owner.team)
    owners = sorted(
        ((manual - missing) / manual, name, manual, missing)
        for name, (manual, missing) in totals.items()
        if manual > 0
    )
    if not owners:
        return _unmeasured(msg("what.adoption", label=scope.label), msg("why.no_owner_counted"))
    lowest, name, _, _ = owners[0]
    below = [owner for owner in owners if owner[0] < threshold]
    if scope.by_team and scope.value is None:
        among = msg("adoption.among_teamless")
    else:
        among = msg("adoption.among", label=scope.label)
    limit = _limit(threshold)
    if not below:
        reason = msg(
            "adoption.all", among=among, limit=limit, name=name, rate=_percent(lowest, threshold)
        )
        return Measured(lowest, True, reason)

    def who(owner: str) -> Text:
        team = teams.get(owner)
        if team and not scope.by_team:
            return msg("adoption.who", owner=owner, team=team)
        return plain(owner)

    detail = tuple(
        msg(
            "adoption.detail",
            who=who(owner),
            rate=_percent(rate, threshold),
            missing=missing,
            manual=manual,
        )
        for rate, owner, manual, missing in below
    )
    names = [
        msg("adoption.name", owner=owner, rate=_percent(rate, threshold))
        for rate, owner, _, _ in below
    ]
    reason = msg(
        "adoption.some",
        count=count(len(below), "owner"),
        among=among,
        verb="has" if len(below) == 1 else "have",
        limit=limit,
        names=listing(names),
    )
    return Measured(lowest, False, reason, detail)


def _feed_health(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    runs = history.runs_covering(scope.entities)
    if not runs:
        return _unmeasured(msg("what.feed_health", label=scope.label), msg("why.no_source_read"))
    run = runs[-1]
    problems = [] if run.ok else [msg("feed.run_failed", run=run_label(run))]
    for point in run.entities:
        if point.entity not in scope.entities:
            continue
        if not point.sources_ok:
            problems.append(msg("feed.unread", entity=point.entity))
        problems.extend(msg("feed.drift", entity=point.entity, drift=d) for d in point.column_drift)
    latest = msg("feed.latest", label=scope.label, run=run_label(run))
    if not problems:
        return Measured(0, True, msg("feed.ok", label=scope.label, run=run_label(run)))
    if not run.ok:
        more = len(problems) - 1
        tail = msg("feed.failed_more", count=count(more, "more feed problem")) if more else ""
        reason = msg("feed.failed", latest=latest, tail=tail)
        return Measured(len(problems), False, reason, tuple(problems))
    reason = msg(
        "feed.problems",
        latest=latest,
        count=count(len(problems), "feed problem"),
        first=problems[0],
    )
    return Measured(len(problems), False, reason, tuple(problems))


def _signoff(
    gate: GateConfig, history: History, scope: Scope, critical_fields: CriticalFields
) -> Measured:
    roles = list(gate.roles or ())
    latest: dict[str, Signoff] = {}
    for signoff in sorted(history.signoffs, key=lambda s: s.at):
        if signoff.role in roles and signoff.module in (None, scope.module):
            latest[signoff.role] = signoff
    signed = [latest[name] for name in roles if name in latest]
    detail = tuple(
        msg("signoff.detail", role=role(s.role), who=s.who, day=s.at.date().isoformat())
        + (msg("signoff.note", note=s.note) if s.note else "")
        for s in signed
    )
    missing = [name for name in roles if name not in latest]
    if missing:
        wanted = both([msg("signoff.the_role", role=role(name)) for name in missing])
        reason = msg("signoff.missing", label=scope.label, roles=wanted)
        return Measured(len(signed), False, reason, detail)
    names = both([msg("signoff.by", who=s.who, role=role(s.role)) for s in signed])
    return Measured(len(signed), True, msg("signoff.done", label=scope.label, names=names), detail)


MEASURES: Mapping[str, Measure] = {
    "match_rate": _match_rate,
    "field_accuracy": _field_accuracy,
    "amount_differences": _amount_differences,
    "clean_runs": _clean_runs,
    "blockers": _blockers,
    "open_s2": _open_s2,
    "trend": _trend,
    "aging": _aging,
    "adoption": _adoption,
    "feed_health": _feed_health,
    "signoff": _signoff,
}


# --- small helpers -------------------------------------------------------------------------


def blocks(issue: IssuePoint) -> bool:
    # The rule of dualrun.issues.lifecycle.is_blocker; openness is the history's to say.
    return issue.severity == "S1" or issue.blocks_cutover


def by_age(issues: Sequence[IssuePoint]) -> list[IssuePoint]:
    return sorted(issues, key=lambda issue: (issue.created_at, issue.key))


def run_label(run: RunPoint) -> Text:
    return msg("run.label", run_id=run.run_id, day=run.started_at.date().isoformat())


def _threshold(gate: GateConfig) -> float:
    if gate.threshold is None:
        raise ValueError(f"gate {gate.id!r} ({gate.kind}) has no threshold")
    return gate.threshold


def _unmeasured(what: Text, why: Text) -> Measured:
    return Measured(None, False, msg("unmeasured", what=what, why=why))


def _unclean(run: RunPoint, entities: Sequence[str]) -> Text | None:
    """Why ``run`` is not clean for ``entities`` (None: it is)."""
    if not run.ok:
        return msg("unclean.failed")
    points = [point for point in run.entities if point.entity in entities]
    unread = [point.entity for point in points if not point.sources_ok]
    if unread:
        return msg("unclean.unread", entities=both(unread))
    found = sum(point.discrepancies for point in points)
    if found:
        names = both([point.entity for point in points if point.discrepancies])
        return msg("unclean.found", count=count(found, "discrepancy"), entities=names)
    return None


def _and_more(number: int, noun: str) -> Text:
    if number <= 1:
        return plain("")
    others = count(number - 1, f"other {noun}")
    return msg("rate.and_more", others=others, verb="is" if number == 2 else "are")
