"""``bwsim monitor SCENARIO DATA``: observed values against the scenario's expected band."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer

from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.text import format_number
from simulator.cli.calibrate import load_inputs
from simulator.cli.common import EXIT_FAILED, echo_warnings, reports_errors
from simulator.cli.flags import as_flags
from simulator.distributed import check_workers, dask_executor
from simulator.monitor import MonitorResult, band_sample, monitor
from simulator.observed import ObservedData
from simulator.scenario_run import PreparedScenario


def format_monitor(result: MonitorResult) -> str:
    """Every observation with its band; flagged ones marked, then a summary per node."""
    band = result.band
    tolerance = f", measurement tolerance {100 * result.tolerance:g} % of the median" if result.tolerance else ""
    width = max([28, *(len(node) for node in result.table["node"])])
    lines = [f"monitor of {result.scenario} with {result.data_file}: {band.level:.0%} band of "
             f"{band.samples} ensemble members{tolerance}", "",
             f"  {'indicator':<{width}} {'time':>8} {'observed':>12} {'low':>12} {'median':>12} {'high':>12}  "
             "signal"]
    for row in result.table.itertuples(index=False):
        signal = "ok" if row.status == "inside" else (
            f"{row.status.upper()} by {format_number(abs(row.outside_by), 'en')}"
            + (f" ({format_number(abs(row.outside_pct), 'en', 2)} % of median)"
               if math.isfinite(row.outside_pct) else ""))
        numbers = " ".join(f"{format_number(v, 'en', 5):>12}" for v in (row.observed, row.low, row.median, row.high))
        lines.append(f"  {row.node:<{width}} {row.time:>8g} {numbers}  {signal}")
    n_out = len(result.flagged)
    lines += ["", f"{n_out} of {len(result.table)} observation(s) outside the band"]
    return "\n".join(lines)


def _monitor(prepared: PreparedScenario, observed: ObservedData, samples: int, seed: int, level: float,
             tolerance: float, workers: int | None, scheduler: str | None) -> MonitorResult:
    """The band's draws, drawn once for the warning and the band (fewer than 2 are refused by monitor)."""
    sample = None
    if samples >= 2:
        sample = band_sample(prepared, samples, seed)
        echo_warnings(run_warnings(prepared, sample=sample))
    with dask_executor(workers, scheduler) as executor:
        return monitor(prepared, observed, samples, seed, level, executor, tolerance / 100, sample)


@reports_errors
def monitor_command(
        scenario: Path = typer.Argument(..., help="Scenario file: the policy as planned (YAML)."),
        data: Path = typer.Argument(..., help="Observed data, CSV with node,time,value."),
        samples: int = typer.Option(1000, "--samples", help="Ensemble members for the band."),
        seed: int = typer.Option(0, "--seed", help="Seed of the ensemble."),
        level: float = typer.Option(0.9, "--level", help="Central coverage of the band (0.9: 5-95 %)."),
        tolerance: float = typer.Option(
            0.0, "--tolerance", help="Measurement tolerance in % of the level: flag only observations further "
            "than this beyond the band (the band holds model uncertainty only)."),
        strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any observation is outside."),
        workers: int | None = typer.Option(None, "--workers", help="Run on a local Dask cluster of N processes."),
        scheduler: str | None = typer.Option(None, "--scheduler", help="Run on an existing Dask cluster "
                                             "(scheduler address, e.g. tcp://host:8786)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Flag observations outside the scenario's expected band (date, indicator, by how much)."""
    check_workers(workers, scheduler)
    _, prepared, observed = load_inputs(scenario, data)
    with as_flags("samples", "level", "tolerance"):
        result = _monitor(prepared, observed, samples, seed, level, tolerance, workers, scheduler)
    if as_json:
        rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                for row in result.table.to_dict(orient="records")]
        typer.echo(json.dumps({"scenario": result.scenario, "data": result.data_file, "level": level,
                               "tolerance_pct": tolerance, "samples": result.band.samples, "observations": rows,
                               "outside": len(result.flagged)}, indent=2))
    else:
        typer.echo(format_monitor(result))
    if strict and len(result.flagged):
        raise typer.Exit(EXIT_FAILED)
