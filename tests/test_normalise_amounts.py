"""Amounts and numbers: every written form becomes a plain decimal in base units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dualrun.reconcile.normalise import amounts_equal, normalise_amount, normalise_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.50", "1234.5"),
        ("1234.50", "1234.5"),
        ("¥12,000", "12000"),
        ("￥12,000.00", "12000"),
        ("RMB 12,000", "12000"),
        ("rmb12000", "12000"),
        ("CNY 12,000", "12000"),
        ("人民币12,000元", "12000"),
        ("12,000元", "12000"),
        ("12000 元", "12000"),
        ("1.2万", "12000"),
        ("1.2万元", "12000"),
        ("1.2 万元", "12000"),
        ("1.2w", "12000"),
        ("3亿", "300000000"),
        ("3亿元", "300000000"),
        ("1.5千万", "15000000"),
        ("2百万", "2000000"),
        ("12k", "12000"),
        ("(1,234.00)", "-1234"),
        ("（1,234.00）", "-1234"),
        ("-1,234", "-1234"),
        ("−1,234", "-1234"),
        ("-¥1,234", "-1234"),
        ("¥-1,234", "-1234"),
        ("+1,234", "1234"),
        ("１２，０００", "12000"),
        ("１２０００．５０", "12000.5"),
        ("12000.0", "12000"),
        ("1.5e4", "15000"),
        ("1.2E+4", "12000"),
        ("1e-2", "0.01"),
        (".5", "0.5"),
        ("12.", "12"),
        ("0.00", "0"),
        ("-0", "0"),
        ("007", "7"),
        ("0.000001", "0.000001"),
        ("$1,234", "1234"),
        ("12000000000000000000000000000001", "12000000000000000000000000000001"),
    ],
)
def test_amount_forms(raw: str, expected: str) -> None:
    assert normalise_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("1.2", "万元", "12000"),
        ("1.2", "万", "12000"),
        ("12", "千元", "12000"),
        ("3", "亿", "300000000"),
        ("3", "亿元", "300000000"),
        ("1,234.5", None, "1234.5"),
        ("1,234.5", "", "1234.5"),
        ("1.2万", "万元", "12000"),  # the cell's 万 applies instead of the column's
        ("0.5亿", "万元", "50000000"),
        ("12000元", "万元", "12000"),  # an explicit 元 too
        ("¥1.2", "万元", "12000"),  # a currency symbol is not a unit
        ("(1.5)", "万元", "-15000"),
    ],
)
def test_column_unit(raw: str, unit: str | None, expected: str) -> None:
    assert normalise_amount(raw, unit=unit) == expected


def test_unknown_unit_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="万元"):
        normalise_amount("1", unit="gallons")


@pytest.mark.parametrize("raw", ["无", "-", "N/A", "", None])
def test_empty_amount_is_none(raw: str | None) -> None:
    assert normalise_amount(raw) is None
    assert normalise_number(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,5", "1,5"),  # European decimal comma: not guessed
        ("1,23,456", "1,23,456"),
        ("about 12k", "about 12k"),
        ("1.2.3", "1.2.3"),
        ("--5", "--5"),
        ("(-5)", "(-5)"),
        ("¥", "¥"),
        ("1e999", "1e999"),
        ("12 000", "12 000"),
    ],
)
def test_text_that_is_not_an_amount_comes_back_cleaned(raw: str, expected: str) -> None:
    assert normalise_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.50", "1234.5"),
        ("(1,234)", "-1234"),
        ("１０", "10"),
        ("9000.0", "9000"),
        ("1.5e4", "15000"),
        ("¥12", "¥12"),  # numbers carry no currency
        ("1.2万", "1.2万"),  # nor units
        ("10%", "10%"),
    ],
)
def test_number_forms(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


@pytest.mark.parametrize(
    ("a", "b", "abs_tol", "rel_tol", "expected"),
    [
        (None, None, "0", "0", True),
        (None, "0", "0", "0", False),
        ("0", None, "0", "0", False),
        ("100", "100", "0", "0", True),
        ("100", "100.0", "0", "0", True),
        ("100", "100.01", "0", "0", False),
        ("100", "100.01", "0.01", "0", True),
        ("100", "100.02", "0.01", "0", False),
        ("-100", "-100.01", "0.01", "0", True),
        ("1000", "1009", "0", "0.01", True),
        ("1000", "1011", "0", "0.01", False),
        ("1000", "1011", "20", "0.001", True),  # either tolerance suffices
        ("abc", "abc", "0", "0", True),
        ("abc", "ABC", "0", "0", False),
        ("abc", "1", "100", "1", False),
        (
            "123456789012345678901234567890.5",
            "123456789012345678901234567890.6",
            "0.1",
            "0",
            True,
        ),
    ],
)
def test_amounts_equal(
    a: str | None, b: str | None, abs_tol: str, rel_tol: str, expected: bool
) -> None:
    assert amounts_equal(a, b, abs_tol=Decimal(abs_tol), rel_tol=Decimal(rel_tol)) is expected
