"""Services the CLI calls: one function per use case, handed its config and store.

``run_reconcile`` reads every source, reconciles each entity with the pure engine,
persists the run atomically and writes the reports. The clock is injected so output
can be made deterministic in tests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from dualrun import __version__
from dualrun.config import Config
from dualrun.errors import DualrunError, UsageError
from dualrun.reconcile.model import KINDS, EntityResult, discrepancy_dicts
from dualrun.reconcile.readers import ReadWarning
from dualrun.reconcile.sources import InputFile, SideData, load_side, resolve_paths
from dualrun.reports.worker import ReportProcess, WorkerFailed

SCHEMA_VERSION = 1
Clock = Callable[[], datetime]
Progress = Callable[[str], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunResult:
    """What one reconciliation run produced."""

    run_id: int
    started_at: datetime
    finished_at: datetime
    config_hash: str
    entities: tuple[EntityResult, ...]
    inputs: tuple[InputFile, ...]
    warnings: tuple[ReadWarning, ...]
    reports: dict[str, str] = field(default_factory=dict)
    # The findings as JSON (UTF-8), built while the store committed (``with_json``).
    discrepancies_json: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def discrepancy_count(self) -> int:
        return sum(e.discrepancies.height for e in self.entities)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(KINDS, 0)
        for entity in self.entities:
            for kind, count in entity.stats.counts.items():
                totals[kind] += count
        return totals

    def write_json(self, stream: BinaryIO) -> None:
        """The JSON document as UTF-8; equal to ``to_dict()`` but fast at scale."""
        head = json.dumps(self.to_dict(with_discrepancies=False), ensure_ascii=False, indent=2)
        stream.write((head[:-2] + ',\n  "discrepancies": ').encode())
        body = self.discrepancies_json
        stream.write(_discrepancies_json(self) if body is None else body)
        stream.write(b"\n}\n")

    def to_dict(self, *, with_discrepancies: bool = True) -> dict[str, Any]:
        document: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "config_hash": self.config_hash,
            "inputs": [
                {
                    "entity": i.entity,
                    "side": i.side,
                    "path": i.path,
                    "size": i.size,
                    "sha256": i.sha256,
                    "rows": i.rows,
                    "sheets": list(i.sheets),
                }
                for i in self.inputs
            ],
            "warnings": [
                {"file": w.file, "sheet": w.sheet, "row": w.row, "message": w.message}
                for w in self.warnings
            ],
            "counts": self.counts(),
            "entities": {e.entity: e.stats_dict() for e in self.entities},
            "reports": dict(self.reports),
        }
        if with_discrepancies:
            document["discrepancies"] = [
                item for e in self.entities for item in discrepancy_dicts(e.discrepancies)
            ]
        return document


def select_entities(config: Config, wanted: Sequence[str]) -> list[str]:
    names = list(config.entities)
    unknown = [w for w in wanted if w not in config.entities]
    if unknown:
        raise UsageError(f"unknown entity {unknown[0]!r}; the config declares: {', '.join(names)}")
    return list(wanted) or names


def run_reconcile(
    config: Config,
    *,
    entities: Sequence[str] = (),
    db_url: str | None = None,
    out_dir: Path | None = None,
    lang: str | None = None,
    clock: Clock = utc_now,
    progress: Progress | None = None,
    with_json: bool = False,
) -> RunResult:
    """Reconcile, persist atomically, write reports. A failure stores only the run record.

    ``with_json`` builds the findings' JSON text alongside the commit, for
    :meth:`RunResult.write_json`.
    """
    chosen = select_entities(config, entities)
    # Started first, so the child's imports overlap this process's own.
    worker = _report_process_for(config, chosen) if out_dir is not None else None
    say = progress or (lambda _message: None)
    # The run allocates many short-lived Python objects (rows for the store, report
    # cells) and no cycles worth collecting: the collector only costs time here.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        opened, early = _open_while_reading(config, db_url, chosen, bool(entities), clock, say)
        return _run(
            config,
            opened,
            early,
            _Wanted(out_dir=out_dir, lang=lang, with_json=with_json),
            worker,
            clock,
            say,
        )
    finally:
        if worker is not None:
            worker.stop()
        if gc_was_enabled:
            gc.enable()


@dataclass(frozen=True)
class _Opened:
    """The store, the entities still in their parallel run, and this run's record."""

    engine: Any
    chosen: list[str]
    run_id: int
    started: datetime


# What was read of the first entity while the store opened: its sides, or the error.
_Early = dict[tuple[str, str], SideData] | BaseException


def _open_while_reading(
    config: Config,
    db_url: str | None,
    chosen: list[str],
    explicit: bool,
    clock: Clock,
    say: Progress,
) -> tuple[_Opened, _Early]:
    """Open the store and start the run record while the first entity's files are read.

    The two do not depend on each other (SQLAlchemy's import and the schema check took
    ~0.2 s before a 1M-row read could start). The store decides: a store error is raised
    whatever the read gave, and a read error is only kept if the entity is still
    compared (to be recorded as the run's failure).
    """
    url = config.store_url(db_url)
    if _in_memory(url):
        # An in-memory database lives in the thread that opened it: open it here.
        return _open_run(config, url, chosen, explicit, clock), {}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        opening = pool.submit(_open_run, config, url, chosen, explicit, clock)
        say(f"{chosen[0]}: reading both sides")
        sides: dict[tuple[str, str], SideData] = {}
        early: _Early = sides
        try:
            _load_both(config, chosen[0], sides)
        except BaseException as exc:  # Ctrl-C too: recorded on the run once it exists
            early = exc
        opened = opening.result()
    if chosen[0] not in opened.chosen:
        early = {}  # its module has cut over: what was read is not compared
    return opened, early


def _in_memory(url: str) -> bool:
    """True for an SQLite URL without a file (``sqlite://``, ``sqlite:///:memory:``)."""
    if not url.startswith("sqlite"):
        return False
    rest = url.split("://", 1)[-1]
    database = rest[1:] if rest.startswith("/") else rest
    return database.split("?", 1)[0] in ("", ":memory:")


def _open_run(config: Config, url: str, chosen: list[str], explicit: bool, clock: Clock) -> _Opened:
    from dualrun.store import open_store
    from dualrun.store import runs as run_store

    engine = open_store(url)
    kept = _still_in_parallel_run(config, engine, chosen, explicit=explicit)
    started = clock()
    run_id = run_store.start_run(
        engine,
        started_at=started,
        config_path=str(config.path),
        config_hash=config.digest,
        tool_version=__version__,
        entities=kept,
    )
    return _Opened(engine, kept, run_id, started)


def _run(
    config: Config,
    opened: _Opened,
    early: _Early,
    wanted: _Wanted,
    worker: ReportProcess | None,
    clock: Clock,
    say: Progress,
) -> RunResult:
    from dualrun.reconcile.engine import reconcile_entity
    from dualrun.store import runs as run_store
    from dualrun.store.decisions import decisions_for

    engine, run_id, started = opened.engine, opened.run_id, opened.started
    results: list[EntityResult] = []
    loaded: dict[tuple[str, str], SideData] = {}  # sides read this run, for lookups
    inputs: list[InputFile] = []
    warnings: list[ReadWarning] = []
    try:
        if isinstance(early, BaseException):
            raise early
        loaded.update(early)
        for name in opened.chosen:
            entity = config.entities[name]
            if (name, "manual") not in loaded:
                say(f"{name}: reading both sides")
            manual, crm = _load_both(config, name, loaded)
            crm, lookup_warnings = _apply_lookups(config, name, crm, loaded)
            warnings.extend(lookup_warnings)
            for side in (manual, crm):
                inputs.extend(side.inputs)
                warnings.extend(side.warnings)
            say(f"{name}: matching {manual.frame.height:,} × {crm.frame.height:,} rows")
            results.append(
                reconcile_entity(
                    name,
                    entity,
                    config.project,
                    manual.frame,
                    crm.frame,
                    decisions_for(engine, name),
                )
            )
        finished = clock()
        result = RunResult(
            run_id=run_id,
            started_at=started,
            finished_at=finished,
            config_hash=config.digest,
            entities=tuple(results),
            inputs=tuple(inputs),
            warnings=tuple(warnings),
        )
        say("writing results to the store and the reports")
        with _Outputs(result, config, wanted, worker) as outputs:
            run_store.commit_run(
                engine,
                run_id,
                finished_at=finished,
                inputs=inputs,
                results=results,
                inputs_digest=inputs_digest(config.digest, inputs),
            )
    except (DualrunError, KeyboardInterrupt) as exc:
        reason = exc.render() if isinstance(exc, DualrunError) else "interrupted"
        run_store.fail_run(
            engine,
            run_id,
            finished_at=clock(),
            reason=reason,
            covered=[r.entity for r in results],
        )
        raise
    except Exception as exc:
        run_store.fail_run(engine, run_id, finished_at=clock(), reason=f"internal error: {exc!r}")
        raise
    return dataclasses.replace(
        result, reports=outputs.paths(), discrepancies_json=outputs.json_body()
    )


@dataclass(frozen=True)
class _Wanted:
    """What the caller wants out of a run besides the stored result."""

    out_dir: Path | None
    lang: str | None
    with_json: bool


# From this many bytes of input, the workbook is written by a child process. Measured
# (csv, best runs): 100k rows (34 MB) 1.21 s with the child vs 1.16 s without; 250k
# rows (87 MB) 1.63-1.67 s either way; 1M rows (347 MB) the child saves ~0.5 s.
REPORT_PROCESS_MIN_BYTES = 80_000_000


def _report_process_for(config: Config, chosen: Sequence[str]) -> ReportProcess | None:
    if _input_bytes(config, chosen) < REPORT_PROCESS_MIN_BYTES:
        return None
    from dualrun.reports import worker

    return worker.start()


def _input_bytes(config: Config, chosen: Sequence[str]) -> int:
    """The size of the files the run will read (what cannot be found counts 0)."""
    total = 0
    for name in chosen:
        entity = config.entities[name]
        for side, sources in (("manual", entity.manual), ("crm", entity.crm)):
            for source in sources:
                # What cannot be found counts 0 here: reading reports it properly.
                with contextlib.suppress(DualrunError, OSError):
                    paths = resolve_paths(config, source, name, side)
                    total += sum(path.stat().st_size for path in paths)
    return total


class _Outputs:
    """The reports and the JSON document's findings, produced while the store commits.

    The reports go to a child process when one was started for a big run (see
    :mod:`dualrun.reports.worker`), else to a thread; the JSON text is built on a thread
    (polars does that work outside the GIL). If the commit fails, the reports of the run
    that is not stored are removed.
    """

    def __init__(
        self,
        result: RunResult,
        config: Config,
        wanted: _Wanted,
        worker: ReportProcess | None,
    ):
        from concurrent.futures import Future, ThreadPoolExecutor

        from dualrun.reports import FORMATS, write_run_reports

        self._pool = ThreadPoolExecutor(max_workers=2)
        self._reports: Future[dict[str, str]] | None = None
        self._worker: ReportProcess | None = None
        self._json: Future[bytes] | None = None
        out_dir, lang = wanted.out_dir, wanted.lang or config.project.lang

        def write(formats: Sequence[str]) -> dict[str, str]:
            assert out_dir is not None
            return write_run_reports(result, config.project.name, out_dir, lang, formats)

        self._write = write
        if wanted.with_json:
            self._json = self._pool.submit(_discrepancies_json, result)
        if out_dir is not None:
            if worker is not None:
                self._worker = _handed_workbook(worker, result, out_dir, lang)
            if self._worker is None:
                self._reports = self._pool.submit(write, FORMATS)
        self._paths: dict[str, str] = {}
        self._error: OSError | None = None
        self._run_id = result.run_id

    def __enter__(self) -> _Outputs:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._finish(failed=exc_type is not None)
        finally:
            self._pool.shutdown(wait=True)

    def _finish(self, *, failed: bool) -> None:
        written: dict[str, str] = {}
        try:
            written = self._reports_written(failed=failed)
        except OSError as error:
            self._error = error
        if failed:  # leave no report of a run that is not stored
            for path in written.values():
                Path(path).unlink(missing_ok=True)
        else:
            self._paths = written

    def _reports_written(self, *, failed: bool) -> dict[str, str]:
        if self._worker is None:
            return {} if self._reports is None else self._reports.result()
        written: dict[str, str] = {}
        try:
            if not failed:
                written = self._write(["html"])  # while the child writes the workbook
            written |= self._worker.paths()
        except WorkerFailed:
            if not failed:
                written |= self._write(["xlsx"])
        finally:
            self._worker.stop()
        return {kind: written[kind] for kind in ("xlsx", "html") if kind in written}

    def json_body(self) -> bytes | None:
        """The ``discrepancies`` array as JSON, if it was asked for."""
        return None if self._json is None else self._json.result()

    def paths(self) -> dict[str, str]:
        """The reports written; raises if they could not be (the run itself is stored)."""
        if self._error is not None:
            raise UsageError(
                f"run {self._run_id} is stored, but its reports could not be written: "
                f"{self._error}",
                hint="check that the --out folder is writable",
            ) from self._error
        return self._paths


def _handed_workbook(
    worker: ReportProcess, result: RunResult, out_dir: Path, lang: str
) -> ReportProcess | None:
    """Build the workbook's sheets here and have ``worker`` write them; None if it cannot."""
    from dualrun.reports import report_path
    from dualrun.reports.run_xlsx import run_workbook_sheets

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        worker.send(run_workbook_sheets(result, lang), report_path(out_dir, result.run_id, "xlsx"))
    except (OSError, WorkerFailed):
        return None  # written here instead, where an OSError is reported as usual
    return worker


def _discrepancies_json(result: RunResult) -> bytes:
    from dualrun.reconcile.model import discrepancies_json

    frames = [e.discrepancies for e in result.entities if e.discrepancies.height]
    return discrepancies_json(pl.concat(frames)) if frames else b"[]"


def _still_in_parallel_run(
    config: Config, engine: Any, chosen: Sequence[str], *, explicit: bool
) -> list[str]:
    """Entities of a module that has cut over are no longer compared with manual files."""
    from dualrun.store.readiness import cutover_dates

    with engine.connect() as conn:
        live = cutover_dates(conn)
    kept = []
    for name in chosen:
        module = config.entities[name].module
        if module in live:
            if explicit:
                raise UsageError(
                    f"{name} belongs to module {module}, which cut over on {live[module]}: "
                    "its manual files are no longer compared"
                )
            continue
        kept.append(name)
    if not kept:
        raise UsageError("every module has cut over: there is nothing left to reconcile")
    return kept


def _load_both(
    config: Config, name: str, loaded: dict[tuple[str, str], SideData]
) -> tuple[SideData, SideData]:
    """Read the manual side, then the CRM side.

    One after the other on purpose: polars and fastexcel already use both cores, and two
    reads at once measured slower (1M-row csv pair: 1.39 s vs 1.29 s; xlsx + csv:
    10.9 s vs 9.3 s).
    """
    entity = config.entities[name]
    for side in ("manual", "crm"):
        if (name, side) not in loaded:  # read ahead, or as another entity's lookup
            loaded[(name, side)] = load_side(config, name, entity, side)
    return loaded[(name, "manual")], loaded[(name, "crm")]


def _apply_lookups(
    config: Config, name: str, crm: SideData, loaded: dict[tuple[str, str], SideData]
) -> tuple[SideData, list[ReadWarning]]:
    """Resolve the CRM side's reference fields through the entities they point to."""
    from dualrun.reconcile.lookup import resolve_lookup
    from dualrun.reconcile.prepare import plan_fields

    entity = config.entities[name]
    frame = crm.frame
    warnings: list[ReadWarning] = []
    for field_name, spec in entity.fields.items():
        if spec.lookup is None:
            continue
        other = spec.lookup.entity
        if (other, "crm") not in loaded:
            loaded[(other, "crm")] = load_side(config, other, config.entities[other], "crm")
        target = loaded[(other, "crm")].frame
        target_plans = plan_fields(config.entities[other], config.project, other)
        frame, unresolved = resolve_lookup(
            frame, field_name, target, target_plans[spec.lookup.by], spec.lookup.to
        )
        if unresolved:
            warnings.append(
                ReadWarning(
                    file=", ".join(i.path for i in crm.inputs),
                    sheet=None,
                    row=None,
                    message=f"{name}.{field_name}: {unresolved} value(s) match no {other} record "
                    f"by {spec.lookup.by}; compared as they are",
                )
            )
    return SideData(frame, crm.inputs, crm.warnings, crm.tables, crm.mapping), warnings


def inputs_digest(config_hash: str, inputs: Sequence[InputFile]) -> str:
    """One hash over the config and every input's bytes: equal means the same observation."""
    digest = hashlib.sha256(config_hash.encode())
    for item in sorted(inputs, key=lambda i: (i.entity, i.side, i.path)):
        digest.update(f"{item.entity}|{item.side}|{item.path}|{item.sha256}".encode())
    return digest.hexdigest()


def default_out_dir(config: Config, when: datetime) -> Path:
    return config.base_dir / "reports" / when.strftime("%Y-%m-%d_%H%M%S")
