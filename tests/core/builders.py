"""Small models with known answers, built in code (never from the shipped files)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.compiler import CompiledModel, compile_model
from simulator.network import check_model
from simulator.results import RunResult
from simulator.scenario_run import PreparedScenario, prepare_scenario, run_deterministic
from simulator.spec import ModelSpec, ScenarioSpec, TimeSpec

TIME = {"start": 2020.0, "end": 2025.0, "dt": 0.25}


def node(node_id: str, baseline: Any = 10.0, **extra: Any) -> dict[str, Any]:
    """A node as a file would give it, with the required display fields filled in."""
    return {
        "id": node_id,
        "label": node_id,
        "theme": "samenleving",
        "dimension": "hier_en_nu",
        "baseline": baseline,
        **extra,
    }


def link(source: str, target: str, weight: Any = 1.0, **extra: Any) -> dict[str, Any]:
    """A link as a file would give it."""
    return {"from": source, "to": target, "weight": weight, **extra}


def model_dict(nodes: list[dict], links: list[dict] = (), time: dict | None = None) -> dict[str, Any]:
    """A model document (what ``yaml.safe_load`` of a model file returns)."""
    return {"name": "case", "title": "case", "time": dict(time or TIME), "nodes": list(nodes), "links": list(links)}


def build_model(nodes: list[dict], links: list[dict] = (), time: dict | None = None) -> ModelSpec:
    """A checked :class:`ModelSpec`; fails the test if the structure checks find anything."""
    spec = ModelSpec.model_validate(model_dict(nodes, links, time))
    problems = check_model(spec)
    assert not problems, problems
    return spec


def prepare(
    model: ModelSpec,
    interventions: list[dict] = (),
    time: dict | None = None,
    overrides: dict | None = None,
    name: str = "case",
) -> PreparedScenario:
    """A prepared scenario on ``model``."""
    scenario = ScenarioSpec.model_validate(
        {
            "name": name,
            "model": "case.yaml",
            "time": dict(time or model.time.model_dump()),
            "interventions": list(interventions),
            "overrides": overrides or {},
        }
    )
    return prepare_scenario(scenario, model)


def run(
    model: ModelSpec, interventions: list[dict] = (), time: dict | None = None, overrides: dict | None = None
) -> RunResult:
    """Deterministic run of ``interventions`` on ``model``."""
    return run_deterministic(prepare(model, interventions, time, overrides))


def compiled(model: ModelSpec, time: dict | None = None) -> CompiledModel:
    """The compiled arrays of ``model``."""
    return compile_model(model, None if time is None else TimeSpec(**time))


def impulse(cm: CompiledModel, node_index: int, k: int = 0, size: float = 1.0) -> np.ndarray:
    """Inputs ``u`` of shape (K + 1, N): ``size`` at one node and one step, zero elsewhere."""
    u = np.zeros(cm.baselines.shape)
    u[k, node_index] = size
    return u
