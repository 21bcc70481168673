"""``bwsim loops PATH``: the feedback loops of a model, its stability, and for a scenario the loops that matter."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from simulator.analysis.loops import find_loops, loop_scores, loops_frame
from simulator.analysis.run_warnings import horizon_warnings
from simulator.analysis.scorecard import time_indices
from simulator.analysis.stability import check_stability
from simulator.analysis.text import table
from simulator.cli.common import echo_warnings, fail, reports_errors
from simulator.engine import simulate
from simulator.io.spec_files import is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml
from simulator.scenario_run import PreparedScenario, baseline_scenario, prepare_scenario


def prepare_path(path: Path) -> tuple[PreparedScenario, bool]:
    """A scenario file as it runs, or a model file without interventions; True for a scenario."""
    doc, _ = read_yaml(path)
    if is_scenario_document(doc):
        loaded = load_scenario(path)
        return prepare_scenario(loaded.spec, loaded.model.spec, loaded.path), True
    model = load_model(path).spec
    return prepare_scenario(baseline_scenario(model, name=model.name), model, str(path)), False


@reports_errors
def loops(path: Path = typer.Argument(..., help="A model file, or a scenario file (then: which loops carry "
                                                "its effect)."),
          year: float | None = typer.Option(None, "--year", help="Scenario only: the year to score loops at "
                                                                "(default: the horizon)."),
          as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md).")) -> None:
    """List every feedback loop with its polarity, lag and gain, and check stability."""
    prepared, is_scenario = prepare_path(path)
    if year is not None and not is_scenario:
        fail(f"--year scores loops on a scenario's run; {path} is a model file (give a scenario, or drop --year)")
    echo_warnings(horizon_warnings(prepared))  # stability is part of what loops prints
    cm = prepared.compiled
    found = find_loops(prepared.model, prepared.time)
    report = check_stability(prepared.model, cm, prepared.time, found)
    scores = None
    if is_scenario and found:
        k = time_indices(cm.times, [cm.times[-1] if year is None else year], "--year")[0]
        d = simulate(cm, prepared.inputs)[:, :, 0]
        scores = loop_scores(found, cm, prepared.inputs, d, k)
        year = float(cm.times[k])
    if as_json:
        typer.echo(json.dumps(_as_dict(prepared, is_scenario, found, report, scores, year), indent=2))
        return
    _print(prepared, is_scenario, found, report, scores, year)


def _as_dict(prepared, is_scenario, found, report, scores, year) -> dict:  # noqa: ANN001 (internal)
    by_id = {} if scores is None else scores.set_index("id").to_dict("index")
    items = []
    for lp in found:
        item = lp.to_dict()
        if lp.id in by_id:
            item |= {"score": by_id[lp.id]["score"], "score_node": by_id[lp.id]["node"],
                     "score_share": by_id[lp.id]["share"], "mean_share": by_id[lp.id]["mean_share"]}
        items.append(item)
    return {"model": prepared.model.name, "scenario": prepared.name if is_scenario else None,
            "year": year if is_scenario else None, "n_loops": len(found), "loops": items,
            "stability": report.to_dict()}


def _print(prepared, is_scenario, found, report, scores, year) -> None:  # noqa: ANN001 (internal)
    typer.echo(f"model {prepared.model.name}: {len(found)} feedback loop(s)")
    if not found:
        typer.echo("  no feedback loops: the network has no cycles")
    else:
        frame = loops_frame(found)
        typer.echo(table(frame, ["id", "polarity", "length", "lag", "gain", "path"], [4, 11, 6, 6, 10, 400],
                         {"lag": lambda v: f"{v:g}", "gain": lambda v: f"{v:.3g}"}))
        typer.echo("  lag: sum of central lags (years); gain: product of link coefficients at the start")
    if report.stable:
        typer.echo("stable: no deviation grows "
                   f"(spectral radius of the one-step map {report.spectral_radius:.6g} <= 1)")
    else:
        typer.echo(f"warning: {report.message()}")
    if scores is not None:
        typer.echo(f"\nloops that carry the effect of {prepared.name} in {year:g} "
                   "(score: largest share of a node's deviation fed back by the loop)")
        typer.echo(table(scores, ["id", "polarity", "score", "node", "share", "path"], [4, 11, 7, 24, 8, 400],
                         {"score": lambda v: f"{100 * v:.1f}%", "share": lambda v: f"{100 * v:+.1f}%"}))
