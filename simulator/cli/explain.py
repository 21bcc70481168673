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
from simulator.analysis.text import (
    COLUMNS,
    change_unit,
    format_number,
    labelled,
    node_labels,
    percent,
    score_text,
    table,
    unit_label,
)
from simulator.analysis.tracing import by_intervention, incoming, loop_parts, top_paths, trace_paths
from simulator.cli.common import Lang, echo_warnings, language_option, reports_errors, say
from simulator.engine import simulate
from simulator.errors import InputError, Problem
from simulator.io.spec_files import did_you_mean, load_scenario
from simulator.messages import msg, translate
from simulator.scenario_run import PreparedScenario, prepare_scenario
from simulator.spec import LinkSpec, ScoredWeight

PARTS = {
    "link": msg("link"),
    "bounds": msg("bounds"),
    "path": msg("path"),
    "feedback": msg("feedback"),
    "other": msg("other"),
    "intervention": msg("intervention"),
    "interaction": msg("interaction"),
    "switch": msg("switch"),
}
"""The words of the ``part`` column."""


def explanation(prepared: PreparedScenario, node_id: str, year: float | None, top: int, language: str = "nl") -> dict:
    """Everything ``explain`` reports, as a JSON-ready dict (keys in docs/analysis.md).

    Raises
    ------
    InputError
        For an unknown node or a year outside the horizon.
    """
    cm = prepared.compiled
    if node_id not in cm.node_ids:
        raise InputError(
            Problem(
                "",
                "--node",
                msg("unknown node '{node}'", node=node_id),
                did_you_mean(node_id, list(cm.node_ids)) or msg("see bwsim validate for the ids"),
            )
        )
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
        "scenario": prepared.name,
        "node": node_id,
        "label": node.label.get(language),
        "unit": node.shown_unit,
        "year": float(cm.times[k]),
        "baseline": float(cm.baselines[k, i]),
        "delta": float(d[k, i]),
        "exact": bool(abs(bounds) <= 1e-9 * max(abs(float(d[k, i])), 1e-300)),
        "incoming": _records(links),
        "paths": _records(top_paths(paths, top)),
        "n_paths": int((paths["part"] != "other").sum()),
        "loops": _records(loops),
        "interventions": _records(by_intervention(cm, prepared.interventions, i, k)),
        "scored": [_scored(link) for link in prepared.model.links if link.target == node_id and link.is_scored],
    } | ({"nonlinear": True} if cm.has_shapes else {})


def _scored(link: LinkSpec) -> dict:
    """An expert-scored incoming link: its scores, and the pooled weight's centre, 90 % interval and range."""
    weight = link.weight
    assert isinstance(weight, ScoredWeight)
    return {
        "source": link.source,
        "scores": [{"by": s.by, "score": s.score} for s in weight.scores],
        "weight": weight.central,
        "p05": weight.quantile(0.05),
        "p95": weight.quantile(0.95),
        "low": weight.support[0],
        "high": weight.support[1],
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
        for row in json.loads(frame.to_json(orient="records", double_precision=15))
    ]


@reports_errors
def explain(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML)."),
    node: str = typer.Option(..., "--node", help="Id of the node to explain."),
    year: float | None = typer.Option(None, "--year", help="Year (default: the horizon)."),
    top: int = typer.Option(10, "--top", min=1, help="Number of paths listed; the rest is summed."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md)."),
    language: Lang = language_option(),
) -> None:
    """Split a node's change into incoming links, paths from the interventions and loop feedback."""
    loaded = load_scenario(scenario)
    try:
        prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
        echo_warnings(run_warnings(prepared), language)
        result = explanation(prepared, node, year, top, language)
    except InputError as exc:
        raise InputError([Problem(str(scenario), p.place, p.message, p.hint) for p in exc.problems]) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    title = loaded.spec.title.get(language) if loaded.spec.title else loaded.spec.name
    _print(result, title, node_labels(prepared.model, language), language)
    scored = [link for link in prepared.model.links if link.target == node and link.is_scored]
    if scored:
        labels = node_labels(prepared.model, language)
        say(msg("\nexpert-scored links into this node (the run uses the central weight)"), language)
        for link in scored:
            typer.echo(f"  {labels.get(link.source, link.source)}: {score_text(link, language)}")


def _heading(r: dict, title: str, language: str) -> str:
    unit = unit_label(r["unit"], language)
    values = {
        "label": r["label"],
        "year": r["year"],
        "scenario": title,
        "delta": format_number(r["delta"], language),
        "baseline": format_number(r["baseline"], language),
        "change_unit": change_unit(unit, language),
        "unit": unit,
    }
    if not r["unit"]:
        return translate(
            msg("{label} in {year:g}, scenario {scenario}: change {delta} (baseline {baseline})", **values), language
        )
    return translate(
        msg(
            "{label} in {year:g}, scenario {scenario}: change {delta} {change_unit} (baseline {baseline} {unit})",
            **values,
        ),
        language,
    )


def _frame(rows: list[dict], labels: dict[str, str], language: str) -> pd.DataFrame:
    """Rows for people: part words in ``language``, node ids replaced by labels."""
    frame = pd.DataFrame(rows).fillna(np.nan)
    if "part" in frame:
        frame["part"] = [translate(PARTS.get(p, p), language) for p in frame["part"]]
    for column in ("source", "path", "loop", "node"):
        if column in frame:
            frame[column] = [labelled(_prefixes(str(v), language), labels) for v in frame[column]]
    return frame


def _prefixes(text: str, language: str) -> str:
    for word, label in (("(loop) ", msg("(loop) ")), ("(bounds) ", msg("(bounds) ")), ("(switch) ", msg("(switch) "))):
        if text.startswith(word):
            return translate(label, language) + text[len(word) :]
    return text


def _print(r: dict, title: str, labels: dict[str, str], language: str) -> None:
    say(_heading(r, title, language), language)
    if r["delta"] == 0:
        say(msg("  no change: nothing to explain"), language)
        return
    fmt = {"value": lambda v: format_number(v, language), "share": lambda v: percent(v, language)}

    def show(rows: list[dict], columns: list[str], widths: list[int]) -> None:
        names = [translate(COLUMNS[c], language) for c in columns]
        frame = _frame(rows, labels, language)[columns].set_axis(names, axis=1)
        say(table(frame, names, widths, {n: fmt[c] for c, n in zip(columns, names, strict=True) if c in fmt}), language)

    say(msg("\nvia incoming links (parts add up to the change)"), language)
    show(r["incoming"], ["part", "source", "value", "share"], [12, 48, 12, 8])
    say(
        msg(
            "\nvia paths from the interventions (largest {shown} of {n}; '{loop}': what a loop fed back; "
            "'{other}': the rest)",
            shown=len(r["paths"]) - 1,
            n=r["n_paths"],
            loop=msg("(loop)"),
            other=PARTS["other"],
        ),
        language,
    )
    show(r["paths"], ["part", "value", "share", "path"], [8, 12, 8, 400])
    if len(r["interventions"]) > 2:
        say(
            msg(
                "\nper intervention (each run alone; '{interaction}': what bounds and nonlinear links add together)",
                interaction=PARTS["interaction"],
            )
            if r.get("nonlinear")
            else msg(
                "\nper intervention (each run alone; '{interaction}': what bounds add together)",
                interaction=PARTS["interaction"],
            ),
            language,
        )
        show(r["interventions"], ["part", "index", "node", "shape", "value", "share"], [13, 5, 40, 6, 12, 8])
    if r["loops"]:
        say(msg("\nfeedback per loop"), language)
        show(r["loops"], ["id", "value", "share", "loop"], [4, 12, 8, 400])
    switching = any(p["part"] == "switch" and p["value"] for p in r["paths"])  # a capacity node changed input
    if switching and r["exact"]:
        say(
            msg(
                "\nnote: a capacity limit (a minimum or maximum node) switched input on the way; the '{switch}' "
                "parts hold what the switch changed; parts are recomputed from the run",
                switch=PARTS["switch"],
            ),
            language,
        )
    if r.get("nonlinear"):
        say(
            msg(
                "\nnonlinear links: a shaped link passes on its source's parts in proportion to its signal; the "
                "parts are recomputed from the run and add up to the change"
            ),
            language,
        )
    if r["exact"] and (switching or r.get("nonlinear")):
        return
    say(
        msg("\nexact: the model is linear where no bound binds; parts are recomputed from the run")
        if r["exact"]
        else msg(
            "\nnote: a bound (min/max) binds; the '{bounds}' parts hold what clipping removed", bounds=PARTS["bounds"]
        ),
        language,
    )
