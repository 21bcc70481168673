"""A future a group builds: a starting scenario, lever values and changed assumptions.

Pure functions, no Streamlit: which sliders a model offers (levers from the
interventions of its scenarios, assumptions from its uncertain link weights),
how slider values become scenario specs, and the compact text form of a future
that goes into a shareable URL.

The two scenario specs a future makes are kept apart on purpose (the effects of
interventions and of changed assumptions do not simply add up):

- *with defaults*: the starting scenario with the lever values (its own
  overrides kept, the group's assumptions not applied);
- *with own assumptions*: the same, plus the group's changed link weights.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator.spec import (
    Distribution,
    InterventionSpec,
    LinkOverride,
    LocalizedText,
    ModelSpec,
    NodeOverride,
    Overrides,
    ScenarioSpec,
)
from ui.i18n import unit_label

MAGNITUDE = {"step": "height", "pulse": "height", "ramp": "slope"}
MAX_ASSUMPTION_DEFAULTS = 2
MAX_SHARE_CHARS = 8_000


@dataclass(frozen=True)
class Lever:
    """A slider for one intervention: its size, with timing from a template.

    Attributes
    ----------
    key : str
        ``node:shape``.
    template : InterventionSpec
        Shape, timing and ``relative`` of the intervention; its size is replaced.
    param : str
        The size parameter: ``slope`` (ramp, node units per year) or ``height``.
    low, high, step : float
        Slider range, in the unit of ``param``.
    label_nl, label_en : str
    """

    key: str
    template: InterventionSpec
    param: str
    low: float
    high: float
    step: float
    label_nl: str
    label_en: str

    @property
    def node(self) -> str:
        """The node the lever acts on."""
        return self.template.node

    def label(self, language: str) -> str:
        """The slider's label in ``language``."""
        return self.label_en if language == "en" else self.label_nl

    def intervention(
        self, size: float, timing: tuple[float, float] | None = None
    ) -> InterventionSpec:
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
    """A slider for one uncertain link weight, within its range.

    Attributes
    ----------
    key : str
        ``from->to``.
    low, high : float
        Slider range: the model's support, widened to hold every scenario's override.
    default : float
        The model's central weight.
    """

    key: str
    low: float
    high: float
    default: float


@dataclass
class Future:
    """What the user has built; the state behind the sliders (and the share link).

    Attributes
    ----------
    scenario : str or None
        Starting scenario name ("" for the baseline; None: not chosen yet, the app
        then starts from :func:`default_scenario`).
    levers : dict of str to float
        Lever key -> size (levers not set keep the starting scenario's value).
    timing : dict of str to [float, float]
        Lever key -> (start, end) or (start, width), when changed.
    assumptions : dict of str to float
        Link key -> weight chosen by the group.
    """

    scenario: str | None = None
    levers: dict[str, float] = field(default_factory=dict)
    timing: dict[str, list[float]] = field(default_factory=dict)
    assumptions: dict[str, float] = field(default_factory=dict)


def default_scenario(scenarios: dict[str, ScenarioSpec]) -> str:
    """The scenario a newcomer sees first: the simplest (fewest interventions and overrides), "" if none."""

    def size(name: str) -> tuple[int, int]:
        spec = scenarios[name]
        return (
            len(spec.interventions) + len(spec.overrides.links) + len(spec.overrides.nodes),
            list(scenarios).index(name),
        )

    candidates = [n for n in scenarios if scenarios[n].interventions]
    return min(candidates, key=size) if candidates else ""


def nice_step(span: float) -> float:
    """A round slider step, about a hundredth of ``span`` (1, 2 or 5 times a power of ten)."""
    if not math.isfinite(span) or span <= 0:
        return 1.0
    raw = span / 100.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _nice_ceiling(value: float) -> float:
    step = nice_step(value)
    return math.ceil(value / step) * step if value > 0 else 1.0


def _lever_key(item: InterventionSpec) -> str:
    return f"{item.node}:{item.shape}"


def _lever_label(model: ModelSpec, item: InterventionSpec, language: str) -> str:
    node = model.node(item.node)
    name = item.label.get(language) if item.label else node.label.get(language)
    unit = unit_label("fraction of baseline" if item.relative else node.unit, language)
    flow = item.shape == "ramp" or node.kind == "stock"  # a ramp's slope, or a flow into a stock
    per_year = {"nl": " per jaar", "en": " per year"}[language] if flow else ""
    return f"{name} ({unit}{per_year})" if unit else name


def levers(model: ModelSpec, scenarios: list[ScenarioSpec]) -> list[Lever]:
    """One lever per node and shape found among the scenarios' interventions (file order).

    The range runs from 0 (or minus the top, when some scenario goes down) to twice
    the largest size any scenario uses. With no interventions at all, the first
    node gets a step lever of up to 20 % of its baseline.
    """
    found: dict[str, list[InterventionSpec]] = {}
    for scenario in scenarios:
        for item in scenario.interventions:
            if item.shape in MAGNITUDE:
                found.setdefault(_lever_key(item), []).append(item)
    if not found:
        return [_fallback_lever(model)]
    out = []
    for key, items in found.items():
        param = MAGNITUDE[items[0].shape]
        sizes = [getattr(i, param) for i in items]
        top = _nice_ceiling(2 * max(abs(s) for s in sizes))
        low = -top if min(sizes) < 0 else 0.0
        out.append(
            Lever(
                key,
                items[0],
                param,
                low,
                top,
                nice_step(top - low),
                _lever_label(model, items[0], "nl"),
                _lever_label(model, items[0], "en"),
            )
        )
    return out


def _fallback_lever(model: ModelSpec) -> Lever:
    node = model.nodes[0]
    base = (
        node.baseline if isinstance(node.baseline, float) else getattr(node.baseline, "value", 1.0)
    )
    top = _nice_ceiling(0.2 * abs(base or 1.0))
    start = model.time.start + 1.0
    template = InterventionSpec(node=node.id, shape="step", height=0.0, start=start)
    return Lever(
        f"{node.id}:step",
        template,
        "height",
        -top,
        top,
        nice_step(2 * top),
        _lever_label(model, template, "nl"),
        _lever_label(model, template, "en"),
    )


def _finite_support(dist: Distribution) -> tuple[float, float]:
    lo, hi = dist.support
    if dist.dist == "normal":
        lo, hi = dist.mean - 3 * dist.sd, dist.mean + 3 * dist.sd
    return float(lo), float(hi)


def assumptions(model: ModelSpec, scenarios: list[ScenarioSpec]) -> list[Assumption]:
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
        supports = [_finite_support(link.weight)] + [_finite_support(d) for d in extra]
        low, high = min(s[0] for s in supports), max(s[1] for s in supports)
        if high <= low:
            continue
        out.append(Assumption(link.key, low, high, link.weight.central))
    return out


def default_assumption_keys(items: list[Assumption], scenarios: list[ScenarioSpec]) -> list[str]:
    """The assumptions shown first: the first link each scenario overrides (then the second, ...),
    else the first uncertain links; at most :data:`MAX_ASSUMPTION_DEFAULTS`."""
    keys = {a.key for a in items}
    per_scenario = [
        [f"{k.source}->{k.target}" for k in s.overrides.links if k.weight is not None]
        for s in scenarios
    ]
    chosen: list[str] = []
    for rank in range(max((len(x) for x in per_scenario), default=0)):
        for links in per_scenario:
            if rank < len(links) and links[rank] in keys and links[rank] not in chosen:
                chosen.append(links[rank])
    return (chosen or [a.key for a in items])[:MAX_ASSUMPTION_DEFAULTS]


def scenario_weights(model: ModelSpec, scenario: ScenarioSpec | None) -> dict[str, float]:
    """Central weight of every link as the scenario has it (its overrides applied)."""
    weights = {link.key: link.weight.central for link in model.links}
    if scenario is not None:
        for item in scenario.overrides.links:
            if item.weight is not None:
                weights[f"{item.source}->{item.target}"] = item.weight.central
    return weights


def lever_sizes(items: list[Lever], scenario: ScenarioSpec | None) -> dict[str, float]:
    """The size of each lever in ``scenario`` (0 when the scenario does not use it)."""
    sizes = {lever.key: 0.0 for lever in items}
    for item in scenario.interventions if scenario is not None else []:
        key = _lever_key(item)
        if key in sizes and item.shape in MAGNITUDE and sizes[key] == 0.0:
            sizes[key] = float(getattr(item, MAGNITUDE[item.shape]))
    return sizes


def _interventions(
    items: list[Lever], base: ScenarioSpec | None, future: Future
) -> list[InterventionSpec]:
    by_key = {lever.key: lever for lever in items}
    sizes = lever_sizes(items, base) | {k: v for k, v in future.levers.items() if k in by_key}
    out, used = [], set()
    for item in base.interventions if base is not None else []:
        key = _lever_key(item)
        if key in by_key and key not in used:
            used.add(key)
            continue
        out.append(item)
    for key, lever in by_key.items():
        if sizes.get(key, 0.0) != 0.0:
            timing = future.timing.get(key)
            out.append(lever.intervention(sizes[key], tuple(timing) if timing else None))
    return out


def _shifted(dist: Distribution, value: float) -> Distribution:
    """``dist`` with its centre moved to ``value``; a range is kept (widened to hold it)."""
    if not dist.is_uncertain:
        return Distribution.fixed(value)
    lo, hi = _finite_support(dist)
    return Distribution(dist="triangular", low=min(lo, value), mode=value, high=max(hi, value))


def changed_assumptions(
    model: ModelSpec, base: ScenarioSpec | None, future: Future
) -> dict[str, float]:
    """The group's weights that differ from the starting scenario's."""
    weights = scenario_weights(model, base)
    return {
        k: v
        for k, v in future.assumptions.items()
        if k in weights and not math.isclose(v, weights[k], rel_tol=1e-9, abs_tol=1e-15)
    }


def _own_overrides(
    model: ModelSpec, base: ScenarioSpec | None, changed: dict[str, float]
) -> Overrides:
    links = list(base.overrides.links) if base is not None else []
    dists = {link.key: link.weight for link in model.links}
    for i, item in enumerate(links):
        key = f"{item.source}->{item.target}"
        if key in changed:
            links[i] = item.model_copy(
                update={"weight": _shifted(item.weight or dists[key], changed.pop(key))}
            )
    for key, value in changed.items():
        source, target = key.split("->")
        links.append(
            LinkOverride.model_validate(
                {"from": source, "to": target, "weight": _shifted(dists[key], value)}
            )
        )
    nodes = list(base.overrides.nodes) if base is not None else []
    return Overrides(links=links, nodes=nodes)


def build_scenarios(
    model: ModelSpec, base: ScenarioSpec | None, items: list[Lever], future: Future
) -> tuple[ScenarioSpec, ScenarioSpec | None]:
    """The future as scenario specs: (interventions with default assumptions, with own assumptions).

    The second is None when the group changed no assumption.
    """
    interventions = _interventions(items, base, future)
    name = (base.name if base is not None else "baseline") + "-eigen"
    fields = {
        "model": base.model if base is not None else "",
        "time": base.time if base is not None else None,
        "title": base.title if base is not None else None,
        "description": None,
    }
    defaults = ScenarioSpec(
        name=name,
        interventions=interventions,
        overrides=base.overrides if base is not None else Overrides(),
        **fields,
    )
    changed = changed_assumptions(model, base, future)
    if not changed:
        return defaults, None
    own = ScenarioSpec(
        name=name + "-assumptions",
        interventions=interventions,
        overrides=_own_overrides(model, base, dict(changed)),
        **fields,
    )
    return defaults, own


def encode_future(future: Future, model: str | None = None, scenario: str | None = None) -> str:
    """A compact, URL-safe text form of ``future`` (zlib-compressed JSON in base64).

    Parameters
    ----------
    model : str, optional
        The name (file stem) of the model file on the server, when it is not the default one.
    scenario : str, optional
        The starting scenario as YAML text, when the server does not have it as a file (an
        uploaded scenario, or one carrying the group's model edits as overrides, see
        :func:`shared_scenario`); ``future.scenario`` then names it.
    """
    data: dict = {"s": future.scenario, "l": future.levers, "t": future.timing, "a": future.assumptions}
    if model:
        data["m"] = model
    if scenario:
        data["x"] = scenario
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class SharedLink:
    """What a share link carries: the future, and where needed the model's name and the scenario's text."""

    future: Future
    model: str | None = None
    scenario: str | None = None


class LinkError(ValueError):
    """A share link that cannot be opened.

    Attributes
    ----------
    reason : str
        Which kind: the message key ``link_<reason>`` in :mod:`ui.i18n` says it in the reader's language.
    values : dict
        The values that message names.
    """

    def __init__(self, reason: str, message: str, **values: object):
        super().__init__(message)
        self.reason = reason
        self.values = values


MAX_PAYLOAD_BYTES = 200_000  # the link's JSON after decompression
MAX_LINK_ENTRIES = 200  # levers, timings or assumptions in one link
MAX_LINK_NAME_CHARS = 200  # a key, a scenario or a model name
MAX_LINK_NUMBER = 1e15  # beyond any lever, year or weight (a slider of euros of GDP stays below it)

_Number = Annotated[float, Field(ge=-MAX_LINK_NUMBER, le=MAX_LINK_NUMBER, allow_inf_nan=False)]
_Name = Annotated[str, Field(min_length=1, max_length=MAX_LINK_NAME_CHARS)]


class _Payload(BaseModel):
    """The JSON a share link carries (see :func:`encode_future`); anything else is refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    scenario: str | None = Field("", alias="s", max_length=MAX_LINK_NAME_CHARS)
    levers: dict[_Name, _Number] = Field(default_factory=dict, alias="l", max_length=MAX_LINK_ENTRIES)
    timing: dict[_Name, tuple[_Number, _Number]] = Field(default_factory=dict, alias="t", max_length=MAX_LINK_ENTRIES)
    assumptions: dict[_Name, _Number] = Field(default_factory=dict, alias="a", max_length=MAX_LINK_ENTRIES)
    model: str | None = Field(None, alias="m", max_length=MAX_LINK_NAME_CHARS)
    text: str | None = Field(None, alias="x", max_length=MAX_PAYLOAD_BYTES)


_NUMBER_ERRORS = {"finite_number", "float_type", "float_parsing", "less_than_equal", "greater_than_equal"}


def _payload_error(exc: ValidationError) -> LinkError:
    """The first problem of a payload as a :class:`LinkError`."""
    error = exc.errors(include_url=False, include_input=False)[0]
    if error["type"] == "json_invalid":
        if "recursion" in str(error.get("msg", "")):
            return LinkError("too_deep", "the link's content is nested too deeply")
        return LinkError("damaged", "the link is damaged (not JSON)")
    if error["type"] in _NUMBER_ERRORS:
        return LinkError(
            "bad_number",
            f"the link holds a value that is not a finite number between -{MAX_LINK_NUMBER:g} and "
            f"{MAX_LINK_NUMBER:g}",
            limit=f"{MAX_LINK_NUMBER:g}",
        )
    return LinkError("not_a_future", "the link does not describe a future")


def decode_link(text: str) -> SharedLink:
    """Read :func:`encode_future`'s text back, validating it before anything is used.

    The text is bounded (:data:`MAX_SHARE_CHARS`), so is what it decompresses to
    (:data:`MAX_PAYLOAD_BYTES`); the JSON must be :class:`_Payload`: known keys only,
    numbers finite and within :data:`MAX_LINK_NUMBER`, names and counts bounded, nesting
    shallow (the parser stops deep nesting instead of recursing).

    Raises
    ------
    LinkError
        A :class:`ValueError` saying what is wrong, with a message key for the app.
    """
    if len(text) > MAX_SHARE_CHARS:
        raise LinkError("too_long", f"the link is too long ({len(text)} characters)", n=len(text))
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), MAX_PAYLOAD_BYTES)
        complete = inflate.eof and not inflate.unconsumed_tail
    except (ValueError, zlib.error) as exc:
        raise LinkError("damaged", f"the link is damaged ({type(exc).__name__})") from None
    if not complete:
        too_large = len(raw) >= MAX_PAYLOAD_BYTES
        if too_large:
            raise LinkError("too_large", f"the link's content is larger than {MAX_PAYLOAD_BYTES} bytes")
        raise LinkError("damaged", "the link is damaged (cut short)")
    try:
        data = _Payload.model_validate_json(raw)
    except ValidationError as exc:
        raise _payload_error(exc) from None
    future = Future(
        scenario=data.scenario,
        levers=dict(data.levers),
        timing={k: list(v) for k, v in data.timing.items()},
        assumptions=dict(data.assumptions),
    )
    return SharedLink(future, data.model or None, data.text or None)


def check_link(future: Future, model: ModelSpec, scenarios: list[ScenarioSpec]) -> None:
    """Refuse a linked future whose values lie outside what the model's sliders and year fields offer.

    Keys the model does not know are left alone (the pages ignore them).

    Raises
    ------
    LinkError
        ``out_of_range``, naming the value and the range.
    """
    ranges = {lv.key: (lv.low, lv.high, future.levers.get(lv.key)) for lv in levers(model, scenarios)}
    ranges |= {a.key: (a.low, a.high, future.assumptions.get(a.key)) for a in assumptions(model, scenarios)}
    start, end = model.time.start, model.time.end
    for key, (first, second) in future.timing.items():  # as the year fields of the builder page allow
        ranges[f"{key} timing[0]"] = (start, end, first)
        ranges[f"{key} timing[1]"] = (0.0 if key.endswith(":pulse") else start, end, second)
    for what, (low, high, value) in ranges.items():
        if value is not None and not low - 1e-9 * max(1.0, abs(low)) <= value <= high + 1e-9 * max(1.0, abs(high)):
            raise LinkError(
                "out_of_range",
                f"{what} = {value:g} lies outside {low:g} .. {high:g}",
                what=what,
                value=f"{value:g}",
                low=f"{low:g}",
                high=f"{high:g}",
            )


def decode_future(text: str) -> Future:
    """The future of a share link (:func:`decode_link` without the model and scenario)."""
    return decode_link(text).future


LINK_FIELDS = ("weight", "lag", "delay", "form")
NODE_FIELDS = ("baseline", "decay", "min", "max")
DESCRIPTIVE_LINK_FIELDS = ("evidence",)
DESCRIPTIVE_NODE_FIELDS = ("label", "indicator", "level")


def model_edits(base: ModelSpec, own: ModelSpec) -> tuple[Overrides, list[str]]:
    """``own``'s differences from ``base`` as scenario overrides, and what overrides cannot say.

    Overrides can change a link's weight, lag, delay and form and a node's baseline,
    decay, min and max (the edits of the assumptions table). Anything else that
    differs (nodes or links added or removed, a node's kind or direction, the
    horizon) is listed in words; descriptive fields (labels, evidence) are ignored.
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
        changed = [f for f in type(link).model_fields
                   if f not in DESCRIPTIVE_LINK_FIELDS and getattr(link, f) != getattr(edited, f)]
        lost += [f"link {link.key}: {f}" for f in changed if f not in LINK_FIELDS]
        kept = [f for f in changed if f in LINK_FIELDS]
        if "lag" in kept and "delay" not in kept:
            kept.append("delay")
        after = edited.model_dump(by_alias=True, exclude_none=True)
        lost += [f"link {link.key}: {f} removed" for f in kept if f not in after and f != "delay"]
        if kept:
            links.append(LinkOverride.model_validate(
                {"from": link.source, "to": link.target} | {f: after[f] for f in kept if f in after}
            ))
    nodes = []
    for node, edited in zip(base.nodes, own.nodes, strict=True):
        changed = [f for f in type(node).model_fields
                   if f not in DESCRIPTIVE_NODE_FIELDS and getattr(node, f) != getattr(edited, f)]
        lost += [f"node {node.id}: {f}" for f in changed if f not in NODE_FIELDS]
        after = edited.model_dump(exclude_none=True)
        lost += [f"node {node.id}: {f} removed" for f in changed if f in NODE_FIELDS and f not in after]
        kept = {f: after[f] for f in changed if f in NODE_FIELDS and f in after}
        if kept:
            nodes.append(NodeOverride.model_validate({"id": node.id} | kept))
    return Overrides(links=links, nodes=nodes), lost


def _merged(first: Overrides, then: Overrides) -> Overrides:
    """``first`` with ``then`` applied on top: a field ``then`` sets wins."""
    links = {(o.source, o.target): o.model_dump(by_alias=True, exclude_none=True) for o in first.links}
    for o in then.links:
        links[(o.source, o.target)] = links.get((o.source, o.target), {}) | o.model_dump(
            by_alias=True, exclude_none=True
        )
    nodes = {o.id: o.model_dump(exclude_none=True) for o in first.nodes}
    for o in then.nodes:
        nodes[o.id] = nodes.get(o.id, {}) | o.model_dump(exclude_none=True)
    return Overrides(
        links=[LinkOverride.model_validate(v) for v in links.values()],
        nodes=[NodeOverride.model_validate(v) for v in nodes.values()],
    )


def shared_scenario(
    base: ModelSpec, own: ModelSpec, start: ScenarioSpec | None, model_ref: str
) -> tuple[ScenarioSpec, list[str]]:
    """The starting scenario on ``own`` (an edited model) said as a scenario on ``base``.

    The model edits become overrides, the starting scenario's own overrides applied
    on top of them (as they are on the edited model). Returns the scenario (named
    ``<start>-gedeeld``) and what could not be said as overrides (see :func:`model_edits`).
    """
    edits, lost = model_edits(base, own)
    name = (start.name if start is not None else "basispad") + "-gedeeld"
    overrides = _merged(edits, start.overrides) if start is not None else edits
    spec = ScenarioSpec(
        name=name,
        model=model_ref,
        time=start.time if start is not None else None,
        title=LocalizedText(
            nl=(start.title.nl if start is not None and start.title else "Basispad") + " (gedeeld, eigen aannames)",
            en=(start.title.en if start is not None and start.title else "Baseline") + " (shared, own assumptions)",
        ),
        description=start.description if start is not None else None,
        interventions=list(start.interventions) if start is not None else [],
        overrides=overrides,
    )
    return spec, lost
