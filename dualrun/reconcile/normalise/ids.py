"""Record-identifier normalisation: Salesforce IDs and keys typed or exported as numbers.

``salesforce_id_18`` gives every Salesforce ID its 18-character form. A 15-character ID is
case-sensitive; its 18-character form appends a 3-character checksum that records which
of the 15 characters are upper case, which makes the 18-character form case-insensitive.
So an 18-character ID whose letters were upper- or lower-cased by a spreadsheet or a
person is restored to its true case from its checksum (``001bm00001zl8u9aal`` becomes
``001bm00001ZL8U9AAL``). An 18-character value whose checksum cannot describe its
characters (a checksum bit set on a digit) is only given an upper-case suffix.

``normalise_id`` cleans a legacy key: trim, half-width, and ``1001.0`` (a number cell read
as text) back to ``1001``. Nothing here raises on odd input.
"""

from __future__ import annotations

import re

from .text import DEFAULT_NULL_TOKENS, prepare_text

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SFID_15 = re.compile(r"^[A-Za-z0-9]{15}$", re.ASCII)
_SFID_18 = re.compile(r"^[A-Za-z0-9]{15}[A-Za-z0-5]{3}$", re.ASCII)
_NUMBER_WITH_ZERO_FRACTION = re.compile(r"^(\d+)\.0+$", re.ASCII)


def _checksum(id15: str) -> str:
    """The 3-character suffix of a 15-character ID (one character per 5-character chunk)."""
    suffix = []
    for start in (0, 5, 10):
        bits = 0
        for position, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        suffix.append(_CHECKSUM_ALPHABET[bits])
    return "".join(suffix)


def _restore_case(id15: str, suffix: str) -> str | None:
    """Re-apply the case recorded in ``suffix`` to ``id15``; None if they cannot agree."""
    chars = []
    for chunk, code in enumerate(suffix):
        bits = _CHECKSUM_ALPHABET.index(code)
        for position in range(5):
            char = id15[chunk * 5 + position]
            upper = bool(bits & (1 << position))
            if upper and not char.isalpha():
                return None
            chars.append(char.upper() if upper else char.lower())
    return "".join(chars)


def salesforce_id_18(value: str | None) -> str | None:
    """Return the 18-character form of a Salesforce ID (see the module docstring).

    Blank → None; a value that is not a 15- or 18-character alphanumeric ID is returned
    trimmed and otherwise unchanged.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _SFID_15.match(text):
        return text + _checksum(text)
    if _SFID_18.match(text):
        suffix = text[15:].upper()
        restored = _restore_case(text[:15], suffix)
        return (text[:15] if restored is None else restored) + suffix
    return text


def normalise_id(
    value: str | None,
    *,
    casefold: bool = False,
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS,
) -> str | None:
    """Return a cleaned record key: trimmed, half-width, ``1001.0`` → ``1001``.

    ``casefold=True`` also folds case, for keys whose case is not significant. Returns
    None for an empty cell.
    """
    text = prepare_text(value, null_tokens)
    if text is None:
        return None
    match = _NUMBER_WITH_ZERO_FRACTION.match(text)
    if match:
        text = match.group(1)
    if casefold:
        text = text.casefold()
        if text in null_tokens:  # "Null" folds to the token "null"
            return None
    return text
