"""Prepare one side for matching: per-field normalisers, match keys and record identities.

Input is a side frame (one String column per canonical field plus ``__file``,
``__sheet``, ``__row``); output adds ``__i`` (row index), ``__key`` (the normalised
primary key, null when any part is empty) and ``__id`` (the record identity used in
fingerprints). Pure: data in, data out.
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
    """Add ``__i``, ``__key`` and ``__id`` to a side frame."""
    frame = frame.with_row_index("__i")
    key = composite((normalised(frame, plans[f], side) for f in entity.match.key), "__key")
    frame = frame.with_columns(key)
    candidates = [pl.lit("k:") + pl.col("__key")]
    if side == "crm" and entity.record_id and entity.record_id in frame.columns:
        # The record ID is the identity only of rows without a key: normalise just those.
        keyless = frame.filter(pl.col("__key").is_null())
        record_id = normalised(keyless, plans[entity.record_id], side).alias("__rid")
        frame = frame.join(
            pl.DataFrame([keyless["__i"], record_id]), on="__i", how="left", maintain_order="left"
        )
        candidates.append(pl.lit("r:") + pl.col("__rid"))
    frame = frame.with_columns(pl.coalesce(candidates).alias("__id"))
    missing = frame.filter(pl.col("__id").is_null())
    if missing.height:
        frame = _hash_identities(frame, missing, side, entity, plans)
    return frame.drop("__rid", strict=False)


def match_fields(entity: EntityConfig) -> list[str]:
    """Fields that identify a record when it has no key: fallbacks, then the fuzzy field."""
    names = [f for group in entity.match.fallback for f in group]
    if entity.match.fuzzy:
        names += [entity.match.fuzzy.field, *entity.match.fuzzy.block]
    return list(dict.fromkeys(names)) or [f for f in entity.fields if f not in entity.match.key]


def _hash_identities(
    frame: pl.DataFrame,
    missing: pl.DataFrame,
    side: str,
    entity: EntityConfig,
    plans: dict[str, FieldPlan],
) -> pl.DataFrame:
    """Rows with neither key nor record ID: identity is a hash of their match fields."""
    fields = [f for f in match_fields(entity) if f in missing.columns]
    values = [normalised(missing, plans[f], side).fill_null("") for f in fields]
    joined = composite(values, "__h") if values else pl.Series("__h", [""] * missing.height)
    hashed = [
        "h:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] for text in joined.to_list()
    ]
    update = pl.DataFrame({"__i": missing["__i"], "__hid": hashed})
    return (
        frame.join(update, on="__i", how="left")
        .with_columns(pl.coalesce("__id", "__hid").alias("__id"))
        .drop("__hid")
    )
