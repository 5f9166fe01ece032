"""Big runs write their reports in a child process: same files, same failure handling.

The threshold is lowered so the small planted project takes the child-process path.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import openpyxl
import pytest

from dualrun import service
from dualrun.config import load_config
from dualrun.errors import UsageError
from dualrun.reports import worker
from dualrun.service import run_reconcile


def _sheets(path: str) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


def _run(project: Path, out: str, **options: object) -> service.RunResult:
    config = load_config(project)
    return run_reconcile(config, out_dir=project.parent / out, **options)  # type: ignore[arg-type]


def test_child_process_writes_the_same_reports_as_the_thread(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[worker.ReportProcess | None] = []
    real_start = worker.start

    def spy() -> worker.ReportProcess | None:
        started.append(real_start())
        return started[-1]

    replies: list[dict[str, str]] = []
    real_paths = worker.ReportProcess.paths

    def child_paths(self: worker.ReportProcess) -> dict[str, str]:
        replies.append(real_paths(self))  # raises if the child failed: no fallback here
        return replies[-1]

    in_thread = _run(project, "thread")
    monkeypatch.setattr(service, "REPORT_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(worker, "start", spy)
    monkeypatch.setattr(worker.ReportProcess, "paths", child_paths)
    in_child = _run(project, "child")

    assert started and started[0] is not None, "the child process path was not taken"
    assert replies == [{"xlsx": in_child.reports["xlsx"]}], "the child wrote no workbook"
    assert set(in_child.reports) == {"xlsx", "html"}
    assert _sheets(in_child.reports["xlsx"]) == _sheets(in_thread.reports["xlsx"])
    html_child = Path(in_child.reports["html"]).read_text(encoding="utf-8")
    html_thread = Path(in_thread.reports["html"]).read_text(encoding="utf-8")
    # Only the run number and times differ between the two runs.
    assert len(html_child) == pytest.approx(len(html_thread), abs=40)
    assert "C003" in html_child


def test_a_broken_child_falls_back_to_writing_in_process(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> worker.ReportProcess:
        import subprocess

        # A child that exits at once without a reply, like one killed by the OOM killer.
        process = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.exit(9)"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        return worker.ReportProcess(process)

    monkeypatch.setattr(service, "REPORT_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(worker, "start", broken)
    result = _run(project, "out")
    assert Path(result.reports["xlsx"]).stat().st_size > 0
    assert "C003" in Path(result.reports["html"]).read_text(encoding="utf-8")


def test_child_reply_for_os_errors_is_raised_in_the_parent(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A file where the report folder should be: the child cannot create the folder.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    monkeypatch.setattr(service, "REPORT_PROCESS_MIN_BYTES", 0)
    config = load_config(project)
    with pytest.raises(UsageError, match="reports could not be written"):
        run_reconcile(config, out_dir=blocker / "out")


def test_json_text_built_alongside_the_commit_equals_the_document(project: Path) -> None:
    result = _run(project, "out", with_json=True)
    assert result.discrepancies_json is not None
    streamed = io.BytesIO()
    result.write_json(streamed)
    document = json.loads(streamed.getvalue())
    assert document == json.loads(json.dumps(result.to_dict()))
    assert {d["kind"] for d in document["discrepancies"]} == {
        "field_mismatch",
        "missing_in_crm",
        "missing_in_manual",
    }


def test_when_the_commit_fails_no_report_of_the_run_is_left(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dualrun.errors import InputError
    from dualrun.store import runs

    def failing_commit(*_args: object, **_kwargs: object) -> None:
        raise InputError("the disk is full")

    monkeypatch.setattr(service, "REPORT_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(runs, "commit_run", failing_commit)
    with pytest.raises(InputError, match="the disk is full"):
        _run(project, "out")
    out = project.parent / "out"
    assert not out.exists() or not list(out.iterdir())
