"""Shared fixtures: a tiny project on disk, a CLI runner, and store URLs for both backends.

The small project plants these differences (the tests import the counts):
  C002 amount 3.5万 vs 30000 元              → field_mismatch (amount)
  C003 only in the manual ledger             → missing_in_crm
  C009 only in the CRM                       → missing_in_manual
  C001 differs only in format (phone, date)  → identical (format-only)
"""

from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import openpyxl
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PG_URL = os.environ.get("DUALRUN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def missing_shared_data(what: str) -> NoReturn:
    """Skip a test needing ../shared/data outside CI; in CI its absence is a failure."""
    message = f"{what} is absent (../shared/data/ ships beside the project in CI)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


PLANTED = {
    "missing_in_crm": 1,
    "missing_in_manual": 1,
    "field_mismatch": 1,
    "duplicate": 0,
    "ambiguous_match": 0,
    "unkeyed_row": 0,
}

CONFIG = """\
[project]
name = "测试项目"
lang = "en"

[entities.account]
module = "SFA"
owner = "owner"
record_id = "crm_id"

[[entities.account.manual]]
path = "manual/台账.xlsx"

[[entities.account.crm]]
path = "crm/Account.csv"

[entities.account.match]
key = ["code"]
fallback = [["phone"]]

[entities.account.fields]
code = { manual = "客户编号", crm = "Legacy_ID__c", type = "id" }
crm_id = { crm = "Id", type = "sfid", compare = false }
name = { manual = ["客户名称", "公司名称"], crm = "Name", normalise = ["company_suffix"] }
phone = { manual = "手机", crm = "Phone", type = "phone", pii = true }
signed = { manual = "签约日期", crm = "Contract_Date__c", type = "date" }
amount = { manual = "金额(万元)", crm = "AnnualRevenue", type = "amount", \
  manual_unit = "万元", crm_unit = "元", critical = true }
owner = { manual = "负责人", crm = "Owner_Name__c", critical = true }
"""

MANUAL_ROWS = [
    ["C001", "北京星辰科技有限公司", "+86 138-0013-8000", "2026年3月5日", "1.2", "张伟"],
    ["C002", "上海远航贸易", "13900000002", "2026/3/6", "3.5", "张伟"],
    ["C003", "广州恒通物流", "13900000003", "2026.03.07", "1", "李娜"],
]
CRM_ROWS = [
    ["0015g00000AbCdEAAV", "C001", "北京星辰科技", "13800138000", "2026-03-05", "12000", "张伟"],
    ["0015g00000AbCdFAAV", "C002", "上海远航贸易", "13900000002", "2026-03-06", "30000", "张伟"],
    ["0015g00000AbCdGAAV", "C009", "西安古城文化", "13900000009", "2026-03-08", "10000", "李娜"],
]


def write_project(
    folder: Path,
    *,
    manual_rows: list[list[str]] | None = None,
    crm_rows: list[list[str]] | None = None,
    config: str = CONFIG,
) -> Path:
    (folder / "manual").mkdir(parents=True, exist_ok=True)
    (folder / "crm").mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "张伟"
    sheet.append(["2026年客户台账"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["客户编号", "客户名称", "手机", "签约日期", "金额(万元)", "负责人"])
    for row in MANUAL_ROWS if manual_rows is None else manual_rows:
        sheet.append(row)
    sheet.append(["合计", None, None, None, "5.7", None])
    book.save(folder / "manual" / "台账.xlsx")
    lines = ["Id,Legacy_ID__c,Name,Phone,Contract_Date__c,AnnualRevenue,Owner_Name__c"]
    lines += [",".join(r) for r in (CRM_ROWS if crm_rows is None else crm_rows)]
    (folder / "crm" / "Account.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    (folder / "dualrun.toml").write_text(config, encoding="utf-8")
    return folder / "dualrun.toml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str] | None = None) -> CliResult:
    """Call the real entry point (with its one error handler) and capture everything."""
    from dualrun.cli import main

    # Like a real stdout: text over a byte buffer (the JSON document is written as bytes).
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    old_argv, old_env = sys.argv, dict(os.environ)
    sys.argv = ["dualrun", *args]
    os.environ.pop("DUALRUN_DEBUG", None)
    os.environ.update(env or {})
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.argv = old_argv
        os.environ.clear()
        os.environ.update(old_env)
    out.flush()
    return CliResult(code, out.buffer.getvalue().decode("utf-8"), err.getvalue())


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the real PostgreSQL server; dropped afterwards."""
    import sqlalchemy as sa

    schema = f"dr_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
