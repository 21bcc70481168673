"""Ambitions: what a council wants an indicator to be in a year, as a validated spec (the file format).

An ambitions file (``models/<model>.ambitions.yaml``, docs/formats.md "Ambitions")
lists, per indicator and place, a **target** (a comparison with a value in the
node's unit: ``below``, ``above``, ``at_most``, ``at_least``) or a **direction**
(``rise`` / ``fall``: the scenario's value above / below the baseline's in that
year), and the year it is meant for, with an optional label and source.

This module holds the spec and the rules that need the model (which node an
indicator and place name, whether the year lies in a horizon):
:func:`ambition_problems` and :func:`horizon_problems` return problems with their
place (``ambitions[2].place``) and no file, so a file's reader
(:mod:`simulator.io.ambition_files`) adds file and line and a spec built in code is
refused with the same message (:func:`ambition_nodes`). What a scenario's run makes
of an ambition (value, distance, reached, chance) is :mod:`simulator.analysis.ambitions`.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from simulator.errors import InputError, Problem
from simulator.io.yaml_file import PathKey, format_place
from simulator.messages import Text, msg
from simulator.spec import FiniteFloat, Identifier, LocalizedText, ModelSpec, Spec, TimeSpec

COMPARISONS = ("below", "above", "at_most", "at_least")
"""Targets with a value (node units): strictly below, strictly above, at most, at least."""
DIRECTIONS = ("rise", "fall")
"""Targets without a value: the scenario's value above (below) the baseline's in the year."""
TARGET_KEYS = (*COMPARISONS, "direction")

NODE_ID_PATTERN = r"^[a-z][a-z0-9_]*(\[[a-z0-9_]+\])?$"
"""A node id, or an element of a node across places (``unemployment[heerlen]``)."""

NodeId = Annotated[str, Field(pattern=NODE_ID_PATTERN, max_length=130)]


class Ambition(Spec):
    """One ambition: ``indicator`` (a node id) in ``place`` should meet its target in ``year``.

    Exactly one target: a comparison (``below``, ``above``, ``at_most``, ``at_least``:
    a value in the node's unit) or ``direction`` (``rise`` / ``fall`` against the
    baseline in ``year``). ``place``, when given, is the node's ``region`` (or the
    element of a node across places: ``indicator: unemployment, place: heerlen`` names
    the node ``unemployment[heerlen]``). ``year`` in years; the reported time nearest
    it is judged. ``label`` and ``source`` (the council decision it comes from) are shown.
    """

    indicator: NodeId
    place: Identifier | None = None
    year: FiniteFloat
    below: FiniteFloat | None = None
    above: FiniteFloat | None = None
    at_most: FiniteFloat | None = None
    at_least: FiniteFloat | None = None
    direction: Literal["rise", "fall"] | None = None
    label: LocalizedText | None = None
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_target(cls, value: Any) -> Any:
        """Exactly one of the target keys (checked before the fields, to name them)."""
        if not isinstance(value, dict):
            return value
        given = [k for k in TARGET_KEYS if value.get(k) is not None]
        if not given and set(value) - set(cls.model_fields):  # a misspelt target key: pydantic names it
            return value
        if not given:
            raise ValueError(
                msg(
                    "an ambition needs a target: one of below, above, at_most, at_least (a value in "
                    "the indicator's unit) or direction (rise or fall); add one"
                )
            )
        if len(given) > 1:
            raise ValueError(
                msg(
                    "an ambition has one target, this one has {keys}; keep one of them (a value with "
                    "below, above, at_most or at_least, or a direction)",
                    keys=" and ".join(given),
                )
            )
        return value

    @property
    def comparison(self) -> str:
        """``below``, ``above``, ``at_most``, ``at_least``, ``rise`` or ``fall``."""
        for key in COMPARISONS:
            if getattr(self, key) is not None:
                return key
        assert self.direction is not None  # the validator made sure of one target
        return self.direction

    @property
    def target(self) -> float | None:
        """The target value in the node's unit (None for a direction)."""
        return None if self.comparison in DIRECTIONS else float(getattr(self, self.comparison))


class AmbitionsSpec(Spec):
    """An ambitions file: the ambitions of a model's places.

    ``model`` (optional) is the name of the model they are for (checked when given);
    ``title`` and ``source`` describe the set (e.g. "illustrative" or the council decision).
    """

    model: str | None = None
    title: LocalizedText | None = None
    source: str | None = None
    ambitions: list[Ambition] = Field(min_length=1)


def _problem(path: PathKey, message: Text, hint: Text) -> Problem:
    """A problem at ``path`` without a file (a reader adds file and line: ``YamlDocument.locate``)."""
    return Problem("", format_place(path), message, hint, path=tuple(path))


def _element(node_id: str) -> tuple[str, str | None]:
    """``unemployment[heerlen]`` -> ``("unemployment", "heerlen")``; a plain id -> ``(id, None)``."""
    if node_id.endswith("]") and "[" in node_id:
        base, _, element = node_id[:-1].partition("[")
        return base, element
    return node_id, None


def resolve_node(ambition: Ambition, model: ModelSpec, index: int) -> tuple[str | None, list[Problem]]:
    """The node id ``ambition`` names in ``model``, or None and the problems (places ``ambitions[i].…``).

    An element id (``indicator: unemployment, place: heerlen`` -> ``unemployment[heerlen]``)
    is looked up first; else ``indicator`` is a node id whose ``region`` must be ``place``.
    """
    nodes = {n.id: n for n in model.nodes}
    where = ("ambitions", index)
    if ambition.place is not None and f"{ambition.indicator}[{ambition.place}]" in nodes:
        return f"{ambition.indicator}[{ambition.place}]", []
    node = nodes.get(ambition.indicator)
    if node is None:
        bases = {_element(n)[0] for n in nodes}
        close = difflib.get_close_matches(ambition.indicator, sorted(set(nodes) | bases), n=1, cutoff=0.6)
        hint = (
            msg("did you mean '{name}'?", name=close[0])
            if close
            else msg("use a node id of the model (bwsim explain lists them)")
        )
        return None, [
            _problem(
                (*where, "indicator"),
                msg("the model {model} has no indicator '{indicator}'", model=model.name, indicator=ambition.indicator),
                hint,
            )
        ]
    if ambition.place is None:
        return node.id, []
    element = _element(node.id)[1]
    if ambition.place in (node.region, element):
        return node.id, []
    regions = sorted({n.region for n in model.nodes} | {e for n in nodes if (e := _element(n)[1])})
    if ambition.place not in regions:
        close = difflib.get_close_matches(ambition.place, regions, n=1, cutoff=0.6)
        message = msg(
            "no indicator of the model {model} is measured in '{place}'", model=model.name, place=ambition.place
        )
        hint = (
            msg(
                "did you mean '{name}'? {indicator} is measured in {region}",
                name=close[0],
                indicator=node.id,
                region=node.region,
            )
            if close
            else msg(
                "{indicator} is measured in {region}: write place: {region}, or leave place out",
                indicator=node.id,
                region=node.region,
            )
        )
    else:
        message = msg(
            "{indicator} is measured in {region}, not in {place}",
            indicator=node.id,
            region=node.region,
            place=ambition.place,
        )
        hint = msg("write place: {region}, or leave place out", region=node.region)
    return None, [_problem((*where, "place"), message, hint)]


def ambition_problems(spec: AmbitionsSpec, model: ModelSpec) -> list[Problem]:
    """Every problem of ``spec`` against ``model``: an unknown indicator or place, another model's name."""
    problems = []
    if spec.model is not None and spec.model != model.name:
        problems.append(
            _problem(
                ("model",),
                msg("these ambitions are for the model '{named}', not '{model}'", named=spec.model, model=model.name),
                msg(
                    "write model: {model}, or use the ambitions of the model {named}",
                    model=model.name,
                    named=spec.model,
                ),
            )
        )
    for i, ambition in enumerate(spec.ambitions):
        problems += resolve_node(ambition, model, i)[1]
    return problems


def horizon_problems(spec: AmbitionsSpec, time: TimeSpec, scenario: str) -> list[Problem]:
    """An ambition's year outside the horizon ``time`` of the scenario named ``scenario``."""
    start, end = float(time.start), float(time.end)
    return [
        _problem(
            ("ambitions", i, "year"),
            msg(
                "year {year:g} is outside the horizon {start:g}-{end:g} of the scenario {scenario}",
                year=a.year,
                start=start,
                end=end,
                scenario=scenario,
            ),
            msg(
                "choose a year from {start:g} to {end:g}, or run the scenario to {year:g}",
                start=start,
                end=end,
                year=a.year,
            ),
        )
        for i, a in enumerate(spec.ambitions)
        if not start - 1e-9 <= a.year <= end + 1e-9
    ]


def ambition_nodes(spec: AmbitionsSpec, model: ModelSpec) -> tuple[str, ...]:
    """The node id of each ambition, in order.

    Raises
    ------
    InputError
        As :func:`ambition_problems` (places, no file: a spec built in code).
    """
    problems = ambition_problems(spec, model)
    if problems:
        raise InputError(problems)
    return tuple(resolve_node(a, model, i)[0] or "" for i, a in enumerate(spec.ambitions))
