"""The workshop's "the model changed since" view says what changed, with bwsim diff's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulator.workshop.codes import format_code
from simulator.workshop.store import WorkshopStore
from simulator.workshop.view import model_change_lines

from .helpers import MODEL_NO_Y_LINK_YAML, MODEL_V2_YAML, MODEL_YAML, future_yaml

UI = Path(__file__).resolve().parents[2] / "simulator" / "app"
WEIGHT_LINE = "  y → z: gewicht 0,5 → 0,25"


@pytest.fixture
def changed(db: str) -> str:
    """A workshop with one saved future, whose model then got another y->z weight."""
    with WorkshopStore(db) as store:
        code = store.create_workshop("Proef", MODEL_YAML, [future_yaml(10, name="start")]).code
        store.join(code, "Noord")
        store.save_future(code, "Noord", "Groen", future_yaml(10))
        store.add_model(code, MODEL_V2_YAML, "v2.yaml")
    return code


def test_the_lines_are_those_of_the_structural_diff(db: str, changed: str):
    with WorkshopStore(db) as store:
        assert len(store.models(changed)) == 2
        current = store.current_model(changed)
        made_with = store.model_version(changed, store.latest(changed)[0].model_id)
    assert model_change_lines(made_with, current) == ["verbanden gewijzigd (1):", WEIGHT_LINE]
    assert model_change_lines(made_with, current, "en") == ["links changed (1):", "  y → z: weight 0.5 → 0.25"]
    assert model_change_lines(current, current) == []


def test_a_removed_link_is_named(db: str):
    with WorkshopStore(db) as store:
        code = store.create_workshop("Proef", MODEL_YAML).code
        first = store.current_model(code)
        second = store.add_model(code, MODEL_NO_Y_LINK_YAML)
    assert model_change_lines(first, second) == ["verbanden weg (1):", "  - x → y: gewicht 1 (0,5 tot 2)"]


def test_the_group_page_says_what_changed_since_the_version(db: str, changed: str):
    at = AppTest.from_file(str(UI / "views" / "workshop_group.py"), default_timeout=60)
    at.run()
    at.text_input(key="ws_join_code").input(changed)
    at.text_input(key="ws_join_group").input("Noord")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any("veranderd sinds deze versie" in i.value for i in at.info)
    assert any(c.value == "Wat er aan het model veranderde sinds deze versie" for c in at.caption)
    assert any(t.value == "verbanden gewijzigd (1):\n" + WEIGHT_LINE for t in at.text)


def test_the_facilitator_page_says_what_changed_since_futures_were_saved(db: str, changed: str):
    with WorkshopStore(db) as store:
        old_sha = store.model_version(changed, store.latest(changed)[0].model_id).sha256
    at = AppTest.from_file(str(UI / "views" / "workshop_facilitator.py"), default_timeout=60)
    at.run()
    at.text_input[-1].input(format_code(changed))
    next(b for b in at.button if b.label == "Openen").click()
    at.run()
    assert not at.exception and not at.error
    expanders = [e for e in at.expander if old_sha[:12] in e.label]
    assert len(expanders) == 1 and "veranderde sinds toekomsten" in expanders[0].label
    assert any(t.value == "verbanden gewijzigd (1):\n" + WEIGHT_LINE for t in expanders[0].text)
