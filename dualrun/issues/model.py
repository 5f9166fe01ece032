"""The issue tracker's vocabulary and the frozen issue state the pure rules look at.

Kinds, categories, severities and link kinds (with their Chinese and English labels), the
fields people edit, and ``IssueState``: one issue as the lifecycle, permission and routing
rules see it. This module holds values only; it reads no database, file or clock.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

KINDS = ("discrepancy", "report")

CATEGORIES = (
    "system_defect",
    "data_problem",
    "process_problem",
    "operation_training",
    "enhancement",
    "question",
)
CATEGORY_LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "system_defect": "系统缺陷",
        "data_problem": "数据问题",
        "process_problem": "流程问题",
        "operation_training": "操作/培训问题",
        "enhancement": "改进建议",
        "question": "咨询",
    },
    "en": {
        "system_defect": "system defect",
        "data_problem": "data problem",
        "process_problem": "process problem",
        "operation_training": "operation/training problem",
        "enhancement": "enhancement request",
        "question": "question",
    },
}

SEVERITIES = ("S1", "S2", "S3", "S4")
SEVERITY_LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "S1": "S1 阻断上线",
        "S2": "S2 严重（需有变通办法）",
        "S3": "S3 一般",
        "S4": "S4 轻微",
    },
    "en": {
        "S1": "S1 blocks cutover",
        "S2": "S2 major (needs a workaround)",
        "S3": "S3 minor",
        "S4": "S4 cosmetic",
    },
}

LINK_KINDS = ("duplicate_of", "related_to", "caused_by")

# The fields people edit; the optimistic version covers exactly these. Evidence the
# nightly job refreshes (record values, last seen) is stored elsewhere and never bumps it.
EDITABLE_FIELDS = (
    "status",
    "owner",
    "severity",
    "due_date",
    "resolution",
    "workaround",
    "description",
    "title",
    "category",
    "blocks_cutover",
    "escalated_to",
    "consultant_ref",
    "accepted_by",
    "accepted_until",
    "labels",
)


@dataclass(frozen=True, kw_only=True)
class IssueState:
    """One issue's fields as the pure rules need them (keyword-only construction)."""

    key: str
    kind: str
    category: str | None = None
    title: str
    description: str = ""
    severity: str | None = None
    blocks_cutover: bool = False
    module: str | None = None
    entity: str | None = None
    reporter: str | None = None
    owner: str | None = None
    status: str = "new"
    resolution: str | None = None
    workaround: str | None = None
    due_date: date | None = None
    escalated_to: str | None = None
    consultant_ref: str | None = None
    accepted_by: str | None = None
    accepted_until: date | None = None
    labels: tuple[str, ...] = ()
    watchers: tuple[str, ...] = ()
    version: int = 1

    def with_changes(self, changes: Mapping[str, object]) -> IssueState:
        """A copy with ``changes`` applied (field name → new value)."""
        values: dict[str, Any] = dict(changes)
        return dataclasses.replace(self, **values)

    def to_dict(self) -> dict[str, object]:
        """Every field as JSON-ready values: dates as ISO text, tuples as lists."""
        out: dict[str, object] = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[spec.name] = value
        return out


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """The tail of an error message: a near miss ("; did you mean 'x'?"), else the choices."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if choices:
        return f"; expected one of: {', '.join(choices)}"
    return ""
