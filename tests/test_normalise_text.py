"""Text normalisation: placeholders, full-width, whitespace, script and company suffixes."""

from __future__ import annotations

from typing import Any

import pytest

from dualrun.reconcile.normalise import (
    DEFAULT_NULL_TOKENS,
    collapse_ws,
    is_null,
    normalise_text,
    strip_company_suffix,
    to_halfwidth,
    to_simplified,
)


@pytest.mark.parametrize(
    "token",
    ["", "无", "-", "--", "/", "N/A", "n/a", "NA", "null", "NULL", "None", "#N/A", "—", "空"],
)
def test_placeholder_tokens_mean_empty(token: str) -> None:
    assert token in DEFAULT_NULL_TOKENS
    assert is_null(f"  {token} ")
    assert normalise_text(token) is None


@pytest.mark.parametrize("value", ["0", "no", "N", "无锡", "-1", "空调"])
def test_values_that_only_resemble_placeholders_are_kept(value: str) -> None:
    assert not is_null(value)
    assert normalise_text(value) == value


def test_none_and_blank_are_empty() -> None:
    assert is_null(None)
    assert normalise_text(None) is None
    assert normalise_text(" \u3000\xa0 ") is None


def test_full_width_placeholder_is_empty_after_half_width() -> None:
    assert normalise_text("ｎｕｌｌ") is None
    assert normalise_text("Ｎ/Ａ") is None


def test_custom_null_tokens_replace_the_defaults() -> None:
    tokens = frozenset({"", "TBD"})
    assert normalise_text("TBD", null_tokens=tokens) is None
    assert normalise_text("无", null_tokens=tokens) == "无"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１３８００１３８０００", "13800138000"),
        ("ＡＢＣ－１２３", "ABC-123"),
        ("（北京）", "(北京)"),
        ("a\u3000b", "a b"),
        ("plain ascii", "plain ascii"),
        ("中文不变", "中文不变"),
    ],
)
def test_to_halfwidth(raw: str, expected: str) -> None:
    assert to_halfwidth(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a  b  ", "a b"),
        ("a\xa0\xa0b", "a b"),
        ("a\t\nb", "a b"),
        ("a\u3000b", "a b"),
        ("\ufeffname", "name"),
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_collapse_ws(raw: str, expected: str) -> None:
    assert collapse_ws(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("臺灣電腦有限公司", "台湾电脑有限公司"),
        ("後來發展", "后来发展"),
        ("简体不变", "简体不变"),
        ("ascii", "ascii"),
    ],
)
def test_to_simplified(raw: str, expected: str) -> None:
    assert to_simplified(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("北京某某科技有限公司", "北京某某科技"),
        ("某某股份有限公司", "某某"),
        ("某某有限责任公司", "某某"),
        ("某某有限責任公司", "某某"),
        ("某某集团有限公司", "某某集团"),  # 集团 is kept: a group is not its operating company
        ("某某科技（北京）有限公司", "某某科技（北京）"),
        ("某某科技(北京)有限公司", "某某科技(北京)"),
        ("某某公司", "某某"),
        ("上海某某有限公司北京分公司", "上海某某有限公司北京分公司"),  # a branch stays a branch
        ("Acme Co., Ltd.", "Acme"),
        ("Acme Co.,Ltd", "Acme"),
        ("Acme Co. Ltd", "Acme"),
        ("Acme Company Limited", "Acme"),
        ("Acme Limited", "Acme"),
        ("ACME LTD", "ACME"),
        ("Acme, Inc.", "Acme"),
        ("Acme Inc", "Acme"),
        ("Acme Corp.", "Acme"),
        ("Acme Corporation", "Acme"),
        ("Acme LLC", "Acme"),
        ("Acme GmbH", "Acme"),
        ("Dickenson plc", "Dickenson"),
        ("华为Co.,Ltd.", "华为"),
        ("Zinc", "Zinc"),  # not "Z" + "inc"
        ("Incorporated", "Incorporated"),  # never stripped to nothing
        ("有限公司", "有限公司"),
        ("Acme Holdings", "Acme Holdings"),
    ],
)
def test_strip_company_suffix(raw: str, expected: str) -> None:
    assert strip_company_suffix(raw) == expected


@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("  Edge   Communications ", {}, "Edge Communications"),
        ("ＡＢＣ　公司", {}, "ABC 公司"),
        ("ＡＢＣ", {"halfwidth": False}, "ＡＢＣ"),
        ("a   b", {"collapse": False}, "a   b"),
        ("Rose@Edge.COM", {"casefold": True}, "rose@edge.com"),
        ("臺灣電腦", {"simplified": True}, "台湾电脑"),
        ("臺灣電腦股份有限公司", {"simplified": True, "company_suffix": True}, "台湾电脑"),
        (
            "Grand Hotels & Resorts Ltd",
            {"company_suffix": True, "casefold": True},
            "grand hotels & resorts",
        ),
        ("Null", {"casefold": True}, None),  # folds to the token "null"
    ],
)
def test_normalise_text_options(raw: str, options: dict[str, Any], expected: str | None) -> None:
    assert normalise_text(raw, **options) == expected
