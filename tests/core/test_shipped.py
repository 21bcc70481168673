"""Every shipped model and scenario validates and runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.io.spec_files import load_model, load_scenario
from simulator.scenario_run import baseline_scenario, prepare_scenario, run_deterministic

from .test_cli import invoke, read_results

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(p for p in (ROOT / "models").glob("*.yaml") if not p.name.endswith(".ambitions.yaml"))
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_there_is_something_to_ship():
    assert len(MODELS) >= 1
    assert len(SCENARIOS) >= 4


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_model_validates_and_its_baseline_run_is_the_baseline(path):
    model = load_model(path).spec
    result = run_deterministic(prepare_scenario(baseline_scenario(model), model))
    np.testing.assert_array_equal(result.delta, 0.0)
    assert np.isfinite(result.baseline).all()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path):
    loaded = load_scenario(path)
    result = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec))
    assert np.isfinite(result.delta).all()
    assert np.abs(result.delta).max() > 0, "a shipped scenario should change something"


def test_validate_and_run_everything_from_the_command_line(tmp_path):
    assert invoke("validate", *MODELS, *SCENARIOS).exit_code == 0
    result = invoke("run", *SCENARIOS, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    table = read_results(tmp_path / "out")
    assert set(table.scenario) >= {"baseline"} | {load_scenario(p).spec.name for p in SCENARIOS}
    base = table[table.scenario == "baseline"]
    assert (base.delta == 0).all() and (base.value == base.baseline).all()
