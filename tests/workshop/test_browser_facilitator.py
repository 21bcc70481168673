"""The facilitator's projector view in real Chromium, with three groups' futures on the Heerlen model:
screenshots at 1366x768 and 1920x1080, and another outcome read from the cached runs.

Changing the outcome is measured, not time-tested: the test asserts that the futures were not run
again (the page's "doorgerekend om" stamp stays the same) and prints how long the browser took.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import app_server
import pytest

from simulator.workshop.codes import format_code
from simulator.workshop.store import WorkshopStore

from .test_browser import ARGS, CHROMIUM, ROOT, _settle

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
FUTURES = (("Noord", "medtech-growth"), ("Zuid", "medtech-relocation"), ("Oost", "medtech-automation"))
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
SECTIONS = (
    ("scorekaarten", "Scorekaarten naast elkaar"),
    ("paden", "De toekomsten over de tijd"),
    ("aannames", "Aannames waarover groepen het oneens zijn"),
)
STAMP = "[data-testid='stCaptionContainer']:has-text('doorgerekend om')"


@pytest.fixture
def three_futures(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A workshop with three groups' futures and the app serving it: url, code."""
    app_server.need_chromium()
    db = str(tmp_path / "workshop.sqlite")
    with WorkshopStore(db) as store:
        model = (ROOT / "models" / "medtech-heerlen.yaml").read_text(encoding="utf-8")
        code = store.create_workshop("CoP Heerlen", model).code
        for group, scenario in FUTURES:
            store.join(code, group)
            text = (ROOT / "scenarios" / f"{scenario}.yaml").read_text(encoding="utf-8")
            store.save_future(code, group, scenario, text)
    with app_server.served_app(tmp_path / "server.log", app_server.app_env(BWSIM_WORKSHOP_DB=db)) as url:
        yield url, code


def _open(page, url: str, code: str) -> None:
    page.goto(f"{url}/begeleider")
    _settle(page)
    page.get_by_label("Workshopcode").fill(format_code(code))
    page.get_by_role("button", name="Openen").click()
    page.get_by_text("Hele workshop exporteren (JSON)").wait_for(timeout=120_000)
    _settle(page)


def test_the_facilitator_compares_three_futures_and_another_outcome_runs_nothing_again(three_futures):
    from playwright.sync_api import expect, sync_playwright

    url, code = three_futures
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        for width, height in ((1366, 768), (1920, 1080)):
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.set_default_timeout(60_000)
            _open(page, url, code)
            assert page.locator("[data-testid='stException']").count() == 0
            page.locator(".js-plotly-plot").nth(3).wait_for()  # three scorecards and an overlaid chart, once drawn
            body = page.locator("body").inner_text()
            for internal in ("outcome_made_with", "hier_en_nu", "weight_low", "outcome_current"):
                assert internal not in body
            assert "verschillen het meest over het effect van" in body
            for part, heading in SECTIONS:
                page.get_by_text(heading).first.scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                page.screenshot(path=str(ARTIFACTS / f"begeleider-{width}x{height}-{part}.png"))
            if width == 1366:
                stamp = page.locator(STAMP).inner_text()
                page.get_by_role("combobox", name="Uitkomst").click()
                page.keyboard.type("Werkloosheid")
                page.get_by_role("option", name="Werkloosheid", exact=True).wait_for()
                start = time.perf_counter()
                page.keyboard.press("Enter")
                expect(page.get_by_text("Verandering Werkloosheid in 2050", exact=False).first).to_be_visible()
                page.wait_for_function(IDLE, polling=20)
                seconds = time.perf_counter() - start
                print(f"another outcome on a warm cache: {seconds:.2f} s in the browser")
                _settle(page)
                assert page.locator(STAMP).inner_text() == stamp  # the cached runs were used
            page.context.close()
        browser.close()


def test_the_network_page_at_a_projectors_and_a_laptops_size(three_futures):
    from playwright.sync_api import sync_playwright

    url, _ = three_futures
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        for width, height in ((1366, 768), (1920, 1080)):
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{url}/netwerk")
            _settle(page)
            page.locator(".js-plotly-plot").first.wait_for()
            page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            assert page.locator("[data-testid='stException']").count() == 0
            page.screenshot(path=str(ARTIFACTS / f"netwerk-{width}x{height}.png"), full_page=True)
            page.context.close()
        browser.close()
