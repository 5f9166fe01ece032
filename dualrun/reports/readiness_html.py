"""The readiness report as one self-contained HTML page (inline SVG, prints to PDF)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dualrun.reports.svg import PALETTE, bars, polyline
from dualrun.reports.templating import environment

if TYPE_CHECKING:
    from dualrun.readiness_report import ReadinessReport

LABELS = {
    "zh": {
        "title": "上线就绪评估",
        "overall": "总体结论",
        "projected": "预计就绪日期",
        "not_converging": "尚未收敛",
        "module": "模块",
        "verdict": "结论",
        "reasons": "原因",
        "gate": "门槛",
        "threshold": "阈值",
        "value": "当前值",
        "result": "结果",
        "trend": "趋势",
        "owner": "负责人",
        "match_trend": "记录匹配率趋势",
        "flow": "问题新增与关闭（按运行）",
        "arrivals": "新增",
        "closures": "关闭",
        "open": "未解决",
        "adoption": "CRM 录入率（按负责人）",
        "team": "团队",
        "entity": "对象",
        "blockers": "阻碍上线的问题",
        "key": "编号",
        "age": "天数",
        "waiting": "等待顾问",
        "workaround": "临时方案",
        "feed": "数据源健康",
        "signoffs": "签字确认",
        "appendix": "附录：阈值与配置",
        "clean_runs": "连续干净运行",
        "stable": "稳定运行",
        "pass": "通过",
        "fail": "未通过",
        "live": "已上线",
        "masked": "本报告已隐去客户个人信息",
        "none": "无",
        "yes": "是",
        "no": "否",
        "backlog": "未解决问题（按严重程度）",
        "accuracy_trend": "关键字段准确率趋势",
        "adoption_trend": "CRM 录入率趋势（按团队）",
        "entities": "各对象最新数据",
        "rows_manual": "手工台账行数",
        "rows_crm": "CRM 行数",
        "discrepancies": "差异数",
        "match_rate": "记录匹配率",
        "change": "变化",
    },
    "en": {
        "title": "Cutover readiness",
        "overall": "Overall",
        "projected": "Projected ready",
        "not_converging": "not converging",
        "module": "Module",
        "verdict": "Verdict",
        "reasons": "Reasons",
        "gate": "Gate",
        "threshold": "Threshold",
        "value": "Value",
        "result": "Result",
        "trend": "Trend",
        "owner": "Owner",
        "match_trend": "Record match rate",
        "flow": "Issue arrivals and closures per run",
        "arrivals": "arrivals",
        "closures": "closures",
        "open": "open",
        "adoption": "CRM adoption per owner",
        "team": "Team",
        "entity": "Entity",
        "blockers": "Blockers",
        "key": "Key",
        "age": "Age (days)",
        "waiting": "Waiting on consultant",
        "workaround": "Workaround",
        "feed": "Feed health",
        "signoffs": "Sign-offs",
        "appendix": "Appendix: thresholds and config",
        "clean_runs": "Clean runs",
        "stable": "Stable for",
        "pass": "pass",
        "fail": "fail",
        "live": "live",
        "masked": "Customer personal data is masked in this report",
        "none": "none",
        "yes": "yes",
        "no": "no",
        "backlog": "Open issues by severity",
        "accuracy_trend": "Critical field accuracy",
        "adoption_trend": "CRM adoption per team",
        "entities": "Entities (latest run)",
        "rows_manual": "Manual rows",
        "rows_crm": "CRM rows",
        "discrepancies": "Discrepancies",
        "match_rate": "Match rate",
        "change": "Change",
    },
}


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind in ("match_rate", "field_accuracy", "adoption") and isinstance(value, float):
        return f"{value * 100:.2f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def translate_change(text: str | None, lang: str) -> str:
    """The verdict's change since the previous run ("was NO-GO", "unchanged")."""
    if not text:
        return ""
    if lang != "zh":
        return text
    if text == "unchanged":
        return "无变化"
    return text.replace("was ", "此前为 ")


def _chart(series: dict[str, list[float | None]]) -> list[dict[str, Any]]:
    """Lines on a shared 0.8–1.0 (or lower) scale, for rates."""
    known = [v for values in series.values() for v in values if v is not None]
    low = min([*known, 0.8])
    return [
        {
            "name": name,
            "color": PALETTE[n % len(PALETTE)],
            "points": polyline(values, 560, 160, low=low, high=1.0),
            "last": next((v for v in reversed(values) if v is not None), None),
        }
        for n, (name, values) in enumerate(sorted(series.items()))
    ]


def render_readiness_html(report: ReadinessReport) -> str:
    t = LABELS.get(report.lang, LABELS["en"])
    lines = []
    for n, (entity, values) in enumerate(sorted(report.match_trend.items())):
        known = [v for v in values if v is not None]
        lines.append(
            {
                "entity": entity,
                "color": PALETTE[n % len(PALETTE)],
                "points": polyline(values, 560, 160, low=min([*known, 0.9]), high=1.0),
                "last": known[-1] if known else None,
            }
        )
    accuracy = _chart(report.field_trend)
    backlog_top = max([max(v, default=0) for v in report.backlog_trend.values()] or [1]) or 1
    severity_lines = [
        {
            "name": sev,
            "color": color,
            "points": polyline(
                [float(v) for v in values], 560, 120, low=0, high=float(backlog_top)
            ),
        }
        for (sev, values), color in zip(
            report.backlog_trend.items(),
            ("#b91c1c", "#d97706", "#2563eb", "#6b7280", "#9ca3af"),
            strict=False,
        )
        if any(values)
    ]
    adoption = _chart(report.adoption_trend)
    flow = report.flow
    top = max([max(f["arrivals"], f["closures"], f["open"]) for f in flow] or [1]) or 1
    modules = []
    for module in report.readiness.modules:
        gates = []
        for gate in module.gates:
            gates.append(
                {
                    "result": gate,
                    "value": _fmt(gate.value, gate.kind),
                    "threshold": _fmt(gate.threshold, gate.kind),
                    "spark": polyline(list(gate.trend), 90, 20),
                }
            )
        modules.append({"verdict": module, "gates": gates})
    return (
        environment()
        .get_template("readiness_report.html")
        .render(
            t=t,
            r=report,
            zh=report.lang == "zh",
            change=lambda text: translate_change(text, report.lang),
            readiness=report.readiness,
            modules=modules,
            lines=lines,
            accuracy=accuracy,
            severity_lines=severity_lines,
            adoption_lines=adoption,
            arrivals=bars([f["arrivals"] for f in flow], 560, 120, top),
            closures=bars([f["closures"] for f in flow], 560, 120, top),
            open_line=polyline([float(f["open"]) for f in flow], 560, 120, low=0, high=float(top)),
            slot=560 / max(len(flow), 1),
            pct=lambda v: _fmt(v, "match_rate"),
        )
    )
