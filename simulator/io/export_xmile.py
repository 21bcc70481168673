"""Write equations as an XMILE file (Stella, PySD's ``read_xmile``)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from simulator.io.export_equations import Equation, EquationSet, Expr


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
    if kind in ("sub", "div", "pow"):
        op = {"sub": " - ", "div": " / ", "pow": " ^ "}[kind]
        return f"({render_xmile(expr[1])}{op}{render_xmile(expr[2])})"
    if kind in ("min", "max"):
        return f"{kind.upper()}({render_xmile(expr[1])}, {render_xmile(expr[2])})"
    if kind in ("ge", "gt", "lt"):
        op = {"ge": " >= ", "gt": " > ", "lt": " < "}[kind]
        return f"({render_xmile(expr[1])}{op}{render_xmile(expr[2])})"
    if kind == "and":
        return f"({render_xmile(expr[1])} AND {render_xmile(expr[2])})"
    if kind == "if":
        return f"(IF {render_xmile(expr[1])} THEN {render_xmile(expr[2])} ELSE {render_xmile(expr[3])})"
    if kind == "step":
        return f"(IF TIME >= {render_xmile(expr[2])} THEN {render_xmile(expr[1])} ELSE 0)"
    if kind == "lookup":
        return f"{expr[1]}({render_xmile(expr[2])})"
    if kind == "delay_fixed":
        return f"DELAY({render_xmile(expr[1])}, {render_xmile(expr[2])}, 0)"
    if kind in ("delay1", "delay3"):
        name = kind.upper()
        init = "" if expr[3] is None else f", {render_xmile(expr[3])}"
        return f"{name}({render_xmile(expr[1])}, {render_xmile(expr[2])}{init})"
    raise ValueError(f"unknown expression {kind!r}")


def _element(eq: Equation) -> str:
    doc = f"<doc>{escape(eq.comment)}</doc>" if eq.comment else ""
    units = f"<units>{escape(eq.units)}</units>" if eq.units else ""
    if eq.kind == "lookup":
        xs = ",".join(repr(p[0]) for p in eq.points)
        ys = ",".join(repr(p[1]) for p in eq.points)
        return (f'<gf name="{eq.name}" type="continuous">{doc}<xpts>{xs}</xpts><ypts>{ys}</ypts></gf>')
    if eq.kind == "stock":
        flow = f"{eq.name}_flow"
        return (f'<stock name="{eq.name}">{doc}<eqn>0</eqn><inflow>{flow}</inflow>{units}</stock>\n'
                f'      <flow name="{flow}"><eqn>{escape(render_xmile(eq.expr))}</eqn></flow>')
    return f'<aux name="{eq.name}">{doc}<eqn>{escape(render_xmile(eq.expr))}</eqn>{units}</aux>'


def write_xmile(equations: EquationSet) -> str:
    """The whole XMILE document (times in years)."""
    body = "\n      ".join(_element(eq) for eq in equations.equations)
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
  </sim_specs>
  <model>
    <variables>
      {body}
    </variables>
  </model>
</xmile>
"""
