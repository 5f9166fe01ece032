"""Compare the fields of matched pairs: raw values first, normalise only where they differ.

For each compared field whose two sides normalise alike, pairs whose raw values are
equal (or both empty) are equal without normalising anything; only the rest are
normalised and compared under the field's policy. Where the sides differ (a unit of
万元 against 元, an enum map), every non-empty pair is normalised. A raw difference
that vanishes under normalisation is "format-only": counted, never a discrepancy.
Pure: frames in, ``FieldComparison`` values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dualrun.reconcile.normalise.fast import CANONICAL_NUMBER
from dualrun.reconcile.prepare import FieldPlan

#: How many candidate rows `compare_field` samples to choose between its two ways.
SAMPLE = 10_000


@dataclass(frozen=True)
class FieldComparison:
    """One field over all pairs: who differs, and the evidence for those who do."""

    field: str
    compared: int  # pairs where the field is non-empty on either side
    equal: int
    format_only: int
    mismatches: pl.DataFrame  # pair, manual_raw, crm_raw, manual_normalised, crm_normalised


@dataclass(frozen=True)
class Comparison:
    """Every compared field over all pairs."""

    fields: tuple[FieldComparison, ...]
    normalised_pairs: int  # pairs with at least one field that had to be normalised

    @property
    def mismatching_pairs(self) -> int:
        """Pairs with a mismatch in at least one field."""
        pairs = [f.mismatches["pair"] for f in self.fields]
        return pl.concat(pairs).n_unique() if pairs else 0

    @property
    def format_only_pairs(self) -> int:
        """Pairs that differ only in format: normalised somewhere, a mismatch nowhere.

        Only normalised values can mismatch, so this is a difference of two counts.
        """
        return self.normalised_pairs - self.mismatching_pairs


def compare_fields(values: pl.DataFrame, plans: Sequence[FieldPlan]) -> Comparison:
    """Compare every field in `plans` over all pairs.

    `values` has a ``pair`` column and each field's raw values as ``{field}__m`` and
    ``{field}__c``. The raw screen of all fields (which rows need normalising) is one
    polars query, run in parallel; only the rows it lets through reach the normalisers.
    """
    screen = values.select(*[_to_normalise(plan).alias(plan.name) for plan in plans])
    empty = values.select(*[_both_empty(plan).sum().alias(plan.name) for plan in plans])
    fields = tuple(
        compare_field(
            values.select("pair", _raw(plan, "m"), _raw(plan, "c")).filter(screen[plan.name]),
            plan,
            non_empty=values.height - int(empty[plan.name][0]),
        )
        for plan in plans
    )
    normalised = screen.select(pl.any_horizontal(False, pl.all()).sum()).item()
    return Comparison(fields=fields, normalised_pairs=int(normalised))


def _raw(plan: FieldPlan, side: str) -> pl.Expr:
    return pl.col(f"{plan.name}__{side}").alias(side)


def _both_empty(plan: FieldPlan) -> pl.Expr:
    return _raw(plan, "m").is_null() & _raw(plan, "c").is_null()


def _to_normalise(plan: FieldPlan) -> pl.Expr:
    """Rows whose raw values do not settle the comparison by themselves."""
    if plan.symmetric:
        return ~_raw(plan, "m").eq_missing(_raw(plan, "c"))
    # Units or an enum map differ by side: equal text can still mean different values.
    return ~_both_empty(plan)


def compare_field(candidates: pl.DataFrame, plan: FieldPlan, *, non_empty: int) -> FieldComparison:
    """Normalise and compare the `candidates` (``pair``, ``m``, ``c``) of one field.

    `non_empty` is how many pairs have the field on either side. A column of few
    distinct value pairs (dates written two ways: a million rows, a few thousand
    pairs of spellings) is compared once per distinct pair; others row by row.
    """
    sample = candidates.head(SAMPLE)
    few = sample.height > 0 and sample.select("m", "c").n_unique() < sample.height // 2
    if few:
        mismatches, format_only, both_null_after = _by_distinct_pairs(candidates, plan)
    else:
        mismatches, format_only, both_null_after = _row_by_row(candidates, plan)
    # Empty after normalisation on both sides (e.g. "无" vs "") is not a compared value.
    compared = non_empty - both_null_after
    return FieldComparison(
        field=plan.name,
        compared=compared,
        equal=compared - mismatches.height,
        format_only=format_only - both_null_after,
        mismatches=mismatches,
    )


def _row_by_row(candidates: pl.DataFrame, plan: FieldPlan) -> tuple[pl.DataFrame, int, int]:
    """Mismatching rows, and how many rows are equal and how many empty once normalised."""
    m_norm = plan.normalise(candidates["m"], "manual")
    c_norm = plan.normalise(candidates["c"], "crm")
    differing = candidates.with_columns(
        m_norm.alias("mn"), c_norm.alias("cn"), _same(plan, m_norm, c_norm).alias("same")
    )
    equal = differing.filter(pl.col("same"))
    both_null_after = equal.filter(pl.col("mn").is_null() & pl.col("cn").is_null()).height
    return _mismatch_rows(differing.filter(~pl.col("same"))), equal.height, both_null_after


def _by_distinct_pairs(candidates: pl.DataFrame, plan: FieldPlan) -> tuple[pl.DataFrame, int, int]:
    """``_row_by_row`` computed once per distinct (manual, CRM) value pair.

    Normalising and comparing are functions of the two raw values, so each distinct
    pair decides all its rows; only the rows of mismatching pairs are looked up again.
    """
    distinct = candidates.lazy().group_by("m", "c").agg(pl.len().alias("rows")).collect()
    m_norm = plan.normalise(distinct["m"], "manual")
    c_norm = plan.normalise(distinct["c"], "crm")
    decided = distinct.with_columns(
        m_norm.alias("mn"), c_norm.alias("cn"), _same(plan, m_norm, c_norm).alias("same")
    )
    equal = decided.filter(pl.col("same"))
    both_null_after = equal.filter(pl.col("mn").is_null() & pl.col("cn").is_null())["rows"].sum()
    unequal = decided.filter(~pl.col("same")).select("m", "c", "mn", "cn")
    if unequal.height:
        rows = candidates.join(unequal, on=["m", "c"], nulls_equal=True, maintain_order="left")
    else:
        rows = candidates.clear().with_columns(unequal.select("mn", "cn").clear())
    return _mismatch_rows(rows), int(equal["rows"].sum()), int(both_null_after)


def _mismatch_rows(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(
        "pair",
        pl.col("m").alias("manual_raw"),
        pl.col("c").alias("crm_raw"),
        pl.col("mn").alias("manual_normalised"),
        pl.col("cn").alias("crm_normalised"),
    )


def _same(plan: FieldPlan, m_norm: pl.Series, c_norm: pl.Series) -> pl.Series:
    """Whether each pair of normalised values is equal under the field's policy.

    Equal text (or two empties) is equal under every policy, and one empty value never
    equals another value, so the comparator (Python) only sees two different non-empty
    values, and not even those when both are canonical numbers compared without a
    tolerance: canonical text is unique per number, so different text is a different
    number.
    """
    same = m_norm.eq_missing(c_norm)
    if plan.exact:
        return same
    undecided = ~same & m_norm.is_not_null() & c_norm.is_not_null()
    if plan.canonical_numbers_exact:
        canonical = m_norm.str.contains(CANONICAL_NUMBER) & c_norm.str.contains(CANONICAL_NUMBER)
        undecided = undecided & ~canonical
    if not undecided.any():
        return same
    at = undecided.arg_true()
    verdicts = pl.Series(
        [
            plan.comparator(a, b)
            for a, b in zip(m_norm.gather(at).to_list(), c_norm.gather(at).to_list(), strict=True)
        ],
        dtype=pl.Boolean,
    )
    return same.scatter(at, verdicts)
