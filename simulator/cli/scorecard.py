"""``bwsim scorecard SCENARIO...``: the brede-welvaart scorecard alone, as text or JSON, without writing files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import typer

from simulator.analysis.report import comparison_text, scorecard_text
from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.scorecard import distribution, measured_only, summary
from simulator.analysis.tradeoffs import tradeoffs
from simulator.cli.common import Lang, echo_warnings, fail, language_option, reports_errors
from simulator.errors import InputError, Problem
from simulator.io.spec_files import ScenarioFile, load_scenario
from simulator.messages import msg, translate
from simulator.runner import Uncertainty, check_uncertainty, draw_sample, run_prepared
from simulator.sampling import METHODS, ParameterSample
from simulator.scenario_run import PreparedScenario, prepare_scenario


def _records(frame: pd.DataFrame) -> list[dict]:
    rows = json.loads(frame.to_json(orient="records", double_precision=15))
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()} for r in rows]


def _report(prepared: PreparedScenario, card: pd.DataFrame, d: np.ndarray) -> dict:
    """One scenario's scorecard as JSON-ready dict (keys in docs/analysis.md); ``d`` the deterministic
    run's deviations (K + 1, N), node units."""
    cm = prepared.compiled
    years = sorted(card["year"].unique().tolist())
    return {"scenario": prepared.name, "years": years, "nodes": _records(card), "themes": _records(summary(card)),
            "dimensions": _records(summary(card, by=("dimension",))),
            "distribution": _records(distribution(prepared.model, cm.times, cm.baselines, d, years,
                                                  scenario=prepared.name)),
            "tradeoffs": _records(tradeoffs(card))}


def _sample(prepared: PreparedScenario, uncertainty: Uncertainty, loaded: ScenarioFile) -> ParameterSample:
    """The scenario's one draw, after the checks a run with samples makes."""
    problems = check_uncertainty(prepared, uncertainty, loaded)
    if problems:
        raise InputError(problems)
    return draw_sample(prepared, uncertainty)


@reports_errors
def scorecard(scenarios: list[Path] = typer.Argument(..., help="Scenario files (YAML)."),
              year: list[float] | None = typer.Option(None, "--year", help="Year to score (repeatable; "
                                                      "default: decades and the horizon)."),
              theme: list[str] | None = typer.Option(None, "--theme", help="Only this theme (repeatable)."),
              samples: int | None = typer.Option(None, help="Ensemble members: share of runs that agree."),
              seed: int = typer.Option(0, help="Seed of the ensemble draws."),
              method: str = typer.Option("lhs", help="Ensemble sampling: lhs or mc."),
              measured: bool = typer.Option(False, "--measured-only",
                                            help="Leave out the indices scored by experts (quantified: false)."),
              as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md)."),
              language: Lang = language_option()) -> None:
    """Print the brede-welvaart scorecard of scenarios against their baseline (nothing is written)."""
    if samples is not None and samples < 1:
        fail(msg("--samples must be at least 1, got {samples}", samples=samples))
    if method not in METHODS:
        fail(msg("--method must be lhs or mc, got {method}", method=repr(method)))
    uncertainty = None if samples is None else Uncertainty(samples, seed, method)
    reports, texts, cards = [], [], []
    for path in scenarios:
        loaded = load_scenario(path)
        prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
        try:
            sample = None if uncertainty is None else _sample(prepared, uncertainty, loaded)
            echo_warnings(run_warnings(prepared, sample=sample), language)
            run = run_prepared(prepared, uncertainty, sample=sample, years=year or None, language=language,
                               themes=theme or None, warnings=(), file=loaded)
            card, central = run.scorecard, run.result.delta
        except InputError as exc:
            raise InputError([p if p.file else Problem(str(path), p.place if p.place.startswith("--")
                                                       else f"--{p.place}", p.message, p.hint)
                              for p in exc.problems]) from None
        if measured:
            card = measured_only(card)
        cards.append(card)
        if as_json:
            reports.append(_report(prepared, card, central))
        else:
            title = loaded.spec.title.get(language) if loaded.spec.title else loaded.spec.name
            head = f"{title} ({loaded.spec.name})\n"
            if measured:
                head += translate(msg("measured indicators only: the indices scored by experts are left out"),
                                  language) + "\n"
            texts.append(head + scorecard_text(card, prepared, language, central=central))
    if as_json:
        typer.echo(json.dumps({"scenarios": reports}, indent=2))
        return
    typer.echo("\n\n".join(texts))
    if len(cards) > 1:
        typer.echo("\n" + comparison_text(cards, language))
