"""The vectorised fast paths give exactly what the Python normalisers give."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualrun.reconcile.normalise import FieldRule, make_normaliser
from dualrun.reconcile.normalise.fast import fast_path, normalise_column

RULES = [
    FieldRule(kind="id"),
    FieldRule(kind="id", steps=("casefold",)),
    FieldRule(kind="phone"),
    FieldRule(kind="date"),
    FieldRule(kind="email"),
    FieldRule(kind="amount"),
    FieldRule(kind="amount", unit="元"),
    FieldRule(kind="number"),
    FieldRule(kind="text"),
    FieldRule(kind="text", steps=("casefold",)),
]

ALPHABET = "0123456789-.:/_@# abcAZ客户ＫＨ１\u3000\u00a0\t\u200bnulNA无e+"
samples = st.lists(
    st.one_of(
        st.text(alphabet=ALPHABET, max_size=14),
        st.sampled_from(
            [
                "C00012",
                "13800138000",
                "2026-03-05",
                "2026-02-30",
                "a@b.cn",
                "12000",
                "0.50",
                "-0",
                "007",
                "null",
                "NULL",
                "N/A",
                "无",
                "kh0012",
                "KH0012",
                "1001.0",
                "12.50",
                "北京 星辰",
                "北京  星辰",
                " x",
                "x ",
            ]
        ),
        st.none(),
    ),
    max_size=30,
)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.kind}-{'-'.join(r.steps) or 'plain'}")
@settings(max_examples=150, deadline=None)
@given(values=samples)
def test_fast_path_agrees_with_python(rule: FieldRule, values: list[str | None]) -> None:
    fn = make_normaliser(rule)
    series = pl.Series("v", values, dtype=pl.String)
    assert normalise_column(series, rule, fn).to_list() == [fn(v) for v in values]


def test_fast_path_really_handles_clean_values() -> None:
    fast = fast_path(FieldRule(kind="id"))
    assert fast is not None
    out = fast(pl.Series(["C00012", " C1", "1001.0", None, "null"])).to_list()
    assert out == ["C00012", None, None, None, None]


def test_scaled_units_and_other_steps_take_the_python_path() -> None:
    assert fast_path(FieldRule(kind="amount", unit="万元")) is None
    assert fast_path(FieldRule(kind="text", steps=("company_suffix",))) is None


DATE_SAMPLES = st.lists(
    st.one_of(
        st.builds(
            lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
            st.integers(1990, 2030),
            st.integers(0, 13),
            st.integers(0, 32),
            st.sampled_from(["-", "/", ".", "-/"]),
        ),
        st.builds(
            lambda y, m, d, h, zone: f"{y}-{m:02d}-{d:02d}T{h:02d}:26:08.000{zone}",
            st.integers(1990, 2030),
            st.integers(1, 12),
            st.integers(1, 28),
            st.integers(0, 23),
            st.sampled_from(["+0000", "Z", "+08:00", "-0500", ""]),
        ),
        st.builds(
            lambda y, m, d: f"{y}-{m:02d}-{d:02d} 00:00:00",
            st.integers(1990, 2030),
            st.integers(1, 12),
            st.integers(1, 31),
        ),
        st.text(alphabet="0123456789-/. 年月日:T+Z", max_size=20),
    ),
    max_size=40,
)


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "UTC", "America/New_York"])
@settings(max_examples=200, deadline=None)
@given(values=DATE_SAMPLES)
def test_vectorised_dates_agree_with_python(tz: str, values: list[str]) -> None:
    rule = FieldRule(kind="date", timezone=tz)
    fn = make_normaliser(rule)
    series = pl.Series("v", values, dtype=pl.String)
    assert normalise_column(series, rule, fn).to_list() == [fn(v) for v in values]
