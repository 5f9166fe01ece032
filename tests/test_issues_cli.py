"""`dualrun issues …` as different people: filing, triage, escalation, resolution, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CONFIG, run_cli, write_project

PEOPLE = """
[people.lisi]
name = "李四"
role = "lead"

[people.zhangwei]
name = "张伟"
role = "user"
team = "华东销售"

[people.lina]
name = "李娜"
role = "user"
team = "华东销售"

[people.wanggu]
name = "王顾问"
role = "consultant"

[issues]
key_prefix = "DR"

[[issues.routing]]
kind = "discrepancy"
to = "record_owner"
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The same project on the embedded SQLite store and on a team's PostgreSQL."""
    store = ""
    if request.param == "postgresql":
        store = f'\n[store]\nurl = "{request.getfixturevalue("pg_url")}"\n'
    return write_project(
        tmp_path / "p",
        config=CONFIG.replace("[entities.account]", store + "[entities.account]", 1) + PEOPLE,
    )


def cli(project: Path, *args: str, who: str = "lisi") -> tuple[int, str, str]:
    result = run_cli("issues", *args, "-c", str(project), "--as", who)
    return result.code, result.out, result.err


def new_issue(project: Path, who: str = "zhangwei", *extra: str) -> str:
    code, out, err = cli(
        project,
        "new",
        "--title",
        "商机保存后金额变成0",
        "--category",
        "system_defect",
        "--json",
        *extra,
        who=who,
    )
    assert code == 0, err
    return str(json.loads(out)["key"])


def test_file_triage_escalate_resolve_close_as_different_people(project: Path) -> None:
    key = new_issue(project)
    assert key == "DR-1"
    code, out, err = cli(project, "show", key, "--json", who="zhangwei")
    issue = json.loads(out)
    assert (issue["status"], issue["reporter"], issue["owner"]) == ("new", "zhangwei", "lisi")

    assert cli(project, "move", key, "triaged", "--owner", "zhangwei", "--severity", "S2")[0] == 0
    assert cli(project, "move", key, "in_progress", who="zhangwei")[0] == 0
    code, out, err = cli(project, "escalate", key, "wanggu", "--ref", "SF-0042")
    assert code == 0, err
    assert cli(project, "comment", key, "已修复字段映射", who="wanggu")[0] == 0
    code, out, err = cli(
        project, "move", key, "resolved", "--resolution", "config_changed", who="wanggu"
    )
    assert code == 0, err
    code, out, err = cli(project, "move", key, "closed", who="lisi")
    assert code == 0, err

    issue = json.loads(cli(project, "show", key, "--json")[1])
    assert (issue["status"], issue["resolution"]) == ("closed", "config_changed")
    assert issue["escalated_to"] == "wanggu" and issue["consultant_ref"] == "SF-0042"
    statuses = [j["new_value"] for j in issue["journal"] if j["field"] == "status"]
    assert statuses == ['"triaged"', '"in_progress"', '"escalated"', '"resolved"', '"closed"']
    actors = {j["actor"] for j in issue["journal"]}
    assert actors == {"zhangwei", "lisi", "wanggu"}
    assert issue["comments"][0]["author"] == "wanggu"


def test_a_user_may_not_close_and_is_told_who_may(project: Path) -> None:
    key = new_issue(project)
    cli(project, "assign", key, "zhangwei")
    code, _out, err = cli(project, "move", key, "closed", "--resolution", "fixed", who="zhangwei")
    assert code == 2
    assert "only leads" in err and "lisi" in err
    assert "Traceback" not in err


def test_illegal_transition_lists_the_allowed_ones(project: Path) -> None:
    key = new_issue(project)
    cli(project, "move", key, "resolved", "--resolution", "fixed")
    code, _out, err = cli(project, "move", key, "in_progress")
    assert code == 2
    assert "closed" in err and "reopened" in err


def test_triage_needs_owner_and_severity(project: Path) -> None:
    key = new_issue(project)
    cli(project, "edit", key, "--title", "x")  # lead may edit
    code, _out, err = cli(project, "move", key, "triaged")
    assert code == 2
    assert "--severity" in err


def test_repeating_an_action_is_a_no_op(project: Path) -> None:
    key = new_issue(project)
    assert cli(project, "assign", key, "lina")[0] == 0
    code, out, _err = cli(project, "assign", key, "lina")
    assert code == 0 and "nothing changed" in out
    journal = json.loads(cli(project, "show", key, "--json")[1])["journal"]
    assert [j["field"] for j in journal].count("owner") == 1


def test_list_filters_and_formats(project: Path) -> None:
    first = new_issue(project)
    second = new_issue(project, "lina", "--severity", "S1")
    cli(project, "move", first, "resolved", "--resolution", "fixed")
    code, out, _err = cli(project, "list", "--json")
    assert code == 0
    assert [r["key"] for r in json.loads(out)] == [second]
    everything = json.loads(cli(project, "list", "--status", "all", "--json")[1])
    assert [r["key"] for r in everything] == [first, second]
    blockers = json.loads(cli(project, "list", "--blocker", "--json")[1])
    assert [r["key"] for r in blockers] == [second]
    csv_out = cli(project, "list", "--status", "all", "--format", "csv")[1]
    assert csv_out.splitlines()[0].startswith("key,status,severity")
    table = cli(project, "list")[1]
    assert second in table and "1 issue(s)" in table


def test_unknown_values_get_suggestions(project: Path) -> None:
    key = new_issue(project)
    code, _out, err = cli(project, "move", key, "resolvedd")
    assert code == 2 and "did you mean 'resolved'" in err
    code, _out, err = cli(project, "assign", key, "zhangwie")
    assert code == 2 and "did you mean 'zhangwei'" in err
    code, _out, err = cli(project, "show", "DR-99")
    assert code == 2 and "no issue DR-99" in err


def test_formula_like_titles_are_safe_in_csv(project: Path) -> None:
    cli(project, "new", "--title", '=HYPERLINK("http://x")', who="zhangwei")
    csv_out = cli(project, "list", "--format", "csv")[1]
    assert "'=HYPERLINK" in csv_out


def test_link_and_watch(project: Path) -> None:
    first, second = new_issue(project), new_issue(project)
    assert cli(project, "link", second, "duplicate_of", first)[0] == 0
    _code, out, _err = cli(project, "link", second, "duplicate_of", first)
    assert "nothing changed" in out
    assert cli(project, "watch", first, who="lina")[0] == 0
    issue = json.loads(cli(project, "show", second, "--json")[1])
    assert issue["links"] == [{"kind": "duplicate_of", "key": first}]
    watchers = json.loads(cli(project, "show", first, "--json")[1])["watchers"]
    assert "lina" in watchers


def test_description_from_stdin_file(project: Path, tmp_path: Path) -> None:
    body = tmp_path / "d.txt"
    body.write_text("第一步……\n第二步……", encoding="utf-8")
    key = new_issue(project, "zhangwei", "-F", str(body))
    issue = json.loads(cli(project, "show", key, "--json")[1])
    assert issue["description"].startswith("第一步")


def test_the_postgresql_variant_really_uses_postgresql(project: Path) -> None:
    new_issue(project)
    uses_pg = 'url = "postgresql://' in project.read_text(encoding="utf-8")
    assert (project.parent / "dualrun.db").exists() is not uses_pg


def test_bulk_dry_run_changes_nothing_then_applies_with_yes(project: Path) -> None:
    keys = [new_issue(project) for _ in range(3)]
    code, out, _err = cli(project, "bulk", "--unowned", "--assign", "lina", "--dry-run")
    assert code == 0 and "0 issue(s)" in out  # routed to the lead: none is unowned
    code, out, _err = cli(project, "bulk", "--owner", "lisi", "--assign", "lina", "--dry-run")
    assert code == 0 and "3 issue(s) would be changed" in out
    assert all(json.loads(cli(project, "show", k, "--json")[1])["owner"] == "lisi" for k in keys)
    code, out, err = cli(project, "bulk", "--owner", "lisi", "--assign", "lina")
    assert code == 2 and "--yes" in err
    code, out, _err = cli(project, "bulk", "--owner", "lisi", "--assign", "lina", "--yes")
    assert code == 0 and "3 applied, 0 refused" in out
    assert all(json.loads(cli(project, "show", k, "--json")[1])["owner"] == "lina" for k in keys)


def test_bulk_reports_refusals_and_exits_1(project: Path) -> None:
    key = new_issue(project)
    code, out, _err = cli(
        project, "bulk", "--move", "closed", "--resolution", "fixed", "--yes", who="zhangwei"
    )
    assert code == 1
    assert f"{key}: refused" in out


def test_bare_new_on_a_terminal_walks_a_user_through(project: Path) -> None:
    import os
    import pty
    import subprocess
    import sys
    import time

    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dualrun",
            "issues",
            "new",
            "-c",
            str(project),
            "--as",
            "zhangwei",
            "--lang",
            "zh",
        ],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    answers = ["客户电话保存后丢失", "2", "2", "account", "KH0012", "在手机上编辑后保存"]
    seen = b""
    time.sleep(0.5)
    for answer in answers:  # the terminal queues the lines; each prompt reads one
        os.write(primary, answer.encode() + b"\n")
    deadline = time.time() + 30
    while proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    try:
        while chunk := os.read(primary, 4096):
            seen += chunk
    except OSError:
        pass
    os.close(primary)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "问题类别" in text and "数据问题" in text
    assert "filed DR-1" in text
    issue = json.loads(cli(project, "show", "DR-1", "--json")[1])
    assert (issue["title"], issue["category"], issue["severity"]) == (
        "客户电话保存后丢失",
        "data_problem",
        "S2",
    )
    assert (issue["entity"], issue["record_key"]) == ("account", "KH0012")


def test_triage_sets_the_default_due_date_from_the_severity(project: Path) -> None:
    key = new_issue(project)
    assert json.loads(cli(project, "show", key, "--json")[1])["due_date"] is None
    cli(project, "move", key, "triaged", "--owner", "zhangwei", "--severity", "S2")
    issue = json.loads(cli(project, "show", key, "--json")[1])
    created = issue["created_at"][:10]
    from datetime import date, timedelta

    assert issue["due_date"] == (date.fromisoformat(created) + timedelta(days=3)).isoformat()
