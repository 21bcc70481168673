"""The back-test of 2004-2024 (issue 17 item 9): it runs, and the fit docs/heerlen-model.md reports is what the
code computes. Not a test that the fit is good."""

from __future__ import annotations

import csv
import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from simulator.scenario_run import run_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "examples" / "backtest-2004-2024.yaml"
SNAPSHOT = ROOT / "data" / "parkstad-observed.csv"
DOC = ROOT / "docs" / "heerlen-model.md"


def _backtest():
    spec = importlib.util.spec_from_file_location("backtest", ROOT / "scripts" / "backtest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def module():
    return _backtest()


@pytest.fixture(scope="module")
def fits(module):
    return {fit.node: fit for fit in module.fits()}


def _at(result, node: str, year: float) -> float:
    return float(result.value[int(np.argmin(np.abs(result.times - year))), result.node_ids.index(node)])


def test_the_backtest_runs_the_sectors_history_against_a_sector_that_stayed_at_1000():
    result = run_scenario(SCENARIO)
    assert result.times[0] == 2004 and result.times[-1] == 2025
    jobs = result.node_ids.index("medtech_jobs")
    assert np.all(result.baseline[:, jobs] == 1000)  # the counterfactual
    assert [_at(result, "medtech_jobs", y) for y in (2004, 2014, 2024, 2025)] == [1000, 3500, 6000, 6000]
    assert result.series("unemployment_rate")[0] == 0  # nothing has happened yet at the start
    assert result.series("unemployment_rate")[-1] < 0 and result.series("population")[-1] > 0


def _snapshot(node: str, place: str) -> dict[int, float]:
    with SNAPSHOT.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {int(r["time"]): float(r["value"]) for r in rows if r["node"] == node and r["place"] == place}


def test_the_fit_numbers_are_the_changes_of_the_run_and_of_the_snapshot(fits):
    """Recomputed here from the run and the CSV, without the script's own reading."""
    result = run_scenario(SCENARIO)
    for node in ("unemployment_rate", "employment_rate"):
        observed = {y: v for y, v in _snapshot(node, "Limburg (PV)").items() if 2004 <= y <= 2025}
        first, last = min(observed), max(observed)
        fit = fits[node]
        assert fit.years == tuple(sorted(observed)) and (first, last) == (2004, 2021)
        assert fit.observed_change == pytest.approx(observed[last] - observed[first], abs=1e-12)
        assert fit.model_change == pytest.approx(_at(result, node, last) - _at(result, node, first), abs=1e-12)
        model = {y: _at(result, node, y) - _at(result, node, first) for y in observed}
        errors = [model[y] - (observed[y] - observed[first]) for y in sorted(observed)]
        assert fit.rmse == pytest.approx(math.sqrt(sum(e * e for e in errors) / len(errors)), rel=1e-12)
    heerlen = _snapshot("population", "Heerlen")
    fit = fits["population"]
    assert fit.years == (2016, 2017, 2018, 2019, 2020, 2025)
    assert fit.observed_change == pytest.approx(100 * (heerlen[2025] / heerlen[2016] - 1), rel=1e-12)
    model = 100 * (_at(result, "population", 2025) / _at(result, "population", 2016) - 1)
    assert fit.model_change == pytest.approx(model, rel=1e-12)
    assert fit.share == pytest.approx(fit.model_change / fit.observed_change, rel=1e-12)


def test_docs_show_the_table_the_script_prints(module, fits, capsys):
    assert module.main(["backtest.py"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == module.table(list(fits.values()))
    assert printed in DOC.read_text(encoding="utf-8"), "re-run python scripts/backtest.py and paste its table"
