"""Repository of runs: open a run record, then commit its results atomically or mark it failed.

A run's findings are written in one transaction together with its status, so a run
that fails leaves only its run record (status, reason) and no half-written results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, insert, select, update

from dualrun.reconcile.model import DISCREPANCY_SCHEMA, EntityResult
from dualrun.reconcile.sources import InputFile
from dualrun.store.schema import discrepancies, entity_stats, owner_stats, run_inputs, runs

BATCH = 20_000


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    reason: str | None
    config_hash: str
    entities_requested: list[str]
    entities_covered: list[str]
    discrepancy_count: int


def start_run(
    engine: Engine,
    *,
    started_at: datetime,
    config_path: str,
    config_hash: str,
    tool_version: str,
    entities: Sequence[str],
) -> int:
    with engine.begin() as connection:
        result = connection.execute(
            insert(runs).values(
                started_at=started_at,
                status="running",
                config_path=config_path,
                config_hash=config_hash,
                tool_version=tool_version,
                entities_requested=list(entities),
                entities_covered=[],
                discrepancy_count=0,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def fail_run(
    engine: Engine, run_id: int, *, finished_at: datetime, reason: str, covered: Sequence[str] = ()
) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(
                status="failed",
                reason=reason,
                finished_at=finished_at,
                entities_covered=list(covered),
            )
        )


def commit_run(
    engine: Engine,
    run_id: int,
    *,
    finished_at: datetime,
    inputs: Iterable[InputFile],
    results: Sequence[EntityResult],
    inputs_digest: str,
) -> None:
    """Write everything a successful run found, and mark it ok, in one transaction."""
    total = sum(r.discrepancies.height for r in results)
    with engine.begin() as connection:
        input_rows = [
            {
                "run_id": run_id,
                "entity": i.entity,
                "side": i.side,
                "path": i.path,
                "size": i.size,
                "sha256": i.sha256,
                "rows": i.rows,
                "sheets": list(i.sheets),
                "columns": {sheet: list(columns) for sheet, columns in i.columns},
            }
            for i in inputs
        ]
        if input_rows:
            connection.execute(insert(run_inputs), input_rows)
        for result in results:
            stats = result.stats_dict()
            connection.execute(
                insert(entity_stats).values(
                    run_id=run_id,
                    entity=result.entity,
                    module=result.module,
                    rows_manual=result.stats.rows_manual,
                    rows_crm=result.stats.rows_crm,
                    pairs=result.stats.pairs,
                    identical_pairs=result.stats.identical_pairs,
                    match_rate=result.stats.match_rate,
                    stats=stats,
                )
            )
            owner_rows = [
                {
                    "run_id": run_id,
                    "entity": result.entity,
                    "owner": o.owner,
                    "rows_manual": o.rows_manual,
                    "rows_crm": o.rows_crm,
                    "missing_in_crm": o.missing_in_crm,
                    "amounts": {"manual": dict(o.amounts_manual), "crm": dict(o.amounts_crm)},
                }
                for o in result.owners
            ]
            if owner_rows:
                connection.execute(insert(owner_stats), owner_rows)
            columns = list(DISCREPANCY_SCHEMA)
            frame = result.discrepancies.select(pl.lit(run_id).alias("run_id"), *columns)
            bulk_insert(connection, discrepancies.name, frame)
        connection.execute(
            update(runs)
            .where(runs.c.id == run_id)
            .values(
                status="ok",
                finished_at=finished_at,
                discrepancy_count=total,
                entities_covered=[r.entity for r in results],
                inputs_digest=inputs_digest,
            )
        )


def bulk_insert(connection: Connection, table: str, frame: pl.DataFrame) -> None:
    """Insert many rows fast: COPY on PostgreSQL, the driver's executemany on SQLite.

    SQLAlchemy's executemany spends most of its time on per-row bind processing
    (1.8 s for 120k discrepancy rows here); the driver takes plain tuples directly.
    Rows are sent in groups that share their empty columns (the findings of one kind),
    leaving out columns empty throughout a group: binding fewer values, and building
    the tuples column-wise, cut 86k findings from 0.85 s to 0.54 s of CPU.
    """
    for part in _groups_sharing_empty_columns(frame):
        _insert_rows(connection, table, part)


def _groups_sharing_empty_columns(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Parts of ``frame`` (by kind, when it has one) without their all-empty columns."""
    if frame.height == 0:
        return
    parts = frame.partition_by("kind", maintain_order=True) if "kind" in frame.columns else [frame]
    for part in parts:
        yield part.select([c.name for c in part.iter_columns() if c.null_count() < part.height])


def _insert_rows(connection: Connection, table: str, frame: pl.DataFrame) -> None:
    names = ", ".join(frame.columns)
    dbapi = connection.connection.driver_connection
    assert dbapi is not None
    if connection.dialect.name == "postgresql":
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in _tuples(frame):
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in frame.columns)
    cursor = dbapi.cursor()
    try:
        for start in range(0, frame.height, BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                _tuples(frame.slice(start, BATCH)),
            )
    finally:
        cursor.close()


def _tuples(frame: pl.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The rows as tuples, built from whole columns (faster than ``iter_rows``)."""
    return zip(*(column.to_list() for column in frame.iter_columns()), strict=True)


def list_runs(engine: Engine, limit: int = 50) -> list[RunRecord]:
    with engine.connect() as connection:
        rows = connection.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
    return [_record(row._mapping) for row in rows]


def _record(row: Any) -> RunRecord:
    return RunRecord(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=row["status"],
        reason=row["reason"],
        config_hash=row["config_hash"],
        entities_requested=_list(row["entities_requested"]),
        entities_covered=_list(row["entities_covered"]),
        discrepancy_count=row["discrepancy_count"],
    )


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value or [])
