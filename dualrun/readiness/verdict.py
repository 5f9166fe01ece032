"""The cutover verdict per module and overall: GO, CONDITIONAL, NO-GO or LIVE, with reasons.

Per module (the rules of the cutover-readiness issue):
    NO-GO        a hard gate fails, or a soft gate fails without a valid accepted risk
    CONDITIONAL  every hard gate passes and each failing soft gate has an accepted risk,
                 or every gate passes but not yet for the last ``stable_runs`` runs
    GO           every gate passes, and has after each of the last ``stable_runs`` runs
    LIVE         the module has stopped its spreadsheets (cut over); it is not judged
An accepted risk is valid for the gate id it names, for its module (or every module when
it names none), until its due date included. Overall = the worst module still in parallel
run; GO when every module is live; NO-GO when there is no module at all.

"After each of the last runs" means the history as it stood just before the next run
that concerns the module (``History.before``); the latest one is the history itself.
Pure: no database, files, clock or printing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from dualrun.errors import EXIT_FINDINGS, EXIT_NO_GO, EXIT_OK
from dualrun.readiness.gates import (
    CriticalFields,
    GateResult,
    clean_streak,
    evaluate_for_module,
    module_blockers,
)
from dualrun.readiness.history import AcceptedRisk, History
from dualrun.readiness.messages import Text, count, en_of, msg, zh_of
from dualrun.readiness.projection import projected_ready_date
from dualrun.readiness.settings import ReadinessConfig

GO = "GO"
CONDITIONAL = "CONDITIONAL"
NO_GO = "NO-GO"
LIVE = "LIVE"
VERDICTS = (GO, CONDITIONAL, NO_GO, LIVE)
_SEVERITY = {GO: 0, CONDITIONAL: 1, NO_GO: 2}

# The exit code of `dualrun readiness` for each overall verdict (see dualrun.errors).
EXIT_CODES: Mapping[str, int] = {GO: EXIT_OK, CONDITIONAL: EXIT_FINDINGS, NO_GO: EXIT_NO_GO}


@dataclass(frozen=True)
class ModuleVerdict:
    """One module's verdict with its reasons (one sentence each) and the gates behind it.

    ``reasons_zh`` says what ``reasons`` says, sentence by sentence, in Chinese.
    """

    module: str
    verdict: str  # GO | CONDITIONAL | NO-GO | LIVE
    reasons: tuple[str, ...]
    gates: tuple[GateResult, ...]  # empty for a live module
    clean_runs: int  # consecutive clean runs of the module's entities
    stable_for: int  # of the last runs, how many in a row passed every gate (≤ stable_runs)
    blockers: tuple[str, ...]  # keys of the unresolved blockers, oldest first
    change_since_previous: str | None  # "was NO-GO", "unchanged"; None: no earlier run
    live_since: date | None = None
    reasons_zh: tuple[str, ...] = field(kw_only=True)

    def to_dict(self) -> dict[str, object]:
        return {
            "module": self.module,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "gates": [gate.to_dict() for gate in self.gates],
            "clean_runs": self.clean_runs,
            "stable_for": self.stable_for,
            "blockers": list(self.blockers),
            "change_since_previous": self.change_since_previous,
            "live_since": self.live_since.isoformat() if self.live_since else None,
            "reasons_zh": list(self.reasons_zh),
        }


@dataclass(frozen=True)
class Readiness:
    """The whole judgement: the overall verdict, each module's, and the projection."""

    overall: str  # GO | CONDITIONAL | NO-GO
    modules: tuple[ModuleVerdict, ...]
    projected_ready: date | None
    converging: bool
    generated_for: date

    @property
    def exit_code(self) -> int:
        """0 GO, 1 CONDITIONAL, 3 NO-GO: the exit code of ``dualrun readiness``."""
        return EXIT_CODES[self.overall]

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.overall,
            "generated_for": self.generated_for.isoformat(),
            "projected_ready": self.projected_ready.isoformat() if self.projected_ready else None,
            "converging": self.converging,
            "modules": [module.to_dict() for module in self.modules],
        }


def judge(
    settings: ReadinessConfig, history: History, critical_fields: CriticalFields
) -> Readiness:
    """Judge every module against the active gates, then overall, then project a date.

    ``critical_fields`` (entity → fields) serves field_accuracy gates without ``fields``.
    """
    verdicts = tuple(
        _ModuleJudge(settings, history, module, critical_fields).verdict()
        for module in history.module_entities
    )
    in_parallel = [v.verdict for v in verdicts if v.verdict != LIVE]
    if in_parallel:
        overall = max(in_parallel, key=_SEVERITY.__getitem__)
    else:
        overall = GO if verdicts else NO_GO
    projected, converging = projected_ready_date(
        history, match_threshold=strictest_match_threshold(settings)
    )
    return Readiness(
        overall=overall,
        modules=verdicts,
        projected_ready=projected,
        converging=converging,
        generated_for=history.today,
    )


def strictest_match_threshold(settings: ReadinessConfig) -> float | None:
    """The highest threshold of the match_rate gates (None: no such gate)."""
    thresholds = [
        gate.threshold
        for gate in settings.active_gates
        if gate.kind == "match_rate" and gate.threshold is not None
    ]
    return max(thresholds, default=None)


def valid_risk(history: History, gate: str, module: str) -> AcceptedRisk | None:
    """The accepted risk covering ``gate`` in ``module`` today, the latest-due one if several."""
    risks = [
        risk
        for risk in history.accepted_risks
        if risk.gate == gate and risk.module in (None, module) and risk.due >= history.today
    ]
    return max(risks, key=lambda risk: risk.due, default=None)


@dataclass(frozen=True)
class _Decision:
    verdict: str
    reasons: tuple[Text, ...]
    gates: tuple[GateResult, ...]
    stable_for: int


class _ModuleJudge:
    """Decides one module now and at its earlier runs, evaluating each state only once.

    ``views[0]`` is the history now; ``views[i]`` the history just before the i-th latest
    run that concerns the module (so as it stood after the run before that).
    """

    def __init__(
        self,
        settings: ReadinessConfig,
        history: History,
        module: str,
        critical_fields: CriticalFields,
    ) -> None:
        self.settings = settings
        self.history = history
        self.module = module
        self.critical_fields = critical_fields
        self.entities = history.module_entities.get(module, ())
        runs = history.runs_covering(self.entities)
        # Never the state before the first run: nothing had been measured then.
        later = runs[1:][-settings.stable_runs :]
        self.views = [history, *(history.before(run.run_id) for run in reversed(later))]
        self._results: dict[int, tuple[GateResult, ...]] = {}
        self._decisions: dict[int, _Decision] = {}

    def verdict(self) -> ModuleVerdict:
        now = self.decide(0)
        change = None
        if now.verdict == LIVE:
            change = self._change_since_cutover()
        elif len(self.views) > 1:
            before = self.decide(1).verdict
            change = "unchanged" if before == now.verdict else f"was {before}"
        return ModuleVerdict(
            module=self.module,
            verdict=now.verdict,
            reasons=en_of(now.reasons),
            reasons_zh=zh_of(now.reasons),
            gates=now.gates,
            clean_runs=clean_streak(self.history, self.entities)[0],
            stable_for=now.stable_for,
            blockers=module_blockers(self.history, self.module),
            change_since_previous=change,
            live_since=self.history.live_since(self.module),
        )

    def _change_since_cutover(self) -> str | None:
        # Runs after a cutover no longer concern the module, so compare with the history
        # before the latest run of all, not before the module's latest run.
        latest = self.history.latest_run
        if latest is None:
            return None
        earlier = self.history.before(latest.run_id)
        if earlier.live_since(self.module) is not None:
            return "unchanged"
        if not earlier.runs:
            return None
        judge = _ModuleJudge(self.settings, earlier, self.module, self.critical_fields)
        return f"was {judge.decide(0).verdict}"

    def results(self, index: int) -> tuple[GateResult, ...]:
        if index not in self._results:
            self._results[index] = evaluate_for_module(
                self.settings,
                self.views[index],
                self.module,
                self.critical_fields,
                with_trend=index == 0,
            )
        return self._results[index]

    def decide(self, index: int) -> _Decision:
        if index not in self._decisions:
            self._decisions[index] = self._decide(index)
        return self._decisions[index]

    def _decide(self, index: int) -> _Decision:
        view = self.views[index]
        live = view.live_since(self.module)
        if live is not None:
            reason = msg("verdict.live", module=self.module, since=live.isoformat())
            return _Decision(LIVE, (reason,), (), 0)
        gates = self.results(index)
        failing = [result for result in gates if not result.passed]
        if failing:
            return self._with_failures(view, gates, failing)
        needed = self.settings.stable_runs
        stable = self._stable_from(index, needed)
        if stable >= needed:
            reason = msg("verdict.go", runs=count(needed, "run"))
            return _Decision(GO, (reason,), gates, stable)
        reason = msg("verdict.not_yet_stable", stable=stable, runs=count(needed, "run"))
        return _Decision(CONDITIONAL, (reason,), gates, stable)

    def _with_failures(
        self, view: History, gates: tuple[GateResult, ...], failing: Sequence[GateResult]
    ) -> _Decision:
        blocking: list[Text] = []
        accepted: list[Text] = []
        for result in failing:
            reason = Text(result.reason, result.reason_zh)
            if result.hard:
                blocking.append(reason)
                continue
            risk = valid_risk(view, result.gate, self.module)
            if risk is not None:
                accepted.append(
                    msg(
                        "verdict.risk_accepted",
                        reason=reason,
                        owner=risk.owner,
                        due=risk.due.isoformat(),
                        note=risk.note,
                    )
                )
                continue
            expired = _expired_risk(view, result.gate, self.module)
            if expired is not None:
                due = expired.due.isoformat()
                blocking.append(msg("verdict.risk_expired", reason=reason, due=due))
            else:
                blocking.append(msg("verdict.no_risk", reason=reason))
        if blocking:
            return _Decision(NO_GO, tuple(blocking), gates, 0)
        return _Decision(CONDITIONAL, tuple(accepted), gates, 0)

    def _stable_from(self, index: int, needed: int) -> int:
        """How many states in a row, from ``views[index]`` back, pass every gate."""
        stable = 0
        for position in range(index, min(index + needed, len(self.views))):
            if self.views[position].live_since(self.module) is not None:
                break
            if not all(result.passed for result in self.results(position)):
                break
            stable += 1
        return stable


def _expired_risk(history: History, gate: str, module: str) -> AcceptedRisk | None:
    risks = [
        risk
        for risk in history.accepted_risks
        if risk.gate == gate and risk.module in (None, module) and risk.due < history.today
    ]
    return max(risks, key=lambda risk: risk.due, default=None)
