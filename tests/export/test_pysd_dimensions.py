"""A model with dimensions (places and groups) exported agrees with PySD to 1e-9.

The export writes Vensim subscripts and XMILE arrays (``jobs_delta[heerlen]`` of the family
``jobs_delta[gemeente]``), or with ``flat`` the expanded model with names both take
(``jobs__heerlen_delta``).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest

from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_subscripts import delta_columns
from simulator.io.export_xmile import write_xmile
from simulator.io.spec_files import load_scenario
from simulator.scenario_run import prepare_scenario, run_deterministic

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-9
WRITERS = {"mdl": (write_mdl, pysd.read_vensim, ".mdl"), "xmile": (write_xmile, pysd.read_xmile, ".xmile")}


def _prepared(scenario: str):
    loaded = load_scenario(ROOT / "examples" / "places" / scenario)
    return prepare_scenario(loaded.spec, loaded.model.spec)


def _worst(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(ours), 1.0)))


@pytest.mark.parametrize("flat", [False, True], ids=["subscripted", "flat"])
@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize("scenario", ["jobs-in-heerlen.yaml", "regional-jobs.yaml"])
def test_the_places_example_agrees_with_pysd(fmt, scenario, flat, tmp_path):
    prepared = _prepared(scenario)
    equations = build_equations(prepared, flat=flat)
    names = {eq.name for eq in equations.equations}
    if flat:
        assert "jobs__heerlen_delta" in names and not equations.dimensions
    else:
        assert "jobs_delta" in names and equations.dimensions == {"gemeente": ("heerlen", "kerkrade")}
    assert not any("[" in n or "," in n for n in names)
    writer, reader, suffix = WRITERS[fmt]
    path = tmp_path / f"model{suffix}"
    path.write_text(writer(equations), encoding="utf-8")
    columns = delta_columns(equations, list(prepared.compiled.node_ids))
    with warnings.catch_warnings():  # PySD's own deprecation and casting chatter
        warnings.simplefilter("ignore")
        frame = reader(str(path)).run(return_columns=sorted({c.split("[")[0] for c in columns}))
    theirs = frame[columns].to_numpy(dtype=float)
    ours = run_deterministic(prepared).delta
    assert _worst(ours, theirs) < TOLERANCE, f"largest relative difference {_worst(ours, theirs):.3g}"
    assert np.abs(ours[:, prepared.compiled.node_ids.index("unemployment_rate[kerkrade]")]).max() > 0


def test_vensim_subscripts_are_written_per_family():
    text = write_mdl(build_equations(_prepared("jobs-in-heerlen.yaml")))
    assert "gemeente: heerlen, kerkrade\n" in text  # the subscript range
    assert re.search(r"^jobs\[gemeente\] = \(jobs_baseline\[gemeente\] \+ jobs_delta\[gemeente\]\)$", text, re.M)
    assert "jobs_baseline[heerlen] = 52000.0" in text and "jobs_baseline[kerkrade] = 16000.0" in text  # values differ
    assert "SUM(jobs_to_jobs_parkstad_effect[gemeente!])" in text  # an aggregation
    # a matrix: one family per source element (its row), over the target's gemeente
    assert "jobs_kerkrade_to_employed_residents_weight[heerlen] = 0.15" in text
    assert re.search(
        r"^employed_residents_delta\[gemeente\] = \(employed_residents_input\[gemeente\] \+ "
        r"jobs_heerlen_to_employed_residents_effect\[gemeente\] \+ "
        r"jobs_kerkrade_to_employed_residents_effect\[gemeente\]\)$",
        text,
        re.M,
    )
    # an intervention on one element: its constants are plain, its input is per element
    assert "jobs_heerlen_input_0_height = 1000.0" in text and "jobs_input[kerkrade] = 0.0" in text


def test_xmile_arrays_declare_their_dimension_and_elements():
    text = write_xmile(build_equations(_prepared("jobs-in-heerlen.yaml")))
    assert '<dimensions><dim name="gemeente"><elem name="heerlen"/><elem name="kerkrade"/></dim></dimensions>' in text
    assert re.search(r'<aux name="jobs"><doc>[^<]*</doc><dimensions><dim name="gemeente"/></dimensions><eqn>', text)
    assert '<element subscript="heerlen"><eqn>52000.0</eqn></element>' in text


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize("scenario", ["jobs-in-heerlen.yaml", "regional-jobs.yaml"])
def test_simlin_runs_the_subscripts_and_arrays(scenario, fmt, tmp_path):
    simlin = pytest.importorskip("simlin")
    prepared = _prepared(scenario)
    equations = build_equations(prepared)
    path = tmp_path / f"model.{fmt}"
    path.write_text(WRITERS[fmt][0](equations), encoding="utf-8")
    frame = simlin.load(path).run(analyze_loops=False).results
    theirs = frame[delta_columns(equations, list(prepared.compiled.node_ids))].to_numpy(dtype=float)
    assert _worst(run_deterministic(prepared).delta, theirs) < TOLERANCE
