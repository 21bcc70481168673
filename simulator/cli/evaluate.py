"""``bwsim evaluate SCENARIO DATA --since YEAR``: the observed impact of a policy against what its scenario expected.

The numbers come from :mod:`simulator.evaluate`; this module puts them into words
(Dutch by default), prints them as JSON, or writes the per-observation table as CSV.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import typer

from simulator.analysis.text import format_number, node_labels, node_units
from simulator.cli.calibrate import load_inputs
from simulator.cli.common import Lang, atomic_file, echo_warnings, fail, language_option, reports_errors, say
from simulator.errors import InputError, Problem
from simulator.evaluate import Evaluation, evaluate
from simulator.io.output_paths import check_outputs
from simulator.io.spec_files import ScenarioFile
from simulator.messages import localize_number, msg, translate
from simulator.runner import Uncertainty

DEFAULT_SAMPLES = 1000
"""Ensemble members of the expected band when neither ``--samples`` nor the scenario's file gives a number."""

VERDICT_TEXT = {
    "zero": msg("not distinguishable from zero"),
    "as_expected": msg("as expected"),
    "larger": msg("larger than expected"),
    "smaller": msg("smaller than expected"),
}
FORM_TEXT = {"level": msg("baseline + level shift"), "trend": msg("baseline + level shift + trend")}


def _band(value: float, low: float, high: float, language: str) -> str:
    """``value (low .. high)``, four significant digits each."""
    return (
        f"{format_number(value, language, 4)} ({format_number(low, language, 4)} .. {format_number(high, language, 4)})"
    )


def format_evaluation(
    result: Evaluation, labels: dict[str, str] | None = None, language: str = "en", units: dict[str, str] | None = None
) -> str:
    """The fit per indicator, every evaluated observation with both bands and its verdict; in ``language``."""
    labels, units = labels or {}, units or {}

    def t(text: object) -> str:
        return translate(text, language)

    ensemble = result.run.ensemble
    samples = ensemble.samples if ensemble is not None else 0
    lines = [
        t(
            msg(
                "evaluation of {scenario} with {data}, policy since {since:g}: {level:.0%} bands (expected: "
                "{samples} ensemble members; observed: the pre-policy fit's uncertainty plus observation noise)",
                scenario=result.scenario,
                data=result.data_file,
                since=result.since,
                level=result.level,
                samples=samples,
            )
        ),
        "",
    ]
    summary = result.summary()
    for row in summary.itertuples(index=False):
        fit = result.fits[row.node]
        unit = units.get(row.node, "")
        name = labels.get(row.node, row.node) + (f" ({unit})" if unit else "")
        shift = format_number(float(fit.coefficients[0]), language, 4)
        values = {
            "name": name,
            "form": t(FORM_TEXT[fit.form]),
            "n": fit.n,
            "since": result.since,
            "sigma": format_number(fit.sigma, language, 3),
            "shift": shift,
        }
        if fit.form == "trend":
            text = msg(
                "{name}: counterfactual = {form} (shift {shift} in {since:g}, trend {trend} a year), fitted on "
                "{n} observations before {since:g}, residual sd {sigma}",
                trend=format_number(float(fit.coefficients[1]), language, 3),
                **values,
            )
        else:
            text = msg(
                "{name}: counterfactual = {form} (shift {shift}), fitted on {n} observations before "
                "{since:g}, residual sd {sigma}",
                **values,
            )
        lines.append("  " + t(text))
        lines.append(
            "    "
            + t(
                msg(
                    "latest ({time}): {verdict}; of {n} evaluated: {as_expected} as expected, "
                    "{larger} larger, {smaller} smaller, {zero} not distinguishable from zero",
                    time=localize_number(f"{row.latest_time:g}", language),
                    verdict=t(VERDICT_TEXT[row.latest]),
                    n=row.n_after,
                    as_expected=row.as_expected,
                    larger=row.larger,
                    smaller=row.smaller,
                    zero=row.zero,
                )
            )
        )
    names = [labels.get(node, node) for node in result.table["node"]]
    width = max([20, *(len(name) for name in names)])
    words = [
        t(w)
        for w in (
            msg("indicator"),
            msg("time"),
            msg("observed"),
            msg("counterfactual"),
            msg("observed impact"),
            msg("expected impact"),
            msg("verdict"),
        )
    ]
    cells = [
        (
            f"{format_number(r.observed, language, 5):>12}",
            f"{format_number(r.counterfactual, language, 5):>14}",
            _band(r.impact, r.impact_low, r.impact_high, language),
            _band(r.expected, r.expected_low, r.expected_high, language),
        )
        for r in result.table.itertuples(index=False)
    ]
    impact_width = max([len(words[4]), *(len(c[2]) for c in cells)])
    expected_width = max([len(words[5]), *(len(c[3]) for c in cells)])
    lines += [
        "",
        f"  {words[0]:<{width}} {words[1]:>8} {words[2]:>12} {words[3]:>14}  {words[4]:<{impact_width}}  "
        f"{words[5]:<{expected_width}}  {words[6]}",
    ]
    for row, name, cell in zip(result.table.itertuples(index=False), names, cells, strict=True):
        lines.append(
            f"  {name:<{width}} {localize_number(f'{row.time:g}', language):>8} {cell[0]} {cell[1]}  "
            f"{cell[2]:<{impact_width}}  {cell[3]:<{expected_width}}  {t(VERDICT_TEXT[row.verdict])}"
        )
    return "\n".join(lines)


def _json(result: Evaluation, uncertainty: Uncertainty) -> str:
    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value

    fits = [
        {
            "node": fit.node,
            "form": fit.form,
            "n_before": fit.n,
            "level_shift": float(fit.coefficients[0]),
            "trend_per_year": float(fit.coefficients[1]) if fit.form == "trend" else None,
            "sigma": fit.sigma,
            "dof": fit.dof,
            "aicc": {k: clean(v) for k, v in fit.aicc.items()},
            "residual_autocorrelation": clean(fit.autocorrelation),
        }
        for fit in result.fits.values()
    ]
    rows = [{k: clean(v) for k, v in row.items()} for row in result.table.to_dict(orient="records")]
    return json.dumps(
        {
            "scenario": result.scenario,
            "data": result.data_file,
            "since": result.since,
            "level": result.level,
            **uncertainty.as_dict(),
            "fits": fits,
            "observations": rows,
            "summary": result.summary().to_dict(orient="records"),
            "warnings": [str(w) for w in result.warnings],
        },
        indent=2,
    )


def _inputs(loaded: ScenarioFile, data: Path) -> dict[str, str]:
    return {loaded.model.path: msg("the model"), loaded.path: msg("the scenario"), str(data): msg("the observed data")}


def _check_out(out: Path, force: bool, inputs: dict[str, str]) -> None:
    check_outputs([out], inputs)
    if out.exists() and not force:
        raise InputError(
            Problem(str(out), "--out", msg("exists already"), msg("add --force to replace it, or choose another file"))
        )


@reports_errors
def evaluate_command(
    scenario: Path = typer.Argument(
        ..., help="Scenario file: the policy as planned (YAML), on a horizon that starts before the observations."
    ),
    data: Path = typer.Argument(..., help="Observed data, CSV with node,time,value."),
    since: float = typer.Option(
        ...,
        "--since",
        help="The year the policy started: observations before it fit "
        "the counterfactual, those from it on are evaluated.",
    ),
    samples: int | None = typer.Option(
        None,
        "--samples",
        help="Ensemble members of the expected band (default: the scenario's uncertainty block, else 1000).",
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the ensemble (default: the scenario's, or 0)."),
    out: Path | None = typer.Option(None, "--out", help="Write the table of evaluated observations as CSV."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out file."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    language: Lang = language_option(),
) -> None:
    """Evaluate a policy after the fact: observed impact (observed minus the continued pre-policy fit) against the
    scenario's expected impact, per indicator and year."""
    if samples is not None and samples < 2:
        fail(msg("--samples must be at least 2 for a band, got {samples}", samples=samples))
    if seed is not None and seed < 0:
        fail(msg("--seed must be 0 or more, got {seed}", seed=seed))
    if not math.isfinite(since):
        fail(msg("--since must be a year, got {since}", since=since))
    loaded, prepared, observed = load_inputs(scenario, data)
    inputs = _inputs(loaded, data)
    if out is not None:
        _check_out(out, force, inputs)
    uncertainty = Uncertainty(samples, seed).resolve(loaded.spec) or Uncertainty(DEFAULT_SAMPLES, seed or 0, "lhs")
    try:
        result = evaluate(prepared, observed, since, uncertainty)
    except InputError as exc:  # the policy's start is --since here, and belongs to the scenario's horizon
        raise InputError(
            [
                replace(p, file=loaded.path, place="--since") if not p.file and p.place == "since" else p
                for p in exc.problems
            ]
        ) from None
    echo_warnings(list(result.warnings), language)
    if out is not None:
        _check_out(out, force, inputs)
        with atomic_file(out, inputs) as staging:
            result.table.to_csv(staging, index=False, lineterminator="\n")
    if as_json:
        typer.echo(_json(result, uncertainty))
    else:
        typer.echo(
            format_evaluation(
                result, node_labels(prepared.model, language), language, node_units(prepared.model, language)
            )
        )
        if out is not None:
            say(msg("written: {path}", path=str(out)), language)
