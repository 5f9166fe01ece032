"""The planted real differences, night by night (the IDs A01…, O01…, C01… of PLANTED.md).

Each ``Plant`` names the records it affects, the nights it is present and its effect.
Building the plants also adjusts a few master records so that every planted case is
unambiguous (a fuzzy-matched row has no phone, the two CRM records of an ambiguous
phone share one number, ...).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .master import STAGES, Master, new_phone
from .records import ALL_NIGHTS, SEED, Record, traditional

EFFECTS = ("manual_only", "crm_only", "crm_value", "manual_dup", "crm_dup", "unkeyed",
           "ambiguous")  # fmt: skip


@dataclass(frozen=True)
class Plant:
    """One planted real difference and the nights it is present.

    effects: ``manual_only`` (the records are not in the CRM), ``crm_only`` (not in the
    ledger), ``crm_value`` (the CRM holds other values: ``crm[key][field]``),
    ``manual_dup`` / ``crm_dup`` (the key is on two rows of that side), ``unkeyed`` (the
    ledger row has no key; ``how`` says whether the fallback phone, the fuzzy name or
    nothing pairs it) and ``ambiguous`` (``keys[0]``'s ledger row has no key and matches
    every CRM record in ``keys`` equally well by ``how``).
    """

    pid: str
    entity: str
    nights: frozenset[int]
    effect: str
    keys: tuple[str, ...]
    what: str
    crm: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    how: str = ""
    systemic: bool = False  # one pattern over many records: listed as one line in PLANTED.md

    def __post_init__(self) -> None:
        if self.effect not in EFFECTS:
            raise ValueError(f"{self.pid}: unknown effect {self.effect!r}")


class Picker:
    """Hands out records for plants, never the same record twice."""

    def __init__(self, master: Master) -> None:
        self.master = master
        self.rng = random.Random(f"{SEED}/plants")
        self.used: set[str] = set()

    def take(
        self, entity: str, count: int = 1, where: Callable[[Record], bool] | None = None
    ) -> list[Record]:
        """``count`` records present every night that no plant has taken yet."""
        candidates = [
            r
            for r in self.master.records(entity)
            if r.key not in self.used and r.nights == ALL_NIGHTS and (where is None or where(r))
        ]
        chosen = sorted(self.rng.sample(candidates, count), key=lambda r: r.key)
        self.used.update(r.key for r in chosen)
        return chosen

    def reserve(self, *keys: str) -> None:
        self.used.update(keys)


def during(*numbers: int) -> frozenset[int]:
    """The nights a plant is present."""
    return frozenset(numbers)


def account_plants(master: Master, picker: Picker) -> list[Plant]:
    """Customers: 王芳 not in the CRM yet, field differences, a duplicate on each side, a
    row paired by phone, one by name, two ambiguous rows and a row nothing can pair."""
    picker.reserve(*(f"KH{n:04d}" for n in range(121, 130)))
    wang = picker.take("account", 8, lambda r: r.owner == "王芳")
    zhang = picker.take("account", 1, lambda r: r.owner == "张伟")
    li = picker.take("account", 1, lambda r: r.owner == "李娜")

    def one(where: Callable[[Record], bool] = lambda r: True) -> Record:
        return picker.take("account", 1, where)[0]

    def has(name: str) -> Callable[[Record], bool]:
        return lambda r: r.data[name] is not None

    phone_typo, email_typo, tier = one(has("phone")), one(has("email")), one()
    revenue, owner = one(has("revenue")), one(lambda r: r.owner == "张伟")
    name, signed, dup = one(lambda r: not r.data["short"].startswith("正")), one(), one()
    fallback, crm_dup, email = one(has("phone")), one(), one(has("email"))
    fuzzy = one(lambda r: traditional(r.data["short"]) != r.data["short"])
    fuzzy.data["phone"] = None  # no phone on either side: only its name can find it
    fuzzy.style["name"] = "traditional"  # 華通物流: Traditional, without the legal suffix
    digits = phone_typo.data["phone"]
    bad_phone = digits[:7] + digits[8] + digits[7] + digits[9:]  # two digits swapped
    if bad_phone == digits:
        bad_phone = digits[:7] + ("1" if digits[7] != "1" else "2") + digits[8:]
    assert bad_phone not in master.phones
    extra = master.by_key("account")
    extra["KH0124"].data["phone"] = None  # the ambiguous ledger row has no phone to go by
    extra["KH0124"].style["name"] = "short"  # 恒信电子
    extra["KH0125"].data["name"] = "恒信电子股份有限公司"
    extra["KH0126"].data["phone"] = extra["KH0126"].data["phone"] or new_phone(
        picker.rng, master.phones
    )
    extra["KH0127"].data["phone"] = extra["KH0126"].data["phone"]  # one switchboard number
    extra["KH0127"].data["name"] = "新元贸易（苏州）有限公司"
    w = [r.key for r in wang]
    return [
        Plant("A01", "account", during(1), "manual_only", tuple(w[:3]),
              "王芳 does not use the CRM yet: these customers are only in her ledger sheet"),
        Plant("A02", "account", during(1, 2), "manual_only", tuple(w[3:6]),
              "王芳 has not yet entered these customers in the CRM"),
        Plant("A03", "account", during(1, 2, 3), "manual_only", tuple(w[6:]),
              "王芳 has not yet entered these customers in the CRM"),
        Plant("A04", "account", during(1), "manual_only", (zhang[0].key,),
              "张伟 forgot to enter one customer in the CRM"),
        Plant("A05", "account", during(1, 2), "manual_only", (li[0].key,),
              "李娜 forgot to enter one customer in the CRM"),
        Plant("A06", "account", during(1, 2), "crm_only", ("KH0121", "KH0122"),
              "李娜 registered two new customers in the CRM only (added to her ledger on night 3)"),
        Plant("A07", "account", during(1, 4), "crm_value", (phone_typo.key,),
              "CRM phone has two digits swapped; fixed on night 2, back on night 4 "
              "(REGRESSION: a bulk update from the old system overwrote the correction)",
              crm={phone_typo.key: {"phone": bad_phone}}),
        Plant("A08", "account", during(1, 2), "crm_value", (email_typo.key,),
              "CRM email has a typo in the mailbox name",
              crm={email_typo.key: {"email": "x" + email_typo.data["email"]}}),
        Plant("A09", "account", during(1, 2, 3), "crm_value", (tier.key,),
              "customer tier differs (客户等级)",
              crm={tier.key: {"tier": {"A": "B", "B": "C", "C": "B"}[tier.data["tier"]]}}),
        Plant("A10", "account", during(1, 2), "crm_value", (revenue.key,),
              "CRM annual revenue has an extra zero (×10)",
              crm={revenue.key: {"revenue": revenue.data["revenue"] * 10}}),
        Plant("A11", "account", during(1, 2, 3), "crm_value", (owner.key,),
              "customer reassigned to 李娜 in the CRM, the ledger still lists it under 张伟",
              crm={owner.key: {"owner": "李娜"}}),
        Plant("A12", "account", during(1, 2), "crm_value", (name.key,),
              "CRM company name has a wrong character",
              crm={name.key: {"name": "正" + name.data["name"][1:]}}),
        Plant("A13", "account", during(1, 2, 3), "crm_value", (signed.key,),
              "CRM contract date is one day early (import defect)",
              crm={signed.key: {"signed": signed.data["signed"] - timedelta(days=1)}}),
        Plant("A14", "account", during(1), "manual_dup", (dup.key,),
              "the same customer row was pasted twice into the ledger"),
        Plant("A15", "account", during(1, 2), "ambiguous", ("KH0124", "KH0125"),
              "ledger row without 客户编号 or phone; two CRM customers in the same city have "
              "that name (恒信电子有限公司 and 恒信电子股份有限公司)", how="name"),
        Plant("A16", "account", during(1, 2, 3), "unkeyed", ("KH0129",),
              "a prospect in 王芳's ledger with no 客户编号, not in the CRM", how="none"),
        Plant("A17", "account", during(1, 2), "unkeyed", (fallback.key,),
              "ledger row lost its 客户编号; its phone finds the CRM customer", how="fallback"),
        Plant("A18", "account", during(1, 2, 3), "unkeyed", (fuzzy.key,),
              "ledger row with no 客户编号 and no phone, name in Traditional characters without "
              "the legal suffix; the name finds the CRM customer in the same city", how="fuzzy"),
        Plant("A19", "account", during(2), "crm_dup", (crm_dup.key,),
              "a CRM import ran twice: two CRM records carry this Legacy_ID__c"),
        Plant("A20", "account", during(3), "manual_only", ("KH0128",),
              "张伟 added a new customer to his ledger; it reaches the CRM on night 4"),
        Plant("A21", "account", during(3), "ambiguous", ("KH0126", "KH0127"),
              "new ledger row without 客户编号; 张伟 created the customer twice in the CRM, "
              "both with the same phone", how="phone"),
        Plant("A22", "account", during(4), "crm_only", ("KH0123",),
              "张伟 created a customer in the CRM only; added to his ledger on night 5"),
        Plant("A23", "account", during(4, 5), "crm_value", (email.key,),
              "the e-mail was cleared in the CRM (still open on night 5)",
              crm={email.key: {"email": None}}),
    ]  # fmt: skip


def opportunity_plants(master: Master, picker: Picker) -> list[Plant]:
    """Opportunities: 王芳 not in the CRM yet, stage/amount/date/owner differences, a row
    copied into the next month, a row without 商机编号, and night 3's systemic amounts."""
    picker.reserve("SJ-0201", "SJ-0202", "SJ-0203", "SJ-0204")
    wang = [r.key for r in picker.take("opportunity", 12, lambda r: r.owner == "王芳")]
    negotiating = picker.take(
        "opportunity", 3, lambda r: r.data["stage"] == STAGES["谈判"] and r.owner != "李娜"
    )
    won = picker.take("opportunity", 1, lambda r: r.data["stage"] == STAGES["赢单"])[0]
    priced = lambda r: r.data["amount"] is not None and r.owner == "张伟"  # noqa: E731
    amounts = picker.take("opportunity", 2, priced)
    tolerance = picker.take("opportunity", 1, priced)[0]
    close_dates = picker.take("opportunity", 2, lambda r: r.owner != "李娜")
    dup = picker.take("opportunity", 1, lambda r: r.data["created"].month == 2)[0]
    unkeyed = picker.take("opportunity", 1, lambda r: r.owner == "张伟")[0]
    owner = picker.take("opportunity", 1, lambda r: r.owner == "张伟")[0]
    account = picker.take("opportunity", 1, lambda r: r.owner == "张伟")[0]
    tolerance.data["amount"] = Decimal("12.3456")
    tolerance.style["amount"], tolerance.style["crm_amount"] = "number", "tolerance"
    unkeyed.style["key"] = "plain"
    li_amounts = {
        r.key: {"amount": r.data["amount"] / 10000}
        for r in master.opportunities
        if r.owner == "李娜" and r.data["amount"] is not None
    }
    others = [a for a in master.accounts[:120] if a.owner == "张伟"]
    wrong_account = next(a for a in others if a.data["name"] != account.data["account"])
    return [
        Plant("O01", "opportunity", during(1), "manual_only", tuple(wang[:6]),
              "王芳 does not use the CRM yet: these opportunities are only in the tracker"),
        Plant("O02", "opportunity", during(1, 2), "manual_only", tuple(wang[6:10]),
              "王芳 has not yet entered these opportunities in the CRM"),
        Plant("O03", "opportunity", during(1, 2, 3), "manual_only", tuple(wang[10:]),
              "王芳 has not yet entered these opportunities in the CRM"),
        Plant("O04", "opportunity", during(1, 2), "crm_only", ("SJ-0201", "SJ-0202", "SJ-0203"),
              "opportunities created in the CRM only (added to the tracker on night 3)"),
        Plant("O05", "opportunity", during(1, 2), "crm_value", tuple(r.key for r in negotiating),
              "stage 谈判 in the tracker, still Proposal/Price Quote in the CRM",
              crm={r.key: {"stage": STAGES["报价"]} for r in negotiating}),
        Plant("O06", "opportunity", during(3, 4), "crm_value", (won.key,),
              "won in the tracker (赢单), not yet closed in the CRM",
              crm={won.key: {"stage": STAGES["谈判"]}}),
        Plant("O07", "opportunity", during(1, 2), "crm_value", tuple(r.key for r in amounts),
              "amount differs (price renegotiated, CRM not updated)",
              crm={r.key: {"amount": r.data["amount"] + Decimal("1.5")} for r in amounts}),
        Plant("O08", "opportunity", during(1, 2, 3), "crm_value",
              tuple(r.key for r in close_dates), "expected close date moved in the CRM only",
              crm={r.key: {"close": r.data["close"] + timedelta(days=30)} for r in close_dates}),
        Plant("O09", "opportunity", during(1, 2), "manual_dup", (dup.key,),
              "a February opportunity copied into the March sheet as well"),
        Plant("O10", "opportunity", during(1, 2), "unkeyed", (unkeyed.key,),
              "new opportunity in the tracker without 商机编号, not in the CRM", how="none"),
        Plant("O11", "opportunity", during(3), "crm_value", tuple(sorted(li_amounts)),
              "every CRM amount of 李娜 is 10,000 times too small (SYSTEMIC: a re-import put "
              "her 金额(万元) figures straight into Amount, which is in 元)", crm=li_amounts,
              systemic=True),
        Plant("O12", "opportunity", during(2, 3), "crm_value", (owner.key,),
              "opportunity handed to 李娜 in the CRM only", crm={owner.key: {"owner": "李娜"}}),
        Plant("O13", "opportunity", during(4), "crm_value", (account.key,),
              "CRM opportunity linked to the wrong customer",
              crm={account.key: {"account": wrong_account.data["name"]}}),
        Plant("O14", "opportunity", during(5), "manual_only", ("SJ-0204",),
              "王芳's new opportunity, entered in the tracker today, not yet in the CRM"),
    ]  # fmt: skip


def case_plants(master: Master, picker: Picker) -> list[Plant]:
    """Service cases: 赵磊's phone cases, portal cases, status/priority/date differences,
    a case logged twice, one without 工单编号, and one the CRM created twice."""
    picker.reserve("GD-0081", "GD-0082")
    zhao = [r.key for r in picker.take("case", 5, lambda r: r.owner == "赵磊")]
    resolved = picker.take("case", 2, lambda r: r.data["status"] == "已解决")
    high = picker.take("case", 1, lambda r: r.data["priority"] == "高")[0]
    created = picker.take("case", 1)[0]
    dup, unkeyed, crm_dup = picker.take("case", 3)
    unkeyed.style["key"] = "plain"
    return [
        Plant("C01", "case", during(1), "manual_only", tuple(zhao[:2]),
              "赵磊 logs phone cases only in the service log"),
        Plant("C02", "case", during(1, 2), "manual_only", tuple(zhao[2:]),
              "赵磊 has not yet entered these cases in the CRM"),
        Plant("C03", "case", during(1, 2), "crm_only", ("GD-0081", "GD-0082"),
              "cases opened by customers on the portal, not in the service log until night 3"),
        Plant("C04", "case", during(1, 2), "crm_value", tuple(r.key for r in resolved),
              "resolved in the log (已解决), still 进行中 in the CRM",
              crm={r.key: {"status": "进行中"} for r in resolved}),
        Plant("C05", "case", during(1, 2, 3), "crm_value", (high.key,),
              "priority 高 in the log, 正常 in the CRM", crm={high.key: {"priority": "正常"}}),
        Plant("C06", "case", during(2, 3), "crm_value", (created.key,),
              "entered in the CRM the next day with that day's date",
              crm={created.key: {"created": created.data["created"] + timedelta(days=1)}}),
        Plant("C07", "case", during(1), "manual_dup", (dup.key,),
              "the same case logged twice in the service log"),
        Plant("C08", "case", during(1, 2), "unkeyed", (unkeyed.key,),
              "case in the log without 工单编号, not in the CRM", how="none"),
        Plant("C09", "case", during(4), "crm_dup", (crm_dup.key,),
              "the CRM created the case twice (duplicate detection was off)"),
    ]  # fmt: skip


def build_plants(master: Master) -> list[Plant]:
    """Every plant of every entity (adjusting the master records some of them need)."""
    picker = Picker(master)
    case_records = master.by_key("case")
    for key in ("GD-0081", "GD-0082"):
        case_records[key].data["remark"] = "客户门户提交"
    return [
        *account_plants(master, picker),
        *opportunity_plants(master, picker),
        *case_plants(master, picker),
    ]
