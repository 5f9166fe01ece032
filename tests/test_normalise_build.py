"""Field rules → normalisers and comparators, and column-wide normalisation."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from dualrun.reconcile.normalise import (
    KINDS,
    TEXT_STEPS,
    ComparePolicy,
    FieldRule,
    make_comparator,
    make_normaliser,
    normalise_series,
)


@pytest.mark.parametrize(
    ("rule", "raw", "expected"),
    [
        (FieldRule(), "  ＡＢＣ　 公司 ", "ABC 公司"),
        (FieldRule(), "无", None),
        (FieldRule(steps=("casefold",)), "Edge Communications", "edge communications"),
        (FieldRule(steps=("no_halfwidth",)), "ＡＢＣ", "ＡＢＣ"),
        (FieldRule(steps=("no_collapse",)), "a  b", "a  b"),
        (
            FieldRule(steps=("simplified", "company_suffix")),
            "臺灣電腦股份有限公司",
            "台湾电脑",
        ),
        (FieldRule(kind="email"), " Rose@Edge.COM ", "rose@edge.com"),
        (FieldRule(kind="email"), "mailto:Rose@Edge.com", "rose@edge.com"),
        (FieldRule(kind="phone"), "+86 138-0013-8000", "13800138000"),
        (FieldRule(kind="phone", default_country="1"), "(512) 757-6000", "+15127576000"),
        (FieldRule(kind="phone", default_country="+1"), "(512) 757-6000", "+15127576000"),
        (FieldRule(kind="date"), "2024-01-23T20:00:00Z", "2024-01-24"),
        (FieldRule(kind="date", timezone="UTC"), "2024-01-23T20:00:00Z", "2024-01-23"),
        (FieldRule(kind="date", day_first=True), "3/5/2024", "2024-05-03"),
        (FieldRule(kind="datetime"), "2024-01-23T20:00:00Z", "2024-01-24T04:00:00"),
        (FieldRule(kind="amount"), "¥12,000.00", "12000"),
        (FieldRule(kind="amount", unit="万元"), "1.2", "12000"),
        (FieldRule(kind="number"), "1,234.50", "1234.5"),
        (FieldRule(kind="number"), "1.2万", "1.2万"),
        (FieldRule(kind="id"), "1001.0", "1001"),
        (FieldRule(kind="id", steps=("casefold",)), "CUST-1", "cust-1"),
        (FieldRule(kind="sfid"), " 001bm00001ZL8U9 ", "001bm00001ZL8U9AAL"),
        (FieldRule(kind="sfid"), "N/A", None),
        (FieldRule(kind="text", null_tokens=frozenset({"TBD"})), "TBD", None),
        (FieldRule(kind="text", null_tokens=frozenset({"TBD"})), "无", "无"),
    ],
)
def test_make_normaliser(rule: FieldRule, raw: str | None, expected: str | None) -> None:
    assert make_normaliser(rule)(raw) == expected


ENUM_RULE = FieldRule(
    kind="enum",
    steps=("casefold",),
    enum_map={"赢单": "Closed Won", "Won ": "Closed Won", "输单": "Closed Lost"},
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("赢单", "Closed Won"),
        (" WON", "Closed Won"),
        ("Closed Won", "Closed Won"),  # a canonical value maps to itself
        ("closed won", "Closed Won"),
        ("输单", "Closed Lost"),
        ("Prospecting", "prospecting"),  # unmapped values pass through, text-normalised
        ("无", None),
    ],
)
def test_enum_normaliser(raw: str, expected: str | None) -> None:
    assert make_normaliser(ENUM_RULE)(raw) == expected


def test_enum_map_that_chains_values_is_rejected() -> None:
    with pytest.raises(ValueError, match="itself mapped"):
        make_normaliser(FieldRule(kind="enum", enum_map={"a": "b", "b": "c"}))


def test_enum_map_whose_keys_collide_after_normalising_is_rejected() -> None:
    with pytest.raises(ValueError, match="both"):
        make_normaliser(FieldRule(kind="enum", steps=("casefold",), enum_map={"A": "x", "a": "y"}))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "txt"}, "text, phone, email"),
        ({"steps": ("casefld",)}, "casefold, simplified"),
        ({"kind": "amount", "unit": "gallons"}, "万元"),
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"default_country": "china"}, "calling code"),
    ],
)
def test_invalid_field_rule_names_what_is_allowed(options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FieldRule(**options)  # type: ignore[arg-type]


def test_every_kind_builds_a_normaliser() -> None:
    for kind in KINDS:
        assert make_normaliser(FieldRule(kind=kind))(None) is None
    assert set(TEXT_STEPS) == {
        "casefold",
        "simplified",
        "company_suffix",
        "no_halfwidth",
        "no_collapse",
    }


@pytest.mark.parametrize(
    ("policy", "a", "b", "expected"),
    [
        (ComparePolicy(), None, None, True),
        (ComparePolicy(), "a", None, False),
        (ComparePolicy(), None, "a", False),
        (ComparePolicy(), "a", "a", True),
        (ComparePolicy(), "a", "A", False),
        (ComparePolicy(kind="date"), "2024-03-05", "2024-03-06", False),
        (ComparePolicy(kind="date", days=1), "2024-03-05", "2024-03-06", True),
        (ComparePolicy(kind="date", days=1), "2024-03-06", "2024-03-05", True),
        (ComparePolicy(kind="date", days=1), "2024-03-05", "2024-03-07", False),
        (ComparePolicy(kind="date", days=1), "2024-03-05", None, False),
        (ComparePolicy(kind="date", days=1), None, None, True),
        (ComparePolicy(kind="date", days=1), "下周", "2024-03-05", False),
        (ComparePolicy(kind="date", days=1), "下周", "下周", True),
        (
            ComparePolicy(kind="datetime", days=1),
            "2024-03-05T08:00:00",
            "2024-03-06T07:59:59",
            True,
        ),
        (
            ComparePolicy(kind="datetime", days=1),
            "2024-03-05T08:00:00",
            "2024-03-06T08:00:01",
            False,
        ),
        (ComparePolicy(kind="amount"), "100", "100.0", True),
        (ComparePolicy(kind="amount"), "100", "100.5", False),
        (ComparePolicy(kind="amount", abs_tol=Decimal("0.5")), "100", "100.5", True),
        (ComparePolicy(kind="amount", abs_tol=Decimal("0.5")), "100", "100.51", False),
        (ComparePolicy(kind="number", rel_tol=Decimal("0.01")), "200", "198", True),
        (ComparePolicy(kind="number", rel_tol=Decimal("0.01")), "200", "197", False),
        (ComparePolicy(kind="amount", abs_tol=Decimal(1)), "n/a text", "n/a text", True),
        (ComparePolicy(kind="amount", abs_tol=Decimal(1)), None, "0", False),
    ],
)
def test_make_comparator(
    policy: ComparePolicy, a: str | None, b: str | None, expected: bool
) -> None:
    assert make_comparator(policy)(a, b) is expected


def test_compare_policy_accepts_float_tolerances_from_config() -> None:
    policy = ComparePolicy(kind="amount", abs_tol=0.5)  # type: ignore[arg-type]
    assert policy.abs_tol == Decimal("0.5")
    assert make_comparator(policy)("1", "1.5")


@pytest.mark.parametrize(
    "options", [{"kind": "float"}, {"abs_tol": Decimal(-1)}, {"days": -1}, {"rel_tol": "x"}]
)
def test_invalid_compare_policy(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ComparePolicy(**options)  # type: ignore[arg-type]


def test_normalise_series_keeps_nulls_name_and_order() -> None:
    series = pl.Series("手机", ["+86 138-0013-8000", None, "无", "138 0013 8000", "x"])
    result = normalise_series(series, make_normaliser(FieldRule(kind="phone")))
    assert result.name == "手机"
    assert result.dtype == pl.String
    assert result.to_list() == ["13800138000", None, None, "13800138000", "x"]


def test_normalise_series_calls_the_normaliser_once_per_distinct_value() -> None:
    calls: list[str | None] = []

    def record(value: str | None) -> str | None:
        calls.append(value)
        return None if value is None else value.upper()

    series = pl.Series("c", ["a", "b", "a", None, "b", "a"])
    assert normalise_series(series, record).to_list() == ["A", "B", "A", None, "B", "A"]
    assert sorted(c for c in calls if c is not None) == ["a", "b"]


def test_normalise_series_casts_non_string_columns() -> None:
    series = pl.Series("n", [1001, None, 7])
    result = normalise_series(series, make_normaliser(FieldRule(kind="id")))
    assert result.to_list() == ["1001", None, "7"]


def test_normalise_series_of_only_nulls() -> None:
    series = pl.Series("n", [None, None], dtype=pl.String)
    assert normalise_series(series, make_normaliser(FieldRule())).to_list() == [None, None]
