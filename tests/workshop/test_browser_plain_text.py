"""In real Chromium: a group named with Markdown and HTML shows as text on both workshop pages and in
a chart legend, and the browser requests nothing the name points at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import app_server
import pytest

from simulator.workshop.codes import format_code
from simulator.workshop.store import WorkshopStore

from .helpers import MODEL_NO_Y_LINK_YAML, MODEL_YAML, future_yaml
from .test_browser import ARGS, CHROMIUM, _settle

pytestmark = pytest.mark.browser

HOST = "127.0.0.1:9"  # nothing listens there; a request to it is what the test must not see
NAME = f'![x](http://{HOST}/b.png) <a href="http://{HOST}/">Noord</a>'
LINKS = f"""() => [...document.querySelectorAll('a, img, image, link, iframe, source')]
    .filter(e => [...e.attributes].some(a => a.value.includes('{HOST}'))).length"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The app on a workshop where group NAME has a future that runs and one that no longer does."""
    app_server.need_chromium()
    db = str(tmp_path / "workshop.sqlite")
    with WorkshopStore(db) as store:
        code = store.create_workshop("Proef", MODEL_YAML, [future_yaml(10, name="start")]).code
        store.join(code, NAME)
        store.save_future(code, NAME, "Kapot", future_yaml(10, weight=2.0))  # x->y goes with the model
        store.save_future(code, NAME, "Groen", future_yaml(20))
        store.add_model(code, MODEL_NO_Y_LINK_YAML)
    env = app_server.app_env(("BWSIM_MODEL", "DISPLAY"), BWSIM_WORKSHOP_DB=db)
    with app_server.served_app(tmp_path / "server.log", env) as url:
        yield url, code


def _shown(locator) -> list[str]:
    """The text of each element as a reader sees it (invisible word joiners removed)."""
    return [(t or "").replace("\u2060", "") for t in locator.all_text_contents()]


def test_a_group_named_with_markdown_and_html_shows_as_text_and_fetches_nothing(server: tuple[str, str]):
    from playwright.sync_api import sync_playwright

    url, code = server
    requested: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
        page.set_default_timeout(60_000)
        page.on("request", lambda request: requested.append(request.url))

        page.goto(f"{url}/workshop")
        _settle(page)
        page.get_by_label("Workshopcode").fill(format_code(code))
        page.get_by_label("Naam van de groep").fill(NAME)
        page.get_by_role("button", name="Meedoen").click()
        _settle(page)
        page.locator("[data-testid='stAlertContentWarning']").filter(has_text="Kapot").first.wait_for()
        assert any(f"Proef / {NAME}" in t for t in _shown(page.locator("[data-testid='stText']")))
        warnings = _shown(page.locator("[data-testid='stAlertContentWarning']"))
        assert any(f"{NAME} / Kapot cannot run" in w for w in warnings), warnings  # Markdown, as typed
        assert page.evaluate(LINKS) == 0
        assert page.locator("[data-testid='stException']").count() == 0

        page.goto(f"{url}/begeleider")
        _settle(page)
        page.get_by_label("Workshopcode").fill(format_code(code))
        page.get_by_role("button", name="Openen").click()
        _settle(page)
        page.get_by_text("Hele workshop exporteren (JSON)").wait_for()
        _settle(page)
        legend = _shown(page.locator(".js-plotly-plot .legendtext"))
        assert f"{NAME} / Groen" in legend, legend  # plotly shows the name, not a link
        warnings = _shown(page.locator("[data-testid='stAlertContentWarning']"))
        assert any(f"{NAME} / Kapot cannot run" in w for w in warnings), warnings
        assert any(NAME in t for t in _shown(page.locator("[data-testid='stText']")))
        assert page.evaluate(LINKS) == 0
        assert page.locator("[data-testid='stException']").count() == 0
        browser.close()
    assert [r for r in requested if HOST in r] == []
