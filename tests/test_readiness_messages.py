"""The readiness sentence table: every key in English and Chinese, and its helpers."""

from __future__ import annotations

import string

import pytest

from dualrun.readiness.messages import MESSAGES, NOUNS, Text, both, count, listing, msg


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def literal(template: str) -> str:
    return "".join(text for text, *_ in string.Formatter().parse(template))


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_english_and_chinese(key: str) -> None:
    templates = MESSAGES[key]
    assert set(templates) == {"en", "zh"}
    assert templates["en"].isascii(), "the English text must stay English"
    words = literal(templates["zh"])
    for term in ("CRM", "S2", "fields"):  # names the Chinese report keeps as they are
        words = words.replace(term, "")
    assert not any(char.isascii() and char.isalpha() for char in words), "English left in zh"
    if any(char.isalpha() for char in literal(templates["en"])):
        assert literal(templates["zh"]) != literal(templates["en"]), "not translated"


def test_both_languages_take_the_same_parameters() -> None:
    # The Chinese may leave out English grammar (verb agreement) but adds no fact of its own,
    # except the bare number where the English spells a counted noun.
    grammar = {"verb"}
    for key, templates in MESSAGES.items():
        extra = fields(templates["zh"]) - fields(templates["en"])
        assert extra <= {"closed"}, key
        assert fields(templates["en"]) - fields(templates["zh"]) <= grammar | {"issues"}, key


def test_counts_lists_and_nested_texts() -> None:
    assert count(1, "clean run") == Text("1 clean run", "1 次干净运行")
    assert count(3, "discrepancy") == Text("3 discrepancies", "3 处差异")
    assert all(len(forms) == 3 for forms in NOUNS.values())
    assert both(["DR-1", "DR-2"]) == Text("DR-1 and DR-2", "DR-1 和 DR-2")
    assert both([Text("the lead", "负责人"), Text("the consultant", "顾问")]).zh == "负责人和顾问"
    assert listing([f"DR-{n}" for n in range(7)]).en == "DR-0, DR-1, DR-2, DR-3, DR-4 and 2 more"
    assert listing([f"DR-{n}" for n in range(7)]).zh == "DR-0、DR-1、DR-2、DR-3、DR-4 等另外 2 项"
    reason = msg("verdict.no_risk", reason=msg("blockers.none", label="SFA"))
    assert reason == Text(
        "SFA has no unresolved blockers, and no risk is accepted for it",
        "SFA 没有未解决的阻断问题，且未接受该风险",
    )
    assert reason.get("zh") == reason.zh and reason.get("en") == reason.en
