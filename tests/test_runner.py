"""The one runner: a run with samples draws once and simulates its members once, whatever front end calls it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from simulator import engine, sampling
from simulator.runner import Uncertainty, run_scenarios

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = [REPO / "scenarios" / "medtech-growth.yaml", REPO / "scenarios" / "medtech-relocation.yaml"]


class Counter:
    """Wraps a function wherever a loaded module holds it by name, and records its calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, original) -> None:
        self.calls: list[tuple[tuple, dict]] = []
        self.original = original

        def wrapper(*args, **kwargs):
            self.calls.append((args, kwargs))
            return original(*args, **kwargs)

        for module in list(sys.modules.values()):
            if getattr(module, original.__name__, None) is original:
                monkeypatch.setattr(module, original.__name__, wrapper)

    def members(self) -> int:
        """Ensemble members simulated: the columns of explicit weights (deterministic runs pass none)."""
        total = 0
        for args, kwargs in self.calls:
            weights = kwargs.get("weights", args[2] if len(args) > 2 else None)
            if weights is not None:
                total += np.asarray(weights).shape[1]
        return total


@pytest.fixture()
def counted(monkeypatch):
    import simulator.analysis.report  # noqa: F401  (every module that runs members is loaded, then wrapped)
    import simulator.analysis.run_warnings  # noqa: F401
    import simulator.cli.run  # noqa: F401
    import simulator.cli.scorecard  # noqa: F401
    import simulator.ensemble  # noqa: F401
    import simulator.monitor  # noqa: F401
    import simulator.runner  # noqa: F401

    return Counter(monkeypatch, sampling.draw), Counter(monkeypatch, engine.simulate)


def test_a_library_run_with_samples_draws_once_and_simulates_each_member_once(counted):
    draws, runs = counted
    result = run_scenarios(SCENARIOS, Uncertainty(samples=300, seed=7))
    assert len(draws.calls) == len(SCENARIOS)
    assert runs.members() == 300 * len(SCENARIOS)
    for run in result.scenarios:  # the stability check and the agreement shares used those members
        assert run.ensemble.samples == 300 and run.ensemble.members.shape[2] == 300
        assert run.scorecard["share_agree"].notna().any()


def test_bwsim_run_with_samples_draws_once_and_simulates_each_member_once(counted, tmp_path):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    draws, runs = counted
    out = CliRunner().invoke(
        app, ["run", *map(str, SCENARIOS), "--out", str(tmp_path / "out"), "--samples", "300", "--seed", "7"]
    )
    assert out.exit_code == 0, out.output
    assert len(draws.calls) == len(SCENARIOS)
    assert runs.members() == 300 * len(SCENARIOS)


def test_bwsim_scorecard_with_samples_draws_once_and_simulates_each_member_once(counted):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    draws, runs = counted
    out = CliRunner().invoke(app, ["scorecard", str(SCENARIOS[0]), "--samples", "300", "--json"])
    assert out.exit_code == 0, out.output
    assert len(draws.calls) == 1 and runs.members() == 300


@pytest.mark.parametrize("as_json", [False, True])
def test_bwsim_scorecard_runs_the_scenario_once_for_its_text_and_its_json(counted, as_json):
    """The verdeling lines and the JSON report read the deterministic run the scorecard made; nothing
    reruns it (a deterministic run is a simulate call without member weights)."""
    from typer.testing import CliRunner

    from simulator.cli.main import app

    _, runs = counted
    out = CliRunner().invoke(app, ["scorecard", str(SCENARIOS[0]), *(["--json"] if as_json else [])])
    assert out.exit_code == 0, out.output
    deterministic = [c for c in runs.calls if c[1].get("weights", c[0][2] if len(c[0]) > 2 else None) is None]
    assert len(deterministic) == 1


def test_bwsim_monitor_draws_once_and_simulates_each_member_once(counted):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    draws, runs = counted
    data = REPO / "data" / "heerlen-observed-illustrative.csv"
    out = CliRunner().invoke(app, ["monitor", str(SCENARIOS[0]), str(data), "--samples", "300", "--json"])
    assert out.exit_code == 0, out.output
    assert len(draws.calls) == 1 and runs.members() == 300


def test_shares_from_the_ensembles_members_equal_those_of_a_separate_run():
    """The agreement shares the runner takes from the ensemble are those of running the members apart."""
    from simulator.analysis.report import scenario_scorecard

    run = run_scenarios(SCENARIOS[:1], Uncertainty(samples=300, seed=7)).scenarios[0]
    apart = scenario_scorecard(run.prepared, ensemble={"samples": 300, "seed": 7, "method": "lhs"})
    assert run.scorecard.equals(apart)


def test_the_runner_names_no_command_line_flag():
    """Library errors speak of the scenario's keys; the CLI maps its own flags."""
    from simulator.errors import InputError

    with pytest.raises(InputError) as caught:
        run_scenarios(SCENARIOS[:1], Uncertainty(samples=0))
    assert "--" not in str(caught.value)


def test_bwsim_sensitivity_draws_its_design_once_and_simulates_each_run_once(counted, monkeypatch):
    import json

    from typer.testing import CliRunner

    from simulator import sensitivity
    from simulator.cli.main import app

    _, runs = counted
    designs = Counter(monkeypatch, sensitivity.design)
    out = CliRunner().invoke(
        app,
        [
            "sensitivity",
            str(SCENARIOS[0]),
            "--output",
            "life_satisfaction",
            "--year",
            "2035",
            "--samples",
            "16",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    assert len(designs.calls) == 1 and runs.members() == json.loads(out.output)["runs"]


def test_library_errors_name_values_and_the_command_line_names_its_flags():
    from typer.testing import CliRunner

    from simulator.cli.main import app
    from simulator.errors import InputError
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario
    from simulator.sensitivity import scenario_sensitivity

    loaded = load_scenario(SCENARIOS[0])
    prepared = prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)
    with pytest.raises(InputError) as caught:
        scenario_sensitivity(prepared, "life_satisfactoin", 2035.0, n_base=16)
    assert caught.value.problems[0].place == "output" and "--" not in str(caught.value)
    out = CliRunner().invoke(
        app, ["sensitivity", str(SCENARIOS[0]), "--output", "life_satisfactoin", "--year", "2035", "--samples", "16"]
    )
    assert out.exit_code == 2 and "--output" in out.output and "life_satisfaction" in out.output


def test_the_apps_band_its_shares_and_its_stability_warning_are_one_draw_and_one_simulation(counted):
    """The app's uncertainty band, the verdict shares beside it and the members' stability warning
    (simulator.app.state) read the same ensemble: drawn once, each member simulated once."""
    import streamlit as st

    from simulator.app import state
    from simulator.io.spec_files import load_scenario

    draws, runs = counted
    loaded = load_scenario(SCENARIOS[0])
    cur = state.Current(loaded.model, f"{loaded.model.sha256}-counted", {loaded.spec.name: loaded.spec}, "m.yaml")
    st.cache_resource.clear()
    try:
        band = state.ensemble(cur, loaded.spec, 300)
        state.scorecard_of(cur, loaded.spec, float(loaded.model.spec.time.end), 300)
        state.ensemble_stability_warning(cur, loaded.spec, 300)
    finally:
        st.cache_resource.clear()
    assert band is not None and band.samples == 300
    assert len(draws.calls) == 1 and runs.members() == 300
