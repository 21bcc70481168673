"""Tables the workshop pages show, built from plain records (no Streamlit here).

Every text a group typed stays a plain string in a table cell; the app escapes such
text itself (``ui/plain_text.py``) where it goes into a Markdown element.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.workshop.compare import Comparison
from simulator.workshop.records import FutureVersion


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
                "outcome_current": _at(
                    run.current if run.model_changed else run.result, outcome, year
                ),
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
    cells = summary.assign(
        cell=[f"▲{b} ▼{w}" for b, w in zip(summary.better, summary.worse, strict=True)]
    )
    table = cells.pivot(index="future", columns="dimension", values="cell")
    order = [d for d in ("hier_en_nu", "later", "elders") if d in table.columns]
    return table[order].reindex(list(dict.fromkeys(summary.future)))


def scorecard_pivot(card: pd.DataFrame, nodes: list[str]) -> pd.DataFrame:
    """Futures by indicator (label and unit): the change against the baseline."""
    part = card[card.node.isin(nodes)]
    if part.empty:
        return pd.DataFrame()
    part = part.assign(
        column=[
            f"{label} ({unit})" if unit else label
            for label, unit in zip(part.label, part.unit, strict=True)
        ]
    )
    table = part.pivot(index="future", columns="column", values="delta")
    columns = list(dict.fromkeys(part.column))
    return table[columns].reindex(list(dict.fromkeys(part.future)))


def chart_paths(table: pd.DataFrame, baseline_name: str) -> pd.DataFrame:
    """:func:`simulator.workshop.compare.paths` in the columns ``ui.charts.path_figure`` takes."""
    return pd.DataFrame(
        {
            "time": table.time,
            "series": table.future.replace({"baseline": baseline_name}),
            "value": table.value,
            "baseline": table.future.eq("baseline"),
        }
    )
