"""``bwsim monitor SCENARIO DATA``: observed values against the scenario's expected band."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from simulator.analysis.compare_places import elsewhere_and_past
from simulator.analysis.compare_text import comparison_lines
from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.text import format_number, node_labels, node_units
from simulator.cli.common import EXIT_FAILED, Lang, echo_warnings, language_option, reports_errors
from simulator.cli.flags import as_flags
from simulator.distributed import check_workers, dask_executor
from simulator.io.spec_files import load_scenario
from simulator.messages import localize_number, msg, translate
from simulator.monitor import MonitorResult, band_sample, monitor
from simulator.observed import ObservedData, has_places, load_observed, own_rows
from simulator.scenario_run import PreparedScenario, prepare_scenario


def _signal(row: Any, language: str) -> str:
    """``ok``, or which side of the band and by how much."""
    if row.status == "inside":
        return translate(msg("ok"), language)
    values = {
        "by": format_number(abs(row.outside_by), language),
        "pct": format_number(abs(row.outside_pct), language, 2),
    }
    if row.status == "above":
        text = (
            msg("ABOVE by {by} ({pct} % of median)", **values)
            if math.isfinite(row.outside_pct)
            else msg("ABOVE by {by}", **values)
        )
    else:
        text = (
            msg("BELOW by {by} ({pct} % of median)", **values)
            if math.isfinite(row.outside_pct)
            else msg("BELOW by {by}", **values)
        )
    return translate(text, language)


def format_monitor(
    result: MonitorResult,
    labels: dict[str, str] | None = None,
    language: str = "en",
    units: dict[str, str] | None = None,
) -> str:
    """Every observation with its band, flagged ones marked, then how many are outside; in ``language``.

    ``labels`` (node id -> label) names the indicators; without it, node ids are shown. ``units``
    (node id -> unit, :func:`~simulator.analysis.text.node_units`) adds each indicator's unit.
    """
    labels = labels or {}
    units = units or {}
    band = result.band

    def t(text: object) -> str:
        return translate(text, language)

    names = [labels.get(node, node) for node in result.table["node"]]
    shown = [units.get(node, "") for node in result.table["node"]]
    width = max([28, *(len(name) for name in names)])
    values = {
        "scenario": result.scenario,
        "data": result.data_file,
        "level": band.level,
        "samples": band.samples,
        "tolerance": 100 * result.tolerance,
    }
    head = (
        msg(
            "monitor of {scenario} with {data}: {level:.0%} band of {samples} ensemble members, measurement "
            "tolerance {tolerance:g} % of the median",
            **values,
        )
        if result.tolerance
        else msg("monitor of {scenario} with {data}: {level:.0%} band of {samples} ensemble members", **values)
    )
    words = [
        t(word)
        for word in (
            msg("indicator"),
            msg("time"),
            msg("observed"),
            msg("low"),
            msg("median"),
            msg("high"),
            msg("signal"),
            msg("unit"),
        )
    ]
    unit_width = max([len(words[7]), *(len(unit) for unit in shown)]) if any(shown) else 0
    unit_head = f"{words[7]:<{unit_width}} " if unit_width else ""
    lines = [
        t(head),
        "",
        f"  {words[0]:<{width}} {unit_head}{words[1]:>8} " + " ".join(f"{w:>12}" for w in words[2:6]) + f"  {words[6]}",
    ]
    for row, name, unit in zip(result.table.itertuples(index=False), names, shown, strict=True):
        numbers = " ".join(
            f"{format_number(v, language, 5):>12}" for v in (row.observed, row.low, row.median, row.high)
        )
        unit_cell = f"{unit:<{unit_width}} " if unit_width else ""
        lines.append(
            f"  {name:<{width}} {unit_cell}{localize_number(f'{row.time:g}', language):>8} {numbers}  "
            f"{_signal(row, language)}"
        )
    lines += [
        "",
        t(msg("{outside} of {n} observation(s) outside the band", outside=len(result.flagged), n=len(result.table))),
    ]
    return "\n".join(lines)


def _monitor(
    prepared: PreparedScenario,
    observed: ObservedData,
    samples: int,
    seed: int,
    level: float,
    tolerance: float,
    workers: int | None,
    scheduler: str | None,
    language: str = "nl",
) -> MonitorResult:
    """The band's draws, drawn once for the warning and the band (fewer than 2 are refused by monitor)."""
    sample = None
    if samples >= 2:
        sample = band_sample(prepared, samples, seed)
        echo_warnings(run_warnings(prepared, sample=sample), language)
    with dask_executor(workers, scheduler) as executor:
        return monitor(prepared, observed, samples, seed, level, executor, tolerance / 100, sample)


def _inputs(scenario: Path, data: Path) -> tuple[PreparedScenario, ObservedData, ObservedData | None]:
    """The scenario and the observations its band is checked against; with places, also every row for comparison.

    Data without a ``place`` column are read as before (every row inside the horizon). With places, rows of
    other places and a node's own past (before the start) are kept for the comparison, and the band is checked
    against each node's own place from the start on (:func:`simulator.observed.own_rows`).
    """
    loaded = load_scenario(scenario)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    times = prepared.compiled.times
    horizon = (float(times[0]), float(times[-1]))
    observed = load_observed(data, list(prepared.compiled.node_ids), horizon, past=True)
    if not has_places(observed):
        return prepared, observed, None
    regions = {node.id: node.region for node in prepared.model.nodes}
    own = own_rows(observed, regions, horizon[0])
    return prepared, own, observed


@reports_errors
def monitor_command(
    scenario: Path = typer.Argument(..., help="Scenario file: the policy as planned (YAML)."),
    data: Path = typer.Argument(..., help="Observed data, CSV with node,time,value."),
    samples: int = typer.Option(1000, "--samples", help="Ensemble members for the band."),
    seed: int = typer.Option(0, "--seed", help="Seed of the ensemble."),
    level: float = typer.Option(0.9, "--level", help="Central coverage of the band (0.9: 5-95 %)."),
    tolerance: float = typer.Option(
        0.0,
        "--tolerance",
        help="Measurement tolerance in % of the level: flag only observations further "
        "than this beyond the band (the band holds model uncertainty only).",
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any observation is outside."),
    workers: int | None = typer.Option(None, "--workers", help="Run on a local Dask cluster of N processes."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Run on an existing Dask cluster (scheduler address, e.g. tcp://host:8786)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    language: Lang = language_option(),
) -> None:
    """Flag observations outside the scenario's expected band (date, indicator, by how much)."""
    check_workers(workers, scheduler)
    prepared, observed, context = _inputs(scenario, data)
    with as_flags("samples", "level", "tolerance"):
        result = _monitor(prepared, observed, samples, seed, level, tolerance, workers, scheduler, language)
    comparison = None if context is None else elsewhere_and_past(prepared.model, observed, context)
    if as_json:
        rows = [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
            for row in result.table.to_dict(orient="records")
        ]
        typer.echo(
            json.dumps(
                {
                    "scenario": result.scenario,
                    "data": result.data_file,
                    "level": level,
                    "tolerance_pct": tolerance,
                    "samples": result.band.samples,
                    "observations": rows,
                    "outside": len(result.flagged),
                    **({} if comparison is None else {"compared": [asdict(item) for item in comparison]}),
                },
                indent=2,
            )
        )
    else:
        labels, units = node_labels(prepared.model, language), node_units(prepared.model, language)
        typer.echo(format_monitor(result, labels, language, units))
        if comparison:
            typer.echo("\n" + translate(msg("compared with elsewhere and with the past:"), language))
            for item in comparison:
                lines = comparison_lines(item, labels.get(item.node, item.node), units.get(item.node, ""), language)
                typer.echo("\n".join("  " + line for line in lines))
    if strict and len(result.flagged):
        raise typer.Exit(EXIT_FAILED)
