"""Subscripted Vensim variables and XMILE arrays, expanded into one variable per element.

PySD's abstract syntax keeps a subscripted variable as one element with components over
subscript ranges (``Jobs[region] = INTEG(...)``) or over single elements
(``Initial Jobs[north] = 1000``). :func:`expand_element` makes one plain variable per element,
named as PySD reports it (``Jobs[north]``, ``Commute[north,south]``) and keyed
``jobs[north]``, with its equation rewritten on the abstract syntax (still PySD's own
structures, never parsed here):

- a reference over the variable's own ranges reads the element (``Hiring[region]`` in the
  equation of ``Jobs[north]`` is ``hiring[north]``);
- ``SUM(x[region!])`` is the sum of the elements (``x[north] + x[south] + ...``), also of an
  expression (``SUM(w[region!, to region] * x[region!])``: the sum of its terms, element by
  element); ``ELMCOUNT(region)`` is the number of elements;
- a number array (``Base Hiring[region] = 50, 40, 30``) gives each element its number.

:func:`simulator.io.import_sd.map_model` then maps the flat variables as any other, and
:mod:`simulator.io.import_fold` folds its element nodes and links back into dimensions.
What has no counterpart is an :class:`~simulator.io.import_sd.Unmappable` (or, for a range,
a problem): a subscript mapping, a subrange (a range whose elements lie in a larger one), a
range of ranges, ``:EXCEPT:``, a reference over a range the equation does not range over,
``PROD``, ``VMIN``, ``VMAX`` and other functions over ``!`` ranges, a subscripted lookup.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from simulator.messages import msg


class SubscriptError(Exception):
    """A subscripted construct outside what bwsim expresses: ``reason`` says why (a :func:`msg`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Ranges:
    """The model's subscript ranges: name as written -> its elements as written."""

    ranges: dict[str, tuple[str, ...]]

    def of_element(self, element: str) -> str | None:
        """The first range (in the file's order) holding ``element``."""
        return next((name for name, elements in self.ranges.items() if element in elements), None)


def range_problems(abstract_ranges: list[Any]) -> list[tuple[str, str]]:
    """``(range name, reason)`` for each range bwsim cannot take as a dimension.

    A mapping (``a: x, y -> b``), and a range whose elements are some of another's
    (a subrange, or a range made of ranges, which PySD gives as the union of their elements):
    bwsim's dimensions are disjoint sets or the same set (an equivalent range).
    """
    problems: list[tuple[str, str]] = []
    sets = {str(r.name): tuple(map(str, r.subscripts)) for r in abstract_ranges}
    for r in abstract_ranges:
        name = str(r.name)
        if r.mapping:
            problems.append((name, msg("maps its elements onto another range (a subscript mapping)")))
            continue
        mine = set(sets[name])
        for other, elements in sets.items():
            theirs = set(elements)
            if other == name or mine == theirs or not mine & theirs or theirs < mine:
                continue  # the same set (an equivalent range), apart, or a subrange of this one (said there)
            what = (
                msg("is a subrange of {other} (bwsim's dimensions do not overlap)", other=other)
                if mine < theirs
                else msg("shares elements with {other} (bwsim's dimensions do not overlap)", other=other)
            )
            problems.append((name, what))
            break
    return problems


def flat_name(name: str, elements: tuple[str, ...]) -> str:
    """The name PySD reports an element under: ``Jobs[north]``, ``Commute[north,south]``."""
    return f"{name}[{','.join(elements)}]"


def flat_key(key: str, elements: tuple[str, ...]) -> str:
    """The key of one element's variable: ``jobs[north]``."""
    return f"{key}[{','.join(e.lower() for e in elements)}]"


@dataclass(frozen=True)
class Family:
    """A subscripted variable: its key and name, its ranges, and each element's equation."""

    key: str
    name: str
    dims: tuple[str, ...]
    equations: dict[tuple[str, ...], Any]  # elements -> the element's abstract syntax, rewritten


def family_dims(components: list[Any], ranges: Ranges) -> tuple[str, ...]:
    """The ranges a subscripted variable spans, position by position (raises :class:`SubscriptError`)."""
    subs = [list(map(str, c.subscripts[0])) for c in components]
    if len({len(s) for s in subs}) != 1:
        raise SubscriptError(msg("its equations have different numbers of subscripts"))
    dims = []
    for position in range(len(subs[0])):
        given = [s[position] for s in subs]
        named = [g for g in given if g in ranges.ranges]
        if named:
            dims.append(named[0])
            continue
        owner = ranges.of_element(given[0])
        if owner is None:
            raise SubscriptError(msg("uses the subscript {sub}, which is no range or element", sub=given[0]))
        dims.append(owner)
    for position, dim in enumerate(dims):
        for s in subs:
            sub = s[position]
            if sub in ranges.ranges:
                if set(ranges.ranges[sub]) != set(ranges.ranges[dim]):
                    raise SubscriptError(msg("ranges over {a} in one equation and {b} in another", a=sub, b=dim))
            elif sub not in ranges.ranges[dim]:
                raise SubscriptError(msg("names {element}, which is not an element of {dim}", element=sub, dim=dim))
    return tuple(dims)


def expand_element(
    key: str, name: str, components: list[Any], ranges: Ranges, families: dict[str, tuple[str, ...]]
) -> Family:
    """The equation of each element of a subscripted variable (raises :class:`SubscriptError`).

    ``families`` holds every subscripted variable's ranges (key -> ranges): XMILE reads a
    family without subscripts in an equation over the same ranges (a stock's flow).
    """
    if any(c.subscripts[1] for c in components):
        raise SubscriptError(msg("uses :EXCEPT:"))
    dims = families[key]
    equations: dict[tuple[str, ...], Any] = {}
    for component in components:
        subs = list(map(str, component.subscripts[0]))
        choices = [ranges.ranges[s] if s in ranges.ranges else (s,) for s in subs]
        free = [i for i, s in enumerate(subs) if s in ranges.ranges]
        for elements in itertools.product(*choices):
            if elements in equations:
                raise SubscriptError(msg("defines the element {element} twice", element=",".join(elements)))
            at = {subs[i]: elements[i] for i in free}
            at.update({dims[i]: elements[i] for i in range(len(dims))})
            equations[elements] = _rewrite(_pick(component.ast, elements, free, ranges, subs), at, ranges, families)
    wanted = list(itertools.product(*(ranges.ranges[d] for d in dims)))
    missing = [",".join(e) for e in wanted if e not in equations]
    if missing:
        raise SubscriptError(msg("has no equation for the element(s) {elements}", elements="; ".join(missing)))
    return Family(key, name, dims, {e: equations[e] for e in wanted})


def expand_plain(ast: Any, ranges: Ranges, families: dict[str, tuple[str, ...]]) -> Any:
    """The equation of a variable without subscripts, its reads of elements and sums rewritten."""
    return _rewrite(ast, {}, ranges, families)


def _pick(ast: Any, elements: tuple[str, ...], free: list[int], ranges: Ranges, subs: list[str]) -> Any:
    """A number array's value for ``elements`` (its axes are the component's ranges); other syntax as it is."""
    if type(ast).__module__ != "numpy" or not getattr(ast, "shape", ()):
        return ast
    index = tuple(ranges.ranges[subs[i]].index(elements[i]) for i in free)
    if len(index) != len(ast.shape):
        raise SubscriptError(msg("has an array of numbers whose shape does not match its subscripts"))
    return float(ast[index])


def _rewrite(ast: Any, at: dict[str, str], ranges: Ranges, families: dict[str, tuple[str, ...]]) -> Any:
    """``ast`` for one element: references read elements, ``SUM`` and ``ELMCOUNT`` expanded."""
    kind = type(ast).__name__
    if kind == "ReferenceStructure":
        return _reference(ast, at, ranges, families)
    if kind == "CallStructure" and type(ast.function).__name__ == "ReferenceStructure":
        done = _call(ast, at, ranges, families)
        if done is not None:
            return done
    if isinstance(ast, list | tuple):
        return type(ast)(_rewrite(item, at, ranges, families) for item in ast)
    if is_dataclass(ast) and not isinstance(ast, type):
        return replace(ast, **{f.name: _rewrite(getattr(ast, f.name), at, ranges, families) for f in fields(ast)})
    return ast


def _reference(ast: Any, at: dict[str, str], ranges: Ranges, families: dict[str, tuple[str, ...]]) -> Any:
    """A read of a variable, as the read of its element (``hiring[region]`` as ``hiring[north]``)."""
    if ast.subscripts is None:
        if ast.reference not in families:
            return ast
        dims = families[ast.reference]
        if not all(d in at for d in dims):
            raise SubscriptError(msg("reads {ref} without its subscripts", ref=ast.reference))
        return replace(ast, reference=flat_key(ast.reference, tuple(at[d] for d in dims)))
    subs = list(map(str, ast.subscripts.subscripts))
    elements = []
    for sub in subs:
        if sub in at:
            elements.append(at[sub])
        elif sub.endswith("!"):
            raise SubscriptError(msg("uses {sub} outside SUM", sub=sub))
        elif sub in ranges.ranges:
            raise SubscriptError(
                msg(
                    "reads {ref}[{subs}] over the range {sub}, which its own equation does not range over",
                    ref=ast.reference,
                    subs=", ".join(subs),
                    sub=sub,
                )
            )
        else:
            elements.append(sub)
    return replace(ast, reference=flat_key(ast.reference, tuple(elements)), subscripts=None)


def _call(ast: Any, at: dict[str, str], ranges: Ranges, families: dict[str, tuple[str, ...]]) -> Any:
    """``ELMCOUNT(range)`` as a number, ``SUM`` over ``!`` ranges as a sum; None for other calls."""
    function = ast.function.reference
    if function == "elmcount":
        arg = ast.arguments[0]
        dim = _range_named(arg.reference if type(arg).__name__ == "ReferenceStructure" else "", ranges)
        if dim is None:
            raise SubscriptError(msg("ELMCOUNT of something that is not a range"))
        return float(len(ranges.ranges[dim]))
    summed = _summed_ranges(ast.arguments, ranges)
    if not summed:
        return None
    if function != "sum" or len(ast.arguments) != 1:
        raise SubscriptError(msg("uses {what} over a range; bwsim has sums (SUM) only", what=function.upper()))
    return _sum(ast.arguments[0], summed, at, ranges, families)


def _range_named(name: str, ranges: Ranges) -> str | None:
    """The range whose PySD reference is ``name`` (``to_region`` for ``to region``)."""
    for dim in ranges.ranges:
        if dim.lower().replace(" ", "_") == name or dim == name:
            return dim
    return None


def _summed_ranges(ast: Any, ranges: Ranges) -> list[str]:
    """The ranges written ``range!`` inside ``ast``, in order of appearance."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if type(node).__name__ == "SubscriptsReferenceStructure":
            for sub in map(str, node.subscripts):
                if sub.endswith("!") and sub[:-1] not in found:
                    found.append(sub[:-1])
            return
        if isinstance(node, list | tuple):
            for item in node:
                walk(item)
        elif is_dataclass(node) and not isinstance(node, type):
            for f in fields(node):
                walk(getattr(node, f.name))

    walk(ast)
    return found


def _sum(ast: Any, summed: list[str], at: dict[str, str], ranges: Ranges, families: dict[str, tuple[str, ...]]) -> Any:
    """``SUM(ast)`` over the ``!`` ranges: the terms for every element, added (PySD's own syntax)."""
    from pysd.translators.structures.abstract_expressions import ArithmeticStructure

    for dim in summed:
        if dim not in ranges.ranges:
            raise SubscriptError(msg("sums over {sub}, which is no range", sub=dim + "!"))
    terms = []
    for elements in itertools.product(*(ranges.ranges[d] for d in summed)):
        inner = dict(at)
        inner.update({f"{d}!": e for d, e in zip(summed, elements, strict=True)})
        terms.append(_rewrite(ast, inner, ranges, families))
    if len(terms) == 1:
        return terms[0]
    return ArithmeticStructure(operators=["+"] * (len(terms) - 1), arguments=tuple(terms))
