"""`dualrun check`: read every source as a run would, and describe what was found.

Shows detected header rows, the column mapping, columns kept only as context, and a
few normalised sample rows. Any problem raises the same error a run would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dualrun.config import Config
from dualrun.reconcile.prepare import plan_fields
from dualrun.reconcile.sources import load_side
from dualrun.service import select_entities

SAMPLES = 2


@dataclass(frozen=True)
class TableCheck:
    side: str
    file: str
    sheet: str | None
    header_row: int
    rows: int
    mapping: dict[str, str]
    unmapped: tuple[str, ...]
    samples: tuple[dict[str, tuple[str | None, str | None]], ...]


@dataclass(frozen=True)
class EntityCheck:
    name: str
    module: str
    tables: tuple[TableCheck, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CheckReport:
    entities: tuple[EntityCheck, ...]


def check_project(config: Config, entities: Sequence[str] = ()) -> CheckReport:
    checked = []
    for name in select_entities(config, entities):
        entity = config.entities[name]
        plans = plan_fields(entity, config.project, name)
        tables: list[TableCheck] = []
        warnings: list[str] = []
        for side in ("manual", "crm"):
            data = load_side(config, name, entity, side)
            warnings.extend(
                f"{w.file}{f' [{w.sheet}]' if w.sheet else ''}"
                f"{f' row {w.row}' if w.row else ''}: {w.message}"
                for w in data.warnings
            )
            for table, (_file, _sheet, mapping) in zip(data.tables, data.mapping, strict=True):
                samples = []
                for row in table.data.head(SAMPLES).iter_rows(named=True):
                    samples.append(
                        {
                            field: (row[column], plans[field].normaliser(side)(row[column]))
                            for field, column in mapping.items()
                        }
                    )
                tables.append(
                    TableCheck(
                        side=side,
                        file=table.file,
                        sheet=table.sheet,
                        header_row=table.header_row,
                        rows=table.data.height,
                        mapping=mapping,
                        unmapped=tuple(c for c in table.columns if c not in mapping.values()),
                        samples=tuple(samples),
                    )
                )
        checked.append(EntityCheck(name, entity.module, tuple(tables), tuple(warnings)))
    return CheckReport(tuple(checked))
