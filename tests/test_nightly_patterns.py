"""Systemic patterns and per-record grouping, on hand-made findings (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dualrun.nightly.model import Finding
from dualrun.nightly.patterns import find_groups
from dualrun.nightly.plan import plan_sync
from dualrun.nightly.settings import NightlyConfig


def mismatch(
    n: int,
    field: str,
    manual: str,
    crm: str,
    kind: str = "field_mismatch",
    place: str | None = None,
) -> Finding:
    return Finding(
        fingerprint=f"{field}-{n}",
        entity="account",
        module="SFA",
        kind=kind,
        field=field,
        identity=f"k:C{n:03d}",
        key={"code": f"C{n:03d}"},
        owner="张伟",
        critical=False,
        manual_normalised=manual,
        crm_normalised=crm,
        manual_place=place,
        evidence={"values": {"manual": manual, "crm": crm}},
    )


@pytest.mark.parametrize(
    ("manual", "crm", "pattern"),
    [
        (lambda n: str(n + 1), lambda n: str((n + 1) * 10000), "ratio:10000"),
        (lambda n: f"1380013{n:04d}", lambda n: f"+861380013{n:04d}", "prefix:+86"),
        (lambda n: "张伟", lambda n: "Zhang Wei", "map:张伟→Zhang Wei"),
    ],
    ids=["amounts-in-wan-yuan", "phone-prefix", "one-name-spelled-otherwise"],
)
def test_a_pattern_shared_by_enough_records_is_one_group(manual, crm, pattern) -> None:  # type: ignore[no-untyped-def]
    findings = [mismatch(n, "f", manual(n), crm(n)) for n in range(10)]
    groups = find_groups(findings, minimum=10)
    assert [(g.pattern, len(g.members)) for g in groups] == [(pattern, 10)]
    assert find_groups(findings[:9], minimum=10) == []


def test_a_whole_sheet_missing_from_the_crm_is_one_group() -> None:
    findings = [
        mismatch(n, "", "", "", kind="missing_in_crm", place="台账.xlsx#王芳") for n in range(12)
    ]
    findings = [Finding(**{**f.__dict__, "field": None}) for f in findings]
    groups = find_groups(findings, minimum=10)
    assert [g.pattern for g in groups] == ["sheet:台账.xlsx#王芳"]
    assert "all missing in the CRM" in groups[0].describe()


def test_unrelated_differences_form_no_group() -> None:
    findings = [mismatch(n, "f", f"a{n}", f"b{n * 7}") for n in range(30)]
    assert find_groups(findings, minimum=10) == []


def test_record_grouping_opens_one_issue_per_record() -> None:
    findings = [
        mismatch(1, "phone", "1", "2"),
        mismatch(1, "email", "a", "b"),
        mismatch(2, "phone", "3", "4"),
    ]
    findings = [Finding(**{**f.__dict__, "identity": f"k:{f.fingerprint[-1]}"}) for f in findings]
    plan = plan_sync(
        findings,
        {},
        new_observation={"account": True},
        run_started_at=datetime(2026, 1, 1, tzinfo=UTC),
        today=date(2026, 1, 1),
        settings=NightlyConfig(group="record"),
    )
    assert len(plan.creates) == 2
    by_field = plan_sync(
        findings,
        {},
        new_observation={"account": True},
        run_started_at=datetime(2026, 1, 1, tzinfo=UTC),
        today=date(2026, 1, 1),
        settings=NightlyConfig(),
    )
    assert len(by_field.creates) == 3


def test_a_run_that_is_no_new_observation_changes_nothing() -> None:
    plan = plan_sync(
        [mismatch(1, "phone", "1", "2")],
        {},
        new_observation={"account": False},
        run_started_at=datetime(2026, 1, 1, tzinfo=UTC),
        today=date(2026, 1, 1),
        settings=NightlyConfig(),
    )
    assert (plan.creates, plan.seen, plan.resolve, plan.reopen, plan.missed) == ([], [], [], [], [])
