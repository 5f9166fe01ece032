"""Compare the fields of matched pairs: raw values first, normalise only where they differ.

For each compared field whose two sides normalise alike, pairs whose raw values are
equal (or both empty) are equal without normalising anything; only the rest are
normalised and compared under the field's policy. Where the sides differ (a unit of
万元 against 元, an enum map), every non-empty pair is normalised. A raw difference
that vanishes under normalisation is "format-only": counted, never a discrepancy.
Pure: frames in, ``FieldComparison`` values out.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dualrun.reconcile.prepare import FieldPlan


@dataclass(frozen=True)
class FieldComparison:
    """One field over all pairs: who differs, and the evidence for those who do."""

    field: str
    compared: int  # pairs where the field is non-empty on either side
    equal: int
    format_only: int
    mismatches: pl.DataFrame  # pair, manual_raw, crm_raw, manual_normalised, crm_normalised
    format_only_pairs: pl.Series  # pair indices whose difference was format-only


def compare_field(pairs: pl.DataFrame, plan: FieldPlan) -> FieldComparison:
    """`pairs` has columns ``pair``, ``m`` (manual raw) and ``c`` (CRM raw)."""
    both_empty = pairs["m"].is_null() & pairs["c"].is_null()
    if plan.symmetric:
        candidates = pairs.filter(~pairs["m"].eq_missing(pairs["c"]))
    else:  # units or an enum map differ by side: equal text can still mean different values
        candidates = pairs.filter(~both_empty)
    m_norm = plan.normalise(candidates["m"], "manual")
    c_norm = plan.normalise(candidates["c"], "crm")
    if plan.exact:
        same = m_norm.eq_missing(c_norm)
    else:
        same = pl.Series(
            [
                plan.comparator(a, b)
                for a, b in zip(m_norm.to_list(), c_norm.to_list(), strict=True)
            ],
            dtype=pl.Boolean,
        )
    differing = candidates.with_columns(m_norm.alias("mn"), c_norm.alias("cn"), same.alias("same"))
    mismatches = differing.filter(~pl.col("same")).select(
        "pair",
        pl.col("m").alias("manual_raw"),
        pl.col("c").alias("crm_raw"),
        pl.col("mn").alias("manual_normalised"),
        pl.col("cn").alias("crm_normalised"),
    )
    format_only = differing.filter(pl.col("same"))
    # Empty after normalisation on both sides (e.g. "无" vs "") is not a compared value.
    both_null_after = format_only.filter(pl.col("mn").is_null() & pl.col("cn").is_null()).height
    compared = pairs.height - int(both_empty.sum()) - both_null_after
    return FieldComparison(
        field=plan.name,
        compared=compared,
        equal=compared - mismatches.height,
        format_only=format_only.height - both_null_after,
        mismatches=mismatches,
        format_only_pairs=format_only["pair"],
    )
