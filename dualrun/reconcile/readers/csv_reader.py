"""Read a delimited text file (what Excel calls CSV) into a :class:`RawTable`.

The bytes are decoded (UTF-8, UTF-8/16/32 with BOM, GB18030, or a guess as a last resort)
and handed to polars as UTF-8, every cell kept as text. To count each record's cells
without a slow Python pass, a marker cell is appended to every physical line before
polars parses the file: the column where the marker lands is the record's cell count, and
a marker found inside a cell shows a quoted cell running over several lines.

Marking copies the whole file, so most files are parsed as they are instead
(:func:`_parse_plain`), the cell counts worked out from where polars leaves cells null and
from the delimiters each line ends with (numpy finds the line ends). The header is still
found with markers, in a slice at the start of the file. Whenever the plain parse could
differ from the marker path (a stray "\r", a record with two cells too many, bad quoting,
line counts that do not add up), the marker path reads the file: results are the same
either way, and tests/test_csv_fast_path.py checks that they are.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import inspect
import io
import re
from collections import Counter
from typing import Any

import numpy as np
import polars as pl

from dualrun.errors import InputError, Location
from dualrun.reconcile.readers.csv_lines import HEAD_BYTES, MARKERS, Lines
from dualrun.reconcile.readers.encoding import to_utf8
from dualrun.reconcile.readers.header import HEAD_ROWS
from dualrun.reconcile.readers.table import (
    ROW_COLUMN,
    RawTable,
    ReadWarning,
    SourceSpec,
    assemble_table,
    header_index,
)

DELIMITERS = (",", ";", "\t", "|")
MAX_ROW_WARNINGS = 20
_SEP_LINE = re.compile(rb"sep=(.)\r?\n")  # used with .match(): anchored
_VISIBLE = re.compile(rb"\S")
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def read_csv_file(raw: bytes, spec: SourceSpec, name: str, notes: tuple[str, ...] = ()) -> RawTable:
    """Read one csv/text file's bytes into a table; ``name`` names the file in messages.

    ``notes`` become ReadWarnings of the table (e.g. "this .xlsx is really a CSV").

    Raises:
        InputError: empty file, undecodable bytes, broken quoting, no header row, or
            duplicate header names.
    """
    if not raw:
        raise InputError(
            "file is empty",
            location=Location(file=name),
            hint="export the data again; the file has 0 bytes",
        )
    if spec.encoding is None and not raw.startswith(_OTHER_BOMS) and _utf8_head(raw):
        # Most files are UTF-8 and polars validates UTF-8 as it parses: try that first.
        try:
            return _read_text(raw, spec, name, notes)
        except _NotUtf8:
            pass
    data, encoding_notes = to_utf8(raw, spec.encoding, name)
    try:
        return _read_text(data, spec, name, (*notes, *encoding_notes))
    except _NotUtf8 as exc:
        raise InputError(
            f"cannot parse this file as CSV: {exc}",
            location=Location(file=name),
            hint="open it in Excel and save it again as CSV UTF-8, or as .xlsx",
        ) from exc


def _utf8_head(raw: bytes) -> bool:
    """True when the first 64 KiB are UTF-8 (a character cut at the end allowed)."""
    try:
        raw[:HEAD_BYTES].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= min(len(raw), HEAD_BYTES) - 3
    return True


# polars 2 refuses a schema wider than a file's rows unless told to insert the columns;
# polars 1 has no such parameter and always inserts them.
_MISSING_COLUMNS: dict[str, Any] = (
    {"missing_columns": "insert"}
    if "missing_columns" in inspect.signature(pl.read_csv).parameters
    else {}
)


class _NotUtf8(Exception):
    """polars met bytes that are not UTF-8."""


def _read_text(data: bytes, spec: SourceSpec, name: str, notes: tuple[str, ...]) -> RawTable:
    warnings = [ReadWarning(name, None, None, n) for n in notes]
    # polars skips a UTF-8 BOM itself; dropping it here would copy the whole file.
    start = 3 if data.startswith(codecs.BOM_UTF8) else 0
    sep_line = _SEP_LINE.match(data, start)
    delimiter = spec.delimiter
    if sep_line:
        # Excel's "sep=;" first line: Excel hides it, so row numbers start after it.
        delimiter = delimiter or sep_line.group(1).decode("utf-8", "replace")
        data, start = data[sep_line.end() :], 0
    if delimiter is None:
        delimiter = detect_delimiter(data[:HEAD_BYTES].decode("utf-8", "ignore"))
    if len(delimiter.encode("utf-8")) != 1:
        raise InputError(
            f"delimiter {delimiter!r} must be one character",
            location=Location(file=name),
            hint='set delimiter = "," (or ";", "\\t", "|") in the source config',
        )
    if not _VISIBLE.search(data, start):
        raise InputError(
            "file has no cells", location=Location(file=name), hint="export the data again"
        )
    return _read_decoded(data, delimiter, spec, name, warnings)


def detect_delimiter(head: str) -> str:
    """The candidate delimiter that splits the first lines most consistently."""
    lines = head.splitlines()
    if len(head) >= HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    sample = "\n".join(lines[: HEAD_ROWS * 2])
    best: tuple[float, int, str] = (0.0, 1, ",")
    for candidate in DELIMITERS:
        try:
            records = list(csv.reader(io.StringIO(sample), delimiter=candidate))
        except csv.Error:
            continue
        counts = [len(r) for r in records if any(c.strip() for c in r)]
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width > 1 and (hits / len(counts), width) > best[:2]:
            best = (hits / len(counts), width, candidate)
    return best[2]


def _read_decoded(
    data: bytes, delimiter: str, spec: SourceSpec, name: str, warnings: list[ReadWarning]
) -> RawTable:
    marked = _Marked(data, _free_marker(data, name), delimiter)
    lines = Lines.scan(data, delimiter) if _PLAIN_PARSE else None
    header, width, from_slice = _find_header(data, marked, lines, spec, name)
    plain = _parse_plain(data, lines, delimiter, width, name) if lines is not None else None
    if plain is not None:
        cells, ragged, swallowed = plain
    else:
        try:
            frame = _parse(marked.data, delimiter, width + 2, data, name)
        except (InputError, _NotUtf8):
            if from_slice:
                # Parsing the first rows of the whole file, polars reads on past them and
                # may fail before the header is found: that error is the one to report.
                _find_header(data, marked, None, spec, name)
            raise
        multiline = frame.height != marked.lines  # some quoted cell runs over several lines
        cells, counts = _split_marks(frame, marked.marker, delimiter, width, multiline=multiline)
        ragged = _ragged_records(counts, width)
        swallowed = []
        if multiline:
            tag = delimiter + marked.marker
            swallowed = _swallowed_records(frame, delimiter, width, name, tag=tag)
    warnings.extend(swallowed)
    table = assemble_table(
        file=name,
        sheet=None,
        frame=cells,
        first_row=1,
        first_col=0,
        spec=dataclasses.replace(spec, header_row=header + 1),
        warnings=tuple(warnings),
    )
    ragged_notes = _ragged_warnings(table, ragged, width)
    return dataclasses.replace(table, warnings=table.warnings + ragged_notes)


# Tests set this to False to force the marker path, the reference for the plain parse.
_PLAIN_PARSE = True
_EXTRA_CELLS = 4  # a record with more extra cells than this falls back to the marker path


def _free_marker(data: bytes, name: str) -> str:
    """A marker character the file does not hold."""
    marker = next((m for m in MARKERS if m.encode() not in data), None)
    if marker is None:
        raise InputError(
            "file holds control characters, so it is not a plain csv/text file",
            location=Location(file=name),
            hint="export the data again as CSV, or as .xlsx",
        )
    return marker


class _Marked:
    """Bytes with a marker cell appended to every physical line, marked when first used."""

    def __init__(self, source: bytes, marker: str, delimiter: str) -> None:
        self.source = source
        self.marker = marker
        self.delimiter = delimiter

    @functools.cached_property
    def _marked(self) -> tuple[bytes, int]:
        return _mark_record_ends(self.source, self.marker, self.delimiter)

    @property
    def data(self) -> bytes:
        return self._marked[0]

    @property
    def lines(self) -> int:
        """The number of physical lines."""
        return self._marked[1]


def _mark_record_ends(data: bytes, marker: str, delimiter: str) -> tuple[bytes, int]:
    """Append a marker cell to every physical line (see the module docstring).

    Returns the marked bytes and the number of physical lines.
    """
    tag = (delimiter + marker).encode()
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")  # old Mac line ends
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    crlf = data.count(b"\r\n") if b"\r" in data else 0
    if crlf and crlf == lines - (not data.endswith(b"\n")):
        marked = data.replace(b"\r\n", tag + b"\r\n")
    else:
        marked = data.replace(b"\n", tag + b"\n")
        if crlf:
            marked = marked.replace(b"\r" + tag + b"\n", tag + b"\r\n")
    if not marked.endswith(b"\n"):
        marked += tag
    return marked, lines


def _find_header(
    data: bytes, marked: _Marked, lines: Lines | None, spec: SourceSpec, name: str
) -> tuple[int, int, bool]:
    """Index of the header row among the records, the number of cells it has, and
    whether a slice at the start of the file told (only when ``lines`` are given).

    The first records are parsed with markers (see the module docstring). Marking only a
    slice at the start of the file is much cheaper than marking all of it; whenever the
    slice might not give what the whole file gives (a record cut off, an error to report),
    the whole file is marked instead.
    """
    delimiter = marked.delimiter
    head_rows = max(HEAD_ROWS, spec.header_row or 0)
    bound = max(line.count(delimiter.encode()) for line in data[:HEAD_BYTES].split(b"\n")) + 3
    start = lines.head(data, head_rows) if lines is not None else None
    if start is not None:
        head = _Marked(start, marked.marker, delimiter)
        try:
            return (*_header_from(head, bound, head_rows, spec, name, data=None), True)
        except (_HeadCutShort, InputError):
            pass  # what the whole file gives, error or not, is what counts
    return (*_header_from(marked, bound, head_rows, spec, name, data=data), False)


class _HeadCutShort(Exception):
    """A slice at the start of a file may not parse as the file's first records do."""


def _header_from(
    marked: _Marked, bound: int, head_rows: int, spec: SourceSpec, name: str, data: bytes | None
) -> tuple[int, int]:
    """:func:`_find_header` on the whole file (``data`` given) or a slice at its start."""
    delimiter = marked.delimiter
    for _ in range(8):
        if data is not None:
            head = _parse(marked.data, delimiter, bound, data, name, n_rows=head_rows)
        else:
            head = _parse_slice(marked.data, delimiter, bound, head_rows)
        head_cells, head_counts = _split_marks(
            head, marked.marker, delimiter, bound, multiline=True
        )
        header = header_index(name, None, head_cells, 1, spec)
        width: int | None = head_counts[header]
        if width is not None:
            return header, width
        bound *= 2  # the header row is wider than the first lines suggested
    raise InputError(
        f"the header row has more than {bound} cells",
        location=Location(file=name),
        hint="check the delimiter setting",
    )


def _parse_slice(marked: bytes, delimiter: str, width: int, rows: int) -> pl.DataFrame:
    """The first ``rows`` records of a marked slice of a file, as :func:`_parse` reads them.

    Raises:
        _HeadCutShort: polars failed, or the slice does not hold ``rows`` whole records.
    """
    try:
        frame = _read(marked, delimiter, width, truncate=True, n_rows=rows + 1)
    except Exception as exc:
        raise _HeadCutShort from exc
    if frame.height <= rows:  # the last record may be cut off
        raise _HeadCutShort
    return frame.head(rows)


def _read(
    data: bytes, delimiter: str, width: int, *, truncate: bool, n_rows: int | None = None
) -> pl.DataFrame:
    return pl.read_csv(
        data,
        has_header=False,
        infer_schema=False,
        schema={f"c{i}": pl.String for i in range(width)},
        separator=delimiter,
        quote_char='"',
        truncate_ragged_lines=truncate,
        **_MISSING_COLUMNS,
        n_rows=n_rows,
        raise_if_empty=False,
    )


def _parse_plain(
    data: bytes, lines: Lines, delimiter: str, width: int, name: str
) -> tuple[pl.DataFrame, pl.DataFrame, list[ReadWarning]] | None:
    """What the marker path gives (cells, ragged records, swallowed-record warnings),
    got from the file as it is; None when that cannot be sure to match.

    polars reads a few cells more than the header has and fails on a record with more.
    A record's cell count is then the position of its last cell that is not null, plus
    the empty cells at its end: as many as the delimiters its last line ends with. Each
    line is a record unless quoted cells run over several lines: then each newline in a
    cell makes one record fewer, which tells the line each record ends on.
    """
    try:
        frame = _read(data, delimiter, width + _EXTRA_CELLS, truncate=False)
    except Exception:
        return None  # too many extra cells, bad quoting, not UTF-8: marker path
    columns = frame.columns
    multiline = frame.height != lines.count
    last_lines = inner = None  # record i is line i
    if multiline:
        inner = (
            frame.select(
                pl.sum_horizontal(
                    pl.col(c).str.count_matches("\n", literal=True) for c in columns
                ).fill_null(0)
            )
            .to_series()
            .to_numpy()
            .astype(np.int64)
        )
        if int(inner.sum()) != lines.count - frame.height:
            return None  # fewer records for some other reason: better not guess
        last_lines = np.arange(frame.height) + np.cumsum(inner)
    runs = lines.trailing_delimiters(data, delimiter, len(columns), last_lines)
    if runs is None:
        return None
    extra = pl.any_horizontal(pl.col(c).is_not_null() for c in columns[width:])
    suspect = frame.select(extra | pl.col(columns[width - 1]).is_null()).to_series().to_numpy()
    suspect |= runs > 0
    records = np.flatnonzero(suspect)
    filled = [pl.when(pl.col(c).is_not_null()).then(pl.lit(i + 1)) for i, c in enumerate(columns)]
    # On all rows: a few ms, where gathering the suspect rows first copies their cells.
    last = frame.select(pl.coalesce(*reversed(filled), pl.lit(1))).to_series().to_numpy()
    counts = last[records].astype(np.int64) + runs[records]
    if len(records) and records[0] == 0 and counts[0] > width + 1:
        # polars takes the number of columns from the first record: the marker path fails.
        return None
    ragged = pl.DataFrame(
        {ROW_COLUMN: records.astype(np.int64) + 1, "cells": counts},
    ).filter(pl.col("cells") != width)
    swallowed = []
    if inner is not None:  # the marker path sees two cells more than the header has
        seen = frame.select(columns[: width + 2])
        spans = np.flatnonzero(inner)
        swallowed = _swallowed_records(seen, delimiter, width, name, tag=None, spans=spans)
    return frame.select(columns[:width]), ragged, swallowed


def _parse(
    marked: bytes, delimiter: str, width: int, data: bytes, name: str, n_rows: int | None = None
) -> pl.DataFrame:
    try:
        return _read(marked, delimiter, width, truncate=True, n_rows=n_rows)
    except pl.exceptions.PolarsError as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            raise _NotUtf8(str(exc).strip().splitlines()[0]) from exc
        text = data.decode("utf-8", "replace").removeprefix("\ufeff")
        raise _quote_error(text, delimiter, name, exc) from exc


def _split_marks(
    frame: pl.DataFrame, marker: str, delimiter: str, width: int, *, multiline: bool
) -> tuple[pl.DataFrame, pl.Series]:
    """The first ``width`` cells with markers removed, and each record's cell count."""
    names = frame.columns
    counts = frame.select(
        pl.coalesce([pl.when(pl.col(c) == marker).then(pl.lit(i)) for i, c in enumerate(names)])
    ).to_series()
    tag = delimiter + marker
    cleaned = []
    for c in names[:width]:
        cell = pl.col(c)
        if multiline and frame.get_column(c).str.contains(marker, literal=True).any():
            cell = cell.str.replace_all(tag, "", literal=True)  # markers inside a quoted cell
        cleaned.append(pl.when(pl.col(c) == marker).then(None).otherwise(cell).alias(c))
    return frame.select(cleaned), counts


def _swallowed_records(
    frame: pl.DataFrame,
    delimiter: str,
    width: int,
    name: str,
    *,
    tag: str | None,
    spans: np.ndarray | None = None,
) -> list[ReadWarning]:
    """Warn about quoted cells running over lines that look like whole records.

    A line inside a cell with exactly a record's worth of delimiters looks like a record
    swallowed by a quote that closes too late; prose rarely has two such lines, or one
    in a wide table. ``tag`` is the marker cell before each newline of a marked frame;
    ``spans`` the records (0-based) with a newline in some cell, if known.
    """
    if width < 3:
        return []
    inner = tag if tag is not None else "\n"
    records = frame.with_row_index("record", offset=1)
    if spans is None:
        records = records.filter(
            pl.any_horizontal([pl.col(c).str.contains(inner, literal=True) for c in frame.columns])
        )
    else:
        records = records[spans]
    notes: list[ReadWarning] = []
    for row in records.iter_rows(named=True):
        record = int(row.pop("record"))
        lines = [
            line
            for cell in row.values()
            if cell is not None and inner in cell
            for line in (cell if tag is None else cell.replace(tag, "")).split("\n")[1:]
        ]
        alike = sum(1 for line in lines if line.count(delimiter) == width - 1)
        if alike >= 2 or (alike == 1 and width >= 5):
            notes.append(
                ReadWarning(
                    name,
                    None,
                    record,
                    f"a quoted cell in row {record} runs over {len(lines) + 1} lines that "
                    'look like records of their own; a closing quote (") may be missing',
                )
            )
    return notes


def _ragged_records(counts: pl.Series, width: int) -> pl.DataFrame:
    """Records (numbered from 1) with more or fewer cells than the header, and their count.

    A null count: more cells than polars was asked to read.
    """
    return (
        counts.cast(pl.Int64)
        .to_frame("cells")
        .with_row_index(ROW_COLUMN, offset=1)
        .with_columns(pl.col(ROW_COLUMN).cast(pl.Int64))
        .filter(pl.col("cells").is_null() | (pl.col("cells") != width))
    )


def _ragged_warnings(table: RawTable, ragged: pl.DataFrame, width: int) -> tuple[ReadWarning, ...]:
    """Warnings for kept rows with more or fewer cells than the header."""
    if ragged.height == 0:
        return ()
    ragged = ragged.join(table.data.select(ROW_COLUMN), on=ROW_COLUMN, how="semi").sort(ROW_COLUMN)
    notes: list[ReadWarning] = []
    for row, cells in ragged.head(MAX_ROW_WARNINGS).iter_rows():
        if cells is not None and cells < width:
            what = f"has {cells} cells but the header has {width}; missing cells read as empty"
        else:
            what = f"has more cells than the header ({width}); extra cells dropped"
        notes.append(ReadWarning(table.file, None, row, f"row {row} {what}"))
    if ragged.height > MAX_ROW_WARNINGS:
        rest = ragged.height - MAX_ROW_WARNINGS
        notes.append(
            ReadWarning(
                table.file,
                None,
                None,
                f"{rest} more rows have more or fewer cells than the header "
                f"({ragged.height} in all)",
            )
        )
    return tuple(notes)


_QUOTED_CELL = re.compile(r'"[^"]*(?:""[^"]*)*"')


def locate_quote_problem(text: str, delimiter: str) -> tuple[int, int, str] | None:
    """(row, line, what) of the first quoted cell that never closes or has text after it.

    ``row`` counts records as Excel shows them (a cell over several lines is one row);
    ``line`` counts physical lines. None when the quoting is fine.
    """
    opening = re.compile(r"(?:^|(?<=[" + re.escape(delimiter) + r'\n]))"', re.MULTILINE)
    inner_newlines = 0
    position = 0
    while (start := opening.search(text, position)) is not None:
        cell = _QUOTED_CELL.match(text, start.start())
        if cell is None:
            line = text.count("\n", 0, start.start()) + 1
            return line - inner_newlines, line, "unclosed"
        after = text[cell.end() : cell.end() + 1]
        if after not in (delimiter, "\n", "\r", ""):
            line = text.count("\n", 0, start.start()) + 1
            return line - inner_newlines, line, "text after closing quote"
        inner_newlines += text.count("\n", cell.start(), cell.end())
        position = cell.end()
    return None


def _quote_error(text: str, delimiter: str, name: str, exc: Exception) -> InputError:
    found = locate_quote_problem(text, delimiter)
    if found is None:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return InputError(
            f"cannot parse this file as CSV: {first_line}",
            location=Location(file=name),
            hint="open it in Excel and save it again as CSV UTF-8, or as .xlsx",
        )
    row, line, what = found
    if what == "unclosed":
        message = (
            f'a quote (") opened in row {row} (line {line}) is never closed, so the rest '
            "of the file would be read as one cell"
        )
    else:
        message = f'row {row} (line {line}) has text right after a closing quote (")'
    return InputError(
        message,
        location=Location(file=name, row=row),
        hint='fix the quoting in that row: a cell that starts with " must end with " and '
        'a " inside it is written "" (or export the file again)',
    )
