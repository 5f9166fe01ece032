"""Who may do what to an issue: the acting person, their role, and the permission rules.

``actor_for`` turns a login (from ``--as``, ``DUALRUN_USER`` or the OS) into an ``Actor``
using the config's people; ``check`` raises ``PermissionDenied`` with a message naming
who may do the action instead. Pure: it decides from the values it is given and never
reads the environment, the store or the clock.

Rules: anyone may create, comment, watch and link. Owners and leads edit (a report's
reporter may edit its title and description), move and escalate. Consultants may move
issues escalated to them. Only leads assign issues to others (anyone may take an unowned
issue), close, accept, change severity and set ``blocks_cutover``; consultants may also
close and accept when ``issues.consultants_can_close`` is true. The system actor may do
exactly what ``issues.system_permissions`` lists, and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from dualrun.errors import PermissionDenied

if TYPE_CHECKING:
    from dualrun.issues.model import IssueState
    from dualrun.issues.settings import IssuesConfig, PersonConfig

ROLES = ("lead", "consultant", "user")
SYSTEM_ROLE = "system"
DEFAULT_ROLE = "user"

ACTIONS = (
    "create",
    "comment",
    "watch",
    "edit",
    "move",
    "assign",
    "close",
    "accept",
    "change_severity",
    "escalate",
    "link",
    "set_blocks_cutover",
    "update_evidence",
)
ANYONE_ACTIONS = frozenset({"create", "comment", "watch", "link"})
REPORTER_EDITABLE_FIELDS = frozenset({"title", "description"})

# Editing these fields, or moving to these statuses, is also the stricter action named.
FIELD_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        "status": "move",
        "owner": "assign",
        "severity": "change_severity",
        "blocks_cutover": "set_blocks_cutover",
        "escalated_to": "escalate",
        "accepted_by": "accept",
        "accepted_until": "accept",
    }
)
TARGET_ACTIONS: Mapping[str, str] = MappingProxyType(
    {"closed": "close", "accepted": "accept", "escalated": "escalate"}
)


@dataclass(frozen=True)
class Actor:
    """The person (or the system job) doing something, as recorded on every change."""

    login: str
    name: str
    role: str
    team: str | None = None

    @property
    def label(self) -> str:
        return f"{self.login} ({self.role})"


def actor_for(login: str, people: Mapping[str, PersonConfig], system_actor: str) -> Actor:
    """The actor for ``login``: the system actor, a configured person, or a plain user."""
    if login == system_actor:
        return Actor(login=login, name=login, role=SYSTEM_ROLE)
    person = people.get(login)
    if person is None:
        return Actor(login=login, name=login, role=DEFAULT_ROLE)
    return Actor(login=login, name=person.name or login, role=person.role, team=person.team)


def actions_needed(
    action: str, *, fields: Collection[str] = (), to: str | None = None
) -> tuple[str, ...]:
    """``action`` plus the stricter actions its fields or target status amount to.

    Editing the owner is assigning, moving to closed is closing, and so on.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    needed = [action]
    if action == "edit":
        needed += [FIELD_ACTIONS[name] for name in sorted(fields) if name in FIELD_ACTIONS]
    if action == "move" and to is not None and to in TARGET_ACTIONS:
        needed.append(TARGET_ACTIONS[to])
    return tuple(dict.fromkeys(needed))


def check(
    actor: Actor,
    action: str,
    state: IssueState | None,
    settings: IssuesConfig,
    people: Mapping[str, PersonConfig],
    *,
    fields: Collection[str] = (),
    to: str | None = None,
    assignee: str | None = None,
) -> None:
    """Allow ``action`` or raise PermissionDenied naming who may do it.

    ``state`` is None only for ``create``. ``fields`` are the fields an ``edit`` changes,
    ``to`` the status a ``move`` goes to, ``assignee`` the new owner of an ``assign``;
    each can make the action stricter (see ``actions_needed``).
    Raises ValueError for an unknown action or a missing state (bugs, not user errors).
    """
    for needed in actions_needed(action, fields=fields, to=to):
        if state is None and needed != "create":
            raise ValueError(f"{needed!r} needs the issue's state")
        if actor.role == SYSTEM_ROLE:
            refusal = _system_refusal(needed, settings)
        else:
            refusal = _person_refusal(actor, needed, state, settings, people, fields, assignee)
        if refusal is not None:
            what = _describe(needed, state, to=to, assignee=assignee)
            raise PermissionDenied(f"{actor.label} may not {what}: {refusal}")


def _system_refusal(action: str, settings: IssuesConfig) -> str | None:
    allowed = settings.system_permissions
    if action in allowed:
        return None
    may = ", ".join(allowed) if allowed else "nothing"
    return f"the system actor may only {may}; add {action} to issues.system_permissions for it"


def _person_refusal(
    actor: Actor,
    action: str,
    state: IssueState | None,
    settings: IssuesConfig,
    people: Mapping[str, PersonConfig],
    fields: Collection[str],
    assignee: str | None,
) -> str | None:
    """None when a person may do ``action``, else who may (the end of the message)."""
    if action in ANYONE_ACTIONS:
        return None
    if action == "update_evidence":
        return f"only the system actor ({settings.system_actor}) updates evidence"
    if actor.role == "lead":
        return None
    assert state is not None  # check() guarantees it for every action but create
    leads = _group("leads", _logins(people, "lead"))
    is_owner = state.owner is not None and state.owner == actor.login
    owner = f"its owner ({state.owner})" if state.owner else None
    if action == "edit":
        reporter_may = (
            state.kind == "report"
            and state.reporter == actor.login
            and bool(fields)
            and set(fields) <= REPORTER_EDITABLE_FIELDS
        )
        if is_owner or reporter_may:
            return None
        who = f"only {_both([g for g in (owner, leads) if g is not None])} may edit it"
        if state.kind == "report" and state.reporter:
            who += f"; its reporter ({state.reporter}) may edit only its title and description"
        return who
    if action == "move":
        if is_owner or (state.escalated_to is not None and state.escalated_to == actor.login):
            return None
        escalated = f"the person it is escalated to ({state.escalated_to})"
        groups = [owner, leads, escalated if state.escalated_to else None]
        return f"only {_both([g for g in groups if g is not None])} may move it"
    if action == "escalate":
        if is_owner:
            return None
        return f"only {_both([g for g in (owner, leads) if g is not None])} may escalate it"
    if action == "assign":
        if assignee == actor.login and state.owner is None:
            return None
        return (
            f"only {leads} may assign issues to others or reassign them; "
            "anyone may take an issue with no owner"
        )
    if action in ("close", "accept"):
        if settings.consultants_can_close and actor.role == "consultant":
            return None
        closers = [leads]
        if settings.consultants_can_close:
            closers.append(_group("consultants", _logins(people, "consultant")))
        return f"only {_both(closers)} may {_VERB_PLURAL[action]}"
    return f"only {leads} may {_VERB_PLURAL[action]}"


_VERB_PLURAL: Mapping[str, str] = {
    "close": "close issues",
    "accept": "accept issues as they are",
    "change_severity": "change an issue's severity",
    "set_blocks_cutover": "set blocks_cutover",
}


def _describe(
    action: str, state: IssueState | None, *, to: str | None, assignee: str | None
) -> str:
    """What was refused, in words: "close DR-7", "change the severity of DR-7"..."""
    if state is None:
        return "create issues"
    key = state.key
    phrases = {
        "create": "create issues",
        "comment": f"comment on {key}",
        "watch": f"watch {key}",
        "link": f"link {key}",
        "edit": f"edit {key}",
        "move": f"move {key}" + (f" to {to}" if to else ""),
        "assign": f"assign {key}" + (f" to {assignee}" if assignee else ""),
        "close": f"close {key}",
        "accept": f"accept {key} as it is",
        "change_severity": f"change the severity of {key}",
        "escalate": f"escalate {key}",
        "set_blocks_cutover": f"set blocks_cutover on {key}",
        "update_evidence": f"update the evidence of {key}",
    }
    return phrases[action]


def _logins(people: Mapping[str, PersonConfig], role: str) -> list[str]:
    return [login for login, person in people.items() if person.role == role]


def _group(title: str, logins: Sequence[str]) -> str:
    return f"{title} ({', '.join(logins) if logins else 'none configured'})"


def _both(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
