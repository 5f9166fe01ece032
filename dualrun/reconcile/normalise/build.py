"""Turn a field's configured policy into normaliser and comparator functions.

This is the entry point the reconciliation engine uses: a ``FieldRule`` says how one
side's column is cleaned (``make_normaliser``), a ``ComparePolicy`` says when two
normalised values count as equal (``make_comparator``), and ``normalise_series`` applies a
normaliser to a polars column, calling it once per distinct value.

Invalid policies (an unknown kind, step or unit, an unknown time zone, an enum map that
chains one value into another, a negative tolerance) raise ``ValueError`` naming what is
allowed; the config layer turns that into a user error. Options that do not apply to a
kind (text steps on a date, a unit on a phone, a day tolerance on an amount) are ignored.
The functions built here never raise on cell values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import polars as pl

from .amounts import amounts_equal, normalise_amount, normalise_number, unit_exponent
from .dates import normalise_date, normalise_datetime, time_zone
from .ids import normalise_id, salesforce_id_18
from .phone import normalise_phone
from .text import DEFAULT_NULL_TOKENS, normalise_text, prepare_text

Normaliser = Callable[[str | None], str | None]
Comparator = Callable[[str | None, str | None], bool]

KINDS: tuple[str, ...] = (
    "text",
    "phone",
    "email",
    "date",
    "datetime",
    "amount",
    "number",
    "id",
    "sfid",
    "enum",
)
"""Field kinds a ``FieldRule`` or ``ComparePolicy`` may name."""

TEXT_STEPS: tuple[str, ...] = (
    "casefold",
    "simplified",
    "company_suffix",
    "no_halfwidth",
    "no_collapse",
)
"""Extra text steps; they apply to the text, email and enum kinds ("casefold" also to id)."""

STEPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": TEXT_STEPS,
    "email": TEXT_STEPS,
    "enum": TEXT_STEPS,
    "id": ("casefold",),
}
"""The steps each kind uses; other kinds ignore steps."""
_DATE_KINDS = ("date", "datetime")
_NUMERIC_KINDS = ("amount", "number")
_CALLING_CODE = re.compile(r"^[1-9]\d{0,2}$", re.ASCII)
_MAILTO = re.compile(r"^mailto:\s*", re.IGNORECASE)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown field kind {kind!r}; use one of: {', '.join(KINDS)}")


@dataclass(frozen=True)
class FieldRule:
    """One canonical field's normalisation policy, for one side of the comparison.

    Raises ValueError on construction for an unknown kind, step, amount unit, time zone
    or calling code. Options the kind does not use are ignored (see ``STEPS_BY_KIND``).
    """

    kind: str = "text"
    steps: tuple[str, ...] = ()
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS
    unit: str | None = None
    enum_map: Mapping[str, str] | None = field(default=None, hash=False)
    timezone: str = "Asia/Shanghai"
    default_country: str = "86"
    day_first: bool = False

    def __post_init__(self) -> None:
        # Accept lists/sets from a config file, keep the frozen value immutable.
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "null_tokens", frozenset(self.null_tokens))
        object.__setattr__(self, "default_country", self.default_country.strip().lstrip("+"))
        _check_kind(self.kind)
        for step in self.steps:
            if step not in TEXT_STEPS:
                raise ValueError(f"unknown step {step!r}; use one of: {', '.join(TEXT_STEPS)}")
        if self.kind == "amount":
            unit_exponent(self.unit)
        time_zone(self.timezone)
        if not _CALLING_CODE.match(self.default_country):
            raise ValueError(
                f"default_country {self.default_country!r} must be a calling code "
                "of 1-3 digits without '+', like '86' or '1'"
            )


def _text_normaliser(rule: FieldRule, *, casefold: bool = False) -> Normaliser:
    steps = set(rule.steps)
    null_tokens = rule.null_tokens
    halfwidth = "no_halfwidth" not in steps
    collapse = "no_collapse" not in steps
    casefold = casefold or "casefold" in steps
    simplified = "simplified" in steps
    company_suffix = "company_suffix" in steps

    def normalise(value: str | None) -> str | None:
        return normalise_text(
            value,
            null_tokens=null_tokens,
            halfwidth=halfwidth,
            collapse=collapse,
            casefold=casefold,
            simplified=simplified,
            company_suffix=company_suffix,
        )

    return normalise


def _email_normaliser(rule: FieldRule) -> Normaliser:
    text = _text_normaliser(rule, casefold=True)

    def normalise(value: str | None) -> str | None:
        cleaned = text(value)
        if cleaned is None:
            return None
        return text(_MAILTO.sub("", cleaned))

    return normalise


def _enum_lookup(rule: FieldRule, text: Normaliser) -> dict[str, str]:
    """The enum map with keys normalised like the cells, and each canonical value mapped
    to itself, so that normalising twice gives the same value."""
    lookup: dict[str, str] = {}
    for raw, canonical in (rule.enum_map or {}).items():
        key = text(raw)
        if key is None:
            continue
        if lookup.get(key, canonical) != canonical:
            raise ValueError(
                f"enum_map maps {key!r} to both {lookup[key]!r} and {canonical!r} "
                "once the keys are normalised"
            )
        lookup[key] = canonical
    for canonical in set(lookup.values()):
        key = text(canonical)
        if key is None:
            continue
        target = lookup.setdefault(key, canonical)
        if target != canonical:
            raise ValueError(
                f"enum_map value {canonical!r} is itself mapped to {target!r}; "
                f"map its sources straight to {target!r}"
            )
    return lookup


def _enum_normaliser(rule: FieldRule) -> Normaliser:
    text = _text_normaliser(rule)
    lookup = _enum_lookup(rule, text)

    def normalise(value: str | None) -> str | None:
        cleaned = text(value)
        if cleaned is None:
            return None
        return lookup.get(cleaned, cleaned)

    return normalise


def _sfid_normaliser(rule: FieldRule) -> Normaliser:
    null_tokens = rule.null_tokens

    def normalise(value: str | None) -> str | None:
        return salesforce_id_18(prepare_text(value, null_tokens))

    return normalise


def make_normaliser(rule: FieldRule) -> Normaliser:
    """Build the function that turns one side's raw cell into its canonical string.

    The result maps None and null tokens to None, never raises on a cell value, and is
    idempotent (except an ``amount`` rule with a unit other than 元, whose output is in 元).
    """
    kind, null_tokens = rule.kind, rule.null_tokens
    if kind == "text":
        return _text_normaliser(rule)
    if kind == "email":
        return _email_normaliser(rule)
    if kind == "enum":
        return _enum_normaliser(rule)
    if kind == "sfid":
        return _sfid_normaliser(rule)
    if kind == "phone":
        country = rule.default_country
        return lambda v: normalise_phone(v, default_country=country, null_tokens=null_tokens)
    if kind in _DATE_KINDS:
        parse = normalise_date if kind == "date" else normalise_datetime
        tz, day_first = rule.timezone, rule.day_first
        return lambda v: parse(v, tz=tz, null_tokens=null_tokens, day_first=day_first)
    if kind == "amount":
        unit = rule.unit
        return lambda v: normalise_amount(v, unit=unit, null_tokens=null_tokens)
    if kind == "number":
        return lambda v: normalise_number(v, null_tokens=null_tokens)
    if kind == "id":
        casefold = "casefold" in rule.steps
        return lambda v: normalise_id(v, casefold=casefold, null_tokens=null_tokens)
    raise AssertionError(f"kind {kind!r} passed validation but has no normaliser")


def _as_decimal(value: Decimal | int | float | str) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"tolerance {value!r} is not a number") from exc


@dataclass(frozen=True)
class ComparePolicy:
    """When two normalised values of one field count as equal.

    ``abs_tol``/``rel_tol`` apply to amount and number kinds, ``days`` to date and datetime
    kinds; other kinds compare exactly and ignore them. Raises ValueError on construction
    for an unknown kind or a negative tolerance.
    """

    kind: str = "text"
    abs_tol: Decimal = Decimal(0)
    rel_tol: Decimal = Decimal(0)
    days: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "abs_tol", _as_decimal(self.abs_tol))
        object.__setattr__(self, "rel_tol", _as_decimal(self.rel_tol))
        _check_kind(self.kind)
        if self.abs_tol < 0 or self.rel_tol < 0 or self.days < 0:
            raise ValueError("tolerances (abs_tol, rel_tol, days) must not be negative")


def _exact(a: str | None, b: str | None) -> bool:
    return a == b


def _within_days(days: int, parse: Callable[[str], date]) -> Comparator:
    window = timedelta(days=days)

    def compare(a: str | None, b: str | None) -> bool:
        if a == b:
            return True
        if a is None or b is None:
            return False
        try:
            return abs(parse(a) - parse(b)) <= window
        except ValueError:
            return False  # at least one is not a date (kept as text) and they differ

    return compare


def make_comparator(policy: ComparePolicy) -> Comparator:
    """Build the equality test for two NORMALISED values of one field.

    None equals None only; dates/datetimes may differ by up to ``days``; amounts and
    numbers by ``abs_tol`` or ``rel_tol`` × the larger magnitude; values that could not be
    normalised (kept as text) compare as strings.
    """
    if policy.kind in _DATE_KINDS and policy.days:
        parse: Callable[[str], date] = (
            date.fromisoformat if policy.kind == "date" else datetime.fromisoformat
        )
        return _within_days(policy.days, parse)
    if policy.kind in _NUMERIC_KINDS:
        # Numeric even without tolerances, so "100" equals "100.0" from any source.
        abs_tol, rel_tol = policy.abs_tol, policy.rel_tol
        return lambda a, b: amounts_equal(a, b, abs_tol=abs_tol, rel_tol=rel_tol)
    return _exact


def normalise_series(series: pl.Series, fn: Normaliser) -> pl.Series:
    """Apply ``fn`` to every value of ``series``, calling it once per distinct value.

    Nulls stay null; the result is a String series with the same name and length.
    """
    text = series if series.dtype == pl.String else series.cast(pl.String)
    distinct = text.unique().drop_nulls().to_list()
    old: list[str] = []
    new: list[str | None] = []
    for raw in distinct:
        normalised = fn(raw)
        if normalised != raw:
            old.append(raw)
            new.append(normalised)
    if not old:
        return text
    return text.replace(pl.Series(old, dtype=pl.String), pl.Series(new, dtype=pl.String))
