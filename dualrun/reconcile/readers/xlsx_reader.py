"""Read the sheets of an Excel workbook (xlsx/xlsm; xls, xlsb, ods too) into RawTables.

fastexcel loads each sheet with every cell as text. It drops leading empty rows and
columns, so the true position of the first cell comes from a cheap look at the start of
the sheet's XML (python-calamine when that look is inconclusive). The same streaming pass
over the XML finds formula cells that have no saved value, which fastexcel would read as
empty without a word. Sheet names and visibility come from ``xl/workbook.xml``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import io
import posixpath
import re
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import polars as pl
import python_calamine

from dualrun.errors import InputError, Location
from dualrun.reconcile.readers.table import (
    HeaderNotFoundError,
    RawTable,
    ReadWarning,
    SourceSpec,
    assemble_table,
)

_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_VALUE_TAG = re.compile(rb"<(?:\w+:)?v\b")
_INLINE_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>[^<]")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_FORMULA_WITH_VALUE = re.compile(rb"<f[ >][^<]*(?:</f>)?<v>[^<]")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_CHUNK = 1 << 22
_DAMAGED_HINT = "open it in Excel and save it again, or export the data again"
_DATETIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"


@dataclass(frozen=True)
class SheetInfo:
    """A worksheet as the workbook lists it."""

    name: str
    visible: bool
    member: str | None = None  # its XML inside the zip (xlsx only)


@dataclass
class SheetXml:
    """What one streaming pass over a sheet's XML found."""

    first_row: int | None = None  # 1-based
    first_row_columns: frozenset[int] = frozenset()  # 0-based, cells with a value
    first_row_done: bool = False  # a later row (or a cell without a reference) was seen
    missing_values: list[str] = field(default_factory=list)  # formula cells, first few
    missing_count: int = 0


def read_workbook(path: Path, spec: SourceSpec, name: str, zipped: bool) -> list[RawTable]:
    """One RawTable per selected sheet that has data.

    Raises:
        InputError: damaged or unreadable workbook, unknown sheet, no sheet with data,
            formula cells without a saved value, or a header problem in a sheet.
    """
    sheets = _list_xlsx_sheets(path, name) if zipped else None
    try:
        # fastexcel and calamine pick their parser by extension: give bytes to a misnamed file.
        source: Path | bytes = path if _extension_fits(path, zipped) else path.read_bytes()
        reader = fastexcel.read_excel(source)
        if sheets is None:
            workbook = _calamine(source)
            sheets = [
                SheetInfo(m.name, m.visible == python_calamine.SheetVisibleEnum.Visible)
                for m in workbook.sheets_metadata
                if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            ]
    except Exception as exc:
        raise _unreadable(exc, name) from exc
    tables: list[RawTable] = []
    skipped: list[HeaderNotFoundError] = []
    chosen = select_sheets(sheets, spec.sheets, name)
    for sheet in chosen:
        try:
            table = _read_sheet(source, reader, sheet, spec, name)
        except HeaderNotFoundError as error:
            if spec.sheets:  # a sheet the user named must have a header
                raise
            skipped.append(error)  # every sheet was asked for: a notes sheet is no table
            continue
        if table is not None:
            tables.append(table)
    if skipped and not tables:
        raise skipped[0]
    if skipped:
        notes = tuple(
            ReadWarning(
                name,
                e.location.sheet if e.location else None,
                None,
                "sheet skipped: no header row found (name the sheets to read in "
                "`sheets` to silence this)",
            )
            for e in skipped
        )
        tables[0] = dataclasses.replace(tables[0], warnings=tables[0].warnings + notes)
    if not tables:
        looked = ", ".join(repr(s.name) for s in chosen) or "none"
        raise InputError(
            "no sheet has data",
            location=Location(file=name),
            hint=f"sheets read: {looked}; hidden sheets are read only when named in `sheets`",
        )
    return tables


def select_sheets(sheets: list[SheetInfo], wanted: tuple[str, ...], name: str) -> list[SheetInfo]:
    """The sheets to read, in workbook order: all visible ones, or those named/matched.

    A hidden sheet is read only when named exactly; patterns match visible sheets only.

    Raises:
        InputError: a name or pattern that matches no sheet.
    """
    if not wanted:
        return [s for s in sheets if s.visible]
    chosen: set[str] = set()
    listing = ", ".join(repr(s.name) for s in sheets)
    for entry in wanted:
        exact = [s for s in sheets if s.name == entry] or [
            s for s in sheets if s.name.casefold() == entry.strip().casefold()
        ]
        matched = exact or [
            s
            for s in sheets
            if s.visible and fnmatch.fnmatchcase(s.name.casefold(), entry.casefold())
        ]
        if not matched:
            raise InputError(
                f"no sheet {'matches' if any(c in entry for c in '*?[') else 'named'} {entry!r}",
                location=Location(file=name),
                hint=f"the workbook has: {listing}",
            )
        chosen.update(s.name for s in matched)
    return [s for s in sheets if s.name in chosen]


def _read_sheet(
    source: Path | bytes,
    reader: fastexcel.ExcelReader,
    sheet: SheetInfo,
    spec: SourceSpec,
    name: str,
) -> RawTable | None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The XML pass decompresses the whole sheet; let it overlap fastexcel's parse.
        scan: Future[SheetXml] | None = (
            pool.submit(scan_sheet_xml, source, sheet.member) if sheet.member else None
        )
        try:
            frame = reader.load_sheet(sheet.name, header_row=None, dtypes="string").to_polars()
        except Exception as exc:
            raise _unreadable(exc, name, sheet.name) from exc
        try:
            facts = scan.result() if scan is not None else None
        except Exception as exc:
            raise _unreadable(exc, name, sheet.name) from exc
    if not _has_text(frame):
        return None  # empty, or only blank/whitespace cells
    warnings = _check_formulas(facts, spec, name, sheet.name) if facts else ()
    first_row, first_col = _origin(source, frame, facts, sheet.name, name)
    return assemble_table(
        file=name,
        sheet=sheet.name,
        frame=excel_text(frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})),
        first_row=first_row,
        first_col=first_col,
        spec=spec,
        warnings=warnings,
    )


def _has_text(frame: pl.DataFrame) -> bool:
    if frame.width == 0 or frame.height == 0:
        return False
    if any(v is not None and v.strip() for row in frame.head(100).rows() for v in row):
        return True
    return bool(frame.select(pl.any_horizontal(pl.all().str.contains(r"\S")).any()).item())


def excel_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Cells as Excel shows them: date at midnight without time, whole seconds, "" as null."""
    changes = []
    for name in frame.columns:
        column = frame.get_column(name)
        cell = pl.col(name)
        if (column == "").any():  # a formula that returned "": an empty cell
            cell = pl.when(cell == "").then(None).otherwise(cell)
        if column.str.contains(_DATETIME).any():
            rounded = (
                cell.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False)
                .dt.round("1s")
                .dt.strftime("%Y-%m-%d %H:%M:%S")
            )
            cell = (
                pl.when(cell.str.contains(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+$"))
                .then(rounded)
                .otherwise(cell)
                .str.replace(r"^1899-12-31 (\d{2}:\d{2}:\d{2})$", "$1")  # a time of day only
                .str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1")
            )
        if not cell.meta.eq(pl.col(name)):
            changes.append(cell.alias(name))
    return frame.with_columns(changes) if changes else frame


def _origin(
    source: Path | bytes, frame: pl.DataFrame, facts: SheetXml | None, sheet: str, name: str
) -> tuple[int, int]:
    """(1-based Excel row, 0-based column) of the frame's top-left cell."""
    if facts is not None and facts.first_row is not None:
        filled = {i for i, v in enumerate(frame.row(0)) if v is not None}
        if filled:
            offset = min(facts.first_row_columns) - min(filled)
            if {c - offset for c in facts.first_row_columns} == filled and offset >= 0:
                return facts.first_row, offset
    try:  # the XML look was inconclusive: ask calamine, which parses the sheet again
        row, col = _calamine(source).get_sheet_by_name(sheet).start or (0, 0)
    except Exception as exc:
        raise _unreadable(exc, name, sheet) from exc
    return row + 1, col


def _check_formulas(
    facts: SheetXml, spec: SourceSpec, name: str, sheet: str
) -> tuple[ReadWarning, ...]:
    if not facts.missing_count:
        return ()
    first = facts.missing_values[0] if facts.missing_values else None
    letters = first.rstrip("0123456789") if first else None
    row = int(first[len(letters) :]) if first and letters else None
    count = facts.missing_count
    if spec.formula_without_value == "empty":
        what = f"{count} formula cell(s) have no saved value and were read as empty"
        return (ReadWarning(name, sheet, row, f"{what} (first: {first or '?'})"),)
    others = f" (and {count - 1} more)" if count > 1 else ""
    raise InputError(
        f"cell {first or '?'}{others} holds a formula with no saved value: the file was "
        "written by a program and never opened and saved in Excel",
        location=Location(file=name, sheet=sheet, row=row, column=letters),
        hint="open the file in Excel or WPS, let it calculate, save it and run again; or set "
        'formula_without_value = "empty" to read such cells as empty',
    )


def scan_sheet_xml(source: Path | bytes, member: str) -> SheetXml:
    """Stream a sheet's XML once: first cell with a value, formula cells without a value."""
    facts = SheetXml()
    opened = source if isinstance(source, Path) else io.BytesIO(source)
    with zipfile.ZipFile(opened) as archive, archive.open(member) as stream:
        carry = b""
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            cut = buffer.rfind(b"row>") + 4  # process whole rows only
            if cut < 4:
                carry = buffer
                continue
            _scan_cells(buffer[:cut], facts)
            carry = buffer[cut:]
        _scan_cells(carry, facts)
    return facts


def _scan_cells(buffer: bytes, facts: SheetXml) -> None:
    if not facts.first_row_done:
        for cell in _CELL.finditer(buffer):
            _note_first_row(cell.group(1), cell.group(2) or b"", facts)
            if facts.first_row_done:
                break
    if b":c " not in buffer and b":c>" not in buffer:  # no namespace prefixes: fast count
        formulas = buffer.count(b"<f>") + buffer.count(b"<f ")
        if formulas == len(_FORMULA_WITH_VALUE.findall(buffer)):
            return  # every formula has its saved value (the usual case)
    for tag in _FORMULA.finditer(buffer):
        opening = _CELL_OPEN.match(buffer, buffer.rfind(b"<", 0, tag.start()))
        closing = _CELL_CLOSE.search(buffer, tag.end())
        if opening is not None and closing is not None:
            _note_formula(opening.group(1), buffer[tag.start() : closing.start()], facts)


def _note_first_row(attributes: bytes, body: bytes, facts: SheetXml) -> None:
    ref = _REF.search(attributes)
    if ref is None:
        facts.first_row_done = True  # positions implicit: leave the origin to calamine
        return
    row = int(ref.group(2))
    if facts.first_row is not None and row != facts.first_row:
        facts.first_row_done = True
    elif _VALUE.search(body) or _INLINE_TEXT.search(body):
        facts.first_row = row
        facts.first_row_columns = facts.first_row_columns | {_column_index(ref.group(1))}


def _note_formula(attributes: bytes, body: bytes, facts: SheetXml) -> None:
    if _VALUE.search(body):
        return
    cell_type = _TYPE.search(attributes)
    if cell_type and cell_type.group(1) == b"str" and _VALUE_TAG.search(body):
        return  # a formula returning "" is saved as t="str" with an empty <v>: a value
    facts.missing_count += 1
    ref = _REF.search(attributes)
    if ref is not None and len(facts.missing_values) < 5:
        facts.missing_values.append((ref.group(1) + ref.group(2)).decode())


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - ord("A") + 1
    return index - 1


def _list_xlsx_sheets(path: Path, name: str) -> list[SheetInfo] | None:
    """Worksheets listed in xl/workbook.xml; None for a zip workbook without it (xlsb, ods)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = set(archive.namelist())
            if "xl/workbook.xml" not in members:
                if "xl/workbook.bin" in members or "content.xml" in members:
                    return None
                raise InputError(
                    "not a spreadsheet: a zip archive without an Excel workbook inside",
                    location=Location(file=name),
                    hint="export the data as .xlsx or .csv",
                )
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError) as exc:
        raise InputError(
            f"the workbook is damaged or incomplete ({exc})",
            location=Location(file=name),
            hint=_DAMAGED_HINT,
        ) from exc
    # Match tags by local name: "strict" Open XML files use other namespaces.
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in rels.iter()
        if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/worksheet")
    }
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rel_id)
        if target is None:
            continue  # a chart sheet or dialog sheet: no cells
        member = posixpath.normpath(target[1:] if target.startswith("/") else f"xl/{target}")
        visible = element.get("state", "visible") == "visible"
        sheets.append(
            SheetInfo(element.get("name", ""), visible, member if member in members else None)
        )
    return sheets


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _calamine(source: Path | bytes) -> python_calamine.CalamineWorkbook:
    if isinstance(source, Path):
        return python_calamine.CalamineWorkbook.from_path(str(source))
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(source))


def _extension_fits(path: Path, zipped: bool) -> bool:
    """fastexcel picks its parser by extension; pass bytes when the name would mislead it."""
    suffix = path.suffix.lower()
    return suffix in (".xlsx", ".xlsm", ".xlsb", ".ods") if zipped else suffix == ".xls"


def _unreadable(exc: BaseException, name: str, sheet: str | None = None) -> InputError:
    text = str(exc).strip()
    detail = text.splitlines()[0] if text else type(exc).__name__
    if "password" in text.lower() or "encrypt" in text.lower():
        return password_error(name)
    return InputError(
        f"cannot read the workbook; it is damaged or not really an Excel file ({detail})",
        location=Location(file=name, sheet=sheet),
        hint=_DAMAGED_HINT,
    )


def password_error(name: str) -> InputError:
    """The error for a password-protected (encrypted) workbook."""
    return InputError(
        "password-protected workbook: remove the password in Excel (File → Info → Protect "
        "Workbook) and save again",
        location=Location(file=name),
        hint="dualrun cannot open encrypted files; save an unprotected copy for the run",
    )
