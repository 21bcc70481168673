"""The answer first: headline indicators, one verdict sentence per dimension, sized scorecard cells.

Pure functions from a one-year scorecard (:func:`simulator.analysis.scorecard.scorecard`)
to what the top of the home page shows; no Streamlit. Numbers go through
:mod:`simulator.app.numbers` (two significant digits in sentences).

The size of a scorecard cell (documented in docs/analysis.md, "The app's scorecard
cells"): among the cell's indicators that improve or worsen, the one with the
largest relative change ``|delta / baseline|`` gives the cell its size, signed
``+`` when it improves and ``-`` when it worsens. Indicators with a zero baseline
(no relative change) count only when no other indicator of the cell moves; the
cell then shows that indicator's change in its own unit. Indicators a lever pushes
directly size a cell only when nothing else in it moves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.ambitions import AmbitionsSpec
from simulator.analysis.ambition_report import detail as ambition_detail
from simulator.analysis.ambition_report import statement as ambition_statement
from simulator.analysis.ambitions import ambition_times, judge
from simulator.analysis.text import change_unit, subject, unit_label
from simulator.app import numbers
from simulator.app.i18n import t, theme_label
from simulator.identity_cache import IdentityCache
from simulator.results import RunResult
from simulator.spec import DIMENSIONS, ModelSpec
from simulator.themes import theme_order

# The indicators policymakers ask about first: unemployment, income, housing costs, health, CO2.
HEADLINE_IDS = ("unemployment_rate", "disposable_income", "housing_cost_burden", "perceived_health", "co2_emissions")
# For another model: the first scored indicator of each of these themes (file order).
HEADLINE_THEMES = ("arbeid_en_vrije_tijd", "materiele_welvaart", "wonen", "gezondheid", "milieu")

_RECORDS: IdentityCache[tuple[dict, ...]] = IdentityCache()


def records(card: pd.DataFrame) -> tuple[dict, ...]:
    """The rows of a one-year scorecard as dicts, made once per card object (read them, do not change them).

    The home page reads the same cached card six times per slider move (headlines, cells, three
    dimension sentences, the cells' lines); pandas' ``to_dict("records")`` was about a fifth of the
    answer's time. A card is not changed after it is made (:func:`simulator.app.state.scorecard_of`
    caches it), so the object is a sound key.
    """
    return _RECORDS.get(card, "records", lambda: tuple(card.to_dict("records")))


MAX_HEADLINES = 5

# Short names for the headline metrics (the model's label when a node is not here).
HEADLINE_LABELS = {
    "unemployment_rate": ("Werkloosheid", "Unemployment"),
    "disposable_income": ("Inkomen (mediaan)", "Income (median)"),
    "housing_cost_burden": ("Hoge woonlasten", "High housing costs"),
    "perceived_health": ("Goede gezondheid", "Good health"),
    "co2_emissions": ("CO2-uitstoot verkeer", "Traffic CO2"),
}


def headline_nodes(model: ModelSpec, n: int = MAX_HEADLINES) -> list[str]:
    """Up to ``n`` headline indicators: :data:`HEADLINE_IDS` the model has, else the first scored
    indicator of each of :data:`HEADLINE_THEMES`."""
    ids = [i for i in HEADLINE_IDS if i in model.node_ids]
    if not ids:
        for theme in HEADLINE_THEMES:
            first = next((x for x in model.nodes if x.theme == theme and x.direction != "neutral"), None)
            if first is not None:
                ids.append(first.id)
    return ids[:n]


def default_path_nodes(model: ModelSpec, skip: set[str]) -> list[str]:
    """The key paths shown first: income, housing costs, health and CO2 (the headlines after work),
    leaving out the nodes the levers push (``skip``)."""
    heads = headline_nodes(model)
    rest = [n for n in heads if model.node(n).theme != "arbeid_en_vrije_tijd" and n not in skip]
    return rest or [n for n in heads if n not in skip]


def _short_unit(unit: str, language: str) -> str:
    """A unit short enough for a metric: ``% of labour force`` -> ``%``."""
    text = re.sub(r"\s*/\s*", "/", unit_label(unit, language))
    return "%" if text.strip().startswith("%") else text


def _amount(delta: float, unit: str, language: str, *, sign: bool = False) -> str:
    """A change with its unit: ``0,77 procentpunt``, ``+1.200 €/jaar``."""
    words = re.sub(r"\s*\(.*?\)", "", change_unit(unit_label(unit, language), language))  # no "(expertpanel)"
    words = re.sub(r"\s*/\s*", "/", words)
    return f"{numbers.number(delta, language, sign=sign)} {words}".strip()


@dataclass(frozen=True)
class Headline:
    """One headline metric: label, value in the chosen year, change against the baseline.

    Attributes
    ----------
    node, label : str
    value : str
        The scenario's value in the year, formatted, with a short unit.
    delta : str
        The change, signed, in the change's unit ("-0,77 procentpunt").
    colour : str
        ``normal`` (more is better), ``inverse`` (less is better) or ``off`` (neutral, or a level change), as
        ``st.metric`` takes it.
    help : str
        The full unit and what the change is measured against.
    """

    node: str
    label: str
    value: str
    delta: str
    colour: str
    help: str


def headlines(model: ModelSpec, card: pd.DataFrame, language: str = "nl") -> list[Headline]:
    """The headline metrics of a one-year scorecard ``card``."""
    out = []
    first: dict[str, dict] = {}
    for record in records(card):  # one pass, not one filter per headline
        first.setdefault(record["node"], record)
    for node in headline_nodes(model):
        row = first.get(node)
        if row is None:
            continue
        value = float(row["baseline"]) + float(row["delta"])
        unit = str(row["unit"])
        colour = (
            "off"
            if row["verdict"] == "level"
            else {"up": "normal", "down": "inverse"}.get(str(row["direction"]), "off")
        )  # a level change (e.g. below the survey's precision) is grey
        year = f"{float(row['year']):g}"
        help_text = t(
            "headline_help",
            language,
            year=year,
            unit=unit_label(unit, language),
            base=numbers.number(float(row["baseline"]), language, 3),
        )
        precision = model.node(node).indicator.precision
        if precision and 0 < abs(float(row["delta"])) < precision:
            help_text += " " + t("headline_below_precision", language, precision=_amount(precision, unit, language))
        out.append(
            Headline(
                node,
                HEADLINE_LABELS[node][0 if language == "nl" else 1] if node in HEADLINE_LABELS else str(row["label"]),
                f"{numbers.number(value, language, 3)} {_short_unit(unit, language)}".strip(),
                _amount(float(row["delta"]), unit, language, sign=True) if float(row["delta"]) else "0",
                colour,
                help_text,
            )
        )
    return out


def _moving(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["verdict"].isin(["improves", "worsens"])]


def _largest(rows: pd.DataFrame) -> pd.Series | None:
    """The row with the largest relative change (a zero baseline's row only when no other moves)."""
    if rows.empty:
        return None
    size = rows["relative"].abs()
    if size.notna().any():
        return rows.loc[size.idxmax()]
    return rows.loc[rows["delta"].abs().idxmax()]


def _largest_record(rows: list[dict]) -> dict | None:
    """:func:`_largest` over records: the first row with the largest ``|relative|`` (NaN left out), else
    the first with the largest ``|delta|``."""
    if not rows:
        return None
    sized = [r for r in rows if pd.notna(r["relative"])]
    if sized:
        return max(sized, key=lambda r: abs(float(r["relative"])))
    return max(rows, key=lambda r: abs(float(r["delta"])))


def cells(card: pd.DataFrame, skip: frozenset[str] = frozenset()) -> pd.DataFrame:
    """One row per dimension and theme of a one-year scorecard, in CBS order, with the cell's size.

    Columns ``dimension, theme, verdict`` (improves | worsens | mixed | level | neutral),
    ``score`` (the signed relative change of the largest mover, + better; NaN when none moves or
    its baseline is zero), ``node`` (that mover, "" if none), ``delta``, ``unit``, ``n_improves``,
    ``n_worsens``, ``n_level``, ``n_neutral``, ``share_agree`` (lowest among the movers; NaN
    without an ensemble). ``skip``: nodes the levers push directly; they size a cell only when nothing
    else in it moves.
    """
    # Plain Python over the card's records, in the card's order (one pass instead of pandas filters per
    # cell: this runs on every slider move); the same rules as _moving and _largest.
    groups: dict[tuple[str, str], list[dict]] = {}
    for record in records(card):
        groups.setdefault((record["dimension"], record["theme"]), []).append(record)
    rows = []
    for (dimension, theme), part in groups.items():
        moving = [r for r in part if r["verdict"] in ("improves", "worsens")]
        named = [r for r in moving if r["node"] not in skip]
        top = (_largest_record(named) if named else None) or _largest_record(moving)
        counts = {f"n_{v}": sum(r["verdict"] == v for r in part) for v in ("improves", "worsens", "level", "neutral")}
        verdict = (
            "mixed"
            if counts["n_improves"] and counts["n_worsens"]
            else "improves"
            if counts["n_improves"]
            else "worsens"
            if counts["n_worsens"]
            else "level"
            if counts["n_level"]
            else "neutral"
        )
        score = math.nan
        if top is not None and pd.notna(top["relative"]):
            score = abs(float(top["relative"])) * (1 if top["verdict"] == "improves" else -1)
        shares = [float(r["share_agree"]) for r in moving if pd.notna(r["share_agree"])]
        rows.append(
            {
                "dimension": dimension,
                "theme": theme,
                "verdict": verdict,
                "score": score,
                "node": "" if top is None else str(top["node"]),
                "delta": math.nan if top is None else float(top["delta"]),
                "unit": "" if top is None else str(top["unit"]),
                "share_agree": min(shares) if shares else math.nan,
                **counts,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["_d"] = frame["dimension"].map({d: i for i, d in enumerate(DIMENSIONS)})
    frame["_t"] = [theme_order(th, d) for th, d in zip(frame["theme"], frame["dimension"], strict=True)]
    return frame.sort_values(["_d", "_t", "theme"], kind="stable").drop(columns=["_d", "_t"]).reset_index(drop=True)


def cell_mark(cell: pd.Series | dict, language: str = "nl") -> str:
    """A cell's text: ``▲ 3,4 %`` (largest change an improvement of 3.4 % of the baseline), ``▼ 1,2 %``,
    ``=`` (all level), ``·`` (only neutral indicators); with an ensemble the share of runs that agree
    follows in brackets."""
    if cell["verdict"] == "level":
        return "="
    if cell["verdict"] == "neutral" or not cell["node"]:
        return "·"
    arrow = "▲" if (cell["score"] > 0 if pd.notna(cell["score"]) else cell["verdict"] == "improves") else "▼"
    if pd.notna(cell["score"]):
        size = numbers.percent(abs(cell["score"]), language)
    else:
        size = _amount(abs(cell["delta"]), cell["unit"], language)
    text = f"{arrow} {size}"
    if cell["verdict"] == "mixed":
        text += " ±"
    if pd.notna(cell.get("share_agree", math.nan)):
        text += f" ({numbers.percent(cell['share_agree'], language, 2)})"
    return text.replace(" ", "\u00a0")  # one unit: a narrow cell wraps before it, not inside it


def change_words(row: pd.Series | dict, language: str = "nl") -> str:
    """``0,77 procentpunt lager`` / ``0.77 percentage points lower``."""
    up = float(row["delta"]) > 0
    word = ("hoger" if up else "lager") if language == "nl" else ("higher" if up else "lower")
    return f"{_amount(abs(float(row['delta'])), str(row['unit']), language)} {word}"


def indicator_sentence(model: ModelSpec, row: pd.Series | dict, language: str = "nl") -> str:
    """One indicator's change as a sentence with its article and two significant digits:
    "In 2035 is de werkloosheid 0,77 procentpunt lager dan zonder ingreep: een verbetering."."""
    year = f"{float(row['year']):g}"
    name = subject(model, str(row["node"]), language)
    verdict = str(row["verdict"])
    if verdict == "level" or float(row["delta"]) == 0:
        return t("sentence_level", language, year=year, name=name)
    text = t("sentence_change", language, year=year, name=name, change=change_words(row, language))
    if verdict in ("improves", "worsens"):
        text += t(f"sentence_{verdict}", language)
        share = row.get("share_agree", math.nan)
        if pd.notna(share):
            text += t("sentence_share", language, share=numbers.percent(float(share), language))
    return text[:1].upper() + text[1:] + "."


def _mover(model: ModelSpec, row: pd.Series | dict | None, language: str) -> str:
    if row is None:
        return ""
    relative = f" ({numbers.percent(float(row['relative']), language, sign=True)})" if pd.notna(row["relative"]) else ""
    return f"{subject(model, str(row['node']), language)}, {change_words(row, language)}{relative}"


def dimension_sentence(
    model: ModelSpec, card: pd.DataFrame, dimension: str, language: str = "nl", skip: frozenset[str] = frozenset()
) -> str:
    """The verdict of one dimension in one sentence with sizes: how many indicators get better or worse,
    and the largest improvement and worsening (relative to the baseline). "" when the model has none.

    ``skip``: nodes the levers push directly; they are counted but never named as the largest change
    (that a jobs lever adds jobs says nothing new)."""
    # Plain Python over the card's records (pandas filters per dimension cost more than the sentence).
    rows = [r for r in records(card) if r["dimension"] == dimension]
    if not rows:
        return ""
    scored = [r for r in rows if r["verdict"] != "neutral"]
    better = [r for r in rows if r["verdict"] == "improves"]
    worse = [r for r in rows if r["verdict"] == "worsens"]
    named_better = [r for r in better if r["node"] not in skip]
    named_worse = [r for r in worse if r["node"] not in skip]
    name = t(dimension, language)
    name = name[:1].upper() + name[1:]
    if not better and not worse:
        return t("dimension_level", language, dimension=name, n=len(scored))
    text = t("verdict_counts", language, dimension=name, better=len(better), worse=len(worse), n=len(scored))
    if named_better:
        text += t("verdict_best", language, what=_mover(model, _largest_record(named_better), language))
    if named_worse:
        text += t("verdict_worst", language, what=_mover(model, _largest_record(named_worse), language))
    return text + "."


def dimension_sentences(
    model: ModelSpec, card: pd.DataFrame, language: str = "nl", skip: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(dimension, sentence) for each dimension the model has, in CBS order (``skip``: see
    :func:`dimension_sentence`)."""
    out = [(d, dimension_sentence(model, card, d, language, skip)) for d in DIMENSIONS]
    return [(d, s) for d, s in out if s]


def cell_indicators(
    model: ModelSpec, card: pd.DataFrame, dimension: str, theme: str, language: str = "nl"
) -> list[str]:
    """The lines a cell opens to: each indicator of the cell with its change and verdict."""
    return all_cell_indicators(model, card, language).get((dimension, theme), [])


def all_cell_indicators(model: ModelSpec, card: pd.DataFrame, language: str = "nl") -> dict[tuple[str, str], list[str]]:
    """:func:`cell_indicators` of every cell at once, by ``(dimension, theme)``: one pass over the card
    instead of one filter per cell (the home page opens every cell's lines on each slider move)."""
    out: dict[tuple[str, str], list[str]] = {}
    for row in records(card):
        lines = out.setdefault((row["dimension"], row["theme"]), [])
        verdict = t(f"verdict_{row['verdict']}", language)
        if row["verdict"] == "level" or float(row["delta"]) == 0:
            lines.append(f"{row['label']}: {verdict}")
            continue
        relative = (
            f", {numbers.percent(float(row['relative']), language, sign=True)}" if pd.notna(row["relative"]) else ""
        )
        lines.append(f"{row['label']}: {change_words(row, language)}{relative} ({verdict})")
    return out


def theme_title(theme: str, language: str = "nl") -> str:
    """A theme's name for a cell: CBS's spelling (``Materiële welvaart``) or the English name."""
    return theme_label(theme, language)


@dataclass(frozen=True)
class AmbitionLine:
    """One ambition as the home page shows it: reached or not, its statement, and what decided it."""

    reached: bool
    statement: str
    detail: str


def ambition_lines(
    model: ModelSpec,
    spec: AmbitionsSpec,
    nodes: tuple[str, ...],
    result: RunResult,
    members_at: Callable[[list[int]], np.ndarray] | None = None,
    language: str = "nl",
) -> list[AmbitionLine]:
    """The model's ambitions judged on the future ``result`` (:func:`simulator.analysis.ambitions.judge`),
    worded as ``bwsim scorecard`` words them; ambitions whose year lies outside the run's horizon are left
    out. ``members_at(indices)``: the ensemble's kept members' deviations at those time indices (the band's
    runs), for the chance of reaching each."""
    start, end = float(result.times[0]), float(result.times[-1])
    inside = [i for i, a in enumerate(spec.ambitions) if start - 1e-9 <= a.year <= end + 1e-9]
    if not inside:
        return []
    kept = spec.model_copy(update={"ambitions": [spec.ambitions[i] for i in inside]})
    members = members_at(ambition_times(kept, result.times)) if members_at is not None else None
    judged = judge(
        kept, tuple(nodes[i] for i in inside), result.node_ids, result.times, result.baseline, result.delta, members
    )
    return [
        AmbitionLine(r.reached, ambition_statement(r, model, language), ambition_detail(r, model, language))
        for r in judged
    ]
