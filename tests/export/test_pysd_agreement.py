"""The exported model, run in PySD (which follows Vensim), matches the engine to 1e-9.

Every delay type, intervention shape and link form is exercised, in both export
formats, plus the shipped Heerlen scenarios.
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest
import yaml

from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_subscripts import delta_columns
from simulator.io.export_xmile import write_xmile
from simulator.io.spec_files import load_model_text, load_scenario
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-9


def pysd_deltas(prepared, fmt: str, folder: Path) -> np.ndarray:
    """Run the export of ``prepared`` in PySD; deltas of shape (K + 1, N)."""
    writer, reader, suffix = {
        "mdl": (write_mdl, pysd.read_vensim, ".mdl"),
        "xmile": (write_xmile, pysd.read_xmile, ".xmile"),
    }[fmt]
    path = folder / f"model{suffix}"
    equations = build_equations(prepared)
    path.write_text(writer(equations), encoding="utf-8")
    columns = delta_columns(equations, list(prepared.compiled.node_ids))  # an element of a group: PySD's name
    with warnings.catch_warnings():  # PySD's own deprecation and casting chatter
        warnings.simplefilter("ignore")
        frame = reader(str(path)).run(return_columns=columns)
    np.testing.assert_allclose(frame.index.to_numpy(dtype=float), prepared.compiled.times, rtol=0, atol=1e-9)
    return frame[columns].to_numpy(dtype=float)


def assert_agrees(prepared, fmt: str, folder: Path) -> None:
    ours = run_deterministic(prepared).delta
    theirs = pysd_deltas(prepared, fmt, folder)
    scale = np.maximum(np.abs(ours), 1.0)
    worst = np.max(np.abs(ours - theirs) / scale)
    assert worst < TOLERANCE, f"largest relative difference {worst:.3g}"
    assert np.abs(ours).max() > 0, "the case must move something"


def two_node_model(delay: str, form: str, lag: float, bounds: bool = False, stock: bool = False) -> str:
    """source -> target (one link of the given kind), target -> sink (instant), sink is a stock or not."""
    target = {
        "id": "target",
        "label": "T",
        "theme": "samenleving",
        "dimension": "later",
        "baseline": {"value": 40.0, "growth": 0.01},
    }
    if bounds:  # the baseline grows from 40 to 43.31 by 2028: inside, so only the deviation meets max
        target |= {"min": 39.5, "max": 43.5}
    sink = {"id": "sink", "label": "S", "theme": "samenleving", "dimension": "elders", "baseline": 7.0}
    if stock:
        sink |= {"kind": "stock", "decay": 0.2}
    model = {
        "name": "case",
        "title": "case",
        "time": {"start": 2020, "end": 2028, "dt": 0.25},  # as prepared_case runs
        "nodes": [
            {
                "id": "source",
                "label": "S",
                "theme": "samenleving",
                "dimension": "hier_en_nu",
                "baseline": {"series": {2020: 10.0, 2024: 12.0}},
            },
            target,
            sink,
        ],
        "links": [
            {"from": "source", "to": "target", "weight": 0.7, "form": form, "lag": lag, "delay": delay},
            {"from": "target", "to": "sink", "weight": -0.5},
        ],
    }
    return yaml.safe_dump(model, sort_keys=False)


SHAPES = {
    "step": {"shape": "step", "height": 2.0, "start": 2021},
    "pulse": {"shape": "pulse", "height": 3.0, "start": 2021.5, "width": 1.25},
    "ramp": {"shape": "ramp", "slope": 0.8, "start": 2020.5, "end": 2023},
    "series": {"shape": "series", "values": {2021: 0.0, 2022: 4.0, 2025: -1.0}},
    "relative_step": {"shape": "step", "height": 0.05, "start": 2021, "relative": True},
}
DELAYS = {"none": 0.0, "fixed": 0.75, "exponential": 1.5, "third_order": 1.5}


def prepared_case(model_text: str, shape: dict, dt: float = 0.25):
    model = load_model_text(model_text, "case.yaml").spec
    scenario = ScenarioSpec.model_validate(
        {
            "name": "case",
            "model": "case.yaml",
            "time": {"start": 2020, "end": 2028, "dt": dt},
            "interventions": [{"node": "source", **shape}],
        }
    )
    return prepare_scenario(scenario, model)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize(("delay", "form"), list(itertools.product(DELAYS, ["linear", "elasticity"])))
def test_every_delay_and_form(delay, form, fmt, tmp_path):
    prepared = prepared_case(two_node_model(delay, form, DELAYS[delay], stock=True), SHAPES["step"])
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_intervention_shape(shape, fmt, tmp_path):
    prepared = prepared_case(two_node_model("exponential", "linear", 1.0), SHAPES[shape])
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_bounds_on_auxiliary_and_stock(fmt, tmp_path):
    text = two_node_model("third_order", "linear", 1.5, bounds=True, stock=True)
    data = yaml.safe_load(text)
    data["nodes"][2] |= {"min": 6.98}
    prepared = prepared_case(yaml.safe_dump(data), SHAPES["ramp"])
    result = run_deterministic(prepared)
    value = result.value
    assert 39.5 <= result.baseline[:, 1].min() and result.baseline[:, 1].max() < 43.5  # baselines inside
    assert result.baseline[:, 2].min() > 6.98
    assert np.sum(value[:, 1] == 43.5) > 4  # the auxiliary's bound binds, for more than a step
    assert value[:, 1].max() == 43.5
    assert value[:, 2].min() == pytest.approx(6.98)  # and so does the stock's
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_cyclic_lags_get_explicit_initial_values(fmt, tmp_path):
    """A loop of lagged links: no engine can order the smoothers' initialisation, so the export gives it."""
    data = yaml.safe_load(two_node_model("exponential", "linear", 1.0))
    data["links"].append({"from": "sink", "to": "source", "weight": 0.3, "lag": 0.5, "delay": "exponential"})
    prepared = prepared_case(yaml.safe_dump(data), {"shape": "step", "height": 1.0, "start": 2020})
    assert prepared.compiled.initial_levels is None
    text = write_mdl(build_equations(prepared))
    assert "DELAY" not in text  # delays are explicit stocks, started at the numbers bwsim computes at t_0
    assert re.search(r"sink_to_source_lagged = INTEG\(.*, \(?-?[0-9.e-]+\)?\)", text)
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize(
    "scenario",
    sorted((ROOT / "scenarios").glob("*.yaml"))
    + [ROOT / "scenarios" / "examples" / "expert-scores-growth.yaml"],  # expert-scored links
    ids=lambda p: p.stem,
)
def test_shipped_scenarios(scenario, fmt, tmp_path):
    loaded = load_scenario(scenario)
    assert_agrees(prepare_scenario(loaded.spec, loaded.model.spec), fmt, tmp_path)


def capacity_model() -> str:
    """Capacity nodes of both kinds: a minimum of three inputs (zero, fixed and exponential lags) that
    switches input mid-run, a bounded maximum of two (third-order lag) that reads it, and an
    elasticity and a stock downstream."""

    def node(node_id: str, baseline=None, **extra):
        data = {"id": node_id, "label": node_id, "theme": "samenleving", "dimension": "hier_en_nu", **extra}
        return data if baseline is None else data | {"baseline": baseline}

    model = {
        "name": "capacity",
        "title": "capacity",
        "time": {"start": 2020, "end": 2028, "dt": 0.25},
        "nodes": [
            node("source", {"series": {2020: 10.0, 2024: 12.0}}),
            node("workers", 14.0),
            node("space", {"value": 13.0, "growth": 0.01}),
            node("filled", kind="minimum"),
            node("floor", 11.0),
            node("used", kind="maximum", max=13.5),
            node("income", 30.0),
            node("stocked", 5.0, kind="stock", decay=0.1),
        ],
        "links": [
            {"from": "source", "to": "filled", "weight": 1.0},
            {"from": "workers", "to": "filled", "weight": 1.0, "lag": 0.75, "delay": "fixed"},
            {"from": "space", "to": "filled", "weight": 1.0, "lag": 1.0, "delay": "exponential"},
            {"from": "filled", "to": "used", "weight": 1.0, "lag": 1.5, "delay": "third_order"},
            {"from": "floor", "to": "used", "weight": 1.2},
            {"from": "filled", "to": "income", "weight": 0.4, "form": "elasticity"},
            {"from": "used", "to": "stocked", "weight": 0.5},
        ],
    }
    return yaml.safe_dump(model, sort_keys=False)


def every_shape_model(loop: bool = False) -> str:
    """source -> one target per link shape (each with another delay type), the saturation into a stock.

    The source's baseline rises from 10 to 12 and the ramp adds up to 2, so its value crosses both
    thresholds and leaves the lookup's table on both sides (flat extrapolation). With ``loop``, two
    auxiliaries form a loop of exponential lags (solved at ``t_0``) that feeds a shaped link.
    """

    def node(node_id: str, baseline, **extra) -> dict:
        return {
            "id": node_id,
            "label": node_id,
            "theme": "samenleving",
            "dimension": "hier_en_nu",
            "baseline": baseline,
            **extra,
        }

    nodes = [
        node("source", {"series": {2020: 10.0, 2024: 12.0}}),
        node("saturated", 4.0),
        node("looked_up", 2.0),
        node("above", 1.0),
        node("below", 3.0),
        node("sink", 7.0, kind="stock", decay=0.2),
    ]
    links = [
        {
            "from": "source",
            "to": "saturated",
            "weight": 0.7,
            "lag": 1.0,
            "delay": "exponential",
            "shape": {"kind": "saturation", "max": 1.5},
        },
        {
            "from": "source",
            "to": "looked_up",
            "lag": 0.75,
            "delay": "fixed",
            "shape": {"kind": "lookup", "points": [[10.5, 0.0], [12.0, 2.0], [13.0, 2.5]]},
        },
        {
            "from": "source",
            "to": "above",
            "weight": 2.0,
            "lag": 1.5,
            "delay": "third_order",
            "shape": {"kind": "threshold", "level": 11.5},
        },
        {
            "from": "source",
            "to": "below",
            "weight": -1.0,
            "shape": {"kind": "threshold", "level": 11.0, "side": "below"},
        },
        {"from": "saturated", "to": "sink", "weight": -0.5, "shape": {"kind": "saturation", "max": -0.4}},
    ]
    if loop:
        nodes += [node("ring_a", 5.0), node("ring_b", 6.0)]
        links += [
            {"from": "source", "to": "ring_a", "weight": 0.5},
            {"from": "ring_a", "to": "ring_b", "weight": 0.6, "lag": 0.5, "delay": "exponential"},
            {"from": "ring_b", "to": "ring_a", "weight": 0.4, "lag": 1.0, "delay": "exponential"},
            {
                "from": "ring_b",
                "to": "below",
                "weight": 0.8,
                "lag": 1.0,
                "delay": "exponential",
                "shape": {"kind": "lookup", "points": [[5.0, 0.0], [7.0, 1.0], [9.0, 1.2]]},
            },
        ]
    model = {
        "name": "case",
        "title": "case",
        "time": {"start": 2020, "end": 2028, "dt": 0.25},
        "nodes": nodes,
        "links": links,
    }
    return yaml.safe_dump(model, sort_keys=False)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_capacity_nodes_min_and_max(fmt, tmp_path):
    model = load_model_text(capacity_model(), "capacity.yaml").spec
    scenario = ScenarioSpec.model_validate(
        {
            "name": "capacity",
            "model": "capacity.yaml",
            "time": {"start": 2020, "end": 2028, "dt": 0.25},
            "interventions": [
                {"node": "source", "shape": "ramp", "slope": 2.0, "start": 2020.5, "end": 2026},
                {"node": "workers", "shape": "step", "height": 3.0, "start": 2023},
                {"node": "filled", "shape": "pulse", "height": 0.5, "start": 2025, "width": 0.5},
            ],
        }
    )
    prepared = prepare_scenario(scenario, model)
    result = run_deterministic(prepared)
    i = result.node_ids.index
    value = result.value
    active = np.argmin(np.stack([value[:, i("source")], value[:, i("workers")], value[:, i("space")]]), axis=0)
    assert len(set(active.tolist())) >= 2, "the minimum switches input during the run"
    assert np.sum(value[:, i("used")] == 13.5) > 2, "the maximum's bound binds"
    text = (write_mdl if fmt == "mdl" else write_xmile)(build_equations(prepared))
    assert "MIN(" in text and "MAX(" in text
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_a_capacity_node_as_the_source_of_shaped_links(fmt, tmp_path):
    """The minimum feeds a saturation (zero lag) and a lookup (exponential lag), the maximum a
    threshold (fixed lag): each shaped signal is f(b + d) - f(b) of the capacity node's value."""
    data = yaml.safe_load(capacity_model())
    for node_id, baseline in (("service", 6.0), ("looked", 1.0), ("flag", 0.0)):
        data["nodes"].append(
            {"id": node_id, "label": node_id, "theme": "samenleving", "dimension": "hier_en_nu", "baseline": baseline}
        )
    data["links"] += [
        {"from": "filled", "to": "service", "weight": 0.8, "shape": {"kind": "saturation", "max": 1.2}},
        {
            "from": "filled",
            "to": "looked",
            "lag": 0.5,
            "delay": "exponential",
            "shape": {"kind": "lookup", "points": [[9.0, 0.0], [11.0, 1.0], [13.0, 1.5]]},
        },
        {
            "from": "used",
            "to": "flag",
            "weight": 2.0,
            "lag": 0.5,
            "delay": "fixed",
            "shape": {"kind": "threshold", "level": 12.5},
        },
    ]
    model = load_model_text(yaml.safe_dump(data, sort_keys=False), "capacity.yaml").spec
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
    prepared = prepare_scenario(scenario, model)
    delta = run_deterministic(prepared).delta
    ids = prepared.compiled.node_ids
    for node_id in ("service", "looked", "flag"):
        assert np.ptp(delta[:, ids.index(node_id)]) > 0, node_id
    text = write_mdl(build_equations(prepared))
    assert "MIN(" in text and "EXP(" in text
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_the_labour_capacity_example(fmt, tmp_path):
    loaded = load_scenario(ROOT / "examples" / "labour-capacity" / "scenario.yaml")
    assert_agrees(prepare_scenario(loaded.spec, loaded.model.spec), fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_a_capacity_node_inside_a_lagged_loop(fmt, tmp_path):
    """r -> c -> r through exponential lags: the t_0 solve switches c to z; the export gives the lags'
    start values, so PySD starts where bwsim does."""

    def node(node_id: str, baseline=None, **extra):
        data = {"id": node_id, "label": node_id, "theme": "samenleving", "dimension": "hier_en_nu", **extra}
        return data if baseline is None else data | {"baseline": baseline}

    text = yaml.safe_dump(
        {
            "name": "ring",
            "title": "ring",
            "time": {"start": 2020, "end": 2028, "dt": 0.25},
            "nodes": [node("r", 10.0), node("z", {"value": 12.0, "growth": 0.02}), node("c", kind="minimum")],
            "links": [
                {"from": "r", "to": "c", "weight": 1.0, "lag": 1.0, "delay": "exponential"},
                {"from": "z", "to": "c", "weight": 1.0},
                {"from": "c", "to": "r", "weight": 0.5, "lag": 1.0, "delay": "exponential"},
            ],
        },
        sort_keys=False,
    )
    model = load_model_text(text, "ring.yaml").spec
    scenario = ScenarioSpec.model_validate(
        {
            "name": "ring",
            "model": "ring.yaml",
            "time": {"start": 2020, "end": 2028, "dt": 0.25},
            "interventions": [
                {"node": "r", "shape": "step", "height": 6.0, "start": 2020},
                {"node": "r", "shape": "step", "height": -8.0, "start": 2024},
            ],
        }
    )
    prepared = prepare_scenario(scenario, model)
    assert prepared.compiled.initial_levels is None
    assert_agrees(prepared, fmt, tmp_path)


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
@pytest.mark.parametrize("loop", [False, True], ids=["no_loop", "t0_loop"])
def test_every_link_shape(fmt, loop, tmp_path):
    step_and_ramp = {"shape": "ramp", "slope": 0.8, "start": 2020.5, "end": 2023}
    model = load_model_text(every_shape_model(loop), "case.yaml").spec
    scenario = ScenarioSpec.model_validate(
        {
            "name": "case",
            "model": "case.yaml",
            "time": {"start": 2020, "end": 2028, "dt": 0.25},
            "interventions": [
                {"node": "source", **step_and_ramp},
                {"node": "source", "shape": "step", "height": 0.3, "start": 2020},
            ],
        }
    )
    prepared = prepare_scenario(scenario, model)
    assert (prepared.compiled.initial_levels is None) == loop
    text = write_mdl(build_equations(prepared))
    assert "EXP(" in text and "MAX(" in text and "source_to_looked_up_shape = WITH LOOKUP(" in text
    delta = run_deterministic(prepared).delta
    ids = prepared.compiled.node_ids
    assert np.ptp(delta[:, ids.index("above")]) > 0 and np.ptp(delta[:, ids.index("looked_up")]) > 0
    assert_agrees(prepared, fmt, tmp_path)
