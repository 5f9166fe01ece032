"""`dualrun readiness` over the demo's nights: verdicts, exit codes, formats, masking."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli

from dualrun.demo import copy_demo, replay


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_demo(tmp_path_factory.mktemp("r") / "demo")
    for night in replay(project):
        result = run_cli(
            "nightly",
            "-c",
            str(project / "dualrun.toml"),
            "--out",
            str(project / "reports" / night.name),
        )
        assert result.code in (0, 1), result.err
    return project


def readiness(project: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli("readiness", "-c", str(project / "dualrun.toml"), *args)
    return result.code, result.out, result.err


def test_the_nightly_job_writes_the_readiness_report(demo: Path) -> None:
    page = (demo / "reports" / "night-5" / "readiness.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page and "http" not in page.split("<body>")[1]


def test_json_carries_the_verdict_and_every_gate(demo: Path) -> None:
    code, out, _err = readiness(demo, "--format", "json", "--lang", "en")
    document = json.loads(out)
    assert document["verdict"] in ("GO", "CONDITIONAL", "NO-GO")
    assert code == {"GO": 0, "CONDITIONAL": 1, "NO-GO": 3}[document["verdict"]]
    modules = {m["module"]: m for m in document["modules"]}
    assert set(modules) == {"SFA", "service"}
    sfa_gates = {g["gate"] for g in modules["SFA"]["gates"]}
    assert {"match_rate", "blockers", "clean_runs", "signoff"} <= sfa_gates
    assert len(document["match_trend"]["account"]) == 5
    assert document["issue_flow"][0]["arrivals"] == 60  # night 1 opened 60 issues


def test_a_failing_hard_gate_is_no_go_with_exit_3(demo: Path) -> None:
    code, out, _err = readiness(demo, "--format", "md", "--lang", "en")
    assert code == 3
    assert "**NO-GO**" in out
    assert "account match rate 99.2% is below 99.5%" in out


def test_cutover_makes_a_module_live_and_leaves_it_out(demo: Path, tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "c")
    for _night in replay(project):
        run_cli("nightly", "-c", str(project / "dualrun.toml"), "--out", str(tmp_path / "o"))
    result = run_cli("cutover", "service", "-c", str(project / "dualrun.toml"), "--as", "lead")
    assert result.code == 0, result.err
    _code, out, _err = readiness(project, "--format", "json")
    modules = {m["module"]: m for m in json.loads(out)["modules"]}
    assert modules["service"]["verdict"] == "LIVE"
    again = run_cli("nightly", "-c", str(project / "dualrun.toml"), "--out", str(tmp_path / "o"))
    assert again.code in (0, 1), again.err
    assert "case" not in again.out.split("issues from")[0]  # the service entity is not compared
    refused = run_cli("cutover", "SFA", "-c", str(project / "dualrun.toml"), "--as", "zhangwei")
    assert refused.code == 2 and "only leads" in refused.err


def test_accept_risk_and_signoff_are_recorded(demo: Path, tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "s")
    for _night in replay(project):
        run_cli("nightly", "-c", str(project / "dualrun.toml"), "--out", str(tmp_path / "o"))
    config = str(project / "dualrun.toml")
    assert (
        run_cli(
            "signoff", "--role", "consultant", "--as", "consultant", "--note", "ok", "-c", config
        ).code
        == 0
    )
    assert run_cli("signoff", "--role", "lead", "--as", "lead", "-c", config).code == 0
    result = run_cli(
        "accept-risk",
        "trend",
        "--owner",
        "lead",
        "--due",
        "2099-01-01",
        "--note",
        "积压在下降",
        "-c",
        config,
        "--as",
        "lead",
    )
    assert result.code == 0, result.err
    document = json.loads(readiness(project, "--format", "json")[1])
    service = next(m for m in document["modules"] if m["module"] == "service")
    signoff = next(g for g in service["gates"] if g["gate"] == "signoff")
    assert signoff["passed"]
    assert not any("trend" in r and "no risk" in r for r in service["reasons"])


def test_mask_pii_leaves_no_phone_or_email(demo: Path, tmp_path: Path) -> None:
    project = copy_demo(tmp_path / "m")
    for _night in replay(project):
        run_cli("nightly", "-c", str(project / "dualrun.toml"), "--out", str(tmp_path / "o"))
    run_cli(
        "issues",
        "new",
        "--title",
        "客户 13800138000 / boss@example.cn 无法登录",
        "--severity",
        "S1",
        "-c",
        str(project / "dualrun.toml"),
        "--as",
        "lina",
    )
    plain = readiness(project, "--format", "html", "-o", str(tmp_path / "plain.html"))
    masked = readiness(
        project, "--format", "html", "--mask-pii", "-o", str(tmp_path / "masked.html")
    )
    assert plain[0] == masked[0] == 3
    raw = (tmp_path / "plain.html").read_text(encoding="utf-8")
    safe = (tmp_path / "masked.html").read_text(encoding="utf-8")
    phone = re.compile(r"1[3-9]\d{9}")
    email = re.compile(r"[A-Za-z0-9._%+-]{2,}@[A-Za-z0-9.-]+\.[a-z]{2,}")
    assert phone.search(raw) and email.search(raw)
    assert not phone.search(safe) and not email.search(safe)
    assert "138****8000" in safe and "b***@example.cn" in safe


def test_a_column_that_appears_in_a_feed_fails_feed_health(tmp_path: Path) -> None:
    from dualrun.demo import nights, stage_night

    project = copy_demo(tmp_path / "d")
    config = str(project / "dualrun.toml")
    stage_night(project, nights(project)[0])
    assert run_cli("nightly", "-c", config, "--out", str(tmp_path / "o")).code in (0, 1)
    crm = project / "crm" / "Account.csv"
    lines = crm.read_text(encoding="utf-8-sig").splitlines()
    lines = [lines[0] + ",Region"] + [line + ",East" for line in lines[1:]]
    crm.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert run_cli("nightly", "-c", config, "--out", str(tmp_path / "o")).code in (0, 1)
    document = json.loads(readiness(project, "--format", "json")[1])
    sfa = next(m for m in document["modules"] if m["module"] == "SFA")
    feed = next(g for g in sfa["gates"] if g["gate"] == "feed_health")
    assert not feed["passed"]
    assert any("new column 'Region'" in d for d in feed["detail"]), feed


def test_chinese_reports_speak_chinese(demo: Path) -> None:
    _code, out, _err = readiness(demo, "--format", "md", "--lang", "zh")
    assert "上线就绪评估" in out
    assert "account 记录匹配率 99.2% 低于 99.5%" in out
    assert "is below" not in out
    html = demo / "reports" / "readiness-zh.html"
    readiness(demo, "--format", "html", "--lang", "zh", "-o", str(html))
    page = html.read_text(encoding="utf-8")
    assert "尚需顾问和负责人签字确认" in page and "still needs a sign-off" not in page
