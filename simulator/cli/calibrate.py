"""``bwsim calibrate SCENARIO DATA --out FILE``: fit link weights (and lags) to observed data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import typer

from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.text import labelled, node_labels, parameter_units
from simulator.calibrate import (
    CalibrationResult,
    calibrate,
    override_notes,
    parse_link,
    parse_start,
    select_parameters,
    with_notes,
)
from simulator.cli.common import Lang, atomic_file, echo_warnings, fail, language_option, reports_errors, say
from simulator.cli.flags import as_flags
from simulator.io.fitted_model import fitted_model_text
from simulator.io.output_paths import check_outputs
from simulator.io.spec_files import ScenarioFile, load_scenario
from simulator.messages import Text, localize_number, msg, translate
from simulator.observed import ObservedData, has_places, load_observed, own_rows
from simulator.scenario_run import PreparedScenario, prepare_scenario


def load_inputs(scenario: Path, data: Path) -> tuple[ScenarioFile, PreparedScenario, ObservedData]:
    """Read the scenario (and its model) and the observed data, checked against both.

    Data that name places keep only each node's own place (its region): the other places' rows are for
    comparisons (``bwsim compare-places``), not for a fit.
    """
    loaded = load_scenario(scenario)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    times = prepared.compiled.times
    observed = load_observed(data, list(prepared.compiled.node_ids), (float(times[0]), float(times[-1])))
    if has_places(observed):  # published statistics for several places: fit each node in its own place only
        observed = own_rows(observed, {node.id: node.region for node in prepared.model.nodes}, float(times[0]))
    return loaded, prepared, observed


def _fmt(value: float, language: str = "en") -> str:
    return translate(msg("n/a"), language) if pd.isna(value) else localize_number(f"{value:.4g}", language)


KINDS = {"weight": msg("weight"), "lag": msg("lag")}


def parameter_label(name: str, labels: dict[str, str], language: str) -> str:
    """``from->to:kind`` as a person reads it: node labels, the kind in ``language``."""
    link, _, kind = name.rpartition(":")
    return f"{labelled(link.replace('->', ' -> '), labels)}: {translate(KINDS.get(kind, kind), language)}"


def _relabelled(text: str, labels: dict[str, str], language: str) -> str:
    """A warning or note that names parameters (``from->to:kind``), with those names as people read them."""
    if not labels or not isinstance(text, Text) or text.template is None:
        return text
    params = dict(text.params)
    if "parameter" in params:
        params["parameter"] = parameter_label(str(params["parameter"]), labels, language)
    if "names" in params:
        names = str(params["names"]).split(", ")
        params["names"] = "; ".join(parameter_label(name, labels, language) for name in names)
    return Text(text.template, params)


def format_result(
    result: CalibrationResult,
    labels: dict[str, str] | None = None,
    language: str = "en",
    units: dict[str, str] | None = None,
) -> str:
    """Readable tables in ``language``: parameters with intervals, fit per series, warnings and notes.

    ``labels`` (node id -> label) names nodes for people; without it, node ids are shown. ``units``
    (parameter name -> unit, :func:`~simulator.analysis.text.parameter_units`) adds each parameter's unit.
    """
    labels = labels or {}
    units = units or {}

    def t(text: object) -> str:
        return translate(text, language)

    names = [parameter_label(e.parameter.name, labels, language) for e in result.estimates]
    head = {
        key: t(text)
        for key, text in (
            ("parameter", msg("parameter")),
            ("start", msg("start")),
            ("estimate", msg("estimate")),
            ("se", msg("se")),
            ("interval", msg("interval")),
            ("note", msg("note")),
            ("node", msg("observed node")),
            ("unit", msg("unit")),
        )
    }
    width = max([len(head["parameter"]), *(len(n) for n in names)])
    shown = [units.get(e.parameter.name, "") for e in result.estimates]
    unit_width = max([len(head["unit"]), *(len(u) for u in shown)]) if any(shown) else 0
    lines = [
        t(
            msg(
                "calibration of {scenario} on {data}: {n_obs} observations, {n_par} parameter(s), {converged} "
                "of {starts} start(s) converged",
                scenario=result.scenario,
                data=result.data_file,
                n_obs=result.n_obs,
                n_par=len(result.estimates),
                converged=result.converged,
                starts=result.starts,
            )
        ),
        "",
        f"  {head['parameter']:<{width}} {head['start']:>9} {head['estimate']:>10} {head['se']:>9} "
        f"{head['interval']:>21}  " + (f"{head['unit']:<{unit_width}}  " if unit_width else "") + head["note"],
    ]
    for e, name, unit in zip(result.estimates, names, shown, strict=True):
        note = ", ".join(
            t(x)
            for x in (
                msg("at bound") if e.at_bound else "",
                msg("interval cut to range") if e.cut_to_range else "",
                "" if e.identified else msg("NOT IDENTIFIED"),
            )
            if x
        )
        interval = f"{_fmt(e.low, language)} .. {_fmt(e.high, language)}"
        unit_cell = f"{unit:<{unit_width}}  " if unit_width else ""
        lines.append(
            f"  {name:<{width}} {_fmt(e.parameter.start, language):>9} {_fmt(e.estimate, language):>10} "
            f"{_fmt(e.se, language):>9} {interval:>21}  {unit_cell}{note}".rstrip()
        )
    lines.append(t(msg("  intervals: {how}", how=result.estimates[0].interval)) if result.estimates else "")
    series = [labels.get(s.node, s.node) for s in result.series]
    node_width = max([32, *(len(n) for n in series)])
    lines += ["", f"  {head['node']:<{node_width}} {'n':>4} {'RMSE':>12} {'R^2':>8}"]
    lines += [
        f"  {name:<{node_width}} {s.n:>4} {_fmt(s.rmse, language):>12} {_fmt(s.r2, language):>8}"
        for s, name in zip(result.series, series, strict=True)
    ]
    if result.warnings:
        lines += ["", t(msg("warnings:"))] + [f"  - {t(_relabelled(w, labels, language))}" for w in result.warnings]
    if result.notes:
        lines += ["", t(msg("notes:"))] + [f"  - {t(_relabelled(n, labels, language))}" for n in result.notes]
    return "\n".join(lines)


def calibrate_inputs(loaded: ScenarioFile, data: Path) -> dict[str, str]:
    """The files calibrate reads, each with what it is: none may be replaced by ``--out``."""
    return {
        loaded.model.path: msg("the model being calibrated"),
        loaded.path: msg("the scenario"),
        str(data): msg("the observed data"),
    }


def _write_model(loaded: ScenarioFile, result: CalibrationResult, out: Path, data: Path) -> None:
    when = datetime.now(UTC).isoformat(timespec="seconds")
    text = fitted_model_text(loaded.model, result, loaded.path, when, str(out))
    with atomic_file(out, calibrate_inputs(loaded, data)) as staging:
        staging.write_text(text, encoding="utf-8")


@reports_errors
def calibrate_command(
    scenario: Path = typer.Argument(..., help="Scenario: what happened over the observed period; names the model."),
    data: Path = typer.Argument(..., help="Observed data, CSV with node,time,value (optional region,source)."),
    link: list[str] = typer.Option(
        None,
        "--link",
        help="A link to fit, FROM:TO (repeatable). Default: every link with a range that leads to an observed node.",
    ),
    out: Path = typer.Option(..., "--out", help="Where to write the fitted model (YAML); the old one is kept."),
    lags: bool = typer.Option(False, "--lags", help="Also fit the lags of those links (exponential, third_order)."),
    start: list[str] = typer.Option(
        None,
        "--start",
        help="Start value instead of the mode, FROM:TO=VALUE or "
        "FROM:TO:lag=VALUE (repeatable); must lie inside the link's range.",
    ),
    starts: int = typer.Option(5, "--starts", help="Starts of the optimiser (central values + Latin hypercube)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the extra starts and the bootstrap."),
    bootstrap: int = typer.Option(0, "--bootstrap", help="Bootstrap replicates for the intervals (0: Jacobian)."),
    max_evaluations: int = typer.Option(200, "--max-evaluations", help="Model evaluations per start."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    language: Lang = language_option(),
) -> None:
    """Fit link weights (and lags) to observed data; write a new model with the fitted values."""
    if starts < 1 or bootstrap < 0 or max_evaluations < 1 or seed < 0:
        fail(msg("--starts and --max-evaluations must be at least 1; --bootstrap and --seed at least 0"))
    loaded, prepared, observed = load_inputs(scenario, data)
    check_outputs([out], calibrate_inputs(loaded, data))
    echo_warnings(run_warnings(prepared), language)
    with as_flags("link", "start"):
        pairs = [parse_link(text) for text in link] if link else None
        initial = dict(parse_start(text) for text in start) if start else None
        params, notes = select_parameters(prepared.model, observed.nodes, pairs, lags, prepared.compiled.dt, initial)
        result = with_notes(
            calibrate(
                prepared, observed, params, n_starts=starts, seed=seed, bootstrap=bootstrap, max_nfev=max_evaluations
            ),
            notes + override_notes(loaded.spec, params),
        )
    _write_model(loaded, result, out, data)
    if as_json:
        typer.echo(json.dumps(result.to_dict() | {"written": str(out)}, indent=2))
    else:
        typer.echo(
            format_result(
                result, node_labels(prepared.model, language), language, parameter_units(prepared.model, language)
            )
        )
        say(msg("\nwrote {out} (the model {model} is unchanged)", out=str(out), model=loaded.model.path), language)
