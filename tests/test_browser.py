"""The reports as a person opens them: headless Chromium, no console errors, no requests.

Uses Debian's chromium (``.ci/run`` installs it) driven by playwright with its
``executable_path``; skipped with a reason where no chromium is installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from dualrun.demo import copy_demo, replay

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# In CI (.ci/run installs chromium) a missing browser is a failure, never a skip.
pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="no chromium on this machine"
)

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    project = copy_demo(tmp_path_factory.mktemp("b") / "demo")
    for night in replay(project):
        run_cli(
            "nightly",
            "-c",
            str(project / "dualrun.toml"),
            "--out",
            str(project / "reports" / night.name),
        )
    folder = project / "reports" / "night-5"
    return {"readiness": folder / "readiness.html", "run": folder / "run-5.html"}


@pytest.mark.parametrize("name", ["readiness", "run"])
def test_report_loads_offline_without_errors(
    name: str, reports: dict[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    page_url = reports[name].resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    shot = Path(__file__).parent.parent / "out" / f"{name}-report.png"
    shot.parent.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_url)
        page.wait_for_load_state("load")
        assert page.locator("h1").count() == 1
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert requests == [page_url]  # the page itself, nothing else
    assert errors == []
    assert shot.stat().st_size > 10_000
    print(f"\nscreenshot: {shot}")
