"""Reading csv/text files: encodings, delimiters, row numbers, ragged rows, bad quoting."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualrun.errors import InputError
from dualrun.reconcile.readers import RawTable, SourceSpec, read_source

HEADER = "客户名称,联系人,手机,金额\n"


def write(tmp_path: Path, content: bytes | str, name: str = "crm.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read_one(path: Path, spec: SourceSpec | None = None) -> RawTable:
    tables = read_source(path, spec or SourceSpec())
    assert len(tables) == 1
    return tables[0]


def rows(table: RawTable) -> list[tuple[object, ...]]:
    return table.data.rows()


def test_utf8_csv_is_read_as_text_with_excel_row_numbers(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, HEADER + "甲公司,张三,13800138000,0012.50\n"))
    assert table.sheet is None
    assert table.header_row == 1
    assert table.columns == ("客户名称", "联系人", "手机", "金额")
    assert table.data.columns == ["客户名称", "联系人", "手机", "金额", "__row"]
    assert rows(table) == [("甲公司", "张三", "13800138000", "0012.50", 2)]


def test_values_are_never_type_inferred(tmp_path: Path) -> None:
    content = "id,flag,date,amount\n00123,TRUE,2024-03-05,1.50\n7,false,03/05/24,1e3\n"
    table = read_one(write(tmp_path, content))
    assert all(dtype == pl.String for dtype in table.data.dtypes[:-1])
    assert rows(table) == [
        ("00123", "TRUE", "2024-03-05", "1.50", 2),
        ("7", "false", "03/05/24", "1e3", 3),
    ]


def test_utf8_bom_is_stripped_from_the_first_header(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, b"\xef\xbb\xbfId,Name\n001,Acme\n"))
    assert table.columns == ("Id", "Name")


def test_gbk_csv_from_chinese_excel_is_detected(tmp_path: Path) -> None:
    content = HEADER + "北京甲有限公司,张三,13800138000,1.2万\n上海乙股份有限公司,李四,,\n"
    table = read_one(write(tmp_path, content.encode("gbk")))
    assert table.columns == ("客户名称", "联系人", "手机", "金额")
    assert rows(table)[1] == ("上海乙股份有限公司", "李四", None, None, 3)
    assert table.warnings == ()


def test_gb18030_only_characters_are_decoded(tmp_path: Path) -> None:
    content = "名称,备注\n𠮷野家,€\n"  # outside GBK: needs GB18030
    table = read_one(write(tmp_path, content.encode("gb18030")))
    assert rows(table) == [("𠮷野家", "€", 2)]


def test_utf16_with_bom_tab_separated_unicode_text(tmp_path: Path) -> None:
    content = "客户名称\t手机\n甲公司\t13800138000\n"
    for codec in ("utf-16-le", "utf-16-be"):
        bom = "\ufeff".encode(codec)
        table = read_one(write(tmp_path, bom + content.encode(codec), f"{codec}.txt"))
        assert table.columns == ("客户名称", "手机")
        assert rows(table) == [("甲公司", "13800138000", 2)]


def test_explicit_encoding_wins(tmp_path: Path) -> None:
    path = write(tmp_path, "Name,City\nMüller,Zürich\n".encode("cp1252"))
    table = read_one(path, SourceSpec(encoding="cp1252"))
    assert rows(table) == [("Müller", "Zürich", 2)]


def test_damaged_byte_in_utf8_file_names_its_line(tmp_path: Path) -> None:
    good = "".join(f"客户{i},张三,1380013800{i % 10},{i}\n" for i in range(30))
    path = write(tmp_path, (HEADER + good).encode() + b"bad\xff,x,y,z\n")
    with pytest.raises(InputError) as caught:
        read_source(path, SourceSpec())
    assert "byte 0xFF on line 32" in caught.value.message
    assert caught.value.location is not None and caught.value.location.row == 32
    assert caught.value.hint is not None and 'encoding = "gb18030"' in caught.value.hint


def test_wrong_explicit_encoding_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "甲公司,张三,138,1\n")
    with pytest.raises(InputError) as caught:
        read_source(path, SourceSpec(encoding="ascii"))
    assert "on line 1 cannot be decoded as ascii" in caught.value.message
    assert caught.value.hint is not None and 'says encoding = "ascii"' in caught.value.hint


def test_unknown_encoding_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_source(write(tmp_path, HEADER), SourceSpec(encoding="klingon"))


def test_blank_lines_are_dropped_but_count_in_row_numbers(tmp_path: Path) -> None:
    content = HEADER + "甲,张三,1,1\n\n , ,,\n乙,李四,2,2\r\n"
    table = read_one(write(tmp_path, content))
    assert [r[-1] for r in rows(table)] == [2, 5]
    assert table.skipped == ()


def test_crlf_line_ends(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, "a,b\r\n1,2\r\n3,\r\n"))
    assert rows(table) == [("1", "2", 2), ("3", None, 3)]


def test_total_row_is_skipped_and_listed(tmp_path: Path) -> None:
    content = HEADER + "甲,张三,1,1\n乙,李四,2,2\n合计,,,3\n , Total: ,,3\n"
    table = read_one(write(tmp_path, content))
    assert [r[0] for r in rows(table)] == ["甲", "乙"]
    assert [row for row, _ in table.skipped] == [4, 5]
    assert "'合计'" in table.skipped[0][1]


def test_custom_skip_pattern_with_python_only_syntax(tmp_path: Path) -> None:
    spec = SourceSpec(skip_patterns=(r"(?<!x)备注",))
    table = read_one(write(tmp_path, HEADER + "甲,张三,1,1\n备注：以上数据,,,\n"), spec)
    assert [r[0] for r in rows(table)] == ["甲"]
    assert table.skipped[0][0] == 3


def test_ragged_rows_are_kept_and_reported_with_their_rows(tmp_path: Path) -> None:
    content = HEADER + "甲,张三,1,1\n乙,李四\n丙,王五,3,3,extra,more\n丁,赵六,4,4\n"
    table = read_one(write(tmp_path, content))
    assert rows(table) == [
        ("甲", "张三", "1", "1", 2),
        ("乙", "李四", None, None, 3),
        ("丙", "王五", "3", "3", 4),
        ("丁", "赵六", "4", "4", 5),
    ]
    messages = {w.row: w.message for w in table.warnings}
    assert messages == {
        3: "row 3 has 2 cells but the header has 4; missing cells read as empty",
        4: "row 4 has more cells than the header (4); extra cells dropped",
    }


def test_many_ragged_rows_are_summarised_after_twenty(tmp_path: Path) -> None:
    content = HEADER + "".join("甲,张三\n" for _ in range(25))
    table = read_one(write(tmp_path, content))
    assert [w.row for w in table.warnings[:20]] == list(range(2, 22))
    assert table.warnings[20].row is None
    assert table.warnings[20].message.startswith("5 more rows have more or fewer cells")
    assert len(table.warnings) == 21


def test_quoted_cells_with_delimiters_and_newlines_are_one_row(tmp_path: Path) -> None:
    content = 'name,address,phone\nAcme,"1 Main St,\nSuite 2",555\r\nBeta,"say ""hi""",556\n'
    table = read_one(write(tmp_path, content))
    assert rows(table) == [
        ("Acme", "1 Main St,\nSuite 2", "555", 2),
        ("Beta", 'say "hi"', "556", 3),
    ]
    assert table.warnings == ()


def test_unterminated_quote_names_the_row_where_it_opens(tmp_path: Path) -> None:
    content = 'a,b,c\n1,"x\ny",3\n4,5,6\n7,"oops,8\n9,10,11\n12,13,14\n'
    with pytest.raises(InputError) as caught:
        read_source(write(tmp_path, content), SourceSpec())
    assert caught.value.message.startswith('a quote (") opened in row 4 (line 5) is never closed')
    assert caught.value.location is not None and caught.value.location.row == 4
    assert caught.value.hint is not None


def test_text_after_a_closing_quote_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"row 3 \(line 3\) has text right after a closing"):
        read_source(write(tmp_path, 'a,b\n1,2\n3,"4"5\n'), SourceSpec())


def test_quote_closed_many_lines_later_is_warned_about(tmp_path: Path) -> None:
    content = 'a,b,c,d\n1,"2,3,4\n5,6,7,8\n9,10,11,12",x,y\n13,14,15,16\n'
    table = read_one(write(tmp_path, content))
    assert [r[-1] for r in rows(table)] == [2, 3]
    assert any("closing quote" in w.message and w.row == 2 for w in table.warnings)


def test_cell_of_40000_characters(tmp_path: Path) -> None:
    long = "备注" * 20_000
    table = read_one(write(tmp_path, f'id,note\n1,"{long}"\n2,short\n'))
    assert rows(table)[0] == ("1", long, 2)
    assert rows(table)[1] == ("2", "short", 3)


def test_zero_byte_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_source(write(tmp_path, b""), SourceSpec())
    assert caught.value.message == "file is empty"


def test_file_with_only_blank_lines_has_no_cells(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file has no cells"):
        read_source(write(tmp_path, "\n\r\n  \n"), SourceSpec())


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    content = f"a{delimiter}b{delimiter}c\n1,5{delimiter}2{delimiter}3\n4{delimiter}5{delimiter}6\n"
    table = read_one(write(tmp_path, content))
    assert table.columns == ("a", "b", "c")
    assert rows(table)[0] == ("1,5", "2", "3", 2)


def test_excel_sep_line_sets_delimiter_and_is_not_a_row(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, "sep=;\na;b\n1;2\n"))
    assert table.columns == ("a", "b")
    assert rows(table) == [("1", "2", 2)]


def test_explicit_delimiter_wins(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, "a;b,c\n1;2,3\n"), SourceSpec(delimiter=";"))
    assert table.columns == ("a", "b,c")


def test_header_below_title_rows_in_csv(tmp_path: Path) -> None:
    content = "客户台账 2024,,,\n,,,\n" + HEADER + "甲,张三,1,1\n"
    table = read_one(write(tmp_path, content))
    assert table.header_row == 3
    assert rows(table) == [("甲", "张三", "1", "1", 4)]


def test_explicit_header_row(tmp_path: Path) -> None:
    content = "a,b\nx,y\n1,2\n\n"
    table = read_one(write(tmp_path, content), SourceSpec(header_row=2))
    assert table.columns == ("x", "y")
    assert rows(table) == [("1", "2", 3)]
    with pytest.raises(InputError, match="header_row = 4 is an empty row"):
        read_source(write(tmp_path, content), SourceSpec(header_row=4))


def test_header_with_nothing_below_gives_zero_rows_and_a_warning(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, HEADER + "\n\n"))
    assert table.data.height == 0
    assert table.data.columns == ["客户名称", "联系人", "手机", "金额", "__row"]
    assert [w.message for w in table.warnings] == ["no data rows below the header row"]


def test_duplicate_header_in_csv_names_both_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="columns B and D are both named '手机'"):
        read_source(write(tmp_path, "客户,手机,金额,手机\n甲,1,2,3\n"), SourceSpec())


def test_no_header_row_suggests_header_row(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_source(write(tmp_path, "1,2,3\n4,5,6\n"), SourceSpec())
    assert caught.value.message == "no header row found in the first 50 rows"
    assert caught.value.hint is not None and "header_row = N" in caught.value.hint


def test_unnamed_column_with_data_gets_its_letter(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, "客户,,手机,\n甲,备注,1,\n"))
    assert table.columns == ("客户", "column_B", "手机")


def test_gbk_after_64_kib_of_ascii_is_still_detected(tmp_path: Path) -> None:
    ascii_rows = "".join(f"{i},name{i}\n" for i in range(8000))
    content = "id,name\n" + ascii_rows + "9001,北京甲有限公司\n"
    table = read_one(write(tmp_path, content.encode("gbk")))
    assert rows(table)[-1] == ("9001", "北京甲有限公司", 8002)


def test_traditional_characters_in_gbk_stay_gbk(tmp_path: Path) -> None:
    content = "客戶名稱,聯絡人\n臺灣甲有限公司,張三\n香港丙股份有限公司,陳大文\n"
    table = read_one(write(tmp_path, content.encode("gbk")))
    assert table.columns == ("客戶名稱", "聯絡人")
    assert table.warnings == ()


def test_big5_is_guessed_with_a_warning(tmp_path: Path) -> None:
    content = "客戶名稱,聯絡人,電話\n臺灣甲有限公司,張三,02-1234\n香港乙公司,李四,852\n"
    table = read_one(write(tmp_path, content.encode("big5")))
    assert rows(table)[0] == ("臺灣甲有限公司", "張三", "02-1234", 2)
    assert table.warnings[0].message.startswith("text encoding guessed as big5")


def test_sep_line_after_a_bom(tmp_path: Path) -> None:
    table = read_one(write(tmp_path, b"\xef\xbb\xbfsep=|\na|b\n1|2\n"))
    assert (table.columns, rows(table)) == (("a", "b"), [("1", "2", 2)])


def test_broken_quote_in_a_bom_file(tmp_path: Path) -> None:
    content = b'\xef\xbb\xbf"a","b"\n"1","2\n3,4\n'
    with pytest.raises(InputError, match=r"opened in row 2 \(line 2\)"):
        read_source(write(tmp_path, content), SourceSpec())


cell_text = st.text(alphabet=' ab,"\n客户。;|', max_size=12)


@settings(max_examples=60, deadline=None)
@given(body=st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=15))
def test_any_cells_written_by_the_csv_module_read_back_unchanged(body: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["编号", "名称", "备注", "金额"])
    for number, cells in enumerate(body):
        writer.writerow([f"R{number}", *cells])
    with tempfile.TemporaryDirectory() as folder:
        table = read_one(write(Path(folder), buffer.getvalue().encode("utf-8-sig")))
    expected = [
        (f"R{n}", *(c if c else None for c in cells), n + 2) for n, cells in enumerate(body)
    ]
    assert rows(table) == expected
    assert not [w for w in table.warnings if "the header" in w.message]  # no ragged-row warning
