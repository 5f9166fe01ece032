"""The pure reconciliation core on small in-memory frames with planted differences."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualrun.config import ConfigFile, EntityConfig, ProjectConfig
from dualrun.reconcile.engine import reconcile_entity

ENTITY = EntityConfig.model_validate(
    {
        "module": "SFA",
        "manual": [{"path": "m.xlsx"}],
        "crm": [{"path": "c.csv"}],
        "owner": "owner",
        "record_id": "crm_id",
        "fields": {
            "code": {"manual": "客户编号", "crm": "Legacy_ID__c", "type": "id"},
            "crm_id": {"crm": "Id", "type": "sfid"},
            "name": {"manual": "客户名称", "crm": "Name", "normalise": ["company_suffix"]},
            "phone": {"manual": "手机", "crm": "Phone", "type": "phone"},
            "city": {"manual": "城市", "crm": "BillingCity"},
            "amount": {
                "manual": "金额",
                "crm": "Amount",
                "type": "amount",
                "manual_unit": "万元",
                "crm_unit": "元",
                "critical": True,
            },
            "owner": {"manual": "负责人", "crm": "Owner"},
        },
        "match": {
            "key": ["code"],
            "fallback": [["phone"]],
            "fuzzy": {"field": "name", "block": ["city"], "threshold": 85, "margin": 3},
        },
    }
)
PROJECT = ProjectConfig()
# Both sides normalise alike: what a file compared with itself needs.
SYMMETRIC = ENTITY.model_copy(
    update={
        "fields": {
            **ENTITY.fields,
            "amount": ENTITY.fields["amount"].model_copy(
                update={"manual_unit": None, "crm_unit": None}
            ),
        }
    }
)
FIELDS = ["code", "name", "phone", "city", "amount", "owner"]


def side(rows: list[dict[str, str | None]], side_name: str) -> pl.DataFrame:
    columns = FIELDS + (["crm_id"] if side_name == "crm" else [])
    data = {c: [r.get(c) for r in rows] for c in columns}
    frame = pl.DataFrame(data, schema={c: pl.String for c in columns})
    return frame.with_columns(
        pl.lit(f"{side_name}.xlsx").alias("__file"),
        pl.lit("S1").alias("__sheet"),
        pl.int_range(2, len(rows) + 2, dtype=pl.Int64).alias("__row"),
    )


def rec(
    code: str | None,
    name: str,
    phone: str,
    city: str = "北京",
    amount: str = "1",
    owner: str = "张伟",
    **extra: str | None,
) -> dict[str, str | None]:
    return {
        "code": code,
        "name": name,
        "phone": phone,
        "city": city,
        "amount": amount,
        "owner": owner,
        **extra,
    }


MANUAL = [
    rec("A1", "北京星辰科技有限公司", "+86 138-0013-8000", amount="1.2"),  # format-only diffs
    rec("A2", "上海远航贸易", "13900000002", amount="3"),  # amount mismatch
    rec("A3", "广州恒通物流", "13900000003"),  # missing in CRM
    rec("A4", "深圳华信", "13900000004"),  # duplicate key on manual side
    rec("A4", "深圳华信分部", "13900000044"),
    rec(None, "杭州云端网络", "13900000005"),  # no key: pairs by phone fallback
    rec(None, "成都天府餐饮有限公司", "", city="成都"),  # no key, no phone: fuzzy by name
    rec(None, "无名小店", "", city="拉萨"),  # no key, nothing matches: unkeyed
    rec("A9", "南京金陵", "13900000009", owner="李娜"),
]
CRM = [
    rec("A1", "北京星辰科技", "13800138000", amount="12000", crm_id="0015g00000AbCdE"),
    rec("A2", "上海远航贸易", "13900000002", amount="20000", crm_id="0015g00000AbCdF"),
    rec("A4", "深圳华信", "13900000004", amount="10000", crm_id="0015g00000AbCdG"),
    rec("B5", "杭州云端网络", "139 0000 0005", amount="10000", crm_id="0015g00000AbCdH"),
    rec("B6", "成都天府餐饮", "", city="成都", amount="10000", crm_id="0015g00000AbCdI"),
    rec("A9", "南京金陵", "13900000009", amount="10000", owner="李娜", crm_id="0015g00000AbCdJ"),
    rec("C1", "西安古城文化", "13900000011", amount="10000", crm_id="0015g00000AbCdK"),  # missing
]


def run(manual: list[dict[str, str | None]], crm: list[dict[str, str | None]]):
    return reconcile_entity("account", ENTITY, PROJECT, side(manual, "manual"), side(crm, "crm"))


def test_planted_differences_are_classified() -> None:
    result = run(MANUAL, CRM)
    counts = result.stats.counts
    assert counts["missing_in_crm"] == 1
    assert counts["missing_in_manual"] == 1
    assert counts["duplicate"] == 1
    assert counts["unkeyed_row"] == 1
    assert counts["ambiguous_match"] == 0
    mismatches = result.discrepancies.filter(pl.col("kind") == "field_mismatch")
    # A2 amount 3万 vs 20000; B5/杭州 code None vs B5; A9 amount 1万 vs 10000 is equal.
    got = sorted(zip(mismatches["identity"], mismatches["field"], strict=True))
    assert got == [("k:A2", "amount"), ("k:B5", "code"), ("k:B6", "code")]
    assert result.stats.rules == {"key": 3, "fallback:phone": 1, "fuzzy:name": 1}
    assert result.stats.identical_pairs == 2  # A1 (format-only) and A9
    assert result.stats.format_only_pairs == 2  # A1 (phone, name, amount) and A9 (amount unit)


def test_missing_in_crm_keeps_provenance_and_record() -> None:
    result = run(MANUAL, CRM)
    row = result.discrepancies.filter(pl.col("kind") == "missing_in_crm").row(0, named=True)
    assert (row["manual_file"], row["manual_sheet"], row["manual_row"]) == ("manual.xlsx", "S1", 4)
    assert json.loads(row["manual_record"])["name"] == "广州恒通物流"
    assert row["crm_present"] is False
    assert json.loads(row["key"]) == {"code": "A3"}


def test_duplicate_lists_every_member_and_blocks_pairing() -> None:
    result = run(MANUAL, CRM)
    dup = result.discrepancies.filter(pl.col("kind") == "duplicate").row(0, named=True)
    members = json.loads(dup["members"])
    assert [(m["side"], m["row"]) for m in members] == [("manual", 5), ("manual", 6)]
    # the CRM's A4 is neither paired nor reported missing: the duplicate covers it
    missing = result.discrepancies.filter(pl.col("kind") == "missing_in_manual")
    assert missing["identity"].to_list() == ["k:C1"]


def test_near_tie_fuzzy_candidates_become_ambiguous_not_a_guess() -> None:
    manual = [rec(None, "成都天府餐饮", "", city="成都")]
    crm = [
        rec("X1", "成都天府餐饮一店", "", city="成都", crm_id="0015g00000AbCd1"),
        rec("X2", "成都天府餐饮二店", "", city="成都", crm_id="0015g00000AbCd2"),
    ]
    result = run(manual, crm)
    assert result.stats.counts["ambiguous_match"] == 1
    assert result.stats.pairs == 0
    assert result.stats.counts["unkeyed_row"] == 0
    assert result.stats.counts["missing_in_manual"] == 0


def test_equal_text_in_different_units_is_a_mismatch() -> None:
    manual = [rec("A1", "x", "1", amount="12.5")]  # 12.5 万元
    crm = [rec("A1", "x", "1", amount="12.5", crm_id="0015g00000AbCd1")]  # 12.5 元
    result = run(manual, crm)
    row = result.discrepancies.filter(pl.col("kind") == "field_mismatch").row(0, named=True)
    assert (row["field"], row["manual_normalised"], row["crm_normalised"]) == (
        "amount",
        "125000",
        "12.5",
    )


def test_amount_units_and_tolerance_make_equal_values_equal() -> None:
    manual = [rec("A1", "x", "1", amount="1.2万")]  # 1.2万 of 万元 column is still 12000 元
    crm = [rec("A1", "x", "1", amount="12,000.00", crm_id="0015g00000AbCd1")]
    assert run(manual, crm).stats.counts["field_mismatch"] == 0


def test_match_rate_counts_identical_over_all_records() -> None:
    stats = run(MANUAL, CRM).stats
    # pairs 5 + missing 2 + unkeyed 1 + duplicate groups 1 = 9; identical 2
    assert stats.match_rate == pytest.approx(2 / 9)


def test_fingerprints_do_not_depend_on_row_order() -> None:
    first = run(MANUAL, CRM).discrepancies
    shuffled_manual = MANUAL[:]
    shuffled_crm = CRM[:]
    random.Random(7).shuffle(shuffled_manual)
    random.Random(8).shuffle(shuffled_crm)
    second = run(shuffled_manual, shuffled_crm).discrepancies
    assert sorted(first["fingerprint"].to_list()) == sorted(second["fingerprint"].to_list())
    assert first.height == second.height


records = st.lists(
    st.fixed_dictionaries(
        {
            "code": st.one_of(st.none(), st.sampled_from([f"K{i}" for i in range(12)])),
            "name": st.text(alphabet="星辰远航贸易物流科技 ", min_size=0, max_size=8),
            "phone": st.sampled_from(["", "13800138000", "+86 138 0013 8001", "139-0000-0002"]),
            "city": st.sampled_from(["北京", "上海"]),
            "amount": st.sampled_from(["1", "1.5", "无", "¥20,000"]),
            "owner": st.sampled_from(["张伟", "李娜"]),
        }
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(records)
def test_a_file_compared_with_itself_has_no_differences_except_duplicates(rows: list) -> None:  # type: ignore[type-arg]
    rows = [{**r, "code": r["code"] or f"N{n}"} for n, r in enumerate(rows)]
    crm_rows = [{**r, "crm_id": None} for r in rows]
    result = reconcile_entity(
        "account", SYMMETRIC, PROJECT, side(rows, "manual"), side(crm_rows, "crm")
    )
    kinds = set(result.discrepancies["kind"].to_list())
    assert kinds <= {"duplicate"}
    assert result.stats.counts["field_mismatch"] == 0


@settings(max_examples=40, deadline=None)
@given(records, records)
def test_swapping_sides_swaps_missing_counts(manual: list, crm: list) -> None:  # type: ignore[type-arg]
    plain = ENTITY.model_copy(update={"match": ENTITY.match.model_copy(update={"fuzzy": None})})
    one = reconcile_entity("a", plain, PROJECT, side(manual, "manual"), side(crm, "manual"))
    two = reconcile_entity("a", plain, PROJECT, side(crm, "manual"), side(manual, "manual"))
    assert one.stats.counts["missing_in_crm"] == two.stats.counts["missing_in_manual"]
    assert one.stats.counts["missing_in_manual"] == two.stats.counts["missing_in_crm"]


def test_config_file_validates() -> None:
    ConfigFile.model_validate({"entities": {"account": ENTITY.model_dump()}})
