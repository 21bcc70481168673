"""``bwsim crosscheck``: the export run in PySD and Simlin agrees with bwsim to 1e-9; what the export holds.

Simlin (pysimlin) is in the test extra, so these run it for real. The cases of
``test_pysd_agreement.py`` that broke Simlin and SDEverywhere before delays were written as
stocks (a DELAY1 inside an expression, a loop of lags solved at ``t_0``) run in Simlin here too.
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest
import simlin
import yaml
from typer.testing import CliRunner

import simulator.io.crosscheck as crosscheck_module
from simulator.cli.main import app
from simulator.io.crosscheck import TOLERANCE, crosscheck, engine_deltas, engine_problems
from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import render_mdl, write_mdl
from simulator.io.export_xmile import write_xmile
from simulator.io.spec_files import load_model_text, load_scenario
from simulator.network_layout import diagram_positions
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec
from simulator.units import export_units, parse_unit
from tests.export.test_pysd_agreement import (
    DELAYS,
    SHAPES,
    capacity_model,
    every_shape_model,
    prepared_case,
    two_node_model,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [
    *sorted((ROOT / "scenarios").glob("*.yaml")),
    ROOT / "scenarios" / "examples" / "expert-scores-growth.yaml",
    ROOT / "examples" / "labour-capacity" / "scenario.yaml",
]


def prepared_file(path: Path):
    loaded = load_scenario(path)
    return prepare_scenario(loaded.spec, loaded.model.spec)


@pytest.mark.parametrize("scenario", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_scenario_agrees_in_pysd_and_simlin(scenario, tmp_path):
    prepared = prepared_file(scenario)
    assert np.abs(run_deterministic(prepared).delta).max() > 0, "the scenario must move something"
    runs = crosscheck(prepared, ["pysd", "simlin"], tmp_path)
    assert [run.label for run in runs] == ["pysd (mdl)", "pysd (xmile)", "simlin (mdl)", "simlin (xmile)"]
    for run in runs:
        assert not run.error and set(run.differences) == set(prepared.compiled.node_ids)
        assert run.worst < TOLERANCE, f"{run.label}: {run.worst:.3g} at {run.worst_node}"


def assert_simlin_agrees(prepared, folder: Path) -> None:
    ours = run_deterministic(prepared).delta
    assert np.abs(ours).max() > 0
    for fmt in ("mdl", "xmile"):
        theirs = engine_deltas(prepared, "simlin", fmt, folder)
        worst = np.max(np.abs(ours - theirs) / np.maximum(np.abs(ours), 1.0))
        assert worst < TOLERANCE, f"simlin ({fmt}): {worst:.3g}"


@pytest.mark.parametrize(("delay", "form"), list(itertools.product(DELAYS, ["linear", "elasticity"])))
def test_simlin_every_delay_and_form(delay, form, tmp_path):
    assert_simlin_agrees(
        prepared_case(two_node_model(delay, form, DELAYS[delay], stock=True), SHAPES["step"]), tmp_path
    )


@pytest.mark.parametrize("shape", list(SHAPES))
def test_simlin_every_intervention_shape(shape, tmp_path):
    assert_simlin_agrees(prepared_case(two_node_model("fixed", "linear", 1.0), SHAPES[shape]), tmp_path)


def test_simlin_a_loop_of_lags_solved_at_the_start(tmp_path):
    """The case that broke Simlin with DELAY1 built-ins: a loop closed by exponential lags."""
    data = yaml.safe_load(two_node_model("exponential", "linear", 1.0))
    data["links"].append({"from": "sink", "to": "source", "weight": 0.3, "lag": 0.5, "delay": "exponential"})
    prepared = prepared_case(yaml.safe_dump(data), {"shape": "step", "height": 1.0, "start": 2020})
    assert prepared.compiled.initial_levels is None
    assert_simlin_agrees(prepared, tmp_path)


@pytest.mark.parametrize("loop", [False, True], ids=["no_loop", "t0_loop"])
def test_simlin_every_link_shape_and_bounds(loop, tmp_path):
    model = load_model_text(every_shape_model(loop), "case.yaml").spec
    scenario = ScenarioSpec.model_validate(
        {
            "name": "case",
            "model": "case.yaml",
            "time": {"start": 2020, "end": 2028, "dt": 0.25},
            "interventions": [{"node": "source", "shape": "ramp", "slope": 0.8, "start": 2020.5, "end": 2023}],
        }
    )
    assert_simlin_agrees(prepare_scenario(scenario, model), tmp_path)
    text = two_node_model("third_order", "linear", 1.5, bounds=True, stock=True)
    assert_simlin_agrees(prepared_case(text, SHAPES["ramp"]), tmp_path)


def test_simlin_capacity_nodes(tmp_path):
    model = load_model_text(capacity_model(), "capacity.yaml").spec
    scenario = ScenarioSpec.model_validate(
        {
            "name": "capacity",
            "model": "capacity.yaml",
            "time": {"start": 2020, "end": 2028, "dt": 0.25},
            "interventions": [
                {"node": "source", "shape": "ramp", "slope": 2.0, "start": 2020.5, "end": 2026},
                {"node": "workers", "shape": "step", "height": 3.0, "start": 2023},
            ],
        }
    )
    assert_simlin_agrees(prepare_scenario(scenario, model), tmp_path)


@pytest.mark.parametrize("writer", [write_mdl, write_xmile], ids=["mdl", "xmile"])
def test_no_delay_builtins_and_no_free_standing_tables(writer):
    text = writer(build_equations(prepared_case(every_shape_model(True), SHAPES["series"])))
    assert not re.search(r"\bDELAY|SMOOTH", text)
    assert "<gf name=" not in text  # a graphical function lives in its variable
    assert "_shape_at_baseline" in text and "source_input_0_table" in text


def test_weights_lags_and_interventions_are_named_constants_that_the_model_uses(tmp_path):
    prepared = prepared_file(ROOT / "scenarios" / "medtech-growth.yaml")
    text = write_mdl(build_equations(prepared))
    for j, link in enumerate(prepared.model.links):
        name = f"{link.source}_to_{link.target}"
        weight, lag = (
            re.escape(render_mdl(("num", float(x[j])))) for x in (prepared.compiled.weight, prepared.compiled.lag)
        )
        if "[" in link.target:  # the groups' element links: a subscripted constant, or one of the element's own
            family, element = link.target.rstrip("]").split("[")
            name = f"{link.source}_to_{family}"
            assert re.search(rf"^{name}_weight\[(?:{element}|\w+)\] = {weight}$", text, re.M) or re.search(
                rf"^{name}_{element}_weight = {weight}$", text, re.M
            ), link.key
            continue
        assert re.search(rf"^{name}_weight = {weight}$", text, re.M)
        if link.delay in ("exponential", "third_order"):
            assert re.search(rf"^{name}_lag = {lag}$", text, re.M)
    for i, item in enumerate(prepared.interventions):
        if item.shape == "step":
            assert re.search(rf"^{item.node}_input_{i}_height = ", text, re.M)
    # the constants are what the equations read: a weight set to 0 in PySD silences its link
    path = tmp_path / "m.mdl"
    path.write_text(text, encoding="utf-8")
    link = next(lk for lk in prepared.model.links if lk.source == "medtech_jobs" and lk.target == "jobs_total")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pysd.read_vensim(str(path))
        before = model.run(return_columns=["jobs_total_delta"])["jobs_total_delta"].to_numpy()
        model = pysd.read_vensim(str(path))
        after = model.run(params={f"{link.source}_to_{link.target}_weight": 0.0}, return_columns=["jobs_total_delta"])[
            "jobs_total_delta"
        ].to_numpy()
    assert np.abs(before).max() > 0 and not np.allclose(before, after)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_units_parse_in_pint_and_simlin(fmt, tmp_path):
    prepared = prepared_file(ROOT / "scenarios" / "medtech-growth-housing.yaml")
    equations = build_equations(prepared)
    written = {eq.name: export_units(eq.units, fmt) for eq in equations.equations if eq.units}
    assert len(written) > 100
    for eq in equations.equations:  # each unit is a unit expression pint reads
        if eq.units:
            parse_unit(eq.units)
    assert written["population"] == "person"
    if fmt == "mdl":  # Simlin's .mdl reader has no ^
        assert written["no2_concentration"] == "microgram/(meter*meter*meter)"
    path = tmp_path / f"m.{fmt}"
    path.write_text((write_mdl if fmt == "mdl" else write_xmile)(equations), encoding="utf-8")
    errors = simlin.load(path).project.get_errors()
    assert not errors, [e.message.splitlines()[-1] for e in errors][:5]  # no unit it cannot read, none inconsistent


def test_simlin_notices_a_unit_it_cannot_read(tmp_path):
    """The check above can fail: free text as a unit is an error in Simlin."""
    prepared = prepared_file(ROOT / "scenarios" / "medtech-growth.yaml")
    text = write_xmile(build_equations(prepared)).replace(
        "<units>person</units>", "<units>persons (per 1000 inhabitants)</units>", 1
    )
    path = tmp_path / "m.xmile"
    path.write_text(text, encoding="utf-8")
    assert simlin.load(path).project.get_errors()


def test_the_diagram_places_every_node_where_the_network_view_does():
    prepared = prepared_file(ROOT / "scenarios" / "medtech-growth.yaml")
    positions = diagram_positions(prepared.model)
    assert set(positions) == {n.id for n in prepared.model.nodes}
    assert len(set(positions.values())) == len(positions)  # no two nodes on one spot
    xmile = write_xmile(build_equations(prepared))
    x, y = positions["population"]
    assert f'<aux name="population" x="{x:g}" y="{y:g}"/>' in xmile
    mdl = write_mdl(build_equations(prepared))
    assert re.search(rf"^10,\d+,population,{round(x)},{round(y)},", mdl, re.M)


def run_cli(*args: str):
    return CliRunner().invoke(app, ["crosscheck", *args])


def test_cli_agrees_and_prints_a_table_per_node():
    result = run_cli(str(ROOT / "scenarios" / "medtech-growth.yaml"), "--engine", "simlin", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "simlin (mdl)" in result.output and "simlin (xmile): agrees" in result.output
    assert re.search(r"^  population +< 1e-12 +< 1e-12$", result.output, re.M)


@pytest.mark.parametrize(
    ("engines", "reason"),
    [("pysd,vensim", "unknown engine 'vensim'"), ("sdeverywhere", "SDEverywhere is not wired into bwsim crosscheck")],
)
def test_cli_unknown_or_missing_engine_exits_2(engines, reason):
    result = run_cli(str(ROOT / "scenarios" / "medtech-growth.yaml"), "--engine", engines, "--lang", "en")
    assert result.exit_code == 2 and reason in result.output and "Traceback" not in result.output
    assert [p.place for p in engine_problems(engines.split(","))] == ["--engine"]


def test_an_engine_that_is_not_installed_is_named_with_its_package(monkeypatch):
    monkeypatch.setattr(crosscheck_module.importlib.util, "find_spec", lambda name: None)
    problems = engine_problems(["simlin"])
    assert "pip install pysimlin" in problems[0].message


def test_cli_exits_1_when_an_engine_disagrees(monkeypatch):
    real = crosscheck_module.engine_deltas

    def off_a_little(prepared, engine, fmt, folder):
        return real(prepared, engine, fmt, folder) + (1e-6 if fmt == "xmile" else 0.0)

    monkeypatch.setattr(crosscheck_module, "engine_deltas", off_a_little)
    result = run_cli(str(ROOT / "scenarios" / "medtech-growth.yaml"), "--engine", "simlin", "--lang", "en")
    assert result.exit_code == 1, result.output
    assert "simlin (xmile): DISAGREES (largest difference 1.0e-06" in result.output
    assert "simlin (mdl): agrees" in result.output
