"""Generate the dualrun demo project: five nights of a CRM parallel run (双线运行).

Usage::

    .venv/bin/python examples/make_demo.py            # (re)writes examples/demo/
    .venv/bin/python examples/make_demo.py OUT_DIR    # writes OUT_DIR instead

``make_demo(target)`` writes under ``target``:

* ``dualrun.toml`` - the project's config: entities ``account`` (客户), ``opportunity``
  (商机) and ``case`` (服务工单);
* ``nights/night-N/manual/`` and ``nights/night-N/crm/`` - the complete files of night N
  (the same file names every night), for a replay that copies them beside the config;
* ``manual/`` and ``crm/`` beside the config - night 1's files, so that
  ``dualrun check -c examples/demo/dualrun.toml`` works on a fresh checkout;
* ``PLANTED.md`` - every planted difference per night (what, where, expected
  classification) and every messy format that must *not* count as a difference;
* ``expected.json`` - the expected counts per night and entity;
* ``README.md`` - what the demo shows.

The work is done by the ``demo_maker`` package beside this file. The expected counts
come from its own bookkeeping of what it planted (``demo_maker.nights``), never from
running dualrun. All data is drawn
from seeded random generators, so every run writes the same output: text and CSV files
byte for byte, xlsx files cell for cell (and byte for byte too, because the zip entry
times and the document dates that openpyxl takes from the clock are pinned).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # demo_maker beside this file

from demo_maker.config_text import config_text
from demo_maker.docs import counts_table, planted_markdown, plants_json, readme_text
from demo_maker.files import WRITERS, Locations
from demo_maker.master import build_master
from demo_maker.nights import NightPlan, expected_counts, plan_night
from demo_maker.plants import build_plants
from demo_maker.records import ENTITIES, KINDS, NIGHTS, SEED


def make_demo(target: Path) -> dict[str, Any]:
    """Write the whole demo project under ``target``; return the contents of expected.json."""
    target = Path(target)
    master = build_master()
    plants = build_plants(master)
    plans: dict[int, dict[str, NightPlan]] = {}
    locations: dict[int, Locations] = {}
    expected: dict[str, dict[str, dict[str, int]]] = {}
    for folder in ("nights", "manual", "crm"):
        shutil.rmtree(target / folder, ignore_errors=True)
    for night in NIGHTS:
        night_dir = target / "nights" / f"night-{night}"
        manual_dir, crm_dir = night_dir / "manual", night_dir / "crm"
        manual_dir.mkdir(parents=True)
        crm_dir.mkdir(parents=True)
        plans[night], locations[night] = {}, {}
        expected[f"night-{night}"] = {}
        for entity in ENTITIES:
            plan = plan_night(entity, master, plants, night)
            plans[night][entity] = plan
            expected[f"night-{night}"][entity] = expected_counts(plan)
            for row in WRITERS[entity](plan, manual_dir, crm_dir):
                locations[night].setdefault((row.side, row.key), []).append(row.where)
    for side in ("manual", "crm"):
        shutil.copytree(target / "nights" / "night-1" / side, target / side)
    document = {
        "generator": "examples/make_demo.py",
        "seed": SEED,
        "kinds": list(KINDS),
        "nights": expected,
        "planted": {f"night-{n}": {e: plants_json(plans[n][e]) for e in ENTITIES} for n in NIGHTS},
    }
    (target / "expected.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (target / "dualrun.toml").write_text(config_text(), encoding="utf-8")
    (target / "README.md").write_text(readme_text(expected), encoding="utf-8")
    (target / "PLANTED.md").write_text(
        planted_markdown(plans, locations, expected), encoding="utf-8"
    )
    return document


def main(argv: Sequence[str]) -> int:
    """Write the demo into ``argv[0]`` (default: examples/demo) and print its counts."""
    target = Path(argv[0]) if argv else Path(__file__).resolve().parent / "demo"
    target.mkdir(parents=True, exist_ok=True)
    document = make_demo(target)
    for line in counts_table(document["nights"]):
        print(line)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
