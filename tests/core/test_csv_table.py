"""results.csv and ensemble.csv are written as pandas' ``to_csv(index=False, float_format="%.17g")`` writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simulator.io.csv_table import write_csv

ROOT = Path(__file__).resolve().parents[2]


def _pandas(frame: pd.DataFrame, path) -> bytes:
    frame.to_csv(path, index=False, float_format="%.17g")
    return path.read_bytes()


def test_the_same_bytes_as_pandas_for_awkward_values_and_names(tmp_path):
    rng = np.random.default_rng(4)
    n = 5000
    values = rng.normal(size=n) * 10.0 ** rng.integers(-30, 30, size=n)
    values[:12] = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.1, 1e-300, 5e-324, 2025.0, 2025.25, 1e22, -1e16]
    frame = pd.DataFrame(
        {
            "scenario": pd.array(['with "quotes"', "a,b", "line\nbreak", "plain", "é"] * (n // 5), dtype="string"),
            "node": [f"n{i % 37}[gm{i % 7:04d}]" for i in range(n)],
            "time": np.repeat(np.arange(n // 50) * 0.25 + 2025, 50),
            "value": values,
            "repeated": np.tile([0.0, np.nan, 1 / 3, -2.5], n // 4),
            "count": np.arange(n),
        }
    )
    write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == _pandas(frame, tmp_path / "pandas.csv")


def test_the_same_bytes_as_pandas_for_a_run(tmp_path):
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario, run_deterministic

    loaded = load_scenario(ROOT / "scenarios" / "medtech-growth.yaml")
    frame = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec, loaded.path)).to_frame()
    write_csv(frame, tmp_path / "ours.csv")
    assert (tmp_path / "ours.csv").read_bytes() == _pandas(frame, tmp_path / "pandas.csv")
