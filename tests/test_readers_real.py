"""Real Salesforce exports from ../shared/data read as a CRM side would be."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dualrun.reconcile.readers import SourceSpec, read_source

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "salesforce-sample"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"real CRM samples not present at {SAMPLES} (user checkout)"
)


@needs_samples
def test_salesforce_account_export() -> None:
    [table] = read_source(SAMPLES / "Account.csv", SourceSpec())
    assert table.header_row == 1
    assert table.columns[:3] == ("Id", "IsDeleted", "Name")
    assert "Active__c" in table.columns
    assert table.data.height == 18
    assert table.data.get_column("__row").to_list() == list(range(2, 20))
    first = table.data.row(0, named=True)
    assert first["Id"] == "001bm00001ZL8U9AAL"
    assert first["IsDeleted"] == "FALSE"  # text, never a bool
    assert first["AnnualRevenue"] == "139000000"
    assert first["BillingPostalCode"] is None
    assert table.warnings == () and table.skipped == ()


@needs_samples
def test_salesforce_contacts_keep_quoted_commas(tmp_path: Path) -> None:
    [table] = read_source(SAMPLES / "Contact.csv", SourceSpec())
    titles = table.data.get_column("Title").to_list()
    assert "SVP, Procurement" in titles
    assert table.data.get_column("Phone")[0] == "(512) 757-6000"


@needs_samples
def test_account_export_rebuilt_as_a_manual_ledger(tmp_path: Path) -> None:
    """The same accounts as a hand-kept sheet: title, Chinese headers, a total row."""
    [crm] = read_source(SAMPLES / "Account.csv", SourceSpec())
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "客户"
    sheet["B2"] = "客户台账"
    sheet.append([])
    sheet.append([None, "客户名称", "城市", "年收入"])
    for name, city, revenue in crm.data.select("Name", "BillingCity", "AnnualRevenue").rows():
        sheet.append([None, name, city, int(revenue) if revenue else None])
    sheet.append([None, "合计"])
    path = tmp_path / "manual.xlsx"
    workbook.save(path)
    spec = SourceSpec(expected_headers=frozenset({"客户名称", "城市"}))
    [manual] = read_source(path, spec)
    assert manual.header_row == 4
    assert manual.data.get_column("客户名称").to_list() == crm.data.get_column("Name").to_list()
    assert manual.data.get_column("年收入")[0] == "139000000"
    assert manual.data.get_column("__row").to_list() == list(range(5, 23))
    assert manual.skipped[0][0] == 23
