"""Per-module and overall verdicts under the default gates, and the projected ready date.

The fixture project: module SFA (account) and module Service (case), one run a night at
02:00 from 2024-03-01 (night 1). A healthy night matches everything, finds nothing, reads
every source, and every owner has all records in the CRM. The consultant and the lead
signed off before night 1. ``today`` is the date of the latest run. Each test plants
one departure from this and says which.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dualrun.readiness import (
    DEFAULT_GATES,
    AcceptedRisk,
    EntityPoint,
    History,
    IssuePoint,
    OwnerPoint,
    Readiness,
    ReadinessConfig,
    RunPoint,
    Signoff,
    judge,
    projected_ready_date,
)

MODULES = {"SFA": ("account",), "Service": ("case",)}
CRITICAL = {"account": ("amount",), "case": ("owner",)}
SETTINGS = ReadinessConfig()  # the default gates, stable_runs = 3
BOTH_SIGNED = (
    Signoff(role="consultant", who="陈顾问", at=datetime(2024, 2, 29, 12)),
    Signoff(role="lead", who="李四", at=datetime(2024, 2, 29, 12)),
)
LEAD_ONLY = BOTH_SIGNED[1:]


def night(number: int, hour: int = 2) -> datetime:
    return datetime(2024, 2, 29, hour) + timedelta(days=number)


def point(entity: str, rate: float = 1.0, found: int = 0) -> EntityPoint:
    module = "SFA" if entity == "account" else "Service"
    return EntityPoint(
        entity=entity,
        module=module,
        match_rate=rate,
        field_accuracy={"amount": 1.0, "owner": 1.0},
        counts={"missing_in_crm": found},
        rows_manual=100,
        rows_crm=100,
        sources_ok=True,
    )


def run(number: int, *, account: float = 1.0, case: float = 1.0, status: str = "ok") -> RunPoint:
    """A night; a match rate below 100% comes with one missing_in_crm per lost percent."""
    if status == "failed":
        return RunPoint(
            run_id=number, started_at=night(number), status=status, entities=(), owners=()
        )
    points = (
        point("account", account, round((1 - account) * 100)),
        point("case", case, round((1 - case) * 100)),
    )
    owner_points = tuple(
        OwnerPoint(
            entity=p.entity, owner="张伟", team="华东销售", rows_manual=100, missing_in_crm=0
        )
        for p in points
    )
    return RunPoint(
        run_id=number, started_at=night(number), status=status, entities=points, owners=owner_points
    )


def issue(key: str, created: datetime, **changes: object) -> IssuePoint:
    values: dict[str, object] = {
        "key": key,
        "kind": "report",
        "severity": "S3",
        "blocks_cutover": False,
        "status": "triaged",
        "module": "SFA",
        "entity": "account",
        "owner": "zhangwei",
        "due_date": None,
        "workaround": None,
        "created_at": created,
        "resolved_at": None,
        "waiting_on_consultant": False,
    }
    values.update(changes)
    return IssuePoint(**values)  # type: ignore[arg-type]


def healthy(count: int) -> list[RunPoint]:
    return [run(number) for number in range(1, count + 1)]


def history(runs: list[RunPoint], **changes: object) -> History:
    values: dict[str, object] = {
        "runs": tuple(runs),
        "issues": (),
        "signoffs": BOTH_SIGNED,
        "modules": MODULES,
        "today": runs[-1].started_at.date(),
    }
    values.update(changes)
    return History(**values)  # type: ignore[arg-type]


def verdicts(readiness: Readiness) -> dict[str, str]:
    return {m.module: m.verdict for m in readiness.modules} | {"overall": readiness.overall}


def module(readiness: Readiness, name: str) -> dict[str, object]:
    found = next(m for m in readiness.modules if m.module == name)
    return {
        "verdict": found.verdict,
        "reasons": found.reasons,
        "stable_for": found.stable_for,
        "clean_runs": found.clean_runs,
        "change": found.change_since_previous,
    }


# --- GO and CONDITIONAL by stability -----------------------------------------------------


def test_every_gate_passing_for_the_last_three_runs_is_go() -> None:
    # Twelve healthy nights: ten clean runs were first reached at night 10.
    readiness = judge(SETTINGS, history(healthy(12)), CRITICAL)
    assert verdicts(readiness) == {"SFA": "GO", "Service": "GO", "overall": "GO"}
    assert module(readiness, "SFA") == {
        "verdict": "GO",
        "reasons": ("every gate has passed for the last 3 runs",),
        "stable_for": 3,
        "clean_runs": 12,
        "change": "was CONDITIONAL",  # before night 12 it had passed for 2 runs only
    }
    assert readiness.exit_code == 0
    assert readiness.to_dict()["verdict"] == "GO"


def test_every_gate_passing_but_only_for_two_of_three_runs_is_conditional() -> None:
    readiness = judge(SETTINGS, history(healthy(11)), CRITICAL)
    assert verdicts(readiness) == {
        "SFA": "CONDITIONAL",
        "Service": "CONDITIONAL",
        "overall": "CONDITIONAL",
    }
    assert module(readiness, "SFA") == {
        "verdict": "CONDITIONAL",
        "reasons": ("every gate passes, but only for the last 2 of the 3 runs needed",),
        "stable_for": 2,
        "clean_runs": 11,
        "change": "unchanged",  # after night 10 it had passed for 1 run only
    }
    assert readiness.exit_code == 1


def test_stable_runs_comes_from_the_config() -> None:
    settings = ReadinessConfig(stable_runs=1)
    assert judge(settings, history(healthy(10)), CRITICAL).overall == "GO"


# --- NO-GO, and soft gates with accepted risks -------------------------------------------


def test_a_failing_hard_gate_is_no_go_whatever_else_passes() -> None:
    # Night 12 loses 2% of the accounts; Service stays healthy.
    readiness = judge(SETTINGS, history([*healthy(11), run(12, account=0.98)]), CRITICAL)
    assert verdicts(readiness) == {"SFA": "NO-GO", "Service": "GO", "overall": "NO-GO"}
    assert module(readiness, "SFA") == {
        "verdict": "NO-GO",
        "reasons": (
            "account match rate 98.0% is below 99.5%",
            "SFA has had only 0 clean runs in a row; 10 are needed, and no risk is accepted for it",
        ),
        "stable_for": 0,
        "clean_runs": 0,
        "change": "was CONDITIONAL",
    }
    assert readiness.exit_code == 3


def test_an_accepted_risk_does_not_cover_a_hard_gate() -> None:
    risk = AcceptedRisk(gate="match_rate", owner="李四", due=date(2024, 4, 1), note="known")
    hist = history([*healthy(11), run(12, account=0.98)], accepted_risks=(risk,))
    assert verdicts(judge(SETTINGS, hist, CRITICAL))["SFA"] == "NO-GO"


def sfa_risk(due: date, gate: str = "signoff", module: str | None = "SFA") -> AcceptedRisk:
    return AcceptedRisk(
        gate=gate, module=module, owner="李四", due=due, note="the consultant signs after UAT"
    )


SIGNOFF_MISSING = "SFA still needs a sign-off by the consultant"


@pytest.mark.parametrize(
    ("risks", "verdict", "reason"),
    [
        pytest.param(
            (sfa_risk(date(2024, 3, 31)),),
            "CONDITIONAL",
            f"{SIGNOFF_MISSING}; risk accepted by 李四 until 2024-03-31: the consultant signs "
            "after UAT",
            id="with_an_accepted_risk_conditional",
        ),
        pytest.param(
            (sfa_risk(date(2024, 3, 12), module=None),),
            "CONDITIONAL",
            f"{SIGNOFF_MISSING}; risk accepted by 李四 until 2024-03-12: the consultant signs "
            "after UAT",
            id="risk_for_every_module_due_today_still_holds",
        ),
        pytest.param(
            (),
            "NO-GO",
            f"{SIGNOFF_MISSING}, and no risk is accepted for it",
            id="without_an_accepted_risk_no_go",
        ),
        pytest.param(
            (sfa_risk(date(2024, 3, 10)),),
            "NO-GO",
            f"{SIGNOFF_MISSING}; its accepted risk expired on 2024-03-10",
            id="with_an_expired_risk_no_go",
        ),
        pytest.param(
            (
                sfa_risk(date(2024, 3, 31), gate="adoption"),
                sfa_risk(date(2024, 3, 31), module="Service"),
            ),
            "NO-GO",
            f"{SIGNOFF_MISSING}, and no risk is accepted for it",
            id="risks_for_another_gate_or_module_do_not_count",
        ),
    ],
)
def test_a_failing_soft_gate_needs_a_valid_accepted_risk(
    risks: tuple[AcceptedRisk, ...], verdict: str, reason: str
) -> None:
    # Twelve healthy nights (today 2024-03-12), but only the lead has signed off.
    hist = history(healthy(12), signoffs=LEAD_ONLY, accepted_risks=risks)
    result = module(judge(SETTINGS, hist, CRITICAL), "SFA")
    assert (result["verdict"], result["reasons"]) == (verdict, (reason,))


def test_a_failed_run_breaks_the_clean_streak_and_the_verdict() -> None:
    readiness = judge(
        SETTINGS, history([*healthy(10), run(11, status="failed"), run(12)]), CRITICAL
    )
    sfa = module(readiness, "SFA")
    assert sfa["clean_runs"] == 1
    assert sfa["verdict"] == "NO-GO"
    assert sfa["reasons"] == (
        "SFA has had only 1 clean run in a row; 10 are needed, and no risk is accepted for it",
    )


def test_blockers_are_listed_with_the_verdict() -> None:
    blocker = issue("DR-4", night(12, 9), severity="S1", due_date=date(2024, 3, 13))
    readiness = judge(SETTINGS, history(healthy(12), issues=(blocker,)), CRITICAL)
    sfa = next(m for m in readiness.modules if m.module == "SFA")
    assert (sfa.verdict, sfa.blockers) == ("NO-GO", ("DR-4",))
    assert "SFA has 1 unresolved blocker: DR-4" in sfa.reasons


# --- phased cutover ----------------------------------------------------------------------


def test_a_cut_over_module_is_live_and_left_out_of_the_overall_verdict() -> None:
    # Service cut over on 2024-03-05; its case figures since then are of no concern.
    runs = [run(number, case=0.5) if number > 4 else run(number) for number in range(1, 13)]
    readiness = judge(SETTINGS, history(runs, cutovers={"Service": date(2024, 3, 5)}), CRITICAL)
    assert verdicts(readiness) == {"SFA": "GO", "Service": "LIVE", "overall": "GO"}
    service = next(m for m in readiness.modules if m.module == "Service")
    assert service.reasons == (
        "Service has been live since 2024-03-05; its spreadsheets are retired",
    )
    assert (service.gates, service.live_since) == ((), date(2024, 3, 5))


@pytest.mark.parametrize(
    ("cutover", "change"),
    [
        pytest.param(date(2024, 3, 13), "was GO", id="cut_over_today_was_go"),
        pytest.param(date(2024, 3, 5), "unchanged", id="cut_over_days_ago_unchanged"),
    ],
)
def test_a_live_module_reports_its_change_since_the_previous_run(
    cutover: date, change: str
) -> None:
    hist = history(healthy(13), cutovers={"Service": cutover})  # today: 2024-03-13
    service = next(m for m in judge(SETTINGS, hist, CRITICAL).modules if m.module == "Service")
    assert (service.verdict, service.change_since_previous) == ("LIVE", change)


def test_when_every_module_is_live_the_overall_verdict_is_go() -> None:
    cutovers = {"SFA": date(2024, 3, 2), "Service": date(2024, 3, 2)}
    readiness = judge(SETTINGS, history(healthy(3), cutovers=cutovers), CRITICAL)
    assert verdicts(readiness) == {"SFA": "LIVE", "Service": "LIVE", "overall": "GO"}


def test_the_verdict_json_carries_every_figure() -> None:
    readiness = judge(SETTINGS, history(healthy(12)), CRITICAL)
    data = readiness.to_dict()
    assert data["verdict"] == "GO" and data["generated_for"] == "2024-03-12"
    sfa = data["modules"][0]  # type: ignore[index]
    assert [gate["gate"] for gate in sfa["gates"]] == [g.id for g in DEFAULT_GATES]
    assert sfa["gates"][0]["trend"] == [1.0] * 12


# --- projected ready date -----------------------------------------------------------------


def rising(*rates: float, **changes: object) -> History:
    """Nights 1.. with these account match rates; Service is perfect throughout."""
    return history([run(n, account=rate) for n, rate in enumerate(rates, start=1)], **changes)


def backlog(*open_counts: int) -> tuple[IssuePoint, ...]:
    """Issues so that ``open_counts[i]`` are open after night i+1 (created before night 1,
    one closed each night the count drops)."""
    total = open_counts[0]
    issues = []
    closed = 0
    for number, count in enumerate(open_counts, start=1):
        while total - closed > count:
            issues.append(
                issue(f"DR-{closed}", night(0, 9), status="closed", resolved_at=night(number, 9))
            )
            closed += 1
    issues += [issue(f"DR-open-{n}", night(0, 9)) for n in range(open_counts[-1])]
    return tuple(issues)


@pytest.mark.parametrize(
    ("hist", "expected"),
    [
        pytest.param(
            rising(0.95, 0.955, 0.96, 0.965),
            (date(2024, 3, 10), True),
            id="match_rate_rising_half_a_point_a_day_reaches_99_5_on_day_nine",
        ),
        pytest.param(
            rising(0.95, 0.955, 0.96, 0.965, issues=backlog(20, 19, 18, 17)),
            (date(2024, 3, 21), True),
            id="the_later_of_match_rate_and_backlog",
        ),
        pytest.param(
            rising(0.98, 0.98, 0.98),
            (None, False),
            id="flat_match_rate_is_not_converging",
        ),
        pytest.param(
            rising(0.99, 0.98, 0.97),
            (None, False),
            id="falling_match_rate_is_not_converging",
        ),
        pytest.param(
            rising(1.0, 1.0, 1.0, issues=backlog(1, 1, 1)),
            (None, False),
            id="a_backlog_that_does_not_shrink_is_not_converging",
        ),
        pytest.param(
            rising(1.0, 1.0, 1.0),
            (date(2024, 3, 3), True),
            id="already_at_the_targets_is_ready_today",
        ),
        pytest.param(
            rising(0.95),
            (None, False),
            id="one_run_draws_no_line",
        ),
    ],
)
def test_projected_ready_date(hist: History, expected: tuple[date | None, bool]) -> None:
    assert projected_ready_date(hist, match_threshold=0.995) == expected


def test_the_projection_ignores_live_modules_and_reaches_the_verdict() -> None:
    hist = rising(0.95, 0.955, 0.96, 0.965, cutovers={"SFA": date(2024, 3, 1)})
    assert projected_ready_date(hist) == (date(2024, 3, 4), True)
    readiness = judge(SETTINGS, rising(0.95, 0.955, 0.96, 0.965), CRITICAL)
    assert (readiness.projected_ready, readiness.converging) == (date(2024, 3, 10), True)


# --- the reasons in Chinese ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("risks", "reason_zh"),
    [
        pytest.param(
            (sfa_risk(date(2024, 3, 31)),),
            "SFA 尚需顾问签字确认；李四 已接受该风险，有效期至 2024-03-31：the consultant signs "
            "after UAT",
            id="accepted",
        ),
        pytest.param((), "SFA 尚需顾问签字确认，且未接受该风险", id="none"),
        pytest.param(
            (sfa_risk(date(2024, 3, 10)),),
            "SFA 尚需顾问签字确认；其已接受的风险已于 2024-03-10 过期",
            id="expired",
        ),
    ],
)
def test_the_reasons_say_the_same_in_chinese(
    risks: tuple[AcceptedRisk, ...], reason_zh: str
) -> None:
    hist = history(healthy(12), signoffs=LEAD_ONLY, accepted_risks=risks)
    sfa = next(m for m in judge(SETTINGS, hist, CRITICAL).modules if m.module == "SFA")
    assert sfa.reasons_zh == (reason_zh,)
    assert sfa.to_dict()["reasons_zh"] == [reason_zh]


@pytest.mark.parametrize(
    ("runs", "cutovers", "reasons_zh"),
    [
        pytest.param(12, {}, ("最近 3 次运行中每个检查项都已通过",), id="go"),
        pytest.param(
            11,
            {},
            ("所有检查项均已通过，但仅在最近 2 次运行中持续通过，需要 3 次运行",),
            id="conditional",
        ),
        pytest.param(
            12,
            {"SFA": date(2024, 3, 5)},
            ("SFA 已于 2024-03-05 上线，其表格已停用",),
            id="live",
        ),
    ],
)
def test_go_conditional_and_live_in_chinese(
    runs: int, cutovers: dict[str, date], reasons_zh: tuple[str, ...]
) -> None:
    readiness = judge(SETTINGS, history(healthy(runs), cutovers=cutovers), CRITICAL)
    sfa = next(m for m in readiness.modules if m.module == "SFA")
    assert sfa.reasons_zh == reasons_zh
    assert len(sfa.reasons_zh) == len(sfa.reasons)


def test_no_go_reasons_in_chinese_follow_the_gates() -> None:
    readiness = judge(SETTINGS, history([*healthy(11), run(12, account=0.98)]), CRITICAL)
    sfa = next(m for m in readiness.modules if m.module == "SFA")
    assert sfa.reasons_zh == (
        "account 记录匹配率 98.0% 低于 99.5%",
        "SFA 已连续 0 次干净运行，需要 10 次，且未接受该风险",
    )
