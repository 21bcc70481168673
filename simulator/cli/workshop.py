"""``bwsim workshop ...``: create, list, show, export and import workshops; join and save.

The database is ``--db`` (a SQLite file or a database URL), else
``BWSIM_WORKSHOP_DB``, else a file in the user's data folder.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from simulator.cli.common import atomic_file, reports_errors, unwritable_path_error
from simulator.errors import InputError, Problem
from simulator.io.output_paths import check_outputs, database_files
from simulator.workshop.codes import format_code
from simulator.workshop.database import default_location, sqlite_file
from simulator.workshop.exchange import export_text, import_workshop, read_export
from simulator.workshop.records import Notes
from simulator.workshop.store import WorkshopStore

if TYPE_CHECKING:
    import pandas as pd

    from simulator.workshop.compare import Comparison

app = typer.Typer(
    name="workshop",
    no_args_is_help=True,
    add_completion=False,
    help="Workshop mode: groups build futures at the same time, the facilitator compares them.",
)

DB_HELP = (
    "Workshop database: a SQLite file or a database URL "
    "(default: $BWSIM_WORKSHOP_DB or the data folder)."
)


def _db_option() -> str | None:
    return typer.Option(None, "--db", help=DB_HELP)


def read_text(path: Path) -> str:
    """A UTF-8 text file, or an :class:`InputError` that names it."""
    from simulator.io.input_file import read_input_bytes
    from simulator.io.yaml_file import MAX_FILE_BYTES

    try:  # regular files only, of bounded size (a FIFO or /dev/zero is refused by type)
        return read_input_bytes(path, MAX_FILE_BYTES, "model or scenario file").decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            Problem(str(path), "", "not a UTF-8 text file", "save it as UTF-8")
        ) from None


@app.command("create")
@reports_errors
def create(
    name: str = typer.Option(..., "--name", help="The workshop's name."),
    model: Path = typer.Option(..., "--model", help="Model file (YAML)."),
    scenario: list[Path] = typer.Option(
        [], "--scenario", help="A scenario to start from (repeatable)."
    ),
    db: str | None = _db_option(),
) -> None:
    """Create a workshop and print its join code."""
    texts = [read_text(p) for p in scenario]
    with WorkshopStore(db) as store:
        workshop = store.create_workshop(
            name,
            read_text(model),
            texts,
            model_source=str(model),
            scenario_sources=[str(p) for p in scenario],
        )
        typer.echo(f"workshop '{workshop.name}' created in {store.where}")
    typer.echo(f"join code: {format_code(workshop.code)}")


@app.command("list")
@reports_errors
def list_(db: str | None = _db_option()) -> None:
    """List the workshops in the database with their codes and counts."""
    with WorkshopStore(db) as store:
        items = store.list_workshops()
    if not items:
        typer.echo("no workshops yet")
    for item in items:
        typer.echo(
            f"{item.code}  {item.name}  (model {item.model_name}; {item.n_groups} groups, "
            f"{item.n_futures} futures, {item.n_versions} versions; created {item.created_at[:16]})"
        )


NOTE_FIELDS = {"question": "question", "expectation": "expected", "found": "found", "decision": "would decide"}
"""A future's note fields and how ``show`` names them."""


@app.command("show")
@reports_errors
def show(code: str = typer.Argument(..., help="Join code."), db: str | None = _db_option()) -> None:
    """Show a workshop: groups, futures and their versions, and model changes."""
    with WorkshopStore(db) as store:
        workshop = store.workshop(code)
        current = store.current_model(code)
        groups, versions = store.groups(code), store.versions(code)
        starts = store.start_scenarios(code)
    typer.echo(
        f"{workshop.name}  [{format_code(workshop.code)}]  model {current.name} "
        f"(sha256 {current.sha256[:12]})"
    )
    typer.echo("start scenarios: " + (", ".join(s.name for s in starts) or "none"))
    for group in groups:
        typer.echo(f"- {group}")
        for item in (v for v in versions if v.group == group):
            changed = "" if item.model_sha256 == current.sha256 else "  [model changed since]"
            typer.echo(f"    {item.future}  v{item.version}  {item.created_at[:19]}{changed}")
            for field, text in NOTE_FIELDS.items():
                value = getattr(item.notes, field)
                if value:
                    short = " ".join(value.split())
                    typer.echo(f"        {text}: {short[:100]}{'…' if len(short) > 100 else ''}")


@app.command("export")
@reports_errors
def export(
    code: str = typer.Argument(..., help="Join code."),
    out: Path = typer.Option(..., "--out", help="JSON file to write."),
    db: str | None = _db_option(),
) -> None:
    """Export a whole workshop (all futures, all versions) as one JSON file."""
    database = sqlite_file(db or default_location())
    inputs = database_files(database) if database is not None else {}
    check_outputs([out], inputs)
    with WorkshopStore(db) as store:
        text = export_text(store, code)
    try:
        with atomic_file(out, inputs) as staging:
            staging.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise unwritable_path_error(out, exc) from None
    typer.echo(f"wrote {out}")


@app.command("import")
@reports_errors
def import_(
    path: Path = typer.Argument(..., help="A file written by 'bwsim workshop export'."),
    new_code: bool = typer.Option(False, "--new-code", help="Draw a new join code."),
    db: str | None = _db_option(),
) -> None:
    """Import an exported workshop as a new workshop (keeps its code when free)."""
    data = read_export(path)
    with WorkshopStore(db) as store:
        workshop = import_workshop(store, data, keep_code=not new_code)
    typer.echo(f"imported '{workshop.name}'; join code: {format_code(workshop.code)}")


@app.command("join")
@reports_errors
def join(
    code: str = typer.Argument(..., help="Join code."),
    group: str = typer.Option(..., "--group", help="Group name."),
    db: str | None = _db_option(),
) -> None:
    """Join a workshop as a group."""
    with WorkshopStore(db) as store:
        name = store.join(code, group)
    typer.echo(f"joined as '{name}'")


@app.command("save")
@reports_errors
def save(
    code: str = typer.Argument(..., help="Join code."),
    group: str = typer.Option(..., "--group", help="Group name (joined)."),
    future: str = typer.Option(..., "--future", help="The future's name."),
    scenario: Path = typer.Option(..., "--scenario", help="Scenario file (YAML) with the future."),
    question: str = typer.Option("", help="Note: our question."),
    expectation: str = typer.Option("", help="Note: what we expected."),
    found: str = typer.Option("", help="Note: what we found."),
    decision: str = typer.Option("", help="Note: what we would decide."),
    db: str | None = _db_option(),
) -> None:
    """Save a new version of a group's future from a scenario file."""
    with WorkshopStore(db) as store:
        saved = store.save_future(
            code, group, future, read_text(scenario), Notes(question, expectation, found, decision)
        )
    typer.echo(f"saved '{saved.future}' of '{saved.group}' as version {saved.version}")


@app.command("update-model")
@reports_errors
def update_model(
    code: str = typer.Argument(..., help="Join code."),
    model: Path = typer.Option(..., "--model", help="The new model file (YAML)."),
    db: str | None = _db_option(),
) -> None:
    """Give the workshop a new model version (saved futures keep the one they were made with)."""
    with WorkshopStore(db) as store:
        version = store.add_model(code, read_text(model), str(model))
    typer.echo(f"current model: {version.name} (sha256 {version.sha256[:12]})")


def _print_futures(comparison: Comparison, card: pd.DataFrame, outcome: str) -> None:
    """The outcome's change per future; a line for each future that failed, with why."""
    failed = comparison.failed
    for run in comparison.runs:
        if run.version.label not in failed:
            for problem in run.problems:
                typer.echo(f"note: {problem}")
    typer.echo(f"{outcome}: change per future")
    for row in card[card.node == outcome].itertuples():
        typer.echo(f"  {row.future:<50} {row.delta:>+12.4g} {row.unit}")
    for label, reason in failed.items():
        typer.echo(f"  {label:<50} failed: {reason}")


@app.command("compare")
@reports_errors
def compare(
    code: str = typer.Argument(..., help="Join code."),
    outcome: str = typer.Option(..., "--outcome", help="Node id of the outcome to rank links by."),
    year: float | None = typer.Option(None, help="Year of the comparison (default: the end)."),
    top: int = typer.Option(10, help="How many disputed links to print."),
    db: str | None = _db_option(),
) -> None:
    """Compare the groups' latest futures: the outcome per future and the links they disagree on."""
    from simulator.workshop.compare import compare_workshop, disputed_links, model_changes, scorecard

    with WorkshopStore(db) as store:
        comparison = compare_workshop(store, code)
    if outcome not in comparison.model.spec.node_ids:
        raise InputError(Problem("", "--outcome", f"the model has no node '{outcome}'"))
    if not comparison.runs:
        typer.echo("no futures to compare yet")
        return
    _print_futures(comparison, scorecard(comparison, year), outcome)
    if not comparison.comparable:
        return
    changes = model_changes(comparison, outcome, year)
    if len(changes):
        typer.echo("made with an earlier model version (compared above on the current model):")
        for row in changes.itertuples():
            own = "cannot run" if math.isnan(row.on_own_model) else f"{row.on_own_model:+.4g}"
            now = "cannot run" if math.isnan(row.on_current_model) else f"{row.on_current_model:+.4g}"
            typer.echo(f"  {row.future:<50} on model {row.made_with}: {own}   on the current model: {now}")
    table = disputed_links(comparison, outcome, year=year)
    typer.echo(
        "links the futures disagree on, by their effect on the outcome:"
        if len(table)
        else "the futures agree on every link"
    )
    for row in table.head(top).itertuples():
        effect = (
            f"moves {outcome} by {row.effect:.4g} "
            f"(lowest: {row.low_future}, highest: {row.high_future})"
            if row.effect
            else f"no effect on {outcome}"
        )
        if row.failed:
            effect += f"; the run blows up with the weight of {', '.join(row.failed)}"
        typer.echo(f"  {row.link:<45} weights {row.weight_low:g}..{row.weight_high:g}  {effect}")
