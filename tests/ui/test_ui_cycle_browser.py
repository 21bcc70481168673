"""In a real Chromium: the policy-cycle page on the Heerlen model shows its three answers, Dutch numbers only,
and its links lead to the pages that work them out. ``bwsim ui`` on the built-in model; the screenshot goes
to tests/artifacts/beleidscyclus.png."""

from __future__ import annotations

import re
from pathlib import Path

import app_server
import pytest

from simulator.app.future import Future, encode_future

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DOTTED_DECIMAL = re.compile(r"(?<![\d.,\w])(0\.\d+|\d+\.(\d{1,2}|\d{4,}))(?!\d)")  # as test_ui_browser.py


def test_the_policy_cycle_page_answers_each_phase_and_links_to_the_monitor(tmp_path: Path):
    from playwright.sync_api import expect, sync_playwright

    app_server.need_chromium()
    with app_server.served_app(tmp_path / "stderr.log", app_server.app_env()) as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(app_server.CHROMIUM), headless=True, args=app_server.CHROMIUM_ARGS
        )
        page = chromium.new_context(viewport={"width": 1400, "height": 2000}).new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{url}/beleidscyclus?f={encode_future(Future('medtech-growth'))}")
        page.get_by_role("heading", name="Beleidscyclus").first.wait_for()
        for phase in ("1. Voorbereiding", "2. Uitvoering", "3. Evaluatie"):
            expect(page.get_by_role("heading", name=phase)).to_be_visible()
        expect(page.get_by_text("2 van 5 ambitie(s) gehaald", exact=False)).to_be_visible()
        expect(page.get_by_text("niet op koers", exact=False)).to_be_visible()
        expect(page.get_by_text("2 van 3 indicator(en) veranderden", exact=False)).to_be_visible()
        expect(page.get_by_role("button", name="Rapport bij een raadsvoorstel maken")).to_be_visible()
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
        assert page.locator("[data-testid='stException']").count() == 0
        text = page.inner_text("body")
        assert "Traceback" not in text
        assert not DOTTED_DECIMAL.findall(re.sub(r"https?://\S+", "", text))
        (ROOT / "tests" / "artifacts").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / "tests" / "artifacts" / "beleidscyclus.png"), full_page=True)
        page.get_by_role("link", name="Uitgewerkt: Monitor").click()
        expect(page.get_by_role("heading", name="Monitor: waarnemingen tegen de verwachting")).to_be_visible()
        chromium.close()
