"""The workshop pages under hostile input: names as text, no password shown, one failing future
does not hide the others (AppTest; the browser test is in test_browser_plain_text.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from simulator.app import plain_text
from simulator.workshop.codes import format_code
from simulator.workshop.records import Notes, content_checksum
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_NO_Y_LINK_YAML, MODEL_YAML, future_yaml

UI = Path(__file__).resolve().parents[2] / "simulator" / "app"
NAME = '![x](http://127.0.0.1:9/b.png) <a href="http://127.0.0.1:9/">Noord</a>'
FUTURE = "**vet** :red[rood] $x$"


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(UI / "views" / name), default_timeout=60)
    at.run()
    return at


def _markdown(at: AppTest) -> list[str]:
    """The Markdown bodies of the page: text, captions, alerts, headers."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "subheader", "header", "title")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def _assert_escaped(at: AppTest, text: str) -> None:
    bodies = _markdown(at)
    assert any(plain_text.markdown(text) in body for body in bodies), bodies
    for body in bodies:
        assert not re.search(r"(?<!\\)(!\[|<a |\*\*vet|:red\[|\$x)", body), body  # the app's own bold is fine


@pytest.fixture
def orphaned(db: str) -> str:
    """A workshop whose model changed so that the group NAME's future no longer runs on it."""
    with WorkshopStore(db) as store:
        code = store.create_workshop("Proef", MODEL_YAML, [future_yaml(10, name="start")]).code
        store.join(code, NAME)
        store.save_future(code, NAME, FUTURE, future_yaml(10, weight=2.0))
        store.add_model(code, MODEL_NO_Y_LINK_YAML)
    return code


def _open_comparison(at: AppTest, code: str, lang: str = "nl") -> None:
    at.text_input[-1].input(format_code(code))
    next(b for b in at.button if b.label == {"nl": "Openen", "en": "Open"}[lang]).click()
    at.run()


def test_the_group_page_shows_a_group_and_future_name_as_text_in_its_messages(db: str, orphaned: str):
    at = _page("workshop_group.py")
    at.text_input(key="ws_join_code").input(orphaned)
    at.text_input(key="ws_join_group").input(NAME)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any(NAME in t.value for t in at.text)  # st.text: as typed
    assert at.warning, "the future does not run on the current model: a warning names it"
    _assert_escaped(at, f"{NAME} / {FUTURE}")


def test_the_facilitator_page_shows_a_group_and_future_name_as_text_in_its_messages(db: str, orphaned: str):
    at = _page("workshop_facilitator.py")
    _open_comparison(at, orphaned)
    assert not at.exception
    assert at.warning
    _assert_escaped(at, f"{NAME} / {FUTURE}")


def test_the_facilitator_page_shows_no_password_of_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BWSIM_WORKSHOP_DB", f"sqlite:///{tmp_path / 'ws.sqlite'}?password=geheim&pwd=geheim2")
    at = _page("workshop_facilitator.py")
    assert not at.exception and not at.error
    shown = " ".join(_markdown(at))
    assert "geheim" not in shown
    assert plain_text.markdown("ws.sqlite?password=***&pwd=***") in shown


def _crash_latest_version(db: str, scenario_yaml: str) -> None:
    """Give the last saved version a text that crashes today's YAML reader, as a crafted import can."""
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE future_versions SET scenario_yaml = :text, content_sha256 = :sha "
                    "WHERE id = (SELECT max(id) FROM future_versions)"
                ),
                {"text": scenario_yaml, "sha": content_checksum(scenario_yaml, Notes())},
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_one_future_that_fails_is_marked_and_the_others_are_compared(db: str, lang: str):
    with WorkshopStore(db) as store:
        code = store.create_workshop("Proef", MODEL_YAML, []).code
        for group in ("A", "B", "C"):
            store.join(code, group)
            store.save_future(code, group, "toekomst", future_yaml(10))
    _crash_latest_version(db, future_yaml(10).replace("height: 10,", "height: 1" + "0" * 5000 + ","))
    at = AppTest.from_file(str(UI / "views" / "workshop_facilitator.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    _open_comparison(at, code, lang)
    assert not at.exception, "\n".join(at.exception[0].stack_trace[:14])
    assert not at.error
    # the futures as the projector's static table: one row per group, the outcome last, "—" where it cannot run
    futures = next(t.value for t in at.table if t.value.index.name in ("Groep", "Group"))
    assert list(futures.index) == ["A", "B", "C"]
    outcome = [str(v).replace("\\", "") for v in futures.iloc[:, -1]]
    assert outcome == ["10", "10", "—"]
    said = {"nl": "kon niet worden doorgerekend", "en": "could not be run"}[lang]
    marked = [w.value for w in at.warning if plain_text.markdown("C / toekomst") in w.value]
    assert marked and all(said in w or "cannot run" in w for w in marked), marked  # or the library's mark
    assert at.get("plotly_chart"), "the paths of the other futures are drawn"
