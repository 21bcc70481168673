"""Write equations as an XMILE file (Stella, PySD's ``read_xmile``)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from simulator.io.export_equations import Equation, EquationSet, Expr
from simulator.units import export_units

# Operators whose operands are rendered in order into a template: {0}, {1}, ...
_TEMPLATES = {
    "sub": "({0} - {1})",
    "div": "({0} / {1})",
    "pow": "({0} ^ {1})",
    "min": "MIN({0}, {1})",
    "max": "MAX({0}, {1})",
    "exp": "EXP({0})",
    "ge": "({0} >= {1})",
    "gt": "({0} > {1})",
    "lt": "({0} < {1})",
    "and": "({0} AND {1})",
    "if": "(IF {0} THEN {1} ELSE {2})",
    "step": "(IF TIME >= {1} THEN {0} ELSE 0)",
}


def render_xmile(expr: Expr) -> str:
    """XMILE syntax of one expression tree."""
    kind = expr[0]
    if kind == "num":
        return repr(expr[1]) if expr[1] >= 0 else f"({expr[1]!r})"
    if kind == "ref":
        return expr[1]
    if kind == "time":
        return "TIME"
    if kind in ("add", "mul"):
        parts = [render_xmile(e) for e in expr[1]]
        return "(" + (" + " if kind == "add" else " * ").join(parts) + ")" if parts else "0"
    if kind == "sum":  # every element of a family, written out: PySD's XMILE reader refuses SUM(x[*])
        return "(" + " + ".join(f"{expr[1]}[{element}]" for element in expr[3]) + ")"
    if kind in _TEMPLATES:
        return _TEMPLATES[kind].format(*(render_xmile(e) for e in expr[1:]))
    raise ValueError(f"unknown expression {kind!r}")


def _gf(eq: Equation) -> str:
    xs = ",".join(repr(p[0]) for p in eq.points)
    ys = ",".join(repr(p[1]) for p in eq.points)
    return f'<gf type="continuous"><xpts>{xs}</xpts><ypts>{ys}</ypts></gf>'


def _body(eqs: list[Equation], initial: bool = False) -> str:
    """The ``<eqn>`` (and ``<gf>``) of one variable: one for the whole array, or one ``<element>`` each."""

    def one(eq: Equation) -> str:
        expr = eq.initial_value if initial else eq.formula
        return f"<eqn>{escape(render_xmile(expr))}</eqn>" + (_gf(eq) if eq.kind == "lookup" else "")

    if not eqs[0].dims:
        return one(eqs[0])
    dims = "".join(f'<dim name="{escape(d)}"/>' for d in eqs[0].dims)
    if not eqs[0].elements:
        return f"<dimensions>{dims}</dimensions>{one(eqs[0])}"
    parts = "".join(f'<element subscript="{escape(",".join(eq.elements))}">{one(eq)}</element>' for eq in eqs)
    return f"<dimensions>{dims}</dimensions>{parts}"


def _element(eqs: list[Equation]) -> str:
    """One XMILE variable from its equation, or from one equation per element of an array."""
    eq = eqs[0]
    doc = f"<doc>{escape(eq.comment)}</doc>" if eq.comment else ""
    written = export_units(eq.units, "xmile")
    units = f"<units>{escape(written)}</units>" if written else ""
    if eq.kind == "stock":
        flow = f"{eq.name}_flow"
        per_year = export_units(eq.flow_units, "xmile")
        flow_units = f"<units>{escape(per_year)}</units>" if per_year else ""
        return (
            f'<stock name="{eq.name}">{doc}{_body(eqs, initial=True)}<inflow>{flow}</inflow>{units}</stock>\n'
            f'      <flow name="{flow}">{_body(eqs)}{flow_units}</flow>'
        )
    # a lookup's graphical function is embedded in its variable: Simlin ignores a free-standing one
    return f'<aux name="{eq.name}">{doc}{_body(eqs)}{units}</aux>'


def _variables(equations: EquationSet) -> list[list[Equation]]:
    """The equations grouped by variable: an array's per-element equations are one variable."""
    grouped: list[list[Equation]] = []
    for eq in equations.equations:
        if grouped and eq.elements and grouped[-1][0].name == eq.name:
            grouped[-1].append(eq)
        else:
            grouped.append([eq])
    return grouped


def _dimensions(equations: EquationSet) -> str:
    """XMILE's ``<dimensions>`` of a subscripted export ("" without)."""
    if not equations.dimensions:
        return ""
    dims = "".join(
        f'<dim name="{escape(d)}">' + "".join(f'<elem name="{escape(e)}"/>' for e in elements) + "</dim>"
        for d, elements in equations.dimensions.items()
    )
    return f"\n  <dimensions>{dims}</dimensions>"


def _views(equations: EquationSet) -> str:
    """One stock-and-flow view with each placed variable at its position (XMILE's ``<views>``)."""
    if not equations.positions:
        return ""
    kinds = {eq.name: eq.kind for eq in equations.equations}
    items = "\n".join(
        f'        <{"stock" if kinds.get(name) == "stock" else "aux"} name="{escape(name)}" x="{x:g}" y="{y:g}"/>'
        for name, (x, y) in equations.positions.items()
    )
    return f'    <views>\n      <view type="stock_flow">\n{items}\n      </view>\n    </views>'


def write_xmile(equations: EquationSet) -> str:
    """The whole XMILE document (times in years)."""
    body = "\n      ".join(_element(eqs) for eqs in _variables(equations))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header>
    <vendor>bwsim</vendor>
    <name>{escape(equations.name)}</name>
    <product version="1.0">bwsim</product>
  </header>
  <sim_specs method="Euler" time_units="Years">
    <start>{equations.start!r}</start>
    <stop>{equations.end!r}</stop>
    <dt>{equations.dt!r}</dt>
  </sim_specs>{_dimensions(equations)}
  <model>
    <variables>
      {body}
    </variables>
{_views(equations)}
  </model>
</xmile>
"""
