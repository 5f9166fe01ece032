"""Find the header row among a sheet's first rows and turn its cells into column names.

Pure functions over rows given as lists of ``str | None``; no file access. The header is
the first row that looks like one: well filled across the table's width, mostly text,
mostly distinct values. Merged title rows, group-header rows and blank rows above it are
passed over, and a row holding the header names the config expects wins outright.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dualrun.errors import InputError, Location

HEAD_ROWS = 50
_WHITESPACE = re.compile(r"\s+")
_NUMBER_LIKE = re.compile(r"^[\s+\-−(（]*[¥￥$€£]?[\d０-９,，.．\s:：/\-]+[%)）万元]*\s*$")
_DATE_LIKE = re.compile(r"^\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")
_MIN_TEXT_SHARE = 0.6
_MIN_DISTINCT_SHARE = 0.75
_MIN_FILL_SHARE = 0.5


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_text(value: str | None) -> str:
    """A header cell as a column name: whitespace runs (newlines too) collapsed, stripped."""
    if value is None:
        return ""
    return _WHITESPACE.sub(" ", value.replace("\ufeff", "")).strip()


def _fold(text: str) -> str:
    return text.casefold()


@dataclass(frozen=True)
class _RowShape:
    filled: int
    text_share: float
    distinct_share: float
    expected_hits: int


def _shape(row: Sequence[str | None], expected: frozenset[str]) -> _RowShape:
    cells = [header_text(c) for c in row]
    filled = [c for c in cells if c]
    if not filled:
        return _RowShape(0, 0.0, 0.0, 0)
    texts = [c for c in filled if not (_NUMBER_LIKE.match(c) or _DATE_LIKE.match(c))]
    folded = {_fold(c) for c in filled}
    return _RowShape(
        filled=len(filled),
        text_share=len(texts) / len(filled),
        distinct_share=len(folded) / len(filled),
        expected_hits=len(folded & expected),
    )


def _table_width(rows: Sequence[Sequence[str | None]]) -> int:
    width = 0
    for row in rows:
        for position in range(len(row) - 1, -1, -1):
            if header_text(row[position]):
                width = max(width, position + 1)
                break
    return width


def _header_like(shape: _RowShape, width: int) -> bool:
    needed = 1 if width == 1 else max(2, math.ceil(width * _MIN_FILL_SHARE))
    return (
        shape.filled >= needed
        and shape.text_share >= _MIN_TEXT_SHARE
        and shape.distinct_share >= _MIN_DISTINCT_SHARE
    )


def find_header_row(
    rows: Sequence[Sequence[str | None]], expected_headers: frozenset[str] = frozenset()
) -> int | None:
    """Index (0-based, into ``rows``) of the header row, or None when no row looks like one.

    A row containing at least two of ``expected_headers`` (or the only one, when one is
    expected) wins, the row with the most of them first. Otherwise the first header-like
    row is taken, moving down one row when it is a group header over a fuller header row.
    """
    expected = frozenset(_fold(header_text(h)) for h in expected_headers) - {""}
    shapes = [_shape(row, expected) for row in rows]
    if expected:
        best = max((s.expected_hits for s in shapes), default=0)
        if best >= min(2, len(expected)):
            return next(i for i, s in enumerate(shapes) if s.expected_hits == best)
    width = _table_width(rows)
    for index, shape in enumerate(shapes):
        if shape.filled == 0 or not _header_like(shape, width):
            continue
        below = next((i for i in range(index + 1, len(shapes)) if shapes[i].filled), None)
        if below is not None:
            fuller = shapes[below]
            # A group header ("基本信息" over three columns) is thinner than the row below it.
            if (
                _header_like(fuller, width)
                and fuller.text_share >= 0.9
                and shape.filled < 0.6 * fuller.filled
            ):
                return below
        return index
    return None


def name_columns(
    cells: Sequence[str | None],
    has_data: Sequence[bool],
    first_col: int,
    where: Location,
) -> list[str | None]:
    """Column names for a header row; None for an unnamed column with no data (dropped).

    An empty header cell over data is named ``column_<letter>``. ``first_col`` is the
    0-based sheet column of ``cells[0]``; ``where`` locates the header row for errors.

    Raises:
        InputError: two columns have the same name (compared ignoring case and spacing).
    """
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for position, (cell, data) in enumerate(zip(cells, has_data, strict=True)):
        text = header_text(cell)
        letter = column_letter(first_col + position)
        if not text:
            names.append(f"column_{letter}" if data else None)
            continue
        key = _fold(text)
        if key in seen:
            other = seen[key]
            first_text = header_text(cells[other])
            both = f"{first_text!r}" if first_text == text else f"{first_text!r} / {text!r}"
            raise InputError(
                f"columns {column_letter(first_col + other)} and {letter} are both named {both}",
                location=Location(file=where.file, sheet=where.sheet, row=where.row),
                hint="rename one of them in the header row (each column needs its own name), "
                "or set header_row = N if this is not the header row",
            )
        seen[key] = position
        names.append(text)
    return names
