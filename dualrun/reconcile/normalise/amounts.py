"""Money and number normalisation to plain canonical decimal strings, and their comparison.

``normalise_amount`` reads ``1,234.50``, ``¥12,000``, ``RMB 12,000``, ``12,000元``,
``1.2万``, ``3亿``, ``(1,234.00)``, ``-1,234``, ``１２０００``, ``12000.0`` and ``1.5e4`` and
returns the amount in base units (元) without trailing zeros or exponent: ``12000``,
``-1234.5``, ``0.05``.

Units: ``unit`` is what the *column* is declared in (``元``, ``千元``, ``万``/``万元``,
``百万``, ``千万``, ``亿``/``亿元``, or None/"" for a plain number); the cell is multiplied by
it. A magnitude written in the cell (``万``, ``亿``, ``千``, ``k``, ``w``) or an explicit
``元`` suffix applies instead of the column unit, so ``12000元`` in a 万元 column stays
12000. Currency symbols and codes (¥, $, RMB, CNY, USD...) are dropped, not converted:
a column is assumed to hold one currency.

Because the column unit multiplies, a normaliser with a unit other than 元 is not
idempotent (its output is in 元); its output *is* a fixed point of the 元 normaliser.

Anything that is not an amount (a European ``1,5``, words) comes back as the half-width,
whitespace-collapsed text; nothing here raises on odd input. An unknown ``unit`` raises
``ValueError``, because that is a configuration error.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from .text import DEFAULT_NULL_TOKENS, prepare_text

UNIT_EXPONENTS: dict[str, int] = {
    "": 0,
    "元": 0,
    "千": 3,
    "千元": 3,
    "万": 4,
    "万元": 4,
    "百万": 6,
    "百万元": 6,
    "千万": 7,
    "千万元": 7,
    "亿": 8,
    "亿元": 8,
}
"""Column units accepted by ``normalise_amount`` and the power of ten each stands for."""

_CELL_MAGNITUDES: dict[str, int] = {
    "千": 3,
    "k": 3,
    "K": 3,
    "万": 4,
    "w": 4,
    "W": 4,
    "百万": 6,
    "千万": 7,
    "亿": 8,
    "万亿": 12,
}

_CURRENCY = r"(?:RMB|CNY|USD|HKD|EUR|GBP|人民币|US\$|HK\$|[¥￥$€£])"
_AMOUNT = re.compile(
    rf"""^
    (?P<sign1>[-+])?\s?
    (?P<currency1>{_CURRENCY}\s?)?
    (?P<sign2>[-+])?\s?
    (?P<number>\d{{1,3}}(?:,\d{{3}})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)
    (?P<exponent>[eE][-+]?\d{{1,2}})?
    \s?(?P<magnitude>万亿|千万|百万|亿|万|千|[kKwW])?
    \s?(?P<yuan>元|圆|块)?
    \s?(?P<currency2>{_CURRENCY})?
    $""",
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
_PLAIN_DECIMAL = re.compile(r"^-?\d+(?:\.\d+)?$", re.ASCII)
_SIMPLE_NUMBER = re.compile(r"^(-?)(\d+)(?:\.(\d*))?$", re.ASCII)  # fast path, no units
_BRACKETED = re.compile(r"^\((.+)\)$")
_UNIT_WORDS = ("currency1", "currency2", "magnitude", "yuan")


def _plain(negative: bool, digits: str, exponent: int) -> str:
    """Render sign × digits × 10**exponent as a plain decimal without trailing zeros."""
    digits = digits.lstrip("0")
    if not digits:
        return "0"
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    if exponent >= 0:
        body = digits + "0" * exponent
    elif -exponent >= len(digits):
        body = "0." + "0" * (-exponent - len(digits)) + digits
    else:
        body = digits[:exponent] + "." + digits[exponent:]
    return "-" + body if negative else body


def _parse(text: str, column_exponent: int, allow_units: bool) -> str | None:
    simple = _SIMPLE_NUMBER.match(text)
    if simple:
        sign, integer, fraction = simple.group(1), simple.group(2), simple.group(3) or ""
        return _plain(sign == "-", integer + fraction, column_exponent - len(fraction))
    negative = False
    bracketed = _BRACKETED.match(text)
    if bracketed:
        negative, text = True, bracketed.group(1).strip()
    match = _AMOUNT.match(text.replace("−", "-"))
    if match is None:
        return None
    if not allow_units and any(match.group(name) for name in _UNIT_WORDS):
        return None
    signs = [s for s in (match.group("sign1"), match.group("sign2")) if s]
    if len(signs) > 1 or (signs and bracketed):
        return None
    if signs == ["-"]:
        negative = True
    integer, _, fraction = match.group("number").replace(",", "").partition(".")
    exponent = int(match.group("exponent")[1:]) if match.group("exponent") else 0
    magnitude = match.group("magnitude")
    if magnitude:
        exponent += _CELL_MAGNITUDES[magnitude]
    elif not match.group("yuan"):
        exponent += column_exponent
    return _plain(negative, integer + fraction, exponent - len(fraction))


def unit_exponent(unit: str | None) -> int:
    """Power of ten a column ``unit`` stands for; ValueError naming the allowed units."""
    key = (unit or "").strip()
    if key not in UNIT_EXPONENTS:
        allowed = ", ".join(repr(name) for name in UNIT_EXPONENTS if name)
        raise ValueError(f"unknown amount unit {unit!r}; use one of {allowed} or none")
    return UNIT_EXPONENTS[key]


def normalise_amount(
    value: str | None,
    *,
    unit: str | None = "元",
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS,
) -> str | None:
    """Return the amount in ``value`` in base units as a plain decimal string.

    See the module docstring for the accepted forms and the unit rules. Returns None for
    an empty cell and the cleaned text when it is not an amount. Raises ValueError only
    for an unknown ``unit``.
    """
    column_exponent = unit_exponent(unit)
    text = prepare_text(value, null_tokens)
    if text is None:
        return None
    parsed = _parse(text, column_exponent, allow_units=True)
    return text if parsed is None else parsed


def normalise_number(
    value: str | None, *, null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS
) -> str | None:
    """Like ``normalise_amount`` without units or currencies: ``1,234.50`` → ``1234.5``."""
    text = prepare_text(value, null_tokens)
    if text is None:
        return None
    parsed = _parse(text, 0, allow_units=False)
    return text if parsed is None else parsed


def _as_decimal(value: str) -> Decimal | None:
    if not _PLAIN_DECIMAL.match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
        return None


def amounts_equal(
    a: str | None,
    b: str | None,
    *,
    abs_tol: Decimal = Decimal(0),
    rel_tol: Decimal = Decimal(0),
) -> bool:
    """Compare two *normalised* amounts: equal within ``abs_tol`` or ``rel_tol`` × the larger.

    None equals only None; a value that is not a plain number compares as a string.
    """
    if a is None or b is None:
        return a is b
    left, right = _as_decimal(a), _as_decimal(b)
    if left is None or right is None:
        return a == b
    if left == right:
        return True
    with localcontext() as context:
        # Enough digits that the difference of any two canonical strings is exact.
        context.prec = len(a) + len(b) + 10
        difference = abs(left - right)
        allowed = max(abs_tol, rel_tol * max(abs(left), abs(right)))
        return difference <= allowed
