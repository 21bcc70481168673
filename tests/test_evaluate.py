"""Evaluation after the fact (bwsim evaluate): recovery of a known impact, the verdicts, the bands, bad input.

The data are generated here from a model with a known baseline path (the model's
constant baseline plus a level shift and a trend), a known policy effect and
seeded noise; the expected band is known analytically (a uniform weight).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from simulator.cli.main import app
from simulator.errors import InputError
from simulator.evaluate import (
    EVALUATION_COLUMNS,
    MIN_PRE_POINTS,
    evaluate,
    fit_counterfactual,
    relation,
    verdicts,
)
from simulator.observed import observed_from_frame
from simulator.runner import Uncertainty
from simulator.scenario_run import prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec

TIME = {"start": 2010.0, "end": 2030.0, "dt": 0.25}
SINCE = 2020.0
SHIFT, TREND, NOISE = 5.0, 0.5, 0.5  # the real counterfactual: 100 + 5 + 0.5 (t - 2010); noise sd 0.5
YEARS = np.arange(2010.0, 2030.01, 1.0)
runner = CliRunner()


def _node(node_id, baseline):
    return {"id": node_id, "label": node_id, "theme": "samenleving", "dimension": "hier_en_nu", "baseline": baseline}


def _model_data(weight=None):
    """y = 100 + w a; w uniform on [0.8, 1.2] (so the expected impact of a = 10 is 8.2 .. 11.8 at 90 %)."""
    return {
        "name": "m",
        "title": "m",
        "time": TIME,
        "nodes": [_node("a", 5.0), _node("y", 100.0)],
        "links": [
            {
                "from": "a",
                "to": "y",
                "weight": weight if weight is not None else {"dist": "uniform", "low": 0.8, "high": 1.2},
            }
        ],
    }


def _scenario_data(height=10.0):
    return {
        "name": "plan",
        "model": "model.yaml",
        "interventions": [{"node": "a", "shape": "step", "height": height, "start": SINCE}],
    }


def _prepare(weight=None, height=10.0):
    return prepare_scenario(
        ScenarioSpec.model_validate(_scenario_data(height)), ModelSpec.model_validate(_model_data(weight))
    )


def _values(impact, seed=1, years=YEARS):
    rng = np.random.default_rng(seed)
    return 100.0 + SHIFT + TREND * (years - 2010.0) + impact * (years >= SINCE) + rng.normal(0.0, NOISE, years.size)


def _observed(prep, values, years=YEARS, node="y"):
    frame = pd.DataFrame({"node": node, "time": years, "value": values})
    return observed_from_frame(frame, list(prep.compiled.node_ids), (TIME["start"], TIME["end"]), "obs.csv")


def _evaluate(impact, seed=1, weight=None, height=10.0):
    prep = _prepare(weight, height)
    return evaluate(prep, _observed(prep, _values(impact, seed)), SINCE, Uncertainty(400, 0, "lhs"))


def test_a_known_impact_is_recovered_within_a_band_as_narrow_as_the_noise_allows():
    result = _evaluate(10.0)
    table = result.table
    assert list(table.columns) == EVALUATION_COLUMNS
    assert table["time"].tolist() == YEARS[YEARS >= SINCE].tolist()
    fit = result.fits["y"]
    assert fit.form == "trend" and fit.n == 10
    # the fitted counterfactual: shift at 2020 = 5 + 0.5 * 10 = 10, trend 0.5 a year, residual sd near 0.5
    assert fit.coefficients == pytest.approx([10.0, 0.5], abs=0.6)
    assert 0.25 < fit.sigma < 0.8
    inside = (table["impact_low"] <= 10.0) & (10.0 <= table["impact_high"])
    assert inside.sum() >= 9  # 11 years at 90 %
    assert table["impact"].mean() == pytest.approx(10.0, abs=0.6)
    half = (table["impact_high"] - table["impact_low"]) / 2
    assert (half > NOISE).all() and (half < 5 * NOISE).all()  # noise plus fit, never absurdly wide
    assert half.is_monotonic_increasing  # the trend's uncertainty grows as the fit is continued
    # the expected impact: deterministic 10 (mean weight), band the uniform's 5 % and 95 % quantiles
    assert table["expected"].tolist() == pytest.approx([10.0] * len(table))
    assert table["expected_low"].to_numpy() == pytest.approx(8.2, abs=0.05)
    assert table["expected_high"].to_numpy() == pytest.approx(11.8, abs=0.05)
    assert (table["verdict"] == "as_expected").sum() >= 9


def test_no_impact_in_the_data_is_not_distinguishable_from_zero():
    table = _evaluate(0.0).table
    assert (table["verdict"] == "zero").sum() >= 9
    assert set(table["verdict"]) <= {"zero", "smaller"}
    assert (table["vs_expected"] == "smaller").sum() >= 9  # and below what was expected, as a separate column


def test_twice_the_expected_impact_is_larger_than_expected():
    table = _evaluate(20.0).table
    assert (table["verdict"] == "larger").all()
    assert table["impact"].to_numpy() == pytest.approx(20.0, abs=2.0)


def test_larger_follows_the_direction_of_the_expected_effect():
    """A fall twice the expected fall is larger (further from zero), not smaller, though the number is lower."""
    table = _evaluate(-20.0, height=-10.0).table
    assert (table["expected_high"] < 0).all()
    assert (table["verdict"] == "larger").all()
    assert relation(
        np.array([-5.0]), np.array([-4.0]), np.array([-12.0]), np.array([-8.0]), np.array([-1.0])
    ).tolist() == ["smaller"]
    assert relation(
        np.array([-5.0]), np.array([-4.0]), np.array([8.0]), np.array([12.0]), np.array([1.0])
    ).tolist() == ["smaller"]
    assert relation(np.array([9.0]), np.array([13.0]), np.array([8.0]), np.array([12.0]), np.array([1.0])).tolist() == [
        "inside"
    ]
    assert verdicts(np.array([-1.0, 9.0]), np.array([1.0, 13.0]), np.array(["smaller", "inside"])).tolist() == [
        "zero",
        "as_expected",
    ]


def test_the_prediction_band_covers_the_true_impact_as_often_as_it_says():
    """Over 400 seeded data sets the 90 % band of the observed impact holds the true impact 90 % of the time."""
    pre, post = YEARS < SINCE, YEARS >= SINCE
    baseline = np.full(YEARS.size, 100.0)
    hits = []
    for seed in range(400):
        values = _values(3.0, seed)
        fit = fit_counterfactual("y", YEARS[pre], values[pre], baseline[pre], SINCE)
        counterfactual, half = fit.predict(YEARS[post], baseline[post])
        hits.append(np.abs(values[post] - counterfactual - 3.0) <= half)
    coverage = float(np.mean(hits))
    assert 0.87 < coverage < 0.93, coverage


def test_the_fit_is_ordinary_least_squares_with_its_textbook_prediction_interval():
    years = np.arange(2000.0, 2008.0)
    values = np.array([3.1, 3.9, 5.2, 5.8, 7.1, 8.2, 8.8, 10.1])
    fit = fit_counterfactual("y", years, values, np.full(8, 1.0), 2008.0)
    slope, intercept, *_ = stats.linregress(years - 2008.0, values - 1.0)
    assert fit.form == "trend" and fit.coefficients == pytest.approx([intercept, slope])
    residuals = values - 1.0 - (intercept + slope * (years - 2008.0))
    s = math.sqrt(residuals @ residuals / 6)
    assert fit.sigma == pytest.approx(s)
    x0 = 2010.0 - 2008.0
    sxx = float(np.sum((years - years.mean()) ** 2))
    expected_half = stats.t.ppf(0.95, 6) * s * math.sqrt(1 + 1 / 8 + (2008.0 + x0 - years.mean()) ** 2 / sxx)
    mean, half = fit.predict(np.array([2010.0]), np.array([1.0]))
    assert mean[0] == pytest.approx(1.0 + intercept + slope * x0)
    assert half[0] == pytest.approx(expected_half)


def test_a_trend_only_when_there_are_enough_points_and_the_residuals_ask_for_it():
    rng = np.random.default_rng(3)
    years = np.arange(2010.0, 2020.0)
    flat = 10.0 + rng.normal(0.0, 1.0, years.size)
    assert fit_counterfactual("y", years, flat, np.zeros(10), SINCE).form == "level"
    rising = flat + 0.8 * (years - 2010.0)
    assert fit_counterfactual("y", years, rising, np.zeros(10), SINCE).form == "trend"
    few = fit_counterfactual("y", years[:4], rising[:4], np.zeros(4), SINCE)
    assert few.form == "level" and "trend" not in few.aicc  # too few points to consider a trend
    with pytest.raises(ValueError):
        fit_counterfactual("y", years[:2], rising[:2], np.zeros(2), SINCE)


@pytest.mark.parametrize(
    ("years", "since", "place", "words"),
    [
        (np.arange(2021.0, 2030.01), SINCE, "rows of 'y'", "start in 2021, after the policy's start 2020"),
        (
            np.arange(2018.0, 2030.01),
            SINCE,
            "rows of 'y'",
            f"has 2 observation(s) before 2020; fitting its counterfactual needs at least {MIN_PRE_POINTS}",
        ),
        (np.arange(2010.0, 2019.01), SINCE, "rows of 'y'", "no observation from 2020 on: nothing to evaluate"),
        (YEARS, 2031.0, "since", "outside the scenario's horizon 2010-2030"),
        (YEARS, 2010.0, "since", "outside the scenario's horizon 2010-2030, or at its first year"),
    ],
)
def test_data_that_cannot_be_evaluated_are_refused(years, since, place, words):
    prep = _prepare()
    observed = _observed(prep, _values(10.0, years=years), years)
    with pytest.raises(InputError) as caught:
        evaluate(prep, observed, since, Uncertainty(50, 0, "lhs"))
    problem = caught.value.problems[0]
    assert problem.place == place and words in problem.message and problem.hint
    if place != "since":
        assert problem.file == "obs.csv" and problem.line is not None


def _files(tmp_path, years=YEARS, values=None, node="y"):
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(_model_data()), encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(_scenario_data()), encoding="utf-8")
    values = _values(10.0, years=years) if values is None else values
    frame = pd.DataFrame({"node": node, "time": years, "value": values})
    frame.to_csv(tmp_path / "obs.csv", index=False)
    return [str(tmp_path / "plan.yaml"), str(tmp_path / "obs.csv")]


def test_cli_prints_the_verdicts_in_dutch_and_english_and_writes_the_table(tmp_path):
    args = ["evaluate", *_files(tmp_path), "--since", "2020", "--samples", "200"]
    dutch = runner.invoke(app, args)
    assert dutch.exit_code == 0, dutch.output
    assert "evaluatie achteraf" in dutch.stdout and "zoals verwacht" in dutch.stdout
    assert "basispad + niveauverschuiving + trend" in dutch.stdout
    english = runner.invoke(app, [*args, "--lang", "en"])
    assert "as expected" in english.stdout and "observed impact" in english.stdout
    out = tmp_path / "evaluation.csv"
    written = runner.invoke(app, [*args, "--out", str(out)])
    assert written.exit_code == 0, written.output
    table = pd.read_csv(out)
    assert list(table.columns) == EVALUATION_COLUMNS and len(table) == 11
    again = runner.invoke(app, [*args, "--out", str(out), "--lang", "en"])
    assert again.exit_code == 2 and "exists already" in again.stderr and "--force" in again.stderr
    forced = runner.invoke(app, [*args, "--out", str(out), "--force", "--seed", "3"])
    assert forced.exit_code == 0, forced.output
    assert not pd.read_csv(out).equals(table)  # another seed, another expected band
    clash = runner.invoke(app, [*args, "--out", str(tmp_path / "obs.csv"), "--force", "--lang", "en"])
    assert clash.exit_code == 2 and "would overwrite the observed data" in clash.stderr


def test_cli_json_has_the_fits_and_every_evaluated_observation(tmp_path):
    result = runner.invoke(app, ["evaluate", *_files(tmp_path), "--since", "2020", "--samples", "200", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["since"] == 2020.0 and data["samples"] == 200
    assert data["fits"][0]["form"] == "trend" and data["fits"][0]["n_before"] == 10
    assert len(data["observations"]) == 11 and data["summary"][0]["n_after"] == 11


@pytest.mark.parametrize(
    ("extra", "years", "node", "words"),
    [
        (
            ["--since", "2040"],
            YEARS,
            "y",
            "plan.yaml: --since: the policy's start 2040 is outside the scenario's horizon",
        ),
        (["--since", "2020"], np.arange(2021.0, 2030.01), "y", "obs.csv:2: rows of 'y': the observations of 'y' start"),
        (["--since", "2020"], np.arange(2010.0, 2019.01), "y", "nothing to evaluate"),
        (["--since", "2020"], YEARS, "yy", "unknown node 'yy'"),
        (["--since", "2020", "--samples", "1"], YEARS, "y", "--samples must be at least 2"),
    ],
)
def test_cli_bad_input_exits_2_with_place_and_fix(tmp_path, extra, years, node, words):
    result = runner.invoke(app, ["evaluate", *_files(tmp_path, years, node=node), *extra, "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Traceback" not in result.output


def test_the_readme_data_are_what_the_generator_makes_and_their_known_impacts_are_found():
    """data/heerlen-evaluation-illustrative.csv: jobs at the model's effect, in-commuting at a third of it."""
    import importlib.util
    from pathlib import Path

    from simulator.cli.calibrate import load_inputs

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("make_illustrative", root / "data" / "make_illustrative.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = pd.read_csv(root / "data" / "heerlen-evaluation-illustrative.csv", comment="#")
    pd.testing.assert_frame_equal(shipped, pd.DataFrame(module.evaluation_rows()), check_dtype=False)
    _, prepared, observed = load_inputs(
        root / "scenarios" / "examples" / "medtech-growth-evaluation.yaml",
        root / "data" / "heerlen-evaluation-illustrative.csv",
    )
    result = evaluate(prepared, observed, 2025.0, Uncertainty(300, 0, "lhs"))
    table = result.table.set_index(["node", "time"])
    later = [2028.0, 2029.0, 2030.0]
    assert (table.loc[[("jobs_total", t) for t in later], "verdict"] == "as_expected").all()
    assert (table.loc[[("in_commuters", t) for t in later], "verdict"] == "smaller").all()
    # the fits find the known paths without the policy: jobs 106000 - 1800 + 180 (t - 2015), so 0 and 180 in 2025
    shift, trend = result.fits["jobs_total"].coefficients
    assert abs(shift) < 300.0 and abs(trend - 180.0) < 40.0


def test_a_scenario_that_acts_before_the_policys_start_is_warned_about_and_regions_are_not_mixed():
    prep = prepare_scenario(
        ScenarioSpec.model_validate(
            {**_scenario_data(), "interventions": [{"node": "a", "shape": "step", "height": 10.0, "start": 2016.0}]}
        ),
        ModelSpec.model_validate(_model_data()),
    )
    result = evaluate(prep, _observed(prep, _values(10.0)), SINCE, Uncertainty(50, 0, "lhs"))
    assert any("already changes 'y' before 2020" in w for w in result.warnings)
    assert not any("already changes" in w for w in _evaluate(10.0).warnings)
    frame = pd.DataFrame(
        {
            "node": "y",
            "time": np.concatenate([YEARS, YEARS]),
            "value": np.tile(_values(10.0), 2),
            "region": ["heerlen"] * YEARS.size + ["kerkrade"] * YEARS.size,
        }
    )
    observed = observed_from_frame(frame, list(prep.compiled.node_ids), (TIME["start"], TIME["end"]), "obs.csv")
    with pytest.raises(InputError, match=r"observed in 2 regions \(heerlen, kerkrade\)"):
        evaluate(prep, observed, SINCE, Uncertainty(50, 0, "lhs"))


def _ar1(phi, n, rng, sd=0.5):
    e = np.zeros(n)
    for i in range(n):
        e[i] = (phi * e[i - 1] if i else 0.0) + rng.normal(0.0, sd)
    return e


def test_autocorrelated_residuals_are_found_and_warned_about():
    """Noise that carries over from year to year (AR(1), 0.8) is found in most data sets, white noise rarely."""
    years = np.arange(1990.0, 2020.0)
    path = 105.0 + 0.5 * (years - 1990.0)

    def found(phi, seed):
        rng = np.random.default_rng(seed)
        return fit_counterfactual(
            "y", years, path + _ar1(phi, years.size, rng), np.full(years.size, 100.0), SINCE
        ).autocorrelated

    assert np.mean([found(0.8, seed) for seed in range(200)]) > 0.6
    assert np.mean([found(0.0, seed) for seed in range(200)]) < 0.1
    scenario = ScenarioSpec.model_validate({**_scenario_data(), "time": {**TIME, "start": 1990.0}})
    prep = prepare_scenario(scenario, ModelSpec.model_validate(_model_data()))
    all_years = np.arange(1990.0, 2030.01)
    values = (
        105.0
        + 0.5 * (all_years - 1990.0)
        + 10.0 * (all_years >= SINCE)
        + _ar1(0.8, all_years.size, np.random.default_rng(0))
    )
    frame = pd.DataFrame({"node": "y", "time": all_years, "value": values})
    observed = observed_from_frame(frame, list(prep.compiled.node_ids), (1990.0, 2030.0), "obs.csv")
    result = evaluate(prep, observed, SINCE, Uncertainty(50, 0, "lhs"))
    assert any("are autocorrelated" in w for w in result.warnings)
    assert not any("autocorrelated" in w for w in _evaluate(10.0).warnings)
