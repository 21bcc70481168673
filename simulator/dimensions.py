"""Dimensions (places and groups): a model written over sets, expanded into a flat network.

A model file may declare ``dimensions:`` (named sets of elements, such as the
gemeenten of Parkstad or income groups) and nodes that range ``over:`` them. Not
to be confused with a node's ``dimension`` (CBS's brede-welvaart dimension *hier
en nu* / *later* / *elders*): a model's ``dimensions`` are places and groups.

:func:`expand_model_data` turns such a model, as plain data (a file's mapping,
or the keywords of a spec built in code), into the data of an ordinary flat
model: a node ``jobs`` over ``gemeente: [heerlen, kerkrade]`` becomes the nodes
``jobs[heerlen]`` and ``jobs[kerkrade]`` (two dimensions: ``x[heerlen,laag]``,
Vensim's form), and each link between families becomes the links between their
elements (element to element, a matrix, an aggregation or an allocation). The
engine, compiler, tracing and analyses then run on the flat network unchanged;
the family structure is kept as the model's ``expansion`` (which family and
element each node is, which file entry each node and link came from, and which
uncertain values a family shares), so that problems found in the flat model are
reported at the file's place and line, and later work can group by place.

The rules and their file form: docs/formats.md, "Dimensions (places and groups)".
Every mistake is an :class:`~simulator.errors.InputError` naming its place.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import math
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

from simulator.errors import InputError, Problem
from simulator.io.input_file import read_input_bytes
from simulator.io.yaml_file import format_place
from simulator.messages import msg

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SHARES_TOLERANCE = 1e-9
"""How far shares (and the weights of a weighted mean) may sum from 1."""
MATRIX_MAX_BYTES = 5 * 2**20
"""Largest matrix CSV file read (bytes)."""

_BASELINE_KEYS = {"value", "growth", "year", "series"}
_INDICATOR_KEYS = {"source", "note", "year", "precision"}
_DISTRIBUTION_KEYS = {"dist", "low", "mode", "high", "mean", "sd"}
_PER_ELEMENT_NODE_FIELDS = {
    "baseline": _BASELINE_KEYS,
    "min": set(),
    "max": set(),
    "decay": set(),
    "indicator": _INDICATOR_KEYS,
}
"""Node fields that may be given per element, with the keys of the field's own mapping form."""
_HOW = ("aggregate", "matrix", "shares")
"""The link keys that say how the elements of two families connect (at most one)."""
RAW_KEYS = ("dimensions", "over", *_HOW)
"""Keys of the file form that the expansion reads (and removes)."""

Path_ = tuple[Hashable, ...]


def element_id(family: str, element: tuple[str, ...]) -> str:
    """The id of one element node: ``jobs[heerlen]``, ``income[heerlen,laag]``."""
    return f"{family}[{','.join(element)}]"


def split_element_id(node_id: str) -> tuple[str, tuple[str, ...]] | None:
    """``("jobs", ("heerlen",))`` for ``jobs[heerlen]``; None for a plain id."""
    match = re.fullmatch(r"([a-z][a-z0-9_]*)\[([a-z0-9_,]+)\]", node_id)
    if match is None:
        return None
    return match.group(1), tuple(match.group(2).split(","))


class _Problems:
    """Problems found while expanding, each at a path into the model's data."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: Path_, message: str, hint: str = "", file: str = "", line: int | None = None) -> None:
        self.found.append(Problem(file, format_place(path), message, hint, line, None if file else tuple(path)))


def _hint_element(word: str, elements: list[str], dims: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, elements, n=1, cutoff=0.5)
    if close:
        return msg("did you mean '{name}'?", name=close[0])
    return msg("the elements of {dimension} are {elements}", dimension=" x ".join(dims), elements=", ".join(elements))


def _keys(dims: tuple[str, ...], sets: _Sets) -> list[tuple[str, ...]]:
    """Every element of the product of ``dims``, first dimension slowest."""
    return list(itertools.product(*(sets[d] for d in dims)))


def _key_text(element: tuple[str, ...]) -> str:
    return ",".join(element)


def _parse_key(key: Any) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(key).split(","))


def _element_map(
    value: Any, dims: tuple[str, ...], sets: _Sets, path: Path_, problems: _Problems, complete: bool = True
) -> dict[tuple[str, ...], Any] | None:
    """A mapping of element keys (``heerlen`` or ``heerlen,laag``) to values, checked against ``dims``.

    Returns ``{element: value}`` (None after a problem); ``complete``: every element must be given.
    """
    if not isinstance(value, dict):
        problems.add(
            path,
            msg("expected a mapping of elements to values, got {value}", value=repr(value)),
            msg("write {{element: value, ...}}, one entry per element of {dimension}", dimension=" x ".join(dims)),
        )
        return None
    wanted = _keys(dims, sets)
    names = [_key_text(k) for k in wanted]
    out: dict[tuple[str, ...], Any] = {}
    ok = True
    for key, item in value.items():
        element = _parse_key(key)
        if element not in wanted:
            ok = False
            if len(element) != len(dims):
                problems.add(
                    (*path, key),
                    msg(
                        "'{key}' names {given} element(s), {dimension} needs {needed}",
                        key=str(key),
                        given=len(element),
                        dimension=" x ".join(dims),
                        needed=len(dims),
                    ),
                    msg("write the elements joined by commas, e.g. '{example}'", example=names[0]),
                )
            else:
                bad = next((e for e, d in zip(element, dims, strict=True) if e not in sets[d]), str(key))
                dim = next((d for e, d in zip(element, dims, strict=True) if e not in sets[d]), dims[0])
                problems.add(
                    (*path, key),
                    msg("'{element}' is not an element of {dimension}", element=bad, dimension=dim),
                    _hint_element(bad, list(sets[dim]), (dim,)),
                )
            continue
        if element in out:
            ok = False
            problems.add(
                (*path, key), msg("element '{element}' is given twice", element=str(key)), msg("give each element once")
            )
            continue
        out[element] = item
    if ok and complete:
        missing = [_key_text(k) for k in wanted if k not in out]
        if missing:
            problems.add(
                path,
                msg(
                    "no value for the element(s) {elements} of {dimension}",
                    elements=", ".join(missing),
                    dimension=" x ".join(dims),
                ),
                msg("give every element, or one value for all of them"),
            )
            return None
    return out if ok else None


def _per_element(value: Any, own_keys: set[str]) -> bool:
    """True when a field's value is a map over elements (not the field's own mapping form)."""
    return isinstance(value, dict) and not (set(map(str, value)) <= own_keys)


def _is_weight_map(value: Any) -> bool:
    return isinstance(value, dict) and not (set(map(str, value)) <= _DISTRIBUTION_KEYS)


def _is_fixed(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, dict) and value.get("dist") == "fixed"


def _number_of(value: Any) -> float:
    return float(value["mode"] if isinstance(value, dict) else value)


class _Sets(dict[str, tuple[str, ...]]):
    """The declared sets (name -> elements), and for a nested one (``wijk: {within: gemeente, ...}``)
    its parent: ``parents["wijk"] = ("gemeente", {"centrum": "heerlen", ...})``."""

    def __init__(self) -> None:
        super().__init__()
        self.parents: dict[str, tuple[str, dict[str, str]]] = {}
        self.kinds: dict[str, str] = {}  # ``of: places | groups`` where declared


KINDS = ("places", "groups")
"""What a dimension's ``of:`` may say: its elements are places (``elders`` is computed over them) or groups."""


def _declared(name: str, raw: dict[str, Any], sets: _Sets, problems: _Problems) -> list[Any] | None:
    """The elements of a dimension written as a mapping: ``{elements: [...], of: places}`` or a nested
    one (:func:`_nested`), its ``of:`` recorded in ``sets.kinds``; None after a problem."""
    rest = dict(raw)
    if "of" in rest:
        kind = rest.pop("of")
        if kind not in KINDS:
            problems.add(
                ("dimensions", name, "of"),
                msg("of: must be places or groups, got {value}", value=repr(kind)),
                msg("places: an effect on another element is elders; groups: groups of people"),
            )
            return None
        sets.kinds[name] = str(kind)
    if "within" in rest:
        return _nested(name, rest, sets, problems)
    if set(rest) == {"elements"} and isinstance(rest["elements"], list):
        return list(rest["elements"])
    problems.add(
        ("dimensions", name),
        msg("a dimension is a list of its elements, or {{elements: [...], of: places | groups}}"),
        msg("e.g. corridor: {{elements: [heerlen, aachen], of: places}}"),
    )
    return None


def _nested(name: str, raw: dict[str, Any], sets: _Sets, problems: _Problems) -> list[Any] | None:
    """The elements of a nested dimension ``{within: parent, elements: {parent element: [...]}}``,
    its parent recorded in ``sets.parents``; None after a problem."""
    path: Path_ = ("dimensions", name)
    parent, groups = str(raw.get("within")), raw.get("elements")
    if set(raw) != {"within", "elements"} or not isinstance(groups, dict):
        problems.add(
            path,
            msg("a nested dimension is {{within: dimension, elements: {{element: [...], ...}}}}"),
            msg("e.g. wijk: {{within: gemeente, elements: {{heerlen: [centrum, noord]}}}}"),
        )
        return None
    if parent not in sets or parent in sets.parents:
        problems.add(
            (*path, "within"),
            msg("dimension '{dimension}' is not declared", dimension=str(parent)),
            msg("declare the dimension it lies within above it (one level of nesting)"),
        )
        return None
    elements: list[Any] = []
    owner: dict[str, str] = {}
    for key, items in groups.items():
        if key not in sets[parent]:
            problems.add(
                (*path, "elements", key),
                msg("'{element}' is not an element of {dimension}", element=str(key), dimension=parent),
                _hint_element(str(key), list(sets[parent]), (parent,)),
            )
            return None
        if not isinstance(items, list):
            problems.add(
                (*path, "elements", key),
                msg("a dimension is a list of its elements, got {value}", value=repr(items)),
                msg("e.g. gemeente: [heerlen, kerkrade]"),
            )
            return None
        for item in items:
            owner.setdefault(item, key) if isinstance(item, str) else None
        elements += items
    sets.parents[name] = (parent, owner)
    return elements


def _dimensions(raw: Any, problems: _Problems) -> _Sets:
    """The declared sets, each a tuple of unique element ids."""
    sets = _Sets()
    if not isinstance(raw, dict):
        problems.add(
            ("dimensions",),
            msg("dimensions must be a mapping of names to lists of elements"),
            msg("e.g. dimensions: {{gemeente: [heerlen, kerkrade]}}"),
        )
        return sets
    for name, elements in raw.items():
        path: Path_ = ("dimensions", name)
        if not isinstance(name, str) or not _ID.match(name):
            problems.add(
                path,
                msg("{value} is not a valid id", value=repr(name)),
                msg("use lower-case letters, digits and _, starting with a letter"),
            )
            continue
        if isinstance(elements, dict):
            elements = _declared(name, elements, sets, problems)
            if elements is None:
                continue
        if not isinstance(elements, list) or not elements:
            problems.add(
                path,
                msg("a dimension is a list of its elements, got {value}", value=repr(elements)),
                msg("e.g. gemeente: [heerlen, kerkrade]"),
            )
            continue
        seen: list[str] = []
        for k, element in enumerate(elements):
            if not isinstance(element, str) or not _ID.match(element):
                problems.add(
                    (*path, k),
                    msg("{value} is not a valid id", value=repr(element)),
                    msg("use lower-case letters, digits and _, starting with a letter"),
                )
            elif element in seen:
                problems.add(
                    (*path, k),
                    msg("element '{element}' is listed twice in {dimension}", element=element, dimension=name),
                    msg("list each element once"),
                )
            else:
                seen.append(element)
        sets[name] = tuple(seen)
    return sets


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list, else no items (pydantic reports what it is)."""
    return value if isinstance(value, list) else []


def _plain_id_problems(data: dict[str, Any], problems: _Problems) -> None:
    """A ``[`` in a node id the file writes itself is refused: brackets name elements."""
    for i, node in enumerate(_list(data.get("nodes"))):
        if isinstance(node, dict) and "over" not in node and isinstance(node.get("id"), str) and "[" in node["id"]:
            problems.add(
                ("nodes", i, "id"),
                msg("'{id}': '[' in a node id is kept for the elements of a node over dimensions", id=node["id"]),
                msg("use lower-case letters, digits and _; for a node per place, write it once with over: [dimension]"),
            )


def expand_model_data(data: Any, base: Path | None = None) -> Any:
    """The data of the flat model a model with dimensions stands for (other data as it is).

    ``data`` is a model's mapping as read from a file (or given to ``ModelSpec``);
    ``base`` the folder a matrix CSV is read relative to (default: the working
    directory). The result has no ``dimensions``/``over``/``aggregate``/``matrix``/``shares``
    and an ``expansion`` entry (see :class:`simulator.spec.Expansion`).

    Raises
    ------
    InputError
        Every mistake in the dimensions and their use, each at its place
        (``nodes[2].baseline.kerkrade``) without file or line (the reader adds them).
    """
    if not isinstance(data, dict) or "expansion" in data and "dimensions" not in data:
        return data  # not a model's mapping (pydantic says so), or already expanded
    problems = _Problems()
    if "expansion" in data:
        problems.add(
            ("expansion",), msg("'expansion' is written by bwsim when it expands dimensions"), msg("remove it")
        )
    used = [
        (("nodes", i, "over"), "over")
        for i, n in enumerate(_list(data.get("nodes")))
        if isinstance(n, dict) and "over" in n
    ]
    used += [
        (("links", j, key), key)
        for j, lk in enumerate(_list(data.get("links")))
        if isinstance(lk, dict)
        for key in _HOW
        if key in lk
    ]
    if "dimensions" not in data:
        for path, key in used:
            problems.add(
                path,
                msg("'{key}' needs dimensions, and the model declares none", key=key),
                msg("declare them at the top: dimensions: {{gemeente: [heerlen, kerkrade]}}"),
            )
        _plain_id_problems(data, problems)
        if problems.found:
            raise InputError(problems.found)
        return data
    sets = _dimensions(data["dimensions"], problems)
    nodes, node_origins, families = _expand_nodes(data.get("nodes"), sets, problems)
    _plain_id_problems(data, problems)
    links, link_origins = _expand_links(data.get("links"), sets, families, base, problems)
    if problems.found:
        raise InputError(problems.found)
    out = {key: value for key, value in data.items() if key != "dimensions"}
    if nodes is not None:
        out["nodes"] = nodes
    if links is not None:
        out["links"] = links
    out["expansion"] = {
        "dimensions": {k: list(v) for k, v in sets.items()},
        "within": {k: {"dimension": parent, "elements": owner} for k, (parent, owner) in sets.parents.items()},
        "kinds": dict(sets.kinds),
        "families": {k: list(v) for k, v in families.items()},
        "nodes": node_origins,
        "links": link_origins,
    }
    return out


def _label_for(label: Any, element: tuple[str, ...]) -> Any:
    suffix = f" ({', '.join(e.replace('_', ' ').capitalize() for e in element)})"  # heerlen: (Heerlen)
    if isinstance(label, str):
        return label + suffix
    if isinstance(label, dict):
        return {key: (text + suffix if isinstance(text, str) else text) for key, text in label.items()}
    return label


def _node_dims(i: int, node: dict[str, Any], sets: _Sets, problems: _Problems) -> tuple[str, ...] | None:
    """The dimensions a node's ``over`` names (None after a problem, also with its id)."""
    over = node["over"]
    over = [over] if isinstance(over, str) else over
    if not isinstance(over, list) or not over:
        problems.add(
            ("nodes", i, "over"),
            msg("over must list the node's dimensions, got {value}", value=repr(node["over"])),
            msg("e.g. over: [gemeente]"),
        )
        return None
    dims: list[str] = []
    for k, dim in enumerate(over):
        if dim not in sets:
            problems.add(
                ("nodes", i, "over", k) if isinstance(node["over"], list) else ("nodes", i, "over"),
                msg("dimension '{dimension}' is not declared", dimension=str(dim)),
                did_you_mean_dimension(str(dim), sets),
            )
        elif dim in dims:
            problems.add(
                ("nodes", i, "over", k),
                msg("dimension '{dimension}' is named twice", dimension=dim),
                msg("name each dimension once"),
            )
        else:
            dims.append(dim)
    family = node.get("id")
    if isinstance(family, str) and not _ID.match(family):
        problems.add(
            ("nodes", i, "id"),
            msg("{value} is not a valid id", value=repr(family)),
            msg("use lower-case letters, digits and _, starting with a letter"),
        )
        return None
    for dim in dims:
        if dim in sets.parents and sets.parents[dim][0] in dims:
            problems.add(
                ("nodes", i, "over"),
                msg(
                    "'{child}' lies within '{parent}': a node ranges over one of them",
                    child=dim,
                    parent=sets.parents[dim][0],
                ),
                msg(
                    "use over: [{child}]; each of its elements lies in one element of {parent}",
                    child=dim,
                    parent=sets.parents[dim][0],
                ),
            )
            return None
    if len(dims) != len(over) or not isinstance(family, str):
        return None
    return tuple(dims)


def _node_elements(
    i: int, node: dict[str, Any], dims: tuple[str, ...], sets: _Sets, problems: _Problems
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The element nodes of one family node, each with its origin."""
    family = node["id"]
    given: dict[str, dict[tuple[str, ...], Any] | None] = {}
    for field, own in _PER_ELEMENT_NODE_FIELDS.items():
        if field in node and _per_element(node[field], own):
            given[field] = _element_map(node[field], dims, sets, ("nodes", i, field), problems)
    if any(v is None for v in given.values()):
        return []
    made = []
    for element in _keys(dims, sets):
        item = {key: value for key, value in node.items() if key != "over"}
        item["id"] = element_id(family, element)
        for field, values in given.items():
            item[field] = values[element]  # type: ignore[index]
        for field in ("label", "phrase"):
            if field in item:
                item[field] = _label_for(item[field], element)
        made.append((item, {"origin": i, "family": family, "element": list(element), "per_element": sorted(given)}))
    return made


def _expand_nodes(
    raw: Any, sets: _Sets, problems: _Problems
) -> tuple[list[Any] | None, list[dict[str, Any]], dict[str, tuple[str, ...]]]:
    if not isinstance(raw, list):
        return None, [], {}
    nodes: list[Any] = []
    origins: list[dict[str, Any]] = []
    families: dict[str, tuple[str, ...]] = {}
    for i, node in enumerate(raw):
        if not (isinstance(node, dict) and "over" in node):
            nodes.append(node)
            origins.append({"origin": i})
            continue
        dims = _node_dims(i, node, sets, problems)
        if dims is None:
            continue
        families[node["id"]] = dims
        for item, origin in _node_elements(i, node, dims, sets, problems):
            nodes.append(item)
            origins.append(origin)
    return nodes, origins, families


def did_you_mean_dimension(word: str, sets: _Sets) -> str:
    """A hint naming the closest declared dimension, or the declared ones."""
    close = difflib.get_close_matches(word, list(sets), n=1, cutoff=0.5)
    if close:
        return msg("did you mean '{name}'?", name=close[0])
    if sets:
        return msg("declared are {names}", names=", ".join(sets))
    return msg("declare it under dimensions:")


def _project(element: dict[str, str], dims: tuple[str, ...], sets: _Sets | None = None) -> tuple[str, ...]:
    """``element`` (dimension -> element) on ``dims``; a dimension it lacks is read from a nested one
    it has (a wijk's gemeente)."""
    out = []
    for d in dims:
        if d in element:
            out.append(element[d])
            continue
        parents = sets.parents if sets is not None else {}
        child = next(c for c in element if c in parents and parents[c][0] == d)
        out.append(parents[child][1][element[child]])
    return tuple(out)


def _covers(dims: tuple[str, ...], other: tuple[str, ...], sets: _Sets) -> bool:
    """True when each of ``dims`` is one of ``other`` or the parent of one (an element of ``other``
    then lies in one element of ``dims``)."""
    return all(d in other or any(sets.parents.get(c, ("",))[0] == d for c in other) for d in dims)


def _expand_links(
    raw: Any, sets: _Sets, families: dict[str, tuple[str, ...]], base: Path | None, problems: _Problems
) -> tuple[list[Any] | None, list[dict[str, Any]]]:
    if not isinstance(raw, list):
        return None, []
    links: list[Any] = []
    origins: list[dict[str, Any]] = []
    for j, link in enumerate(raw):
        if not isinstance(link, dict):
            links.append(link)
            origins.append({"origin": j})
            continue
        source, target = link.get("from"), link.get("to")
        s_dims = families.get(source, ()) if isinstance(source, str) else ()
        t_dims = families.get(target, ()) if isinstance(target, str) else ()
        how = [key for key in _HOW if key in link]
        if len(how) > 1:
            problems.add(
                ("links", j, how[1]),
                msg("a link takes one of aggregate, matrix and shares, not {keys}", keys=" and ".join(how)),
                msg("split it into two links"),
            )
            continue
        if not s_dims and not t_dims and not how:
            links.append(link)
            origins.append({"origin": j})
            continue
        made = _element_links(j, link, how[0] if how else "", source, target, s_dims, t_dims, sets, base, problems)
        if made is None:
            continue
        for item, place, shared in made:
            links.append(item)
            origins.append({"origin": j, "family": f"{source}->{target}", "place": list(place), "shared": list(shared)})
    return links, origins


_Made = list[tuple[dict[str, Any], tuple[Hashable, ...], tuple[str, ...]]]


def _shared_fields(link: dict[str, Any], weight_once: bool) -> tuple[str, ...]:
    """The uncertain values given once for a family: one parameter for all its element links."""
    shared = ["lag"] if "lag" in link else []
    if weight_once:
        shared.insert(0, "weight")
    shape = link.get("shape")
    if isinstance(shape, dict):
        shared += [key for key in ("max", "level") if key in shape]
    return tuple(shared)


def _element_links(
    j: int,
    link: dict[str, Any],
    how: str,
    source: Any,
    target: Any,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    base: Path | None,
    problems: _Problems,
) -> _Made | None:
    path: Path_ = ("links", j)
    rest = {key: value for key, value in link.items() if key not in _HOW}

    def make(s_el: tuple[str, ...], t_el: tuple[str, ...], **changes: Any) -> dict[str, Any]:
        item = dict(rest)
        item["from"] = element_id(source, s_el) if s_dims else source
        item["to"] = element_id(target, t_el) if t_dims else target
        item.update(changes)
        return item

    if how == "matrix":
        return _matrix_links(path, link, make, s_dims, t_dims, sets, base, problems)
    if how == "aggregate":
        return _aggregate(path, link, make, s_dims, t_dims, sets, problems)
    if how == "shares":
        return _shares(path, link, make, s_dims, t_dims, sets, problems)
    # element to element, or one source to every element of the target
    if not _covers(s_dims, t_dims, sets):
        extra = [d for d in s_dims if not _covers((d,), t_dims, sets)]
        problems.add(
            path,
            msg(
                "'{source}' ranges over {dims} and '{target}' does not: say how its elements reach '{target}'",
                source=str(source),
                target=str(target),
                dims=", ".join(extra),
            ),
            msg("add aggregate: sum (or mean, or weights), or a matrix"),
        )
        return None
    weight = link.get("weight")
    per = _element_map(weight, t_dims, sets, (*path, "weight"), problems) if _is_weight_map(weight) else {}
    if per is None:
        return None
    made: _Made = []
    for t_el in _keys(t_dims, sets):
        element = dict(zip(t_dims, t_el, strict=True))
        s_el = _project(element, s_dims, sets)
        if per:
            made.append(
                (
                    make(s_el, t_el, weight=per[t_el]),
                    ("weight", _key_text(t_el)),
                    _shared_fields(link, weight_once=False),
                )
            )
        else:
            made.append((make(s_el, t_el), (), _shared_fields(link, weight_once=True)))
    return made


def _matrix_links(
    path: Path_,
    link: dict[str, Any],
    make: Any,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    base: Path | None,
    problems: _Problems,
) -> _Made | None:
    if not s_dims or not t_dims:
        end = "from" if not s_dims else "to"
        problems.add(
            (*path, "matrix"),
            msg("a matrix links two nodes over dimensions; '{node}' has none", node=str(link.get(end))),
            msg("give the node over: [dimension], or use a weight"),
        )
        return None
    if "weight" in link or "score" in link or "scores" in link:
        problems.add(
            (*path, "weight"),
            msg("a link with a matrix takes its weights from the matrix"),
            msg("remove weight, or put it into the matrix's cells"),
        )
        return None
    table = _matrix(link["matrix"], s_dims, t_dims, sets, base, (*path, "matrix"), problems)
    if table is None:
        return None
    made: _Made = []
    for s_el, row in table.items():
        for t_el, cell in row.items():
            if _is_fixed(cell) and _number_of(cell) == 0.0:
                continue  # no link for an empty cell
            made.append(
                (
                    make(s_el, t_el, weight=cell),
                    ("matrix", _key_text(s_el), _key_text(t_el)),
                    _shared_fields(link, weight_once=False),
                )
            )
    return made


def _fixed_weight(path: Path_, link: dict[str, Any], what: str, problems: _Problems) -> float | None:
    weight = link.get("weight", 1.0)
    if "score" in link or "scores" in link or not _is_fixed(weight):
        problems.add(
            (*path, "weight"),
            msg("a link with {what} needs a number as weight (or none, 1)", what=what),
            msg("put the range on the link into the aggregated node, or on each element's link"),
        )
        return None
    return _number_of(weight)


def _aggregated_dims(
    path: Path_,
    link: dict[str, Any],
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    problems: _Problems,
) -> tuple[str, ...] | None:
    """The dimensions an aggregation sums over: the source's that the target lacks (None: a problem)."""
    source, target = link.get("from"), link.get("to")
    if not s_dims:
        problems.add(
            (*path, "aggregate"),
            msg("'{node}' ranges over no dimension: there is nothing to aggregate", node=str(source)),
            msg("give it over: [dimension], or remove aggregate"),
        )
        return None
    missing = [d for d in t_dims if not _covers((d,), s_dims, sets)]
    if missing:
        problems.add(
            (*path, "aggregate"),
            msg(
                "'{target}' ranges over {dims}, which '{source}' does not: an aggregation cannot make it",
                target=str(target),
                source=str(source),
                dims=", ".join(missing),
            ),
            msg("aggregate into a node over {dims} only", dims=", ".join(d for d in t_dims if d in s_dims) or "-"),
        )
        return None
    over = tuple(d for d in s_dims if d not in t_dims)
    if not over:
        problems.add(
            (*path, "aggregate"),
            msg(
                "'{source}' and '{target}' range over the same dimensions: there is nothing to aggregate",
                source=str(source),
                target=str(target),
            ),
            msg("remove aggregate: a link between them goes element to element"),
        )
        return None
    return over


def _aggregate_factors(
    path: Path_,
    link: dict[str, Any],
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    over: tuple[str, ...],
    sets: _Sets,
    problems: _Problems,
) -> tuple[dict[tuple[str, ...], Any], dict[tuple[str, ...], float]] | None:
    """Per-source-element weights (a sum with a weight map) and per-aggregated-element factors
    (a mean, a weighted mean); both empty: a sum with one weight. None after a problem."""
    how = link["aggregate"]
    factors: dict[tuple[str, ...], float]
    weights = link.get("weight", 1.0)
    per: dict[tuple[str, ...], Any] | None = {}
    if how == "sum":
        if _is_weight_map(weights):
            per = _element_map(weights, s_dims, sets, (*path, "weight"), problems)
            if per is None:
                return None
        factors = {}
    elif how == "mean":
        w = _fixed_weight(path, link, msg("aggregate: mean"), problems)
        if w is None:
            return None
        sizes = {
            a: len(g)
            for g in _groups(s_dims, t_dims, sets).values()
            for a in (_project(dict(zip(s_dims, s_el, strict=True)), over, sets) for s_el in g)
        }
        factors = {a: w / n for a, n in sizes.items()}
    elif isinstance(how, dict) and set(how) == {"weights"}:
        w = _fixed_weight(path, link, msg("a weighted mean"), problems)
        given = _element_map(how["weights"], over, sets, (*path, "aggregate", "weights"), problems)
        if w is None or given is None:
            return None
        if not _sums_to_one_per_group(
            given, _groups(s_dims, t_dims, sets), s_dims, over, sets, (*path, "aggregate", "weights"), problems
        ):
            return None
        factors = {a: w * float(v) for a, v in given.items()}
    else:
        problems.add(
            (*path, "aggregate"),
            msg("{value} is not an aggregation", value=repr(how)),
            msg("use sum, mean or {{weights: {{element: share, ...}}}}"),
        )
        return None
    return per or {}, factors


def _aggregate(
    path: Path_,
    link: dict[str, Any],
    make: Any,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    problems: _Problems,
) -> _Made | None:
    over = _aggregated_dims(path, link, s_dims, t_dims, sets, problems)
    found = _aggregate_factors(path, link, s_dims, t_dims, over, sets, problems) if over is not None else None
    if over is None or found is None:
        return None
    per, factors = found
    made: _Made = []
    for t_el, members in _groups(s_dims, t_dims, sets).items():
        for s_el in members:
            a = _project(dict(zip(s_dims, s_el, strict=True)), over, sets)
            if per:
                made.append(
                    (
                        make(s_el, t_el, weight=per[s_el]),
                        ("weight", _key_text(s_el)),
                        _shared_fields(link, weight_once=False),
                    )
                )
            elif factors:
                made.append(
                    (make(s_el, t_el, weight=factors[a]), ("aggregate",), _shared_fields(link, weight_once=False))
                )
            elif "weight" in link or "score" in link or "scores" in link:
                made.append((make(s_el, t_el), (), _shared_fields(link, weight_once=True)))
            else:
                made.append((make(s_el, t_el, weight=1.0), (), _shared_fields(link, weight_once=False)))
    return made


def unique(problems: list[Problem]) -> list[Problem]:
    """``problems`` without repeats (the element links of one family link share their place)."""
    seen: set[tuple[str, str, int | None, str, str]] = set()
    out = []
    for p in problems:
        key = (p.file, p.place, p.line, str(p.message), str(p.hint))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _sums_to_one(values: dict[tuple[str, ...], Any], path: Path_, problems: _Problems) -> bool:
    bad = [
        _key_text(k)
        for k, v in values.items()
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
    ]
    if bad:
        problems.add(
            (*path, bad[0]),
            msg("a share must be a number, got {value}", value=repr(values[_parse_key(bad[0])])),
            msg("give a number from 0 to 1"),
        )
        return False
    total = math.fsum(float(v) for v in values.values())
    if abs(total - 1.0) > SHARES_TOLERANCE:
        problems.add(
            path,
            msg("the shares sum to {total:.12g}, not 1", total=total),
            msg("make them add up to 1 (within {tolerance:g})", tolerance=SHARES_TOLERANCE),
        )
        return False
    return True


def _shares(
    path: Path_,
    link: dict[str, Any],
    make: Any,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    problems: _Problems,
) -> _Made | None:
    source, target = link.get("from"), link.get("to")
    missing = [d for d in s_dims if not _covers((d,), t_dims, sets)]
    if missing:
        problems.add(
            (*path, "shares"),
            msg(
                "'{source}' ranges over {dims}, which '{target}' does not: shares cannot allocate it",
                source=str(source),
                target=str(target),
                dims=", ".join(missing),
            ),
            msg("allocate from a node without {dims}", dims=", ".join(missing)),
        )
        return None
    over = tuple(d for d in t_dims if d not in s_dims)
    if not over:
        problems.add(
            (*path, "shares"),
            msg(
                "'{target}' ranges over no dimension that '{source}' lacks: there is nothing to allocate",
                source=str(source),
                target=str(target),
            ),
            msg("give '{target}' over: [dimension], or remove shares", target=str(target)),
        )
        return None
    w = _fixed_weight(path, link, msg("shares"), problems)
    given = _element_map(link["shares"], over, sets, (*path, "shares"), problems)
    if (
        w is None
        or given is None
        or not _sums_to_one_per_group(
            given, _groups(t_dims, s_dims, sets), t_dims, over, sets, (*path, "shares"), problems
        )
    ):
        return None
    made: _Made = []
    for t_el in _keys(t_dims, sets):
        element = dict(zip(t_dims, t_el, strict=True))
        share = given[_project(element, over, sets)]
        made.append(
            (
                make(_project(element, s_dims, sets), t_el, weight=w * float(share)),
                ("shares", _key_text(_project(element, over, sets))),
                _shared_fields(link, weight_once=False),
            )
        )
    return made


def _groups(
    fine: tuple[str, ...], coarse: tuple[str, ...], sets: _Sets
) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Each element of ``coarse`` with the elements of ``fine`` that lie in it, in order."""
    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = {c: [] for c in _keys(coarse, sets)}
    for element in _keys(fine, sets):
        groups[_project(dict(zip(fine, element, strict=True)), coarse, sets)].append(element)
    return groups


def _sums_to_one_per_group(
    given: dict[tuple[str, ...], Any],
    groups: dict[tuple[str, ...], list[tuple[str, ...]]],
    fine: tuple[str, ...],
    over: tuple[str, ...],
    sets: _Sets,
    path: Path_,
    problems: _Problems,
) -> bool:
    """Shares (weights of a mean) that sum to 1 within each group (all of them, or each gemeente's wijken)."""
    for members in groups.values():
        keys = list(dict.fromkeys(_project(dict(zip(fine, m, strict=True)), over, sets) for m in members))
        if keys and not _sums_to_one({k: given[k] for k in keys}, path, problems):
            return False
    return True


def _matrix(
    value: Any,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    base: Path | None,
    path: Path_,
    problems: _Problems,
) -> dict[tuple[str, ...], dict[tuple[str, ...], Any]] | None:
    """A matrix's cells, rows the source's elements and columns the target's, every one given."""
    if isinstance(value, str):
        return _matrix_csv(value, s_dims, t_dims, sets, base, path, problems)
    rows = _element_map(value, s_dims, sets, path, problems)
    if rows is None:
        return None
    table = {}
    for s_el, row in rows.items():
        cells = _element_map(row, t_dims, sets, (*path, _key_text(s_el)), problems)
        if cells is None:
            return None
        table[s_el] = cells
    return table


def _matrix_csv(
    name: str,
    s_dims: tuple[str, ...],
    t_dims: tuple[str, ...],
    sets: _Sets,
    base: Path | None,
    path: Path_,
    problems: _Problems,
) -> dict[tuple[str, ...], dict[tuple[str, ...], Any]] | None:
    """A matrix from a CSV file: a header (a corner cell, then the target's elements), then one row per
    source element (its element, then the numbers). Elements of two dimensions are written ``a,b`` quoted."""
    file = Path(name) if base is None or Path(name).is_absolute() else base / name
    try:
        text = read_input_bytes(file, MATRIX_MAX_BYTES, msg("matrix file")).decode("utf-8-sig")
    except InputError as exc:
        for p in exc.problems:
            problems.add(path, p.message, p.hint or msg("the path is relative to the model file"))
        return None
    except UnicodeDecodeError:
        problems.add(path, msg("the matrix file {file} is not UTF-8 text", file=str(file)), msg("save it as CSV UTF-8"))
        return None
    rows = [row for row in csv.reader(io.StringIO(text)) if row and not row[0].startswith("#")]
    if not rows:
        problems.add(
            path,
            msg("the matrix file {file} is empty", file=str(file)),
            msg("write a header of the target's elements and one row per source element"),
        )
        return None
    header = [cell.strip() for cell in rows[0][1:]]
    columns = _element_map({key: k for k, key in enumerate(header)}, t_dims, sets, path, problems)
    if columns is None:
        return None
    data = {row[0].strip(): (n, row[1:]) for n, row in enumerate(rows[1:], start=2)}
    found = _element_map({key: key for key in data}, s_dims, sets, path, problems)
    if found is None:
        return None
    table: dict[tuple[str, ...], dict[tuple[str, ...], Any]] = {}
    for s_el, key in found.items():
        line, cells = data[key]
        if len(cells) != len(header):
            problems.add(
                path,
                msg(
                    "row '{row}' of {file} has {given} numbers, the header names {needed} columns",
                    row=key,
                    file=str(file),
                    given=len(cells),
                    needed=len(header),
                ),
                msg("give one number per column"),
                file=str(file),
                line=line,
            )
            return None
        row: dict[tuple[str, ...], Any] = {}
        for t_el, column in columns.items():
            try:
                number = float(cells[column])
            except ValueError:
                problems.add(
                    path,
                    msg(
                        "'{value}' in row '{row}' of {file} is not a number",
                        value=cells[column],
                        row=key,
                        file=str(file),
                    ),
                    msg("write numbers with a decimal point"),
                    file=str(file),
                    line=line,
                )
                return None
            if not math.isfinite(number):
                problems.add(
                    path,
                    msg(
                        "'{value}' in row '{row}' of {file} is not a finite number",
                        value=cells[column],
                        row=key,
                        file=str(file),
                    ),
                    msg("give a finite number"),
                    file=str(file),
                    line=line,
                )
                return None
            row[t_el] = number
        table[s_el] = row
    return table


def origin_path(expansion: Any, path: tuple[Hashable, ...]) -> tuple[Hashable, ...]:
    """A path into the flat model (``links[7].lag``) as a path into the file it was expanded from.

    ``expansion`` is the model's :class:`simulator.spec.Expansion` (or its data); a path
    outside ``nodes``/``links`` is returned as it is.
    """
    if expansion is None or len(path) < 2 or path[0] not in ("nodes", "links") or not isinstance(path[1], int):
        return path
    entries = (
        expansion["nodes" if path[0] == "nodes" else "links"]
        if isinstance(expansion, dict)
        else (expansion.nodes if path[0] == "nodes" else expansion.links)
    )
    if path[1] >= len(entries):
        return path
    entry = entries[path[1]]
    get = entry.get if isinstance(entry, dict) else lambda key, default=None: getattr(entry, key, default)
    rest = path[2:]
    out: tuple[Hashable, ...] = (path[0], get("origin"))
    if path[0] == "nodes" and rest and rest[0] in (get("per_element") or ()):
        return (*out, rest[0], _key_text(tuple(get("element") or ())), *rest[1:])
    place = tuple(get("place") or ())
    if path[0] == "links" and rest and place and (rest[0] == "weight" or place[0] in ("matrix", "shares")):
        return (*out, *place, *rest[1:]) if rest[0] == "weight" else (*out, *rest)
    return (*out, *rest)


def family_elements(model: Any, node_id: str) -> list[str]:
    """The element node ids of the family ``node_id`` in ``model`` (a ModelSpec), in model order;
    ``[]`` when ``node_id`` is not a family of the model."""
    expansion = getattr(model, "expansion", None)
    if expansion is None or node_id not in expansion.families:
        return []
    return [node.id for node, origin in zip(model.nodes, expansion.nodes, strict=False) if origin.family == node_id]


def intervention_targets(model: Any, node_id: str) -> list[str]:
    """The nodes an intervention on ``node_id`` changes: the node itself, or every element of a
    family (the same intervention on each, e.g. ``jobs`` for ``jobs[heerlen]`` and ``jobs[kerkrade]``)."""
    return family_elements(model, node_id) or [node_id]


def element_problem(model: Any, node_id: str) -> tuple[str, str] | None:
    """(message, hint) when ``node_id`` names an element its family does not have (``jobs[heerlenn]``)."""
    split = split_element_id(node_id)
    expansion = getattr(model, "expansion", None)
    if split is None or expansion is None or split[0] not in expansion.families:
        return None
    family, element = split
    dims = tuple(expansion.families[family])
    if len(element) != len(dims):
        return (
            msg(
                "'{node}' names {given} element(s), {family} ranges over {dims}",
                node=node_id,
                given=len(element),
                family=family,
                dims=", ".join(dims),
            ),
            msg("write one element per dimension, joined by commas"),
        )
    for e, d in zip(element, dims, strict=True):
        if e not in expansion.dimensions[d]:
            return (
                msg("'{element}' is not an element of {dimension}", element=e, dimension=d),
                _hint_element(e, list(expansion.dimensions[d]), (d,)),
            )
    return None
