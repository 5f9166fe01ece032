"""The issue lifecycle: statuses, resolutions, allowed moves and what each move requires.

``Lifecycle.plan_move`` takes an issue's state, the wanted status and the fields given
with the move, and returns every field change the move implies, or raises
``TransitionError`` saying what is allowed and which option supplies a missing field.
``time_waiting_on_consultant`` splits an issue's elapsed time from its journal. Pure: no
database, clock or printing; callers pass the state, the history and "now".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from dualrun.errors import UsageError
from dualrun.issues.model import EDITABLE_FIELDS, SEVERITIES, IssueState, did_you_mean

if TYPE_CHECKING:
    from dualrun.issues.settings import IssuesConfig

STATUSES = (
    "new",
    "triaged",
    "in_progress",
    "needs_info",
    "escalated",
    "resolved",
    "closed",
    "accepted",
    "reopened",
)
STATUS_CATEGORIES = ("open", "active", "done")
STATUS_CATEGORY: Mapping[str, str] = MappingProxyType(
    {
        "new": "open",
        "reopened": "open",
        "triaged": "active",
        "in_progress": "active",
        "needs_info": "active",
        "escalated": "active",
        "resolved": "done",
        "closed": "done",
        "accepted": "done",
    }
)
UNRESOLVED_STATUSES = tuple(s for s in STATUSES if STATUS_CATEGORY[s] != "done")
DONE_STATUSES = tuple(s for s in STATUSES if STATUS_CATEGORY[s] == "done")
INITIAL_STATUS = "new"

STATUS_LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "new": "新建",
        "triaged": "已分派",
        "in_progress": "处理中",
        "needs_info": "待补充信息",
        "escalated": "已升级至顾问",
        "resolved": "已解决",
        "closed": "已关闭",
        "accepted": "已接受现状",
        "reopened": "重新打开",
    },
    "en": {
        "new": "new",
        "triaged": "triaged",
        "in_progress": "in progress",
        "needs_info": "needs info",
        "escalated": "escalated",
        "resolved": "resolved",
        "closed": "closed",
        "accepted": "accepted as is",
        "reopened": "reopened",
    },
}

# Resolutions people choose, and the ones only the tool itself sets (the nightly job,
# an undone import, a module's cutover).
PEOPLE_RESOLUTIONS = (
    "fixed",
    "data_corrected",
    "config_changed",
    "user_trained",
    "workaround",
    "duplicate",
    "not_a_problem",
    "wont_fix",
)
TOOL_RESOLUTIONS = ("no_longer_detected", "withdrawn", "cut_over")
RESOLUTIONS = PEOPLE_RESOLUTIONS + TOOL_RESOLUTIONS

RESOLUTION_LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "fixed": "已修复",
        "data_corrected": "数据已更正",
        "config_changed": "配置已修改",
        "user_trained": "已培训用户",
        "workaround": "采用变通办法",
        "duplicate": "重复问题",
        "not_a_problem": "不是问题",
        "wont_fix": "不予修复",
        "no_longer_detected": "不再检出",
        "withdrawn": "已撤回（导入已撤销）",
        "cut_over": "已切换上线",
    },
    "en": {
        "fixed": "fixed",
        "data_corrected": "data corrected",
        "config_changed": "config changed",
        "user_trained": "user trained",
        "workaround": "workaround",
        "duplicate": "duplicate",
        "not_a_problem": "not a problem",
        "wont_fix": "won't fix",
        "no_longer_detected": "no longer detected",
        "withdrawn": "withdrawn (import undone)",
        "cut_over": "cut over",
    },
}

DEFAULT_TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "new": (
            "triaged",
            "in_progress",
            "needs_info",
            "escalated",
            "resolved",
            "closed",
            "accepted",
        ),
        "triaged": ("in_progress", "needs_info", "escalated", "resolved", "accepted", "closed"),
        "in_progress": ("needs_info", "escalated", "resolved", "accepted", "triaged"),
        "needs_info": ("triaged", "in_progress", "resolved", "closed"),
        "escalated": ("in_progress", "resolved", "triaged", "accepted"),
        "resolved": ("closed", "reopened"),
        "closed": ("reopened",),
        "accepted": ("reopened", "closed"),
        "reopened": (
            "triaged",
            "in_progress",
            "needs_info",
            "escalated",
            "resolved",
            "accepted",
            "closed",
        ),
    }
)

# The fields an issue must have once it is in a status.
REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "triaged": ("owner", "severity"),
        "resolved": ("resolution",),
        "closed": ("resolution",),
        "escalated": ("escalated_to",),
        "accepted": ("accepted_by", "accepted_until"),
    }
)

# The command-line option that supplies each required field (named in error messages).
FIELD_OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "owner": "--owner LOGIN",
        "severity": "--severity " + "|".join(SEVERITIES),
        "resolution": "--resolution " + "|".join(PEOPLE_RESOLUTIONS),
        "escalated_to": "--consultant LOGIN",
        "accepted_by": "--accepted-by LOGIN",
        "accepted_until": "--until YYYY-MM-DD",
    }
)
_FIELD_NOUNS: Mapping[str, str] = {
    "owner": "an owner",
    "severity": "a severity",
    "resolution": "a resolution",
    "escalated_to": "the consultant it is escalated to",
    "accepted_by": "who accepted it",
    "accepted_until": "until when it is accepted",
}
# Fields that only make sense while an issue is done; leaving done for an unresolved
# status clears them (the journal keeps the old values).
_DONE_ONLY_FIELDS = ("resolution", "accepted_by", "accepted_until")


class TransitionError(UsageError):
    """A status move the lifecycle does not allow, or one missing a required field."""


def is_unresolved(status: str) -> bool:
    """True for the open and active statuses (anything not done)."""
    return STATUS_CATEGORY[status] != "done"


def is_blocker(state: IssueState) -> bool:
    """An unresolved issue that is S1 or flagged ``blocks_cutover`` blocks cutover."""
    return is_unresolved(state.status) and (state.severity == "S1" or state.blocks_cutover)


def time_waiting_on_consultant(
    history: Sequence[tuple[datetime, str]], until: datetime
) -> timedelta:
    """Total time spent in ``escalated``, from (when, new status) journal entries in order.

    Each entry's status lasts until the next entry, the last one until ``until``. The
    owner's time is the rest of the issue's age. Intervals running backwards (clock skew,
    ``until`` before an entry) count as zero.
    """
    waited = timedelta(0)
    for index, (started, status) in enumerate(history):
        if status != "escalated":
            continue
        ended = history[index + 1][0] if index + 1 < len(history) else until
        waited += max(ended - started, timedelta(0))
    return waited


@dataclass(frozen=True)
class Lifecycle:
    """The allowed status moves (the default table or the config's) and their rules."""

    transitions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_TRANSITIONS)

    @classmethod
    def from_settings(cls, settings: IssuesConfig) -> Lifecycle:
        """The config's ``issues.transitions`` table, else the default one."""
        if settings.transitions is None:
            return cls()
        table = {status: tuple(targets) for status, targets in settings.transitions.items()}
        return cls(transitions=MappingProxyType(table))

    def targets(self, status: str) -> tuple[str, ...]:
        """The statuses an issue in ``status`` may move to (none if the table omits it)."""
        return self.transitions.get(status, ())

    def can_move(self, current: str, wanted: str) -> bool:
        """True if the table allows the move (staying in ``current`` is always allowed)."""
        return current == wanted or wanted in self.targets(current)

    def missing_fields(self, state: IssueState) -> tuple[str, ...]:
        """The fields ``state.status`` requires that ``state`` lacks."""
        required = REQUIRED_FIELDS.get(state.status, ())
        return tuple(name for name in required if getattr(state, name) in (None, ""))

    def plan_move(
        self,
        state: IssueState,
        to: str,
        changes: Mapping[str, object] | None = None,
        *,
        by_tool: bool = False,
    ) -> dict[str, object]:
        """Every field change moving ``state`` to status ``to`` implies, status first.

        ``changes`` are the fields given with the move (owner, severity, resolution...);
        only those that differ from the current values are returned. Leaving a done status
        for an unresolved one clears the resolution and the acceptance. Moving to the
        status the issue already has changes only what ``changes`` changes (usually
        nothing: ``{}``). ``by_tool`` is True when dualrun itself moves the issue (nightly
        job, undone import, cutover); only then may the tool's resolutions be given.

        Raises TransitionError for an unknown status, a move the table does not allow,
        an unknown or reserved resolution, or a required field that is missing.
        Raises ValueError if ``changes`` names a field that is not editable (a bug).
        """
        given = dict(changes or {})
        self._check_given(state, to, given, by_tool)
        planned = {name: value for name, value in given.items() if getattr(state, name) != value}
        if to == state.status:
            if planned:
                self._check_required(state.with_changes(planned), to)
            return planned
        allowed = self.targets(state.status)
        if to not in allowed:
            raise TransitionError(_refused_move(state, to, allowed))
        if not is_unresolved(state.status) and is_unresolved(to):
            for name in _DONE_ONLY_FIELDS:
                if name not in given and getattr(state, name) is not None:
                    planned[name] = None
        move: dict[str, object] = {"status": to, **planned}
        self._check_required(state.with_changes(move), to)
        return move

    def _check_given(
        self, state: IssueState, to: str, given: Mapping[str, object], by_tool: bool
    ) -> None:
        if to not in STATUSES:
            raise TransitionError(f"{state.key}: unknown status {to!r}{did_you_mean(to, STATUSES)}")
        for name in given:
            if name == "status" or name not in EDITABLE_FIELDS:
                raise ValueError(f"{name!r} cannot be given with a move")
        severity = given.get("severity")
        if severity is not None and severity not in SEVERITIES:
            raise TransitionError(
                f"{state.key}: unknown severity {severity!r}"
                f"{did_you_mean(str(severity), SEVERITIES)}"
            )
        resolution = given.get("resolution")
        if resolution is None:
            return
        if resolution not in RESOLUTIONS:
            raise TransitionError(
                f"{state.key}: unknown resolution {resolution!r}"
                f"{did_you_mean(str(resolution), PEOPLE_RESOLUTIONS)}"
            )
        if resolution in TOOL_RESOLUTIONS and not by_tool:
            raise TransitionError(
                f"{state.key}: the resolution {resolution} is set only by dualrun itself; "
                f"give {FIELD_OPTIONS['resolution']}"
            )
        if is_unresolved(to):
            raise TransitionError(
                f"{state.key}: a resolution goes only with {_either(DONE_STATUSES)}, not {to}"
            )

    def _check_required(self, after: IssueState, to: str) -> None:
        missing = self.missing_fields(after)
        if missing:
            nouns = _both(tuple(_FIELD_NOUNS[name] for name in missing))
            options = " ".join(FIELD_OPTIONS[name] for name in missing)
            raise TransitionError(
                f"{after.key} cannot move to {to} without {nouns}: give {options}"
            )


def _refused_move(state: IssueState, to: str, allowed: tuple[str, ...]) -> str:
    if not allowed:
        return (
            f"{state.key} is {state.status}, and no move out of {state.status} is configured; "
            f"it cannot move to {to}"
        )
    return f"{state.key} is {state.status}; it can move to {_either(allowed)}, not {to}"


def _either(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _both(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
