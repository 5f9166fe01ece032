"""Every readiness sentence in English and Chinese, built from one key and its parameters.

``msg("gate.below", shown=..., limit=..., more=...)`` fills the ``{"en", "zh"}`` templates
of ``MESSAGES`` with the same parameters, so the two languages state the same facts and
cannot drift apart. A parameter that is itself a ``Text`` (a fragment, a count, a list)
goes into each template in that template's language; numbers and names go in as they are.
Entity, module, owner and issue names are never translated.

Pure: no database, files, clock or printing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """One sentence (or fragment) in both report languages."""

    en: str
    zh: str

    def __add__(self, other: Text | str) -> Text:
        other = plain(other)
        return Text(self.en + other.en, self.zh + other.zh)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


Param = Text | str | int | float

# key → {"en": template, "zh": template}; the English must stay as the reports print it.
MESSAGES: Mapping[str, Mapping[str, str]] = {
    # --- scopes -------------------------------------------------------------------------
    "scope.overall": {"en": "all modules", "zh": "全部模块"},
    "scope.teamless": {"en": "owners without a team", "zh": "无团队的负责人"},
    "live.module": {
        "en": "{module} has been live since {since}; it is no longer judged",
        "zh": "{module} 已于 {since} 上线，不再评估",
    },
    "live.entity": {
        "en": "{entity} has been live since {since} with {module}; it is no longer judged",
        "zh": "{entity} 已随 {module} 于 {since} 上线，不再评估",
    },
    # --- not measurable yet ---------------------------------------------------------------
    "unmeasured": {"en": "{what} cannot be measured yet: {why}", "zh": "{what}暂无法衡量：{why}"},
    "what.match_rate": {"en": "the match rate of {label}", "zh": "{label} 的记录匹配率"},
    "what.field_accuracy": {"en": "the field accuracy of {label}", "zh": "{label} 的字段准确率"},
    "what.amount_differences": {
        "en": "the amount differences of {label}",
        "zh": "{label} 的金额差异",
    },
    "what.clean_runs": {"en": "the clean runs of {label}", "zh": "{label} 的干净运行次数"},
    "what.trend": {"en": "the issue trend of {label}", "zh": "{label} 的问题趋势"},
    "what.adoption": {"en": "the adoption of {label}", "zh": "{label} 的 CRM 使用率"},
    "what.feed_health": {"en": "the feeds of {label}", "zh": "{label} 的数据源"},
    "why.no_records_compared": {
        "en": "no successful run has compared its records",
        "zh": "尚无成功的运行比对过其记录",
    },
    "why.no_fields_compared": {
        "en": "no successful run has compared its critical fields",
        "zh": "尚无成功的运行比对过其关键字段",
    },
    "why.no_fields_declared": {
        "en": "no critical fields are declared for it (give the gate fields)",
        "zh": "未为其声明关键字段（请为该检查项配置 fields）",
    },
    "why.not_compared_ok": {
        "en": "no successful run has compared it",
        "zh": "尚无成功的运行比对过它",
    },
    "why.not_compared": {"en": "no run has compared it", "zh": "尚无运行比对过它"},
    "why.no_run": {"en": "no run has happened", "zh": "尚无任何运行"},
    "why.no_owner_counted": {
        "en": "no successful run has counted an owner's records",
        "zh": "尚无成功的运行统计过负责人的记录",
    },
    "why.no_source_read": {"en": "no run has read its sources", "zh": "尚无运行读取过其数据源"},
    # --- rates: match_rate, field_accuracy ------------------------------------------------
    "rate.match": {"en": "{entity} match rate {rate}", "zh": "{entity} 记录匹配率 {rate}"},
    "rate.field": {
        "en": "{entity} {field} accuracy {rate}",
        "zh": "{entity} {field} 字段准确率 {rate}",
    },
    "rate.below": {"en": "{shown} is below {limit}{more}", "zh": "{shown} 低于 {limit}{more}"},
    "rate.meets": {"en": "{shown} meets {limit}{tail}", "zh": "{shown} 达到 {limit}{tail}"},
    "rate.and_more": {
        "en": ", and {others} {verb} too",
        "zh": "，另有 {others}同样低于阈值",
    },
    "rate.lowest_entity": {"en": ", the lowest in {label}", "zh": "，为 {label} 中最低"},
    "rate.lowest_field": {
        "en": ", the lowest critical field in {label}",
        "zh": "，为 {label} 中最低的关键字段",
    },
    "rate.entity_detail": {"en": "{entity}: {rate}", "zh": "{entity}：{rate}"},
    "rate.field_detail": {"en": "{entity} {field}: {rate}", "zh": "{entity} {field}：{rate}"},
    # --- amount_differences ---------------------------------------------------------------
    "amounts.none": {
        "en": "{label} has no unexplained amount differences",
        "zh": "{label} 没有无法解释的金额差异",
    },
    "amounts.within": {
        "en": "{label} has {count}, within {allowed}",
        "zh": "{label} 有 {count}，在允许的 {allowed} 处以内",
    },
    "amounts.over": {"en": "{label} has {count}; {limit}", "zh": "{label} 有 {count}；{limit}"},
    "amounts.none_allowed": {"en": "none are allowed", "zh": "不允许有任何差异"},
    "amounts.at_most": {"en": "at most {allowed} are allowed", "zh": "最多允许 {allowed} 处"},
    "amounts.detail": {"en": "{entity}: {count}", "zh": "{entity}：{count}"},
    # --- clean_runs -----------------------------------------------------------------------
    "clean.enough": {
        "en": "{label} has had {runs} in a row, {needed} needed",
        "zh": "{label} 已连续 {runs}，达到所需的 {needed} 次",
    },
    "clean.short": {
        "en": "{label} has had only {runs} in a row; {needed} are needed",
        "zh": "{label} 已连续 {runs}，需要 {needed} 次",
    },
    "clean.broken_by": {
        "en": "the streak was broken by {breaker}",
        "zh": "连续干净运行中断于 {breaker}",
    },
    "clean.breaker": {"en": "{run}, which {problem}", "zh": "{run}（{problem}）"},
    "unclean.failed": {"en": "failed", "zh": "运行失败"},
    "unclean.unread": {
        "en": "could not read every source of {entities}",
        "zh": "未能读取 {entities} 的全部数据源",
    },
    "unclean.found": {"en": "found {count} in {entities}", "zh": "在 {entities} 中发现 {count}"},
    "run.label": {"en": "run {run_id} of {day}", "zh": "{day} 的运行 {run_id}"},
    # --- blockers -------------------------------------------------------------------------
    "blockers.none": {
        "en": "{label} has no unresolved blockers",
        "zh": "{label} 没有未解决的阻断问题",
    },
    "blockers.some": {"en": "{label} has {count}: {keys}", "zh": "{label} 有 {count}：{keys}"},
    "blockers.within": {"en": ", within {allowed}", "zh": "，在允许的 {allowed} 个以内"},
    # --- open_s2 --------------------------------------------------------------------------
    "s2.lacks": {"en": "{key} lacks {missing}", "zh": "{key} 缺少{missing}"},
    "s2.an_owner": {"en": "an owner", "zh": "负责人"},
    "s2.a_due_date": {"en": "a due date", "zh": "截止日期"},
    "s2.a_workaround": {"en": "a workaround", "zh": "临时解决方案"},
    "s2.too_many": {
        "en": "{label} has {issues}; at most {allowed} are allowed",
        "zh": "{label} 有 {issues}；最多允许 {allowed} 个",
    },
    "s2.incomplete": {
        "en": "{count} in {label} {verb} an owner, a due date or a workaround",
        "zh": "{label} 有 {count}缺少负责人、截止日期或临时解决方案",
    },
    "s2.none": {
        "en": "{label} has no unresolved S2 issues",
        "zh": "{label} 没有未解决的 S2 问题",
    },
    "s2.complete": {
        "en": "{label} has {issues} (at most {allowed}), "
        "each with an owner, a due date and a workaround",
        "zh": "{label} 有 {issues}（最多允许 {allowed} 个），"
        "且每个都有负责人、截止日期和临时解决方案",
    },
    # --- trend ----------------------------------------------------------------------------
    "trend.detail": {
        "en": "run {run_id}: {arrived} arrived, {closed} closed, {open} open",
        "zh": "运行 {run_id}：新增 {arrived} 个，关闭 {closed} 个，未解决 {open} 个",
    },
    "trend.span": {"en": "over the last {runs}", "zh": "最近 {runs}中"},
    "trend.outcome": {
        "en": "{issues} in {label} {verb} closed against {arrived} arrived {span}",
        "zh": "{span}，{label} 关闭了 {closed} 个问题，新增 {arrived} 个",
    },
    "trend.growing": {
        "en": "more issues arrived in {label} than were closed {span}: "
        "{arrived} arrived, {closed} closed",
        "zh": "{span}，{label} 新增的问题多于关闭的问题：新增 {arrived} 个，关闭 {closed} 个",
    },
    "trend.short": {
        "en": "{outcome}, short of the {needed:+d} net closures needed",
        "zh": "{outcome}，未达到所需的净关闭数 {needed:+d}",
    },
    # --- aging ----------------------------------------------------------------------------
    "aging.rule": {"en": "{severity} {days}", "zh": "{severity} {days}"},
    "aging.none": {
        "en": "no unresolved issue in {label} is past its age limit ({rules})",
        "zh": "{label} 没有超过时限的未解决问题（{rules}）",
    },
    "aging.detail": {
        "en": "{key} ({severity}) is {age} old; the limit is {limit}",
        "zh": "{key}（{severity}）已存在 {age}，时限为 {limit} 天",
    },
    "aging.some": {
        "en": "{count} in {label} {verb} past the age limit; the furthest past is {key} "
        "({severity}, {age} old, limit {limit})",
        "zh": "{label} 有 {count}超过时限；超出最多的是 {key}（{severity}，已存在 {age}，"
        "时限 {limit} 天）",
    },
    # --- adoption -------------------------------------------------------------------------
    "adoption.among_teamless": {"en": "without a team", "zh": "无团队的负责人中"},
    "adoption.among": {"en": "in {label}", "zh": "{label} 中"},
    "adoption.all": {
        "en": "every owner {among} has at least {limit} of their records in the CRM; "
        "the lowest is {name} at {rate}",
        "zh": "{among}每位负责人都至少有 {limit} 的记录已录入 CRM；最低的是 {name}，为 {rate}",
    },
    "adoption.who": {"en": "{owner} ({team})", "zh": "{owner}（{team}）"},
    "adoption.detail": {
        "en": "{who}: {rate}, {missing} of {manual} records missing in the CRM",
        "zh": "{who}：{rate}，{manual} 条记录中有 {missing} 条未录入 CRM",
    },
    "adoption.name": {"en": "{owner} ({rate})", "zh": "{owner}（{rate}）"},
    "adoption.some": {
        "en": "{count} {among} {verb} fewer than {limit} of their records in the CRM: {names}",
        "zh": "{among}有 {count}录入 CRM 的记录少于 {limit}：{names}",
    },
    # --- feed_health ----------------------------------------------------------------------
    "feed.run_failed": {"en": "{run} failed", "zh": "{run} 失败"},
    "feed.unread": {
        "en": "{entity}: a source is missing or could not be read",
        "zh": "{entity}：有数据源缺失或无法读取",
    },
    "feed.drift": {"en": "{entity}: {drift}", "zh": "{entity}：{drift}"},
    "feed.latest": {
        "en": "the latest run for {label}, {run},",
        "zh": "{label} 的最近一次运行（{run}）",
    },
    "feed.ok": {
        "en": "every source of {label} was present and read in {run}, with no column drift",
        "zh": "{label} 的全部数据源在 {run} 中均已就绪并读取，且没有列漂移",
    },
    "feed.failed": {"en": "{latest} failed{tail}", "zh": "{latest}失败{tail}"},
    "feed.failed_more": {"en": ", with {count}", "zh": "，另有 {count}"},
    "feed.problems": {"en": "{latest} had {count}: {first}", "zh": "{latest}有 {count}：{first}"},
    # --- signoff --------------------------------------------------------------------------
    "signoff.detail": {"en": "{role}: {who} on {day}", "zh": "{role}：{who} 于 {day} 签字"},
    "signoff.note": {"en": " ({note})", "zh": "（{note}）"},
    "signoff.the_role": {"en": "the {role}", "zh": "{role}"},
    "signoff.missing": {
        "en": "{label} still needs a sign-off by {roles}",
        "zh": "{label} 尚需{roles}签字确认",
    },
    "signoff.by": {"en": "{who} ({role})", "zh": "{who}（{role}）"},
    "signoff.done": {"en": "{label} is signed off by {names}", "zh": "{label} 已由{names}签字确认"},
    # --- the module verdict ---------------------------------------------------------------
    "verdict.live": {
        "en": "{module} has been live since {since}; its spreadsheets are retired",
        "zh": "{module} 已于 {since} 上线，其表格已停用",
    },
    "verdict.go": {
        "en": "every gate has passed for the last {runs}",
        "zh": "最近 {runs}中每个检查项都已通过",
    },
    "verdict.not_yet_stable": {
        "en": "every gate passes, but only for the last {stable} of the {runs} needed",
        "zh": "所有检查项均已通过，但仅在最近 {stable} 次运行中持续通过，需要 {runs}",
    },
    "verdict.risk_accepted": {
        "en": "{reason}; risk accepted by {owner} until {due}: {note}",
        "zh": "{reason}；{owner} 已接受该风险，有效期至 {due}：{note}",
    },
    "verdict.risk_expired": {
        "en": "{reason}; its accepted risk expired on {due}",
        "zh": "{reason}；其已接受的风险已于 {due} 过期",
    },
    "verdict.no_risk": {
        "en": "{reason}, and no risk is accepted for it",
        "zh": "{reason}，且未接受该风险",
    },
}

# noun key → English singular, English plural, Chinese (measure word included).
NOUNS: Mapping[str, tuple[str, str, str]] = {
    "entity": ("entity", "entities", "个实体"),
    "field": ("field", "fields", "个字段"),
    "other entity": ("other entity", "other entities", "个实体"),
    "other field": ("other field", "other fields", "个字段"),
    "unexplained amount difference": (
        "unexplained amount difference",
        "unexplained amount differences",
        "处无法解释的金额差异",
    ),
    "clean run": ("clean run", "clean runs", "次干净运行"),
    "discrepancy": ("discrepancy", "discrepancies", "处差异"),
    "unresolved blocker": ("unresolved blocker", "unresolved blockers", "个未解决的阻断问题"),
    "unresolved S2 issue": ("unresolved S2 issue", "unresolved S2 issues", "个未解决的 S2 问题"),
    "run": ("run", "runs", "次运行"),
    "issue": ("issue", "issues", "个问题"),
    "day": ("day", "days", "天"),
    "unresolved issue": ("unresolved issue", "unresolved issues", "个未解决的问题"),
    "owner": ("owner", "owners", "位负责人"),
    "feed problem": ("feed problem", "feed problems", "个数据源问题"),
    "more feed problem": ("more feed problem", "more feed problems", "个数据源问题"),
}

# Sign-off roles as a Chinese project names them; any other role is shown as configured.
ROLES_ZH: Mapping[str, str] = {"consultant": "顾问", "lead": "负责人"}


def msg(key: str, /, **params: Param) -> Text:
    """The sentence ``key`` with ``params`` filled in, in both languages."""
    templates = MESSAGES[key]
    return Text(
        templates["en"].format(**_in(params, "en")),
        templates["zh"].format(**_in(params, "zh")),
    )


def plain(value: Text | str) -> Text:
    """A name or figure that reads the same in both languages."""
    return value if isinstance(value, Text) else Text(value, value)


def count(number: int, noun: str) -> Text:
    """ "3 clean runs" / "3 次干净运行" for a noun of ``NOUNS``."""
    singular, plural, zh = NOUNS[noun]
    return Text(f"{number} {singular if number == 1 else plural}", f"{number} {zh}")


def role(name: str) -> Text:
    return Text(name, ROLES_ZH.get(name, name))


def both(words: Sequence[Text | str]) -> Text:
    """ "a, b and c" / "a、b和c"."""
    items = [plain(word) for word in words]
    if len(items) <= 1:
        return Text("".join(t.en for t in items), "".join(t.zh for t in items))
    return Text(
        ", ".join(t.en for t in items[:-1]) + " and " + items[-1].en,
        _zh_and("、".join(t.zh for t in items[:-1]), items[-1].zh),
    )


def _zh_and(head: str, last: str) -> str:
    """ "顾问和负责人", but "DR-1 和 DR-2": a space beside a Latin letter or digit."""
    before = " " if head[-1:].isascii() and head[-1:].isalnum() else ""
    after = " " if last[:1].isascii() and last[:1].isalnum() else ""
    return f"{head}{before}和{after}{last}"


def listing(items: Sequence[Text | str], shown: int = 5) -> Text:
    """Up to ``shown`` items, then how many more: "a, b, c, d, e and 2 more"."""
    if len(items) <= shown:
        return both(items)
    head = [plain(item) for item in items[:shown]]
    rest = len(items) - shown
    return Text(
        ", ".join(t.en for t in head) + f" and {rest} more",
        "、".join(t.zh for t in head) + f" 等另外 {rest} 项",
    )


def join(items: Sequence[Text], en: str = ", ", zh: str = "，") -> Text:
    return Text(en.join(t.en for t in items), zh.join(t.zh for t in items))


def limit(threshold: float) -> str:
    """A threshold as a percentage with no trailing zeros: 0.995 → "99.5%"."""
    return f"{threshold * 100:.3f}".rstrip("0").rstrip(".") + "%"


def percent(value: float, threshold: float) -> str:
    """A rate with one decimal, or more where one would look equal to the threshold."""
    text = f"{value * 100:.1f}"
    for decimals in (1, 2, 3):
        text = f"{value * 100:.{decimals}f}"
        if value == threshold or text != f"{threshold * 100:.{decimals}f}":
            break
    return text + "%"


def en_of(texts: Sequence[Text]) -> tuple[str, ...]:
    return tuple(text.en for text in texts)


def zh_of(texts: Sequence[Text]) -> tuple[str, ...]:
    return tuple(text.zh for text in texts)


def _in(params: Mapping[str, Param], lang: str) -> dict[str, object]:
    return {
        name: value.get(lang) if isinstance(value, Text) else value
        for name, value in params.items()
    }
