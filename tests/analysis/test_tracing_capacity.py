"""Tracing through capacity nodes: the active input's parts plus a ``switch`` part add up exactly."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.tracing import active_inputs, incoming, incoming_parts, switch_part, trace_paths
from simulator.engine import simulate

from .helpers import link, model, node, prepared


def labour(extra_links=(), extra_nodes=()):
    """filled = min(demand, workers) with demand 100, workers 120; vacancies = demand - filled."""
    nodes = [
        node("demand"),
        node("workers", baseline=120.0),
        node("filled", kind="minimum"),
        node("vacancies", baseline=0.0),
        node("income", baseline=50.0),
        *extra_nodes,
    ]
    del nodes[2]["baseline"]
    links = [
        link("demand", "filled", 1.0),
        link("workers", "filled", 1.0, lag=1.0, delay="exponential"),
        link("demand", "vacancies", 1.0),
        link("filled", "vacancies", -1.0),
        link("filled", "income", 0.3, form="elasticity", lag=0.5, delay="fixed"),
        *extra_links,
    ]
    return model(nodes, links)


def run(spec, interventions):
    p = prepared(spec, interventions)
    return p, simulate(p.compiled, p.inputs)[:, :, 0]


RAMP = [
    {"node": "demand", "shape": "ramp", "slope": 10.0, "start": 2026, "end": 2030},
    {"node": "workers", "shape": "step", "height": 15.0, "start": 2031},
]


def test_past_the_workers_the_change_of_filled_is_the_switch_part():
    """Demand +40 by 2030: filled is capped at the 120 workers, +20, all of it the switch to workers."""
    p, d = run(labour(), RAMP[:1])
    cm = p.compiled
    i, k = cm.index("filled"), cm.times.size - 1
    parts = incoming(cm, p.inputs, d, i, k)
    values = dict(zip(parts["part"] + ":" + parts["link"], parts["value"], strict=True))
    assert d[k, i] == 20.0
    assert values["switch:"] == 20.0
    assert values["link:demand->filled"] == 0.0 and values["link:workers->filled"] == 0.0
    early = cm.times.searchsorted(2027.0)  # demand +10: below the workers, demand's own part
    parts = incoming(cm, p.inputs, d, i, early)
    assert list(parts["part"]) == ["link", "link"] and parts["value"].sum() == pytest.approx(10.0, abs=1e-12)


def test_more_workers_fill_more_jobs_through_the_workers_link():
    p, d = run(labour(), RAMP)
    cm = p.compiled
    i, k = cm.index("filled"), cm.times.size - 1
    parts = incoming(cm, p.inputs, d, i, k)
    values = dict(zip(parts["part"] + ":" + parts["link"], parts["value"], strict=True))
    assert values["switch:"] == 20.0
    assert values["link:workers->filled"] == pytest.approx(d[k, cm.index("workers")] * 1.0 - 0.0, rel=0.2)
    assert sum(values.values()) == pytest.approx(d[k, i], abs=1e-12)


@pytest.mark.parametrize("target", ["filled", "vacancies", "income"])
@pytest.mark.parametrize("cyclic", [False, True])
def test_parts_add_up_exactly_through_a_capacity_node(target, cyclic):
    extra_nodes = [node("migration", kind="stock", decay=0.3)] if cyclic else []
    extra_links = [link("vacancies", "migration", 0.4), link("migration", "workers", 0.5)] if cyclic else []
    p, d = run(labour(extra_links, extra_nodes), RAMP)
    cm = p.compiled
    i = cm.index(target)
    assert np.abs(d[:, i]).max() > 1.0
    own, links, parts, bounds = incoming_parts(cm, p.inputs, d, i)
    assert np.allclose(own + parts.sum(axis=1) + switch_part(cm, d, i), d[:, i], atol=1e-9, rtol=0)
    assert np.abs(bounds).max() < 1e-9
    for k in range(0, cm.times.size, 5):
        paths = trace_paths(cm, p.inputs, d, i, k)
        listed = paths[paths["part"] != "other"]["value"].sum()
        assert listed == pytest.approx(d[k, i], abs=1e-9)
        assert abs(paths.iloc[-1]["value"]) < 1e-9
    final = trace_paths(cm, p.inputs, d, i, cm.times.size - 1)
    assert "switch" in set(final["part"])
    assert any(text.startswith("(switch) filled") for text in final["path"])


def test_active_inputs_follow_the_run():
    p, d = run(labour(), RAMP[:1])
    cm = p.compiled
    mask = active_inputs(cm, d)
    demand_link, workers_link = 0, 1
    t = cm.times
    assert np.all(mask[t < 2028.0, demand_link] == 1.0) and np.all(mask[t < 2028.0, workers_link] == 0.0)
    assert np.all(mask[t > 2028.0, workers_link] == 1.0) and np.all(mask[t > 2028.0, demand_link] == 0.0)
    assert np.all(mask[:, 2:] == 1.0)  # links into ordinary nodes always carry
