"""The one error family of dualrun.

Every expected failure is a ``DualrunError`` carrying an exit code and a message that
names where the problem is (file, sheet, row, column) and what to do. The CLI catches
this family in one place; anything else is a bug and shows a traceback.

Exit codes (documented in the README):
    0  ran clean
    1  discrepancies found / some rows rejected
    2  usage, config or input error
    3  readiness NO-GO (readiness command only)
    130 interrupted
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_NO_GO = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where in a user's file a problem is, as the user would see it in Excel."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class DualrunError(Exception):
    """Base of every expected failure; carries its exit code."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = self.message
        if self.location is not None:
            where = self.location.describe()
            if where:
                text = f"{where}: {text}"
        if self.hint:
            text = f"{text}\n  hint: {self.hint}"
        return text


class UsageError(DualrunError):
    """The command line was wrong."""


class ConfigError(DualrunError):
    """The config file is missing, unreadable or invalid."""


class InputError(DualrunError):
    """A source file cannot be read as configured (missing, corrupt, header not found...)."""


class StoreError(DualrunError):
    """The store cannot be opened, upgraded or written."""


class ConflictError(DualrunError):
    """Someone else changed the same record first (optimistic concurrency)."""


class PermissionDenied(DualrunError):
    """The acting person's role does not allow the action."""
