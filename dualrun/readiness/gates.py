"""Each readiness gate measured against the history: a value, pass or fail, and why.

``evaluate`` judges one gate for one scope value (a module, an entity, a team, or None
for overall); ``evaluate_all`` judges every active gate for every scope value (the
scorecard); ``evaluate_for_module`` judges the gates that decide one module's verdict.
A figure that cannot be measured yet fails, and its reason says so. A module that is
live (cut over) is not judged: its results pass and say since when it is live.

Pure: no database, files, clock or printing. Reasons are one English sentence in
business language; the value, threshold and detail carry the same facts as data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dualrun.readiness.history import History, IssuePoint, RunPoint, Signoff
from dualrun.readiness.settings import ISSUE_KINDS, KIND_DEFAULTS, GateConfig, ReadinessConfig

CriticalFields = Mapping[str, tuple[str, ...]]  # entity → its critical fields


@dataclass(frozen=True)
class GateResult:
    """One gate judged for one scope value, with its value over every ok run."""

    gate: str
    kind: str
    scope: str
    scope_value: str | None  # ("module", "SFA"); None for overall (team scope: no team)
    hard: bool
    threshold: float | None
    value: float | None  # None: not measurable yet, or the scope is live
    passed: bool
    reason: str  # one sentence: "account match rate 98.2% is below 99.5%"
    trend: tuple[float | None, ...]  # the value at every ok run, oldest first
    owner: str | None
    detail: tuple[str, ...] = ()  # the failing owners, the blockers' keys...

    def to_dict(self) -> dict[str, object]:
        return {
            **dataclasses.asdict(self),
            "trend": list(self.trend),
            "detail": list(self.detail),
        }


@dataclass(frozen=True)
class _Measure:
    value: float | None
    passed: bool
    reason: str
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Scope:
    """What one gate result looks at."""

    value: str | None
    label: str  # how the reason names the scope
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


Measure = Callable[[GateConfig, History, _Scope, CriticalFields], _Measure]


# --- the public entry points -------------------------------------------------------------


def evaluate(
    gate: GateConfig, history: History, scope_value: str | None, critical_fields: CriticalFields
) -> GateResult:
    """Judge ``gate`` for one scope value: a module, an entity, a team, or None (overall).

    ``critical_fields`` (entity → fields) serves field_accuracy gates without ``fields``.
    Raises ValueError if a module or entity scope is given no value (a bug).
    """
    return _evaluate(gate, history, scope_value, critical_fields, with_trend=True)


def evaluate_all(
    settings: ReadinessConfig, history: History, critical_fields: CriticalFields
) -> tuple[GateResult, ...]:
    """Every active gate for every value of its scope, in config order (the scorecard).

    Live modules and their entities appear with a "live since" result; teams are those
    of the owners in the latest ok run.
    """
    results = []
    for gate in settings.active_gates:
        for value in _scope_values(gate, history):
            results.append(evaluate(gate, history, value, critical_fields))
    return tuple(results)


def evaluate_for_module(
    settings: ReadinessConfig,
    history: History,
    module: str,
    critical_fields: CriticalFields,
    *,
    with_trend: bool = True,
) -> tuple[GateResult, ...]:
    """The gate results that decide one module's verdict.

    Overall gates count for every module (unless narrowed to other modules' entities);
    module gates are judged for the module, entity gates for each of its entities, team
    gates for each team on the module's entities only. Gates narrowed to entities the
    module does not have do not apply to it.
    """
    entities = history.module_entities.get(module, ())
    results = []
    for gate in settings.active_gates:
        narrowed = _narrowed(gate, entities)
        if gate.entities is not None and not narrowed:
            continue
        source = history
        values: Sequence[str | None]
        if gate.scope == "overall":
            values = (None,)
        elif gate.scope == "module":
            values = (module,)
        elif gate.scope == "entity":
            values = narrowed
        else:
            source = history.restricted_to(narrowed)
            values = teams_in(source, narrowed)
        for value in values:
            results.append(_evaluate(gate, source, value, critical_fields, with_trend=with_trend))
    return tuple(results)


def clean_streak(history: History, entities: Sequence[str]) -> tuple[int, str | None]:
    """Consecutive clean runs for ``entities``, counted back from the latest that concerns them.

    A clean run is an ok run that read every source of those entities and found no
    discrepancy in them; a failed run breaks the streak. Also returns what broke the
    streak ("run 12 of 2024-03-05, which failed"), or None if nothing has yet.
    """
    streak = 0
    for run in reversed(history.runs_covering(entities)):
        problem = _unclean(run, entities)
        if problem is not None:
            return streak, f"{_run_label(run)}, which {problem}"
        streak += 1
    return streak, None


def module_blockers(history: History, module: str) -> tuple[str, ...]:
    """Keys of the unresolved blockers (S1 or ``blocks_cutover``) concerning ``module``."""
    scope = _module_scope(history, module, history.module_entities.get(module, ()))
    return tuple(
        issue.key
        for issue in _by_age(history.issues)
        if scope.concerns(issue) and history.is_open(issue) and _blocks(issue)
    )


def teams_in(history: History, entities: Sequence[str]) -> tuple[str | None, ...]:
    """The teams of the owners of ``entities`` in the latest ok run, sorted.

    None stands for the owners without a team; it is also the only value when no owner
    is known yet, so that a team gate still shows (as not measurable) rather than vanish.
    """
    teams: set[str] = set()
    teamless = False
    for run, point in history.latest_points(entities):
        for owner in run.owners:
            if owner.entity == point.entity:
                if owner.team is None:
                    teamless = True
                else:
                    teams.add(owner.team)
    values: list[str | None] = list(sorted(teams))
    if teamless or not teams:
        values.append(None)
    return tuple(values)


# --- scoping -----------------------------------------------------------------------------


def _evaluate(
    gate: GateConfig,
    history: History,
    scope_value: str | None,
    critical_fields: CriticalFields,
    *,
    with_trend: bool,
) -> GateResult:
    scope = _resolve(gate, history, scope_value)
    if isinstance(scope, str):
        return _result(gate, scope_value, _Measure(None, True, scope), ())
    if gate.kind in ISSUE_KINDS:
        # Cut the issues to the scope once, so each run's view below filters only those.
        issues = tuple(issue for issue in history.issues if scope.concerns(issue))
        history = dataclasses.replace(history, issues=issues)
    measure = _MEASURES[gate.kind]
    now = measure(gate, history, scope, critical_fields)
    trend: tuple[float | None, ...] = ()
    if with_trend:
        trend = tuple(
            measure(gate, history.upto(run.run_id), scope, critical_fields).value
            for run in history.ok_runs
        )
    return _result(gate, scope_value, now, trend)


def _result(
    gate: GateConfig,
    scope_value: str | None,
    measured: _Measure,
    trend: tuple[float | None, ...],
) -> GateResult:
    threshold = gate.threshold
    if gate.kind == "signoff":
        threshold = float(len(gate.roles or ()))
    elif gate.kind == "feed_health":
        threshold = 0.0
    return GateResult(
        gate=gate.id,
        kind=gate.kind,
        scope=gate.scope,
        scope_value=scope_value,
        hard=gate.hard,
        threshold=threshold,
        value=measured.value,
        passed=measured.passed,
        reason=measured.reason,
        trend=trend,
        owner=gate.owner,
        detail=measured.detail,
    )


def _resolve(gate: GateConfig, history: History, value: str | None) -> _Scope | str:
    """The scope a result looks at, or the reason it is not judged (its module is live)."""
    parallel = history.entities_in_parallel_run
    if gate.scope in ("module", "entity") and value is None:
        raise ValueError(f"gate {gate.id!r} is judged per {gate.scope}: give one")
    if gate.scope == "module":
        assert value is not None
        live = history.live_since(value)
        if live is not None:
            return f"{value} has been live since {live.isoformat()}; it is no longer judged"
        return _module_scope(
            history, value, _narrowed(gate, history.module_entities.get(value, ()))
        )
    if gate.scope == "entity":
        assert value is not None
        module = history.module_of(value)
        live = history.live_since(module) if module is not None else None
        if live is not None:
            return (
                f"{value} has been live since {live.isoformat()} with {module}; "
                "it is no longer judged"
            )
        modules = frozenset({module}) if module is not None else frozenset()
        return _scope(history, value, value, (value,), modules, module)
    entities = _narrowed(gate, parallel)
    if gate.entities is None:
        modules = frozenset(m for m in history.module_entities if history.live_since(m) is None)
    else:
        modules = frozenset(_modules_of(history, entities))
    if gate.scope == "overall":
        return _scope(history, None, "all modules", entities, modules, None)
    label = value if value is not None else "owners without a team"
    return _scope(history, value, label, entities, modules, None, by_team=True)


def _module_scope(history: History, module: str, entities: Sequence[str]) -> _Scope:
    return _scope(history, module, module, tuple(entities), frozenset({module}), module)


def _scope(
    history: History,
    value: str | None,
    label: str,
    entities: Sequence[str],
    modules: frozenset[str],
    module: str | None,
    *,
    by_team: bool = False,
) -> _Scope:
    return _Scope(
        value=value,
        label=label,
        entities=tuple(entities),
        modules=modules,
        module=module,
        by_team=by_team,
        known_entities=frozenset(_modules_of(history, None)),
        known_modules=frozenset(history.module_entities),
    )


def _modules_of(history: History, entities: Sequence[str] | None) -> dict[str, str]:
    """Entity → module for ``entities`` (None: every known entity)."""
    table = {
        entity: module
        for module, module_entities in history.module_entities.items()
        for entity in module_entities
    }
    if entities is None:
        return table
    return {entity: table[entity] for entity in entities if entity in table}


def _narrowed(gate: GateConfig, entities: Sequence[str]) -> tuple[str, ...]:
    if gate.entities is None:
        return tuple(entities)
    return tuple(entity for entity in entities if entity in gate.entities)


def _scope_values(gate: GateConfig, history: History) -> tuple[str | None, ...]:
    if gate.scope == "overall":
        return (None,)
    if gate.scope == "module":
        return tuple(
            module
            for module, entities in history.module_entities.items()
            if gate.entities is None or _narrowed(gate, entities)
        )
    if gate.scope == "entity":
        every = [e for entities in history.module_entities.values() for e in entities]
        return _narrowed(gate, every)
    entities = _narrowed(gate, history.entities_in_parallel_run)
    return teams_in(history, entities)


# --- the measures, one per kind -----------------------------------------------------------


def _match_rate(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    threshold = _threshold(gate)
    rates = sorted(
        (point.match_rate, point.entity)
        for _, point in history.latest_points(scope.entities)
        if point.match_rate is not None
    )
    if not rates:
        return _unmeasured(
            f"the match rate of {scope.label}", "no successful run has compared its records"
        )
    lowest, entity = rates[0]
    below = [(rate, name) for rate, name in rates if rate < threshold]
    shown = f"{entity} match rate {_percent(lowest, threshold)}"
    if below:
        detail = tuple(f"{name}: {_percent(rate, threshold)}" for rate, name in below)
        reason = f"{shown} is below {_limit(threshold)}{_and_more(len(below), 'entity')}"
        return _Measure(lowest, False, reason, detail)
    tail = f", the lowest in {scope.label}" if len(rates) > 1 else ""
    return _Measure(lowest, True, f"{shown} meets {_limit(threshold)}{tail}")


def _field_accuracy(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
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
        why = (
            "no successful run has compared its critical fields"
            if declared
            else "no critical fields are declared for it (give the gate fields)"
        )
        return _unmeasured(f"the field accuracy of {scope.label}", why)
    lowest, entity, name = measured[0]
    below = [item for item in measured if item[0] < threshold]
    shown = f"{entity} {name} accuracy {_percent(lowest, threshold)}"
    if below:
        detail = tuple(f"{e} {f}: {_percent(a, threshold)}" for a, e, f in below)
        reason = f"{shown} is below {_limit(threshold)}{_and_more(len(below), 'field')}"
        return _Measure(lowest, False, reason, detail)
    tail = f", the lowest critical field in {scope.label}" if len(measured) > 1 else ""
    return _Measure(lowest, True, f"{shown} meets {_limit(threshold)}{tail}")


def _amount_differences(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    allowed = int(_threshold(gate))
    points = history.latest_points(scope.entities)
    if not points:
        return _unmeasured(
            f"the amount differences of {scope.label}", "no successful run has compared it"
        )
    counts = [
        (point.entity, run.unexplained_amount_differences.get(point.entity, 0))
        for run, point in points
    ]
    total = sum(count for _, count in counts)
    noun = "unexplained amount difference"
    detail = tuple(f"{entity}: {_count(count, noun)}" for entity, count in counts if count)
    if total == 0:
        return _Measure(0, True, f"{scope.label} has no unexplained amount differences")
    if total <= allowed:
        return _Measure(total, True, f"{scope.label} has {_count(total, noun)}, within {allowed}")
    limit = "none are allowed" if allowed == 0 else f"at most {allowed} are allowed"
    return _Measure(total, False, f"{scope.label} has {_count(total, noun)}; {limit}", detail)


def _clean_runs(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    needed = int(_threshold(gate))
    if not history.runs_covering(scope.entities):
        return _unmeasured(f"the clean runs of {scope.label}", "no run has compared it")
    streak, breaker = clean_streak(history, scope.entities)
    detail = (f"the streak was broken by {breaker}",) if breaker is not None else ()
    runs = _count(streak, "clean run")
    if streak >= needed:
        return _Measure(streak, True, f"{scope.label} has had {runs} in a row, {needed} needed")
    reason = f"{scope.label} has had only {runs} in a row; {needed} are needed"
    return _Measure(streak, False, reason, detail)


def _blockers(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    allowed = int(_threshold(gate))
    keys = tuple(
        issue.key for issue in _by_age(history.issues) if history.is_open(issue) and _blocks(issue)
    )
    if not keys:
        return _Measure(0, True, f"{scope.label} has no unresolved blockers")
    reason = f"{scope.label} has {_count(len(keys), 'unresolved blocker')}: {_listing(keys)}"
    passed = len(keys) <= allowed
    if passed:
        reason += f", within {allowed}"
    return _Measure(len(keys), passed, reason, keys)


def _open_s2(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    allowed = int(_threshold(gate))
    open_s2 = [
        issue
        for issue in _by_age(history.issues)
        if history.is_open(issue) and issue.severity == "S2"
    ]
    gaps = []
    for issue in open_s2:
        missing = [
            noun
            for noun, present in (
                ("an owner", bool(issue.owner)),
                ("a due date", issue.due_date is not None),
                ("a workaround", bool((issue.workaround or "").strip())),
            )
            if not present
        ]
        if missing:
            gaps.append(f"{issue.key} lacks {_both(missing)}")
    count = len(open_s2)
    issues = _count(count, "unresolved S2 issue")
    if count > allowed:
        reason = f"{scope.label} has {issues}; at most {allowed} are allowed"
        return _Measure(count, False, reason, tuple(gaps) or tuple(i.key for i in open_s2))
    if gaps:
        verb = "lacks" if len(gaps) == 1 else "lack"
        reason = (
            f"{_count(len(gaps), 'unresolved S2 issue')} in {scope.label} {verb} "
            "an owner, a due date or a workaround"
        )
        return _Measure(count, False, reason, tuple(gaps))
    if count == 0:
        return _Measure(0, True, f"{scope.label} has no unresolved S2 issues")
    reason = (
        f"{scope.label} has {issues} (at most {allowed}), "
        "each with an owner, a due date and a workaround"
    )
    return _Measure(count, True, reason)


def _trend(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    needed = int(_threshold(gate))
    window = gate.window if gate.window is not None else int(KIND_DEFAULTS["trend"]["window"])
    flows = history.issue_flow()[-window:]
    if not flows:
        return _unmeasured(f"the issue trend of {scope.label}", "no run has happened")
    arrived = sum(flow.arrivals for flow in flows)
    closed = sum(flow.closures for flow in flows)
    net = closed - arrived
    detail = tuple(
        f"run {flow.run_id}: {flow.arrivals} arrived, {flow.closures} closed, "
        f"{flow.open_at_end} open"
        for flow in flows
    )
    span = f"over the last {_count(len(flows), 'run')}"
    outcome = (
        f"{_count(closed, 'issue')} in {scope.label} {'was' if closed == 1 else 'were'} "
        f"closed against {arrived} arrived {span}"
    )
    if net >= needed:
        return _Measure(net, True, outcome, detail)
    if needed == 0:
        reason = (
            f"more issues arrived in {scope.label} than were closed {span}: "
            f"{arrived} arrived, {closed} closed"
        )
    else:
        reason = f"{outcome}, short of the {needed:+d} net closures needed"
    return _Measure(net, False, reason, detail)


def _aging(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
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
    rules = ", ".join(f"{severity} {_count(days, 'day')}" for severity, days in limits.items())
    if not too_old:
        return _Measure(
            0, True, f"no unresolved issue in {scope.label} is past its age limit ({rules})"
        )
    _, key, severity, age, limit = too_old[0]
    detail = tuple(
        f"{k} ({s}) is {_count(a, 'day')} old; the limit is {n}" for _, k, s, a, n in too_old
    )
    verb = "is" if len(too_old) == 1 else "are"
    reason = (
        f"{_count(len(too_old), 'unresolved issue')} in {scope.label} {verb} past the age "
        f"limit; the furthest past is {key} ({severity}, {_count(age, 'day')} old, limit {limit})"
    )
    return _Measure(len(too_old), len(too_old) <= allowed, reason, detail)


def _adoption(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
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
        return _unmeasured(
            f"the adoption of {scope.label}", "no successful run has counted an owner's records"
        )
    lowest, name, _, _ = owners[0]
    below = [owner for owner in owners if owner[0] < threshold]
    among = "without a team" if scope.by_team and scope.value is None else f"in {scope.label}"
    if not below:
        reason = (
            f"every owner {among} has at least {_limit(threshold)} of their records "
            f"in the CRM; the lowest is {name} at {_percent(lowest, threshold)}"
        )
        return _Measure(lowest, True, reason)

    def who(owner: str) -> str:
        team = teams.get(owner)
        return f"{owner} ({team})" if team and not scope.by_team else owner

    detail = tuple(
        f"{who(owner)}: {_percent(rate, threshold)}, {missing} of {manual} records "
        "missing in the CRM"
        for rate, owner, manual, missing in below
    )
    names = [f"{owner} ({_percent(rate, threshold)})" for rate, owner, _, _ in below]
    verb = "has" if len(below) == 1 else "have"
    reason = (
        f"{_count(len(below), 'owner')} {among} {verb} fewer than "
        f"{_limit(threshold)} of their records in the CRM: {_listing(names)}"
    )
    return _Measure(lowest, False, reason, detail)


def _feed_health(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    runs = history.runs_covering(scope.entities)
    if not runs:
        return _unmeasured(f"the feeds of {scope.label}", "no run has read its sources")
    run = runs[-1]
    problems = [] if run.ok else [f"{_run_label(run)} failed"]
    for point in run.entities:
        if point.entity not in scope.entities:
            continue
        if not point.sources_ok:
            problems.append(f"{point.entity}: a source is missing or could not be read")
        problems.extend(f"{point.entity}: {drift}" for drift in point.column_drift)
    latest = f"the latest run for {scope.label}, {_run_label(run)},"
    if not problems:
        reason = f"every source of {scope.label} was present and read in {_run_label(run)}, "
        return _Measure(0, True, reason + "with no column drift")
    if not run.ok:
        more = len(problems) - 1
        tail = f", with {_count(more, 'more feed problem')}" if more else ""
        return _Measure(len(problems), False, f"{latest} failed{tail}", tuple(problems))
    reason = f"{latest} had {_count(len(problems), 'feed problem')}: {problems[0]}"
    return _Measure(len(problems), False, reason, tuple(problems))


def _signoff(
    gate: GateConfig, history: History, scope: _Scope, critical_fields: CriticalFields
) -> _Measure:
    roles = list(gate.roles or ())
    latest: dict[str, Signoff] = {}
    for signoff in sorted(history.signoffs, key=lambda s: s.at):
        if signoff.role in roles and signoff.module in (None, scope.module):
            latest[signoff.role] = signoff
    signed = [latest[role] for role in roles if role in latest]
    detail = tuple(
        f"{s.role}: {s.who} on {s.at.date().isoformat()}" + (f" ({s.note})" if s.note else "")
        for s in signed
    )
    missing = [role for role in roles if role not in latest]
    if missing:
        wanted = _both([f"the {role}" for role in missing])
        return _Measure(
            len(signed), False, f"{scope.label} still needs a sign-off by {wanted}", detail
        )
    names = _both([f"{s.who} ({s.role})" for s in signed])
    return _Measure(len(signed), True, f"{scope.label} is signed off by {names}", detail)


_MEASURES: Mapping[str, Measure] = {
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


def _threshold(gate: GateConfig) -> float:
    if gate.threshold is None:
        raise ValueError(f"gate {gate.id!r} ({gate.kind}) has no threshold")
    return gate.threshold


def _unmeasured(what: str, why: str) -> _Measure:
    return _Measure(None, False, f"{what} cannot be measured yet: {why}")


def _blocks(issue: IssuePoint) -> bool:
    # The rule of dualrun.issues.lifecycle.is_blocker; openness is the history's to say.
    return issue.severity == "S1" or issue.blocks_cutover


def _by_age(issues: Sequence[IssuePoint]) -> list[IssuePoint]:
    return sorted(issues, key=lambda issue: (issue.created_at, issue.key))


def _unclean(run: RunPoint, entities: Sequence[str]) -> str | None:
    """Why ``run`` is not clean for ``entities`` (None: it is)."""
    if not run.ok:
        return "failed"
    points = [point for point in run.entities if point.entity in entities]
    unread = [point.entity for point in points if not point.sources_ok]
    if unread:
        return f"could not read every source of {_both(unread)}"
    found = sum(point.discrepancies for point in points)
    if found:
        names = _both([point.entity for point in points if point.discrepancies])
        return f"found {_count(found, 'discrepancy', 'discrepancies')} in {names}"
    return None


def _run_label(run: RunPoint) -> str:
    return f"run {run.run_id} of {run.started_at.date().isoformat()}"


def _limit(threshold: float) -> str:
    """A threshold as a percentage with no trailing zeros: 0.995 → "99.5%"."""
    return f"{threshold * 100:.3f}".rstrip("0").rstrip(".") + "%"


def _percent(value: float, threshold: float) -> str:
    """A rate with one decimal, or more where one would look equal to the threshold."""
    text = f"{value * 100:.1f}"
    for decimals in (1, 2, 3):
        text = f"{value * 100:.{decimals}f}"
        if value == threshold or text != f"{threshold * 100:.{decimals}f}":
            break
    return text + "%"


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _and_more(count: int, noun: str) -> str:
    if count <= 1:
        return ""
    plural = "entities" if noun == "entity" else noun + "s"
    others = _count(count - 1, f"other {noun}", f"other {plural}")
    return f", and {others} {'is' if count == 2 else 'are'} too"


def _listing(items: Sequence[str], shown: int = 5) -> str:
    if len(items) <= shown:
        return _both(list(items))
    return ", ".join(items[:shown]) + f" and {len(items) - shown} more"


def _both(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
