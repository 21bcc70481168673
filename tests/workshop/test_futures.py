"""A future is scenario YAML: writing a spec out and reading it back gives the same spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.io.spec_files import load_model, load_scenario, load_scenario_text
from simulator.spec import ScenarioSpec
from simulator.workshop.futures import scenario_yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_survive_the_round_trip(path: Path):
    loaded = load_scenario(path)
    again = load_scenario_text(scenario_yaml(loaded.spec), "round trip", loaded.model).spec
    assert again == loaded.spec


def test_every_kind_of_value_survives_the_round_trip():
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml")
    link = model.spec.links[0]
    node = model.spec.nodes[0].id
    spec = ScenarioSpec.model_validate(
        {
            "name": "alles",
            "model": "m.yaml",
            "title": {"nl": "Alles – één", "en": "All"},
            "time": {"start": 2025, "end": 2040, "dt": 0.125},
            "interventions": [
                {"node": node, "shape": "series", "values": {2026: 1.5, 2030.5: -2.25}},
                {
                    "node": node,
                    "shape": "pulse",
                    "height": 0.1,
                    "start": 2027,
                    "width": 1,
                    "relative": True,
                },
            ],
            "overrides": {
                "links": [
                    {
                        "from": link.source,
                        "to": link.target,
                        "weight": {"dist": "normal", "mean": 0.1 + 0.2, "sd": 0.05},
                        "lag": {"low": 1, "mode": 2, "high": 4},
                        "delay": "third_order",
                    }
                ],
                "nodes": [{"id": node, "baseline": {"series": {2020: 1.0, 2030: 2.0}}}],
            },
            "uncertainty": {"samples": 50, "seed": 3},
        }
    )
    again = load_scenario_text(scenario_yaml(spec), "round trip", model).spec
    assert again == spec
