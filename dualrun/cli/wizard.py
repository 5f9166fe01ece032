"""`dualrun issues new` on a terminal with no flags: a few questions, in Chinese or English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from dualrun.issues import CATEGORIES, CATEGORY_LABELS, SEVERITIES

if TYPE_CHECKING:
    from dualrun.tracker import Tracker

PROMPTS = {
    "zh": {
        "title": "问题标题（一句话说明发生了什么）",
        "category": "问题类别",
        "severity": "严重程度（S1 阻碍上线 … S4 轻微）",
        "entity": "涉及的对象（直接回车跳过）",
        "record": "涉及的记录编号（直接回车跳过）",
        "description": "详细描述（直接回车跳过）",
        "pick": "请输入编号",
    },
    "en": {
        "title": "Title (one line: what happened)",
        "category": "Category",
        "severity": "Severity (S1 blocks cutover … S4 minor)",
        "entity": "Entity concerned (Enter to skip)",
        "record": "Record key concerned (Enter to skip)",
        "description": "Description (Enter to skip)",
        "pick": "Number",
    },
}


def _pick(question: str, options: list[tuple[str, str]], text: dict[str, str]) -> str:
    typer.echo(question)
    for n, (_value, label) in enumerate(options, start=1):
        typer.echo(f"  {n}. {label}")
    while True:
        answer = typer.prompt(text["pick"], default="1")
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1][0]
        typer.echo(f"1–{len(options)}")


def ask_new_issue(tracker: Tracker, lang: str) -> dict[str, Any]:
    text = PROMPTS.get(lang, PROMPTS["en"])
    title = ""
    while not title.strip():
        title = typer.prompt(text["title"])
    labels = CATEGORY_LABELS.get(lang, CATEGORY_LABELS["en"])
    category = _pick(text["category"], [(c, labels[c]) for c in CATEGORIES], text)
    severity = _pick(text["severity"], [(s, s) for s in SEVERITIES], text)
    entities = list(tracker.config.entities)
    entity = (
        typer.prompt(
            f"{text['entity']} [{', '.join(entities)}]", default="", show_default=False
        ).strip()
        or None
    )
    record = typer.prompt(text["record"], default="", show_default=False).strip() or None
    description = typer.prompt(text["description"], default="", show_default=False)
    return {
        "title": title,
        "category": category,
        "severity": severity,
        "entity": entity,
        "record_key": record,
        "description": description,
    }
