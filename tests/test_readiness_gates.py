"""Each readiness gate measured against a hand-built history: value, verdict and reason.

The fixture project: module SFA (account, contact) and module Service (case). Runs are
nightly at 02:00 from 2024-03-01 (night 1) on; a healthy entity has a 100% match rate,
100% accuracy on every field, no discrepancies, readable sources and no drift. Owners
张伟 (华东销售) and 王芳 (华南销售) keep 50 manual rows each per entity, all in the CRM.
Each test changes one of these facts and says which.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

import pytest

from dualrun.readiness import (
    GATE_KINDS,
    KIND_SCOPES,
    AcceptedRisk,
    EntityPoint,
    GateConfig,
    History,
    IssuePoint,
    OwnerPoint,
    ReadinessConfig,
    RunPoint,
    Signoff,
    clean_streak,
    evaluate,
    evaluate_all,
    evaluate_for_module,
    module_blockers,
)

MODULES = {"SFA": ("account", "contact"), "Service": ("case",)}
MODULE_OF = {entity: module for module, entities in MODULES.items() for entity in entities}
CRITICAL = {"account": ("amount", "owner"), "contact": ("owner",), "case": ("owner",)}
OWNERS = (("张伟", "华东销售"), ("王芳", "华南销售"))


def night(number: int, hour: int = 2) -> datetime:
    return datetime(2024, 2, 29, hour) + timedelta(days=number)


def point(entity: str, **changes: object) -> EntityPoint:
    values: dict[str, object] = {
        "entity": entity,
        "module": MODULE_OF[entity],
        "match_rate": 1.0,
        "field_accuracy": {"amount": 1.0, "owner": 1.0},
        "counts": {"field_mismatch": 0, "missing_in_crm": 0},
        "rows_manual": 100,
        "rows_crm": 100,
        "sources_ok": True,
    }
    values.update(changes)
    return EntityPoint(**values)  # type: ignore[arg-type]


def owners(entity: str, missing: Mapping[str, int] | None = None) -> tuple[OwnerPoint, ...]:
    return tuple(
        OwnerPoint(
            entity=entity,
            owner=name,
            team=team,
            rows_manual=50,
            missing_in_crm=(missing or {}).get(name, 0),
        )
        for name, team in OWNERS
    )


def run(
    number: int,
    *points: EntityPoint,
    status: str = "ok",
    amounts: Mapping[str, int] | None = None,
    owner_points: tuple[OwnerPoint, ...] | None = None,
) -> RunPoint:
    """Night ``number``; healthy points for every entity unless ``points`` are given."""
    if status == "failed":
        chosen: tuple[EntityPoint, ...] = points
    else:
        given = {p.entity: p for p in points}
        chosen = tuple(given.get(entity, point(entity)) for entity in MODULE_OF)
    if owner_points is None:
        owner_points = tuple(o for p in chosen for o in owners(p.entity))
    return RunPoint(
        run_id=number,
        started_at=night(number),
        status=status,
        entities=chosen,
        owners=owner_points,
        unexplained_amount_differences=dict(amounts or {}),
    )


def issue(key: str, **changes: object) -> IssuePoint:
    values: dict[str, object] = {
        "key": key,
        "kind": "report",
        "severity": "S3",
        "blocks_cutover": False,
        "status": "triaged",
        "module": "SFA",
        "entity": "account",
        "owner": "zhangwei",
        "due_date": date(2024, 3, 20),
        "workaround": "enter it in the spreadsheet too",
        "created_at": night(1, hour=10),
        "resolved_at": None,
        "waiting_on_consultant": False,
    }
    values.update(changes)
    return IssuePoint(**values)  # type: ignore[arg-type]


def history(*runs: RunPoint, **changes: object) -> History:
    values: dict[str, object] = {
        "runs": runs,
        "issues": (),
        "modules": MODULES,
        "today": runs[-1].started_at.date() if runs else date(2024, 3, 1),
    }
    values.update(changes)
    return History(**values)  # type: ignore[arg-type]


def nights(count: int) -> tuple[RunPoint, ...]:
    return tuple(run(number) for number in range(1, count + 1))


def gate(kind: str, **keys: object) -> GateConfig:
    return GateConfig.model_validate({"id": kind, "kind": kind, **keys})


def judged(kind: str, hist: History, keys: Mapping[str, object]) -> tuple[bool, str]:
    """The gate of ``kind`` (with ``keys`` set) judged for module SFA."""
    result = evaluate(gate(kind, **keys), hist, "SFA", CRITICAL)
    return result.passed, result.reason


# --- every kind: passing and failing, with the sentence a lead reads ----------------------

CASES = [
    pytest.param(
        "match_rate",
        history(*nights(2), run(3, point("account", match_rate=0.982))),
        {},
        (False, "account match rate 98.2% is below 99.5%"),
        id="match_rate_below_threshold_names_the_entity",
    ),
    pytest.param(
        "match_rate",
        history(run(1, point("account", match_rate=0.9996), point("contact", match_rate=0.997))),
        {},
        (True, "contact match rate 99.7% meets 99.5%, the lowest in SFA"),
        id="match_rate_passing_names_the_lowest_entity",
    ),
    pytest.param(
        "match_rate",
        history(run(1, point("account", match_rate=0.99496))),
        {},
        (False, "account match rate 99.496% is below 99.5%"),
        id="match_rate_just_below_shows_enough_decimals",
    ),
    pytest.param(
        "match_rate",
        history(run(1, status="failed")),
        {},
        (
            False,
            "the match rate of SFA cannot be measured yet: no successful run has compared its"
            " records",
        ),
        id="match_rate_without_an_ok_run_is_not_measurable",
    ),
    pytest.param(
        "match_rate",
        history(run(1, point("account", match_rate=0.99), point("contact", match_rate=0.98))),
        {"entities": ["account"], "threshold": 0.99},
        (True, "account match rate 99.0% meets 99%"),
        id="match_rate_narrowed_to_one_entity",
    ),
    pytest.param(
        "field_accuracy",
        history(run(1, point("account", field_accuracy={"amount": 0.97, "owner": 1.0}))),
        {},
        (False, "account amount accuracy 97.0% is below 99%"),
        id="field_accuracy_of_critical_fields_from_the_caller",
    ),
    pytest.param(
        "field_accuracy",
        history(run(1, point("account", field_accuracy={"amount": 0.97, "stage": 0.995}))),
        {"fields": ["stage"]},
        (True, "account stage accuracy 99.5% meets 99%"),
        id="field_accuracy_with_fields_of_its_own_ignores_the_others",
    ),
    pytest.param(
        "amount_differences",
        history(run(1, amounts={"account": 3})),
        {},
        (False, "SFA has 3 unexplained amount differences; none are allowed"),
        id="amount_differences_none_allowed",
    ),
    pytest.param(
        "amount_differences",
        history(run(1, amounts={"account": 3}), run(2)),
        {},
        (True, "SFA has no unexplained amount differences"),
        id="amount_differences_from_the_latest_run_only",
    ),
    pytest.param(
        "clean_runs",
        history(*nights(10)),
        {},
        (True, "SFA has had 10 clean runs in a row, 10 needed"),
        id="clean_runs_ten_in_a_row",
    ),
    pytest.param(
        "clean_runs",
        history(*nights(8), run(9, point("contact", counts={"missing_in_crm": 2})), run(10)),
        {},
        (False, "SFA has had only 1 clean run in a row; 10 are needed"),
        id="clean_runs_a_discrepancy_restarts_the_count",
    ),
    pytest.param(
        "clean_runs",
        history(*nights(8), run(9, point("case", counts={"missing_in_crm": 2})), run(10)),
        {},
        (True, "SFA has had 10 clean runs in a row, 10 needed"),
        id="clean_runs_another_modules_discrepancy_does_not_count",
    ),
    pytest.param(
        "blockers",
        history(
            run(1),
            issues=(
                issue("DR-1", severity="S1"),
                issue("DR-2", blocks_cutover=True),
                issue("DR-3", severity="S1", status="resolved", resolved_at=night(1, 12)),
                issue("DR-4", severity="S1", module="Service", entity="case"),
            ),
        ),
        {},
        (False, "SFA has 2 unresolved blockers: DR-1 and DR-2"),
        id="blockers_unresolved_s1_or_flagged_in_the_module",
    ),
    pytest.param(
        "blockers",
        history(run(1), issues=(issue("DR-9", severity="S1", module=None, entity=None),)),
        {},
        (False, "SFA has 1 unresolved blocker: DR-9"),
        id="blockers_an_issue_naming_no_module_blocks_every_module",
    ),
    pytest.param(
        "open_s2",
        history(run(1), issues=tuple(issue(f"DR-{n}", severity="S2") for n in range(6))),
        {},
        (False, "SFA has 6 unresolved S2 issues; at most 5 are allowed"),
        id="open_s2_too_many",
    ),
    pytest.param(
        "open_s2",
        history(run(1), issues=(issue("DR-1", severity="S2"),)),
        {},
        (
            True,
            "SFA has 1 unresolved S2 issue (at most 5), each with an owner, a due date and a "
            "workaround",
        ),
        id="open_s2_within_limit_and_complete",
    ),
    pytest.param(
        "trend",
        history(
            *nights(3),
            issues=(
                issue("DR-1", created_at=night(1, 9)),
                issue("DR-2", created_at=night(2, 9)),
                issue("DR-3", created_at=night(3, 9), status="resolved", resolved_at=night(3, 11)),
            ),
        ),
        {},
        (
            False,
            "more issues arrived in SFA than were closed over the last 3 runs: 3 arrived, 1 closed",
        ),
        id="trend_more_arrivals_than_closures",
    ),
    pytest.param(
        "trend",
        history(
            *nights(10),
            issues=(
                issue("DR-1", created_at=night(1, 9), status="closed", resolved_at=night(9, 9)),
                issue("DR-2", created_at=night(9, 10)),
            ),
        ),
        {"window": 2},
        (True, "1 issue in SFA was closed against 1 arrived over the last 2 runs"),
        id="trend_counts_only_the_window",
    ),
    pytest.param(
        "aging",
        history(
            run(1),
            run(4),
            issues=(
                issue("DR-1", severity="S1", created_at=night(1, 9)),
                issue("DR-2", severity="S2", created_at=night(1, 9)),
            ),
        ),
        {},
        (
            False,
            "1 unresolved issue in SFA is past the age limit; the furthest past is DR-1 (S1, "
            "3 days old, limit 2)",
        ),
        id="aging_s1_older_than_two_days",
    ),
    pytest.param(
        "aging",
        history(run(1), run(3), issues=(issue("DR-1", severity="S1", created_at=night(1, 9)),)),
        {},
        (True, "no unresolved issue in SFA is past its age limit (S1 2 days, S2 7 days)"),
        id="aging_s1_two_days_old_is_still_within",
    ),
    pytest.param(
        "feed_health",
        history(
            run(1),
            run(2, point("account", column_drift=("crm/Account.csv: column 'Phone' disappeared",))),
        ),
        {},
        (
            False,
            "the latest run for SFA, run 2 of 2024-03-02, had 1 feed problem: account: "
            "crm/Account.csv: column 'Phone' disappeared",
        ),
        id="feed_health_column_drift",
    ),
    pytest.param(
        "feed_health",
        history(run(1), run(2, status="failed")),
        {},
        (False, "the latest run for SFA, run 2 of 2024-03-02, failed"),
        id="feed_health_latest_run_failed",
    ),
    pytest.param(
        "feed_health",
        history(run(1, status="failed"), run(2)),
        {},
        (
            True,
            "every source of SFA was present and read in run 2 of 2024-03-02, with no column drift",
        ),
        id="feed_health_looks_at_the_latest_run_only",
    ),
    pytest.param(
        "signoff",
        history(run(1), signoffs=(Signoff(role="lead", who="李四", at=night(1, 15)),)),
        {},
        (False, "SFA still needs a sign-off by the consultant"),
        id="signoff_missing_a_role",
    ),
    pytest.param(
        "signoff",
        history(
            run(1),
            signoffs=(
                Signoff(role="lead", who="李四", at=night(1, 15)),
                Signoff(role="consultant", who="陈顾问", at=night(1, 16), module="SFA"),
                Signoff(role="consultant", who="赵顾问", at=night(1, 17), module="Service"),
            ),
        ),
        {},
        (True, "SFA is signed off by 陈顾问 (consultant) and 李四 (lead)"),
        id="signoff_by_both_roles_general_or_for_the_module",
    ),
]


@pytest.mark.parametrize(("kind", "hist", "keys", "expected"), CASES)
def test_each_gate_kind_passes_or_fails_with_a_business_sentence(
    kind: str, hist: History, keys: dict[str, object], expected: tuple[bool, str]
) -> None:
    assert judged(kind, hist, keys) == expected


@pytest.mark.parametrize(
    ("incomplete", "lacks"),
    [
        ({"owner": None}, "DR-2 lacks an owner"),
        ({"due_date": None}, "DR-2 lacks a due date"),
        ({"workaround": " "}, "DR-2 lacks a workaround"),
        ({"owner": "", "workaround": None}, "DR-2 lacks an owner and a workaround"),
    ],
)
def test_each_unresolved_s2_needs_an_owner_a_due_date_and_a_workaround(
    incomplete: dict[str, object], lacks: str
) -> None:
    hist = history(
        run(1), issues=(issue("DR-1", severity="S2"), issue("DR-2", severity="S2", **incomplete))
    )
    result = evaluate(gate("open_s2"), hist, "SFA", CRITICAL)
    assert (result.passed, result.value) == (False, 2)
    assert (
        result.reason == "1 unresolved S2 issue in SFA lacks an owner, a due date or a workaround"
    )
    assert result.detail == (lacks,)


# --- clean runs ---------------------------------------------------------------------------


def test_a_failed_run_breaks_the_clean_streak() -> None:
    hist = history(*nights(5), run(6, status="failed"), run(7), run(8))
    result = evaluate(gate("clean_runs", threshold=3), hist, "SFA", CRITICAL)
    assert (result.passed, result.value) == (False, 2)
    assert result.detail == ("the streak was broken by run 6 of 2024-03-06, which failed",)
    assert clean_streak(hist, MODULES["SFA"]) == (2, "run 6 of 2024-03-06, which failed")


def test_an_unreadable_source_is_not_a_clean_run() -> None:
    hist = history(run(1), run(2, point("contact", sources_ok=False)))
    assert clean_streak(hist, MODULES["SFA"]) == (
        0,
        "run 2 of 2024-03-02, which could not read every source of contact",
    )


# --- adoption -----------------------------------------------------------------------------


def adoption_history() -> History:
    """Night 2: 王芳 lacks 10 of 50 account rows in the CRM (80%); a third owner, 李雷 (no
    team), lacks 5 of 50 (90%). Night 1 was perfect."""
    low = (
        *owners("account", {"王芳": 10}),
        OwnerPoint(entity="account", owner="李雷", team=None, rows_manual=50, missing_in_crm=5),
        *owners("contact"),
        *owners("case"),
    )
    return history(run(1), run(2, owner_points=low))


def test_adoption_names_each_owner_below_the_threshold() -> None:
    result = evaluate(gate("adoption"), adoption_history(), "account", CRITICAL)
    assert (result.passed, result.value) == (False, 0.8)
    assert result.reason == (
        "2 owners in account have fewer than 95% of their records in the CRM: "
        "王芳 (80.0%) and 李雷 (90.0%)"
    )
    assert result.detail == (
        "王芳 (华南销售): 80.0%, 10 of 50 records missing in the CRM",
        "李雷: 90.0%, 5 of 50 records missing in the CRM",
    )
    assert result.trend == (1.0, 0.8)


def test_adoption_per_team_judges_each_team_and_the_owners_without_one() -> None:
    team_gate = gate("adoption", scope="team")
    hist = adoption_history()
    results = {
        r.scope_value: (r.passed, r.reason)
        for r in evaluate_all(ReadinessConfig(gates=[team_gate]), hist, CRITICAL)
    }
    assert results == {
        "华东销售": (
            True,
            "every owner in 华东销售 has at least 95% of their records in the CRM; the lowest "
            "is 张伟 at 100.0%",
        ),
        "华南销售": (
            False,
            "1 owner in 华南销售 has fewer than 95% of their records in the CRM: 王芳 (93.3%)",
        ),
        None: (
            False,
            "1 owner without a team has fewer than 95% of their records in the CRM: 李雷 (90.0%)",
        ),
    }


def test_adoption_is_judged_on_the_latest_ok_run() -> None:
    hist = history(*adoption_history().runs, run(3, status="failed"))
    assert evaluate(gate("adoption"), hist, "account", CRITICAL).value == 0.8


# --- scoping, live modules, trends --------------------------------------------------------


def test_a_live_module_is_not_judged_and_says_since_when() -> None:
    hist = history(run(1, point("case", match_rate=0.5)), cutovers={"Service": date(2024, 2, 28)})
    module = evaluate(gate("match_rate"), hist, "Service", CRITICAL)
    assert (module.passed, module.value) == (True, None)
    assert module.reason == "Service has been live since 2024-02-28; it is no longer judged"
    entity = evaluate(gate("match_rate", scope="entity"), hist, "case", CRITICAL)
    assert entity.reason == (
        "case has been live since 2024-02-28 with Service; it is no longer judged"
    )
    overall = evaluate(gate("match_rate", scope="overall"), hist, None, CRITICAL)
    assert overall.passed, "the live module's figures leave the overall judgement"


def test_a_cutover_planned_for_later_is_not_live_yet() -> None:
    hist = history(run(1, point("case", match_rate=0.5)), cutovers={"Service": date(2024, 4, 1)})
    assert not evaluate(gate("match_rate"), hist, "Service", CRITICAL).passed


def test_trend_holds_the_value_at_every_ok_run() -> None:
    hist = history(
        run(1, point("account", match_rate=0.9)),
        run(2, status="failed"),
        run(3, point("account", match_rate=0.95)),
        run(4, point("account", match_rate=0.999)),
    )
    assert evaluate(gate("match_rate"), hist, "SFA", CRITICAL).trend == (0.9, 0.95, 0.999)


def test_issue_gates_trend_sees_issues_as_they_stood_at_each_run() -> None:
    hist = history(
        *nights(3),
        issues=(
            issue(
                "DR-1",
                severity="S1",
                created_at=night(1, 9),
                status="resolved",
                resolved_at=night(2, 9),
            ),
            issue("DR-2", severity="S1", created_at=night(2, 10)),
        ),
    )
    result = evaluate(gate("blockers"), hist, "SFA", CRITICAL)
    # After night 1: DR-1 open. After night 2: DR-2 open, DR-1 resolved. Now: DR-2.
    assert result.trend == (1, 1, 1)
    assert result.detail == ("DR-2",)


def test_module_gates_include_each_entity_and_each_team_of_the_module_only() -> None:
    settings = ReadinessConfig(
        gates=[
            gate("match_rate", scope="entity"),
            gate("adoption", scope="team"),
            gate("blockers", scope="overall"),
            gate("match_rate", id="cases", entities=["case"]),
        ]
    )
    results = evaluate_for_module(settings, history(run(1)), "SFA", CRITICAL)
    assert [(r.gate, r.scope_value) for r in results] == [
        ("match_rate", "account"),
        ("match_rate", "contact"),
        ("adoption", "华东销售"),
        ("adoption", "华南销售"),
        ("blockers", None),
    ]


def test_module_blockers_are_listed_oldest_first() -> None:
    hist = history(
        run(1),
        issues=(
            issue("DR-7", severity="S1", created_at=night(1, 11)),
            issue("DR-3", blocks_cutover=True, module="SFA", entity=None, created_at=night(1, 9)),
            issue("DR-5", severity="S1", entity="case", module="Service"),
        ),
    )
    assert module_blockers(hist, "SFA") == ("DR-3", "DR-7")


def test_scorecard_has_a_result_per_gate_and_scope_value() -> None:
    results = evaluate_all(ReadinessConfig(), history(*nights(10)), CRITICAL)
    assert len(results) == 2 * 10 + 3  # ten module gates, adoption per entity (3)
    failing = {(r.gate, r.scope_value) for r in results if not r.passed}
    assert failing == {("signoff", "SFA"), ("signoff", "Service")}


# --- the history's views ------------------------------------------------------------------


def test_before_a_run_an_issue_resolved_later_is_still_open() -> None:
    late = issue("DR-1", status="closed", resolved_at=night(3, 9), created_at=night(1, 9))
    hist = history(*nights(3), issues=(late,))
    assert not hist.is_open(late)
    earlier = hist.before(3)
    assert earlier.is_open(late)
    assert [r.run_id for r in earlier.runs] == [1, 2]
    assert earlier.today == date(2024, 3, 3)
    assert hist.upto(2) == earlier and hist.upto(3) is hist


def test_issue_flow_counts_arrivals_closures_and_backlog_per_run_window() -> None:
    hist = history(
        *nights(3),
        issues=(
            issue("DR-1", created_at=night(1, 9), status="closed", resolved_at=night(2, 9)),
            issue("DR-2", created_at=night(2, 1)),  # before night 2's run: night 1's window
            issue("DR-3", created_at=night(3, 9)),
        ),
    )
    flows = [(f.run_id, f.arrivals, f.closures, f.open_at_end) for f in hist.issue_flow()]
    assert flows == [(1, 2, 0, 2), (2, 0, 1, 1), (3, 1, 0, 2)]


def test_runs_must_be_oldest_first() -> None:
    with pytest.raises(ValueError, match="oldest first"):
        history(run(2), run(1))


def test_accepted_risks_do_not_change_a_gate_result() -> None:
    risk = AcceptedRisk(gate="signoff", owner="lisi", due=date(2024, 4, 1), note="after go-live")
    hist = history(run(1), accepted_risks=(risk,))
    assert not evaluate(gate("signoff"), hist, "SFA", CRITICAL).passed


# --- every sentence in Chinese too ---------------------------------------------------------

REASONS_ZH = {
    "match_rate_below_threshold_names_the_entity": "account 记录匹配率 98.2% 低于 99.5%",
    "match_rate_passing_names_the_lowest_entity": (
        "contact 记录匹配率 99.7% 达到 99.5%，为 SFA 中最低"
    ),
    "match_rate_just_below_shows_enough_decimals": "account 记录匹配率 99.496% 低于 99.5%",
    "match_rate_without_an_ok_run_is_not_measurable": (
        "SFA 的记录匹配率暂无法衡量：尚无成功的运行比对过其记录"
    ),
    "match_rate_narrowed_to_one_entity": "account 记录匹配率 99.0% 达到 99%",
    "field_accuracy_of_critical_fields_from_the_caller": "account amount 字段准确率 97.0% 低于 99%",
    "field_accuracy_with_fields_of_its_own_ignores_the_others": (
        "account stage 字段准确率 99.5% 达到 99%"
    ),
    "amount_differences_none_allowed": "SFA 有 3 处无法解释的金额差异；不允许有任何差异",
    "amount_differences_from_the_latest_run_only": "SFA 没有无法解释的金额差异",
    "clean_runs_ten_in_a_row": "SFA 已连续 10 次干净运行，达到所需的 10 次",
    "clean_runs_a_discrepancy_restarts_the_count": "SFA 已连续 1 次干净运行，需要 10 次",
    "clean_runs_another_modules_discrepancy_does_not_count": (
        "SFA 已连续 10 次干净运行，达到所需的 10 次"
    ),
    "blockers_unresolved_s1_or_flagged_in_the_module": "SFA 有 2 个未解决的阻断问题：DR-1 和 DR-2",
    "blockers_an_issue_naming_no_module_blocks_every_module": "SFA 有 1 个未解决的阻断问题：DR-9",
    "open_s2_too_many": "SFA 有 6 个未解决的 S2 问题；最多允许 5 个",
    "open_s2_within_limit_and_complete": (
        "SFA 有 1 个未解决的 S2 问题（最多允许 5 个），且每个都有负责人、截止日期和临时解决方案"
    ),
    "trend_more_arrivals_than_closures": (
        "最近 3 次运行中，SFA 新增的问题多于关闭的问题：新增 3 个，关闭 1 个"
    ),
    "trend_counts_only_the_window": "最近 2 次运行中，SFA 关闭了 1 个问题，新增 1 个",
    "aging_s1_older_than_two_days": (
        "SFA 有 1 个未解决的问题超过时限；超出最多的是 DR-1（S1，已存在 3 天，时限 2 天）"
    ),
    "aging_s1_two_days_old_is_still_within": "SFA 没有超过时限的未解决问题（S1 2 天、S2 7 天）",
    "feed_health_column_drift": (
        "SFA 的最近一次运行（2024-03-02 的运行 2）有 1 个数据源问题：account：crm/Account.csv: "
        "column 'Phone' disappeared"
    ),
    "feed_health_latest_run_failed": "SFA 的最近一次运行（2024-03-02 的运行 2）失败",
    "feed_health_looks_at_the_latest_run_only": (
        "SFA 的全部数据源在 2024-03-02 的运行 2 中均已就绪并读取，且没有列漂移"
    ),
    "signoff_missing_a_role": "SFA 尚需顾问签字确认",
    "signoff_by_both_roles_general_or_for_the_module": (
        "SFA 已由陈顾问（顾问）和李四（负责人）签字确认"
    ),
}
ZH_CASES = [pytest.param(*case.values, REASONS_ZH[str(case.id)], id=case.id) for case in CASES]


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@pytest.mark.parametrize(("kind", "hist", "keys", "expected", "reason_zh"), ZH_CASES)
def test_each_gate_kind_says_the_same_in_chinese(
    kind: str,
    hist: History,
    keys: dict[str, object],
    expected: tuple[bool, str],
    reason_zh: str,
) -> None:
    result = evaluate(gate(kind, **keys), hist, "SFA", CRITICAL)
    assert (result.passed, result.reason) == expected
    assert result.reason_zh == reason_zh
    assert result.reason_zh != result.reason and is_chinese(result.reason_zh)
    assert len(result.detail_zh) == len(result.detail)


def test_every_kind_of_every_scope_has_a_chinese_reason_and_detail() -> None:
    # One history where every kind has something to say, judged for every scope value.
    hist = history(
        *adoption_history().runs,
        run(3, point("account", match_rate=0.9, column_drift=("crm/Account.csv: 'Phone'",))),
        issues=(
            issue("DR-1", severity="S1", created_at=night(1, 9)),
            issue("DR-2", severity="S2", owner=None, created_at=night(2, 9)),
        ),
        signoffs=(Signoff(role="lead", who="李四", at=night(1, 15), note="UAT 通过"),),
    )
    settings = ReadinessConfig(
        gates=[
            gate(kind, id=f"{kind}-{scope}", scope=scope)
            for kind in GATE_KINDS
            for scope in KIND_SCOPES[kind]
        ]
    )
    results = evaluate_all(settings, hist, CRITICAL)
    assert {r.kind for r in results} == {g.kind for g in settings.gates}
    for result in results:
        assert is_chinese(result.reason_zh) and result.reason_zh != result.reason, result
        assert len(result.detail_zh) == len(result.detail), result
        data = result.to_dict()
        assert (data["reason_zh"], data["detail_zh"]) == (
            result.reason_zh,
            list(result.detail_zh),
        )


def test_adoption_and_clean_streaks_in_chinese() -> None:
    result = evaluate(gate("adoption"), adoption_history(), "account", CRITICAL)
    assert result.reason_zh == (
        "account 中有 2 位负责人录入 CRM 的记录少于 95%：王芳（80.0%）和李雷（90.0%）"
    )
    assert result.detail_zh == (
        "王芳（华南销售）：80.0%，50 条记录中有 10 条未录入 CRM",
        "李雷：90.0%，50 条记录中有 5 条未录入 CRM",
    )
    hist = history(*nights(5), run(6, status="failed"), run(7), run(8))
    streak = evaluate(gate("clean_runs", threshold=3), hist, "SFA", CRITICAL)
    assert streak.detail_zh == ("连续干净运行中断于 2024-03-06 的运行 6（运行失败）",)


def test_a_live_module_says_since_when_in_chinese() -> None:
    hist = history(run(1), cutovers={"Service": date(2024, 2, 28)})
    module = evaluate(gate("match_rate"), hist, "Service", CRITICAL)
    assert module.reason_zh == "Service 已于 2024-02-28 上线，不再评估"
    entity = evaluate(gate("match_rate", scope="entity"), hist, "case", CRITICAL)
    assert entity.reason_zh == "case 已随 Service 于 2024-02-28 上线，不再评估"
