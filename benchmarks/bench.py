"""Benchmark: dualrun end to end beside datacompy on the same generated files.

Generates realistic data (15 columns, Chinese text, ~2% missing per side, ~5% changed
rows, ~0.5% duplicate keys), then times, each in its own process with its peak memory:
  * `dualrun reconcile` end to end (read, normalise, match, diff, persist, reports);
  * datacompy (polars backend) merely reading and comparing the same files.
Run:  .venv/bin/python benchmarks/bench.py --rows 100000 1000000 [--xlsx] [--fuzzy]
          [--repeat N] [--peer-python /path/to/venv-with-datacompy/bin/python]
The machine is shared and noisy: compare ratios within one run, not absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚")
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "苏州"]
WORDS = list("星辰远航恒通华信云端天府金陵海纳博雅鼎盛瑞丰宏图安泰")
TRADES = ["科技", "贸易", "物流", "餐饮", "咨询", "制造", "医药", "传媒"]
SUFFIX = ["有限公司", "股份有限公司", ""]
STATUS = ["潜在", "跟进中", "已签约", "流失"]
INDUSTRY = ["制造业", "零售", "金融", "教育", "医疗", "互联网"]

CONFIG = """\
[project]
name = "benchmark"
lang = "en"

[entities.account]
module = "SFA"
owner = "owner"
record_id = "crm_id"

[[entities.account.manual]]
path = "{manual}"

[[entities.account.crm]]
path = "{crm}"

[entities.account.match]
key = ["code"]
{fuzzy}

[entities.account.fields]
code = {{ manual = "客户编号", crm = "Legacy_ID__c", type = "id" }}
crm_id = {{ crm = "Id", compare = false }}
name = {{ manual = "客户名称", crm = "Name", normalise = ["company_suffix"] }}
contact = {{ manual = "联系人", crm = "Contact_Name__c", pii = true }}
phone = {{ manual = "手机", crm = "Phone", type = "phone", pii = true }}
email = {{ manual = "邮箱", crm = "Email__c", type = "email", pii = true }}
city = {{ manual = "城市", crm = "BillingCity" }}
country = {{ manual = "国家", crm = "BillingCountry" }}
amount = {{ manual = "金额", crm = "AnnualRevenue", type = "amount", critical = true }}
created = {{ manual = "创建日期", crm = "CreatedDate", type = "date" }}
closed = {{ manual = "签约日期", crm = "Contract_Date__c", type = "date" }}
status = {{ manual = "状态", crm = "Status__c" }}
owner = {{ manual = "负责人", crm = "Owner_Name__c", critical = true }}
industry = {{ manual = "行业", crm = "Industry" }}
employees = {{ manual = "员工数", crm = "NumberOfEmployees", type = "number" }}
notes = {{ manual = "备注", crm = "Description", compare = false }}
"""

FUZZY = """\
[entities.account.match.fuzzy]
field = "name"
block = ["city"]
threshold = 90
"""


def generate(rows: int, seed: int = 42) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    pick = lambda items, n=rows: np.asarray(items, dtype=object)[rng.integers(0, len(items), n)]  # noqa: E731
    codes = np.char.add("C", np.char.zfill(np.arange(1, rows + 1).astype(str), 8))
    company = (
        pick(CITIES).astype(str)
        + pick(WORDS).astype(str)
        + pick(WORDS).astype(str)
        + pick(TRADES).astype(str)
        + pick(SUFFIX).astype(str)
    )
    contact = pick(SURNAMES).astype(str) + pick(GIVEN).astype(str)
    phone = np.char.add("13", rng.integers(100000000, 999999999, rows).astype(str))
    email = np.char.add(np.char.add("u", np.arange(rows).astype(str)), "@example.cn")
    base = np.datetime64("2020-01-01")
    created = base + rng.integers(0, 1500, rows).astype("timedelta64[D]")
    closed = created + rng.integers(0, 400, rows).astype("timedelta64[D]")
    manual = pl.DataFrame(
        {
            "客户编号": codes,
            "客户名称": company,
            "联系人": contact,
            "手机": phone,
            "邮箱": email,
            "城市": pick(CITIES).astype(str),
            "国家": ["中国"] * rows,
            "金额": np.round(rng.uniform(1000, 5_000_000, rows), 2).astype(str),
            "创建日期": pl.Series(created).dt.strftime("%Y/%-m/%-d"),
            "签约日期": pl.Series(closed).dt.strftime("%Y/%-m/%-d"),
            "状态": pick(STATUS).astype(str),
            "负责人": pick([s + g for s in SURNAMES[:8] for g in GIVEN[:5]]).astype(str),
            "行业": pick(INDUSTRY).astype(str),
            "员工数": rng.integers(1, 5000, rows).astype(str),
            "备注": pick(["", "重点客户", "需回访", "无"]).astype(str),
        }
    )
    crm = manual.rename(
        dict(
            zip(
                manual.columns,
                [
                    "Legacy_ID__c",
                    "Name",
                    "Contact_Name__c",
                    "Phone",
                    "Email__c",
                    "BillingCity",
                    "BillingCountry",
                    "AnnualRevenue",
                    "CreatedDate",
                    "Contract_Date__c",
                    "Status__c",
                    "Owner_Name__c",
                    "Industry",
                    "NumberOfEmployees",
                    "Description",
                ],
                strict=True,
            )
        )
    ).with_columns(
        pl.Series("CreatedDate", created).dt.strftime("%Y-%m-%dT02:00:00.000+0000"),
        pl.Series("Contract_Date__c", closed).dt.strftime("%Y-%m-%d"),
    )
    crm = crm.with_columns(
        pl.Series("Id", [f"0015g{n:013d}" for n in range(rows)]),
    )
    # ~5% of CRM rows changed in one field
    changed = rng.random(rows) < 0.05
    crm = crm.with_columns(
        pl.when(pl.Series(changed & (rng.random(rows) < 0.5)))
        .then(pl.col("AnnualRevenue").cast(pl.Float64).mul(1.1).round(2).cast(pl.String))
        .otherwise(pl.col("AnnualRevenue"))
        .alias("AnnualRevenue"),
        pl.when(pl.Series(changed & (rng.random(rows) >= 0.5)))
        .then(pl.lit("流失"))
        .otherwise(pl.col("Status__c"))
        .alias("Status__c"),
    )
    # ~2% missing on each side
    manual = manual.filter(pl.Series(rng.random(rows) >= 0.02))
    crm = crm.filter(pl.Series(rng.random(rows) >= 0.02))
    # ~0.5% duplicate keys (a copy of an existing row, on one side or the other)
    dup_m = manual.sample(fraction=0.0025, seed=seed)
    dup_c = crm.sample(fraction=0.0025, seed=seed + 1)
    manual = pl.concat([manual, dup_m]).sample(fraction=1.0, shuffle=True, seed=seed)
    crm = pl.concat([crm, dup_c]).sample(fraction=1.0, shuffle=True, seed=seed + 2)
    return manual, crm


def prepare(rows: int, xlsx: bool, fuzzy: bool) -> Path:
    folder = DATA / f"{rows}{'-xlsx' if xlsx else ''}{'-fuzzy' if fuzzy else ''}"
    config = folder / "dualrun.toml"
    manual_name = "manual.xlsx" if xlsx else "manual.csv"
    if not config.exists():
        folder.mkdir(parents=True, exist_ok=True)
        manual, crm = generate(rows)
        if fuzzy:  # drop the key of ~2% of manual rows: they must pair by name within city
            manual = manual.with_columns(
                pl.when(pl.int_range(pl.len()) % 50 == 0)
                .then(None)
                .otherwise(pl.col("客户编号"))
                .alias("客户编号")
            )
        if xlsx:
            from rustpy_xlsxwriter import FastExcel

            FastExcel(str(folder / manual_name)).sheet("台账", manual).save()
        else:
            manual.write_csv(folder / manual_name)
        crm.write_csv(folder / "crm.csv", include_bom=True)
        config.write_text(
            CONFIG.format(manual=manual_name, crm="crm.csv", fuzzy=FUZZY if fuzzy else ""),
            encoding="utf-8",
        )
    return folder


# Runs the command and samples the resident memory of its whole process tree every
# 20 ms (dualrun writes big workbooks from a child process: a tree's peak is the sum).
PEAK_WRAPPER = """
import os, resource, subprocess, sys, time
PAGE = os.sysconf("SC_PAGE_SIZE")
def tree_rss(root):
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return total
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = 0
while proc.poll() is None:
    peak = max(peak, tree_rss(proc.pid))
    time.sleep(0.02)
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(max(peak, largest) // 1024)
sys.exit(proc.returncode)
"""


def timed(command: list[str]) -> tuple[float, float, int]:
    """Seconds, peak RSS (MB, whole process tree) and exit code of a command."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, *command], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr[-3000:])
    peak_kb = int(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else 0
    return elapsed, peak_kb / 1024, proc.returncode


DATACOMPY = """
import sys, polars as pl, datacompy
from datacompy.polars import PolarsCompare
text = sys.argv[3] == "text"  # every column as text, or polars' own type inference
if sys.argv[1].endswith('.csv'):
    m = pl.read_csv(sys.argv[1], infer_schema=not text)
else:
    m = pl.read_excel(sys.argv[1], infer_schema_length=0 if text else 100)
c = pl.read_csv(sys.argv[2], infer_schema=not text)
c = c.rename(dict(zip(c.columns[:15], m.columns)))
cmp = PolarsCompare(m, c, join_columns=['客户编号'])
print(cmp.count_matching_rows())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--xlsx", action="store_true", help="manual side as xlsx")
    parser.add_argument("--fuzzy", action="store_true", help="2% of manual keys removed + fuzzy")
    parser.add_argument("--no-peers", action="store_true", help="skip datacompy")
    parser.add_argument(
        "--peer-python",
        default=sys.executable,
        help="python with datacompy installed (datacompy pins polars<2: keep it in its own venv)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time every tool this many times, taking turns (the machine is noisy)",
    )
    args = parser.parse_args()
    dualrun = str(Path(sys.executable).parent / "dualrun")
    results: list[dict[str, object]] = []
    for rows in args.rows:
        folder = prepare(rows, args.xlsx, args.fuzzy)
        commands = {"dualrun reconcile (end to end)": _dualrun_command(dualrun, folder)}
        if not args.no_peers and not args.fuzzy:
            manual = next(folder.glob("manual.*"))
            for mode in ("typed", "text"):
                commands[f"datacompy polars, {mode} columns (read + compare)"] = [
                    args.peer_python,
                    "-c",
                    DATACOMPY,
                    str(manual),
                    str(folder / "crm.csv"),
                    mode,
                ]
        runs: dict[str, list[tuple[float, float, int]]] = {tool: [] for tool in commands}
        for _ in range(args.repeat):
            for tool, command in commands.items():
                if tool.startswith("dualrun"):
                    _fresh_store(dualrun, folder)
                runs[tool].append(timed(command))
        for tool, timings in runs.items():
            seconds = sorted(t[0] for t in timings)
            results.append(
                {
                    "tool": tool,
                    "rows": rows,
                    "seconds": statistics.median(seconds),
                    "min": seconds[0],
                    "max": seconds[-1],
                    "peak_mb": max(t[1] for t in timings),
                    "exit": sorted({t[2] for t in timings}),
                }
            )
    kind = ("xlsx" if args.xlsx else "csv") + (" + fuzzy" if args.fuzzy else "")
    print(f"\n| rows × rows ({kind}) | tool | median s | min–max s (n={args.repeat}) | peak MB |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['tool']} | {r['seconds']:.2f} | "
            f"{r['min']:.2f}–{r['max']:.2f} | {r['peak_mb']:.0f} |"
        )
    print(json.dumps(results))


def _dualrun_command(dualrun: str, folder: Path) -> list[str]:
    return [
        dualrun,
        "reconcile",
        "-c",
        str(folder / "dualrun.toml"),
        "--db",
        f"sqlite:///{folder / 'bench.db'}",
        "--out",
        str(folder / "out"),
        "--json",
    ]


def _fresh_store(dualrun: str, folder: Path) -> None:
    """A nightly run meets a store that exists: create it first, outside the timing."""
    for stale in folder.glob("bench.db*"):
        stale.unlink()
    subprocess.run(
        [
            dualrun,
            "db",
            "upgrade",
            "-c",
            str(folder / "dualrun.toml"),
            "--db",
            f"sqlite:///{folder / 'bench.db'}",
        ],
        check=True,
        capture_output=True,
    )


if __name__ == "__main__":
    main()
