"""Issue lifecycle as pure rules: statuses, allowed moves, required fields, waiting time."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualrun.errors import UsageError
from dualrun.issues import (
    DEFAULT_TRANSITIONS,
    EDITABLE_FIELDS,
    PEOPLE_RESOLUTIONS,
    RESOLUTION_LABELS,
    RESOLUTIONS,
    STATUS_CATEGORY,
    STATUS_LABELS,
    STATUSES,
    IssuesConfig,
    IssueState,
    Lifecycle,
    TransitionError,
    default_due,
    is_blocker,
    is_unresolved,
    time_waiting_on_consultant,
)

LIFECYCLE = Lifecycle()


def issue(**fields: object) -> IssueState:
    values: dict[str, object] = {"key": "DR-7", "kind": "report", "title": "报价单无法保存"}
    values.update(fields)
    return IssueState(**values)  # type: ignore[arg-type]


# Everything a move to each status could need, so a property test can always supply it.
COMPLETE = {
    "owner": "wangwu",
    "severity": "S2",
    "resolution": "fixed",
    "escalated_to": "chen",
    "accepted_by": "lisi",
    "accepted_until": date(2024, 6, 30),
}
NEEDED_BY = {
    "triaged": ("owner", "severity"),
    "resolved": ("resolution",),
    "closed": ("resolution",),
    "escalated": ("escalated_to",),
    "accepted": ("accepted_by", "accepted_until"),
}


# --- statuses and their categories ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "category"),
    [
        ("new", "open"),
        ("reopened", "open"),
        ("triaged", "active"),
        ("in_progress", "active"),
        ("needs_info", "active"),
        ("escalated", "active"),
        ("resolved", "done"),
        ("closed", "done"),
        ("accepted", "done"),
    ],
)
def test_every_status_belongs_to_one_category(status: str, category: str) -> None:
    assert STATUS_CATEGORY[status] == category
    assert is_unresolved(status) == (category != "done")


def test_every_status_and_resolution_has_a_chinese_and_an_english_label() -> None:
    for lang in ("zh", "en"):
        assert set(STATUS_LABELS[lang]) == set(STATUSES)
        assert set(RESOLUTION_LABELS[lang]) == set(RESOLUTIONS)


@pytest.mark.parametrize(
    ("fields", "blocker"),
    [
        pytest.param({"severity": "S1"}, True, id="open_S1_blocks"),
        pytest.param({"severity": "S3", "blocks_cutover": True}, True, id="flagged_S3_blocks"),
        pytest.param({"severity": "S2"}, False, id="open_S2_does_not_block"),
        pytest.param({"severity": None}, False, id="untriaged_without_severity_does_not_block"),
        pytest.param(
            {"severity": "S1", "status": "escalated"}, True, id="escalated_S1_still_blocks"
        ),
        pytest.param(
            {"severity": "S1", "status": "resolved", "resolution": "fixed"},
            False,
            id="resolved_S1_no_longer_blocks",
        ),
        pytest.param(
            {"blocks_cutover": True, "status": "accepted"}, False, id="accepted_flagged_is_done"
        ),
    ],
)
def test_a_blocker_is_an_unresolved_S1_or_flagged_issue(
    fields: dict[str, object], blocker: bool
) -> None:
    assert is_blocker(issue(**fields)) is blocker


def test_the_optimistic_version_covers_people_fields_not_evidence() -> None:
    assert "status" in EDITABLE_FIELDS and "workaround" in EDITABLE_FIELDS
    assert "version" not in EDITABLE_FIELDS and "key" not in EDITABLE_FIELDS
    assert set(EDITABLE_FIELDS) <= set(IssueState.__dataclass_fields__)


# --- the default transition table --------------------------------------------------------

DEFAULT_TABLE = {
    "new": {"triaged", "in_progress", "needs_info", "escalated", "resolved", "closed", "accepted"},
    "triaged": {"in_progress", "needs_info", "escalated", "resolved", "accepted", "closed"},
    "in_progress": {"needs_info", "escalated", "resolved", "accepted", "triaged"},
    "needs_info": {"triaged", "in_progress", "resolved", "closed"},
    "escalated": {"in_progress", "resolved", "triaged", "accepted"},
    "resolved": {"closed", "reopened"},
    "closed": {"reopened"},
    "accepted": {"reopened", "closed"},
    "reopened": {
        "triaged",
        "in_progress",
        "needs_info",
        "escalated",
        "resolved",
        "accepted",
        "closed",
    },
}


@pytest.mark.parametrize("current", STATUSES)
def test_default_table_allows_exactly_the_documented_moves(current: str) -> None:
    assert set(DEFAULT_TRANSITIONS[current]) == DEFAULT_TABLE[current]
    for wanted in STATUSES:
        expected = wanted == current or wanted in DEFAULT_TABLE[current]
        assert LIFECYCLE.can_move(current, wanted) is expected, f"{current} → {wanted}"


def test_every_unresolved_status_can_be_resolved_by_the_nightly_job() -> None:
    for status in STATUSES:
        if is_unresolved(status):
            assert "resolved" in DEFAULT_TRANSITIONS[status], status


# --- plan_move: what a move changes ------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "to", "changes", "planned"),
    [
        pytest.param(
            {},
            "triaged",
            {"owner": "wangwu", "severity": "S2"},
            {"status": "triaged", "owner": "wangwu", "severity": "S2"},
            id="triage_with_owner_and_severity",
        ),
        pytest.param(
            {"owner": "wangwu", "severity": "S2"},
            "triaged",
            {"owner": "wangwu"},
            {"status": "triaged"},
            id="triage_leaves_out_values_that_do_not_change",
        ),
        pytest.param(
            {"status": "triaged", "owner": "wangwu", "severity": "S3"},
            "in_progress",
            {},
            {"status": "in_progress"},
            id="start_work",
        ),
        pytest.param(
            {"status": "in_progress", "owner": "wangwu"},
            "escalated",
            {"escalated_to": "chen", "consultant_ref": "SR-1024"},
            {"status": "escalated", "escalated_to": "chen", "consultant_ref": "SR-1024"},
            id="escalate_to_the_consultant",
        ),
        pytest.param(
            {"status": "escalated", "escalated_to": "chen"},
            "resolved",
            {"resolution": "config_changed"},
            {"status": "resolved", "resolution": "config_changed"},
            id="resolve_after_escalation_keeps_who_it_was_escalated_to",
        ),
        pytest.param(
            {"status": "resolved", "resolution": "fixed"},
            "closed",
            {},
            {"status": "closed"},
            id="close_keeps_the_resolution",
        ),
        pytest.param(
            {"status": "resolved", "resolution": "no_longer_detected"},
            "closed",
            {},
            {"status": "closed"},
            id="a_person_may_close_what_the_tool_resolved",
        ),
        pytest.param(
            {"status": "resolved", "resolution": "fixed"},
            "reopened",
            {},
            {"status": "reopened", "resolution": None},
            id="reopen_clears_the_resolution",
        ),
        pytest.param(
            {
                "status": "accepted",
                "accepted_by": "lisi",
                "accepted_until": date(2024, 6, 30),
            },
            "reopened",
            {},
            {"status": "reopened", "accepted_by": None, "accepted_until": None},
            id="reopen_clears_the_acceptance",
        ),
        pytest.param(
            {"status": "triaged", "owner": "wangwu", "severity": "S3"},
            "accepted",
            {"accepted_by": "lisi", "accepted_until": date(2024, 6, 30)},
            {"status": "accepted", "accepted_by": "lisi", "accepted_until": date(2024, 6, 30)},
            id="accept_as_is_with_who_and_until_when",
        ),
        pytest.param(
            {"status": "resolved", "resolution": "fixed"},
            "resolved",
            {},
            {},
            id="moving_to_the_same_status_is_a_no_op",
        ),
        pytest.param(
            {"status": "closed", "resolution": "fixed"},
            "closed",
            {"resolution": "fixed"},
            {},
            id="repeating_the_same_close_is_a_no_op",
        ),
        pytest.param(
            {"status": "resolved", "resolution": "fixed"},
            "resolved",
            {"resolution": "data_corrected"},
            {"resolution": "data_corrected"},
            id="same_status_with_a_new_resolution_changes_only_that",
        ),
    ],
)
def test_plan_move_returns_every_change_the_move_implies(
    before: dict[str, object], to: str, changes: dict[str, object], planned: dict[str, object]
) -> None:
    assert LIFECYCLE.plan_move(issue(**before), to, changes) == planned


def test_plan_move_puts_the_status_first() -> None:
    planned = LIFECYCLE.plan_move(issue(), "triaged", {"severity": "S1", "owner": "lisi"})
    assert next(iter(planned)) == "status"


@pytest.mark.parametrize(
    ("before", "to", "changes", "message"),
    [
        pytest.param(
            {"status": "resolved", "resolution": "fixed"},
            "in_progress",
            {},
            "DR-7 is resolved; it can move to closed or reopened, not in_progress",
            id="resolved_cannot_go_back_to_work_without_reopening",
        ),
        pytest.param(
            {"status": "closed", "resolution": "fixed"},
            "resolved",
            {},
            "DR-7 is closed; it can move to reopened, not resolved",
            id="closed_only_reopens",
        ),
        pytest.param(
            {},
            "reopened",
            {},
            "DR-7 is new; it can move to triaged, in_progress, needs_info, escalated, "
            "resolved, closed or accepted, not reopened",
            id="a_new_issue_cannot_be_reopened",
        ),
        pytest.param(
            {},
            "triaged",
            {},
            "DR-7 cannot move to triaged without an owner and a severity: "
            "give --owner LOGIN --severity S1|S2|S3|S4",
            id="triage_needs_owner_and_severity",
        ),
        pytest.param(
            {"owner": "wangwu"},
            "triaged",
            {},
            "DR-7 cannot move to triaged without a severity: give --severity S1|S2|S3|S4",
            id="triage_names_only_what_is_missing",
        ),
        pytest.param(
            {"status": "in_progress"},
            "resolved",
            {},
            "DR-7 cannot move to resolved without a resolution: give --resolution "
            "fixed|data_corrected|config_changed|user_trained|workaround|duplicate|"
            "not_a_problem|wont_fix",
            id="resolve_needs_a_resolution",
        ),
        pytest.param(
            {"status": "accepted", "accepted_by": "lisi", "accepted_until": date(2024, 6, 30)},
            "closed",
            {},
            "DR-7 cannot move to closed without a resolution",
            id="closing_an_accepted_issue_needs_a_resolution",
        ),
        pytest.param(
            {"status": "in_progress"},
            "escalated",
            {},
            "DR-7 cannot move to escalated without the consultant it is escalated to: "
            "give --consultant LOGIN",
            id="escalate_needs_the_consultant",
        ),
        pytest.param(
            {"status": "in_progress"},
            "accepted",
            {"accepted_by": "lisi"},
            "DR-7 cannot move to accepted without until when it is accepted: "
            "give --until YYYY-MM-DD",
            id="accept_needs_until_when",
        ),
        pytest.param(
            {"status": "triaged", "owner": "wangwu", "severity": "S2"},
            "triaged",
            {"owner": None},
            "DR-7 cannot move to triaged without an owner",
            id="same_status_cannot_drop_a_required_field",
        ),
        pytest.param(
            {},
            "resolvd",
            {},
            "DR-7: unknown status 'resolvd'; did you mean 'resolved'?",
            id="unknown_status_suggests_the_nearest",
        ),
        pytest.param(
            {"status": "in_progress"},
            "resolved",
            {"resolution": "fixd"},
            "DR-7: unknown resolution 'fixd'; did you mean 'fixed'?",
            id="unknown_resolution_suggests_the_nearest",
        ),
        pytest.param(
            {"status": "in_progress"},
            "resolved",
            {"resolution": "no_longer_detected"},
            "DR-7: the resolution no_longer_detected is set only by dualrun itself; "
            "give --resolution fixed|",
            id="people_cannot_use_the_tools_resolutions",
        ),
        pytest.param(
            {"status": "triaged", "owner": "wangwu", "severity": "S2"},
            "in_progress",
            {"resolution": "fixed"},
            "DR-7: a resolution goes only with resolved, closed or accepted, not in_progress",
            id="a_resolution_needs_a_done_status",
        ),
        pytest.param(
            {},
            "triaged",
            {"owner": "wangwu", "severity": "S5"},
            "DR-7: unknown severity 'S5'",
            id="unknown_severity",
        ),
    ],
)
def test_plan_move_refuses_with_a_message_saying_what_to_do(
    before: dict[str, object], to: str, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(TransitionError) as caught:
        LIFECYCLE.plan_move(issue(**before), to, changes)
    assert str(caught.value).startswith(message)


def test_a_transition_error_is_a_usage_error() -> None:
    assert issubclass(TransitionError, UsageError)


@pytest.mark.parametrize("resolution", ["no_longer_detected", "withdrawn", "cut_over"])
def test_the_tool_may_resolve_with_its_own_resolutions(resolution: str) -> None:
    planned = LIFECYCLE.plan_move(
        issue(status="in_progress"), "resolved", {"resolution": resolution}, by_tool=True
    )
    assert planned == {"status": "resolved", "resolution": resolution}


def test_the_tool_reopens_an_issue_detected_again() -> None:
    state = issue(status="resolved", resolution="no_longer_detected")
    planned = LIFECYCLE.plan_move(state, "reopened", {}, by_tool=True)
    assert planned == {"status": "reopened", "resolution": None}


def test_a_status_cannot_be_passed_as_a_change() -> None:
    with pytest.raises(ValueError, match="status"):
        LIFECYCLE.plan_move(issue(), "triaged", {"status": "closed"})


def test_a_no_op_move_is_never_an_error_even_if_the_table_forbids_leaving() -> None:
    strict = Lifecycle(transitions={"closed": ()})
    assert strict.plan_move(issue(status="closed", resolution="fixed"), "closed", {}) == {}


def test_a_status_the_table_does_not_list_cannot_be_left() -> None:
    strict = Lifecycle.from_settings(IssuesConfig(transitions={"new": ["triaged"]}))
    with pytest.raises(
        TransitionError, match="no move out of closed is configured; it cannot move to reopened"
    ):
        strict.plan_move(issue(status="closed", resolution="fixed"), "reopened", {})


def test_a_configured_table_replaces_the_default() -> None:
    settings = IssuesConfig(transitions={"new": ["triaged"], "triaged": ["closed"]})
    lifecycle = Lifecycle.from_settings(settings)
    assert lifecycle.targets("new") == ("triaged",)
    assert lifecycle.targets("resolved") == ()
    with pytest.raises(TransitionError, match="it can move to triaged, not in_progress"):
        lifecycle.plan_move(issue(), "in_progress", {})


def test_without_a_configured_table_the_default_applies() -> None:
    assert Lifecycle.from_settings(IssuesConfig()).transitions == DEFAULT_TRANSITIONS


@given(
    current=st.sampled_from(STATUSES),
    data=st.data(),
)
def test_any_allowed_move_with_its_fields_ends_in_the_wanted_status_complete(
    current: str, data: st.DataObject
) -> None:
    wanted = data.draw(st.sampled_from(DEFAULT_TRANSITIONS[current]))
    before = issue(
        status=current, **({"resolution": "fixed"} if not is_unresolved(current) else {})
    )
    changes = {name: COMPLETE[name] for name in NEEDED_BY.get(wanted, ())}
    planned = LIFECYCLE.plan_move(before, wanted, changes)
    after = before.with_changes(planned)
    assert after.status == wanted
    assert LIFECYCLE.missing_fields(after) == ()
    if is_unresolved(wanted):
        assert after.resolution is None
    assert LIFECYCLE.plan_move(after, wanted, {}) == {}


@given(status=st.sampled_from(STATUSES), resolution=st.sampled_from(PEOPLE_RESOLUTIONS))
def test_moving_to_the_current_status_without_changes_is_always_empty(
    status: str, resolution: str
) -> None:
    assert LIFECYCLE.plan_move(issue(status=status, resolution=resolution), status, {}) == {}


# --- time waiting on the consultant ------------------------------------------------------

T0 = datetime(2024, 3, 4, 9, 0)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("history", "until_hours", "waited_hours"),
    [
        pytest.param([], 10, 0, id="no_history"),
        pytest.param([(at(0), "new"), (at(2), "triaged")], 10, 0, id="never_escalated"),
        pytest.param(
            [(at(0), "new"), (at(1), "escalated"), (at(5), "in_progress")],
            10,
            4,
            id="one_escalation_answered",
        ),
        pytest.param(
            [(at(0), "new"), (at(1), "escalated")], 10, 9, id="still_escalated_counts_until_now"
        ),
        pytest.param(
            [
                (at(0), "new"),
                (at(1), "escalated"),
                (at(3), "in_progress"),
                (at(6), "escalated"),
                (at(7), "resolved"),
            ],
            20,
            3,
            id="two_escalations_add_up",
        ),
        pytest.param(
            [(at(0), "escalated"), (at(2), "escalated"), (at(4), "triaged")],
            10,
            4,
            id="a_repeated_escalated_entry_is_not_counted_twice",
        ),
        pytest.param([(at(5), "escalated")], 3, 0, id="until_before_the_entry_counts_zero"),
    ],
)
def test_time_waiting_on_consultant_sums_the_escalated_spans(
    history: list[tuple[datetime, str]], until_hours: float, waited_hours: float
) -> None:
    waited = time_waiting_on_consultant(history, at(until_hours))
    assert waited == timedelta(hours=waited_hours)


# --- default due dates -------------------------------------------------------------------

CREATED = date(2024, 3, 29)  # a Friday: due periods are calendar days


@pytest.mark.parametrize(
    ("severity", "due"),
    [
        ("S1", date(2024, 3, 30)),
        ("S2", date(2024, 4, 1)),
        ("S3", date(2024, 4, 5)),
        ("S4", date(2024, 4, 12)),
        (None, None),
    ],
)
def test_default_due_date_follows_severity(severity: str | None, due: date | None) -> None:
    assert default_due(severity, CREATED, IssuesConfig().due_days) == due


def test_a_severity_the_config_leaves_out_gets_no_due_date() -> None:
    assert default_due("S4", CREATED, {"S1": 0}) is None
    assert default_due("S1", CREATED, {"S1": 0}) == CREATED
