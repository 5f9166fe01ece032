"""Write one night's files: the hand-kept ledgers and the CRM exports.

xlsx files are saved with pinned document dates and zip entry times so that their
bytes, not only their cell values, are the same on every run. Each writer returns
where it put every data row, for PLANTED.md.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .master import CASE_PRIORITY, CASE_STATUS, STAGE_LABEL
from .nights import NightPlan
from .records import (
    ACCOUNT_CSV,
    ACCOUNT_XLSX,
    CASE_CSV,
    CASE_SHEET,
    CASE_XLSX,
    FIXED_TIME,
    OPPORTUNITY_CSV,
    OPPORTUNITY_XLSX,
    SALES_REPS,
    Record,
    plain,
    render_company,
    render_date,
    render_email,
    render_key,
    render_phone,
    render_text,
    render_wan,
    salesforce_id,
    traditional,
    yuan,
)


@dataclass(frozen=True)
class Written:
    """One data row as written, for PLANTED.md (where) and the messy-format inventory."""

    side: str
    key: str
    where: str
    cells: tuple[Any, ...]


Locations = dict[tuple[str, str], list[str]]


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with pinned document dates and zip entry times, so the bytes are stable."""
    workbook.properties.creator = "dualrun demo (examples/make_demo.py)"
    workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    stable = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(stable, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_TIME.isoformat().encode() + rb"Z\g<2>",
                    data,
                )
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, data)
    path.write_bytes(stable.getvalue())


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str, newline: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def title_row(sheet: Worksheet, title: str, width: int) -> None:
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def header_row(sheet: Worksheet, row: int, header: Sequence[str]) -> None:
    for column, name in enumerate(header, start=1):
        sheet.cell(row=row, column=column, value=name).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = 16


def put_row(sheet: Worksheet, row: int, cells: Sequence[Any]) -> None:
    for column, value in enumerate(cells, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy/m/d" if not isinstance(value, datetime) else "yyyy/m/d h:mm"


def manual_order(plan: NightPlan) -> list[Record]:
    return sorted((plan.records[k] for k in plan.in_manual), key=lambda r: r.order)


ACCOUNT_MANUAL = (
    "客户编号",
    "客户名称",
    "联系人",
    "手机",
    "邮箱",
    "城市",
    "客户等级",
    "负责人",
    "签约日期",
    "年销售额(万元)",
    "备注",
)
ACCOUNT_CRM = (
    "Id",
    "Name",
    "Legacy_ID__c",
    "Phone",
    "Email__c",
    "BillingCity",
    "Tier__c",
    "Owner_Name__c",
    "Contract_Date__c",
    "AnnualRevenue",
    "Description",
)


def account_manual_cells(record: Record, keyless: bool) -> tuple[Any, ...]:
    data, style, null = record.data, record.style, record.style["null"]
    return (
        None if keyless else render_key(record.key, style["key"]),
        render_company(data["name"], data["short"], style["name"]),
        data["contact"],
        render_phone(data["phone"], style["phone"], null),
        render_email(data["email"], style["email"], null),
        render_text(data["city"], style["city"]),
        data["tier"] + "类" if style["tier"] == "suffix" else data["tier"],
        render_text(record.owner, style["owner"]),
        render_date(data["signed"], style["date"]),
        render_wan(data["revenue"], style["revenue"], null),
        data["note"] or null,
    )


def account_crm_cells(plan: NightPlan, record: Record, copy: int) -> tuple[Any, ...]:
    def value(name: str) -> Any:
        return plan.crm_value(record, name)

    phone = value("phone")
    if phone is not None and record.style["crm_phone"] == "intl":
        phone = "+86 " + phone
    signed: date = value("signed")
    if record.style["crm_time"] == "prev_evening":  # 00:30 in Shanghai is 16:30 UTC the day before
        stamp = f"{signed - timedelta(days=1)}T16:30:00.000+0000"
    else:
        stamp = f"{signed}T{record.data['utc_hour']:02d}:00:00.000+0000"
    sfid = record.data["sfid"] if copy == 0 else salesforce_id("001", 47_000_000 + record.order)
    return (
        sfid,
        value("name"),
        record.key,
        phone or "",
        value("email") or "",
        value("city"),
        value("tier"),
        value("owner"),
        stamp,
        yuan(value("revenue")),
        value("note") or "",
    )


def write_accounts(plan: NightPlan, manual_dir: Path, crm_dir: Path) -> list[Written]:
    written: list[Written] = []
    workbook = Workbook()
    for sheet in workbook.worksheets:
        workbook.remove(sheet)
    for rep in SALES_REPS:
        sheet = workbook.create_sheet(rep)
        title_row(sheet, f"2026年客户台账（{rep}）", len(ACCOUNT_MANUAL))
        header_row(sheet, 3, ACCOUNT_MANUAL)
        row, total = 4, Decimal(0)
        rows = [r for r in manual_order(plan) if r.owner == rep]
        copies = [(r, 0) for r in rows]
        for dup in sorted(k for k in plan.manual_dups if plan.records[k].owner == rep):
            at = next(n for n, (r, _) in enumerate(copies) if r.key == dup)
            copies.insert(at + 1, (plan.records[dup], 1))
        for n, (record, _) in enumerate(copies):
            if n and n % 10 == 0:
                row += 1  # a blank row inside the data, as people leave them
            cells = account_manual_cells(record, record.key in plan.unkeyed)
            put_row(sheet, row, cells)
            where = f"manual/{ACCOUNT_XLSX} [{rep}] row {row}"
            written.append(Written("manual", record.key, where, cells))
            total += record.data["revenue"] or 0
            row += 1
        put_row(
            sheet,
            row,
            (
                "合计",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                float(plain(total)),
                f"{len(copies)}户",
            ),
        )
    save_workbook(workbook, manual_dir / ACCOUNT_XLSX)

    crm_rows = [(r, 0) for r in plan.records.values() if r.key in plan.in_crm]
    crm_rows += [(plan.records[k], 1) for k in sorted(plan.crm_dups)]
    cells_list = sorted(
        (account_crm_cells(plan, r, copy) for r, copy in crm_rows), key=lambda cells: str(cells[0])
    )
    write_csv(crm_dir / ACCOUNT_CSV, ACCOUNT_CRM, cells_list, "utf-8-sig", "\n")
    for line, cells in enumerate(cells_list, start=2):
        written.append(Written("crm", str(cells[2]), f"crm/{ACCOUNT_CSV} row {line}", cells))
    return written


OPPORTUNITY_MANUAL = (
    "商机编号",
    "商机名称",
    "客户名称",
    "阶段",
    "金额(万元)",
    "预计成交日期",
    "负责人",
)
OPPORTUNITY_CRM = (
    "Id",
    "Name",
    "Legacy_Opportunity_ID__c",
    "Account_Name__c",
    "StageName",
    "Amount",
    "CloseDate",
    "Owner_Name__c",
)
MONTHS = (1, 2, 3, 4)
TITLED_MONTHS = (3, 4)  # from March the tracker has a title row and a 合计 row


def opportunity_manual_cells(record: Record, keyless: bool) -> tuple[Any, ...]:
    data, style, null = record.data, record.style, record.style["null"]
    stage = STAGE_LABEL[data["stage"]]
    if style["stage"] == "traditional":
        stage = traditional(stage)
    elif style["stage"] == "english":
        stage = data["stage"]
    return (
        None if keyless else render_key(record.key, style["key"]),
        render_text(data["name"], style["name"]),
        render_company(data["account"], data["account_short"], style["account"]),
        stage,
        render_wan(data["amount"], style["amount"], null),
        render_date(data["close"], style["date"]),
        render_text(record.owner, style["owner"]),
    )


def opportunity_crm_cells(plan: NightPlan, record: Record) -> tuple[Any, ...]:
    amount: Decimal | None = plan.crm_value(record, "amount")
    if amount is None:
        amount_text = ""
    elif record.style["crm_amount"] == "tolerance" and record.key not in plan.crm_values:
        amount_text = plain(amount * 10000 + Decimal("0.4"))  # rounding, within 1 元
    elif record.style["crm_amount"] == "decimals":
        amount_text = f"{amount * 10000:.2f}"
    else:
        amount_text = yuan(amount)
    return (
        record.data["sfid"],
        record.data["name"],
        record.key,
        plan.crm_value(record, "account"),
        plan.crm_value(record, "stage"),
        amount_text,
        plan.crm_value(record, "close").isoformat(),
        plan.crm_value(record, "owner"),
    )


def write_opportunities(plan: NightPlan, manual_dir: Path, crm_dir: Path) -> list[Written]:
    written: list[Written] = []
    workbook = Workbook()
    for sheet in workbook.worksheets:
        workbook.remove(sheet)
    by_month: dict[int, list[Record]] = {m: [] for m in MONTHS}
    for record in manual_order(plan):
        by_month[record.data["created"].month].append(record)
    for key in sorted(plan.manual_dups):  # copied into the next month's sheet
        record = plan.records[key]
        by_month[record.data["created"].month + 1].append(record)
    for month in MONTHS:
        name = f"2026年{month}月"
        sheet = workbook.create_sheet(name)
        titled = month in TITLED_MONTHS
        if titled:
            title_row(sheet, f"2026年{month}月商机跟踪表", len(OPPORTUNITY_MANUAL))
        header_row(sheet, 2 if titled else 1, OPPORTUNITY_MANUAL)
        row, total = (3 if titled else 2), Decimal(0)
        records = by_month[month]
        for n, record in enumerate(records):
            if n == len(records) // 2:
                row += 1  # one blank row in the middle of every month
            cells = opportunity_manual_cells(record, record.key in plan.unkeyed)
            put_row(sheet, row, cells)
            written.append(
                Written(
                    "manual", record.key, f"manual/{OPPORTUNITY_XLSX} [{name}] row {row}", cells
                )
            )
            total += record.data["amount"] or 0
            row += 1
        if titled:
            put_row(sheet, row, ("合计", None, None, None, float(plain(total)), None, None))
    save_workbook(workbook, manual_dir / OPPORTUNITY_XLSX)

    crm_records = sorted(
        (r for r in plan.records.values() if r.key in plan.in_crm), key=lambda r: r.data["sfid"]
    )
    rows = [opportunity_crm_cells(plan, r) for r in crm_records]
    write_csv(crm_dir / OPPORTUNITY_CSV, OPPORTUNITY_CRM, rows, "gb18030", "\r\n")
    for line, cells in enumerate(rows, start=2):
        written.append(Written("crm", str(cells[2]), f"crm/{OPPORTUNITY_CSV} row {line}", cells))
    return written


CASE_MANUAL = ("工单编号", "客户", "标题", "状态", "优先级", "创建时间", "负责人", "处理说明")
CASE_CRM = (
    "(Do Not Modify) Case",
    "(Do Not Modify) Row Checksum",
    "(Do Not Modify) Modified On",
    "工单编号",
    "客户",
    "标题",
    "状态",
    "优先级",
    "创建时间",
    "负责人",
)


def render_created(moment: datetime, style: str) -> str:
    y, m, d, hh, mm = moment.year, moment.month, moment.day, moment.hour, moment.minute
    if style == "slash":
        return f"{y}/{m}/{d} {hh}:{mm:02d}"
    if style == "cn":
        return f"{y}年{m}月{d}日 {hh}:{mm:02d}"
    if style == "date_only":
        return f"{y}/{m}/{d}"
    if style == "dot":
        return f"{y}.{m:02d}.{d:02d} {hh:02d}:{mm:02d}"
    return moment.strftime("%Y-%m-%d %H:%M")


def case_manual_cells(record: Record, keyless: bool) -> tuple[Any, ...]:
    data, style, null = record.data, record.style, record.style["null"]
    status = CASE_STATUS[data["status"]][1 if style["status"] == "alias" else 0]
    if style["status"] == "traditional":
        status = traditional(status)
    priority = CASE_PRIORITY[data["priority"]][1 if style["priority"] == "alias" else 0]
    key = "" if keyless else render_key(record.key, style["key"])
    return (
        key,
        render_company(data["customer"], data["customer_short"], style["customer"]),
        render_text(data["title"], style["title"]),
        status,
        priority,
        render_created(data["created"], style["created"]),
        render_text(record.owner, style["owner"]),
        data["remark"] or null,
    )


def case_crm_cells(plan: NightPlan, record: Record, copy: int) -> tuple[Any, ...]:
    data = record.data
    guid = data["guid"] if copy == 0 else str(uuid.UUID(int=uuid.UUID(data["guid"]).int ^ 0xBEEF))
    return (
        guid,
        data["checksum"],
        data["modified"],
        record.key,
        data["customer"],
        data["title"],
        plan.crm_value(record, "status"),
        plan.crm_value(record, "priority"),
        plan.crm_value(record, "created"),
        plan.crm_value(record, "owner"),
    )


def write_cases(plan: NightPlan, manual_dir: Path, crm_dir: Path) -> list[Written]:
    written: list[Written] = []
    manual = [(r, r.key in plan.unkeyed) for r in manual_order(plan)]
    manual += [(plan.records[k], False) for k in sorted(plan.manual_dups)]  # logged again later
    rows = [case_manual_cells(record, keyless) for record, keyless in manual]
    write_csv(manual_dir / CASE_CSV, CASE_MANUAL, rows, "utf-8", "\n")
    for line, ((record, _), cells) in enumerate(zip(manual, rows, strict=True), start=2):
        written.append(Written("manual", record.key, f"manual/{CASE_CSV} row {line}", cells))

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = CASE_SHEET
    header_row(sheet, 1, CASE_CRM)
    for letter in "ABC":  # Dynamics hides its bookkeeping columns
        sheet.column_dimensions[letter].hidden = True
    crm = [(r, 0) for r in plan.records.values() if r.key in plan.in_crm]
    crm += [(plan.records[k], 1) for k in sorted(plan.crm_dups)]
    crm.sort(key=lambda item: (item[0].data["created"], item[1]), reverse=True)
    for row, (record, copy) in enumerate(crm, start=2):
        cells = case_crm_cells(plan, record, copy)
        put_row(sheet, row, cells)
        written.append(
            Written("crm", record.key, f"crm/{CASE_XLSX} [{CASE_SHEET}] row {row}", cells)
        )
    hidden = workbook.create_sheet("hiddenSheet")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "incident:OJ5Dp7yS2kWkb7j3pJ0MgQ==:ticketnumber,title,statecode,prioritycode"
    save_workbook(workbook, crm_dir / CASE_XLSX)
    return written


WRITERS: dict[str, Callable[[NightPlan, Path, Path], list[Written]]] = {
    "account": write_accounts,
    "opportunity": write_opportunities,
    "case": write_cases,
}
