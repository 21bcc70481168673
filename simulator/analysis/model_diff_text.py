"""Words for people about two model versions (:mod:`simulator.analysis.model_diff`): what changed, where
results diverge.

Used by ``bwsim diff`` and the workshop's "the model changed since" note, so both say it alike.
Nodes and links are named by their ids (``from → to`` for a link): the ids are what a model's
two files have in common and what a person edits. Numbers are written as the file gives
them, with the reader's separators (Babel, :func:`simulator.messages.localize_number`); a
difference of results to three significant digits.
"""

from __future__ import annotations

from typing import Any

from simulator.analysis.model_diff import Change, Divergence, FieldChange, ModelDiff
from simulator.analysis.text import change_unit, format_number, unit_label
from simulator.messages import Text, localize_number, msg, translate
from simulator.spec import (
    Distribution,
    FixedValue,
    GrowthBaseline,
    LinkSpec,
    LocalizedText,
    Lookup,
    ModelSpec,
    NodeSpec,
    Normal,
    Saturation,
    ScoredWeight,
    SeriesBaseline,
    Threshold,
    Triangular,
    Uniform,
)

FIELD_NAMES: dict[str, Text] = {
    "kind": msg("kind"),
    "baseline": msg("baseline"),
    "decay": msg("decay"),
    "min": msg("min"),
    "max": msg("max"),
    "unit": msg("unit"),
    "unit_label": msg("unit label"),
    "label": msg("label"),
    "phrase": msg("phrase"),
    "theme": msg("theme"),
    "dimension": msg("dimension"),
    "region": msg("region"),
    "direction": msg("direction"),
    "quantified": msg("quantified"),
    "weight": msg("weight"),
    "lag": msg("lag (years)"),
    "delay": msg("delay type"),
    "form": msg("form"),
    "shape": msg("shape"),
    "weight_unit": msg("weight unit"),
    "checks": msg("behaviour tests"),
}
"""A field's name in words; a field not listed (``indicator.source``) is shown by its key."""

GROUPS: dict[tuple[str, str], Text] = {
    ("model", "changed"): msg("model"),
    ("node", "added"): msg("nodes added"),
    ("node", "removed"): msg("nodes removed"),
    ("node", "changed"): msg("nodes changed"),
    ("link", "added"): msg("links added"),
    ("link", "removed"): msg("links removed"),
    ("link", "changed"): msg("links changed"),
}
"""The groups of a report, in the order it lists them."""


def number_text(value: float, language: str) -> str:
    """A number as a file would give it (shortest exact form), with ``language``'s separators: ``0,00012``."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return localize_number(text, language)


def value_text(value: Any, language: str) -> str:
    """A field's value in words: a number, a range, a baseline path, a shape, a text; "none" when not set."""
    if value is None or value == "":
        return translate(msg("none"), language)
    if isinstance(value, bool):
        return translate(msg("yes") if value else msg("no"), language)
    if isinstance(value, (int, float)):
        return number_text(value, language)
    if isinstance(value, Distribution):
        return translate(_distribution(value, language), language)
    if isinstance(value, GrowthBaseline):
        growth = msg(
            "{value}, growth {growth} a year",
            value=number_text(value.value, language),
            growth=number_text(value.growth, language),
        )
        if value.year is not None:
            growth = msg("{text} from {year}", text=growth, year=number_text(value.year, language))
        return translate(growth, language)
    if isinstance(value, SeriesBaseline):
        return _points([(t, v) for t, v in sorted(value.series.items())], language, msg("series"))
    if isinstance(value, (Saturation, Threshold, Lookup)):
        return _shape(value, language)
    if isinstance(value, LocalizedText):
        return f'"{value.get(language)}"'
    return str(value)


def _distribution(value: Distribution, language: str) -> Text | str:
    def n(x: float) -> str:
        return number_text(x, language)

    if isinstance(value, FixedValue):
        return n(value.mode)
    if isinstance(value, Triangular):
        return msg("{central} ({low} to {high})", central=n(value.mode), low=n(value.low), high=n(value.high))
    if isinstance(value, Normal):
        return msg("{mean} (normal, sd {sd})", mean=n(value.mean), sd=n(value.sd))
    if isinstance(value, Uniform):
        return msg("{low} to {high} (uniform)", low=n(value.low), high=n(value.high))
    if isinstance(value, ScoredWeight):
        return msg(
            "scores {scores} (central {central})", scores=value.label, central=format_number(value.central, language)
        )
    return str(value.to_yaml())


def _points(points: list[tuple[float, float]], language: str, what: Text) -> str:
    if len(points) <= 6:
        listed = "; ".join(f"{number_text(x, language)}: {number_text(y, language)}" for x, y in points)
        return translate(msg("{what} {points}", what=what, points=listed), language)
    return translate(
        msg(
            "{what} of {n} points, {first} to {last}",
            what=what,
            n=len(points),
            first=number_text(points[0][0], language),
            last=number_text(points[-1][0], language),
        ),
        language,
    )


def _shape(shape: Saturation | Threshold | Lookup, language: str) -> str:
    if isinstance(shape, Saturation):
        return translate(msg("saturation at {max}", max=value_text(shape.max, language)), language)
    if isinstance(shape, Threshold):
        level = value_text(shape.level, language)
        return translate(
            msg("threshold above {level}", level=level)
            if shape.side == "above"
            else msg("threshold below {level}", level=level),
            language,
        )
    return _points([(x, y) for x, y in shape.points], language, msg("lookup"))


DELAY_WORDS = {
    "none": msg("no delay"),
    "fixed": msg("fixed delay"),
    "exponential": msg("exponential delay"),
    "third_order": msg("third-order delay"),
}
"""The file's delay types in words (``exponential`` is ``exponentieel`` in Dutch)."""


def _delay_text(value: Any, language: str) -> str:
    return translate(DELAY_WORDS[value], language) if value in DELAY_WORDS else value_text(value, language)


def field_text(change: FieldChange, language: str) -> str:
    """``weight 1,4 → 1,6``."""
    name = translate(FIELD_NAMES.get(change.field, change.field), language)
    shown = _delay_text if change.field == "delay" else value_text
    return translate(
        msg("{field} {old} → {new}", field=name, old=shown(change.old, language), new=shown(change.new, language)),
        language,
    )


def key_text(change: Change) -> str:
    """A node's id, a link's ``from → to``, or the model field's group."""
    return " → ".join(change.key) if isinstance(change.key, tuple) else change.key


def _described(spec: NodeSpec | LinkSpec | None, language: str) -> str:
    """What an added or removed node or link is: ``"Jobs", baseline 100, unit jobs`` / ``weight 0,5, lag 2 (fixed)``."""
    if isinstance(spec, NodeSpec):
        parts: list[str | Text] = [value_text(spec.label, language)]
        if spec.kind != "auxiliary":
            parts.append(msg("kind {kind}", kind=spec.kind))
        if spec.baseline is not None:
            parts.append(msg("baseline {value}", value=value_text(spec.baseline, language)))
        if spec.unit:
            parts.append(msg("unit {unit}", unit=spec.unit))
    elif isinstance(spec, LinkSpec):
        parts = [msg("weight {value}", value=value_text(spec.weight, language))]
        if spec.delay != "none":
            parts.append(
                msg(
                    "lag {lag} years ({delay})",
                    lag=value_text(spec.lag, language),
                    delay=_delay_text(spec.delay, language),
                )
            )
        if spec.shape is not None:
            parts.append(value_text(spec.shape, language))
    else:
        return ""
    return ", ".join(translate(p, language) if isinstance(p, Text) else p for p in parts)


def change_text(change: Change, language: str) -> str:
    """One line for one change: ``+ jobs_total → car_km: weight 0,001``, ``a → b: lag (years) 1 → 2``."""
    key = key_text(change)
    if change.action == "added":
        return f"+ {key}: {_described(change.spec, language)}"
    if change.action == "removed":
        return f"- {key}: {_described(change.spec, language)}"
    return f"{key}: " + "; ".join(field_text(f, language) for f in change.fields)


def change_lines(diff: ModelDiff, language: str = "nl") -> list[str]:
    """The changes grouped (model, nodes added/removed/changed, links added/removed/changed), each group a heading
    with its count and one indented line per change; one line saying so when nothing differs."""
    if diff.identical:
        return [translate(msg("no differences"), language)]
    lines: list[str] = []
    for (subject, action), heading in GROUPS.items():
        group = diff.of(subject, action)  # type: ignore[arg-type]
        if group:
            lines.append(translate(msg("{group} ({n}):", group=heading, n=len(group)), language))
            lines += ["  " + change_text(c, language) for c in group]
    return lines


def diff_title(old: str, new: str, diff: ModelDiff, language: str = "nl") -> str:
    """The report's first line: ``models/a.yaml → models/b.yaml: 5 verschil(len)`` or ``...: geen verschillen``."""
    if diff.identical:
        return translate(msg("{old} → {new}: no differences", old=old, new=new), language)
    return translate(msg("{old} → {new}: {n} difference(s)", old=old, new=new, n=len(diff.changes)), language)


def _difference(value: float, node: str, model: ModelSpec, language: str) -> str:
    unit = change_unit(unit_label(model.node(node).shown_unit, language), language)
    text = ("+" if value > 0 else "") + format_number(value, language, 3)
    return f"{text} {unit}".rstrip()


def divergence_lines(div: Divergence, model: ModelSpec, language: str = "nl") -> list[str]:
    """Where a scenario's results first diverge on the two models (``model``: the new one, for labels and
    units), and a table of the nodes that diverge: first time, largest difference (node units) and when."""
    lines = [
        translate(
            msg(
                "scenario {scenario} on both models (tolerance {tolerance:g}; {nodes} nodes at {times} times compared)",
                scenario=div.scenario,
                tolerance=div.tolerance,
                nodes=len(div.compared),
                times=len(div.times),
            ),
            language,
        )
    ]
    first = div.first
    if first is None:
        lines.append(translate(msg("the results do not diverge: every node agrees within the tolerance"), language))
        return lines
    lines.append(
        translate(
            msg(
                "the results first diverge at {node} in {year:g} (difference {difference})",
                node=first.node,
                year=first.first_time,
                difference=_difference(first.new - first.old, first.node, model, language),
            ),
            language,
        )
    )
    lines.append(
        translate(
            msg(
                "{n} of {compared} nodes diverge ({same} of them first in {year:g}):",
                n=len(div.nodes),
                compared=len(div.compared),
                same=div.simultaneous(),
                year=first.first_time,
            ),
            language,
        )
    )
    headings = [
        translate(h, language) for h in (msg("node"), msg("first diverges"), msg("largest difference"), msg("in"))
    ]
    width = max(len(headings[0]), *(len(n.node) for n in div.nodes))
    rows = [
        (
            n.node,
            localize_number(f"{n.first_time:g}", language),
            _difference(n.largest, n.node, model, language),
            localize_number(f"{n.largest_time:g}", language),
        )
        for n in div.nodes
    ]
    widths = [
        width,
        max(len(headings[1]), 7),
        max(len(headings[2]), *(len(r[2]) for r in rows)),
        max(len(headings[3]), 7),
    ]
    lines.append("  " + "  ".join(f"{h:<{w}}" for h, w in zip(headings, widths, strict=True)).rstrip())
    lines += ["  " + "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines
