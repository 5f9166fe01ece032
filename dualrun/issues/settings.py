"""The ``[people]`` and ``[issues]`` tables of ``dualrun.toml``: who is who, and the rules.

Pydantic models (frozen, unknown keys refused) check each value with a "did you mean"
suggestion; ``check_people_and_routing`` checks what spans both tables (routing targets,
teams, names two people share) and returns every problem as a line. This module must not
import ``dualrun.config``: that module embeds these models, so it imports this one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dualrun.issues.lifecycle import STATUSES
from dualrun.issues.model import CATEGORIES, KINDS, SEVERITIES, did_you_mean
from dualrun.issues.permissions import ACTIONS, ROLES
from dualrun.issues.routing import RECORD_OWNER, names_by_person

DEFAULT_DUE_DAYS: Mapping[str, int] = {"S1": 1, "S2": 3, "S3": 7, "S4": 14}
DEFAULT_SYSTEM_ACTOR = "dualrun-nightly"
DEFAULT_SYSTEM_PERMISSIONS = ("create", "update_evidence", "move", "comment")
_KEY_PREFIX = re.compile(r"[A-Za-z0-9]{1,10}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonConfig(_Model):
    """One ``[people.LOGIN]`` table; the table key is the login used with ``--as``."""

    name: str | None = None
    role: str = "user"
    team: str | None = None
    aliases: list[str] = Field(default_factory=list)  # other spellings in owner columns
    email: str | None = None

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"unknown role {value!r}{did_you_mean(value, ROLES)}")
        return value


class RoutingRule(_Model):
    """One ``[[issues.routing]]`` rule: unset keys match anything; first match wins."""

    kind: str | None = None
    category: str | None = None
    module: str | None = None
    entity: str | None = None
    field: str | None = None
    team: str | None = None  # the team of the record owner's person
    to: str = Field(min_length=1)  # a login, or "record_owner"

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in KINDS:
            raise ValueError(f"unknown kind {value!r}{did_you_mean(value, KINDS)}")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}{did_you_mean(value, CATEGORIES)}")
        return value


class IssuesConfig(_Model):
    """The ``[issues]`` table."""

    key_prefix: str = "DR"
    due_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))
    consultants_can_close: bool = False
    system_actor: str = Field(default=DEFAULT_SYSTEM_ACTOR, min_length=1)
    system_permissions: list[str] = Field(default_factory=lambda: list(DEFAULT_SYSTEM_PERMISSIONS))
    transitions: dict[str, list[str]] | None = None  # replaces the default table whole
    routing: list[RoutingRule] = Field(default_factory=list)

    @field_validator("key_prefix")
    @classmethod
    def _short_prefix(cls, value: str) -> str:
        if not _KEY_PREFIX.fullmatch(value):
            raise ValueError(f"{value!r} must be 1 to 10 ASCII letters or digits, like 'DR'")
        return value

    @field_validator("due_days")
    @classmethod
    def _days_per_severity(cls, value: dict[str, int]) -> dict[str, int]:
        for severity, days in value.items():
            if severity not in SEVERITIES:
                raise ValueError(
                    f"unknown severity {severity!r}{did_you_mean(severity, SEVERITIES)}"
                )
            if days < 0:
                raise ValueError(f"{severity} = {days}: the number of days cannot be negative")
        return value

    @field_validator("system_permissions")
    @classmethod
    def _known_actions(cls, value: list[str]) -> list[str]:
        for action in value:
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r}{did_you_mean(action, ACTIONS)}")
        return value

    @field_validator("transitions")
    @classmethod
    def _known_statuses(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if value is None:
            return None
        problems = []
        for status, targets in value.items():
            if status not in STATUSES:
                problems.append(f"{status!r}: unknown status{did_you_mean(status, STATUSES)}")
            for target in targets:
                if target not in STATUSES:
                    problems.append(
                        f"{status} → {target!r}: unknown status{did_you_mean(target, STATUSES)}"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return value


def check_people_and_routing(people: Mapping[str, PersonConfig], issues: IssuesConfig) -> list[str]:
    """Problems spanning ``[people]`` and ``[issues]``, one indented line each (none: [])."""
    problems: list[str] = []
    logins = list(people)
    if RECORD_OWNER in people:
        problems.append(
            f"  people.{RECORD_OWNER}: this login is reserved for routing rules; rename it"
        )
    if issues.system_actor in people:
        problems.append(
            f"  people.{issues.system_actor}: this is issues.system_actor, the nightly job's "
            "login; a person needs another login"
        )
    problems += _shared_names(people)
    teams = sorted({person.team for person in people.values() if person.team})
    for index, rule in enumerate(issues.routing):
        where = f"  issues.routing[{index}]"
        if rule.to != RECORD_OWNER and rule.to not in people:
            problems.append(
                f"{where}.to: unknown person {rule.to!r}"
                f"{did_you_mean(rule.to, [*logins, RECORD_OWNER])}"
            )
        if rule.team is not None and rule.team not in teams:
            problems.append(
                f"{where}.team: no person is in team {rule.team!r}{did_you_mean(rule.team, teams)}"
            )
    return problems


def _shared_names(people: Mapping[str, PersonConfig]) -> list[str]:
    """Names or aliases two people share: an owner column could not tell them apart."""
    owners: dict[str, list[str]] = {}
    for login, names in names_by_person(people).items():
        for folded in names:
            owners.setdefault(folded, []).append(login)
    return [
        f"  people: {', '.join(logins)} share the name {folded!r}; give each person names "
        "and aliases of their own, so an owner column maps to one person"
        for folded, logins in owners.items()
        if len(logins) > 1
    ]
