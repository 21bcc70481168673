"""The workshop pages in Streamlit's AppTest: join, save, history, compare; user text stays text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulator.app import plain_text
from simulator.workshop.codes import format_code
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_YAML, future_yaml

UI = Path(__file__).resolve().parents[2] / "simulator" / "app"
EVIL = "<img src=x onerror=alert(1)> **vet** [link](http://x)"


@pytest.fixture
def code(db: str) -> str:
    with WorkshopStore(db) as store:
        return store.create_workshop("Proef", MODEL_YAML, [future_yaml(10, name="start")]).code


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(UI / "views" / name), default_timeout=60)
    at.run()
    return at


def _click(at: AppTest, label_start: str) -> None:
    next(b for b in at.button if b.label.startswith(label_start)).click()
    at.run()


def _no_raw_user_markup(at: AppTest) -> None:
    """No Markdown element holds the group's text unescaped (escaped, ``\\<img`` shows as typed)."""
    raw = re.compile(r"(?<!\\)<img|(?<!\\)\*(?<!\\)\*vet")
    for element in [*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success]:
        assert not raw.search(element.value), element.value


def _join(at: AppTest, code: str, group: str) -> None:
    at.text_input(key="ws_join_code").input(code)
    at.text_input(key="ws_join_group").input(group)
    at.button[0].click()
    at.run()


def test_a_wrong_code_is_refused_without_a_trace(db: str, code: str):
    at = _page("workshop_group.py")
    _join(at, "AAAA-AAAA", "Groep 1")
    assert not at.exception
    assert len(at.error) == 1 and "no workshop has this join code" in at.error[0].value
    with WorkshopStore(db) as store:
        assert store.groups(code) == []


def test_a_group_joins_saves_and_sees_its_history(db: str, code: str):
    at = _page("workshop_group.py")
    _join(at, format_code(code).lower(), EVIL)
    assert not at.exception and not at.error
    assert any(EVIL in t.value for t in at.text)
    assert "height: 10" in at.text_area(key="ws_yaml").value  # the start scenario is in the editor
    at.text_input(key="ws_future_name").input("Groen")
    at.text_area(key="ws_note_question").input(EVIL)
    _click(at, "Opslaan")
    assert [s.value for s in at.success] == ["Opgeslagen als versie 1."]
    at.run()  # a rerun is not a second save
    at.text_area(key="ws_yaml").input(future_yaml(20, weight=2.0))
    _click(at, "Opslaan")
    assert not at.exception and not at.error
    with WorkshopStore(db) as store:
        history = store.history(code, EVIL, "Groen")
    assert [v.version for v in history] == [1, 2] and history[0].notes.question == EVIL
    table = at.dataframe[0].value
    assert list(table.version) == [1, 2] and table.question.iloc[0] == EVIL
    assert at.code[0].value.strip() == history[1].scenario_yaml.strip()  # st.code trims the last newline
    _no_raw_user_markup(at)


def test_an_invalid_future_shows_where_and_saves_nothing(db: str, code: str):
    at = _page("workshop_group.py")
    _join(at, code, "Groep 1")
    at.text_input(key="ws_future_name").input("Kapot")
    at.text_area(key="ws_yaml").input(future_yaml(1).replace("node: x", "node: xx"))
    _click(at, "Opslaan")
    assert not at.exception and len(at.error) == 1 and "unknown node" in at.error[0].value
    with WorkshopStore(db) as store:
        assert store.versions(code) == []


def _futures_shown(at: AppTest):
    """The facilitator's table of futures (groups are the index; cells escaped for Markdown)."""
    return next(t.value for t in at.table if "Toekomst" in t.value.columns)


def test_the_facilitator_sees_all_futures_side_by_side(db: str, code: str):
    with WorkshopStore(db) as store:
        for group, weight in (("A", 2.0), (EVIL, 3.0)):
            store.join(code, group)
            store.save_future(code, group, "toekomst", future_yaml(10, weight=weight))
    at = _page("workshop_facilitator.py")
    at.text_input[-1].input(format_code(code))
    _click(at, "Openen")
    assert not at.exception and not at.error
    futures = _futures_shown(at)
    assert list(futures.index) == ["A", plain_text.markdown(EVIL)]
    assert list(futures["Verandering X in 2030"]) == ["10", "10"]  # the outcome shown first is x, stepped by 10
    at.selectbox(key="ws_outcome").set_value("z")
    at.run()
    assert list(_futures_shown(at)["Verandering Z in 2030"]) == ["10", "15"]  # 0.5 * w * 10
    sentences = " ".join(m.value for m in at.markdown)
    assert "verschillen het meest over het effect van X op Y" in sentences and "met 5." in sentences
    assert any(b.label.startswith("Hele workshop") for b in at.get("download_button"))
    _no_raw_user_markup(at)


def test_the_facilitator_page_shows_the_others_when_one_future_blows_up(db: str, code: str):
    with WorkshopStore(db) as store:
        for group, weight in (("A", 1e308), ("B", 3.0)):
            store.join(code, group)
            store.save_future(code, group, "toekomst", future_yaml(10, weight=weight))
    at = _page("workshop_facilitator.py")
    at.text_input[-1].input(format_code(code))
    _click(at, "Openen")
    assert not at.exception and not at.error
    assert any("A / toekomst" in w.value and "non-finite" in w.value for w in at.warning)
    assert list(_futures_shown(at).index) == ["A", "B"]
    assert any("effect van X op Y" in m.value for m in at.markdown)  # the disputed link, in words


def test_both_pages_are_in_the_app(db: str, code: str):
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=60)
    at.run()
    for page in ("views/workshop_group.py", "views/workshop_facilitator.py"):
        at.switch_page(page)
        at.run()
        assert not at.exception and not at.error
        assert at.title[0].value.startswith("Workshop")


def test_the_facilitator_creates_a_workshop_in_the_app(db: str):
    at = _page("workshop_facilitator.py")
    at.text_input[0].input("CoP <b>Heerlen</b>")
    next(b for b in at.button if b.label == "Workshop aanmaken").click()
    at.run()
    assert not at.exception and not at.error
    shown = at.code[0].value
    with WorkshopStore(db) as store:
        (summary,) = store.list_workshops()
        assert summary.code == shown and summary.name == "CoP <b>Heerlen</b>"
        assert store.current_model(shown).name == "medtech-heerlen"
    assert at.text_input[-1].value == shown  # the new workshop is opened


def test_what_a_group_built_on_the_builder_page_can_be_saved(db: str):
    root = Path(__file__).resolve().parents[2]
    with WorkshopStore(db) as store:
        code = store.create_workshop(
            "Heerlen", (root / "models" / "medtech-heerlen.yaml").read_text(encoding="utf-8")
        ).code
    at = _page("workshop_group.py")
    _join(at, code, "Groep 1")
    pick = at.selectbox[0]
    assert pick.options == ["Wat ik bouwde op 'Toekomst bouwen'"]  # no start scenarios here
    pick.set_value("builder")
    _click(at, "In de editor")
    built = at.text_area(key="ws_yaml").value
    assert built.startswith("# Een toekomst als scenariobestand") and "\nname: " in built
    at.text_input(key="ws_future_name").input("Uit de bouwer")
    _click(at, "Opslaan")
    assert not at.exception and not at.error
    with WorkshopStore(db) as store:
        (saved,) = store.versions(code)
    assert (saved.future, saved.scenario_yaml) == ("Uit de bouwer", built)


def test_no_workshop_page_lets_html_through():
    for page in sorted((UI / "views").glob("workshop_*.py")):
        assert "unsafe_allow_html" not in page.read_text(encoding="utf-8"), page.name


ROOT = Path(__file__).resolve().parents[2]
JOBS = "lever:medtech_jobs:ramp"


@pytest.fixture
def heerlen_code(db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A workshop on the Heerlen model starting from medtech-growth (600 jobs a year) and automation."""
    monkeypatch.delenv("BWSIM_MODEL", raising=False)
    starts = [
        (ROOT / "scenarios" / f"{n}.yaml").read_text(encoding="utf-8") for n in ("medtech-growth", "medtech-automation")
    ]
    model = (ROOT / "models" / "medtech-heerlen.yaml").read_text(encoding="utf-8")
    with WorkshopStore(db) as store:
        return store.create_workshop("CoP Heerlen", model, starts).code


def _app_on_group_page(code: str, group: str) -> AppTest:
    """The whole app; joined as ``group`` on the group page."""
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("views/workshop_group.py").run()
    _join(at, code, group)
    assert not at.exception and not at.error
    return at


def _stored(db: str, code: str) -> list:
    """Every stored version with its scenario read back on the workshop's model."""
    from simulator.workshop.futures import check_future_yaml, model_file

    with WorkshopStore(db) as store:
        model = model_file(store.current_model(code))
        return [(v, check_future_yaml(v.scenario_yaml, model, v.future).spec) for v in store.versions(code)]


def _words(at: AppTest) -> str:
    """The page's Markdown as read (escapes removed: model labels are escaped before rendering)."""
    return " ".join(m.value.replace("\\", "") for m in at.markdown)


def _jobs_slopes(spec) -> list[float]:
    return [i.slope for i in spec.interventions if i.node == "medtech_jobs"]


def test_a_group_saves_to_its_workshop_exactly_what_it_built(db: str, heerlen_code: str):
    with WorkshopStore(db) as store:
        store.join(heerlen_code, "Groep  Noord")
    at = _app_on_group_page(heerlen_code, "groep noord")  # the same group, however typed
    assert any(t.value.endswith("/ Groep Noord") for t in at.text)
    at.switch_page("views/builder.py").run()
    at.selectbox(key="scenario_pick").set_value("medtech-growth").run()
    at.slider(key=JOBS).set_value(360.0).run()
    at.select_slider(key="assume:medtech_jobs->jobs_displaced_elsewhere").set_value(0.5).run()
    words = _words(at)
    assert "elk jaar 360 banen erbij van 2025 tot 2030, daarna blijvend 1.800 banen erbij" in words
    assert "Verplaatste banen elders: gewicht 0,5 banen per baan (model: 0,25)" in words
    at.text_input(key="ws_builder_future").input("Minder groei").run()
    at.button(key="ws_builder_save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [
        "Opgeslagen in de workshop als 'Minder groei', versie 1. Nagelezen: de opgeslagen toekomst geeft "
        "dezelfde getallen als deze pagina."
    ]
    ((version, spec),) = _stored(db, heerlen_code)
    assert (version.group, version.future) == ("Groep Noord", "Minder groei")
    assert _jobs_slopes(spec) == [360.0]  # not the start scenario's 600
    (override,) = [o for o in spec.overrides.links if o.target == "jobs_displaced_elsewhere"]
    assert override.weight.central == 0.5
    assert version.scenario_yaml.startswith("# Een toekomst als scenariobestand")


def test_a_save_without_a_name_asks_for_one_and_stores_nothing(db: str, heerlen_code: str):
    at = _app_on_group_page(heerlen_code, "Zuid")
    at.switch_page("views/builder.py").run()
    at.button(key="ws_builder_save").click().run()
    assert not at.exception and [e.value for e in at.error] == ["Geef de toekomst eerst een naam."]
    assert _stored(db, heerlen_code) == []


def test_the_builder_offers_no_workshop_save_before_joining(heerlen_code: str):
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception and not [b for b in at.button if b.key == "ws_builder_save"]


def test_the_group_page_starts_from_and_follows_what_was_built(db: str, heerlen_code: str):
    at = AppTest.from_file(str(UI / "app.py"), default_timeout=120)
    at.run()
    at.selectbox(key="scenario_pick").set_value("medtech-growth").run()
    at.slider(key=JOBS).set_value(360.0).run()
    at.switch_page("views/workshop_group.py").run()
    _join(at, heerlen_code, "Noord")
    assert at.selectbox[0].value == "builder"  # the builder's future comes first
    assert "slope: 360.0" in at.text_area(key="ws_yaml").value
    assert "elk jaar 360 banen erbij" in _words(at)  # in words, above the YAML
    at.switch_page("views/builder.py").run()
    at.slider(key=JOBS).set_value(420.0).run()
    at.switch_page("views/workshop_group.py").run()
    assert "slope: 420.0" in at.text_area(key="ws_yaml").value  # unedited, it follows the builder
    at.text_input(key="ws_future_name").input("Noord 1")
    _click(at, "Opslaan als nieuwe versie")
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Opgeslagen als versie 1."]
    ((_, spec),) = _stored(db, heerlen_code)
    assert _jobs_slopes(spec) == [420.0]


def test_a_start_scenario_in_the_editor_has_comments_in_the_readers_language(db: str, heerlen_code: str):
    at = _app_on_group_page(heerlen_code, "Noord")
    at.selectbox[0].set_value("start:0")
    _click(at, "In de editor")
    text = at.text_area(key="ws_yaml").value
    assert text.startswith("# Een toekomst als scenariobestand")
    assert "# Scenario: medtech growth" not in text  # the file's English-only comments stay out
    assert "slope: 600.0" in text
    assert "elk jaar 600 banen erbij" in _words(at)


def test_a_future_on_another_model_than_the_workshops_is_not_saved_and_says_why(
    db: str, code: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("BWSIM_MODEL", raising=False)  # the builder is on Heerlen, the workshop on the tiny model
    at = _app_on_group_page(code, "Noord")
    at.switch_page("views/builder.py").run()
    assert not at.exception and not at.error
    assert any("kan niet in de workshop worden opgeslagen" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "ws_builder_save"]
