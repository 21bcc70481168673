"""Own places and elsewhere: which element nodes lie where a scenario's interventions are.

In a model with dimensions (places and groups, :mod:`simulator.dimensions`), an
intervention on ``jobs[heerlen]`` has its own place, Heerlen; an effect on
``unemployment_rate[kerkrade]`` is then an effect *elsewhere* (the brede-welvaart
dimension *elders*, computed rather than labelled). The scorecard per place builds
on this; this module only tells the nodes apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.scenario_run import PreparedScenario


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
        raise InputError(Problem("", "dimension", msg("'{dimension}' is not a dimension of the model",
                                                      dimension=str(dimension)),
                                 msg("declared are {names}", names=", ".join(declared)) if declared
                                 else msg("the model declares no dimensions")))
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
    return Places(dimension, own, tuple(n for n, e in where.items() if e in own),
                  tuple(n for n, e in where.items() if e not in own))
