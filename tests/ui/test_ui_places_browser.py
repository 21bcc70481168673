"""In a real Chromium: the home page of a model with places draws the tile map (offline) and the place picker.

``bwsim ui`` on ``examples/places/model.yaml``; the screenshot goes to tests/artifacts/places.png.
"""

from __future__ import annotations

from pathlib import Path

import app_server
import pytest

from simulator.app.future import Future, encode_future

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "places" / "model.yaml"
HEATMAPS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(el => el._fullLayout && (el.data || []).some(t => t.type === 'heatmap'))
    .map(el => el.data[0].z.flat().filter(v => v !== null).length)"""


def test_the_place_map_is_drawn_with_one_tile_per_place(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    app_server.need_chromium()
    env = app_server.app_env(BWSIM_MODEL=str(MODEL))
    with app_server.served_app(tmp_path / "stderr.log", env) as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(app_server.CHROMIUM), headless=True, args=app_server.CHROMIUM_ARGS
        )
        page = chromium.new_context(viewport={"width": 1400, "height": 2400}).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/?f={encode_future(Future('places-jobs-in-heerlen'))}")
        page.get_by_role("heading", name="Per plaats").first.wait_for()
        page.wait_for_function(f"() => ({HEATMAPS})().length === 1", timeout=60_000)
        assert page.evaluate(HEATMAPS) == [2]
        assert page.get_by_text("Scorekaart Heerlen").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        (ROOT / "tests" / "artifacts").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ROOT / "tests" / "artifacts" / "places.png"), full_page=True)
        chromium.close()
