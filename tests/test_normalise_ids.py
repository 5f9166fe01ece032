"""Record identifiers: Salesforce 15/18-character IDs and legacy keys."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from conftest import missing_shared_data

from dualrun.reconcile.normalise import normalise_id, salesforce_id_18

SAMPLE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "salesforce-sample"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # 15 → 18 (checksums as Salesforce exports them, see the sample data)
        ("001bm00001ZL8U9", "001bm00001ZL8U9AAL"),
        ("003bm00000zapth", "003bm00000zapthAAA"),
        ("00Qbm00000Orxk5", "00Qbm00000Orxk5EAB"),
        ("001000000000000", "001000000000000AAA"),
        ("ABCDEABCDEABCDE", "ABCDEABCDEABCDE555"),
        # 18 stays, suffix upper-cased, case restored from the checksum
        ("001bm00001ZL8U9AAL", "001bm00001ZL8U9AAL"),
        ("001bm00001ZL8U9aal", "001bm00001ZL8U9AAL"),
        ("001bm00001zl8u9aal", "001bm00001ZL8U9AAL"),
        ("001BM00001ZL8U9AAL", "001bm00001ZL8U9AAL"),
        ("  001bm00001ZL8U9AAL ", "001bm00001ZL8U9AAL"),
        # a checksum that cannot describe the ID: only the suffix is upper-cased
        ("000000000000000baa", "000000000000000BAA"),
        # anything else: trimmed, unchanged
        (" CUST-1001 ", "CUST-1001"),
        ("001bm00001ZL8U", "001bm00001ZL8U"),
        ("001bm00001ZL8U9AALX", "001bm00001ZL8U9AALX"),
        ("001bm00001ZL8U9AA9", "001bm00001ZL8U9AA9"),  # 9 is not a checksum character
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_salesforce_id_18(raw: str | None, expected: str | None) -> None:
    assert salesforce_id_18(raw) == expected


@pytest.mark.parametrize(
    ("raw", "options", "expected"),
    [
        ("1001.0", {}, "1001"),
        ("1001.00", {}, "1001"),
        ("1001.5", {}, "1001.5"),
        ("１００１", {}, "1001"),
        ("  C-1001  ", {}, "C-1001"),
        ("Cust 1001", {"casefold": True}, "cust 1001"),
        ("Cust 1001", {}, "Cust 1001"),
        ("Null", {"casefold": True}, None),
        ("无", {}, None),
        (None, {}, None),
    ],
)
def test_normalise_id(raw: str | None, options: dict[str, Any], expected: str | None) -> None:
    assert normalise_id(raw, **options) == expected


def _sample_ids() -> list[str]:
    if not SAMPLE_DIR.is_dir():
        missing_shared_data(f"the real Salesforce sample at {SAMPLE_DIR}")
    ids: list[str] = []
    for path in sorted(SAMPLE_DIR.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                ids += [v for k, v in row.items() if k and k.endswith("Id") and len(v) == 18]
    return ids


def test_real_salesforce_ids_agree_with_their_15_character_form() -> None:
    ids = _sample_ids()
    assert len(ids) > 100
    for sfid in ids:
        assert salesforce_id_18(sfid[:15]) == sfid
        assert salesforce_id_18(sfid) == sfid
        assert salesforce_id_18(sfid.lower()) == sfid
        assert salesforce_id_18(sfid.upper()) == sfid
