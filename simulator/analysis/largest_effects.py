"""The table ``bwsim run`` prints first: the largest effects of a scenario at the end of its horizon.

A pure function from a run and its model to text, in Dutch or English. Nodes
with a nonzero baseline are ranked by their change relative to the baseline;
nodes whose baseline is zero (flows such as net migration, quantities that only
exist in the scenario such as jobs relocated from elsewhere) have no relative
change, so they are listed apart with their absolute change instead of being
ranked above everything as an "infinite" percentage.
"""

from __future__ import annotations

from simulator.analysis.text import format_number, unit_label
from simulator.results import RunResult
from simulator.spec import ModelSpec

HEADS = {
    "nl": {
        "title": "grootste effecten in",
        "indicator": "indicator",
        "baseline": "basislijn",
        "change": "verandering",
        "unit": "eenheid",
        "none": "(geen effect op enige indicator)",
        "apart": "Zonder basisniveau (stromen en nieuwe grootheden):",
    },
    "en": {
        "title": "largest effects in",
        "indicator": "indicator",
        "baseline": "baseline",
        "change": "change",
        "unit": "unit",
        "none": "(no effect on any indicator)",
        "apart": "Without a baseline level (flows and new quantities):",
    },
}
MAX_LABEL = 60
"""Labels longer than this many characters are shortened with an ellipsis."""


def title(scenario_title: str, scenario: str, year: float, language: str = "nl") -> str:
    """The heading line: ``Medtech-groei (medtech-growth): grootste effecten in 2050``."""
    return f"{scenario_title} ({scenario}): {HEADS[language]['title']} {year:g}"


def largest_effects(result: RunResult, model: ModelSpec, language: str = "nl", n: int = 10, n_apart: int = 5) -> str:
    """The ``n`` largest relative changes at the last time of ``result``, then up to ``n_apart``
    changed nodes without a baseline level, as a text table.

    Numbers in the reader's language (Dutch ``15.000`` and ``0,795``), the
    change with four significant digits, the percentage with one decimal, unit
    words in the reader's language. Units: each node's own.
    """
    heads = HEADS[language]
    nodes = {node.id: node for node in model.nodes}
    delta, base = result.delta[-1], result.baseline[-1]
    changed = [i for i in range(len(result.node_ids)) if delta[i] != 0]
    if not changed:
        return f"  {heads['none']}"
    ranked = sorted((i for i in changed if base[i] != 0), key=lambda i: -abs(delta[i] / base[i]))[:n]
    apart = [i for i in changed if base[i] == 0][:n_apart]

    def label(i: int) -> str:
        text = nodes[result.node_ids[i]].label.get(language)
        return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"

    def unit(i: int) -> str:
        return unit_label(nodes[result.node_ids[i]].shown_unit, language)

    def signed(value: float) -> str:
        return ("+" if value > 0 else "") + format_number(value, language, 4)

    def pct(i: int) -> str:
        text = f"{100 * delta[i] / abs(base[i]):+.1f}"
        return text.replace(".", ",") if language == "nl" else text

    width = max([len(heads["indicator"]), *(len(label(i)) for i in ranked + apart)])
    lines = [f"  {heads['indicator']:<{width}} {heads['baseline']:>12} {heads['change']:>12} {'%':>8}  {heads['unit']}"]
    lines += [
        f"  {label(i):<{width}} {format_number(base[i], language, 4):>12} {signed(delta[i]):>12} {pct(i):>8}  {unit(i)}"
        for i in ranked
    ]
    if apart:
        lines += ["", f"  {heads['apart']}"]
        lines += [f"  {label(i):<{width}} {'':>12} {signed(delta[i]):>12} {'':>8}  {unit(i)}" for i in apart]
    return "\n".join(line.rstrip() for line in lines)


__all__ = ["HEADS", "MAX_LABEL", "largest_effects", "title"]
