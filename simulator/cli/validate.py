"""``bwsim validate PATH...``: check model and scenario files."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli.common import EXIT_BAD_INPUT, Lang, State, language_option, say
from simulator.errors import InputError
from simulator.io.spec_files import is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml
from simulator.messages import msg, translate


def validate(paths: list[Path] = typer.Argument(..., help="Model or scenario files (YAML)."),
             language: Lang = language_option()) -> None:
    """Check model and scenario files; print each problem. Exit 0 when all are valid, 2 otherwise."""
    n_bad = 0
    for path in paths:
        try:
            doc, _ = read_yaml(path)
            if is_scenario_document(doc):
                loaded = load_scenario(path)
                kind = msg("scenario on {model}", model=loaded.model.spec.name)
            else:
                loaded = load_model(path)
                kind = msg("model, {nodes} nodes, {links} links", nodes=len(loaded.spec.nodes),
                           links=len(loaded.spec.links))
            say(msg("ok: {path} ({kind})", path=str(path), kind=kind), language)
        except InputError as exc:
            n_bad += 1
            if State.debug:
                import traceback

                traceback.print_exc()
            for problem in exc.problems:
                typer.echo(translate(msg("error: {problem}", problem=problem.render(language)), language), err=True)
    if n_bad:
        typer.echo(translate(msg("{bad} of {n} file(s) invalid", bad=n_bad, n=len(paths)), language), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
