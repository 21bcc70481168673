"""``bwsim validate PATH...``: check model and scenario files."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli.common import EXIT_BAD_INPUT, State
from simulator.errors import InputError
from simulator.io.spec_files import is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml


def validate(paths: list[Path] = typer.Argument(..., help="Model or scenario files (YAML).")) -> None:
    """Check model and scenario files; print each problem. Exit 0 when all are valid, 2 otherwise."""
    n_bad = 0
    for path in paths:
        try:
            doc, _ = read_yaml(path)
            if is_scenario_document(doc):
                loaded = load_scenario(path)
                kind = f"scenario on {loaded.model.spec.name}"
            else:
                loaded = load_model(path)
                kind = f"model, {len(loaded.spec.nodes)} nodes, {len(loaded.spec.links)} links"
            typer.echo(f"ok: {path} ({kind})")
        except InputError as exc:
            n_bad += 1
            if State.debug:
                import traceback

                traceback.print_exc()
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
    if n_bad:
        typer.echo(f"{n_bad} of {len(paths)} file(s) invalid", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
