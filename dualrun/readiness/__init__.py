"""The cutover-readiness judgement's pure core: gates, verdicts and the projected date.

Everything here takes values and returns values: no database, files, clock or printing.
The store adapter builds a ``History`` (``today`` included); the report renders the
``Readiness`` that ``judge`` returns.

- ``settings``: the ``[readiness]`` config table, ``DEFAULT_GATES``, ``check_readiness``.
- ``history``: ``History`` and its points (runs, entities, owners, issues, sign-offs,
  accepted risks), with the views ``before``/``upto`` and ``issue_flow``.
- ``gates``: ``evaluate``, ``evaluate_all``, ``evaluate_for_module``, ``GateResult``.
- ``verdict``: ``judge``, ``ModuleVerdict``, ``Readiness``.
- ``projection``: ``projected_ready_date``.
"""

from dualrun.readiness.gates import (
    GateResult,
    clean_streak,
    evaluate,
    evaluate_all,
    evaluate_for_module,
    module_blockers,
    teams_in,
)
from dualrun.readiness.history import (
    RUN_FAILED,
    RUN_OK,
    AcceptedRisk,
    EntityPoint,
    History,
    IssueFlow,
    IssuePoint,
    OwnerPoint,
    RunPoint,
    Signoff,
)
from dualrun.readiness.projection import (
    backlog_series,
    fit_line,
    match_rate_series,
    projected_ready_date,
)
from dualrun.readiness.settings import (
    DEFAULT_GATES,
    GATE_KINDS,
    KIND_DEFAULTS,
    KIND_SCOPES,
    SCOPES,
    GateConfig,
    ReadinessConfig,
    check_readiness,
)
from dualrun.readiness.verdict import (
    CONDITIONAL,
    EXIT_CODES,
    GO,
    LIVE,
    NO_GO,
    VERDICTS,
    ModuleVerdict,
    Readiness,
    judge,
    strictest_match_threshold,
    valid_risk,
)

__all__ = [
    "CONDITIONAL",
    "DEFAULT_GATES",
    "EXIT_CODES",
    "GATE_KINDS",
    "GO",
    "KIND_DEFAULTS",
    "KIND_SCOPES",
    "LIVE",
    "NO_GO",
    "RUN_FAILED",
    "RUN_OK",
    "SCOPES",
    "VERDICTS",
    "AcceptedRisk",
    "EntityPoint",
    "GateConfig",
    "GateResult",
    "History",
    "IssueFlow",
    "IssuePoint",
    "ModuleVerdict",
    "OwnerPoint",
    "Readiness",
    "ReadinessConfig",
    "RunPoint",
    "Signoff",
    "backlog_series",
    "check_readiness",
    "clean_streak",
    "evaluate",
    "evaluate_all",
    "evaluate_for_module",
    "fit_line",
    "judge",
    "match_rate_series",
    "module_blockers",
    "projected_ready_date",
    "strictest_match_threshold",
    "teams_in",
    "valid_risk",
]
