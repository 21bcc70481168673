"""What a policy note takes from the app: a chart that stands on its own and an Excel summary sheet.

Pure functions, no Streamlit. A chart for a note carries its title, the scenario and
year, a legend (what every mark means) and a source line; the Excel workbook gets
a first sheet "Samenvatting" (or "Summary") with the headline numbers, the scorecard
and the assumptions that differ from the default.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from simulator.app import answer, numbers
from simulator.app.i18n import t
from simulator.app.plain_text import plotly as _plain
from simulator.network_layout import wrap
from simulator.spec import ModelSpec

NOTE_WIDTH = 1100  # pixels of an exported chart
LINE_PX = 17  # height of one line of the legend and source text
WRAP = 150  # characters per line of the legend and source text


def _wrap(text: str, width: int = WRAP) -> list[str]:
    return wrap(text, width)


def plain_legend(text: str) -> str:
    """A Markdown legend as plain text (no ``**``)."""
    return re.sub(r"\*\*(.*?)\*\*", r"\1", text)


def for_note(fig: go.Figure, title: str, subtitle: str, legend: str, source: str, language: str = "nl") -> go.Figure:
    """A copy of ``fig`` that stands on its own in a note: bold title, the scenario and year under it,
    the legend and the source line under the chart, Dutch (or English) separators.

    Every text is escaped (:func:`simulator.app.plain_text.plotly`): scenario names come from users.
    The height grows by the lines added; the width is :data:`NOTE_WIDTH`.
    """
    out = go.Figure(fig)
    below = [*(_wrap(legend) if legend else []), *_wrap(source)]
    body = int(out.layout.height or 450)
    bottom = 50 + LINE_PX * len(below)
    out.update_layout(
        title={
            "text": f"<b>{_plain(title)}</b><br><span style='font-size:13px;color:#444444'>{_plain(subtitle)}</span>",
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 18},
        },
        margin={"l": 20, "r": 30, "t": 110, "b": bottom},
        height=body + 60 + bottom,
        width=NOTE_WIDTH,
        paper_bgcolor="white",
    )
    grid = _is_scorecard(out)
    if not grid:  # the legend above the plot, the notes under the year axis
        out.update_layout(legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, showlegend=True)
    out.add_annotation(
        text="<br>".join(_plain(x) for x in below),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-12 if grid else -32,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font={"size": 11, "color": "#444444"},
    )
    return numbers.localize_figure(out, language, time_axis=not grid)


def _is_scorecard(fig: go.Figure) -> bool:
    return bool(fig.data) and fig.data[0].type == "heatmap"


def source_line(model: ModelSpec, language: str, today: str) -> str:
    """ "Bron: eigen berekening met bwsim, model ... (datum)"."""
    return t("note_source", language, model=model.title.get(language), date=today)


@dataclass(frozen=True)
class Change:
    """One thing the future sets differently from the default: what, the default value, the chosen value."""

    what: str
    default: str
    chosen: str


def summary_blocks(
    model: ModelSpec,
    card: pd.DataFrame,
    changes: list[Change],
    title: str,
    language: str = "nl",
    skip: frozenset[str] = frozenset(),
) -> list[tuple[str, pd.DataFrame]]:
    """The summary sheet as (heading, table) blocks: the future, the headline numbers, the verdicts per
    dimension, the scorecard cells and the changes from the default. Numbers stay numbers (Excel shows
    them in the reader's locale); the words are in ``language``."""
    year = float(card["year"].iloc[0]) if not card.empty else math.nan
    tx = lambda key, **v: t(key, language, **v)  # noqa: E731
    about = pd.DataFrame(
        {
            tx("xl_item"): [tx("xl_future"), tx("xl_year"), tx("xl_against")],
            tx("xl_value"): [title, f"{year:g}", tx("answer_against")],
        }
    )
    heads = []
    for node in answer.headline_nodes(model):
        rows = card[card["node"] == node]
        if rows.empty:
            continue
        row = rows.iloc[0]
        heads.append(
            {
                tx("indicator"): str(row["label"]),
                tx("xl_value_year", year=f"{year:g}"): float(row["baseline"]) + float(row["delta"]),
                tx("xl_baseline"): float(row["baseline"]),
                tx("xl_change"): float(row["delta"]),
                tx("unit"): str(row["unit"]),
                tx("xl_verdict"): t(f"verdict_{row['verdict']}", language),
            }
        )
    verdicts = pd.DataFrame(
        [
            {tx("xl_dimension"): d.replace("_", " "), tx("xl_verdict"): s}
            for d, s in answer.dimension_sentences(model, card, language, skip)
        ]
    )
    cells = answer.cells(card, skip)
    grid = (
        pd.DataFrame(
            {
                tx("xl_dimension"): [d.replace("_", " ") for d in cells["dimension"]],
                tx("xl_theme"): [answer.theme_title(x, language) for x in cells["theme"]],
                tx("xl_cell"): [answer.cell_mark(c, language).replace("\u00a0", " ") for c in cells.to_dict("records")],
                tx("xl_largest"): [model.node(n).label.get(language) if n else "" for n in cells["node"]],
                tx("xl_relative"): [None if pd.isna(x) else float(x) for x in cells["score"]],
                tx("xl_better"): cells["n_improves"],
                tx("xl_worse"): cells["n_worsens"],
            }
        )
        if not cells.empty
        else pd.DataFrame()
    )
    changed = pd.DataFrame(
        [{tx("xl_what"): c.what, tx("xl_default"): c.default, tx("xl_chosen"): c.chosen} for c in changes]
        or [{tx("xl_what"): tx("xl_no_changes"), tx("xl_default"): "", tx("xl_chosen"): ""}]
    )
    return [
        (tx("xl_about"), about),
        (tx("xl_headlines"), pd.DataFrame(heads)),
        (tx("xl_verdicts"), verdicts),
        (tx("scorecard"), grid),
        (tx("xl_changes"), changed),
    ]
