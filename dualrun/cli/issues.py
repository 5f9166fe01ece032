"""`dualrun issues …`: file, list, show, change and link issues, as the acting person."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dualrun.cli.options import (
    BlockerFilter,
    CategoryFilter,
    ConfigOption,
    DbOption,
    EntityFilter,
    KindFilter,
    LangOption,
    ModuleFilter,
    OverdueFilter,
    OwnerFilter,
    SeverityFilter,
    StatusFilter,
    TextFilter,
    UnownedFilter,
)
from dualrun.errors import UsageError

if TYPE_CHECKING:
    from dualrun.tracker import IssueFilter, Tracker

app = typer.Typer(
    help="Track issues: discrepancies and problems people report, to closure.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this person (default: DUALRUN_USER, else your login)."),
]
KeyArgument = Annotated[str, typer.Argument(help="The issue key, e.g. DR-42.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _tracker(config: Path | None, db: str | None, login: str | None) -> Tracker:
    from dualrun.config import load_config
    from dualrun.tracker import open_tracker

    return open_tracker(load_config(config), db, login)


def _date(value: str | None, option: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(
            f"{option} {value!r} is not a date", hint="write it as YYYY-MM-DD"
        ) from exc


def _text(value: str | None, file: Path | None) -> str | None:
    """Text from an option, or from -F FILE (- for standard input)."""
    if file is None:
        return value
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {file}: {exc.strerror}") from exc


def _done(changed: bool, key: str, what: str) -> None:
    typer.echo(f"{key}: {what}" if changed else f"{key}: already so, nothing changed")


@app.command("new")
def new(
    title: Annotated[str | None, typer.Option("--title", "-t", help="What went wrong.")] = None,
    category: Annotated[
        str | None,
        typer.Option(
            help="system_defect|data_problem|process_problem|operation_training|"
            "enhancement|question"
        ),
    ] = None,
    severity: Annotated[str | None, typer.Option(help="S1 (blocks cutover) … S4.")] = None,
    description: Annotated[str | None, typer.Option("--description", "-d")] = None,
    description_file: Annotated[
        Path | None, typer.Option("-F", "--file", help="Description from a file; - for stdin.")
    ] = None,
    module: Annotated[str | None, typer.Option(help="Module, e.g. SFA.")] = None,
    entity: Annotated[str | None, typer.Option(help="Entity, e.g. account.")] = None,
    record: Annotated[str | None, typer.Option(help="The record concerned (its key).")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner login (default: routing).")] = None,
    due: Annotated[str | None, typer.Option(help="Due date YYYY-MM-DD.")] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Repeatable.")] = None,
    workaround: Annotated[str | None, typer.Option(help="What users do meanwhile.")] = None,
    blocks_cutover: Annotated[bool, typer.Option("--blocks-cutover")] = False,
    as_json: JsonOption = False,
    login: AsOption = None,
    lang: LangOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """File an issue. Run bare on a terminal, it asks step by step."""
    tracker = _tracker(config, db, login)
    body = _text(description, description_file)
    if title is None:
        if not sys.stdin.isatty():
            raise UsageError("--title is required", hint='dualrun issues new --title "…"')
        from dualrun.cli.wizard import ask_new_issue

        answers = ask_new_issue(tracker, lang or tracker.config.project.lang)
        key = tracker.new(**answers)
    else:
        key = tracker.new(
            title=title,
            category=category,
            severity=severity,
            description=body or "",
            module=module,
            entity=entity,
            record_key=record,
            owner=owner,
            due_date=_date(due, "--due"),
            labels=label or [],
            workaround=workaround,
            blocks_cutover=blocks_cutover,
        )
    if as_json:
        import json

        typer.echo(json.dumps({"key": key}))
    else:
        typer.echo(f"filed {key}")


@app.command("list")
def list_issues(
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    unowned: UnownedFilter = False,
    severity: SeverityFilter = None,
    kind: KindFilter = None,
    category: CategoryFilter = None,
    module: ModuleFilter = None,
    entity: EntityFilter = None,
    blocker: BlockerFilter = False,
    overdue: OverdueFilter = False,
    text: TextFilter = None,
    created_since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    updated_since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    sort: Annotated[str, typer.Option(help="key|severity|due|updated|owner|status")] = "key",
    fmt: Annotated[str, typer.Option("--format", help="table|csv|json")] = "table",
    as_json: JsonOption = False,
    login: AsOption = None,
    lang: LangOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """List issues (unresolved by default), filtered and sorted."""
    from dualrun.cli.issue_render import print_issue_list

    tracker = _tracker(config, db, login)
    rows = tracker.list(
        issue_filter(
            status,
            owner,
            unowned,
            severity,
            kind,
            category,
            module,
            entity,
            blocker,
            overdue,
            text,
            created_since,
            updated_since,
            sort,
        )
    )
    print_issue_list(rows, "json" if as_json else fmt, lang or tracker.config.project.lang)


def issue_filter(
    status: list[str] | None,
    owner: str | None,
    unowned: bool,
    severity: list[str] | None,
    kind: str | None,
    category: str | None,
    module: str | None,
    entity: str | None,
    blocker: bool,
    overdue: bool,
    text: str | None,
    created_since: str | None = None,
    updated_since: str | None = None,
    sort: str = "key",
) -> IssueFilter:
    """The tracker's filter from the shared filter options (``cli/options.py``)."""
    from dualrun.tracker import IssueFilter

    statuses = tuple(status or ())
    return IssueFilter(
        statuses=tuple(s for s in statuses if s != "all"),
        all_statuses="all" in statuses,
        owner=owner,
        unowned=unowned,
        severity=tuple(severity or ()),
        kind=kind,
        category=category,
        module=module,
        entity=entity,
        blocker=blocker,
        overdue=overdue,
        text=text,
        created_since=_date(created_since, "--created-since"),
        updated_since=_date(updated_since, "--updated-since"),
        sort=sort,
    )


@app.command("show")
def show(
    key: KeyArgument,
    as_json: JsonOption = False,
    login: AsOption = None,
    lang: LangOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Show one issue with its comments, links and full journal."""
    from dualrun.cli.issue_render import print_issue

    tracker = _tracker(config, db, login)
    print_issue(tracker.show(key), as_json, lang or tracker.config.project.lang)


@app.command("edit")
def edit(
    key: KeyArgument,
    title: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option("--description", "-d")] = None,
    description_file: Annotated[Path | None, typer.Option("-F", "--file")] = None,
    severity: Annotated[str | None, typer.Option()] = None,
    category: Annotated[str | None, typer.Option(help="New category.")] = None,
    due: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    workaround: Annotated[str | None, typer.Option()] = None,
    blocks_cutover: Annotated[
        bool | None, typer.Option("--blocks-cutover/--no-blocks-cutover")
    ] = None,
    label: Annotated[list[str] | None, typer.Option("--label", help="Replaces the labels.")] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Change an issue's fields."""
    changes: dict[str, Any] = {}
    body = _text(description, description_file)
    for name, value in (
        ("title", title),
        ("description", body),
        ("severity", severity),
        ("category", category),
        ("workaround", workaround),
        ("blocks_cutover", blocks_cutover),
    ):
        if value is not None:
            changes[name] = value
    if due is not None:
        changes["due_date"] = _date(due, "--due")
    if label is not None:
        changes["labels"] = list(label)
    if not changes:
        raise UsageError("nothing to change", hint="see `dualrun issues edit --help`")
    _done(_tracker(config, db, login).edit(key, changes), key.upper(), "updated")


@app.command("assign")
def assign(
    key: KeyArgument,
    person: Annotated[str, typer.Argument(help="The new owner's login.")],
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Give an issue an owner."""
    _done(
        _tracker(config, db, login).edit(key, {"owner": person}), key.upper(), f"owner is {person}"
    )


@app.command("comment")
def comment(
    key: KeyArgument,
    text: Annotated[str | None, typer.Argument(help="The comment.")] = None,
    text_file: Annotated[Path | None, typer.Option("-F", "--file")] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Add a comment."""
    body = _text(text, text_file)
    if body is None:
        raise UsageError("give the comment text, or -F FILE")
    _tracker(config, db, login).comment(key, body)
    typer.echo(f"{key.upper()}: comment added")


@app.command("move")
def move(
    key: KeyArgument,
    status: Annotated[str, typer.Argument(help="The new status.")],
    resolution: Annotated[str | None, typer.Option(help="For resolved/closed.")] = None,
    owner: Annotated[str | None, typer.Option(help="Set the owner on the way.")] = None,
    severity: Annotated[str | None, typer.Option(help="Set the severity on the way.")] = None,
    consultant: Annotated[str | None, typer.Option(help="For escalated.")] = None,
    accepted_by: Annotated[str | None, typer.Option(help="For accepted.")] = None,
    until: Annotated[str | None, typer.Option(help="For accepted: YYYY-MM-DD.")] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Move an issue to another status (the lifecycle in the config decides which)."""
    changes: dict[str, Any] = {}
    for name, value in (
        ("resolution", resolution),
        ("owner", owner),
        ("severity", severity),
        ("escalated_to", consultant),
        ("accepted_by", accepted_by),
    ):
        if value is not None:
            changes[name] = value
    if until is not None:
        changes["accepted_until"] = _date(until, "--until")
    changed = _tracker(config, db, login).move(key, status, changes)
    _done(changed, key.upper(), f"now {status}")


@app.command("escalate")
def escalate(
    key: KeyArgument,
    consultant: Annotated[str, typer.Argument(help="The consultant's login.")],
    ref: Annotated[str | None, typer.Option("--ref", help="Their ticket reference.")] = None,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Escalate to the implementation consultants; their time is counted apart."""
    changed = _tracker(config, db, login).escalate(key, consultant, ref)
    _done(changed, key.upper(), f"escalated to {consultant}")


@app.command("link")
def link(
    key: KeyArgument,
    kind: Annotated[str, typer.Argument(help="duplicate_of|related_to|caused_by")],
    target: Annotated[str, typer.Argument(help="The other issue's key.")],
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Link two issues."""
    changed = _tracker(config, db, login).link(key, kind, target)
    _done(changed, key.upper(), f"{kind} {target.upper()}")


@app.command("watch")
def watch(
    key: KeyArgument,
    off: Annotated[bool, typer.Option("--off", help="Stop watching.")] = False,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Watch an issue (or stop, with --off)."""
    changed = _tracker(config, db, login).watch(key, not off)
    _done(changed, key.upper(), "not watched" if off else "watched")


@app.command("bulk")
def bulk(
    status: StatusFilter = None,
    owner: OwnerFilter = None,
    unowned: UnownedFilter = False,
    severity: SeverityFilter = None,
    kind: KindFilter = None,
    category: CategoryFilter = None,
    module: ModuleFilter = None,
    entity: EntityFilter = None,
    blocker: BlockerFilter = False,
    overdue: OverdueFilter = False,
    text: TextFilter = None,
    to_status: Annotated[str | None, typer.Option("--move", help="Move every match here.")] = None,
    resolution: Annotated[str | None, typer.Option(help="With --move resolved/closed.")] = None,
    assign_to: Annotated[str | None, typer.Option("--assign", help="New owner login.")] = None,
    set_severity: Annotated[str | None, typer.Option("--set-severity")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, change nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="No confirmation.")] = False,
    login: AsOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Change every issue a filter selects (--dry-run first; asks unless --yes)."""
    from dualrun.errors import DualrunError

    actions = [a for a in (to_status, assign_to, set_severity) if a is not None]
    if len(actions) != 1:
        raise UsageError("give exactly one of --move, --assign, --set-severity")
    tracker = _tracker(config, db, login)
    rows = tracker.list(
        issue_filter(
            status,
            owner,
            unowned,
            severity,
            kind,
            category,
            module,
            entity,
            blocker,
            overdue,
            text,
        )
    )
    what = (
        f"move to {to_status}"
        if to_status
        else f"assign to {assign_to}"
        if assign_to
        else f"set severity {set_severity}"
    )
    for row in rows:
        typer.echo(f"  {row['key']}  {row['status']:12} {row['title']}")
    typer.echo(f"{len(rows)} issue(s) would be changed: {what}")
    if dry_run or not rows:
        return
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("confirm with --yes (no terminal to ask on)")
        typer.confirm("apply?", abort=True)
    refused = 0
    for row in rows:
        try:
            if to_status:
                extra = {"resolution": resolution} if resolution else {}
                changed = tracker.move(row["key"], to_status, extra)
            elif assign_to:
                changed = tracker.edit(row["key"], {"owner": assign_to})
            else:
                changed = tracker.edit(row["key"], {"severity": set_severity})
            typer.echo(f"  {row['key']}: {'changed' if changed else 'already so'}")
        except DualrunError as error:
            refused += 1
            typer.echo(f"  {row['key']}: refused: {error.message}")
    typer.echo(f"{len(rows) - refused} applied, {refused} refused")
    if refused:
        raise typer.Exit(1)
