"""Hypothesis strategies: random small models without algebraic loops, and their scenarios."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .builders import link, node

DTS = (0.1, 0.25, 0.5, 1.0)
DELAYS = ("none", "fixed", "exponential", "third_order")
SHAPES = ("step", "pulse", "ramp", "series")

small = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
year = st.floats(2018.0, 2027.0, allow_nan=False, allow_infinity=False)


@st.composite
def baselines(draw: st.DrawFn) -> tuple[Any, float, float]:
    """A baseline in [1, 2] on 2020-2030, with its lowest and highest value there."""
    choice = draw(st.sampled_from(["constant", "growth", "series"]))
    if choice == "constant":
        value = draw(st.floats(1.0, 2.0))
        return value, value, value
    if choice == "growth":
        value, growth = draw(st.floats(1.2, 1.6)), draw(st.floats(-0.02, 0.02))
        data = {"value": value, "growth": growth}
        if draw(st.booleans()):
            data["year"] = draw(st.floats(2020.0, 2025.0))
        return data, 0.9, 2.1  # envelope: |growth| <= 2 % a year over at most 10 years
    years = draw(st.lists(st.integers(2015, 2035), min_size=1, max_size=4, unique=True))
    values = draw(st.lists(st.floats(1.0, 2.0), min_size=len(years), max_size=len(years)))
    return {"series": dict(zip(years, values, strict=True))}, min(values), max(values)


@st.composite
def models(
    draw: st.DrawFn, max_nodes: int = 6, linear_only: bool = False, bounds: bool = True, shaped: bool = False
) -> tuple[list[dict], list[dict], float]:
    """Nodes and links of a random model (no algebraic loop, lags valid for ``dt``), and ``dt``.

    Bounds lie outside the baseline's envelope (a baseline outside its bounds is refused), on
    horizons of at most 10 years from 2020. With ``shaped``, linear links may get a link shape
    (lookup, saturation or threshold around the baselines' range); a shaped link on a loop of
    pass-through lags (refused by validation) loses its shape."""
    dt = draw(st.sampled_from(DTS))
    n = draw(st.integers(1, max_nodes))
    ids = [f"n{i}" for i in range(n)]
    order = draw(st.permutations(range(n)))  # zero-lag links into auxiliaries follow this order
    nodes, kinds = [], []
    for node_id in ids:
        baseline, low, high = draw(baselines())
        extra: dict[str, Any] = {}
        if draw(st.booleans()) and draw(st.booleans()):
            extra |= {"kind": "stock", "decay": draw(st.sampled_from([0.0, 0.0, 0.3, 1.0]))}
        if bounds and draw(st.booleans()):
            if draw(st.booleans()):
                extra["min"] = low - draw(st.floats(0.0, 0.5))
            if draw(st.booleans()):
                extra["max"] = high + draw(st.floats(0.0, 0.5))
        kinds.append(extra.get("kind", "auxiliary"))
        nodes.append(node(node_id, baseline, **extra))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n + 2, unique=True))
    links = []
    for s, t in pairs:
        delay = draw(st.sampled_from(DELAYS))
        if delay == "none" and kinds[t] == "auxiliary" and order.index(s) >= order.index(t):
            delay = "fixed"
        lag = {
            "none": 0.0,
            "fixed": draw(st.floats(0.05, 2.0)),
            "exponential": draw(st.floats(dt, 2.0)),
            "third_order": draw(st.floats(3 * dt, 3.0)),
        }[delay]
        form = "linear" if linear_only else draw(st.sampled_from(["linear", "elasticity"]))
        links.append(link(ids[s], ids[t], draw(st.floats(-0.3, 0.3)), form=form, lag=lag, delay=delay))
        if shaped and form == "linear" and draw(st.booleans()):
            links[-1]["shape"] = draw(link_shapes(links[-1]["weight"]))
    if shaped:
        _drop_refused_shapes(nodes, links)
    return nodes, links, dt


@st.composite
def link_shapes(draw: st.DrawFn, weight: float) -> dict:
    """A lookup, saturation or threshold whose kinks lie near the baselines (values in [0.5, 2.5])."""
    kind = draw(st.sampled_from(["lookup", "saturation", "threshold"]))
    if kind == "saturation":
        size = draw(st.floats(0.05, 3.0))
        return {"kind": kind, "max": -size if weight < 0 else size}
    if kind == "threshold":
        return {"kind": kind, "level": draw(st.floats(0.5, 2.5)), "side": draw(st.sampled_from(["above", "below"]))}
    xs = sorted(draw(st.lists(st.floats(0.0, 3.0), min_size=2, max_size=5, unique=True)))
    assume_distinct = [x for i, x in enumerate(xs) if i == 0 or x > xs[i - 1] + 1e-6]
    if len(assume_distinct) < 2:
        assume_distinct = [0.0, 3.0]
    ys = draw(st.lists(st.floats(-2.0, 2.0), min_size=len(assume_distinct), max_size=len(assume_distinct)))
    return {"kind": kind, "points": [[x, y] for x, y in zip(assume_distinct, ys, strict=True)]}


def _drop_refused_shapes(nodes: list[dict], links: list[dict]) -> None:
    """Remove the shapes validation refuses (on a loop of pass-through lags), in place."""
    from simulator.network import shape_problems
    from simulator.spec import ModelSpec

    model = ModelSpec.model_validate({"name": "case", "title": "case", "nodes": nodes, "links": links})
    for problem in shape_problems(model):
        index = int(problem.place.split("[")[1].split("]")[0])
        links[index].pop("shape", None)


@st.composite
def interventions(draw: st.DrawFn, node_ids: list[str], relative: bool = True) -> list[dict]:
    """Up to four interventions of every shape on random nodes."""
    items = []
    for _ in range(draw(st.integers(0, 4))):
        shape = draw(st.sampled_from(SHAPES))
        item: dict[str, Any] = {"node": draw(st.sampled_from(node_ids)), "shape": shape}
        if shape in ("step", "pulse"):
            item |= {"height": draw(small), "start": draw(year)}
        if shape == "pulse":
            item["width"] = draw(st.floats(0.05, 3.0))
        if shape == "ramp":
            start = draw(year)
            item |= {"slope": draw(small), "start": start, "end": start + draw(st.floats(0.0, 4.0))}
        if shape == "series":
            years = draw(st.lists(year, min_size=1, max_size=3, unique=True))
            item["values"] = {y: draw(small) for y in years}
        if relative and draw(st.booleans()):
            item["relative"] = True
        items.append(item)
    return items


@st.composite
def lagged_rings(draw: st.DrawFn) -> tuple[list[dict], list[dict], float]:
    """Auxiliaries in a ring of exponential / third-order links (a cycle that passes its input
    through at t_0), with tight bounds (just outside every baseline), plus a random model's other links."""
    nodes, links, dt = draw(models(max_nodes=5))
    ring = [n for n in nodes if n.get("kind", "auxiliary") == "auxiliary"]
    if len(ring) < 2:
        ring = nodes = [node(f"r{i}", 1.5) for i in range(3)]
        links = []
    for n in ring:
        for key, sign in (("min", -1), ("max", 1)):
            if draw(st.booleans()):
                n[key] = 1.5 + sign * (0.6 + draw(st.floats(0.0, 0.3)))  # baselines lie in [0.9, 2.1]
    taken = {(lk["from"], lk["to"]) for lk in links}
    for here, there in zip(ring, ring[1:] + ring[:1], strict=True):
        if (here["id"], there["id"]) in taken:
            continue
        delay = draw(st.sampled_from(["exponential", "third_order"]))
        lag = draw(st.floats(dt, 2.0)) if delay == "exponential" else draw(st.floats(3 * dt, 3.0))
        links.append(
            link(
                here["id"],
                there["id"],
                draw(st.floats(-1.2, 1.2)),
                lag=lag,
                delay=delay,
                form=draw(st.sampled_from(["linear", "elasticity"])),
            )
        )
    return nodes, links, dt
