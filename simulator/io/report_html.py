"""A council report (:class:`simulator.council_report.CouncilReport`) as one self-contained HTML page.

Every text that comes from a file (titles, descriptions, labels, notes, sources)
is escaped with :func:`html.escape`; charts are plotly figures rendered to PNG by
kaleido and embedded as ``data:image/png;base64,`` URIs, so the page travels as
one file. Numbers are written with the reader's separators (Babel, through
:func:`simulator.analysis.text.format_number`). :func:`pdf_from_html` prints the
page to PDF with a headless Chromium when one is installed.
"""

from __future__ import annotations

import base64
import html
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from simulator.analysis.ambition_report import detail, statement
from simulator.analysis.scorecard import summary
from simulator.analysis.text import DIMENSION_NAMES, VERDICT_WORDS, format_number, node_units, sentence
from simulator.council_report import CouncilReport, Headline, ScenarioPart
from simulator.messages import Text, msg, translate
from simulator.themes import theme_name

SECTIONS = (
    "question",
    "scenarios",
    "headlines",
    "scorecard",
    "tradeoffs",
    "verdeling",
    "sensitivity",
    "ambitions",
    "sources",
    "not-covered",
)
"""The ``id`` of every ``<section>`` of the page, in order."""

ASSUMPTION = msg("assumption")
GAINS = msg("gains")
INDICATOR_OR_LINK = msg("indicator or link")
LOSSES = msg("losses")
NO_AMBITIONS = msg("no ambitions file beside the model")
NO_SCORED_CHANGE = msg("no scored change")
NO_TRADEOFFS = msg("no trade-offs: no theme gains while another loses")
SOURCE = msg("source")
NO_SPLIT = msg("the model splits no indicator into groups")


@dataclass(frozen=True)
class Missing:
    """What the page says where a part was not made, in the words of the front end that made it: the
    command line names its flags (the default), the app its controls.

    Attributes
    ----------
    band : Text
        A headline without an ensemble band.
    sensitivity : Text
        A scenario without the screening of its assumptions (when no problem of its own says why).
    """

    band: Text = msg("no ensemble (run with --samples for a band)")
    sensitivity: Text = msg("not made (no scored change or --sensitivity-runs 0)")


COMMAND_LINE = Missing()
"""The words of ``bwsim report``."""

CHROMIUM = Path("/usr/bin/chromium")
PLOTLY_SEPARATORS = {"nl": ",.", "en": ".,"}  # plotly's layout.separators: decimal mark, then thousands

STYLE = """body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
td.n{text-align:right}img{max-width:100%}h2{border-bottom:2px solid #3a6;margin-top:2em}
.small{color:#666;font-size:90%}"""


def e(text: object) -> str:
    """``text`` safe inside HTML (element content and quoted attributes)."""
    return html.escape(str(text), quote=True)


def _t(text: object, language: str) -> str:
    return e(translate(text, language))


def png_data_uri(png: bytes) -> str:
    """PNG bytes as a ``data:image/png;base64,`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_png(fig: object, width: int, height: int) -> bytes:
    """The figure as PNG through kaleido, which drives a Chrome: Debian's chromium when there is one.

    Asked once more when kaleido's page answers ``ReferenceError: kaleido_scopes is not defined``:
    on a busy machine kaleido 1.x can call into its browser tab before the tab's own scripts have
    loaded (seen once in CI under load 7; the same command then passed). Anything else kaleido
    raises (no browser to start, a second JavaScript error) goes to the caller.
    """
    from kaleido.errors import JavascriptError

    if CHROMIUM.is_file():
        os.environ.setdefault("BROWSER_PATH", str(CHROMIUM))
    try:
        return fig.to_image(format="png", width=width, height=height, scale=1)  # type: ignore[attr-defined]
    except JavascriptError as error:
        if "kaleido_scopes is not defined" not in str(error):
            raise
        return fig.to_image(format="png", width=width, height=height, scale=1)  # type: ignore[attr-defined]


def _png(fig: object, width: int = 800, height: int = 420) -> bytes:
    return figure_png(fig, width, height)


def headline_chart(part: ScenarioPart, language: str) -> bytes:
    """Bars: per dimension the largest relative change at the horizon (% of the baseline), with the
    ensemble's 5-95 % band as error bars when there is one."""
    import plotly.graph_objects as go

    tops = [h for h in part.headlines if h.node is not None]
    names = [f"{DIMENSION_NAMES[language][h.dimension]}: {h.label}" for h in tops]
    values = [100 * h.relative for h in tops]
    bar = go.Bar(
        x=names,
        y=values,
        marker_color=["#3a6" if h.verdict == "improves" else "#c44" for h in tops],
        text=[format_number(v, language, 2) + " %" for v in values],
        textposition="outside",
    )
    if all(h.low is not None and h.baseline for h in tops) and tops:
        scale = [100 / abs(h.baseline) for h in tops]
        bar.error_y = {
            "type": "data",
            "symmetric": False,
            "array": [max(0.0, (h.high or 0) * s - v) for h, s, v in zip(tops, scale, values, strict=True)],
            "arrayminus": [max(0.0, v - (h.low or 0) * s) for h, s, v in zip(tops, scale, values, strict=True)],
        }
    fig = go.Figure(bar)
    fig.update_layout(
        title=translate(
            msg(
                "Largest change per dimension in {year:g} (% of the baseline)", year=float(part.horizon["year"].iloc[0])
            ),
            language,
        ),
        separators=PLOTLY_SEPARATORS.get(language, ".,"),
        showlegend=False,
        margin={"l": 60, "r": 20, "t": 60, "b": 120},
        template="plotly_white",
    )
    return _png(fig)


def _img(png: bytes, alt: str) -> str:
    return f'<img src="{png_data_uri(png)}" alt="{e(alt)}">'


def _list(items: Iterable[str]) -> str:
    rows = "".join(f"<li>{item}</li>" for item in items)
    return f"<ul>{rows}</ul>" if rows else ""


def _number(value: float | None, language: str, digits: int = 3) -> str:
    return e(format_number(float("nan") if value is None else value, language, digits))


def _percent(fraction: float, language: str) -> str:
    """A fraction as a percentage (``n.v.t.`` / ``n/a`` when it has none, e.g. on a zero baseline)."""
    if not math.isfinite(float(fraction)):
        return _number(None, language)
    return _number(100 * fraction, language) + " %"


def _band(h: Headline, language: str, missing: Missing = COMMAND_LINE) -> str:
    if h.low is None or h.high is None:
        return _t(missing.band, language)
    return f"{_number(h.low, language)} .. {_number(h.high, language)}"


def _section(key: str, title: object, body: str, language: str) -> str:
    return f'<section id="{key}"><h2>{_t(title, language)}</h2>\n{body}\n</section>\n'


def _question(report: CouncilReport, language: str) -> str:
    items = [f"<p><strong>{e(p.title)}</strong>: {e(p.description)}</p>" for p in report.parts]
    lead = _t(
        msg(
            "What do these scenarios do to brede welvaart in the place, against the baseline without "
            "them, now (hier en nu), elsewhere (elders) and for later generations (later)?"
        ),
        language,
    )
    return f"<p>{lead}</p>" + "".join(items)


def _scenarios(report: CouncilReport, language: str) -> str:
    head = "".join(
        f"<th>{_t(w, language)}</th>" for w in (msg("scenario"), msg("title"), msg("horizon"), msg("ensemble members"))
    )
    rows = []
    for p in report.parts:
        cm = p.run.prepared.compiled
        members = p.run.uncertainty.samples if p.run.uncertainty is not None else 0
        rows.append(
            f"<tr><td>{e(p.run.prepared.name)}</td><td>{e(p.title)}</td>"
            f"<td>{e(f'{cm.times[0]:g}')}–{e(f'{cm.times[-1]:g}')}</td><td class='n'>{members}</td></tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _headlines(report: CouncilReport, language: str, missing: Missing = COMMAND_LINE) -> str:
    markup = []
    words = (msg("dimension"), msg("indicator"), msg("change"), msg("5-95 % band"), msg("verdict"))
    for p in report.parts:
        units = node_units(p.run.prepared.model, language)
        head = "".join(f"<th>{_t(w, language)}</th>" for w in words)
        rows, said = [], []
        for h in p.headlines:
            dim = e(DIMENSION_NAMES[language][h.dimension])
            if h.node is None:
                rows.append(f"<tr><td>{dim}</td><td colspan='4'>{_t(NO_SCORED_CHANGE, language)}</td></tr>")
                continue
            unit = e(units.get(h.node, ""))
            rows.append(
                f"<tr data-node='{e(h.node)}'><td>{dim}</td><td>{e(h.label)}</td>"
                f"<td class='n'>{_number(h.delta, language)} {unit}</td><td class='n'>{_band(h, language, missing)}"
                f"</td><td>{e(VERDICT_WORDS[language][h.verdict])}</td></tr>"
            )
            row = p.horizon[p.horizon["node"] == h.node].iloc[0]
            said.append(e(sentence(row, language, p.run.prepared.model)))
        markup.append(
            f"<h3>{e(p.title)}</h3><table><tr>{head}</tr>{''.join(rows)}</table>{_list(said)}"
            + _img(headline_chart(p, language), translate(msg("chart of the largest changes"), language))
        )
    return "".join(markup)


def _scorecard(report: CouncilReport, language: str) -> str:
    markup = []
    words = (
        msg("dimension"),
        msg("theme"),
        msg("indicator"),
        msg("baseline"),
        msg("change"),
        msg("relative"),
        msg("verdict"),
        msg("share of runs that agree"),
    )
    for p in report.parts:
        units = node_units(p.run.prepared.model, language)
        year = float(p.horizon["year"].iloc[0])
        verdicts = summary(p.horizon, by=("dimension",))
        lines = [
            f"{e(DIMENSION_NAMES[language][r.dimension])}: {e(VERDICT_WORDS[language][r.verdict])}"
            for r in verdicts.itertuples(index=False)
        ]
        head = "".join(f"<th>{_t(w, language)}</th>" for w in words)
        rows = []
        for r in p.horizon.itertuples(index=False):
            share = (
                ""
                if not math.isfinite(float(r.share_agree))
                else format_number(100 * r.share_agree, language, 3) + " %"
            )
            unit = e(units.get(r.node, ""))
            rows.append(
                f"<tr data-scenario='{e(r.scenario)}' data-node='{e(r.node)}'>"
                f"<td>{e(DIMENSION_NAMES[language][r.dimension])}</td><td>{e(theme_name(r.theme, language))}"
                f"</td><td>{e(r.label)}</td><td class='n baseline'>{_number(r.baseline, language)} {unit}</td>"
                f"<td class='n delta'>{_number(r.delta, language)}</td>"
                f"<td class='n relative'>{_percent(r.relative, language)}</td>"
                f"<td>{e(VERDICT_WORDS[language][r.verdict])}</td><td class='n'>{e(share)}</td></tr>"
            )
        title = _t(msg("{title}, against the baseline in {year:g}", title=p.title, year=year), language)
        markup.append(f"<h3>{title}</h3>{_list(lines)}<table><tr>{head}</tr>{''.join(rows)}</table>")
    return "".join(markup)


def _tradeoffs(report: CouncilReport, language: str) -> str:
    markup = []
    names = DIMENSION_NAMES[language]
    for p in report.parts:
        pairs = p.tradeoffs
        if pairs.empty:
            body = f"<p>{_t(NO_TRADEOFFS, language)}</p>"
        else:
            gains = dict.fromkeys(
                f"{theme_name(t, language)} ({names[d]})"
                for d, t in zip(pairs["gains_dimension"], pairs["gains_theme"], strict=True)
            )
            loses = dict.fromkeys(
                f"{theme_name(t, language)} ({names[d]})"
                for d, t in zip(pairs["loses_dimension"], pairs["loses_theme"], strict=True)
            )
            body = (
                f"<p>{_t(GAINS, language)}: {e(', '.join(gains))}</p>"
                f"<p>{_t(LOSSES, language)}: {e(', '.join(loses))}</p>"
            )
        markup.append(f"<h3>{e(p.title)}</h3>{body}")
    return "".join(markup)


def _verdeling(report: CouncilReport, language: str) -> str:
    markup = []
    for p in report.parts:
        body = _list(e(line) for line in p.verdeling) or f"<p>{_t(NO_SPLIT, language)}</p>"
        markup.append(f"<h3>{e(p.title)}</h3>{body}")
    return "".join(markup)


def _sensitivity(report: CouncilReport, language: str, missing: Missing = COMMAND_LINE) -> str:
    intro = msg(
        "Morris screening (elementary effects): how much the headline indicator at the horizon moves when "
        "one uncertain weight or lag moves across its range (mu*, in the indicator's unit); the largest first."
    )
    markup = [f"<p>{_t(intro, language)}</p>"]
    for p in report.parts:
        s = p.sensitivity
        if s is None:
            why = p.sensitivity_problem or missing.sensitivity
            markup.append(f"<h3>{e(p.title)}</h3><p>{_t(why, language)}</p>")
            continue
        labels = {n.id: n.label.get(language) for n in p.run.prepared.model.nodes}
        rows = "".join(
            f"<tr><td>{e(name)}</td><td class='n'>{_number(mu, language)}</td></tr>" for name, mu in s.ranking[:8]
        )
        lead = _t(
            msg("{output} in {year:g}, {runs} runs", output=labels.get(s.output, s.output), year=s.year, runs=s.n_runs),
            language,
        )
        markup.append(
            f"<h3>{e(p.title)}</h3><p>{lead}</p><table><tr><th>{_t(ASSUMPTION, language)}</th>"
            f"<th>mu*</th></tr>{rows}</table>"
        )
    return "".join(markup)


def _ambitions(report: CouncilReport, language: str) -> str:
    markup = []
    for p in report.parts:
        if p.ambitions_file is None:
            markup.append(f"<h3>{e(p.title)}</h3><p>{_t(NO_AMBITIONS, language)}</p>")
            continue
        model = p.run.prepared.model
        items = []
        for r in p.ambitions:
            word = msg("reached") if r.reached else msg("not reached")
            items.append(
                f"<strong>{e(statement(r, model, language))}</strong>: {_t(word, language)}. "
                f"{e(detail(r, model, language))}"
            )
        markup.append(f"<h3>{e(p.title)}</h3><p class='small'>{e(p.ambitions_file)}</p>{_list(items)}")
    return "".join(markup)


def _sources(report: CouncilReport, language: str) -> str:
    rows = "".join(f"<tr><td>{e(what)}</td><td>{e(source)}</td></tr>" for what, source in report.sources)
    head = f"<tr><th>{_t(INDICATOR_OR_LINK, language)}</th><th>{_t(SOURCE, language)}</th></tr>"
    return f"<table>{head}{rows}</table>"


def _not_covered(report: CouncilReport, language: str) -> str:
    lead = _t(
        msg(
            "Indices scored by experts, not measured (quantified: false): their changes are the model's "
            "assumptions, not observations."
        ),
        language,
    )
    items = [f"<strong>{e(label)}</strong>" + (f": {e(note)}" if note else "") for label, note in report.not_covered]
    notes = _list(e(note) for note in report.model_notes)
    lead2 = _t(msg("What the model says about itself:"), language)
    return f"<p>{lead}</p>{_list(items)}<p>{lead2}</p>{notes}"


def render_html(report: CouncilReport, missing: Missing = COMMAND_LINE) -> str:
    """The whole page (UTF-8 text), every section of :data:`SECTIONS` in order; ``missing``: what it says
    where a band or the screening was not made (:class:`Missing`; the app passes its own words)."""
    language = report.language
    titles = {
        "question": msg("The question"),
        "scenarios": msg("The scenarios"),
        "headlines": msg("Headline effects per dimension"),
        "scorecard": msg("Scorecard"),
        "tradeoffs": msg("Trade-offs"),
        "verdeling": msg("Verdeling (gaps between groups)"),
        "sensitivity": msg("The assumptions that matter most"),
        "ambitions": msg("Ambitions"),
        "sources": msg("Sources"),
        "not-covered": msg("What the model does not cover"),
    }
    makers: dict[str, Callable[[CouncilReport, str], str]] = {
        "question": _question,
        "scenarios": _scenarios,
        "headlines": partial(_headlines, missing=missing),
        "scorecard": _scorecard,
        "tradeoffs": _tradeoffs,
        "verdeling": _verdeling,
        "sensitivity": partial(_sensitivity, missing=missing),
        "ambitions": _ambitions,
        "sources": _sources,
        "not-covered": _not_covered,
    }
    title = _t(msg("Brede welvaart: report for a council proposal"), language)
    body = "".join(_section(key, titles[key], makers[key](report, language), language) for key in SECTIONS)
    made = _t(msg("Made with bwsim; all numbers against the baseline without the scenario."), language)
    return (
        f'<!DOCTYPE html>\n<html lang="{e(language)}"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body><h1>{title}</h1><p class='small'>{made}</p>\n{body}</body></html>\n"
    )


def chromium() -> str | None:
    """The path of a headless-capable Chromium, or None when none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_from_html(page: str, target: Path, timeout: float = 120.0) -> None:
    """Print ``page`` to the PDF ``target`` with headless Chromium.

    Raises
    ------
    FileNotFoundError
        No Chromium installed.
    subprocess.CalledProcessError, subprocess.TimeoutExpired
        When Chromium fails.
    """
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("chromium")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={folder}/profile",
                f"--print-to-pdf={target}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
