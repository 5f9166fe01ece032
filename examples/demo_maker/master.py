"""The master data: every account, opportunity and service case of the demo, all nights.

Drawn from seeded random generators (one per entity), so every run builds the same
records with the same styles. Nothing here knows about nights or plants.
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .records import (
    ACCOUNT_STYLES,
    ALL_NIGHTS,
    CASE_STYLES,
    CITIES,
    OPPORTUNITY_STYLES,
    SALES_REPS,
    SEED,
    SERVICE_STAFF,
    Record,
    draw_styles,
    pick,
    salesforce_id,
)

FIRMS = (
    ("华通", "huatong"), ("鼎盛", "dingsheng"), ("瑞丰", "ruifeng"), ("博远", "boyuan"),
    ("金桥", "jinqiao"), ("天成", "tiancheng"), ("宏达", "hongda"), ("永兴", "yongxing"),
    ("中联", "zhonglian"), ("安泰", "antai"), ("佳禾", "jiahe"), ("明德", "mingde"),
    ("星辰", "xingchen"), ("海纳", "haina"), ("远航", "yuanhang"), ("泰和", "taihe"),
    ("广联", "guanglian"), ("启明", "qiming"), ("润泽", "runze"), ("蓝海", "lanhai"),
    ("聚力", "juli"), ("华茂", "huamao"), ("盛世", "shengshi"), ("东方", "dongfang"),
    ("卓越", "zhuoyue"), ("思源", "siyuan"), ("银河", "yinhe"), ("长风", "changfeng"),
    ("国泰", "guotai"), ("华南", "huanan"), ("北辰", "beichen"), ("凯旋", "kaixuan"),
    ("飞龙", "feilong"), ("同创", "tongchuang"), ("恒通", "hengtong"), ("信达", "xinda"),
    ("光明", "guangming"), ("晨曦", "chenxi"), ("百川", "baichuan"), ("汇智", "huizhi"),
    ("德润", "derun"), ("兴业", "xingye"), ("正泰", "zhengtai"), ("九州", "jiuzhou"),
    ("天利", "tianli"), ("方正", "fangzheng"), ("昌盛", "changsheng"), ("康达", "kangda"),
    ("丰源", "fengyuan"),
)  # fmt: skip
TRADES = (
    ("科技", "keji"), ("物流", "wuliu"), ("建材", "jiancai"), ("医药", "yiyao"),
    ("电子", "dianzi"), ("食品", "shipin"), ("机械", "jixie"), ("化工", "huagong"),
    ("纺织", "fangzhi"), ("贸易", "maoyi"), ("环保", "huanbao"), ("能源", "nengyuan"),
    ("信息技术", "xinxi"), ("汽车配件", "qipei"), ("包装", "baozhuang"), ("家居", "jiaju"),
)  # fmt: skip
SURNAMES = "陈林黄周吴徐孙马朱胡郭何高罗郑梁谢宋唐许"
GIVEN_NAMES = ("建国", "晓明", "丽", "静怡", "磊", "敏", "涛", "洁", "婷", "志强", "军", "文杰")
MAILBOXES = ("info", "sales", "purchase", "admin", "contact", "office", "finance")
NOTES = ("重点跟进", "年框客户", "需上门拜访", "价格敏感", "老客户转介绍", "关注交付周期")
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "158", "159", "186", "187")

STAGES = {  # ledger label → CRM picklist value (the enum map of the config)
    "初步接洽": "Prospecting",
    "需求分析": "Needs Analysis",
    "报价": "Proposal/Price Quote",
    "谈判": "Negotiation/Review",
    "赢单": "Closed Won",
    "输单": "Closed Lost",
}
STAGE_LABEL = {value: label for label, value in STAGES.items()}
STAGE_WEIGHTS = ((STAGES["初步接洽"], 18), (STAGES["需求分析"], 20), (STAGES["报价"], 20),
                 (STAGES["谈判"], 17), (STAGES["赢单"], 15), (STAGES["输单"], 10))  # fmt: skip
PRODUCTS = ("CRM实施项目", "仓储系统升级", "年度维保合同", "设备采购", "云服务扩容",
            "数据平台建设", "门店POS升级", "培训服务")  # fmt: skip

CASE_STATUS = {  # CRM value → the ways the service log writes it (first: the usual one)
    "进行中": ("处理中", "进行中"),
    "已解决": ("已解决", "已完成"),
    "已取消": ("已取消", "取消"),
    "等待客户": ("待客户确认", "等待客户"),
}
CASE_STATUS_MAP = {"处理中": "进行中", "已完成": "已解决", "取消": "已取消",
                   "待客户确认": "等待客户"}  # fmt: skip
CASE_PRIORITY = {"高": ("高", "紧急"), "正常": ("中", "中"), "低": ("低", "低")}
CASE_PRIORITY_MAP = {"中": "正常", "紧急": "高"}
CASE_TITLES = ("打印机无法连接", "系统登录失败", "发票开具错误", "设备安装预约", "配件更换申请",
               "数据导出异常", "账号权限开通", "报表显示错误", "网络中断报修", "退货申请",
               "培训需求", "合同续签咨询")  # fmt: skip
CASE_REMARKS = ("已远程处理", "已上门", "等待备件", "客户未接电话", "")


@dataclass
class Master:
    """Every record of the demo, all nights together."""

    accounts: list[Record]
    opportunities: list[Record]
    cases: list[Record]
    phones: set[str] = field(default_factory=set)

    def by_key(self, entity: str) -> dict[str, Record]:
        return {r.key: r for r in self.records(entity)}

    def records(self, entity: str) -> list[Record]:
        by_entity = {"account": self.accounts, "opportunity": self.opportunities}
        return by_entity.get(entity, self.cases)


def new_phone(rng: random.Random, taken: set[str]) -> str:
    """A Chinese mobile number no other record has."""
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def make_account(
    rng: random.Random,
    number: int,
    firm: tuple[str, str],
    trade: tuple[str, str],
    owner: str,
    phones: set[str],
) -> Record:
    """One customer: firm name + trade (华通物流), legal suffix, contact, phone, e-mail..."""
    short = firm[0] + trade[0]
    email = f"{rng.choice(MAILBOXES)}@{firm[1]}{trade[1]}.com.cn"
    suffix = "股份有限公司" if rng.random() < 0.15 else "有限公司"
    signed = date(2025, 1, 1) + timedelta(days=rng.randrange(420))
    revenue = Decimal(rng.randrange(50, 500_000)) / 100 if rng.random() > 0.05 else None
    data: dict[str, Any] = {
        "name": short + suffix,
        "short": short,
        "contact": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
        "phone": new_phone(rng, phones) if rng.random() > 0.06 else None,
        "email": email if rng.random() > 0.08 else None,
        "city": rng.choice(CITIES),
        "tier": pick(rng, (("A", 20), ("B", 45), ("C", 35))),
        "owner": owner,
        "signed": signed,
        "utc_hour": rng.randrange(0, 9),
        "revenue": revenue,
        "note": rng.choice(NOTES) if rng.random() < 0.4 else None,
        "sfid": salesforce_id("001", 41_250_000 + number * 53),
    }
    return Record(key=f"KH{number:04d}", data=data, style=draw_styles(rng, ACCOUNT_STYLES))


def build_accounts(rng: random.Random, phones: set[str]) -> list[Record]:
    """120 accounts in the ledgers from night 1, plus the extras the plants need."""
    combos = [(f, t) for f in FIRMS for t in TRADES]
    rng.shuffle(combos)
    owners = [SALES_REPS[0]] * 45 + [SALES_REPS[1]] * 45 + [SALES_REPS[2]] * 30
    rng.shuffle(owners)
    accounts = [make_account(rng, n + 1, *combos[n], owners[n], phones) for n in range(len(owners))]
    extras = (  # key number, owner, firm, trade, city, nights
        (121, "李娜", combos[120], "上海", ALL_NIGHTS),
        (122, "李娜", combos[121], "南京", ALL_NIGHTS),
        (123, "张伟", combos[122], "杭州", frozenset({4, 5})),
        (124, "李娜", (("恒信", "hengxin"), ("电子", "dianzi")), "深圳", ALL_NIGHTS),
        (125, "李娜", (("恒信", "hengxin"), ("电子", "dianzi")), "深圳", frozenset({1, 2})),
        (126, "张伟", (("新元", "xinyuan"), ("贸易", "maoyi")), "苏州", frozenset({3, 4, 5})),
        (127, "张伟", (("新元", "xinyuan"), ("贸易", "maoyi")), "苏州", frozenset({3})),
        (128, "张伟", combos[123], "成都", frozenset({3, 4, 5})),
        (129, "王芳", combos[124], "武汉", ALL_NIGHTS),
    )
    for number, owner, (firm, trade), city, nights in extras:
        record = make_account(rng, number, firm, trade, owner, phones)
        record.data["city"] = city
        record.nights = nights
        accounts.append(record)
    for order, record in enumerate(accounts):
        record.order = order
    return accounts


def build_opportunities(rng: random.Random, accounts: list[Record]) -> list[Record]:
    """200 opportunities over four months, plus the extras the plants need."""
    base_accounts = accounts[:120]
    by_owner = {rep: [a for a in base_accounts if a.owner == rep] for rep in SALES_REPS}
    owners = [SALES_REPS[0]] * 75 + [SALES_REPS[1]] * 70 + [SALES_REPS[2]] * 55
    rng.shuffle(owners)
    owners += ["李娜", "李娜", "张伟", "王芳"]  # SJ-0201..0203 (CRM only at first), SJ-0204
    opportunities = []
    for n, owner in enumerate(owners, start=1):
        account = rng.choice(by_owner[owner])
        created = date(2026, 1, 1) + timedelta(days=rng.randrange(118))
        if n == 204:
            created = date(2026, 4, 27)
        stage = pick(rng, STAGE_WEIGHTS)
        amount: Decimal | None = Decimal(rng.randrange(300, 50_000)) / 100
        if stage == STAGES["初步接洽"] and rng.random() < 0.4:
            amount = None  # too early to say
        data: dict[str, Any] = {
            "name": account.data["short"] + rng.choice(PRODUCTS),
            "account": account.data["name"],
            "account_short": account.data["short"],
            "stage": stage,
            "amount": amount,
            "close": created + timedelta(days=rng.randrange(30, 160)),
            "owner": owner,
            "created": created,
            "sfid": salesforce_id("006", 18_760_000 + n * 71),
        }
        record = Record(f"SJ-{n:04d}", data, draw_styles(rng, OPPORTUNITY_STYLES))
        if n == 204:
            record.nights = frozenset({5})
        opportunities.append(record)
    for order, record in enumerate(sorted(opportunities, key=lambda r: r.data["created"])):
        record.order = order
    return opportunities


def build_cases(rng: random.Random, accounts: list[Record]) -> list[Record]:
    """80 service cases logged by three service staff, plus two portal cases."""
    cases = []
    base_accounts = accounts[:120]
    for n in range(1, 83):
        account = rng.choice(base_accounts)
        created = datetime(2026, 2, 1, 8, 0) + timedelta(
            days=rng.randrange(58), minutes=rng.randrange(11 * 60)
        )
        data: dict[str, Any] = {
            "customer": account.data["name"],
            "customer_short": account.data["short"],
            "title": rng.choice(CASE_TITLES),
            "status": pick(rng, (("进行中", 35), ("已解决", 45), ("已取消", 8), ("等待客户", 12))),
            "priority": pick(rng, (("高", 20), ("正常", 60), ("低", 20))),
            "created": created,
            "owner": rng.choice(SERVICE_STAFF),
            "remark": rng.choice(CASE_REMARKS),
            "guid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "checksum": base64.b64encode(rng.randbytes(20)).decode("ascii"),
            "modified": created + timedelta(hours=rng.randrange(1, 200)),
        }
        cases.append(Record(f"GD-{n:04d}", data, draw_styles(rng, CASE_STYLES), order=n))
    return cases


def build_master() -> Master:
    """All records, each entity from its own seeded generator."""
    phones: set[str] = set()
    accounts = build_accounts(random.Random(f"{SEED}/account"), phones)
    opportunities = build_opportunities(random.Random(f"{SEED}/opportunity"), accounts)
    cases = build_cases(random.Random(f"{SEED}/case"), accounts)
    return Master(accounts, opportunities, cases, phones)
