"""``bwsim workshop ...``: create, list, show, export and import workshops; join and save.

The database is ``--db`` (a SQLite file or a database URL), else
``BWSIM_WORKSHOP_DB``, else a file in the user's data folder.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from simulator.cli.common import Lang, atomic_file, language_option, reports_errors, say, unwritable_path_error
from simulator.errors import InputError, Problem
from simulator.io.output_paths import check_outputs, database_files
from simulator.messages import msg
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

DB_HELP = "Workshop database: a SQLite file or a database URL (default: $BWSIM_WORKSHOP_DB or the data folder)."


def _db_option() -> str | None:
    return typer.Option(None, "--db", help=DB_HELP)


def read_text(path: Path) -> str:
    """A UTF-8 text file, or an :class:`InputError` that names it."""
    from simulator.io.input_file import read_input_bytes
    from simulator.io.yaml_file import MAX_FILE_BYTES

    try:  # regular files only, of bounded size (a FIFO or /dev/zero is refused by type)
        return read_input_bytes(path, MAX_FILE_BYTES, msg("model or scenario file")).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(str(path), "", msg("not a UTF-8 text file"), msg("save it as UTF-8"))) from None


@app.command("create")
@reports_errors
def create(
    name: str = typer.Option(..., "--name", help="The workshop's name."),
    model: Path = typer.Option(..., "--model", help="Model file (YAML)."),
    scenario: list[Path] = typer.Option([], "--scenario", help="A scenario to start from (repeatable)."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
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
        say(msg("workshop '{name}' created in {where}", name=workshop.name, where=store.where), language)
    say(msg("join code: {code}", code=format_code(workshop.code)), language)


@app.command("list")
@reports_errors
def list_(db: str | None = _db_option(), language: Lang = language_option()) -> None:
    """List the workshops in the database with their codes and counts."""
    with WorkshopStore(db) as store:
        items = store.list_workshops()
    if not items:
        say(msg("no workshops yet"), language)
    for item in items:
        say(
            msg(
                "{code}  {name}  (model {model}; {groups} groups, {futures} futures, {versions} versions; "
                "created {created})",
                code=item.code,
                name=item.name,
                model=item.model_name,
                groups=item.n_groups,
                futures=item.n_futures,
                versions=item.n_versions,
                created=item.created_at[:16],
            ),
            language,
        )


NOTE_FIELDS = {
    "question": msg("question"),
    "expectation": msg("expected"),
    "found": msg("found"),
    "decision": msg("would decide"),
}
"""A future's note fields and how ``show`` names them."""


@app.command("show")
@reports_errors
def show(
    code: str = typer.Argument(..., help="Join code."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
) -> None:
    """Show a workshop: groups, futures and their versions, and model changes."""
    with WorkshopStore(db) as store:
        workshop = store.workshop(code)
        current = store.current_model(code)
        groups, versions = store.groups(code), store.versions(code)
        starts = store.start_scenarios(code)
    say(
        msg(
            "{name}  [{code}]  model {model} (sha256 {sha})",
            name=workshop.name,
            code=format_code(workshop.code),
            model=current.name,
            sha=current.sha256[:12],
        ),
        language,
    )
    say(msg("start scenarios: {names}", names=", ".join(s.name for s in starts) or msg("none")), language)
    for group in groups:
        typer.echo(f"- {group}")
        for item in (v for v in versions if v.group == group):
            changed = "" if item.model_sha256 == current.sha256 else msg("  [model changed since]")
            say(
                msg(
                    "    {future}  v{version}  {created}{changed}",
                    future=item.future,
                    version=item.version,
                    created=item.created_at[:19],
                    changed=changed,
                ),
                language,
            )
            for field, text in NOTE_FIELDS.items():
                value = getattr(item.notes, field)
                if value:
                    short = " ".join(value.split())
                    say(
                        msg(
                            "        {field}: {note}", field=text, note=short[:100] + ("…" if len(short) > 100 else "")
                        ),
                        language,
                    )


@app.command("export")
@reports_errors
def export(
    code: str = typer.Argument(..., help="Join code."),
    out: Path = typer.Option(..., "--out", help="JSON file to write."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
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
    say(msg("wrote {out}", out=str(out)), language)


@app.command("import")
@reports_errors
def import_(
    path: Path = typer.Argument(..., help="A file written by 'bwsim workshop export'."),
    new_code: bool = typer.Option(False, "--new-code", help="Draw a new join code."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
) -> None:
    """Import an exported workshop as a new workshop (keeps its code when free)."""
    data = read_export(path)
    with WorkshopStore(db) as store:
        workshop = import_workshop(store, data, keep_code=not new_code)
    say(msg("imported '{name}'; join code: {code}", name=workshop.name, code=format_code(workshop.code)), language)


@app.command("join")
@reports_errors
def join(
    code: str = typer.Argument(..., help="Join code."),
    group: str = typer.Option(..., "--group", help="Group name."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
) -> None:
    """Join a workshop as a group."""
    with WorkshopStore(db) as store:
        name = store.join(code, group)
    say(msg("joined as '{name}'", name=name), language)


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
    language: Lang = language_option(),
) -> None:
    """Save a new version of a group's future from a scenario file."""
    with WorkshopStore(db) as store:
        saved = store.save_future(
            code, group, future, read_text(scenario), Notes(question, expectation, found, decision)
        )
    say(
        msg(
            "saved '{future}' of '{group}' as version {version}",
            future=saved.future,
            group=saved.group,
            version=saved.version,
        ),
        language,
    )


@app.command("update-model")
@reports_errors
def update_model(
    code: str = typer.Argument(..., help="Join code."),
    model: Path = typer.Option(..., "--model", help="The new model file (YAML)."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
) -> None:
    """Give the workshop a new model version (saved futures keep the one they were made with)."""
    with WorkshopStore(db) as store:
        version = store.add_model(code, read_text(model), str(model))
    say(msg("current model: {name} (sha256 {sha})", name=version.name, sha=version.sha256[:12]), language)


def _print_futures(comparison: Comparison, card: pd.DataFrame, outcome: str, name: str, language: str) -> None:
    """The outcome's change per future (``name``: its label); a line for each future that failed, with why."""
    from simulator.analysis.text import unit_label
    from simulator.messages import localize_number

    failed = comparison.failed
    for run in comparison.runs:
        if run.version.label not in failed:
            for problem in run.problems:
                say(msg("note: {problem}", problem=problem), language)
    say(msg("{outcome}: change per future", outcome=name), language)
    for row in card[card.node == outcome].itertuples():
        change = localize_number(format(row.delta, "+.4g"), language)
        typer.echo(f"  {row.future:<50} {change:>12} {unit_label(row.unit, language)}")
    for label, reason in failed.items():
        say(msg("  {future:<50} failed: {reason}", future=label, reason=reason), language)


@app.command("compare")
@reports_errors
def compare(
    code: str = typer.Argument(..., help="Join code."),
    outcome: str = typer.Option(..., "--outcome", help="Node id of the outcome to rank links by."),
    year: float | None = typer.Option(None, help="Year of the comparison (default: the end)."),
    top: int = typer.Option(10, help="How many disputed links to print."),
    db: str | None = _db_option(),
    language: Lang = language_option(),
) -> None:
    """Compare the groups' latest futures: the outcome per future and the links they disagree on."""
    from simulator.analysis.text import labelled, node_labels
    from simulator.messages import localize_number
    from simulator.workshop.compare import compare_workshop, disputed_links, model_changes, scorecard

    with WorkshopStore(db) as store:
        comparison = compare_workshop(store, code)
    if outcome not in comparison.model.spec.node_ids:
        raise InputError(Problem("", "--outcome", msg("the model has no node '{node}'", node=outcome)))
    labels = node_labels(comparison.model.spec, language)
    name = labels.get(outcome, outcome)

    def number(value: float, spec: str) -> str:
        return localize_number(format(value, spec), language)

    if not comparison.runs:
        say(msg("no futures to compare yet"), language)
        return
    _print_futures(comparison, scorecard(comparison, year), outcome, name, language)
    if not comparison.comparable:
        return
    changes = model_changes(comparison, outcome, year)
    if len(changes):
        say(msg("made with an earlier model version (compared above on the current model):"), language)
        cannot = msg("cannot run")
        for row in changes.itertuples():
            own = cannot if math.isnan(row.on_own_model) else number(row.on_own_model, "+.4g")
            now = cannot if math.isnan(row.on_current_model) else number(row.on_current_model, "+.4g")
            say(
                msg(
                    "  {future:<50} on model {model}: {own}   on the current model: {now}",
                    future=row.future,
                    model=row.made_with,
                    own=own,
                    now=now,
                ),
                language,
            )
    table = disputed_links(comparison, outcome, year=year)
    say(
        msg("links the futures disagree on, by their effect on the outcome:")
        if len(table)
        else msg("the futures agree on every link"),
        language,
    )
    rows = list(table.head(top).itertuples())
    links = [labelled(row.link.replace("->", " -> "), labels) for row in rows]
    width = max([45, *(len(link) for link in links)])
    links = [link.ljust(width) for link in links]
    for row, link in zip(rows, links, strict=True):
        effect = (
            msg(
                "moves {outcome} by {effect} (lowest: {low}, highest: {high})",
                outcome=name,
                effect=number(row.effect, ".4g"),
                low=row.low_future,
                high=row.high_future,
            )
            if row.effect
            else msg("no effect on {outcome}", outcome=name)
        )
        if row.failed:
            effect = msg(
                "{effect}; the run blows up with the weight of {futures}", effect=effect, futures=", ".join(row.failed)
            )
        say(
            msg(
                "  {link}  weights {low}..{high}  {effect}",
                link=link,
                low=number(row.weight_low, "g"),
                high=number(row.weight_high, "g"),
                effect=effect,
            ),
            language,
        )
