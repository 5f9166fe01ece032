"""Prepare one side for matching: per-field normalisers, match keys and record identities.

Input is a side frame (one String column per canonical field plus ``__file``,
``__sheet``, ``__row``); output adds ``__i`` (row index), ``__key`` (the normalised
primary key, null when any part is empty) and ``__keyless_id`` (the record identity of
rows without a key); ``identity()`` gives every row's record identity, used in
fingerprints. Pure: data in, data out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from dualrun.config import EntityConfig, FieldConfig, ProjectConfig
from dualrun.errors import ConfigError
from dualrun.reconcile.normalise import (
    DEFAULT_NULL_TOKENS,
    ComparePolicy,
    FieldRule,
    make_comparator,
    make_normaliser,
)
from dualrun.reconcile.normalise.fast import normalise_column

KEY_SEPARATOR = "\x1f"
Normaliser = Callable[[str | None], str | None]
Comparator = Callable[[str | None, str | None], bool]


@dataclass(frozen=True)
class FieldPlan:
    """How one canonical field is normalised on each side and compared."""

    name: str
    spec: FieldConfig
    manual_rule: FieldRule
    crm_rule: FieldRule
    manual: Normaliser
    crm: Normaliser
    comparator: Comparator
    exact: bool  # equality of normalised values is the whole comparison
    symmetric: bool  # both sides normalise alike, so equal raw values are equal
    # Numbers without a tolerance: two canonical numbers are equal only if their text is.
    canonical_numbers_exact: bool

    @property
    def on_both_sides(self) -> bool:
        return bool(self.spec.headers("manual")) and bool(self.spec.headers("crm"))

    def normaliser(self, side: str) -> Normaliser:
        return self.manual if side == "manual" else self.crm

    def normalise(self, series: pl.Series, side: str) -> pl.Series:
        """Normalise a column: vectorised where values are already canonical, Python elsewhere."""
        rule = self.manual_rule if side == "manual" else self.crm_rule
        return normalise_column(series, rule, self.normaliser(side))


def plan_fields(
    entity: EntityConfig, project: ProjectConfig, entity_name: str = "?"
) -> dict[str, FieldPlan]:
    """Build the normalisers and comparators of every field, once per run."""
    null_tokens = (
        frozenset(project.null_tokens) if project.null_tokens is not None else DEFAULT_NULL_TOKENS
    )
    plans = {}
    for name, spec in entity.fields.items():
        common = {
            "kind": spec.type,
            "steps": tuple(spec.normalise),
            "null_tokens": null_tokens,
            "timezone": project.timezone,
            "default_country": project.default_country,
        }
        manual_rule = FieldRule(unit=spec.manual_unit, enum_map=spec.map or None, **common)  # type: ignore[arg-type]
        crm_rule = FieldRule(unit=spec.crm_unit, **common)  # type: ignore[arg-type]
        policy = ComparePolicy(
            kind=spec.type,
            abs_tol=Decimal(str(spec.tolerance_abs)),
            rel_tol=Decimal(str(spec.tolerance_rel)),
            days=spec.tolerance_days,
        )
        exact = not (spec.tolerance_abs or spec.tolerance_rel or spec.tolerance_days) and (
            spec.type not in ("amount", "number")
        )
        try:
            plans[name] = FieldPlan(
                name=name,
                spec=spec,
                manual_rule=manual_rule,
                crm_rule=crm_rule,
                manual=make_normaliser(manual_rule),
                crm=make_normaliser(crm_rule),
                comparator=make_comparator(policy),
                exact=exact,
                symmetric=manual_rule == crm_rule,
                canonical_numbers_exact=spec.type in ("amount", "number")
                and not (policy.abs_tol or policy.rel_tol),
            )
        except ValueError as exc:
            raise ConfigError(f"entities.{entity_name}.fields.{name}: {exc}") from exc
    return plans


def normalised(frame: pl.DataFrame, plan: FieldPlan, side: str) -> pl.Series:
    """The field's normalised values on one side (null where the column is absent)."""
    if plan.name not in frame.columns:
        return pl.Series(plan.name, [None] * frame.height, dtype=pl.String)
    return plan.normalise(frame.get_column(plan.name), side).alias(plan.name)


def composite(columns: Iterable[pl.Series], name: str) -> pl.Series:
    """Join normalised parts into one key; null when any part is null."""
    parts = list(columns)
    if len(parts) == 1:
        return parts[0].alias(name)
    return pl.DataFrame(parts).select(
        pl.concat_str([pl.col(p.name) for p in parts], separator=KEY_SEPARATOR).alias(name)
    )[name]


def prepare_side(
    frame: pl.DataFrame, side: str, entity: EntityConfig, plans: dict[str, FieldPlan]
) -> pl.DataFrame:
    """Add ``__i``, ``__key`` and ``__keyless_id`` to a side frame."""
    frame = frame.with_row_index("__i")
    key = composite((normalised(frame, plans[f], side) for f in entity.match.key), "__key")
    frame = frame.with_columns(key)
    return frame.with_columns(_keyless_identities(frame, side, entity, plans))


def identity(suffix: str = "") -> pl.Expr:
    """The record identity of each row: ``k:`` and the key, else its ``__keyless_id``.

    Derived where it is needed, not stored: only the few rows that become findings
    need it, and writing ``k:…`` for every keyed row of a 1M-row side takes 25 ms.
    `suffix` names the columns of one side of a pair (``__key__m``…).
    """
    return pl.coalesce(pl.lit("k:") + pl.col(f"__key{suffix}"), pl.col(f"__keyless_id{suffix}"))


def _keyless_identities(
    frame: pl.DataFrame, side: str, entity: EntityConfig, plans: dict[str, FieldPlan]
) -> pl.Series:
    """``__keyless_id``: for rows without a key, ``r:`` and the normalised CRM record ID,
    else ``h:`` and a hash of the match fields (see ``_hash_identities``); null for rows
    with a key. Each is computed for just the rows that need it.
    """
    keyless = frame.get_column("__key").is_null()
    ids = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("__keyless_id")
    if not keyless.any():
        return ids
    rows = frame.filter(keyless)
    found = pl.repeat(None, rows.height, dtype=pl.String, eager=True)
    if side == "crm" and entity.record_id and entity.record_id in frame.columns:
        plan = plans[entity.record_id]
        found = _fill_missing(found, rows, lambda part: "r:" + normalised(part, plan, side))
    found = _fill_missing(found, rows, lambda part: _hash_identities(part, side, entity, plans))
    return ids.scatter(keyless.arg_true(), found)


def _fill_missing(
    ids: pl.Series, frame: pl.DataFrame, make: Callable[[pl.DataFrame], pl.Series]
) -> pl.Series:
    """`ids` with its nulls replaced by `make` of the rows of `frame` that have them."""
    missing = ids.is_null()
    if not missing.any():
        return ids
    return ids.scatter(missing.arg_true(), make(frame.filter(missing)))


def match_fields(entity: EntityConfig) -> list[str]:
    """Fields that identify a record when it has no key: fallbacks, then the fuzzy field."""
    names = [f for group in entity.match.fallback for f in group]
    if entity.match.fuzzy:
        names += [entity.match.fuzzy.field, *entity.match.fuzzy.block]
    return list(dict.fromkeys(names)) or [f for f in entity.fields if f not in entity.match.key]


def _hash_identities(
    missing: pl.DataFrame, side: str, entity: EntityConfig, plans: dict[str, FieldPlan]
) -> pl.Series:
    """Rows with neither key nor record ID: identity is a hash of their match fields."""
    fields = [f for f in match_fields(entity) if f in missing.columns]
    values = [normalised(missing, plans[f], side).fill_null("") for f in fields]
    joined = composite(values, "__h") if values else pl.Series("__h", [""] * missing.height)
    hashed = [
        "h:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] for text in joined.to_list()
    ]
    return pl.Series("__keyless_id", hashed, dtype=pl.String)
