"""`dualrun readiness`, `signoff`, `accept-risk` and `cutover`: the cutover decision."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dualrun.cli.options import ConfigOption, DbOption, LangOption
from dualrun.errors import EXIT_FINDINGS, EXIT_NO_GO, EXIT_OK, UsageError

AsOption = Annotated[str | None, typer.Option("--as", help="Act as this person.")]


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(
            f"{option} {value!r} is not a date", hint="write it as YYYY-MM-DD"
        ) from exc


def readiness(
    config: ConfigOption = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write the report here.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html|md|json")] = "html",
    mask_pii: Annotated[
        bool, typer.Option("--mask-pii", help="Mask customer personal data (for outsiders).")
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Judge cutover readiness against the gates: exit 0 GO, 1 CONDITIONAL, 3 NO-GO."""
    from dualrun.config import load_config
    from dualrun.readiness_report import build_report, write_report

    loaded = load_config(config)
    if fmt not in ("html", "md", "json"):
        raise UsageError(f"unknown format {fmt!r}", hint="html, md or json")
    report = build_report(loaded, db, lang or loaded.project.lang, mask_pii=mask_pii)
    target = write_report(report, fmt, out)
    if target is not None:
        typer.echo(f"{report.readiness.overall}: {target}")
    code = {"GO": EXIT_OK, "CONDITIONAL": EXIT_FINDINGS}.get(report.readiness.overall, EXIT_NO_GO)
    raise typer.Exit(code)


def signoff(
    role: Annotated[str, typer.Option("--role", help="consultant or lead (or any role).")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    module: Annotated[str | None, typer.Option("--module", help="Default: every module.")] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Record a sign-off (the sign-off gate counts them)."""
    from dualrun.config import load_config
    from dualrun.service import utc_now
    from dualrun.store.readiness import add_signoff
    from dualrun.tracker import open_tracker

    tracker = open_tracker(load_config(config), db, login)
    add_signoff(
        tracker.engine, role=role, who=tracker.actor.login, module=module, at=utc_now(), note=note
    )
    typer.echo(f"signed off as {role}: {tracker.actor.login}")


def accept_risk(
    gate: Annotated[str, typer.Argument(help="The gate's id, as the scorecard shows it.")],
    owner: Annotated[str, typer.Option("--owner", help="Who answers for the risk.")],
    due: Annotated[str, typer.Option("--due", help="Until when: YYYY-MM-DD.")],
    note: Annotated[str, typer.Option("--note", help="Why the risk is acceptable.")],
    module: Annotated[str | None, typer.Option("--module", help="Default: every module.")] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Accept the risk of a failing soft gate until a date (leads only)."""
    from dualrun.config import load_config
    from dualrun.service import utc_now
    from dualrun.store.readiness import add_accepted_risk
    from dualrun.tracker import open_tracker

    loaded = load_config(config)
    tracker = open_tracker(loaded, db, login)
    tracker.require_lead("accept a risk")
    add_accepted_risk(
        tracker.engine,
        gate=gate,
        module=module,
        owner=owner,
        due=_day(due, "--due"),
        note=note,
        recorded_by=tracker.actor.login,
        at=utc_now(),
    )
    typer.echo(f"risk on gate {gate} accepted until {due}, owner {owner}")


def cutover(
    module: Annotated[str, typer.Argument(help="The module that stopped its spreadsheets.")],
    on: Annotated[str | None, typer.Option("--on", help="Date (default today).")] = None,
    carry_on: Annotated[
        list[str] | None, typer.Option("--carry-on", help="Issue keys to keep open.")
    ] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Record that a module cut over: no more comparing against its manual files."""
    from dualrun.config import load_config
    from dualrun.tracker import cut_over, open_tracker

    tracker = open_tracker(load_config(config), db, login)
    when = _day(on, "--on") if on else tracker.clock().date()
    closed = cut_over(tracker, module, when, carry_on or [])
    typer.echo(f"{module} is live since {when}; closed as cut_over: {', '.join(closed) or 'none'}")


def register(app: typer.Typer) -> None:
    app.command("readiness")(readiness)
    app.command("signoff")(signoff)
    app.command("accept-risk")(accept_risk)
    app.command("cutover")(cutover)


__all__ = ["LangOption", "register"]
