"""Who may do what: roles from the config, owners, reporters, consultants, the system actor.

The people below: two leads (lisi, wangfang), a consultant (chen), two users (zhangwei,
who reported DR-7, and wangwu, who owns it). DR-7 is escalated to chen.
"""

from __future__ import annotations

from collections.abc import Collection

import pytest

from dualrun.errors import PermissionDenied
from dualrun.issues import (
    ACTIONS,
    Actor,
    IssuesConfig,
    IssueState,
    PersonConfig,
    actions_needed,
    actor_for,
    check,
)

PEOPLE = {
    "lisi": PersonConfig(name="李四", role="lead", team="项目组"),
    "zhangwei": PersonConfig(name="张伟", role="user", team="华东销售"),
    "wangfang": PersonConfig(name="王芳", role="lead"),
    "chen": PersonConfig(name="陈顾问", role="consultant"),
    "wangwu": PersonConfig(name="王五", role="user", team="华东销售"),
}
SETTINGS = IssuesConfig()
LENIENT = IssuesConfig(consultants_can_close=True)
DR7 = IssueState(
    key="DR-7",
    kind="report",
    title="报价单无法保存",
    reporter="zhangwei",
    owner="wangwu",
    status="escalated",
    severity="S2",
    escalated_to="chen",
)
UNOWNED = IssueState(key="DR-8", kind="discrepancy", title="金额不一致")


def actor(login: str) -> Actor:
    return actor_for(login, PEOPLE, SETTINGS.system_actor)


# --- who is acting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        pytest.param("lisi", Actor("lisi", "李四", "lead", "项目组"), id="configured_lead"),
        pytest.param("chen", Actor("chen", "陈顾问", "consultant"), id="configured_consultant"),
        pytest.param("zhaoliu", Actor("zhaoliu", "zhaoliu", "user"), id="unknown_login_is_a_user"),
        pytest.param(
            "dualrun-nightly",
            Actor("dualrun-nightly", "dualrun-nightly", "system"),
            id="the_system_actor",
        ),
    ],
)
def test_actor_for_login(login: str, expected: Actor) -> None:
    assert actor(login) == expected


def test_a_person_without_a_name_is_shown_by_login() -> None:
    assert actor_for("x", {"x": PersonConfig(role="lead")}, "bot").name == "x"


# --- the rules, as a table ---------------------------------------------------------------

ALLOWED = [
    # anyone
    ("zhaoliu", "create", None, {}),
    ("zhaoliu", "comment", DR7, {}),
    ("zhaoliu", "watch", DR7, {}),
    ("zhaoliu", "link", DR7, {}),
    # leads may do everything people do
    *[
        ("lisi", action, DR7, {})
        for action in ACTIONS
        if action not in ("update_evidence", "create")
    ],
    ("lisi", "assign", DR7, {"assignee": "zhangwei"}),
    # the owner
    ("wangwu", "edit", DR7, {"fields": ["workaround", "description"]}),
    ("wangwu", "move", DR7, {"to": "resolved"}),
    ("wangwu", "escalate", DR7, {}),
    # the reporter, for the title and description of their own report
    ("zhangwei", "edit", DR7, {"fields": ["title", "description"]}),
    # the consultant it is escalated to
    ("chen", "move", DR7, {"to": "resolved"}),
    ("chen", "move", DR7, {"to": "in_progress"}),
    # anyone may take an unowned issue
    ("zhangwei", "assign", UNOWNED, {"assignee": "zhangwei"}),
    # the nightly job, as configured by default
    ("dualrun-nightly", "create", None, {}),
    ("dualrun-nightly", "update_evidence", DR7, {}),
    ("dualrun-nightly", "move", DR7, {"to": "resolved"}),
    ("dualrun-nightly", "move", DR7, {"to": "reopened"}),
    ("dualrun-nightly", "comment", DR7, {}),
]


@pytest.mark.parametrize(
    ("login", "action", "state", "extra"),
    ALLOWED,
    ids=[f"{login}_may_{action}_{i}" for i, (login, action, _, _) in enumerate(ALLOWED)],
)
def test_allowed(
    login: str, action: str, state: IssueState | None, extra: dict[str, object]
) -> None:
    check(actor(login), action, state, SETTINGS, PEOPLE, **extra)  # type: ignore[arg-type]


LEADS = "leads (lisi, wangfang)"


@pytest.mark.parametrize(
    ("login", "action", "state", "extra", "message"),
    [
        pytest.param(
            "zhangwei",
            "close",
            DR7,
            {},
            f"zhangwei (user) may not close DR-7: only {LEADS} may close issues",
            id="a_user_may_not_close",
        ),
        pytest.param(
            "wangwu",
            "move",
            DR7,
            {"to": "closed"},
            f"wangwu (user) may not close DR-7: only {LEADS} may close issues",
            id="moving_to_closed_is_closing_even_for_the_owner",
        ),
        pytest.param(
            "wangwu",
            "move",
            DR7,
            {"to": "accepted"},
            f"wangwu (user) may not accept DR-7 as it is: only {LEADS} may accept issues as "
            "they are",
            id="moving_to_accepted_is_accepting",
        ),
        pytest.param(
            "chen",
            "close",
            DR7,
            {},
            f"chen (consultant) may not close DR-7: only {LEADS} may close issues",
            id="a_consultant_may_not_close_by_default",
        ),
        pytest.param(
            "zhangwei",
            "move",
            DR7,
            {"to": "in_progress"},
            f"zhangwei (user) may not move DR-7 to in_progress: only its owner (wangwu), {LEADS}"
            " and the person it is escalated to (chen) may move it",
            id="the_reporter_may_not_move",
        ),
        pytest.param(
            "zhangwei",
            "move",
            UNOWNED,
            {"to": "triaged"},
            f"zhangwei (user) may not move DR-8 to triaged: only {LEADS} may move it",
            id="an_unowned_issue_is_moved_by_leads",
        ),
        pytest.param(
            "zhangwei",
            "edit",
            DR7,
            {"fields": ["title", "workaround"]},
            f"zhangwei (user) may not edit DR-7: only its owner (wangwu) and {LEADS} may edit "
            "it; its reporter (zhangwei) may edit only its title and description",
            id="the_reporter_may_edit_only_title_and_description",
        ),
        pytest.param(
            "zhangwei",
            "edit",
            UNOWNED,
            {"fields": ["title"]},
            f"zhangwei (user) may not edit DR-8: only {LEADS} may edit it",
            id="a_stranger_may_not_edit",
        ),
        pytest.param(
            "wangwu",
            "edit",
            DR7,
            {"fields": ["severity", "workaround"]},
            f"wangwu (user) may not change the severity of DR-7: only {LEADS} may change an "
            "issue's severity",
            id="editing_severity_is_changing_severity",
        ),
        pytest.param(
            "wangwu",
            "edit",
            DR7,
            {"fields": ["owner"]},
            f"wangwu (user) may not assign DR-7: only {LEADS} may assign issues to others",
            id="editing_the_owner_is_assigning",
        ),
        pytest.param(
            "wangwu",
            "edit",
            DR7,
            {"fields": ["blocks_cutover"]},
            f"wangwu (user) may not set blocks_cutover on DR-7: only {LEADS} may set "
            "blocks_cutover",
            id="only_leads_flag_blockers",
        ),
        pytest.param(
            "wangwu",
            "assign",
            DR7,
            {"assignee": "zhangwei"},
            f"wangwu (user) may not assign DR-7 to zhangwei: only {LEADS} may assign issues to "
            "others or reassign them; anyone may take an issue with no owner",
            id="the_owner_may_not_hand_over",
        ),
        pytest.param(
            "zhangwei",
            "assign",
            DR7,
            {"assignee": "zhangwei"},
            "zhangwei (user) may not assign DR-7 to zhangwei",
            id="nobody_takes_an_issue_someone_owns",
        ),
        pytest.param(
            "chen",
            "escalate",
            DR7,
            {},
            f"chen (consultant) may not escalate DR-7: only its owner (wangwu) and {LEADS} "
            "may escalate it",
            id="consultants_do_not_escalate",
        ),
        pytest.param(
            "lisi",
            "update_evidence",
            DR7,
            {},
            "lisi (lead) may not update the evidence of DR-7: only the system actor "
            "(dualrun-nightly) updates evidence",
            id="evidence_comes_only_from_the_nightly_job",
        ),
        pytest.param(
            "dualrun-nightly",
            "close",
            DR7,
            {},
            "dualrun-nightly (system) may not close DR-7: the system actor may only create, "
            "update_evidence, move, comment; add close to issues.system_permissions for it",
            id="the_system_actor_only_what_is_configured",
        ),
        pytest.param(
            "dualrun-nightly",
            "move",
            DR7,
            {"to": "closed"},
            "dualrun-nightly (system) may not close DR-7",
            id="the_system_moving_to_closed_needs_close",
        ),
        pytest.param(
            "dualrun-nightly",
            "edit",
            DR7,
            {"fields": ["description"]},
            "dualrun-nightly (system) may not edit DR-7",
            id="the_system_does_not_edit_by_default",
        ),
    ],
)
def test_refused_with_who_may(
    login: str,
    action: str,
    state: IssueState,
    extra: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(PermissionDenied) as caught:
        check(actor(login), action, state, SETTINGS, PEOPLE, **extra)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("action", ["close", "accept"])
def test_consultants_may_close_and_accept_when_the_config_allows(action: str) -> None:
    check(actor("chen"), action, DR7, LENIENT, PEOPLE)


def test_when_consultants_may_close_the_refusal_names_them() -> None:
    with pytest.raises(PermissionDenied) as caught:
        check(actor("zhangwei"), "close", DR7, LENIENT, PEOPLE)
    assert str(caught.value) == (
        "zhangwei (user) may not close DR-7: only leads (lisi, wangfang) and consultants (chen) "
        "may close issues"
    )


def test_consultants_never_change_severity_even_when_they_may_close() -> None:
    with pytest.raises(PermissionDenied):
        check(actor("chen"), "change_severity", DR7, LENIENT, PEOPLE)


def test_without_leads_the_message_says_none_are_configured() -> None:
    with pytest.raises(PermissionDenied, match=r"only leads \(none configured\) may close"):
        check(actor_for("a", {}, "bot"), "close", DR7, SETTINGS, {})


def test_the_system_actor_may_be_given_more() -> None:
    settings = IssuesConfig(system_permissions=["move", "close"])
    system = actor_for(settings.system_actor, PEOPLE, settings.system_actor)
    check(system, "move", DR7, settings, PEOPLE, to="closed")
    with pytest.raises(PermissionDenied, match="may only move, close; add create"):
        check(system, "create", None, settings, PEOPLE)


@pytest.mark.parametrize(
    ("action", "fields", "to", "needed"),
    [
        ("edit", ["title"], None, ("edit",)),
        ("edit", ["severity", "owner"], None, ("edit", "assign", "change_severity")),
        ("edit", ["accepted_by", "accepted_until"], None, ("edit", "accept")),
        ("move", [], "resolved", ("move",)),
        ("move", [], "closed", ("move", "close")),
        ("move", [], "escalated", ("move", "escalate")),
        ("comment", ["severity"], "closed", ("comment",)),
    ],
)
def test_fields_and_target_status_make_an_action_stricter(
    action: str, fields: Collection[str], to: str | None, needed: tuple[str, ...]
) -> None:
    assert actions_needed(action, fields=fields, to=to) == needed


def test_an_action_on_an_issue_needs_its_state() -> None:
    with pytest.raises(ValueError, match="needs the issue's state"):
        check(actor("lisi"), "close", None, SETTINGS, PEOPLE)


def test_an_unknown_action_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        check(actor("lisi"), "delete", DR7, SETTINGS, PEOPLE)
