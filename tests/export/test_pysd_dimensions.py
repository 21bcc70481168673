"""A model with dimensions (places and groups), exported expanded, agrees with PySD to 1e-9.

The export writes the expanded model with names Vensim and XMILE take
(``jobs__heerlen`` for ``jobs[heerlen]``); subscripted export is later work.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest

from simulator.io.export_equations import build_equations, export_name
from simulator.io.export_mdl import write_mdl
from simulator.io.export_xmile import write_xmile
from simulator.io.spec_files import load_scenario
from simulator.scenario_run import prepare_scenario, run_deterministic

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-9


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize("scenario", ["jobs-in-heerlen.yaml", "regional-jobs.yaml"])
def test_the_places_example_agrees_with_pysd(fmt, scenario, tmp_path):
    loaded = load_scenario(ROOT / "examples" / "places" / scenario)
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    equations = build_equations(prepared)
    names = {eq.name for eq in equations.equations}
    assert "jobs__heerlen_delta" in names and not any("[" in n or "," in n for n in names)
    writer, reader, suffix = {"mdl": (write_mdl, pysd.read_vensim, ".mdl"),
                              "xmile": (write_xmile, pysd.read_xmile, ".xmile")}[fmt]
    path = tmp_path / f"model{suffix}"
    path.write_text(writer(equations), encoding="utf-8")
    columns = [export_name(f"{node}_delta") for node in prepared.compiled.node_ids]
    with warnings.catch_warnings():  # PySD's own deprecation and casting chatter
        warnings.simplefilter("ignore")
        frame = reader(str(path)).run(return_columns=columns)
    theirs = frame[columns].to_numpy(dtype=float)
    ours = run_deterministic(prepared).delta
    worst = np.max(np.abs(ours - theirs) / np.maximum(np.abs(ours), 1.0))
    assert worst < TOLERANCE, f"largest relative difference {worst:.3g}"
    assert np.abs(ours[:, prepared.compiled.node_ids.index("unemployment_rate[kerkrade]")]).max() > 0
