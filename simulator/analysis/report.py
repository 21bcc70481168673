"""The analysis of one prepared scenario, as ``bwsim run`` prints it (and the app may show it).

Builds the scorecard of a scenario (deterministic, or with per-member
verdicts from the same seeded draws as the ensemble), the stability warning
given before a run, and the printed text: per-theme table for every
dimension, verdeling, trade-offs and a few sentences per dimension.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulator.analysis.loops import find_loops
from simulator.analysis.places import elsewhere_nodes
from simulator.analysis.run_warnings import stability_warning
from simulator.analysis.scorecard import (
    default_years,
    distribution,
    scorecard,
    summary,
    time_indices,
)
from simulator.analysis.text import (
    DIMENSION_NAMES,
    SYMBOLS,
    VERDICT_WORDS,
    change_unit,
    format_number,
    gross_net_lines,
    scorecard_table,
    sentence,
    unit_label,
)
from simulator.analysis.tradeoffs import tradeoffs
from simulator.engine import simulate
from simulator.messages import joined, msg, translate
from simulator.scenario_run import PreparedScenario
from simulator.spec import DIMENSIONS, ModelSpec, display_name
from simulator.themes import theme_name, theme_order

if TYPE_CHECKING:
    from simulator.ensemble import EnsembleSummary
    from simulator.sampling import ParameterSample

MAX_MEMBERS = 5000


ENSEMBLE_STABILITY_MEMBERS = 200
"""How many of an ensemble's members the stability check looks at (0.15 s on the Heerlen model)."""


def ensemble_stability_warning(
    prepared: PreparedScenario,
    samples: int,
    seed: int = 0,
    method: str = "lhs",
    max_members: int = ENSEMBLE_STABILITY_MEMBERS,
    members: tuple[np.ndarray, np.ndarray] | None = None,
    sample: ParameterSample | None = None,
) -> str:
    """A warning when some of the ensemble's members make the model unstable ("" when none does).

    Checks the first ``min(samples, max_members)`` members of the draws that
    ``bwsim run --samples`` makes (also those of ``monitor`` and ``scorecard
    --samples``: the same draws), before they run; or, with ``members``, the
    first columns of explicit ``(weights, lags)``, each (L, M), such as the
    runs of ``sensitivity``; or, with ``sample``, the first members of that drawn
    sample (the ensemble's own: nothing is drawn again). Skipped ("") when the
    central model is itself unstable: :func:`stability_warning` says so.
    """
    from simulator.analysis.stability import ensemble_stability
    from simulator.sampling import draw

    if stability_warning(prepared):
        return ""
    if members is None:
        sample = draw(prepared.model, samples, seed, method) if sample is None else sample
        keep = min(sample.samples, max_members)
        weights, lags = sample.block(0)
        describe = sample.member_values
    else:
        weights, lags = members
        keep = min(weights.shape[1], max_members)
        describe = functools.partial(_member_values, prepared, weights, lags)
    report = ensemble_stability(prepared.compiled, weights[:, :keep], lags[:, :keep])
    if not report.unstable:
        return ""
    links = prepared.model.links
    on_loops = {
        f"{links[j].key}:{field}"
        for loop in find_loops(prepared.model, prepared.time)
        for j in loop.links
        for field in ("weight", "lag")
    }
    values = {name: value for name, value in describe(report.worst_member).items() if name in on_loops}
    shown = joined(", ", [msg("{name} = {value:.4g}", name=name, value=value) for name, value in values.items()])
    numbers = {
        "scenario": prepared.name,
        "unstable": report.unstable,
        "checked": report.checked,
        "radius": report.worst_radius,
        "member": report.worst_member,
        "values": shown,
    }
    if not values:
        return msg(
            "{scenario}: {unstable} of the first {checked} ensemble members make the model unstable: their "
            "deviations grow without bound (largest spectral radius {radius:.6g} per step, member {member}). "
            "The central model is stable, but the band's tails rest on these members: narrow the ranges of "
            "the links in the growing loop if such values are not plausible",
            **numbers,
        )
    return msg(
        "{scenario}: {unstable} of the first {checked} ensemble members make the model unstable: their "
        "deviations grow without bound (largest spectral radius {radius:.6g} per step, member {member}; its "
        "values on feedback loops: {values}). The central model is stable, but the band's tails rest on "
        "these members: narrow the ranges of the links in the growing loop if such values are not plausible",
        **numbers,
    )


def _member_values(prepared: PreparedScenario, weights: np.ndarray, lags: np.ndarray, member: int) -> dict[str, float]:
    """The weights and lags of one explicit member that differ from the central values, by name."""
    from simulator.sampling import changed_values

    cm = prepared.compiled
    return changed_values(
        [lk.key for lk in prepared.model.links], cm.weight, cm.lag, weights[:, member], lags[:, member]
    )


def member_deltas(
    prepared: PreparedScenario,
    indices: Sequence[int],
    samples: int,
    seed: int = 0,
    method: str = "lhs",
    max_members: int = MAX_MEMBERS,
) -> np.ndarray:
    """Deviations of ensemble members at chosen time indices, shape (len(indices), N, M).

    The members are the first ``min(samples, max_members)`` of the draws
    :func:`simulator.sampling.draw` makes for ``samples`` and ``seed`` (the same
    parameter sets as the ensemble of ``bwsim run``), run by
    :func:`simulator.ensemble.run_members`. A run with an ensemble need not call
    this: :func:`simulator.runner.run_scenarios` takes the shares from the
    ensemble's own members.
    """
    from simulator.ensemble import run_members
    from simulator.sampling import draw

    sample = draw(prepared.model, samples, seed, method)
    keep = min(samples, max_members)
    blocks = [sample.uniforms(b) for b in range(sample.n_blocks) if sample.block_range(b)[0] < keep]
    weights, lags = sample.values(np.concatenate(blocks)[:keep])
    return run_members(prepared, weights, lags)[list(indices)]  # within the budget, or refused before it runs


def scenario_scorecard(
    prepared: PreparedScenario,
    years: Sequence[float] | None = None,
    ensemble: dict | None = None,
    language: str = "nl",
    themes: Sequence[str] | None = None,
    members: EnsembleSummary | None = None,
    central: np.ndarray | None = None,
) -> pd.DataFrame:
    """The scorecard of a prepared scenario against its baseline.

    Parameters
    ----------
    prepared : PreparedScenario
    years : sequence of float, optional
        Default: decades and the horizon.
    ensemble : dict, optional
        ``{"samples", "seed", "method"}``: verdicts per member (share_agree); the
        row's delta and verdict stay those of the run at the modes.
    language : {"nl", "en"}
    themes : sequence of str, optional
        Only these themes (InputError for a theme no node has).
    members : EnsembleSummary, optional
        The scenario's ensemble, run with the members kept at these years
        (:func:`simulator.ensemble.summarise_sample`'s ``member_times``): the
        verdicts per member come from its runs, nothing is drawn or run again.
    central : ndarray (K + 1, N), optional
        The deterministic run's deviations, when already run (node units).
    """
    cm = prepared.compiled
    years = default_years(cm.times[0], cm.times[-1]) if years is None else sorted(years)
    idx = time_indices(cm.times, years)
    central = (simulate(cm, prepared.inputs)[:, :, 0] if central is None else central)[idx]
    delta = central
    if members is not None:
        delta = members.member_deltas(idx)
    elif ensemble:
        delta = member_deltas(
            prepared, idx, int(ensemble["samples"]), int(ensemble.get("seed", 0)), str(ensemble.get("method", "lhs"))
        )
    card = scorecard(
        prepared.model,
        cm.times[idx],
        cm.baselines[idx],
        delta,
        years,
        scenario=prepared.name,
        language=language,
        themes=themes,
        central=central,
        elsewhere=elsewhere_nodes(prepared),
    )
    card["horizon"] = card["time"] == float(cm.times[-1])
    return card


def last_year(card: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last year the scorecard holds: the horizon, or the last year asked for with ``--year``."""
    return card[card["time"] == card["time"].max()]


def scorecard_text(
    card: pd.DataFrame,
    prepared: PreparedScenario,
    language: str = "nl",
    per_dimension: int = 3,
    central: np.ndarray | None = None,
    ensemble: EnsembleSummary | None = None,
) -> str:
    """The printed scorecard of one scenario (see the module docstring).

    ``central``: the deterministic run's deviations (K + 1, N), node units, when already run (the
    verdeling lines read them); else the scenario is run here. ``ensemble``: the scenario's ensemble,
    its members kept at the card's years: verdeling says how many of them narrow each gap.
    """
    nl = language == "nl"
    lines = [
        "Brede-welvaart scorecard" + (" (tegenover de basislijn)" if nl else " (against the baseline)"),
        scorecard_table(summary(card), language),
    ]
    horizon = last_year(card)
    lines += _distribution_lines(card, prepared, language, central, ensemble)
    lines += _tradeoff_lines(horizon, language)
    lines.append(f"\n  {'Grootste veranderingen per dimensie' if nl else 'Largest changes per dimension'}:")
    for dim in DIMENSIONS:
        rows = horizon[(horizon["dimension"] == dim) & horizon["verdict"].isin(["improves", "worsens"])]
        rows = rows.assign(_size=rows["relative"].abs().fillna(0)).sort_values("_size", ascending=False)
        lines.append(f"    {DIMENSION_NAMES[language][dim]}:")
        if rows.empty:
            lines.append("      " + ("geen gescoorde verandering" if nl else "no scored change"))
        for _, row in rows.head(per_dimension).iterrows():
            lines.append(f"      {sentence(row, language, prepared.model)}")
    net = gross_net_lines(horizon, prepared.model, language)
    if net:
        year = f"{horizon['year'].iloc[0]:g}"
        lines.append(
            "\n  "
            + translate(msg("Gross and net in {year} (net: after displacement elsewhere)", year=year), language)
            + ":"
        )
        lines += [f"    {line}" for line in net]
    return "\n".join(lines)


def _distribution_lines(
    card: pd.DataFrame,
    prepared: PreparedScenario,
    language: str,
    central: np.ndarray | None = None,
    ensemble: EnsembleSummary | None = None,
) -> list[str]:
    cm = prepared.compiled
    years = sorted(card["year"].unique())
    d = simulate(cm, prepared.inputs)[:, :, 0] if central is None else central
    members = None
    if ensemble is not None and ensemble.members is not None:
        idx = time_indices(cm.times, years)
        if all(k in ensemble.member_times for k in idx):
            members = ensemble.member_deltas(idx)
    lines = distribution_lines(prepared.model, cm.times, cm.baselines, d, years, language, members)
    if not lines:
        return []
    head = "Verdeling (verschil tussen groepen)" if language == "nl" else "Distribution (gap between groups)"
    return [f"\n  {head}:", *(f"    {line}" for line in lines)]


def distribution_lines(
    model: ModelSpec,
    times: np.ndarray,
    baseline: np.ndarray,
    delta: np.ndarray,
    years: Sequence[float],
    language: str = "nl",
    member_deltas: np.ndarray | None = None,
) -> list[str]:
    """One line per split indicator (verdeling): its groups, the baseline gap, and per year whether the
    gap widens or narrows and by how much (in the groups' unit).

    "Vertrouwen in anderen (noord/zuid; verschil 11 procentpunt): 2035: groter (+0,0225 procentpunt)".
    A family over a dimension (places or groups) gets :func:`family_distribution_line`. ``member_deltas``:
    the ensemble's deviations at ``years`` (len(years), N, M), for the share that narrows a gap.
    Empty when nothing has two groups.
    """
    table = distribution(model, times, baseline, delta, years)
    if member_deltas is not None:
        idx = time_indices(np.asarray(times, dtype=float), years)
        shares = distribution(
            model, np.asarray(times, dtype=float)[idx], baseline[idx], member_deltas, years, central=delta[idx]
        )
        table = table.assign(share_narrows=shares["share_narrows"].to_numpy(), n_members=shares["n_members"])
    words = VERDICT_WORDS[language]
    nodes = {n.id: n for n in model.nodes}
    index = {n.id: i for i, n in enumerate(model.nodes)}
    out = []
    for indicator, part in table.groupby("indicator", sort=False):
        if part["over"].iloc[0] != "split":
            k = time_indices(np.asarray(times, dtype=float), [float(part["year"].iloc[0])])[0]
            level = [float(baseline[k, index[i]]) for i in part["nodes"].iloc[0].split(",")]
            groups = part["groups"].iloc[0].split(",")
            ends = (groups[int(np.argmax(level))], groups[int(np.argmin(level))])
            out.append(family_distribution_line(part, model, language, ends if max(level) > min(level) else None))
            continue
        members = [nodes[i] for i in part["nodes"].iloc[0].split(",")]
        unit = change_unit(unit_label(members[0].shown_unit, language), language)
        gap = format_number(float(part["gap_baseline"].iloc[0]), language)
        precision = max(m.indicator.precision or 0.0 for m in members)

        def cell(row: pd.Series, unit: str = unit, precision: float = precision) -> str:
            change = f"{'+' if row['change'] > 0 else ''}{format_number(row['change'], language)} {unit}".rstrip()
            if row["verdict"] != "level":
                return f"{row['year']:g}: {words[row['verdict']]} ({change})"
            if 0 < abs(row["change"]) < precision:  # level because no survey could measure it
                below = "onder de meetprecisie van" if language == "nl" else "below the measurement precision of"
                return f"{row['year']:g}: {words['level']} ({change}, {below} {format_number(precision, language)})"
            return f"{row['year']:g}: {words['level']}"

        cells = ", ".join(cell(row) for _, row in part.iterrows())
        name = split_name([m.label.get(language) for m in members]) or display_name(indicator)
        groups = part["groups"].iloc[0].replace(",", "/")
        between = "verschil" if language == "nl" else "gap"
        out.append(f"{name} ({groups}; {between} {gap} {unit}): {cells}")
    return out


MEASURE_WORDS = {
    "range": msg("highest minus lowest"),
    "sd": msg("standard deviation"),
    "ratio": msg("highest divided by lowest"),
}


def family_distribution_line(
    part: pd.DataFrame, model: ModelSpec, language: str = "nl", ends: tuple[str, str] | None = None
) -> str:
    """The verdeling of one family over one dimension (rows of :func:`distribution`, one per year).

    "Werkloosheid over gemeente (hoogste min laagste, heerlen tegen kerkrade): 2035: 0,6 zonder, 0,29 met
    het scenario: kleiner (-0,31 procentpunt; kleiner in 92 % van de runs)". ``ends``: the groups with the
    highest and the lowest baseline in the first year, named for ``range`` and ``ratio`` (the gap is
    between them; ``sd`` spreads over all groups).
    """
    nodes = {n.id: n for n in model.nodes}
    members = [nodes[i] for i in part["nodes"].iloc[0].split(",")]
    measure = str(part["measure"].iloc[0])
    unit = "" if measure == "ratio" else change_unit(unit_label(members[0].shown_unit, language), language)
    cells = []
    for _, row in part.iterrows():
        sign = "+" if row["change"] > 0 else ""
        numbers = {
            "year": f"{row['year']:g}",
            "before": format_number(row["gap_baseline"], language),
            "after": format_number(row["gap_scenario"], language),
            "verdict": VERDICT_WORDS[language][row["verdict"]],
            "change": f"{sign}{format_number(row['change'], language)} {unit}".rstrip(),
        }
        cell = msg("{year}: {before} without, {after} with the scenario: {verdict} ({change})", **numbers)
        if np.isfinite(row["share_narrows"]):
            cell = msg(
                "{cell}, narrower in {share} % of {n} runs",
                cell=translate(cell, language),
                share=round(100 * float(row["share_narrows"])),
                n=int(row["n_members"]),
            )
        cells.append(translate(cell, language))
    name = split_name([m.label.get(language) for m in members]) or display_name(str(part["indicator"].iloc[0]))
    how = translate(MEASURE_WORDS[measure], language)
    if ends is not None and measure in ("range", "ratio"):
        how = translate(
            msg("{measure}, {highest} against {lowest}", measure=how, highest=ends[0], lowest=ends[1]), language
        )
    return translate(
        msg(
            "{name} over {over} ({measure}): {cells}",
            name=name,
            over=str(part["over"].iloc[0]),
            measure=how,
            cells="; ".join(cells),
        ),
        language,
    )


def split_name(labels: Sequence[str]) -> str:
    """What the groups' labels share, up to the last separator: the name of the split indicator.

    ``["Vertrouwen in anderen, Heerlen-Noord", "Vertrouwen in anderen, Heerlen-Zuid"]`` ->
    ``"Vertrouwen in anderen"``; "" when they share no whole words.
    """
    common = labels[0]
    for label in labels[1:]:
        while not label.startswith(common):
            common = common[:-1]
    cut = max(common.rfind(", "), common.rfind(" ("), common.rfind(" - "), common.rfind(": "))
    return common[:cut].strip() if cut > 0 else ""


def _tradeoff_lines(horizon: pd.DataFrame, language: str) -> list[str]:
    """Which themes gain and which lose at the horizon (each gainer trades off against each loser)."""
    pairs = tradeoffs(horizon)
    if pairs.empty:
        return []
    nl, names = language == "nl", DIMENSION_NAMES["nl"]
    gains = dict.fromkeys(
        f"{theme_name(t)} ({names[d]})" for d, t in zip(pairs["gains_dimension"], pairs["gains_theme"], strict=True)
    )
    loses = dict.fromkeys(
        f"{theme_name(t)} ({names[d]})" for d, t in zip(pairs["loses_dimension"], pairs["loses_theme"], strict=True)
    )
    year = float(horizon["year"].iloc[0])
    return [
        f"\n  {'Afruil in' if nl else 'Trade-offs in'} {year:g}:",
        f"    {'winst' if nl else 'gains'}:  " + ", ".join(gains),
        f"    {'verlies' if nl else 'losses'}: " + ", ".join(loses),
    ]


def comparison_text(cards: Sequence[pd.DataFrame], language: str = "nl") -> str:
    """Scenarios side by side at their horizon: one row per dimension and theme, one column per scenario.

    Symbols as in :func:`simulator.analysis.text.scorecard_table` (``+`` improves, ``-`` worsens, ...).
    """
    frames = [summary(last_year(card)) for card in cards]
    names = [str(card["scenario"].iloc[0]) for card in cards]
    width = max([12, *(len(n) + 2 for n in names)])
    year = float(last_year(cards[0])["year"].iloc[0])
    head = ("Scenario's naast elkaar in " if language == "nl" else "Scenarios side by side in ") + f"{year:g}"
    lines = [head, f"  {'':<30}" + "".join(f"{n:>{width}}" for n in names)]
    for dim in DIMENSIONS:
        lines.append(f"  {DIMENSION_NAMES[language][dim]}")
        themes = sorted(
            dict.fromkeys(t for f in frames for t in f.loc[f["dimension"] == dim, "theme"]),
            key=functools.partial(theme_order, dimension=dim),
        )
        for theme in themes:
            cells = []
            for f in frames:
                row = f[(f["dimension"] == dim) & (f["theme"] == theme)]
                cells.append(SYMBOLS[row["verdict"].iloc[0]] if len(row) else "")
            lines.append(f"    {theme_name(theme)[:28]:<28}" + "".join(f"{c:>{width}}" for c in cells))
    return "\n".join(lines)
