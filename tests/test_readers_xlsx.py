"""Reading workbooks: sheet choice, true Excel row numbers, cell text, formulas, .xls."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from dualrun.errors import InputError, Location
from dualrun.reconcile.readers import RawTable, SourceSpec, read_source
from dualrun.reconcile.readers.xlsx_reader import scan_sheet_xml

HEADER = ["客户名称", "联系人", "手机", "签约日期", "金额(万元)"]


def save(tmp_path: Path, workbook: openpyxl.Workbook, name: str = "台账.xlsx") -> Path:
    path = tmp_path / name
    workbook.save(path)
    return path


def ledger_sheet(sheet: Worksheet, owner: str) -> None:
    """A typical manual ledger: merged title, blank row, header, data, blank row, total.

    Rows: 1 title (merged A1:E1), 2 blank, 3 header, 4-5 data, 6 blank, 7 data, 8 合计.
    """
    sheet["A1"] = f"{owner} 客户台账 2024"
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["北京甲有限公司", "张三", 13800138000, dt.datetime(2024, 3, 5), 1.5])
    sheet.append(["上海乙公司", "李四", "139 0013 9000", dt.datetime(2024, 3, 6, 14, 30), 12])
    sheet.append([])
    sheet.append(["广州丙公司", None, None, "2024年3月5日", "1.2万"])
    sheet.append(["合计", None, None, None, 14.7])


def only(tables: list[RawTable]) -> RawTable:
    assert len(tables) == 1
    return tables[0]


def test_ledger_with_title_blank_rows_and_total_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    ledger_sheet(workbook.active, "张三")
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert table.header_row == 3
    assert table.columns == tuple(HEADER)
    assert table.data.rows() == [
        ("北京甲有限公司", "张三", "13800138000", "2024-03-05", "1.5", 4),
        ("上海乙公司", "李四", "139 0013 9000", "2024-03-06 14:30:00", "12", 5),
        ("广州丙公司", None, None, "2024年3月5日", "1.2万", 7),
    ]
    assert table.skipped == (
        (8, "first cell '合计' matches skip pattern '^\\\\s*(合计|总计|小计|total|sum)\\\\b'"),
    )
    assert table.warnings == ()


def test_data_starting_at_c3_keeps_excel_row_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C3"], sheet["D3"] = "客户", "手机"
    sheet["C4"], sheet["D4"] = "甲", 13800138000
    sheet["C7"], sheet["D7"] = "乙", "13900139000"  # rows 5 and 6 blank
    sheet["E9"] = "备注在右下"  # a later cell further right widens the table
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert table.header_row == 3
    assert table.columns == ("客户", "手机", "column_E")
    assert table.data.rows() == [
        ("甲", "13800138000", None, 4),
        ("乙", "13900139000", None, 7),
        (None, None, "备注在右下", 9),
    ]


def test_title_further_left_than_the_table(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"] = "标题"
    for column, text in zip("DEF", ["客户", "手机", "金额"], strict=True):
        sheet[f"{column}4"] = text
        sheet[f"{column}5"] = f"{text}1"
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert (table.header_row, table.columns) == (4, ("客户", "手机", "金额"))
    assert table.data.rows() == [("客户1", "手机1", "金额1", 5)]


def test_first_row_starting_with_an_error_cell_falls_back_to_calamine(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"] = "#N/A"  # an error cell: fastexcel reads it as empty
    sheet["C2"], sheet["D2"] = "客户", "手机"
    sheet["C3"], sheet["D3"] = "甲", "1"
    path = save(tmp_path, workbook)
    facts = scan_sheet_xml(path, "xl/worksheets/sheet1.xml")
    assert (facts.first_row, facts.first_row_columns) == (2, frozenset({1, 2, 3}))
    table = only(read_source(path, SourceSpec()))
    assert (table.header_row, table.columns) == (2, ("客户", "手机"))
    assert table.data.rows() == [("甲", "1", 3)]


def test_cell_text_numbers_dates_and_times(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["phone", "big", "fraction", "date", "stamp", "time", "text", "flag"])
    sheet.append(
        [
            13800138000,
            12345678901.0,
            0.1,
            dt.date(2024, 1, 2),
            dt.datetime(2024, 1, 2, 8, 30, 15, 600000),
            dt.time(13, 5),
            "  keep spaces ",
            True,
        ]
    )
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert table.data.rows() == [
        (
            "13800138000",
            "12345678901",
            "0.1",
            "2024-01-02",
            "2024-01-02 08:30:16",
            "13:05:00",
            "  keep spaces ",
            "true",
            2,
        )
    ]


def several_sheets(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    ledger_sheet(workbook.active, "张三")
    workbook.active.title = "张三"
    ledger_sheet(workbook.create_sheet("李四"), "李四")
    workbook.create_sheet("空表")
    hidden = workbook.create_sheet("旧数据")
    ledger_sheet(hidden, "旧")
    hidden.sheet_state = "hidden"
    notes = workbook.create_sheet("说明")
    notes.append(["说明", "填写规则"])
    notes.append(["手机", "11位"])
    return save(tmp_path, workbook)


def test_every_visible_sheet_with_data_is_read(tmp_path: Path) -> None:
    tables = read_source(several_sheets(tmp_path), SourceSpec())
    assert [t.sheet for t in tables] == ["张三", "李四", "说明"]
    assert all(t.file.endswith("台账.xlsx") for t in tables)


def test_sheet_patterns_skip_hidden_sheets_and_exact_names_reach_them(tmp_path: Path) -> None:
    path = several_sheets(tmp_path)
    assert [t.sheet for t in read_source(path, SourceSpec(sheets=("*",)))] == [
        "张三",
        "李四",
        "说明",
    ]
    picked = read_source(path, SourceSpec(sheets=("旧数据", "李*")))
    assert [t.sheet for t in picked] == ["李四", "旧数据"]


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_source(several_sheets(tmp_path), SourceSpec(sheets=("王五",)))
    assert caught.value.message == "no sheet named '王五'"
    assert caught.value.hint == "the workbook has: '张三', '李四', '空表', '旧数据', '说明'"


def test_pattern_matching_no_sheet(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no sheet matches '2025-\\*'"):
        read_source(several_sheets(tmp_path), SourceSpec(sheets=("2025-*",)))


def test_no_sheet_with_data_is_an_error(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.create_sheet("Sheet2")
    with pytest.raises(InputError) as caught:
        read_source(save(tmp_path, workbook), SourceSpec())
    assert caught.value.message == "no sheet has data"
    assert caught.value.hint is not None and "'Sheet', 'Sheet2'" in caught.value.hint


def test_hidden_columns_are_read_like_any_other(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["(Do Not Modify) Account", "(Do Not Modify) Row Checksum", "Account Name"])
    sheet.append(["5f1c-guid", "abc==", "Acme"])
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["B"].hidden = True
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert table.columns[:2] == ("(Do Not Modify) Account", "(Do Not Modify) Row Checksum")
    assert table.data.rows() == [("5f1c-guid", "abc==", "Acme", 2)]


def formula_book(tmp_path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "订单"
    sheet.append(["数量", "单价", "金额"])
    sheet.append([2, 3, "=A2*B2"])
    sheet.append([4, 5, "=A3*B3"])
    return save(tmp_path, workbook)


def test_formula_without_saved_value_names_the_cell(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_source(formula_book(tmp_path), SourceSpec())
    error = caught.value
    assert error.message.startswith("cell C2 (and 1 more) holds a formula with no saved value")
    assert error.location == Location(
        file=error.location.file if error.location else None, sheet="订单", row=2, column="C"
    )
    assert error.hint is not None and 'formula_without_value = "empty"' in error.hint


def test_formula_without_saved_value_read_as_empty_when_allowed(tmp_path: Path) -> None:
    table = only(read_source(formula_book(tmp_path), SourceSpec(formula_without_value="empty")))
    assert table.data.rows() == [("2", "3", None, 2), ("4", "5", None, 3)]
    assert [w.message for w in table.warnings] == [
        "2 formula cell(s) have no saved value and were read as empty (first: C2)"
    ]


def rewrite_sheet_xml(path: Path, *edits: tuple[bytes, bytes]) -> None:
    """Edit the first sheet's XML in place (openpyxl cannot write saved formula values)."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    for old, new in edits:
        assert old in parts[member]
        parts[member] = parts[member].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formula_with_saved_value_is_read(tmp_path: Path) -> None:
    path = formula_book(tmp_path)
    rewrite_sheet_xml(
        path,
        (b"<f>A2*B2</f><v />", b"<f>A2*B2</f><v>6</v>"),
        (b"<f>A3*B3</f><v />", b"<f>A3*B3</f><v>20</v>"),
    )
    table = only(read_source(path, SourceSpec()))
    assert table.data.rows() == [("2", "3", "6", 2), ("4", "5", "20", 3)]


def test_formula_saved_as_empty_text_is_a_value(tmp_path: Path) -> None:
    path = formula_book(tmp_path)
    rewrite_sheet_xml(
        path,
        (b'<c r="C2"><f>A2*B2</f><v />', b'<c r="C2" t="str"><f>A2*B2</f><v></v>'),
        (b"<f>A3*B3</f><v />", b"<f>A3*B3</f><v>20</v>"),
    )
    table = only(read_source(path, SourceSpec()))
    assert table.data.rows() == [("2", "3", None, 2), ("4", "5", "20", 3)]


def test_sheet_of_whitespace_and_formatting_only_is_skipped(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["客户", "手机"])
    workbook.active.append(["甲", "1"])
    blank = workbook.create_sheet("格式")
    blank["C3"] = "   "
    blank["B5"].fill = PatternFill("solid", fgColor="FFFF00")
    tables = read_source(save(tmp_path, workbook), SourceSpec())
    assert [t.sheet for t in tables] == ["Sheet"]


def test_duplicate_header_in_a_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "一月"
    sheet.append([None, None, "客户", "手机", "邮箱", "手机"])
    sheet.append([None, None, "甲", "1", "a@b.c", "2"])
    with pytest.raises(InputError) as caught:
        read_source(save(tmp_path, workbook), SourceSpec())
    assert caught.value.message == "columns D and F are both named '手机'"
    assert caught.value.location is not None
    assert (caught.value.location.sheet, caught.value.location.row) == ("一月", 1)


def test_header_with_nothing_below(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert table.data.height == 0
    assert table.warnings[0].message == "no data rows below the header row"
    assert table.warnings[0].row == 1


def test_explicit_header_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["B2"], sheet["C2"] = "1", "2"
    sheet["B3"], sheet["C3"] = "3", "4"
    table = only(read_source(save(tmp_path, workbook), SourceSpec(header_row=2)))
    assert table.columns == ("1", "2")
    assert table.data.rows() == [("3", "4", 3)]
    with pytest.raises(
        InputError, match=r"header_row = 1 is above the first row with cells \(row 2\)"
    ):
        read_source(tmp_path / "台账.xlsx", SourceSpec(header_row=1))
    with pytest.raises(
        InputError, match=r"header_row = 9 is below the last row with cells \(row 3\)"
    ):
        read_source(tmp_path / "台账.xlsx", SourceSpec(header_row=9))


def test_cell_of_40000_characters_in_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "note"])
    workbook.active.append(["1", "备" * 32_000])  # Excel's own cell limit is 32,767
    table = only(read_source(save(tmp_path, workbook), SourceSpec()))
    assert table.data.rows()[0][1] == "备" * 32_000


# --- legacy .xls -------------------------------------------------------------------------


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


Cells = dict[tuple[int, int], str | float]


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0xDBB, 0x7CC, 0, 6))


def _biff8(sheets: list[tuple[str, bool, Cells]], *, encrypted: bool = False) -> bytes:
    """A minimal BIFF8 workbook stream: LABEL and NUMBER cells, visible/hidden sheets.

    ``encrypted`` adds the FILEPASS record Excel writes for a password-protected .xls.
    """
    filepass = _record(0x2F, struct.pack("<HHH", 1, 1, 1) + bytes(48)) if encrypted else b""
    font_body = struct.pack("<HHHHHBBBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0, 5, 0) + b"Arial"
    font = _record(0x31, font_body)
    xf = _record(0xE0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    streams = []
    for _, _, cells in sheets:
        body = _bof(0x10)
        for (row, col), value in sorted(cells.items()):
            if isinstance(value, str):
                text = value.encode("utf-16-le")
                body += _record(0x204, struct.pack("<HHHHB", row, col, 15, len(value), 1) + text)
            else:
                body += _record(0x203, struct.pack("<HHHd", row, col, 15, value))
        streams.append(body + _record(0x0A, b""))

    def globals_part(offsets: list[int]) -> bytes:
        part = _bof(0x05) + filepass + _record(0x42, struct.pack("<H", 1200))
        part += font * 5 + xf * 16
        for (name, hidden, _), offset in zip(sheets, offsets, strict=True):
            head = struct.pack("<IBBBB", offset, int(hidden), 0, len(name), 1)
            part += _record(0x85, head + name.encode("utf-16-le"))
        return part + _record(0x0A, b"")

    position = len(globals_part([0] * len(sheets)))
    offsets = []
    for stream in streams:
        offsets.append(position)
        position += len(stream)
    return globals_part(offsets) + b"".join(streams)


def _compound_file(stream: bytes) -> bytes:
    """An OLE2 compound file holding one 'Workbook' stream (no mini stream: >= 4096 bytes)."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\x00")
    sectors = len(stream) // 512
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = [0xFFFFFFFD, end, *range(3, 2 + sectors), end]
    fat += [free] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIII", 0, 1, 1, 0, 4096, end, 0, end)
    header += struct.pack("<I", 0) + struct.pack("<109I", 0, *([free] * 108))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        fixed = struct.pack("<HBBIII", len(raw), kind, 1 if name else 0, free, free, child)
        return (
            raw.ljust(64, b"\x00") + fixed + bytes(16) + struct.pack("<IQQIQ", 0, 0, 0, start, size)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
    directory += entry("", 0, free, 0, 0) * 2
    return header[:512] + struct.pack("<128I", *fat) + directory + stream


def write_xls(path: Path) -> Path:
    sheet: Cells = {(2, 1): "客户名称", (2, 2): "手机", (3, 1): "甲公司", (3, 2): 13800138000.0}
    sheet[(5, 1)], sheet[(5, 2)] = "乙公司", "139"
    path.write_bytes(
        _compound_file(
            _biff8([("客户", False, sheet), ("隐藏", True, {(0, 0): "旧客户", (1, 0): "丙公司"})])
        )
    )
    return path


@pytest.mark.parametrize("name", ["old.xls", "old-renamed.xlsx"])
def test_legacy_xls_is_read_with_its_row_numbers(tmp_path: Path, name: str) -> None:
    table = only(read_source(write_xls(tmp_path / name), SourceSpec()))
    assert (table.sheet, table.header_row, table.columns) == ("客户", 3, ("客户名称", "手机"))
    assert table.data.rows() == [("甲公司", "13800138000", 4), ("乙公司", "139", 6)]


def test_hidden_sheet_of_an_xls_is_read_only_when_named(tmp_path: Path) -> None:
    table = only(read_source(write_xls(tmp_path / "old.xls"), SourceSpec(sheets=("隐藏",))))
    assert (table.sheet, table.columns, table.data.rows()) == ("隐藏", ("旧客户",), [("丙公司", 2)])


def test_password_protected_legacy_xls(tmp_path: Path) -> None:
    path = tmp_path / "locked.xls"
    path.write_bytes(_compound_file(_biff8([("S", False, {(0, 0): "a"})], encrypted=True)))
    with pytest.raises(InputError, match="password-protected workbook: remove the password"):
        read_source(path, SourceSpec())
