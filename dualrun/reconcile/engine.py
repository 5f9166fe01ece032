"""Reconcile one entity: prepare both sides, match, compare, classify, count.

``reconcile_entity`` is the pure core of a run: two side frames (one String column per
canonical field plus ``__file``, ``__sheet``, ``__row``) and the entity's config in,
an ``EntityResult`` out. No files, store, clock or printing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dualrun.config import EntityConfig, ProjectConfig
from dualrun.reconcile.compare import Comparison, FieldComparison, compare_fields
from dualrun.reconcile.findings import (
    absent_columns,
    finish,
    group_findings,
    key_json,
    record_findings,
)
from dualrun.reconcile.matching import Decisions, MatchOutcome, match_records
from dualrun.reconcile.model import (
    KINDS,
    EntityResult,
    EntityStats,
    FieldAccuracy,
    OwnerStats,
    empty_discrepancies,
)
from dualrun.reconcile.prepare import (
    KEY_SEPARATOR,
    FieldPlan,
    identity,
    normalised,
    plan_fields,
    prepare_side,
)


@dataclass(frozen=True)
class MatchDecision:
    """A person's word on one pair: "confirm" (same record) or "reject" (not the same).

    Keys are as people see them: a record's key (parts joined by "/"), a CRM record
    ID, or a record identity from a report (``k:…``, ``h:…``, ``r:…``).
    """

    manual_key: str
    crm_key: str
    decision: str


def reconcile_entity(
    name: str,
    entity: EntityConfig,
    project: ProjectConfig,
    manual: pl.DataFrame,
    crm: pl.DataFrame,
    decisions: Sequence[MatchDecision] = (),
) -> EntityResult:
    """Classify every record of one entity; see the module docstring."""
    plans = plan_fields(entity, project, name)
    m = _prepare(manual, "manual", entity, plans)
    c = _prepare(crm, "crm", entity, plans)
    outcome = match_records(m, c, entity, plans, _decided(m, c, entity, plans, decisions))
    key_fields = list(entity.match.key)
    fields = [f for f in entity.fields if f in m.columns or f in c.columns]

    compared = [plan for plan in plans.values() if plan.on_both_sides and plan.spec.compare]
    values = _paired_values(m, c, outcome.pairs, [plan.name for plan in compared])
    comparison = compare_fields(values, compared)
    findings = [
        _mismatch_findings(m, c, outcome.pairs, comparison.fields, name, key_fields),
        record_findings(
            outcome.unmatched_manual.filter(pl.col("__key").is_not_null()),
            "manual",
            "missing_in_crm",
            name,
            key_fields,
            fields,
        ),
        record_findings(
            outcome.unmatched_crm.filter(pl.col("__key").is_not_null()),
            "crm",
            "missing_in_manual",
            name,
            key_fields,
            fields,
        ),
        record_findings(
            outcome.unmatched_manual.filter(pl.col("__key").is_null()),
            "manual",
            "unkeyed_row",
            name,
            key_fields,
            fields,
        ),
        record_findings(
            outcome.unmatched_crm.filter(pl.col("__key").is_null()),
            "crm",
            "unkeyed_row",
            name,
            key_fields,
            fields,
        ),
        group_findings(outcome.duplicates, m, c, "duplicate", name, key_fields, fields),
        group_findings(outcome.ambiguous, m, c, "ambiguous_match", name, key_fields, fields),
    ]
    discrepancies = _unique_fingerprints(pl.concat(findings))
    stats = _stats(m, c, outcome, comparison, discrepancies)
    owners = _owner_stats(m, c, outcome, entity, plans)
    return EntityResult(
        entity=name,
        module=entity.module,
        stats=stats,
        owners=owners,
        discrepancies=discrepancies,
    )


def _decided(
    m: pl.DataFrame,
    c: pl.DataFrame,
    entity: EntityConfig,
    plans: dict[str, FieldPlan],
    decisions: Sequence[MatchDecision],
) -> Decisions:
    """Find the rows each decision names in this run (a decision naming no row is idle)."""
    if not decisions:
        return Decisions()

    def identities(text: str, side: str) -> set[str]:
        parts = text.split("/") if len(entity.match.key) > 1 else [text]
        if len(parts) != len(entity.match.key):
            return {text}
        normal = [
            plans[f].normaliser(side)(p.strip())
            for f, p in zip(entity.match.key, parts, strict=True)
        ]
        found = {text}
        if all(v is not None for v in normal):
            found.add("k:" + KEY_SEPARATOR.join(str(v) for v in normal))
        return found

    def rows(frame: pl.DataFrame, text: str, side: str) -> list[int]:
        condition = identity().is_in(sorted(identities(text, side)))
        if side == "crm" and "__rid_raw" in frame.columns:
            condition = condition | (pl.col("__rid_raw") == text)
        return [int(i) for i in frame.filter(condition)["__i"].to_list()]

    confirmed: list[tuple[int, int]] = []
    rejected: set[tuple[int, int]] = set()
    for decision in decisions:
        pairs = [
            (mi, ci)
            for mi in rows(m, decision.manual_key, "manual")
            for ci in rows(c, decision.crm_key, "crm")
        ]
        if decision.decision == "confirm" and len(pairs) == 1:
            confirmed.extend(pairs)
        elif decision.decision == "reject":
            rejected.update(pairs)
    return Decisions(tuple(confirmed), frozenset(rejected))


def _prepare(
    frame: pl.DataFrame, side: str, entity: EntityConfig, plans: dict[str, FieldPlan]
) -> pl.DataFrame:
    prepared = prepare_side(frame, side, entity, plans)
    if entity.owner and entity.owner in prepared.columns:
        owner = normalised(prepared, plans[entity.owner], side).alias("__owner")
    else:
        owner = pl.Series("__owner", [None] * prepared.height, dtype=pl.String)
    prepared = prepared.with_columns(owner)
    if entity.record_id and entity.record_id in prepared.columns:
        prepared = prepared.with_columns(pl.col(entity.record_id).alias("__rid_raw"))
    return prepared


def _paired_values(
    m: pl.DataFrame, c: pl.DataFrame, pairs: pl.DataFrame, fields: list[str]
) -> pl.DataFrame:
    """``pair`` and the raw `fields` of both rows of every pair: ``{field}__m``,
    ``{field}__c`` (null where a side has no such column).

    ``__i`` is each side's row position, so a gather by position replaces a hash join;
    gathering only the compared columns, not whole rows, halves its cost.
    """
    parts = [pairs.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("pair"))]
    absent = []
    for side, rows, suffix in ((m, pairs["m_i"], "__m"), (c, pairs["c_i"], "__c")):
        present = [f for f in fields if f in side.columns]
        parts.append(side.select(present)[rows].rename({f: f + suffix for f in present}))
        absent += [pl.lit(None, pl.String).alias(f + suffix) for f in fields if f not in present]
    return pl.concat(parts, how="horizontal").with_columns(absent)


def _provenance(side: pl.DataFrame, rows: pl.Series, suffix: str) -> pl.DataFrame:
    """What a finding shows of one row of a pair, gathered for just the given rows."""
    wanted = ["__key", "__keyless_id", "__rid_raw", "__owner", "__file", "__sheet", "__row"]
    present = [col for col in wanted if col in side.columns]
    return side.select(present)[rows].rename({col: col + suffix for col in present})


def _side_of_pair(side: str, suffix: str, pairs: pl.DataFrame) -> list[pl.Expr]:
    rid = f"__rid_raw{suffix}"
    return [
        pl.col("manual_raw" if side == "manual" else "crm_raw").alias(f"{side}_raw"),
        pl.col(f"{side}_normalised"),
        (pl.col(rid) if rid in pairs.columns else pl.lit(None, dtype=pl.String)).alias(
            f"{side}_record_id"
        ),
        pl.col(f"__file{suffix}").alias(f"{side}_file"),
        pl.col(f"__sheet{suffix}").alias(f"{side}_sheet"),
        pl.col(f"__row{suffix}").cast(pl.Int64).alias(f"{side}_row"),
        pl.lit(None, dtype=pl.String).alias(f"{side}_record"),
        pl.lit(True).alias(f"{side}_present"),
    ]


def _mismatch_findings(
    m: pl.DataFrame,
    c: pl.DataFrame,
    pairs: pl.DataFrame,
    comparisons: tuple[FieldComparison, ...],
    entity: str,
    key_fields: list[str],
) -> pl.DataFrame:
    """One discrepancy per field that differs in a pair, with both rows' provenance
    gathered for the mismatching pairs only."""
    mismatches = [
        comparison.mismatches.with_columns(pl.lit(comparison.field).alias("field"))
        for comparison in comparisons
        if comparison.mismatches.height
    ]
    if not mismatches:
        return empty_discrepancies()
    found = pl.concat(mismatches)
    paired = pairs[found["pair"]]
    rows = pl.concat(
        [
            found,
            paired.select("rule", "score"),
            _provenance(m, paired["m_i"], "__m"),
            _provenance(c, paired["c_i"], "__c"),
        ],
        how="horizontal",
    )
    pair_identity = pl.coalesce(
        pl.when(pl.col("__key__c").is_not_null()).then(pl.lit("k:") + pl.col("__key__c")),
        identity("__m"),
    )
    return finish(
        rows.with_columns(pl.coalesce("__key__c", "__key__m").alias("__key")).select(
            pl.lit(entity).alias("entity"),
            pl.lit("field_mismatch").alias("kind"),
            pair_identity.alias("identity"),
            key_json(key_fields).alias("key"),
            pl.col("field"),
            *_side_of_pair("manual", "__m", rows),
            *_side_of_pair("crm", "__c", rows),
            pl.col("rule"),
            pl.col("score"),
            pl.coalesce("__owner__m", "__owner__c").alias("owner"),
            _pair_members().alias("members"),
        )
    )


def _pair_members() -> pl.Expr:
    """For pairs not made by the key: both records with their identities, so a person can
    confirm or reject the pair (`dualrun match`)."""
    sides = [
        pl.struct(
            pl.lit(side).alias("side"),
            pl.col(f"__file{suffix}").alias("file"),
            pl.col(f"__sheet{suffix}").alias("sheet"),
            pl.col(f"__row{suffix}").alias("row"),
            identity(suffix).alias("identity"),
        ).struct.json_encode()
        for side, suffix in (("manual", "__m"), ("crm", "__c"))
    ]
    listed = pl.lit("[") + sides[0] + pl.lit(",") + sides[1] + pl.lit("]")
    return pl.when(pl.col("rule") != "key").then(listed).otherwise(None)


def _unique_fingerprints(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows that share an identity (identical unkeyed rows) get an ordinal suffix.

    Usually every fingerprint is unique already, and numbering is skipped. Otherwise
    rows sharing one are adjacent once sorted, and a row's ordinal is its distance from
    the first row of its run: a linear scan, where a window over the fingerprint took a
    second for half a million findings.
    """
    frame = frame.sort("fingerprint", "manual_file", "manual_sheet", "manual_row", "crm_row")
    if frame["fingerprint"].n_unique() == frame.height:
        return frame
    row = pl.int_range(pl.len())
    starts_run = (pl.col("fingerprint") != pl.col("fingerprint").shift(1)).fill_null(True)
    ordinal = row - pl.when(starts_run).then(row).forward_fill()
    return frame.with_columns(
        pl.when(ordinal > 0)
        .then(pl.col("fingerprint") + pl.lit("-") + ordinal.cast(pl.String))
        .otherwise(pl.col("fingerprint"))
        .alias("fingerprint")
    )


def _stats(
    m: pl.DataFrame,
    c: pl.DataFrame,
    outcome: MatchOutcome,
    comparison: Comparison,
    discrepancies: pl.DataFrame,
) -> EntityStats:
    comparisons = comparison.fields
    counts = dict(discrepancies.group_by("kind").len().iter_rows())
    rules = _pairs_per_rule(outcome.pairs)
    return EntityStats(
        rows_manual=m.height,
        rows_crm=c.height,
        pairs=outcome.pairs.height,
        identical_pairs=outcome.pairs.height - comparison.mismatching_pairs,
        format_only_pairs=comparison.format_only_pairs,
        counts={kind: int(counts.get(kind, 0)) for kind in KINDS},
        duplicate_groups=int(counts.get("duplicate", 0)),
        fields={
            comp.field: FieldAccuracy(comp.compared, comp.equal, comp.format_only)
            for comp in comparisons
        },
        rules={rule: int(n) for rule, n in sorted(rules.items())},
    )


def _pairs_per_rule(pairs: pl.DataFrame) -> dict[str, int]:
    """Pairs come rule by rule, so counting runs of equal rules is a short linear scan."""
    runs = pairs.get_column("rule").rle().struct.unnest()
    return dict(runs.group_by("value").agg(pl.col("len").sum()).iter_rows())


def _owner_stats(
    m: pl.DataFrame,
    c: pl.DataFrame,
    outcome: MatchOutcome,
    entity: EntityConfig,
    plans: dict[str, FieldPlan],
) -> tuple[OwnerStats, ...]:
    """Per owner (负责人): rows each side, missing_in_crm, sums of amount fields."""
    if not entity.owner:
        return ()
    missing = outcome.unmatched_manual.filter(pl.col("__key").is_not_null())
    amount_fields = [n for n, p in plans.items() if p.spec.type == "amount"]
    per_side = {}
    for side, frame in (("manual", m), ("crm", c)):
        sums = [
            _amount_values(frame, plans[f], side).alias(f)
            for f in amount_fields
            if f in frame.columns
        ]
        per_side[side] = (
            frame.select(pl.col("__owner").fill_null("(none)"), *sums)
            .group_by("__owner")
            .agg(pl.len().alias("rows"), *[pl.col(s.meta.output_name()).sum() for s in sums])
        )
    missing_by_owner = dict(
        missing.group_by(pl.col("__owner").fill_null("(none)")).len().iter_rows()
    )
    manual_rows = {r["__owner"]: r for r in per_side["manual"].iter_rows(named=True)}
    crm_rows = {r["__owner"]: r for r in per_side["crm"].iter_rows(named=True)}
    owners = []
    for owner in sorted(set(manual_rows) | set(crm_rows)):
        mrow = manual_rows.get(owner, {})
        crow = crm_rows.get(owner, {})
        owners.append(
            OwnerStats(
                owner=owner,
                rows_manual=int(mrow.get("rows", 0)),
                rows_crm=int(crow.get("rows", 0)),
                missing_in_crm=int(missing_by_owner.get(owner, 0)),
                amounts_manual={f: float(mrow[f] or 0) for f in amount_fields if f in mrow},
                amounts_crm={f: float(crow[f] or 0) for f in amount_fields if f in crow},
            )
        )
    return tuple(owners)


def _amount_values(frame: pl.DataFrame, plan: FieldPlan, side: str) -> pl.Expr:
    """Amounts as floats in base units: a vectorised cast for plain numbers, the
    normaliser only for the cells that are not (``¥12,000``, ``1.2万``…)."""
    from dualrun.reconcile.normalise.amounts import unit_exponent

    raw = frame.get_column(plan.name)
    plain = _plain_numbers(raw)
    unit = (plan.manual_rule if side == "manual" else plan.crm_rule).unit
    plain = plain * (10.0 ** unit_exponent(unit)) if unit else plain
    rest = raw.is_not_null() & plain.is_null()
    if rest.any():
        slow = plan.normalise(raw.filter(rest), side).cast(pl.Float64, strict=False)
        plain = plain.scatter(rest.arg_true(), slow)
    return pl.lit(plain)


def _plain_numbers(raw: pl.Series) -> pl.Series:
    """``raw.str.strip_chars().cast(pl.Float64, strict=False)``, stripping only the
    cells that need it: a cast rejects surrounding spaces, and most cells have none."""
    plain = raw.cast(pl.Float64, strict=False)
    retry = raw.is_not_null() & plain.is_null()
    if retry.any():
        stripped = raw.filter(retry).str.strip_chars().cast(pl.Float64, strict=False)
        plain = plain.scatter(retry.arg_true(), stripped)
    return plain


__all__ = ["absent_columns", "reconcile_entity"]
