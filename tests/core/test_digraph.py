"""simulator.digraph answers as networkx does (networkx is the oracle; the module exists to not import it)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.digraph import strongly_connected_components, topological_generations

graphs = st.integers(min_value=0, max_value=12).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30) if n else st.just([]),
    )
)


def _nx_graph(n: int, edges: list[tuple[int, int]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    return graph


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_strongly_connected_groups_are_networkx_s(graph):
    n, edges = graph
    group = strongly_connected_components(n, edges)
    mine = sorted(sorted(i for i in range(n) if group[i] == g) for g in set(group))
    theirs = sorted(sorted(c) for c in nx.strongly_connected_components(_nx_graph(n, edges)))
    assert mine == theirs


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_groups_are_numbered_sinks_first(graph):
    n, edges = graph
    group = strongly_connected_components(n, edges)
    assert all(group[s] >= group[t] for s, t in edges)  # plan.initial_groups_of reads them in reverse


@settings(max_examples=300, deadline=None)
@given(graphs)
def test_generations_are_networkx_s_or_none_on_a_cycle(graph):
    n, edges = graph
    mine = topological_generations(range(n), edges)
    reference = _nx_graph(n, edges)
    if not nx.is_directed_acyclic_graph(reference):
        assert mine is None
    else:
        assert mine is not None
        assert [sorted(g) for g in mine] == [sorted(g) for g in nx.topological_generations(reference)]


def test_a_long_chain_needs_no_recursion():
    n = 50_000
    group = strongly_connected_components(n, [(i, i + 1) for i in range(n - 1)] + [(n - 1, 0)])
    assert set(group) == {0}
