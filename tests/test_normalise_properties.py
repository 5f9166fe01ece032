"""Invariants of every normaliser: idempotent, total (never raises), column = cell by cell."""

from __future__ import annotations

import string

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualrun.reconcile.normalise import (
    FieldRule,
    Normaliser,
    make_normaliser,
    normalise_amount,
    normalise_series,
    salesforce_id_18,
    to_simplified,
)

# Characters real cells are made of: digits in both widths, separators, units, currency,
# date words, zone markers, placeholders, Chinese and Traditional characters, odd spaces.
_CELL_ALPHABET = (
    string.digits
    + "０１２３４５６７８９"
    + "+-−()（）.,，/:;= #$¥￥%eExXkKwWTZ"
    + "年月日号时分秒万亿千百元转机上下午"
    + "有限公司股份責任集团臺灣電腦"
    + "ACMEIncLtdCo@ＡＢ"
    + " \u3000\xa0\t\u200b"
)
_PLACEHOLDERS = ["无", "-", "--", "/", "N/A", "null", "NULL", "None", "#N/A", "—", "空", "Null"]
_EXAMPLES = [
    "+86 138-0013-8000",
    "010-12345678 ext. 123",
    "+1 (512) 757-6000",
    "45356.5",
    "2024年3月5日",
    "2024-01-23T13:26:08.000+0000",
    "02/23/26 08:55 PM",
    "(1,234.00)",
    "1.2万元",
    "1.5e4",
    "001bm00001zl8u9aal",
    "臺灣電腦股份有限公司",
    "Acme Co., Ltd.",
]
cells = st.one_of(
    st.text(),
    st.text(alphabet=_CELL_ALPHABET, max_size=30),
    st.sampled_from(_PLACEHOLDERS + _EXAMPLES),
    st.builds(
        lambda a, b: a + b, st.sampled_from(_EXAMPLES), st.text(alphabet=_CELL_ALPHABET, max_size=6)
    ),
)
optional_cells = st.one_of(st.none(), cells)

RULES = {
    "text": FieldRule(),
    "text_all_steps": FieldRule(steps=("casefold", "simplified", "company_suffix")),
    "text_raw": FieldRule(steps=("no_halfwidth", "no_collapse", "company_suffix")),
    "email": FieldRule(kind="email"),
    "phone_86": FieldRule(kind="phone"),
    "phone_1": FieldRule(kind="phone", default_country="1"),
    "phone_44": FieldRule(kind="phone", default_country="44"),
    "date": FieldRule(kind="date"),
    "date_day_first_utc": FieldRule(kind="date", day_first=True, timezone="UTC"),
    "datetime": FieldRule(kind="datetime"),
    "amount": FieldRule(kind="amount"),
    "number": FieldRule(kind="number"),
    "id": FieldRule(kind="id"),
    "id_casefold": FieldRule(kind="id", steps=("casefold",)),
    "sfid": FieldRule(kind="sfid"),
    "enum": FieldRule(
        kind="enum",
        steps=("casefold",),
        enum_map={"赢单": "Closed Won", "won": "Closed Won", "A": "Alpha"},
    ),
}
NORMALISERS: dict[str, Normaliser] = {name: make_normaliser(rule) for name, rule in RULES.items()}
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("name", sorted(NORMALISERS))
@PROPERTY_SETTINGS
@given(value=optional_cells)
def test_normaliser_is_idempotent_and_total(name: str, value: str | None) -> None:
    normalise = NORMALISERS[name]
    once = normalise(value)
    assert once is None or isinstance(once, str)
    assert normalise(once) == once


@pytest.mark.parametrize("unit", ["万元", "千元", "亿"])
@PROPERTY_SETTINGS
@given(value=optional_cells)
def test_amount_with_a_unit_outputs_base_units(unit: str, value: str | None) -> None:
    once = normalise_amount(value, unit=unit)
    assert normalise_amount(once, unit="元") == once


@pytest.mark.parametrize("name", ["text", "phone_86", "date", "amount", "enum"])
@settings(max_examples=50, deadline=None)
@given(values=st.lists(optional_cells, max_size=40))
def test_normalise_series_equals_cell_by_cell(name: str, values: list[str | None]) -> None:
    normalise = NORMALISERS[name]
    series = pl.Series("field", values, dtype=pl.String)
    assert normalise_series(series, normalise).to_list() == [normalise(v) for v in values]


sfid_15 = st.text(alphabet=string.ascii_letters + string.digits, min_size=15, max_size=15)


@settings(max_examples=500)
@given(id15=sfid_15)
def test_salesforce_18_character_form_is_stable_and_case_insensitive(id15: str) -> None:
    id18 = salesforce_id_18(id15)
    assert id18 is not None
    assert len(id18) == 18
    assert id18[:15] == id15
    assert id18[15:] == id18[15:].upper()
    assert salesforce_id_18(id18) == id18
    assert salesforce_id_18(id18[:15] + id18[15:].lower()) == id18
    assert salesforce_id_18(id18.lower()) == id18
    assert salesforce_id_18(id18.upper()) == id18


@settings(max_examples=300)
@given(a=sfid_15, b=sfid_15)
def test_different_15_character_ids_keep_different_18_character_forms(a: str, b: str) -> None:
    if a != b:
        assert salesforce_id_18(a) != salesforce_id_18(b)


@pytest.mark.parametrize(
    "text", ["臺灣電腦股份有限公司", "後來發展", "乾隆", "頭髮", "鐘錶", "麵條", "著作", "於是"]
)
def test_traditional_to_simplified_is_idempotent(text: str) -> None:
    once = to_simplified(text)
    assert to_simplified(once) == once
