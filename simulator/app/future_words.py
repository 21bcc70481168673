"""A future (a scenario on a model) in sentences: its interventions and its changed assumptions.

Pure: no Streamlit. The workshop pages show these lines before a group saves, so
the group reads what it is about to store (values with their units, the model's
own value beside each changed assumption) instead of a YAML text.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from simulator.analysis.text import unit_label
from simulator.app.i18n import t
from simulator.spec import (
    Distribution,
    InterventionSpec,
    LinkOverride,
    ModelSpec,
    NodeOverride,
    Pulse,
    Ramp,
    ScenarioSpec,
    Series,
    Step,
)

WORDS = {
    "nl": {
        "step_up": "{name}: {size} {unit} erbij vanaf {start}",
        "step_down": "{name}: {size} {unit} minder vanaf {start}",
        "pulse_up": "{name}: {size} {unit} erbij van {start} tot {end}",
        "pulse_down": "{name}: {size} {unit} minder van {start} tot {end}",
        "ramp_up": "{name}: elk jaar {size} {unit} erbij van {start} tot {end}, daarna blijvend {total} {unit} erbij",
        "ramp_down": "{name}: elk jaar {size} {unit} minder van {start} tot {end}, daarna blijvend {total} {unit} "
        "minder",
        "series": "{name}: een eigen reeks in {unit} ({points})",
        "per_year": "per jaar",
        "link": "Aanname {source} → {target}",
        "node": "Aanname {node}",
        "weight": "gewicht {value} {unit} (model: {model}){range}",
        "range": ", bandbreedte {low} tot {high}",
        "lag": "vertraging {value} jaar (model: {model} jaar)",
        "delay": "soort vertraging {value} (model: {model})",
        "form": "vorm {value} (model: {model})",
        "baseline": "basiswaarde {value} {unit} (model: {model})",
        "decay": "afname {value} per jaar (model: {model})",
        "min": "minimum {value} {unit} (model: {model})",
        "max": "maximum {value} {unit} (model: {model})",
        "none": "geen",
        "per": "{target} per {source}",
        "elasticity": "% per %",
        "series_baseline": "een eigen reeks",
        "nothing": "Geen ingrepen en geen gewijzigde aannames: dit is het basispad.",
    },
    "en": {
        "step_up": "{name}: {size} {unit} more from {start}",
        "step_down": "{name}: {size} {unit} less from {start}",
        "pulse_up": "{name}: {size} {unit} more from {start} to {end}",
        "pulse_down": "{name}: {size} {unit} less from {start} to {end}",
        "ramp_up": "{name}: {size} {unit} more each year from {start} to {end}, then a lasting {total} {unit} more",
        "ramp_down": "{name}: {size} {unit} less each year from {start} to {end}, then a lasting {total} {unit} less",
        "series": "{name}: a series of its own in {unit} ({points})",
        "per_year": "per year",
        "link": "Assumption {source} → {target}",
        "node": "Assumption {node}",
        "weight": "weight {value} {unit} (model: {model}){range}",
        "range": ", range {low} to {high}",
        "lag": "lag {value} years (model: {model} years)",
        "delay": "delay type {value} (model: {model})",
        "form": "form {value} (model: {model})",
        "baseline": "baseline {value} {unit} (model: {model})",
        "decay": "decay {value} per year (model: {model})",
        "min": "minimum {value} {unit} (model: {model})",
        "max": "maximum {value} {unit} (model: {model})",
        "none": "none",
        "per": "{target} per {source}",
        "elasticity": "% per %",
        "series_baseline": "a series of its own",
        "nothing": "No interventions and no changed assumptions: this is the baseline.",
    },
}


def number(value: float | None, language: str = "nl") -> str:
    """``value`` at full precision (up to 12 significant digits), Dutch or English separators.

    ``-0.00025`` -> ``"-0,00025"``, ``1234.5`` -> ``"1.234,5"``; ``None`` -> ``"—"``.
    """
    if value is None:
        return "—"
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    plain = format(Decimal(f"{value:.12g}").normalize(), "f")  # no exponent: 8e-05 -> 0.00008
    whole, _, decimals = plain.partition(".")
    sign = "-" if whole.startswith("-") else ""
    text = sign + f"{int(whole.lstrip('-')):,}" + ("." + decimals if decimals else "")
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


SINGULAR = {
    "jobs": "job",
    "persons": "person",
    "dwellings": "dwelling",
    "households": "household",
    "adults": "adult",
    "packages": "package",
    "moves": "move",
    "years": "year",
}
"""A source unit after "per" is singular: "banen per baan", not "banen per banen"."""


def _singular(unit: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: SINGULAR.get(m.group(0), m.group(0)), unit)


def _year(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _w(language: str) -> dict[str, str]:
    return WORDS["en" if language == "en" else "nl"]


def intervention_line(model: ModelSpec, item: InterventionSpec, language: str = "nl") -> str:
    """One intervention in a sentence with its size, unit and years."""
    w = _w(language)
    node = model.node(item.node)
    name = item.label.get(language) if item.label else node.label.get(language)
    unit = unit_label("fraction of baseline" if item.relative else node.shown_unit, language)
    if node.kind == "stock":  # into a stock, an intervention is a flow per year
        unit = f"{unit} {w['per_year']}".strip()
    if isinstance(item, Series):
        points = "; ".join(f"{_year(k)}: {number(v, language)}" for k, v in sorted(item.values.items()))
        return w["series"].format(name=name, unit=unit, points=points)
    end: float | None = None
    total: float | None = None
    if isinstance(item, Ramp):
        size, end, total = item.slope, item.end, abs(item.slope) * (item.end - item.start)
    elif isinstance(item, Pulse):
        size, end = item.height, item.start + item.width
    elif isinstance(item, Step):
        size = item.height
    else:
        raise TypeError(f"no sentence for an intervention of shape {item.shape!r}")
    way = "up" if size >= 0 else "down"
    return w[f"{item.shape}_{way}"].format(
        name=name,
        size=number(abs(size), language),
        unit=unit,
        start=_year(item.start),
        end=_year(end),
        total=number(total, language),
    )


def _range(dist: Distribution, language: str) -> str:
    """ ", bandbreedte 0,6 tot 0,95" for an uncertain weight with a finite range, else ""."""
    low, high = dist.support
    if not dist.is_uncertain or not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return _w(language)["range"].format(low=number(low, language), high=number(high, language))


def weight_unit(model: ModelSpec, source: str, target: str, language: str = "nl", form: str = "linear") -> str:
    """The unit of a link's weight: the one the file declares (``weight_unit``, which validate checked),
    else the target's unit per the source's ("banen per baan"; into a stock, whose links are flows,
    "banen/jaar per baan"); "% per %" for an elasticity; "" when neither node has a unit."""
    w = _w(language)
    if form == "elasticity":
        return w["elasticity"]
    link = next((lk for lk in model.links if (lk.source, lk.target) == (source, target)), None)
    if link is not None and link.weight_unit and link.form == form:
        return unit_label(link.weight_unit, language)
    to, fro = model.node(target).shown_unit, model.node(source).shown_unit
    if not to and not fro:
        return ""
    if model.node(target).kind == "stock" and to:
        to = f"{to}/yr"
    return w["per"].format(target=unit_label(to, language), source=unit_label(_singular(fro), language))


def _link_line(model: ModelSpec, item: LinkOverride, language: str) -> str:
    w = _w(language)
    link = next(lk for lk in model.links if (lk.source, lk.target) == (item.source, item.target))
    source, target = model.node(item.source), model.node(item.target)
    unit = weight_unit(model, item.source, item.target, language, item.form or link.form)
    parts = []
    if item.weight is not None:
        parts.append(
            w["weight"].format(
                value=number(item.weight.central, language),
                unit=unit,
                model=number(link.weight.central, language),
                range=_range(item.weight, language),
            )
        )
    if item.lag is not None:
        parts.append(
            w["lag"].format(value=number(item.lag.central, language), model=number(link.lag.central, language))
        )
    if item.delay is not None:
        parts.append(
            w["delay"].format(
                value=t(f"delay_{item.delay}", language), model=t(f"delay_{link.delay or 'none'}", language)
            )
        )
    if item.form is not None:
        parts.append(w["form"].format(value=item.form, model=link.form))
    head = w["link"].format(source=source.label.get(language), target=target.label.get(language))
    return f"{head}: {', '.join(parts)}"


def _baseline_text(value: object, language: str) -> str:
    if isinstance(value, (int, float)):
        return number(float(value), language)
    start = getattr(value, "value", None)
    return number(start, language) if start is not None else _w(language)["series_baseline"]


def _node_line(model: ModelSpec, item: NodeOverride, language: str) -> str:
    w = _w(language)
    node = model.node(item.id)
    unit = unit_label(node.shown_unit, language)
    parts = []
    if item.baseline is not None:
        parts.append(
            w["baseline"].format(
                value=_baseline_text(item.baseline, language), unit=unit, model=_baseline_text(node.baseline, language)
            )
        )
    if item.decay is not None:
        parts.append(w["decay"].format(value=number(item.decay, language), model=number(node.decay, language)))
    for key in ("min", "max"):
        if getattr(item, key) is not None:
            parts.append(
                w[key].format(
                    value=number(getattr(item, key), language), unit=unit, model=number(getattr(node, key), language)
                )
            )
    return f"{w['node'].format(node=node.label.get(language))}: {', '.join(parts)}"


def future_lines(model: ModelSpec, scenario: ScenarioSpec, language: str = "nl") -> tuple[list[str], list[str]]:
    """(interventions, changed assumptions) of ``scenario`` on ``model`` as sentences for people.

    Every sentence carries its values at full precision with units; a changed
    assumption also says the model's own value.
    """
    levers = [_tidy(intervention_line(model, item, language)) for item in scenario.interventions]
    changed = [_tidy(_link_line(model, item, language)) for item in scenario.overrides.links]
    changed += [_tidy(_node_line(model, item, language)) for item in scenario.overrides.nodes]
    return levers, changed


def _tidy(text: str) -> str:
    """One space where an empty unit left two."""
    return re.sub(r" {2,}", " ", text)
