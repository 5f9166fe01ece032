"""The JSON findings text equals the row-by-row rendering, whatever the values hold."""

from __future__ import annotations

import json

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dualrun.reconcile.model import (
    DISCREPANCY_SCHEMA,
    SIDE_COLUMNS,
    discrepancies_json,
    discrepancy_dicts,
)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
maybe_text = st.none() | text


@st.composite
def findings(draw: st.DrawFn) -> pl.DataFrame:
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row: dict[str, object] = {
            "entity": draw(st.sampled_from(["account", "联系人"])),
            "kind": draw(st.sampled_from(["field_mismatch", "duplicate", "missing_in_crm"])),
            "fingerprint": draw(text),
            "identity": draw(text),
            "key": draw(st.none() | st.builds(lambda v: json.dumps({"code": v}), text)),
            "field": draw(maybe_text),
            "rule": draw(maybe_text),
            "score": draw(st.none() | st.floats(0, 100)),
            "owner": draw(maybe_text),
            "members": draw(
                st.none()
                | st.builds(
                    lambda f, r: json.dumps(
                        [{"side": "crm", "file": f, "sheet": None, "row": r, "identity": f}]
                    ),
                    text,
                    st.integers(1, 10**6),
                )
            ),
        }
        for side in ("manual", "crm"):
            row[f"{side}_present"] = draw(st.booleans())
            for column in SIDE_COLUMNS:
                row[f"{side}_{column}"] = draw(
                    st.none() | st.integers(1, 10**6) if column == "row" else maybe_text
                )
            row[f"{side}_record"] = draw(
                st.none()
                | st.builds(lambda a, b: json.dumps({"名称": a, "phone": b}), text, maybe_text)
            )
        rows.append(row)
    return pl.DataFrame(rows, schema=DISCREPANCY_SCHEMA)


@settings(max_examples=200, deadline=None)
@given(findings())
def test_json_text_equals_the_row_by_row_document(frame: pl.DataFrame) -> None:
    assert json.loads(discrepancies_json(frame)) == list(discrepancy_dicts(frame))
