"""Prepare and run scenarios: the forgiving layer over the strict engine.

``prepare_scenario`` checks a scenario and its model as ``bwsim validate`` does
(so a spec built in code with a problem is refused before any work), applies the
scenario's overrides to a *new* model (the model it names is never changed),
compiles it on the scenario's time grid and builds the intervention inputs;
``run_deterministic`` runs it at the modes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.budget import check_budget, deterministic_need
from simulator.checked import check
from simulator.compiler import CompiledModel, compile_model
from simulator.dimensions import intervention_targets
from simulator.errors import InputError, Problem
from simulator.interventions import intervention_matrix
from simulator.io.spec_files import ScenarioFile, load_scenario
from simulator.network import apply_overrides, check_scenario
from simulator.results import RunResult
from simulator.spec import InterventionSpec, ModelSpec, ScenarioSpec, TimeSpec


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario ready to run.

    Attributes
    ----------
    name : str
    model : ModelSpec
        The model with the scenario's overrides applied.
    time : TimeSpec
    compiled : CompiledModel
    inputs : ndarray (K + 1, N)
        Interventions ``u`` in node units.
    interventions : tuple of InterventionSpec
        The interventions ``inputs`` was built from.
    file : str
        The file the scenario came from ("" when built in code): named when a run is too large.
    """

    name: str
    model: ModelSpec
    time: TimeSpec
    compiled: CompiledModel
    inputs: np.ndarray
    interventions: tuple[InterventionSpec, ...] = ()
    file: str = ""


def scenario_problems(scenario: ScenarioSpec, model: ModelSpec) -> list[Problem]:
    """What ``bwsim validate`` would refuse in ``model`` and ``scenario`` given as specs (empty: they can run).

    The model alone first, on its own horizon (as its file is checked when read); then the
    scenario against it (references, overrides, the merged horizon, the effective model).
    Each problem has the place and message validate gives; file and line are unknown ("", None).
    """
    return list(check(model).problems) or check_scenario(scenario, model)


def prepare_scenario(scenario: ScenarioSpec, model: ModelSpec, file: str = "") -> PreparedScenario:
    """Check, apply overrides, compile, and build the inputs of a scenario.

    The scenario runs on its own ``time`` keys over the model's. A scenario or model
    built in code is checked as ``bwsim validate`` checks files (:func:`scenario_problems`),
    and a run above the budget of :mod:`simulator.budget` is refused too, both before
    anything is compiled. ``file`` names the scenario's file in messages.

    Raises
    ------
    InputError
        With every problem of the model or the scenario, or when a run at the modes is too large.
    """
    problems = scenario_problems(scenario, model)
    if problems:
        raise InputError(problems)
    effective = apply_overrides(model, scenario)
    time = scenario.time_on(model)
    check_budget(deterministic_need(time.n_steps + 1, len(effective.nodes), len(effective.links)), file)
    compiled = compile_model(check(effective, time))
    index = {node_id: i for i, node_id in enumerate(compiled.node_ids)}
    interventions = expand_interventions(scenario.interventions, effective)
    inputs = intervention_matrix(interventions, index, compiled.times, compiled.baselines)
    return PreparedScenario(scenario.name, effective, time, compiled, inputs, tuple(interventions), file)


def expand_interventions(interventions: list[InterventionSpec], model: ModelSpec) -> list[InterventionSpec]:
    """The interventions with one on a family of nodes (a node over dimensions, ``jobs``) made one
    per element (``jobs[heerlen]``, ``jobs[kerkrade]``), each the same size; others as they are."""
    return [
        item if target == item.node else item.model_copy(update={"node": target})
        for item in interventions
        for target in intervention_targets(model, item.node)
    ]


def baseline_scenario(model: ModelSpec, time: TimeSpec | None = None, name: str = "baseline") -> ScenarioSpec:
    """A scenario with no interventions on ``model``."""
    return ScenarioSpec(name=name, model="", time=time or model.time)


def run_deterministic(prepared: PreparedScenario) -> RunResult:
    """Run at the central (mode) values of every weight and lag."""
    from simulator.engine import simulate  # numba and scipy load only when something runs

    d = simulate(prepared.compiled, prepared.inputs)[:, :, 0]
    return RunResult(prepared.name, prepared.compiled.node_ids, prepared.compiled.times, prepared.compiled.baselines, d)


def run_scenario(path: str | Path) -> RunResult:
    """Read, check and run a scenario file (deterministic, at the modes)."""
    loaded: ScenarioFile = load_scenario(path)
    return run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec, loaded.path))
