"""Workshops, groups and futures in the store: versions, isolation, codes, bad input."""

from __future__ import annotations

import pytest

from simulator.errors import InputError
from simulator.workshop.codes import format_code
from simulator.workshop.futures import run_future
from simulator.workshop.records import Notes
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_NO_Y_LINK_YAML, MODEL_V2_YAML, MODEL_YAML, future_yaml


def test_every_save_is_a_new_version_and_nothing_is_overwritten(store: WorkshopStore, workshop_code: str):
    first = store.save_future(workshop_code, "A", "Groen", future_yaml(10), Notes("Wat als?", "meer banen"))
    second = store.save_future(workshop_code, "A", "Groen", future_yaml(20), Notes("Wat als?", "", "ja", "doen"))
    history = store.history(workshop_code, "A", "Groen")
    assert [v.version for v in history] == [1, 2]
    assert history[0] == first and history[1] == second
    assert "height: 10," in history[0].scenario_yaml and "height: 20," in history[1].scenario_yaml
    assert history[0].notes == Notes("Wat als?", "meer banen", "", "")
    assert all(v.intact for v in history)
    assert [v.version for v in store.latest(workshop_code)] == [2]


def test_a_repeated_save_with_the_same_save_id_is_stored_once(store: WorkshopStore, workshop_code: str):
    one = store.save_future(workshop_code, "A", "Groen", future_yaml(10), save_id="click-1")
    again = store.save_future(workshop_code, "A", "Groen", future_yaml(10), save_id="click-1")
    assert one == again
    assert len(store.history(workshop_code, "A", "Groen")) == 1


def test_latest_lists_each_groups_newest_future(store: WorkshopStore, workshop_code: str):
    store.save_future(workshop_code, "A", "een", future_yaml(1))
    store.save_future(workshop_code, "A", "een", future_yaml(2))
    store.save_future(workshop_code, "B", "twee", future_yaml(3))
    store.save_future(workshop_code, "A", "drie", future_yaml(4))
    latest = {(v.group, v.future): v.version for v in store.latest(workshop_code)}
    assert latest == {("A", "een"): 2, ("A", "drie"): 1, ("B", "twee"): 1}
    assert {v.future for v in store.latest(workshop_code, "B")} == {"twee"}


def test_one_workshops_futures_are_invisible_from_another(store: WorkshopStore, workshop_code: str):
    store.save_future(workshop_code, "A", "geheim", future_yaml(1))
    other = store.create_workshop("Other", MODEL_YAML).code
    assert store.versions(other) == [] and store.groups(other) == []
    with pytest.raises(InputError, match="no group 'A' has joined"):
        store.save_future(other, "A", "geheim", future_yaml(1))
    assert store.history(other, "A", "geheim") == []
    assert len(store.history(workshop_code, "A", "geheim")) == 1


def test_codes_are_forgiving_about_case_and_dashes(store: WorkshopStore, workshop_code: str):
    typed = format_code(workshop_code).lower().replace("-", " ")
    assert store.workshop(typed).code == workshop_code


@pytest.mark.parametrize("guess", ["", "AAAA-AAAA", "' OR '1'='1", "x" * 1000, "<script>", "HX4K-PQ7"])
def test_a_wrong_or_guessed_code_gives_nothing_away(store: WorkshopStore, workshop_code: str, guess: str):
    messages = set()
    for call in (
        store.workshop,
        store.groups,
        store.versions,
        store.current_model,
        store.start_scenarios,
    ):
        with pytest.raises(InputError) as info:
            call(guess)
        messages.add(str(info.value))
    with pytest.raises(InputError) as info:
        store.join(guess, "Indringer")
    messages.add(str(info.value))
    assert messages == {"join code: no workshop has this join code (check the code with the facilitator)"}
    assert store.groups(workshop_code) == ["A", "B"]


def test_names_and_notes_are_stored_as_text_never_run(store: WorkshopStore, workshop_code: str):
    evil = "x'); DROP TABLE future_versions; --"
    html = "<script>alert('x')</script><b>vet</b>"
    store.join(workshop_code, evil)
    saved = store.save_future(workshop_code, evil, html, future_yaml(1), Notes(html, evil, "%s", "?"))
    assert saved.group == evil and saved.future == html
    assert store.history(workshop_code, evil, html)[0].notes == Notes(html, evil, "%s", "?")
    assert evil in store.groups(workshop_code)


def test_an_invalid_future_is_refused_and_nothing_is_saved(store: WorkshopStore, workshop_code: str):
    store.save_future(workshop_code, "A", "goed", future_yaml(1))
    bad = future_yaml(1).replace("node: x", "node: xx")
    with pytest.raises(InputError, match="unknown node 'xx'.*did you mean 'x'"):
        store.save_future(workshop_code, "A", "goed", bad)
    with pytest.raises(InputError, match="YAML syntax error"):
        store.save_future(workshop_code, "A", "goed", "interventions: [")
    assert [v.version for v in store.versions(workshop_code)] == [1]


@pytest.mark.parametrize("name", ["", "   ", "a" * 81, "tab\x07bell"])
def test_bad_names_are_refused(store: WorkshopStore, workshop_code: str, name: str):
    with pytest.raises(InputError):
        store.join(workshop_code, name)
    with pytest.raises(InputError):
        store.save_future(workshop_code, "A", name, future_yaml(1))
    assert store.versions(workshop_code) == []


def test_names_are_trimmed_so_a_group_rejoins_with_the_same_name(store: WorkshopStore, workshop_code: str):
    assert store.join(workshop_code, "  A  ") == "A"
    assert store.groups(workshop_code) == ["A", "B"]


def test_group_names_match_whatever_their_case_and_spacing(store: WorkshopStore, workshop_code: str):
    assert store.join(workshop_code, "Groep  Noord") == "Groep Noord"
    assert store.join(workshop_code, "groep noord") == "Groep Noord"  # the name as first typed
    assert store.join(workshop_code, " GROEP\tNOORD ") == "Groep Noord"
    assert store.groups(workshop_code) == ["A", "B", "Groep Noord"]
    saved = store.save_future(workshop_code, "groep noord", "Groen", future_yaml(1))
    store.save_future(workshop_code, "GROEP NOORD", "Groen", future_yaml(2))
    assert saved.group == "Groep Noord"
    assert [v.version for v in store.history(workshop_code, "groep  noord", "Groen")] == [1, 2]
    assert {v.group for v in store.versions(workshop_code, "Groep noord")} == {"Groep Noord"}
    assert store.versions(workshop_code, "Groep Zuid") == []  # an unknown group has nothing


def test_create_refuses_an_invalid_model_and_stores_nothing(store: WorkshopStore):
    with pytest.raises(InputError, match="unknown node"):
        store.create_workshop("Kapot", MODEL_YAML.replace("to: z", "to: q"))
    with pytest.raises(InputError):
        store.create_workshop("Kapot", MODEL_YAML, ["name: s\nmodel: m\ninterventions: [{node: q}]\n"])
    assert store.list_workshops() == []


def test_a_future_records_its_model_and_the_view_shows_a_change(store: WorkshopStore, workshop_code: str):
    old = store.save_future(workshop_code, "A", "f", future_yaml(10))
    original = store.current_model(workshop_code)
    new = store.add_model(workshop_code, MODEL_V2_YAML, "v2.yaml")
    assert new.sha256 != original.sha256 and new.yaml == MODEL_V2_YAML
    assert store.model_version(workshop_code, old.model_id) == original
    run = run_future(old, original, new)
    assert run.model_changed and not run.problems
    z = run.result.node_ids.index("z")
    assert run.result.delta[-1, z] == pytest.approx(10 * 1.0 * 0.5)  # its own model
    assert run.current.delta[-1, z] == pytest.approx(10 * 1.0 * 0.25)  # the current model
    later = store.save_future(workshop_code, "A", "f", future_yaml(10))
    assert later.model_id == new.id and old.model_id == original.id


def test_a_future_that_no_longer_validates_keeps_its_own_run_and_says_why(store: WorkshopStore, workshop_code: str):
    old = store.save_future(workshop_code, "A", "f", future_yaml(10, weight=2.0))
    original = store.current_model(workshop_code)
    new = store.add_model(workshop_code, MODEL_NO_Y_LINK_YAML)
    run = run_future(old, original, new)
    assert run.current is None and run.result is not None and run.latest_result is None
    assert len(run.problems) == 1 and "the model has no link x->y" in run.problems[0]
    with pytest.raises(InputError, match="no link x->y"):
        store.save_future(workshop_code, "A", "f", future_yaml(10, weight=2.0))
    assert store.history(workshop_code, "A", "f") == [old]


def test_list_workshops_counts(store: WorkshopStore, workshop_code: str):
    store.save_future(workshop_code, "A", "een", future_yaml(1))
    store.save_future(workshop_code, "A", "een", future_yaml(2))
    (summary,) = store.list_workshops()
    assert (summary.code, summary.n_groups, summary.n_futures, summary.n_versions) == (
        format_code(workshop_code),
        2,
        1,
        2,
    )
    assert [s.name for s in store.start_scenarios(workshop_code)] == ["start-a", "b"]
