"""``bwsim explain SCENARIO --node ID [--year Y]``: through which links, paths and loops a change came."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from simulator.analysis.loops import find_loops
from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.scorecard import time_indices
from simulator.analysis.text import change_unit, format_number, percent, table
from simulator.analysis.tracing import by_intervention, incoming, loop_parts, top_paths, trace_paths
from simulator.cli.common import echo_warnings, reports_errors
from simulator.engine import simulate
from simulator.errors import InputError, Problem
from simulator.io.spec_files import did_you_mean, load_scenario
from simulator.scenario_run import PreparedScenario, prepare_scenario


def explanation(prepared: PreparedScenario, node_id: str, year: float | None, top: int,
                language: str = "nl") -> dict:
    """Everything ``explain`` reports, as a JSON-ready dict (keys in docs/analysis.md).

    Raises
    ------
    InputError
        For an unknown node or a year outside the horizon.
    """
    cm = prepared.compiled
    if node_id not in cm.node_ids:
        raise InputError(Problem("", "--node", f"unknown node '{node_id}'",
                                 did_you_mean(node_id, list(cm.node_ids)) or "see bwsim validate for the ids"))
    k = time_indices(cm.times, [cm.times[-1] if year is None else year], "--year")[0]
    i = cm.index(node_id)
    d = simulate(cm, prepared.inputs)[:, :, 0]
    links = incoming(cm, prepared.inputs, d, i, k)
    paths = trace_paths(cm, prepared.inputs, d, i, k)
    ids = {lp.path: lp.id for lp in find_loops(prepared.model, prepared.time)}
    loops = loop_parts(paths)
    loops.insert(0, "id", [ids.get(p, "") for p in loops["loop"]])
    node = prepared.model.node(node_id)
    bounds = float(links.loc[links["part"] == "bounds", "value"].sum())
    return {
        "scenario": prepared.name, "node": node_id, "label": node.label.get(language), "unit": node.unit,
        "year": float(cm.times[k]), "baseline": float(cm.baselines[k, i]), "delta": float(d[k, i]),
        "exact": bool(abs(bounds) <= 1e-9 * max(abs(float(d[k, i])), 1e-300)),
        "incoming": _records(links), "paths": _records(top_paths(paths, top)),
        "n_paths": int((paths["part"] != "other").sum()), "loops": _records(loops),
        "interventions": _records(by_intervention(cm, prepared.interventions, i, k)),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in json.loads(frame.to_json(orient="records", double_precision=15))]


@reports_errors
def explain(scenario: Path = typer.Argument(..., help="Scenario file (YAML)."),
            node: str = typer.Option(..., "--node", help="Id of the node to explain."),
            year: float | None = typer.Option(None, "--year", help="Year (default: the horizon)."),
            top: int = typer.Option(10, "--top", min=1, help="Number of paths listed; the rest is summed."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md)."),
            language: str = typer.Option("nl", "--lang", help="Labels: nl or en.")) -> None:
    """Split a node's change into incoming links, paths from the interventions and loop feedback."""
    loaded = load_scenario(scenario)
    try:
        prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
        echo_warnings(run_warnings(prepared))
        result = explanation(prepared, node, year, top, language)
    except InputError as exc:
        raise InputError([Problem(str(scenario), p.place, p.message, p.hint) for p in exc.problems]) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    _print(result, language)


def _print(r: dict, language: str) -> None:
    unit = f" {r['unit']}" if r["unit"] else ""
    change = f" {change_unit(r['unit'], language)}" if r["unit"] else ""
    typer.echo(f"{r['label']} ({r['node']}) in {r['year']:g}, scenario {r['scenario']}: "
               f"change {format_number(r['delta'], language)}{change} "
               f"(baseline {format_number(r['baseline'], language)}{unit})")
    if r["delta"] == 0:
        typer.echo("  no change: nothing to explain")
        return
    fmt = {"value": lambda v: format_number(v, language), "share": lambda v: percent(v, language)}
    typer.echo("\nvia incoming links (parts add up to the change)")
    typer.echo(table(pd.DataFrame(r["incoming"]).fillna(np.nan), ["part", "link", "value", "share"],
                     [12, 48, 12, 8], fmt))
    typer.echo(f"\nvia paths from the interventions (largest {len(r['paths']) - 1} of {r['n_paths']}; "
               "'(loop)': what a loop fed back; 'other': the rest)")
    typer.echo(table(pd.DataFrame(r["paths"]).fillna(np.nan), ["part", "value", "share", "path"],
                     [8, 12, 8, 400], fmt))
    if len(r["interventions"]) > 2:
        typer.echo("\nper intervention (each run alone; 'interaction': what bounds add together)")
        typer.echo(table(pd.DataFrame(r["interventions"]).fillna(np.nan), ["part", "index", "node", "shape",
                                                                           "value", "share"],
                         [12, 5, 24, 6, 12, 8], fmt))
    if r["loops"]:
        typer.echo("\nfeedback per loop")
        typer.echo(table(pd.DataFrame(r["loops"]).fillna(np.nan), ["id", "value", "share", "loop"],
                         [4, 12, 8, 400], fmt))
    typer.echo("\nexact: the model is linear where no bound binds; parts are recomputed from the run"
               if r["exact"] else
               "\nnote: a bound (min/max) binds; the 'bounds' parts hold what clipping removed")
