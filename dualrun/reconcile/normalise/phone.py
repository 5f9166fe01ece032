"""Phone-number normalisation to one canonical string per number.

Canonical forms:

* Chinese numbers (country code 86, written ``+86``, ``0086``, ``86`` or not at all when the
  default country is 86) are national digits without the country code: mobiles as 11
  digits (``13800138000``), landlines with their trunk ``0`` (``01012345678``; the ``0``
  is put back when ``+86 10 ...`` left it out). With another default country they are
  written ``+86`` and digits without the trunk ``0`` (``+861012345678``), because national
  digits would read back as a number of that country.
* Other numbers keep their country code as ``+`` and digits (``+15127576000``).
* A number without a country code is read in ``default_country``. With the default 86,
  digits that are not a Chinese mobile or landline (a US ``(512) 757-6000``, a local
  8-digit number without area code) are kept as plain digits: we cannot tell which
  country they belong to, so we do not invent one. Set ``default_country="1"`` for a
  column of North-American numbers.
* An extension (``ext. 123``, ``x123``, ``转123``, ``分机123``) is appended as ``;ext=123``.
* Anything that is not a phone number (letters, two numbers in one cell, more than 15
  digits) comes back as the half-width, whitespace-collapsed text, so a comparison still
  shows it. Nothing here raises on odd input.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .text import DEFAULT_NULL_TOKENS, prepare_text

_EXTENSION = re.compile(
    r"\s*(?:;\s*ext\s*=|,?\s*(?:ext|extn|extension|x)\.?\s*:?|[-\s]*(?:转|分机)\s*:?|#)\s*"
    r"(\d{1,8})$",
    re.IGNORECASE | re.ASCII,
)
_DECIMAL_ZERO = re.compile(r"^(\d+)\.0+$", re.ASCII)
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d{1,2}$", re.ASCII)
_PHONE_CHARS = re.compile(r"^\(?\+?[\d\s().\-]+$", re.ASCII)
_TRUNK_IN_BRACKETS = re.compile(r"\(\s*0\s*\)")
_TEL_PREFIX = re.compile(r"^tel:\s*", re.IGNORECASE)
_EXTENSION_HINT = re.compile(r"[A-Za-z#;]")  # cheap test before the costlier _EXTENSION
_NON_DIGITS = re.compile(r"[^0-9]")
_MAX_DIGITS = 15  # E.164


def _number_cell_to_digits(text: str) -> str:
    """Undo what a spreadsheet does to a phone stored as a number (``1.38E+10``, ``...0.0``)."""
    match = _DECIMAL_ZERO.match(text)
    if match:
        return match.group(1)
    if _SCIENTIFIC.match(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
            return text
        if number == number.to_integral_value():
            return str(int(number))
    return text


def _chinese_national(national: str) -> str | None:
    """Canonical form of a Chinese number given without its country code, or None."""
    if len(national) == 11 and national[0] == "1":
        return national  # mobile
    if national[0] == "0" and not national.startswith("00") and 10 <= len(national) <= 12:
        return national  # landline with trunk 0
    if national[0] not in "01" and len(national) in (10, 11):
        return "0" + national  # landline whose trunk 0 was dropped after +86
    if national.startswith("10") and len(national) in (10, 11):
        return "0" + national  # Beijing (area code 10) without trunk 0
    return None


def _from_international(digits: str, default_country: str) -> str:
    """Canonical form of digits that start with a country code."""
    if digits.startswith("86") and len(digits) > 2:
        national = _chinese_national(digits[2:])
        if national is not None and default_country == "86":
            return national
        if national is not None:
            # National digits would read back as a number of the default country: E.164.
            return "+86" + national.removeprefix("0")
    return "+" + digits


def _from_national(digits: str, default_country: str) -> str:
    """Canonical form of digits written without ``+``/``00``, read in ``default_country``."""
    if default_country == "86":
        if digits.startswith("86") and len(digits) in (12, 13):
            national = _chinese_national(digits[2:])
            if national is not None:
                return national
        return digits
    if default_country == "1":
        if len(digits) == 10:
            return "+1" + digits
        if len(digits) == 11 and digits[0] == "1":
            return "+" + digits
        return digits
    if digits.startswith("0") and len(digits) > 1:
        return "+" + default_country + digits[1:]  # drop the national trunk prefix
    return "+" + default_country + digits


def normalise_phone(
    value: str | None,
    *,
    default_country: str = "86",
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS,
) -> str | None:
    """Return the canonical phone number in ``value`` (see the module docstring).

    ``default_country`` is the calling code (digits, no ``+``) of numbers written without
    one. Returns None for an empty cell; never raises.
    """
    text = prepare_text(value, null_tokens)
    if text is None:
        return None
    if text.isascii() and text.isdigit():  # the common clean case
        return _canonical(text, has_plus=False, default_country=default_country) or text
    main = _TEL_PREFIX.sub("", text)
    extension = ""
    ext_match = None
    if not main.isascii() or _EXTENSION_HINT.search(main):
        ext_match = _EXTENSION.search(main)
    if ext_match and ext_match.start() > 0:
        extension = ";ext=" + ext_match.group(1)
        main = main[: ext_match.start()]
    main = _number_cell_to_digits(main.strip())
    if not _PHONE_CHARS.match(main) or main.count("+") > 1:
        return text
    has_plus = "+" in main
    if has_plus:
        main = _TRUNK_IN_BRACKETS.sub("", main)
    canonical = _canonical(_NON_DIGITS.sub("", main), has_plus, default_country)
    return text if canonical is None else canonical + extension


def _canonical(digits: str, has_plus: bool, default_country: str) -> str | None:
    """Canonical form of a number's digits; None when they cannot be a phone number."""
    if not digits or len(digits) > _MAX_DIGITS + 2:
        return None
    if has_plus:
        canonical = _from_international(digits, default_country)
    elif digits.startswith("00") and len(digits) > 2:
        canonical = _from_international(digits[2:], default_country)
    else:
        canonical = _from_national(digits, default_country)
    if len(canonical.lstrip("+")) > _MAX_DIGITS:
        return None
    return canonical
