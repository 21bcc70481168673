"""The causal network as a graph, and every check that needs the whole model.

Checks return lists of :class:`Problem` so that all problems are reported at
once: duplicate ids and links, unknown nodes (with "did you mean"), algebraic
loops (cycles of zero-lag links not broken by a stock), lags too short for
``dt``, elasticity links on a zero baseline, and scenario references.
"""

from __future__ import annotations

import difflib
import functools
import graphlib
import re
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ValidationError

from simulator.baselines import baseline_path, capacity_order, model_baselines
from simulator.delays import shortest_lag
from simulator.dimensions import element_problem, family_elements, intervention_targets, unique
from simulator.errors import Problem
from simulator.identity_cache import IdentityCache
from simulator.io.yaml_file import YamlDocument, format_place
from simulator.messages import msg
from simulator.spec import (
    CAPACITY_KINDS,
    LinkOverride,
    LinkSpec,
    ModelSpec,
    NodeOverride,
    NodeSpec,
    Saturation,
    ScenarioSpec,
    ScoredWeight,
    TimeSpec,
    gross_node,
    start_baselines,
    with_score_scales,
)
from simulator.themes import THEME_IDS, closest_theme, is_theme
from simulator.timegrid import time_grid

if TYPE_CHECKING:
    import networkx as nx

PathKey = tuple[Hashable, ...]
_EVALUATED = ("auxiliary", *CAPACITY_KINDS)
"""Node kinds a step evaluates from their links (not stocks)."""


def _locate(doc: YamlDocument | None, path: PathKey, message: str, hint: str = "") -> Problem:
    if doc is None:
        return Problem("", format_place(path), message, hint, path=tuple(path))
    return doc.problem(path, message, hint)


def _hint_node(name: str, ids: list[str]) -> str:
    close = difflib.get_close_matches(name, ids, n=1, cutoff=0.5)
    return msg("did you mean '{name}'?", name=close[0]) if close else msg("no node has that id")


def instant_edges(model: ModelSpec) -> list[tuple[str, str]]:
    """Zero-lag links into auxiliaries, as (source, target) ids: the order in which a step evaluates nodes.

    A link into a stock is a flow, known only at the next step, so it is left out.
    """
    kinds = {n.id: n.kind for n in model.nodes}
    return [
        (link.source, link.target)
        for link in model.links
        if link.delay == "none" and kinds.get(link.target) in _EVALUATED and link.source in kinds
    ]


def instant_graph(model: ModelSpec) -> nx.DiGraph:
    """:func:`instant_edges` as a networkx graph of every node (to name its loops)."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(n.id for n in model.nodes)
    graph.add_edges_from(instant_edges(model))
    return graph


def algebraic_loops(model: ModelSpec) -> list[list[str]]:
    """Cycles made only of zero-lag links that do not pass through a stock.

    A sound model has none: :mod:`graphlib` (standard library) tells so without
    importing networkx, which costs ``bwsim validate`` a fifth of a second; only a
    model with a cycle is handed to networkx to name every loop.
    """
    if not _has_instant_cycle(model):
        return []
    import networkx as nx

    graph = instant_graph(model)
    loops = []
    for component in nx.strongly_connected_components(graph):
        sub = graph.subgraph(component)
        if len(component) > 1 or any(sub.has_edge(n, n) for n in component):
            loops.append(nx.find_cycle(sub) and [u for u, _ in nx.find_cycle(sub)])
    return loops


def _has_instant_cycle(model: ModelSpec) -> bool:
    kinds = {n.id: n.kind for n in model.nodes}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for link in model.links:
        if link.delay == "none" and kinds.get(link.target) in _EVALUATED and link.source in kinds:
            sorter.add(link.target, link.source)
    try:
        sorter.prepare()
    except graphlib.CycleError:
        return True
    return False


def _identity_problems(model: ModelSpec, doc: YamlDocument | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(model.nodes):
        if node.id in seen:
            problems.append(
                _locate(
                    doc,
                    ("nodes", i, "id"),
                    msg("duplicate node id '{id}'", id=node.id),
                    msg("nodes[{index}] already has it; ids must be unique", index=seen[node.id]),
                )
            )
        seen.setdefault(node.id, i)
    ids = list(seen)
    pairs: dict[tuple[str, str], int] = {}
    for i, link in enumerate(model.links):
        for end, name in (("from", link.source), ("to", link.target)):
            if name not in seen:
                problems.append(
                    _locate(doc, ("links", i, end), msg("unknown node '{node}'", node=name), _hint_node(name, ids))
                )
        pair = (link.source, link.target)
        if pair in pairs:
            problems.append(
                _locate(
                    doc,
                    ("links", i),
                    msg("duplicate link {link}", link=link.key),
                    msg("links[{index}] already joins these nodes; merge them", index=pairs[pair]),
                )
            )
        pairs.setdefault(pair, i)
    return problems


def lag_problems(model: ModelSpec, dt: float, doc: YamlDocument | None = None, sampled: bool = False) -> list[Problem]:
    """Lags too short for Euler at step ``dt`` (years).

    An exponential lag needs ``tau >= dt``, a third-order lag ``tau / 3 >= dt``.
    With ``sampled``, the lowest value the lag's distribution can take is checked
    (for ensembles); otherwise the value a deterministic run uses.
    """
    problems = []
    for i, link in enumerate(model.links):
        need = shortest_lag(link.delay, dt)
        if need is None:
            continue
        tau = link.lag.support[0] if sampled else link.lag.central
        if tau < need - 1e-12:
            values = {
                "link": link.key,
                "lag": tau,
                "dt": dt,
                "need": need,
                "longest_dt": tau if link.delay == "exponential" else tau / 3,
            }
            if link.delay == "exponential":
                message = (
                    msg(
                        "lag of {link} can be drawn as low as {lag:g} years, too short for an exponential "
                        "delay at dt = {dt:g}",
                        **values,
                    )
                    if sampled
                    else msg(
                        "lag of {link} is {lag:g} years, too short for an exponential delay at dt = {dt:g}", **values
                    )
                )
                hint = msg(
                    "an exponential lag needs at least {need:g} years; use dt <= {longest_dt:g}, a longer "
                    "lag, or delay: fixed",
                    **values,
                )
            else:
                message = (
                    msg(
                        "lag of {link} can be drawn as low as {lag:g} years, too short for a third_order "
                        "delay at dt = {dt:g}",
                        **values,
                    )
                    if sampled
                    else msg(
                        "lag of {link} is {lag:g} years, too short for a third_order delay at dt = {dt:g}", **values
                    )
                )
                hint = msg(
                    "a third_order lag needs at least {need:g} years; use dt <= {longest_dt:g}, a longer "
                    "lag, or delay: fixed",
                    **values,
                )
            problems.append(_locate(doc, ("links", i, "lag"), message, hint))
    return problems


def _baseline_paths(model: ModelSpec, times: np.ndarray, start: float) -> Callable[[int], np.ndarray]:
    """``path(i)``: node ``i``'s baseline at ``times``, one node at a time (a long horizon's check
    holds one path, not all); capacity nodes' derived with :func:`model_baselines`, once, when first asked."""
    derived: list[np.ndarray] = []

    def path(i: int) -> np.ndarray:
        node = model.nodes[i]
        if node.is_capacity:
            if not derived:
                derived.append(model_baselines(model, times, start))
            return derived[0][:, i]
        return baseline_path(0.0 if node.baseline is None else node.baseline, times, start)

    return path


def elasticity_problems(model: ModelSpec, time: TimeSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Elasticity links whose source or target baseline is zero somewhere on the horizon."""
    times = time_grid(time)
    pos = {n.id: i for i, n in enumerate(model.nodes)}
    path = _baseline_paths(model, times, time.start)
    problems = []
    for i, link in enumerate(model.links):
        if link.form != "elasticity":
            continue
        for name in (link.source, link.target):
            if name in pos and np.any(path(pos[name]) == 0):
                problems.append(
                    _locate(
                        doc,
                        ("links", i, "form"),
                        msg(
                            "elasticity link {link} needs a non-zero baseline for '{node}', which is 0",
                            link=link.key,
                            node=name,
                        ),
                        msg("give the node a baseline, or use form: linear"),
                    )
                )
    return problems


def score_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Scored linear links whose weight cannot be made: a baseline of an end is 0 at the model's start
    (a score is an elasticity at the baselines, ``w = e * |b_target / b_source|``)."""
    base = start_baselines(model.nodes, model.links, model.time.start)
    problems = []
    for i, link in enumerate(model.links):
        if not (isinstance(link.weight, ScoredWeight) and link.weight.scale is None):
            continue
        zero = [name for name in (link.source, link.target) if base.get(name, 1.0) == 0]
        key = "score" if link.score is not None else "scores"
        problems.append(
            _locate(
                doc,
                ("links", i, key),
                msg(
                    "the score of linear link {link} cannot be made a weight: the baseline of '{node}' is 0 in "
                    "{year:g}",
                    link=link.key,
                    node=zero[0] if zero else link.source,
                    year=model.time.start,
                ),
                msg(
                    "a score sets an elasticity at the baselines; give the node a baseline, give a weight "
                    "instead of the score, or use form: elasticity"
                ),
            )
        )
    return problems


def baseline_problems(model: ModelSpec, time: TimeSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Baselines that are not finite somewhere on the horizon (a growth rate that overflows)."""
    times = time_grid(time)
    path = _baseline_paths(model, times, time.start)
    problems = []
    for i, node in enumerate(model.nodes):
        bad = np.flatnonzero(~np.isfinite(path(i)))
        if bad.size:
            problems.append(
                _locate(
                    doc,
                    ("nodes", i, "baseline"),
                    msg(
                        "the baseline of '{node}' is not a finite number in {year:g}",
                        node=node.id,
                        year=float(times[bad[0]]),
                    ),
                    msg("check its growth rate"),
                )
            )
    return problems


def _number(value: float, other: float) -> str:
    """``value`` with enough digits to differ from ``other`` when it does."""
    text = f"{value:.6g}"
    return repr(float(value)) if text == f"{other:.6g}" and value != other else text


def bound_problems(model: ModelSpec, time: TimeSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Baselines that leave their node's ``[min, max]`` somewhere on the horizon.

    Bounds clip ``b + d``, so a baseline outside them would make the baseline run
    differ from the baseline (ENGINE.md: it returns the baselines exactly). Each
    problem names the node, the time (year) and value of the worst excess, and the bound.
    """
    times = time_grid(time)
    paths = _baseline_paths(model, times, time.start)
    problems = []
    for i, node in enumerate(model.nodes):
        if node.min is None and node.max is None:
            continue
        path = paths(i)
        if not np.all(np.isfinite(path)):
            continue  # reported by baseline_problems
        for key, bound, outside, worst in (
            ("max", node.max, np.greater, np.argmax),
            ("min", node.min, np.less, np.argmin),
        ):
            if bound is None or not np.any(outside(path, bound)):
                continue
            k, first = int(worst(path)), int(np.flatnonzero(outside(path, bound))[0])
            values = {
                "node": node.id,
                "value": _number(path[k], bound),
                "year": float(times[k]),
                "bound": _number(bound, path[k]),
                "since": float(times[first]),
            }
            if key == "max":
                message = (
                    msg(
                        "the baseline of '{node}' is {value} in {year:g}, above its max {bound} (above it "
                        "from {since:g} on); bounds clip the value, so the baseline run would not return "
                        "the baseline",
                        **values,
                    )
                    if first != k
                    else msg(
                        "the baseline of '{node}' is {value} in {year:g}, above its max {bound} (above it "
                        "first); bounds clip the value, so the baseline run would not return the baseline",
                        **values,
                    )
                )
                hint = msg("raise max to at least {value}, or change the baseline", **values)
            else:
                message = (
                    msg(
                        "the baseline of '{node}' is {value} in {year:g}, below its min {bound} (below it "
                        "from {since:g} on); bounds clip the value, so the baseline run would not return "
                        "the baseline",
                        **values,
                    )
                    if first != k
                    else msg(
                        "the baseline of '{node}' is {value} in {year:g}, below its min {bound} (below it "
                        "first); bounds clip the value, so the baseline run would not return the baseline",
                        **values,
                    )
                )
                hint = msg("lower min to at most {value}, or change the baseline", **values)
            problems.append(_locate(doc, ("nodes", i, "baseline"), message, hint))
    return problems


def loop_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """One problem per algebraic loop, naming its nodes (Vensim's "simultaneous equations")."""
    problems = []
    for loop in algebraic_loops(model):
        index = next(
            i
            for i, link in enumerate(model.links)
            if link.source == loop[0] and link.target in loop and link.delay == "none"
        )
        cycle = " -> ".join([*loop, loop[0]])
        problems.append(
            _locate(
                doc,
                ("links", index),
                msg("algebraic loop: {cycle} (all links have no lag)", cycle=cycle),
                msg("give one link of the loop a lag, or route it through a stock"),
            )
        )
    return problems


# --- capacity nodes (minimum / maximum) -------------------------------------------------


def capacity_problems(model: ModelSpec, time: TimeSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Capacity nodes (``kind: minimum`` / ``maximum``) the engine cannot run (ENGINE.md, capacity nodes).

    Each needs two or more inputs, linear links with fixed weights (its baseline is
    derived from them), no loop of capacity nodes, and a given baseline, if any,
    equal to the derived one (relative 1e-9) on the horizon.
    """
    capacity = {n.id: i for i, n in enumerate(model.nodes) if n.is_capacity}
    if not capacity:
        return []
    problems = _capacity_input_problems(model, capacity, doc) + _capacity_loop_problems(model, capacity, doc)
    return problems or _capacity_baseline_problems(model, capacity, time, doc)


def _capacity_input_problems(model: ModelSpec, capacity: dict[str, int], doc: YamlDocument | None) -> list[Problem]:
    """Capacity nodes with fewer than two inputs; inputs that are elasticities or have uncertain weights."""
    problems: list[Problem] = []
    for node_id, i in capacity.items():
        kind = model.nodes[i].kind
        inputs = [lk for lk in model.links if lk.target == node_id]
        if len(inputs) < 2:
            problems.append(
                _locate(
                    doc,
                    ("nodes", i, "kind"),
                    msg(
                        "'{node}' is a {kind} node with {count} input(s); it needs at least two",
                        node=node_id,
                        kind=kind,
                        count=len(inputs),
                    ),
                    msg(
                        "link the quantities it compares into it (e.g. demand and available "
                        "workers), or use kind: auxiliary"
                    ),
                )
            )
    for j, link in enumerate(model.links):
        if link.target not in capacity:
            continue
        kind = model.nodes[capacity[link.target]].kind
        if link.form != "linear":
            problems.append(
                _locate(
                    doc,
                    ("links", j, "form"),
                    msg(
                        "link {link} into the {kind} node '{node}' is an elasticity; a capacity node compares values",
                        link=link.key,
                        kind=kind,
                        node=link.target,
                    ),
                    msg("use form: linear (the weight turns the source's unit into the node's)"),
                )
            )
        if link.shape is not None:
            problems.append(
                _locate(
                    doc,
                    ("links", j, "shape"),
                    msg(
                        "link {link} into the {kind} node '{node}' has a {shape} shape; a capacity "
                        "node compares its inputs' values w * (b + d), so its inputs are linear",
                        link=link.key,
                        kind=kind,
                        node=link.target,
                        shape=getattr(link.shape, "kind", ""),
                    ),
                    msg(
                        "remove the shape, or put it on a link into an auxiliary node that feeds "
                        "{node} (shape first, then the capacity node)",
                        node=link.target,
                    ),
                )
            )
        if isinstance(link.weight, ScoredWeight):
            problems.append(
                _locate(
                    doc,
                    ("links", j, "score" if link.score is not None else "scores"),
                    msg(
                        "the weight of {link} into the {kind} node '{node}' is expert-scored, so "
                        "it is uncertain (a range of weights); a capacity node's baseline is "
                        "derived from its inputs' weights, so they are fixed numbers",
                        link=link.key,
                        kind=kind,
                        node=link.target,
                    ),
                    msg(
                        "give a weight (a number) instead of the score; put the uncertainty on a link into {source}",
                        source=link.source,
                    ),
                )
            )
            continue
        low, high = link.weight.support
        if low != high:
            problems.append(
                _locate(
                    doc,
                    ("links", j, "weight"),
                    msg(
                        "the weight of {link} into the {kind} node '{node}' is uncertain; a "
                        "capacity node's baseline is derived from its inputs' weights, so they "
                        "are fixed numbers",
                        link=link.key,
                        kind=kind,
                        node=link.target,
                    ),
                    msg("give a number; put the uncertainty on a link into {source}", source=link.source),
                )
            )
    return problems


def _capacity_loop_problems(model: ModelSpec, capacity: dict[str, int], doc: YamlDocument | None) -> list[Problem]:
    """Capacity nodes that read each other in a loop (their baselines cannot be derived)."""
    problems: list[Problem] = []
    if capacity_order(model) is None:
        import networkx as nx

        graph = nx.DiGraph(
            (lk.source, lk.target) for lk in model.links if lk.source in capacity and lk.target in capacity
        )
        cycle = [u for u, _ in nx.find_cycle(graph)]
        problems.append(
            _locate(
                doc,
                ("nodes", capacity[cycle[0]], "kind"),
                msg(
                    "capacity nodes read each other in a loop ({cycle}); their baselines cannot be derived",
                    cycle=" -> ".join([*cycle, cycle[0]]),
                ),
                msg("put an auxiliary or stock with its own baseline into the loop"),
            )
        )
    return problems


def _capacity_baseline_problems(
    model: ModelSpec, capacity: dict[str, int], time: TimeSpec, doc: YamlDocument | None
) -> list[Problem]:
    """Given baselines of capacity nodes that differ from the derived ones (relative 1e-9) on the horizon."""
    problems: list[Problem] = []
    times = time_grid(time)
    base = model_baselines(model, times, time.start)
    for node_id, i in capacity.items():
        node = model.nodes[i]
        if node.baseline is None:
            continue
        given = baseline_path(node.baseline, times, time.start)
        off = np.flatnonzero(~np.isclose(given, base[:, i], rtol=1e-9, atol=1e-12))
        if off.size:
            k = int(off[0])
            problems.append(
                _locate(
                    doc,
                    ("nodes", i, "baseline"),
                    msg(
                        "the baseline of '{node}' is {value} in {year:g}, but a {kind} node's baseline is the "
                        "{which} of its inputs' baselines, {derived}",
                        node=node_id,
                        value=_number(given[k], base[k, i]),
                        year=float(times[k]),
                        kind=node.kind,
                        which=msg("smallest") if node.kind == "minimum" else msg("largest"),
                        derived=_number(base[k, i], given[k]),
                    ),
                    msg("leave baseline out (it is derived from the inputs), or make it agree"),
                )
            )
    return problems


def shape_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Shaped links that cannot run: on an elasticity, a saturation's max against its weight's sign,
    or a shaped link on a loop that passes its input straight through at the start.

    At ``t_0`` every lag but a fixed one passes its input through (ENGINE.md), so a
    loop of such links into auxiliaries is solved as a linear system; a nonlinear
    link on it is refused rather than iterated.
    """
    problems = []
    shaped = [i for i, link in enumerate(model.links) if link.shape is not None]
    for i in shaped:
        link, shape = model.links[i], model.links[i].shape
        if link.form == "elasticity":
            problems.append(
                _locate(
                    doc,
                    ("links", i, "form"),
                    msg(
                        "link {link} has a {kind} shape, which works on the source's value in its "
                        "own unit, not on an elasticity",
                        link=link.key,
                        kind=getattr(shape, "kind", ""),
                    ),
                    msg("use form: linear, or remove the shape"),
                )
            )
        if isinstance(shape, Saturation):
            top = shape.max.central
            lo, hi = link.weight.support
            ends = [v for v in (lo, hi, link.weight.central) if np.isfinite(v)]
            if any(v * top < 0 for v in ends):
                problems.append(
                    _locate(
                        doc,
                        ("links", i, "shape", "max"),
                        msg(
                            "the saturation of {link} levels off at max {max:g}, but its weight can be {weight:g}, "
                            "of the other sign, so the effect would not level off",
                            link=link.key,
                            max=top,
                            weight=next(v for v in ends if v * top < 0),
                        ),
                        msg(
                            "give max the sign of the weight (the largest effect in the target's unit), or a weight "
                            "range on one side of 0"
                        ),
                    )
                )
    if shaped:
        import networkx as nx

        kinds = {n.id: n.kind for n in model.nodes}
        graph = nx.DiGraph()
        graph.add_edges_from(
            (lk.source, lk.target) for lk in model.links if lk.delay != "fixed" and kinds.get(lk.target) in _EVALUATED
        )
        component = {node: c for c, members in enumerate(nx.strongly_connected_components(graph)) for node in members}
        for i in shaped:
            link = model.links[i]
            if (
                link.delay != "fixed"
                and kinds.get(link.target) in _EVALUATED
                and link.source in component
                and component[link.source] == component.get(link.target)
            ):
                problems.append(
                    _locate(
                        doc,
                        ("links", i, "shape"),
                        msg(
                            "link {link} has a {kind} shape and lies on a loop whose links pass their input straight "
                            "through at the start of the run; the start is solved as a linear system, so a "
                            "nonlinear link cannot be on such a loop",
                            link=link.key,
                            kind=getattr(link.shape, "kind", ""),
                        ),
                        msg(
                            "give a link of the loop delay: fixed, route the loop through a stock, or move the shape "
                            "to a link outside the loop"
                        ),
                    )
                )
    return problems


def unit_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Units that do not parse, and declared weight units that are not what the link's nodes imply.

    The rules are :mod:`simulator.units`': a linear weight is in target unit per source unit, an
    elasticity's is dimensionless, both per year into a stock; a ``weight_unit`` must be that unit in
    dimension and size. A link whose node has a unit that does not parse is reported at the node only.
    """
    from simulator.units import known_sound, remember_sound, units_key

    by_id = {n.id: n for n in model.nodes}
    key = units_key(
        (node.unit for node in model.nodes),
        (
            (link.weight_unit, target.unit, by_id[link.source].unit, link.form, target.kind == "stock")
            for link in model.links
            if (target := by_id.get(link.target)) is not None and link.weight_unit and link.source in by_id
        ),
    )
    if known_sound(key):  # found sound by an earlier process: pint is not imported (0.2 s of a run)
        return []
    problems = _unit_problems(model, doc)
    if not problems:
        remember_sound(key)
    return problems


def _unit_problems(model: ModelSpec, doc: YamlDocument | None) -> list[Problem]:
    from simulator.units import UnitError, expected_text, parse_unit, same_size, weight_verdict, written

    problems = []
    readable: set[str] = set()
    for i, node in enumerate(model.nodes):
        try:
            parse_unit(node.unit)
            readable.add(node.id)
        except UnitError as exc:
            problems.append(
                _locate(
                    doc,
                    ("nodes", i, "unit"),
                    msg(
                        "the unit '{unit}' of '{node}' does not parse: {reason}",
                        unit=node.unit,
                        node=node.id,
                        reason=exc.args[0],
                    ),
                    _unit_hint(),
                )
            )
    by_id = {n.id: n for n in model.nodes}
    for i, link in enumerate(model.links):
        if not link.weight_unit:
            continue
        try:
            found = parse_unit(link.weight_unit)
        except UnitError as exc:
            problems.append(
                _locate(
                    doc,
                    ("links", i, "weight_unit"),
                    msg(
                        "the weight_unit '{unit}' of {link} does not parse: {reason}",
                        unit=link.weight_unit,
                        link=link.key,
                        reason=exc.args[0],
                    ),
                    _unit_hint(),
                )
            )
            continue
        if link.source not in readable or link.target not in readable:
            continue
        source, target = by_id[link.source], by_id[link.target]
        stock = target.kind == "stock"
        # once per kind of link and process, not per element link (342 gemeenten share them) or per check
        expected, factor = weight_verdict(link.weight_unit, target.unit, source.unit, link.form, stock)
        if factor is not None and same_size(factor):
            continue
        values = {
            "link": link.key,
            "unit": link.weight_unit,
            "found": written(found),
            "expected": expected_text(target.unit, source.unit, link.form, stock),
            "expected_pint": written(expected),
            "factor": factor or 0.0,
        }
        if link.form == "elasticity":
            message = (
                msg(
                    "the weight of elasticity link {link} is a relative rate into a stock, in 1/yr, but its "
                    "weight_unit is '{unit}' ({found})",
                    **values,
                )
                if stock
                else msg(
                    "the weight of elasticity link {link} is dimensionless (%/%), but its weight_unit is "
                    "'{unit}' ({found})",
                    **values,
                )
            )
            hint = msg("write weight_unit: {expected}, or remove it; an elasticity relates relative changes", **values)
        elif factor is None:
            message = msg(
                "the weight_unit '{unit}' of {link} ({found}) does not fit its nodes: the weight must be "
                "in {expected} ({expected_pint})",
                **values,
            )
            hint = msg("write weight_unit: {expected} and give the weight in it, or correct the nodes' units", **values)
        else:
            message = msg(
                "the weight_unit '{unit}' of {link} is {factor:g} times {expected}, the unit its nodes "
                "imply; the engine does not convert units, so the weight would be of the wrong size",
                **values,
            )
            hint = msg(
                "give the weight in {expected} (multiply it by {factor:g}) and write weight_unit: {expected}", **values
            )
        problems.append(_locate(doc, ("links", i, "weight_unit"), message, hint))
    return problems


def _unit_hint() -> str:
    return msg(
        "write a unit bwsim knows, such as jobs, persons/yr, %, pp per job or kt CO2/yr (docs/formats.md, "
        '"Units"); put descriptive words in unit_label'
    )


def theme_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Nodes whose ``theme`` is not a brede-welvaart theme of :data:`simulator.themes.THEMES`."""
    problems = []
    for i, node in enumerate(model.nodes):
        if not is_theme(node.theme):
            close = closest_theme(node.theme)
            hint = (
                msg("did you mean '{name}'?", name=close)
                if close
                else msg("use a CBS theme: {themes}", themes=", ".join(THEME_IDS))
            )
            problems.append(_locate(doc, ("nodes", i, "theme"), msg("unknown theme '{theme}'", theme=node.theme), hint))
    return problems


def net_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Nodes whose ``net_of`` names no node, themselves, or a node in another unit."""
    problems = []
    by_id = {node.id: node for node in model.nodes}
    for i, node in enumerate(model.nodes):
        if node.net_of is None:
            continue
        place = ("nodes", i, "net_of")
        gross = by_id.get(gross_node(model, node) or "")
        if gross is None:
            problems.append(
                _locate(
                    doc, place, msg("unknown node '{node}'", node=node.net_of), _hint_node(node.net_of, list(by_id))
                )
            )
        elif gross.id == node.id:
            problems.append(
                _locate(
                    doc,
                    place,
                    msg("node '{node}' is named as its own gross node", node=node.id),
                    msg("net_of names the gross node this node is the net effect of"),
                )
            )
        elif gross.unit != node.unit:
            problems.append(
                _locate(
                    doc,
                    place,
                    msg(
                        "node '{node}' is in '{unit}', its gross node '{gross}' in '{gross_unit}'",
                        node=node.id,
                        unit=node.unit,
                        gross=gross.id,
                        gross_unit=gross.unit,
                    ),
                    msg("a net effect is in the unit of its gross node"),
                )
            )
    return problems


_CHECKED: IdentityCache[tuple[Problem, ...]] = IdentityCache()


def check_model(model: ModelSpec, doc: YamlDocument | None = None, time: TimeSpec | None = None) -> list[Problem]:
    """Every structural problem of a model (empty list: the model is sound).

    Without ``doc`` the result depends on the model and the horizon alone: it is remembered per model
    object (specs are immutable) and horizon, so a model prepared again for each scenario (each slider
    move of the app, each scenario of a batch) is checked once (about 10-20 ms for the Heerlen model).
    """
    time = time or model.time
    if doc is not None:
        return _check_model(model, doc, time)
    return list(_CHECKED.get(model, time, lambda: tuple(_check_model(model, None, time))))


def _check_model(model: ModelSpec, doc: YamlDocument | None, time: TimeSpec) -> list[Problem]:
    problems = _identity_problems(model, doc)
    if problems:
        return problems
    capacity = capacity_problems(model, time, doc)
    if capacity:  # derived baselines (read by the checks below) need sound capacity nodes
        return (
            loop_problems(model, doc)
            + capacity
            + lag_problems(model, time.dt, doc)
            + shape_problems(model, doc)
            + unit_problems(model, doc)
            + net_problems(model, doc)
        )
    return (
        loop_problems(model, doc)
        + lag_problems(model, time.dt, doc)
        + elasticity_problems(model, time, doc)
        + score_problems(model, doc)
        + baseline_problems(model, time, doc)
        + bound_problems(model, time, doc)
        + shape_problems(model, doc)
        + unit_problems(model, doc)
        + net_problems(model, doc)
        + behaviour_problems(model, doc)
    )


def behaviour_problems(model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Behaviour tests (``checks``) naming an unknown node, or a year outside the model's own horizon.

    A check is judged on the model's ``time`` whatever horizon the model is checked on (a
    scenario's shorter horizon does not make the model's checks wrong): ``year``, the
    interventions' start and the end of a ``within`` window must lie in it.
    """
    ids = model.node_ids
    start, end = model.time.start, model.time.end
    span = {"start": start, "end": end}
    problems = []
    for i, item in enumerate(model.checks):
        names: list[tuple[PathKey, str]] = [(("checks", i, "node"), item.node)]
        names += [(("checks", i, "with", j, "node"), it.node) for j, it in enumerate(item.interventions)]
        for path, name in names:
            if name not in ids and not (path[2] == "with" and family_elements(model, name)):
                problems.append(_locate(doc, path, msg("unknown node '{node}'", node=name), _hint_node(name, ids)))
        if item.year is not None and not start - 1e-9 <= item.year <= end + 1e-9:
            problems.append(
                _locate(
                    doc,
                    ("checks", i, "year"),
                    msg("year {year:g} is outside the model's horizon {start:g}-{end:g}", year=item.year, **span),
                    msg("choose a year from {start:g} to {end:g}, or widen the model's time", **span),
                )
            )
        first = item.start
        if item.within is None or first is None:
            continue
        if not start - 1e-9 <= first <= end + 1e-9:
            problems.append(
                _locate(
                    doc,
                    ("checks", i, "with"),
                    msg(
                        "the interventions start in {year:g}, outside the model's horizon {start:g}-{end:g}",
                        year=first,
                        **span,
                    ),
                    msg("start them from {start:g} to {end:g}", **span),
                )
            )
        elif first + item.within > end + 1e-9:
            problems.append(
                _locate(
                    doc,
                    ("checks", i, "within"),
                    msg(
                        "{within:g} years after {year:g} is after the model's horizon ends in {end:g}",
                        within=item.within,
                        year=first,
                        end=end,
                    ),
                    msg("use within: {most:g} or less, or widen the model's time", most=end - first),
                )
            )
    return problems


def _overridden_link(link: LinkSpec, override: LinkOverride, model: ModelSpec) -> LinkSpec:
    """``link`` of ``model`` with the fields ``override`` sets; pydantic ValidationError when invalid.

    An override's weight replaces a scored link's scores; a scored link that stays scored
    keeps the scale the model's baselines give (:func:`simulator.spec.with_score_scales`).
    """
    changes = override.model_dump(exclude_none=True, exclude={"source", "target"})
    data = link.model_dump(by_alias=True, exclude_none=True) | changes
    if "weight" in changes:
        data.pop("score", None)
        data.pop("scores", None)
    if "lag" in changes and "delay" not in changes and link.delay == "none":
        data["delay"] = None  # a lag given to an immediate link gets the default delay
    return with_score_scales([LinkSpec.model_validate(data)], model.nodes, model.time.start, model.links)[0]


def _overridden_node(node: NodeSpec, override: NodeOverride) -> NodeSpec:
    """``node`` with the fields ``override`` sets, validated again (min <= max, decay on stocks)."""
    changes = override.model_dump(exclude_none=True, exclude={"id"})
    return NodeSpec.model_validate(node.model_dump(exclude_none=True) | changes)


def apply_overrides(model: ModelSpec, scenario: ScenarioSpec) -> ModelSpec:
    """A new model with the scenario's overrides applied; ``model`` is not changed.

    Raises KeyError for an override naming a link or node the model lacks, and
    ValueError for one that makes an invalid link or node (:func:`check_scenario`
    reports both first).
    """
    if not scenario.overrides.links and not scenario.overrides.nodes:
        return model
    links = list(model.links)
    expansion = model.expansion
    for override in _family_first(scenario.overrides.links, model):
        for i in overridden_links(model, override):
            links[i] = _overridden_link(links[i], override, model)
        if expansion is not None and _is_family_link(model, override):  # a range given once: one parameter
            given = [f for f in ("weight", "lag") if getattr(override, f) is not None]
            origins = [
                o.model_copy(update={"shared": tuple(dict.fromkeys((*o.shared, *given)))})
                if o.family == f"{override.source}->{override.target}"
                else o
                for o in expansion.links
            ]
            expansion = expansion.model_copy(update={"links": tuple(origins)})
    nodes = list(model.nodes)
    for node_override in _family_first(scenario.overrides.nodes, model):
        for i in overridden_nodes(model, node_override.id):
            nodes[i] = _overridden_node(nodes[i], node_override)
    return model.model_copy(update={"links": links, "nodes": nodes, "expansion": expansion})


def _is_family_link(model: ModelSpec, override: LinkOverride) -> bool:
    return model.expansion is not None and f"{override.source}->{override.target}" in _family_links(model)


def _family_links(model: ModelSpec) -> set[str]:
    return {o.family for o in model.expansion.links if o.family} if model.expansion is not None else set()


def _family_first(overrides: list, model: ModelSpec) -> list:
    """Overrides of whole families (``jobs``, ``jobs->unemployment``) before those of one element,
    so that the element's own override wins."""
    families = set(model.expansion.families) if model.expansion is not None else set()
    links = _family_links(model)

    def of_family(o: LinkOverride | NodeOverride) -> bool:
        return (o.id in families) if isinstance(o, NodeOverride) else f"{o.source}->{o.target}" in links

    return [o for o in overrides if of_family(o)] + [o for o in overrides if not of_family(o)]


def overridden_links(model: ModelSpec, override: LinkOverride) -> list[int]:
    """Indices of the links an override changes: the link ``from -> to``, or every element link of a
    family link of a model with dimensions (``jobs -> unemployment``)."""
    pair = (override.source, override.target)
    found = [i for i, lk in enumerate(model.links) if (lk.source, lk.target) == pair]
    if found or model.expansion is None:
        return found
    key = f"{override.source}->{override.target}"
    return [i for i, origin in enumerate(model.expansion.links) if origin.family == key]


def overridden_nodes(model: ModelSpec, node_id: str) -> list[int]:
    """Indices of the nodes an override of ``node_id`` changes: the node, or every element of a family."""
    return [model.node_ids.index(n) for n in intervention_targets(model, node_id) if n in model.node_ids]


def _twice_overridden(scenario: ScenarioSpec, doc: YamlDocument | None) -> list[Problem]:
    """A link or node overridden twice (the later one would silently win)."""
    problems = []
    for kind, keys in (
        ("links", [f"{o.source}->{o.target}" for o in scenario.overrides.links]),
        ("nodes", [o.id for o in scenario.overrides.nodes]),
    ):
        for i, key in enumerate(keys):
            if key in keys[:i]:
                problems.append(
                    _locate(
                        doc,
                        ("overrides", kind, i),
                        msg("{key} is overridden twice", key=key),
                        msg(
                            "overrides.{kind}[{index}] already changes it; merge them", kind=kind, index=keys.index(key)
                        ),
                    )
                )
    return problems


def _override_problems(model: ModelSpec, scenario: ScenarioSpec, doc: YamlDocument | None) -> list[Problem]:
    """Overrides that would make an invalid link or node, each located at its override."""
    attempts: list[tuple[PathKey, Callable[[], LinkSpec | NodeSpec]]] = [
        (("overrides", "links", i), functools.partial(_overridden_link, model.links[j], o, model))
        for i, o in enumerate(scenario.overrides.links)  # each override's link and node exist (checked before)
        for j in overridden_links(model, o)[:1]
    ]  # a family's element links are alike but for their values
    attempts += [
        (("overrides", "nodes", i), functools.partial(_overridden_node, model.nodes[k], n))
        for i, n in enumerate(scenario.overrides.nodes)
        for k in overridden_nodes(model, n.id)
    ]
    problems = []
    for place, attempt in attempts:
        try:
            attempt()
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
                message = error["msg"].removeprefix("Value error, ")
                problems.append(
                    _locate(
                        doc, (*place, *loc[:1]), msg("this override makes an invalid model: {message}", message=message)
                    )
                )
    return unique(problems)  # a family's elements would each say it


def time_problems(scenario: ScenarioSpec, model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """A scenario's ``time`` that makes an invalid horizon once merged with the model's,
    located at the key the scenario gives (``time.start`` for ``{start: 2045}`` on a model ending 2040)."""
    own = scenario.own_time
    if own is None:
        return []
    return [_locate(doc, ("time", key), message) for key, message in own.merge_problems(model.time)]


_MODEL_PLACE = re.compile(r"^(nodes|links)\[(\d+)\](.*)$")


def _from_scenario(problem: Problem, scenario: ScenarioSpec, model: ModelSpec, doc: YamlDocument | None) -> Problem:
    """A structural problem of the scenario's effective model, pointed at the scenario file: at the
    override that changes the node or link it names, else at the scenario's ``overrides`` or ``time``."""
    message = msg("{message} (with this scenario's overrides and time)", message=problem.message)
    match = _MODEL_PLACE.match(problem.place)
    if match:
        kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
        keys: list[Hashable]
        key: Hashable
        if kind == "nodes":
            keys = [o.id for o in scenario.overrides.nodes]
            key = model.nodes[index].id
        else:
            keys = [(o.source, o.target) for o in scenario.overrides.links]
            key = (model.links[index].source, model.links[index].target)
        if key in keys:
            j = keys.index(key)
            field = rest.lstrip(".").split(".")[0].split("[")[0]
            override = getattr(scenario.overrides, kind)[j]
            given = doc.data["overrides"][kind][j] if doc is not None else override.model_fields_set
            overridden = field in given
            path = ("overrides", kind, j, field) if overridden else ("overrides", kind, j)
            return _locate(doc, path, message, problem.hint)
    line = None
    if doc is not None:
        given = [key for key in ("overrides", "time") if key in doc.data]
        line = doc.line_of((given[0],)) if given else None
    return Problem(doc.file if doc else "", problem.place, message, problem.hint, line)


def check_scenario(scenario: ScenarioSpec, model: ModelSpec, doc: YamlDocument | None = None) -> list[Problem]:
    """Every problem of a scenario against its model (empty list: it can run)."""
    ids = model.node_ids
    problems = time_problems(scenario, model, doc)
    families = list(model.expansion.families) if model.expansion is not None else []
    for i, item in enumerate(scenario.interventions):
        if item.node not in ids and item.node not in families:
            wrong_element = element_problem(model, item.node)
            message, hint = wrong_element or (
                msg("unknown node '{node}'", node=item.node),
                _hint_node(item.node, ids + families),
            )
            problems.append(_locate(doc, ("interventions", i, "node"), message, hint))
    pairs = {(lk.source, lk.target) for lk in model.links}
    for i, override in enumerate(scenario.overrides.links):
        if (override.source, override.target) not in pairs and not _is_family_link(model, override):
            key = f"{override.source}->{override.target}"
            problems.append(
                _locate(
                    doc,
                    ("overrides", "links", i),
                    msg("the model has no link {link}", link=key),
                    msg("an override changes an existing link"),
                )
            )
    for i, node_override in enumerate(scenario.overrides.nodes):
        if node_override.id not in ids and node_override.id not in families:
            problems.append(
                _locate(
                    doc,
                    ("overrides", "nodes", i, "id"),
                    msg("unknown node '{node}'", node=node_override.id),
                    _hint_node(node_override.id, ids),
                )
            )
    problems += _twice_overridden(scenario, doc)
    problems = problems or _override_problems(model, scenario, doc)
    if problems:
        return problems
    effective = apply_overrides(model, scenario)
    time = scenario.time_on(model)
    structural = check_model(effective, None, time)
    return [_from_scenario(p, scenario, effective, doc) for p in structural] + _relative_problems(
        scenario, effective, time, doc
    )


def _relative_problems(
    scenario: ScenarioSpec, model: ModelSpec, time: TimeSpec, doc: YamlDocument | None
) -> list[Problem]:
    """Relative interventions on a node whose baseline is 0 over the whole run (they do nothing)."""
    times = time_grid(time)
    path = _baseline_paths(model, times, time.start)
    problems = []
    for i, item in enumerate(scenario.interventions):
        for node in intervention_targets(model, item.node):  # a family: each of its elements
            if item.relative and not np.any(path(model.node_ids.index(node))):
                problems.append(
                    _locate(
                        doc,
                        ("interventions", i, "relative"),
                        msg("a relative intervention on '{node}', whose baseline is 0, does nothing", node=node),
                        msg("give the change in the node's unit (relative: false)"),
                    )
                )
    return problems
