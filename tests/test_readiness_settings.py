"""The [readiness] config table: default gates, defaults by kind, and refused values."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from pydantic import ValidationError

from dualrun.errors import UsageError
from dualrun.readiness import (
    DEFAULT_GATES,
    GATE_KINDS,
    GateConfig,
    ReadinessConfig,
    check_readiness,
)

EXAMPLE = """
[readiness]
stable_runs = 3

[[readiness.gates]]
id = "match_rate_accounts"
kind = "match_rate"
threshold = 0.995
hard = true
scope = "module"
entities = ["account", "contact"]
owner = "lisi"

[[readiness.gates]]
id = "match_rate_opportunities"
kind = "match_rate"
threshold = 0.99
entities = ["opportunity"]

[[readiness.gates]]
id = "critical_fields"
kind = "field_accuracy"
fields = ["amount", "owner", "stage"]

[[readiness.gates]]
id = "ten_clean_nights"
kind = "clean_runs"
threshold = 10

[[readiness.gates]]
id = "issue_trend"
kind = "trend"
window = 7

[[readiness.gates]]
id = "aging"
kind = "aging"
max_age_days = { S1 = 2, S2 = 7 }

[[readiness.gates]]
id = "adoption_per_team"
kind = "adoption"
scope = "team"

[[readiness.gates]]
id = "signed"
kind = "signoff"
roles = ["consultant", "lead"]
"""


def problems_of(model: type[Any], data: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [
        ".".join(str(part) for part in error["loc"]) + ": " + error["msg"]
        for error in caught.value.errors()
    ]


def gate(**keys: object) -> dict[str, object]:
    return {"id": "g", **keys}


def test_the_documented_example_is_valid() -> None:
    readiness = ReadinessConfig.model_validate(tomllib.loads(EXAMPLE)["readiness"])
    assert [g.id for g in readiness.active_gates] == [
        "match_rate_accounts",
        "match_rate_opportunities",
        "critical_fields",
        "ten_clean_nights",
        "issue_trend",
        "aging",
        "adoption_per_team",
        "signed",
    ]
    assert readiness.gates[0].owner == "lisi"
    assert readiness.gates[1].threshold == 0.99 and readiness.gates[1].hard is True
    assert readiness.gates[6].scope == "team" and readiness.gates[6].hard is False


def test_default_gates_validate_and_cover_every_kind_once() -> None:
    readiness = ReadinessConfig()
    assert readiness.stable_runs == 3
    assert readiness.active_gates == DEFAULT_GATES
    assert [g.kind for g in DEFAULT_GATES] == list(GATE_KINDS)
    for default in DEFAULT_GATES:
        assert GateConfig.model_validate(default.model_dump()) == default


@pytest.mark.parametrize(
    ("kind", "threshold", "hard", "scope"),
    [
        ("match_rate", 0.995, True, "module"),
        ("field_accuracy", 0.99, True, "module"),
        ("amount_differences", 0, True, "module"),
        ("clean_runs", 10, False, "module"),
        ("blockers", 0, True, "module"),
        ("open_s2", 5, False, "module"),
        ("trend", 0, False, "module"),
        ("aging", 0, False, "module"),
        ("adoption", 0.95, False, "entity"),
        ("feed_health", None, True, "module"),
        ("signoff", None, False, "module"),
    ],
)
def test_default_gates_carry_the_agreed_thresholds(
    kind: str, threshold: float | None, hard: bool, scope: str
) -> None:
    default = next(g for g in DEFAULT_GATES if g.kind == kind)
    assert (default.id, default.threshold, default.hard, default.scope) == (
        kind,
        threshold,
        hard,
        scope,
    )


def test_kind_specific_defaults() -> None:
    by_kind = {g.kind: g for g in DEFAULT_GATES}
    assert by_kind["trend"].window == 7
    assert by_kind["aging"].max_age_days == {"S1": 2, "S2": 7}
    assert by_kind["signoff"].roles == ["consultant", "lead"]
    assert by_kind["field_accuracy"].fields is None  # the caller's critical fields


def test_a_gate_needs_only_id_and_kind_and_keeps_what_it_sets() -> None:
    adoption = GateConfig(id="people", kind="adoption", threshold=0.9, hard=True)
    assert (adoption.threshold, adoption.hard, adoption.scope) == (0.9, True, "entity")


def test_declaring_no_gates_means_the_defaults() -> None:
    assert ReadinessConfig(gates=[]).active_gates == DEFAULT_GATES
    own = ReadinessConfig.model_validate({"gates": [gate(kind="blockers")]})
    assert [g.id for g in own.active_gates] == ["g"]


def test_config_values_are_frozen() -> None:
    with pytest.raises(ValidationError):
        ReadinessConfig().stable_runs = 1


@pytest.mark.parametrize(
    ("model", "data", "problem"),
    [
        pytest.param(
            GateConfig,
            gate(kind="match_rte"),
            "kind: Value error, unknown gate kind 'match_rte'; did you mean 'match_rate'?",
            id="kind_typo",
        ),
        pytest.param(
            GateConfig,
            gate(kind="happiness"),
            "kind: Value error, unknown gate kind 'happiness'; expected one of: match_rate,",
            id="kind_unknown",
        ),
        pytest.param(
            GateConfig,
            gate(kind="match_rate", treshold=0.99),
            ": Value error, unknown key 'treshold'; did you mean 'threshold'?",
            id="key_typo",
        ),
        pytest.param(
            ReadinessConfig,
            {"stable_run": 3},
            ": Value error, unknown key 'stable_run'; did you mean 'stable_runs'?",
            id="table_key_typo",
        ),
        pytest.param(
            GateConfig,
            gate(kind="match_rate", scope="modul"),
            "scope: Value error, unknown scope 'modul'; did you mean 'module'?",
            id="scope_typo",
        ),
        pytest.param(
            GateConfig,
            gate(kind="match_rate", threshold=99.5),
            ": Value error, threshold = 99.5: a rate is a fraction above 0 and at most 1 "
            "(write 0.995 for 99.5%)",
            id="rate_written_as_percent",
        ),
        pytest.param(
            GateConfig,
            gate(kind="clean_runs", window=10),
            ": Value error, window does not apply to kind 'clean_runs': clean_runs takes the "
            "number of runs it needs as threshold",
            id="clean_runs_counts_in_threshold_not_window",
        ),
        pytest.param(
            GateConfig,
            gate(kind="clean_runs", threshold=2.5),
            ": Value error, threshold = 2.5: give a whole number of 0 or more",
            id="fractional_run_count",
        ),
        pytest.param(
            GateConfig,
            gate(kind="blockers", threshold=-1),
            ": Value error, threshold = -1: give a whole number of 0 or more",
            id="negative_count",
        ),
        pytest.param(
            GateConfig,
            gate(kind="match_rate", fields=["amount"]),
            ": Value error, fields does not apply to kind 'match_rate'",
            id="fields_outside_field_accuracy",
        ),
        pytest.param(
            GateConfig,
            gate(kind="feed_health", threshold=1),
            ": Value error, threshold does not apply to kind 'feed_health'",
            id="threshold_on_feed_health",
        ),
        pytest.param(
            GateConfig,
            gate(kind="blockers", scope="team"),
            ": Value error, kind 'blockers' cannot be judged per team; use scope = 'overall' "
            "or 'module' or 'entity'",
            id="team_scope_outside_adoption",
        ),
        pytest.param(
            GateConfig,
            gate(kind="signoff", scope="entity"),
            ": Value error, kind 'signoff' cannot be judged per entity",
            id="signoff_per_entity",
        ),
        pytest.param(
            GateConfig,
            gate(kind="aging", max_age_days={"S0": 1}),
            "max_age_days: Value error, unknown severity 'S0'",
            id="aging_unknown_severity",
        ),
        pytest.param(
            GateConfig,
            gate(kind="signoff", roles=[]),
            "roles: Value error, give at least one name",
            id="signoff_without_roles",
        ),
        pytest.param(
            GateConfig,
            {"id": "two words", "kind": "blockers"},
            "id: String should match pattern",
            id="id_with_a_space",
        ),
        pytest.param(
            ReadinessConfig,
            {"stable_runs": 0},
            "stable_runs: Input should be greater than or equal to 1",
            id="no_stable_runs",
        ),
        pytest.param(
            ReadinessConfig,
            {"gates": [gate(kind="blockers"), {"id": "x", "kind": "trend"}, gate(kind="aging")]},
            ": Value error, gate id 'g' is declared twice (gates[0] and gates[2]); give each "
            "gate its own id",
            id="duplicate_gate_id",
        ),
    ],
)
def test_invalid_values_are_refused_saying_what_to_write(
    model: type[Any], data: dict[str, object], problem: str
) -> None:
    problems = problems_of(model, data)
    assert any(p.startswith(problem) for p in problems), problems


def test_accept_risk_names_an_unknown_gate_with_a_suggestion() -> None:
    readiness = ReadinessConfig()
    assert readiness.gate("adoption").kind == "adoption"
    with pytest.raises(UsageError, match="unknown gate 'adoptoin'; did you mean 'adoption'"):
        readiness.gate("adoptoin")


def test_gates_naming_unknown_entities_are_reported_with_a_suggestion() -> None:
    readiness = ReadinessConfig.model_validate(
        {"gates": [{"id": "accounts", "kind": "match_rate", "entities": ["acount", "contact"]}]}
    )
    modules = {"SFA": ("account", "contact"), "Service": ("case",)}
    assert check_readiness(readiness, modules) == [
        "  readiness.gates[0] (accounts).entities: unknown entity 'acount'; did you mean 'account'?"
    ]
    assert check_readiness(ReadinessConfig(), modules) == []
