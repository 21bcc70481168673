"""End to end in real Chromium: three groups work at the same time against one running app,
then the facilitator sees their futures side by side. Group names meant as HTML stay text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import app_server
import pytest

from simulator.workshop.codes import format_code
from simulator.workshop.store import WorkshopStore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, ARGS = app_server.CHROMIUM, app_server.CHROMIUM_ARGS
GROUPS = ["Groep 1", "Groep 2", "<img src=x onerror=alert(1)>"]


@pytest.fixture
def workshop(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A workshop on the Heerlen model in a fresh database and the app serving it: url, code, db."""
    app_server.need_chromium()
    db = str(tmp_path / "workshop.sqlite")
    with WorkshopStore(db) as store:
        model = (ROOT / "models" / "medtech-heerlen.yaml").read_text(encoding="utf-8")
        starts = [
            (ROOT / "scenarios" / f"{n}.yaml").read_text(encoding="utf-8")
            for n in ("medtech-growth", "medtech-automation")
        ]
        code = store.create_workshop("CoP Heerlen", model, starts).code
    with app_server.served_app(tmp_path / "server.log", app_server.app_env(BWSIM_WORKSHOP_DB=db)) as url:
        yield url, code, db


def _settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(300)


def _group_session(url: str, code: str, group: str, index: int) -> list[str]:
    """One group in its own browser: join, save a future twice. Returns the alerts it saw."""
    from playwright.sync_api import expect, sync_playwright

    alerts: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        page.goto(f"{url}/workshop")
        _settle(page)
        page.get_by_label("Workshopcode").fill(format_code(code).lower())
        page.get_by_label("Naam van de groep").fill(group)
        page.get_by_role("button", name="Meedoen").click()
        _settle(page)
        editor = page.get_by_label("De toekomst als scenario (ingrepen en eigen aannames, YAML)")
        expect(editor).to_have_value(re.compile("interventions"), timeout=60_000)  # start scenario
        name = page.get_by_label("Naam van de toekomst")
        name.fill(f"Toekomst {index}")
        name.press("Enter")  # commits the value: the app reruns with it
        _settle(page)
        for version in (1, 2):
            page.get_by_role("button", name="Opslaan als nieuwe versie").click()
            answer = page.locator("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentError']")
            expect(answer.first).to_have_text(f"Opgeslagen als versie {version}.", timeout=60_000)
            _settle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("img[src='x']").count() == 0
        browser.close()
    return alerts


def test_groups_at_the_same_time_then_the_facilitator_compares(workshop: tuple[str, str, str]):
    url, code, db = workshop
    with ThreadPoolExecutor(len(GROUPS)) as pool:
        alerts = list(pool.map(_group_session, [url] * 3, [code] * 3, GROUPS, range(3)))
    assert alerts == [[], [], []]
    with WorkshopStore(db) as store:
        saved = {(v.group, v.future, v.version) for v in store.versions(code)}
    assert saved == {(g, f"Toekomst {i}", n) for i, g in enumerate(GROUPS) for n in (1, 2)}

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/begeleider")
        _settle(page)
        page.get_by_label("Workshopcode").fill(format_code(code))
        page.get_by_role("button", name="Openen").click()
        _settle(page)
        page.get_by_text("Hele workshop exporteren (JSON)").wait_for()  # the last element
        _settle(page)
        assert page.locator("[data-testid='stException']").count() == 0
        # Streamlit draws tables and charts after the script has sent them: wait for them to be drawn
        page.locator("[data-testid='stTable']").nth(2).wait_for(state="attached")  # futures, interventions, notes
        expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=60_000)  # three scorecards, one overlay
        assert page.locator("img[src='x']").count() == 0
        browser.close()


ARTIFACTS = ROOT / "tests" / "artifacts"


def test_a_group_saves_what_it_built_on_the_builder_page(workshop: tuple[str, str, str]):
    """Join, move the jobs lever from the start scenario's 600 to 360 jobs a year on 'Toekomst bouwen',
    save to the workshop there: the stored version, read back through the library, has 360."""
    from playwright.sync_api import expect, sync_playwright

    from simulator.workshop.futures import check_future_yaml, model_file

    url, code, db = workshop
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/workshop")
        _settle(page)
        page.get_by_label("Workshopcode").fill(format_code(code))
        page.get_by_label("Naam van de groep").fill("groep  noord")
        page.get_by_role("button", name="Meedoen").click()
        page.get_by_text("Wat u opslaat").wait_for()
        _settle(page)
        page.get_by_role("link", name="Toekomst bouwen").click()  # in the app: the session stays joined
        slider = page.get_by_role("slider").nth(1)  # the jobs lever; the answer's year slider comes first
        expect(slider).to_have_value("600")  # medtech-growth: 600 jobs a year
        slider.focus()
        for _ in range(12):  # 12 steps of 20 jobs
            slider.press("ArrowLeft")
        expect(slider).to_have_value("360")
        _settle(page)
        panel = page.get_by_text("elk jaar 360 banen erbij van 2025 tot 2030", exact=False)
        panel.wait_for()
        name = page.get_by_label("Naam van de toekomst")
        name.fill("Minder groei")
        name.press("Enter")
        _settle(page)
        page.get_by_role("button", name="Opslaan in mijn workshop").click()
        answer = page.locator("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentError']")
        expect(answer.first).to_contain_text("versie 1. Nagelezen", timeout=60_000)
        _settle(page)
        answer.first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "toekomst-opslaan-in-workshop.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
        page.get_by_role("link", name="Workshop: groep").click()
        page.get_by_text("Wat u opslaat").wait_for()
        _settle(page)
        page.screenshot(path=str(ARTIFACTS / "workshop-groep-toekomst.png"), full_page=True)
        browser.close()
    with WorkshopStore(db) as store:
        (saved,) = store.versions(code)
        spec = check_future_yaml(saved.scenario_yaml, model_file(store.current_model(code)), "f").spec
    assert (saved.group, saved.future) == ("groep noord", "Minder groei")
    assert [i.slope for i in spec.interventions if i.node == "medtech_jobs"] == [360.0]  # not 600
