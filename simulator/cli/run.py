"""``bwsim run SCENARIO... --out DIR``: run scenarios and their baseline, write results."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from simulator.cli.common import atomic_directory, fail, reports_errors
from simulator.io.manifest import build_manifest, write_manifest
from simulator.io.spec_files import ModelFile, ScenarioFile, load_model, load_scenario
from simulator.results import RunResult
from simulator.scenario_run import baseline_scenario, prepare_scenario, run_deterministic


def load_all(paths: list[Path]) -> list[ScenarioFile]:
    """Read every scenario, each model once; all problems of all files are reported together."""
    from simulator.errors import InputError

    models: dict[Path, ModelFile] = {}
    loaded, problems = [], []
    for path in paths:
        try:
            from simulator.io.yaml_file import read_yaml
            from simulator.io.spec_files import spec_from_document
            from simulator.spec import ScenarioSpec

            spec = spec_from_document(read_yaml(path)[0], ScenarioSpec)
            model_path = (Path(path).parent / spec.model).resolve()
            if model_path not in models and model_path.is_file():
                models[model_path] = load_model(model_path)
            loaded.append(load_scenario(path, models.get(model_path)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return loaded


def largest_effects(result: RunResult, labels: dict[str, str], units: dict[str, str], n: int = 10) -> str:
    """A text table of the ``n`` largest relative changes at the end of the horizon."""
    delta, base = result.delta[-1], result.baseline[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(base != 0, delta / np.abs(base), np.where(delta != 0, np.inf, 0.0))
    order = [i for i in np.argsort(-np.abs(rel), kind="stable") if delta[i] != 0][:n]
    if not order:
        return "  (no effect on any indicator)"
    rows = [f"  {'indicator':<38} {'baseline':>12} {'change':>12} {'%':>8}  unit"]
    for i in order:
        node = result.node_ids[i]
        pct = f"{100 * rel[i]:+.2f}" if np.isfinite(rel[i]) else "n/a"
        rows.append(f"  {labels[node][:38]:<38} {base[i]:>12.4g} {delta[i]:>+12.4g} {pct:>8}  {units[node]}")
    return "\n".join(rows)


@reports_errors
def run(scenarios: list[Path] = typer.Argument(..., help="Scenario files (YAML)."),
        out: Path = typer.Option(..., "--out", help="Folder for results.csv and manifest.json."),
        samples: int | None = typer.Option(None, help="Ensemble size: also write ensemble.csv."),
        seed: int | None = typer.Option(None, help="Seed of the ensemble draws (default: the scenario's, or 0)."),
        language: str = typer.Option("nl", "--lang", help="Labels in the printed tables: nl or en.")) -> None:
    """Run scenarios and their baseline, write results.csv, print the largest effects."""
    if samples is not None and samples < 1:
        fail(f"--samples must be at least 1, got {samples}")
    if seed is not None and seed < 0:
        fail(f"--seed must be 0 or more, got {seed}")
    loaded = load_all(scenarios)
    results, frames = [], []
    baselines_done: set[str] = set()
    for item in loaded:
        model = item.model.spec
        if item.model.path not in baselines_done:
            baselines_done.add(item.model.path)
            name = "baseline" if len({x.model.path for x in loaded}) == 1 else f"baseline-{model.name}"
            frames.append(run_deterministic(prepare_scenario(
                baseline_scenario(model, item.spec.time, name), model)).to_frame())
        result = run_deterministic(prepare_scenario(item.spec, model))
        results.append((item, result))
        frames.append(result.to_frame())
    table = pd.concat(frames, ignore_index=True)
    inputs = [{"scenario": it.path, "scenario_sha256": it.sha256, "model": it.model.path,
               "model_sha256": it.model.sha256} for it in loaded]
    manifest = build_manifest(sys.argv, inputs, samples=samples, seed=seed)
    with atomic_directory(out) as staging:
        table.to_csv(staging / "results.csv", index=False, float_format="%.17g")
        write_manifest(staging / "manifest.json", manifest)
    for item, result in results:
        model = item.model.spec
        labels = {n.id: n.label.get(language) for n in model.nodes}
        units = {n.id: n.unit for n in model.nodes}
        title = item.spec.title.get(language) if item.spec.title else item.spec.name
        typer.echo(f"\n{title} ({item.spec.name}): largest effects in {result.times[-1]:g}")
        typer.echo(largest_effects(result, labels, units))
    typer.echo(f"\nwrote {out / 'results.csv'} and {out / 'manifest.json'}")
