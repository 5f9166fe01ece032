"""One intake-form row: its columns, and its validation into a ``FormRow`` or a rejection.

Pure: no file, database or clock. The importer hands in a row's cell values by field
name; dropdowns in the workbook are not trusted, so every value is checked again here
and a rejection names the column and the values allowed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dualrun.issues.model import (
    CATEGORIES,
    CATEGORY_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    did_you_mean,
)

#: Form columns in order: field name → (Chinese header, English header).
COLUMNS: Mapping[str, tuple[str, str]] = {
    "title": ("标题", "Title"),
    "category": ("类别", "Category"),
    "severity": ("严重程度", "Severity"),
    "module": ("模块", "Module"),
    "entity": ("对象", "Entity"),
    "record": ("相关记录", "Record"),
    "description": ("描述", "Description"),
    "owner": ("负责人", "Owner"),
    "workaround": ("临时方案", "Workaround"),
    "reporter": ("提交人", "Reporter"),
    "row_id": ("行标识", "Row ID"),
}
EXAMPLE_ID = "example"
EXAMPLE_TITLE = "【示例 Example】保存商机时金额被清零 / Amount cleared when saving an opportunity"


class _NoSavedValue:
    """A formula cell whose workbook kept no computed value."""

    def __repr__(self) -> str:
        return "NO_SAVED_VALUE"


NO_SAVED_VALUE = _NoSavedValue()


def header_label(name: str) -> str:
    zh, en = COLUMNS[name]
    return f"{zh}/{en}"


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).casefold()


_HEADER_NAMES: dict[str, str] = {}
for _name, (_zh, _en) in COLUMNS.items():
    for _text in (_zh, _en, f"{_zh}/{_en}", f"{_zh} {_en}", f"{_en}/{_zh}", _name):
        _HEADER_NAMES[_fold(_text)] = _name


def header_field(text: object) -> str | None:
    """The field a header cell names, in Chinese, English or both; None if none."""
    if not isinstance(text, str):
        return None
    return _HEADER_NAMES.get(_fold(text.replace("／", "/")))


@dataclass(frozen=True)
class Choices:
    """What the config allows, and the spellings accepted for each value."""

    modules: tuple[str, ...]
    entities: Mapping[str, str]  # entity → its module
    entity_labels: Mapping[str, str]  # folded label → entity
    people: Mapping[str, str]  # folded login, name, alias or "name (login)" → login
    owner_choices: tuple[str, ...]  # as shown in the dropdown

    @classmethod
    def build(
        cls,
        entities: Mapping[str, tuple[str, str | None]],
        people: Mapping[str, tuple[str | None, Sequence[str]]],
    ) -> Choices:
        """From entity → (module, label) and login → (name, aliases)."""
        spellings: dict[str, str] = {}
        shown = []
        for login, (name, aliases) in people.items():
            shown.append(person_choice(login, name))
            for text in (*aliases, name or "", person_choice(login, name), login):
                if text:
                    spellings[_fold(text)] = login
        return cls(
            modules=tuple(sorted({module for module, _ in entities.values()})),
            entities={name: module for name, (module, _) in entities.items()},
            entity_labels={_fold(label): name for name, (_, label) in entities.items() if label},
            people=spellings,
            owner_choices=tuple(shown),
        )


def person_choice(login: str, name: str | None) -> str:
    return f"{name} ({login})" if name and name != login else login


def category_choices(lang: str) -> list[str]:
    return [CATEGORY_LABELS.get(lang, CATEGORY_LABELS["zh"])[c] for c in CATEGORIES]


def severity_choices(lang: str) -> list[str]:
    return [SEVERITY_LABELS.get(lang, SEVERITY_LABELS["zh"])[s] for s in SEVERITIES]


_CATEGORY_SPELLINGS = {
    _fold(text): code
    for code in CATEGORIES
    for text in (code, CATEGORY_LABELS["zh"][code], CATEGORY_LABELS["en"][code])
}
_SEVERITY_SPELLINGS = {
    _fold(text): code
    for code in SEVERITIES
    for text in (code, SEVERITY_LABELS["zh"][code], SEVERITY_LABELS["en"][code])
}


@dataclass(frozen=True)
class FormRow:
    """A valid row, ready to be filed."""

    title: str
    category: str | None = None
    severity: str | None = None
    module: str | None = None
    entity: str | None = None
    record: str | None = None
    description: str = ""
    owner: str | None = None
    workaround: str | None = None
    reporter: str | None = None
    row_id: str | None = None

    @property
    def source_ref(self) -> str:
        """The row's identity in the store: its Row ID, else reporter + content."""
        if self.row_id:
            return f"form:{self.row_id}"
        content = "\x1f".join((self.reporter or "", self.title, self.description))
        return "form-content:" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Rejection:
    """Why a row cannot be filed (every problem found, one per column)."""

    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def cell_text(value: object) -> str | None:
    """A cell's value as trimmed text; None when blank."""
    if value is None or value is NO_SAVED_VALUE:
        return None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    return text or None


def is_blank(values: Mapping[str, object]) -> bool:
    """A row with nothing typed in it (the pre-filled Row ID does not count)."""
    return all(
        cell_text(v) is None and v is not NO_SAVED_VALUE for k, v in values.items() if k != "row_id"
    )


def is_example(values: Mapping[str, object]) -> bool:
    return (
        cell_text(values.get("row_id")) == EXAMPLE_ID
        and cell_text(values.get("title")) == EXAMPLE_TITLE
    )


def _pick(
    column: str, text: str, spellings: Mapping[str, str], allowed: Sequence[str]
) -> tuple[str | None, str | None]:
    found = spellings.get(_fold(text))
    if found is not None:
        return found, None
    return None, (
        f"{header_label(column)}: unknown value {text!r}{_near(text, allowed)}"
        f" (allowed: {', '.join(allowed)})"
    )


def _near(text: str, allowed: Sequence[str]) -> str:
    hint = did_you_mean(text, allowed)
    return hint if hint.startswith("; did you mean") else ""


def parse_row(
    values: Mapping[str, object], choices: Choices, lang: str = "zh"
) -> FormRow | Rejection:
    """Validate one row given as field name → cell value."""
    reasons: list[str] = []
    for name, value in values.items():
        if value is NO_SAVED_VALUE:
            reasons.append(f"{header_label(name)}: formula with no saved value (type the value)")
    text = {name: cell_text(values.get(name)) for name in COLUMNS}

    title = text["title"]
    if title is None:
        reasons.append(f"{header_label('title')}: missing; every issue needs a title")

    category = severity = module = entity = owner = None
    if text["category"] is not None:
        category, problem = _pick(
            "category", text["category"], _CATEGORY_SPELLINGS, category_choices(lang)
        )
        reasons += [problem] if problem else []
    if text["severity"] is not None:
        severity, problem = _pick(
            "severity", text["severity"], _SEVERITY_SPELLINGS, list(SEVERITIES)
        )
        reasons += [problem] if problem else []
    if text["module"] is not None:
        spellings = {_fold(m): m for m in choices.modules}
        module, problem = _pick("module", text["module"], spellings, choices.modules)
        reasons += [problem] if problem else []
    if text["entity"] is not None:
        spellings = {**choices.entity_labels, **{_fold(e): e for e in choices.entities}}
        entity, problem = _pick("entity", text["entity"], spellings, list(choices.entities))
        reasons += [problem] if problem else []
        if entity is not None and module is not None and choices.entities[entity] != module:
            reasons.append(
                f"{header_label('entity')}: {entity} belongs to module "
                f"{choices.entities[entity]}, not {module}"
            )
    if text["owner"] is not None:
        owner, problem = _pick("owner", text["owner"], choices.people, choices.owner_choices)
        reasons += [problem] if problem else []
    reporter = text["reporter"]
    if reporter is not None:
        reporter = choices.people.get(_fold(reporter), reporter)

    if reasons or title is None:
        return Rejection(tuple(reasons))
    return FormRow(
        title=title,
        category=category,
        severity=severity,
        module=module,
        entity=entity,
        record=text["record"],
        description=text["description"] or "",
        owner=owner,
        workaround=text["workaround"],
        reporter=reporter,
        row_id=None if text["row_id"] == EXAMPLE_ID else text["row_id"],
    )
