"""Chinese ↔ English header synonyms for the usual CRM fields, and how headers are compared.

A *concept* is one usual CRM field (customer name, phone, owner…) with the headers it goes
by in hand-kept ledgers (Chinese) and in CRM exports (English API names and labels). This
module only compares header texts; it never looks at the values below them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from dualrun.reconcile.normalise import to_halfwidth, to_simplified


@dataclass(frozen=True)
class Concept:
    """One usual CRM field and the headers it goes by."""

    name: str  # the canonical field name proposed for it
    zh: tuple[str, ...]
    en: tuple[str, ...]
    kind: str | None = None  # the field type its values usually have
    pii: bool = False
    critical: bool = False
    compare: bool = True

    def terms(self) -> tuple[str, ...]:
        return tuple(header_key(t) for t in self.zh + self.en)


CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "code",
        (
            "编号",
            "客户编号",
            "商机编号",
            "工单编号",
            "订单编号",
            "合同编号",
            "联系人编号",
            "台账编号",
        ),
        (
            "Id",
            "Legacy ID",
            "External ID",
            "Legacy Opportunity ID",
            "Code",
            "Account Number",
            "Case Number",
            "Order Number",
            "Number",
        ),
        kind="id",
    ),
    Concept(
        "name",
        (
            "客户名称",
            "公司名称",
            "客户",
            "客户全称",
            "单位名称",
            "企业名称",
            "公司",
            "商机名称",
            "项目名称",
            "名称",
        ),
        ("Account Name", "Name", "Company", "Company Name", "Account", "Opportunity Name"),
    ),
    Concept(
        "contact",
        ("联系人", "姓名", "联系人姓名", "客户联系人"),
        ("Contact", "Contact Name", "Name", "LastName", "Last Name", "Full Name"),
        pii=True,
    ),
    Concept(
        "phone",
        ("手机", "电话", "联系电话", "手机号", "手机号码", "电话号码", "移动电话", "座机"),
        ("Mobile", "MobilePhone", "Mobile Phone", "Phone", "Telephone", "Phone Number"),
        kind="phone",
        pii=True,
    ),
    Concept(
        "email",
        ("邮箱", "电子邮件", "电子邮箱", "邮件", "邮箱地址"),
        ("Email", "E-mail", "Email Address"),
        kind="email",
        pii=True,
    ),
    Concept(
        "owner",
        ("负责人", "销售", "跟进人", "客户经理", "销售代表", "业务员", "所有人", "销售负责人"),
        ("Owner", "Owner Name", "Account Owner", "Opportunity Owner", "Sales Rep"),
        critical=True,
    ),
    Concept(
        "amount",
        ("金额", "合同金额", "商机金额", "订单金额", "成交金额"),
        ("Amount", "Total Amount", "Contract Amount", "Expected Revenue"),
        kind="amount",
        critical=True,
    ),
    Concept(
        "revenue",
        ("年销售额", "年收入", "营业收入", "年营收", "营收", "销售额"),
        ("AnnualRevenue", "Annual Revenue", "Revenue"),
        kind="amount",
        critical=True,
    ),
    Concept(
        "close_date",
        ("签约日期", "成交日期", "预计成交日期", "签订日期", "合同日期", "签约时间"),
        ("Close Date", "CloseDate", "Contract Date", "Signed Date", "Contract Start Date"),
        kind="date",
    ),
    Concept(
        "created",
        ("创建时间", "创建日期", "登记日期", "录入时间", "登记时间"),
        ("Created Date", "CreatedDate", "Created On", "Created"),
        kind="date",
    ),
    Concept(
        "city",
        ("城市", "所在城市", "地区"),
        ("City", "BillingCity", "Billing City", "ShippingCity", "MailingCity"),
    ),
    Concept("province", ("省份", "省"), ("State", "BillingState", "Province")),
    Concept("industry", ("行业", "所属行业"), ("Industry",)),
    Concept("stage", ("阶段", "商机阶段", "销售阶段"), ("Stage", "StageName", "Stage Name")),
    Concept("status", ("状态", "工单状态"), ("Status",)),
    Concept("priority", ("优先级",), ("Priority",)),
    Concept("tier", ("客户等级", "等级", "客户级别", "级别"), ("Tier", "Rating", "Customer Tier")),
    Concept("type", ("类型", "客户类型"), ("Type", "Account Type")),
    Concept("title", ("标题", "主题"), ("Subject", "Title")),
    Concept("address", ("地址", "详细地址"), ("Address", "BillingStreet", "Street")),
    Concept(
        "note",
        ("备注", "说明", "处理说明", "描述"),
        ("Description", "Notes", "Note", "Remarks", "Comments"),
        compare=False,
    ),
)

ENTITY_HINTS: dict[str, tuple[str, ...]] = {  # most specific first: 客户联系人 is a contact
    "contact": ("联系人", "contact"),
    "opportunity": ("商机", "opportunit", "deal"),
    "case": ("工单", "服务", "case", "ticket"),
    "lead": ("线索", "lead"),
    "order": ("订单", "order"),
    "contract": ("合同", "contract"),
    "account": ("客户", "account", "company"),
}
"""Words in file and sheet names that say which entity a table holds."""

ENTITY_LABELS = {
    "account": "客户",
    "contact": "联系人",
    "opportunity": "商机",
    "case": "服务工单",
    "lead": "线索",
    "order": "订单",
    "contract": "合同",
}

_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_UNIT_IN_HEADER = re.compile(r"[(（]\s*(万元|千元|百万元|亿元|万|元|千|亿)\s*[)）]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-./:：、]+")

EXACT = 1.0
CONTAINED = 0.7


def header_key(header: str) -> str:
    """The comparable form of a header: no brackets, ``__c``, separators or case.

    ``年销售额(万元)`` → ``年销售额``, ``Owner_Name__c`` → ``ownername``, ``BillingCity`` →
    ``billingcity``, ``(Do Not Modify) Case`` → ``case``.
    """
    text = to_simplified(to_halfwidth(header)).strip()
    text = re.sub(r"__c$", "", text, flags=re.IGNORECASE)
    stripped = _BRACKETED.sub("", text).strip()
    text = stripped or text
    text = _CAMEL.sub(" ", text)
    return _SEPARATORS.sub("", text).casefold()


def header_unit(header: str) -> str | None:
    """The amount unit a header states, as in ``金额(万元)`` → ``万元``."""
    match = _UNIT_IN_HEADER.search(to_halfwidth(header))
    return match.group(1) if match else None


def concept_scores(header: str) -> dict[str, float]:
    """How well ``header`` names each concept: 1.0 for a listed header, 0.7 when a
    Chinese term is part of it (``合同金额`` holds ``金额``); concepts not named are left out."""
    key = header_key(header)
    scores: dict[str, float] = {}
    if not key:
        return scores
    for concept in CONCEPTS:
        best = 0.0
        for term in concept.terms():
            if key == term:
                best = EXACT
                break
            if not term.isascii() and len(term) >= 2 and term in key:
                best = max(best, CONTAINED)
        if best:
            scores[concept.name] = best
    return scores


def concept(name: str) -> Concept:
    return next(c for c in CONCEPTS if c.name == name)


def header_similarity(manual: str, crm: str) -> tuple[float, str | None]:
    """(score 0..1, the concept both name or None) for a manual and a CRM header."""
    left, right = concept_scores(manual), concept_scores(crm)
    best, named = 0.0, None
    for name in left.keys() & right.keys():
        score = min(left[name], right[name])
        if score > best:
            best, named = score, name
    ratio = difflib.SequenceMatcher(None, header_key(manual), header_key(crm)).ratio()
    if ratio >= 0.75 and ratio > best:
        best = ratio
        named = _only_concept(left) or _only_concept(right)
    return best, named


def _only_concept(scores: dict[str, float]) -> str | None:
    exact = [name for name, score in scores.items() if score == EXACT]
    return exact[0] if len(exact) == 1 else None


def entity_hint(*names: str) -> str | None:
    """The entity a file or sheet name points at (``客户台账.xlsx`` → ``account``)."""
    text = " ".join(names).casefold()
    for entity, words in ENTITY_HINTS.items():
        if any(word in text for word in words):
            return entity
    return None
