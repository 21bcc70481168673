"""Scenario overrides and levers: what a model offers to change, and changes said as a scenario.

Pure functions on specs (no app, no files):

- **levers**: the interventions a model's scenarios use, as sizes to set
  (:class:`Lever`, :func:`levers`, :func:`lever_sizes`, :func:`with_levers`);
- **assumptions**: the uncertain link weights with the range they may take
  (:class:`Assumption`, :func:`assumptions`, :func:`scenario_weights`), and
  chosen weights as overrides (:func:`weight_overrides`);
- **diff and merge**: the differences between two models as scenario overrides
  (:func:`model_edits`) and one set of overrides applied over another
  (:func:`merge_overrides`).

Units: a lever's size is in the unit of its parameter (``height``: node units,
or a fraction of the baseline when ``relative``; ``slope``: node units per
year); weights in target units per source unit; times in years.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from simulator.spec import (
    Distribution,
    InterventionSpec,
    LinkOverride,
    ModelSpec,
    NodeOverride,
    Overrides,
    Pulse,
    Ramp,
    ScenarioSpec,
    Triangular,
)

MAGNITUDE = {"step": "height", "pulse": "height", "ramp": "slope"}
"""The size parameter of each intervention shape a lever can set."""


@dataclass(frozen=True)
class Lever:
    """The size of one intervention, with timing from a template.

    Attributes
    ----------
    key : str
        ``node:shape``.
    template : InterventionSpec
        Shape, timing and ``relative`` of the intervention; its size is replaced.
    param : str
        The size parameter: ``slope`` (ramp, node units per year) or ``height``.
    low, high, step : float
        Range of sizes and a round step, in the unit of ``param``.
    """

    key: str
    template: InterventionSpec
    param: str
    low: float
    high: float
    step: float

    @property
    def node(self) -> str:
        """The node the lever acts on."""
        return self.template.node

    @property
    def timing(self) -> tuple[float, float] | None:
        """The template's timing as the app shows it: (start, end) of a ramp, (start, width) of a pulse,
        in years; None for a step or a series, whose timing is not a lever."""
        tpl = self.template
        if isinstance(tpl, Ramp):
            return (tpl.start, tpl.end)
        if isinstance(tpl, Pulse):
            return (tpl.start, tpl.width)
        return None

    def intervention(self, size: float, timing: tuple[float, float] | None = None) -> InterventionSpec:
        """The intervention at ``size``; ``timing`` = (start, end) for a ramp, (start, width) for a pulse."""
        data = self.template.model_dump(exclude_none=True)
        data[self.param] = float(size)
        if timing is not None:
            data["start"] = float(timing[0])
            if self.template.shape == "ramp":
                data["end"] = float(max(timing[1], timing[0]))
            elif self.template.shape == "pulse":
                data["width"] = float(max(timing[1], 1e-6))
        return InterventionSpec.model_validate(data)


@dataclass(frozen=True)
class Assumption:
    """One uncertain link weight and the range it may take.

    Attributes
    ----------
    key : str
        ``from->to``.
    low, high : float
        The model's support (a normal: mean +- 3 sd), widened to hold every scenario's override.
    default : float
        The model's central weight.
    """

    key: str
    low: float
    high: float
    default: float


def nice_step(span: float) -> float:
    """A round step, about a hundredth of ``span`` (1, 2 or 5 times a power of ten)."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / 100.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _nice_ceiling(value: float) -> float:
    step = nice_step(value)
    return math.ceil(value / step) * step if value > 0 else 1.0


def lever_key(item: InterventionSpec) -> str:
    """``node:shape``, the key of the lever that sets ``item``'s size."""
    return f"{item.node}:{item.shape}"


def levers(model: ModelSpec, scenarios: Sequence[ScenarioSpec]) -> list[Lever]:
    """One lever per node and shape found among the scenarios' interventions (file order).

    The range runs from 0 (or minus the top, when some scenario goes down) to twice
    the largest size any scenario uses. With no interventions at all, the first
    node gets a step lever of up to 20 % of its baseline.
    """
    found: dict[str, list[InterventionSpec]] = {}
    for scenario in scenarios:
        for item in scenario.interventions:
            if item.shape in MAGNITUDE:
                found.setdefault(lever_key(item), []).append(item)
    if not found:
        return [_fallback_lever(model)]
    out = []
    for key, items in found.items():
        param = MAGNITUDE[items[0].shape]
        sizes = [getattr(i, param) for i in items]
        top = _nice_ceiling(2 * max(abs(s) for s in sizes))
        low = -top if min(sizes) < 0 else 0.0
        out.append(Lever(key, items[0], param, low, top, nice_step(top - low)))
    return out


def _fallback_lever(model: ModelSpec) -> Lever:
    node = model.nodes[0]
    base = node.baseline if isinstance(node.baseline, float) else getattr(node.baseline, "value", 1.0)
    top = _nice_ceiling(0.2 * abs(base or 1.0))
    template = InterventionSpec(node=node.id, shape="step", height=0.0, start=model.time.start + 1.0)
    return Lever(f"{node.id}:step", template, "height", -top, top, nice_step(2 * top))


def lever_sizes(items: Sequence[Lever], scenario: ScenarioSpec | None) -> dict[str, float]:
    """The size of each lever in ``scenario`` (0 when the scenario does not use it)."""
    sizes = {lever.key: 0.0 for lever in items}
    for item in scenario.interventions if scenario is not None else []:
        key = lever_key(item)
        if key in sizes and item.shape in MAGNITUDE and sizes[key] == 0.0:
            sizes[key] = float(getattr(item, MAGNITUDE[item.shape]))
    return sizes


def with_levers(
    items: Sequence[Lever], base: ScenarioSpec | None, sizes: Mapping[str, float], timing: Mapping[str, Sequence[float]]
) -> list[InterventionSpec]:
    """``base``'s interventions with the levers set: the first intervention of each lever is replaced.

    ``sizes`` (lever key -> size) and ``timing`` (lever key -> (start, end) or
    (start, width)) override the base's; keys that are no lever are ignored. A
    lever at size 0 adds no intervention.
    """
    by_key = {lever.key: lever for lever in items}
    chosen = lever_sizes(items, base) | {k: v for k, v in sizes.items() if k in by_key}
    out, used = [], set()
    for item in base.interventions if base is not None else []:
        key = lever_key(item)
        if key in by_key and key not in used:
            used.add(key)
            continue
        out.append(item)
    for key, lever in by_key.items():
        if chosen.get(key, 0.0) != 0.0:
            when = timing.get(key)
            out.append(lever.intervention(chosen[key], (float(when[0]), float(when[1])) if when else None))
    return out


def finite_support(dist: Distribution) -> tuple[float, float]:
    """The range of a weight's distribution; for a normal, mean +- 3 sd."""
    lo, hi = dist.support
    if dist.dist == "normal":
        lo, hi = dist.param("mean") - 3 * dist.param("sd"), dist.param("mean") + 3 * dist.param("sd")
    return float(lo), float(hi)


def assumptions(model: ModelSpec, scenarios: Sequence[ScenarioSpec]) -> list[Assumption]:
    """Every link with an uncertain weight (or one a scenario overrides), in file order."""
    overridden: dict[str, list[Distribution]] = {}
    for scenario in scenarios:
        for item in scenario.overrides.links:
            if item.weight is not None:
                overridden.setdefault(f"{item.source}->{item.target}", []).append(item.weight)
    out = []
    for link in model.links:
        extra = overridden.get(link.key, [])
        if not link.weight.is_uncertain and not extra:
            continue
        supports = [finite_support(link.weight)] + [finite_support(d) for d in extra]
        low, high = min(s[0] for s in supports), max(s[1] for s in supports)
        if high <= low:
            continue
        out.append(Assumption(link.key, low, high, link.weight.central))
    return out


def scenario_weights(model: ModelSpec, scenario: ScenarioSpec | None) -> dict[str, float]:
    """Central weight of every link (``from->to``) as the scenario has it (its overrides applied)."""
    weights = {link.key: link.weight.central for link in model.links}
    if scenario is not None:
        for item in scenario.overrides.links:
            if item.weight is not None:
                weights[f"{item.source}->{item.target}"] = item.weight.central
    return weights


def changed_weights(model: ModelSpec, base: ScenarioSpec | None, chosen: Mapping[str, float]) -> dict[str, float]:
    """The chosen weights (link key -> weight) that differ from ``base``'s; unknown links are left out."""
    weights = scenario_weights(model, base)
    return {
        k: v for k, v in chosen.items() if k in weights and not math.isclose(v, weights[k], rel_tol=1e-9, abs_tol=1e-15)
    }


def shifted(dist: Distribution, value: float) -> Distribution:
    """``dist`` with its centre moved to ``value``; a range is kept (widened to hold it)."""
    if not dist.is_uncertain:
        return Distribution.fixed(value)
    lo, hi = finite_support(dist)
    return Triangular(dist="triangular", low=min(lo, value), mode=value, high=max(hi, value))


def weight_overrides(model: ModelSpec, base: ScenarioSpec | None, changed: Mapping[str, float]) -> Overrides:
    """``base``'s overrides with the weights ``changed`` (link key -> central weight) set on top.

    Each changed weight keeps its distribution's range (see :func:`shifted`);
    links ``base`` does not override yet get an override.
    """
    todo = dict(changed)
    links = list(base.overrides.links) if base is not None else []
    dists = {link.key: link.weight for link in model.links}
    for i, item in enumerate(links):
        key = f"{item.source}->{item.target}"
        if key in todo:
            links[i] = item.model_copy(update={"weight": shifted(item.weight or dists[key], todo.pop(key))})
    for key, value in todo.items():
        source, target = key.split("->")
        links.append(LinkOverride.model_validate({"from": source, "to": target, "weight": shifted(dists[key], value)}))
    nodes = list(base.overrides.nodes) if base is not None else []
    return Overrides(links=links, nodes=nodes)


LINK_FIELDS = ("weight", "lag", "delay", "form")
"""What an override can change in a link."""
NODE_FIELDS = ("baseline", "decay", "min", "max")
"""What an override can change in a node."""
DESCRIPTIVE_LINK_FIELDS = ("evidence",)
DESCRIPTIVE_NODE_FIELDS = ("label", "indicator", "level")


def model_edits(base: ModelSpec, own: ModelSpec) -> tuple[Overrides, list[str]]:
    """``own``'s differences from ``base`` as scenario overrides, and what overrides cannot say.

    Overrides can change a link's weight, lag, delay and form and a node's baseline,
    decay, min and max. Anything else that differs (nodes or links added or
    removed, a node's kind or direction, the horizon) is listed in words;
    descriptive fields (labels, evidence) are ignored.
    """
    lost: list[str] = []
    if [n.id for n in base.nodes] != [n.id for n in own.nodes] or sorted(lk.key for lk in base.links) != sorted(
        lk.key for lk in own.links
    ):
        return Overrides(), ["the network itself (nodes or links added or removed)"]
    if base.time != own.time:
        lost.append("the time horizon")
    links = []
    own_links = {lk.key: lk for lk in own.links}
    for link in base.links:
        edited = own_links[link.key]
        changed = [
            f
            for f in type(link).model_fields
            if f not in DESCRIPTIVE_LINK_FIELDS and getattr(link, f) != getattr(edited, f)
        ]
        lost += [f"link {link.key}: {f}" for f in changed if f not in LINK_FIELDS]
        kept = [f for f in changed if f in LINK_FIELDS]
        if "lag" in kept and "delay" not in kept:
            kept.append("delay")
        after = edited.model_dump(by_alias=True, exclude_none=True)
        lost += [f"link {link.key}: {f} removed" for f in kept if f not in after and f != "delay"]
        if kept:
            links.append(
                LinkOverride.model_validate(
                    {"from": link.source, "to": link.target} | {f: after[f] for f in kept if f in after}
                )
            )
    nodes = []
    for node, edited_node in zip(base.nodes, own.nodes, strict=True):
        changed = [
            f
            for f in type(node).model_fields
            if f not in DESCRIPTIVE_NODE_FIELDS and getattr(node, f) != getattr(edited_node, f)
        ]
        lost += [f"node {node.id}: {f}" for f in changed if f not in NODE_FIELDS]
        after = edited_node.model_dump(exclude_none=True)
        lost += [f"node {node.id}: {f} removed" for f in changed if f in NODE_FIELDS and f not in after]
        kept_values = {f: after[f] for f in changed if f in NODE_FIELDS and f in after}
        if kept_values:
            nodes.append(NodeOverride.model_validate({"id": node.id} | kept_values))
    return Overrides(links=links, nodes=nodes), lost


def merge_overrides(first: Overrides, then: Overrides) -> Overrides:
    """``first`` with ``then`` applied on top: a field ``then`` sets wins, per link and per node."""
    links = {(o.source, o.target): o.model_dump(by_alias=True, exclude_none=True) for o in first.links}
    for o in then.links:
        links[(o.source, o.target)] = links.get((o.source, o.target), {}) | o.model_dump(
            by_alias=True, exclude_none=True
        )
    nodes = {n.id: n.model_dump(exclude_none=True) for n in first.nodes}
    for n in then.nodes:
        nodes[n.id] = nodes.get(n.id, {}) | n.model_dump(exclude_none=True)
    return Overrides(
        links=[LinkOverride.model_validate(v) for v in links.values()],
        nodes=[NodeOverride.model_validate(v) for v in nodes.values()],
    )


__all__ = [
    "MAGNITUDE",
    "Assumption",
    "Lever",
    "assumptions",
    "changed_weights",
    "finite_support",
    "lever_key",
    "lever_sizes",
    "levers",
    "merge_overrides",
    "model_edits",
    "nice_step",
    "scenario_weights",
    "shifted",
    "weight_overrides",
    "with_levers",
]
