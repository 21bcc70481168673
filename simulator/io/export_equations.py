"""A prepared scenario as system-dynamics equations, shared by the MDL and XMILE writers.

Each node ``x`` becomes ``x_baseline`` (its baseline path), ``x_input`` (the
scenario's interventions), ``x_delta`` (the deviation ``d``) and ``x`` (the value
``b + d``); each link ``a -> b`` becomes ``a_to_b_effect``, or, into a capacity
node (``kind: minimum`` / ``maximum``), ``a_to_b_value`` (``w * (a_baseline +
L[a_delta])``), and the node's baseline and deviation are nested ``MIN`` / ``MAX``
of those values (ENGINE.md). Lags use Vensim's own
functions (``DELAY FIXED``, ``DELAY1``, ``DELAY3``: :data:`simulator.delays.VENSIM_FUNCTIONS`, whose
module defines what each delay type does) so that Vensim, Stella or PySD
compute exactly what bwsim computes (ENGINE.md). Central (mode) values are used
for every uncertain weight and lag. A shaped link's signal is written out
(:mod:`simulator.shapes`): a lookup as a table ``a_to_b_shape`` read at the
source's value and at its baseline (``WITH LOOKUP`` / a graphical function), a
threshold with ``MAX``, a saturation with ``EXP``.

Units: ``Equation.units`` is the node's unit expression (:mod:`simulator.units`); each writer
turns it into its dialect's unit syntax (:func:`simulator.units.export_units`). A link's effect
and a stock's inputs are flows, in the stock's unit per year. ``shown_units`` is the unit as
people read it (``unit_label``), for comments.

Expressions are small trees of tuples, rendered by each dialect:
``("num", x)``, ``("ref", name)``, ``("time",)``, ``("add", [..])``,
``("mul", [..])``, ``("sub", a, b)``, ``("div", a, b)``, ``("pow", a, b)``,
``("min", a, b)``, ``("max", a, b)``, ``("if", cond, a, b)``, ``("ge"|"gt"|"lt", a, b)``,
``("and", a, b)``, ``("exp", a)``, ``("lookup", table, arg)``, ``("delay_fixed", x, tau)``,
``("delay1", x, tau, init|None)``, ``("delay3", x, tau, init|None)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.engine import simulate
from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.scenario_run import PreparedScenario
from simulator.spec import (
    GrowthBaseline,
    InterventionSpec,
    LinkShape,
    Lookup,
    NodeSpec,
    Saturation,
    ScoredWeight,
    SeriesBaseline,
    Threshold,
)

Expr = tuple[Any, ...]


@dataclass(frozen=True)
class Equation:
    """One model variable. ``kind`` is "aux", "stock" (``expr`` is the net flow, initial 0) or
    "lookup" (``points`` is the table)."""

    name: str
    kind: str
    expr: Expr | None = None
    points: tuple[tuple[float, float], ...] = ()
    units: str = ""
    comment: str = ""
    shown_units: str = ""

    @property
    def flow_units(self) -> str:
        """A stock's flow unit: its own unit per year (model-language text; "" without a unit)."""
        return per_year(self.units) if self.units else ""

    @property
    def formula(self) -> Expr:
        """The expression of an aux or stock (a lookup has none: its table is ``points``)."""
        if self.expr is None:
            raise ValueError(f"{self.kind} {self.name} has no expression")
        return self.expr


def per_year(unit: str) -> str:
    """``unit`` per year, as a unit expression of :mod:`simulator.units` (``(persons)/yr``)."""
    return f"({unit})/yr" if unit.strip() else "1/yr"


@dataclass(frozen=True)
class EquationSet:
    """All equations of one exported model, with its time settings (years)."""

    name: str
    start: float
    end: float
    dt: float
    equations: list[Equation] = field(default_factory=list)


def _num(x: float) -> Expr:
    return ("num", float(x))


def _on_grid(t: float, start: float, dt: float) -> bool:
    k = (t - start) / dt
    return abs(k - round(k)) < 1e-9


def _baseline(node: NodeSpec, start: float, end: float) -> tuple[Expr, list[Equation]]:
    b = node.baseline
    if isinstance(b, GrowthBaseline):
        year = start if b.year is None else b.year
        return ("mul", [_num(b.value), ("pow", _num(1.0 + b.growth), ("sub", ("time",), _num(year)))]), []
    if isinstance(b, SeriesBaseline):
        table = f"{node.id}_baseline_table"
        return ("lookup", table, ("time",)), [Equation(table, "lookup", points=_table(b.series, start, end))]
    return _num(0.0 if b is None else b), []  # None: a capacity node's, written by _capacity_baseline


# --- capacity nodes (minimum / maximum) ---------------------------------------------------

def _nested(kind: str, operands: list[Expr]) -> Expr:
    """``MIN(a, MIN(b, c))`` (or ``MAX``) of two or more operands: Vensim's MIN and MAX take two."""
    op = "min" if kind == "minimum" else "max"
    expr = operands[-1]
    for operand in reversed(operands[:-1]):
        expr = (op, operand, expr)
    return expr


def _capacity_baseline(node: NodeSpec, links: list, weights: np.ndarray) -> tuple[Expr, list[Equation]]:
    """A capacity node's derived baseline: the smallest (largest) of ``w_j * b_j`` over its links."""
    inputs: list[Expr] = [("mul", [_num(weights[j]), ("ref", f"{lk.source}_baseline")])
                          for j, lk in enumerate(links) if lk.target == node.id]
    return _nested(node.kind, inputs), []


def _table(series: dict[float, float], start: float, end: float) -> tuple[tuple[float, float], ...]:
    """A lookup table, extended flat to the run's ends so no tool extrapolates."""
    years = sorted(series)
    points = [(float(y), float(series[y])) for y in years]
    if start < years[0]:
        points.insert(0, (float(start), points[0][1]))
    if end > years[-1]:
        points.append((float(end), points[-1][1]))
    return tuple(points)


def _shape(item: InterventionSpec, name: str, start: float, end: float, dt: float) -> tuple[Expr, list[Equation]]:
    p = item.param
    if item.shape == "series":
        return ("lookup", name, ("time",)), [Equation(name, "lookup", points=_table(item.table, start, end))]
    if item.shape == "step":
        if _on_grid(p("start"), start, dt):
            return ("step", _num(p("height")), _num(p("start"))), []
        return ("if", ("ge", ("time",), _num(p("start"))), _num(p("height")), _num(0.0)), []
    if item.shape == "pulse":
        on = ("and", ("ge", ("time",), _num(p("start"))), ("lt", ("time",), _num(p("start") + p("width"))))
        return ("if", on, _num(p("height")), _num(0.0)), []
    ramp = ("mul", [_num(p("slope")), ("sub", ("min", ("time",), _num(p("end"))), _num(p("start")))])
    return ("if", ("gt", ("time",), _num(p("start"))), ramp, _num(0.0)), []


def build_equations(prepared: PreparedScenario) -> EquationSet:
    """The equations of a prepared scenario (its model with overrides, its interventions).

    Raises
    ------
    InputError
        When two generated variable names collide (Vensim names ignore case).
    """
    model, time, cm = prepared.model, prepared.time, prepared.compiled
    out = EquationSet(prepared.name, time.start, time.end, time.dt)
    eqs = out.equations
    initial = _initial_signals(prepared)
    for node in model.nodes:
        expr, extra = (_capacity_baseline(node, model.links, cm.weight) if node.is_capacity
                       else _baseline(node, time.start, time.end))
        eqs.extend(extra)
        eqs.append(Equation(f"{node.id}_baseline", "aux", expr, units=node.unit,
                            comment=f"Baseline of {node.label.en}", shown_units=node.shown_unit))
        eqs.append(Equation(node.id, "aux", ("add", [("ref", f"{node.id}_baseline"), ("ref", f"{node.id}_delta")]),
                            units=node.unit, comment=node.label.en, shown_units=node.shown_unit))
    inputs: dict[str, list[Expr]] = {n.id: [] for n in model.nodes}
    for i, item in enumerate(prepared.interventions):
        expr, extra = _shape(item, f"{item.node}_input_{i}_table", time.start, time.end, time.dt)
        eqs.extend(extra)
        if item.relative:
            expr = ("mul", [expr, ("ref", f"{item.node}_baseline")])
        inputs[item.node].append(expr)
    incoming: dict[str, list[Expr]] = {n.id: [] for n in model.nodes}
    for j, link in enumerate(model.links):
        name = f"{link.source}_to_{link.target}_effect"
        signal: Expr = ("ref", f"{link.source}_delta")
        if link.form == "elasticity":
            signal = ("div", signal, ("ref", f"{link.source}_baseline"))
        if link.shape is not None:
            signal, extra = _shaped_signal(link.source, f"{link.source}_to_{link.target}_shape", link.shape,
                                           float(cm.weight[j]))
            eqs.extend(extra)
        tau = float(cm.lag[j])
        init = None if cm.initial_levels is not None else _num(initial[j])
        lagged = {"none": signal, "fixed": ("delay_fixed", signal, _num(tau)),
                  "exponential": ("delay1", signal, _num(tau), init),
                  "third_order": ("delay3", signal, _num(tau), init)}[link.delay]
        if model.node(link.target).is_capacity:  # an input value, not an effect (ENGINE.md, capacity nodes)
            name = f"{link.source}_to_{link.target}_value"
            target = model.node(link.target)
            eqs.append(Equation(name, "aux", ("mul", [_num(cm.weight[j]),
                                                      ("add", [("ref", f"{link.source}_baseline"), lagged])]),
                                comment=f"Input of {link.source} into {link.target} (a value)",
                                units=target.unit, shown_units=target.shown_unit))
            incoming[link.target].append(("ref", name))
            continue
        saturating = link.shape is not None and link.shape.kind == "saturation"  # its weight is inside
        factors = [lagged] if saturating else [_num(cm.weight[j]), lagged]
        if link.form == "elasticity":
            factors.insert(0, ("ref", f"{link.target}_baseline"))
        target = model.node(link.target)
        flow = target.kind == "stock" and bool(target.unit.strip())
        comment = f"Effect of {link.source} on {link.target}"
        if isinstance(link.weight, ScoredWeight):  # the central weight is written; the scores say where it came from
            lo, hi = link.weight.support
            comment += (f"; weight from expert scores {link.weight.label} (pooled range {lo:.6g} to {hi:.6g}, "
                        f"central {link.weight.central:.6g})")
        eqs.append(Equation(name, "aux", ("mul", factors), comment=comment,
                            units=per_year(target.unit) if flow else target.unit,
                            shown_units=f"{target.shown_unit}/yr" if flow else target.shown_unit))
        incoming[link.target].append(("ref", name))
    for node in model.nodes:
        eqs.extend(_delta_equations(node, inputs[node.id], incoming[node.id], time.dt))
    if model.expansion is not None:  # element nodes jobs[heerlen] get names Vensim and XMILE take
        out = EquationSet(out.name, out.start, out.end, out.dt, [_renamed(eq) for eq in eqs])
        eqs = out.equations
    _check_names(eqs, prepared.name)
    return out


def export_name(name: str) -> str:
    """A variable name valid in Vensim and XMILE for a name with an element: ``jobs[heerlen]_delta``
    becomes ``jobs__heerlen_delta``, ``income[heerlen,laag]`` ``income__heerlen__laag``
    (subscripted export, Vensim's own ``jobs[gemeente]``, is not written yet)."""
    return name.replace("[", "__").replace(",", "__").replace("]", "")


def _renamed_expr(expr: Any) -> Any:
    if not isinstance(expr, tuple) or not expr:
        return expr
    if expr[0] == "ref":
        return ("ref", export_name(expr[1]))
    if expr[0] == "lookup":
        return ("lookup", export_name(expr[1]), _renamed_expr(expr[2]))
    return tuple([expr[0], *(([_renamed_expr(x) for x in part] if isinstance(part, list) else _renamed_expr(part))
                            for part in expr[1:])])


def _renamed(eq: Equation) -> Equation:
    return Equation(export_name(eq.name), eq.kind, _renamed_expr(eq.expr), eq.points, eq.units,
                    eq.comment, eq.shown_units)


def _shaped_signal(source: str, table: str, shape: LinkShape, weight: float) -> tuple[Expr, list[Equation]]:
    """A shaped link's signal ``f(b + d) - f(b)`` (simulator.shapes), and the lookup table it reads."""
    value, base = ("ref", source), ("ref", f"{source}_baseline")
    if isinstance(shape, Saturation):
        top = _num(shape.max.central)
        exponent = ("div", ("mul", [_num(-weight), ("ref", f"{source}_delta")]), top)
        return ("mul", [top, ("sub", _num(1.0), ("exp", exponent))]), []
    if isinstance(shape, Lookup):
        points = tuple((float(x), float(y)) for x, y in shape.points)
        return ("sub", ("lookup", table, value), ("lookup", table, base)), [
            Equation(table, "lookup", points=points, comment=f"Shape of the effect of {source}")]
    if isinstance(shape, Threshold):
        level = _num(shape.level.central)

        def over(x: Expr) -> Expr:
            return ("max", _num(0.0), ("sub", x, level) if shape.side == "above" else ("sub", level, x))

        return ("sub", over(value), over(base)), []
    raise ValueError(f"unknown link shape {shape.kind!r}")


def _delta_equations(node: NodeSpec, inputs: list[Expr], incoming: list[Expr], dt: float) -> list[Equation]:
    """``x_input`` and ``x_delta`` (with ``x_delta_raw`` for a bounded stock)."""
    flow = node.kind == "stock" and bool(node.unit.strip())  # into a stock, an intervention is a flow
    eqs = [Equation(f"{node.id}_input", "aux", ("add", inputs) if inputs else _num(0.0),
                    units=per_year(node.unit) if flow else node.unit, comment=f"Interventions on {node.label.en}",
                    shown_units=f"{node.shown_unit}/yr" if flow else node.shown_unit)]
    total: Expr = ("add", [("ref", f"{node.id}_input"), *incoming])
    if node.is_capacity:  # (min_j value_j - baseline) + input, as the engine sums it
        total = ("add", [("sub", _nested(node.kind, incoming), ("ref", f"{node.id}_baseline")),
                         ("ref", f"{node.id}_input")])
    bounded = node.min is not None or node.max is not None
    name = f"{node.id}_delta"

    def clip(raw: Expr) -> Expr:
        value: Expr = ("add", [("ref", f"{node.id}_baseline"), raw])
        if node.min is not None:
            value = ("max", value, _num(node.min))
        if node.max is not None:
            value = ("min", value, _num(node.max))
        return ("sub", value, ("ref", f"{node.id}_baseline"))

    if node.kind != "stock":
        eqs.append(Equation(name, "aux", clip(total) if bounded else total, units=node.unit,
                            shown_units=node.shown_unit))
        return eqs
    net: Expr = ("sub", total, ("mul", [_num(node.decay), ("ref", name)])) if node.decay else total
    if not bounded:
        return [*eqs, Equation(name, "stock", net, units=node.unit, shown_units=node.shown_unit)]
    raw = f"{node.id}_delta_raw"
    correction = ("div", ("sub", ("ref", name), ("ref", raw)), _num(dt))
    return [*eqs, Equation(raw, "stock", ("add", [net, correction]), units=node.unit,
                           comment="unclipped state; the correction flow keeps it at the clipped value",
                           shown_units=node.shown_unit),
            Equation(name, "aux", clip(("ref", raw)), units=node.unit, shown_units=node.shown_unit)]


def _initial_signals(prepared: PreparedScenario) -> np.ndarray:
    """Each link's input signal at ``t_0`` (used as explicit lag initial values)."""
    cm = prepared.compiled
    d0 = simulate(cm, prepared.inputs)[0, :, 0]
    return np.array([float(cm.signal(j, d0[cm.source[j]], 0)) for j in range(cm.n_links)])


def _check_names(eqs: list[Equation], scenario: str) -> None:
    seen: dict[str, str] = {}
    for eq in eqs:
        key = eq.name.lower()
        if key in seen:
            raise InputError(Problem("", "", msg("exported variable name '{name}' is used twice", name=eq.name),
                                     msg("rename the node whose id ends in _baseline, _delta or _input")))
        seen[key] = eq.name
