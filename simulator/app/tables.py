"""Tables the pages show or edit, made from run results and specs. Pure: no Streamlit.

Nothing here runs the model; these functions select, label and reshape what
:mod:`simulator` returned (and turn edited tables back into model data).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from simulator import effects
from simulator.analysis.text import sentence
from simulator.app.i18n import theme_label, unit_label
from simulator.results import RunResult
from simulator.spec import GrowthBaseline, ModelSpec

LINK_EDIT_COLUMNS = ["from", "to", "low", "weight", "high", "lag", "delay"]
NODE_EDIT_COLUMNS = ["id", "label", "unit", "baseline", "min", "max"]


def path_table(results: dict[str, RunResult], node: str, baseline_name: str) -> pd.DataFrame:
    """Values of ``node`` over time for the baseline and each run; columns time, series, value, baseline."""
    frames = []
    first = next(iter(results.values()))
    i = first.node_ids.index(node)
    frames.append(
        pd.DataFrame(
            {
                "time": first.times,
                "series": baseline_name,
                "value": first.baseline[:, i],
                "baseline": True,
            }
        )
    )
    for name, result in results.items():
        j = result.node_ids.index(node)
        frames.append(
            pd.DataFrame(
                {
                    "time": result.times,
                    "series": name,
                    "value": result.value[:, j],
                    "baseline": False,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def path_lines(results: dict[str, RunResult], node: str, baseline_name: str) -> list:
    """:func:`path_table` as the lines of :func:`simulator.app.charts.path_figure` (``PathSeries``), without
    a table: the baseline, then each run, their arrays as the runs hold them (read only)."""
    from simulator.app.charts import PathSeries

    first = next(iter(results.values()))
    i = first.node_ids.index(node)
    lines = [PathSeries(baseline_name, first.times, first.baseline[:, i], True)]
    for name, result in results.items():
        j = result.node_ids.index(node)
        lines.append(PathSeries(name, result.times, result.value[:, j], False))
    return lines


def band_table(summary: Any, result: RunResult, node: str, series: str) -> pd.DataFrame:
    """The 5-95 % band of ``node`` in values (baseline + deviation quantiles); columns time, series, low, high."""
    p05, _, p95 = summary.band(node)
    base = result.baseline[:, result.node_ids.index(node)]
    return pd.DataFrame({"time": summary.times, "series": series, "low": base + p05, "high": base + p95})


key_nodes = effects.largest_changes
differences = effects.differences


def effect_sentences(
    card: pd.DataFrame, result: RunResult, nodes: list[str], language: str = "nl", model: ModelSpec | None = None
) -> list[str]:
    """Plain sentences for ``nodes`` with timing.

    With ``model``, the app's wording (:func:`simulator.app.answer.indicator_sentence`: articles, two significant
    digits): "In 2035 is de werkloosheid 0,77 procentpunt lager dan zonder ingreep: een verbetering; de helft
    daarvan al in 2028." Without it, the command line's wording (:func:`simulator.analysis.text.sentence`).
    ``card`` is the one-year scorecard of ``result``; nodes without a change are left out.
    """
    from simulator.app.answer import indicator_sentence

    out = []
    for node in nodes:
        row = card[card["node"] == node]
        if row.empty or row["delta"].iloc[0] == 0:
            continue
        r = row.iloc[0].copy()
        if model is not None:
            text = indicator_sentence(model, r, language).rstrip(".")
        else:
            r["unit"] = unit_label(str(r["unit"]), language)
            text = sentence(r, language).rstrip(".")
        half = effects.half_time(result, node, r["year"])
        if half is not None and half < r["year"]:
            text += f"; de helft daarvan al in {half:.0f}" if language == "nl" else f"; half of it by {half:.0f}"
        out.append(text + ".")
    return out


def tradeoff_lines(card: pd.DataFrame, language: str = "nl", n: int = 3) -> list[str]:
    """Up to ``n`` trade-offs of a one-year scorecard: "Milieu (later) loses where Arbeid (hier en nu) gains".

    The pairs of :func:`simulator.analysis.tradeoffs.tradeoffs` (a group's net is its improving minus its
    worsening nodes; a gaining group against a losing one, in the card's order), largest ``gains - loses``
    first, counted in one pass over the card's records: this runs on every slider move, and the pandas
    group-by behind ``tradeoffs`` cost more than the rest of the sentences together.
    """
    nets: dict[tuple, dict[tuple[str, str], int]] = {}
    for r in card[["scenario", "year", "dimension", "theme", "verdict"]].itertuples(index=False):
        group = nets.setdefault((r.scenario, r.year), {}).setdefault((r.dimension, r.theme), 0)
        nets[(r.scenario, r.year)][(r.dimension, r.theme)] = (
            group + (r.verdict == "improves") - (r.verdict == "worsens")
        )
    pairs = [
        (g_net - l_net, gain, loss)
        for groups in nets.values()
        for gain, g_net in groups.items()
        if g_net > 0
        for loss, l_net in groups.items()
        if l_net < 0
    ]
    pairs.sort(key=lambda pair: -pair[0])  # stable: ties keep the card's order
    lines = []
    for _, (gain_dim, gain_theme), (loss_dim, loss_theme) in pairs[:n]:
        gain = f"{theme_label(gain_theme)} ({gain_dim.replace('_', ' ')})"
        loss = f"{theme_label(loss_theme)} ({loss_dim.replace('_', ' ')})"
        lines.append(f"{gain} wint, {loss} verliest" if language == "nl" else f"{gain} gains, {loss} loses")
    return lines


def links_table(model: ModelSpec) -> pd.DataFrame:
    """The links as an editable table: range and central weight, central lag, delay type."""
    rows = []
    for link in model.links:
        lo, hi = link.weight.support
        if not (math.isfinite(lo) and math.isfinite(hi)):
            lo, hi = link.weight.central, link.weight.central
        rows.append(
            {
                "from": link.source,
                "to": link.target,
                "low": lo,
                "weight": link.weight.central,
                "high": hi,
                "lag": link.lag.central,
                "delay": link.delay,
            }
        )
    return pd.DataFrame(rows, columns=LINK_EDIT_COLUMNS)


def nodes_table(model: ModelSpec, language: str = "nl") -> pd.DataFrame:
    """The nodes as an editable table (baseline: a plain number, or the start value of a growth path)."""
    rows = []
    for node in model.nodes:
        base = node.baseline
        value = base if isinstance(base, float) else base.value if isinstance(base, GrowthBaseline) else None
        rows.append(
            {
                "id": node.id,
                "label": node.label.get(language),
                "unit": unit_label(node.shown_unit, language),
                "baseline": value,
                "min": node.min,
                "max": node.max,
            }
        )
    return pd.DataFrame(rows, columns=NODE_EDIT_COLUMNS)


def clean_number(value: Any) -> float | None:
    """A table cell as a number: None when it is empty, NaN or not a number."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


_clean = clean_number


def stays_fixed(row: dict[str, Any], original: dict[str, Any]) -> bool:
    """True when a fixed link (low = weight = high in the table) had only its weight edited:
    it stays a fixed link at the new weight instead of a range that no longer holds it."""
    low, weight, high = (clean_number(original[k]) for k in ("low", "weight", "high"))
    return low == weight == high and clean_number(row["low"]) == low and clean_number(row["high"]) == high


def _link_data(link: dict[str, Any], row: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    if row == original:
        return link
    low, mode, high = _clean(row["low"]), _clean(row["weight"]), _clean(row["high"])
    scored = "score" in link or "scores" in link
    if scored and all(_clean(row[k]) == _clean(original[k]) for k in ("low", "weight", "high")):
        pass  # an expert-scored link whose weight was not edited keeps its scores
    else:
        if scored:  # an edited weight replaces the experts' scores
            link.pop("score", None)
            link.pop("scores", None)
        mode = (link["weight"] if "weight" in link else _clean(original["weight"])) if mode is None else mode
        if (low, high) == (mode, mode) or low is None or high is None or stays_fixed(row, original):
            link["weight"] = mode
        else:
            link["weight"] = {"low": low, "mode": mode, "high": high}
    lag = _clean(row["lag"])
    if lag != _clean(original["lag"]) or row["delay"] != original["delay"]:
        link["lag"] = 0.0 if lag is None else lag
        link["delay"] = row["delay"] or None
    return link


def edited_model_data(model: ModelSpec, links: pd.DataFrame, nodes: pd.DataFrame) -> dict[str, Any]:
    """Model data (as in a file) with the edited tables applied; validate it with ``load_model_text``.

    Only rows that changed are rewritten, so distributions a table cannot show
    (normal, uniform, series baselines) are kept as they were.
    """
    data = model.model_dump(by_alias=True, exclude_none=True)
    before_links = links_table(model).to_dict("records")
    for i, row in enumerate(links.to_dict("records")[: len(data["links"])]):
        data["links"][i] = _link_data(data["links"][i], row, before_links[i])
    before_nodes = nodes_table(model).to_dict("records")
    for i, row in enumerate(nodes.to_dict("records")[: len(data["nodes"])]):
        node, original = data["nodes"][i], before_nodes[i]
        for key in ("min", "max"):
            if _clean(row[key]) != _clean(original[key]):
                node[key] = _clean(row[key])
                if node[key] is None:
                    node.pop(key)
        value = _clean(row["baseline"])
        if value is not None and value != _clean(original["baseline"]):
            if isinstance(node["baseline"], dict):
                node["baseline"]["value"] = value
            else:
                node["baseline"] = value
    return data


MONTHS = {
    "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def date_label(year: float, language: str = "nl") -> str:
    """A model time (decimal year) as a date people read: 2027.0 -> "2027", 2027.25 -> "apr 2027"."""
    whole = math.floor(year + 1e-9)
    month = min(int(round((year - whole) * 12)), 11)
    return f"{whole}" if month == 0 else f"{MONTHS.get(language, MONTHS['nl'])[month]} {whole}"
