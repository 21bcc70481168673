"""The facilitator's view: all groups' latest futures side by side.

Scorecards, overlaid paths, the interventions that differ, and the link
assumptions on which groups disagree, ranked by how much the disagreement
moves a chosen outcome. That last measure is exact and simple: the reference
future is re-run with the disputed link set to each group's value, and the
change in the outcome (in its unit, at the chosen year) is reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.errors import InputError, Problem, SimulatorError
from simulator.io.spec_files import ModelFile
from simulator.messages import msg
from simulator.results import RunResult
from simulator.runner import run_prepared
from simulator.scenario_run import prepare_scenario
from simulator.spec import LinkOverride, LinkSpec, ScenarioSpec
from simulator.workshop.futures import (
    FutureRun,
    baseline_run,
    check_future_yaml,
    model_file,
    run_future,
)
from simulator.workshop.records import FutureVersion
from simulator.workshop.store import WorkshopStore


@dataclass(frozen=True)
class Comparison:
    """The latest future of every group, run.

    Attributes
    ----------
    runs : tuple of FutureRun
        One per future (group / future), in order of joining and saving.
    model : ModelFile
        The workshop's current model, on which futures are compared.
    baseline : RunResult
        The current model without interventions.
    """

    runs: tuple[FutureRun, ...]
    model: ModelFile
    baseline: RunResult

    @property
    def comparable(self) -> list[tuple[FutureVersion, RunResult]]:
        """Futures with a result on the current model."""
        return [(r.version, r.latest_result) for r in self.runs if r.latest_result is not None]

    @property
    def problems(self) -> list[str]:
        """Why some futures have no result, as text."""
        return [p for r in self.runs for p in r.problems]

    @property
    def failed(self) -> dict[str, str]:
        """The futures left out of the comparison (label -> why: it does not validate, or its run blew up)."""
        return {r.version.label: r.failure for r in self.runs if r.latest_result is None}


def compare_workshop(store: WorkshopStore, code: str) -> Comparison:
    """Run every group's latest futures on the model each was made with and on the current model.

    Raises
    ------
    InputError
        The workshop's current model does not validate (e.g. it was imported from
        another bwsim); the problems say where, and the hint how to go on.
    """
    current = store.current_model(code)
    try:
        loaded = model_file(current)
    except InputError as exc:
        hint = msg("give the workshop a model this bwsim reads: bwsim workshop update-model CODE --model FILE")
        raise InputError(
            [
                *exc.problems,
                Problem(
                    msg("workshop model"),
                    "",
                    msg("the workshop's current model does not validate, so futures cannot be compared on it"),
                    hint,
                ),
            ]
        ) from None
    models = {m.id: m for m in store.models(code)}
    runs = tuple(run_future(v, models[v.model_id], current) for v in store.latest(code))
    return Comparison(runs, loaded, baseline_run(current))


def _year_index(times: np.ndarray, year: float | None) -> int:
    return len(times) - 1 if year is None else int(np.argmin(np.abs(times - year)))


def scorecard(comparison: Comparison, year: float | None = None, language: str = "nl") -> pd.DataFrame:
    """One row per future and node: the change at ``year`` (default: the end of the horizon).

    Columns: ``future, group, node, label, dimension, unit, baseline, delta,
    percent, judgement`` where judgement is +1 (better, given the node's
    direction), -1 (worse) or 0 (no change or neutral).
    """
    rows = []
    nodes = {n.id: n for n in comparison.model.spec.nodes}
    for version, result in comparison.comparable:
        k = _year_index(result.times, year)
        for i, node_id in enumerate(result.node_ids):
            node = nodes[node_id]
            base, delta = float(result.baseline[k, i]), float(result.delta[k, i])
            sign = {"up": 1, "down": -1}.get(node.direction, 0)
            rows.append(
                {
                    "future": version.label,
                    "group": version.group,
                    "node": node_id,
                    "label": node.label.get(language),
                    "dimension": node.dimension,
                    "unit": node.shown_unit,
                    "baseline": base,
                    "delta": delta,
                    "percent": 100 * delta / abs(base) if base else np.nan,
                    "judgement": int(np.sign(delta) * sign) if abs(delta) > 1e-12 else 0,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "future",
            "group",
            "node",
            "label",
            "dimension",
            "unit",
            "baseline",
            "delta",
            "percent",
            "judgement",
        ],
    )


def model_changes(comparison: Comparison, outcome: str, year: float | None = None) -> pd.DataFrame:
    """The futures made with an earlier model version: ``outcome``'s change on that model and on the current one.

    Columns: ``future, made_with, on_own_model, on_current_model`` (node units at
    ``year``, default the end of the horizon; nan where the future cannot run).
    Empty when every future was made with the current model.
    """
    rows = []
    for run in comparison.runs:
        if not run.model_changed:
            continue
        values = []
        for result in (run.result, run.current):
            if result is None or outcome not in result.node_ids:
                values.append(np.nan)
            else:
                k = _year_index(result.times, year)
                values.append(float(result.delta[k, result.node_ids.index(outcome)]))
        rows.append(
            {
                "future": run.version.label,
                "made_with": run.version.model_sha256[:12],
                "on_own_model": values[0],
                "on_current_model": values[1],
            }
        )
    return pd.DataFrame(rows, columns=["future", "made_with", "on_own_model", "on_current_model"])


def dimension_summary(card: pd.DataFrame) -> pd.DataFrame:
    """Per future and brede-welvaart dimension: how many indicators get better and worse."""
    if card.empty:
        return pd.DataFrame(columns=["future", "dimension", "better", "worse"])
    grouped = card.groupby(["future", "dimension"], sort=False)["judgement"]
    return pd.DataFrame(
        {
            "better": grouped.apply(lambda s: int((s > 0).sum())),
            "worse": grouped.apply(lambda s: int((s < 0).sum())),
        }
    ).reset_index()


def paths(comparison: Comparison, node: str) -> pd.DataFrame:
    """The path of one node in every future: columns ``future, time, value, delta`` (node units)."""
    if node not in comparison.model.spec.node_ids:
        raise KeyError(node)
    frames = []
    for version, result in comparison.comparable:
        i = result.node_ids.index(node)
        frames.append(
            pd.DataFrame(
                {
                    "future": version.label,
                    "time": result.times,
                    "value": result.value[:, i],
                    "delta": result.delta[:, i],
                }
            )
        )
    i = comparison.baseline.node_ids.index(node)
    frames.append(
        pd.DataFrame(
            {
                "future": "baseline",
                "time": comparison.baseline.times,
                "value": comparison.baseline.baseline[:, i],
                "delta": 0.0,
            }
        )
    )
    return pd.concat(frames, ignore_index=True)


def _specs(comparison: Comparison) -> list[tuple[FutureVersion, ScenarioSpec]]:
    """Each future's scenario, when it validates on the current model."""
    out = []
    for run in comparison.runs:
        try:
            out.append(
                (
                    run.version,
                    check_future_yaml(run.version.scenario_yaml, comparison.model, run.version.future).spec,
                )
            )
        except InputError:
            continue
    return out


def describe_intervention(item: object) -> str:
    """A short readable text of an intervention: ``medtech_jobs: ramp slope=600, 2025-2030``."""
    data = item.model_dump(exclude_none=True, exclude={"node", "shape", "label", "relative"})  # type: ignore[attr-defined]
    parts = [f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in data.items()]
    relative = " (relative)" if getattr(item, "relative", False) else ""
    return f"{item.node}: {item.shape} {', '.join(parts)}{relative}"  # type: ignore[attr-defined]


def intervention_table(comparison: Comparison) -> pd.DataFrame:
    """Which future has which intervention: one row per distinct intervention, one
    boolean column per future, and ``shared`` (in every future)."""
    specs = _specs(comparison)
    labels = [v.label for v, _ in specs]
    seen: dict[str, dict[str, object]] = {}
    for version, spec in specs:
        for item in spec.interventions:
            key = json.dumps(item.model_dump(mode="json", exclude={"label"}), sort_keys=True)
            row = seen.setdefault(key, {"intervention": describe_intervention(item), "node": item.node})
            row[version.label] = True
    table = pd.DataFrame(list(seen.values()), columns=["intervention", "node", *labels])
    for label in labels:
        table[label] = table[label].eq(True)
    table["shared"] = table[labels].all(axis=1) if labels else pd.Series(dtype=bool)
    return table


def _effective_links(
    comparison: Comparison,
) -> list[tuple[FutureVersion, ScenarioSpec, dict[str, LinkSpec]]]:
    out = []
    for version, spec in _specs(comparison):
        effective = prepare_scenario(spec, comparison.model.spec).model
        out.append((version, spec, {lk.key: lk for lk in effective.links}))
    return out


def _assumption(link: LinkSpec) -> tuple[float, float, str, str]:
    return (link.weight.central, link.lag.central, str(link.delay), link.form)


def _with_link(spec: ScenarioSpec, link: LinkSpec) -> ScenarioSpec:
    """``spec`` with its assumption about ``link`` replaced by ``link``'s."""
    others = [o for o in spec.overrides.links if (o.source, o.target) != (link.source, link.target)]
    override = LinkOverride.model_validate(
        {
            "from": link.source,
            "to": link.target,
            "weight": link.weight,
            "lag": link.lag,
            "delay": link.delay,
            "form": link.form,
        }
    )
    overrides = spec.overrides.model_copy(update={"links": [*others, override]})
    return spec.model_copy(update={"overrides": overrides})


@dataclass(frozen=True)
class DisputedLink:
    """One link on which futures disagree, and the reference future re-run at each future's value.

    ``deltas`` maps a future's label to the re-run's deviations from the baseline
    (times x nodes, node units), or to None when that run blows up or cannot run.
    """

    key: str
    source: str
    target: str
    n_values: int
    weights: dict[str, float]
    deltas: dict[str, np.ndarray | None]


@dataclass(frozen=True)
class DisputeRuns:
    """Every disputed link's re-runs of one reference future: what any outcome's ranking is read from.

    Running these is the slow part of :func:`disputed_links`; they do not depend on the
    outcome or the year, so a page computes them once per reference and reads every
    outcome from them (:func:`disputes_at`).
    """

    reference: str | None
    times: np.ndarray
    node_ids: tuple[str, ...]
    links: tuple[DisputedLink, ...]


DISPUTE_COLUMNS = [
    "link",
    "source",
    "target",
    "n_values",
    "weights",
    "weight_low",
    "weight_high",
    "outcome_low",
    "outcome_high",
    "effect",
    "low_future",
    "high_future",
    "failed",
]


def dispute_runs(comparison: Comparison, reference: str | None = None) -> DisputeRuns:
    """Re-run the reference future (its label; default the first that runs) with each disputed link
    set to each future's assumption; see :func:`disputed_links`."""
    links = _effective_links(comparison)
    running = {v.label for v, _ in comparison.comparable}
    candidates = [item for item in links if item[0].label in running]
    times, node_ids = comparison.baseline.times, tuple(comparison.baseline.node_ids)
    if not candidates:
        return DisputeRuns(None, times, node_ids, ())
    ref = next((item for item in candidates if item[0].label == reference), candidates[0])
    found = []
    for key, ref_link in ref[2].items():
        assumptions = {v.label: own[key] for v, _, own in links if key in own}
        n_values = len({_assumption(lk) for lk in assumptions.values()})
        if n_values < 2:
            continue
        found.append(
            DisputedLink(
                key,
                ref_link.source,
                ref_link.target,
                n_values,
                {label: lk.weight.central for label, lk in assumptions.items()},
                {label: _deltas(_with_link(ref[1], lk), comparison.model) for label, lk in assumptions.items()},
            )
        )
    return DisputeRuns(ref[0].label, times, node_ids, tuple(found))


def disputes_at(runs: DisputeRuns, outcome: str, year: float | None = None) -> pd.DataFrame:
    """:func:`disputed_links`'s table for ``outcome`` at ``year``, read from runs made once."""
    if outcome not in runs.node_ids:
        raise KeyError(outcome)
    k, i = _year_index(runs.times, year), runs.node_ids.index(outcome)
    rows = []
    for link in runs.links:
        tried = {
            label: None if delta is None or not np.isfinite(delta[k, i]) else float(delta[k, i])
            for label, delta in link.deltas.items()
        }
        outcomes = {label: value for label, value in tried.items() if value is not None}
        if not outcomes:
            continue
        low, high = min(outcomes, key=outcomes.__getitem__), max(outcomes, key=outcomes.__getitem__)
        rows.append(
            {
                "link": link.key,
                "source": link.source,
                "target": link.target,
                "n_values": link.n_values,
                "weights": dict(link.weights),
                "weight_low": min(link.weights.values()),
                "weight_high": max(link.weights.values()),
                "outcome_low": outcomes[low],
                "outcome_high": outcomes[high],
                "effect": outcomes[high] - outcomes[low],
                "low_future": low,
                "high_future": high,
                "failed": [label for label, value in tried.items() if value is None],
            }
        )
    table = pd.DataFrame(rows, columns=DISPUTE_COLUMNS)
    return table.sort_values("effect", ascending=False, kind="stable").reset_index(drop=True)


def disputed_links(
    comparison: Comparison, outcome: str, reference: str | None = None, year: float | None = None
) -> pd.DataFrame:
    """Links on which futures hold different assumptions, ranked by their effect on ``outcome``.

    For each disputed link, the reference future (its label; default the first
    that runs: a future left out of the comparison is never the reference) is
    re-run with the link set to each future's assumption. Columns: ``link,
    source, target, n_values, weights`` (future label -> weight),
    ``weight_low, weight_high, outcome_low, outcome_high, effect`` (the spread
    of the outcome's change at ``year``, in the outcome's unit), ``low_future,
    high_future``, and ``failed``: the futures whose assumption makes the
    reference's run blow up (left out of the spread; usually empty). Sorted by
    ``effect``, largest first.
    """
    if outcome not in comparison.model.spec.node_ids:
        raise KeyError(outcome)
    return disputes_at(dispute_runs(comparison, reference), outcome, year)


def _deltas(spec: ScenarioSpec, model: ModelFile) -> np.ndarray | None:
    """This run's deviations from the baseline (times x nodes); None when the run blows up or cannot run."""
    try:
        result = run_prepared(prepare_scenario(spec, model.spec), scorecard=False, warnings=()).result
    except SimulatorError:
        return None
    return np.asarray(result.delta, dtype=float)
