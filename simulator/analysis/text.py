"""Words and tables for people: numbers in Dutch or English, scorecard sentences, text tables.

Pure functions from analysis tables to strings (no printing), shared by the
command line and the app.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from simulator.messages import LANGUAGES, Localized, localize_number, msg, translate
from simulator.spec import (
    DIMENSIONS,
    LinkSpec,
    Lookup,
    ModelSpec,
    Saturation,
    ScoredWeight,
    Threshold,
    gross_node,
)
from simulator.themes import theme_name

DIMENSION_NAMES = {
    "nl": {"hier_en_nu": "hier en nu", "later": "later", "elders": "elders"},
    "en": {
        "hier_en_nu": "hier en nu (here and now)",
        "later": "later (later generations)",
        "elders": "elders (elsewhere)",
    },
}
VERDICT_WORDS = {
    "nl": {
        "improves": "verbetert",
        "worsens": "verslechtert",
        "level": "gelijk",
        "neutral": "neutraal",
        "mixed": "gemengd",
        "widens": "groter",
        "narrows": "kleiner",
    },
    "en": {
        "improves": "improves",
        "worsens": "worsens",
        "level": "level",
        "neutral": "neutral",
        "mixed": "mixed",
        "widens": "widens",
        "narrows": "narrows",
    },
}
SYMBOLS = {"improves": "+", "worsens": "-", "level": "=", "neutral": ".", "mixed": "+/-"}


def format_number(value: float, language: str = "nl", digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits (no trailing zeros).

    Dutch separators (1.234,5) or English ones (1,234.5), by ``language`` (Babel writes them).
    """
    if value is None or not math.isfinite(value):
        return "n.v.t." if language == "nl" else "n/a"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -4:
        return localize_number(f"{value:.{digits - 1}e}", language)
    decimals = max(0, digits - 1 - magnitude)
    text = f"{round(value, decimals):,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return localize_number(text, language)


# Unit words of the models (written in English) and their Dutch forms; longest first when replacing.
UNIT_WORDS_NL: dict[str, str] = {
    "fraction of baseline": "deel van basispad",
    "unsafe in own neighbourhood": "onveilig in eigen buurt",
    "buildings and land": "gebouwen en grond",
    "with free time": "met vrije tijd",
    "minutes one way": "minuten enkele reis",
    "of labour force": "van de beroepsbevolking",
    "expert panel": "expertpanel",
    "satisfied": "tevreden",
    "index_points": "indexpunten",
    "index_point": "indexpunt",
    "offences": "delicten",
    "offence": "delict",
    "thousand": "duizend",
    "pp": "procentpunt",
    "households": "huishoudens",
    "household": "huishouden",
    "dwellings": "woningen",
    "dwelling": "woning",
    "packages": "pakketten",
    "persons": "personen",
    "person": "persoon",
    "adults": "volwassenen",
    "moves": "verhuizingen",
    "years": "jaren",
    "year": "jaar",
    "jobs": "banen",
    "job": "baan",
    "of pop.": "van de bev.",
    "pop.": "bev.",
    "1,000": "1.000",
    "inh.": "inw.",
    "per yr": "per jaar",
    "/yr": "/jaar",
    "yr": "jaar",
}


def unit_label(unit: str, language: str = "nl") -> str:
    """A model's unit (English words) in ``language``: in Dutch the common unit words are translated.

    ``"jobs"`` -> ``"banen"``, ``"mln packages/yr"`` -> ``"mln pakketten/jaar"``; symbols and
    numbers stay as they are. English is returned as written, a unit name's ``_`` as a space
    (``index_point`` -> ``index point``).
    """
    if not unit:
        return unit
    if language != "nl":
        return unit.replace("_", " ")
    words = sorted(UNIT_WORDS_NL, key=len, reverse=True)
    pattern = re.compile("|".join(r"(?<![A-Za-z])" + re.escape(w) + r"(?![A-Za-z])" for w in words))
    return pattern.sub(lambda m: UNIT_WORDS_NL[m.group(0)], unit)


def change_unit(unit: str, language: str) -> str:
    """The unit of a change: a percentage's change is in percentage points."""
    if unit.strip().startswith("%"):
        return "procentpunt" if language == "nl" else "percentage points"
    return unit


# Dutch head words that take "het" (the last part of a compound decides: huishoudinkomen -> het).
HET_ENDINGS = (
    "inkomen",
    "vertrouwen",
    "terrein",
    "aantal",
    "aandeel",
    "percentage",
    "saldo",
    "verkeer",
    "welzijn",
    "kapitaal",
    "niveau",
    "gebied",
    "verbruik",
    "gewicht",
    "loon",
    "werk",
    "bedrijf",
)
PREPOSITIONS = {"in", "met", "van", "uit", "aan", "voor", "naar", "per", "op", "door", "bij", "en"}


def subject(model: ModelSpec, node: str, language: str = "nl") -> str:
    """How a sentence names ``node``: ``"de werkloosheid"``, ``"het migratiesaldo"``.

    The node's ``phrase`` when the model gives one; else its label, lower-cased (not an
    acronym such as CO2) and, in Dutch, with "het" when its head word (the word before the
    first preposition or "en", else the last) ends in a "het" word, "het aantal" when the
    head is a plural (ends in -en or -s), else "de". Place names (capitalised words after the
    first, as in "Werkloosheid Heerlen en Kerkrade") are never the head.
    """
    spec = model.node(node)
    if spec.phrase is not None:
        return spec.phrase.get(language)
    label = model.node(node).label.get(language)
    if len(label) > 1 and not (label[1].isupper() or label[1].isdigit()):
        label = label[0].lower() + label[1:]
    if language != "nl":
        return label
    words = [w for w in label.split() if not w.startswith("(")] or label.split()
    words = [words[0]] + [w for w in words[1:] if not w[:1].isupper()]
    head = next((w for w, after in zip(words, words[1:], strict=False) if after in PREPOSITIONS), words[-1])
    head = re.sub(r"[^a-zë]", "", head.lower())
    if head.endswith(HET_ENDINGS):
        return "het " + label
    return ("het aantal " if head.endswith(("en", "s")) else "de ") + label


def sentence(row: pd.Series | dict, language: str = "nl", model: ModelSpec | None = None) -> str:
    """One scorecard row as a sentence, the change to two significant digits (the whole part kept).

    With ``model`` the indicator is named as a sentence names it (:func:`subject`, with its
    article); without, by its label. Example (nl, with the Heerlen model): "In 2035 is de
    werkloosheid 0,6 procentpunt lager dan zonder het scenario: een verbetering (in 92 % van de runs)."
    """
    year = f"{row['year']:g}"
    label = subject(model, str(row["node"]), language) if model is not None else row["label"]
    unit = change_unit(unit_label(str(row["unit"]), language), language)
    amount = f"{format_number(abs(float(row['delta'])), language, 2)} {unit}".strip()
    nl = language == "nl"
    # English: "label: amount higher", since a label may be singular or plural ("jobs", "trust")
    if row["verdict"] == "level":
        text = (
            f"In {year} is {label} vrijwel gelijk aan zonder het scenario"
            if nl
            else f"In {year}, {label}: about the same as without the scenario"
        )
    else:
        up = float(row["delta"]) > 0
        word = ("hoger" if up else "lager") if nl else ("higher" if up else "lower")
        text = (
            f"In {year} is {label} {amount} {word} dan zonder het scenario"
            if nl
            else f"In {year}, {label}: {amount} {word} than without the scenario"
        )
        if row["verdict"] in ("improves", "worsens"):
            good = row["verdict"] == "improves"
            text += (
                (": een verbetering" if good else ": een verslechtering")
                if nl
                else (", an improvement" if good else ", a worsening")
            )
        else:
            text += " (niet gescoord)" if nl else " (not scored)"
    share = row.get("share_agree", float("nan"))
    if share is not None and np.isfinite(share) and row["verdict"] != "neutral":
        pct = format_number(100 * float(share), language, 2)
        text += f" (in {pct} % van de runs)" if nl else f" (in {pct} % of runs)"
    if not bool(row["quantified"]):
        text += " [expertoordeel]" if nl else " [expert-scored]"
    return text + "."


def gross_net_lines(rows: pd.DataFrame, model: ModelSpec, language: str = "nl") -> list[str]:
    """One line per net node (``net_of``) of one year's scorecard rows: its gross node's change, the net change
    and the share that is additional, e.g. "Banen in Parkstad: +4.680 banen bruto, +3.090 netto (66 % additioneel)".

    Empty when the model has no net node. Changes to two significant digits (the whole part kept), as in
    :func:`sentence`.
    """
    delta = dict(zip(rows["node"], rows["delta"], strict=True))
    lines = []
    for node in model.nodes:
        gross_id = gross_node(model, node)
        if gross_id is None or node.id not in delta or gross_id not in delta:
            continue
        gross, net = float(delta[gross_id]), float(delta[node.id])
        unit = change_unit(unit_label(model.node(gross_id).unit, language), language)

        def signed(value: float) -> str:
            return ("+" if value > 0 else "−" if value < 0 else "") + format_number(abs(value), language, 2)

        label = model.node(gross_id).label.get(language)
        if gross != 0 and math.isfinite(net / gross):
            text = msg(
                "{label}: {gross} {unit} gross, {net} net ({share} % additional)",
                label=label,
                gross=signed(gross),
                unit=unit,
                net=signed(net),
                share=format_number(100 * net / gross, language, 2),
            )
        else:
            text = msg(
                "{label}: {gross} {unit} gross, {net} net", label=label, gross=signed(gross), unit=unit, net=signed(net)
            )
        lines.append(translate(text, language))
    return lines


def _cell(row: pd.Series) -> str:
    text = SYMBOLS[row["verdict"]]
    if np.isfinite(row["share_agree"]) and row["verdict"] in ("improves", "worsens", "mixed"):
        text += f" {100 * row['share_agree']:.0f}%"
    counts = f"{row['n_improves']}/{row['n_worsens']}" if row["verdict"] == "mixed" else ""
    return f"{text} {counts}".strip() + ("*" if row["expert_scored"] else "")


def scorecard_table(groups: pd.DataFrame, language: str = "nl") -> str:
    """The per-theme summary (:func:`~simulator.analysis.scorecard.summary`) as a text table.

    One block per dimension (all three are always shown), one row per theme,
    one column per year: ``+`` improves, ``-`` worsens, ``+/- i/w`` mixed (i
    improving and w worsening nodes), ``=`` level, ``.`` neutral; with an
    ensemble the lowest share of runs that agree; ``*`` an expert-scored node.
    """
    years = sorted(groups["year"].unique())
    head = f"  {'':<30}" + "".join(f"{y:>14g}" for y in years)
    lines = [head]
    for dim in DIMENSIONS:
        lines.append(f"  {DIMENSION_NAMES[language][dim]}")
        part = groups[groups["dimension"] == dim]
        if part.empty:
            lines.append("    " + ("(geen indicatoren)" if language == "nl" else "(no indicators)"))
        for theme in dict.fromkeys(part["theme"]):
            cells = part[part["theme"] == theme].set_index("year")
            lines.append(
                f"    {theme_name(theme)[:28]:<28}"
                + "".join(f"{_cell(cells.loc[y]) if y in cells.index else '':>14}" for y in years)
            )
    legend = (
        "  + verbetert, - verslechtert, +/- gemengd (aantal beter/slechter), = gelijk, . neutraal"
        if language == "nl"
        else "  + improves, - worsens, +/- mixed (number better/worse), = level, . neutral"
    )
    if groups["share_agree"].notna().any():
        legend += "; % = aandeel runs dat het eens is" if language == "nl" else "; % = share of runs that agree"
    if groups["expert_scored"].any():
        legend += "; * expertoordeel" if language == "nl" else "; * expert-scored"
    return "\n".join(lines + [legend])


def table(frame: pd.DataFrame, columns: list[str], widths: list[int], formats: dict | None = None) -> str:
    """A fixed-width text table of ``columns`` (numbers right-aligned, text left-aligned).

    A column is at least as wide as its heading (headings are translated, so their length varies).
    """
    formats = formats or {}
    widths = [max(width, len(col)) for col, width in zip(columns, widths, strict=True)]
    cells = []
    for _, row in frame.iterrows():
        line = []
        for col, width in zip(columns, widths, strict=True):
            value = row[col]
            text = formats[col](value) if col in formats else str(value)
            numeric = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            line.append(f"{text[: abs(width)]:>{width}}" if numeric else f"{text[:width]:<{width}}")
        cells.append("  " + " ".join(line).rstrip())
    first = frame.iloc[0] if len(frame) else {}
    right_aligned = (
        [isinstance(first.get(c), (int, float, np.number)) and not isinstance(first.get(c), bool) for c in columns]
        if len(frame)
        else [False] * len(columns)
    )
    head = (
        "  "
        + " ".join(
            f"{c[:w]:>{w}}" if right else f"{c[:w]:<{w}}"
            for c, w, right in zip(columns, widths, right_aligned, strict=True)
        ).rstrip()
    )
    return "\n".join([head, *cells])


def percent(value: float, language: str = "en") -> str:
    """A share as ``+55.0%`` (``+55,0%`` in Dutch; "n/a" when not finite)."""
    if value is None or not np.isfinite(value):
        return "n.v.t." if language == "nl" else "n/a"
    return localize_number(f"{100 * value:+.1f}%", language)


def node_labels(model: ModelSpec, language: str) -> dict[str, str]:
    """Node id -> its label in ``language``."""
    return {node.id: node.label.get(language) for node in model.nodes}


def node_units(model: ModelSpec, language: str) -> dict[str, str]:
    """Node id -> its unit as tables show it in ``language`` (``unit_label`` or ``unit``; "" without one)."""
    return {node.id: unit_label(node.shown_unit, language) for node in model.nodes}


def parameter_units(model: ModelSpec, language: str) -> dict[str, str]:
    """``from->to:weight`` and ``from->to:lag`` -> the parameter's unit in ``language``.

    A weight's unit is its link's ``weight_unit``, or the one its nodes' units imply
    (:func:`simulator.units.expected_text`); a lag is in years.
    """
    from simulator.units import expected_text

    by_id = {node.id: node for node in model.nodes}
    years = unit_label("years", language)
    units = {}
    for link in model.links:
        source, target = by_id[link.source], by_id[link.target]
        weight = link.weight_unit or expected_text(target.unit, source.unit, link.form, target.kind == "stock")
        units[f"{link.key}:weight"] = unit_label(weight, language)
        units[f"{link.key}:lag"] = years
    return units


_ID = re.compile(r"[a-z][a-z0-9_]*")


def labelled(text: str, labels: dict[str, str]) -> str:
    """``text`` (a path ``a -> b``, a link ``a->b``) with every node id replaced by its label."""
    return _ID.sub(lambda m: labels.get(m.group(0), m.group(0)), text)


def labelled_text(text: str, model: ModelSpec) -> Localized:
    """``text`` with node labels in every language, as a message (rendered in the reader's language)."""
    return Localized({language: labelled(text, node_labels(model, language)) for language in LANGUAGES})


COLUMNS = {
    "id": msg("id"),
    "polarity": msg("polarity"),
    "length": msg("length"),
    "lag": msg("lag"),
    "gain": msg("gain"),
    "gain_at_run": msg("gain at run"),
    "path": msg("path"),
    "score": msg("score"),
    "node": msg("node"),
    "share": msg("share"),
    "part": msg("part"),
    "from": msg("from"),
    "source": msg("from"),
    "value": msg("value"),
    "index": msg("index"),
    "shape": msg("shape"),
    "loop": msg("loop"),
}
"""Column headings of the printed tables, in words."""

POLARITIES = {"reinforcing": msg("reinforcing"), "balancing": msg("balancing"), "inactive": msg("inactive")}
"""The polarity of a feedback loop, in words."""


def score_text(link: LinkSpec, language: str = "nl") -> str:
    """A scored link's scores and pooled weight, for people: ``scores +2, +1: weight 0.012 (90 %: 0.0067 to
    0.032; range 0.005 to 0.05)``; "" for a link with a numeric weight."""
    weight = link.weight
    if not isinstance(weight, ScoredWeight):
        return ""
    low, high = weight.support
    values = {
        "scores": weight.label,
        "central": format_number(weight.central, language),
        "p05": format_number(weight.quantile(0.05), language),
        "p95": format_number(weight.quantile(0.95), language),
        "low": format_number(low, language),
        "high": format_number(high, language),
    }
    return translate(
        msg("scores {scores}: weight {central} (90 %: {p05} to {p95}; range {low} to {high})", **values), language
    )


def shape_text(link: LinkSpec, language: str = "nl") -> str:
    """A shaped link's shape for people (:mod:`simulator.shapes`): ``levels off at 800``, ``no effect
    below 2``, ``table of 4 points, flat beyond 0 and 4``; "" for a link without a shape."""
    shape = link.shape

    def number(value: float) -> str:
        return format_number(value, language)

    def ranged(value: object) -> str:  # a shape parameter: its central value, and its range when uncertain
        low, high = value.support  # type: ignore[attr-defined]
        central = number(value.central)  # type: ignore[attr-defined]
        if low == high:
            return central
        return translate(
            msg("{central} ({low} to {high})", central=central, low=number(low), high=number(high)), language
        )

    if isinstance(shape, Saturation):
        return translate(msg("levels off at {max}", max=ranged(shape.max)), language)
    if isinstance(shape, Threshold):
        template = (
            msg("no effect below {level}", level=ranged(shape.level))
            if shape.side == "above"
            else msg("no effect above {level}", level=ranged(shape.level))
        )
        return translate(template, language)
    if isinstance(shape, Lookup):
        first, last = shape.points[0][0], shape.points[-1][0]
        return translate(
            msg(
                "table of {n} points, flat beyond {first} and {last}",
                n=len(shape.points),
                first=number(first),
                last=number(last),
            ),
            language,
        )
    return ""
