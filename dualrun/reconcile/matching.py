"""Pair records across the two sides, strictly 1:1, never by a silent guess.

Order of rules: the primary key (hash join), then each fallback key in turn, then
fuzzy matching on a name within blocks. Keys that occur twice on one side are
duplicates and take no part in matching; fallback values or fuzzy candidates that
would pair one record with several become ambiguous groups. Pure: frames in,
``MatchOutcome`` out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from dualrun.config import EntityConfig, FuzzyConfig
from dualrun.reconcile.prepare import FieldPlan, composite, normalised

if TYPE_CHECKING:
    import numpy as np

PAIR_SCHEMA = {"m_i": pl.UInt32, "c_i": pl.UInt32, "rule": pl.String, "score": pl.Float64}
GROUP_SCHEMA = {"group": pl.String, "side": pl.String, "i": pl.UInt32, "rule": pl.String}


@dataclass(frozen=True)
class Decisions:
    """People's decisions on pairs, resolved to row positions of this run."""

    confirmed: tuple[tuple[int, int], ...] = ()  # (manual __i, crm __i): pair them
    rejected: frozenset[tuple[int, int]] = frozenset()  # never pair these two


@dataclass(frozen=True)
class MatchOutcome:
    pairs: pl.DataFrame  # m_i, c_i, rule, score
    duplicates: pl.DataFrame  # group (the key), side, i, rule — every member of each group
    ambiguous: pl.DataFrame  # group, side, i, rule — candidates that could not be told apart
    unmatched_manual: pl.DataFrame  # the manual rows left over
    unmatched_crm: pl.DataFrame


def match_records(
    manual: pl.DataFrame,
    crm: pl.DataFrame,
    entity: EntityConfig,
    plans: dict[str, FieldPlan],
    decisions: Decisions | None = None,
) -> MatchOutcome:
    """Run the configured rules in order; each rule only sees what earlier ones left.

    Pairs people confirmed come right after the primary key; pairs they rejected are
    never made by a fallback or fuzzy rule.

    Pools are kept narrow (row index and key): wide rows are gathered by position only
    for the few records a fallback or fuzzy rule needs, and for what is left at the end.
    ``__i`` must be each side's row position (``prepare_side`` makes it so).
    """
    primary = _primary_key(manual.get_column("__key"), crm.get_column("__key"))
    duplicates = primary.duplicates
    m_pool = manual.select("__i", "__key").filter(~primary.taken_manual)
    c_pool = crm.select("__i", "__key").filter(~primary.taken_crm)

    decided = decisions or Decisions()
    pairs = [primary.pairs]
    ambiguous = [pl.DataFrame(schema=GROUP_SCHEMA)]
    if decided.confirmed:
        confirmed = _confirmed(m_pool, c_pool, decided.confirmed)
        pairs.append(confirmed)
        m_pool = _without(m_pool, confirmed["m_i"])
        c_pool = _without(c_pool, confirmed["c_i"])

    for group in entity.match.fallback:
        rule = "fallback:" + "+".join(group)
        m_wide, c_wide = manual[m_pool["__i"]], crm[c_pool["__i"]]
        m_key = composite((normalised(m_wide, plans[f], "manual") for f in group), "__fb")
        c_key = composite((normalised(c_wide, plans[f], "crm") for f in group), "__fb")
        found, groups = _fallback(m_pool.with_columns(m_key), c_pool.with_columns(c_key), rule)
        found = _not_rejected(found, decided.rejected)
        pairs.append(found)
        ambiguous.append(groups)
        m_pool, c_pool = _take_out(m_pool, c_pool, found, groups)

    if entity.match.fuzzy and m_pool.height and c_pool.height:
        m_wide, c_wide = manual[m_pool["__i"]], crm[c_pool["__i"]]
        found, groups = _fuzzy(m_wide, c_wide, entity.match.fuzzy, plans, decided.rejected)
        pairs.append(found)
        ambiguous.append(groups)
        m_pool, c_pool = _take_out(m_pool, c_pool, found, groups)

    return MatchOutcome(
        pairs=pl.concat(pairs),
        duplicates=duplicates,
        ambiguous=pl.concat(ambiguous),
        unmatched_manual=manual[m_pool["__i"]],
        unmatched_crm=crm[c_pool["__i"]],
    )


def _confirmed(
    m_pool: pl.DataFrame, c_pool: pl.DataFrame, confirmed: tuple[tuple[int, int], ...]
) -> pl.DataFrame:
    """Confirmed pairs whose two rows are both still unpaired (each row once)."""
    free_m = set(m_pool["__i"].to_list())
    free_c = set(c_pool["__i"].to_list())
    chosen: list[tuple[int, int]] = []
    for m_i, c_i in confirmed:
        if m_i in free_m and c_i in free_c:
            chosen.append((m_i, c_i))
            free_m.discard(m_i)
            free_c.discard(c_i)
    return pl.DataFrame(
        {
            "m_i": [m for m, _ in chosen],
            "c_i": [c for _, c in chosen],
            "rule": ["confirmed"] * len(chosen),
            "score": [100.0] * len(chosen),
        },
        schema=PAIR_SCHEMA,
    )


def _not_rejected(found: pl.DataFrame, rejected: frozenset[tuple[int, int]]) -> pl.DataFrame:
    if not rejected or found.height == 0:
        return found
    keep = [
        (m, c) not in rejected
        for m, c in zip(found["m_i"].to_list(), found["c_i"].to_list(), strict=True)
    ]
    return found.filter(pl.Series(keep, dtype=pl.Boolean))


def _take_out(
    m_pool: pl.DataFrame, c_pool: pl.DataFrame, found: pl.DataFrame, groups: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Remove paired rows and ambiguous candidates from the pools."""
    used_m = pl.concat([found["m_i"], groups.filter(pl.col("side") == "manual")["i"]])
    used_c = pl.concat([found["c_i"], groups.filter(pl.col("side") == "crm")["i"]])
    return _without(m_pool, used_m), _without(c_pool, used_c)


def _without(pool: pl.DataFrame, used: pl.Series) -> pl.DataFrame:
    """The pool minus the rows whose ``__i`` is in `used`, in pool order.

    A filter by set membership on the integer index: a third of the time of an anti-join
    when most of a 1M-row pool has just been paired.
    """
    if used.len() == 0:
        return pool
    return pool.filter(~pl.col("__i").is_in(used.cast(pl.UInt32).implode()))


@dataclass(frozen=True)
class _PrimaryKey:
    """What the primary key decides, rows named by position."""

    pairs: pl.DataFrame  # PAIR_SCHEMA, in manual row order
    duplicates: pl.DataFrame  # GROUP_SCHEMA: every row whose key repeats on its side
    taken_manual: pl.Series  # per manual row: paired, or its key is a duplicate
    taken_crm: pl.Series


def _primary_key(m_keys: pl.Series, c_keys: pl.Series) -> _PrimaryKey:
    """Duplicate keys, the 1:1 pairs of the other keys, and the rows both take out.

    Both need each side's keys grouped by value; one sort per side of hashes packed
    with row positions gives that for both. Two sorted hash columns join by merging,
    five times faster than hashing a million values into a table, and a hash shared by
    different keys is settled by comparing the keys' text, so a collision changes nothing.
    A key repeated on either side takes every row that has it out of matching.
    """
    bits = max(m_keys.len(), c_keys.len()).bit_length()
    m_index, c_index = _KeyIndex.of(m_keys, bits), _KeyIndex.of(c_keys, bits)
    m_repeated, c_repeated = m_index.repeated(), c_index.repeated()
    duplicates = _duplicate_groups(m_repeated, c_repeated)
    dup_keys = duplicates.get_column("group").unique()
    dup_hashes = _truncated_hashes(dup_keys, bits)
    m_out, m_index = m_index.split_off(dup_keys, dup_hashes)
    c_out, c_index = c_index.split_off(dup_keys, dup_hashes)
    m_rows, c_rows = m_index.equal_keys(c_index)
    crm_of_manual = _nulls(m_keys.len()).scatter(m_rows, c_rows)
    paired = crm_of_manual.is_not_null()
    pairs = pl.DataFrame(
        {
            "m_i": paired.arg_true(),
            "c_i": crm_of_manual.drop_nulls(),
            "rule": pl.repeat("key", int(paired.sum()), dtype=pl.String, eager=True),
            "score": pl.repeat(100.0, int(paired.sum()), dtype=pl.Float64, eager=True),
        }
    ).cast(PAIR_SCHEMA)  # type: ignore[arg-type]
    return _PrimaryKey(
        pairs=pairs,
        duplicates=duplicates,
        taken_manual=paired.scatter(m_out, True) if m_out.len() else paired,
        taken_crm=_marked(c_keys.len(), c_out, c_rows),
    )


@dataclass(frozen=True)
class _KeyIndex:
    """One side's non-empty keys: hashes (low bits cleared) sorted, and their rows."""

    keys: pl.Series  # the whole key column
    hashes: pl.Series  # UInt64, ascending
    rows: pl.Series  # UInt32 row position of each hash

    @staticmethod
    def of(keys: pl.Series, bits: int) -> _KeyIndex:
        """Sort each key's hash with its row position packed into the `bits` low bits:
        sorting one UInt64 column is twice as fast as sorting rows by a column."""
        packed = (
            pl.DataFrame({"key": keys})
            .select(
                (_truncated_hash(pl.col("key"), bits) | pl.int_range(pl.len(), dtype=pl.UInt64))
                .filter(pl.col("key").is_not_null())
                .sort()
                .alias("packed")
            )
            .select(
                (pl.col("packed") & _high_bits(bits)).set_sorted().alias("hash"),
                (pl.col("packed") & ((1 << bits) - 1)).cast(pl.UInt32).alias("row"),
            )
        )
        return _KeyIndex(keys, packed.get_column("hash"), packed.get_column("row"))

    def repeated(self) -> pl.DataFrame:
        """``row`` and ``key`` of the rows whose key occurs more than once, in row order.

        Equal keys have equal hashes, which sit side by side; counting the text of just
        those rows drops keys that only share a hash.
        """
        hashes = self.hashes
        beside_equal = (hashes == hashes.shift(1)).fill_null(False) | (
            hashes == hashes.shift(-1)
        ).fill_null(False)
        rows = self.rows.filter(beside_equal).sort()
        maybe = pl.DataFrame({"row": rows, "key": self.keys.gather(rows)})
        return maybe.filter(pl.len().over("key") > 1)

    def split_off(self, keys: pl.Series, hashes: pl.Series) -> tuple[pl.Series, _KeyIndex]:
        """The rows whose key is one of `keys` (with `hashes`), and the index without them."""
        if keys.len() == 0:
            return pl.Series("row", [], dtype=pl.UInt32), self
        same_hash = self.hashes.is_in(hashes.implode())
        at = same_hash.arg_true()
        hit = self.keys.gather(self.rows.gather(at)).is_in(keys.implode())
        drop = same_hash.scatter(at, hit)
        rest = _KeyIndex(self.keys, self.hashes.filter(~drop).set_sorted(), self.rows.filter(~drop))
        return self.rows.filter(drop), rest

    def equal_keys(self, other: _KeyIndex) -> tuple[pl.Series, pl.Series]:
        """Rows of this side and of `other` whose keys are equal, as two row columns."""
        joined = pl.DataFrame({"hash": self.hashes, "m": self.rows}).join(
            pl.DataFrame({"hash": other.hashes, "c": other.rows}), on="hash", how="inner"
        )
        m_rows, c_rows = joined.get_column("m"), joined.get_column("c")
        equal = self.keys.gather(m_rows) == other.keys.gather(c_rows)
        return m_rows.filter(equal), c_rows.filter(equal)


def _high_bits(bits: int) -> pl.Expr:
    return pl.lit(((1 << 64) - 1) ^ ((1 << bits) - 1), dtype=pl.UInt64)


def _truncated_hash(keys: pl.Expr, bits: int) -> pl.Expr:
    """A key's 64-bit hash with its `bits` low bits cleared (room for a row position)."""
    return keys.hash() & _high_bits(bits)


def _truncated_hashes(keys: pl.Series, bits: int) -> pl.Series:
    return pl.DataFrame({"key": keys}).select(_truncated_hash(pl.col("key"), bits)).to_series()


def _nulls(length: int) -> pl.Series:
    return pl.repeat(None, length, dtype=pl.UInt32, eager=True)


def _marked(length: int, *rows: pl.Series) -> pl.Series:
    """A Boolean per row, true at each of `rows`."""
    marks = pl.repeat(False, length, dtype=pl.Boolean, eager=True)
    for at in rows:
        if at.len():
            marks = marks.scatter(at, True)
    return marks


def _duplicate_groups(manual: pl.DataFrame, crm: pl.DataFrame) -> pl.DataFrame:
    """Every member of every key that occurs more than once on one side (``row``, ``key``)."""
    frames = [
        frame.select(
            pl.col("key").alias("group"),
            pl.lit(side).alias("side"),
            pl.col("row").alias("i"),
            pl.lit("key").alias("rule"),
        )
        for side, frame in (("manual", manual), ("crm", crm))
    ]
    return pl.concat(frames).cast(GROUP_SCHEMA)  # type: ignore[arg-type]


def _exact(manual: pl.DataFrame, crm: pl.DataFrame, column: str, rule: str) -> pl.DataFrame:
    """Pairs of rows whose non-empty `column` values are equal.

    Joins on a 64-bit hash of the value (twice as fast as joining on text), then keeps
    the joined rows whose values are really equal, so a hash collision pairs nothing.
    """

    def side(frame: pl.DataFrame, index: str, value: str) -> pl.DataFrame:
        return frame.filter(pl.col(column).is_not_null()).select(
            pl.col("__i").alias(index),
            pl.col(column).alias(value),
            pl.col(column).hash().alias("__hash"),
        )

    joined = side(manual, "m_i", "m_value").join(
        side(crm, "c_i", "c_value"), on="__hash", how="inner"
    )
    paired = joined.filter(pl.col("m_value") == pl.col("c_value"))
    return paired.select(
        "m_i", "c_i", pl.lit(rule).alias("rule"), pl.lit(100.0).alias("score")
    ).cast(PAIR_SCHEMA)  # type: ignore[arg-type]


def _fallback(
    manual: pl.DataFrame, crm: pl.DataFrame, rule: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pair values unique on both sides; values shared by several rows are ambiguous."""
    m = manual.filter(pl.col("__fb").is_not_null())
    c = crm.filter(pl.col("__fb").is_not_null())
    m_counts = m.group_by("__fb").agg(pl.len().alias("m_n"))
    c_counts = c.group_by("__fb").agg(pl.len().alias("c_n"))
    both = m_counts.join(c_counts, on="__fb", how="inner")
    unique_values = both.filter((pl.col("m_n") == 1) & (pl.col("c_n") == 1)).select("__fb")
    found = _exact(m.join(unique_values, on="__fb"), c.join(unique_values, on="__fb"), "__fb", rule)
    contested = both.filter((pl.col("m_n") > 1) | (pl.col("c_n") > 1)).select("__fb")
    groups = pl.concat(
        [
            frame.join(contested, on="__fb").select(
                (pl.lit(rule + ":") + pl.col("__fb")).alias("group"),
                pl.lit(side).alias("side"),
                pl.col("__i").alias("i"),
                pl.lit(rule).alias("rule"),
            )
            for side, frame in (("manual", m), ("crm", c))
        ]
    ).cast(GROUP_SCHEMA)  # type: ignore[arg-type]
    return found, groups


def _fuzzy(
    manual: pl.DataFrame,
    crm: pl.DataFrame,
    fuzzy: FuzzyConfig,
    plans: dict[str, FieldPlan],
    rejected: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Best-match both ways within each block; a rival within `margin` makes it ambiguous."""
    import numpy as np
    from rapidfuzz import fuzz, process

    def side_frame(frame: pl.DataFrame, side: str) -> pl.DataFrame:
        name = normalised(frame, plans[fuzzy.field], side).alias("__name")
        if fuzzy.block:
            block = composite((normalised(frame, plans[f], side) for f in fuzzy.block), "__blk")
        else:
            block = pl.Series("__blk", [""] * frame.height, dtype=pl.String)
        return pl.DataFrame([frame["__i"], name, block]).drop_nulls()

    m = side_frame(manual, "manual")
    c = side_frame(crm, "crm")
    pairs: list[tuple[int, int, float]] = []
    groups: list[tuple[str, str, int]] = []
    c_by_block = {blk[0]: part for blk, part in c.group_by("__blk")}
    for (block,), m_part in m.group_by("__blk"):
        c_part = c_by_block.get(block)
        if c_part is None:
            continue
        scores = process.cdist(
            m_part["__name"].to_list(),
            c_part["__name"].to_list(),
            scorer=fuzz.token_sort_ratio,
            score_cutoff=max(0.0, fuzzy.threshold - fuzzy.margin),
            dtype=np.float32,
            workers=-1,
        )
        m_ids, c_ids = m_part["__i"].to_numpy(), c_part["__i"].to_numpy()
        if rejected:  # a rejected pair scores nothing
            c_index = {int(c): n for n, c in enumerate(c_ids)}
            for row, m_i in enumerate(m_ids):
                for m_r, c_r in rejected:
                    if m_r == int(m_i) and c_r in c_index:
                        scores[row, c_index[c_r]] = 0
        _assign(scores, m_ids, c_ids, fuzzy, pairs, groups)
    found = pl.DataFrame(
        {
            "m_i": [p[0] for p in pairs],
            "c_i": [p[1] for p in pairs],
            "rule": ["fuzzy:" + fuzzy.field] * len(pairs),
            "score": [p[2] for p in pairs],
        },
        schema=PAIR_SCHEMA,
    )
    ambiguous = pl.DataFrame(
        {
            "group": [g[0] for g in groups],
            "side": [g[1] for g in groups],
            "i": [g[2] for g in groups],
            "rule": ["fuzzy:" + fuzzy.field] * len(groups),
        },
        schema=GROUP_SCHEMA,
    )
    return found, ambiguous


def _assign(
    scores: np.ndarray,
    m_ids: np.ndarray,
    c_ids: np.ndarray,
    fuzzy: FuzzyConfig,
    pairs: list[tuple[int, int, float]],
    groups: list[tuple[str, str, int]],
) -> None:
    """Accept mutual best matches with no rival within the margin; report near-ties."""
    import numpy as np

    taken_c: set[int] = set()
    for row in range(scores.shape[0]):
        line = scores[row]
        best_col = int(line.argmax())
        best = float(line[best_col])
        if best < fuzzy.threshold:
            continue
        rivals = np.flatnonzero(line >= best - fuzzy.margin)
        column = scores[:, best_col]
        column_rivals = np.flatnonzero(column >= best - fuzzy.margin)
        if len(rivals) == 1 and len(column_rivals) == 1 and best_col not in taken_c:
            taken_c.add(best_col)
            pairs.append((int(m_ids[row]), int(c_ids[best_col]), round(best, 2)))
            continue
        group = f"fuzzy:{int(m_ids[row])}"
        groups.append((group, "manual", int(m_ids[row])))
        groups.extend((group, "crm", int(c_ids[col])) for col in rivals)
