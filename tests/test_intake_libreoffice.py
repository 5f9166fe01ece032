"""A form filled in and saved by LibreOffice Calc still imports.

The fixture ``fixtures/form_saved_by_libreoffice.xlsx`` was made once by this file's
``make_fixture`` (our template, filled with openpyxl as in test_intake.py, then opened
and saved again by ``libreoffice --headless --convert-to xlsx``), so the suite needs no
office suite. LibreOffice recalculates on save, so the formula cell that openpyxl left
without a value now has one: that row is filed instead of rejected.
    .venv/bin/python tests/test_intake_libreoffice.py   # remakes the fixture
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from conftest import CONFIG, run_cli, write_project
from test_intake import PEOPLE, fill

FIXTURE = Path(__file__).parent / "fixtures" / "form_saved_by_libreoffice.xlsx"


def make_fixture() -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "install Debian's libreoffice-calc to remake the fixture"
    with tempfile.TemporaryDirectory() as folder:
        project = write_project(Path(folder) / "p", config=CONFIG + PEOPLE)
        form = Path(folder) / "form.xlsx"
        result = run_cli("issues", "template", "-o", str(form), "-c", str(project))
        assert result.code == 0, result.err
        fill(form)
        out = Path(folder) / "lo"
        subprocess.run(
            [
                office,
                "--headless",
                f"-env:UserInstallation=file://{folder}/profile",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out),
                str(form),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        FIXTURE.parent.mkdir(exist_ok=True)
        shutil.copyfile(out / "form.xlsx", FIXTURE)


def test_a_form_saved_by_libreoffice_imports(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", config=CONFIG + PEOPLE)
    form = tmp_path / "问题反馈表.xlsx"
    shutil.copyfile(FIXTURE, form)
    result = run_cli("issues", "import", str(form), "-c", str(project), "--as", "lisi")
    assert result.code == 1, result.err  # the planted bad rows are still rejected
    assert "4 created, 0 unchanged, 4 rejected" in result.out, result.out
    assert "data problm" in result.out and "S5" in result.out
    again = run_cli("issues", "import", str(form), "-c", str(project), "--as", "lisi")
    assert "0 created, 4 unchanged, 4 rejected" in again.out, again.out


if __name__ == "__main__":
    make_fixture()
    print(f"wrote {FIXTURE}")
