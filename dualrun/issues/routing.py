"""Who a new issue goes to: owner routing rules and matching owner names to people.

``person_for_name`` maps a name from a record's owner column (负责人) to a configured
login; ``route`` applies the config's ``[[issues.routing]]`` rules, first match wins,
falling back to the first lead. Pure: people and rules in, a login (or None) out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dualrun.issues.settings import PersonConfig, RoutingRule

RECORD_OWNER = "record_owner"  # a rule's `to` meaning: the person in the record's 负责人


def fold_name(text: str) -> str:
    """A person's name as compared: full-width folded (NFKC), trimmed, spaces collapsed,
    case-folded. "Ｚｈａｎｇ  Wei " and "zhang wei" fold to the same text."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def names_by_person(people: Mapping[str, PersonConfig]) -> dict[str, list[str]]:
    """Each login's folded spellings: its name and its aliases (blank ones dropped)."""
    return {
        login: [
            folded
            for folded in dict.fromkeys(fold_name(n) for n in (person.name or "", *person.aliases))
            if folded
        ]
        for login, person in people.items()
    }


def person_for_name(name: str | None, people: Mapping[str, PersonConfig]) -> str | None:
    """The login whose name or aliases match ``name``, else the login equal to it.

    Returns None for a blank name, no match, or a name two people share (the config
    check reports shared names; guessing would route issues to the wrong person).
    """
    if name is None:
        return None
    folded = fold_name(name)
    if not folded:
        return None
    by_name = [login for login, names in names_by_person(people).items() if folded in names]
    if by_name:
        return by_name[0] if len(by_name) == 1 else None
    by_login = [login for login in people if fold_name(login) == folded]
    return by_login[0] if len(by_login) == 1 else None


@dataclass(frozen=True)
class RoutingFacts:
    """What routing rules look at for one new issue."""

    kind: str
    category: str | None = None
    module: str | None = None
    entity: str | None = None
    field: str | None = None
    record_owner: str | None = None  # the name in the record's 负责人 column, as written


def route(
    facts: RoutingFacts, rules: Sequence[RoutingRule], people: Mapping[str, PersonConfig]
) -> str | None:
    """The owner's login for a new issue: the first rule that matches, else the first lead.

    A rule's unset keys match anything; its ``team`` is the team of the record owner's
    person. A rule sending to ``record_owner`` applies only when the owner name maps to a
    person. Returns None when nothing matches and no lead is configured (unowned).
    """
    owner_login = person_for_name(facts.record_owner, people)
    owner_team = people[owner_login].team if owner_login is not None else None
    for rule in rules:
        if not _rule_matches(rule, facts, owner_team):
            continue
        if rule.to != RECORD_OWNER:
            return rule.to
        if owner_login is not None:
            return owner_login
    return next((login for login, person in people.items() if person.role == "lead"), None)


def _rule_matches(rule: RoutingRule, facts: RoutingFacts, owner_team: str | None) -> bool:
    wanted_and_seen = (
        (rule.kind, facts.kind),
        (rule.category, facts.category),
        (rule.module, facts.module),
        (rule.entity, facts.entity),
        (rule.field, facts.field),
        (rule.team, owner_team),
    )
    return all(wanted is None or wanted == seen for wanted, seen in wanted_and_seen)
