"""The [people] and [issues] config tables: defaults, field checks and cross-checks."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from pydantic import ValidationError

from dualrun.issues import IssuesConfig, PersonConfig, check_people_and_routing

EXAMPLE = """
[people.zhangwei]
name = "张伟"
role = "user"
team = "华东销售"
aliases = ["Zhang Wei"]
email = "zhangwei@example.cn"

[people.lisi]
name = "李四"
role = "lead"

[people.chen]
name = "陈顾问"
role = "consultant"

[issues]
key_prefix = "DR"
due_days = { S1 = 1, S2 = 3, S3 = 7, S4 = 14 }
consultants_can_close = false
system_actor = "dualrun-nightly"
system_permissions = ["create", "update_evidence", "move", "comment"]

[[issues.routing]]
kind = "discrepancy"
category = "system_defect"
module = "SFA"
entity = "account"
field = "amount"
team = "华东销售"
to = "record_owner"

[[issues.routing]]
kind = "report"
to = "chen"
"""


def load(text: str) -> tuple[dict[str, PersonConfig], IssuesConfig]:
    raw = tomllib.loads(text)
    people = {login: PersonConfig.model_validate(p) for login, p in raw["people"].items()}
    return people, IssuesConfig.model_validate(raw.get("issues", {}))


def problems_of(model: type[Any], data: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [
        ".".join(str(part) for part in error["loc"]) + ": " + error["msg"]
        for error in caught.value.errors()
    ]


def test_the_documented_example_is_valid_and_consistent() -> None:
    people, issues = load(EXAMPLE)
    assert people["zhangwei"].aliases == ["Zhang Wei"]
    assert issues.routing[0].to == "record_owner"
    assert issues.routing[0].field == "amount"
    assert check_people_and_routing(people, issues) == []


def test_defaults() -> None:
    issues = IssuesConfig()
    assert issues.key_prefix == "DR"
    assert issues.due_days == {"S1": 1, "S2": 3, "S3": 7, "S4": 14}
    assert issues.consultants_can_close is False
    assert issues.system_actor == "dualrun-nightly"
    assert issues.system_permissions == ["create", "update_evidence", "move", "comment"]
    assert issues.transitions is None
    assert issues.routing == []
    person = PersonConfig()
    assert person.role == "user" and person.name is None and person.aliases == []


def test_config_values_are_frozen() -> None:
    with pytest.raises(ValidationError):
        IssuesConfig().key_prefix = "X"


@pytest.mark.parametrize(
    ("model", "data", "problem"),
    [
        pytest.param(
            PersonConfig,
            {"role": "leed"},
            "role: Value error, unknown role 'leed'; did you mean 'lead'?",
            id="role_typo",
        ),
        pytest.param(
            PersonConfig,
            {"role": "admin"},
            "role: Value error, unknown role 'admin'; expected one of: lead, consultant, user",
            id="role_outside_the_three",
        ),
        pytest.param(
            PersonConfig, {"nmae": "张伟"}, "nmae: Extra inputs are not permitted", id="unknown_key"
        ),
        pytest.param(
            IssuesConfig,
            {"key_prefix": "DR-"},
            "key_prefix: Value error, 'DR-' must be 1 to 10 ASCII letters or digits, like 'DR'",
            id="prefix_with_a_dash",
        ),
        pytest.param(
            IssuesConfig,
            {"key_prefix": "PARALLELRUN"},
            "key_prefix: Value error, 'PARALLELRUN' must be 1 to 10",
            id="prefix_too_long",
        ),
        pytest.param(
            IssuesConfig,
            {"key_prefix": ""},
            "key_prefix: Value error, '' must be 1 to 10",
            id="empty_prefix",
        ),
        pytest.param(
            IssuesConfig,
            {"key_prefix": "问题"},
            "key_prefix: Value error, '问题' must be 1 to 10 ASCII letters",
            id="non_ascii_prefix",
        ),
        pytest.param(
            IssuesConfig,
            {"due_days": {"S5": 30}},
            "due_days: Value error, unknown severity 'S5'; expected one of: S1, S2, S3, S4",
            id="due_days_unknown_severity",
        ),
        pytest.param(
            IssuesConfig,
            {"due_days": {"S1": -1}},
            "due_days: Value error, S1 = -1: the number of days cannot be negative",
            id="due_days_negative",
        ),
        pytest.param(
            IssuesConfig,
            {"system_permissions": ["create", "resolve"]},
            "system_permissions: Value error, unknown action 'resolve'",
            id="unknown_system_permission",
        ),
        pytest.param(
            IssuesConfig,
            {"transitions": {"new": ["triaged", "in_progres"]}},
            "transitions: Value error, new → 'in_progres': unknown status; did you mean "
            "'in_progress'?",
            id="unknown_target_status",
        ),
        pytest.param(
            IssuesConfig,
            {"transitions": {"opened": ["triaged"]}},
            "transitions: Value error, 'opened': unknown status; did you mean 'reopened'?",
            id="unknown_source_status",
        ),
        pytest.param(
            IssuesConfig,
            {"routing": [{"kind": "discrepency", "to": "lisi"}]},
            "routing.0.kind: Value error, unknown kind 'discrepency'; did you mean 'discrepancy'?",
            id="routing_kind_typo",
        ),
        pytest.param(
            IssuesConfig,
            {"routing": [{"category": "system_bug", "to": "lisi"}]},
            "routing.0.category: Value error, unknown category 'system_bug'; did you mean "
            "'system_defect'?",
            id="routing_category_typo",
        ),
        pytest.param(
            IssuesConfig,
            {"routing": [{"module": "SFA"}]},
            "routing.0.to: Field required",
            id="routing_rule_without_to",
        ),
        pytest.param(
            IssuesConfig,
            {"routing": [{"module": "SFA", "to": "lisi", "owner": "x"}]},
            "routing.0.owner: Extra inputs are not permitted",
            id="routing_unknown_key",
        ),
    ],
)
def test_invalid_values_are_refused_with_a_suggestion(
    model: type[Any], data: dict[str, object], problem: str
) -> None:
    problems = problems_of(model, data)
    assert any(p.startswith(problem) for p in problems), problems


def test_every_bad_value_is_reported_at_once() -> None:
    problems = problems_of(
        IssuesConfig,
        {"key_prefix": "D R", "due_days": {"S9": 1}, "system_permissions": ["fly"]},
    )
    assert [p.split(":")[0] for p in problems] == ["key_prefix", "due_days", "system_permissions"]


def test_a_transitions_table_lists_every_unknown_status() -> None:
    (problem,) = problems_of(IssuesConfig, {"transitions": {"nw": ["triagd"]}})
    assert problem == (
        "transitions: Value error, 'nw': unknown status; did you mean 'new'?; "
        "nw → 'triagd': unknown status; did you mean 'triaged'?"
    )


@pytest.mark.parametrize(
    ("extra_toml", "problem"),
    [
        pytest.param(
            '[[issues.routing]]\nmodule = "SFA"\nto = "zhangwie"\n',
            "  issues.routing[2].to: unknown person 'zhangwie'; did you mean 'zhangwei'?",
            id="routing_to_an_unknown_person",
        ),
        pytest.param(
            '[[issues.routing]]\nteam = "华东"\nto = "record_owner"\n',
            "  issues.routing[2].team: no person is in team '华东'; did you mean '华东销售'?",
            id="routing_team_nobody_is_in",
        ),
        pytest.param(
            '[people.wangwu]\nname = "王五"\naliases = ["zhang wei"]\n',
            "  people: zhangwei, wangwu share the name 'zhang wei'; give each person names and "
            "aliases of their own, so an owner column maps to one person",
            id="an_alias_two_people_share",
        ),
        pytest.param(
            '[people.record_owner]\nname = "某人"\n',
            "  people.record_owner: this login is reserved for routing rules; rename it",
            id="the_reserved_login",
        ),
        pytest.param(
            '[people.dualrun-nightly]\nname = "夜间任务"\n',
            "  people.dualrun-nightly: this is issues.system_actor, the nightly job's login; "
            "a person needs another login",
            id="a_person_with_the_system_actors_login",
        ),
    ],
)
def test_cross_checks_name_the_problem(extra_toml: str, problem: str) -> None:
    people, issues = load(EXAMPLE + "\n" + extra_toml)
    assert check_people_and_routing(people, issues) == [problem]


def test_cross_checks_list_every_problem() -> None:
    people, issues = load(
        EXAMPLE
        + '[[issues.routing]]\nto = "nobody"\n'
        + '[[issues.routing]]\nteam = "华南"\nto = "ghost"\n'
    )
    problems = check_people_and_routing(people, issues)
    assert [p.split(":")[0].strip() for p in problems] == [
        "issues.routing[2].to",
        "issues.routing[3].to",
        "issues.routing[3].team",
    ]


def test_a_routing_team_is_refused_when_nobody_has_a_team() -> None:
    issues = IssuesConfig.model_validate({"routing": [{"team": "华东销售", "to": "a"}]})
    problems = check_people_and_routing({"a": PersonConfig(role="lead")}, issues)
    assert problems == ["  issues.routing[0].team: no person is in team '华东销售'"]
