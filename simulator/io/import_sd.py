"""Read a Vensim ``.mdl`` or XMILE file with PySD's translator and map it to a bwsim model.

PySD parses the file (:class:`pysd.translators.vensim.vensim_file.VensimFile`,
:class:`pysd.translators.xmile.xmile_file.XmileFile`) into its abstract syntax
(``pysd.translators.structures``); this module never parses equations itself.
:func:`read_sd_file` gives an :class:`SdModel`; :func:`map_model` maps it, with
the original's own run (made by :mod:`simulator.io.import_run`), to the data
of a bwsim model file.

The mapping (ENGINE.md, deviation form): every variable becomes a node whose
**baseline** is the original's run without change (a number when that run is
constant, else a ``series`` at every reported time), and the **links** carry
the linear part of each equation, so that a change to a node (a scenario's
intervention) moves the others exactly as in the original:

- a weighted sum ``w1*a + w2*b + c``: links ``a -> x`` (weight ``w1``) and
  ``b -> x`` (``w2``); the constant ``c`` is in the baseline;
- ``INTEG(flow, init)``: a stock; the flow's terms are links into it, a term
  ``-k * x`` of the stock itself is its ``decay`` ``k``;
- ``DELAY1`` / ``SMOOTH`` (exponential), ``DELAY3`` / ``SMOOTH3`` (third order),
  ``DELAY FIXED`` (fixed): a lag on each link of the delayed expression;
- a lookup ``T(x)`` (a lookup variable or ``WITH LOOKUP``): a ``lookup`` link shape;
- ``MIN(a, b)`` / ``MAX(a, b)`` of two variables (times numbers): a capacity
  node (``kind: minimum | maximum``); with a number as one argument: a bound
  (``min`` / ``max``) of the node;
- a part that reads no changing variable (numbers, ``Time``, ``STEP``, a lookup
  of ``Time``, a constant): only in the baseline. A constant's value in a
  product or divisor (``x / Characteristic Time``) is folded into the weight.

A subscripted variable (Vensim subscripts, XMILE arrays) is one variable per
element (:mod:`simulator.io.import_subscripts`, ``Jobs[north]``); the element
nodes and links are written as dimensions (:mod:`simulator.io.import_fold`).

What is not linear in the changing variables (a product of two of them, a
division by one, a function of one) is refused with the variable, its
equation and why; with ``approximate=True`` a product, division or power is
linearised around the values at the start and the approximation is noted.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from simulator.dimensions import element_id
from simulator.errors import InputError, Problem
from simulator.io.import_fold import fold
from simulator.io.import_subscripts import (
    Ranges,
    SubscriptError,
    expand_element,
    expand_plain,
    family_dims,
    flat_key,
    flat_name,
    range_problems,
)
from simulator.messages import joined, msg, translate

FORMATS = ("vensim", "xmile")
"""The formats this module reads."""

CONTROL = {"initial time": "start", "final time": "end", "time step": "dt", "saveper": "saveper"}
"""Vensim's control variables (XMILE's ``<sim_specs>``, as PySD names them) and what each is."""

DEFAULT_THEME = "materiele_welvaart"
"""The theme every imported node gets (a CBS theme id is required; the notes say to set it)."""

TIMES_TOLERANCE = 1e-12
"""Relative difference under which two values of the original's run count as equal."""


@dataclass(frozen=True)
class Variable:
    """One variable of the original: ``key`` as PySD's references name it, ``name`` as written."""

    key: str
    name: str
    units: str
    doc: str
    kind: str  # "aux", "stock" or "lookup"
    ast: Any
    points: tuple[tuple[float, float], ...] = ()
    family: str = ""  # a subscripted variable's name as written (``Jobs`` of ``Jobs[north]``); else ""
    family_key: str = ""
    dims: tuple[str, ...] = ()  # its subscript ranges, as written
    elements: tuple[str, ...] = ()  # this variable's element of each range


@dataclass(frozen=True)
class SdModel:
    """A Vensim or XMILE model as PySD's translator reads it."""

    path: str
    format: str
    text: str
    variables: dict[str, Variable]
    start: float
    end: float
    dt: float
    ranges: dict[str, tuple[str, ...]] = field(default_factory=dict)  # subscript ranges as written

    @property
    def steps(self) -> int:
        """Number of time steps ``K``."""
        return round((self.end - self.start) / self.dt)

    def line_of(self, name: str) -> int | None:
        """The line (1-based) where ``name`` is defined, found in the file's text.

        An element ``Jobs[north]``: the line of its own equation (``Jobs[north] = ...``), else
        its family's (``Jobs[region] = ...``).
        """
        family, bracket, rest = name.partition("[")
        patterns = []
        if self.format == "vensim":
            words = r"^\s*" + r"\s+".join(map(re.escape, family.split())) + r"\s*"
            if bracket:
                elements = r"\s*,\s*".join(re.escape(e.strip()) for e in rest.rstrip("]").split(","))
                patterns.append(re.compile(words + r"\[\s*" + elements + r"\s*\]", re.IGNORECASE))
            patterns.append(re.compile(words + r"(=|\(|:|\[)", re.IGNORECASE))
        else:
            patterns.append(re.compile(r"name\s*=\s*\"" + re.escape(family.strip()) + '"', re.IGNORECASE))
        lines = self.text.splitlines()
        for pattern in patterns:
            for number, line in enumerate(lines, start=1):
                if pattern.search(line):
                    return number
        return None


def _key(name: str) -> str:
    """The reference PySD's translator makes of a variable's name."""
    return name.strip().lower().replace(" ", "_")


def _format_error(path: str, fmt: str, reason: str) -> InputError:
    what = "Vensim (.mdl)" if fmt == "vensim" else "XMILE"
    return InputError(
        Problem(
            path,
            "",
            msg("PySD cannot read it as {what}: {reason}", what=what, reason=reason[:300]),
            msg("check the file, or give the right --format (vensim or xmile)"),
        )
    )


def _variable_of(path: str, element: Any, problems: list[Problem]) -> Variable | None:
    """One of PySD's abstract elements as a :class:`Variable` (None, and a problem, when it cannot be one)."""
    name = str(element.name)
    comps = element.components
    if len(comps) != 1:
        problems.append(
            Problem(
                path,
                name,
                msg("has several equations"),
                msg("write one equation per variable"),
            )
        )
        return None
    comp = comps[0]
    units, doc = str(element.units or ""), str(element.documentation or "")
    if type(comp).__name__ == "AbstractLookup":
        points = tuple((float(x), float(y)) for x, y in zip(comp.ast.x, comp.ast.y, strict=True))
        return Variable(_key(name), name, units, doc, "lookup", comp.ast, points)
    problem = _component_problem(path, name, comp)
    if problem is not None:
        problems.append(problem)
        return None
    kind = "stock" if type(comp.ast).__name__ == "IntegStructure" else "aux"
    return Variable(_key(name), name, units, doc, kind, comp.ast)


def _component_problem(path: str, name: str, comp: Any) -> Problem | None:
    ctype = type(comp).__name__
    if ctype in ("AbstractComponent", "AbstractUnchangeableConstant"):
        return None
    return Problem(
        path,
        name,
        msg("is a {kind}, which bwsim does not import", kind=ctype),
        msg("give it an equation of numbers and variables"),
    )


def _subscripted(element: Any) -> bool:
    return any(c.subscripts and c.subscripts[0] for c in element.components)


def _family_variables(
    path: str,
    text: str,
    element: Any,
    ranges: Ranges,
    families: dict[str, tuple[str, ...]],
    problems: list[Problem],
) -> list[Variable]:
    """A subscripted element as one :class:`Variable` per element (``Jobs[north]``, ...)."""
    name = str(element.name)
    units, doc = str(element.units or ""), str(element.documentation or "")
    for comp in element.components:
        if type(comp).__name__ == "AbstractLookup":
            problems.append(_subscript_problem(path, text, name, msg("is a subscripted lookup")))
            return []
        problem = _component_problem(path, name, comp)
        if problem is not None:
            problems.append(problem)
            return []
    try:
        family = expand_element(_key(name), name, list(element.components), ranges, families)
    except SubscriptError as refusal:
        problems.append(_subscript_problem(path, text, name, refusal.reason))
        return []
    out = []
    for elements, ast in family.equations.items():
        kind = "stock" if type(ast).__name__ == "IntegStructure" else "aux"
        out.append(
            Variable(
                flat_key(family.key, elements),
                flat_name(name, elements),
                units,
                doc,
                kind,
                ast,
                family=name,
                family_key=family.key,
                dims=family.dims,
                elements=elements,
            )
        )
    return out


def _subscript_problem(path: str, text: str, name: str, why: str, is_range: bool = False) -> Problem:
    """A subscripted variable (or range) outside the subset: its equation as written, and why."""
    sd = SdModel(path, "vensim" if not text.lstrip().startswith("<") else "xmile", text, {}, 0.0, 0.0, 1.0)
    line = sd.line_of(name)
    equation = _text_equation(sd, name, line) if line is not None else ""
    if is_range:
        said = msg("the subscript range {name}: {elements}: {why}", name=name, elements=equation, why=why)
    elif equation:
        said = msg("{name} = {equation}: {why}", name=name, equation=equation, why=why)
    else:
        said = msg("{name}: {why}", name=name, why=why)
    return Problem(
        path,
        name,
        said,
        msg(
            "bwsim imports subscript ranges as dimensions, equations over them, SUM over a range and "
            "element equations; write this part per element"
        ),
        line,
    )


def _variables(
    path: str, text: str, elements: list[Any], ranges: Ranges, problems: list[Problem]
) -> dict[str, Variable]:
    """The model's variables (a subscripted one as one per element); what cannot be one is a problem."""
    families: dict[str, tuple[str, ...]] = {}
    for element in elements:
        if _subscripted(element):
            try:
                families[_key(str(element.name))] = family_dims(element.components, ranges)
            except SubscriptError as refusal:
                problems.append(_subscript_problem(path, text, str(element.name), refusal.reason))
    variables: dict[str, Variable] = {}
    for element in elements:
        name = str(element.name)
        if _subscripted(element):
            if _key(name) in families and not problems:
                for made in _family_variables(path, text, element, ranges, families, problems):
                    variables[made.key] = made
            continue
        variable = _variable_of(path, element, problems)
        if variable is not None and ranges.ranges and variable.kind != "lookup":
            try:  # a plain variable may read elements and sums of a family (``SUM(Jobs[region!])``)
                variable = replace(variable, ast=expand_plain(variable.ast, ranges, families))
            except SubscriptError as refusal:
                problems.append(_subscript_problem(path, text, name, refusal.reason))
                continue
        if variable is not None:
            variables[variable.key] = variable
    return variables


def read_sd_file(path: str | Path, fmt: str) -> SdModel:
    """Parse ``path`` as ``fmt`` ("vensim" or "xmile") with PySD's translator.

    Raises
    ------
    InputError
        When the file is not that format, has no time settings, or uses subscripts.
    """
    from pysd.translators.vensim.vensim_file import VensimFile
    from pysd.translators.xmile.xmile_file import XmileFile

    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise InputError(
            Problem(
                path, "", msg("cannot be read: {reason}", reason=str(error)), msg("give an existing, readable file")
            )
        ) from error
    folder = Path(tempfile.mkdtemp(prefix="bwsim-import-"))
    try:  # a copy with the format's suffix, which PySD's translator asks for
        copy = folder / (Path(path).stem + (".mdl" if fmt == "vensim" else ".xmile"))
        copy.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():  # PySD's notes on encodings and its own deprecations
            warnings.simplefilter("ignore")
            reader = VensimFile(copy) if fmt == "vensim" else XmileFile(copy)
            reader.parse()
            abstract = reader.get_abstract_model()
    except Exception as error:  # PySD raises parsimonious, lxml and its own errors alike
        raise _format_error(path, fmt, f"{type(error).__name__}: {error}") from error
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    control: dict[str, Any] = {}
    problems: list[Problem] = []
    abstract_ranges = [r for section in abstract.sections for r in section.subscripts]
    ranges = Ranges({str(r.name): tuple(map(str, r.subscripts)) for r in abstract_ranges})
    for name, why in range_problems(abstract_ranges):
        problems.append(_subscript_problem(path, text, name, why, is_range=True))
    elements = [e for section in abstract.sections for e in section.elements]
    for element in elements:
        if str(element.name).lower() in CONTROL:
            control[CONTROL[str(element.name).lower()]] = element.components[0].ast
    variables = _variables(path, text, [e for e in elements if str(e.name).lower() not in CONTROL], ranges, problems)
    if not variables and not problems:
        raise _format_error(path, fmt, "no variables found")
    times: dict[str, float] = {}
    for key in ("start", "end", "dt"):
        value = control.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(
                Problem(
                    path,
                    key,
                    msg("the model's {what} must be a number", what=key),
                    msg("give INITIAL TIME, FINAL TIME and TIME STEP as numbers"),
                )
            )
        else:
            times[key] = float(value)
    if problems:
        raise InputError(problems)
    return SdModel(path, fmt, text, variables, times["start"], times["end"], times["dt"], dict(ranges.ranges))


# --- linear forms --------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """``coef`` times a variable's value, optionally through a lookup ``shape`` and then a lag."""

    coef: float
    source: str
    delay: str = "none"
    lag: float = 0.0
    shape: tuple[tuple[float, float], ...] | None = None
    divide: str | None = None  # divided by this time-only variable before the lag (an elasticity's source)
    scale: str | None = None  # times this time-only variable after the lag (an elasticity's target)

    @property
    def plain(self) -> bool:
        """A weight times a variable: no lag, shape or time-varying factor."""
        return self.delay == "none" and self.shape is None and self.divide is None and self.scale is None


@dataclass
class Lin:
    """An expression as ``offset + sum(terms) + (an exogenous part when exo)``; ``value0`` its start value."""

    terms: list[Term] = field(default_factory=list)
    offset: float = 0.0
    exo: bool = False
    value0: float | None = None


class Unmappable(Exception):
    """An expression outside the subset: ``reason`` says why (a :func:`msg`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(str(reason))
        self.reason = reason


class _Mapper:
    """Linearises one model's equations, given the original's run (``run[key]``: values at every t_k)."""

    def __init__(self, sd: SdModel, run: dict[str, Any], approximate: bool) -> None:
        self.sd, self.run, self.approximate = sd, run, approximate
        self.approximations: list[str] = []
        self.folded: dict[str, float] = {}  # constants whose value went into a weight
        self.current = ""
        self._constant: dict[str, bool] = {}
        self.ids: dict[str, str] = {}  # variable key -> node id (made-up nodes: their id)
        self.extra: list[tuple[str, dict[str, Any], list[Term]]] = []  # nodes made for a MIN/MAX inside

    def constant(self, key: str) -> bool:
        """True when ``key`` is a number throughout: its run is one value, made of numbers and constants."""
        if key not in self._constant:
            self._constant[key] = False  # a loop of definitions is not a constant
            var = self.sd.variables[key]
            values = self.run.get(key)
            refs = [r for r in _references(var.ast) if r in self.sd.variables or r == "time"]
            self._constant[key] = (
                var.kind == "aux"
                and "time" not in refs
                and values is not None
                and len(values) > 0
                and all(v == values[0] for v in values)
                and all(
                    r in self.sd.variables and (self.sd.variables[r].kind == "lookup" or self.constant(r)) for r in refs
                )
            )
        return self._constant[key]

    def start_value(self, key: str) -> float | None:
        values = self.run.get(key)
        return None if values is None else float(values[0])

    def time_only(self, lin: Lin) -> str | None:
        """The variable of ``lin`` (a number times it), when that variable is made of Time, tables and constants."""
        if lin.exo or lin.offset != 0 or len(lin.terms) != 1 or not lin.terms[0].plain or lin.terms[0].coef == 0:
            return None
        key = lin.terms[0].source

        def only_time(k: str, seen: frozenset[str]) -> bool:
            var = self.sd.variables[k]
            if var.kind != "aux" or k in seen:
                return False
            refs = [r for r in _references(var.ast) if r in self.sd.variables]
            return all(
                self.sd.variables[r].kind == "lookup" or self.constant(r) or only_time(r, seen | {k}) for r in refs
            )

        return key if only_time(key, frozenset()) else None

    def reads_changing(self, ast: Any) -> bool:
        """True when ``ast`` reads a variable (a scenario may change any); numbers, Time and tables do not."""
        return any(ref in self.sd.variables and self.sd.variables[ref].kind != "lookup" for ref in _references(ast))

    def time_function_of_constants(self, ast: Any) -> bool:
        """True for a function of Time whose settings are constants (an exported intervention's
        ``STEP(1, x_input_0_start)``): it is in the baseline, and those constants are folded."""
        if not (
            type(ast).__name__ == "CallStructure"
            and getattr(ast.function, "reference", "") in _TIME_FUNCTIONS
            and self.reads_constants_only(ast)
        ):
            return False
        for ref in _references(ast):
            if ref in self.sd.variables and self.sd.variables[ref].kind != "lookup":
                self.folded[ref] = float(self.run[ref][0])
        return True

    def reads_constants_only(self, ast: Any) -> bool:
        """True when every variable ``ast`` reads is a constant (or a table)."""
        refs = _references(ast)
        return all(
            ref == "time"
            or (ref in self.sd.variables and (self.sd.variables[ref].kind == "lookup" or self.constant(ref)))
            for ref in refs
            if ref not in _FUNCTIONS
        )

    def is_dynamic(self, lin: Lin) -> bool:
        """True when the expression moves with some variable (it has terms)."""
        return bool(lin.terms)

    def is_fixed(self, lin: Lin) -> bool:
        """A number: no exogenous part, every term a constant read plainly."""
        return not lin.exo and all(self.constant(t.source) and t.plain for t in lin.terms)

    def fixed_value(self, lin: Lin) -> float:
        for t in lin.terms:
            self.folded[t.source] = float(self.run[t.source][0])
        return lin.offset + sum(t.coef * float(self.run[t.source][0]) for t in lin.terms)

    # --- the walk over PySD's abstract syntax
    def lin(self, ast: Any) -> Lin:
        if isinstance(ast, bool):
            raise Unmappable(msg("a logical value is not a number"))
        if isinstance(ast, int | float) or type(ast).__module__ == "numpy":
            return Lin([], float(ast), False, float(ast))
        kind = type(ast).__name__
        if kind == "ReferenceStructure":
            return self.reference(ast)
        if kind == "ArithmeticStructure":
            return self.arithmetic(ast)
        if kind == "InlineLookupsStructure":
            points = tuple((float(x), float(y)) for x, y in zip(ast.lookups.x, ast.lookups.y, strict=True))
            return self.lookup(points, ast.argument)
        if kind == "CallStructure" and self._is_table_call(ast):
            return self.call(ast)
        if kind in ("DelayStructure", "SmoothStructure", "DelayFixedStructure"):
            return self.delay(ast)
        if not self.reads_changing(ast):  # a function of numbers and Time only: in the baseline
            return Lin([], 0.0, True, None)
        if self.time_function_of_constants(ast):
            return Lin([], 0.0, True, None)
        if kind == "CallStructure":
            return self.call(ast)
        raise Unmappable(msg("uses {what}, which bwsim has no exact counterpart for", what=_construct_name(ast)))

    def reference(self, ast: Any) -> Lin:
        """A variable read as it is (or ``Time``)."""
        if ast.subscripts:
            raise Unmappable(msg("uses subscripts"))
        if ast.reference == "time":
            return Lin([], 0.0, True, self.sd.start)
        if ast.reference not in self.sd.variables:
            raise Unmappable(msg("reads {name}, which the model does not define", name=ast.reference))
        var = self.sd.variables[ast.reference]
        if var.kind == "lookup":
            raise Unmappable(msg("reads the lookup {name} without an argument", name=var.name))
        return Lin([Term(1.0, ast.reference)], 0.0, False, self.start_value(ast.reference))

    def arithmetic(self, ast: Any) -> Lin:
        ops, args = list(ast.operators), list(ast.arguments)
        if ops == ["negative"]:
            return _scale(self.lin(args[0]), -1.0)
        if ops and ops[0] == "positive":
            return self.lin(args[0])
        acc = self.lin(args[0])
        for op, arg in zip(ops, args[1:], strict=False):
            right = self.lin(arg)
            if op == "+":
                acc = _add(acc, right, 1.0)
            elif op == "-":
                acc = _add(acc, right, -1.0)
            elif op == "*":
                acc = self.product(acc, right)
            elif op == "/":
                acc = self.quotient(acc, right)
            elif op == "^":
                acc = self.power(acc, right)
            else:
                raise Unmappable(msg("uses the operator {op}", op=op))
        return acc

    def _fold_or_refuse(self, other: Lin, what: str) -> float:
        """The start value of a time-varying factor (approximate mode), else refuse."""
        if self.approximate and other.value0 is not None:
            self.approximations.append(
                msg(
                    "{var}: {what} taken at its start value {value:.6g}",
                    var=self.current,
                    what=what,
                    value=other.value0,
                )
            )
            return float(other.value0)
        raise Unmappable(msg("multiplies a variable by something that changes in time ({what})", what=what))

    def product(self, a: Lin, b: Lin) -> Lin:
        if self.is_fixed(a):
            return _scale(b, self.fixed_value(a))
        if self.is_fixed(b):
            return _scale(a, self.fixed_value(b))
        da, db = self.is_dynamic(a), self.is_dynamic(b)
        for changing, other in ((a, b), (b, a)):
            factor = self.time_only(other) if self.is_dynamic(changing) else None
            if factor is not None and all(t.scale is None and t.shape is None for t in changing.terms):
                c = other.terms[0].coef
                terms = [Term(t.coef * c, t.source, t.delay, t.lag, t.shape, t.divide, factor) for t in changing.terms]
                return Lin(terms, 0.0, changing.exo or changing.offset != 0, _mul0(changing.value0, other.value0))
        if not da and not db:
            return Lin([], 0.0, True, _mul0(a.value0, b.value0))
        if da and db:
            if not self.approximate or a.value0 is None or b.value0 is None:
                raise Unmappable(msg("is a product of two variables (not linear)"))
            self.approximations.append(
                msg(
                    "{var}: a product linearised around the start values ({a:.6g} and {b:.6g})",
                    var=self.current,
                    a=a.value0,
                    b=b.value0,
                )
            )
            return _add(_scale(a, b.value0), _scale(b, a.value0), 1.0, value0=a.value0 * b.value0)
        changing, other = (a, b) if da else (b, a)
        return _scale(changing, self._fold_or_refuse(other, msg("a factor")))

    def quotient(self, a: Lin, b: Lin) -> Lin:
        if self.is_fixed(b):
            value = self.fixed_value(b)
            if value == 0:
                raise Unmappable(msg("divides by zero"))
            return _scale(a, 1.0 / value)
        if not self.is_dynamic(a) and not self.is_dynamic(b):
            return Lin([], 0.0, True, _div0(a.value0, b.value0))
        if not self.is_dynamic(b):
            return _scale(a, 1.0 / self._fold_or_refuse(b, msg("a divisor")))
        divisor = self.time_only(b)
        if divisor is not None and all(t.plain for t in a.terms):
            terms = [Term(t.coef / b.terms[0].coef, t.source, divide=divisor) for t in a.terms]
            return Lin(terms, 0.0, a.exo or a.offset != 0, _div0(a.value0, b.value0))
        if not self.approximate or a.value0 is None or not b.value0:
            raise Unmappable(msg("divides by a variable (not linear)"))
        self.approximations.append(
            msg(
                "{var}: a division linearised around the start values ({a:.6g} and {b:.6g})",
                var=self.current,
                a=a.value0,
                b=b.value0,
            )
        )
        return _add(_scale(a, 1.0 / b.value0), _scale(b, -a.value0 / b.value0**2), 1.0, value0=a.value0 / b.value0)

    def power(self, a: Lin, b: Lin) -> Lin:
        if self.is_fixed(a) and self.is_fixed(b):
            value = self.fixed_value(a) ** self.fixed_value(b)
            return Lin([], value, False, value)
        if not self.is_dynamic(a) and not self.is_dynamic(b):
            return Lin([], 0.0, True, None)
        if self.is_fixed(b) and self.approximate and a.value0:
            n = self.fixed_value(b)
            self.approximations.append(
                msg("{var}: a power linearised around the start value {a:.6g}", var=self.current, a=a.value0)
            )
            return _scale(a, n * a.value0 ** (n - 1), value0=a.value0**n)
        raise Unmappable(msg("raises a variable to a power (not linear)"))

    def series(self, lin: Lin) -> list[float] | None:
        """The values of a plain weighted sum at every reported time, from the run (None: it has more)."""
        if lin.exo or any(not t.plain or t.source not in self.run for t in lin.terms):
            return None
        return [
            lin.offset + sum(t.coef * float(self.run[t.source][k]) for t in lin.terms) for k in range(self.sd.steps + 1)
        ]

    def limit_node(self, which: str, ast: Any) -> Lin:
        """A MIN/MAX inside an expression: a node of its own (a bound or a capacity node), read with weight 1."""
        args = [self.lin(a) for a in ast.arguments]
        series = [self.series(a) for a in args]
        if any(col is None for col in series):
            raise Unmappable(
                msg(
                    "uses {what} of a delay, a lookup or Time inside an expression; write the {what} "
                    "as its own variable",
                    what=which.upper(),
                )
            )
        pick = min if which == "min" else max
        values = [pick(col) for col in zip(*series, strict=True)]
        nid = f"{node_id(self.current)}_{which}{len(self.extra) + 1}"
        node: dict[str, Any] = {
            "id": nid,
            "label": {"nl": f"{which.upper()} in {self.current}", "en": f"{which.upper()} in {self.current}"},
            "theme": DEFAULT_THEME,
            "dimension": "hier_en_nu",
        }
        terms = _limit(self, which, args, node, None)
        self.run[nid] = values
        self.ids[nid] = nid
        self.extra.append((nid, node, terms))
        return Lin([Term(1.0, nid)], 0.0, False, values[0])

    def _is_table_call(self, ast: Any) -> bool:
        name = ast.function.reference if type(ast.function).__name__ == "ReferenceStructure" else ""
        return name in self.sd.variables and self.sd.variables[name].kind == "lookup"

    def call(self, ast: Any) -> Lin:
        name = ast.function.reference if type(ast.function).__name__ == "ReferenceStructure" else ""
        if name in self.sd.variables and self.sd.variables[name].kind == "lookup":
            if len(ast.arguments) != 1:
                raise Unmappable(msg("calls the lookup {name} with several arguments", name=name))
            return self.lookup(self.sd.variables[name].points, ast.arguments[0])
        if name in ("min", "max"):
            return self.limit_node(name, ast)
        raise Unmappable(msg("applies {what} to a variable (not linear in it)", what=name.upper() or "a function"))

    def lookup(self, points: tuple[tuple[float, float], ...], argument: Any) -> Lin:
        arg = self.lin(argument)
        if not arg.terms:
            return Lin([], 0.0, True, None)
        if len(arg.terms) != 1 or arg.exo or arg.offset != 0 or arg.terms[0].coef != 1.0 or not arg.terms[0].plain:
            raise Unmappable(msg("reads a lookup of an expression; bwsim's lookup reads one variable"))
        source = arg.terms[0].source
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        value = None if arg.value0 is None else _interp(arg.value0, xs, ys)
        return Lin([Term(1.0, source, shape=points)], 0.0, False, value)

    def delay(self, ast: Any) -> Lin:
        kind = type(ast).__name__
        order = getattr(ast, "order", 1)
        if kind == "DelayFixedStructure":
            delay = "fixed"
        elif order == 1:
            delay = "exponential"
        elif order == 3:
            delay = "third_order"
        else:
            raise Unmappable(msg("uses a delay of order {order}; bwsim has orders 1 and 3", order=order))
        tau_ast = ast.delay_time if kind != "SmoothStructure" else ast.smooth_time
        tau_lin = self.lin(tau_ast)
        if not self.is_fixed(tau_lin):
            raise Unmappable(msg("has a delay time that is not a constant"))
        tau = self.fixed_value(tau_lin)
        inner = self.lin(ast.input)
        if delay != "fixed" and ast.initial != ast.input:
            init = self.lin(ast.initial)
            if (
                (not self.is_fixed(init) and not (init.value0 is not None and not self.is_dynamic(init)))
                or inner.value0 is None
                or not _close(_value(init, self), inner.value0)
            ):
                raise Unmappable(
                    msg("starts its delay from another value than its input's (bwsim's delays start from their input)")
                )
        terms = []
        for t in inner.terms:
            if t.delay != "none":
                raise Unmappable(msg("delays a delay; write the inner delay as its own variable"))
            if t.scale is not None:
                raise Unmappable(msg("delays a product with a variable that changes in time"))
            terms.append(Term(t.coef, t.source, delay, tau, t.shape, t.divide))
        return Lin(terms, inner.offset, inner.exo, inner.value0)


_TIME_FUNCTIONS = ("step", "pulse", "ramp", "pulse_train", "if_then_else")
"""The functions of Time that, with constant settings, are only in the baseline (an exported intervention)."""

_FUNCTIONS = (*_TIME_FUNCTIONS, "min", "max")
"""PySD's references to built-in functions, which :func:`_references` lists with the variables."""


def _value(lin: Lin, mapper: _Mapper) -> float:
    return mapper.fixed_value(lin) if mapper.is_fixed(lin) else float(lin.value0 or 0.0)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TIMES_TOLERANCE, abs_tol=1e-300)


def _mul0(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a * b


def _div0(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def _interp(x: float, xs: list[float], ys: list[float]) -> float:
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    for k in range(1, len(xs)):
        if x <= xs[k]:
            return ys[k - 1] + (ys[k] - ys[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1])
    return ys[-1]


def _scale(lin: Lin, c: float, value0: float | None = None) -> Lin:
    v = value0 if value0 is not None else (None if lin.value0 is None else lin.value0 * c)
    return Lin(
        [Term(t.coef * c, t.source, t.delay, t.lag, t.shape, t.divide, t.scale) for t in lin.terms],
        lin.offset * c,
        lin.exo,
        v,
    )


def _add(a: Lin, b: Lin, sign: float, value0: float | None = None) -> Lin:
    v = value0 if value0 is not None else (None if a.value0 is None or b.value0 is None else a.value0 + sign * b.value0)
    return Lin(
        a.terms + [Term(t.coef * sign, t.source, t.delay, t.lag, t.shape, t.divide, t.scale) for t in b.terms],
        a.offset + sign * b.offset,
        a.exo or b.exo,
        v,
    )


def _references(ast: Any) -> list[str]:
    """Every variable an expression reads (PySD's reference names), lookups' names included."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if type(node).__name__ == "ReferenceStructure":
            found.append(node.reference)
            return
        if isinstance(node, list | tuple):
            for item in node:
                walk(item)
            return
        if hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                walk(getattr(node, name))

    walk(ast)
    return found


def _construct_name(ast: Any) -> str:
    names = {
        "IntegStructure": "INTEG inside an expression",
        "LogicStructure": "a logical condition",
        "DelayNStructure": "DELAY N",
        "SmoothNStructure": "SMOOTH N",
        "TrendStructure": "TREND",
        "ForecastStructure": "FORECAST",
        "SampleIfTrueStructure": "SAMPLE IF TRUE",
        "InitialStructure": "INITIAL",
    }
    return names.get(type(ast).__name__, type(ast).__name__.replace("Structure", "").upper())


# --- the model ------------------------------------------------------------------------------

_ID = re.compile(r"[^a-z0-9]+")


def node_id(name: str) -> str:
    """A bwsim id (``[a-z][a-z0-9_]*``) for an original variable's name."""
    text = _ID.sub("_", name.lower()).strip("_") or "variable"
    return text if text[0].isalpha() else f"v_{text}"


@dataclass(frozen=True)
class ImportResult:
    """The bwsim model's data (as a file holds it), what was approximated and the inputs to vary.

    ``ids`` maps each original variable's key to its node id; ``inputs`` are the
    constants a scenario may change (keys), ``folded`` the constants whose value
    went into weights (key -> value).
    """

    data: dict[str, Any]
    approximations: list[str]
    ids: dict[str, str]
    inputs: list[str]
    folded: dict[str, float]


def _baseline(values: Any, start: float, dt: float) -> Any:
    first = float(values[0])
    if all(float(v) == first for v in values):
        return first
    return {"series": {round(start + k * dt, 12): float(v) for k, v in enumerate(values)}}


def _ids(sd: SdModel, ids: dict[str, str]) -> list[Problem]:
    """Fill ``ids`` (variable key -> node id); two variables with one id are a problem each."""
    problems = []
    for key, var in sd.variables.items():
        if var.kind == "lookup":
            continue
        nid = (
            element_id(node_id(var.family), tuple(node_id(e) for e in var.elements))
            if var.family
            else node_id(var.name)
        )
        if nid in ids.values():
            problems.append(
                Problem(
                    sd.path,
                    var.name,
                    msg("has the same bwsim id {id} as another variable", id=nid),
                    msg("rename one of them"),
                    sd.line_of(var.name),
                )
            )
        ids[key] = nid
    return problems


def _variable(mapper: _Mapper, key: str, var: Variable, run: dict[str, Any]) -> tuple[dict[str, Any], list[Term]]:
    """The node of one variable and the terms of its links (raises :class:`Unmappable`)."""
    node: dict[str, Any] = {
        "id": mapper.ids[key],
        "label": {"nl": var.name, "en": var.name},
        "theme": DEFAULT_THEME,
        "dimension": "hier_en_nu",
    }
    if var.units and var.units.lower() not in ("dmnl", "dimensionless", "1"):
        node["unit_label"] = var.units
    terms: list[Term] = []
    if var.kind == "stock":
        if var.ast.non_negative:
            raise Unmappable(msg("is a non-negative stock"))
        node["kind"] = "stock"
        for t in mapper.lin(var.ast.flow).terms:
            if t.source == key and t.plain:
                if t.coef > 0:
                    raise Unmappable(msg("grows in proportion to itself; bwsim's stocks only decay"))
                node["decay"] = node.get("decay", 0.0) - t.coef
            else:
                terms.append(t)
    else:
        terms = _aux(mapper, var, node, run)
    if node.get("kind") not in ("minimum", "maximum"):
        node["baseline"] = _baseline(run[key], mapper.sd.start, mapper.sd.dt)
    if var.doc:
        node["indicator"] = {"note": var.doc}
    return node, terms


def _refusal(sd: SdModel, var: Variable, why: str, approximate: bool) -> Problem:
    hint = (
        msg("write it as a weighted sum, a stock, a delay, a lookup or MIN/MAX of variables")
        if approximate
        else msg(
            "write it as a weighted sum, a stock, a delay, a lookup or MIN/MAX of variables, or import "
            "with --approximate"
        )
    )
    return Problem(
        sd.path,
        var.name,
        msg("{name} = {equation}: {why}", name=var.name, equation=_equation_text(sd, var), why=why),
        hint,
        sd.line_of(var.name),
    )


def map_model(sd: SdModel, run: dict[str, Any], approximate: bool = False, name: str = "") -> ImportResult:
    """The bwsim model of ``sd``; ``run[key]`` is the original's run at every reported time.

    Raises
    ------
    InputError
        Every variable outside the subset (without ``approximate``, or where no
        approximation applies), each with the file, the variable, its line, the
        equation and why.
    """
    run = dict(run)  # made-up nodes (a MIN/MAX inside an expression) add their runs
    mapper = _Mapper(sd, run, approximate)
    ids = mapper.ids
    problems = _ids(sd, ids)
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    refused: set[tuple[str, str]] = set()
    for key, var in sd.variables.items():
        if var.kind == "lookup":
            continue
        mapper.current, emitted = var.name, len(mapper.extra)
        if key not in run:
            problems.append(
                Problem(
                    sd.path,
                    var.name,
                    msg("has no values in the original's run"),
                    msg("check that PySD runs the model"),
                    sd.line_of(var.name),
                )
            )
            continue
        try:
            node, terms = _variable(mapper, key, var, run)
        except Unmappable as refusal:
            del mapper.extra[emitted:]
            if var.family and (var.family, str(refusal.reason)) in refused:
                continue  # one refusal per family and reason: its first element's
            refused.add((var.family, str(refusal.reason)))
            problems.append(_refusal(sd, var, refusal.reason, approximate))
            continue
        for made, made_node, made_terms in mapper.extra[emitted:]:
            if made_node.get("kind") not in ("minimum", "maximum"):
                made_node["baseline"] = _baseline(run[made], sd.start, sd.dt)
            nodes.append(made_node)
            problems += _links(sd, var, made, made_terms, ids, links, nodes, run)
        nodes.append(node)
        problems += _links(sd, var, key, terms, ids, links, nodes, run)
    if problems:
        raise InputError(problems)

    def is_input(k: str, v: Variable) -> bool:
        return (
            v.kind == "aux"
            and not _references(v.ast)
            and mapper.constant(k)
            and (approximate or k not in mapper.folded)
        )

    inputs = [k for k, v in sd.variables.items() if is_input(k, v)]
    partial = {v.family for k, v in sd.variables.items() if v.family and not is_input(k, v)}
    inputs = [k for k in inputs if sd.variables[k].family not in partial]  # PySD sets a family whole
    description = _description(sd, mapper)
    data: dict[str, Any] = {
        "name": name or node_id(Path(sd.path).stem).replace("_", "-"),
        "title": {"nl": Path(sd.path).stem, "en": Path(sd.path).stem},
        "description": {lang: " ".join(translate(t, lang) for t in description) for lang in ("nl", "en")},
        "time": {"start": sd.start, "end": sd.end, "dt": sd.dt},
        "nodes": nodes,
        "links": links,
    }
    if sd.ranges:
        data = _folded(sd, ids, data)
    return ImportResult(data, list(mapper.approximations), ids, inputs, dict(mapper.folded))


def _folded(sd: SdModel, ids: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
    """``data``'s element nodes and links as dimensions (:mod:`simulator.io.import_fold`); raises
    :class:`InputError` for a family whose elements bwsim cannot write as one node."""
    members: dict[str, tuple[str, tuple[str, ...]]] = {}
    families: dict[str, tuple[str, tuple[str, ...]]] = {}
    first: dict[str, Variable] = {}
    for key, var in sd.variables.items():
        if var.family and key in ids:
            family = node_id(var.family)
            members[ids[key]] = (family, tuple(node_id(e) for e in var.elements))
            families[family] = (var.family, tuple(node_id(d) for d in var.dims))
            first.setdefault(family, var)
    dimensions = {node_id(d): [node_id(e) for e in elements] for d, elements in sd.ranges.items()}
    folded, refused = fold(data, members, families, dimensions)
    if refused:
        raise InputError(
            [
                Problem(
                    sd.path,
                    first[family].family,
                    msg(
                        "{name} = {equation}: {why}; bwsim's nodes over a dimension have one kind of equation",
                        name=first[family].name,
                        equation=_equation_text(sd, first[family]),
                        why=why,
                    ),
                    msg("write the elements that differ as variables of their own"),
                    sd.line_of(first[family].name),
                )
                for family, why in refused.items()
            ]
        )
    return folded


def _description(sd: SdModel, mapper: _Mapper) -> list[Any]:
    """The imported model's description: its origin, what the mapping means, what was folded or approximated."""
    texts = [
        msg(
            "Imported from {file} ({format}) by bwsim import. Each variable is a node; its baseline is the "
            "original's run without change, each link the linear effect of one variable on another "
            "(ENGINE.md, deviation form). Every node has the theme {theme}: set each node's theme and "
            "dimension.",
            file=Path(sd.path).name,
            format="Vensim" if sd.format == "vensim" else "XMILE",
            theme=DEFAULT_THEME,
        )
    ]
    plain = {k: v for k, v in mapper.folded.items() if not sd.variables[k].family}
    texts += [
        msg(
            "{name} = {value:g} is in the weights of the links it scales; a scenario's change to it does "
            "not reach them.",
            name=sd.variables[key].name,
            value=value,
        )
        for key, value in plain.items()
    ]
    families: dict[str, list[str]] = {}
    for key, value in mapper.folded.items():
        var = sd.variables[key]
        if var.family:  # each value a message, so a Dutch description writes 0,5
            families.setdefault(var.family, []).append(
                msg("{elements}: {value:g}", elements=",".join(var.elements), value=value)
            )
    texts += [
        msg(
            "{name} ({values}) is in the weights of the links it scales; a scenario's change to it does "
            "not reach them.",
            name=name,
            values=joined("; ", values),
        )
        for name, values in families.items()
    ]
    texts += [msg("Approximation: {what}.", what=a) for a in mapper.approximations]
    return texts


def _plain_id(nid: str) -> str:
    """An element's node id as a plain one, for the nodes made beside it: ``jobs[north]`` as ``jobs_north``."""
    return node_id(nid)


def _elasticity(
    sd: SdModel,
    target: str,
    t: Term,
    ids: dict[str, str],
    links: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    run: dict[str, Any],
) -> None:
    """``coef * E(t) * L[x / F(t)]`` as bwsim's elasticity ``b_T * w * L[d_S / b_S]`` between two made-up nodes.

    ``S`` has the baseline ``F`` and follows ``x`` (a link of weight 1), ``T`` has
    the baseline ``E``; the elasticity link ``S -> T`` has the weight and lag, and
    ``T``'s deviation goes to ``target`` (weight 1). Without ``F`` (or ``E``) its baseline is 1.
    """

    stem = _plain_id(ids[target])

    def made(suffix: str, key: str | None) -> str:
        nid = f"{stem}_{suffix}{sum(1 for n in nodes if n['id'].startswith(stem + '_' + suffix)) + 1}"
        base = 1.0 if key is None else _baseline(run[key], sd.start, sd.dt)
        what = "1" if key is None else sd.variables[key].name
        nodes.append(
            {
                "id": nid,
                "label": {"nl": f"{suffix} of {ids[target]}: {what}", "en": f"{suffix} of {ids[target]}: {what}"},
                "theme": DEFAULT_THEME,
                "dimension": "hier_en_nu",
                "baseline": base,
            }
        )
        return nid

    source, scaled = made("source", t.divide), made("scaled", t.scale)
    links.append({"from": ids[t.source], "to": source, "weight": 1.0})
    link: dict[str, Any] = {"from": source, "to": scaled, "weight": t.coef, "form": "elasticity"}
    if t.delay != "none":
        link["lag"], link["delay"] = t.lag, t.delay
    links.append(link)
    links.append({"from": scaled, "to": ids[target], "weight": 1.0})


def _links(
    sd: SdModel,
    var: Variable,
    target: str,
    terms: list[Term],
    ids: dict[str, str],
    links: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    run: dict[str, Any],
) -> list[Problem]:
    """Append the links of ``terms`` into ``target`` (two plain reads of one source add up)."""
    problems = []
    seen: dict[str, dict[str, Any]] = {}
    for t in terms:
        if t.coef == 0 and t.shape is None:
            continue
        if t.divide is not None or t.scale is not None:
            _elasticity(sd, target, t, ids, links, nodes, run)
            continue
        link: dict[str, Any] = {"from": ids[t.source], "to": ids[target], "weight": t.coef}
        if t.delay != "none":
            link["lag"], link["delay"] = t.lag, t.delay
        if t.shape is not None:
            link["shape"] = {"kind": "lookup", "points": [list(p) for p in t.shape]}
        earlier = seen.get(t.source)
        if earlier is not None:
            if not any(k in earlier or k in link for k in ("lag", "shape")):
                earlier["weight"] += t.coef
                continue
            source = sd.variables[t.source].name if t.source in sd.variables else t.source
            problems.append(
                Problem(
                    sd.path,
                    var.name,
                    msg(
                        "{name} = {equation}: reads {source} in two ways (bwsim has one link per pair)",
                        name=var.name,
                        equation=_equation_text(sd, var),
                        source=source,
                    ),
                    msg("write one of them as its own variable"),
                    sd.line_of(var.name),
                )
            )
            continue
        seen[t.source] = link
        links.append(link)
    return problems


def _aux(mapper: _Mapper, var: Variable, node: dict[str, Any], run: dict[str, Any]) -> list[Term]:
    """The terms of an auxiliary; a whole-equation MIN/MAX makes it a capacity node or a bounded node."""
    ast = var.ast
    if (
        type(ast).__name__ == "CallStructure"
        and type(ast.function).__name__ == "ReferenceStructure"
        and ast.function.reference in ("min", "max")
        and mapper.reads_changing(ast)
    ):
        return _limit(mapper, ast.function.reference, [mapper.lin(a) for a in ast.arguments], node, run[var.key])
    return mapper.lin(ast).terms


def _limit(mapper: _Mapper, which: str, args: list[Lin], node: dict[str, Any], result: Any) -> list[Term]:
    """MIN/MAX of ``args`` as ``node``: a bound (one argument a number) or a capacity node.

    ``result`` is the run of the MIN/MAX itself where the original has it (a
    variable's whole equation); else the bound is judged on its argument's run.
    """
    fixed = [a for a in args if not a.terms and not a.exo]  # a number, not a variable
    if len(args) == 2 and len(fixed) == 1:
        level = mapper.fixed_value(fixed[0])
        other = args[0] if args[1] is fixed[0] else args[1]
        if result is not None:  # only the limited run is known: touching the bound may be binding
            binds = any(float(v) == level for v in result)
        else:
            series = mapper.series(other) or []
            binds = any((v < level) if which == "max" else (v > level) for v in series)
        if binds:
            raise Unmappable(
                msg(
                    "reaches its bound {level:g} in the original's own run; bwsim's bounds "
                    "act on changes from a run inside them",
                    level=level,
                )
            )
        node["min" if which == "max" else "max"] = level
        return other.terms
    terms = []
    for a in args:
        if len(a.terms) != 1 or a.exo or a.offset != 0 or not a.terms[0].plain:
            raise Unmappable(
                msg(
                    "{what} of an expression: bwsim's capacity nodes take a number times a variable per argument",
                    what=which.upper(),
                )
            )
        terms.append(a.terms[0])
    node["kind"] = "minimum" if which == "min" else "maximum"
    return terms


def _equation_text(sd: SdModel, var: Variable) -> str:
    """The variable's equation as the file writes it (Vensim), or PySD's reading of it (XMILE)."""
    line = sd.line_of(var.name)
    if sd.format == "vensim" and line is not None:
        return _text_equation(sd, var.name, line)
    return str(var.ast)[:200]


def _text_equation(sd: SdModel, name: str, line: int) -> str:
    """The text after ``=`` (or ``:`` for a range) from ``line`` up to the first ``~``, on one line."""
    if sd.format != "vensim":
        return ""
    lines = sd.text.splitlines()[line - 1 :]
    text = ""
    for item in lines:
        if "~" in item:
            text += item.split("~")[0]
            break
        text += " " + item
    mark = "=" if "=" in text else ":"
    equation = text.split(mark, 1)[1] if mark in text else text
    return " ".join(equation.split())[:200]
