"""Owner routing: owner-column names to people, and the first matching rule wins.

The people: lead lisi (listed first, the fallback), lead wangfang, zhangwei and wangwu
in team 华东销售, liuyang in 华北销售, consultant chen. 张伟 is also written "Zhang Wei".
"""

from __future__ import annotations

import pytest

from dualrun.issues import PersonConfig, RoutingFacts, RoutingRule, person_for_name, route

PEOPLE = {
    "lisi": PersonConfig(name="李四", role="lead"),
    "zhangwei": PersonConfig(
        name="张伟", team="华东销售", aliases=["Zhang Wei", "张 伟"], email="zw@example.cn"
    ),
    "wangfang": PersonConfig(name="王芳", role="lead"),
    "wangwu": PersonConfig(name="王五", team="华东销售"),
    "liuyang": PersonConfig(name="刘洋", team="华北销售"),
    "chen": PersonConfig(name="陈顾问", role="consultant"),
}


@pytest.mark.parametrize(
    ("name", "login"),
    [
        pytest.param("张伟", "zhangwei", id="the_name"),
        pytest.param("  张伟 ", "zhangwei", id="trimmed"),
        pytest.param("Zhang Wei", "zhangwei", id="an_alias"),
        pytest.param("zhang   wei", "zhangwei", id="alias_case_and_spaces_folded"),
        pytest.param("Ｚｈａｎｇ　Ｗｅｉ", "zhangwei", id="full_width_alias"),
        pytest.param("张\u3000伟", "zhangwei", id="ideographic_space_alias"),
        pytest.param("ZhangWei", "zhangwei", id="the_login_itself"),
        pytest.param("王伟", None, id="an_unknown_name"),
        pytest.param("", None, id="blank"),
        pytest.param("  ", None, id="spaces_only"),
        pytest.param(None, None, id="no_owner_column"),
    ],
)
def test_person_for_name(name: str | None, login: str | None) -> None:
    assert person_for_name(name, PEOPLE) == login


def test_a_name_two_people_share_maps_to_nobody() -> None:
    people = {"a": PersonConfig(name="张伟"), "b": PersonConfig(name="李雷", aliases=["张伟"])}
    assert person_for_name("张伟", people) is None


def test_a_name_wins_over_a_login_spelled_the_same() -> None:
    people = {"lei": PersonConfig(name="韩梅"), "hanmei": PersonConfig(name="Lei")}
    assert person_for_name("lei", people) == "hanmei"


RULES = [
    RoutingRule(kind="report", category="system_defect", to="chen"),
    RoutingRule(kind="discrepancy", entity="account", field="amount", team="华东销售", to="wangwu"),
    RoutingRule(kind="discrepancy", module="SFA", to="record_owner"),
    RoutingRule(kind="report", category="question", to="wangfang"),
]


@pytest.mark.parametrize(
    ("facts", "owner"),
    [
        pytest.param(
            RoutingFacts(kind="report", category="system_defect"),
            "chen",
            id="system_defects_go_to_the_consultant",
        ),
        pytest.param(
            RoutingFacts(
                kind="discrepancy",
                module="SFA",
                entity="account",
                field="amount",
                record_owner="张伟",
            ),
            "wangwu",
            id="team_rule_before_record_owner_rule",
        ),
        pytest.param(
            RoutingFacts(
                kind="discrepancy",
                module="SFA",
                entity="account",
                field="amount",
                record_owner="刘洋",
            ),
            "liuyang",
            id="another_team_falls_through_to_the_record_owner",
        ),
        pytest.param(
            RoutingFacts(kind="discrepancy", module="SFA", entity="contact", record_owner="张伟"),
            "zhangwei",
            id="record_owner_mapped_to_a_person",
        ),
        pytest.param(
            RoutingFacts(kind="discrepancy", module="SFA", entity="contact", record_owner="王伟"),
            "lisi",
            id="unknown_record_owner_skips_the_rule_then_the_first_lead",
        ),
        pytest.param(
            RoutingFacts(kind="discrepancy", module="SFA", entity="account", field="amount"),
            "lisi",
            id="team_rule_needs_a_known_record_owner",
        ),
        pytest.param(
            RoutingFacts(kind="report", category="question"),
            "wangfang",
            id="a_later_rule_matches",
        ),
        pytest.param(
            RoutingFacts(kind="discrepancy", module="Service", entity="case"),
            "lisi",
            id="no_rule_the_first_lead",
        ),
    ],
)
def test_route_first_matching_rule_wins(facts: RoutingFacts, owner: str) -> None:
    assert route(facts, RULES, PEOPLE) == owner


def test_a_rule_with_no_keys_matches_everything() -> None:
    facts = RoutingFacts(kind="report", category="question")
    assert route(facts, [RoutingRule(to="wangwu"), *RULES], PEOPLE) == "wangwu"


def test_without_rules_or_leads_the_issue_stays_unowned() -> None:
    people = {"zhangwei": PersonConfig(name="张伟")}
    assert route(RoutingFacts(kind="report"), [], people) is None


def test_the_fallback_lead_is_the_first_in_config_order() -> None:
    people = {"b": PersonConfig(role="lead"), "a": PersonConfig(role="lead")}
    assert route(RoutingFacts(kind="report"), [], people) == "b"
