"""``bwsim run SCENARIO... --out DIR``: run scenarios and their baseline, write results."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import typer

from simulator.analysis.largest_effects import largest_effects
from simulator.analysis.largest_effects import title as effects_title
from simulator.analysis.report import comparison_text, scorecard_text
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
from simulator.io.manifest import build_manifest, write_manifest
from simulator.io.output_paths import check_outputs
from simulator.io.spec_files import ScenarioFile
from simulator.messages import msg, translate
from simulator.runner import Runs, Uncertainty, load_scenarios, run_scenarios

RUN_FILES = ("results.csv", "ensemble.csv", "manifest.json")
"""The files of one run in its ``--out`` folder: written together, and an earlier run's are removed."""


def run_inputs(loaded: list[ScenarioFile]) -> dict[str, str]:
    """Every file a run reads, each with what it is: the scenarios and their models."""
    inputs: dict[str, str] = {item.model.path: msg("the model") for item in loaded}
    inputs.update({item.path: msg("the scenario") for item in loaded})
    return inputs


@reports_errors
def run(
    scenarios: list[Path] = typer.Argument(..., help="Scenario files (YAML)."),
    out: Path = typer.Option(..., "--out", help="Folder for results.csv and manifest.json."),
    samples: int | None = typer.Option(
        None, help="Ensemble size: also write ensemble.csv (default: the scenario's uncertainty block, if any)."
    ),
    seed: int | None = typer.Option(None, help="Seed of the ensemble draws (default: the scenario's, or 0)."),
    method: str | None = typer.Option(
        None, help="Sampling: lhs (Latin hypercube) or mc (default: the scenario's, or lhs)."
    ),
    workers: int | None = typer.Option(None, help="Run the ensemble on a local Dask cluster of N worker processes."),
    scheduler: str | None = typer.Option(
        None, help="Run the ensemble on a running Dask cluster (e.g. tcp://host:8786)."
    ),
    language: Lang = language_option(),
) -> None:
    """Run scenarios and their baseline, write results.csv, print the largest effects."""
    if samples is not None and samples < 1:
        fail(msg("--samples must be at least 1, got {samples}", samples=samples))
    if seed is not None and seed < 0:
        fail(msg("--seed must be 0 or more, got {seed}", seed=seed))
    if method is not None:
        from simulator.sampling import METHODS  # the sampling code loads only when an ensemble may run

        if method not in METHODS:
            fail(msg("--method must be lhs or mc, got {method}", method=repr(method)))
    check_workers(workers, scheduler)
    loaded = load_scenarios(scenarios)
    check_outputs([out / name for name in RUN_FILES], run_inputs(loaded))
    uncertainty = Uncertainty(samples, seed, method)
    sampled = any(uncertainty.resolve(item.spec) is not None for item in loaded)
    cluster = dask_executor(workers, scheduler) if sampled else contextlib.nullcontext(None)
    with cluster as executor:
        runs = run_scenarios(
            loaded,
            uncertainty,
            language=language,
            executor=executor,
            progress=lambda name, total: _progress(name, total, language),
            on_warnings=lambda warnings: echo_warnings(warnings, language),
        )
    written = _write(runs, loaded, out, workers=workers, scheduler=scheduler)
    _print(runs, language, written)


class _Bar:
    """A progress bar on stderr for one ensemble, closed when the last member is done."""

    def __init__(self, name: str, total: int, language: str = "nl") -> None:
        label = translate(msg("ensemble {scenario}", scenario=name), language)
        self.bar = typer.progressbar(length=total, label=label, file=sys.stderr)
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(done - self.done)
        self.done = done
        if done >= total:
            self.bar.render_finish()


def _progress(name: str, total: int, language: str = "nl") -> _Bar | None:
    """A progress bar when stderr is a terminal and the ensemble is large enough to wait for."""
    return _Bar(name, total, language) if is_terminal() and total >= 5000 else None


def _write(runs: Runs, loaded: list[ScenarioFile], out: Path, **options: object) -> list[Path]:
    """results.csv, ensemble.csv (with samples) and manifest.json, all together or none; the paths written."""
    ensembles = {name: chosen.as_dict() for name, chosen in runs.ensembles.items()}
    inputs = [
        {"scenario": it.path, "scenario_sha256": it.sha256, "model": it.model.path, "model_sha256": it.model.sha256}
        for it in loaded
    ]
    first = next(iter(ensembles.values()), {})
    manifest = build_manifest(
        sys.argv,
        inputs,
        samples=first.get("samples"),
        seed=first.get("seed"),
        method=first.get("method"),
        ensembles=ensembles,
        **options,
    )
    bands = runs.ensemble_frame()
    with atomic_directory(out, owned=RUN_FILES, inputs=run_inputs(loaded)) as staging:
        runs.write_results_csv(staging / "results.csv")
        if bands is not None:
            from simulator.io.csv_table import write_csv  # pandas: an ensemble's table is a frame

            write_csv(bands, staging / "ensemble.csv")
        write_manifest(staging / "manifest.json", manifest)
    written = ["results.csv"] + (["ensemble.csv"] if bands is not None else []) + ["manifest.json"]
    return [out / name for name in written]


def _print(runs: Runs, language: str, written: list[Path]) -> None:
    """The largest effects and the scorecard of each scenario, then the scenarios side by side."""
    cards = []
    for run in runs.scenarios:
        file, result, card = run.file, run.result, run.scorecard
        if file is None or card is None:  # bwsim run runs files and asks for their scorecards
            raise ValueError(f"{run.prepared.name}: a run without its file or scorecard")
        spec = file.spec
        title = spec.title.get(language) if spec.title else spec.name
        typer.echo("\n" + effects_title(title, spec.name, float(result.times[-1]), language))
        typer.echo(largest_effects(result, file.model.spec, language))
        typer.echo("\n" + scorecard_text(card, run.prepared, language, central=result.delta, ensemble=run.ensemble))
        cards.append(card)
    if len({c["scenario"].iloc[0] for c in cards}) > 1:
        typer.echo("\n" + comparison_text(cards, language))
    say(msg("\nwrote {files}", files=", ".join(str(path) for path in written)), language)
