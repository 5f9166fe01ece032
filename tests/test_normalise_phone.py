"""Phone numbers: every written form of one number becomes one canonical string."""

from __future__ import annotations

import pytest

from dualrun.reconcile.normalise import normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Chinese mobiles, however written
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("86-138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("＋８６ １３８ ００１３ ８０００", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138.0013.8000", "13800138000"),
        ("13800138000", "13800138000"),
        ("13800138000.0", "13800138000"),
        ("1.3800138E+10", "13800138000"),
        ("tel:+8613800138000", "13800138000"),
        # Chinese landlines
        ("010-12345678", "01012345678"),
        ("(010)12345678", "01012345678"),
        ("（010）12345678", "01012345678"),
        ("+86 10 1234 5678", "01012345678"),
        ("+86 (0)10 1234 5678", "01012345678"),
        ("+86 010 1234 5678", "01012345678"),
        ("0086-21-12345678", "02112345678"),
        ("86 21 12345678", "02112345678"),
        ("0755-1234567", "07551234567"),
        # extensions
        ("010-12345678 ext. 123", "01012345678;ext=123"),
        ("010-12345678 ext 123", "01012345678;ext=123"),
        ("010-12345678转123", "01012345678;ext=123"),
        ("010-12345678 分机 123", "01012345678;ext=123"),
        ("+1 512 757 6000 x123", "+15127576000;ext=123"),
        ("13800138000;ext=123", "13800138000;ext=123"),
        # other countries keep their country code
        ("+1 (512) 757-6000", "+15127576000"),
        ("001 512 757 6000", "+15127576000"),
        ("+44 (0) 20 7946 0958", "+442079460958"),
        ("+886 2 2547 4189", "+886225474189"),
        ("+852 2123 4567", "+85221234567"),
        # no country code, not a Chinese number: kept as digits (default country 86)
        ("(512) 757-6000", "5127576000"),
        ("886-2-25474189", "886225474189"),
        ("12345678", "12345678"),
        ("95588", "95588"),
    ],
)
def test_phone_forms_with_default_country_86(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(512) 757-6000", "+15127576000"),
        ("512-757-6000", "+15127576000"),
        ("1 512 757 6000", "+15127576000"),
        ("+1 (512) 757-6000", "+15127576000"),
        ("(014) 427-4427", "+10144274427"),
        ("+86 138 0013 8000", "+8613800138000"),  # an explicit +86 still wins
        ("+86 10 1234 5678", "+861012345678"),
        ("0086 010 1234 5678", "+861012345678"),
        ("757-6000", "7576000"),  # too short to place: kept as digits
    ],
)
def test_phone_forms_with_default_country_1(raw: str, expected: str) -> None:
    assert normalise_phone(raw, default_country="1") == expected


def test_other_default_country_drops_the_trunk_zero() -> None:
    assert normalise_phone("020 7946 0958", default_country="44") == "+442079460958"


@pytest.mark.parametrize("raw", ["无", "-", "N/A", "", "  ", None])
def test_empty_phone_is_none(raw: str | None) -> None:
    assert normalise_phone(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("call me", "call me"),
        ("1-800-FLOWERS", "1-800-FLOWERS"),
        ("13800138000 / 13900139000", "13800138000 / 13900139000"),
        ("138  0013 8000 (mobile)", "138 0013 8000 (mobile)"),
        ("ext. 123", "ext. 123"),
        ("1234567890123456789", "1234567890123456789"),  # more digits than any phone
        ("ＡＢＣ", "ABC"),
    ],
)
def test_text_that_is_not_a_phone_comes_back_cleaned(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected
