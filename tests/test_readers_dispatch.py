"""What a file really is decides how it is read; bad files give clear InputErrors."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dualrun.errors import ConfigError, InputError
from dualrun.reconcile.readers import SourceSpec, read_source


def good_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(["客户", "手机"])
    for number in range(200):
        workbook.active.append([f"客户{number}", 13800000000 + number])
    workbook.save(path)
    return path


def error_of(path: Path, spec: SourceSpec | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        read_source(path, spec or SourceSpec(), display_name="in/" + path.name)
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    error = error_of(tmp_path / "nope.xlsx")
    assert error.message == "file not found"
    assert error.location is not None and error.location.file == "in/nope.xlsx"
    assert error.hint == "check the path in the config"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    assert error_of(tmp_path / "dir.csv").message == "is a folder, not a file"


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv", "empty.xls"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    error = error_of(path)
    assert error.message == "file is empty"
    assert error.hint is not None


def test_truncated_xlsx_is_damaged(tmp_path: Path) -> None:
    whole = good_xlsx(tmp_path / "whole.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    error = error_of(path)
    assert error.message.startswith("the workbook is damaged or incomplete")
    assert error.hint == "open it in Excel and save it again, or export the data again"


def test_xlsx_with_a_corrupted_sheet_is_damaged(tmp_path: Path) -> None:
    path = good_xlsx(tmp_path / "bad.xlsx")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 20, start + info.compress_size - 20, 7):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    error = error_of(path)
    assert error.message.startswith("cannot read the workbook; it is damaged or not really")
    assert error.location is not None and error.location.sheet == "Sheet"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    error = error_of(path)
    assert error.message == "not a spreadsheet: a zip archive without an Excel workbook inside"


def test_password_protected_workbook(tmp_path: Path) -> None:
    # Excel saves an encrypted .xlsx as an OLE2 compound file holding "EncryptedPackage".
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\x00") + struct.pack("<H", 34)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(header + bytes(512) + entry + bytes(4096))
    error = error_of(path)
    assert error.message == (
        "password-protected workbook: remove the password in Excel (File → Info → Protect "
        "Workbook) and save again"
    )


def test_other_ole_file_is_not_readable(tmp_path: Path) -> None:
    path = tmp_path / "memo.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))
    assert error_of(path).message.startswith("cannot read the workbook")


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"<html><body><table><tr><td>a</td></tr></table></body></html>", "an HTML page"),
        (b"\xef\xbb\xbf  <table border=1><tr><td>a</td></tr></table>", "an HTML page"),
        (
            b'<?xml version="1.0"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "an XML Spreadsheet 2003 file",
        ),
    ],
)
def test_markup_saved_as_xls(tmp_path: Path, content: bytes, what: str) -> None:
    path = tmp_path / "export.xls"
    path.write_bytes(content)
    error = error_of(path)
    assert error.message == f"this .xls file is really {what}, not a workbook"
    assert error.hint is not None and "save it as .xlsx" in error.hint


def test_random_bytes_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(5000))
    error = error_of(path)
    assert error.message == "not a spreadsheet: the file is neither an Excel workbook nor CSV text"


def test_csv_saved_with_an_xlsx_name_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "crm.xlsx"
    path.write_bytes("客户,手机\n甲,13800138000\n".encode("gbk"))
    [table] = read_source(path, SourceSpec())
    assert table.sheet is None
    assert table.data.rows() == [("甲", "13800138000", 2)]
    assert [w.message for w in table.warnings] == [
        "crm.xlsx is really a CSV/text file, not an Excel workbook: read as CSV"
    ]


def test_xlsx_without_an_extension_is_read_by_content(tmp_path: Path) -> None:
    path = good_xlsx(tmp_path / "export.xlsx").rename(tmp_path / "export")
    [table] = read_source(path, SourceSpec())
    assert table.data.height == 200
    assert table.data.row(0) == ("客户0", "13800000000", 2)


def test_display_name_names_the_file_everywhere(tmp_path: Path) -> None:
    [table] = read_source(good_xlsx(tmp_path / "a.xlsx"), SourceSpec(), display_name="manual/a")
    assert table.file == "manual/a"


def test_invalid_formula_setting_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="formula_without_value = 'zero'"):
        read_source(good_xlsx(tmp_path / "a.xlsx"), SourceSpec(formula_without_value="zero"))


def test_invalid_skip_pattern_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="skip pattern '合计\\(' is not a valid"):
        read_source(good_xlsx(tmp_path / "a.xlsx"), SourceSpec(skip_patterns=("合计(",)))


def test_tab_separated_text_saved_as_xls_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "old-system-export.xls"
    path.write_bytes("<客户>\t手机\n甲\t13800138000\n".encode("gbk"))
    [table] = read_source(path, SourceSpec())
    assert table.columns == ("<客户>", "手机")
    assert table.data.rows() == [("甲", "13800138000", 2)]
    assert "is really a CSV/text file" in table.warnings[0].message
