"""Real CRM exports (../shared/data/salesforce-sample) against ledgers derived from them.

The CRM side is the real Salesforce export, read as it is. The manual side is built at
test time the way a sales team keeps it: Chinese headers, a title row, amounts in 万元,
phones and e-mails retyped, no Salesforce IDs. Planted differences:
  accounts  — "Edge Communications" left out of the ledger      → missing_in_manual
            — a ledger-only customer "Hangzhou Tea Co., Ltd."  → missing_in_crm
            — Burlington's revenue typed as 35000 万元 (CRM 350,000,000 元 = 35000 万元: equal)
            — Pyramid's revenue typed as 90000 万元 (CRM 95000 万元)  → field_mismatch
  contacts  — Rose Gonzalez's mobile retyped as +1 512 757 9341 → field_mismatch (phone)
            — Jack Rogers left out of the ledger                → missing_in_manual
            — a ledger-only contact                             → missing_in_crm
            — every e-mail upper-cased, phones reformatted      → format-only, not differences
            — the account of each contact: CRM AccountId resolved to the account's name
            — contacts without an e-mail (real data has some) pair by name
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from conftest import SHARED_DATA, missing_shared_data, run_cli

SAMPLE = SHARED_DATA / "salesforce-sample"


@pytest.fixture(autouse=True)
def _needs_the_sample() -> None:
    if not SAMPLE.exists():
        missing_shared_data(str(SAMPLE))


CONFIG = """\
[project]
name = "Salesforce sample"
lang = "en"
default_country = "1"

[entities.account]
module = "SFA"
record_id = "crm_id"
[[entities.account.manual]]
path = "manual/ledger.xlsx"
sheets = ["客户"]
[[entities.account.crm]]
path = "{sample}/Account.csv"
[entities.account.match]
key = ["name"]
[entities.account.fields]
crm_id = {{ crm = "Id", type = "sfid", compare = false }}
name = {{ manual = "客户名称", crm = "Name", normalise = ["casefold", "company_suffix"] }}
city = {{ manual = "城市", crm = "BillingCity" }}
industry = {{ manual = "行业", crm = "Industry" }}
revenue = {{ manual = "年收入(万元)", crm = "AnnualRevenue", type = "amount", \
  manual_unit = "万元", crm_unit = "元", critical = true }}

[entities.contact]
module = "SFA"
record_id = "crm_id"
[[entities.contact.manual]]
path = "manual/ledger.xlsx"
sheets = ["联系人"]
[[entities.contact.crm]]
path = "{sample}/Contact.csv"
[entities.contact.match]
key = ["email"]
fallback = [["name"]]  # a few real contacts have no e-mail
[entities.contact.fields]
crm_id = {{ crm = "Id", type = "sfid", compare = false }}
name = {{ manual = "姓名", crm = "Name" }}
account = {{ manual = "客户名称", crm = "AccountId", normalise = ["casefold", "company_suffix"], \
  lookup = {{ entity = "account", by = "crm_id", to = "name" }} }}
email = {{ manual = "邮箱", crm = "Email", type = "email", pii = true }}
mobile = {{ manual = "手机", crm = "MobilePhone", type = "phone", pii = true }}
title = {{ manual = "职位", crm = "Title" }}
"""


def crm_rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def build_ledger(folder: Path) -> None:
    accounts = crm_rows("Account.csv")
    contacts = crm_rows("Contact.csv")
    names = {a["Id"]: a["Name"] for a in accounts}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "客户"
    sheet.append(["客户台账（由销售部维护）"])
    sheet.append(["客户名称", "城市", "行业", "年收入(万元)"])
    for account in accounts:
        if account["Name"] == "Edge Communications":
            continue
        revenue = account["AnnualRevenue"]
        wan = f"{int(revenue) / 10000:g}" if revenue else "无"
        if account["Name"].startswith("Pyramid"):
            wan = "90000"
        sheet.append(
            [account["Name"].upper(), account["BillingCity"] or "-", account["Industry"], wan]
        )
    sheet.append(["Hangzhou Tea Co., Ltd.", "Hangzhou", "Agriculture", "12"])
    people = book.create_sheet("联系人")
    people.append(["姓名", "客户名称", "邮箱", "手机", "职位"])
    for contact in contacts:
        if contact["Name"] == "Jack Rogers":
            continue
        mobile = contact["MobilePhone"]
        if contact["Name"] == "Rose Gonzalez":
            mobile = "+1 512 757 9341"
        account = names.get(contact["AccountId"], "")
        people.append(
            [
                contact["Name"],
                account + " Inc." if account and "Inc" not in account else account,
                contact["Email"].upper(),
                mobile or "N/A",
                contact["Title"],
            ]
        )
    people.append(["王小明", "Hangzhou Tea Co., Ltd.", "wang@hzt.cn", "+86 138 0013 8000", "经理"])
    (folder / "manual").mkdir(parents=True)
    book.save(folder / "manual" / "ledger.xlsx")
    (folder / "dualrun.toml").write_text(CONFIG.format(sample=SAMPLE.resolve()), encoding="utf-8")


def test_salesforce_sample_against_a_derived_ledger(tmp_path: Path) -> None:
    build_ledger(tmp_path)
    result = run_cli(
        "reconcile", "-c", str(tmp_path / "dualrun.toml"), "--json", "--out", str(tmp_path / "out")
    )
    assert result.code == 1, result.err
    document = json.loads(result.out)
    accounts = document["entities"]["account"]
    contacts = document["entities"]["contact"]
    assert accounts["counts"] == {
        "missing_in_crm": 1,
        "missing_in_manual": 1,
        "field_mismatch": 1,
        "duplicate": 0,
        "ambiguous_match": 0,
        "unkeyed_row": 0,
    }
    assert contacts["counts"] == {
        "missing_in_crm": 1,
        "missing_in_manual": 1,
        "field_mismatch": 1,
        "duplicate": 0,
        "ambiguous_match": 0,
        "unkeyed_row": 0,
    }
    rows = {(d["entity"], d["kind"], d["field"]): d for d in document["discrepancies"]}
    revenue = rows[("account", "field_mismatch", "revenue")]
    assert (revenue["manual"]["normalised"], revenue["crm"]["normalised"]) == (
        "900000000",
        "950000000",
    )
    assert revenue["crm"]["record_id"] == "001bm00001ZL8UBAA1"
    phone = rows[("contact", "field_mismatch", "mobile")]
    assert (phone["manual"]["normalised"], phone["crm"]["normalised"]) == (
        "+15127579341",
        "+15127579340",
    )
    assert phone["key"] == {"email": "rose@edge.com"}
    # e-mails upper-cased and phones retyped are format-only, not differences
    email = contacts["field_accuracy"]["email"]
    assert email["format_only"] == email["compared"] == email["equal"] > 20
    assert contacts["rules"] == {"fallback:name": 2, "key": 22}
    assert contacts["field_accuracy"]["account"]["accuracy"] == 1.0
    assert accounts["rows_crm"] == 18 and contacts["rows_crm"] == 25
