"""The issue tracker's pure core: vocabulary, lifecycle, permissions, routing, due dates.

Everything here takes values and returns values (or raises a ``dualrun.errors`` error):
no database, files, clock or printing. The store (``dualrun.store``) and the CLI
(``dualrun issues ...``) are the adapters around it.

- ``settings``: the ``[people]`` and ``[issues]`` config tables and their cross-checks.
- ``model``: kinds, categories, severities, link kinds, ``IssueState``.
- ``lifecycle``: statuses, resolutions, allowed moves, ``Lifecycle.plan_move``.
- ``permissions``: ``Actor``, ``actor_for`` and ``check``.
- ``routing``: ``person_for_name`` and ``route`` for new issues' owners.
- ``due``: ``default_due`` from severity.
"""

from dualrun.issues.due import default_due
from dualrun.issues.lifecycle import (
    DEFAULT_TRANSITIONS,
    DONE_STATUSES,
    FIELD_OPTIONS,
    INITIAL_STATUS,
    PEOPLE_RESOLUTIONS,
    REQUIRED_FIELDS,
    RESOLUTION_LABELS,
    RESOLUTIONS,
    STATUS_CATEGORIES,
    STATUS_CATEGORY,
    STATUS_LABELS,
    STATUSES,
    TOOL_RESOLUTIONS,
    UNRESOLVED_STATUSES,
    Lifecycle,
    TransitionError,
    is_blocker,
    is_unresolved,
    time_waiting_on_consultant,
)
from dualrun.issues.model import (
    CATEGORIES,
    CATEGORY_LABELS,
    EDITABLE_FIELDS,
    KINDS,
    LINK_KINDS,
    SEVERITIES,
    SEVERITY_LABELS,
    IssueState,
)
from dualrun.issues.permissions import (
    ACTIONS,
    ROLES,
    SYSTEM_ROLE,
    Actor,
    actions_needed,
    actor_for,
    check,
)
from dualrun.issues.routing import RECORD_OWNER, RoutingFacts, person_for_name, route
from dualrun.issues.settings import (
    IssuesConfig,
    PersonConfig,
    RoutingRule,
    check_people_and_routing,
)

__all__ = [
    "ACTIONS",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "DEFAULT_TRANSITIONS",
    "DONE_STATUSES",
    "EDITABLE_FIELDS",
    "FIELD_OPTIONS",
    "INITIAL_STATUS",
    "KINDS",
    "LINK_KINDS",
    "PEOPLE_RESOLUTIONS",
    "RECORD_OWNER",
    "REQUIRED_FIELDS",
    "RESOLUTIONS",
    "RESOLUTION_LABELS",
    "ROLES",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "STATUSES",
    "STATUS_CATEGORIES",
    "STATUS_CATEGORY",
    "STATUS_LABELS",
    "SYSTEM_ROLE",
    "TOOL_RESOLUTIONS",
    "UNRESOLVED_STATUSES",
    "Actor",
    "IssueState",
    "IssuesConfig",
    "Lifecycle",
    "PersonConfig",
    "RoutingFacts",
    "RoutingRule",
    "TransitionError",
    "actions_needed",
    "actor_for",
    "check",
    "check_people_and_routing",
    "default_due",
    "is_blocker",
    "is_unresolved",
    "person_for_name",
    "route",
    "time_waiting_on_consultant",
]
