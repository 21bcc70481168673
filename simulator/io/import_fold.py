"""An imported model's element nodes and links folded back into dimensions (``over:``, family links).

:func:`simulator.io.import_sd.map_model` maps a subscripted model element by element: nodes
``jobs[north]``, ``jobs[south]`` and links between them. :func:`fold` writes that as the model
file's dimensions (docs/formats.md, "Dimensions (places and groups)"), which expand to exactly
those nodes and links again:

- each subscript range used is a dimension (``region: [north, south, east]``), ids as
  :func:`~simulator.io.import_sd.node_id` makes them;
- a family's element nodes are one node ``over:`` its dimensions; ``baseline``, ``min``,
  ``max``, ``decay`` and ``indicator`` one value, or one per element where they differ; every
  other field must agree (a stock in one element and not in another is refused);
- the element links between two families (or a plain node and a family), alike but for their
  weights, are one link: element to element (``x[e] -> y[e]``, or a plain node into every
  element; ``weight`` one value or one per element of ``to``), an ``aggregate`` (``sum``,
  ``mean`` when every weight is ``1/n``, else ``sum`` with the weights), or a ``matrix``
  (two one-dimensional families, any other pattern of cells); one element into every element of a
  family is a link from that element (``from: "jobs_delta[heerlen]"``), weight one value or per element;
- what fits none of these stays element links, ``from: "jobs[north]"``.
"""

from __future__ import annotations

import itertools
from typing import Any

from simulator.dimensions import element_id
from simulator.messages import msg

PER_ELEMENT = ("baseline", "min", "max", "decay", "indicator")
"""Node fields a family node may give per element (docs/formats.md)."""


class NotFamily(Exception):
    """A family's element nodes differ in more than per-element values: ``reason`` says how (a :func:`msg`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _key_text(element: tuple[str, ...]) -> str:
    return ",".join(element)


def _product(dims: tuple[str, ...], dimensions: dict[str, list[str]]) -> list[tuple[str, ...]]:
    return list(itertools.product(*(dimensions[d] for d in dims)))


def _project(element: tuple[str, ...], dims: tuple[str, ...], onto: tuple[str, ...]) -> tuple[str, ...]:
    at = dict(zip(dims, element, strict=True))
    return tuple(at[d] for d in onto)


def fold_node(family: str, label: str, dims: tuple[str, ...], elements: list[tuple[tuple[str, ...], dict[str, Any]]]):
    """One node ``over: dims`` for a family's element nodes (raises :class:`NotFamily`)."""
    node: dict[str, Any] = {"id": family, "over": list(dims)}
    keys = list(dict.fromkeys(k for _, n in elements for k in n if k != "id"))
    for key in keys:
        if key == "label":
            node["label"] = {"nl": label, "en": label}
            continue
        missing = object()
        values = [n.get(key, missing) for _, n in elements]
        if key == "decay":
            values = [0.0 if v is missing else v for v in values]
        if any(v is missing for v in values) or (key not in PER_ELEMENT and any(v != values[0] for v in values)):
            raise NotFamily(msg("its elements differ in {what}", what=key))
        if all(v == values[0] for v in values):
            node[key] = values[0]
        else:
            node[key] = {_key_text(element): v for (element, _), v in zip(elements, values, strict=True)}
    return node


def _fold_links(
    source: str,
    target: str,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    group: list[tuple[tuple[str, ...], tuple[str, ...], dict[str, Any]]],
    dimensions: dict[str, list[str]],
) -> dict[str, Any] | None:
    """One family link for ``group`` (element, element, link), or None when no form fits."""
    rests = [{k: v for k, v in link.items() if k not in ("from", "to", "weight")} for _, _, link in group]
    if any(r != rests[0] for r in rests):
        return None
    pairs = {(s, t): float(link["weight"]) for s, t, link in group}
    weights = list(pairs.values())
    same = all(w == weights[0] for w in weights)
    base = {"from": source, "to": target}
    if all(d in t_dims for d in s_dims):
        wanted = {(_project(t, t_dims, s_dims), t) for t in _product(t_dims, dimensions)}
        if set(pairs) == wanted:
            weight: Any = weights[0] if same else {_key_text(t): w for (_, t), w in pairs.items()}
            return {**base, "weight": weight, **rests[0]}
    if all(d in s_dims for d in t_dims) and len(t_dims) < len(s_dims):
        wanted = {(s, _project(s, s_dims, t_dims)) for s in _product(s_dims, dimensions)}
        if set(pairs) == wanted:
            n = len(_product(s_dims, dimensions)) // len(_product(t_dims, dimensions))
            if same and weights[0] == 1.0:
                return {**base, "aggregate": "sum", **rests[0]}
            if same and weights[0] == 1.0 / n:
                return {**base, "aggregate": "mean", **rests[0]}
            weight = weights[0] if same else {_key_text(s): w for (s, _), w in pairs.items()}
            return {**base, "aggregate": "sum", "weight": weight, **rests[0]}
    sources = {s for s, _ in pairs}
    if s_dims and len(sources) == 1 and {t for _, t in pairs} == set(_product(t_dims, dimensions)):
        (element,) = sources  # one element into every element of a family: that element as a plain node
        weight = weights[0] if same else {_key_text(t): w for (_, t), w in pairs.items()}
        return {**base, "from": element_id(source, element), "weight": weight, **rests[0]}
    if len(s_dims) == 1 and len(t_dims) == 1:
        matrix = {r: {c: pairs.get(((r,), (c,)), 0.0) for c in dimensions[t_dims[0]]} for r in dimensions[s_dims[0]]}
        return {**base, "matrix": matrix, **rests[0]}
    return None


def fold(
    data: dict[str, Any],
    members: dict[str, tuple[str, tuple[str, ...]]],
    families: dict[str, tuple[str, tuple[str, ...]]],
    dimensions: dict[str, list[str]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """``data`` (a flat imported model) with its families folded; and each family refused, with why.

    ``members``: flat node id -> (family id, elements); ``families``: family id -> (its label, its
    dimensions); ``dimensions``: dimension id -> elements. A refused family's elements stay as
    they are (the caller reports the refusal).
    """
    by_family: dict[str, list[tuple[tuple[str, ...], dict[str, Any]]]] = {}
    for node in data["nodes"]:
        if node["id"] in members:
            family, element = members[node["id"]]
            by_family.setdefault(family, []).append((element, node))
    refused: dict[str, str] = {}
    folded: dict[str, dict[str, Any]] = {}
    for family, elements in by_family.items():
        try:
            folded[family] = fold_node(family, families[family][0], families[family][1], elements)
        except NotFamily as why:
            refused[family] = why.reason
    nodes: list[dict[str, Any]] = []
    for node in data["nodes"]:
        family = members.get(node["id"], ("", ()))[0]
        if family not in folded:
            nodes.append(node)
        elif not any(n is folded[family] for n in nodes):
            nodes.append(folded[family])
    groups: dict[tuple[str, str], list[tuple[tuple[str, ...], tuple[str, ...], dict[str, Any]]]] = {}
    for link in data["links"]:
        source, s_el = members.get(link["from"], (link["from"], ()))
        target, t_el = members.get(link["to"], (link["to"], ()))
        groups.setdefault((source, target), []).append((s_el, t_el, link))
    links: list[dict[str, Any]] = []
    for (source, target), group in groups.items():
        s_dims = families[source][1] if source in families else ()
        t_dims = families[target][1] if target in families else ()
        one = None
        if (s_dims or t_dims) and "weight" in group[0][2]:
            one = _fold_links(source, target, s_dims, t_dims, group, dimensions)
        links += [one] if one is not None else [link for _, _, link in group]
    used = [d for d in dimensions if any(d in dims for _, dims in families.values())]
    out = {key: value for key, value in data.items() if key not in ("nodes", "links")}
    if used:
        out["dimensions"] = {d: list(dimensions[d]) for d in used}
    out["nodes"], out["links"] = nodes, links
    return out, refused
