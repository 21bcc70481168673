"""The brede-welvaart scorecard: what a scenario does, per dimension and theme.

For every node and every chosen year the scenario's deviation ``d`` from the
baseline gets a **verdict** from the node's ``direction``:

- ``improves``: ``d > 0`` for ``direction: up``, ``d < 0`` for ``direction: down``;
- ``worsens``: the other way round;
- ``level``: ``|d| <= relative * |b| + absolute`` (defaults: 0.1 % of the
  baseline value at that year, plus ``1e-6`` node units so that nodes with a
  zero baseline are level only when their change is negligible), or ``|d|``
  below the indicator's measurement precision (``indicator.precision``, node
  units: a survey's margin), since such a change could not be observed;
- ``neutral``: ``direction: neutral``; shown, never scored.

With an ensemble (deltas of shape ``(K + 1, N, M)``) each member gets its own
verdict; the row's ``delta`` and verdict are those of ``central`` when given
(``bwsim run`` passes the deterministic run at the modes, so the scorecard
agrees with ``results.csv``), else of the median member deviation, and
``share_agree`` is the share of members with that verdict ("improves in 92 %
of runs"). A deterministic run has ``share_agree`` NaN and ``n_members`` 1.

Nodes with ``quantified: false`` are indices scored by experts, not measured
indicators; their rows say so (``quantified`` False), and :func:`measured_only`
leaves them out (the scorecard of measured indicators only).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.errors import InputError, Problem
from simulator.messages import msg
from simulator.spec import DIMENSIONS, ModelSpec
from simulator.themes import theme_order

VERDICTS = ("improves", "worsens", "level", "neutral")
SCORECARD_COLUMNS = [
    "scenario",
    "year",
    "time",
    "horizon",
    "dimension",
    "theme",
    "region",
    "node",
    "label",
    "unit",
    "direction",
    "quantified",
    "baseline",
    "delta",
    "relative",
    "verdict",
    "share_agree",
    "share_improves",
    "share_worsens",
    "n_members",
]
SUMMARY_COLUMNS = [
    "scenario",
    "year",
    "dimension",
    "theme",
    "verdict",
    "n_improves",
    "n_worsens",
    "n_level",
    "n_neutral",
    "share_agree",
    "expert_scored",
]


@dataclass(frozen=True)
class Tolerance:
    """When a change counts as ``level``: ``|d| <= relative * |b| + absolute``.

    Attributes
    ----------
    relative : float
        Share of the baseline value at that year (default 0.001 = 0.1 %).
    absolute : float
        Node units (default 1e-6), the tolerance for zero baselines.
    """

    relative: float = 1e-3
    absolute: float = 1e-6


def verdicts(
    delta: np.ndarray,
    baseline: np.ndarray,
    direction: np.ndarray,
    tolerance: Tolerance = Tolerance(),
    precision: np.ndarray | None = None,
) -> np.ndarray:
    """The verdict of each deviation.

    Parameters
    ----------
    delta : ndarray (..., N)
        Deviations in node units.
    baseline : ndarray (..., N)
        Baseline values, broadcastable to ``delta``.
    direction : ndarray of str (N,)
        ``up``, ``down`` or ``neutral``.
    precision : ndarray (N,), optional
        Each indicator's measurement precision in node units (0: none given); a
        smaller change is ``level``.

    Returns
    -------
    ndarray of str, shape of ``delta``
    """
    sign = np.where(direction == "up", 1.0, np.where(direction == "down", -1.0, 0.0))
    good = delta * sign
    level = np.abs(delta) <= tolerance.relative * np.abs(baseline) + tolerance.absolute
    if precision is not None:
        level = level | (np.abs(delta) < precision)
    out = np.where(good > 0, "improves", "worsens").astype(object)
    out = np.where(level, "level", out)
    return np.where(sign == 0, "neutral", out)


def default_years(start: float, end: float) -> list[float]:
    """Whole decades after ``start`` up to ``end``, and ``end`` itself (years)."""
    first = (np.floor(start / 10.0) + 1) * 10.0
    years = [float(y) for y in np.arange(first, end, 10.0)]
    return years + [float(end)]


def time_indices(times: np.ndarray, years: Sequence[float], where: str = "year") -> list[int]:
    """Index of the reported time nearest each year; InputError for years outside the horizon."""
    start, end = float(times[0]), float(times[-1])
    bad = [y for y in years if not start - 1e-9 <= y <= end + 1e-9]
    if bad:
        raise InputError(
            [
                Problem(
                    "",
                    where,
                    msg("year {year:g} is outside the horizon {start:g}-{end:g}", year=y, start=start, end=end),
                    msg("choose a year from {start:g} to {end:g}", start=start, end=end),
                )
                for y in bad
            ]
        )
    return [int(np.argmin(np.abs(times - y))) for y in years]


def _check_themes(model: ModelSpec, themes: Sequence[str] | None) -> None:
    if themes is None:
        return
    known = sorted({n.theme for n in model.nodes}, key=lambda t: (theme_order(t), t))
    unknown = [t for t in themes if t not in known]
    if unknown:
        problems = []
        for t in unknown:
            close = difflib.get_close_matches(t, known, 1)
            listed = msg("themes of this model: {themes}", themes=", ".join(known))
            problems.append(
                Problem(
                    "",
                    "theme",
                    msg("no node has the theme '{theme}'", theme=t),
                    msg("did you mean '{name}'? {themes}", name=close[0], themes=listed) if close else listed,
                )
            )
        raise InputError(problems)


def scorecard(
    model: ModelSpec,
    times: np.ndarray,
    baseline: np.ndarray,
    delta: np.ndarray,
    years: Sequence[float] | None = None,
    *,
    scenario: str = "",
    themes: Sequence[str] | None = None,
    tolerance: Tolerance = Tolerance(),
    language: str = "nl",
    central: np.ndarray | None = None,
    elsewhere: Collection[str] = (),
) -> pd.DataFrame:
    """The scorecard of one scenario: one row per year and node, columns ``SCORECARD_COLUMNS``.

    Parameters
    ----------
    model : ModelSpec
        The model as run; node order = the order of ``delta``'s node axis.
    times : ndarray (K + 1,)
        Years.
    baseline : ndarray (K + 1, N)
        Baseline values, node units.
    delta : ndarray (K + 1, N) or (K + 1, N, M)
        Deviations from a deterministic run, or per ensemble member.
    years : sequence of float, optional
        Years to score; default :func:`default_years` (decades and the horizon).
    scenario : str
    themes : sequence of str, optional
        Keep only these themes (InputError for a theme no node has).
    tolerance : Tolerance
    language : {"nl", "en"}
        Language of the ``label`` column.
    central : ndarray (K + 1, N), optional
        With an ensemble: the deviations whose verdict the row reports (default:
        the median member).
    elsewhere : collection of str, optional
        Node ids scored as *elders* whatever their file says: the element nodes outside the
        interventions' own places (:func:`simulator.analysis.places.elsewhere_nodes`).

    Returns
    -------
    DataFrame
        Sorted by year, dimension (hier_en_nu, later, elders), theme (CBS's
        order, :data:`simulator.themes.THEMES`: a dimension's own themes first) and
        file order. ``relative`` is
        ``delta / |baseline|`` (NaN for a zero baseline).
    """
    _check_themes(model, themes)
    times = np.asarray(times, dtype=float)
    years = default_years(times[0], times[-1]) if years is None else list(years)
    index = time_indices(times, years)
    members = delta if delta.ndim == 3 else delta[:, :, None]
    direction = np.array([n.direction for n in model.nodes], dtype=object)
    frames = []
    for year, k in zip(years, index, strict=True):
        middle = None if central is None else np.asarray(central, dtype=float)[k]
        frames.append(
            _year_rows(model, members[k], baseline[k], direction, tolerance, delta.ndim == 3, middle).assign(
                year=float(year), time=float(times[k]), horizon=k == times.size - 1
            )
        )
    card = pd.concat(frames, ignore_index=True)
    card["scenario"] = scenario
    card["label"] = [model.node(n).label.get(language) for n in card["node"]]
    if elsewhere:
        card.loc[card["node"].isin(set(elsewhere)), "dimension"] = "elders"
    if themes is not None:
        card = card[card["theme"].isin(list(themes))]
    card["_dim"] = card["dimension"].map({d: i for i, d in enumerate(DIMENSIONS)})
    card["_theme"] = [theme_order(t, d) for t, d in zip(card["theme"], card["dimension"], strict=True)]
    card["_order"] = card["node"].map({n: i for i, n in enumerate(model.node_ids)})
    card = card.sort_values(["year", "_dim", "_theme", "theme", "_order"], kind="stable")
    return card[SCORECARD_COLUMNS].reset_index(drop=True)


def measured_only(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard without the nodes scored by experts (``quantified: false``): measured indicators only."""
    return card[card["quantified"].astype(bool)].reset_index(drop=True)


def _year_rows(
    model: ModelSpec,
    d: np.ndarray,
    b: np.ndarray,
    direction: np.ndarray,
    tolerance: Tolerance,
    ensemble: bool,
    central: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rows of one year; ``d`` has shape (N, M), ``central`` (N,) or None."""
    if central is None:
        central = np.median(d, axis=1) if ensemble else d[:, 0]
    precision = np.array([n.indicator.precision or 0.0 for n in model.nodes])
    verdict = verdicts(central, b, direction, tolerance, precision)
    per_member = verdicts(d.T, b[None, :], direction, tolerance, precision).T  # (N, M)
    n_members = d.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(b != 0, central / np.abs(b), np.nan)
    nan = np.full(len(b), np.nan)
    return pd.DataFrame(
        {
            "dimension": [n.dimension for n in model.nodes],
            "theme": [n.theme for n in model.nodes],
            "region": [n.region for n in model.nodes],
            "node": model.node_ids,
            "unit": [n.shown_unit for n in model.nodes],
            "direction": direction,
            "quantified": [n.quantified for n in model.nodes],
            "baseline": b,
            "delta": central,
            "relative": relative,
            "verdict": verdict,
            "share_agree": (per_member == verdict[:, None]).mean(axis=1) if ensemble else nan,
            "share_improves": (per_member == "improves").mean(axis=1) if ensemble else nan,
            "share_worsens": (per_member == "worsens").mean(axis=1) if ensemble else nan,
            "n_members": n_members,
        }
    )


def _group_verdict(counts: pd.Series) -> str:
    if counts["n_improves"] and counts["n_worsens"]:
        return "mixed"
    if counts["n_improves"]:
        return "improves"
    if counts["n_worsens"]:
        return "worsens"
    return "level" if counts["n_level"] else "neutral"


def summary(card: pd.DataFrame, by: Sequence[str] = ("dimension", "theme")) -> pd.DataFrame:
    """Verdicts per group (default: per dimension and theme), columns ``SUMMARY_COLUMNS``.

    A group ``improves`` when some of its nodes improve and none worsens,
    ``worsens`` the other way round, ``mixed`` when both happen, ``level`` when
    every scored node is level, ``neutral`` when it has no scored node.
    ``share_agree`` is the lowest share among its improving and worsening nodes
    (NaN for a deterministic run); ``expert_scored`` says a node with
    ``quantified: false`` is among them. With ``by=("dimension",)`` the
    ``theme`` column is "".
    """
    keys = ["scenario", "year", *by]
    scored = card.assign(
        **{f"n_{v}": (card["verdict"] == v).astype(int) for v in VERDICTS},
        moving=card["share_agree"].where(card["verdict"].isin(["improves", "worsens"])),
        expert=~card["quantified"].astype(bool),
    )
    grouped = (
        scored.groupby(keys, sort=False)
        .agg(
            n_improves=("n_improves", "sum"),
            n_worsens=("n_worsens", "sum"),
            n_level=("n_level", "sum"),
            n_neutral=("n_neutral", "sum"),
            share_agree=("moving", "min"),
            expert_scored=("expert", "any"),
        )
        .reset_index()
    )
    grouped["verdict"] = grouped.apply(_group_verdict, axis=1)
    if "theme" not in grouped:
        grouped["theme"] = ""
    return grouped[SUMMARY_COLUMNS]


DISTRIBUTION_COLUMNS = [
    "scenario",
    "year",
    "indicator",
    "over",
    "measure",
    "groups",
    "nodes",
    "gap_baseline",
    "gap_scenario",
    "change",
    "verdict",
    "share_agree",
    "share_narrows",
    "n_members",
]


def _compared(model: ModelSpec) -> list[tuple[str, str, list[int], list[str]]]:
    """What verdeling compares: (indicator, over, node indices, group names) per split indicator (``over``
    "split") and per family and dimension (:func:`simulator.analysis.places.family_groups`)."""
    from simulator.analysis.places import family_groups

    splits: dict[str, list[int]] = {}
    groups: dict[int, str] = {}
    for i, n in enumerate(model.nodes):
        if n.split is not None:
            splits.setdefault(n.split.indicator, []).append(i)
            groups[i] = n.split.group
    out = [(k, "split", v, [groups[i] for i in v]) for k, v in splits.items() if len(v) >= 2]
    return out + [(g.indicator, g.dimension, list(g.nodes), list(g.groups)) for g in family_groups(model)]


def distribution(
    model: ModelSpec,
    times: np.ndarray,
    baseline: np.ndarray,
    delta: np.ndarray,
    years: Sequence[float] | None = None,
    *,
    scenario: str = "",
    tolerance: Tolerance = Tolerance(),
    central: np.ndarray | None = None,
) -> pd.DataFrame:
    """Whether the gap between groups or places (verdeling) widens or narrows, and by how much.

    Compared are the nodes sharing ``split.indicator``, and each family of a model with dimensions
    along each of its dimensions (places or groups; a family over two, per element of the other).
    The gap of values ``b + d`` is the first node's ``gap`` measure
    (:func:`simulator.analysis.places.gap`: ``range``, highest minus lowest, by default; ``sd``;
    ``ratio``); its change is the scenario's gap minus the baseline's. ``level`` uses ``tolerance``
    on the baseline gap, and a change below the coarsest group's measurement precision
    (``indicator.precision``; not for ``ratio``, which has no node units) is ``level`` too: no
    survey could tell it.

    Parameters
    ----------
    delta : ndarray (K + 1, N) or (K + 1, N, M)
        Deviations of a deterministic run, or per ensemble member (then ``share_agree`` is the share
        of members whose gap moves as the row says).
    central : ndarray (K + 1, N), optional
        With members: the deviations whose gap the row reports (default: the median member's change).

    Returns
    -------
    DataFrame
        Columns ``DISTRIBUTION_COLUMNS``: ``over`` (``split`` or the dimension), ``measure``,
        ``gap_baseline``, ``gap_scenario``, ``change`` (node units; ``ratio`` a pure number),
        ``verdict`` (``widens`` | ``narrows`` | ``level``), ``share_agree`` (NaN for a deterministic
        run), ``share_narrows`` (the share of members whose gap narrows; NaN for a deterministic run),
        ``n_members``. Empty when nothing has two groups.
    """
    from simulator.analysis.places import gap

    times = np.asarray(times, dtype=float)
    years = default_years(times[0], times[-1]) if years is None else list(years)
    members = delta if delta.ndim == 3 else delta[:, :, None]
    rows = []
    for year, k in zip(years, time_indices(times, years), strict=True):
        for indicator, over, nodes, groups in _compared(model):
            measure = model.nodes[nodes[0]].gap or "range"
            b = baseline[k, nodes]
            gap_b = float(gap(b, measure))
            change_m = gap(b[:, None] + members[k, nodes], measure, axis=0) - gap_b  # (M,)
            tol = tolerance.relative * abs(gap_b) + tolerance.absolute
            measurable = (
                0.0 if measure == "ratio" else max(model.nodes[i].indicator.precision or 0.0 for i in nodes)
            )  # the coarsest group's
            level_m = (np.abs(change_m) <= tol) | (np.abs(change_m) < measurable)
            verdict_m = np.where(level_m, "level", np.where(change_m > 0, "widens", "narrows"))
            if central is not None:
                change = float(gap(b + np.asarray(central, dtype=float)[k, nodes], measure)) - gap_b
            else:
                change = float(np.median(change_m))
            level = abs(change) <= tol or abs(change) < measurable
            verdict = "level" if level else ("widens" if change > 0 else "narrows")
            rows.append(
                (
                    scenario,
                    float(year),
                    indicator,
                    over,
                    measure,
                    ",".join(groups),
                    ",".join(model.nodes[i].id for i in nodes),
                    gap_b,
                    gap_b + change,
                    change,
                    verdict,
                    float(np.mean(verdict_m == verdict)) if delta.ndim == 3 else np.nan,
                    float(np.mean(verdict_m == "narrows")) if delta.ndim == 3 else np.nan,
                    members.shape[2],
                )
            )
    return pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)
