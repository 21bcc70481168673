"""A future a group builds: a starting scenario, lever values and changed assumptions.

The app's side of it, no Streamlit: the state behind the sliders
(:class:`Future`), the words on them, how that state becomes scenario specs,
and the compact text form of a future that goes into a shareable URL. What a
model offers to change (levers, assumptions) and the diff and merge of
overrides are the library's, in :mod:`simulator.overrides`.

The two scenario specs a future makes are kept apart on purpose (the effects of
interventions and of changed assumptions do not simply add up):

- *with defaults*: the starting scenario with the lever values (its own
  overrides kept, the group's assumptions not applied);
- *with own assumptions*: the same, plus the group's changed link weights.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulator import overrides as ov
from simulator.app.i18n import unit_label
from simulator.spec import LocalizedText, ModelSpec, Overrides, ScenarioSpec

MAX_ASSUMPTION_DEFAULTS = 2
MAX_SHARE_CHARS = 8_000


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


def lever_label(model: ModelSpec, lever: ov.Lever, language: str) -> str:
    """A lever's slider label in ``language``: the intervention's (or node's) name and its unit."""
    item = lever.template
    node = model.node(item.node)
    name = item.label.get(language) if item.label else node.label.get(language)
    unit = unit_label("fraction of baseline" if item.relative else node.shown_unit, language)
    flow = item.shape == "ramp" or node.kind == "stock"  # a ramp's slope, or a flow into a stock
    per_year = {"nl": " per jaar", "en": " per year"}[language] if flow else ""
    return f"{name} ({unit}{per_year})" if unit else name


def default_assumption_keys(items: list[ov.Assumption], scenarios: list[ScenarioSpec]) -> list[str]:
    """The assumptions shown first: the first link each scenario overrides (then the second, ...),
    else the first uncertain links; at most :data:`MAX_ASSUMPTION_DEFAULTS`."""
    keys = {a.key for a in items}
    per_scenario = [[f"{k.source}->{k.target}" for k in s.overrides.links if k.weight is not None] for s in scenarios]
    chosen: list[str] = []
    for rank in range(max((len(x) for x in per_scenario), default=0)):
        for links in per_scenario:
            if rank < len(links) and links[rank] in keys and links[rank] not in chosen:
                chosen.append(links[rank])
    return (chosen or [a.key for a in items])[:MAX_ASSUMPTION_DEFAULTS]


def changed_assumptions(model: ModelSpec, base: ScenarioSpec | None, future: Future) -> dict[str, float]:
    """The group's weights that differ from the starting scenario's."""
    return ov.changed_weights(model, base, future.assumptions)


def build_scenarios(
    model: ModelSpec, base: ScenarioSpec | None, items: list[ov.Lever], future: Future
) -> tuple[ScenarioSpec, ScenarioSpec | None]:
    """The future as scenario specs: (interventions with default assumptions, with own assumptions).

    The second is None when the group changed no assumption.
    """
    interventions = ov.with_levers(items, base, future.levers, future.timing)
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
        overrides=ov.weight_overrides(model, base, changed),
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
        Which kind: the message key ``link_<reason>`` in :mod:`simulator.app.i18n` says it in the reader's language.
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
            f"the link holds a value that is not a finite number between -{MAX_LINK_NUMBER:g} and {MAX_LINK_NUMBER:g}",
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
    ranges = {lv.key: (lv.low, lv.high, future.levers.get(lv.key)) for lv in ov.levers(model, scenarios)}
    ranges |= {a.key: (a.low, a.high, future.assumptions.get(a.key)) for a in ov.assumptions(model, scenarios)}
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


def shared_scenario(
    base: ModelSpec, own: ModelSpec, start: ScenarioSpec | None, model_ref: str
) -> tuple[ScenarioSpec, list[str]]:
    """The starting scenario on ``own`` (an edited model) said as a scenario on ``base``.

    The model edits become overrides, the starting scenario's own overrides applied
    on top of them (as they are on the edited model). Returns the scenario (named
    ``<start>-gedeeld``) and what could not be said as overrides (see
    :func:`simulator.overrides.model_edits`).
    """
    edits, lost = ov.model_edits(base, own)
    name = (start.name if start is not None else "basispad") + "-gedeeld"
    overrides = ov.merge_overrides(edits, start.overrides) if start is not None else edits
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
