"""Write equations as a Vensim ``.mdl`` file (readable by Vensim and PySD)."""

from __future__ import annotations

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
    "ge": "{0} >= {1}",
    "gt": "{0} > {1}",
    "lt": "{0} < {1}",
    "and": "{0} :AND: {1}",
    "if": "IF THEN ELSE({0}, {1}, {2})",
    "step": "{0} * STEP(1, {1})",
}


def render_mdl(expr: Expr) -> str:
    """Vensim syntax of one expression tree."""
    kind = expr[0]
    if kind == "num":
        return repr(expr[1]) if expr[1] >= 0 else f"({expr[1]!r})"
    if kind == "ref":
        return expr[1]
    if kind == "time":
        return "Time"
    if kind in ("add", "mul"):
        parts = [render_mdl(e) for e in expr[1]]
        return "(" + (" + " if kind == "add" else " * ").join(parts) + ")" if parts else "0"
    if kind == "sum":  # every element of a family: SUM(x[gemeente!])
        return f"SUM({expr[1]}[{expr[2]}!])"
    if kind in _TEMPLATES:
        return _TEMPLATES[kind].format(*(render_mdl(e) for e in expr[1:]))
    raise ValueError(f"unknown expression {kind!r}")


def _clean(text: str) -> str:
    """Comment text without Vensim's separators."""
    return text.replace("~", "-").replace("|", "/").replace("\n", " ")


def _equation(eq: Equation) -> str:
    if eq.kind == "lookup":  # the table embedded in its variable (Simlin, SDEverywhere, PySD read it alike)
        xs, ys = [p[0] for p in eq.points], [p[1] for p in eq.points]
        body = f"[({min(xs)!r},{min(ys)!r})-({max(xs)!r},{max(ys)!r})]," + ",".join(
            f"({x!r},{y!r})" for x, y in eq.points
        )
        head = f"{eq.written_name} = WITH LOOKUP({render_mdl(eq.formula)},\n\t({body}))"
    elif eq.kind == "stock":
        head = f"{eq.written_name} = INTEG({render_mdl(eq.formula)}, {render_mdl(eq.initial_value)})"
    else:
        head = f"{eq.written_name} = {render_mdl(eq.formula)}"
    comment = _clean(eq.comment + (f" [{eq.shown_units}]" if eq.shown_units else ""))
    return f"{head}\n\t~\t{export_units(eq.units, 'mdl')}\n\t~\t{comment}\n\t|\n"


def write_mdl(equations: EquationSet) -> str:
    """The whole ``.mdl`` text, control section included (times in years)."""
    parts = ["{UTF-8}\n"]
    for dim, elements in equations.dimensions.items():  # Vensim subscript ranges
        parts.append(f"{dim}: {', '.join(elements)}\n\t~\t\n\t~\tA dimension (bwsim dimensions:)\n\t|\n")
    parts += [_equation(eq) for eq in equations.equations]
    parts.append(
        "********************************************************\n\t.Control\n"
        "********************************************************~\n\t\tSimulation Control Parameters\n\t|\n"
    )
    for name, value in (
        ("FINAL TIME", equations.end),
        ("INITIAL TIME", equations.start),
        ("SAVEPER", None),
        ("TIME STEP", equations.dt),
    ):
        rhs = "TIME STEP" if value is None else repr(float(value))
        parts.append(f"{name}  = {rhs}\n\t~\tYear\n\t~\t\n\t|\n")
    return "\n".join(parts) + _sketch(equations)


def _sketch(equations: EquationSet) -> str:
    """Vensim's sketch: one view with each placed variable at its position (no arrows)."""
    lines = [
        "\\\\\\---/// Sketch information - do not modify anything except names",
        "V300  Do not put anything below this section - it will be ignored",
        "*View 1",
        "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0",
    ]
    kinds = {eq.name: eq.kind for eq in equations.equations}
    for number, (name, (x, y)) in enumerate(equations.positions.items(), start=1):
        shape = 3 if kinds.get(name) == "stock" else 8
        lines.append(f"10,{number},{name},{round(x)},{round(y)},40,20,{shape},3,0,0,0,0,0,0")
    lines.append("///---\\\\\\")
    return "\n".join(lines) + "\n"
