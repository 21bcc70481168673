"""The two graph questions every run and ``bwsim validate`` ask, answered without networkx.

Importing networkx takes about 0.2 s of CPU, a third of the 0.6 s that ``bwsim
validate`` may take (issue #14); a run of a sound model only needs the
evaluation order of its zero-lag links (:func:`topological_generations`, on the
standard library's :mod:`graphlib`) and which links lie on a feedback loop
(:func:`strongly_connected_components`). networkx stays where loops are named or
counted (:mod:`simulator.analysis.loops`, :func:`simulator.network.algebraic_loops`)
and is then imported when needed. ``tests/core/test_digraph.py`` checks both
functions against networkx on random graphs.
"""

from __future__ import annotations

import graphlib
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def topological_generations(nodes: Iterable[Node], edges: Iterable[tuple[Node, Node]]) -> list[list[Node]] | None:
    """The nodes in generations: each node after every node with an edge into it; None when there is a cycle.

    A generation holds the nodes whose predecessors are all in earlier generations (the
    generations of :func:`networkx.topological_generations`; the order within one is not
    specified). Nodes of ``edges`` that are not in ``nodes`` are included.
    """
    sorter: graphlib.TopologicalSorter[Node] = graphlib.TopologicalSorter()
    for node in nodes:
        sorter.add(node)
    for source, target in edges:
        sorter.add(target, source)
    try:
        sorter.prepare()
    except graphlib.CycleError:
        return None
    generations = []
    while sorter.is_active():
        ready = list(sorter.get_ready())
        sorter.done(*ready)
        generations.append(ready)
    return generations


def strongly_connected_components(n_nodes: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """The strongly connected group of each node ``0 .. n_nodes - 1`` (a number per node; equal: same group).

    Two nodes are in one group when each can be reached from the other; a node on no
    loop is a group of its own. Tarjan's algorithm without recursion (a model may have
    thousands of nodes in a row), linear in nodes and edges.
    """
    successors: list[list[int]] = [[] for _ in range(n_nodes)]
    for source, target in edges:
        successors[source].append(target)
    index = [-1] * n_nodes  # order of discovery
    low = [0] * n_nodes
    group = [-1] * n_nodes
    on_stack = [False] * n_nodes
    stack: list[int] = []
    counter = n_groups = 0
    for root in range(n_nodes):
        if index[root] >= 0:
            continue
        work: list[tuple[int, Iterator[int]]] = [(root, iter(successors[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:  # every successor done: close the node
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack[member] = False
                        group[member] = n_groups
                        if member == node:
                            break
                    n_groups += 1
            elif index[child] < 0:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack[child] = True
                work.append((child, iter(successors[child])))
            elif on_stack[child]:
                low[node] = min(low[node], index[child])
    return group
