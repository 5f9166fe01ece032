"""Shared constants, the ``Record`` type, and the messy formats of the manual side.

A record's ``style`` says how the hand-kept ledger writes each of its values; the
``render_*`` functions turn a clean value into what a person typed (full-width digits,
``+86 138-0013-8000``, ``2026年3月5日``, ``1.2万``, Traditional characters, ...). The CRM
side writes the clean values. Pure functions: no files, no clock.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

SEED = "dualrun-demo-2026"
NIGHTS = (1, 2, 3, 4, 5)
ALL_NIGHTS = frozenset(NIGHTS)
KINDS = (
    "missing_in_crm",
    "missing_in_manual",
    "field_mismatch",
    "duplicate",
    "ambiguous_match",
    "unkeyed_row",
)
ENTITIES = ("account", "opportunity", "case")
KEY_FIELD = {"account": "customer_no", "opportunity": "opp_no", "case": "case_no"}
SALES_REPS = ("张伟", "李娜", "王芳")
SERVICE_STAFF = ("陈静", "刘洋", "赵磊")
FUZZY_THRESHOLD, FUZZY_MARGIN = 90, 3  # the account's fuzzy name rule in dualrun.toml
CITIES = ("北京", "上海", "广州", "深圳", "杭州", "苏州", "成都", "武汉", "南京", "厦门")
FIXED_TIME = datetime(2026, 3, 1, 8, 0, 0)  # pinned document dates inside the xlsx files

ACCOUNT_XLSX = "客户台账.xlsx"
ACCOUNT_CSV = "Account.csv"
OPPORTUNITY_XLSX = "商机跟踪表.xlsx"
OPPORTUNITY_CSV = "Opportunity.csv"
CASE_CSV = "服务工单登记.csv"
CASE_XLSX = "Case.xlsx"
CASE_SHEET = "活动的服务工单"


# Simplified → Traditional for exactly the characters this demo writes in Traditional
# form; each pair round-trips through OpenCC t2s (what dualrun's "simplified" step uses).
_TRADITIONAL_PAIRS = """
华華 丰豐 远遠 桥橋 达達 兴興 联聯 纳納 广廣 启啟 润潤 泽澤 蓝藍 东東 银銀 长長 风風 国國
凯凱 飞飛 龙龍 创創 汇匯 业業 苏蘇 汉漢 厦廈 门門 医醫 药藥 电電 机機 纺紡 织織 贸貿 环環
术術 车車 装裝 张張 伟偉 陈陳 静靜 刘劉 赵趙 报報 价價 谈談 赢贏 单單 输輸 处處 决決 户戶
确確 认認 无無 连連 统統 录錄 败敗 发發 开開 错錯 误誤 设設 备備 预預 约約 换換 请請 数數
据據 导導 异異 账賬 号號 权權 显顯 网網 络絡 断斷 货貨 训訓 续續 签簽 咨諮 询詢 实實 项項
仓倉 储儲 级級 维維 购購 云雲 务務 扩擴
"""
_TRADITIONAL = {pair[0]: pair[1] for pair in _TRADITIONAL_PAIRS.split()}


def traditional(text: str) -> str:
    """The Traditional-character spelling of ``text`` (only the characters listed above)."""
    return "".join(_TRADITIONAL.get(char, char) for char in text)


def fullwidth(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (１３８…)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 350.00 → '350', 12.50 → '12.5'."""
    return format(value.normalize(), "f")


def pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    names = [name for name, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(names, weights)[0]


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id(prefix: str, number: int) -> str:
    """A real-looking 18-character Salesforce ID: prefix, pod, record number, checksum."""
    digits = ""
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    id15 = f"{prefix}Hs0{digits}"
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << n for n, c in enumerate(id15[start : start + 5]) if "A" <= c <= "Z")
        suffix += _CHECKSUM[bits]
    return id15 + suffix


@dataclass
class Record:
    """One real-world record and the (fixed) way its ledger row is written.

    ``data`` holds the clean values, which are what the CRM holds unless a plant says
    otherwise; ``style`` says how the manual side writes each of them (the messy formats).
    """

    key: str
    data: dict[str, Any]
    style: dict[str, str]
    nights: frozenset[int] = ALL_NIGHTS
    order: int = 0

    @property
    def owner(self) -> str:
        owner: str = self.data["owner"]
        return owner


# Style → weight, per value. "plain", "legal", "label", "bare", "number" and "excel" write
# the clean value as a person naturally would; every other style is a messy format,
# described in ``docs.MESSY`` and PLANTED.md. Styles named crm_* are about the CRM export.
ACCOUNT_STYLES: dict[str, tuple[tuple[str, int], ...]] = {
    "key": (("plain", 82), ("fullwidth", 6), ("lower", 6), ("padded", 6)),
    "name": (("legal", 45), ("short", 30), ("alt_suffix", 10), ("traditional", 10), ("padded", 5)),
    "phone": (
        ("plain", 40),
        ("number", 10),
        ("intl_dash", 10),
        ("intl_00", 10),
        ("spaced", 10),
        ("fullwidth", 10),
        ("dashed", 10),
    ),
    "email": (("plain", 70), ("mixed_case", 20), ("padded", 10)),
    "city": (("plain", 85), ("traditional", 15)),
    "tier": (("suffix", 70), ("bare", 30)),
    "owner": (("plain", 85), ("traditional", 10), ("padded", 5)),
    "date": (("excel", 40), ("cn", 15), ("slash", 15), ("dot", 10), ("iso", 10), ("serial", 10)),
    "revenue": (("number", 50), ("comma", 15), ("yen", 10), ("wan", 15), ("fullwidth", 10)),
    "null": (("无", 25), ("-", 25), ("/", 25), ("N/A", 25)),
    "crm_phone": (("plain", 70), ("intl", 30)),
    "crm_time": (("day", 85), ("prev_evening", 15)),
}
OPPORTUNITY_STYLES: dict[str, tuple[tuple[str, int], ...]] = {
    "key": (("plain", 85), ("fullwidth", 5), ("lower", 5), ("padded", 5)),
    "name": (("plain", 85), ("traditional", 10), ("padded", 5)),
    "account": (("legal", 40), ("short", 40), ("alt_suffix", 10), ("traditional", 10)),
    "stage": (("label", 80), ("traditional", 10), ("english", 10)),
    "amount": (("number", 60), ("wan", 12), ("yuan", 10), ("yen", 10), ("fullwidth", 8)),
    "date": (("excel", 45), ("cn", 15), ("slash", 15), ("dot", 10), ("iso", 5), ("serial", 10)),
    "owner": (("plain", 88), ("traditional", 8), ("padded", 4)),
    "null": (("无", 25), ("-", 25), ("/", 25), ("N/A", 25)),
    "crm_amount": (("plain", 80), ("decimals", 20)),
}
CASE_STYLES: dict[str, tuple[tuple[str, int], ...]] = {
    "key": (("plain", 90), ("padded", 5), ("fullwidth", 5)),
    "customer": (("legal", 40), ("short", 35), ("alt_suffix", 10), ("traditional", 15)),
    "title": (("plain", 80), ("traditional", 15), ("padded", 5)),
    "status": (("label", 60), ("alias", 25), ("traditional", 15)),
    "priority": (("label", 80), ("alias", 20)),
    "created": (("iso_minutes", 35), ("slash", 25), ("cn", 15), ("date_only", 15), ("dot", 10)),
    "owner": (("plain", 85), ("traditional", 15)),
    "null": (("无", 25), ("-", 25), ("/", 25), ("N/A", 25)),
}


def draw_styles(
    rng: random.Random, styles: Mapping[str, tuple[tuple[str, int], ...]]
) -> dict[str, str]:
    """One style per value, drawn once per record: a ledger row keeps its format."""
    return {name: pick(rng, weighted) for name, weighted in styles.items()}


def render_key(key: str, style: str) -> str:
    """A record key as typed: full-width (ＫＨ００１２), lower-case or padded."""
    if style == "fullwidth":
        return fullwidth(key)
    if style == "lower":
        return key.lower()
    if style == "padded":
        return f" {key} "
    return key


def render_company(legal: str, short: str, style: str) -> str:
    """A company name with or without its legal suffix, the other suffix, or Traditional."""
    if style == "short":
        return short
    if style == "alt_suffix":
        if legal.endswith("股份有限公司"):
            return legal.removesuffix("股份有限公司") + "有限公司"
        return legal.removesuffix("有限公司") + "股份有限公司"
    if style == "traditional":
        return traditional(short) if traditional(short) != short else traditional(legal)
    if style == "padded":
        return f" {legal}\u3000"  # a leading space and a trailing ideographic space
    return legal


def render_text(text: str, style: str) -> str:
    if style == "traditional":
        return traditional(text)
    if style == "padded":
        return f"  {text} "
    return text


def render_phone(phone: str | None, style: str, null: str) -> str | int:
    if phone is None:
        return null
    if style == "number":
        return int(phone)  # a phone typed into a number cell
    if style == "intl_dash":
        return f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == "intl_00":
        return f"0086{phone}"
    if style == "spaced":
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == "fullwidth":
        return fullwidth(phone)
    if style == "dashed":
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    return phone


def render_email(email: str | None, style: str, null: str) -> str:
    if email is None:
        return null
    if style == "mixed_case":
        local, domain = email.split("@")
        return f"{local.capitalize()}@{domain.upper()}"
    if style == "padded":
        return f" {email}  "
    return email


def render_date(day: date, style: str) -> date | str | int:
    if style == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    if style == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if style == "dot":
        return f"{day.year}.{day.month:02d}.{day.day:02d}"
    if style == "iso":
        return day.isoformat()
    if style == "serial":
        return (day - date(1899, 12, 30)).days  # a date cell whose date format was lost
    return day  # a real Excel date


def render_wan(amount: Decimal | None, style: str, null: str) -> float | int | str:
    """An amount in a column whose unit is 万元."""
    if amount is None:
        return null
    text = plain(amount)
    if style == "comma":
        return f"{amount:,.2f}"
    if style == "yen":
        return f"¥{amount:,}"  # ¥ is only a currency mark: the column unit (万元) applies
    if style == "wan":
        return f"{text}万"  # an explicit 万 in the cell: the same amount
    if style == "yuan":
        return f"{int(amount * 10000):,}元"  # an explicit 元 in the cell overrides 万元
    if style == "fullwidth":
        return fullwidth(text)
    return int(text) if "." not in text else float(text)


def yuan(amount: Decimal | None) -> str:
    """An amount given in 万元 written in 元, as the CRM holds it."""
    return "" if amount is None else plain(amount * 10000)
