"""Scorecard: verdicts follow each node's direction, tolerance, ensembles, distribution, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.analysis.scorecard import (
    SCORECARD_COLUMNS,
    Tolerance,
    default_years,
    distribution,
    scorecard,
    summary,
    verdicts,
)
from simulator.errors import InputError

from .helpers import model, node


def four_nodes():
    return model(
        [
            node("jobs", theme="arbeid", direction="up"),
            node(
                "unemployment", theme="arbeid", direction="down", unit="%", unit_label="% of labour force", baseline=5.0
            ),
            node("co2", theme="milieu", dimension="later", direction="down", baseline=0.0),
            node("commuters", theme="arbeid", dimension="elders", direction="neutral", quantified=False),
        ],
        [],
        start=2025,
        end=2050,
        dt=0.5,
    )


def grid(spec):
    times = 2025 + 0.5 * np.arange(51)
    return times, np.tile([100.0, 5.0, 0.0, 100.0], (times.size, 1))


def test_signs_follow_the_direction_of_each_node():
    spec = four_nodes()
    times, base = grid(spec)
    delta = np.tile([2.0, 0.3, -1.0, 5.0], (times.size, 1))  # more jobs, more unemployment, less co2
    card = scorecard(spec, times, base, delta, [2030, 2050], scenario="s")
    assert list(card.columns) == SCORECARD_COLUMNS
    at = card[card["year"] == 2030].set_index("node")
    assert at.loc["jobs", "verdict"] == "improves"
    assert at.loc["unemployment", "verdict"] == "worsens"
    assert at.loc["co2", "verdict"] == "improves"
    assert at.loc["commuters", "verdict"] == "neutral"
    assert not at.loc["commuters", "quantified"]
    assert at.loc["unemployment", "relative"] == pytest.approx(0.06)
    assert np.isnan(at.loc["co2", "relative"])
    assert list(card["dimension"][:4]) == ["hier_en_nu", "hier_en_nu", "later", "elders"]
    assert card["horizon"].tolist() == [False] * 4 + [True] * 4
    flipped = scorecard(spec, times, base, -delta, [2030]).set_index("node")["verdict"]
    assert list(flipped) == ["worsens", "improves", "worsens", "neutral"]


def test_level_means_within_a_tenth_of_a_percent_of_the_baseline():
    direction = np.array(["up", "up", "down", "down"], dtype=object)
    d = np.array([0.099, 0.101, 1e-7, 1e-5])
    b = np.array([100.0, 100.0, 0.0, 0.0])
    assert list(verdicts(d, b, direction)) == ["level", "improves", "level", "worsens"]
    assert list(verdicts(d, b, direction, Tolerance(relative=0.01, absolute=1e-3))) == ["level"] * 4


def test_ensemble_share_agree_counts_members_with_the_same_verdict():
    spec = four_nodes()
    times, base = grid(spec)
    members = np.tile([1.0, 0.0, 0.0, 0.0], (times.size, 1))[:, :, None] * np.array([1, 2, 3, -1])  # M = 4
    card = scorecard(spec, times, base, members, [2050]).set_index("node")
    assert card.loc["jobs", "verdict"] == "improves"
    assert card.loc["jobs", "delta"] == pytest.approx(1.5)
    assert card.loc["jobs", "share_agree"] == pytest.approx(0.75)
    assert card.loc["jobs", "share_worsens"] == pytest.approx(0.25)
    assert card.loc["jobs", "n_members"] == 4
    assert card.loc["unemployment", "verdict"] == "level" and card.loc["unemployment", "share_agree"] == 1.0
    det = scorecard(spec, times, base, members[:, :, 0], [2050]).set_index("node")
    assert np.isnan(det.loc["jobs", "share_agree"]) and det.loc["jobs", "n_members"] == 1


def test_summary_per_theme_and_dimension():
    spec = four_nodes()
    times, base = grid(spec)
    delta = np.tile([2.0, 0.3, -1.0, 5.0], (times.size, 1))
    groups = summary(scorecard(spec, times, base, delta, [2050], scenario="s")).set_index(["dimension", "theme"])
    assert groups.loc[("hier_en_nu", "arbeid"), "verdict"] == "mixed"
    assert groups.loc[("later", "milieu"), "verdict"] == "improves"
    assert groups.loc[("elders", "arbeid"), "verdict"] == "neutral"
    assert groups.loc[("elders", "arbeid"), "expert_scored"]
    dims = summary(scorecard(spec, times, base, delta, [2050]), by=("dimension",))
    assert list(dims["verdict"]) == ["mixed", "improves", "neutral"]


def test_years_outside_the_horizon_and_unknown_themes_are_input_errors():
    spec = four_nodes()
    times, base = grid(spec)
    with pytest.raises(InputError, match="year 2060 is outside the horizon 2025-2050"):
        scorecard(spec, times, base, np.zeros_like(base), [2030, 2060])
    with pytest.raises(InputError, match="no node has the theme 'wonen'") as info:
        scorecard(spec, times, base, np.zeros_like(base), themes=["wonen"])
    assert "milieu, arbeid" in info.value.problems[0].hint  # CBS order; an id outside the list comes last
    only = scorecard(spec, times, base, np.zeros_like(base), [2050], themes=["milieu"])
    assert list(only["node"]) == ["co2"]


def test_default_years_are_decades_and_the_horizon():
    assert default_years(2025, 2050) == [2030.0, 2040.0, 2050.0]
    assert default_years(2020, 2033.5) == [2030.0, 2033.5]


def test_distribution_says_whether_the_gap_widens_or_narrows():
    spec = model(
        [
            node("inc_low", split={"indicator": "income", "group": "low"}, baseline=20.0),
            node("inc_high", split={"indicator": "income", "group": "high"}, baseline=60.0),
            node("other"),
        ],
        [],
        start=2025,
        end=2030,
        dt=1.0,
    )
    times = np.arange(2025, 2031, dtype=float)
    base = np.tile([20.0, 60.0, 1.0], (6, 1))
    narrowing = np.tile([3.0, 1.0, 0.0], (6, 1))
    table = distribution(spec, times, base, narrowing, [2030])
    row = table.iloc[0]
    assert (row["indicator"], row["groups"], row["verdict"]) == ("income", "low,high", "narrows")
    assert row["change"] == pytest.approx(-2.0) and row["gap_baseline"] == pytest.approx(40.0)
    assert distribution(spec, times, base, -narrowing, [2030]).iloc[0]["verdict"] == "widens"
    members = np.stack([narrowing, -narrowing, narrowing], axis=2)
    assert distribution(spec, times, base, members, [2030]).iloc[0]["share_agree"] == pytest.approx(2 / 3)
    assert distribution(four_nodes(), *grid(four_nodes()), np.zeros((51, 4))).empty


def test_central_run_sets_delta_and_verdict_and_members_the_agreement():
    spec = four_nodes()
    times, base = grid(spec)
    members = np.tile([1.0, 0.0, 0.0, 0.0], (times.size, 1))[:, :, None] * np.array([-1, -2, 3, 4])
    central = np.tile([0.5, 0.0, 0.0, 0.0], (times.size, 1))
    card = scorecard(spec, times, base, members, [2050], central=central).set_index("node")
    assert card.loc["jobs", "delta"] == 0.5 and card.loc["jobs", "verdict"] == "improves"
    assert card.loc["jobs", "share_agree"] == pytest.approx(0.5)


def test_a_change_below_the_indicators_measurement_precision_is_level():
    """``indicator.precision`` (node units): a survey cannot tell a smaller change, so the scorecard says level,
    for the central run and for each member; without a precision the same change is scored."""
    import numpy as np

    from simulator.analysis.scorecard import verdicts

    delta = np.array([[0.5, 0.5, 2.0, -0.5]])
    base = np.array([[50.0, 50.0, 50.0, 50.0]])
    up = np.array(["up"] * 4, dtype=object)
    precision = np.array([1.0, 0.0, 1.0, 0.5])
    assert list(verdicts(delta, base, up, precision=precision)[0]) == ["level", "improves", "improves", "worsens"]
    assert list(verdicts(delta, base, up)[0]) == ["improves", "improves", "improves", "worsens"]


def test_the_scorecard_of_measured_indicators_leaves_out_the_expert_scored_ones():
    from pathlib import Path

    from simulator.analysis.report import scenario_scorecard
    from simulator.analysis.scorecard import measured_only
    from simulator.io.spec_files import load_scenario
    from simulator.scenario_run import prepare_scenario

    loaded = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "medtech-growth.yaml")
    card = scenario_scorecard(prepare_scenario(loaded.spec, loaded.model.spec))
    assert "regional_outlook" in set(card["node"])
    measured = measured_only(card)
    assert "regional_outlook" not in set(measured["node"]) and measured["quantified"].all()
    assert len(measured) == len(card) - (~card["quantified"].astype(bool)).sum()
    heerlen = loaded.model.spec
    health = card[(card["node"] == "perceived_health") & (card["year"] == 2050)].iloc[0]
    assert 0 < abs(health["delta"]) < heerlen.node("perceived_health").indicator.precision
    assert health["verdict"] == "level"  # +0,2 procentpunt: below the survey's margin of 1,7
