"""The model check is remembered per model object and horizon (simulator.network.check_model)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from simulator import network
from simulator.identity_cache import IdentityCache
from simulator.io.spec_files import load_model
from simulator.scenario_run import baseline_scenario, prepare_scenario

HEERLEN = Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The models the real check ran on (not those answered from memory)."""
    seen: list[object] = []
    real = network._check_model

    def counting(model, doc, time):
        seen.append(model)
        return real(model, doc, time)

    monkeypatch.setattr(network, "_check_model", counting)
    return seen


def test_same_model_is_checked_once(counted: list[object]) -> None:
    spec = load_model(HEERLEN).spec.model_copy()  # a new object: reading a file with groups remembers its flat model
    counted.clear()
    first = network.check_model(spec)
    assert network.check_model(spec) == first
    assert network.check_model(spec, None, spec.time) == first
    assert len(counted) == 1
    network.check_model(spec, None, spec.time.model_copy(update={"end": spec.time.end - 5}))
    assert len(counted) == 2  # another horizon is another check


def test_preparing_scenarios_checks_the_model_once(counted: list[object]) -> None:
    """A scenario without overrides runs on the model itself: preparing three checks it once."""
    spec = load_model(HEERLEN).spec.model_copy()
    counted.clear()
    for _ in range(3):
        prepare_scenario(baseline_scenario(spec, spec.time.model_copy(update={"end": spec.time.end - 5})), spec)
    assert {id(m) for m in counted} == {id(spec)}
    assert len(counted) == 2  # on the model's own horizon and on the scenario's, each once


def test_a_copy_and_a_document_are_checked_again(counted: list[object]) -> None:
    loaded = load_model(HEERLEN)
    counted.clear()
    spec = loaded.spec.model_copy()
    network.check_model(spec)
    network.check_model(spec.model_copy())
    assert len(counted) == 2
    network.check_model(loaded.spec, loaded.document)  # with the file: places and lines, never remembered
    network.check_model(loaded.spec, loaded.document)
    assert len(counted) == 4


def test_returned_problems_are_a_new_list_each_time() -> None:
    spec = load_model(HEERLEN).spec
    problems = network.check_model(spec)
    problems.append("changed by a caller")
    assert "changed by a caller" not in network.check_model(spec)


def test_identity_cache_forgets_collected_objects() -> None:
    class Thing:
        pass

    cache: IdentityCache[int] = IdentityCache()
    made: list[int] = []
    thing = Thing()
    assert cache.get(thing, "k", lambda: made.append(1) or 1) == 1
    assert cache.get(thing, "k", lambda: made.append(2) or 2) == 1
    assert cache.get(thing, "other", lambda: 3) == 3
    assert made == [1] and len(cache) == 1
    del thing
    gc.collect()
    assert len(cache) == 0
    other = Thing()  # may reuse the collected object's id: it must not see its values
    assert cache.get(other, "k", lambda: 4) == 4
