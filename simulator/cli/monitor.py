"""``bwsim monitor SCENARIO DATA``: observed values against the scenario's expected band."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer

from simulator.cli.calibrate import load_inputs
from simulator.cli.common import EXIT_FAILED, reports_errors
from simulator.distributed import check_workers, dask_executor
from simulator.monitor import MonitorResult, monitor


def format_monitor(result: MonitorResult) -> str:
    """Every observation with its band; flagged ones marked, then a summary per node."""
    band = result.band
    lines = [f"monitor of {result.scenario} with {result.data_file}: {band.level:.0%} band of "
             f"{band.samples} ensemble members", "",
             f"  {'indicator':<28} {'time':>8} {'observed':>12} {'low':>12} {'median':>12} {'high':>12}  signal"]
    for row in result.table.itertuples(index=False):
        signal = "ok" if row.status == "inside" else (
            f"{row.status.upper()} by {row.outside_by:+.4g}"
            + (f" ({row.outside_pct:+.1f} % of median)" if math.isfinite(row.outside_pct) else ""))
        lines.append(f"  {row.node[:28]:<28} {row.time:>8g} {row.observed:>12.5g} {row.low:>12.5g} "
                     f"{row.median:>12.5g} {row.high:>12.5g}  {signal}")
    n_out = len(result.flagged)
    lines += ["", f"{n_out} of {len(result.table)} observation(s) outside the band"]
    return "\n".join(lines)


@reports_errors
def monitor_command(
        scenario: Path = typer.Argument(..., help="Scenario file: the policy as planned (YAML)."),
        data: Path = typer.Argument(..., help="Observed data, CSV with node,time,value."),
        samples: int = typer.Option(1000, "--samples", help="Ensemble members for the band."),
        seed: int = typer.Option(0, "--seed", help="Seed of the ensemble."),
        level: float = typer.Option(0.9, "--level", help="Central coverage of the band (0.9: 5-95 %)."),
        strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any observation is outside."),
        workers: int | None = typer.Option(None, "--workers", help="Run on a local Dask cluster of N processes."),
        scheduler: str | None = typer.Option(None, "--scheduler", help="Run on an existing Dask cluster "
                                             "(scheduler address, e.g. tcp://host:8786)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Flag observations outside the scenario's expected band (date, indicator, by how much)."""
    check_workers(workers, scheduler)
    _, prepared, observed = load_inputs(scenario, data)
    with dask_executor(workers, scheduler) as executor:
        result = monitor(prepared, observed, samples, seed, level, executor)
    if as_json:
        rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                for row in result.table.to_dict(orient="records")]
        typer.echo(json.dumps({"scenario": result.scenario, "data": result.data_file, "level": level,
                               "samples": result.band.samples, "observations": rows,
                               "outside": len(result.flagged)}, indent=2))
    else:
        typer.echo(format_monitor(result))
    if strict and len(result.flagged):
        raise typer.Exit(EXIT_FAILED)
