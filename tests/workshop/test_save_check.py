"""A save is read back and compared before the app says "saved" (simulator.app.workshop_save), and the future
in words."""

from __future__ import annotations

from simulator.app import future_words, workshop_save
from simulator.io.spec_files import load_model_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.workshop.futures import model_file, run_version
from simulator.workshop.records import Notes
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_YAML, future_yaml


def test_a_saved_version_read_back_matches_what_was_sent(store: WorkshopStore, workshop_code: str):
    text = future_yaml(10, weight=1.5)
    model = model_file(store.current_model(workshop_code))
    shown = run_version(store.save_future(workshop_code, "A", "probe", text), model)
    check = workshop_save.save_checked(store, workshop_code, "a", "Groen", text, Notes(" vraag "), shown=shown)
    assert check.ok and check.version.group == "A" and check.version.notes.question == "vraag"


def test_the_read_back_names_what_differs_from_what_was_shown(store: WorkshopStore, workshop_code: str):
    model = model_file(store.current_model(workshop_code))
    saved = store.save_future(workshop_code, "A", "Groen", future_yaml(10))
    other = run_version(store.save_future(workshop_code, "B", "Ander", future_yaml(20)), model)
    assert workshop_save.read_back(store, workshop_code, saved, future_yaml(10), Notes(), other) == ("numbers",)
    assert workshop_save.read_back(store, workshop_code, saved, future_yaml(11), Notes("x"), None) == (
        "text",
        "notes",
    )


def test_an_own_model_edit_travels_as_an_override_with_the_same_numbers(store: WorkshopStore, workshop_code: str):
    workshop_model = model_file(store.current_model(workshop_code))
    edited = load_model_text(MODEL_YAML.replace("weight: 0.5}", "weight: 0.75}"), "eigen-model.yaml").spec
    built = workshop_save.check_text(future_yaml(10), workshop_model)
    spec, lost = workshop_save.for_workshop(built, edited, workshop_model)
    assert lost == [] and spec.name == built.name
    assert [(o.source, o.target, o.weight.central) for o in spec.overrides.links] == [("y", "z", 0.75)]
    text = workshop_save.future_text(spec)
    shown = run_deterministic(prepare_scenario(built, edited))
    check = workshop_save.save_checked(store, workshop_code, "A", "Eigen", text, Notes(), shown=shown)
    assert check.ok


def test_a_model_with_another_network_cannot_be_saved_to_the_workshop(store: WorkshopStore, workshop_code: str):
    workshop_model = model_file(store.current_model(workshop_code))
    other = load_model_text(MODEL_YAML.replace("  - {from: y, to: z, weight: 0.5}\n", ""), "other.yaml").spec
    built = workshop_save.check_text(future_yaml(10), workshop_model)
    spec, lost = workshop_save.for_workshop(built, other, workshop_model)
    assert spec is None and lost == ["the network itself (nodes or links added or removed)"]


def test_the_future_in_words_has_values_at_full_precision_with_units(store: WorkshopStore, workshop_code: str):
    model = model_file(store.current_model(workshop_code))
    spec = workshop_save.check_text(future_yaml(-2.5, weight=1.25), model)
    levers, changed = future_words.future_lines(model.spec, spec, "nl")
    assert levers == ["X: 2,5 minder vanaf 2026"]  # the tiny model's nodes have no unit
    assert changed == ["Aanname X → Y: gewicht 1,25 (model: 1)"]  # a fixed weight: no range
    assert future_words.future_lines(model.spec, spec, "en")[0] == ["X: 2.5 less from 2026"]
    assert future_words.number(-0.00025) == "-0,00025" and future_words.number(1234.5, "en") == "1,234.5"
    assert future_words.number(8e-05) == "0,00008"
