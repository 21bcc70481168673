"""``bwsim validate PATH...``: check model and scenario files."""

from __future__ import annotations

from pathlib import Path

import typer

from simulator.cli.common import EXIT_BAD_INPUT, Lang, State, language_option, say
from simulator.errors import InputError
from simulator.io.spec_files import (
    ModelFile,
    ScenarioFile,
    is_scenario_document,
    model_from_document,
    scenario_from_document,
)
from simulator.io.yaml_file import read_yaml
from simulator.messages import msg, translate


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
        return [msg("{problem}; bwsim run will refuse it", problem=p) for p in exc.problems]


def validate(
    paths: list[Path] = typer.Argument(..., help="Model or scenario files (YAML)."), language: Lang = language_option()
) -> None:
    """Check model and scenario files; print each problem. Exit 0 when all are valid, 2 otherwise.

    A valid file is also checked as a run would be: an unstable model, an intervention after the
    horizon or a run above the budget is a warning (on stderr; the exit status stays 0).
    """
    n_bad = 0
    models: dict[Path, ModelFile] = {}  # each model read once, however many scenarios name it
    for path in paths:
        try:
            doc, raw = read_yaml(path)
            loaded: ModelFile | ScenarioFile
            if is_scenario_document(doc):
                loaded = scenario_from_document(doc, raw, str(path), known=models)
                kind = msg("scenario on {model}", model=loaded.model.spec.name)
            else:
                loaded = model_from_document(doc, raw, str(path))
                models[path.resolve()] = loaded
                kind = msg(
                    "model, {nodes} nodes, {links} links", nodes=len(loaded.spec.nodes), links=len(loaded.spec.links)
                )
            warnings = _run_warnings(loaded, str(path))
            say(
                msg("ok: {path} ({kind}); {n} warning(s)", path=str(path), kind=kind, n=len(warnings))
                if warnings
                else msg("ok: {path} ({kind})", path=str(path), kind=kind),
                language,
            )
            for warning in warnings:
                typer.echo(translate(msg("warning: {text}", text=warning), language), err=True)
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
