"""A future as scenarios, lever labels and the share-link form of a future (no Streamlit).

What the library does (levers, assumptions, diff and merge of overrides) is tested in tests/core/test_overrides.py.
"""

from __future__ import annotations

import pytest
from ui_helpers import GROW, SMALL

from simulator import overrides as ov
from simulator.app import future as fut
from simulator.io.spec_files import load_model_text, load_scenario_text
from simulator.scenario_run import prepare_scenario, run_deterministic


@pytest.fixture
def model():
    return load_model_text(SMALL, "small.yaml")


@pytest.fixture
def grow(model):
    return load_scenario_text(GROW, "grow.yaml", model).spec


def test_a_lever_s_label_names_the_node_and_its_unit(model, grow):
    (lever,) = ov.levers(model.spec, [grow])
    assert fut.lever_label(model.spec, lever, "en") == "Jobs (jobs)"
    assert fut.lever_label(model.spec, lever, "nl") == "Banen (banen)"


def test_a_lever_value_replaces_the_scenario_size(model, grow):
    items = ov.levers(model.spec, [grow])
    defaults, own = fut.build_scenarios(model.spec, grow, items, fut.Future("grow", {"jobs:step": 150.0}))
    assert own is None
    assert [(i.node, i.height, i.start) for i in defaults.interventions] == [("jobs", 150.0, 2026.0)]


def test_changed_assumptions_make_a_second_scenario_and_leave_the_first_alone(model, grow):
    items = ov.levers(model.spec, [grow])
    future = fut.Future("grow", assumptions={"jobs->income": 3.0, "jobs->elsewhere": -0.25})
    defaults, own = fut.build_scenarios(model.spec, grow, items, future)
    assert defaults.overrides.links == []
    (override,) = own.overrides.links  # the unchanged one is not an override
    assert override.weight.central == 3.0 and override.weight.support == (1.0, 3.0)
    d_def = run_deterministic(prepare_scenario(defaults, model.spec))
    d_own = run_deterministic(prepare_scenario(own, model.spec))
    assert d_def.at(2035)[1] == pytest.approx(200.0)
    assert d_own.at(2035)[1] == pytest.approx(300.0)


def test_baseline_start_with_zero_levers_has_no_interventions(model, grow):
    items = ov.levers(model.spec, [grow])
    defaults, _ = fut.build_scenarios(model.spec, None, items, fut.Future())
    assert defaults.interventions == []


def test_share_code_round_trips():
    future = fut.Future("grow", {"jobs:step": 150.0}, {"jobs:step": [2027.0, 2028.0]}, {"jobs->income": 2.5})
    code = fut.encode_future(future)
    assert code.isascii() and "=" not in code and len(code) < 200
    assert fut.decode_future(code) == future


@pytest.mark.parametrize("code", ["", "!!!", "x" * 9000, fut.encode_future(fut.Future()).upper()])
def test_damaged_share_codes_raise_value_error(code):
    with pytest.raises(ValueError):
        fut.decode_future(code)


def test_share_codes_with_wrong_values_are_refused():
    import base64
    import json
    import zlib

    raw = json.dumps({"s": "grow", "l": {"jobs:step": "lots"}}).encode()
    code = base64.urlsafe_b64encode(zlib.compress(raw)).decode()
    with pytest.raises(ValueError, match="finite number"):
        fut.decode_future(code)


def _edited(text: str):
    return load_model_text(text, "eigen-model.yaml").spec


def test_a_link_carries_the_model_name_and_the_scenario_text():
    future = fut.Future("grow-gedeeld", {"jobs:step": 150.0})
    link = fut.decode_link(fut.encode_future(future, "other", "name: grow-gedeeld\n"))
    assert (link.future, link.model, link.scenario) == (future, "other", "name: grow-gedeeld\n")
    assert fut.decode_link(fut.encode_future(future)).model is None


def test_model_edits_from_the_table_travel_as_a_shared_scenario_with_the_same_numbers(model, grow):
    edited = (
        SMALL.replace("{low: 1, mode: 2, high: 3}", "{low: 1, mode: 2.5, high: 4}")
        .replace("weight: 0.5, lag: 1,", "weight: 0.5, lag: 2,")
        .replace("baseline: 30000", "baseline: 31000")
    )
    own = _edited(edited)
    spec, lost = fut.shared_scenario(model.spec, own, grow, "../models/small.yaml")
    assert lost == [] and spec.name == "grow-gedeeld" and spec.interventions == grow.interventions
    on_base = run_deterministic(prepare_scenario(spec, model.spec))
    on_own = run_deterministic(prepare_scenario(grow, own))
    assert (on_base.value == on_own.value).all()  # bit for bit: the same model, said as overrides


def test_a_starting_scenario_s_own_overrides_win_over_the_model_edits(model):
    grow = load_scenario_text(
        GROW + "overrides:\n  links:\n    - {from: jobs, to: income, weight: 1.5}\n", "g.yaml", model
    ).spec
    own = _edited(SMALL.replace("{low: 1, mode: 2, high: 3}", "{low: 1, mode: 2.5, high: 4}"))
    spec, _ = fut.shared_scenario(model.spec, own, grow, "m.yaml")
    (link,) = spec.overrides.links
    assert link.weight.central == 1.5
    assert (
        run_deterministic(prepare_scenario(spec, model.spec)).value
        == run_deterministic(prepare_scenario(grow, own)).value
    ).all()


def test_a_weights_unit_is_the_declared_one_or_per_year_into_a_stock():
    """The app shows the weight_unit the file declares (and validate checked); without one, a link into a
    stock is a flow: its weight is in the target's unit per year per the source's unit."""
    from pathlib import Path

    from simulator.app.future_words import weight_unit
    from simulator.io.spec_files import load_model

    model = load_model(Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml").spec
    assert weight_unit(model, "net_migration", "population", "nl") == "personen/jaar per persoon/jaar"
    assert weight_unit(model, "residents_employed", "unemployment_rate", "en") == "pp per person"
    undeclared = model.model_copy(update={"links": [lk.model_copy(update={"weight_unit": ""}) for lk in model.links]})
    assert weight_unit(undeclared, "net_migration", "population", "en").startswith("persons/yr per ")
