"""``bwsim scorecard SCENARIO...``: the brede-welvaart scorecard alone, as text or JSON, without writing files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import typer

from simulator.analysis.ambition_report import ambition_records, ambitions_text
from simulator.analysis.ambitions import AmbitionResult, ambition_times, judge
from simulator.analysis.places import place_scorecard, whole_scorecard
from simulator.analysis.report import comparison_text, scorecard_text
from simulator.analysis.run_warnings import run_warnings
from simulator.analysis.scorecard import distribution, measured_only, summary, time_indices
from simulator.analysis.tradeoffs import tradeoffs
from simulator.cli.common import Lang, echo_warnings, fail, language_option, reports_errors
from simulator.errors import InputError, Problem
from simulator.io.ambition_files import AmbitionsFile, ambitions_beside, load_ambitions
from simulator.io.spec_files import ScenarioFile, load_scenario
from simulator.messages import msg, translate
from simulator.runner import ScenarioRun, Uncertainty, check_uncertainty, draw_sample, run_prepared
from simulator.sampling import METHODS, ParameterSample
from simulator.scenario_run import PreparedScenario, prepare_scenario

if TYPE_CHECKING:
    from simulator.ensemble import EnsembleSummary


def _records(frame: pd.DataFrame) -> list[dict]:
    rows = json.loads(frame.to_json(orient="records", double_precision=15))
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()} for r in rows]


def _report(
    prepared: PreparedScenario,
    card: pd.DataFrame,
    d: np.ndarray,
    run: ScenarioRun | None = None,
    place: str | None = None,
) -> dict:
    """One scenario's scorecard as JSON-ready dict (keys in docs/analysis.md); ``d`` the deterministic
    run's deviations (K + 1, N), node units. With ``place``: the place's rows, and the whole's under ``whole``."""
    cm = prepared.compiled
    years = sorted(card["year"].unique().tolist())
    shown = card if place is None else place_scorecard(card, prepared.model, place)
    verdeling = distribution(prepared.model, cm.times, cm.baselines, d, years, scenario=prepared.name)
    ensemble = None if run is None else run.ensemble
    if ensemble is not None and ensemble.members is not None:
        idx = time_indices(cm.times, years)
        if all(k in ensemble.member_times for k in idx):
            verdeling = distribution(
                prepared.model,
                cm.times[idx],
                cm.baselines[idx],
                ensemble.member_deltas(idx),
                years,
                scenario=prepared.name,
                central=d[idx],
            )
    out: dict[str, Any] = {
        "scenario": prepared.name,
        "years": years,
        "nodes": _records(shown),
        "themes": _records(summary(shown)),
        "dimensions": _records(summary(shown, by=("dimension",))),
        "distribution": _records(verdeling),
        "tradeoffs": _records(tradeoffs(shown)),
    }
    if place is not None:
        whole = whole_scorecard(card, prepared.model)
        out |= {
            "place": place,
            "whole": {
                "nodes": _records(whole),
                "themes": _records(summary(whole)),
                "dimensions": _records(summary(whole, by=("dimension",))),
            },
        }
    return out


def _place_card(card: pd.DataFrame, prepared: PreparedScenario, place: str | None, path: Path) -> pd.DataFrame:
    """The rows of ``place`` (all without one); an InputError at ``--place`` of ``path`` for a place the model lacks."""
    if place is None:
        return card
    try:
        return place_scorecard(card, prepared.model, place)
    except InputError as exc:
        raise InputError([Problem(str(path), p.place, p.message, p.hint) for p in exc.problems]) from None


def _place_text(
    card: pd.DataFrame,
    prepared: PreparedScenario,
    place: str,
    language: str,
    central: np.ndarray,
    ensemble: EnsembleSummary | None,
) -> str:
    """The scorecard of ``place``, then the place beside the whole at the horizon."""
    own = place_scorecard(card, prepared.model, place)
    name = place.replace("_", " ").capitalize()
    head = translate(
        msg("Scorecard of {place} (its nodes only, each in its own brede-welvaart dimension)", place=name), language
    )
    whole = whole_scorecard(card, prepared.model)
    beside = comparison_text(
        [own.assign(scenario=name), whole.assign(scenario=translate(msg("whole"), language))], language
    )
    return head + "\n" + scorecard_text(own, prepared, language, central=central, ensemble=ensemble) + "\n\n" + beside


def _ambitions(loaded: list[ScenarioFile], given: Path | None, off: bool) -> list[AmbitionsFile | None]:
    """Each scenario's ambitions: the file given, else ``<model>.ambitions.yaml`` beside its model when it
    exists; each read once per model, checked against it and the horizons of its scenarios, every problem at once."""
    if off:
        return [None] * len(loaded)
    paths = [given if given is not None else ambitions_beside(item.model.path) for item in loaded]
    wanted: dict[tuple[str, str], list[ScenarioFile]] = {}
    for item, candidate in zip(loaded, paths, strict=True):
        if given is not None or candidate.is_file():
            wanted.setdefault((str(candidate), item.model.path), []).append(item)
    read: dict[tuple[str, str], AmbitionsFile] = {}
    problems: list[Problem] = []
    for (file, model_path), items in wanted.items():
        try:
            read[(file, model_path)] = load_ambitions(
                file, items[0].model.spec, [(it.spec.time_on(it.model.spec), it.spec.name) for it in items]
            )
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise InputError(problems)
    return [read.get((str(candidate), item.model.path)) for item, candidate in zip(loaded, paths, strict=True)]


def _judged(run: ScenarioRun, goal: AmbitionsFile) -> list[AmbitionResult]:
    """The scenario's run against its ambitions: the deterministic run and the members its ensemble kept."""
    cm = run.prepared.compiled
    members = None if run.ensemble is None else run.ensemble.member_deltas(ambition_times(goal.spec, cm.times))
    return judge(goal.spec, goal.nodes, cm.node_ids, cm.times, cm.baselines, run.result.delta, members)


def _ambitions_report(run: ScenarioRun, goal: AmbitionsFile | None, language: str) -> dict:
    """The keys ``ambitions_file`` and ``ambitions`` of the JSON report (none without ambitions)."""
    if goal is None:
        return {}
    return {
        "ambitions_file": goal.path,
        "ambitions": ambition_records(_judged(run, goal), run.prepared.model, language),
    }


def _ambitions_block(run: ScenarioRun, goal: AmbitionsFile | None, language: str) -> str:
    """The lines printed after the scorecard ("" without ambitions)."""
    if goal is None:
        return ""
    return "\n\n" + ambitions_text(_judged(run, goal), goal.spec, run.prepared.model, goal.path, language)


def _sample(prepared: PreparedScenario, uncertainty: Uncertainty, loaded: ScenarioFile) -> ParameterSample:
    """The scenario's one draw, after the checks a run with samples makes."""
    problems = check_uncertainty(prepared, uncertainty, loaded)
    if problems:
        raise InputError(problems)
    return draw_sample(prepared, uncertainty)


@reports_errors
def scorecard(
    scenarios: list[Path] = typer.Argument(..., help="Scenario files (YAML)."),
    year: list[float] | None = typer.Option(
        None, "--year", help="Year to score (repeatable; default: decades and the horizon)."
    ),
    theme: list[str] | None = typer.Option(None, "--theme", help="Only this theme (repeatable)."),
    samples: int | None = typer.Option(None, help="Ensemble members: share of runs that agree."),
    seed: int = typer.Option(0, help="Seed of the ensemble draws."),
    method: str = typer.Option("lhs", help="Ensemble sampling: lhs or mc."),
    measured: bool = typer.Option(
        False, "--measured-only", help="Leave out the indices scored by experts (quantified: false)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (keys in docs/analysis.md)."),
    ambitions: Path | None = typer.Option(
        None,
        "--ambitions",
        help="Ambitions file (YAML) to read the "
        "scenarios against (default: <model>.ambitions.yaml beside "
        "the model, when it exists).",
    ),
    no_ambitions: bool = typer.Option(False, "--no-ambitions", help="Do not read any ambitions file."),
    place: str | None = typer.Option(
        None,
        "--place",
        help="Only the nodes of this place (an element of a dimension of places, e.g. kerkrade), beside the whole.",
    ),
    language: Lang = language_option(),
) -> None:
    """Print the brede-welvaart scorecard of scenarios against their baseline, and against their ambitions
    (nothing is written)."""
    if samples is not None and samples < 1:
        fail(msg("--samples must be at least 1, got {samples}", samples=samples))
    if method not in METHODS:
        fail(msg("--method must be lhs or mc, got {method}", method=repr(method)))
    uncertainty = None if samples is None else Uncertainty(samples, seed, method)
    if ambitions is not None and no_ambitions:
        fail(msg("--ambitions and --no-ambitions exclude each other; give one"))
    files = [load_scenario(path) for path in scenarios]
    goals = _ambitions(files, ambitions, no_ambitions)
    reports, texts, cards = [], [], []
    for path, loaded, goal in zip(scenarios, files, goals, strict=True):
        prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
        try:
            sample = None if uncertainty is None else _sample(prepared, uncertainty, loaded)
            echo_warnings(run_warnings(prepared, sample=sample), language)
            run = run_prepared(
                prepared,
                uncertainty,
                sample=sample,
                years=year or None,
                language=language,
                themes=theme or None,
                warnings=(),
                file=loaded,
                member_years=[a.year for a in goal.spec.ambitions] if goal else (),
            )
            card, central = run.scorecard, run.result.delta
        except InputError as exc:
            raise InputError(
                [
                    p
                    if p.file
                    else Problem(str(path), p.place if p.place.startswith("--") else f"--{p.place}", p.message, p.hint)
                    for p in exc.problems
                ]
            ) from None
        if measured:
            card = measured_only(card)
        cards.append(_place_card(card, prepared, place, path))
        if as_json:
            reports.append(_report(prepared, card, central, run, place) | _ambitions_report(run, goal, language))
        else:
            title = loaded.spec.title.get(language) if loaded.spec.title else loaded.spec.name
            head = f"{title} ({loaded.spec.name})\n"
            if measured:
                head += (
                    translate(msg("measured indicators only: the indices scored by experts are left out"), language)
                    + "\n"
                )
            body = (
                scorecard_text(card, prepared, language, central=central, ensemble=run.ensemble)
                if place is None
                else _place_text(card, prepared, place, language, central, run.ensemble)
            )
            texts.append(head + body + _ambitions_block(run, goal, language))
    if as_json:
        typer.echo(json.dumps({"scenarios": reports}, indent=2))
        return
    typer.echo("\n\n".join(texts))
    if len(cards) > 1:
        typer.echo("\n" + comparison_text(cards, language))
