"""Sensitivity: SALib's Ishigami answers, and the engine's Sobol on a linear model with known shares."""

from __future__ import annotations

import html

import numpy as np
import pytest

from simulator.errors import InputError
from simulator.scenario_run import prepare_scenario
from simulator.sensitivity import (
    analyse,
    factor_values,
    quantile,
    run_members,
    scenario_sensitivity,
    uncertain_factors,
)
from simulator.spec import Distribution, ModelSpec, ScenarioSpec

TIME = {"start": 2020.0, "end": 2030.0, "dt": 0.25}


def _node(node_id, baseline=10.0):
    return {"id": node_id, "label": node_id, "theme": "samenleving", "dimension": "hier_en_nu", "baseline": baseline}


def _linear_files(b_lag=None):
    """y = w_a a + w_b b + w_c c, with steps on a, b, c; one irrelevant uncertain lag (e -> y, e never moves).

    Returns the model and scenario documents.
    """
    b_link = {"from": "b", "to": "y", "weight": {"low": 0.0, "mode": 1.0, "high": 3.0}}
    if b_lag:
        b_link |= {"lag": b_lag, "delay": "fixed"}
    data = {
        "name": "lin",
        "title": "lin",
        "time": TIME,
        "nodes": [_node(n) for n in ("a", "b", "c", "e", "y")],
        "links": [
            {"from": "a", "to": "y", "weight": {"dist": "uniform", "low": 0.0, "high": 2.0}},
            b_link,
            {"from": "c", "to": "y", "weight": {"dist": "normal", "mean": 1.0, "sd": 0.5}},
            {
                "from": "e",
                "to": "y",
                "weight": 1.0,
                "lag": {"low": 1.0, "mode": 2.0, "high": 3.0},
                "delay": "exponential",
            },
        ],
    }
    scenario = {
        "name": "s",
        "model": "model.yaml",
        "interventions": [
            {"node": "a", "shape": "step", "height": 1.0, "start": 2021.0},
            {"node": "b", "shape": "step", "height": 2.0, "start": 2021.0},
            {"node": "c", "shape": "step", "height": 1.0, "start": 2021.0},
        ],
    }
    return data, scenario


def _linear(b_lag=None):
    data, scenario = _linear_files(b_lag)
    return prepare_scenario(ScenarioSpec.model_validate(scenario), ModelSpec.model_validate(data))


# analytic shares of Var(y) after the steps: Var(w_a) * 1, Var(w_b) * 4, Var(w_c) * 1
VAR_A, VAR_B, VAR_C = 4 / 12, 4 * (0 + 9 + 1 - 0 - 0 - 3) / 18, 0.25
TOTAL = VAR_A + VAR_B + VAR_C


def test_ishigami_matches_the_known_indices():
    from SALib.test_functions import Ishigami

    def model_fn(unit):
        return Ishigami.evaluate(-np.pi + 2 * np.pi * unit)[None, :]

    result = analyse(model_fn, ["x1", "x2", "x3"], np.array([0.0]), "sobol", n_base=4096, seed=3)
    a, b = 7.0, 0.1
    v = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    assert result.values["S1"][0] == pytest.approx([v1 / v, v2 / v, 0.0], abs=0.03)
    assert result.values["ST"][0] == pytest.approx([(v1 + v13) / v, v2 / v, v13 / v], abs=0.03)


def test_engine_sobol_matches_the_analytic_variance_shares():
    prep = _linear()
    result = scenario_sensitivity(prep, "y", 2028.0, "sobol", n_base=2048, seed=1)
    names = list(result.names)
    assert names == ["a->y:weight", "b->y:weight", "c->y:weight", "e->y:lag"]
    k = int(np.argmin(np.abs(result.times - 2028.0)))
    expected = np.array([VAR_A, VAR_B, VAR_C, 0.0]) / TOTAL
    assert result.values["S1"][k] == pytest.approx(expected, abs=0.03)
    assert result.values["ST"][k] == pytest.approx(expected, abs=0.03)
    assert result.variance[k] == pytest.approx(TOTAL, rel=0.03)
    ranking = result.ranking(2028.0)
    assert list(ranking["factor"][:3]) == ["b->y:weight", "a->y:weight", "c->y:weight"]
    # before the steps nothing varies: all indices are 0, not nan
    assert result.times[0] == 2020.0 and result.variance[0] == 0 and not result.values["ST"][0].any()


def test_which_link_matters_changes_over_time():
    """b's effect arrives after a 5-year fixed delay: a matters first, b later."""
    prep = _linear(b_lag=5.0)
    result = scenario_sensitivity(prep, "y", 2025.0, "sobol", n_base=512, seed=2, years=np.array([2023.0, 2028.0]))
    early, late = result.ranking(2023.0), result.ranking(2028.0)
    assert early["factor"][0] == "a->y:weight" and late["factor"][0] == "b->y:weight"
    table = result.over_time()
    assert list(table.columns) == ["time", "factor", "value"] and len(table) == 2 * 4


def test_morris_effects_on_the_linear_model():
    prep = _linear()
    result = scenario_sensitivity(prep, "y", 2028.0, "morris", n_base=40, seed=0)
    ranking = result.ranking(2028.0).set_index("factor")
    # w_a is uniform on [0, 2]: linear in its quantile, so every elementary effect is 2 * height 1
    # (up to the 1e-6 clip that keeps unit samples off 0 and 1)
    assert ranking.loc["a->y:weight", "mu_star"] == pytest.approx(2.0, rel=1e-5)
    assert ranking.loc["a->y:weight", "sigma"] == pytest.approx(0.0, abs=1e-9)
    assert ranking.loc["e->y:lag", "mu_star"] == 0.0
    assert result.n_runs == 40 * 5


def test_chunking_does_not_change_the_numbers():
    prep = _linear()
    factors = uncertain_factors(prep.model, prep.compiled.dt)
    unit = np.random.default_rng(0).random((23, len(factors)))
    values = factor_values(factors, unit)
    one = run_members(prep, factors, values, [4])
    many = run_members(prep, factors, values, [4], chunk=5)
    assert np.array_equal(one, many)


def test_quantiles_follow_each_distribution():
    u = np.array([0.0, 0.5, 1.0])
    assert quantile(Distribution.model_validate({"dist": "uniform", "low": 1, "high": 3}), u) == pytest.approx(
        [1, 2, 3], abs=1e-5
    )
    tri = quantile(Distribution.model_validate({"low": 0, "mode": 0, "high": 1}), np.array([0.75]))
    assert tri == pytest.approx([0.5])  # F(x) = 1 - (1 - x)^2
    normal = quantile(Distribution.model_validate({"dist": "normal", "mean": 1, "sd": 2}), u)
    assert np.all(np.isfinite(normal)) and normal[1] == pytest.approx(1.0)


def test_drawn_lags_stay_above_the_engine_floor():
    prep = _linear()
    factors = uncertain_factors(prep.model, 1.5)
    lag = next(f for f in factors if f.kind == "lag")
    assert lag.floor == 1.5
    assert factor_values([lag], np.array([[0.0], [0.99]])).min() == 1.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"output": "yy"}, "unknown node 'yy'"),
        ({"year": 2040.0}, "outside the horizon 2020-2030"),
        ({"n_base": 1000}, "power of 2"),
    ],
)
def test_bad_requests(kwargs, message):
    args = {"output": "y", "year": 2028.0, "n_base": 64} | kwargs
    with pytest.raises(InputError, match=message):
        scenario_sensitivity(_linear(), args["output"], args["year"], "sobol", args["n_base"])


def test_a_model_without_uncertainty_is_refused():
    data = {
        "name": "m",
        "title": "m",
        "time": TIME,
        "nodes": [_node("a"), _node("y")],
        "links": [{"from": "a", "to": "y", "weight": 1.0}],
    }
    prep = prepare_scenario(ScenarioSpec.model_validate({"name": "s", "model": ""}), ModelSpec.model_validate(data))
    with pytest.raises(InputError, match="no uncertain weight or lag"):
        scenario_sensitivity(prep, "y", 2025.0)


# --------------------------------------------------------------------------- command line


def _write_linear(tmp_path):
    import yaml

    data, scenario = _linear_files()
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return tmp_path / "s.yaml"


def _cli(*args):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    args = [str(a) for a in args]  # in English unless the test gives --lang
    return CliRunner().invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


def test_cli_sensitivity_table_and_json(tmp_path):
    import json

    scenario = _write_linear(tmp_path)
    result = _cli("sensitivity", scenario, "--output", "y", "--year", "2028", "--samples", "256")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("rank"))
    assert "b -> y: weight" in lines[first + 1] and "ST over time" in result.output  # labels; ids in --json
    result = _cli(
        "sensitivity",
        scenario,
        "--output",
        "y",
        "--output",
        "a",
        "--year",
        "2028",
        "--samples",
        "16",
        "--method",
        "morris",
        "--json",
    )
    report = json.loads(result.output)
    assert report["method"] == "morris" and report["runs"] == 16 * 5
    y, a = report["outputs"]
    assert y["output"] == "y" and y["ranking"][0]["factor"] == "b->y:weight"
    assert y["over_time"]["index"] == "mu_star"
    assert a["output"] == "a" and all(row["mu_star"] == 0 for row in a["ranking"])  # nothing flows into a


def test_cli_sensitivity_bad_input_exits_2(tmp_path):
    scenario = _write_linear(tmp_path)
    result = _cli("sensitivity", scenario, "--output", "yy", "--year", "2050")
    assert result.exit_code == 2 and "unknown node 'yy'" in result.output and "outside the horizon" in result.output
    assert "Traceback" not in result.output


def test_tornado_figure_puts_the_most_important_on_top():
    from simulator.app.sensitivity_charts import indices_over_time_figure, tornado_figure

    result = scenario_sensitivity(_linear(), "y", 2028.0, "sobol", n_base=256, seed=1)
    fig = tornado_figure(result.ranking(2028.0), top=3)
    total = fig.data[0]
    # names reach plotly escaped for its HTML subset (simulator.app.plain_text.plotly), which shows &gt; as >
    assert html.unescape(list(total.y)[-1]) == "b->y:weight" and len(total.y) == 3  # the last bar is on top
    assert np.asarray(total.x, dtype=float)[-1] == pytest.approx(VAR_B / TOTAL, abs=0.05)
    morris = scenario_sensitivity(_linear(), "y", 2028.0, "morris", n_base=10)
    assert [t.name for t in tornado_figure(morris.ranking(2028.0)).data] == ["mu*", "sigma"]
    lines = indices_over_time_figure(result.over_time(), ["a->y:weight", "b->y:weight"])
    assert [html.unescape(t.name) for t in lines.data] == ["a->y:weight", "b->y:weight"]
    assert len(lines.data[0].x) == result.times.size


def test_several_outputs_share_the_runs():
    from simulator.sensitivity import scenario_sensitivities

    prep = _linear()
    both = scenario_sensitivities(prep, ["y", "a"], 2028.0, "sobol", n_base=64, seed=4)
    alone = scenario_sensitivity(prep, "y", 2028.0, "sobol", n_base=64, seed=4)
    assert np.array_equal(both["y"].values["ST"], alone.values["ST"])
    assert not both["a"].values["ST"].any()


def test_lag_range_below_dt_is_refused_as_for_ensembles():
    data, scenario = _linear_files()
    data["links"][3]["lag"] = {"low": 0.1, "mode": 2.0, "high": 3.0}
    prep = prepare_scenario(ScenarioSpec.model_validate(scenario), ModelSpec.model_validate(data))
    with pytest.raises(InputError, match="can be drawn as low as 0.1 years"):
        scenario_sensitivity(prep, "y", 2028.0, n_base=16)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_the_default_seed_gives_the_same_confidence_intervals_twice(method):
    def model_fn(unit):
        return (unit[:, 0] + 0.5 * unit[:, 1] ** 2)[None, :]

    first, second = (analyse(model_fn, ["x1", "x2"], np.array([0.0]), method, n_base=64, seed=0) for _ in range(2))
    for key, values in first.values.items():
        np.testing.assert_array_equal(values, second.values[key], err_msg=key)
