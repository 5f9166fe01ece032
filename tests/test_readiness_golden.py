"""Golden files for the readiness report's Markdown and JSON, over the demo's nights.

The nights run on a fixed clock (02:00 UTC on 1–5 March 2026), so the output is the
same on every machine and day. After a deliberate change, regenerate with
    DUALRUN_UPDATE_GOLDEN=1 scripts/test tests/test_readiness_golden.py
and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dualrun.config import load_config
from dualrun.demo import copy_demo, replay
from dualrun.nightly.job import run_nightly
from dualrun.readiness_report import build_report, render

GOLDEN = Path(__file__).parent / "golden"


def night_clock(day: int) -> datetime:
    return datetime(2026, 3, day, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def report_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    project = copy_demo(tmp_path_factory.mktemp("g") / "demo")
    config = None
    verdicts = []
    for day, _night in enumerate(replay(project), start=1):
        config = load_config(project / "dualrun.toml")
        run_nightly(config, clock=lambda day=day: night_clock(day))  # type: ignore[misc]
        verdicts.append(build_report(config, None, "en", now=night_clock(day)).readiness.overall)
    assert config is not None
    report = build_report(config, None, "en", now=night_clock(5).replace(hour=8))
    return {
        "md": render(report, "md"),
        "json": render(report, "json"),
        "verdicts": " ".join(verdicts),
    }


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_readiness_output_matches_the_golden_file(fmt: str, report_texts: dict[str, str]) -> None:
    golden = GOLDEN / f"readiness.{fmt}"
    text = report_texts[fmt]
    if os.environ.get("DUALRUN_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with DUALRUN_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_verdicts_night_by_night(report_texts: dict[str, str]) -> None:
    assert report_texts["verdicts"] == "NO-GO NO-GO NO-GO NO-GO NO-GO"


def test_backlog_by_severity_adds_up_to_the_open_issues(report_texts: dict[str, str]) -> None:
    import json

    document = json.loads(report_texts["json"])
    trend = document["backlog_trend"]
    totals = [sum(values[n] for values in trend.values()) for n in range(len(trend["S1"]))]
    assert totals == [flow["open"] for flow in document["issue_flow"]]
    assert totals[0] == 60
