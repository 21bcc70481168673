"""Tables the workshop pages show, built from plain records (no Streamlit here).

Every text a group typed stays a plain string in a table cell; the app escapes such
text itself (``simulator/app/plain_text.py``) where it goes into a Markdown element.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.analysis.model_diff import structural_diff
from simulator.analysis.model_diff_text import change_lines
from simulator.analysis.scorecard import scorecard as analysis_scorecard
from simulator.analysis.scorecard import summary
from simulator.analysis.text import change_unit, format_number, unit_label
from simulator.errors import InputError
from simulator.spec import ModelSpec
from simulator.workshop.compare import Comparison
from simulator.workshop.futures import model_file
from simulator.workshop.records import FutureVersion, ModelVersion


def history_table(versions: list[FutureVersion], current_sha256: str) -> pd.DataFrame:
    """One row per version: number, time saved, whether the model changed since, the four notes."""
    return pd.DataFrame(
        [
            {
                "version": v.version,
                "saved": v.created_at[:19].replace("T", " "),
                "model_changed": v.model_sha256 != current_sha256,
                "question": v.notes.question,
                "expectation": v.notes.expectation,
                "found": v.notes.found,
                "decision": v.notes.decision,
            }
            for v in versions
        ],
        columns=[
            "version",
            "saved",
            "model_changed",
            "question",
            "expectation",
            "found",
            "decision",
        ],
    )


def model_change_lines(made_with: ModelVersion, current: ModelVersion, language: str = "nl") -> list[str]:
    """What changed from the model a future was made with to the workshop's current model, in ``language``:
    the lines ``bwsim diff`` prints (:func:`simulator.analysis.model_diff_text.change_lines`); [] when
    the model did not change or a stored version no longer validates (the runs say why)."""
    if made_with.sha256 == current.sha256:
        return []
    try:
        diff = structural_diff(model_file(made_with).checked, model_file(current).checked)
    except InputError:
        return []
    return change_lines(diff, language)


def futures_table(comparison: Comparison, outcome: str, year: float | None = None) -> pd.DataFrame:
    """One row per future: who, which version, and the outcome's change on the model it was
    made with and on the current model (both shown when the model changed since)."""
    rows = []
    for run in comparison.runs:
        v = run.version
        rows.append(
            {
                "group": v.group,
                "future": v.future,
                "version": v.version,
                "saved": v.created_at[:19].replace("T", " "),
                "model_changed": run.model_changed,
                "outcome_made_with": _at(run.result, outcome, year),
                "outcome_current": _at(run.current if run.model_changed else run.result, outcome, year),
                "runs": not run.problems,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "group",
            "future",
            "version",
            "saved",
            "model_changed",
            "outcome_made_with",
            "outcome_current",
            "runs",
        ],
    )


def _at(result: object, node: str, year: float | None) -> float:
    if result is None or node not in result.node_ids:  # type: ignore[attr-defined]
        return float("nan")
    times = result.times  # type: ignore[attr-defined]
    k = len(times) - 1 if year is None else int(np.argmin(np.abs(times - year)))
    return float(result.delta[k, result.node_ids.index(node)])  # type: ignore[attr-defined]


def notes_table(comparison: Comparison) -> pd.DataFrame:
    """The four notes of every future's latest version."""
    return pd.DataFrame(
        [
            {
                "future": r.version.label,
                "question": r.version.notes.question,
                "expectation": r.version.notes.expectation,
                "found": r.version.notes.found,
                "decision": r.version.notes.decision,
            }
            for r in comparison.runs
        ],
        columns=["future", "question", "expectation", "found", "decision"],
    )


def dimension_pivot(summary: pd.DataFrame) -> pd.DataFrame:
    """Futures by brede-welvaart dimension, each cell ``▲better ▼worse``."""
    if summary.empty:
        return pd.DataFrame()
    cells = summary.assign(cell=[f"▲{b} ▼{w}" for b, w in zip(summary.better, summary.worse, strict=True)])
    table = cells.pivot(index="future", columns="dimension", values="cell")
    order = [d for d in ("hier_en_nu", "later", "elders") if d in table.columns]
    return table[order].reindex(list(dict.fromkeys(summary.future)))


def scorecard_pivot(card: pd.DataFrame, nodes: list[str]) -> pd.DataFrame:
    """Futures by indicator (label and unit): the change against the baseline."""
    part = card[card.node.isin(nodes)]
    if part.empty:
        return pd.DataFrame()
    part = part.assign(
        column=[f"{label} ({unit})" if unit else label for label, unit in zip(part.label, part.unit, strict=True)]
    )
    table = part.pivot(index="future", columns="column", values="delta")
    columns = list(dict.fromkeys(part.column))
    return table[columns].reindex(list(dict.fromkeys(part.future)))


def chart_paths(table: pd.DataFrame, baseline_name: str) -> pd.DataFrame:
    """:func:`simulator.workshop.compare.paths` in the columns ``simulator.app.charts.path_figure`` takes."""
    return pd.DataFrame(
        {
            "time": table.time,
            "series": table.future.replace({"baseline": baseline_name}),
            "value": table.value,
            "baseline": table.future.eq("baseline"),
        }
    )


HUGE = 1e15  # beyond this a number is shown in scientific notation (a crafted weight may be 1e308)


def _number(value: float, language: str, digits: int = 2) -> str:
    if not np.isfinite(value):
        return "—"
    if abs(value) >= HUGE:
        text = f"{value:.{digits - 1}e}"
        return text.replace(".", ",") if language != "en" else text
    return format_number(value, language, digits)


def _change(unit: str, language: str) -> str:
    return change_unit(unit_label(unit, language), language)


def dispute_sentences(
    table: pd.DataFrame, model: ModelSpec, outcome: str, year: float, language: str = "nl", limit: int = 3
) -> list[str]:
    """The disputed links of :func:`simulator.workshop.compare.disputes_at` as sentences, largest effect first;
    links that do not move the outcome are left out (one sentence says so when none does).

    The first reads e.g. "Noord en Zuid verschillen het meest over het effect van Banen in Parkstad op
    Werkloosheid (gewicht 0,3 tegenover 0,6); dat verschuift Tevredenheid met het leven in 2035 met
    0,13 procentpunt."; the effect is in the outcome's unit, two significant digits. Futures' labels
    stay as typed: escape the sentences where they go into Markdown.
    """
    nl = language != "en"
    node = model.node(outcome)
    target, unit = node.label.get(language), _change(node.shown_unit, language)
    lines = []
    moving = table[(table.effect.abs() > 1e-12) | (table.failed.map(len) > 0)]
    if moving.empty and not table.empty:
        n = len(table)
        return [
            f"De groepen verschillen over {n} verband(en), maar die veranderen {target} in {year:g} niet."
            if nl
            else f"The groups differ on {n} link(s), but none of them moves {target} in {year:g}."
        ]
    for i, row in enumerate(moving.head(limit).itertuples(index=False)):
        link = f"{model.node(row.source).label.get(language)} op {model.node(row.target).label.get(language)}"
        if not nl:
            link = f"{model.node(row.source).label.get(language)} on {model.node(row.target).label.get(language)}"
        low = row.weights.get(row.low_future, np.nan)
        high = row.weights.get(
            row.high_future if row.high_future != row.low_future else (list(row.failed)[:1] or [""])[0], np.nan
        )
        weights = (
            f"gewicht {_number(low, language)} tegenover {_number(high, language)}"
            if nl
            else f"weight {_number(low, language)} against {_number(high, language)}"
        )
        effect = f"{_number(abs(row.effect), language)} {unit}".strip()
        others = [row.high_future] if row.high_future != row.low_future else list(row.failed)[:1] or ["?"]
        who = f"{row.low_future} en {others[0]}" if nl else f"{row.low_future} and {others[0]}"
        if nl:
            lead = "verschillen het meest" if i == 0 else "verschillen ook"
            lines.append(
                f"{who} {lead} over het effect van {link} ({weights}); dat verschuift {target} "
                f"in {year:g} met {effect}."
            )
        else:
            lead = "differ most" if i == 0 else "also differ"
            lines.append(
                f"{who} {lead} on the effect of {link} ({weights}); that moves {target} in {year:g} by {effect}."
            )
        if len(row.failed):
            failed = ", ".join(row.failed)
            lines[-1] += (
                f" Met de waarde van {failed} loopt de berekening vast."
                if nl
                else f" With the value of {failed} the run blows up."
            )
    return lines


WORDS = {
    "nl": {
        "group": "Groep",
        "future": "Toekomst",
        "version": "Versie",
        "saved": "Opgeslagen",
        "change": "Verandering {label} in {year}",
        "then": "met het model van toen",
        "now": "met het huidige model",
        "runs": "Doorgerekend",
        "yes": "ja",
        "no": "nee",
        "intervention": "Ingreep",
        "shared": "In alle toekomsten",
        "link": "Verband",
        "weights": "Gewichten per toekomst",
        "effect": "Verschil in {label}",
        "question": "Vraag",
        "expectation": "Verwachting",
        "found": "Gevonden",
        "decision": "Besluit",
    },
    "en": {
        "group": "Group",
        "future": "Future",
        "version": "Version",
        "saved": "Saved",
        "change": "Change in {label} in {year}",
        "then": "on the model of then",
        "now": "on the current model",
        "runs": "Runs",
        "yes": "yes",
        "no": "no",
        "intervention": "Intervention",
        "shared": "In every future",
        "link": "Link",
        "weights": "Weights per future",
        "effect": "Spread in {label}",
        "question": "Question",
        "expectation": "Expectation",
        "found": "Found",
        "decision": "Decision",
    },
}


def _words(language: str) -> dict[str, str]:
    return WORDS["en" if language == "en" else "nl"]


def futures_display(comparison: Comparison, outcome: str, year: float, language: str = "nl") -> pd.DataFrame:
    """:func:`futures_table` for people: headings in ``language``, the change rounded (3 significant
    digits, Dutch separators) with its unit in the heading; both models' results only when one changed."""
    w, node = _words(language), comparison.model.spec.node(outcome)
    raw = futures_table(comparison, outcome, year)
    unit = _change(node.shown_unit, language)
    change = w["change"].format(label=node.label.get(language), year=f"{year:g}") + (f" ({unit})" if unit else "")
    shown = pd.DataFrame(
        {w["group"]: raw.group, w["future"]: raw.future, w["version"]: raw.version.astype(str), w["saved"]: raw.saved}
    )
    if raw.model_changed.any():
        shown[f"{change}, {w['then']}"] = [_number(v, language, 3) for v in raw.outcome_made_with]
        change = f"{change}, {w['now']}"
    shown[change] = [_number(v, language, 3) for v in raw.outcome_current]
    return shown


def interventions_display(table: pd.DataFrame, language: str = "nl") -> pd.DataFrame:
    """:func:`simulator.workshop.compare.intervention_table` with ✓ marks and headings in ``language``."""
    w = _words(language)
    futures = [c for c in table.columns if c not in ("intervention", "node", "shared")]
    shown = pd.DataFrame({w["intervention"]: table["intervention"]})
    for label in futures:
        shown[label] = ["✓" if v else "" for v in table[label]]
    shown[w["shared"]] = [w["yes"] if v else w["no"] for v in table["shared"]]
    return shown


def notes_display(comparison: Comparison, language: str = "nl") -> pd.DataFrame:
    """:func:`notes_table` with headings in ``language``."""
    w = _words(language)
    table = notes_table(comparison)
    return table.rename(
        columns={"future": w["future"], **{k: w[k] for k in ("question", "expectation", "found", "decision")}}
    )


def disputes_display(table: pd.DataFrame, model: ModelSpec, outcome: str, language: str = "nl") -> pd.DataFrame:
    """The disputed links as a table for people: the link in words, each future's weight, the spread rounded."""
    w, node = _words(language), model.node(outcome)
    unit = _change(node.shown_unit, language)
    effect = w["effect"].format(label=node.label.get(language)) + (f" ({unit})" if unit else "")
    return pd.DataFrame(
        {
            w["link"]: [
                f"{model.node(s).label.get(language)} → {model.node(t).label.get(language)}"
                for s, t in zip(table.source, table.target, strict=True)
            ],
            w["weights"]: ["; ".join(f"{k}: {_number(v, language, 3)}" for k, v in ws.items()) for ws in table.weights],
            effect: [_number(v, language, 2) for v in table.effect],
        }
    )


def scorecard_summaries(comparison: Comparison, year: float) -> dict[str, pd.DataFrame]:
    """Per comparable future (label): the verdicts per dimension and theme at ``year``
    (:func:`simulator.analysis.scorecard.summary`)."""
    model = comparison.model.spec
    out = {}
    for version, result in comparison.comparable:
        card = analysis_scorecard(model, result.times, result.baseline, result.delta, [year], scenario=version.label)
        out[version.label] = summary(card)
    return out


def differing_cells(summaries: dict[str, pd.DataFrame]) -> set[tuple[str, str]]:
    """The (dimension, theme) cells whose verdict is not the same in every future."""
    seen: dict[tuple[str, str], set[str]] = {}
    for table in summaries.values():
        for row in table.itertuples(index=False):
            seen.setdefault((row.dimension, row.theme), set()).add(row.verdict)
    if len(summaries) < 2:
        return set()
    counts = {
        cell: sum(1 for t in summaries.values() if ((t.dimension == cell[0]) & (t.theme == cell[1])).any())
        for cell in seen
    }
    return {cell for cell, verdicts in seen.items() if len(verdicts) > 1 or counts[cell] < len(summaries)}
