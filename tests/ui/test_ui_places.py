"""Places in the app (issue 13, item 6): the grid positions, the nodes of a place, the tile map's colours,
and on the home page the place picker, the map and the chosen place's scorecard beside the whole region's."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_helpers import chart_specs

from simulator.app import places
from simulator.io.spec_files import load_model
from simulator.place_grid import PARKSTAD_GRID, grid_positions

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "simulator" / "app" / "app.py"
MODEL = ROOT / "examples" / "places" / "model.yaml"
SCENARIO = ROOT / "examples" / "places" / "jobs-in-heerlen.yaml"


def test_parkstad_gemeenten_keep_their_tiles_and_unknown_places_get_a_grid_below():
    tiles = grid_positions(["heerlen", "kerkrade", "maastricht", "sittard", "venlo"])
    assert tiles["heerlen"] == PARKSTAD_GRID["heerlen"] and tiles["kerkrade"] == PARKSTAD_GRID["kerkrade"]
    below = 2  # one row below the known places' last (Heerlen and Kerkrade lie in row 1)
    assert [tiles[p] for p in ("maastricht", "sittard", "venlo")] == [(below, 0), (below, 1), (below + 1, 0)]
    assert len(set(tiles.values())) == len(tiles)
    assert grid_positions(["a", "b", "c", "d"]) == {"a": (0, 0), "b": (0, 1), "c": (1, 0), "d": (1, 1)}
    assert len(set(grid_positions(list(PARKSTAD_GRID)).values())) == len(PARKSTAD_GRID)


def test_the_nodes_of_a_place_are_its_element_nodes():
    model = load_model(MODEL).spec
    assert places.places(model) == ("heerlen", "kerkrade")
    assert places.nodes_of_place(model, "kerkrade") == [
        "jobs[kerkrade]",
        "employed_residents[kerkrade]",
        "unemployment_rate[kerkrade]",
    ]
    assert places.map_families(model) == ["jobs", "employed_residents", "unemployment_rate"]
    assert places.family_label(model, "unemployment_rate", "nl") == "Werkloosheid"


def test_a_model_without_dimensions_has_no_places(tmp_path: Path):
    from ui_helpers import write_project

    model = load_model(write_project(tmp_path)).spec
    assert places.places(model) == () and places.map_families(model) == []


def test_a_model_with_groups_only_has_no_places():
    """The Heerlen model's dimensions are groups (income groups, residents and labour migrants): no place
    picker, no map, no place scorecard (which would refuse a group as a place)."""
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    assert model.expansion is not None and set(model.expansion.dimensions) == {"inkomensgroep", "bewonersgroep"}
    assert places.place_dimension(model) is None
    assert places.places(model) == () and places.map_families(model) == []


def _tile(spec: dict, row: int, column: int) -> float | None:
    """The colour value of the tile at (row, column); None for no place (plotly keeps a grid with gaps a list)."""
    return spec["data"][0]["z"][row][column]


@pytest.fixture
def places_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("BWSIM_MODEL", str(MODEL))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="scenario_pick").set_value("places-jobs-in-heerlen").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return at


def _map(at: AppTest) -> dict:
    return next(s for s in chart_specs(at) if "per plaats" in s["layout"]["title"]["text"])


def _block_markdown(at: AppTest, heading: str) -> list[str]:
    """Every Markdown text in the page block (column) whose own Markdown includes ``heading``."""

    def texts(block) -> list[str]:
        out = [block.value] if getattr(block, "type", "") == "markdown" else []
        for key in sorted(getattr(block, "children", {})):
            out += texts(block.children[key])
        return out

    stack = [at._tree]
    while stack:
        block = stack.pop()
        children = getattr(block, "children", {})
        own = [c.value for c in children.values() if getattr(c, "type", "") == "markdown"]
        if heading in own:
            return texts(block)
        stack.extend(children.values())
    raise AssertionError(f"no block with {heading!r}")


def test_the_home_page_has_a_place_picker_a_tile_map_and_the_place_scorecard(places_app: AppTest):
    from simulator.runner import run_scenarios

    at = places_app
    picker = at.selectbox(key="place_pick")
    assert picker.options == ["Heerlen", "Kerkrade"] and picker.value == "heerlen"  # the intervention's place
    assert at.selectbox(key="place_family").value == "employed_residents"  # jobs are the lever's own
    at.selectbox(key="place_family").set_value("unemployment_rate").run()
    year = float(at.slider(key="year").value)
    card = run_scenarios([SCENARIO], years=[year]).scenarios[0].scorecard.set_index("node")["delta"]
    spec = _map(at)
    assert spec["data"][0]["type"] == "heatmap"
    # Heerlen (1, 1), Kerkrade (1, 2) on the grid; the map keeps only row 1 and columns 1-2: tiles (0, 0), (0, 1).
    # Unemployment goes down = better: the colour is -delta, and both places moved
    heerlen, kerkrade = _tile(spec, 0, 0), _tile(spec, 0, 1)
    assert heerlen == -card["unemployment_rate[heerlen]"] > 0
    assert kerkrade == -card["unemployment_rate[kerkrade]"] > 0
    tiles = [v for row in spec["data"][0]["z"] for v in row if v is not None]
    assert len(tiles) == 2
    heatmap = spec["data"][0]
    assert heatmap["zmid"] == 0 and heatmap["zmax"] == -heatmap["zmin"] == max(heerlen, kerkrade)
    assert len(heatmap["z"]) == 1 and len(heatmap["z"][0]) == 2
    hover = heatmap["customdata"][0][0]
    assert hover.startswith("Heerlen: -") and "," in hover and "." not in hover.split(":")[1]  # Dutch decimals
    shown = _block_markdown(at, "**Scorekaart Heerlen**")
    assert any("(Heerlen)" in text for text in shown) and not any("(Kerkrade)" in text for text in shown)
    region = _block_markdown(at, "**Scorekaart hele regio**")
    assert any("(Kerkrade)" in text for text in region) and any("(Heerlen)" in text for text in region)

    at.selectbox(key="place_pick").set_value("kerkrade").run()
    assert not at.exception and not at.error
    shown = _block_markdown(at, "**Scorekaart Kerkrade**")
    assert any("(Kerkrade)" in text for text in shown) and not any("(Heerlen)" in text for text in shown)


def test_a_model_without_dimensions_shows_no_places(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from ui_helpers import write_project

    monkeypatch.setenv("BWSIM_MODEL", str(write_project(tmp_path)))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "place_pick"]
    assert "Per plaats" not in [h.value for h in at.subheader]


def test_the_map_colours_each_tile_by_its_change_signed_by_direction_with_gaps_left_empty():
    import pandas as pd

    changes = pd.DataFrame(
        [
            {
                "place": "brunssum",
                "node": "u[brunssum]",
                "delta": -0.5,
                "relative": -0.1,
                "direction": "down",
                "verdict": "improves",
                "row": 0,
                "column": 1,
                "colour": 0.5,
            },
            {
                "place": "heerlen",
                "node": "u[heerlen]",
                "delta": 0.25,
                "relative": 0.05,
                "direction": "down",
                "verdict": "worsens",
                "row": 1,
                "column": 1,
                "colour": -0.25,
            },
            {
                "place": "kerkrade",
                "node": "u[kerkrade]",
                "delta": 0.0,
                "relative": 0.0,
                "direction": "down",
                "verdict": "level",
                "row": 1,
                "column": 2,
                "colour": 0.0,
            },
        ]
    )
    heatmap = places.place_map_figure(changes, "Werkloosheid", "%", "nl").data[0]
    assert [list(row) for row in heatmap.z] == [[0.5, None], [-0.25, 0.0]]  # column 0 holds no tile: left out
    assert heatmap.zmin == -0.5 and heatmap.zmax == 0.5 and heatmap.colorscale[0][1] == "#d73027"
    assert list(heatmap.colorbar.ticktext) == ["slechter", "gelijk", "beter"]
    assert heatmap.customdata[1][0] == "Heerlen: +0,25 % (+5 %)" and heatmap.text[0][0] == "Brunssum"
    neutral = changes.assign(direction="neutral", colour=changes["delta"])
    heatmap = places.place_map_figure(neutral, "x", "", "en").data[0]
    assert [list(row) for row in heatmap.z] == [[-0.5, None], [0.25, 0.0]]
    assert list(heatmap.colorbar.ticktext) == ["lower", "no change", "higher"]
    assert heatmap.customdata[0][0] == "Brunssum: -0.5 (-10 %)"


def test_in_english_the_map_and_cards_keep_the_choices(places_app: AppTest):
    at = places_app
    at.selectbox(key="place_family").set_value("unemployment_rate").run()
    at.selectbox(key="place_pick").set_value("kerkrade").run()
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert at.selectbox(key="place_family:en").value == "unemployment_rate"  # carried over
    assert at.selectbox(key="place_pick").value == "kerkrade"
    spec = next(s for s in chart_specs(at) if "change per place" in s["layout"]["title"]["text"])
    assert spec["layout"]["title"]["text"].startswith("Unemployment rate: change per place in")
    assert spec["data"][0]["customdata"][0][1].startswith("Kerkrade: -0.")
    assert any("(Kerkrade)" in text for text in _block_markdown(at, "**Scorecard Kerkrade**"))
