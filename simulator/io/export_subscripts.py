"""The equations of a model with dimensions, folded back into subscripted families.

:func:`simulator.io.export_equations.build_equations` writes the *expanded* network, one
variable per element (``jobs[heerlen]_delta``, ``jobs[heerlen]_to_employed_residents[kerkrade]_weight``).
:func:`subscripted` turns those into Vensim subscripts and XMILE arrays:

- A flat name's element groups (``[heerlen]``, ``[heerlen,laag]``) move to the end of its
  family's name: ``jobs[heerlen]_delta`` is ``jobs_delta[heerlen]`` of the family ``jobs_delta``
  over ``gemeente``. An element-to-element link (``employed_residents[heerlen]_to_unemployment_rate[heerlen]``)
  names its elements once: ``employed_residents_to_unemployment_rate_weight[heerlen]``.
- A family whose members would need one dimension twice (a matrix ``jobs[r] -> employed_residents[c]``)
  keeps the source's element in its name and ranges over the target's: one family per matrix
  row, ``jobs_heerlen_to_employed_residents_weight[kerkrade]``. (Vensim needs an equivalent
  range and PySD one axis per dimension for ``w[gemeente, gemeente]``; rows work everywhere.)
- A family whose members are one equation with the element replaced by its dimension is
  written once (``jobs_delta[gemeente] = INTEG(jobs_input[gemeente] + ...)``, XMILE's
  apply-to-all array); otherwise each element gets its own equation (Vensim's
  ``w[heerlen] = 0.45`` lines, XMILE's ``<element subscript="heerlen">``): where values differ.
- A sum over every element of a one-dimensional family (an aggregation's effects) is
  ``SUM(x[gemeente!])`` in Vensim, the expression ``("sum", family, dimension, elements)``; XMILE
  writes the elements' sum (``x[heerlen] + x[kerkrade]``): PySD's XMILE reader refuses ``SUM(x[*])``.

Nothing numeric changes: the folded equations are the flat ones with other names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from simulator.io.export_equations import Equation, EquationSet, export_name
from simulator.spec import Expansion

_GROUP = re.compile(r"\[([^\]]*)\]")


@dataclass(frozen=True)
class Member:
    """Where one flat variable goes: its family's name, the family's dimensions and its elements."""

    family: str
    dims: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()

    def ref(self, generic_for: dict[str, str] | None = None) -> str:
        """The name as a reference; a dimension in place of each element ``generic_for`` maps to it."""
        if not self.dims:
            return self.family
        subs = [
            d if generic_for is not None and generic_for.get(d) == e else e
            for d, e in zip(self.dims, self.elements, strict=True)
        ]
        return f"{self.family}[{','.join(subs)}]"


class NotFoldable(ValueError):
    """The flat names cannot be folded (an element in two dimensions): export flat instead."""


def _element_dims(expansion: Expansion) -> dict[str, str]:
    owner: dict[str, str] = {}
    for dim, elements in expansion.dimensions.items():
        for element in elements:
            if element in owner:
                raise NotFoldable(f"element {element!r} is in {owner[element]!r} and {dim!r}")
            owner[element] = dim
    return owner


def _groups(name: str) -> list[tuple[str, ...]]:
    return [tuple(part.strip() for part in g.split(",")) for g in _GROUP.findall(name)]


def _merge(groups: list[tuple[str, ...]], owner: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The dimensions and elements of all groups together; None when one dimension has two elements."""
    dims: list[str] = []
    elements: list[str] = []
    for group in groups:
        for element in group:
            dim = owner[element]
            if dim in dims:
                if elements[dims.index(dim)] != element:
                    return None
                continue
            dims.append(dim)
            elements.append(element)
    return tuple(dims), tuple(elements)


def members(names: list[str], expansion: Expansion) -> dict[str, Member]:
    """Each flat name (with element groups) mapped to its family, dimensions and elements."""
    owner = _element_dims(expansion)
    keyed: dict[str, list[str]] = {}
    for name in names:
        if "[" in name:
            keyed.setdefault(_GROUP.sub("[]", name), []).append(name)
    out: dict[str, Member] = {}
    for flat in keyed.values():
        rows = any(_merge(_groups(n), owner) is None for n in flat)  # a matrix: the source's element in the name
        family_members = {}
        for name in flat:
            groups = _groups(name)
            family = _GROUP.sub("", name)
            if rows:
                first = _GROUP.search(name)
                assert first is not None
                family = _GROUP.sub("", name[: first.start()] + "_" + "_".join(groups[0]) + name[first.end() :])
                groups = groups[1:]
            merged = _merge(groups, owner)
            if merged is None:
                raise NotFoldable(f"{name!r} needs one dimension twice")
            family_members[name] = Member(family, *merged)
        out.update(_complete_or_scalars(family_members, expansion.dimensions))
    return out


def _complete_or_scalars(found: dict[str, Member], dimensions: dict[str, tuple[str, ...]]) -> dict[str, Member]:
    """``found`` as it is when each family has every element; a family with only some (an intervention's
    constants on ``jobs[heerlen]``) as one plain variable per element, ``jobs_heerlen_input_0_height``
    (one underscore: Vensim readers take ``__`` as ``_``, and Simlin's then misses the variable)."""
    by_family: dict[str, list[Member]] = {}
    for member in found.values():
        by_family.setdefault(member.family, []).append(member)
    partial = {
        family
        for family, ms in by_family.items()
        if sorted(m.elements for m in ms) != sorted(_product(ms[0].dims, dimensions))
    }
    return {name: Member(_plain(name)) if m.family in partial else m for name, m in found.items()}


def _plain(name: str) -> str:
    """``jobs[heerlen]_input_0_height`` as ``jobs_heerlen_input_0_height``, ``x[heerlen,laag]`` ``x_heerlen_laag``."""
    return re.sub(r"_+", "_", name.replace("[", "_").replace(",", "_").replace("]", ""))


def _check_unique(equations: list[Equation]) -> None:
    """Every written name once, as Vensim compares names (case, ``_`` and spaces alike)."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for eq in equations:
        key = (re.sub(r"[_ ]+", " ", eq.name.lower()), eq.elements)
        if key in seen:
            raise NotFoldable(f"{eq.name!r} is written twice")
        seen.add(key)


def _rename(expr: Any, table: dict[str, Member], generic_for: dict[str, str] | None) -> Any:
    if isinstance(expr, list):
        return [_rename(x, table, generic_for) for x in expr]
    if not isinstance(expr, tuple) or not expr:
        return expr
    if expr[0] == "ref":
        member = table.get(expr[1])
        return expr if member is None else ("ref", member.ref(generic_for))
    return (expr[0], *(_rename(part, table, generic_for) for part in expr[1:]))


def _summed(expr: Any, table: dict[str, Member], dimensions: dict[str, tuple[str, ...]]) -> Any:
    """``expr`` with each ``add`` of every element of a one-dimensional family as ``("sum", family, dim, elements)``."""
    if isinstance(expr, list):
        return [_summed(x, table, dimensions) for x in expr]
    if not isinstance(expr, tuple) or not expr or expr[0] == "ref":
        return expr
    if expr[0] != "add":
        return (expr[0], *(_summed(part, table, dimensions) for part in expr[1:]))
    terms = [_summed(x, table, dimensions) for x in expr[1]]
    found: dict[str, list[int]] = {}
    for i, term in enumerate(terms):
        member = table.get(term[1]) if isinstance(term, tuple) and term and term[0] == "ref" else None
        if member is not None and len(member.dims) == 1:
            found.setdefault(member.family, []).append(i)
    for family, places in found.items():
        member = table[terms[places[0]][1]]
        elements = sorted(table[terms[i][1]].elements[0] for i in places)
        if elements == sorted(dimensions[member.dims[0]]):
            terms[places[0]] = ("sum", family, member.dims[0], tuple(dimensions[member.dims[0]]))
            for i in places[1:]:
                terms[i] = None
    return ("add", [t for t in terms if t is not None])


def subscripted(flat: EquationSet, expansion: Expansion) -> EquationSet:
    """``flat`` (the expanded model's equations, element names in brackets) as subscripted families.

    Raises
    ------
    NotFoldable
        When an element is in two dimensions, or two folded names coincide (the caller then
        writes the flat export).
    """
    table = members([eq.name for eq in flat.equations], expansion)
    families: dict[str, list[Equation]] = {}
    order: list[str] = []
    for eq in flat.equations:
        member = table.get(eq.name, Member(eq.name))
        if member.family not in families:
            order.append(member.family)
        families.setdefault(member.family, []).append(eq)
    used = {d for m in table.values() for d in m.dims}
    dimensions = {d: tuple(e) for d, e in expansion.dimensions.items() if d in used}
    equations: list[Equation] = []
    for family in order:
        group = families[family]
        member = table.get(group[0].name, Member(family))
        if not member.dims:
            eq = group[0]
            equations.append(
                replace(
                    eq,
                    name=family,
                    expr=_rename(_summed(eq.expr, table, dimensions), table, None),
                    initial=_rename(_summed(eq.initial, table, dimensions), table, None),
                )
            )
            continue
        mapped = [
            replace(
                eq,
                name=family,
                expr=_rename(_summed(eq.expr, table, dimensions), table, generic_for),
                initial=_rename(_summed(eq.initial, table, dimensions), table, generic_for),
                comment="",
            )
            for eq in group
            for generic_for in [dict(zip(table[eq.name].dims, table[eq.name].elements, strict=True))]
        ]
        same = [
            replace(
                m,
                expr=_rename(_summed(eq.expr, table, dimensions), table, None),
                initial=_rename(_summed(eq.initial, table, dimensions), table, None),
            )
            for m, eq in zip(mapped, group, strict=True)
        ]
        for written in (mapped, same):  # x[gemeente] = y[gemeente], or x[gemeente] = y[heerlen]: one equation
            if all(w == written[0] for w in written):
                comment = _family_comment([eq.comment for eq in group], member.dims)
                equations.append(replace(written[0], dims=member.dims, comment=comment))
                break
        else:  # values differ: one equation per element
            for eq, one in zip(group, same, strict=True):
                equations.append(
                    replace(one, comment=eq.comment, dims=table[eq.name].dims, elements=table[eq.name].elements)
                )
    _check_unique(equations)
    positions: dict[str, tuple[float, float]] = {}
    for name, xy in flat.positions.items():
        positions.setdefault(table[name].family if name in table else name, xy)
    return EquationSet(flat.name, flat.start, flat.end, flat.dt, equations, positions, dimensions)


def _product(dims: tuple[str, ...], dimensions: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    combos: list[tuple[str, ...]] = [()]
    for d in dims:
        combos = [(*c, e) for c in combos for e in dimensions[d]]
    return combos


def _family_comment(comments: list[str], dims: tuple[str, ...]) -> str:
    """The members' comments as one for their family: an element group that differs between members
    (``jobs[heerlen]``, ``jobs[kerkrade]``) as its dimensions (``jobs[gemeente]``); without groups,
    a label's element in parentheses (``Jobs (Heerlen)``) left off."""
    first = comments[0]
    if not _GROUP.search(first):
        return re.sub(r"\s*\([^()]*\)$", "", first) if len(comments) > 1 else first
    columns = list(zip(*(_GROUP.findall(c) for c in comments), strict=False))
    varying = iter(len(set(column)) > 1 for column in columns)
    return _GROUP.sub(lambda m: f"[{','.join(dims)}]" if next(varying, False) else m.group(0), first)


def delta_columns(equations: EquationSet, node_ids: list[str]) -> list[str]:
    """The name each engine reports the deviation of each flat node under (``jobs[heerlen]``:
    ``jobs_delta[heerlen]`` in a subscripted export, ``jobs__heerlen_delta`` in the flat one)."""
    if not equations.dimensions:
        return [export_name(f"{node}_delta") for node in node_ids]
    columns = []
    for node in node_ids:
        family, bracket, rest = node.partition("[")
        columns.append(f"{family}_delta[{rest.replace(' ', '')}" if bracket else f"{node}_delta")
    return columns
