"""The readiness report: the judgement plus the evidence a consultant reviews, rendered as
a self-contained HTML page (inline SVG, no JavaScript), Markdown or JSON.

Building the value (``build_report``) reads the store; rendering is separate; masking
replaces customer personal data (phones, e-mails, the values of fields declared
``pii``) in every text the report carries, for reports leaving the company.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dualrun.config import Config
from dualrun.readiness import History, Readiness, judge
from dualrun.readiness_store import critical_fields, load_history

PHONE = re.compile(r"(?<!\d)(\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


@dataclass(frozen=True)
class ReadinessReport:
    project: str
    lang: str
    generated_at: datetime
    config_hash: str
    readiness: Readiness
    thresholds: list[dict[str, Any]]
    entities: list[dict[str, Any]]  # latest figures per entity
    match_trend: dict[str, list[float | None]]  # entity → match rate per ok run
    flow: list[dict[str, int]]  # per run window: arrivals, closures, open
    backlog_by_severity: dict[str, int]
    adoption: list[dict[str, Any]]  # latest run, per owner
    blockers: list[dict[str, Any]]
    feed: list[dict[str, Any]]
    signoffs: list[dict[str, Any]]
    field_trend: dict[str, list[float | None]] = field(default_factory=dict)
    backlog_trend: dict[str, list[int]] = field(default_factory=dict)  # severity → open per run
    adoption_trend: dict[str, list[float | None]] = field(default_factory=dict)
    masked: bool = False

    def to_dict(self) -> dict[str, Any]:
        document = self.readiness.to_dict()
        return {
            "schema_version": 1,
            **document,
            "project": self.project,
            "generated_at": self.generated_at.isoformat(),
            "config_hash": self.config_hash,
            "thresholds": self.thresholds,
            "entities": self.entities,
            "match_trend": self.match_trend,
            "field_accuracy_trend": self.field_trend,
            "adoption_trend": self.adoption_trend,
            "backlog_trend": self.backlog_trend,
            "issue_flow": self.flow,
            "backlog_by_severity": self.backlog_by_severity,
            "adoption": self.adoption,
            "blockers": self.blockers,
            "feed_health": self.feed,
            "signoffs": self.signoffs,
            "masked": self.masked,
        }


def build_report(
    config: Config,
    db_url: str | None,
    lang: str,
    *,
    mask_pii: bool = False,
    now: datetime | None = None,
) -> ReadinessReport:
    from dualrun.store import open_store

    moment = now or datetime.now(UTC)
    engine = open_store(config.store_url(db_url))
    history = load_history(config, engine, moment.date())
    verdict = judge(config.data.readiness, history, critical_fields(config))
    titles = _issue_titles(engine)
    report = ReadinessReport(
        project=config.project.name,
        lang=lang,
        generated_at=moment,
        config_hash=config.digest,
        readiness=verdict,
        thresholds=[g.model_dump() for g in config.data.readiness.active_gates],
        entities=_latest_entities(history),
        match_trend=_match_trend(history),
        field_trend=_field_trend(history, critical_fields(config)),
        adoption_trend=_adoption_trend(history),
        backlog_trend=_backlog_trend(history),
        flow=[
            {
                "run_id": f.run_id,
                "arrivals": f.arrivals,
                "closures": f.closures,
                "open": f.open_at_end,
            }
            for f in history.issue_flow()
        ],
        backlog_by_severity=_backlog(history),
        adoption=_adoption(history),
        blockers=_blockers(history, titles, moment),
        feed=_feed(history),
        signoffs=[
            {
                "role": s.role,
                "who": s.who,
                "at": s.at.isoformat(),
                "module": s.module,
                "note": s.note,
            }
            for s in history.signoffs
        ],
    )
    if mask_pii:
        report = mask(report, _pii_values(config, engine))
    return report


def _issue_titles(engine: Any) -> dict[str, str]:
    from sqlalchemy import select

    from dualrun.store.schema import issues

    with engine.connect() as conn:
        return {r.key: r.title for r in conn.execute(select(issues.c.key, issues.c.title))}


def _latest_entities(history: History) -> list[dict[str, Any]]:
    run = history.latest_ok_run
    if run is None:
        return []
    return [
        {
            "entity": p.entity,
            "module": p.module,
            "match_rate": p.match_rate,
            "rows_manual": p.rows_manual,
            "rows_crm": p.rows_crm,
            "discrepancies": p.discrepancies,
            "field_accuracy": dict(p.field_accuracy),
        }
        for p in run.entities
    ]


def _match_trend(history: History) -> dict[str, list[float | None]]:
    trend: dict[str, list[float | None]] = {}
    for run in history.ok_runs:
        for point in run.entities:
            trend.setdefault(point.entity, []).append(point.match_rate)
    return trend


def _field_trend(
    history: History, critical: dict[str, tuple[str, ...]]
) -> dict[str, list[float | None]]:
    trend: dict[str, list[float | None]] = {}
    for run in history.ok_runs:
        for point in run.entities:
            for name in critical.get(point.entity, ()):
                trend.setdefault(f"{point.entity}.{name}", []).append(
                    point.field_accuracy.get(name)
                )
    return trend


def _adoption_trend(history: History) -> dict[str, list[float | None]]:
    """Per team (or owner, where no team is set): records present in the CRM ÷ manual."""
    teams = sorted({o.team or o.owner for run in history.ok_runs for o in run.owners})
    trend: dict[str, list[float | None]] = {team: [] for team in teams}
    for run in history.ok_runs:
        rows: dict[str, list[int]] = {team: [0, 0] for team in teams}
        for owner in run.owners:
            total = rows[owner.team or owner.owner]
            total[0] += owner.rows_manual
            total[1] += owner.rows_manual - owner.missing_in_crm
        for team in teams:
            manual, present = rows[team]
            trend[team].append(present / manual if manual else None)
    return trend


def _backlog_trend(history: History) -> dict[str, list[int]]:
    """Issues open when each run ended (the next run's start, or now), by severity."""
    ends = [run.started_at for run in history.runs[1:]] + [None]
    trend: dict[str, list[int]] = {s: [] for s in ("S1", "S2", "S3", "S4", "-")}
    for end in ends:
        counts = dict.fromkeys(trend, 0)
        for issue in history.issues:
            created = _aware(issue.created_at)
            resolved = _aware(issue.resolved_at)
            if end is not None and created is not None and created >= end:
                continue
            if resolved is not None and (end is None or resolved < end):
                continue
            if end is None and not history.is_open(issue):
                continue
            counts[issue.severity or "-"] += 1
        for severity, count in counts.items():
            trend[severity].append(count)
    return trend


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _backlog(history: History) -> dict[str, int]:
    counts = {"S1": 0, "S2": 0, "S3": 0, "S4": 0, "-": 0}
    for issue in history.issues:
        if history.is_open(issue):
            counts[issue.severity or "-"] = counts.get(issue.severity or "-", 0) + 1
    return counts


def _adoption(history: History) -> list[dict[str, Any]]:
    run = history.latest_ok_run
    if run is None:
        return []
    return [
        {
            "entity": o.entity,
            "owner": o.owner,
            "team": o.team,
            "rows_manual": o.rows_manual,
            "missing_in_crm": o.missing_in_crm,
            "adoption": o.adoption,
        }
        for o in sorted(run.owners, key=lambda o: (o.team or "", o.owner, o.entity))
    ]


def _blockers(history: History, titles: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    from dualrun.issues import UNRESOLVED_STATUSES

    out = []
    for issue in history.issues:
        if issue.status in UNRESOLVED_STATUSES and (issue.severity == "S1" or issue.blocks_cutover):
            created = (
                issue.created_at
                if issue.created_at.tzinfo
                else issue.created_at.replace(tzinfo=UTC)
            )
            out.append(
                {
                    "key": issue.key,
                    "title": titles.get(issue.key, ""),
                    "owner": issue.owner,
                    "severity": issue.severity,
                    "age_days": (now - created).days,
                    "waiting_on_consultant": issue.waiting_on_consultant,
                    "workaround": issue.workaround,
                    "module": issue.module,
                }
            )
    return out


def _feed(history: History) -> list[dict[str, Any]]:
    run = history.latest_run
    if run is None:
        return []
    return [
        {
            "run_id": run.run_id,
            "status": run.status,
            "entity": p.entity,
            "sources_ok": p.sources_ok,
            "column_drift": list(p.column_drift),
        }
        for p in run.entities
    ]


def _pii_values(config: Config, engine: Any) -> set[str]:
    """Values of fields declared pii, as the latest run's records hold them."""
    from sqlalchemy import func, select

    from dualrun.store.schema import discrepancies

    pii = {(n, f) for n, e in config.entities.items() for f, s in e.fields.items() if s.pii}
    values: set[str] = set()
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(discrepancies.c.run_id))).scalar()
        if latest is None:
            return values
        for row in conn.execute(select(discrepancies).where(discrepancies.c.run_id == latest)):
            for side in ("manual", "crm"):
                record = getattr(row, f"{side}_record")
                if record:
                    for name, value in json.loads(record).items():
                        if (row.entity, name) in pii and value and len(str(value)) > 1:
                            values.add(str(value))
                if (row.entity, row.field) in pii:
                    for part in ("raw", "normalised"):
                        value = getattr(row, f"{side}_{part}")
                        if value and len(value) > 1:
                            values.add(value)
    return values


def mask_text(text: str, known: set[str]) -> str:
    """Phones as 138****8000, e-mails as a***@host, and known personal values as ***."""
    for value in sorted(known, key=len, reverse=True):
        text = text.replace(value, "***")
    text = PHONE.sub(lambda m: f"{m.group(2)}****{m.group(4)}", text)
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def mask(report: ReadinessReport, known: set[str]) -> ReadinessReport:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return mask_text(value, known)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return ReadinessReport(
        **{
            **report.__dict__,
            "blockers": walk(report.blockers),
            "signoffs": walk(report.signoffs),
            "masked": True,
        }
    )


def render(report: ReadinessReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
    if fmt == "md":
        return _markdown(report)
    from dualrun.reports.readiness_html import render_readiness_html

    return render_readiness_html(report)


def write_report(report: ReadinessReport, fmt: str, out: Path | None) -> Path | None:
    text = render(report, fmt)
    if out is None and fmt in ("json", "md"):
        sys.stdout.write(text)
        return None
    target = out or Path(f"readiness-{report.generated_at:%Y%m%d-%H%M%S}.{fmt}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


MD_LABELS = {
    "en": {
        "title": "cutover readiness",
        "generated": "Generated",
        "projected": "projected ready",
        "not_converging": "not converging",
        "clean": "clean runs",
        "stable": "stable for",
        "blockers": "Blockers",
        "blockers_of": "blockers",
        "waiting": "waiting on consultant",
        "days": "d",
    },
    "zh": {
        "title": "上线就绪评估",
        "generated": "生成于",
        "projected": "预计就绪",
        "not_converging": "尚未收敛",
        "clean": "连续干净运行",
        "stable": "稳定运行",
        "blockers": "阻碍上线的问题",
        "blockers_of": "阻碍上线",
        "waiting": "等待顾问",
        "days": "天",
    },
}


def _markdown(report: ReadinessReport) -> str:
    from dualrun.reports.readiness_html import translate_change

    r = report.readiness
    t = MD_LABELS.get(report.lang, MD_LABELS["en"])
    zh = report.lang == "zh"
    lines = [f"# {report.project}: {t['title']} — **{r.overall}**", ""]
    when = r.projected_ready.isoformat() if r.projected_ready else t["not_converging"]
    lines.append(
        f"{t['generated']} {report.generated_at:%Y-%m-%d %H:%M} UTC · {t['projected']}: {when}"
    )
    lines.append("")
    for module in r.modules:
        changed = translate_change(module.change_since_previous, report.lang)
        change = f" ({changed})" if changed else ""
        lines.append(f"## {module.module}: {module.verdict}{change}")
        lines.append(f"{t['clean']}: {module.clean_runs} · {t['stable']}: {module.stable_for}")
        lines.extend(f"- {reason}" for reason in (module.reasons_zh if zh else module.reasons))
        if module.blockers:
            lines.append(f"- {t['blockers_of']}: {', '.join(module.blockers)}")
        lines.append("")
    if report.blockers:
        lines.append(f"## {t['blockers']}")
        lines.extend(
            f"- {b['key']} {b['title']} — {b['owner'] or '(unowned)'}, "
            f"{b['age_days']} {t['days']}"
            + (f" — {t['waiting']}" if b["waiting_on_consultant"] else "")
            for b in report.blockers
        )
        lines.append("")
    lines.append(f"config {report.config_hash[:12]}")
    return "\n".join(lines) + "\n"
