"""Own places and elsewhere: which element nodes lie where a scenario's interventions are.

In a model with dimensions (places and groups, :mod:`simulator.dimensions`), an
intervention on ``jobs[heerlen]`` has its own place, Heerlen; an effect on
``unemployment_rate[kerkrade]`` is then an effect *elsewhere* (the brede-welvaart
dimension *elders*, computed rather than labelled). This module tells the nodes
apart: which lie in a place (:func:`nodes_of_place`), which lie elsewhere than a
scenario's interventions (:func:`elsewhere_nodes`), which stand for the whole
(:func:`whole_nodes`: a family's aggregate node instead of its elements), and
which families verdeling compares (:func:`family_groups`).

A dimension is a dimension of **places** when the model says so (``of: places``),
or, when it says nothing, when its name is one of :data:`PLACE_DIMENSIONS`
(``gemeente``, ``wijk``, ...) or it lies ``within`` one; other dimensions
(``groep``, income groups, age bands; ``of: groups``) are groups of people,
never *elders*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.scenario_run import PreparedScenario
from simulator.spec import Expansion, ModelSpec

PLACE_DIMENSIONS = (
    "land",
    "provincie",
    "regio",
    "gemeente",
    "wijk",
    "buurt",
    "place",
    "municipality",
    "district",
    "neighbourhood",
)
"""Names of dimensions of places; a dimension ``within`` one of them is one of places too."""


@dataclass(frozen=True)
class Places:
    """The interventions' own places along one dimension, and the nodes in and outside them.

    Attributes
    ----------
    dimension : str
        The dimension of places (``gemeente``).
    own : tuple of str
        Its elements the interventions change a node of, in the dimension's order
        (empty: no intervention is on a node over ``dimension``; then no node is elsewhere).
    own_nodes, elsewhere_nodes : tuple of str
        Element nodes over ``dimension`` whose element is (is not) one of ``own``, in model order.
        Nodes not over ``dimension`` are in neither (the whole region, or no place).
    """

    dimension: str
    own: tuple[str, ...]
    own_nodes: tuple[str, ...]
    elsewhere_nodes: tuple[str, ...]


def intervention_places(prepared: PreparedScenario, dimension: str | None = None) -> Places:
    """Which element nodes of ``prepared`` lie in its interventions' own places along ``dimension``.

    ``dimension`` may be left out when the model declares one dimension.

    Raises
    ------
    InputError
        The model has no dimensions, or ``dimension`` is not one of them (or is needed and not given).
    """
    expansion = prepared.model.expansion
    declared = list(expansion.dimensions) if expansion is not None else []
    if dimension is None and len(declared) == 1:
        dimension = declared[0]
    if dimension is None or dimension not in declared:
        raise InputError(
            Problem(
                "",
                "dimension",
                msg("'{dimension}' is not a dimension of the model", dimension=str(dimension)),
                msg("declared are {names}", names=", ".join(declared))
                if declared
                else msg("the model declares no dimensions"),
            )
        )
    assert expansion is not None
    where: dict[str, str] = {}
    for node, origin in zip(prepared.model.nodes, expansion.nodes, strict=True):
        dims = expansion.families.get(origin.family, ())
        if dimension in dims:
            where[node.id] = origin.element[dims.index(dimension)]
        for k, dim in enumerate(dims):  # a wijk's gemeente
            nesting = expansion.within.get(dim)
            if nesting is not None and nesting.dimension == dimension:
                where[node.id] = nesting.elements[origin.element[k]]
    targeted = {where[item.node] for item in prepared.interventions if item.node in where}
    own = tuple(e for e in expansion.dimensions[dimension] if e in targeted)
    if not own:
        return Places(dimension, (), (), ())
    return Places(
        dimension,
        own,
        tuple(n for n, e in where.items() if e in own),
        tuple(n for n, e in where.items() if e not in own),
    )


def place_dimensions(expansion: Expansion | None) -> tuple[str, ...]:
    """The model's dimensions of places, in declared order: those declared ``of: places``, and of those
    that declare nothing, the ones named in :data:`PLACE_DIMENSIONS` or lying ``within`` one of places."""
    if expansion is None:
        return ()
    out: list[str] = []
    for dim in expansion.dimensions:
        kind = expansion.kinds.get(dim)
        nesting = expansion.within.get(dim)
        if kind == "places" or (
            kind is None and (dim in PLACE_DIMENSIONS or (nesting is not None and nesting.dimension in out))
        ):
            out.append(dim)
    return tuple(out)


def _places_of_nodes(model: ModelSpec) -> dict[str, set[str]]:
    """Each element node's places: its element along every dimension of places, and a wijk's gemeente."""
    expansion = model.expansion
    dims_of_places = place_dimensions(expansion)
    out: dict[str, set[str]] = {}
    if expansion is None:
        return out
    for node, origin in zip(model.nodes, expansion.nodes, strict=True):
        dims = expansion.families.get(origin.family, ())
        for k, dim in enumerate(dims):
            if dim not in dims_of_places:
                continue
            element = origin.element[k]
            places = out.setdefault(node.id, {element})
            nesting = expansion.within.get(dim)
            while nesting is not None:  # a wijk's gemeente (and further up, should nesting deepen)
                element = nesting.elements[element]
                places.add(element)
                nesting = expansion.within.get(nesting.dimension)
    return out


def place_elements(model: ModelSpec) -> list[str]:
    """Every place of the model: the elements of its dimensions of places, in declared order."""
    expansion = model.expansion
    if expansion is None:
        return []
    return [e for dim in place_dimensions(expansion) for e in expansion.dimensions[dim]]


def nodes_of_place(model: ModelSpec, place: str) -> list[str]:
    """The element nodes of ``model`` that lie in ``place``, in model order.

    A node lies in ``place`` when its element along a dimension of places (:func:`place_dimensions`)
    is ``place``, or, for a node over a nested dimension (``wijk: {within: gemeente}``), when its
    wijk lies in the gemeente ``place``. Plain nodes (the whole region) lie in no place.

    Raises
    ------
    InputError
        ``place`` is no element of a dimension of places (at ``--place``, the places listed).
    """
    known = place_elements(model)
    if place not in known:
        raise InputError(
            Problem(
                "",
                "--place",
                msg("'{place}' is not a place of the model", place=place),
                msg("places of this model: {places}", places=", ".join(known))
                if known
                else msg("the model declares no dimension of places (such as gemeente)"),
            )
        )
    where = _places_of_nodes(model)
    return [n.id for n in model.nodes if place in where.get(n.id, ())]


def elsewhere_nodes(prepared: PreparedScenario) -> tuple[str, ...]:
    """The element nodes outside the own places of ``prepared``'s interventions (*elders*), in model order.

    Along each top dimension of places (not nested in another; a wijk is judged by its gemeente) the own
    places are :func:`intervention_places`'s; a node is elsewhere when it lies outside them along one such
    dimension. Empty without dimensions of places, or when no intervention is on a node over one.
    """
    expansion = prepared.model.expansion
    top = [d for d in place_dimensions(expansion) if expansion is not None and d not in expansion.within]
    away: set[str] = set()
    for dim in top:
        away |= set(intervention_places(prepared, dim).elsewhere_nodes)
    return tuple(n.id for n in prepared.model.nodes if n.id in away)


def place_scorecard(card: pd.DataFrame, model: ModelSpec, place: str) -> pd.DataFrame:
    """The scorecard rows of the nodes in ``place`` (:func:`nodes_of_place`), each in the brede-welvaart
    dimension its file gives: the place's own view (what happens *in* Kerkrade is Kerkrade's hier en nu)."""
    keep = set(nodes_of_place(model, place))
    part = card[card["node"].isin(keep)].copy()
    part["dimension"] = [model.node(n).dimension for n in part["node"]]
    return part.reset_index(drop=True)


def whole_nodes(model: ModelSpec) -> list[str]:
    """The nodes that make up the whole model region, in model order: every plain node, and the elements
    of the families no aggregate link sums or averages into a plain node (a family with an aggregate node
    is counted once, through it: ``jobs_parkstad`` for ``jobs[heerlen]`` and ``jobs[kerkrade]``)."""
    expansion = model.expansion
    if expansion is None:
        return list(model.node_ids)
    aggregated = set()
    for origin in expansion.links:
        source, _, target = origin.family.partition("->")
        if source in expansion.families and target and target not in expansion.families:
            aggregated.add(source)
    return [n.id for n, o in zip(model.nodes, expansion.nodes, strict=True) if o.family not in aggregated]


def whole_scorecard(card: pd.DataFrame, model: ModelSpec) -> pd.DataFrame:
    """The scorecard rows of :func:`whole_nodes` (the whole region, each family once)."""
    return card[card["node"].isin(set(whole_nodes(model)))].reset_index(drop=True)


@dataclass(frozen=True)
class FamilyGroup:
    """The elements of one family that verdeling compares along one dimension.

    Attributes
    ----------
    indicator : str
        ``family`` (over one dimension), or ``family[heerlen,*]`` with the other dimensions' elements fixed.
    dimension : str
        The dimension compared over.
    nodes : tuple of int
        The element nodes' indices in the model, in the dimension's order.
    groups : tuple of str
        Their elements along ``dimension``.
    """

    indicator: str
    dimension: str
    nodes: tuple[int, ...]
    groups: tuple[str, ...]


def family_groups(model: ModelSpec) -> list[FamilyGroup]:
    """For each family and each of its dimensions, the elements compared (one group per combination of
    the other dimensions' elements); with two or more elements only."""
    expansion = model.expansion
    if expansion is None:
        return []
    found: dict[tuple[str, str, tuple[str, ...]], list[tuple[int, str]]] = {}
    for i, origin in enumerate(expansion.nodes):
        dims = expansion.families.get(origin.family, ())
        for k, dim in enumerate(dims):
            rest = tuple(e if j != k else "*" for j, e in enumerate(origin.element))
            found.setdefault((origin.family, dim, rest), []).append((i, origin.element[k]))
    out = []
    for (family, dim, rest), items in found.items():
        if len(items) < 2:
            continue
        name = family if len(rest) == 1 else f"{family}[{','.join(rest)}]"
        out.append(FamilyGroup(name, dim, tuple(i for i, _ in items), tuple(e for _, e in items)))
    return out


def gap(values: ArrayLike, measure: str = "range", axis: int = 0) -> np.ndarray:
    """The gap between groups' values along ``axis``: ``range`` (highest minus lowest), ``sd`` (population
    standard deviation, numpy's ``std`` with ``ddof=0``) or ``ratio`` (highest over lowest; NaN when the
    lowest is not above 0). Node units (``ratio``: a pure number)."""
    v = np.asarray(values, dtype=float)
    if measure == "sd":
        return np.std(v, axis=axis)
    if measure == "ratio":
        low, high = np.min(v, axis=axis), np.max(v, axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(low > 0, high / np.where(low > 0, low, 1.0), np.nan)
    return np.ptp(v, axis=axis)
