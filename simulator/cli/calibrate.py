"""``bwsim calibrate SCENARIO DATA --out FILE``: fit link weights (and lags) to observed data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import typer

from simulator.analysis.run_warnings import run_warnings
from simulator.calibrate import (
    CalibrationResult,
    calibrate,
    override_notes,
    parse_link,
    parse_start,
    select_parameters,
    with_notes,
)
from simulator.cli.common import atomic_file, echo_warnings, fail, reports_errors
from simulator.cli.flags import as_flags
from simulator.io.fitted_model import fitted_model_text
from simulator.io.output_paths import check_outputs
from simulator.io.spec_files import ScenarioFile, load_scenario
from simulator.observed import ObservedData, load_observed
from simulator.scenario_run import PreparedScenario, prepare_scenario


def load_inputs(scenario: Path, data: Path) -> tuple[ScenarioFile, PreparedScenario, ObservedData]:
    """Read the scenario (and its model) and the observed data, checked against both."""
    loaded = load_scenario(scenario)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    times = prepared.compiled.times
    observed = load_observed(data, list(prepared.compiled.node_ids), (float(times[0]), float(times[-1])))
    return loaded, prepared, observed


def _fmt(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.4g}"


def format_result(result: CalibrationResult) -> str:
    """Readable tables: parameters with intervals, fit per series, warnings and notes."""
    lines = [f"calibration of {result.scenario} on {result.data_file}: {result.n_obs} observations, "
             f"{len(result.estimates)} parameter(s), {result.converged} of {result.starts} start(s) converged", "",
             f"  {'parameter':<44} {'start':>9} {'estimate':>10} {'se':>9} {'interval':>21}  note"]
    for e in result.estimates:
        note = ", ".join(x for x in ("at bound" if e.at_bound else "",
                                     "interval cut to range" if e.cut_to_range else "",
                                     "" if e.identified else "NOT IDENTIFIED") if x)
        interval = f"{_fmt(e.low)} .. {_fmt(e.high)}"
        lines.append(f"  {e.parameter.name[:44]:<44} {e.parameter.start:>9.4g} {e.estimate:>10.4g} "
                     f"{_fmt(e.se):>9} {interval:>21}  {note}")
    lines.append(f"  intervals: {result.estimates[0].interval}" if result.estimates else "")
    lines += ["", f"  {'observed node':<32} {'n':>4} {'RMSE':>12} {'R^2':>8}"]
    lines += [f"  {s.node:<32} {s.n:>4} {s.rmse:>12.4g} {_fmt(s.r2):>8}" for s in result.series]
    if result.warnings:
        lines += ["", "warnings:"] + [f"  - {w}" for w in result.warnings]
    if result.notes:
        lines += ["", "notes:"] + [f"  - {n}" for n in result.notes]
    return "\n".join(lines)


def calibrate_inputs(loaded: ScenarioFile, data: Path) -> dict[str, str]:
    """The files calibrate reads, each with what it is: none may be replaced by ``--out``."""
    return {loaded.model.path: "the model being calibrated", loaded.path: "the scenario",
            str(data): "the observed data"}


def _write_model(loaded: ScenarioFile, result: CalibrationResult, out: Path, data: Path) -> None:
    when = datetime.now(UTC).isoformat(timespec="seconds")
    text = fitted_model_text(loaded.model, result, loaded.path, when, str(out))
    with atomic_file(out, calibrate_inputs(loaded, data)) as staging:
        staging.write_text(text, encoding="utf-8")


@reports_errors
def calibrate_command(
        scenario: Path = typer.Argument(..., help="Scenario: what happened over the observed period; names the model."),
        data: Path = typer.Argument(..., help="Observed data, CSV with node,time,value (optional region,source)."),
        link: list[str] = typer.Option(None, "--link", help="A link to fit, FROM:TO (repeatable). Default: every "
                                       "link with a range that leads to an observed node."),
        out: Path = typer.Option(..., "--out", help="Where to write the fitted model (YAML); the old one is kept."),
        lags: bool = typer.Option(False, "--lags", help="Also fit the lags of those links (exponential, third_order)."),
        start: list[str] = typer.Option(None, "--start", help="Start value instead of the mode, FROM:TO=VALUE or "
                                        "FROM:TO:lag=VALUE (repeatable); must lie inside the link's range."),
        starts: int = typer.Option(5, "--starts", help="Starts of the optimiser (central values + Latin hypercube)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the extra starts and the bootstrap."),
        bootstrap: int = typer.Option(0, "--bootstrap", help="Bootstrap replicates for the intervals (0: Jacobian)."),
        max_evaluations: int = typer.Option(200, "--max-evaluations", help="Model evaluations per start."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Fit link weights (and lags) to observed data; write a new model with the fitted values."""
    if starts < 1 or bootstrap < 0 or max_evaluations < 1 or seed < 0:
        fail("--starts and --max-evaluations must be at least 1; --bootstrap and --seed at least 0")
    loaded, prepared, observed = load_inputs(scenario, data)
    check_outputs([out], calibrate_inputs(loaded, data))
    echo_warnings(run_warnings(prepared))
    with as_flags("link", "start"):
        pairs = [parse_link(text) for text in link] if link else None
        initial = dict(parse_start(text) for text in start) if start else None
        params, notes = select_parameters(prepared.model, observed.nodes, pairs, lags, prepared.compiled.dt,
                                          initial)
        result = with_notes(calibrate(prepared, observed, params, n_starts=starts, seed=seed, bootstrap=bootstrap,
                                      max_nfev=max_evaluations), notes + override_notes(loaded.spec, params))
    _write_model(loaded, result, out, data)
    if as_json:
        typer.echo(json.dumps(result.to_dict() | {"written": str(out)}, indent=2))
    else:
        typer.echo(format_result(result))
        typer.echo(f"\nwrote {out} (the model {loaded.model.path} is unchanged)")
