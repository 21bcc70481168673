"""``bwsim validate PATH...``: check model and scenario files."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli.common import EXIT_BAD_INPUT, State
from simulator.errors import InputError
from simulator.io.spec_files import ModelFile, ScenarioFile, is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml


def _run_warnings(loaded: ModelFile | ScenarioFile, path: str) -> list[str]:
    """What a run of a valid file would warn about (stability, interventions after the horizon, a run
    above the budget); the file stays valid."""
    from simulator.analysis.run_warnings import run_warnings
    from simulator.scenario_run import baseline_scenario, prepare_scenario

    if isinstance(loaded, ScenarioFile):
        scenario, model = loaded.spec, loaded.model.spec
        block = scenario.uncertainty
        ensemble = {"samples": block.samples, "seed": block.seed, "method": block.method} if block else None
    else:
        model = loaded.spec
        scenario, ensemble = baseline_scenario(model, name=model.name), None
    try:
        return run_warnings(prepare_scenario(scenario, model, path), ensemble)
    except InputError as exc:  # valid, but too large to run: bwsim run will refuse it
        return [f"{p}; bwsim run will refuse it" for p in exc.problems]


def validate(paths: list[Path] = typer.Argument(..., help="Model or scenario files (YAML).")) -> None:
    """Check model and scenario files; print each problem. Exit 0 when all are valid, 2 otherwise.

    A valid file is also checked as a run would be: an unstable model, an intervention after the
    horizon or a run above the budget is a warning (on stderr; the exit status stays 0).
    """
    n_bad = 0
    for path in paths:
        try:
            doc, _ = read_yaml(path)
            loaded: ModelFile | ScenarioFile
            if is_scenario_document(doc):
                loaded = load_scenario(path)
                kind = f"scenario on {loaded.model.spec.name}"
            else:
                loaded = load_model(path)
                kind = f"model, {len(loaded.spec.nodes)} nodes, {len(loaded.spec.links)} links"
            warnings = _run_warnings(loaded, str(path))
            typer.echo(f"ok: {path} ({kind})" + (f"; {len(warnings)} warning(s)" if warnings else ""))
            for warning in warnings:
                typer.echo(f"warning: {warning}", err=True)
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
