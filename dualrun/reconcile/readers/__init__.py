"""Source readers: turn a user's csv/xlsx file into RawTables of text cells.

``read_source`` decides what a file really is from its first bytes (not its name), so a
csv saved as .xlsx, an HTML page saved as .xls or an encrypted workbook each get a clear
message instead of a library traceback. Nothing here normalises values or infers types.
"""

from __future__ import annotations

from pathlib import Path

from dualrun.errors import ConfigError, InputError, Location
from dualrun.reconcile.readers.csv_reader import read_csv_file
from dualrun.reconcile.readers.header import column_letter
from dualrun.reconcile.readers.table import RawTable, ReadWarning, SourceSpec
from dualrun.reconcile.readers.xlsx_reader import password_error, read_workbook

__all__ = ["RawTable", "ReadWarning", "SourceSpec", "column_letter", "read_source"]

_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_TEXT_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et")
_SNIFF_BYTES = 8192
_NOT_A_SPREADSHEET_HINT = "export the data from its system as .xlsx or .csv"


def read_source(path: Path, spec: SourceSpec, display_name: str | None = None) -> list[RawTable]:
    """Read one source file: one RawTable per sheet with data (a csv gives one).

    ``display_name`` is how the file is named in tables, warnings and errors (default:
    the path as given).

    Raises:
        InputError: the file is missing, empty, not a spreadsheet, encrypted, damaged, or
            its content cannot be read as configured (see the readers' docstrings).
        ConfigError: an invalid ``spec`` value.
    """
    name = display_name or str(path)
    if spec.formula_without_value not in ("error", "empty"):
        raise ConfigError(
            f"formula_without_value = {spec.formula_without_value!r} is not allowed",
            hint='use "error" (the default) or "empty"',
        )
    head = _head(path, name)
    if head.startswith(_ZIP):
        return read_workbook(path, spec, name, zipped=True)
    if head.startswith(_OLE):
        if _ENCRYPTED in path.read_bytes():
            raise password_error(name)
        return read_workbook(path, spec, name, zipped=False)
    markup = _markup_kind(head)
    if markup is not None:
        raise InputError(
            f"this {_kind_word(path)} is really {markup}, not a workbook",
            location=Location(file=name),
            hint="open it in Excel and save it as .xlsx (File → Save As → Excel Workbook), "
            "then point the config at the new file",
        )
    if _is_binary(head, spec):
        raise InputError(
            "not a spreadsheet: the file is neither an Excel workbook nor CSV text",
            location=Location(file=name),
            hint=_NOT_A_SPREADSHEET_HINT,
        )
    notes: tuple[str, ...] = ()
    if path.suffix.lower() in _SPREADSHEET_SUFFIXES:
        notes = (f"{path.name} is really a CSV/text file, not an Excel workbook: read as CSV",)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _os_error(exc, name) from exc
    return [read_csv_file(raw, spec, name, notes)]


def _head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise _os_error(exc, name) from exc
    if not head:
        raise InputError(
            "file is empty",
            location=Location(file=name),
            hint="the file has 0 bytes: export or copy it again",
        )
    return head


def _os_error(exc: OSError, name: str) -> InputError:
    where = Location(file=name)
    if isinstance(exc, FileNotFoundError):
        return InputError("file not found", location=where, hint="check the path in the config")
    if isinstance(exc, IsADirectoryError):
        return InputError("is a folder, not a file", location=where, hint="name a file")
    if isinstance(exc, PermissionError):
        return InputError(
            "no permission to read the file",
            location=where,
            hint="if it is open in Excel, close it; otherwise check the file's permissions",
        )
    return InputError(f"cannot read the file: {exc.strerror or exc}", location=where)


def _markup_kind(head: bytes) -> str | None:
    """'an HTML page' / 'an XML Spreadsheet 2003 file' when the bytes are markup."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"mime-version") and b"text/html" in text:
        return "a web page archive (MHTML)"
    if not text.startswith(b"<"):
        return None
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return "an XML Spreadsheet 2003 file"
    if any(tag in text for tag in (b"<html", b"<table", b"<!doctype html", b"<body", b"<meta")):
        return "an HTML page"
    return "an XML or HTML file" if text.startswith((b"<?xml", b"<!")) else None


def _kind_word(path: Path) -> str:
    suffix = path.suffix.lower()
    return f"{suffix} file" if suffix else "file"


def _is_binary(head: bytes, spec: SourceSpec) -> bool:
    if b"\x00" not in head or head.startswith(_TEXT_BOMS):
        return False
    encoding = (spec.encoding or "").lower().replace("_", "-")
    return not encoding.startswith(("utf-16", "utf16", "utf-32", "utf32"))
