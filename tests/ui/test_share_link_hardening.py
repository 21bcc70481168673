"""Crafted share links: refused before use with a short message in the reader's language, never a
traceback, and the app opens as without a link."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_helpers import GROW, SMALL

from simulator.app import future as fut
from simulator.io.spec_files import load_model_text, load_scenario_text

APP = Path(__file__).resolve().parents[2] / "simulator" / "app" / "app.py"


def _code(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


CRAFTED = {
    "a 400-digit lever value": (_code(b'{"s": "grow", "l": {"jobs:step": 1' + b"0" * 400 + b"}}"), "bad_number"),
    "a lever value of 1e300": (_code(b'{"s": "grow", "l": {"jobs:step": 1e300}}'), "bad_number"),
    "a lever value as text": (_code(b'{"s": "grow", "l": {"jobs:step": "lots"}}'), "bad_number"),
    "a boolean lever value": (_code(b'{"s": "grow", "l": {"jobs:step": true}}'), "bad_number"),
    "deeply nested JSON": (_code(b"[" * 50_000 + b"]" * 50_000), "too_deep"),
    "a deeply nested lever": (_code(b'{"l": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3001), "too_deep"),
    "a huge payload": (_code(b'{"s": "' + b"x" * 1_000_000 + b'"}'), "too_large"),
    "an unknown key": (_code(b'{"s": "grow", "evil": 1}'), "not_a_future"),
    "a list, not a mapping": (_code(b"[1, 2, 3]"), "not_a_future"),
    "too many levers": (_code(json.dumps({"l": {f"k{i}": 1 for i in range(300)}}).encode()), "not_a_future"),
    "a three-number timing": (_code(b'{"t": {"jobs:step": [1, 2, 3]}}'), "not_a_future"),
    "not zlib": (base64.urlsafe_b64encode(b"plain text").decode(), "damaged"),
    "not base64": ("!!!", "damaged"),
    "cut short": (_code(b'{"s": "grow", "l": {}}')[:-6], "damaged"),
    "too long": ("A" * (fut.MAX_SHARE_CHARS + 1), "too_long"),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_a_crafted_link_is_refused_with_its_reason(name: str):
    code, reason = CRAFTED[name]
    with pytest.raises(fut.LinkError) as caught:
        fut.decode_link(code)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_a_link_made_by_the_app_still_reads_back():
    future = fut.Future("grow", {"jobs:step": 150.0}, {"jobs:step": [2027.0, 2030.0]}, {"jobs->income": 2.5})
    link = fut.decode_link(fut.encode_future(future, "other", "name: grow-gedeeld\n"))
    assert (link.future, link.model, link.scenario) == (future, "other", "name: grow-gedeeld\n")


@pytest.mark.parametrize(
    ("future", "what"),
    [
        (fut.Future("grow", {"jobs:step": 1e8}), "jobs:step"),  # the slider runs 0 .. 200
        (fut.Future("grow", {}, {}, {"jobs->income": -50.0}), "jobs->income"),  # the weight runs 1 .. 3
        (fut.Future("grow", {}, {"jobs:step": [1e6, 2030.0]}), "jobs:step timing[0]"),  # after the horizon
    ],
)
def test_a_linked_value_outside_its_slider_is_refused(future: fut.Future, what: str):
    model = load_model_text(SMALL, "small.yaml")
    grow = load_scenario_text(GROW, "grow.yaml", model).spec
    with pytest.raises(fut.LinkError) as caught:
        fut.check_link(future, model.spec, [grow])
    assert caught.value.reason == "out_of_range" and caught.value.values["what"] == what
    fut.check_link(fut.Future("grow", {"jobs:step": 150.0}, {}, {"jobs->income": 2.5}), model.spec, [grow])


@pytest.mark.parametrize(
    ("lang", "said"), [("nl", "De gedeelde link is ongeldig"), ("en", "The shared link is invalid")]
)
@pytest.mark.parametrize("name", ["a 400-digit lever value", "deeply nested JSON", "a huge payload", "an unknown key"])
def test_the_app_says_the_link_is_invalid_and_opens_the_default(small_model: Path, name: str, lang: str, said: str):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    at.query_params["f"] = CRAFTED[name][0]
    at.run()
    assert not at.exception and not at.error
    (warning,) = [w.value for w in at.warning if said in w.value]
    assert "Traceback" not in warning and "/" not in warning.replace("\\/", "")
    assert at.slider(key="lever:jobs:step").value == 100.0  # the plain start: scenario 'grow'


def test_a_link_with_a_value_out_of_range_changes_nothing(small_model: Path):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["f"] = fut.encode_future(fut.Future("grow", {"jobs:step": 150.0}, {"jobs:step": [9999.0, 1.0]}))
    at.run()
    assert not at.exception and not at.error
    assert any("ligt buiten het bereik" in w.value for w in at.warning)
    assert at.slider(key="lever:jobs:step").value == 100.0  # not 150: the link was not applied at all
