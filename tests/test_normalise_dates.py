"""Dates and date-times: every written form becomes ISO in the project's time zone."""

from __future__ import annotations

import pytest

from dualrun.reconcile.normalise import normalise_date, normalise_datetime


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Excel serials written as text (1900 date system)
        ("45356", "2024-03-05"),
        ("45356.0", "2024-03-05"),
        ("45356.5", "2024-03-05"),
        ("1", "1900-01-01"),
        ("59", "1900-02-28"),
        ("61", "1900-03-01"),
        ("2958465", "9999-12-31"),
        ("４５３５６", "2024-03-05"),
        # year first
        ("2024年3月5日", "2024-03-05"),
        ("2024年03月05日", "2024-03-05"),
        ("2024 年 3 月 5 日", "2024-03-05"),
        ("２０２４年３月５日", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("2024-3-5", "2024-03-05"),
        ("2024.03.05", "2024-03-05"),
        ("20240305", "2024-03-05"),
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05 00:00:00", "2024-03-05"),
        ("2024/3/5 14:30", "2024-03-05"),
        ("2024-03-05T23:59:59", "2024-03-05"),  # no zone: already wall time
        # zoned timestamps are converted to Asia/Shanghai first
        ("2024-01-23T13:26:08.000+0000", "2024-01-23"),
        ("2024-01-23T13:26:08Z", "2024-01-23"),
        ("2024-01-23T23:26:08+08:00", "2024-01-23"),
        ("2024-01-23T20:00:00Z", "2024-01-24"),
        ("2024-01-23T20:00:00.000+0000", "2024-01-24"),
        ("2024-01-23 20:00:00 UTC", "2024-01-24"),
        ("2024-01-23T00:30:00-05:00", "2024-01-23"),
        # year last: month first by default
        ("3/5/2024", "2024-03-05"),
        ("03/05/2024", "2024-03-05"),
        ("13/5/2024", "2024-05-13"),  # 13 cannot be a month
        ("02/03/24", "2024-02-03"),  # Excel-resaved Salesforce CSV
        ("02/23/26 08:55 PM", "2026-02-23"),
        ("1/1/69", "1969-01-01"),
        ("12/31/68", "2068-12-31"),
        # English month names
        ("5-Mar-2024", "2024-03-05"),
        ("5-Mar-24", "2024-03-05"),
        ("5 March 2024", "2024-03-05"),
        ("Mar 5, 2024", "2024-03-05"),
        ("September 30, 2024", "2024-09-30"),
    ],
)
def test_date_forms(raw: str, expected: str) -> None:
    assert normalise_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3/5/2024", "2024-05-03"),
        ("5/13/2024", "2024-05-13"),  # 13 cannot be a month
        ("2024/3/5", "2024-03-05"),  # year first is never reordered
    ],
)
def test_day_first(raw: str, expected: str) -> None:
    assert normalise_date(raw, day_first=True) == expected


def test_zone_conversion_uses_the_given_time_zone() -> None:
    assert normalise_date("2024-01-23T20:00:00Z", tz="UTC") == "2024-01-23"
    assert normalise_date("2024-01-23T03:00:00Z", tz="America/New_York") == "2024-01-22"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-23T13:26:08.000+0000", "2024-01-23T21:26:08"),
        ("2024-01-23T20:00:00Z", "2024-01-24T04:00:00"),
        ("2024-01-23T23:26:08+08:00", "2024-01-23T23:26:08"),
        ("2024-01-23 13:26:08.999", "2024-01-23T13:26:08"),
        ("2024-03-05", "2024-03-05T00:00:00"),
        ("45356.5", "2024-03-05T12:00:00"),
        ("45356.25", "2024-03-05T06:00:00"),
        ("02/23/26 08:55 PM", "2026-02-23T20:55:00"),
        ("02/23/26 12:05 AM", "2026-02-23T00:05:00"),
        ("2024-01-23 下午3:05", "2024-01-23T15:05:00"),
        ("2024年1月23日 08:00", "2024-01-23T08:00:00"),
        ("2024-01-23 GMT+8", "2024-01-23 GMT+8"),  # a zone without a time is not read
    ],
)
def test_datetime_forms(raw: str, expected: str) -> None:
    assert normalise_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["无", "-", "/", "N/A", "", None])
def test_empty_date_is_none(raw: str | None) -> None:
    assert normalise_date(raw) is None
    assert normalise_datetime(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("下周一", "下周一"),
        ("2024-02-30", "2024-02-30"),
        ("2024/13/45", "2024/13/45"),
        ("60", "60"),  # Excel's 1900-02-29 never existed
        ("0", "0"),
        ("2958466", "2958466"),  # beyond 9999-12-31
        ("45356abc", "45356abc"),
        ("2024-03-05 25:00", "2024-03-05 25:00"),
        ("2024-03-05 13:00 PM", "2024-03-05 13:00 PM"),
        ("  ＴＢＣ  ", "TBC"),
        ("Foo 5, 2024", "Foo 5, 2024"),
    ],
)
def test_text_that_is_not_a_date_comes_back_cleaned(raw: str, expected: str) -> None:
    assert normalise_date(raw) == expected


def test_unknown_time_zone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        normalise_date("2024-03-05", tz="Mars/Olympus")
