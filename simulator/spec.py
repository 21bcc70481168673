"""Validated, immutable specifications of models and scenarios.

These are the typed form of the YAML files described in FORMATS.md. Every spec
is a frozen pydantic model that refuses unknown keys; numbers must be finite.
Cross-references (link ends, intervention nodes, loops, lags against ``dt``) are
checked later, in :mod:`simulator.network`, where the whole model is known.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from simulator.delays import DELAY_TYPES  # noqa: F401 (re-exported: the file format's delay types)
from simulator.dimensions import expand_model_data, split_element_id
from simulator.messages import msg
from simulator.scores import SCALE, SIGNS, STRENGTHS, TriangleT, linear_scale, pool_mean, pool_ppf, weight_band

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
DIMENSIONS = ("hier_en_nu", "later", "elders")
SHAPES = ("step", "pulse", "ramp", "series")

Dimension = Literal["hier_en_nu", "later", "elders"]
Direction = Literal["up", "down", "neutral"]
NodeKind = Literal["auxiliary", "stock", "minimum", "maximum"]
CAPACITY_KINDS = ("minimum", "maximum")
"""Capacity nodes: the value is the smallest (largest) of the values their links bring (ENGINE.md)."""
LinkForm = Literal["linear", "elasticity"]
DelayType = Literal["none", "fixed", "exponential", "third_order"]  # simulator.delays.DELAY_TYPES
EvidenceStrength = Literal["data", "literature", "expert"]
Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
NODE_ID_PATTERN = r"^[a-z][a-z0-9_]*(\[[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*\])?$"
NodeId = Annotated[str, Field(pattern=NODE_ID_PATTERN, max_length=400)]
"""A node's id: an :data:`Identifier`, or an element of a node over dimensions, ``jobs[heerlen]``
(made only by expanding dimensions, :mod:`simulator.dimensions`; a file writes ``over:``)."""
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class Spec(BaseModel):
    """Base of all specs: frozen, unknown keys refused, numbers finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True, strict=False)


def _number(value: Any, what: str) -> float:
    """A finite float from a YAML number (booleans and strings are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(msg("{what} must be a number, got {value}", what=what, value=repr(value)))
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise ValueError(
            msg("{what} is too large to be a number ({digits} digits)", what=what, digits=len(str(value)))
        ) from None
    if not math.isfinite(number):
        raise ValueError(msg("{what} must be a finite number, got {value}", what=what, value=repr(value)))
    return number


class LocalizedText(Spec):
    """Text in Dutch and English. A plain string is taken for both."""

    nl: str
    en: str

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"nl": value, "en": value}
        return value

    def get(self, language: str) -> str:
        """The text in ``language`` ("nl" or "en")."""
        return self.en if language == "en" else self.nl


_DISTRIBUTION_KEYS = {
    "fixed": ("mode",),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
}


class Distribution(Spec):
    """An uncertain quantity: a fixed number or a probability distribution.

    Written in a file as a number (``1.4``), a triangular range
    (``{low: 1.2, mode: 1.4, high: 1.7}``), or with ``dist``:
    ``{dist: normal, mean: 1.4, sd: 0.2}``, ``{dist: uniform, low: 1, high: 2}``,
    ``{dist: triangular, low: .., mode: .., high: ..}``.

    A tagged union on ``dist``: every value is one of :class:`FixedValue`,
    :class:`Triangular`, :class:`Normal`, :class:`Uniform`, each with only its own
    fields. ``Distribution(dist=..., ...)`` and ``Distribution.model_validate(x)``
    make the member ``dist`` names; a spec field holding one is an :data:`Uncertain`.
    """

    dist: str

    def __new__(cls, *args: Any, **data: Any) -> Distribution:  # noqa: D102 (the class docstring says it)
        if cls is Distribution and data:
            member = _MEMBERS.get(data.get("dist"))
            if member is not None:
                return super().__new__(member)
        return super().__new__(cls)

    def param(self, key: Literal["low", "mode", "high", "mean", "sd"]) -> float:
        """A parameter this kind of distribution has (``mode`` of a fixed or triangular one, ``mean``
        and ``sd`` of a normal, ``low`` and ``high`` of a uniform or triangular one).

        Raises
        ------
        AttributeError
            This kind has no such parameter (the validator makes sure those it has are given).
        """
        value = getattr(self, key, None)
        if value is None:
            raise AttributeError(f"a {self.dist} distribution has no {key}")  # a programming error, not a user's
        return float(value)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Distribution:
        """Validate ``obj`` (a number or a mapping, as in a file) into the member it describes."""
        if cls is Distribution:
            return _UNCERTAIN.validate_python(obj, *args, **kwargs)
        return super().model_validate(obj, *args, **kwargs)

    @classmethod
    def fixed(cls, value: float) -> FixedValue:
        """A known number."""
        return FixedValue(dist="fixed", mode=value)

    @property
    def central(self) -> float:
        """The value a deterministic run uses: the mode, or the mean."""
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take (normal: +-inf unless sd = 0)."""
        raise NotImplementedError

    @property
    def is_uncertain(self) -> bool:
        """True when the distribution has any spread."""
        lo, hi = self.support
        return hi > lo

    def to_yaml(self) -> float | dict[str, float | str]:
        """The shortest file form of this distribution."""
        return {"dist": self.dist, **{key: getattr(self, key) for key in _DISTRIBUTION_KEYS[self.dist]}}


class FixedValue(Distribution):
    """A known number, ``mode``."""

    dist: Literal["fixed"]
    mode: FiniteFloat

    @property
    def central(self) -> float:  # noqa: D102
        return float(self.mode)

    @property
    def support(self) -> tuple[float, float]:  # noqa: D102
        return float(self.mode), float(self.mode)

    def to_yaml(self) -> float:  # noqa: D102
        return float(self.mode)


class Triangular(Distribution):
    """A triangular distribution from ``low`` to ``high`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    low: FiniteFloat
    mode: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _check_order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high):
            raise ValueError(
                msg(
                    "needs low <= mode <= high, got low={low:g}, mode={mode:g}, high={high:g}",
                    low=self.low,
                    mode=self.mode,
                    high=self.high,
                )
            )
        return self

    @property
    def central(self) -> float:  # noqa: D102
        return float(self.mode)

    @property
    def support(self) -> tuple[float, float]:  # noqa: D102
        return float(self.low), float(self.high)

    def to_yaml(self) -> dict[str, float | str]:  # noqa: D102
        return {"low": self.low, "mode": self.mode, "high": self.high}


class Normal(Distribution):
    """A normal distribution with ``mean`` and standard deviation ``sd``."""

    dist: Literal["normal"]
    mean: FiniteFloat
    sd: FiniteFloat

    @model_validator(mode="after")
    def _check_sd(self) -> Normal:
        if self.sd < 0:
            raise ValueError(msg("sd must not be negative, got {sd:g}", sd=self.sd))
        return self

    @property
    def central(self) -> float:  # noqa: D102
        return float(self.mean)

    @property
    def support(self) -> tuple[float, float]:  # noqa: D102
        if self.sd == 0:
            return float(self.mean), float(self.mean)
        return -math.inf, math.inf


class Uniform(Distribution):
    """A uniform distribution from ``low`` to ``high``."""

    dist: Literal["uniform"]
    low: FiniteFloat
    high: FiniteFloat

    @model_validator(mode="after")
    def _check_order(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(msg("needs low <= high, got low={low:g}, high={high:g}", low=self.low, high=self.high))
        return self

    @property
    def central(self) -> float:  # noqa: D102
        return 0.5 * (self.low + self.high)

    @property
    def support(self) -> tuple[float, float]:  # noqa: D102
        return float(self.low), float(self.high)


def _score_value(value: Any) -> int:
    """A score on the scale of :data:`simulator.scores.SCALE` from a file's number, or ValueError."""
    low, high = SCALE
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and not value.is_integer())
    ):
        raise ValueError(
            msg(
                "a score is a whole number from {low:+g} (strong negative) to {high:+g} (strong positive), got {value}",
                low=low,
                high=high,
                value=repr(value),
            )
        )
    if not low <= value <= high:
        raise ValueError(
            msg(
                "score {value} is outside the scale {low:+g}..{high:+g}; use a whole number from "
                "{low:+g} (strong negative) to {high:+g} (strong positive)",
                value=repr(value),
                low=low,
                high=high,
            )
        )
    return int(value)


def _score_from_words(strength: Any, sign: Any) -> int:
    """A score from ``strength`` (weak | medium | strong) and ``sign`` (+ | -), or ValueError."""
    words = " | ".join(STRENGTHS)
    if strength not in STRENGTHS:
        raise ValueError(
            msg(
                "unknown strength {strength}; use {words} with sign + or -, or a score from -3 to +3",
                strength=repr(strength),
                words=words,
            )
        )
    if sign not in SIGNS:
        raise ValueError(
            msg('a strength needs sign: "+" or "-" (the direction of the effect), got {sign}', sign=repr(sign))
        )
    return SIGNS[sign] * STRENGTHS[strength]


class ExpertScore(Spec):
    """One expert's or group's score of a link's strength: a whole number from -3 to +3
    (:mod:`simulator.scores`). ``by`` says whose score it is.

    Written in a file as a number (``2``), ``{strength: medium, sign: +}``, or either with
    ``by``: ``{by: "groep Noord", score: 2}``.
    """

    by: str = ""
    score: int

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, value: Any) -> Any:
        if isinstance(value, ExpertScore):
            return value
        if not isinstance(value, dict):
            return {"score": _score_value(value)}
        value = dict(value)
        if "strength" in value or "sign" in value:
            if "score" in value:
                raise ValueError(msg("give score, or strength with sign, not both"))
            value["score"] = _score_from_words(value.pop("strength", None), value.pop("sign", None))
        elif "score" not in value:
            raise ValueError(msg("a score needs score: -3..+3, or strength: weak | medium | strong with sign: + or -"))
        value["score"] = _score_value(value["score"])
        return value

    @model_serializer(mode="wrap")
    def _short(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A score without ``by`` is written as its number, as a file may give it."""
        data = handler(self)
        return data["score"] if isinstance(data, dict) and not self.by else data

    @property
    def label(self) -> str:
        """``+2``, or ``groep Noord +2``."""
        return f"{self.by} {self.score:+g}" if self.by else f"{self.score:+g}"


class ScoredWeight(Distribution):
    """A link's weight from expert scores: each score's triangular band (:mod:`simulator.scores`)
    times ``scale``, several pooled into their equal-weight mixture (the linear opinion pool).

    ``scale`` is the weight of a unit elasticity: 1 for an elasticity link, ``|b_target /
    b_source|`` at the model's start for a linear one (None until the model, which knows
    the baselines, sets it: :func:`with_score_scales`). It is made from a link's ``score`` or
    ``scores``, never written in a file's ``weight``.
    """

    dist: Literal["scored"]
    scores: tuple[ExpertScore, ...] = Field(min_length=1)
    scale: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None

    @property
    def bands(self) -> list[TriangleT]:
        """Each score's triangular weight ``(low, mode, high)``, in the link's weight units."""
        scale = math.nan if self.scale is None else self.scale
        return [weight_band(s.score, scale) for s in self.scores]

    @property
    def central(self) -> float:  # noqa: D102 (the mean of the scores' modes: one score's mode)
        return sum(band[1] for band in self.bands) / len(self.scores)

    @property
    def support(self) -> tuple[float, float]:  # noqa: D102
        bands = self.bands
        return min(b[0] for b in bands), max(b[2] for b in bands)

    @property
    def mean(self) -> float:
        """The pool's mean (weight units)."""
        return pool_mean(self.bands)

    def quantile(self, q: float) -> float:
        """The pool's ``q`` quantile (``0 < q < 1``), weight units."""
        return float(pool_ppf(np.array([q]), self.bands)[0])

    @property
    def label(self) -> str:
        """The scores as people read them: ``+2`` or ``groep Noord +2, groep Zuid +1``."""
        return ", ".join(s.label for s in self.scores)

    def to_yaml(self) -> dict[str, Any]:  # noqa: D102 (a link's file form: score or scores)
        if len(self.scores) == 1 and not self.scores[0].by:
            return {"score": self.scores[0].score}
        return {"scores": [s.model_dump() for s in self.scores]}


_MEMBERS: dict[Any, type[Distribution]] = {
    "fixed": FixedValue,
    "triangular": Triangular,
    "normal": Normal,
    "uniform": Uniform,
    "scored": ScoredWeight,
}


def _as_distribution(value: Any) -> Any:
    """A file's form of an uncertain value as the mapping of its member (``dist`` given), or ValueError.

    The file format's own rules, before the tagged union picks the member: a number is
    ``fixed``, a mapping without ``dist`` is ``triangular``, and a member takes exactly its keys.
    """
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, dict):
        return {"dist": "fixed", "mode": _number(value, "the value")}
    value = dict(value)
    if "dist" not in value:
        value["dist"] = "triangular"
    keys = set(_DISTRIBUTION_KEYS.get(value["dist"], ())) if isinstance(value["dist"], str) else set()
    if not keys:
        raise ValueError(
            msg(
                "unknown distribution {dist}; use a number, {{low, mode, high}}, or dist: normal | "
                "uniform | triangular",
                dist=repr(value["dist"]),
            )
        )
    given = set(value) - {"dist"}
    if given - keys or keys - given:
        raise ValueError(
            msg(
                "a {dist} distribution takes exactly {keys}; got {given}",
                dist=value["dist"],
                keys=", ".join(sorted(keys)),
                given=", ".join(sorted(given)) or msg("nothing"),
            )
        )
    for key in keys:
        _number(value[key], key)
    return value


Uncertain = Annotated[
    Annotated[FixedValue, Tag("fixed")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[ScoredWeight, Tag("scored")],
    Discriminator("dist"),
    BeforeValidator(_as_distribution),
]
"""A spec field holding a :class:`Distribution`: the file's forms, then the member ``dist`` names."""

_UNCERTAIN: TypeAdapter[Distribution] = TypeAdapter(Uncertain)

DISTRIBUTION_TAGS = frozenset(_MEMBERS)
"""The tags of the union, which pydantic puts into an error's location (``links.0.weight.triangular``)."""


class GrowthBaseline(Spec):
    """Compound growth: ``value * (1 + growth) ** (t - year)``; ``year`` defaults to the run's start."""

    value: FiniteFloat
    growth: FiniteFloat = Field(0.0, gt=-1.0, description="fraction per year; above -1 (-100 %)")
    year: FiniteFloat | None = None


class SeriesBaseline(Spec):
    """A table of years, interpolated linearly and flat beyond its ends."""

    series: dict[float, FiniteFloat]

    @field_validator("series", mode="before")
    @classmethod
    def _check_series(cls, value: Any) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValueError(msg("series must be a non-empty mapping of year: value"))
        for year, val in value.items():
            _number(year, msg("year {year}", year=repr(year)))
            _number(val, msg("value for {year}", year=repr(year)))
        return value


def _baseline_tag(value: Any) -> str:
    """The member of :data:`Baseline` a file's value (or a built one) is: ``baseline-series`` when it
    has a ``series`` key, ``baseline-growth`` when it has ``value``, else ``baseline-number``."""
    if isinstance(value, SeriesBaseline) or (isinstance(value, dict) and "series" in value):
        return "baseline-series"
    if isinstance(value, GrowthBaseline) or (isinstance(value, dict) and "value" in value):
        return "baseline-growth"
    return "baseline-number"


def _as_baseline(value: Any) -> Any:
    """A mapping that is neither form is refused with the forms a baseline takes; a number is checked finite."""
    if value is None or isinstance(value, (GrowthBaseline, SeriesBaseline)):
        return value  # None: a capacity node's derived baseline (refused for other kinds by NodeSpec)
    if isinstance(value, dict):
        if _baseline_tag(value) == "baseline-number":
            raise ValueError(
                msg(
                    "a baseline is a number, {{value, growth, year}} or {{series: {{year: value}}}}; got keys {keys}",
                    keys=", ".join(map(str, value)),
                )
            )
        return value
    return _number(value, msg("baseline"))


Baseline = Annotated[
    Annotated[FiniteFloat, Tag("baseline-number")]
    | Annotated[GrowthBaseline, Tag("baseline-growth")]
    | Annotated[SeriesBaseline, Tag("baseline-series")],
    Discriminator(_baseline_tag),
    BeforeValidator(_as_baseline),
]
"""A node's baseline, a tagged union: a number, compound growth or a series (the tag from the file's keys)."""

BASELINE_TAGS = frozenset({"baseline-number", "baseline-growth", "baseline-series"})
"""The tags of :data:`Baseline`, which pydantic puts into an error's location
(``nodes.0.baseline.baseline-growth.growth``); a file's reader leaves them out of the place."""


class Indicator(Spec):
    """Where a node's numbers come from, and how precisely they are measured."""

    source: str = ""
    note: str = ""
    year: int | str | None = None
    precision: FiniteFloat | None = Field(
        None,
        gt=0.0,
        description="node units: the smallest change the indicator can measure (a survey's margin); "
        "the scorecard calls a smaller change level",
    )


class Split(Spec):
    """Marks a node as one group of an indicator split by group (verdeling).

    Nodes sharing ``indicator`` with different ``group`` values describe the
    distribution of one quantity, e.g. income of low and high income households.
    """

    indicator: NodeId
    group: Identifier


class NodeSpec(Spec):
    """One bouwblok: an indicator with a baseline path. Units: the node's own ``unit``.

    ``unit`` is a unit expression of :mod:`simulator.units` (``jobs``, ``persons/yr``, ``%``; checked
    by :func:`simulator.network.unit_problems`, empty: a pure number); ``unit_label`` is the text
    shown for it when the unit alone says too little (``% of labour force``), in English words
    that tables and charts translate into Dutch like the unit itself.
    """

    id: NodeId
    label: LocalizedText
    phrase: LocalizedText | None = Field(
        None,
        description="how a sentence names the indicator, with its article: "
        "{nl: 'de werkloosheid', en: 'unemployment'}; default from the label",
    )
    theme: Identifier
    dimension: Dimension
    region: Identifier = "heerlen"
    unit: str = ""
    unit_label: str = ""
    kind: NodeKind = "auxiliary"
    baseline: Baseline | None = 0.0
    """None only for a capacity node (``minimum``/``maximum``) without one: derived from its inputs."""
    decay: FiniteFloat = Field(0.0, ge=0.0, description="stock only: fraction of the deviation lost per year")
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None
    direction: Direction = "neutral"
    quantified: bool = True
    level: Literal["individual", "collective", "institutional"] | None = None
    split: Split | None = None
    gap: Literal["range", "sd", "ratio"] | None = None
    """How verdeling measures the gap between this node's groups or places (a family's elements, or the
    nodes of one ``split.indicator``): ``range`` (highest minus lowest, the default), ``sd`` (the population
    standard deviation) or ``ratio`` (highest over lowest); docs/formats.md, "Verdeling"."""
    net_of: NodeId | None = None
    """The gross node this node is the net (additional) effect of: the gross change minus what is displaced
    elsewhere, in the gross node's unit (docs/formats.md, "Net effects"). The scorecard prints the two side by
    side; the link structure that makes the net is the model's own."""
    indicator: Indicator = Indicator()

    @model_validator(mode="before")
    @classmethod
    def _derived_baseline(cls, value: Any) -> Any:
        """A capacity node without a ``baseline`` gets None: it is derived from its inputs (ENGINE.md)."""
        if isinstance(value, dict) and value.get("kind") in CAPACITY_KINDS and "baseline" not in value:
            return {**value, "baseline": None}
        return value

    @property
    def is_capacity(self) -> bool:
        """A ``minimum`` or ``maximum`` node: its value is the smallest (largest) of its inputs."""
        return self.kind in CAPACITY_KINDS

    @model_validator(mode="after")
    def _check(self) -> NodeSpec:
        if self.baseline is None and not self.is_capacity:
            raise ValueError(
                msg("a baseline is a number, {{value, growth, year}} or {{series: {{year: value}}}}; got null")
            )
        if self.is_capacity and self.decay != 0:
            raise ValueError(
                msg(
                    "decay is for stocks only, but node '{node}' is a {kind} node (it has no state)",
                    node=self.id,
                    kind=self.kind,
                )
            )
        if self.kind != "stock" and self.decay != 0:
            raise ValueError(msg("decay is for stocks only, but node '{node}' is an auxiliary", node=self.id))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(msg("min ({min:g}) is larger than max ({max:g})", min=self.min, max=self.max))
        return self

    @property
    def shown_unit(self) -> str:
        """The unit as tables and charts show it: ``unit_label`` when given, else ``unit`` (English words)."""
        return self.unit_label or self.unit


class Evidence(Spec):
    """Why a link exists and how strong its support is."""

    strength: EvidenceStrength = "expert"
    source: str = ""
    note: str = ""
    calibration: dict[str, Any] | None = None


class LinkShape(Spec):
    """A link's nonlinear shape (:mod:`simulator.shapes` defines what each does).

    A tagged union on ``kind``: every shape is one of :class:`Lookup`,
    :class:`Saturation`, :class:`Threshold`; a spec field holding one is a
    :data:`Shape`. (This base class itself only stands in for a ``kind`` that is
    none of them, so that the error names it.)
    """

    model_config = ConfigDict(extra="ignore")

    kind: Literal["lookup", "saturation", "threshold"]


class Lookup(LinkShape):
    """A table ``[[x, y], ...]`` of the source's value ``x`` (strictly increasing) and ``f(x)``,
    linear between points and flat beyond the ends (Vensim's ``WITH LOOKUP``); at least two points."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["lookup"]
    points: list[tuple[FiniteFloat, FiniteFloat]]

    @field_validator("points")
    @classmethod
    def _check_points(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if len(points) < 2:
            raise ValueError(
                msg(
                    "a lookup needs at least two points [x, y], got {count}; add points, or use a linear link",
                    count=len(points),
                )
            )
        for (x0, _), (x1, _) in zip(points, points[1:], strict=False):
            if x1 == x0:
                raise ValueError(
                    msg("a lookup's x values must differ: x = {x:g} is given twice; give each x once", x=x0)
                )
            if x1 < x0:
                raise ValueError(
                    msg(
                        "a lookup's points must be sorted by x: {x1:g} comes after {x0:g}; "
                        "list them from the smallest x to the largest",
                        x0=x0,
                        x1=x1,
                    )
                )
        return points


class Saturation(LinkShape):
    """An effect ``max * (1 - exp(-w * d / max))`` that levels off at ``max`` (target units, non-zero,
    the sign of the weight; a number or a range, sampled like a weight)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["saturation"]
    max: Uncertain

    @field_validator("max")
    @classmethod
    def _check_max(cls, value: Distribution) -> Distribution:
        lo, hi = value.support
        if lo == hi == 0:
            raise ValueError(
                msg(
                    "a saturation's max must not be 0; give the largest effect the link can "
                    "have, with the sign of its weight"
                )
            )
        if lo <= 0 <= hi:
            raise ValueError(
                msg(
                    "a saturation's max must stay on one side of 0, but its range goes from {lo:g} "
                    "to {hi:g}; give a range (triangular or uniform) of one sign",
                    lo=lo,
                    hi=hi,
                )
            )
        return value


class Threshold(LinkShape):
    """No effect while the source's value is below ``level`` (``side: above``) or above it
    (``side: below``); beyond it the effect grows by the weight per unit (source units)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["threshold"]
    level: Uncertain
    side: Literal["above", "below"] = "above"


_LINK_SHAPES: dict[Any, type[LinkShape]] = {"lookup": Lookup, "saturation": Saturation, "threshold": Threshold}


def _link_shape_tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"shape-{kind}" if isinstance(kind, str) and kind in _LINK_SHAPES else "shape-other"


Shape = Annotated[
    Annotated[Lookup, Tag("shape-lookup")]
    | Annotated[Saturation, Tag("shape-saturation")]
    | Annotated[Threshold, Tag("shape-threshold")]
    | Annotated[LinkShape, Tag("shape-other")],
    Discriminator(_link_shape_tag),
]
"""A spec field holding a link's :class:`LinkShape`: the member ``kind`` names."""

_SCORED = FixedValue(dist="fixed", mode=0.0)
"""Stands in for the weight of a scored link while the link is validated (see ``LinkSpec._scored``)."""


class LinkSpec(Spec):
    """A causal link ``from -> to``: weight (target units per source unit, or %/% for
    elasticities; per year into a stock), lag in years, delay type.

    ``weight_unit`` declares the weight's unit (checked against the nodes' units by
    :func:`simulator.network.unit_problems`); empty: the unit the rule implies.

    Instead of ``weight`` a link may give ``score`` (one expert's or group's score, -3..+3) or
    ``scores`` (several, pooled); its ``weight`` is then the :class:`ScoredWeight` they make.
    A scored link is written back (``model_dump``) with its scores and without ``weight``.
    """

    source: NodeId = Field(alias="from")
    target: NodeId = Field(alias="to")
    weight: Uncertain
    score: ExpertScore | None = None
    scores: list[ExpertScore] | None = None
    form: LinkForm = "linear"
    lag: Uncertain = FixedValue(dist="fixed", mode=0.0)
    delay: DelayType = "none"  # when not given, _default_delay sets it from the lag
    weight_unit: str = ""
    shape: Shape | None = None
    evidence: Evidence = Evidence()

    @model_validator(mode="wrap")
    @classmethod
    def _scored(cls, value: Any, handler: Any) -> LinkSpec:
        """A link with ``score`` or ``scores`` and no ``weight`` gets the :class:`ScoredWeight` they make
        (scale 1 for an elasticity; for a linear link the model sets it from the baselines)."""
        if not (isinstance(value, dict) and ("score" in value or "scores" in value) and "weight" not in value):
            return handler(value)
        link = handler({**value, "weight": _SCORED})
        scores = (link.score,) if link.score is not None else tuple(link.scores or ())
        # set on the new link itself (it is ``self`` when built in code): frozen, but not yet seen by anyone
        link.__dict__["weight"] = ScoredWeight(
            dist="scored", scores=scores, scale=1.0 if link.form == "elasticity" else None
        )
        return link

    @field_validator("scores", mode="before")
    @classmethod
    def _some_scores(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and not value:
            raise ValueError(
                msg(
                    'scores is empty; give at least one score, e.g. scores: [{{by: "groep Noord", '
                    "score: 2}}], or leave scores out and give a weight"
                )
            )
        return value

    @field_validator("score", "scores")
    @classmethod
    def _alone(cls, value: Any, info: ValidationInfo) -> Any:
        """A score replaces the weight: a link gives one of weight, score and scores."""
        if value is None:
            return value
        if info.data.get("weight", _SCORED) is not _SCORED:
            raise ValueError(
                msg(
                    "a link takes a weight or a score, not both; remove weight (the {key} sets it), or remove {key}",
                    key=info.field_name,
                )
            )
        if info.field_name == "scores" and info.data.get("score") is not None:
            raise ValueError(
                msg("give score (one expert or group) or scores (several), not both; put the single score into scores")
            )
        return value

    @model_serializer(mode="wrap")
    def _without_scored_weight(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A scored link as a file gives it: its scores, no weight (the scores make it)."""
        data = handler(self)
        if isinstance(data, dict) and self.is_scored:
            data.pop("weight", None)
        return data

    @property
    def is_scored(self) -> bool:
        """True when the weight comes from expert scores."""
        return isinstance(self.weight, ScoredWeight)

    @model_validator(mode="before")
    @classmethod
    def _default_weight(cls, value: Any) -> Any:
        """A lookup without a ``weight`` takes its table as it is (weight 1)."""
        if isinstance(value, dict) and "weight" not in value:
            shape = value.get("shape")
            kind = shape.get("kind") if isinstance(shape, dict) else getattr(shape, "kind", None)
            if kind == "lookup":
                return {**value, "weight": 1.0}
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_delay(cls, value: Any) -> Any:
        """No ``delay`` (or None): ``none`` for a lag of 0, else ``exponential`` (set before the model is frozen)."""
        if not isinstance(value, dict) or value.get("delay") is not None:
            return value
        try:
            lag = Distribution.model_validate(value.get("lag", 0.0))
        except (ValueError, TypeError):
            return value  # the lag's own error is reported at links[i].lag; no delay is guessed
        return {**value, "delay": "none" if lag.support == (0.0, 0.0) else "exponential"}

    @field_validator("lag")
    @classmethod
    def _check_lag(cls, lag: Distribution) -> Distribution:
        lo, _ = lag.support
        if lo < 0:
            raise ValueError(msg("a lag cannot be negative (lowest value {lag:g} years)", lag=lo))
        return lag

    @model_validator(mode="after")
    def _check(self) -> LinkSpec:
        lo, _ = self.lag.support
        if self.delay == "none" and self.lag.support != (0.0, 0.0):
            raise ValueError(
                msg("delay 'none' needs lag 0; give a delay type (fixed, exponential, third_order) for a lagged link")
            )
        if self.delay != "none" and lo <= 0:
            raise ValueError(
                msg(
                    "a {delay} delay needs a lag above 0 years; use delay: none for an immediate effect",
                    delay=self.delay,
                )
            )
        return self

    @property
    def key(self) -> str:
        """The link's name, ``from->to``."""
        return f"{self.source}->{self.target}"


def with_score_scales(
    links: list[LinkSpec], nodes: list[NodeSpec], start: float, all_links: list[LinkSpec] | None = None
) -> list[LinkSpec]:
    """``links`` with the scale of every scored linear link that has none yet set to
    ``|b_target / b_source|`` at ``start`` (years), target units per source unit.

    A capacity node's baseline is derived from ``all_links`` (default ``links``), see
    :func:`start_baselines`. A link whose ends are unknown or whose baselines are 0 (or
    cannot be derived) at ``start`` keeps no scale (:func:`simulator.network.score_problems`
    and the capacity checks report it).
    """
    by_id = {node.id: node for node in nodes}
    base: dict[str, float] | None = None
    out = []
    for link in links:
        weight = link.weight
        ends = (link.source, link.target)
        if (
            isinstance(weight, ScoredWeight)
            and weight.scale is None
            and link.form == "linear"
            and all(name in by_id for name in ends)
        ):
            base = start_baselines(nodes, links if all_links is None else all_links, start) if base is None else base
            scale = linear_scale(base[link.source], base[link.target])
            if scale is not None:
                link = link.model_copy(update={"weight": weight.model_copy(update={"scale": scale})})
        out.append(link)
    return out


def start_baselines(nodes: list[NodeSpec], links: list[LinkSpec], start: float) -> dict[str, float]:
    """Every node's baseline at ``start`` (years), node units; a capacity node's derived as the smallest
    (largest) of ``w * b_source`` over its links at their central weights (ENGINE.md, capacity nodes),
    NaN when it cannot be (no inputs, a scored input, capacity nodes reading each other in a loop)."""
    from simulator.baselines import baseline_path  # it builds on this module

    by_id = {node.id: node for node in nodes}
    known: dict[str, float] = {}

    def value(node_id: str) -> float:
        if node_id in known:
            return known[node_id]
        node = by_id.get(node_id)
        if node is None:
            return math.nan
        if node.baseline is not None:
            known[node_id] = float(baseline_path(node.baseline, np.array([start]), start)[0])
            return known[node_id]
        known[node_id] = math.nan  # a loop of capacity nodes reads NaN
        inputs = [lk for lk in links if lk.target == node_id]
        values = [
            math.nan if isinstance(lk.weight, ScoredWeight) else lk.weight.central * value(lk.source) for lk in inputs
        ]
        if node.is_capacity and values and not any(math.isnan(v) for v in values):
            known[node_id] = min(values) if node.kind == "minimum" else max(values)
        return known[node_id]

    return {node.id: value(node.id) for node in nodes}


MAX_STEPS = 1_000_000
STEP_TOLERANCE = 1e-9  # relative: how far (end - start) / dt may be from a whole number


def time_problems(start: float, end: float, dt: float) -> list[tuple[tuple[str, ...], str]]:
    """What is wrong with the horizon ``start`` to ``end`` in steps of ``dt`` (years).

    Each problem is ``(keys, message)``: the ``time`` keys it involves, most likely
    culprit first, and a message that says what would be right. Empty: the horizon is sound.
    A horizon must be a whole number of steps (within 1e-9 relative): a last, partial
    step would be truncated or stretched, and PySD or Vensim would disagree on it.
    """
    if dt <= 0:
        return [(("dt",), msg("dt must be above 0, got {dt:g}", dt=dt))]
    if end <= start:
        return [(("end", "start"), msg("end ({end:g}) must be after start ({start:g})", end=end, start=start))]
    steps = (end - start) / dt
    if steps > MAX_STEPS:
        return [(("dt", "end", "start"), msg("more than {steps:,} time steps; use a larger dt", steps=MAX_STEPS))]
    whole = round(steps)
    if not math.isclose(steps, whole, rel_tol=STEP_TOLERANCE):
        below = math.floor(steps)
        ends = " or ".join(f"{start + k * dt:g}" for k in (below, below + 1) if k > 0)
        return [
            (
                ("end", "dt", "start"),
                msg(
                    "{start:g} to {end:g} is not a whole number of steps of dt = {dt:g} ({steps:.6g} steps); "
                    "use end {ends}, or a dt that divides {years:g} years",
                    start=start,
                    end=end,
                    dt=dt,
                    steps=steps,
                    ends=ends,
                    years=end - start,
                ),
            )
        ]
    return []


class TimeSpec(Spec):
    """The run's horizon, in years: ``start`` to ``end`` in steps of ``dt``, a whole number of them."""

    start: FiniteFloat = 2025.0
    end: FiniteFloat = 2050.0
    dt: FiniteFloat = 0.25

    @model_validator(mode="after")
    def _check(self) -> TimeSpec:
        for _, message in time_problems(self.start, self.end, self.dt):
            raise ValueError(message)
        return self

    @property
    def n_steps(self) -> int:
        """``K``: the number of Euler steps; there are ``K + 1`` reported times."""
        return int(round((self.end - self.start) / self.dt))


class ScenarioTime(TimeSpec):
    """A scenario's ``time`` as its file gives it: the keys it leaves out are the model's.

    Only a complete block (all of start, end and dt) is checked as a horizon here;
    a partial one is checked once merged with the model's time (:meth:`over`), so
    ``time: {end: 2035}`` is judged against the model's start, not the format's default.
    """

    @model_validator(mode="after")
    def _check(self) -> ScenarioTime:
        if self.is_complete:
            problems = time_problems(self.start, self.end, self.dt)
        else:  # only what the given keys can show alone
            problems = [p for p in time_problems(self.start, self.end, self.dt) if p[0] == ("dt",)]
        for _, message in problems:
            raise ValueError(message)
        return self

    @property
    def is_complete(self) -> bool:
        """True when the block gives start, end and dt itself."""
        return self.model_fields_set >= set(TimeSpec.model_fields)

    @property
    def given(self) -> dict[str, float]:
        """The keys the block gives, with their values (years)."""
        return {key: getattr(self, key) for key in TimeSpec.model_fields if key in self.model_fields_set}

    def merge_problems(self, base: TimeSpec) -> list[tuple[str, str]]:
        """Problems of this block over ``base``, each as ``(key, message)`` with ``key`` one this block gives."""
        merged = base.model_dump() | self.given
        problems = []
        for keys, message in time_problems(merged["start"], merged["end"], merged["dt"]):
            key = next((k for k in keys if k in self.given), keys[0])
            rest = " and ".join(k for k in TimeSpec.model_fields if k not in self.given)
            problems.append(
                (key, msg("{message} (the model's time gives {rest})", message=message, rest=rest) if rest else message)
            )
        return problems

    def over(self, base: TimeSpec) -> TimeSpec:
        """The complete horizon: this block's keys, the rest from ``base`` (the model's time).

        Raises ValueError when the merged horizon is invalid.
        """
        for key, message in self.merge_problems(base):
            raise ValueError(msg("time.{key}: {message}", key=key, message=message))
        return TimeSpec.model_validate(base.model_dump() | self.given)


class NodeOrigin(Spec):
    """Where one node of an expanded model comes from (:mod:`simulator.dimensions`).

    ``origin`` is its index in the file's ``nodes``; an element node also names its
    ``family`` (the id the file wrote), its ``element`` (one per dimension of the family)
    and the fields the file gave per element.
    """

    origin: int
    family: str = ""
    element: tuple[str, ...] = ()
    per_element: tuple[str, ...] = ()


class LinkOrigin(Spec):
    """Where one link of an expanded model comes from: ``origin``, its index in the file's
    ``links``; a link between families names the ``family`` (``jobs->unemployment``), the
    ``place`` of its own value below the file's link (``("matrix", "heerlen", "kerkrade")``,
    ``("weight", "heerlen")``; empty: the value given once) and the uncertain values given
    once for the family (``shared``: drawn once per member for all its element links)."""

    origin: int
    family: str = ""
    place: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()


class Nesting(Spec):
    """A nested dimension's parent: the ``dimension`` it lies within and each element's parent element."""

    dimension: Identifier
    elements: dict[Identifier, Identifier]


class Expansion(Spec):
    """The family structure of a model written with dimensions (places and groups), kept on
    the flat model it was expanded into: the declared ``dimensions`` (name -> elements),
    each ``families``' dimensions (family id -> dimension names), and per flat node and link
    where it came from. Not a CBS brede-welvaart dimension (a node's ``dimension``)."""

    dimensions: dict[Identifier, tuple[Identifier, ...]]
    families: dict[Identifier, tuple[Identifier, ...]] = {}
    within: dict[Identifier, Nesting] = {}
    kinds: dict[Identifier, Literal["places", "groups"]] = {}
    nodes: tuple[NodeOrigin, ...] = ()
    links: tuple[LinkOrigin, ...] = ()

    def family_of(self, node_index: int) -> NodeOrigin | None:
        """The origin of the node at ``node_index`` when it is an element of a family, else None."""
        if node_index < len(self.nodes) and self.nodes[node_index].family:
            return self.nodes[node_index]
        return None


class ModelSpec(Spec):
    """A causal network of bouwblokken.

    A model written with ``dimensions`` (places and groups) is expanded when it is built
    (:func:`simulator.dimensions.expand_model_data`): its ``nodes`` and ``links`` are the
    flat network's, ``expansion`` keeps the family structure (None for a model without).
    """

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
    title: LocalizedText
    description: LocalizedText | None = None
    time: TimeSpec = TimeSpec()
    nodes: Annotated[list[NodeSpec], Field(min_length=1)]
    links: list[LinkSpec] = []
    checks: list[BehaviourCheck] = []
    expansion: Expansion | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, value: Any, info: ValidationInfo) -> Any:
        """A model with dimensions becomes the flat model it stands for (a matrix CSV is read
        relative to ``context["base"]``, the model file's folder)."""
        base = (info.context or {}).get("base") if info is not None else None
        return expand_model_data(value, base)

    @model_validator(mode="after")
    def _elements_only_from_expansion(self) -> ModelSpec:
        families = self.expansion.families if self.expansion is not None else {}
        for i, node in enumerate(self.nodes):
            if "[" in node.id:
                split = split_element_id(node.id)
                if (
                    split is None
                    or split[0] not in families
                    or (
                        self.expansion is not None
                        and (i >= len(self.expansion.nodes) or self.expansion.nodes[i].family != split[0])
                    )
                ):
                    raise ValueError(
                        msg(
                            "nodes[{index}].id '{id}': '[' in a node id is kept for the elements "
                            "of a node over dimensions; write the node once with over: [dimension]",
                            index=i,
                            id=node.id,
                        )
                    )
        if self.expansion is not None and (
            len(self.expansion.nodes) != len(self.nodes) or len(self.expansion.links) != len(self.links)
        ):
            raise ValueError(
                msg(
                    "the expansion describes {n} nodes and {l} links, the model has {nodes} and {links}",
                    n=len(self.expansion.nodes),
                    l=len(self.expansion.links),
                    nodes=len(self.nodes),
                    links=len(self.links),
                )
            )
        return self

    @field_validator("links")
    @classmethod
    def _score_scales(cls, links: list[LinkSpec], info: ValidationInfo) -> list[LinkSpec]:
        """Scored linear links get their scale from the baselines at the model's start."""
        nodes, time = info.data.get("nodes"), info.data.get("time")
        if nodes is None or time is None:
            return links
        return with_score_scales(links, nodes, time.start)

    def node(self, node_id: str) -> NodeSpec:
        """The node with id ``node_id`` (KeyError if absent).

        A dict lookup (the scorecard asks once per row: 43,000 times for the 342-gemeente model, where a
        scan of its 15,732 nodes each time took most of ``bwsim run``); see :func:`_nodes_by_id`."""
        return _nodes_by_id(self.nodes)[node_id]

    @property
    def node_ids(self) -> list[str]:
        """Node ids in file order."""
        return [n.id for n in self.nodes]


_NODE_INDEX: list[tuple[list[NodeSpec], dict[str, NodeSpec]]] = []
"""Id -> node of the last few node lists asked about, each keyed by the list itself (by identity)."""
_NODE_INDEX_SIZE = 4


def _nodes_by_id(nodes: list[NodeSpec]) -> dict[str, NodeSpec]:
    """Id -> node of a model's ``nodes`` (the first node of an id, as a scan finds it), built once per list.

    A spec is frozen and no code changes its node list in place, so the list itself (held here, so
    its id is not reused) is the key; a model copied with new nodes has a new list."""
    for held, index in _NODE_INDEX:
        if held is nodes:
            return index
    index = {}
    for node in nodes:
        index.setdefault(node.id, node)
    _NODE_INDEX.insert(0, (nodes, index))
    del _NODE_INDEX[_NODE_INDEX_SIZE:]
    return index


_SHAPE_PARAMS = {
    "step": ("height", "start"),
    "pulse": ("height", "start", "width"),
    "ramp": ("slope", "start", "end"),
    "series": ("values",),
}
_ALL_SHAPE_PARAMS = ("height", "start", "width", "slope", "end", "values")


class InterventionSpec(Spec):
    """A change to one node: ``u_i(t)``, in the node's unit (or a fraction of its
    baseline when ``relative``). Into a stock, it is a flow per year.

    A tagged union on ``shape``: every intervention is one of :class:`Step`,
    :class:`Pulse`, :class:`Ramp`, :class:`Series`, each with only its own
    parameters. ``InterventionSpec(shape=..., ...)`` and
    ``InterventionSpec.model_validate(x)`` make the member ``shape`` names; a spec
    field holding one is an :data:`Intervention`. (This base class itself only
    stands in for a ``shape`` that is none of them, so that the error names it.)
    """

    model_config = ConfigDict(extra="ignore")

    node: NodeId
    shape: Literal["step", "pulse", "ramp", "series"]
    relative: bool = False
    label: LocalizedText | None = None

    def param(self, key: Literal["height", "start", "width", "slope", "end"]) -> float:
        """A number this shape has (step: height, start; pulse: also width; ramp: slope, start, end).

        Raises
        ------
        AttributeError
            This shape has no such parameter (the validator makes sure those it has are given).
        """
        value = getattr(self, key, None)
        if value is None:
            raise AttributeError(f"a {self.shape} has no {key}")  # a programming error, not a user's
        return float(value)

    @property
    def table(self) -> dict[float, float]:
        """A series' year -> value pairs ({} for the other shapes)."""
        return dict(getattr(self, "values", None) or {})

    def __new__(cls, *args: Any, **data: Any) -> InterventionSpec:  # noqa: D102 (the class docstring says it)
        if cls is InterventionSpec and data:
            member = _SHAPES.get(data.get("shape"))
            if member is not None:
                return super().__new__(member)
        return super().__new__(cls)

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> InterventionSpec:
        """Validate ``obj`` (a mapping, as in a file) into the member its ``shape`` names."""
        if cls is InterventionSpec:
            return _INTERVENTION.validate_python(obj, *args, **kwargs)
        return super().model_validate(obj, *args, **kwargs)


class _Shaped(InterventionSpec):
    model_config = ConfigDict(extra="forbid")


class Step(_Shaped):
    """``height`` from ``start`` on (Vensim ``STEP``)."""

    shape: Literal["step"]
    height: FiniteFloat
    start: FiniteFloat


class Pulse(_Shaped):
    """``height`` from ``start`` for ``width`` years (``PULSE``)."""

    shape: Literal["pulse"]
    height: FiniteFloat
    start: FiniteFloat
    width: FiniteFloat

    @model_validator(mode="after")
    def _check(self) -> Pulse:
        if self.width <= 0:
            raise ValueError(msg("a pulse needs width > 0, got {width:g}", width=self.width))
        return self


class Ramp(_Shaped):
    """Rising by ``slope`` per year from ``start`` to ``end`` (``RAMP``)."""

    shape: Literal["ramp"]
    slope: FiniteFloat
    start: FiniteFloat
    end: FiniteFloat

    @model_validator(mode="after")
    def _check(self) -> Ramp:
        if self.end < self.start:
            raise ValueError(
                msg("a ramp needs end >= start, got start={start:g}, end={end:g}", start=self.start, end=self.end)
            )
        return self


class Series(_Shaped):
    """A table of ``year: value``, interpolated linearly, flat beyond its ends."""

    shape: Literal["series"]
    values: dict[float, FiniteFloat]

    @model_validator(mode="after")
    def _check(self) -> Series:
        if not self.values:
            raise ValueError(msg("a series needs at least one year: value pair"))
        return self


_SHAPES: dict[Any, type[InterventionSpec]] = {"step": Step, "pulse": Pulse, "ramp": Ramp, "series": Series}


def _shape_tag(value: Any) -> str:
    shape = value.get("shape") if isinstance(value, dict) else getattr(value, "shape", None)
    return f"shape-{shape}" if isinstance(shape, str) and shape in _SHAPES else "shape-other"


def _with_shape_params(value: Any) -> Any:
    """The file format's rule before the union picks the member: a shape takes exactly its parameters."""
    if not isinstance(value, dict) or value.get("shape") not in _SHAPES:
        return value
    shape = value["shape"]
    required = set(_SHAPE_PARAMS[shape])
    value = {k: v for k, v in value.items() if not (k in _ALL_SHAPE_PARAMS and v is None)}  # null: not given
    given = {k for k in _ALL_SHAPE_PARAMS if k in value}
    missing, extra = required - given, given - required
    if missing:
        raise ValueError(msg("a {shape} needs {keys}", shape=shape, keys=", ".join(sorted(missing))))
    if extra:
        raise ValueError(
            msg(
                "{keys} is not a parameter of a {shape} (it takes {required})",
                keys=", ".join(sorted(extra)),
                shape=shape,
                required=", ".join(sorted(required)),
            )
        )
    return value


Intervention = Annotated[
    Annotated[Step, Tag("shape-step")]
    | Annotated[Pulse, Tag("shape-pulse")]
    | Annotated[Ramp, Tag("shape-ramp")]
    | Annotated[Series, Tag("shape-series")]
    | Annotated[InterventionSpec, Tag("shape-other")],
    Discriminator(_shape_tag),
    BeforeValidator(_with_shape_params),
]
"""A spec field holding an intervention: the file's rules, then the member ``shape`` names."""

_INTERVENTION: TypeAdapter[InterventionSpec] = TypeAdapter(Intervention)


CHECK_FORMS = ("rises", "falls", "higher", "lower", "never_below", "never_above", "between")
"""The forms of a behaviour test (``expect``): what each means is in docs/formats.md."""

_CHECK_KEYS = {
    "rises": ("within",),
    "falls": ("within",),
    "higher": ("year",),
    "lower": ("year",),
    "never_below": ("value",),
    "never_above": ("value",),
    "between": ("low", "high"),
}
_ALL_CHECK_KEYS = ("within", "year", "value", "low", "high")
_COMPARED_WITH_BASELINE = ("rises", "falls", "higher", "lower")


class BehaviourCheck(Spec):
    """A behaviour test of the model (Vensim's Reality Checks): a statement the model's runs must make true.

    ``node`` is the node it speaks about, ``expect`` its form, and ``interventions``
    (``with:`` in a file) what is done first, as a scenario's interventions (none: the
    baseline run). Each form takes exactly its own keys:

    - ``rises`` / ``falls``, ``within`` (years): the node's deviation from its baseline
      is above (below) 0 at some reported time from the interventions' start to
      ``within`` years later;
    - ``higher`` / ``lower``, ``year``: the deviation is above (below) 0 in ``year``;
    - ``never_below`` / ``never_above``, ``value`` (node units): the value ``b + d`` is
      at least (at most) ``value`` at every reported time;
    - ``between``, ``low``, ``high`` (node units): ``low <= b + d <= high`` at every time.

    ``min_share`` (0-1): with an ensemble, the share of runs it must hold in as well
    (none: the share is reported, only the run at the central values decides).
    """

    label: LocalizedText | None = None
    interventions: list[Intervention] = Field([], alias="with")
    node: NodeId
    expect: Literal["rises", "falls", "higher", "lower", "never_below", "never_above", "between"]
    within: FiniteFloat | None = None
    year: FiniteFloat | None = None
    value: FiniteFloat | None = None
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None
    min_share: FiniteFloat | None = Field(None, ge=0.0, le=1.0)

    @field_validator("interventions", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        """``with:`` may be one intervention (a mapping) or a list of them."""
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="before")
    @classmethod
    def _form_keys(cls, value: Any) -> Any:
        """The file format's rule: a form takes exactly its keys (checked before the fields, to name them)."""
        if not isinstance(value, dict) or value.get("expect") not in _CHECK_KEYS:
            return value
        form = value["expect"]
        required = set(_CHECK_KEYS[form])
        given = {k for k in _ALL_CHECK_KEYS if value.get(k) is not None}
        missing, extra = required - given, given - required
        if missing:
            raise ValueError(msg("a '{form}' check needs {keys}; add it", form=form, keys=", ".join(sorted(missing))))
        if extra:
            raise ValueError(
                msg(
                    "{keys} is not a key of a '{form}' check (it takes {required}); remove it",
                    keys=", ".join(sorted(extra)),
                    form=form,
                    required=", ".join(sorted(required)),
                )
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> BehaviourCheck:
        if self.expect in _COMPARED_WITH_BASELINE and not self.interventions:
            raise ValueError(
                msg(
                    "a '{form}' check compares a run with the baseline, so it needs with: (an "
                    "intervention, as in a scenario)",
                    form=self.expect,
                )
            )
        if self.within is not None and self.within <= 0:
            raise ValueError(
                msg(
                    "within must be above 0 years, got {within:g}; give the years after the interventions start",
                    within=self.within,
                )
            )
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(
                msg(
                    "a range needs low <= high, got low={low:g}, high={high:g}; swap them", low=self.low, high=self.high
                )
            )
        return self

    @property
    def start(self) -> float | None:
        """The year the first of its interventions starts (None: no interventions)."""
        starts = [min(item.table) if item.shape == "series" else item.param("start") for item in self.interventions]
        return min(starts) if starts else None


ModelSpec.model_rebuild()  # its checks are defined after it


class LinkOverride(Spec):
    """A scenario's own assumption about an existing link."""

    source: NodeId = Field(alias="from")
    target: NodeId = Field(alias="to")
    weight: Uncertain | None = None
    lag: Uncertain | None = None
    delay: DelayType | None = None
    form: LinkForm | None = None
    weight_unit: str | None = None


class NodeOverride(Spec):
    """A scenario's own assumption about an existing node."""

    id: NodeId
    baseline: Baseline | None = None
    decay: FiniteFloat | None = Field(None, ge=0.0)
    min: FiniteFloat | None = None
    max: FiniteFloat | None = None


class Overrides(Spec):
    """Changed assumptions that make a new model for one scenario."""

    links: list[LinkOverride] = []
    nodes: list[NodeOverride] = []


class UncertaintySpec(Spec):
    """How to run an ensemble: ``samples`` parameter sets drawn with ``seed``."""

    samples: int = Field(1000, ge=1, le=10_000_000)
    seed: int = Field(0, ge=0)
    method: Literal["lhs", "mc"] = "lhs"


class ScenarioSpec(Spec):
    """A scenario: interventions on a model over a horizon, with optional overrides."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)]
    model: str
    title: LocalizedText | None = None
    description: LocalizedText | None = None
    time: ScenarioTime | None = None
    interventions: list[Intervention] = []
    overrides: Overrides = Overrides()
    uncertainty: UncertaintySpec | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _whole_time(cls, value: Any) -> Any:
        """A :class:`TimeSpec` object is a complete horizon; only a mapping (a file's block) may be partial."""
        if isinstance(value, TimeSpec) and not isinstance(value, ScenarioTime):
            return value.model_dump()
        return value

    def time_on(self, model: ModelSpec) -> TimeSpec:
        """The horizon this scenario runs on with ``model`` (years): its own ``time`` keys over the model's.

        Raises ValueError when the merged horizon is invalid.
        """
        own = self.own_time
        return model.time if own is None else own.over(model.time)

    @property
    def own_time(self) -> ScenarioTime | None:
        """This scenario's ``time`` block (None: the model's), as a :class:`ScenarioTime` even when
        a complete :class:`TimeSpec` was put in place without validation (``model_copy``)."""
        if self.time is None or isinstance(self.time, ScenarioTime):
            return self.time
        return ScenarioTime.model_validate(self.time.model_dump())


def gross_node(model: ModelSpec, node: NodeSpec) -> str | None:
    """The id of the node ``node.net_of`` names (docs/formats.md, "Net effects"), or None without ``net_of``.

    An element ``x[e]`` of a family over dimensions names a family: its gross node is that family's element
    ``y[e]`` when the model has it, else the plain node ``y``. The id returned may name no node (a problem
    :func:`simulator.network.net_problems` reports).
    """
    if node.net_of is None:
        return None
    element = split_element_id(node.id)
    if element is not None:
        candidate = f"{node.net_of}[{','.join(element[1])}]"
        if any(n.id == candidate for n in model.nodes):
            return candidate
    return node.net_of


def display_name(value: str) -> str:
    """A readable form of an id: ``life_satisfaction`` -> ``life satisfaction``."""
    return re.sub(r"_+", " ", value)
