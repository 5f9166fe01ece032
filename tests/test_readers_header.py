"""Header detection and column naming, on rows given directly (no files)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualrun.errors import InputError, Location
from dualrun.reconcile.readers.header import (
    column_letter,
    find_header_row,
    header_text,
    name_columns,
)

Row = list[str | None]
HEADER: Row = ["客户名称", "联系人", "手机", "负责人", "签约日期", "金额(万元)"]
DATA: Row = ["甲有限公司", "张三", "13800138000", "李四", "2024-03-05", "1.5"]
WHERE = Location(file="台账.xlsx", sheet="一月", row=3)


def test_header_found_below_merged_title_row_and_blank_row() -> None:
    rows: list[Row] = [["2024年客户台账", None, None, None, None, None], [None] * 6, HEADER, DATA]
    assert find_header_row(rows) == 2


def test_title_and_subtitle_rows_with_few_cells_are_passed_over() -> None:
    rows: list[Row] = [
        ["客户台账", None, None, None, None, None],
        ["制表人：王五", None, None, None, "日期：2024-03-01", None],
        HEADER,
        DATA,
    ]
    assert find_header_row(rows) == 2


def test_group_header_row_above_the_real_header_is_passed_over() -> None:
    rows: list[Row] = [
        ["基本信息", None, "联系方式", None],
        ["客户名称", "行业", "手机", "邮箱"],
        ["甲公司", "制造", "13800138000", "a@b.com"],
    ]
    assert find_header_row(rows) == 1


def test_expected_headers_win_over_an_earlier_header_like_row() -> None:
    rows: list[Row] = [["制表人", "王五", "部门", "销售部", "版本", "第二版"], HEADER, DATA]
    assert find_header_row(rows) == 0
    assert find_header_row(rows, frozenset({"客户名称", "手机", "Email"})) == 1


def test_expected_headers_match_ignoring_case_and_spacing() -> None:
    rows = [["Notes", "by", "owner", "x"], ["Account  Name", "PHONE", "Owner", "Amount"]]
    assert find_header_row(rows, frozenset({"account name", "Phone"})) == 1


def test_rows_of_numbers_and_dates_are_not_a_header() -> None:
    rows = [["13800138000", "2024-03-05", "1,234.50", "12"]] * 5
    assert find_header_row(rows) is None


def test_blank_sheet_has_no_header() -> None:
    assert find_header_row([[None, " "], [None, None]]) is None


def test_single_column_table_has_a_header() -> None:
    assert find_header_row([["手机"], ["13800138000"]]) == 0


def test_header_text_collapses_whitespace_and_newlines() -> None:
    assert header_text("  金额\n(万元) ") == "金额 (万元)"
    assert header_text("\ufeffId") == "Id"
    assert header_text(None) == ""


def test_column_letters_follow_excel() -> None:
    assert [column_letter(i) for i in (0, 2, 25, 26, 27, 701, 702)] == [
        "A",
        "C",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_empty_header_cell_over_data_is_named_by_its_letter_and_empty_column_dropped() -> None:
    names = name_columns(["客户", None, "手机", None], [True, True, True, False], 2, WHERE)
    assert names == ["客户", "column_D", "手机", None]


def test_duplicate_header_names_both_column_letters() -> None:
    cells = ["客户", "手机", "负责人", "手机 "]
    with pytest.raises(InputError) as caught:
        name_columns(cells, [True] * 4, 2, WHERE)
    assert "columns D and F are both named '手机'" in caught.value.message
    assert caught.value.location == Location(file="台账.xlsx", sheet="一月", row=3)
    assert caught.value.hint


def test_duplicates_differing_only_in_case_are_duplicates() -> None:
    with pytest.raises(InputError, match="columns A and B are both named 'Phone' / 'phone'"):
        name_columns(["Phone", "phone"], [True, True], 0, WHERE)


words = st.text(alphabet="客户名称联系人手机负责人金额城市abcdefgh", min_size=2, max_size=8)


@given(
    header=st.lists(words, min_size=2, max_size=12, unique_by=str.casefold),
    blank_rows=st.integers(min_value=0, max_value=5),
    title=st.booleans(),
)
def test_header_is_found_whatever_blank_and_title_rows_sit_above_it(
    header: list[str], blank_rows: int, title: bool
) -> None:
    width = len(header)
    above: list[Row] = [[None] * width for _ in range(blank_rows)]
    if title:
        above.insert(0, ["标题"] + [None] * (width - 1))
    data: list[Row] = [[str(13800000000 + i + j) for j in range(width)] for i in range(3)]
    rows: list[Row] = [*above, list[str | None](header), *data]
    assert find_header_row(rows) == len(above)
