"""The README stays true: its examples run, and every command it lists exists."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_cli

from dualrun.demo import copy_demo

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def example(name: str) -> list[str]:
    match = re.search(rf"<!-- readme-example: {name} -->\s*```sh\n(.*?)```", README, re.S)
    assert match, f"README has no example {name!r}"
    return [line for line in match.group(1).splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["issues", "own-data"])
def test_readme_example_runs(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_demo(tmp_path / "dualrun-demo")
    monkeypatch.chdir(tmp_path)
    for line in example(name):
        command, _, comment = line.partition("#")
        expected = re.search(r"exit (\d+)", comment)
        code = int(expected.group(1)) if expected else 0
        words = shlex.split(command)
        if words[0] == "cd":
            monkeypatch.chdir(Path.cwd() / words[1])
        elif words[0] == "export":
            variable, value = words[1].split("=", 1)
            monkeypatch.setenv(variable, value)
        elif words[0] == "dualrun":
            result = run_cli(*words[1:], env=dict(os.environ))
            assert result.code == code, f"{line}\n{result.err}"
        else:  # mkdir, cp, grep: the user's shell
            done = subprocess.run(command, shell=True, check=False, capture_output=True)
            assert done.returncode == code, f"{line}\n{done.stderr!r}"


def test_every_command_in_the_help_is_in_the_readme() -> None:
    import typer.main

    from dualrun.cli import app

    group = typer.main.get_command(app)
    commands = list(group.commands)  # type: ignore[attr-defined]
    for name in commands:
        assert f"dualrun {name}" in README or f"`{name}`" in README, name
    issues = typer.main.get_command(app).commands["issues"]  # type: ignore[attr-defined]
    for name in issues.commands:
        assert name in README, name
