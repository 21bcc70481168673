"""Calibration: recovery of known weights and lags, honest intervals, identifiability, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from simulator.calibrate import (
    CalibrationError,
    calibrate,
    parse_link,
    select_parameters,
)
from simulator.engine import simulate
from simulator.errors import InputError
from simulator.io.fitted_model import fitted_model_text
from simulator.io.spec_files import load_model_text
from simulator.observed import observed_from_frame
from simulator.scenario_run import prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec

TIME = {"start": 2020.0, "end": 2030.0, "dt": 0.25}


def _node(node_id, baseline=10.0, **extra):
    return {
        "id": node_id,
        "label": node_id,
        "theme": "samenleving",
        "dimension": "hier_en_nu",
        "baseline": baseline,
        **extra,
    }


def _model_data(links):
    return {
        "name": "case",
        "title": "case",
        "time": TIME,
        "nodes": [_node("x", 100.0), _node("y", 50.0), _node("z", 20.0), _node("q", 5.0)],
        "links": links,
    }


def _chain(weight=None, lag=None):
    """x -> y (exponential lag) -> z; q is downstream of nothing."""
    return _model_data(
        [
            {
                "from": "x",
                "to": "y",
                "weight": weight or {"low": 0.0, "mode": 1.0, "high": 3.0},
                "lag": lag or {"low": 0.5, "mode": 1.0, "high": 4.0},
                "delay": "exponential",
            },
            {"from": "y", "to": "z", "weight": {"low": -1.0, "mode": 0.5, "high": 2.0}},
            {"from": "x", "to": "q", "weight": 2.0},
        ]
    )


def _prepare(data, interventions=({"node": "x", "shape": "step", "height": 10.0, "start": 2021.0},)):
    model = ModelSpec.model_validate(data)
    scenario = ScenarioSpec.model_validate({"name": "s", "model": "", "interventions": list(interventions)})
    return prepare_scenario(scenario, model)


def _synthetic(prep, nodes, weights, lags, noise, rng, times=None):
    """Observations of ``nodes`` from the model itself at known parameters, plus Gaussian noise.

    ``times`` defaults to 2020, 2020.5, ..., 2030.
    """
    times = np.arange(2020.0, 2030.01, 0.5) if times is None else times
    d = simulate(prep.compiled, prep.inputs, np.asarray(weights, float), np.asarray(lags, float))[:, :, 0]
    rows = []
    for node in nodes:
        j = prep.compiled.index(node)
        level = np.interp(times, prep.compiled.times, prep.compiled.baselines[:, j] + d[:, j])
        rows.append(pd.DataFrame({"node": node, "time": times, "value": level + rng.normal(0, noise, times.size)}))
    return observed_from_frame(pd.concat(rows, ignore_index=True), list(prep.compiled.node_ids), (2020, 2030))


def test_exact_data_recover_weight_and_lag():
    prep = _prepare(_chain())
    obs = _synthetic(prep, ["y", "z"], [1.7, 0.8, 2.0], [2.2, 0, 0], 0.0, np.random.default_rng(0))
    params, _ = select_parameters(prep.model, obs.nodes, None, fit_lags=True, dt=0.25)
    assert [p.name for p in params] == ["x->y:weight", "x->y:lag", "y->z:weight"]
    result = calibrate(prep, obs, params, n_starts=3)
    assert [e.estimate for e in result.estimates] == pytest.approx([1.7, 2.2, 0.8], rel=1e-6)
    assert all(s.r2 == pytest.approx(1.0) for s in result.series)
    assert result.converged >= 1


def test_intervals_cover_the_true_values_at_about_the_nominal_rate():
    """Parameter recovery over 40 noisy data sets: 95 % intervals should cover about 95 % of the time."""
    prep = _prepare(_chain())
    rng = np.random.default_rng(42)
    truth = np.array([1.7, 2.2])
    trials, hits = 40, np.zeros(2)
    for trial in range(trials):
        obs = _synthetic(prep, ["y"], [truth[0], 0.5, 2.0], [truth[1], 0, 0], 0.5, rng)
        params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], fit_lags=True, dt=0.25)
        result = calibrate(prep, obs, params, n_starts=2, seed=trial)
        low = np.array([e.low for e in result.estimates])
        high = np.array([e.high for e in result.estimates])
        hits += (low <= truth) & (truth <= high)
    coverage = hits / trials
    # binomial(40, 0.95): 33 or more hits with probability > 0.99
    assert np.all(coverage >= 33 / 40), coverage
    assert np.all(coverage <= 1.0)


def test_bootstrap_intervals_are_reported_and_cover():
    prep = _prepare(_chain())
    obs = _synthetic(prep, ["y"], [1.7, 0.5, 2.0], [1.0, 0, 0], 0.5, np.random.default_rng(3))
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], fit_lags=False, dt=0.25)
    result = calibrate(prep, obs, params, n_starts=1, bootstrap=60, seed=1)
    jacobian = calibrate(prep, obs, params, n_starts=1)
    e, j = result.estimates[0], jacobian.estimates[0]
    assert "bootstrap" in e.interval and "Jacobian" in j.interval
    assert e.low < e.estimate < e.high
    assert e.low < 1.7 < e.high
    # both ways of measuring the uncertainty agree on its size, within sampling error
    assert 0.6 < (e.high - e.low) / (j.high - j.low) < 1.6


def test_weighted_series_in_different_units_both_fit():
    prep = _prepare(_chain())
    rng = np.random.default_rng(5)
    obs = _synthetic(prep, ["y", "z"], [1.7, 0.8, 2.0], [2.2, 0, 0], 0.05, rng)
    params, _ = select_parameters(prep.model, obs.nodes, None, fit_lags=True, dt=0.25)
    result = calibrate(prep, obs, params, n_starts=2)
    frame = result.series_frame()
    assert set(frame["node"]) == {"y", "z"} and (frame["r2"] > 0.95).all()
    assert (frame["rmse"] < 0.1).all()


def test_inseparable_parameters_are_flagged():
    """Only z is observed: the product of the two weights is known, not each one."""
    prep = _prepare(_chain(lag={"low": 0.5, "mode": 1.0, "high": 4.0}))
    obs = _synthetic(prep, ["z"], [1.5, 0.8, 2.0], [1.0, 0, 0], 0.01, np.random.default_rng(1))
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y"), ("y", "z")], dt=0.25)
    result = calibrate(prep, obs, params, n_starts=3)
    text = " ".join(result.warnings)
    assert "cannot separate x->y:weight, y->z:weight" in text
    assert not any(e.identified for e in result.estimates)


def test_parameter_that_data_cannot_see_yet():
    """The intervention starts after the last observation: the weight is not identified."""
    prep = _prepare(_chain(), [{"node": "x", "shape": "step", "height": 10.0, "start": 2029.0}])
    times = np.arange(2020.0, 2028.01, 1.0)
    obs = _synthetic(prep, ["y"], [1.0, 0.5, 2.0], [1.0, 0, 0], 0.1, np.random.default_rng(2), times)
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], dt=0.25)
    result = calibrate(prep, obs, params, n_starts=1)
    assert not result.estimates[0].identified
    assert "do not respond" in result.warnings[0]
    # from other starts too, the weight the data cannot see keeps the model's value, not a random start's
    several = calibrate(prep, obs, params, n_starts=4, seed=3)
    assert several.estimates[0].estimate == params[0].start
    assert "keeps the model's value" in several.warnings[0]


def test_default_selection_skips_links_no_observation_depends_on():
    prep = _prepare(_chain())
    obs = _synthetic(prep, ["y"], [1.0, 0.5, 2.0], [1.0, 0, 0], 0.1, np.random.default_rng(2))
    params, notes = select_parameters(prep.model, obs.nodes, None, dt=0.25)
    assert [p.name for p in params] == ["x->y:weight"]
    assert "1 link(s) with a range were left out" in notes[0]


@pytest.mark.parametrize(
    "links, message",
    [
        ([("x", "w")], "the model has no link x->w"),
        ([("x", "q")], "has a fixed weight 2"),
        ([("y", "z")], "no observed node depends on link y->z"),
    ],
)
def test_bad_link_choices(links, message):
    prep = _prepare(_chain())
    obs = _synthetic(prep, ["y", "q"], [1.0, 0.5, 2.0], [1.0, 0, 0], 0.1, np.random.default_rng(2))
    with pytest.raises(InputError, match=message):
        select_parameters(prep.model, obs.nodes, links, dt=0.25)


def test_did_you_mean_for_a_misspelt_link():
    prep = _prepare(_chain())
    with pytest.raises(InputError, match="did you mean 'x:y'"):
        select_parameters(prep.model, ["y"], [("x", "yy")], dt=0.25)


def test_start_value_outside_bounds_is_refused():
    prep = _prepare(_chain())
    with pytest.raises(InputError, match="start value 5 lies outside the bounds 0 .. 3"):
        select_parameters(prep.model, ["y"], [("x", "y")], dt=0.25, initial={"x->y:weight": 5.0})


def test_too_few_points():
    prep = _prepare(_chain())
    obs = _synthetic(
        prep, ["y"], [1.0, 0.5, 2.0], [1.0, 0, 0], 0.1, np.random.default_rng(2), np.array([2022.0, 2023.0])
    )
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], fit_lags=True, dt=0.25)
    with pytest.raises(InputError, match="2 observation\\(s\\) cannot fit 2 parameter\\(s\\)"):
        calibrate(prep, obs, params)


def test_a_fit_that_does_not_converge_raises():
    prep = _prepare(_chain())
    obs = _synthetic(prep, ["y"], [1.7, 0.5, 2.0], [2.2, 0, 0], 0.3, np.random.default_rng(2))
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], fit_lags=True, dt=0.25)
    with pytest.raises(CalibrationError, match="did not converge.*Try"):
        calibrate(prep, obs, params, n_starts=2, max_nfev=1)


def test_lag_bounds_respect_the_engine_floor():
    prep = _prepare(_chain(lag={"low": 0.1, "mode": 1.0, "high": 4.0}))
    params, _ = select_parameters(prep.model, ["y"], [("x", "y")], fit_lags=True, dt=0.25)
    assert params[1].kind == "lag" and params[1].low == 0.25


def test_parse_start():
    from simulator.calibrate import parse_start

    assert parse_start("x:y=1.5") == ("x->y:weight", 1.5)
    assert parse_start("x:y:lag=2") == ("x->y:lag", 2.0)


def test_a_start_value_is_used():
    prep = _prepare(_chain())
    params, _ = select_parameters(prep.model, ["y"], [("x", "y")], dt=0.25, initial={"x->y:weight": 2.5})
    assert params[0].start == 2.5


def test_parse_link():
    assert parse_link("a:b") == ("a", "b") and parse_link("a->b") == ("a", "b")
    with pytest.raises(InputError, match="FROM:TO"):
        parse_link("ab")


def test_fitted_model_keeps_the_original_and_records_provenance():
    data = _chain()
    prep = _prepare(data)
    obs = _synthetic(prep, ["y", "z"], [1.7, 0.8, 2.0], [2.2, 0, 0], 0.05, np.random.default_rng(4))
    params, _ = select_parameters(prep.model, obs.nodes, None, fit_lags=True, dt=0.25)
    result = calibrate(prep, obs, params, n_starts=2)
    model = load_model_text(yaml.safe_dump(data, sort_keys=False), "models/case.yaml")
    text = fitted_model_text(model, result, "history.yaml", "2026-11-28T10:00:00+00:00")
    assert data["links"][0]["weight"] == {"low": 0.0, "mode": 1.0, "high": 3.0}  # original untouched
    written = load_model_text(text, "fitted.yaml").spec
    first = written.links[0]
    assert first.weight.central == pytest.approx(result.estimates[0].estimate)
    assert first.lag.central == pytest.approx(result.estimates[1].estimate)
    assert first.evidence.strength == "data"
    cal = first.evidence.calibration
    assert cal["data"] == obs.file and cal["model"] == "models/case.yaml" and cal["n_obs"] == len(obs)
    assert cal["weight"]["prior"] == {"low": 0.0, "mode": 1.0, "high": 3.0}
    assert set(cal["fit"]) == {"y", "z"}
    assert written.links[2].evidence.calibration is None  # not fitted


def test_the_fitted_heerlen_model_keeps_its_comments_and_key_order():
    from simulator.io.spec_files import load_scenario
    from simulator.observed import load_observed

    loaded = load_scenario("scenarios/medtech-growth.yaml")
    model = loaded.model
    prep = prepare_scenario(loaded.spec, model.spec, loaded.path)
    obs = load_observed("data/heerlen-observed-illustrative.csv", list(prep.compiled.node_ids), (2020.0, 2050.0))
    params, _ = select_parameters(prep.model, obs.nodes, [("medtech_jobs", "local_service_jobs")], dt=prep.compiled.dt)
    result = calibrate(prep, obs, params, n_starts=1)
    text = fitted_model_text(model, result, "history.yaml", "2026-12-01T10:00:00+00:00")
    original = model.document.text
    header = original[: original.index("name:")]
    assert header.startswith("# Default model: medtech logistics in Heerlen")
    assert text.startswith("# Calibrated by bwsim calibrate on 2026-12-01T10:00:00+00:00\n")
    assert header in text  # the model's own header comment, whole
    kept = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert all(line in text.splitlines() for line in kept)  # and every other comment line
    fitted = load_model_text(text, "fitted.yaml")
    assert list(fitted.document.data) == list(model.document.data)  # key order kept
    index = next(
        i
        for i, link in enumerate(fitted.spec.links)
        if (link.source, link.target) == ("medtech_jobs", "local_service_jobs")
    )
    assert fitted.spec.links[index].evidence.calibration["weight"]["estimate"] == pytest.approx(
        result.estimates[0].estimate
    )
    untouched = [i for i in range(len(model.spec.links)) if i != index]
    assert [fitted.spec.links[i] for i in untouched] == [model.spec.links[i] for i in untouched]


# --------------------------------------------------------------------------- command line


def _write_case(tmp_path, noise=0.05, seed=4):
    """A model and scenario file, and synthetic observed data from known weights."""
    from typer.testing import CliRunner  # noqa: F401  (imported here so a missing typer fails only these tests)

    data = _chain()
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    scenario = {
        "name": "history",
        "model": "model.yaml",
        "interventions": [{"node": "x", "shape": "step", "height": 10.0, "start": 2021.0}],
    }
    (tmp_path / "history.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    obs = _synthetic(_prepare(data), ["y", "z"], [1.7, 0.8, 2.0], [2.2, 0, 0], noise, np.random.default_rng(seed))
    obs.table[["node", "time", "value"]].to_csv(tmp_path / "obs.csv", index=False)
    return tmp_path / "history.yaml", tmp_path / "obs.csv"


def _cli(*args):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    args = [str(a) for a in args]  # in English unless the test gives --lang
    return CliRunner().invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


def test_cli_calibrate_writes_a_fitted_model_and_keeps_the_old(tmp_path):
    scenario, data = _write_case(tmp_path)
    before = (tmp_path / "model.yaml").read_bytes()
    out = tmp_path / "fitted" / "model-fitted.yaml"
    result = _cli("calibrate", scenario, data, "--link", "x:y", "--link", "y:z", "--lags", "--out", out)
    assert result.exit_code == 0, result.output
    assert "x -> y: weight" in result.output and "x -> y: lag" in result.output and "R^2" in result.output
    assert (tmp_path / "model.yaml").read_bytes() == before
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Calibrated by bwsim calibrate")
    fitted = load_model_text(text, "fitted").spec
    assert fitted.links[0].weight.central == pytest.approx(1.7, rel=0.05)
    assert fitted.links[0].evidence.calibration["data"] == str(data)


def test_cli_calibrate_json(tmp_path):
    import json

    scenario, data = _write_case(tmp_path)
    result = _cli("calibrate", scenario, data, "--link", "x:y", "--out", tmp_path / "f.yaml", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["parameters"][0]["link"] == "x->y" and report["n_obs"] == 42
    assert report["written"] == str(tmp_path / "f.yaml")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--link", "x:w"], "the model has no link x->w"),
        (["--link", "xy"], "write FROM:TO"),
        (["--link", "x:y", "--start", "x:y=7"], "start value 7 lies outside the bounds 0 .. 3"),
        (["--start", "x:y=abc"], "write FROM:TO=VALUE"),
    ],
)
def test_cli_bad_links_exit_2_without_writing(tmp_path, args, message):
    scenario, data = _write_case(tmp_path)
    out = tmp_path / "never.yaml"
    result = _cli("calibrate", scenario, data, *args, "--out", out)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_cli_unknown_node_in_data(tmp_path):
    scenario, data = _write_case(tmp_path)
    data.write_text("node,time,value\nyy,2022,1\n", encoding="utf-8")
    result = _cli("calibrate", scenario, data, "--out", tmp_path / "never.yaml")
    assert result.exit_code == 2 and "obs.csv:2: row 1: unknown node 'yy' (did you mean 'y'?)" in result.output
    assert not (tmp_path / "never.yaml").exists()


def test_cli_refuses_to_overwrite_the_model(tmp_path):
    scenario, data = _write_case(tmp_path)
    result = _cli("calibrate", scenario, data, "--out", tmp_path / "model.yaml")
    assert result.exit_code == 2 and "would overwrite the model" in result.output


def test_cli_fit_that_does_not_converge_writes_nothing(tmp_path):
    scenario, data = _write_case(tmp_path, noise=0.3)
    out = tmp_path / "never.yaml"
    result = _cli("calibrate", scenario, data, "--lags", "--max-evaluations", "1", "--starts", "2", "--out", out)
    assert result.exit_code == 1 and "did not converge" in result.output and "Try" in result.output
    assert not out.exists()


# --------------------------------------------------------------------------- figures and the app page


def test_estimates_and_fit_figures():
    from simulator.app.sensitivity_charts import estimates_figure, fit_figure

    prep = _prepare(_chain())
    obs = _synthetic(prep, ["y"], [1.5, 0.5, 2.0], [1.0, 0, 0], 0.05, np.random.default_rng(0))
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], dt=0.25)
    result = calibrate(prep, obs, params, n_starts=1)
    fig = estimates_figure(result.parameter_frame())
    estimate = next(t for t in fig.data if t.name == "estimate")
    assert float(estimate.x[0]) == pytest.approx(1.5 / 3.0, abs=0.01)  # 1.5 in the range 0..3
    table = obs.table.assign(predicted=result.predicted)
    fit = fit_figure(table[table["node"] == "y"])
    assert [t.name for t in fit.data] == ["model", "observed"]
    assert np.allclose(np.asarray(fit.data[0].y, dtype=float), result.predicted)


@pytest.mark.slow
def test_app_page_calibrates_ranks_and_monitors_the_sample_data():
    """The page on the shipped model and illustrative data, through Streamlit's AppTest."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parents[1] / "simulator" / "app" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=120)
    at.run()
    at.switch_page("views/calibration.py")
    at.run()
    assert not at.exception and not at.error
    assert "33" in " ".join(c.value for c in at.caption)  # observations of the sample data
    at.button(key="cal_run").click().run()
    assert not at.exception and not at.error
    headers = [s.value for s in at.subheader]
    assert "Schattingen en intervallen" in headers and "Passing per indicator" in headers
    at.button(key="sa_run").click().run()
    assert not at.exception and any(s.value.startswith("Welke aannames") for s in at.subheader)
    at.button(key="mon_run").click().run()
    assert not at.exception and not at.error


def test_a_fitted_link_the_scenario_overrides_gets_a_note():
    from simulator.calibrate import override_notes

    scenario = ScenarioSpec.model_validate(
        {
            "name": "s",
            "model": "",
            "overrides": {"links": [{"from": "x", "to": "y", "weight": {"low": 0.5, "mode": 1.0, "high": 2.0}}]},
        }
    )
    prep = prepare_scenario(scenario, ModelSpec.model_validate(_chain()))
    params, _ = select_parameters(prep.model, ["y", "z"], None, fit_lags=True, dt=0.25)
    assert params[0].high == 2.0  # the scenario's range bounds the fit
    notes = override_notes(scenario, params)
    assert len(notes) == 1 and notes[0].startswith("x->y:weight: the scenario overrides it")


def test_an_interval_reaching_past_the_link_range_is_cut_there_and_says_so():
    """Few noisy points: the t interval of the weight is wider than its range 0 .. 3."""
    prep = _prepare(_chain())
    times = np.array([2020.0, 2022.0, 2024.0, 2026.0, 2028.0])
    obs = _synthetic(prep, ["y"], [1.0, 0.5, 2.0], [1.0, 0, 0], 40.0, np.random.default_rng(5), times)
    params, _ = select_parameters(prep.model, obs.nodes, [("x", "y")], dt=0.25)
    estimate = calibrate(prep, obs, params, n_starts=1).estimates[0]
    assert estimate.cut_to_range
    assert estimate.low == 0.0 or estimate.high == 3.0  # it ends at a bound of the range
    assert 0.0 <= estimate.low <= estimate.estimate <= estimate.high <= 3.0


def test_cli_refuses_to_write_a_fit_into_evidence_shared_through_an_anchor(tmp_path):
    scenario, data = _write_case(tmp_path)
    model = tmp_path / "model.yaml"
    text = model.read_text(encoding="utf-8")
    evidence = "  evidence: &shared {strength: expert, source: one workshop}\n"
    text = text.replace("- from: x\n  to: y\n", "- from: x\n  to: y\n" + evidence, 1)
    text = text.replace("- from: y\n  to: z\n", "- from: y\n  to: z\n  evidence: *shared\n", 1)
    assert "*shared" in text
    model.write_text(text, encoding="utf-8")
    out = tmp_path / "never.yaml"
    result = _cli("calibrate", scenario, data, "--link", "x:y", "--out", out)
    assert result.exit_code == 2, result.output
    assert "shared through a YAML anchor" in result.output and "links[0].evidence" in result.output
    assert "Traceback" not in result.output and not out.exists()
