"""The content of a report for a council proposal (``bwsim report``): plain data, no HTML, no files written.

Runs the scenarios through :func:`simulator.runner.run_scenarios` (the one way to
run scenarios), reads each model's ambitions file beside it, and makes a small
Morris screening of the headline indicator of each scenario (the assumptions that
matter most). :mod:`simulator.io.report_html` turns it into a page.

Numbers are in node units (years for time); relative changes are fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from simulator.analysis.ambitions import AmbitionResult, ambition_times, judge
from simulator.analysis.report import distribution_lines, last_year
from simulator.analysis.tradeoffs import tradeoffs
from simulator.errors import InputError, Problem
from simulator.io.ambition_files import AmbitionsFile, ambitions_beside, load_ambitions
from simulator.io.spec_files import ScenarioFile
from simulator.messages import Text, joined
from simulator.runner import Runs, Scenario, ScenarioRun, Uncertainty, load_scenarios, run_scenarios
from simulator.sensitivity import scenario_sensitivity
from simulator.spec import DIMENSIONS, ModelSpec, ScenarioSpec

SENSITIVITY_METHOD: Final = "morris"
"""The screening the report makes: Morris elementary effects (cheap, ranks factors)."""


@dataclass(frozen=True)
class Headline:
    """The largest scored change of one dimension at the horizon.

    ``delta`` in node units, ``relative`` a fraction of the baseline; ``low`` / ``high``
    the ensemble's 5 % and 95 % deviations (None without an ensemble).
    """

    dimension: str
    node: str | None
    label: str
    unit: str
    baseline: float
    delta: float
    relative: float
    verdict: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Sensitivity:
    """The Morris ranking of the factors for one output at the horizon: ``(factor, mu_star)``, largest first
    (``mu_star`` in the output's units)."""

    output: str
    year: float
    method: str
    n_runs: int
    ranking: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ScenarioPart:
    """One scenario's part of the report."""

    run: ScenarioRun
    spec: ScenarioSpec
    title: str
    description: str
    horizon: pd.DataFrame
    headlines: tuple[Headline, ...]
    tradeoffs: pd.DataFrame
    verdeling: tuple[str, ...]
    ambitions: tuple[AmbitionResult, ...] = ()
    ambitions_file: str | None = None
    sensitivity: Sensitivity | None = None
    sensitivity_problem: Text | None = None


@dataclass(frozen=True)
class CouncilReport:
    """Everything the report shows; ``sources`` are ``(what, source)`` pairs, ``not_covered`` ``(label, note)``."""

    language: str
    parts: tuple[ScenarioPart, ...]
    runs: Runs
    sources: tuple[tuple[str, str], ...] = ()
    not_covered: tuple[tuple[str, str], ...] = ()
    model_notes: tuple[str, ...] = field(default=())


def _text(value: object, language: str) -> str:
    if value is None:
        return ""
    return str(value.nl if language == "nl" else value.en)  # type: ignore[attr-defined]


def _ambitions(files: Sequence[ScenarioFile | tuple[ScenarioSpec, ModelSpec]]) -> list[AmbitionsFile | None]:
    """Each scenario's ambitions file beside its model (None when there is none or the scenario has no
    file); every problem at once."""
    out: list[AmbitionsFile | None] = []
    problems: list[Problem] = []
    for item in files:
        if not isinstance(item, ScenarioFile):
            out.append(None)
            continue
        path = ambitions_beside(item.model.path)
        if not path.is_file():
            out.append(None)
            continue
        try:
            out.append(load_ambitions(path, item.model.spec, [(item.spec.time_on(item.model.spec), item.spec.name)]))
        except InputError as exc:
            problems += [p for p in exc.problems if p not in problems]
            out.append(None)
    if problems:
        raise InputError(problems)
    return out


def headlines(run: ScenarioRun, horizon: pd.DataFrame, pushed: Sequence[str] = ()) -> tuple[Headline, ...]:
    """Per dimension the scored node with the largest relative change at the horizon, with its band.

    Nodes in ``pushed`` (those the scenario's interventions set) are left out while another node of the
    dimension changes: the report is about effects, not the policy's own lever.
    """
    out = []
    cm = run.prepared.compiled
    for dim in DIMENSIONS:
        rows = horizon[(horizon["dimension"] == dim) & horizon["verdict"].isin(["improves", "worsens"])]
        effects = rows[~rows["node"].isin(list(pushed))]
        rows = effects if not effects.empty else rows
        if rows.empty:
            out.append(Headline(dim, None, "", "", float("nan"), float("nan"), float("nan"), "level"))
            continue
        row = rows.loc[rows["relative"].abs().fillna(0).idxmax()]
        low = high = None
        if run.ensemble is not None:
            k = int(np.argmin(np.abs(cm.times - float(row["time"]))))
            p05, _, p95 = run.ensemble.band(str(row["node"]))
            low, high = float(p05[k]), float(p95[k])
        out.append(
            Headline(
                dim,
                str(row["node"]),
                str(row["label"]),
                str(row["unit"]),
                float(row["baseline"]),
                float(row["delta"]),
                float(row["relative"]),
                str(row["verdict"]),
                low,
                high,
            )
        )
    return tuple(out)


def _sensitivity(run: ScenarioRun, output: str, n_base: int, seed: int) -> Sensitivity:
    cm = run.prepared.compiled
    year = float(cm.times[-1])
    found = scenario_sensitivity(
        run.prepared, output, year, SENSITIVITY_METHOD, n_base=n_base, seed=seed, years=np.array([year]), resamples=20
    )
    mu = found.values["mu_star"][-1]
    order = np.argsort(-mu)
    return Sensitivity(
        output, year, SENSITIVITY_METHOD, found.n_runs, tuple((found.names[i], float(mu[i])) for i in order)
    )


def _part(
    run: ScenarioRun, spec: ScenarioSpec, goal: AmbitionsFile | None, language: str, sensitivity_runs: int, seed: int
) -> ScenarioPart:
    card = run.scorecard
    assert card is not None
    horizon = last_year(card)
    tops = headlines(run, horizon, [item.node for item in spec.interventions])
    cm = run.prepared.compiled
    years = sorted(card["year"].unique())
    verdeling = tuple(distribution_lines(run.prepared.model, cm.times, cm.baselines, run.result.delta, years, language))
    judged: tuple[AmbitionResult, ...] = ()
    if goal is not None:
        inside = [i for i, a in enumerate(goal.spec.ambitions) if cm.times[0] - 1e-9 <= a.year <= cm.times[-1] + 1e-9]
        kept = goal.spec.model_copy(update={"ambitions": [goal.spec.ambitions[i] for i in inside]})
        members = None
        if run.ensemble is not None and inside:
            try:
                members = run.ensemble.member_deltas(ambition_times(kept, cm.times))
            except ValueError:  # a year outside another scenario's horizon: its members were not kept
                members = None
        judged = (
            tuple(
                judge(
                    kept,
                    tuple(goal.nodes[i] for i in inside),
                    cm.node_ids,
                    cm.times,
                    cm.baselines,
                    run.result.delta,
                    members,
                )
            )
            if inside
            else ()
        )
    sens, problem = None, None  # problem: why the screening could not be made (e.g. no uncertain parameter)
    moving = [h for h in tops if h.node is not None]
    if sensitivity_runs > 0 and moving:
        output = max(moving, key=lambda h: abs(h.relative) if np.isfinite(h.relative) else 0.0).node
        try:
            sens = _sensitivity(run, str(output), sensitivity_runs, seed)
        except InputError as exc:
            problem = joined("; ", [p.message for p in exc.problems])
    return ScenarioPart(
        run,
        spec,
        _text(spec.title, language) or spec.name,
        _text(spec.description, language),
        horizon,
        tops,
        tradeoffs(horizon),
        verdeling,
        judged,
        goal.path if goal else None,
        sens,
        problem,
    )


def _sources(
    models: Sequence[ModelSpec], language: str
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    sources: dict[tuple[str, str], None] = {}
    missing: dict[tuple[str, str], None] = {}
    notes: dict[str, None] = {}
    for model in {id(m): m for m in models}.values():
        labels = {n.id: _text(n.label, language) for n in model.nodes}
        if model.description is not None:
            notes[_text(model.description, language)] = None
        for node in model.nodes:
            if node.indicator.source:
                sources[(labels[node.id], node.indicator.source)] = None
            if not node.quantified:
                missing[(labels[node.id], node.indicator.note)] = None
        for link in model.links:
            if link.evidence.source:
                sources[(f"{labels[link.source]} → {labels[link.target]}", link.evidence.source)] = None
    return tuple(sources), tuple(missing), tuple(notes)


def council_report(
    scenarios: Sequence[Scenario],
    samples: int | None = None,
    seed: int = 0,
    language: str = "nl",
    sensitivity_runs: int = 8,
    ambitions: Sequence[AmbitionsFile | None] | None = None,
) -> CouncilReport:
    """Run ``scenarios`` and gather the report's content.

    Parameters
    ----------
    samples : int, optional
        Ensemble members of each scenario (bands, shares, ambitions' chances); None: each file's
        ``uncertainty`` block, else no ensemble.
    sensitivity_runs : int
        Morris trajectories of the screening (0: none); each costs (factors + 1) runs.
    ambitions : sequence of AmbitionsFile or None, optional
        Each scenario's ambitions (None: not read against any); default: the file beside
        each scenario's model, when it exists (a scenario given as specs has none).

    Raises
    ------
    InputError
        Every problem of the files, the ambitions files and the ensembles' settings.
    """
    paths = iter(load_scenarios([s for s in scenarios if isinstance(s, (str, Path))]))
    files = [next(paths) if isinstance(s, (str, Path)) else s for s in scenarios]
    goals = list(ambitions) if ambitions is not None else _ambitions(files)
    horizons = [(f.spec.time_on(f.model.spec) if isinstance(f, ScenarioFile) else f[0].time_on(f[1])) for f in files]
    years = sorted(
        {
            a.year
            for g in goals
            if g is not None
            for a in g.spec.ambitions
            if all(h.start - 1e-9 <= a.year <= h.end + 1e-9 for h in horizons)
        }
    )
    uncertainty = None if samples is None else Uncertainty(samples, seed)
    runs = run_scenarios(files, uncertainty, language=language, member_years=years)
    pairs = [(f.spec, f.model.spec) if isinstance(f, ScenarioFile) else f for f in files]
    parts = tuple(
        _part(run, pair[0], goal, language, sensitivity_runs, seed)
        for run, pair, goal in zip(runs.scenarios, pairs, goals, strict=True)
    )
    sources, missing, notes = _sources([pair[1] for pair in pairs], language)
    return CouncilReport(language, parts, runs, sources, missing, notes)
