"""Pure normalisation and comparison of cell values from both sides of a parallel run.

Every function takes ``str | None`` cells and returns canonical strings (None for an
empty cell) that can be stored and displayed; none reads files, the clock, a database
or prints, and none raises on an odd cell value (unparseable values come back as
cleaned text). ``build`` turns a field's configured policy into the normaliser and
comparator functions the engine uses.
"""

from __future__ import annotations

from .amounts import UNIT_EXPONENTS, amounts_equal, normalise_amount, normalise_number
from .build import (
    KINDS,
    STEPS_BY_KIND,
    TEXT_STEPS,
    Comparator,
    ComparePolicy,
    FieldRule,
    Normaliser,
    make_comparator,
    make_normaliser,
    normalise_series,
)
from .dates import normalise_date, normalise_datetime
from .ids import normalise_id, salesforce_id_18
from .phone import normalise_phone
from .text import (
    DEFAULT_NULL_TOKENS,
    collapse_ws,
    is_null,
    normalise_text,
    prepare_text,
    strip_company_suffix,
    to_halfwidth,
    to_simplified,
)

__all__ = [
    "DEFAULT_NULL_TOKENS",
    "KINDS",
    "STEPS_BY_KIND",
    "TEXT_STEPS",
    "UNIT_EXPONENTS",
    "Comparator",
    "ComparePolicy",
    "FieldRule",
    "Normaliser",
    "amounts_equal",
    "collapse_ws",
    "is_null",
    "make_comparator",
    "make_normaliser",
    "normalise_amount",
    "normalise_date",
    "normalise_datetime",
    "normalise_id",
    "normalise_number",
    "normalise_phone",
    "normalise_series",
    "normalise_text",
    "prepare_text",
    "salesforce_id_18",
    "strip_company_suffix",
    "to_halfwidth",
    "to_simplified",
]
