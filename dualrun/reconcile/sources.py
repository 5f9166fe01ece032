"""Find an entity's source files, read them, and map their columns to canonical fields.

This is the adapter between the user's files and the pure engine: it resolves globs
(all matches or only the newest), reads every file and sheet through ``readers``,
checks the field map against each table's header (with "did you mean"), and
concatenates everything into one side frame whose rows keep their provenance.
"""

from __future__ import annotations

import difflib
import glob
import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dualrun.config import Config, EntityConfig, SourceConfig
from dualrun.errors import InputError, Location
from dualrun.reconcile.readers import RawTable, ReadWarning, SourceSpec, read_source


@dataclass(frozen=True)
class InputFile:
    """One input of a run, for the manifest."""

    entity: str
    side: str
    path: str
    size: int
    sha256: str
    rows: int
    sheets: tuple[str, ...] = ()
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (sheet or "", header columns)


@dataclass(frozen=True)
class SideData:
    frame: pl.DataFrame  # canonical String columns + provenance
    inputs: tuple[InputFile, ...]
    warnings: tuple[ReadWarning, ...]
    tables: tuple[RawTable, ...] = field(default=(), repr=False)
    mapping: tuple[tuple[str, str, dict[str, str]], ...] = ()  # (file, sheet, field→column)


def resolve_paths(config: Config, source: SourceConfig, entity: str, side: str) -> list[Path]:
    """Expand the source's globs; `pick = "newest"` keeps the newest match per pattern."""
    found: list[Path] = []
    for pattern in source.patterns:
        full = str(config.resolve(pattern))
        if glob.has_magic(full):
            matches = sorted(Path(p) for p in glob.glob(full) if Path(p).is_file())
            if not matches:
                raise InputError(
                    f"{entity} ({side}): no file matches {pattern!r}",
                    hint=f"looked in {Path(full).parent}; check the path in the config",
                )
            if source.pick == "newest":
                matches = [max(matches, key=lambda p: (p.stat().st_mtime, p.name))]
            found.extend(matches)
        else:
            path = Path(full)
            if not path.exists():
                raise InputError(
                    f"{entity} ({side}): file not found",
                    location=Location(file=str(path)),
                    hint="check the path in the config (paths are relative to the config file)",
                )
            if path.is_dir():
                raise InputError(
                    f"{entity} ({side}): is a folder, not a file",
                    location=Location(file=str(path)),
                    hint="name a file, or a glob such as 'folder/*.xlsx'",
                )
            found.append(path)
    return found


def load_side(config: Config, name: str, entity: EntityConfig, side: str) -> SideData:
    """Read every source of one side and map it to canonical fields."""
    sources = entity.manual if side == "manual" else entity.crm
    frames: list[pl.DataFrame] = []
    inputs: list[InputFile] = []
    warnings: list[ReadWarning] = []
    mappings: list[tuple[str, str, dict[str, str]]] = []
    tables_all: list[RawTable] = []
    expected = frozenset(h for spec in entity.fields.values() for h in spec.headers(side))
    for source in sources:
        spec = _reader_spec(source, expected)
        for path in resolve_paths(config, source, name, side):
            display = _display(config, path)
            # SHA-256 of the file on a thread while it is parsed: hashlib releases the GIL,
            # so the manifest's hash costs no wall time (0.23 s per 170 MB file otherwise).
            with ThreadPoolExecutor(max_workers=1) as pool:
                digest = pool.submit(_sha256, path)
                tables = read_source(path, spec, display_name=display)
                sha256 = digest.result()
            rows = 0
            for table in tables:
                if not source.sheets and not _has_any_field(table, entity, side):
                    # Every sheet was asked for, and this one has none of the mapped columns:
                    # an instructions or summary sheet, not part of the ledger.
                    warnings.append(
                        ReadWarning(
                            table.file,
                            table.sheet,
                            table.header_row,
                            "sheet skipped: none of the mapped columns are in it",
                        )
                    )
                    continue
                columns = map_columns(table, entity, side)
                frames.append(_canonical(table, columns))
                mappings.append((table.file, table.sheet or "", columns))
                warnings.extend(table.warnings)
                rows += table.data.height
            tables_all.extend(tables)
            inputs.append(_input_file(name, side, path, display, rows, tables, sha256))
    frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
    return SideData(frame, tuple(inputs), tuple(warnings), tuple(tables_all), tuple(mappings))


def map_columns(table: RawTable, entity: EntityConfig, side: str) -> dict[str, str]:
    """canonical field → column of this table; raise with "did you mean" when one is missing."""
    present = {_fold(c): c for c in table.columns}
    mapping: dict[str, str] = {}
    for name, spec in entity.fields.items():
        headers = spec.headers(side)
        if not headers:
            continue
        hits = [present[_fold(h)] for h in headers if _fold(h) in present]
        if len(set(hits)) > 1:
            raise InputError(
                f"field {name!r}: columns {', '.join(repr(h) for h in hits)} are all present; "
                "which one is it?",
                location=Location(file=table.file, sheet=table.sheet, row=table.header_row),
                hint="keep one of these names in the field's list in the config",
            )
        if not hits:
            raise InputError(
                f"field {name!r}: no column named {' / '.join(repr(h) for h in headers)}"
                f"{_did_you_mean(headers, table.columns)}",
                location=Location(file=table.file, sheet=table.sheet, row=table.header_row),
                hint=f"the header row (row {table.header_row}) has: {', '.join(table.columns)}",
            )
        mapping[name] = hits[0]
    return mapping


def _has_any_field(table: RawTable, entity: EntityConfig, side: str) -> bool:
    present = {_fold(c) for c in table.columns}
    return any(_fold(h) in present for spec in entity.fields.values() for h in spec.headers(side))


def _canonical(table: RawTable, columns: dict[str, str]) -> pl.DataFrame:
    data = table.data
    selected = [pl.col(column).alias(name) for name, column in columns.items()]
    return data.select(
        *selected,
        pl.lit(table.file).alias("__file"),
        pl.lit(table.sheet, dtype=pl.String).alias("__sheet"),
        pl.col("__row").cast(pl.Int64),
    )


def _reader_spec(source: SourceConfig, expected: frozenset[str]) -> SourceSpec:
    defaults = SourceSpec()
    return SourceSpec(
        sheets=tuple(source.sheets),
        header_row=source.header_row,
        skip_patterns=tuple(source.skip_rows)
        if source.skip_rows is not None
        else defaults.skip_patterns,
        encoding=source.encoding,
        delimiter=source.delimiter,
        formula_without_value=source.formula_without_value,
        expected_headers=expected,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _input_file(
    entity: str,
    side: str,
    path: Path,
    display: str,
    rows: int,
    tables: Sequence[RawTable],
    sha256: str,
) -> InputFile:
    return InputFile(
        entity=entity,
        side=side,
        path=display,
        size=path.stat().st_size,
        sha256=sha256,
        rows=rows,
        sheets=tuple(t.sheet for t in tables if t.sheet),
        columns=tuple((t.sheet or "", tuple(t.columns)) for t in tables),
    )


def _display(config: Config, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.base_dir))
    except ValueError:
        return str(path)


def _fold(header: str) -> str:
    return " ".join(header.split()).casefold()


def _did_you_mean(wanted: Sequence[str], columns: Sequence[str]) -> str:
    for name in wanted:
        close = difflib.get_close_matches(name, list(columns), n=1, cutoff=0.5)
        if close:
            return f"; did you mean {close[0]!r}?"
    return ""
