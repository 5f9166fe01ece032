"""The readiness judgement's input: runs, issues, sign-offs and accepted risks as plain values.

The store adapter builds a ``History`` from the database and the config; the gates, the
verdict and the projection read it and nothing else. ``today`` is part of the value, and
``before``/``upto`` give the history as it stood at an earlier run, so a verdict can be
recomputed for earlier nights. Pure: this module reads no database, file or clock.

Every datetime in one ``History`` must be alike (all naive or all timezone-aware), as
the store writes them. Every done issue should carry ``resolved_at``: it places the
closure in a run window and tells an earlier view of the history that it was still open.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from dualrun.issues.lifecycle import is_unresolved

RUN_OK = "ok"
RUN_FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class EntityPoint:
    """One entity in one run: its match rate, field accuracy and discrepancy counts."""

    entity: str
    module: str
    match_rate: float | None
    field_accuracy: Mapping[str, float | None]  # field → accuracy (None: nothing compared)
    counts: Mapping[str, int]  # discrepancy kind → count
    rows_manual: int
    rows_crm: int
    sources_ok: bool  # every source present and parsed
    column_drift: tuple[str, ...] = ()  # "crm/Account.csv: column 'Phone' disappeared"

    @property
    def discrepancies(self) -> int:
        """All discrepancies of this entity in this run, of every kind."""
        return sum(self.counts.values())


@dataclass(frozen=True, kw_only=True)
class OwnerPoint:
    """One owner (负责人) of one entity in one run: their manual rows and how many the CRM lacks."""

    entity: str
    owner: str
    team: str | None
    rows_manual: int
    missing_in_crm: int

    @property
    def adoption(self) -> float | None:
        """Share of the owner's manual records present in the CRM (None: no manual rows)."""
        if self.rows_manual <= 0:
            return None
        return (self.rows_manual - self.missing_in_crm) / self.rows_manual


@dataclass(frozen=True, kw_only=True)
class RunPoint:
    """One reconciliation run; a failed run usually carries no entity points."""

    run_id: int
    started_at: datetime
    status: str  # RUN_OK | RUN_FAILED
    entities: tuple[EntityPoint, ...]
    owners: tuple[OwnerPoint, ...]
    # entity → field_mismatch count on amount-type fields
    unexplained_amount_differences: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == RUN_OK

    def point(self, entity: str) -> EntityPoint | None:
        """This run's figures for ``entity``, if the run compared it."""
        return next((point for point in self.entities if point.entity == entity), None)

    def covers(self, entities: Collection[str]) -> bool:
        """True if the run concerns any of ``entities``.

        A run concerns the entities it has points for; a failed run that recorded no
        entity at all concerns every entity (it was meant to compare them all).
        """
        if not self.entities:
            return not self.ok
        return any(point.entity in entities for point in self.entities)


@dataclass(frozen=True, kw_only=True)
class IssuePoint:
    """One tracked issue as readiness sees it (status and severity as they are now)."""

    key: str
    kind: str
    severity: str | None
    blocks_cutover: bool
    status: str
    module: str | None
    entity: str | None
    owner: str | None
    due_date: date | None
    workaround: str | None
    created_at: datetime
    resolved_at: datetime | None
    waiting_on_consultant: bool


@dataclass(frozen=True, kw_only=True)
class Signoff:
    """A recorded sign-off: a role's holder says the module (None: everything) may cut over."""

    role: str
    who: str
    at: datetime
    module: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class AcceptedRisk:
    """A lead's acceptance that a soft gate may fail until ``due`` (module None: every module)."""

    gate: str
    owner: str
    due: date
    note: str
    module: str | None = None


@dataclass(frozen=True)
class IssueFlow:
    """Issues in one run window: the window runs from this run's start to the next run's."""

    run_id: int
    arrivals: int  # created in the window
    closures: int  # resolved in the window
    open_at_end: int  # unresolved when the window ended (the latest window: now)


@dataclass(frozen=True, kw_only=True)
class History:
    """Everything the readiness judgement reads, as of ``today``.

    ``as_of`` is None for the history as it is now; ``before`` and ``upto`` set it to
    the moment an earlier view ends (the start of the run it stops before).
    """

    runs: tuple[RunPoint, ...]  # oldest first, failed runs included
    issues: tuple[IssuePoint, ...]
    signoffs: tuple[Signoff, ...] = ()
    accepted_risks: tuple[AcceptedRisk, ...] = ()
    cutovers: Mapping[str, date] = field(default_factory=dict)  # module → date it went live
    modules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # module → entities
    today: date
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        starts = [run.started_at for run in self.runs]
        if starts != sorted(starts):
            raise ValueError("History.runs must be ordered oldest first")
        if len({run.run_id for run in self.runs}) != len(self.runs):
            raise ValueError("History.runs holds the same run_id twice")

    # --- runs ---------------------------------------------------------------------------

    @cached_property
    def ok_runs(self) -> tuple[RunPoint, ...]:
        return tuple(run for run in self.runs if run.ok)

    @property
    def latest_run(self) -> RunPoint | None:
        return self.runs[-1] if self.runs else None

    @property
    def latest_ok_run(self) -> RunPoint | None:
        return self.ok_runs[-1] if self.ok_runs else None

    def runs_covering(self, entities: Collection[str]) -> tuple[RunPoint, ...]:
        """The runs that concern any of ``entities`` (see ``RunPoint.covers``), oldest first."""
        return tuple(run for run in self.runs if run.covers(entities))

    def latest_points(self, entities: Collection[str]) -> tuple[tuple[RunPoint, EntityPoint], ...]:
        """Each of ``entities`` with its figures from the latest ok run that compared it."""
        found: dict[str, tuple[RunPoint, EntityPoint]] = {}
        for run in reversed(self.ok_runs):
            for point in run.entities:
                if point.entity in entities and point.entity not in found:
                    found[point.entity] = (run, point)
            if len(found) == len(entities):
                break
        return tuple(found[entity] for entity in entities if entity in found)

    # --- modules and entities -----------------------------------------------------------

    @cached_property
    def module_entities(self) -> Mapping[str, tuple[str, ...]]:
        """Module → entities: the config's table, plus what the runs reported beyond it."""
        table = {module: list(entities) for module, entities in self.modules.items()}
        known = {entity for entities in self.modules.values() for entity in entities}
        for run in self.runs:
            for point in run.entities:
                if point.entity not in known:
                    table.setdefault(point.module, []).append(point.entity)
                    known.add(point.entity)
        for module in self.cutovers:
            table.setdefault(module, [])
        return {module: tuple(entities) for module, entities in table.items()}

    @cached_property
    def _module_by_entity(self) -> Mapping[str, str]:
        return {
            entity: module
            for module, entities in self.module_entities.items()
            for entity in entities
        }

    def module_of(self, entity: str) -> str | None:
        return self._module_by_entity.get(entity)

    def live_since(self, module: str) -> date | None:
        """The date the module stopped its spreadsheets, if it has by now.

        Now: a cutover dated ``today`` or earlier. In an earlier view (``as_of`` set): one
        dated before the day of ``as_of``, since a cutover is recorded by day and a view
        ends at a run's start, before that day's work.
        """
        cutover = self.cutovers.get(module)
        if cutover is None:
            return None
        if self.as_of is not None:
            return cutover if cutover < self.as_of.date() else None
        return cutover if cutover <= self.today else None

    @cached_property
    def entities_in_parallel_run(self) -> tuple[str, ...]:
        """Every entity whose module is not live yet."""
        return tuple(
            entity
            for module, entities in self.module_entities.items()
            if self.live_since(module) is None
            for entity in entities
        )

    # --- issues -------------------------------------------------------------------------

    def is_open(self, issue: IssuePoint) -> bool:
        """True if the issue was unresolved at the end of this view of the history."""
        resolved = issue.resolved_at
        if self.as_of is not None and resolved is not None and resolved >= self.as_of:
            return True  # resolved later than this view reaches
        return is_unresolved(issue.status)

    def window_index(self, moment: datetime) -> int:
        """The run window ``moment`` falls in: the last run started at or before it.

        Moments before the first run fall in the first window.
        """
        return max(bisect_right(self._starts, moment) - 1, 0)

    @cached_property
    def _starts(self) -> tuple[datetime, ...]:
        return tuple(run.started_at for run in self.runs)

    def issue_flow(
        self, concerns: Callable[[IssuePoint], bool] | None = None
    ) -> tuple[IssueFlow, ...]:
        """Arrivals, closures and open backlog per run window, oldest first.

        An issue arrives in the window in which it was created and closes in the window
        its ``resolved_at`` falls in; ``concerns`` picks the issues counted (default: all).
        """
        count = len(self.runs)
        if count == 0:
            return ()
        arrivals = [0] * count
        closures = [0] * count
        opened = [0] * (count + 1)  # difference array of the backlog at each window's end
        for issue in self.issues:
            if concerns is not None and not concerns(issue):
                continue
            created = self.window_index(issue.created_at)
            arrivals[created] += 1
            resolved = issue.resolved_at
            closed_in = None
            if resolved is not None and (self.as_of is None or resolved < self.as_of):
                closed_in = max(self.window_index(resolved), created)
                closures[closed_in] += 1
            # Open now: open since it arrived (a reopened issue's closed spell is unknown).
            end = created if closed_in is None else closed_in
            if self.is_open(issue):
                end = count
            opened[created] += 1
            opened[end] -= 1
        flows = []
        backlog = 0
        for position, run in enumerate(self.runs):
            backlog += opened[position]
            flows.append(IssueFlow(run.run_id, arrivals[position], closures[position], backlog))
        return tuple(flows)

    # --- views --------------------------------------------------------------------------

    def before(self, run_id: int) -> History:
        """The history as it stood when run ``run_id`` started (that run and later dropped).

        Issues and sign-offs created from that moment on are dropped; issues resolved from
        then on count as open; ``today`` becomes that run's date.

        Raises ValueError if no run has that id.
        """
        position = self._position(run_id)
        as_of = self.runs[position].started_at
        return dataclasses.replace(
            self,
            runs=self.runs[:position],
            issues=tuple(issue for issue in self.issues if issue.created_at < as_of),
            signoffs=tuple(signoff for signoff in self.signoffs if signoff.at < as_of),
            today=min(self.today, as_of.date()),
            as_of=as_of,
        )

    def upto(self, run_id: int) -> History:
        """The history as it stood just before the run after ``run_id`` (the latest: itself).

        Raises ValueError if no run has that id.
        """
        position = self._position(run_id)
        if position + 1 == len(self.runs):
            return self
        return self.before(self.runs[position + 1].run_id)

    def restricted_to(self, entities: Collection[str]) -> History:
        """The same history with runs, their figures and the module table cut to ``entities``.

        Runs that do not concern ``entities`` are dropped, so the run windows differ from
        the full history's: use it for run figures (adoption per team within a module).
        """
        runs = tuple(
            dataclasses.replace(
                run,
                entities=tuple(point for point in run.entities if point.entity in entities),
                owners=tuple(owner for owner in run.owners if owner.entity in entities),
                unexplained_amount_differences={
                    entity: count
                    for entity, count in run.unexplained_amount_differences.items()
                    if entity in entities
                },
            )
            for run in self.runs
            if run.covers(entities)
        )
        modules = {
            module: tuple(entity for entity in module_entities if entity in entities)
            for module, module_entities in self.module_entities.items()
        }
        return dataclasses.replace(self, runs=runs, modules=modules)

    def _position(self, run_id: int) -> int:
        for position, run in enumerate(self.runs):
            if run.run_id == run_id:
                return position
        raise ValueError(f"no run {run_id} in this history")
