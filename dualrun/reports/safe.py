"""Make cell text safe for spreadsheets: text that looks like a formula stays text.

Excel, WPS and LibreOffice evaluate a CSV field (and some xlsx inputs) that starts
with ``= + - @`` or a tab/CR. Prefixing a single quote keeps the visible text and
stops evaluation.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
