"""Ambitions judged on a scenario, for people (two lines per ambition) and for ``--json`` (one record each).

Numbers are written with the reader's separators (Babel, through
:func:`simulator.analysis.text.format_number` and :mod:`simulator.messages`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simulator.ambitions import AmbitionsSpec
from simulator.analysis.ambitions import AmbitionResult
from simulator.analysis.text import change_unit, format_number, unit_label
from simulator.messages import Text, msg, translate
from simulator.spec import ModelSpec


def _unit(model: ModelSpec, node: str, language: str) -> str:
    spec = next(n for n in model.nodes if n.id == node)
    return unit_label(spec.unit_label or spec.unit, language)


def _with_unit(number: str, unit: str) -> str:
    return f"{number} {unit}".strip()


def statement(result: AmbitionResult, model: ModelSpec, language: str) -> str:
    """The ambition as people read it: its label, or e.g. "Werkloosheid (parkstad) onder 4 % in 2030"."""
    ambition = result.ambition
    if ambition.label is not None:
        return ambition.label.nl if language == "nl" else ambition.label.en
    spec = next(n for n in model.nodes if n.id == result.node)
    name = spec.label.nl if language == "nl" else spec.label.en
    if ambition.place is not None:
        name = f"{name} ({ambition.place})"
    target = ambition.target
    if target is None:
        text = (
            msg("{indicator} higher than without the scenario in {year:g}", indicator=name, year=ambition.year)
            if ambition.comparison == "rise"
            else msg("{indicator} lower than without the scenario in {year:g}", indicator=name, year=ambition.year)
        )
        return translate(text, language)
    value = _with_unit(format_number(target, language, digits=4), _unit(model, result.node, language))
    words = {
        "below": msg("{indicator} below {target} in {year:g}", indicator=name, target=value, year=ambition.year),
        "above": msg("{indicator} above {target} in {year:g}", indicator=name, target=value, year=ambition.year),
        "at_most": msg("{indicator} at most {target} in {year:g}", indicator=name, target=value, year=ambition.year),
        "at_least": msg("{indicator} at least {target} in {year:g}", indicator=name, target=value, year=ambition.year),
    }
    return translate(words[ambition.comparison], language)


def detail(result: AmbitionResult, model: ModelSpec, language: str) -> str:
    """What decided it: the value in the year (and the baseline's), the distance, and the chance."""
    unit = _unit(model, result.node, language)
    spec = next(n for n in model.nodes if n.id == result.node)
    gap_unit = change_unit(spec.unit_label or spec.unit, language)
    gap_unit = unit_label(gap_unit, language) if gap_unit == (spec.unit_label or spec.unit) else gap_unit
    parts: list[Text] = [
        msg(
            "in {year:g}: {value}, without the scenario {baseline}",
            year=result.time,
            value=_with_unit(format_number(result.value, language), unit),
            baseline=format_number(result.baseline, language),
        )
    ]
    gap = _with_unit(format_number(abs(result.distance), language), gap_unit)
    if result.distance > 0:
        parts.append(msg("{gap} still to go", gap=gap))
    elif result.distance < 0:
        parts.append(msg("{gap} beyond the target", gap=gap))
    else:
        parts.append(msg("exactly on the target"))
    if result.chance is not None:
        parts.append(
            msg("reached in {percent:.0f} % of {runs:,.0f} runs", percent=100 * result.chance, runs=result.n_members)
        )
    return "; ".join(translate(p, language) for p in parts)


def ambitions_text(
    results: Sequence[AmbitionResult], spec: AmbitionsSpec, model: ModelSpec, path: str, language: str = "nl"
) -> str:
    """The block the scorecard prints after its table: a heading, then two lines per ambition and a count."""
    title = spec.title.nl if spec.title and language == "nl" else spec.title.en if spec.title else ""
    head = translate(msg("Ambitions ({path})", path=path), language)
    lines = [head + (f": {title}" if title else "")]
    for result in results:
        word = translate(msg("reached") if result.reached else msg("not reached"), language)
        lines.append(f"  {result.index + 1:>2}  {word:<13} {statement(result, model, language)}")
        lines.append(f"      {'':<13} {detail(result, model, language)}")
        if result.ambition.source:
            source = translate(msg("source: {source}", source=result.ambition.source), language)
            lines.append(f"      {'':<13} {source}")
    reached = sum(r.reached for r in results)
    lines.append(translate(msg("{reached} of {n} ambition(s) reached", reached=reached, n=len(results)), language))
    return "\n".join(lines)


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def ambition_records(results: Sequence[AmbitionResult], model: ModelSpec, language: str = "nl") -> list[dict]:
    """One JSON-ready record per ambition (keys in docs/analysis.md, "Ambitions")."""
    return [
        {
            "index": r.index,
            "label": statement(r, model, language),
            "indicator": r.ambition.indicator,
            "place": r.ambition.place,
            "node": r.node,
            "year": r.ambition.year,
            "time": r.time,
            "comparison": r.ambition.comparison,
            "target": r.ambition.target,
            "source": r.ambition.source,
            "baseline": _number(r.baseline),
            "delta": _number(r.delta),
            "value": _number(r.value),
            "distance": _number(r.distance),
            "reached": r.reached,
            "baseline_distance": _number(r.baseline_distance),
            "baseline_reached": r.baseline_reached,
            "chance": _number(r.chance),
            "n_members": r.n_members,
        }
        for r in results
    ]
