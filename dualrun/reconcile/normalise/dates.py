"""Date and date-time normalisation to ISO strings in one time zone.

``normalise_date`` returns ``YYYY-MM-DD`` and ``normalise_datetime`` ``YYYY-MM-DDTHH:MM:SS``.
They read what hand-kept sheets and CRM exports contain:

* Excel serial numbers written as text (``45356``, ``45356.5``), 1900 date system: serial 1
  is 1900-01-01 and Excel's fictitious 1900-02-29 (serial 60) is not a date, so it comes
  back unchanged. Only a cell that is wholly a number from 1 to 2958465 (9999-12-31) is
  read as a serial; an 8-digit number is read as ``YYYYMMDD`` first.
* Year first: ``2024-3-5``, ``2024/3/5``, ``2024.03.05``, ``2024年3月5日``, ``20240305``,
  optionally followed by a time (``2024-03-05 00:00:00``, ``2024-01-23T13:26:08.000+0000``).
* Year last: ``3/5/2024``, ``02/23/26 08:55 PM`` - month first unless ``day_first=True``;
  when that order is not a valid date the other order is used (``13/5/2024`` is 13 May).
  Two-digit years pivot like POSIX ``%y``: 00-68 are 2000-2068, 69-99 are 1969-1999.
* English month names: ``5-Mar-2024``, ``5 March 2024``, ``Mar 5, 2024``.
* Values carrying a zone (``Z``, ``+0000``, ``+08:00``, ``UTC``, ``GMT+8``) are converted to
  ``tz`` before the date is taken, so ``2024-01-23T20:00:00Z`` is 2024-01-24 in
  Asia/Shanghai. Values without a zone (and Excel serials) are wall time in ``tz``.

Anything else comes back as the half-width, whitespace-collapsed text, so a comparison
still shows it. Values never make these functions raise; an unknown ``tz`` name does
(``ValueError``), because that is a configuration error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .text import DEFAULT_NULL_TOKENS, prepare_text

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_NUMERIC = re.compile(r"^(\d+)(?:\.(\d+))?$", re.ASCII)
_YEAR_FIRST = re.compile(r"^(\d{4})\s?([-/.])\s?(\d{1,2})\s?\2\s?(\d{1,2})", re.ASCII)
_YEAR_FIRST_CN = re.compile(r"^(\d{4})\s?年\s?(\d{1,2})\s?月\s?(\d{1,2})\s?[日号]?", re.ASCII)
_YEAR_LAST = re.compile(r"^(\d{1,2})\s?([-/.])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?!\d)", re.ASCII)
_DAY_MONTH_NAME = re.compile(
    r"^(\d{1,2})[-\s]([A-Za-z]{3,9})\.?[-\s,]\s?(\d{4}|\d{2})(?!\d)", re.ASCII
)
_MONTH_NAME_DAY = re.compile(
    r"^([A-Za-z]{3,9})\.?\s(\d{1,2})(?:st|nd|rd|th)?,?\s(\d{4})(?!\d)", re.IGNORECASE | re.ASCII
)
_TIME = re.compile(
    r"^(?:T|\s)?\s?(?:(上午|下午)\s?)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s?(?:([AaPp])\.?[Mm]\.?)?\s?"
    r"(Z|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT)?$",
    re.ASCII,
)
_ZONE_ONLY = re.compile(r"^\s?(Z|UTC|GMT)$")
_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})?$", re.ASCII)

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_MAX_SERIAL = 2_958_465  # 9999-12-31
_SERIAL_LEAP_BUG = 60  # Excel's 1900-02-29, which never existed
_SECONDS_PER_DAY = 86_400


@lru_cache(maxsize=32)
def time_zone(tz: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; ValueError when there is no such zone."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {tz!r}; use an IANA name like 'Asia/Shanghai'"
        ) from exc


def _four_digit_year(year: str) -> int:
    if len(year) == 2:
        short = int(year)
        return 2000 + short if short < 69 else 1900 + short
    return int(year)


def _from_serial(whole: str, fraction: str | None) -> datetime | None:
    serial = int(whole)
    if serial < 1 or serial > _MAX_SERIAL or serial == _SERIAL_LEAP_BUG:
        return None
    epoch = datetime(1899, 12, 31) if serial < _SERIAL_LEAP_BUG else datetime(1899, 12, 30)
    seconds = round(float("0." + fraction) * _SECONDS_PER_DAY) if fraction else 0
    return epoch + timedelta(days=serial, seconds=seconds)


def _date_part(text: str, day_first: bool) -> tuple[date, str] | None:
    """Parse the date at the start of ``text``; return it and the rest of the text."""
    match = _YEAR_FIRST.match(text)
    if match:
        year, month, day = int(match[1]), int(match[3]), int(match[4])
        return date(year, month, day), text[match.end() :]
    match = _YEAR_FIRST_CN.match(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3])), text[match.end() :]
    match = _YEAR_LAST.match(text)
    if match:
        first, second, year = int(match[1]), int(match[3]), _four_digit_year(match[4])
        if day_first:
            first, second = second, first
        try:
            parsed = date(year, first, second)
        except ValueError:
            parsed = date(year, second, first)  # the other order; may raise, handled above
        return parsed, text[match.end() :]
    match = _DAY_MONTH_NAME.match(text)
    if match and match[2].casefold() in _MONTHS:
        month = _MONTHS[match[2].casefold()]
        parsed = date(_four_digit_year(match[3]), month, int(match[1]))
        return parsed, text[match.end() :]
    match = _MONTH_NAME_DAY.match(text)
    if match and match[1].casefold() in _MONTHS:
        month = _MONTHS[match[1].casefold()]
        return date(int(match[3]), month, int(match[2])), text[match.end() :]
    return None


def _parse_offset(zone: str) -> timezone:
    if zone in ("Z", "UTC", "GMT"):
        return UTC
    match = _OFFSET.search(zone)
    if match is None:  # pragma: no cover - _TIME only admits zones _OFFSET reads
        raise ValueError(zone)
    sign = -1 if match[1] == "-" else 1
    offset = timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
    return timezone(sign * offset)


def _with_time(day: date, rest: str) -> tuple[datetime, timezone | None] | None:
    """Combine ``day`` with the time (and zone) in ``rest``; None when ``rest`` is not one."""
    if rest == "":
        return datetime(day.year, day.month, day.day), None
    zone_only = _ZONE_ONLY.match(rest)
    if zone_only:
        return datetime(day.year, day.month, day.day), UTC
    match = _TIME.match(rest)
    if match is None:
        return None
    cn_half, hour_s, minute_s, second_s, fraction_s, ampm, zone = match.groups()
    hour = int(hour_s)
    half = "p" if cn_half == "下午" else "a" if cn_half == "上午" else None
    if ampm:
        half = ampm.lower()
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    micro = int((fraction_s or "0")[:6].ljust(6, "0"))
    moment = datetime(day.year, day.month, day.day, hour, int(minute_s), int(second_s or 0), micro)
    return moment, _parse_offset(zone.replace(" ", "")) if zone else None


def _parse(text: str, tz: str, day_first: bool) -> datetime | None:
    """Parse ``text`` into a naive wall-clock datetime in ``tz``, or None."""
    numeric = _NUMERIC.match(text)
    if numeric:
        whole, fraction = numeric.groups()
        if len(whole) == 8 and fraction is None:
            try:
                return datetime(int(whole[:4]), int(whole[4:6]), int(whole[6:]))
            except ValueError:
                return None
        return _from_serial(whole, fraction)
    parsed_date = _date_part(text, day_first)
    if parsed_date is None:
        return None
    combined = _with_time(*parsed_date)
    if combined is None:
        return None
    moment, offset = combined
    if offset is not None:
        moment = moment.replace(tzinfo=offset).astimezone(time_zone(tz)).replace(tzinfo=None)
    return moment


def _parse_or_none(text: str, tz: str, day_first: bool) -> datetime | None:
    try:
        return _parse(text, tz, day_first)
    except (ValueError, OverflowError):
        # An impossible date/time (month 13, 25:00, year 10000 after a zone shift).
        return None


def normalise_date(
    value: str | None,
    *,
    tz: str = "Asia/Shanghai",
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS,
    day_first: bool = False,
) -> str | None:
    """Return ``value`` as an ISO date ``YYYY-MM-DD`` in ``tz`` (see the module docstring).

    Returns None for an empty cell and the cleaned text when it is not a date.
    Raises ValueError only for an unknown ``tz``.
    """
    time_zone(tz)
    text = prepare_text(value, null_tokens)
    if text is None:
        return None
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return text
    moment = _parse_or_none(text, tz, day_first)
    return text if moment is None else moment.date().isoformat()


def normalise_datetime(
    value: str | None,
    *,
    tz: str = "Asia/Shanghai",
    null_tokens: frozenset[str] = DEFAULT_NULL_TOKENS,
    day_first: bool = False,
) -> str | None:
    """Return ``value`` as ``YYYY-MM-DDTHH:MM:SS`` wall time in ``tz``.

    A date without a time is midnight; fractions of a second are dropped. Returns None
    for an empty cell and the cleaned text when it is not a date. Raises ValueError only
    for an unknown ``tz``.
    """
    time_zone(tz)
    text = prepare_text(value, null_tokens)
    if text is None:
        return None
    moment = _parse_or_none(text, tz, day_first)
    if moment is None:
        return text
    return moment.replace(microsecond=0).isoformat(timespec="seconds")
