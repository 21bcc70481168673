"""What changed between two versions of a model, and where one scenario's results first diverge on them.

Two parts, both plain data (the words for people are in :mod:`simulator.analysis.model_diff_text`):

- :func:`structural_diff` compares two checked models: nodes (by ``id``) and links
  (by ``(from, to)``) added, removed or changed, field by field (weight, lag, delay,
  shape, baseline, bounds, kind, unit, ...), and the model's own ``time`` and
  behaviour tests. A field that holds a spec of its own (a node's ``indicator``,
  a link's ``evidence``) is compared key by key (``indicator.source``).
- :func:`result_divergence` compares two runs of one scenario: the value
  ``b + d`` of every node both models have, at every time both runs report. A
  value differs when ``|new - old| > tolerance * (1 + |old|)`` (``numpy.isclose``
  with ``rtol = atol = tolerance``): relative for large values, absolute near 0.
  The first divergence is the earliest such time; its node is the one that
  differs most there relative to its size (``|new - old| / max(|old|, |new|)``,
  unit-free; the model's order breaks ties). Per node: the first time it differs
  and its largest absolute difference (node units) with the time of it.
- :func:`scenario_divergence` runs a scenario (already checked against each
  model) on both at the modes and compares the runs.

Nothing here reads files or prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from simulator.checked import CheckedModel
from simulator.results import RunResult
from simulator.spec import Distribution, Evidence, Indicator, LinkSpec, ModelSpec, NodeSpec, ScenarioSpec, Split

DEFAULT_TOLERANCE = 1e-9
"""Two values agree when ``|new - old| <= tolerance * (1 + |old|)`` (the PySD agreement bar)."""

NODE_FIELDS_FIRST = ("kind", "baseline", "decay", "min", "max", "unit", "unit_label")
"""A node's fields that change results or their meaning, listed first; the others follow in the spec's order."""

LINK_FIELDS_FIRST = ("weight", "lag", "delay", "form", "shape", "weight_unit")
"""A link's fields that change results, listed first; the others follow in the spec's order."""

SKIPPED_FIELDS = {"id", "source", "target", "score", "scores"}
"""Identities (``id``, ``from``, ``to``) and a scored link's ``score``/``scores`` (its ``weight`` holds them)."""

Subject = Literal["model", "node", "link"]
Action = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its name (``weight``, ``indicator.source``) and both values as the spec holds them.

    ``old`` / ``new`` are the field's values (a number, a :class:`~simulator.spec.Distribution`, a baseline,
    a shape, a text; ``None`` when not set).
    """

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Change:
    """A node or link added, removed or changed, or a change to the model itself (``time``, ``checks``).

    ``key`` is the node id, the link's ``(from, to)`` or, for the model, the field's group (``time``).
    ``spec`` is the node or link added or removed (the new or the old one); ``fields`` what changed.
    """

    subject: Subject
    action: Action
    key: str | tuple[str, str]
    fields: tuple[FieldChange, ...] = ()
    spec: NodeSpec | LinkSpec | None = None


@dataclass(frozen=True)
class ModelDiff:
    """What changed from ``old`` to ``new`` (both checked models), in the order a report lists it."""

    old: ModelSpec
    new: ModelSpec
    changes: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        """True when nothing differs (node and link order aside)."""
        return not self.changes

    def of(self, subject: Subject, action: Action) -> list[Change]:
        """The changes of one group (``of("link", "added")``)."""
        return [c for c in self.changes if c.subject == subject and c.action == action]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``old``, ``new`` (model names), ``identical`` and ``changes`` (docs/analysis.md)."""
        return {
            "old": self.old.name,
            "new": self.new.name,
            "identical": self.identical,
            "changes": [_change_dict(c) for c in self.changes],
        }


def structural_diff(old: CheckedModel, new: CheckedModel) -> ModelDiff:
    """What changed between two checked models: model fields, then nodes, then links (added, removed, changed).

    Nodes are matched by id, links by ``(from, to)`` (a model has at most one link per pair); a node
    or link that moved in its list is not a change.
    """
    a, b = old.require().spec, new.require().spec
    changes: list[Change] = []
    time = _fields(a.time, b.time, ())
    if time:
        changes.append(Change("model", "changed", "time", time))
    if a.checks != b.checks:
        changes.append(Change("model", "changed", "checks", (FieldChange("checks", len(a.checks), len(b.checks)),)))
    old_nodes, new_nodes = {n.id: n for n in a.nodes}, {n.id: n for n in b.nodes}
    changes += [Change("node", "added", n.id, spec=n) for n in b.nodes if n.id not in old_nodes]
    changes += [Change("node", "removed", n.id, spec=n) for n in a.nodes if n.id not in new_nodes]
    for node in b.nodes:
        if node.id in old_nodes:
            fields = _fields(old_nodes[node.id], node, NODE_FIELDS_FIRST)
            if fields:
                changes.append(Change("node", "changed", node.id, fields))
    old_links = {(k.source, k.target): k for k in a.links}
    new_links = {(k.source, k.target): k for k in b.links}
    changes += [Change("link", "added", key, spec=k) for key, k in new_links.items() if key not in old_links]
    changes += [Change("link", "removed", key, spec=k) for key, k in old_links.items() if key not in new_links]
    for key, link in new_links.items():
        if key in old_links:
            fields = _fields(old_links[key], link, LINK_FIELDS_FIRST)
            if fields:
                changes.append(Change("link", "changed", key, fields))
    return ModelDiff(a, b, tuple(changes))


def _fields(old: BaseModel, new: BaseModel, first: tuple[str, ...], prefix: str = "") -> tuple[FieldChange, ...]:
    skipped = SKIPPED_FIELDS if not prefix else set()  # a node's id, a link's ends; not an indicator's source
    names = [*first, *(n for n in type(old).model_fields if n not in first and n not in skipped)]
    found: list[FieldChange] = []
    for name in names:
        x, y = getattr(old, name, None), getattr(new, name, None)
        if x == y:
            continue
        if isinstance(x, BaseModel) and isinstance(y, BaseModel) and _nested(x) and type(x) is type(y):
            found += _fields(x, y, (), f"{prefix}{name}.")
        else:
            found.append(FieldChange(prefix + name, x, y))
    return tuple(found)


def _nested(value: Any) -> bool:
    """A spec compared key by key (indicator, evidence, split): not a value shown whole (a baseline, a shape)."""
    return isinstance(value, (Indicator, Evidence, Split))


def plain(value: Any) -> Any:
    """A field's value in JSON form: a distribution as a file writes it, a spec as its keys."""
    if isinstance(value, Distribution):
        return value.to_yaml()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def _change_dict(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "subject": change.subject,
        "action": change.action,
        "key": list(change.key) if isinstance(change.key, tuple) else change.key,
    }
    if change.spec is not None:
        out["spec"] = plain(change.spec)
    if change.fields:
        out["fields"] = [{"field": f.field, "old": plain(f.old), "new": plain(f.new)} for f in change.fields]
    return out


@dataclass(frozen=True)
class NodeDivergence:
    """Where one node's value first differs between the runs, and by how much at most.

    ``first_time`` is the first reported time with a difference above the tolerance;
    ``largest`` the largest ``new - old`` in absolute value (node units), at ``largest_time``;
    ``old`` / ``new`` the values at ``first_time``.
    """

    node: str
    first_time: float
    largest: float
    largest_time: float
    old: float
    new: float


@dataclass(frozen=True)
class Divergence:
    """A scenario run on two models, compared node by node at the times both report.

    ``nodes`` holds each node that diverges, in order of its first divergence (then the model's
    order); ``first`` is the first divergence (None when the runs agree within ``tolerance``);
    ``compared`` the nodes both models have; ``times`` the times compared.
    """

    scenario: str
    tolerance: float
    compared: tuple[str, ...]
    times: np.ndarray
    nodes: tuple[NodeDivergence, ...]
    first: NodeDivergence | None

    @property
    def agrees(self) -> bool:
        """True when no compared node differs by more than the tolerance."""
        return self.first is None

    def simultaneous(self) -> int:
        """How many nodes first diverge at the same time as :attr:`first` (itself included)."""
        return 0 if self.first is None else sum(1 for n in self.nodes if n.first_time == self.first.first_time)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (docs/analysis.md): tolerance, counts, the first divergence and every diverging node."""

        def one(n: NodeDivergence) -> dict[str, Any]:
            return {
                "node": n.node,
                "first_time": n.first_time,
                "old": n.old,
                "new": n.new,
                "largest_difference": n.largest,
                "largest_time": n.largest_time,
            }

        return {
            "scenario": self.scenario,
            "tolerance": self.tolerance,
            "nodes_compared": len(self.compared),
            "times_compared": len(self.times),
            "agrees": self.agrees,
            "first": None if self.first is None else one(self.first),
            "nodes": [one(n) for n in self.nodes],
        }


def result_divergence(old: RunResult, new: RunResult, tolerance: float = DEFAULT_TOLERANCE) -> Divergence:
    """Compare two runs of one scenario: the values ``b + d`` of the nodes both have, at the times both report.

    Parameters
    ----------
    old, new : RunResult
        The scenario on the old and on the new model.
    tolerance : float
        Values differ when ``|new - old| > tolerance * (1 + |old|)``; at least 0.

    Raises
    ------
    ValueError
        A negative or non-finite tolerance (a programming error: the CLI checks its option first).
    """
    if not np.isfinite(tolerance) or tolerance < 0:
        raise ValueError(f"tolerance must be finite and at least 0, got {tolerance!r}")
    new_index = {node: i for i, node in enumerate(new.node_ids)}
    compared = tuple(node for node in old.node_ids if node in new_index)
    times, k_old, k_new = np.intersect1d(np.round(old.times, 9), np.round(new.times, 9), return_indices=True)
    i_old = np.array([old.node_ids.index(node) for node in compared], dtype=np.intp)
    i_new = np.array([new_index[node] for node in compared], dtype=np.intp)
    a = old.value[np.ix_(k_old, i_old)]
    b = new.value[np.ix_(k_new, i_new)]
    differs = ~np.isclose(b, a, rtol=tolerance, atol=tolerance, equal_nan=True)
    found: list[NodeDivergence] = []
    for j, node in enumerate(compared):
        rows = np.flatnonzero(differs[:, j])
        if not rows.size:
            continue
        gap = b[:, j] - a[:, j]
        k = int(rows[0])
        worst = int(np.nanargmax(np.abs(np.where(np.isnan(gap), np.inf, gap))))
        found.append(
            NodeDivergence(
                node, float(times[k]), float(gap[worst]), float(times[worst]), float(a[k, j]), float(b[k, j])
            )
        )
    found.sort(key=lambda n: n.first_time)  # stable: the model's order within one time
    first = None
    if found:
        at_first = [n for n in found if n.first_time == found[0].first_time]
        first = max(at_first, key=_relative)  # max keeps the first of equals
    return Divergence(old.scenario, tolerance, compared, times, tuple(found), first)


def _relative(n: NodeDivergence) -> float:
    size = max(abs(n.old), abs(n.new))
    return abs(n.new - n.old) / size if size > 0 else 0.0


def scenario_divergence(
    old_scenario: ScenarioSpec,
    old_model: ModelSpec,
    new_scenario: ScenarioSpec,
    new_model: ModelSpec,
    tolerance: float = DEFAULT_TOLERANCE,
    file: str = "",
) -> Divergence:
    """Run one scenario on the old and on the new model (deterministic, at the modes) and compare the runs.

    The scenario is given once per model, as read against each (its ``time`` merged with that
    model's); ``file`` names it in messages.

    Raises
    ------
    InputError
        The scenario does not run on one of the models (:func:`~simulator.scenario_run.prepare_scenario`).
    """
    from simulator.scenario_run import prepare_scenario, run_deterministic

    old = run_deterministic(prepare_scenario(old_scenario, old_model, file))
    new = run_deterministic(prepare_scenario(new_scenario, new_model, file))
    return result_divergence(old, new, tolerance)
