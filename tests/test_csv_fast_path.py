"""The plain csv parse gives exactly what the marker parse gives.

``csv_reader`` reads most files without marking every line (see ``_parse_plain``) and
finds the header in a marked slice at the start of the file rather than in the whole
file marked. Every test here reads the same bytes twice, once as shipped and once with
``_PLAIN_PARSE`` off (the whole file marked, as the reader always did), and requires
the same table, warnings, skipped rows, or the same error. Tests that expect the plain
parse or the head slice to have been taken check that too, so a path that silently
always falls back cannot pass for a correct one.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dualrun.errors import InputError
from dualrun.reconcile.readers import csv_lines, csv_reader
from dualrun.reconcile.readers.csv_reader import read_csv_file
from dualrun.reconcile.readers.table import SourceSpec


@dataclass
class _Paths:
    plain: list[bool] = field(default_factory=list)  # per _parse_plain call: it answered
    slices: int = 0  # head slices parsed


@contextmanager
def _watch() -> Iterator[_Paths]:
    paths = _Paths()
    parse_plain = csv_reader._parse_plain
    parse_slice = csv_reader._parse_slice

    def plain(*args: Any, **kwargs: Any) -> Any:
        result = parse_plain(*args, **kwargs)
        paths.plain.append(result is not None)
        return result

    def head(*args: Any, **kwargs: Any) -> Any:
        paths.slices += 1
        return parse_slice(*args, **kwargs)

    with (
        mock.patch.object(csv_reader, "_parse_plain", plain),
        mock.patch.object(csv_reader, "_parse_slice", head),
    ):
        yield paths


def _outcome(read: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        table = read()
    except InputError as exc:
        return ("error", type(exc).__name__, exc.message, exc.location, exc.hint)
    return (
        "table",
        table.file,
        table.sheet,
        table.header_row,
        table.columns,
        table.data.schema,
        table.data.rows(),
        table.warnings,
        table.skipped,
    )


def both(raw: bytes, spec: SourceSpec | None = None) -> tuple[tuple[Any, ...], _Paths]:
    """Read ``raw`` both ways; assert the outcomes match; return it and the paths taken."""
    spec = spec or SourceSpec()
    with _watch() as paths:
        fast = _outcome(lambda: read_csv_file(raw, spec, "f.csv"))
    with mock.patch.object(csv_reader, "_PLAIN_PARSE", False):
        reference = _outcome(lambda: read_csv_file(raw, spec, "f.csv"))
    assert fast == reference
    return fast, paths


def plain_taken(paths: _Paths) -> bool:
    return paths.plain[-1:] == [True]


HEADER = "客户名称,联系人,手机,金额\n"
BODY = "甲公司,张三,13800138000,1\n乙公司,李四,13900139000,2\n"


@pytest.mark.parametrize(
    ("content", "plain"),
    [
        (HEADER + BODY, True),
        # short rows, long rows, trailing delimiters, a row of delimiters only
        (HEADER + "甲,张三\n乙,李四,1,2,extra\n丙,王五,1,2,\n丁,,,\n,,,\n戊,,1,\n", True),
        (HEADER + "甲,张三,1,\n乙,李四,,\n丙,,,\n", True),
        (HEADER + "甲,张三,1,2,\n", True),
        (HEADER + "甲,张三,1,2,,\n", True),
        (HEADER + "甲,张三,1,2,x,y,z,w\n", True),
        (HEADER + "甲,张三,1,2,,,,\n", True),
        (HEADER + BODY + "甲,张三,1,2,3,4,5,6,7\n", False),  # 5 cells too many: polars fails
        (HEADER + BODY + "甲,张三,1,2,,,,,\n", False),
        (HEADER + BODY + "乙,李四,1,2,3,4,5,6\n,,,,,,,\n", True),
        (HEADER + BODY + ",,,,,,,,\n", False),
        # polars takes the number of columns from the first record: 2 too many fail
        ("2024年客户台账,,,,\n" + HEADER + BODY, True),
        ("2024年客户台账,,,,,\n" + HEADER + BODY, False),
        ('"2024年, 客户台账",,,,\n' + HEADER + BODY, True),
        ("2024年客户台账,,,,,x\n" + HEADER + BODY, False),
        ("a,b,c,\n1,2,3,\n4,5,6\n7,8,9,10,\n", True),  # header with a trailing delimiter
        # empty, quoted-empty and whitespace-only cells
        (HEADER + 'a,,b,""\n"",c, ,\n" ",d,"",\n', True),
        (HEADER + '"",,,\n,"",,\n', True),
        # multiline quoted cells
        ('name,address,phone\nAcme,"1 Main St,\nSuite 2",555\r\nBeta,"say ""hi""",556\n', True),
        ('a,b,c,d\n1,"2,3,4\n5,6,7,8\n9,10,11,12",x,y\n13,14,15,16\n', True),
        ('a,b,c\n1,"x\n",3\n', True),
        ('a,b,c\n1,"x,\ny",3\n', True),  # a line in a cell ends with a delimiter
        ('a,b,c\n1,"x\ny",3,\n', True),
        ('a,b,c\n1,"x\ny",3,,\n', True),
        ('a,b,c\n1,"x\ny",3,,,,,,\n', False),
        # a quoted cell over lines that look like records, in the cells past the header's
        ('a,b,c,d\n1,2,3,4,5,"x\n1,2,3,4\n5,6,7,8",\n', True),
        ('a,b,c,d\n1,2,3,4,5,6,"x\n1,2,3,4\n5,6,7,8"\n', True),
        ('a,b,c,d\n1,"x\ny",3\n,,\n"\n",\n', True),
        # blank lines in the middle and at the end
        (HEADER + "甲,张三,1,1\n\n , ,,\n乙,李四,2,2\r\n", True),
        (HEADER + BODY + "\n\n\n", True),
        ("\n\n" + HEADER + BODY, True),
        (HEADER + BODY + "  ", True),
        # CRLF, mixed line ends, no final newline, stray and old Mac CRs
        ((HEADER + BODY).replace("\n", "\r\n"), True),
        (HEADER + "甲,张三,1,1\r\n乙,李四\r\n丙,,,\r\n", True),
        (HEADER + "甲,张三,1,1\r\n乙,李四,2,2", True),
        (HEADER + "甲,张三,1,1\n乙,李四,2,", True),
        (HEADER + "甲,张三,1,1\n乙,李四,2,2\r", False),
        (HEADER + "甲,张三,1,1\r\r\n", False),
        ((HEADER + BODY).replace("\n", "\r"), False),
        # BOM, sep= line, title rows above the header, total rows
        ("\ufeff" + HEADER + BODY, True),
        ("\ufeff\n" + HEADER + BODY, True),
        ("sep=;\n客户名称;联系人\n甲;张三\n乙\n", True),
        ("\ufeffsep=|\r\na|b|c\r\n1|2|3\r\n4|5\r\n", True),
        ("2024年客户台账,,,\n导出人：张三\n\n" + HEADER + BODY, True),
        (HEADER + BODY + "合计,,,3\n , Total: ,,3\n小计\n", True),
        # a single line, a header only
        ("a,b,c", True),
        (HEADER, True),
        # quoting errors, control characters
        ('a,b,c\n1,"x\ny",3\n4,5,6\n7,"oops,8\n9,10,11\n', False),
        ('a,b\n1,2\n3,"4"5\n', False),
        ('a,b\n1,2\n3,"4', False),
        ("a,b\n1,\x1e\x1f\x1d\x1c\n", False),
    ],
)
def test_plain_parse_matches_marker_parse(content: str, plain: bool) -> None:
    outcome, paths = both(content.encode())
    assert plain_taken(paths) == plain, outcome


def test_ragged_row_warnings_and_their_summary_match() -> None:
    rows = ["甲,张三", "乙,李四,1,2,x", "丙,王五,1,", "丁,赵六,1,2,"] * 12
    outcome, paths = both((HEADER + "\n".join(rows) + "\n").encode())
    assert plain_taken(paths)
    warnings = outcome[7]
    assert len(warnings) == 21
    assert (
        warnings[0].message == "row 2 has 2 cells but the header has 4; missing cells read as empty"
    )
    assert warnings[1].message == "row 3 has more cells than the header (4); extra cells dropped"
    assert warnings[2].message.startswith("row 5 has more cells")  # row 4: "丙,王五,1," fits
    assert (
        warnings[20].message == "16 more rows have more or fewer cells than the header (36 in all)"
    )


@pytest.mark.parametrize("spec", [SourceSpec(header_row=3), SourceSpec(delimiter=";")])
def test_specs_match(spec: SourceSpec) -> None:
    both(("title\n\n" + HEADER + BODY + "甲,张三\n").encode(), spec)


def test_utf8_fallback_matches() -> None:
    text = HEADER + "".join(f"客户{i},张三,1380013800{i % 10},{i}\n" for i in range(30))
    outcome, _ = both(text.encode("gb18030"))
    assert outcome[0] == "table"
    ascii_head = "id,name\n" + "".join(f"{i},n{i}\n" for i in range(12_000))
    outcome, _ = both((ascii_head + "1,北京甲有限公司\n").encode("gbk"))
    assert outcome[0] == "table" and outcome[6][-1] == ("1", "北京甲有限公司", 12_002)


# -- big files: the header found in a slice at the start --------------------------------


def _big(rows: int = 4_000, *, line_end: str = "\n") -> list[str]:
    return [f"客户{i},联系人{i % 97},1380013{i:04d},{i}.5" for i in range(rows)]


def _join(title: list[str], lines: list[str], line_end: str = "\n") -> bytes:
    return (line_end.join([*title, HEADER.rstrip("\n"), *lines]) + line_end).encode()


@pytest.mark.parametrize(
    ("edit", "plain"),
    [
        (lambda lines: lines, True),
        (lambda lines: [*lines[:10], "甲,张三", "乙,李四,1,2,", "", "丙,,,", *lines[10:]], True),
        (lambda lines: [*lines[:3000], "甲,张三", "乙,李四,1,2,x,y", *lines[3000:]], True),
        (lambda lines: [*lines[:3000], "乙,李四,1,2,x,y,z,w,v", *lines[3000:]], False),
        (lambda lines: [*lines[:3000], '乙,"李\n四",1,2', *lines[3000:]], True),
        (lambda lines: [*lines[:5], '乙,"李\n四",1,2', *lines[5:]], True),
        (lambda lines: [*lines[:3000], '乙,"李,\n四",1,2,', *lines[3000:]], True),
        (lambda lines: [*lines[:3000], '乙,"李四,1,2', *lines[3000:]], False),
        (lambda lines: [*lines[:30], '乙,"李四,1,2', *lines[30:]], False),
        (lambda lines: [*lines[:3000], "合计,,,1", *lines[3000:], "总计,,,2"], True),
        (lambda lines: [*lines, "", "", ""], True),
        (lambda lines: [f"{line}," for line in lines], True),
    ],
)
def test_big_files_match(edit: Callable[[list[str]], list[str]], plain: bool) -> None:
    for line_end in ("\n", "\r\n"):
        raw = _join(["2024年客户台账", "导出人：张三,,", ""], edit(_big()), line_end)
        outcome, paths = both(raw)
        assert plain_taken(paths) == plain
        if outcome[0] == "table":
            assert paths.slices >= 1  # the header was found in a slice


def test_head_full_of_multiline_cells_falls_back_to_the_whole_file() -> None:
    note = '"' + "\n".join(["很长的备注"] * 4_000) + '"'
    raw = _join([], [f"甲,张三,1,{note}", *_big()])
    outcome, paths = both(raw)
    assert outcome[0] == "table" and outcome[6][1][-1] == 3
    assert plain_taken(paths)


def test_header_row_beyond_the_head_and_beyond_the_file() -> None:
    raw = _join([f"说明{i}" for i in range(70)], _big())
    outcome, paths = both(raw, SourceSpec(header_row=71))
    assert outcome[0] == "table" and outcome[3] == 71 and paths.slices >= 1
    outcome, _ = both(raw, SourceSpec(header_row=10_000))
    assert outcome[0] == "error" and "below the last row" in outcome[2]
    outcome, _ = both(raw)
    assert outcome[0] == "table"


def test_no_header_in_a_big_file_reports_what_the_whole_file_gives() -> None:
    lines = [f"{i},{i * 2},{i * 3}" for i in range(5_000)]
    outcome, _ = both(("\n".join(lines) + "\n").encode())
    assert outcome[0] == "error"
    outcome, _ = both(("\n".join([*lines[:100], '1,"2"x,3', *lines]) + "\n").encode())
    assert outcome[0] == "error"


def test_an_error_past_a_short_head_slice_is_the_one_reported() -> None:
    # polars reads past n_rows: an error there is reported before any header problem.
    lines = [f"{i},{i * 2},{i * 3}" for i in range(5_000)]
    raw = ("\n".join([*lines[:60], '1,"2"x,3', *lines]) + "\n").encode()
    head = csv_lines.Lines.head

    def short(self: csv_lines.Lines, data: bytes, rows: int) -> bytes | None:
        return data[: int(self.newlines[rows]) + 1] if head(self, data, rows) else None

    with mock.patch.object(csv_lines.Lines, "head", short):
        outcome, paths = both(raw)
    assert outcome[0] == "error" and "text right after a closing quote" in outcome[2]
    assert paths.slices >= 1


# -- any file -----------------------------------------------------------------------------

_PLAIN_TEXT = st.text(alphabet="ab 1.合计xTotal\t;|", max_size=5)
_ANY_TEXT = st.text(alphabet='ab ,;"\n\r合\t|', max_size=6)


@st.composite
def _cells(draw: st.DrawFn, delimiter: str) -> str:
    kind = draw(st.sampled_from(["plain"] * 6 + ["empty"] * 2 + ["quoted"] * 2 + ["raw"]))
    if kind == "empty":
        return draw(st.sampled_from(["", '""', " ", "  "]))
    if kind == "quoted":
        return '"' + draw(_ANY_TEXT).replace('"', '""') + '"'
    if kind == "raw":  # anything, quoting broken or not
        return draw(_ANY_TEXT)
    return draw(_PLAIN_TEXT).replace(delimiter, "")


@st.composite
def _files(draw: st.DrawFn) -> tuple[bytes, SourceSpec]:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 6))
    header = [f"列{i}" for i in range(width)]
    if draw(st.booleans()):
        header.append("")  # a header line ending with a delimiter
    rows: list[str] = []
    for _ in range(draw(st.integers(0, 4))):  # title rows, blank lines
        rows.append(draw(st.sampled_from(["", "title", "导出,", " ", "说明,,,,,,", ",,,"])))
    rows.append(delimiter.join(header))
    for _ in range(draw(st.integers(0, 12))):
        size = draw(st.sampled_from([width, width, width, width - 1, width + 1, width + 2, 0]))
        rows.append(delimiter.join(draw(_cells(delimiter)) for _ in range(max(size, 0))))
    style = draw(st.sampled_from([["\n"], ["\r\n"], ["\n", "\r\n"], ["\n", "\r\n", "\r"]]))
    ends = draw(st.lists(st.sampled_from(style), min_size=len(rows)))
    text = "".join(row + end for row, end in zip(rows, ends, strict=False))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    if draw(st.booleans()):
        text = f"sep={delimiter}\n" + text
    raw = text.encode()
    if draw(st.booleans()):
        raw = codecs.BOM_UTF8 + raw
    spec = draw(
        st.sampled_from(
            [
                SourceSpec(),
                SourceSpec(delimiter=delimiter),
                SourceSpec(header_row=1),
                SourceSpec(header_row=2),
                SourceSpec(header_row=3),
                SourceSpec(skip_patterns=()),
            ]
        )
    )
    return raw, spec


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_files())
@example((b"a,b\n1\n2,3,\n,\n", SourceSpec()))
@example((b'a,b,c\n1,"x\n\ny",3\n\n', SourceSpec()))
@example(("列0,列1,列2,列3,列4,列5,\n,,,,1\n".encode(), SourceSpec(header_row=2)))
def test_any_file_reads_the_same_both_ways(case: tuple[bytes, SourceSpec]) -> None:
    raw, spec = case
    if raw.strip():
        both(raw, spec)


def test_the_generated_files_mostly_take_the_plain_parse() -> None:
    taken: list[bool] = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(_files())
    def run(case: tuple[bytes, SourceSpec]) -> None:
        raw, spec = case
        if raw.strip():
            taken.extend(both(raw, spec)[1].plain)

    run()
    assert sum(taken) >= 40, f"plain parse taken {sum(taken)} times of {len(taken)}"


def test_a_row_matching_several_skip_patterns_names_the_first() -> None:
    spec = SourceSpec(skip_patterns=("^x", "合计", "^合"))
    raw = (HEADER + "合计,,,3\n甲,张三,1,1\n合并,,,\nx合计,,,\n").encode()
    outcome, paths = both(raw, spec)
    assert plain_taken(paths)
    assert outcome[6] == [("甲", "张三", "1", "1", 3)]
    assert outcome[8] == (
        (2, "first cell '合计' matches skip pattern '合计'"),
        (4, "first cell '合并' matches skip pattern '^合'"),
        (5, "first cell 'x合计' matches skip pattern '^x'"),
    )


@pytest.mark.parametrize("bad", ['1,"2"x,3', "1,\xff,3", '1,"oops,3'])
def test_an_error_past_the_head_slice_but_within_polars_reach(bad: str) -> None:
    # polars parsing the first rows reads on some way: with long lines, past the slice.
    note = "很长的备注" * 200
    lines = [f"客户{i},联系人{i},{note}" for i in range(3_000)]
    text = "\n".join(["客户名称,联系人,备注", *lines[:60], "\0", *lines, '1,"2,3'])
    raw = text.encode().replace(b"\0", bad.encode("utf-8", "surrogateescape"))
    raw = raw.replace("\xff".encode(), b"\xff")
    outcome, paths = both(raw)
    assert outcome[0] == "error" and paths.slices >= 1


def test_swallowed_records_are_warned_about_by_the_plain_parse() -> None:
    content = (
        'a,b,c,d\n1,"2,3,4\n5,6,7,8\n9,10,11,12",x,y\n13,14,15,16\n'
        '1,2,3,4,5,"6\n1,2,3,4\n5,6,7,8"\n'
    )
    outcome, paths = both(content.encode())
    assert plain_taken(paths)
    assert [r[-1] for r in outcome[6]] == [2, 3, 4]
    assert [(w.row, "closing quote" in w.message) for w in outcome[7]] == [
        (2, True),
        (4, True),
        (4, False),
    ]
