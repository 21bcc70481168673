"""``bwsim loops PATH``: the feedback loops of a model, its stability, and for a scenario the loops that matter."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from simulator.analysis.loops import find_loops, gains_at, loop_scores, loops_frame
from simulator.analysis.run_warnings import horizon_warnings
from simulator.analysis.scorecard import time_indices
from simulator.analysis.stability import check_stability
from simulator.analysis.text import COLUMNS, POLARITIES, labelled, node_labels, table
from simulator.cli.common import Lang, echo_warnings, fail, language_option, reports_errors, say
from simulator.engine import simulate
from simulator.io.spec_files import is_scenario_document, load_model, load_scenario
from simulator.io.yaml_file import read_yaml
from simulator.messages import localize_number, msg, translate
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
def loops(
    path: Path = typer.Argument(..., help="A model file, or a scenario file (then: which loops carry its effect)."),
    year: float | None = typer.Option(
        None, "--year", help="Scenario only: the year to score loops at (default: the horizon)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md)."),
    language: Lang = language_option(),
) -> None:
    """List every feedback loop with its polarity, lag and gain, and check stability."""
    prepared, is_scenario = prepare_path(path)
    if year is not None and not is_scenario:
        fail(
            msg(
                "--year scores loops on a scenario's run; {path} is a model file (give a scenario, or drop --year)",
                path=str(path),
            )
        )
    echo_warnings(horizon_warnings(prepared), language)  # stability is part of what loops prints
    cm = prepared.compiled
    found = find_loops(prepared.model, prepared.time)
    scores, d = None, None
    if is_scenario:
        k = time_indices(cm.times, [cm.times[-1] if year is None else year], "--year")[0]
        d = simulate(cm, prepared.inputs)[:, :, 0]
        year = float(cm.times[k])
        if found:
            scores = loop_scores(found, cm, prepared.inputs, d, k)
            if cm.has_shapes:  # a nonlinear link's coefficient depends on the run
                gains = dict(zip([lp.id for lp in found], gains_at(found, cm, d, k).tolist(), strict=True))
                scores["gain_at_run"] = scores["id"].map(gains)
    report = check_stability(prepared.model, cm, prepared.time, found, run=d)
    if as_json:
        typer.echo(json.dumps(_as_dict(prepared, is_scenario, found, report, scores, year), indent=2))
        return
    _print(prepared, is_scenario, found, report, scores, year, language)


def _as_dict(prepared, is_scenario, found, report, scores, year) -> dict:  # noqa: ANN001 (internal)
    by_id = {} if scores is None else scores.set_index("id").to_dict("index")
    items = []
    for lp in found:
        item = lp.to_dict()
        if lp.id in by_id:
            item |= {
                "score": by_id[lp.id]["score"],
                "score_node": by_id[lp.id]["node"],
                "score_share": by_id[lp.id]["share"],
                "mean_share": by_id[lp.id]["mean_share"],
            }
            if "gain_at_run" in by_id[lp.id]:
                item["gain_at_run"] = by_id[lp.id]["gain_at_run"]
        items.append(item)
    return {
        "model": prepared.model.name,
        "scenario": prepared.name if is_scenario else None,
        "year": year if is_scenario else None,
        "n_loops": len(found),
        "loops": items,
        "stability": report.to_dict(),
    }


def _for_people(frame, labels: dict[str, str], language: str):  # noqa: ANN001, ANN202 (a DataFrame)
    """Polarity words in ``language`` and labels instead of node ids; headings translated."""
    frame = frame.copy()
    frame["polarity"] = [translate(POLARITIES.get(p, p), language) for p in frame["polarity"]]
    for column in ("path", "node"):
        if column in frame:
            frame[column] = [labelled(str(v), labels) for v in frame[column]]
    return frame


def _show(frame, columns: list[str], widths: list[int], formats: dict, language: str) -> None:  # noqa: ANN001
    names = [translate(COLUMNS[c], language) for c in columns]
    shown = frame[columns].set_axis(names, axis=1)
    say(table(shown, names, widths, {names[columns.index(c)]: f for c, f in formats.items() if c in columns}), language)


def _print(prepared, is_scenario, found, report, scores, year, language) -> None:  # noqa: ANN001 (internal)
    labels = node_labels(prepared.model, language)
    title = prepared.model.title.get(language)
    say(msg("model {model}: {n} feedback loop(s)", model=title, n=len(found)), language)
    if not found:
        say(msg("  no feedback loops: the network has no cycles"), language)
    else:
        _show(
            _for_people(loops_frame(found), labels, language),
            ["id", "polarity", "length", "lag", "gain", "path"],
            [4, 12, 6, 6, 10, 400],
            {
                "lag": lambda v: localize_number(f"{v:g}", language),
                "gain": lambda v: localize_number(f"{v:.3g}", language),
            },
            language,
        )
        say(msg("  lag: sum of central lags (years); gain: product of link coefficients at the start"), language)
    if report.stable:
        say(
            msg(
                "stable: no deviation grows (spectral radius of the one-step map {radius:.6g} <= 1)",
                radius=report.spectral_radius,
            ),
            language,
        )
        if report.stable_note():
            say(msg("  {note}", note=report.stable_note()), language)
    else:
        say(msg("warning: {text}", text=report.message(prepared.model)), language)
    if scores is not None:
        say(
            msg(
                "\nloops that carry the effect of {scenario} in {year:g} (score: largest share of a node's "
                "deviation fed back by the loop)",
                scenario=prepared.name,
                year=year,
            ),
            language,
        )
        at_run = "gain_at_run" in scores
        columns = ["id", "polarity", "score", "node", "share", *(["gain_at_run"] if at_run else []), "path"]
        widths = [4, 12, 7, 32, 8, *([12] if at_run else []), 400]
        _show(
            _for_people(scores, labels, language),
            columns,
            widths,
            {
                "score": lambda v: localize_number(f"{100 * v:.1f}%", language),
                "share": lambda v: localize_number(f"{100 * v:+.1f}%", language),
                "gain_at_run": lambda v: localize_number(f"{v:.3g}", language),
            },
            language,
        )
        if at_run:
            say(
                msg(
                    "  gain at run: product of link coefficients at the run in {year:g} (a nonlinear link at its "
                    "slope there)",
                    year=year,
                ),
                language,
            )
