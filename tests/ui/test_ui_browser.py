"""End to end in a real Chromium: ``bwsim ui`` on the Heerlen model, driven by Playwright.

Loads every page (screenshots in tests/artifacts/), moves a slider and sees the
charts change, switches language, uploads a bad file and sees the message.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import app_server
import pytest

from simulator.app.future import Future, encode_future
from simulator.io.spec_files import load_model

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM, ARGS = app_server.CHROMIUM, app_server.CHROMIUM_ARGS
PAGES = {
    "toekomst": "Medtech-logistiek Heerlen",
    "netwerk": "Het netwerk",
    "vergelijken": "Toekomsten vergelijken",
    "aannames": "Eigen aannames",
    "exporteren": "Exporteren en delen",
    "monitor": "Monitor",
    "kalibreren": "Kalibreren, gevoeligheid en monitoren",
    "workshop": "Workshop",
    "begeleider": "Workshop",
}
CHART_DATA = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    el => (el.data || []).map(t => Array.from(t.y || []).map(Number)))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``bwsim ui --headless --port <free port>`` on 127.0.0.1 (the built-in model); stopped by PID."""
    app_server.need_chromium()
    with app_server.served_app(tmp_path_factory.mktemp("server") / "stderr.log", app_server.app_env()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def _settle(page) -> None:
    """Wait until the app has finished its run (no 'running' indicator) and every chart is drawn."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(el => el._fullLayout)"
        " && !document.querySelector('[data-stale=\"true\"]')",
        timeout=30_000,
    )


def _steady_charts(page, chart_json: str, timeout: float = 30.0) -> str:
    """The charts' data once two reads half a second apart agree (a rerun can leave stale charts for a moment)."""
    deadline = time.monotonic() + timeout
    _settle(page)
    last = page.evaluate(chart_json)
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        _settle(page)
        now = page.evaluate(chart_json)
        if now == last:
            return now
        last = now
    raise AssertionError("the charts kept changing")


def _no_traceback(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert "Traceback" not in page.inner_text("body")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_loads_and_is_photographed(server: str, page, path: str):
    code = encode_future(Future("medtech-growth"))
    page.goto(f"{server}/{'' if path == 'toekomst' else path}?f={code}")
    page.get_by_role("heading", name=PAGES[path], exact=False).first.wait_for()
    _settle(page)
    _no_traceback(page)
    assert page.get_by_text("Deploy", exact=True).count() == 0  # served by bwsim, not a Streamlit cloud
    if path in ("toekomst", "netwerk", "vergelijken"):
        page.locator(".js-plotly-plot").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)


def test_moving_a_slider_changes_the_charts(server: str, page):
    page.goto(f"{server}/?f={encode_future(Future('medtech-growth'))}")
    page.locator(".js-plotly-plot").nth(3).wait_for()
    _settle(page)
    before = json.dumps(page.evaluate(CHART_DATA))
    slider = page.get_by_role("slider").nth(1)  # the jobs lever; the answer's year slider comes first
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    page.wait_for_function(f"() => JSON.stringify(({CHART_DATA})()) !== {json.dumps(before)}", timeout=30_000)
    _settle(page)
    _no_traceback(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "toekomst-moved.png"), full_page=True)


def test_language_toggle_switches_to_english(server: str, page):
    from playwright.sync_api import expect

    page.goto(server)
    expect(page.get_by_role("heading", name="Medtech-logistiek Heerlen")).to_be_visible()
    page.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Medtech logistics Heerlen")).to_be_visible()
    expect(page.locator("[data-testid=stMarkdown]").first).to_contain_text("Pick a scenario")
    # the picked scenario, relabelled, still picked (the picker is redrawn after the heading)
    expect(page.get_by_role("combobox", name="Scenario")).to_have_value(re.compile("Medtech growth to 9,000 jobs"))
    expect(page.get_by_text("Medtech-groei naar", exact=False)).to_have_count(0)
    expect(page.get_by_text("jobs per year", exact=False).first).to_be_visible()
    # the relabelled sliders are drawn anew: they keep the values built in Dutch (600 jobs a year, 2035)
    thumbs = page.locator("[data-testid=stSliderThumbValue]")
    expect(thumbs.first).to_have_text("2035")  # the answer's year, above the sliders
    expect(thumbs.nth(1)).to_have_text("600")
    _settle(page)
    _no_traceback(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "toekomst-en.png"), full_page=True)


def test_monitor_shows_observations_against_the_band_and_refuses_a_bad_csv(server: str, page):
    from playwright.sync_api import expect

    page.goto(f"{server}/monitor?f={encode_future(Future('medtech-growth'))}")
    heading = page.get_by_role("heading", name="Monitor: waarnemingen tegen de verwachting")
    heading.wait_for()
    expect(page.get_by_text("Echte cijfers van het CBS", exact=False)).to_be_visible()  # the default sample
    page.get_by_text("Voorbeelddata (illustratief)", exact=True).click()
    expect(page.get_by_text("Illustratief: synthetische gegevens", exact=False)).to_be_visible()
    expect(page.get_by_text("Buiten de band", exact=True)).to_be_visible()
    expect(page.locator(".js-plotly-plot").filter(has_text="waargenomen, buiten")).to_have_count(1)
    _settle(page)
    _no_traceback(page)
    heading.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "toekomst-monitor.png"), full_page=True)
    page.get_by_text("Eigen CSV uploaden", exact=True).click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "metingen.csv", "mimeType": "text/csv", "buffer": b"node,time,value\nwerkloosheid,2027,5\n"}]
    )
    expect(page.get_by_text("Deze waarnemingen passen niet bij het model", exact=False)).to_be_visible()
    expect(page.locator("[data-testid=stAlert]").filter(has_text="unknown node 'werkloosheid'")).to_have_count(1)
    _no_traceback(page)
    page.screenshot(path=str(ARTIFACTS / "toekomst-monitor-fout.png"), full_page=True)


def _edited_heerlen() -> bytes:
    """The Heerlen model with the first link (medtech jobs -> local service jobs) stronger and slower."""
    text = (ROOT / "models" / "medtech-heerlen.yaml").read_text(encoding="utf-8")
    rest = '\n    weight_unit: "jobs per job"\n    form: linear\n    lag: '
    old = "weight: {low: 0.2, mode: 0.5, high: 1.0}" + rest + "{low: 1, mode: 2, high: 5}\n"
    assert text.count(old) == 1
    new = "weight: {low: 0.2, mode: 0.9, high: 1.5}" + rest + "{low: 1, mode: 3, high: 5}\n"
    return text.replace(old, new).encode()


def test_a_share_link_reopens_a_future_with_own_assumptions_for_a_colleague(server: str, browser, page):
    from playwright.sync_api import expect

    chart_json = f"() => JSON.stringify(({CHART_DATA})())"
    page.goto(f"{server}/?f={encode_future(Future('medtech-growth'))}")
    page.locator(".js-plotly-plot").nth(3).wait_for()  # the four key paths of the answer-first page
    _settle(page)
    plain = _steady_charts(page, chart_json)
    page.get_by_role("link", name="Eigen aannames").click()
    page.get_by_role("heading", name="Eigen aannames").wait_for()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "eigen-heerlen.yaml", "mimeType": "application/x-yaml", "buffer": _edited_heerlen()}]
    )
    expect(page.get_by_text("Aangepast model is in gebruik", exact=False).first).to_be_visible()
    page.get_by_role("link", name="Toekomst bouwen").click()
    slider = page.get_by_role("slider").nth(3)  # the first assumption slider (the year and two levers above it)
    slider.wait_for()
    _settle(page)
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    expect(page.get_by_text("Gewijzigde aannames", exact=False)).to_be_visible()
    built = _steady_charts(page, chart_json)
    assert built != plain  # the edited model and the moved slider changed the numbers
    page.get_by_role("link", name="Exporteren en delen").click()
    code = page.locator("[data-testid=stCode] code").first
    expect(code).to_contain_text("?f=")
    expect(page.get_by_text("eigen aannames uit de tabel", exact=False)).to_be_visible()
    link = code.inner_text().strip()
    assert link.startswith(server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exporteren-link.png"), full_page=True)
    page.get_by_role("link", name="Toekomst bouwen").click()
    page.get_by_role("heading", name="Medtech-logistiek Heerlen").wait_for()
    assert _steady_charts(page, chart_json) == built  # the future the link carries is the one on screen

    colleague = browser.new_context(viewport={"width": 1400, "height": 1800})
    try:
        fresh = colleague.new_page()
        fresh.set_default_timeout(30_000)
        fresh.goto(link)
        fresh.get_by_role("heading", name="Medtech-logistiek Heerlen").wait_for()
        expect(fresh.get_by_text("Gewijzigde aannames", exact=False)).to_be_visible()
        fresh.wait_for_function(f"() => ({chart_json})() === {json.dumps(built)}", timeout=60_000)
        _no_traceback(fresh)
        fresh.screenshot(path=str(ARTIFACTS / "toekomst-gedeeld.png"), full_page=True)
    finally:
        colleague.close()


def test_a_bad_upload_shows_the_message_and_keeps_the_model(server: str, page):
    page.goto(f"{server}/aannames")
    page.get_by_role("heading", name="Eigen aannames").wait_for()
    _settle(page)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "kapot.yaml", "mimeType": "application/x-yaml", "buffer": b"name: [oops"}]
    )
    page.get_by_text("Niet gebruikt").first.wait_for()
    assert "YAML syntax error" in page.inner_text("body")
    _no_traceback(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "aannames-bad-upload.png"), full_page=True)
    page.goto(server)
    page.get_by_role("heading", name="Medtech-logistiek Heerlen").wait_for()


def test_an_uploaded_scenario_can_be_picked(server: str, page):
    text = (ROOT / "scenarios" / "medtech-growth.yaml").read_text(encoding="utf-8")
    text = text.replace("name: medtech-growth", "name: eigen-groei").replace("slope: 600", "slope: 100")
    page.goto(f"{server}/aannames")
    page.get_by_role("heading", name="Eigen aannames").wait_for()
    _settle(page)
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "eigen.yaml", "mimeType": "application/x-yaml", "buffer": text.encode()}]
    )
    page.get_by_text("Scenario 'eigen-groei' geladen").wait_for()
    _no_traceback(page)


def test_clicking_a_node_shows_its_causes_effects_and_tracing(server: str, page):
    from playwright.sync_api import expect

    page.goto(f"{server}/netwerk")
    page.get_by_role("heading", name="Het netwerk").wait_for()
    points = page.locator(".js-plotly-plot .scatterlayer .point")
    points.first.wait_for()
    _settle(page)
    spec = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    n_nodes, n_links = len(spec.nodes), len(spec.links)
    assert points.count() == n_links + n_nodes  # an invisible hover point per link, drawn before the nodes
    points.nth(n_links + 5).click(force=True)

    page.get_by_text("Waar komt de verandering vandaan?").wait_for()
    _settle(page)
    network = page.locator(".js-plotly-plot").first.locator(".scatterlayer .point")
    expect(network).not_to_have_count(n_nodes)  # the focus view: the node, its causes and its effects
    assert network.count() < n_nodes
    _no_traceback(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "netwerk-klik.png"), full_page=True)


DOTTED_DECIMAL = re.compile(r"(?<![\d.,\w])(0\.\d+|\d+\.(\d{1,2}|\d{4,}))(?!\d)")  # "0.0088", "2025.00"


@pytest.fixture
def laptop(browser):
    """A 1366x768 window: the screen a policymaker's laptop shows."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def test_the_answer_is_above_the_fold_at_1366x768(server: str, laptop):
    laptop.goto(f"{server}/?f={encode_future(Future('medtech-growth'))}")
    metrics = laptop.locator("[data-testid=stMetric]")
    metrics.nth(4).wait_for()
    _settle(laptop)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    laptop.screenshot(path=str(ARTIFACTS / "toekomst-1366x768.png"))
    assert metrics.count() == 5
    for i in range(5):
        box = metrics.nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, (i, box)
    assert "Werkloosheid" in metrics.first.inner_text()
    for name in ("Hier en nu", "Later", "Elders"):
        verdict = laptop.locator("[data-testid=stMarkdown]").filter(has_text=re.compile(f"^{name}: "))
        box = verdict.first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, (name, box)
    slider = laptop.get_by_role("slider").nth(1)  # the jobs lever (the year slider is first)
    before = metrics.first.inner_text()
    slider.focus()
    for _ in range(5):
        slider.press("ArrowLeft")
    laptop.wait_for_function(
        f"() => document.querySelector('[data-testid=stMetric]').innerText !== {json.dumps(before)}"
    )


@pytest.mark.parametrize("path", ["", "vergelijken", "exporteren", "monitor"])
def test_dutch_mode_shows_no_dotted_decimals(server: str, page, path: str):
    page.goto(f"{server}/{path}?f={encode_future(Future('medtech-growth'))}")
    page.locator("h1").first.wait_for()
    _settle(page)
    page.wait_for_timeout(500)
    text = re.sub(r"https?://\S+", "", page.inner_text("body"))  # a share link's address is no number
    ticks = page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent)")
    dotted = [m.group(0) for m in DOTTED_DECIMAL.finditer(text + "\n" + "\n".join(ticks))]
    assert not dotted, dotted[:10]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"nl-{path or 'toekomst'}.png"), full_page=True)
