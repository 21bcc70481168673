"""Monitoring: observations against the scenario's ensemble band, with flags that say when, what, how much."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.errors import InputError
from simulator.monitor import MONITOR_COLUMNS, expected_band, monitor
from simulator.observed import observed_from_frame
from simulator.scenario_run import prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec

TIME = {"start": 2020.0, "end": 2030.0, "dt": 0.25}


def _node(node_id, baseline=10.0):
    return {"id": node_id, "label": node_id, "theme": "samenleving", "dimension": "hier_en_nu", "baseline": baseline}


def _prepare(weight=None):
    """y = 10 + w a; a steps to 1 in 2022; w uniform on [0, 2] unless given."""
    data = {
        "name": "m",
        "title": "m",
        "time": TIME,
        "nodes": [_node("a", 5.0), _node("y")],
        "links": [
            {
                "from": "a",
                "to": "y",
                "weight": weight if weight is not None else {"dist": "uniform", "low": 0.0, "high": 2.0},
            }
        ],
    }
    scenario = ScenarioSpec.model_validate(
        {"name": "plan", "model": "", "interventions": [{"node": "a", "shape": "step", "height": 1.0, "start": 2022.0}]}
    )
    return prepare_scenario(scenario, ModelSpec.model_validate(data))


def _observed(prep, rows):
    frame = pd.DataFrame(rows, columns=["node", "time", "value"])
    return observed_from_frame(frame, list(prep.compiled.node_ids), (2020.0, 2030.0), "obs.csv")


def test_band_is_the_ensemble_quantiles_of_the_level():
    band = expected_band(_prepare(), ["y"], samples=2000, seed=1, level=0.9)
    low, median, high = band.at("y", np.array([2021.0, 2025.0]))
    assert low[0] == median[0] == high[0] == 10.0  # before the step: no spread
    # after the step y = 10 + w, w uniform on [0, 2]: quantiles 10.1, 11, 11.9
    assert [low[1], median[1], high[1]] == pytest.approx([10.1, 11.0, 11.9], abs=0.01)
    assert list(band.to_frame().columns) == ["node", "time", "low", "median", "high"]


def test_same_seed_same_band_bit_for_bit():
    one = expected_band(_prepare(), ["y"], samples=300, seed=7)
    two = expected_band(_prepare(), ["y"], samples=300, seed=7)
    other = expected_band(_prepare(), ["y"], samples=300, seed=8)
    assert np.array_equal(one.high, two.high) and not np.array_equal(one.high, other.high)


def test_points_outside_the_band_are_flagged_with_date_indicator_and_size():
    prep = _prepare()
    obs = _observed(
        prep, [("y", 2021.0, 10.0), ("y", 2025.0, 11.0), ("y", 2026.0, 12.5), ("y", 2027.5, 9.5), ("a", 2025.0, 6.0)]
    )
    result = monitor(prep, obs, samples=2000, seed=1)
    table = result.table
    assert list(table.columns) == MONITOR_COLUMNS
    flagged = result.flagged.set_index("time")
    assert set(flagged["node"]) == {"y"} and list(flagged.index) == [2026.0, 2027.5]
    assert flagged.loc[2026.0, "status"] == "above"
    assert flagged.loc[2026.0, "outside_by"] == pytest.approx(12.5 - 11.9, abs=0.01)
    assert flagged.loc[2026.0, "outside_pct"] == pytest.approx(100 * 0.6 / 11.0, abs=0.1)
    assert flagged.loc[2027.5, "status"] == "below"
    assert flagged.loc[2027.5, "outside_by"] == pytest.approx(9.5 - 10.1, abs=0.01)
    inside = table[table["status"] == "inside"]
    assert (inside["outside_by"] == 0).all() and len(inside) == 3
    summary = result.summary().set_index("node")
    assert summary.loc["y", "outside"] == 2 and summary.loc["y", "latest_status"] == "below"
    assert summary.loc["a", "outside"] == 0


def test_a_measurement_tolerance_flags_only_what_lies_further_beyond_the_band():
    prep = _prepare()
    obs = _observed(prep, [("y", 2020.0, 10.3), ("y", 2026.0, 12.5), ("y", 2027.5, 9.5)])
    strict = monitor(prep, obs, samples=2000, seed=1)
    assert list(strict.flagged["time"]) == [2020.0, 2026.0, 2027.5]  # at the start the band is one value
    tolerant = monitor(prep, obs, samples=2000, seed=1, tolerance=0.05)
    # 10.3 is 3 % above the start level 10; 12.5 is 0.6 (5.5 % of 11) above the band; 9.5 is 0.6 below it
    assert list(tolerant.flagged["time"]) == [2026.0, 2027.5]
    assert tolerant.flagged["outside_by"].iloc[0] == pytest.approx(12.5 - 11.9, abs=0.01)  # still from the band
    assert tolerant.tolerance == 0.05
    assert monitor(prep, obs, samples=2000, seed=1, tolerance=0.06).flagged.empty  # both 0.6 from a median of ~11
    with pytest.raises(InputError, match="tolerance"):
        monitor(prep, obs, samples=200, tolerance=1.5)


def test_without_uncertainty_the_band_is_the_deterministic_run():
    prep = _prepare(weight=1.5)
    band = expected_band(prep, ["y"], samples=50)
    assert band.samples == 1
    assert band.low[-1, 0] == band.high[-1, 0] == pytest.approx(11.5)


@pytest.mark.parametrize("kwargs, message", [({"level": 1.2}, "between 0 and 1"), ({"samples": 1}, "at least 100")])
def test_bad_band_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        expected_band(_prepare(), ["y"], **({"samples": 100} | kwargs))


def test_cli_monitor(tmp_path):
    import json

    import yaml
    from typer.testing import CliRunner

    from simulator.cli.main import app

    data = {
        "name": "m",
        "title": "m",
        "time": TIME,
        "nodes": [_node("a", 5.0), _node("y")],
        "links": [{"from": "a", "to": "y", "weight": {"dist": "uniform", "low": 0.0, "high": 2.0}}],
    }
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (tmp_path / "plan.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "plan",
                "model": "m.yaml",
                "interventions": [{"node": "a", "shape": "step", "height": 1.0, "start": 2022.0}],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "obs.csv").write_text("node,time,value\ny,2025,11\ny,2026,12.5\n", encoding="utf-8")
    runner = CliRunner()
    args = ["monitor", str(tmp_path / "plan.yaml"), str(tmp_path / "obs.csv"), "--samples", "500", "--lang", "en"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ABOVE by 0.6" in result.output and "1 of 2 observation(s) outside the band" in result.output
    assert runner.invoke(app, args + ["--strict"]).exit_code == 1
    tolerant = runner.invoke(app, args + ["--tolerance", "6", "--strict"])  # 0.6 above 11.9 is 5.5 % of 11
    assert tolerant.exit_code == 0 and "measurement tolerance 6 %" in tolerant.output
    assert "0 of 2 observation(s)" in tolerant.output
    refused = runner.invoke(app, args + ["--tolerance", "-1"])
    assert refused.exit_code == 2 and "--tolerance" in refused.output
    report = json.loads(runner.invoke(app, args + ["--json"]).output)
    assert report["outside"] == 1 and report["observations"][1]["status"] == "above"
    (tmp_path / "obs.csv").write_text("node,time,value\ny,2035,11\n", encoding="utf-8")
    bad = runner.invoke(app, args)
    assert bad.exit_code == 2 and "outside the horizon" in bad.output
    dutch = runner.invoke(app, args[:-2])  # the default: Dutch words and numbers
    assert "ligt buiten de horizon" in dutch.output and dutch.exit_code == 2
    (tmp_path / "obs.csv").write_text("node,time,value\ny,2025,11\ny,2026,12.5\n", encoding="utf-8")
    dutch = runner.invoke(app, args[:-2])
    assert "ERBOVEN met 0,6" in dutch.output and "1 van 2 waarneming(en) buiten de band" in dutch.output


def test_band_matches_the_ensemble_of_bwsim_run():
    """Same seed, same members: the 90 % band is the ensemble's p05..p95 of the level."""
    from simulator.ensemble import ensemble_summary

    prep = _prepare()
    band = expected_band(prep, ["y"], samples=400, seed=3, level=0.9)
    summary = ensemble_summary(prep, samples=400, seed=3)
    p05, p50, p95 = summary.band("y")
    base = prep.compiled.baselines[:, prep.compiled.index("y")]
    assert summary.exact
    np.testing.assert_allclose(band.low[:, 0], base + p05, rtol=0, atol=1e-12)
    np.testing.assert_allclose(band.median[:, 0], base + p50, rtol=0, atol=1e-12)
    np.testing.assert_allclose(band.high[:, 0], base + p95, rtol=0, atol=1e-12)


def test_monitor_figure_marks_points_outside_red():
    from simulator.app.sensitivity_charts import FLAG_COLOUR, monitor_figure

    prep = _prepare()
    obs = _observed(prep, [("y", 2025.0, 11.0), ("y", 2026.0, 12.5)])
    result = monitor(prep, obs, samples=500)
    band = result.band.to_frame()
    fig = monitor_figure(band[band["node"] == "y"], result.table[result.table["node"] == "y"])
    names = [t.name for t in fig.data]
    assert names == ["expected band", "median", "observed, inside", "observed, outside"]
    outside = fig.data[3]
    assert list(outside.x) == [2026.0] and outside.marker.color == FLAG_COLOUR
