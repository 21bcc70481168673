"""Small models with answers known by hand, built in code."""

from __future__ import annotations

from typing import Any

from simulator.compiler import compile_model
from simulator.network import check_model
from simulator.scenario_run import PreparedScenario, prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec


def node(node_id: str, **extra: Any) -> dict[str, Any]:
    """A node dict with defaults (theme t, hier_en_nu, baseline 100, direction up)."""
    return {
        "id": node_id,
        "label": node_id,
        "theme": "t",
        "dimension": "hier_en_nu",
        "baseline": 100.0,
        "direction": "up",
    } | extra


def link(source: str, target: str, weight: Any, **extra: Any) -> dict[str, Any]:
    """A link dict."""
    return {"from": source, "to": target, "weight": weight} | extra


def model(nodes: list[dict], links: list[dict], start: float = 2025, end: float = 2035, dt: float = 0.25) -> ModelSpec:
    """A checked ModelSpec."""
    spec = ModelSpec.model_validate(
        {
            "name": "small",
            "title": "small",
            "nodes": nodes,
            "links": links,
            "time": {"start": start, "end": end, "dt": dt},
        }
    )
    assert check_model(spec) == []
    return spec


def prepared(spec: ModelSpec, interventions: list[dict]) -> PreparedScenario:
    """A prepared scenario on ``spec``."""
    scenario = ScenarioSpec.model_validate({"name": "s", "model": "", "interventions": interventions})
    return prepare_scenario(scenario, spec)


def compiled(spec: ModelSpec):
    """``spec`` compiled on its own time grid."""
    return compile_model(spec)
