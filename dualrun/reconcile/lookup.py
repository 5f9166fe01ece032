"""Resolve CRM reference columns through another entity (e.g. Contact.AccountId → Account.Name).

A CRM export refers to other records by ID, while the manual sheet names them
(客户名称). A field with ``lookup = { entity = "account", by = "crm_id", to = "name" }``
has its CRM values replaced by the referenced record's ``to`` value before comparison.
A value that resolves to nothing is kept as it is, so the difference stays visible.
Pure: frames in, frame out.
"""

from __future__ import annotations

import polars as pl

from dualrun.reconcile.prepare import FieldPlan


def resolve_lookup(
    frame: pl.DataFrame,
    field: str,
    target: pl.DataFrame,
    target_by: FieldPlan,
    target_to: str,
) -> tuple[pl.DataFrame, int]:
    """Replace `field` in the CRM `frame` by the `target` row's `target_to` value.

    Returns the new frame and how many non-empty values could not be resolved.
    """
    if field not in frame.columns or target_by.name not in target.columns:
        return frame, 0
    keys = target_by.normalise(target.get_column(target_by.name), "crm").alias("__lk")
    mapping = (
        pl.DataFrame([keys, target.get_column(target_to).alias("__lv")])
        .drop_nulls("__lk")
        .unique("__lk", keep="first", maintain_order=True)
    )
    # The referencing column holds the same kind of value as the target's `by` field.
    probe = target_by.normalise(frame.get_column(field), "crm").alias("__lk")
    resolved = (
        pl.DataFrame([probe])
        .join(mapping, on="__lk", how="left", maintain_order="left")
        .get_column("__lv")
    )
    original = frame.get_column(field)
    unresolved = int((original.is_not_null() & resolved.is_null()).sum())
    merged = pl.select(pl.coalesce(resolved, original)).to_series().alias(field)
    return frame.with_columns(merged), unresolved
