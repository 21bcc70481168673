"""``bwsim diff OLD NEW [SCENARIO]``: what changed between two model files, and where a scenario's results diverge.

The comparison is :mod:`simulator.analysis.model_diff`, its words
:mod:`simulator.analysis.model_diff_text`; this module reads the files and prints.
A scenario that does not run on one of the models is refused (exit 2, its file,
place and line, and which model) after the structural diff is printed: the diff
usually says why (a node the scenario names was removed). So is a run that blows
up on one of them (a ``NumericalError``, naming node and time).
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import typer

from simulator.analysis.model_diff import DEFAULT_TOLERANCE, ModelDiff, scenario_divergence, structural_diff
from simulator.analysis.model_diff_text import change_lines, diff_title, divergence_lines
from simulator.cli.common import Lang, fail, language_option, reports_errors, say
from simulator.errors import InputError, NumericalError, Problem
from simulator.io.spec_files import ModelFile, ScenarioFile, is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml
from simulator.messages import msg


def _model(path: Path) -> ModelFile:
    doc, _ = read_yaml(path)
    if is_scenario_document(doc):
        raise InputError(
            Problem(
                str(path),
                "",
                msg("is a scenario file, not a model file"),
                msg("give two model files, then the scenario: bwsim diff OLD NEW SCENARIO"),
            )
        )
    return load_model(path)


def _models(old: Path, new: Path) -> tuple[ModelFile, ModelFile]:
    """Both model files, or every problem of both at once."""
    loaded: list[ModelFile] = []
    problems: list[Problem] = []
    for path in (old, new):
        try:
            loaded.append(_model(path))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return loaded[0], loaded[1]


def _scenarios(path: Path, models: tuple[ModelFile, ModelFile]) -> tuple[ScenarioFile, ScenarioFile]:
    """The scenario read against each model (its ``model:`` is not read); problems name the model they are on."""
    doc, _ = read_yaml(path)
    if not is_scenario_document(doc):
        raise InputError(
            Problem(
                str(path),
                "",
                msg("is not a scenario file"),
                msg("the third argument is a scenario to run on both models"),
            )
        )
    loaded: list[ScenarioFile] = []
    found: list[list[Problem]] = []
    for model in models:
        try:
            loaded.append(load_scenario(path, model))
            found.append([])
        except InputError as exc:
            found.append(list(exc.problems))
    if found[0] == found[1]:  # the same on both (or none): the scenario's own problem
        if found[0]:
            raise InputError(found[0])
        return loaded[0], loaded[1]
    raise InputError(
        [
            dataclasses.replace(p, message=msg("{message} (on {model})", message=p.message, model=model.path))
            for model, problems in zip(models, found, strict=True)
            for p in problems
        ]
    )


@reports_errors
def diff(
    old: Path = typer.Argument(..., help="The earlier model file (YAML)."),
    new: Path = typer.Argument(..., help="The later model file (YAML)."),
    scenario: Path | None = typer.Argument(
        None, help="A scenario file, run on both models (its model: is not read): where their results first diverge."
    ),
    tolerance: float = typer.Option(
        DEFAULT_TOLERANCE, "--tolerance", help="Values differ when |new - old| > tolerance x (1 + |old|)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md)."),
    language: Lang = language_option(),
) -> None:
    """Say what changed between two model files and, with a scenario, where its results first diverge."""
    if not math.isfinite(tolerance) or tolerance < 0:
        fail(msg("--tolerance must be a number of 0 or more, got {tolerance}", tolerance=tolerance))
    models = _models(old, new)
    structure = structural_diff(models[0].checked, models[1].checked)
    try:
        divergence = None
        if scenario is not None:
            on_old, on_new = _scenarios(scenario, models)
            divergence = scenario_divergence(
                on_old.spec, models[0].spec, on_new.spec, models[1].spec, tolerance, str(scenario)
            )
    except (InputError, NumericalError):  # what changed usually says why: printed before the error
        _print(old, new, structure, None, scenario, as_json, language)
        raise
    _print(old, new, structure, divergence, scenario, as_json, language)


def _print(
    old: Path, new: Path, structure: ModelDiff, divergence: Any, scenario: Path | None, as_json: bool, language: str
) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "old_file": str(old),
                    "new_file": str(new),
                    **structure.to_dict(),
                    "scenario_file": None if scenario is None else str(scenario),
                    "divergence": None if divergence is None else divergence.to_dict(),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    say(diff_title(str(old), str(new), structure, language), language)
    if not structure.identical:
        for line in change_lines(structure, language):
            say("  " + line, language)
    if divergence is not None:
        say("", language)
        for line in divergence_lines(divergence, structure.new, language):
            say(line, language)
