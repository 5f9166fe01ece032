"""The ``[readiness]`` config table: the cutover gates, written down before the run starts.

Pydantic models (frozen, unknown keys refused with a "did you mean"). A gate names only
its ``id`` and ``kind``; every other key defaults by kind (``KIND_DEFAULTS``), and keys
that do not apply to the kind are refused, each error saying what to write instead.
With no ``[[readiness.gates]]`` the ``DEFAULT_GATES`` apply. ``check_readiness`` checks
what spans the config (entity names). This module must not import ``dualrun.config``:
that module embeds these models.

Thresholds by kind:
    match_rate, field_accuracy, adoption  a rate as a fraction: 0.995 means 99.5%
    amount_differences, blockers, aging   the most allowed (a count, usually 0)
    open_s2                               the most unresolved S2 issues allowed
    clean_runs                            the consecutive clean runs needed
    trend                                 the least net closures (closures − arrivals)
                                          over the last ``window`` runs, usually 0
    feed_health, signoff                  none (every source healthy; every role signed)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dualrun.errors import UsageError
from dualrun.issues.model import SEVERITIES, did_you_mean

GATE_KINDS = (
    "match_rate",
    "field_accuracy",
    "amount_differences",
    "clean_runs",
    "blockers",
    "open_s2",
    "trend",
    "aging",
    "adoption",
    "feed_health",
    "signoff",
)
SCOPES = ("overall", "module", "entity", "team")
RATE_KINDS = ("match_rate", "field_accuracy", "adoption")
COUNT_KINDS = ("amount_differences", "clean_runs", "blockers", "open_s2", "aging")
ISSUE_KINDS = ("blockers", "open_s2", "trend", "aging")

# The scopes each kind can be judged at; "team" needs per-owner figures (adoption only).
_ENTITY_SCOPES = ("overall", "module", "entity")
KIND_SCOPES: Mapping[str, tuple[str, ...]] = {
    **{kind: _ENTITY_SCOPES for kind in GATE_KINDS},
    "adoption": (*_ENTITY_SCOPES, "team"),
    "signoff": ("overall", "module"),
}

# What a gate of each kind gets for every key it leaves out.
KIND_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "match_rate": {"threshold": 0.995, "hard": True, "scope": "module"},
    "field_accuracy": {"threshold": 0.99, "hard": True, "scope": "module"},
    "amount_differences": {"threshold": 0, "hard": True, "scope": "module"},
    "clean_runs": {"threshold": 10, "hard": False, "scope": "module"},
    "blockers": {"threshold": 0, "hard": True, "scope": "module"},
    "open_s2": {"threshold": 5, "hard": False, "scope": "module"},
    "trend": {"threshold": 0, "hard": False, "scope": "module", "window": 7},
    "aging": {"threshold": 0, "hard": False, "scope": "module", "max_age_days": {"S1": 2, "S2": 7}},
    "adoption": {"threshold": 0.95, "hard": False, "scope": "entity"},
    "feed_health": {"hard": True, "scope": "module"},
    "signoff": {"hard": False, "scope": "module", "roles": ["consultant", "lead"]},
}

# Keys that only some kinds take, and the sentence that says what to do instead.
_KIND_ONLY_KEYS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "fields": (("field_accuracy",), "the other kinds do not look at single fields"),
    "window": (
        ("trend",),
        "clean_runs takes the number of runs it needs as threshold",
    ),
    "max_age_days": (("aging",), "the other kinds do not look at issue age"),
    "roles": (("signoff",), "the other kinds need no sign-off"),
    "entities": (
        tuple(kind for kind in GATE_KINDS if kind != "signoff"),
        "sign-offs are per module (scope = 'module') or for everything (scope = 'overall')",
    ),
    "threshold": (
        tuple(kind for kind in GATE_KINDS if kind not in ("feed_health", "signoff")),
        "feed_health passes when every source is healthy and signoff when every role signed",
    ),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # Refuse unknown keys here rather than by extra="forbid" alone: this way the
        # message suggests the key that was meant.
        if isinstance(data, Mapping):
            known = list(cls.model_fields)
            for key in data:
                if key not in known:
                    raise ValueError(f"unknown key {key!r}{did_you_mean(str(key), known)}")
        return data


class GateConfig(_Model):
    """One ``[[readiness.gates]]`` table: a measurable criterion with its threshold."""

    id: str = Field(min_length=1, pattern=r"^\S+$")  # named by accept-risk and the report
    kind: str
    threshold: float | None = None
    hard: bool = True
    scope: str = "module"
    entities: list[str] | None = None  # narrows the gate to these entities
    fields: list[str] | None = None  # field_accuracy: else the entity's critical fields
    window: int | None = Field(default=None, ge=1)  # trend: the number of runs looked at
    max_age_days: dict[str, int] | None = None  # aging: severity → days
    roles: list[str] | None = None  # signoff: the roles that must sign
    owner: str | None = None  # who answers for the gate (shown in the scorecard)

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("kind") in KIND_DEFAULTS:
            return {**KIND_DEFAULTS[str(data["kind"])], **data}
        return data

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in GATE_KINDS:
            raise ValueError(f"unknown gate kind {value!r}{did_you_mean(value, GATE_KINDS)}")
        return value

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, value: str) -> str:
        if value not in SCOPES:
            raise ValueError(f"unknown scope {value!r}{did_you_mean(value, SCOPES)}")
        return value

    @field_validator("max_age_days")
    @classmethod
    def _days_per_severity(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        for severity, days in (value or {}).items():
            if severity not in SEVERITIES:
                raise ValueError(
                    f"unknown severity {severity!r}{did_you_mean(severity, SEVERITIES)}"
                )
            if days < 0:
                raise ValueError(f"{severity} = {days}: the number of days cannot be negative")
        return value

    @field_validator("roles", "fields", "entities")
    @classmethod
    def _names_given(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (not value or any(not name.strip() for name in value)):
            raise ValueError("give at least one name, and no empty ones")
        return value

    @model_validator(mode="after")
    def _fits_kind(self) -> GateConfig:
        for key, (kinds, instead) in _KIND_ONLY_KEYS.items():
            if getattr(self, key) is not None and self.kind not in kinds:
                raise ValueError(f"{key} does not apply to kind {self.kind!r}: {instead}")
        scopes = KIND_SCOPES[self.kind]
        if self.scope not in scopes:
            raise ValueError(
                f"kind {self.kind!r} cannot be judged per {self.scope}; "
                f"use scope = {' or '.join(repr(scope) for scope in scopes)}"
            )
        self._check_threshold()
        return self

    def _check_threshold(self) -> None:
        value = self.threshold
        if value is None:
            return
        if self.kind in RATE_KINDS and not 0 < value <= 1:
            hint = f" (write {value / 100:g} for {value:g}%)" if 1 < value <= 100 else ""
            raise ValueError(
                f"threshold = {value:g}: a rate is a fraction above 0 and at most 1{hint}"
            )
        if self.kind in COUNT_KINDS and (value < 0 or value != int(value)):
            raise ValueError(f"threshold = {value:g}: give a whole number of 0 or more")
        if self.kind == "trend" and value != int(value):
            raise ValueError(f"threshold = {value:g}: give a whole number of net closures")


def _default_gates() -> tuple[GateConfig, ...]:
    return tuple(GateConfig(id=kind, kind=kind) for kind in GATE_KINDS)


# Used when the config declares no gates: one gate per kind, its id the kind's name.
DEFAULT_GATES: tuple[GateConfig, ...] = _default_gates()


class ReadinessConfig(_Model):
    """The ``[readiness]`` table."""

    stable_runs: int = Field(default=3, ge=1)  # GO needs every gate passing this many runs
    gates: list[GateConfig] = Field(default_factory=list)  # none: DEFAULT_GATES

    @model_validator(mode="after")
    def _unique_ids(self) -> ReadinessConfig:
        seen: dict[str, int] = {}
        for index, gate in enumerate(self.gates):
            if gate.id in seen:
                raise ValueError(
                    f"gate id {gate.id!r} is declared twice (gates[{seen[gate.id]}] and "
                    f"gates[{index}]); give each gate its own id"
                )
            seen[gate.id] = index
        return self

    @property
    def active_gates(self) -> tuple[GateConfig, ...]:
        """The declared gates, or ``DEFAULT_GATES`` when the config declares none."""
        return tuple(self.gates) if self.gates else DEFAULT_GATES

    def gate(self, gate_id: str) -> GateConfig:
        """The active gate with that id (for ``accept-risk GATE``).

        Raises UsageError naming the nearest id, or listing them all.
        """
        gates = self.active_gates
        for gate in gates:
            if gate.id == gate_id:
                return gate
        ids = [gate.id for gate in gates]
        raise UsageError(f"unknown gate {gate_id!r}{did_you_mean(gate_id, ids)}")


def check_readiness(readiness: ReadinessConfig, modules: Mapping[str, Sequence[str]]) -> list[str]:
    """Problems with the entities the gates name, one indented line each (none: [])."""
    entities = [entity for module_entities in modules.values() for entity in module_entities]
    problems = []
    for index, gate in enumerate(readiness.gates):
        for entity in gate.entities or ():
            if entity not in entities:
                problems.append(
                    f"  readiness.gates[{index}] ({gate.id}).entities: unknown entity "
                    f"{entity!r}{did_you_mean(entity, entities)}"
                )
    return problems
