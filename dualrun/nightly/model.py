"""Values the nightly planning works on: a run's findings and the tracker's issues."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One discrepancy of a run, as the tracker sees it."""

    fingerprint: str
    entity: str
    module: str
    kind: str
    field: str | None
    identity: str
    key: dict[str, Any]
    owner: str | None
    critical: bool
    manual_normalised: str | None = None
    crm_normalised: str | None = None
    manual_place: str | None = None  # "file#sheet" of the manual row, for sheet patterns
    evidence: dict[str, Any] = dc_field(default_factory=dict)


@dataclass(frozen=True)
class KnownIssue:
    """A discrepancy issue already in the tracker."""

    key: str
    fingerprint: str
    entity: str | None
    status: str
    evidence: dict[str, Any] | None
    missed_runs: int
    occurrences: int
    resolved_at: datetime | None
    accepted_until: date | None
    accepted_evidence: dict[str, Any] | None
    systemic: bool
