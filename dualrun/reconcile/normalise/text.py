"""Text normalisation: placeholders, full-width characters, whitespace, script, company names.

Pure string functions used by every other normaliser. They take ``str | None`` and return
canonical strings (or ``None`` for an empty value); they never read files, the clock or
print, and they never raise on odd input.

Company-suffix policy (``strip_company_suffix``): legal-form words at the *end* of a name
are removed (有限公司, 股份有限公司, 有限责任公司, 股份公司, 公司, Co., Ltd., Inc., Corp.,
LLC, GmbH, PLC, ...). ``集团`` is **kept**: "XX集团有限公司" becomes "XX集团", because a
group (集团) and its operating company are usually different customers. A regional
qualifier in brackets stays as it is: "XX科技（北京）有限公司" becomes "XX科技（北京）".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

DEFAULT_NULL_TOKENS: frozenset[str] = frozenset(
    {
        "",
        "无",
        "-",
        "--",
        "/",
        "N/A",
        "n/a",
        "NA",
        "null",
        "NULL",
        "None",
        "#N/A",
        "—",
        "空",
        "NaN",
        "nan",
        "#NULL!",
    }
)
"""Cell values that mean "empty" in hand-kept spreadsheets and CRM exports."""

# Full-width ASCII block (U+FF01..U+FF5E) maps to U+0021..U+007E; U+3000 is the
# ideographic space.
_HALFWIDTH_TABLE: dict[int, int] = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH_TABLE[0x3000] = 0x20

# Characters that are invisible but make two equal-looking cells differ: zero-width
# space/joiners, word joiner and the byte-order mark a UTF-8-with-BOM export leaves behind.
_INVISIBLE_TABLE: dict[int, None] = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))
# str.translate walks every character through a dict; searching first is much faster for
# the usual text that has nothing to translate.
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# A bare 公司 goes too, but not the one in 分公司/总公司 (branch/head office), which names a
# different unit.
_CN_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限責任公司|责任有限公司|責任有限公司|有限公司|股份公司"
    r"|(?<![分总總])公司)[\s.,，。]*$"
)
# English legal forms; the lookbehind stops "Zinc" losing "inc" and also works after a
# Chinese character (which ``\b`` would treat as a word character).
_EN_SUFFIX = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:co(?:mpany)?\.?\s*,?\s*(?:ltd|limited)|ltd|limited|inc|incorporated|corp|corporation"
    r"|llc|l\.l\.c|gmbh|plc|co)\.?[\s.,]*$",
    re.IGNORECASE,
)
_TRAILING_SEPARATORS = " \t,，.。;；、-_&"


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


def is_null(value: str | None, null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS) -> bool:
    """Return True when ``value`` is None, blank, or one of ``null_tokens`` after stripping."""
    if value is None:
        return True
    stripped = value.strip()
    return stripped == "" or stripped in null_tokens


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII (U+FF01..U+FF5E) to ASCII and the ideographic space to a space."""
    if s.isascii() or not _FULLWIDTH.search(s):
        return s
    return s.translate(_HALFWIDTH_TABLE)


def collapse_ws(s: str) -> str:
    """Strip, drop zero-width characters and turn each whitespace run (NBSP too) into one space."""
    if not s.isascii() and _INVISIBLE.search(s):
        s = s.translate(_INVISIBLE_TABLE)
    return " ".join(s.split())


@lru_cache(maxsize=1)
def _t2s_converter() -> _Converter:
    # Imported lazily: building the converter loads dictionaries, which most runs never need.
    from opencc import OpenCC  # type: ignore[import-untyped, unused-ignore]

    converter: _Converter = OpenCC("t2s")
    return converter


def to_simplified(s: str) -> str:
    """Convert Traditional Chinese characters to Simplified (OpenCC ``t2s``)."""
    if s.isascii():
        return s
    return _t2s_converter().convert(s)


def _strip_one_suffix(s: str) -> str:
    stripped = _CN_SUFFIX.sub("", s)
    if stripped == s:
        stripped = _EN_SUFFIX.sub("", s)
    if stripped == s:
        return s
    return stripped.rstrip(_TRAILING_SEPARATORS)


def strip_company_suffix(s: str) -> str:
    """Remove legal-form suffixes from the end of a company name (see the module docstring).

    Suffixes are removed repeatedly ("Acme Co., Ltd." loses both words) but never down to
    an empty string: a name that *is* a suffix ("Limited") is returned unchanged.
    """
    current = s
    while True:
        shorter = _strip_one_suffix(current)
        if shorter == current or not shorter:
            return current
        current = shorter


def prepare_text(
    value: str | None, null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS
) -> str | None:
    """Half-width and collapse ``value``; None when it is empty or a null token before or after.

    The common first step of the phone, date, amount and id normalisers.
    """
    if is_null(value, null_tokens):
        return None
    assert value is not None  # is_null() covers None
    cleaned = collapse_ws(to_halfwidth(value))
    if cleaned == "" or cleaned in null_tokens:
        return None
    return cleaned


def normalise_text(
    value: str | None,
    *,
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS,
    halfwidth: bool = True,
    collapse: bool = True,
    casefold: bool = False,
    simplified: bool = False,
    company_suffix: bool = False,
) -> str | None:
    """Return the canonical form of a text cell, or None when it means "empty".

    Steps, in order: null check, half-width, Traditional→Simplified, casefold, whitespace
    collapse, company-suffix removal, and a final null check (so "ｎｕｌｌ" is empty too).
    """
    if is_null(value, null_tokens):
        return None
    assert value is not None  # is_null() covers None
    text = value
    if halfwidth:
        text = to_halfwidth(text)
    if simplified:
        text = to_simplified(text)
    if casefold:
        text = text.casefold()
    if collapse:
        text = collapse_ws(text)
    if company_suffix:
        text = strip_company_suffix(text)
    if text.strip() == "" or text.strip() in null_tokens:
        return None
    return text
