"""The ``[nightly]`` config table: severities, grouping, auto-resolve and systemic rules."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_SEVERITY = {
    "missing_in_crm": "S2",
    "missing_in_manual": "S2",
    "field_mismatch_critical": "S2",
    "field_mismatch": "S3",
    "duplicate": "S3",
    "ambiguous_match": "S3",
    "unkeyed_row": "S3",
    "systemic": "S2",
}


class NightlyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    resolve_after: int = Field(default=2, ge=1)  # covering runs without it → no_longer_detected
    group: Literal["field", "record"] = "field"  # one issue per differing field, or per record
    systemic_min: int = Field(default=10, ge=2)  # records sharing one pattern → one issue
    severity: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    lock_stale_hours: float = Field(default=6.0, gt=0)

    def severity_for(self, kind: str, critical: bool) -> str:
        table = {**DEFAULT_SEVERITY, **self.severity}
        if kind == "field_mismatch" and critical:
            return table["field_mismatch_critical"]
        return table.get(kind, "S3")
