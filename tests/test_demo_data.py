"""The demo project in examples/demo: generated deterministically, committed as generated,
and its expected.json consistent with its own files (and with dualrun's engine).

The generator is ``examples/make_demo.py`` (``make_demo(target)``); the counts in
expected.json come from its bookkeeping, so here they are checked against the files
themselves, counted independently with openpyxl and the csv module.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DEMO = EXAMPLES / "demo"
NIGHTS = [f"night-{n}" for n in range(1, 6)]
ENTITIES = ["account", "opportunity", "case"]
KINDS = [
    "missing_in_crm",
    "missing_in_manual",
    "field_mismatch",
    "duplicate",
    "ambiguous_match",
    "unkeyed_row",
]
# Files a user's own run leaves in the demo folder; not part of the generated demo.
RUN_LEFTOVERS = re.compile(r"^(dualrun\.db.*|reports/.*)$")
TOTAL_ROW = re.compile(r"^\s*(合计|总计|小计)")


def load_generator() -> ModuleType:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module("make_demo")


make_demo: Callable[[Path], dict[str, Any]] = load_generator().make_demo


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo")
    make_demo(target)
    return target


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))
    return document


def demo_files(root: Path) -> list[str]:
    names = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(n for n in names if not RUN_LEFTOVERS.match(n))


def xlsx_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's cell values (hidden sheets too), keyed by sheet name and visibility."""
    workbook = load_workbook(path)
    return {
        f"{sheet.title} ({sheet.sheet_state})": list(sheet.iter_rows(values_only=True))
        for sheet in workbook.worksheets
    }


def assert_same_demo(left: Path, right: Path, *, xlsx_bytes: bool) -> None:
    assert demo_files(left) == demo_files(right)
    for name in demo_files(left):
        a, b = left / name, right / name
        if name.endswith(".xlsx"):
            assert xlsx_values(a) == xlsx_values(b), name
            if xlsx_bytes:
                assert a.read_bytes() == b.read_bytes(), name
        else:
            assert a.read_bytes() == b.read_bytes(), name


def test_generator_is_deterministic(generated: Path, tmp_path: Path) -> None:
    make_demo(tmp_path)
    assert_same_demo(generated, tmp_path, xlsx_bytes=True)


def test_committed_demo_matches_a_fresh_generation(generated: Path) -> None:
    # xlsx bytes may differ with another zlib; the cell values may not.
    assert_same_demo(DEMO, generated, xlsx_bytes=False)


def test_night_1_files_sit_beside_the_config() -> None:
    for side in ("manual", "crm"):
        beside = DEMO / side
        night_1 = DEMO / "nights" / "night-1" / side
        assert sorted(p.name for p in beside.iterdir()) == sorted(p.name for p in night_1.iterdir())
        for path in night_1.iterdir():
            assert (beside / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_night_has_the_same_file_names() -> None:
    layouts = {night: demo_files(DEMO / "nights" / night) for night in NIGHTS}
    assert all(files == layouts["night-1"] for files in layouts.values())
    assert layouts["night-1"] == [
        "crm/Account.csv",
        "crm/Case.xlsx",
        "crm/Opportunity.csv",
        "manual/商机跟踪表.xlsx",
        "manual/客户台账.xlsx",
        "manual/服务工单登记.csv",
    ]


def test_config_is_valid_and_describes_three_entities() -> None:
    from dualrun.config import load_config

    config = load_config(DEMO / "dualrun.toml")
    assert config.project.lang == "zh"
    assert config.data.store.url is None  # the default SQLite file beside the config
    assert {name: e.module for name, e in config.entities.items()} == {
        "account": "SFA",
        "opportunity": "SFA",
        "case": "service",
    }
    account = config.entities["account"]
    assert account.match.key == ["customer_no"]
    assert account.match.fallback == [["phone"]]
    assert account.match.fuzzy is not None and account.match.fuzzy.block == ["city"]
    assert {f for f, spec in account.fields.items() if spec.pii} == {"contact", "phone", "email"}
    for entity in config.entities.values():
        assert entity.owner == "owner" and entity.record_id
        assert entity.fields["owner"].critical
    opportunity = config.entities["opportunity"].fields
    assert opportunity["amount"].critical and opportunity["amount"].tolerance_abs == 1.0
    assert (
        opportunity["stage"].critical and opportunity["stage"].map["谈判"] == "Negotiation/Review"
    )


# How to count data rows of each file without the generator: (path, encoding or key header).
SOURCES = {
    "account": {
        "manual": ("manual/客户台账.xlsx", "客户编号"),
        "crm": ("crm/Account.csv", "utf-8-sig"),
    },
    "opportunity": {
        "manual": ("manual/商机跟踪表.xlsx", "商机编号"),
        "crm": ("crm/Opportunity.csv", "gb18030"),
    },
    "case": {"manual": ("manual/服务工单登记.csv", "utf-8"), "crm": ("crm/Case.xlsx", "工单编号")},
}


def xlsx_data_rows(path: Path, key_header: str) -> int:
    """Rows below each visible sheet's header that are neither blank nor a 合计 row."""
    count = 0
    for sheet in load_workbook(path).worksheets:
        if sheet.sheet_state != "visible":
            continue
        rows = list(sheet.iter_rows(values_only=True))
        header = next(n for n, row in enumerate(rows) if key_header in row)
        for row in rows[header + 1 :]:
            cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
            if cells and not TOTAL_ROW.match(cells[0]):
                count += 1
    return count


def csv_data_rows(path: Path, encoding: str) -> int:
    with path.open(encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle))
    return sum(1 for row in rows[1:] if any(cell.strip() for cell in row))


def count_rows(night: Path, path: str, how: str) -> int:
    if path.endswith(".xlsx"):
        return xlsx_data_rows(night / path, how)
    return csv_data_rows(night / path, how)


@pytest.mark.parametrize("night", NIGHTS)
def test_expected_rows_match_the_files(expected: dict[str, Any], night: str) -> None:
    folder = DEMO / "nights" / night
    for entity, sides in SOURCES.items():
        counts = expected["nights"][night][entity]
        assert counts["rows_manual"] == count_rows(folder, *sides["manual"]), entity
        assert counts["rows_crm"] == count_rows(folder, *sides["crm"]), entity


def test_expected_counts_are_complete_and_tell_the_story(expected: dict[str, Any]) -> None:
    nights = expected["nights"]
    assert list(nights) == NIGHTS
    totals = []
    for night in NIGHTS:
        assert list(nights[night]) == ENTITIES
        for counts in nights[night].values():
            assert set(KINDS) <= set(counts)
            assert counts["identical_pairs"] <= counts["pairs"] <= counts["rows_manual"]
        totals.append(sum(c[k] for c in nights[night].values() for k in KINDS))
    for kind in KINDS:  # night 1: a typical early run shows every kind of finding
        assert sum(nights["night-1"][e][kind] for e in ENTITIES) > 0, kind
    assert totals[-1] <= 3 < totals[0]  # converging to nearly clean
    # Night 3's systemic error: many amount differences of one owner at once.
    assert nights["night-3"]["opportunity"]["field_mismatch"] > 30


def test_planted_md_lists_every_plant_of_every_night(expected: dict[str, Any]) -> None:
    text = (DEMO / "PLANTED.md").read_text(encoding="utf-8")
    sections = dict(zip(NIGHTS, re.split(r"^## Night \d\n", text, flags=re.M)[1:], strict=False))
    for night, entities in expected["planted"].items():
        for plants in entities.values():
            for plant in plants:
                assert f"| {plant['id']} |" in sections[night], (night, plant["id"])


def engine_counts(night: Path, entity_name: str) -> dict[str, int]:
    """Reconcile one entity of one night with dualrun's engine (no store, no reports)."""
    from dualrun.config import load_config
    from dualrun.reconcile.engine import reconcile_entity
    from dualrun.reconcile.sources import load_side

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copy(DEMO / "dualrun.toml", project / "dualrun.toml")
        for side in ("manual", "crm"):
            shutil.copytree(night / side, project / side)
        config = load_config(project / "dualrun.toml")
        entity = config.entities[entity_name]
        manual = load_side(config, entity_name, entity, "manual").frame
        crm = load_side(config, entity_name, entity, "crm").frame
        stats = reconcile_entity(entity_name, entity, config.project, manual, crm).stats
    return {
        "rows_manual": stats.rows_manual,
        "rows_crm": stats.rows_crm,
        "pairs": stats.pairs,
        "identical_pairs": stats.identical_pairs,
        **stats.counts,
    }


def engine_cases() -> list[Any]:
    return [
        pytest.param(night, entity, id=f"{night}-{entity}")
        for night in NIGHTS
        for entity in ENTITIES
    ]


@pytest.mark.parametrize(("night", "entity"), engine_cases())
def test_dualrun_finds_what_was_planted(expected: dict[str, Any], night: str, entity: str) -> None:
    got = engine_counts(DEMO / "nights" / night, entity)
    assert got == expected["nights"][night][entity]
