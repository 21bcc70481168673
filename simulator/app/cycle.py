"""The policy cycle's three answers (voorbereiding, uitvoering, evaluatie) as short sentences; no Streamlit.

Each phase gets one headline (the answer) and one line per indicator, made from what
the library computes, with the numbers written as the command line writes them
(:func:`simulator.analysis.text.format_number`), so that the page and ``bwsim
scorecard``, ``bwsim monitor`` and ``bwsim evaluate`` on the same inputs show the same
numbers:

- **voorbereiding**: the ambitions judged on a future (:func:`simulator.app.answer.ambition_lines`,
  worded as ``bwsim scorecard`` words them): how many are reached;
- **uitvoering**: the monitor's signal (:class:`simulator.monitor.MonitorResult`): on track when the
  latest observation of every indicator lies inside the expected band;
- **evaluatie**: per indicator the latest evaluated observation of :func:`simulator.evaluate.evaluate`:
  the observed impact against the expected one, both with their bands, and the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.analysis.text import format_number, node_labels, node_units
from simulator.app.answer import AmbitionLine
from simulator.evaluate import Evaluation
from simulator.messages import localize_number, msg, translate
from simulator.monitor import MonitorResult
from simulator.spec import ModelSpec

VERDICT_TEXT = {
    "zero": msg("not distinguishable from zero"),
    "as_expected": msg("as expected"),
    "larger": msg("larger than expected"),
    "smaller": msg("smaller than expected"),
}
"""The verdicts of :mod:`simulator.evaluate` in the words ``bwsim evaluate`` prints."""

DIGITS = 4
"""Significant digits of the evaluation's numbers (as ``bwsim evaluate`` prints them)."""


@dataclass(frozen=True)
class PhaseAnswer:
    """One phase's answer: whether it is good news, the headline, and one line per indicator.

    Attributes
    ----------
    good : bool
        Every ambition reached, every indicator on track, every verdict as expected.
    headline : str
        The answer in one sentence (the reader's language).
    lines : tuple of str
        One sentence per ambition or indicator (texts from files included: show as text).
    """

    good: bool
    headline: str
    lines: tuple[str, ...] = ()


def ambitions_answer(lines: Sequence[AmbitionLine], language: str) -> PhaseAnswer:
    """How many of the ambitions the future reaches, then each with what decided it."""
    reached = sum(line.reached for line in lines)
    headline = translate(
        msg("{reached} of {n} ambition(s) reached", reached=reached, n=len(lines)),
        language,
    )
    words = {True: translate(msg("reached"), language), False: translate(msg("not reached"), language)}
    return PhaseAnswer(
        reached == len(lines),
        headline,
        tuple(f"{words[line.reached]}: {line.statement}; {line.detail}" for line in lines),
    )


def _signal(status: str, by: float, pct: float, unit: str, language: str) -> str:
    """Inside the band, or which side of it and by how much (node units and % of the band's median)."""
    if status == "inside":
        return translate(msg("inside the expected band"), language)
    values = {"by": format_number(abs(by), language), "unit": unit}
    if not math.isfinite(pct):
        text = (
            msg("above the expected band by {by} {unit}", **values)
            if status == "above"
            else msg("below the expected band by {by} {unit}", **values)
        )
        return translate(text, language)
    values["pct"] = format_number(abs(pct), language, 2)
    text = (
        msg("above the expected band by {by} {unit} ({pct} % of the median)", **values)
        if status == "above"
        else msg("below the expected band by {by} {unit} ({pct} % of the median)", **values)
    )
    return translate(text, language)


def monitor_answer(result: MonitorResult, model: ModelSpec, language: str) -> PhaseAnswer:
    """On track or not: per indicator its latest observation against the band, and how many are outside.

    On track means the latest observation of every indicator lies inside the band; earlier points
    outside it are counted in the headline and per indicator.
    """
    labels, units = node_labels(model, language), node_units(model, language)
    lines, on_track = [], True
    for row in result.summary().itertuples(index=False):
        node = str(row.node)
        group = result.table[result.table["node"] == node]
        last = group[group["time"] == row.latest_time].iloc[-1]
        on_track = on_track and row.latest_status == "inside"
        signal = _signal(
            str(row.latest_status), float(last["outside_by"]), float(last["outside_pct"]), units.get(node, ""), language
        )
        lines.append(
            translate(
                msg(
                    "{name}: latest observation ({time}) {signal}; {outside} of {n} outside",
                    name=labels.get(node, node),
                    time=localize_number(f"{row.latest_time:g}", language),
                    signal=signal,
                    outside=int(row.outside),
                    n=int(row.n),
                ),
                language,
            )
        )
    headline = (
        msg("on track: the latest observation of every indicator lies inside the expected band")
        if on_track
        else msg("not on track: the latest observation of some indicator lies outside the expected band")
    )
    total = msg("{outside} of {n} observation(s) outside the band", outside=len(result.flagged), n=len(result.table))
    return PhaseAnswer(on_track, f"{translate(headline, language)} ({translate(total, language)})", tuple(lines))


def band_text(value: float, low: float, high: float, language: str) -> str:
    """``value (low .. high)``, :data:`DIGITS` significant digits each (as ``bwsim evaluate`` prints it)."""
    return (
        f"{format_number(value, language, DIGITS)} "
        f"({format_number(low, language, DIGITS)} .. {format_number(high, language, DIGITS)})"
    )


def evaluation_answer(result: Evaluation, model: ModelSpec, language: str) -> PhaseAnswer:
    """Per indicator its latest evaluated observation: the observed impact (observed minus the pre-policy
    fit continued) and the expected impact, each with its band, and the verdict; how many are as expected."""
    labels, units = node_labels(model, language), node_units(model, language)
    lines, expected = [], 0
    for node in result.fits:
        group = result.table[result.table["node"] == node]
        last = group.iloc[-1]
        verdict = str(last["verdict"])
        expected += verdict == "as_expected"
        lines.append(
            translate(
                msg(
                    "{name} in {time}: observed impact {impact} {unit}, expected {expected}: {verdict}",
                    name=labels.get(node, node),
                    time=localize_number(f"{float(last['time']):g}", language),
                    impact=band_text(last["impact"], last["impact_low"], last["impact_high"], language),
                    unit=units.get(node, ""),
                    expected=band_text(last["expected"], last["expected_low"], last["expected_high"], language),
                    verdict=translate(VERDICT_TEXT[verdict], language),
                ),
                language,
            )
        )
    n = len(result.fits)
    headline = translate(
        msg(
            "{k} of {n} indicator(s) changed as the scenario expected, in the latest year observed",
            k=expected,
            n=n,
        ),
        language,
    )
    return PhaseAnswer(expected == n, headline, tuple(lines))
