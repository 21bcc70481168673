"""Whether a behaviour test (a model's ``checks``) holds on runs: numbers in, booleans and a sentence out.

Pure functions, no I/O: :func:`evaluate` judges one check on one node's baseline and
deviation paths, for one run or for every member of an ensemble at once, and
:func:`statement` writes the check as a sentence when its file gives no label. What
each form means is in docs/formats.md (and :class:`simulator.spec.BehaviourCheck`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.analysis.text import unit_label
from simulator.messages import LANGUAGES, Localized, Text, msg
from simulator.spec import BehaviourCheck, InterventionSpec, ModelSpec

TIME_TOLERANCE = 1e-9
"""Years: a reported time this close to a window's end is inside it (``start + k dt`` carries rounding)."""


@dataclass(frozen=True)
class Verdict:
    """One check judged on runs.

    Attributes
    ----------
    holds : ndarray of bool (M,)
        Per run (member): True where the statement is true.
    year : ndarray (M,)
        Per run, the year that decides: where a bound or range is first broken (else where
        the value comes closest to it), where a rise or fall is first seen (else the
        window's end), or the check's year.
    value : ndarray (M,)
        Per run, what is compared in that year: the value ``b + d`` (bounds, ranges) or
        the deviation ``d`` (rises, falls, higher, lower), node units.
    """

    holds: np.ndarray
    year: np.ndarray
    value: np.ndarray


def _given(value: float | None) -> float:
    """A key the check's form requires (the spec makes sure it is given)."""
    if value is None:
        raise ValueError("a check's form is missing a key its validator requires")  # a programming error
    return float(value)


def _nearest(times: np.ndarray, year: float) -> int:
    return int(np.argmin(np.abs(times - year)))


def evaluate(check: BehaviourCheck, times: np.ndarray, baseline: np.ndarray, delta: np.ndarray) -> Verdict:
    """Judge ``check`` on one node's paths.

    Parameters
    ----------
    check : BehaviourCheck
        A check of a model that was checked (its year and window lie in the horizon).
    times : ndarray (K + 1,)
        Reported years.
    baseline : ndarray (K + 1,)
        The node's baseline ``b``, node units.
    delta : ndarray (K + 1,) or (K + 1, M)
        The node's deviation ``d`` in one run, or in each of ``M`` members (node units).

    Returns
    -------
    Verdict
        With one entry per run (one for a 1-d ``delta``).
    """
    d = np.asarray(delta, dtype=float)
    d = d[:, None] if d.ndim == 1 else d
    times = np.asarray(times, dtype=float)
    members = np.arange(d.shape[1])
    if check.expect in ("higher", "lower"):
        k = _nearest(times, _given(check.year))
        values = d[k]
        holds = np.asarray(values > 0 if check.expect == "higher" else values < 0, dtype=bool)
        return Verdict(holds, np.full(d.shape[1], times[k]), values)
    if check.expect in ("rises", "falls"):
        first = _given(check.start)
        window = np.flatnonzero(
            (times >= first - TIME_TOLERANCE) & (times <= first + _given(check.within) + TIME_TOLERANCE)
        )
        if window.size == 0:  # a window shorter than dt between two reported times: the first time after it
            window = np.flatnonzero(times >= first - TIME_TOLERANCE)[:1]
        part = d[window]
        seen = part > 0 if check.expect == "rises" else part < 0
        holds = np.asarray(seen.any(axis=0), dtype=bool)
        extreme = part.argmax(axis=0) if check.expect == "rises" else part.argmin(axis=0)
        at = np.where(holds, seen.argmax(axis=0), extreme)
        return Verdict(holds, times[window[at]], part[at, members])
    value = baseline[:, None] + d
    low = check.value if check.expect == "never_below" else check.low
    high = check.value if check.expect == "never_above" else check.high
    broken = np.zeros(d.shape, dtype=bool)
    closeness = np.full(d.shape, -np.inf)
    if low is not None:
        broken |= value < low
        closeness = np.maximum(closeness, low - value)
    if high is not None:
        broken |= value > high
        closeness = np.maximum(closeness, value - high)
    holds = np.asarray(~broken.any(axis=0), dtype=bool)
    at = np.where(holds, closeness.argmax(axis=0), broken.argmax(axis=0))
    return Verdict(holds, times[at], value[at, members])


def share(verdict: Verdict) -> float:
    """The share of runs in which the check holds (0-1)."""
    return float(np.mean(verdict.holds))


def _in_languages(texts: Callable[[str], str]) -> Localized:
    return Localized({language: texts(language) for language in LANGUAGES})


def _intervention_words(item: InterventionSpec, model: ModelSpec) -> Text:
    node = model.node(item.node)
    label = _in_languages(node.label.get)
    if item.shape == "series":
        years = sorted(item.table)
        return msg("{node} following a series from {start:g} to {end:g}", node=label, start=years[0], end=years[-1])
    amount = item.param("slope" if item.shape == "ramp" else "height")
    if item.relative:
        size: Text = msg("{amount:+,.4g} %", amount=100 * amount)
    elif node.unit:
        size = msg(
            "{amount:+,.6g} {unit}", amount=amount, unit=_in_languages(lambda language: unit_label(node.unit, language))
        )
    else:
        size = msg("{amount:+,.6g}", amount=amount)
    if item.shape == "step":
        return msg("{node} {size} from {start:g}", size=size, node=label, start=item.param("start"))
    if item.shape == "pulse":
        return msg(
            "{node} {size} from {start:g} for {width:g} years",
            size=size,
            node=label,
            start=item.param("start"),
            width=item.param("width"),
        )
    return msg(
        "{node} {size} a year from {start:g} to {end:g}",
        size=size,
        node=label,
        start=item.param("start"),
        end=item.param("end"),
    )


def statement(check: BehaviourCheck, model: ModelSpec) -> Text:
    """The check as a sentence (a message, read in any language): its ``label`` when the file gives one,
    else one made from its form.

    Example (en): "with Medtech logistics jobs +1,000 jobs from 2026: Unemployment falls within 5 years".
    """
    if check.label is not None:
        return _in_languages(check.label.get)
    node = model.node(check.node)
    label = _in_languages(node.label.get)
    unit = _in_languages(lambda language: unit_label(node.unit, language))

    def amount(value: float | None) -> Text:
        if not node.unit:
            return msg("{value:,.6g}", value=float(value or 0.0))
        return msg("{value:,.6g} {unit}", value=float(value or 0.0), unit=unit)

    forms: dict[str, Callable[[], Text]] = {
        "rises": lambda: msg("{node} rises within {within:g} years", node=label, within=check.within),
        "falls": lambda: msg("{node} falls within {within:g} years", node=label, within=check.within),
        "higher": lambda: msg("{node} is higher in {year:g} than without", node=label, year=check.year),
        "lower": lambda: msg("{node} is lower in {year:g} than without", node=label, year=check.year),
        "never_below": lambda: msg("{node} is never below {value}", node=label, value=amount(check.value)),
        "never_above": lambda: msg("{node} is never above {value}", node=label, value=amount(check.value)),
        "between": lambda: msg(
            "{node} stays between {low} and {high}", node=label, low=amount(check.low), high=amount(check.high)
        ),
    }
    text = forms[check.expect]()
    if not check.interventions:
        return text
    given = _intervention_words(check.interventions[0], model)
    for item in check.interventions[1:]:
        given = msg("{first} and {second}", first=given, second=_intervention_words(item, model))
    return msg("with {given}: {statement}", given=given, statement=text)


def detail(check: BehaviourCheck, verdict: Verdict, run: int = 0) -> Text:
    """What decided the check in one run (default the first): the year, and the value or deviation compared."""
    year, value = float(verdict.year[run]), float(verdict.value[run])
    holds = bool(verdict.holds[run])
    if check.expect in ("never_below", "never_above", "between"):
        if holds:
            return msg("closest in {year:g}: {value:,.6g}", year=year, value=value)
        return msg("first outside in {year:g}: {value:,.6g}", year=year, value=value)
    if check.expect in ("rises", "falls") and not holds:
        return msg("no change in that direction up to {year:g} (closest: {delta:+,.3g})", year=year, delta=value)
    return msg("change in {year:g}: {delta:+,.3g}", year=year, delta=value)


def share_text(fraction: float, runs: int, min_share: float | None = None) -> Text:
    """ "holds in 97 % of 1,000 runs", with the share it needs when the check gives ``min_share``."""
    text = msg("holds in {percent:.0f} % of {runs:,.0f} runs", percent=100 * fraction, runs=int(runs))
    if min_share is None:
        return text
    return msg("{text} (needs {needed:g} %)", text=text, needed=100 * min_share)
