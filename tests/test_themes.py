"""Theme ids from one list (the CBS Monitor Brede Welvaart): validation, scorecard order and names, the app."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simulator.analysis.scorecard import scorecard, summary
from simulator.analysis.text import scorecard_table
from simulator.app.i18n import theme_label
from simulator.cli.main import app
from simulator.io.spec_files import load_model, load_scenario
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.themes import BY_ID, THEME_IDS, THEMES, closest_theme, theme_name, theme_order

ROOT = Path(__file__).parents[1]
HEERLEN = ROOT / "models" / "medtech-heerlen.yaml"


def test_a_misspelt_theme_is_refused_with_its_line_and_the_right_id(tmp_path):
    text = HEERLEN.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, row in enumerate(lines, start=1) if row.strip() == "theme: milieu")
    lines[line - 1] = lines[line - 1].replace("milieu", "mileu")
    model = tmp_path / "model.yaml"
    model.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(model)])
    assert result.exit_code == 2
    assert f"{model}:{line}: nodes[" in result.stderr
    assert "].theme: onbekend thema 'mileu' (bedoelt u 'milieu'?)" in result.stderr  # Dutch by default
    english = CliRunner().invoke(app, ["validate", str(model), "--lang", "en"])
    assert "].theme: unknown theme 'mileu' (did you mean 'milieu'?)" in english.stderr


def test_short_or_unknown_themes_get_a_hint():
    assert closest_theme("mileu") == "milieu"
    assert closest_theme("arbeid") == "arbeid_en_vrije_tijd"
    assert closest_theme("materiele_welvaard") == "materiele_welvaart"
    assert closest_theme("xyz") is None


def test_the_list_is_cbs_order_and_spelling():
    assert THEME_IDS[:8] == (
        "subjectief_welzijn",
        "materiele_welvaart",
        "gezondheid",
        "arbeid_en_vrije_tijd",
        "wonen",
        "samenleving",
        "veiligheid",
        "milieu",
    )
    assert [t.dimensions for t in THEMES] == [("hier_en_nu",)] * 8 + [("later",)] * 4 + [("elders",)] * 2
    assert theme_name("materiele_welvaart") == "materiële welvaart"
    assert theme_name("natuurlijk_kapitaal", "en") == "natural capital"
    assert theme_order("wonen", "later") > theme_order("sociaal_kapitaal", "later")
    assert theme_order("no_such_theme") > max(theme_order(t, "elders") for t in THEME_IDS)


def test_the_shipped_model_uses_only_listed_themes():
    assert {n.theme for n in load_model(HEERLEN).spec.nodes} <= set(BY_ID)


def test_the_scorecard_lists_themes_in_cbs_order_with_cbs_names():
    loaded = load_scenario(ROOT / "scenarios" / "medtech-growth.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    result = run_deterministic(prepared)
    groups = summary(scorecard(loaded.model.spec, result.times, result.baseline, result.delta, [2050.0]))
    for dimension, part in groups.groupby("dimension", sort=False):
        keys = [theme_order(t, dimension) for t in part["theme"]]
        assert keys == sorted(keys), (dimension, list(part["theme"]))
    assert list(groups.loc[groups["dimension"] == "later", "theme"]) == [
        "economisch_kapitaal",
        "natuurlijk_kapitaal",
        "menselijk_kapitaal",
        "sociaal_kapitaal",
        "wonen",
    ]
    text = scorecard_table(groups)
    assert "    materiële welvaart " in text and "materiele" not in text
    assert text.index("subjectief welzijn") < text.index("materiële welvaart") < text.index("milieu")


def test_the_app_names_themes_from_the_list():
    assert theme_label("materiele_welvaart") == "Materiële welvaart"
    assert theme_label("handel_en_hulp", "en") == "Trade and aid"


def test_scorecard_theme_option_suggests_a_theme_of_the_model():
    import pytest

    from simulator.errors import InputError

    loaded = load_scenario(ROOT / "scenarios" / "medtech-growth.yaml")
    result = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec))
    with pytest.raises(InputError) as info:
        scorecard(loaded.model.spec, result.times, result.baseline, result.delta, themes=["mileu"])
    assert info.value.problems[0].hint.startswith("did you mean 'milieu'? themes of this model: subjectief_welzijn")


def test_the_app_scorecard_rows_follow_cbs_order():
    from simulator.app import charts

    loaded = load_scenario(ROOT / "scenarios" / "medtech-growth.yaml")
    result = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec))
    groups = summary(scorecard(loaded.model.spec, result.times, result.baseline, result.delta, [2050.0]))
    rows = list(charts.scorecard_figure(groups, "nl").data[0].y)
    assert rows[:3] == ["Subjectief welzijn", "Materiële welvaart", "Gezondheid"]
    assert rows.index("Milieu") < rows.index("Natuurlijk kapitaal") < rows.index("Handel en hulp")
