"""``bwsim run SCENARIO... --out DIR``: run scenarios and their baseline, write results."""

from __future__ import annotations

import contextlib
import sys
from concurrent.futures import Executor
from pathlib import Path

import pandas as pd
import typer

from simulator.analysis.largest_effects import largest_effects
from simulator.analysis.largest_effects import title as effects_title
from simulator.analysis.report import comparison_text, scenario_scorecard, scorecard_text
from simulator.analysis.run_warnings import run_warnings
from simulator.cli.common import (
    Lang,
    atomic_directory,
    echo_warnings,
    fail,
    is_terminal,
    language_option,
    reports_errors,
    say,
)
from simulator.distributed import check_workers, dask_executor
from simulator.ensemble import EnsembleSummary, check_ensemble_budget, ensemble_summary, sampled_lag_problems
from simulator.io.manifest import build_manifest, write_manifest
from simulator.io.output_paths import check_outputs
from simulator.io.spec_files import ModelFile, ScenarioFile, load_model, load_scenario
from simulator.messages import msg, translate
from simulator.sampling import METHODS, design_problems
from simulator.scenario_run import (
    PreparedScenario,
    baseline_scenario,
    prepare_scenario,
    run_deterministic,
)

RUN_FILES = ("results.csv", "ensemble.csv", "manifest.json")
"""The files of one run in its ``--out`` folder: written together, and an earlier run's are removed."""


def run_inputs(loaded: list[ScenarioFile]) -> dict[str, str]:
    """Every file a run reads, each with what it is: the scenarios and their models."""
    inputs = {item.model.path: msg("the model") for item in loaded}
    inputs.update({item.path: msg("the scenario") for item in loaded})
    return inputs


def load_all(paths: list[Path]) -> list[ScenarioFile]:
    """Read every scenario, each model once; all problems of all files are reported together."""
    from simulator.errors import InputError

    models: dict[Path, ModelFile] = {}
    loaded, problems = [], []
    for path in paths:
        try:
            from simulator.io.spec_files import model_beside, spec_from_document
            from simulator.io.yaml_file import read_yaml
            from simulator.spec import ScenarioSpec

            doc = read_yaml(path)[0]
            if isinstance(doc.data, dict) and "nodes" in doc.data and "model" not in doc.data:
                raise InputError(doc.problem((), msg("this is a model file, not a scenario"),
                                             msg("bwsim run takes scenario files, which name their model "
                                                 "with model:; bwsim validate checks a model")))
            spec = spec_from_document(doc, ScenarioSpec)
            model_path = model_beside(str(path), spec.model)  # as a person would write it
            key = model_path.resolve()
            if key not in models and model_path.is_file():
                models[key] = load_model(model_path)
            loaded.append(load_scenario(path, models.get(key)))
        except InputError as exc:
            problems.extend(exc.problems)
    problems.extend(name_problems(loaded))
    if problems:
        raise InputError(problems)
    return loaded


def name_problems(loaded: list[ScenarioFile]) -> list:
    """Scenario names label the rows of results.csv: each must be unique, and not a baseline's."""
    seen: dict[str, str] = {}
    problems = []
    for item in loaded:
        name = item.spec.name
        if name == "baseline" or name.startswith("baseline-"):
            problems.append(item.document.problem(("name",), msg("'{name}' is the name of the baseline rows",
                                                                 name=name),
                                                  msg("give the scenario another name")))
        elif name in seen:
            problems.append(item.document.problem(("name",), msg("scenario name '{name}' is also used by {file}",
                                                                 name=name, file=seen[name]),
                                                  msg("scenario names label the rows of results.csv; make them "
                                                      "unique")))
        seen.setdefault(name, item.path)
    return problems


@reports_errors
def run(scenarios: list[Path] = typer.Argument(..., help="Scenario files (YAML)."),
        out: Path = typer.Option(..., "--out", help="Folder for results.csv and manifest.json."),
        samples: int | None = typer.Option(
            None, help="Ensemble size: also write ensemble.csv (default: the scenario's uncertainty "
            "block, if any)."),
        seed: int | None = typer.Option(
            None, help="Seed of the ensemble draws (default: the scenario's, or 0)."),
        method: str | None = typer.Option(
            None, help="Sampling: lhs (Latin hypercube) or mc (default: the scenario's, or lhs)."),
        workers: int | None = typer.Option(
            None, help="Run the ensemble on a local Dask cluster of N worker processes."),
        scheduler: str | None = typer.Option(
            None, help="Run the ensemble on a running Dask cluster (e.g. tcp://host:8786)."),
        language: Lang = language_option()) -> None:
    """Run scenarios and their baseline, write results.csv, print the largest effects."""
    if samples is not None and samples < 1:
        fail(msg("--samples must be at least 1, got {samples}", samples=samples))
    if seed is not None and seed < 0:
        fail(msg("--seed must be 0 or more, got {seed}", seed=seed))
    if method is not None and method not in METHODS:
        fail(msg("--method must be lhs or mc, got {method}", method=repr(method)))
    check_workers(workers, scheduler)
    loaded = load_all(scenarios)
    check_outputs([out / name for name in RUN_FILES], run_inputs(loaded))
    ensembles = ensemble_settings(loaded, samples, seed, method)
    cluster = dask_executor(workers, scheduler) if ensembles else contextlib.nullcontext(None)
    with cluster as executor:
        _run(loaded, ensembles, executor, out, language, workers=workers, scheduler=scheduler)


def ensemble_settings(loaded: list[ScenarioFile], samples: int | None, seed: int | None,
                      method: str | None) -> dict[str, dict[str, int | str]]:
    """Samples, seed and method per scenario name: the flags, else the file's ``uncertainty`` block.

    A scenario gets an ensemble when ``--samples`` is given or its file has an
    ``uncertainty`` block; ``--seed``/``--method`` override the file. Lags whose
    draws can fall below ``dt`` and ensembles above the work and memory budget
    (:mod:`simulator.budget`) are refused here, before any run starts.
    """
    from simulator.errors import InputError

    settings, problems = {}, []
    for item in loaded:
        block = item.spec.uncertainty
        if samples is None and block is None:
            continue
        settings[item.spec.name] = {
            "samples": samples if samples is not None else block.samples,
            "seed": seed if seed is not None else (block.seed if block else 0),
            "method": method or (block.method if block else "lhs")}
        prepared = prepare_scenario(item.spec, item.model.spec, item.path)
        problems += sampled_lag_problems(prepared, item.path, item.model)
        chosen = settings[item.spec.name]
        problems += design_problems(prepared.model, chosen["samples"], chosen["method"], item.path)
        try:  # the ensemble's work and memory, before any run starts (the app and library check the same)
            check_ensemble_budget(prepared, int(chosen["samples"]))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return settings


def _check_tables(loaded: list[ScenarioFile]) -> None:
    """All rows of results.csv are held until it is written: their total against the budget, before any run."""
    from simulator.budget import check_tables

    runs = [(item.spec.time_on(item.model.spec), item.model.spec) for item in loaded]
    runs += [(item.spec.time_on(item.model.spec), item.model.spec)  # each model's baseline, on its first time
             for item in {x.model.path: x for x in reversed(loaded)}.values()]
    cells = sum((time.n_steps + 1) * len(model.nodes) for time, model in runs)
    check_tables(cells, len(runs), ", ".join(item.path for item in loaded))


def _run_ensemble(prepared: PreparedScenario, settings: dict[str, int | str],
                  executor: Executor | None, language: str = "nl") -> EnsembleSummary:
    """One scenario's ensemble, with a progress bar on stderr when it is a terminal."""
    total = int(settings["samples"])
    if not is_terminal() or total < 5000:
        return ensemble_summary(prepared, **settings, executor=executor)
    label = translate(msg("ensemble {scenario}", scenario=prepared.name), language)
    with typer.progressbar(length=total, label=label, file=sys.stderr) as bar:
        done = [0]

        def advance(n_done: int, _: int) -> None:
            bar.update(n_done - done[0])
            done[0] = n_done

        return ensemble_summary(prepared, **settings, executor=executor, progress=advance)


def _run(loaded: list[ScenarioFile], ensembles: dict[str, dict[str, int | str]],
         executor: Executor | None, out: Path, language: str, **options: object) -> None:
    """Run every scenario and each model's baseline, write the files, print the largest effects."""
    results, frames, bands = [], [], []
    baselines_done: set[str] = set()
    for item in loaded:  # before any run: an unstable loop is a warning, not a crash halfway
        prepared = prepare_scenario(item.spec, item.model.spec, item.path)  # each run within the budget
        echo_warnings(run_warnings(prepared, ensembles.get(item.spec.name)), language)
    _check_tables(loaded)  # and all their rows together
    for item in loaded:
        model = item.model.spec
        if item.model.path not in baselines_done:
            baselines_done.add(item.model.path)
            name = "baseline" if len({x.model.path for x in loaded}) == 1 else f"baseline-{model.name}"
            frames.append(run_deterministic(prepare_scenario(
                baseline_scenario(model, item.spec.time, name), model, item.path)).to_frame())
        prepared = prepare_scenario(item.spec, model, item.path)
        result = run_deterministic(prepared)
        results.append((item, result))
        frames.append(result.to_frame())
        if item.spec.name in ensembles:
            bands.append(_run_ensemble(prepared, ensembles[item.spec.name], executor, language).to_frame())
    table = pd.concat(frames, ignore_index=True)
    inputs = [{"scenario": it.path, "scenario_sha256": it.sha256, "model": it.model.path,
               "model_sha256": it.model.sha256} for it in loaded]
    first = next(iter(ensembles.values()), {})
    manifest = build_manifest(sys.argv, inputs, samples=first.get("samples"),
                              seed=first.get("seed"), method=first.get("method"),
                              ensembles=ensembles, **options)
    with atomic_directory(out, owned=RUN_FILES, inputs=run_inputs(loaded)) as staging:
        table.to_csv(staging / "results.csv", index=False, float_format="%.17g")
        if bands:
            pd.concat(bands, ignore_index=True).to_csv(staging / "ensemble.csv", index=False,
                                                       float_format="%.17g")
        write_manifest(staging / "manifest.json", manifest)
    cards = []
    for item, result in results:
        model = item.model.spec
        title = item.spec.title.get(language) if item.spec.title else item.spec.name
        typer.echo("\n" + effects_title(title, item.spec.name, float(result.times[-1]), language))
        typer.echo(largest_effects(result, model, language))
        prepared = prepare_scenario(item.spec, model, item.path)
        cards.append(scenario_scorecard(prepared, ensemble=ensembles.get(item.spec.name), language=language))
        typer.echo("\n" + scorecard_text(cards[-1], prepared, language))
    if len({c["scenario"].iloc[0] for c in cards}) > 1:
        typer.echo("\n" + comparison_text(cards, language))
    written = ["results.csv"] + (["ensemble.csv"] if bands else []) + ["manifest.json"]
    say(msg("\nwrote {files}", files=", ".join(str(out / name) for name in written)), language)
