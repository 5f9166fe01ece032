"""Services the CLI calls: one function per use case, handed its config and store.

``run_reconcile`` reads every source, reconciles each entity with the pure engine,
persists the run atomically and writes the reports. The clock is injected so output
can be made deterministic in tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dualrun import __version__
from dualrun.config import Config
from dualrun.errors import DualrunError, UsageError
from dualrun.reconcile.model import KINDS, EntityResult, discrepancy_dicts
from dualrun.reconcile.readers import ReadWarning
from dualrun.reconcile.sources import InputFile, SideData, load_side

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

    @property
    def discrepancy_count(self) -> int:
        return sum(e.discrepancies.height for e in self.entities)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(KINDS, 0)
        for entity in self.entities:
            for kind, count in entity.stats.counts.items():
                totals[kind] += count
        return totals

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
) -> RunResult:
    """Reconcile, persist atomically, write reports. A failure stores only the run record."""
    from dualrun.reconcile.engine import reconcile_entity
    from dualrun.store import open_store
    from dualrun.store import runs as run_store

    chosen = select_entities(config, entities)
    engine = open_store(config.store_url(db_url))
    started = clock()
    run_id = run_store.start_run(
        engine,
        started_at=started,
        config_path=str(config.path),
        config_hash=config.digest,
        tool_version=__version__,
        entities=chosen,
    )
    say = progress or (lambda _message: None)
    results: list[EntityResult] = []
    inputs: list[InputFile] = []
    warnings: list[ReadWarning] = []
    try:
        for name in chosen:
            entity = config.entities[name]
            say(f"{name}: reading manual side")
            manual = load_side(config, name, entity, "manual")
            say(f"{name}: reading CRM side")
            crm = load_side(config, name, entity, "crm")
            for side in (manual, crm):
                inputs.extend(side.inputs)
                warnings.extend(side.warnings)
            say(f"{name}: matching {manual.frame.height:,} × {crm.frame.height:,} rows")
            results.append(
                reconcile_entity(name, entity, config.project, _frame(manual), _frame(crm))
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
        say("writing results to the store")
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
    if out_dir is not None:
        say("writing reports")
        from dualrun.reports import write_run_reports

        reports = write_run_reports(result, config, out_dir, lang or config.project.lang)
        result = RunResult(**{**result.__dict__, "reports": reports})
    return result


def _frame(side: SideData) -> Any:
    return side.frame


def inputs_digest(config_hash: str, inputs: Sequence[InputFile]) -> str:
    """One hash over the config and every input's bytes: equal means the same observation."""
    digest = hashlib.sha256(config_hash.encode())
    for item in sorted(inputs, key=lambda i: (i.entity, i.side, i.path)):
        digest.update(f"{item.entity}|{item.side}|{item.path}|{item.sha256}".encode())
    return digest.hexdigest()


def default_out_dir(config: Config, when: datetime) -> Path:
    return config.base_dir / "reports" / when.strftime("%Y-%m-%d_%H%M%S")
