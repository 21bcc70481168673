"""A prepared scenario as system-dynamics equations, shared by the MDL and XMILE writers.

Each node ``x`` becomes ``x_baseline`` (its baseline path), ``x_input`` (the
scenario's interventions), ``x_delta`` (the deviation ``d``) and ``x`` (the value
``b + d``); each link ``a -> b`` becomes ``a_to_b_effect``, or, into a capacity
node (``kind: minimum`` / ``maximum``), ``a_to_b_value`` (``w * (a_baseline +
L[a_delta])``), and the node's baseline and deviation are nested ``MIN`` / ``MAX``
of those values (ENGINE.md). Central (mode) values are used for every uncertain
weight and lag.

Written so that every engine reads it alike (PySD, Vensim, Stella, Simlin, SDEverywhere):

- **Named constants.** Each link's weight is a constant ``a_to_b_weight`` (with the weight's
  unit), a smoothed link's lag ``a_to_b_lag`` (years), a saturation's ``a_to_b_max`` and a
  threshold's ``a_to_b_level``; each intervention's numbers are constants
  ``x_input_<i>_<height|start|width|slope|end>``. The exported model is a policy model one can
  edit in Vensim or Stella.
- **Delays as explicit stocks** (:mod:`simulator.delays` defines what each does), never a
  delay built-in: Simlin and SDEverywhere mishandle ``DELAY1`` inside an expression or closing
  a loop of auxiliaries, and Simlin reads ``DELAY FIXED`` / XMILE ``DELAY`` as a smooth. A lagged
  link's signal is the aux ``a_to_b_signal``; an ``exponential`` lag is one stock
  ``a_to_b_lagged`` with the net flow ``(signal - lagged) / lag``; a ``third_order`` lag three
  stocks ``a_to_b_lagged_1..3`` of ``lag / 3`` each; a ``fixed`` lag of ``n`` steps
  (:func:`simulator.delays.fixed_steps`) a pipeline of ``n`` stocks ``a_to_b_lagged_1..n``, each
  with the net flow ``(previous - own) / dt_years`` (:data:`STEP`, a constant equal to the time
  step: PySD's XMILE reader knows no ``DT``) and starting at 0, so stage ``k`` holds the
  signal of ``k`` steps ago. A smoother starts at its signal (``a_to_b_signal``), or, where lags
  form a loop that is solved at ``t_0`` (no engine can order that initialisation), at the
  number bwsim computes there.
- **Graphical functions in their variable.** A lookup is a variable with an input and a table
  (``WITH LOOKUP`` in Vensim, ``<gf>`` inside the ``<aux>`` in XMILE), never a free-standing
  table: a series baseline ``x_baseline_table`` (input ``Time``), a lookup link's
  ``a_to_b_shape`` (at the source's value) and ``a_to_b_shape_at_baseline``.

A shaped link's signal is written out (:mod:`simulator.shapes`): a lookup as the difference of
its two table variables, a threshold with ``MAX``, a saturation with ``EXP``.

Units: ``Equation.units`` is the unit expression (:mod:`simulator.units`); each writer turns it
into its dialect's unit syntax (:func:`simulator.units.export_units`). A link's effect and a
stock's inputs are flows, in the stock's unit per year. ``shown_units`` is the unit as people
read it (``unit_label``), for comments.

Expressions are small trees of tuples, rendered by each dialect:
``("num", x)``, ``("ref", name)``, ``("time",)``, ``("add", [..])``,
``("mul", [..])``, ``("sub", a, b)``, ``("div", a, b)``, ``("pow", a, b)``,
``("min", a, b)``, ``("max", a, b)``, ``("if", cond, a, b)``, ``("ge"|"gt"|"lt", a, b)``,
``("and", a, b)``, ``("exp", a)``, ``("step", height, start)``; in a subscripted export
(:mod:`simulator.io.export_subscripts`) also ``("sum", family, dimension, elements)``, the sum over every element.
An equation's ``dims`` are its family's dimensions (subscripts), ``elements`` the one element it
defines (empty: one equation for every element).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from simulator.delays import fixed_steps
from simulator.engine import simulate
from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.network_layout import diagram_positions
from simulator.scenario_run import PreparedScenario
from simulator.spec import (
    Expansion,
    GrowthBaseline,
    InterventionSpec,
    LinkSpec,
    Lookup,
    ModelSpec,
    NodeSpec,
    Saturation,
    ScoredWeight,
    SeriesBaseline,
    Threshold,
)
from simulator.units import expected_text, parse_unit

Expr = tuple[Any, ...]


@dataclass(frozen=True)
class Equation:
    """One model variable.

    ``kind`` is "const" (``expr`` is a number), "aux", "stock" (``expr`` is the net flow,
    ``initial`` the initial value, 0 when None) or "lookup" (``expr`` is the input, ``points``
    the table it is read in: a graphical function embedded in its variable).
    """

    name: str
    kind: str
    expr: Expr | None = None
    points: tuple[tuple[float, float], ...] = ()
    units: str = ""
    comment: str = ""
    shown_units: str = ""
    initial: Expr | None = None
    dims: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()

    @property
    def written_name(self) -> str:
        """The name as its definition writes it: ``x``, ``x[gemeente]`` (every element alike) or ``x[heerlen]``."""
        subs = self.elements or self.dims
        return f"{self.name}[{','.join(subs)}]" if subs else self.name

    @property
    def flow_units(self) -> str:
        """A stock's flow unit: its own unit per year (model-language text; "" without a unit)."""
        return per_year(self.units) if self.units else ""

    @property
    def formula(self) -> Expr:
        """The expression of a constant, aux or stock, or a lookup's input."""
        if self.expr is None:
            raise ValueError(f"{self.kind} {self.name} has no expression")
        return self.expr

    @property
    def initial_value(self) -> Expr:
        """A stock's initial value (0 unless given)."""
        return ("num", 0.0) if self.initial is None else self.initial


def per_year(unit: str) -> str:
    """``unit`` per year, as a unit expression of :mod:`simulator.units` (``(persons)/yr``)."""
    return f"({unit})/yr" if unit.strip() else "1/yr"


@dataclass(frozen=True)
class EquationSet:
    """All equations of one exported model, with its time settings (years).

    ``positions`` places variables on a diagram (name -> x, y in points, y down); variables
    without a position are left off the diagram. ``dimensions`` (name -> elements) are the
    subscript ranges of a subscripted export (:mod:`simulator.io.export_subscripts`).
    """

    name: str
    start: float
    end: float
    dt: float
    equations: list[Equation] = field(default_factory=list)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    dimensions: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _num(x: float) -> Expr:
    return ("num", float(x))


def _ref(name: str) -> Expr:
    return ("ref", name)


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
        return _ref(table), [
            Equation(
                table,
                "lookup",
                ("time",),
                points=_table(b.series, start, end),
                units=node.unit,
                shown_units=node.shown_unit,
                comment=f"Baseline table of {node.label.en}",
            )
        ]
    return _num(0.0 if b is None else b), []  # None: a capacity node's, written by _capacity_baseline


# --- capacity nodes (minimum / maximum) ---------------------------------------------------


def _nested(kind: str, operands: list[Expr]) -> Expr:
    """``MIN(a, MIN(b, c))`` (or ``MAX``) of two or more operands: Vensim's MIN and MAX take two."""
    op = "min" if kind == "minimum" else "max"
    expr = operands[-1]
    for operand in reversed(operands[:-1]):
        expr = (op, operand, expr)
    return expr


def _capacity_baseline(node: NodeSpec, links: list[LinkSpec]) -> tuple[Expr, list[Equation]]:
    """A capacity node's derived baseline: the smallest (largest) of ``w_j * b_j`` over its links."""
    inputs: list[Expr] = [
        ("mul", [_ref(f"{_link_name(lk)}_weight"), _ref(f"{lk.source}_baseline")])
        for lk in links
        if lk.target == node.id
    ]
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


# --- interventions ------------------------------------------------------------------------

ShapeParameter = Literal["height", "start", "width", "slope", "end"]
_SHAPE_PARAMETERS: dict[str, tuple[ShapeParameter, ...]] = {
    "step": ("height", "start"),
    "pulse": ("height", "start", "width"),
    "ramp": ("slope", "start", "end"),
    "series": (),
}


def _shape(
    item: InterventionSpec, name: str, units: str, start: float, end: float, dt: float
) -> tuple[Expr, list[Equation]]:
    """An intervention's shape, its numbers as named constants ``<name>_<parameter>``."""
    if item.shape == "series":
        table = f"{name}_table"
        return _ref(table), [
            Equation(
                table,
                "lookup",
                ("time",),
                points=_table(item.table, start, end),
                units=units,
                comment=f"Intervention on {item.node} (a series)",
            )
        ]
    size = "1" if item.relative else units  # a relative intervention is a share of the baseline
    unit_of = {
        "height": size,
        "start": "yr",
        "width": "yr",
        "end": "yr",
        "slope": f"({size})/yr" if size.strip() else "1/yr",
    }
    constants = [
        Equation(
            f"{name}_{key}",
            "const",
            _num(item.param(key)),
            units=unit_of[key],
            comment=f"Intervention on {item.node}: {key}",
        )
        for key in _SHAPE_PARAMETERS[item.shape]
    ]
    p = {key: _ref(f"{name}_{key}") for key in _SHAPE_PARAMETERS[item.shape]}
    if item.shape == "step":
        if _on_grid(item.param("start"), start, dt):
            return ("step", p["height"], p["start"]), constants
        return ("if", ("ge", ("time",), p["start"]), p["height"], _num(0.0)), constants
    if item.shape == "pulse":
        on = ("and", ("ge", ("time",), p["start"]), ("lt", ("time",), ("add", [p["start"], p["width"]])))
        return ("if", on, p["height"], _num(0.0)), constants
    ramp = ("mul", [p["slope"], ("sub", ("min", ("time",), p["end"]), p["start"])])
    return ("if", ("gt", ("time",), p["start"]), ramp, _num(0.0)), constants


# --- links --------------------------------------------------------------------------------


def _link_name(link: LinkSpec) -> str:
    return f"{link.source}_to_{link.target}"


def _weight_units(model: ModelSpec, link: LinkSpec) -> str:
    """The weight's unit expression ("" when the nodes' units give none that parses)."""
    source, target = model.node(link.source), model.node(link.target)
    into_stock = target.kind == "stock" and bool(target.unit.strip())
    if target.is_capacity:  # w * (b + d): the weight turns the source's unit into the node's
        into_stock = False
    text = link.weight_unit or (
        expected_text(target.unit, source.unit, link.form, into_stock)
        if (target.unit.strip() and source.unit.strip()) or link.form == "elasticity"
        else ""
    )
    try:
        parse_unit(text) if text.strip() else None
    except Exception:  # noqa: BLE001 - a unit no tool could read is left off, not guessed
        return ""
    return text


def _link_constants(model: ModelSpec, link: LinkSpec, weight: float, lag: float) -> list[Equation]:
    """A link's weight, its lag when it is smoothed, a saturation's max and a threshold's level."""
    name = _link_name(link)
    comment = f"Weight of {link.source} on {link.target}"
    if isinstance(link.weight, ScoredWeight):  # the central weight is written; the scores say where it came from
        lo, hi = link.weight.support
        comment += (
            f"; weight from expert scores {link.weight.label} (pooled range {lo:.6g} to {hi:.6g}, "
            f"central {link.weight.central:.6g})"
        )
    eqs = [Equation(f"{name}_weight", "const", _num(weight), units=_weight_units(model, link), comment=comment)]
    if link.delay in ("exponential", "third_order"):
        eqs.append(
            Equation(
                f"{name}_lag",
                "const",
                _num(lag),
                units="yr",
                comment=f"Lag of {link.source} on {link.target} ({link.delay} delay)",
            )
        )
    if isinstance(link.shape, Saturation):
        eqs.append(
            Equation(
                f"{name}_max",
                "const",
                _num(link.shape.max.central),
                units=model.node(link.target).unit,
                comment="Saturation level of the effect",
            )
        )
    if isinstance(link.shape, Threshold):
        eqs.append(
            Equation(
                f"{name}_level",
                "const",
                _num(link.shape.level.central),
                units=model.node(link.source).unit,
                comment="Threshold of the effect",
            )
        )
    return eqs


def _signal_units(model: ModelSpec, link: LinkSpec) -> str:
    """The unit of a link's signal before its weight: the source's (linear), none (elasticity)."""
    if link.shape is not None:
        return model.node(link.target).unit if isinstance(link.shape, Saturation) else ""
    return "1" if link.form == "elasticity" else model.node(link.source).unit


def _lagged(
    link: LinkSpec, signal: Expr, units: str, lag: float, dt: float, init: Expr | None
) -> tuple[Expr, list[Equation]]:
    """The link's signal through its delay, as explicit stocks (see the module's text)."""
    if link.delay == "none":
        return signal, []
    name = _link_name(link)
    eqs = [
        Equation(
            f"{name}_signal",
            "aux",
            signal,
            units=units,
            comment=f"Signal of {link.source} into {link.target}, before its {link.delay} delay",
        )
    ]
    previous: Expr = _ref(f"{name}_signal")
    if link.delay == "fixed":
        stages = int(fixed_steps(lag, dt))
        residence: Expr = _ref(STEP)
        start: Expr | None = None
        note = f"stage {{k}} of {stages} of a fixed delay of {lag:g} years ({stages} steps of TIME STEP)"
    else:
        stages = 1 if link.delay == "exponential" else 3
        residence = _ref(f"{name}_lag") if stages == 1 else ("div", _ref(f"{name}_lag"), _num(3.0))
        start = previous if init is None else init
        note = f"{link.delay} delay of {link.source} into {link.target}" + (
            f", stage {{k}} of {stages}" if stages > 1 else ""
        )
    for k in range(1, stages + 1):
        stage = f"{name}_lagged" if stages == 1 and link.delay == "exponential" else f"{name}_lagged_{k}"
        eqs.append(
            Equation(
                stage,
                "stock",
                ("div", ("sub", previous, _ref(stage)), residence),
                units=units,
                initial=start,
                comment=note.format(k=k),
            )
        )
        previous = _ref(stage)
    return previous, eqs


STEP = "dt_years"
"""The constant that holds the time step (years): each stage of a fixed delay's pipeline holds its signal
this long, and a bounded stock's correction flow divides by it. (PySD's XMILE reader knows no ``DT``.)"""


def build_equations(prepared: PreparedScenario, flat: bool = False) -> EquationSet:
    """The equations of a prepared scenario (its model with overrides, its interventions).

    A model with dimensions is written subscripted (:mod:`simulator.io.export_subscripts`:
    Vensim subscripts, XMILE arrays), or with ``flat`` as its expanded network with names
    both dialects take (:func:`export_name`, ``jobs__heerlen``).

    Each node's value ``x`` is placed on the diagram where the app's network view puts it
    (:func:`simulator.network_layout.diagram_positions`).

    Raises
    ------
    InputError
        When two generated variable names collide (Vensim names ignore case).
    """
    model, time, cm = prepared.model, prepared.time, prepared.compiled
    out = EquationSet(prepared.name, time.start, time.end, time.dt, positions=diagram_positions(model))
    eqs = out.equations
    initial = _initial_signals(prepared)
    for j, link in enumerate(model.links):
        eqs.extend(_link_constants(model, link, float(cm.weight[j]), float(cm.lag[j])))
    if any(link.delay == "fixed" for link in model.links) or any(
        n.kind == "stock" and (n.min is not None or n.max is not None) for n in model.nodes
    ):
        eqs.append(
            Equation(
                STEP,
                "const",
                _num(time.dt),
                units="yr",
                comment="The time step: fixed delays and bounded stocks use it; keep it at TIME STEP",
            )
        )
    for node in model.nodes:
        expr, extra = (
            _capacity_baseline(node, model.links) if node.is_capacity else _baseline(node, time.start, time.end)
        )
        eqs.extend(extra)
        eqs.append(
            Equation(
                f"{node.id}_baseline",
                "aux",
                expr,
                units=node.unit,
                comment=f"Baseline of {node.label.en}",
                shown_units=node.shown_unit,
            )
        )
        eqs.append(
            Equation(
                node.id,
                "aux",
                ("add", [_ref(f"{node.id}_baseline"), _ref(f"{node.id}_delta")]),
                units=node.unit,
                comment=node.label.en,
                shown_units=node.shown_unit,
            )
        )
    inputs: dict[str, list[Expr]] = {n.id: [] for n in model.nodes}
    for i, item in enumerate(prepared.interventions):
        node = model.node(item.node)
        units = per_year(node.unit) if node.kind == "stock" and node.unit.strip() else node.unit
        expr, extra = _shape(item, f"{item.node}_input_{i}", units, time.start, time.end, time.dt)
        eqs.extend(extra)
        if item.relative:
            expr = ("mul", [expr, _ref(f"{item.node}_baseline")])
        inputs[item.node].append(expr)
    incoming: dict[str, list[Expr]] = {n.id: [] for n in model.nodes}
    for j, link in enumerate(model.links):
        base = _link_name(link)
        weight = _ref(f"{base}_weight")
        signal: Expr = _ref(f"{link.source}_delta")
        if link.form == "elasticity":
            signal = ("div", signal, _ref(f"{link.source}_baseline"))
        if link.shape is not None:
            signal, extra = _shaped_signal(link.source, base, link.shape, weight)
            eqs.extend(extra)
        init = None if cm.initial_levels is not None else _num(initial[j])
        lagged, extra = _lagged(link, signal, _signal_units(model, link), float(cm.lag[j]), time.dt, init)
        eqs.extend(extra)
        target = model.node(link.target)
        if target.is_capacity:  # an input value, not an effect (ENGINE.md, capacity nodes)
            name = f"{base}_value"
            eqs.append(
                Equation(
                    name,
                    "aux",
                    ("mul", [weight, ("add", [_ref(f"{link.source}_baseline"), lagged])]),
                    comment=f"Input of {link.source} into {link.target} (a value)",
                    units=target.unit,
                    shown_units=target.shown_unit,
                )
            )
            incoming[link.target].append(_ref(name))
            continue
        saturating = link.shape is not None and link.shape.kind == "saturation"  # its weight is inside
        factors = [lagged] if saturating else [weight, lagged]
        if link.form == "elasticity":
            factors.insert(0, _ref(f"{link.target}_baseline"))
        flow = target.kind == "stock" and bool(target.unit.strip())
        eqs.append(
            Equation(
                f"{base}_effect",
                "aux",
                ("mul", factors),
                comment=f"Effect of {link.source} on {link.target}",
                units=per_year(target.unit) if flow else target.unit,
                shown_units=f"{target.shown_unit}/yr" if flow else target.shown_unit,
            )
        )
        incoming[link.target].append(_ref(f"{base}_effect"))
    for node in model.nodes:
        eqs.extend(_delta_equations(node, inputs[node.id], incoming[node.id]))
    _check_names([_renamed(eq) for eq in out.equations], prepared.name)
    return out if model.expansion is None else _with_dimensions(out, model.expansion, flat)


def _with_dimensions(out: EquationSet, expansion: Expansion, flat: bool) -> EquationSet:
    """The expanded equations ``out`` subscripted, or with ``flat`` (or an element in two dimensions)
    named by :func:`export_name`."""
    if not flat:
        from simulator.io.export_subscripts import NotFoldable, subscripted  # it builds on this module

        try:
            return subscripted(out, expansion)
        except NotFoldable:  # an element in two dimensions: the expanded export
            pass
    return _with_export_names(out)  # jobs[heerlen]: a name both take


def export_name(name: str) -> str:
    """A variable name valid in Vensim and XMILE for a name with an element: ``jobs[heerlen]_delta``
    becomes ``jobs__heerlen_delta``, ``income[heerlen,laag]`` ``income__heerlen__laag``
    (subscripted export, Vensim's own ``jobs[gemeente]``, is not written yet)."""
    return name.replace("[", "__").replace(",", "__").replace("]", "")


def _renamed_expr(expr: Any) -> Any:
    """``expr`` with every referenced name through :func:`export_name`."""
    if isinstance(expr, list):
        return [_renamed_expr(x) for x in expr]
    if not isinstance(expr, tuple) or not expr:
        return expr
    if expr[0] == "ref":
        return ("ref", export_name(expr[1]))
    return (expr[0], *(_renamed_expr(part) for part in expr[1:]))


def _renamed(eq: Equation) -> Equation:
    return replace(eq, name=export_name(eq.name), expr=_renamed_expr(eq.expr), initial=_renamed_expr(eq.initial))


def _with_export_names(out: EquationSet) -> EquationSet:
    """``out`` with every variable and diagram position named by :func:`export_name`."""
    return EquationSet(
        out.name,
        out.start,
        out.end,
        out.dt,
        [_renamed(eq) for eq in out.equations],
        {export_name(name): xy for name, xy in out.positions.items()},
    )


def _shaped_signal(source: str, base: str, shape: Any, weight: Expr) -> tuple[Expr, list[Equation]]:
    """A shaped link's signal ``f(b + d) - f(b)`` (simulator.shapes), and the lookups it reads."""
    value, baseline = _ref(source), _ref(f"{source}_baseline")
    if isinstance(shape, Saturation):
        top = _ref(f"{base}_max")
        exponent = ("div", ("mul", [_num(-1.0), weight, _ref(f"{source}_delta")]), top)
        return ("mul", [top, ("sub", _num(1.0), ("exp", exponent))]), []
    if isinstance(shape, Lookup):
        points = tuple((float(x), float(y)) for x, y in shape.points)
        at_value, at_base = f"{base}_shape", f"{base}_shape_at_baseline"
        return ("sub", _ref(at_value), _ref(at_base)), [
            Equation(
                at_value, "lookup", value, points=points, comment=f"Shape of the effect of {source}, at its value"
            ),
            Equation(
                at_base, "lookup", baseline, points=points, comment=f"Shape of the effect of {source}, at its baseline"
            ),
        ]
    if isinstance(shape, Threshold):
        level = _ref(f"{base}_level")

        def over(x: Expr) -> Expr:
            return ("max", _num(0.0), ("sub", x, level) if shape.side == "above" else ("sub", level, x))

        return ("sub", over(value), over(baseline)), []
    raise ValueError(f"unknown link shape {shape.kind!r}")


def _delta_equations(node: NodeSpec, inputs: list[Expr], incoming: list[Expr]) -> list[Equation]:
    """``x_input`` and ``x_delta`` (with ``x_delta_raw`` for a bounded stock)."""
    flow = node.kind == "stock" and bool(node.unit.strip())  # into a stock, an intervention is a flow
    eqs = [
        Equation(
            f"{node.id}_input",
            "aux",
            ("add", inputs) if inputs else _num(0.0),
            units=per_year(node.unit) if flow else node.unit,
            comment=f"Interventions on {node.label.en}",
            shown_units=f"{node.shown_unit}/yr" if flow else node.shown_unit,
        )
    ]
    total: Expr = ("add", [("ref", f"{node.id}_input"), *incoming])
    if node.is_capacity:  # (min_j value_j - baseline) + input, as the engine sums it
        total = (
            "add",
            [("sub", _nested(node.kind, incoming), ("ref", f"{node.id}_baseline")), ("ref", f"{node.id}_input")],
        )
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
        eqs.append(
            Equation(name, "aux", clip(total) if bounded else total, units=node.unit, shown_units=node.shown_unit)
        )
        return eqs
    net: Expr = total
    if node.decay:  # a named constant, per year, like the weights
        eqs.append(
            Equation(
                f"{node.id}_decay",
                "const",
                _num(node.decay),
                units="1/yr",
                comment=f"Decay of {node.label.en} (share per year)",
            )
        )
        net = ("sub", total, ("mul", [_ref(f"{node.id}_decay"), ("ref", name)]))
    if not bounded:
        return [*eqs, Equation(name, "stock", net, units=node.unit, shown_units=node.shown_unit)]
    raw = f"{node.id}_delta_raw"
    correction = ("div", ("sub", ("ref", name), ("ref", raw)), _ref(STEP))
    return [
        *eqs,
        Equation(
            raw,
            "stock",
            ("add", [net, correction]),
            units=node.unit,
            comment="unclipped state; the correction flow keeps it at the clipped value",
            shown_units=node.shown_unit,
        ),
        Equation(name, "aux", clip(("ref", raw)), units=node.unit, shown_units=node.shown_unit),
    ]


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
            raise InputError(
                Problem(
                    "",
                    "",
                    msg("exported variable name '{name}' is used twice", name=eq.name),
                    msg("rename the node whose id ends in _baseline, _delta or _input"),
                )
            )
        seen[key] = eq.name
