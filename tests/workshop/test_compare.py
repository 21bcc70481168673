"""The facilitator's comparison, on the tiny model with known answers.

Tiny model: x -> y (weight 1 at the mode, immediate), y -> z (0.5). A step of
height h on x gives y = w*h and z = 0.5*w*h once it has started.
"""

from __future__ import annotations

import pytest

from simulator.workshop.compare import (
    compare_workshop,
    dimension_summary,
    disputed_links,
    intervention_table,
    paths,
    scorecard,
)
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_NO_Y_LINK_YAML, future_yaml


@pytest.fixture
def db_url(tmp_path) -> str:
    """The numbers do not depend on the database: SQLite only (the store tests cover PostgreSQL)."""
    return str(tmp_path / "compare.sqlite")


@pytest.fixture
def two_futures(store: WorkshopStore, workshop_code: str) -> str:
    store.save_future(workshop_code, "A", "laag", future_yaml(10, weight=2.0))
    store.save_future(workshop_code, "B", "hoog", future_yaml(10, weight=3.0))
    return workshop_code


def test_scorecard_has_the_known_changes_and_judgements(store: WorkshopStore, two_futures: str):
    card = scorecard(compare_workshop(store, two_futures)).set_index(["future", "node"])
    assert card.loc[("A / laag", "y"), "delta"] == pytest.approx(20.0)
    assert card.loc[("B / hoog", "z"), "delta"] == pytest.approx(15.0)
    assert card.loc[("B / hoog", "z"), "percent"] == pytest.approx(75.0)
    # x and z are "up", y is "down": more y is worse
    assert card.loc[("A / laag", "x"), "judgement"] == 1
    assert card.loc[("A / laag", "y"), "judgement"] == -1
    summary = dimension_summary(card.reset_index()).set_index(["future", "dimension"])
    assert summary.loc[("A / laag", "hier_en_nu")].tolist() == [1, 1]
    assert summary.loc[("A / laag", "later")].tolist() == [1, 0]


def test_paths_overlay_every_future_and_the_baseline(store: WorkshopStore, two_futures: str):
    table = paths(compare_workshop(store, two_futures), "z")
    assert set(table.future) == {"A / laag", "B / hoog", "baseline"}
    end = table[table.time == 2030].set_index("future")
    assert end.loc["A / laag", "value"] == pytest.approx(20 + 10)
    assert end.loc["baseline", "value"] == pytest.approx(20)
    with pytest.raises(KeyError):
        paths(compare_workshop(store, two_futures), "nope")


def test_disputed_links_report_the_exact_effect_on_the_outcome(store: WorkshopStore, two_futures: str):
    comparison = compare_workshop(store, two_futures)
    table = disputed_links(comparison, "z", reference="A / laag")
    assert list(table.link) == ["x->y"]  # y->z is not disputed
    row = table.iloc[0]
    assert row.weights == {"A / laag": 2.0, "B / hoog": 3.0}
    # z = 0.5 * w * 10: the reference re-run with each group's weight
    assert (row.outcome_low, row.outcome_high) == (pytest.approx(10.0), pytest.approx(15.0))
    assert row.effect == pytest.approx(5.0)
    assert (row.low_future, row.high_future) == ("A / laag", "B / hoog")
    # the reference's own interventions are kept: a bigger step in B changes nothing here
    store.save_future(two_futures, "B", "hoog", future_yaml(100, weight=3.0))
    again = disputed_links(compare_workshop(store, two_futures), "z", reference="A / laag").iloc[0]
    assert again.effect == pytest.approx(5.0)


def test_a_future_without_an_override_takes_the_model_weight(store: WorkshopStore, two_futures: str):
    store.join(two_futures, "C")
    store.save_future(two_futures, "C", "model", future_yaml(10))
    row = disputed_links(compare_workshop(store, two_futures), "y", reference="C / model").iloc[0]
    assert row.weights["C / model"] == 1.0
    assert row.effect == pytest.approx(20.0)  # y = w * 10 for w from 1 to 3


def test_agreeing_futures_have_no_disputed_links(store: WorkshopStore, workshop_code: str):
    store.save_future(workshop_code, "A", "een", future_yaml(10, weight=2.0))
    store.save_future(workshop_code, "B", "twee", future_yaml(20, weight=2.0))
    assert disputed_links(compare_workshop(store, workshop_code), "z").empty


def test_interventions_that_differ(store: WorkshopStore, workshop_code: str):
    store.save_future(workshop_code, "A", "een", future_yaml(10))
    extra = "  - {node: z, shape: step, height: 1.0, start: 2027}\n"
    store.save_future(workshop_code, "B", "twee", future_yaml(10) + extra)
    table = intervention_table(compare_workshop(store, workshop_code)).set_index("intervention")
    shared = "x: step height=10, start=2026"
    assert table.loc[shared, "shared"] and table.loc[shared, "A / een"] and table.loc[shared, "B / twee"]
    only_b = "z: step height=1, start=2027"
    assert not table.loc[only_b, "shared"] and not table.loc[only_b, "A / een"]


def test_a_future_that_no_longer_runs_is_named_not_dropped_silently(store: WorkshopStore, two_futures: str):
    store.add_model(two_futures, MODEL_NO_Y_LINK_YAML)
    comparison = compare_workshop(store, two_futures)
    assert comparison.comparable == []
    assert len(comparison.problems) == 2 and all("no link x->y" in p for p in comparison.problems)
    assert scorecard(comparison).empty and disputed_links(comparison, "z").empty


# --- one future that blows up does not stop the comparison ------------------------------------


@pytest.fixture
def one_explodes(store: WorkshopStore, workshop_code: str) -> str:
    """Group A (the first, so the default reference) saved a future whose run overflows; B one that runs."""
    store.save_future(workshop_code, "A", "boem", future_yaml(10, weight=1e308))
    store.save_future(workshop_code, "B", "hoog", future_yaml(10, weight=3.0))
    return workshop_code


def test_a_future_that_blows_up_is_marked_and_the_others_are_compared(store: WorkshopStore, one_explodes: str):
    comparison = compare_workshop(store, one_explodes)
    assert list(comparison.failed) == ["A / boem"]
    assert "blew up" in comparison.failed["A / boem"] and "became non-finite" in comparison.failed["A / boem"]
    assert [v.label for v, _ in comparison.comparable] == ["B / hoog"]
    card = scorecard(comparison)
    assert card[card.node == "z"].set_index("future").delta.to_dict() == {"B / hoog": pytest.approx(15.0)}
    assert set(paths(comparison, "z").future) == {"B / hoog", "baseline"}
    table = disputed_links(comparison, "z")  # the reference is B, which runs
    assert list(table.link) == ["x->y"] and table.failed.iloc[0] == ["A / boem"]
    assert table.effect.iloc[0] == 0.0  # only B's own value runs on B


def test_the_command_line_prints_the_others_and_a_line_for_the_failed_future(
    store: WorkshopStore, one_explodes: str, db_url: str
):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    result = CliRunner().invoke(
        app, ["workshop", "compare", one_explodes, "--outcome", "z", "--db", db_url, "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("  B / hoog") and "+15" in line for line in lines)
    failed = [line for line in lines if line.startswith("  A / boem")]
    assert len(failed) == 1 and "failed: cannot run" in failed[0] and "blew up" in failed[0]
    assert "the run blows up with the weight of A / boem" in result.output
