"""Each readiness gate measured against the history: a value, pass or fail, and why.

``evaluate`` judges one gate for one scope value (a module, an entity, a team, or None
for overall); ``evaluate_all`` judges every active gate for every scope value (the
scorecard); ``evaluate_for_module`` judges the gates that decide one module's verdict.
A figure that cannot be measured yet fails, and its reason says so. A module that is
live (cut over) is not judged: its results pass and say since when it is live.

Pure: no database, files, clock or printing. Reasons are one sentence in business
language, in English and in Chinese (``reason``/``reason_zh``, ``detail``/``detail_zh``);
the value, threshold and detail carry the same facts as data. The measure of each kind
lives in ``dualrun.readiness.measures``, the sentences in ``dualrun.readiness.messages``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from dualrun.readiness.history import History
from dualrun.readiness.measures import (
    MEASURES,
    CriticalFields,
    Measured,
    Scope,
    blocks,
    by_age,
    clean_streak_text,
)
from dualrun.readiness.messages import Text, en_of, msg, zh_of
from dualrun.readiness.settings import ISSUE_KINDS, GateConfig, ReadinessConfig

__all__ = [
    "CriticalFields",
    "GateResult",
    "clean_streak",
    "evaluate",
    "evaluate_all",
    "evaluate_for_module",
    "module_blockers",
    "teams_in",
]


@dataclass(frozen=True)
class GateResult:
    """One gate judged for one scope value, with its value over every ok run.

    ``reason_zh`` and ``detail_zh`` say what ``reason`` and ``detail`` say, in Chinese.
    """

    gate: str
    kind: str
    scope: str
    scope_value: str | None  # ("module", "SFA"); None for overall (team scope: no team)
    hard: bool
    threshold: float | None
    value: float | None  # None: not measurable yet, or the scope is live
    passed: bool
    reason: str  # one sentence: "account match rate 98.2% is below 99.5%"
    reason_zh: str  # the same sentence in Chinese: "account 记录匹配率 98.2% 低于 99.5%"
    trend: tuple[float | None, ...]  # the value at every ok run, oldest first
    owner: str | None
    detail: tuple[str, ...] = ()  # the failing owners, the blockers' keys...
    detail_zh: tuple[str, ...] = field(kw_only=True)  # ``detail`` line by line in Chinese

    def to_dict(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        reason_zh = data.pop("reason_zh")
        data.pop("detail_zh")
        return {
            **data,
            "trend": list(self.trend),
            "detail": list(self.detail),
            "reason_zh": reason_zh,
            "detail_zh": list(self.detail_zh),
        }


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
    streak, breaker = clean_streak_text(history, entities)
    return streak, breaker.en if breaker is not None else None


def module_blockers(history: History, module: str) -> tuple[str, ...]:
    """Keys of the unresolved blockers (S1 or ``blocks_cutover``) concerning ``module``."""
    scope = _module_scope(history, module, history.module_entities.get(module, ()))
    return tuple(
        issue.key
        for issue in by_age(history.issues)
        if scope.concerns(issue) and history.is_open(issue) and blocks(issue)
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
    if isinstance(scope, Text):
        return _result(gate, scope_value, Measured(None, True, scope), ())
    if gate.kind in ISSUE_KINDS:
        # Cut the issues to the scope once, so each run's view below filters only those.
        issues = tuple(issue for issue in history.issues if scope.concerns(issue))
        history = dataclasses.replace(history, issues=issues)
    measure = MEASURES[gate.kind]
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
    measured: Measured,
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
        reason=measured.reason.en,
        reason_zh=measured.reason.zh,
        trend=trend,
        owner=gate.owner,
        detail=en_of(measured.detail),
        detail_zh=zh_of(measured.detail),
    )


def _resolve(gate: GateConfig, history: History, value: str | None) -> Scope | Text:
    """The scope a result looks at, or the reason it is not judged (its module is live)."""
    parallel = history.entities_in_parallel_run
    if gate.scope in ("module", "entity") and value is None:
        raise ValueError(f"gate {gate.id!r} is judged per {gate.scope}: give one")
    if gate.scope == "module":
        assert value is not None
        live = history.live_since(value)
        if live is not None:
            return msg("live.module", module=value, since=live.isoformat())
        return _module_scope(
            history, value, _narrowed(gate, history.module_entities.get(value, ()))
        )
    if gate.scope == "entity":
        assert value is not None
        module = history.module_of(value)
        live = history.live_since(module) if module is not None else None
        if live is not None:
            return msg("live.entity", entity=value, since=live.isoformat(), module=module or "")
        modules = frozenset({module}) if module is not None else frozenset()
        return _scope(history, value, Text(value, value), (value,), modules, module)
    entities = _narrowed(gate, parallel)
    if gate.entities is None:
        modules = frozenset(m for m in history.module_entities if history.live_since(m) is None)
    else:
        modules = frozenset(_modules_of(history, entities))
    if gate.scope == "overall":
        return _scope(history, None, msg("scope.overall"), entities, modules, None)
    label = Text(value, value) if value is not None else msg("scope.teamless")
    return _scope(history, value, label, entities, modules, None, by_team=True)


def _module_scope(history: History, module: str, entities: Sequence[str]) -> Scope:
    m = Text(module, module)
    return _scope(history, module, m, tuple(entities), frozenset({module}), module)


def _scope(
    history: History,
    value: str | None,
    label: Text,
    entities: Sequence[str],
    modules: frozenset[str],
    module: str | None,
    *,
    by_team: bool = False,
) -> Scope:
    return Scope(
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
