"""The answer first, Dutch numbers and the policy note's files (no Streamlit): headline indicators,
verdict sentences with sizes, sized scorecard cells, Babel formatting, PNG figures and the Excel summary."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from ui_helpers import SMALL

from simulator.analysis.scorecard import scorecard, summary
from simulator.app import answer, charts, exporting, numbers, policy_note
from simulator.io.spec_files import load_model, load_model_text
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec

HEERLEN = Path(__file__).resolve().parents[2] / "models" / "medtech-heerlen.yaml"


def _card(model, interventions, language="nl"):
    spec = ScenarioSpec(name="s", model="", interventions=interventions)
    result = run_deterministic(prepare_scenario(spec, model))
    return scorecard(model, result.times, result.baseline, result.delta, [2035.0], language=language)


@pytest.fixture(scope="module")
def small():
    model = load_model_text(SMALL, "small.yaml").spec
    return model, _card(model, [{"node": "jobs", "shape": "step", "height": 100, "start": 2026}])


@pytest.fixture(scope="module")
def heerlen():
    model = load_model(HEERLEN).spec
    ramp = {"node": "medtech_jobs", "shape": "ramp", "slope": 600, "start": 2025, "end": 2030}
    return model, _card(model, [ramp])


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [
        (0.765, "0,77", "0.77"),
        (5615.1712, "5.615", "5,615"),
        (-0.00025, "-0,00025", "-0.00025"),
        (0.0088, "0,0088", "0.0088"),
        (30000.0, "30.000", "30,000"),
        (0.0, "0", "0"),
    ],
)
def test_numbers_have_two_significant_digits_and_the_languages_separators(value, nl, en):
    assert numbers.number(value, "nl") == nl
    assert numbers.number(value, "en") == en


def test_plain_numbers_keep_what_a_table_holds_and_percentages_have_a_space():
    assert numbers.plain(5615.1712, "nl") == "5.615,17"
    assert numbers.plain(-0.00025, "nl") == "-0,00025"
    assert numbers.percent(0.034, "nl", sign=True) == "+3,4 %"
    assert numbers.number(float("nan")) == "–"


def test_a_dutch_figure_has_dutch_separators_and_no_si_suffixes():
    fig = numbers.localize_figure(charts.bar_figure(_bars()), "nl")
    assert fig.layout.separators == ",."
    assert fig.layout.yaxis.tickformat == ",~r" and fig.layout.xaxis.tickformat == "d"


def _bars():
    import pandas as pd

    return pd.DataFrame({"label": ["a"], "value": [20500.0]})


def test_the_heerlen_headlines_are_unemployment_income_housing_health_and_co2(heerlen):
    model, card = heerlen
    heads = answer.headlines(model, card, "nl")
    assert [h.node for h in heads] == list(answer.HEADLINE_IDS)
    unemployment = heads[0]
    assert unemployment.label == "Werkloosheid" and unemployment.colour == "inverse"
    assert unemployment.delta == "-0,74 procentpunt"  # 600 jobs a year: unemployment falls 0.74 points (labour account)
    assert unemployment.value.endswith(" %") and "." not in unemployment.value


def test_the_key_paths_start_as_income_housing_health_and_co2(heerlen):
    model, _ = heerlen
    assert answer.default_path_nodes(model, {"medtech_jobs"}) == [
        "disposable_income",
        "housing_cost_burden",
        "perceived_health",
        "co2_emissions",
    ]


def test_a_dimension_verdict_is_one_sentence_with_counts_and_sizes(heerlen):
    model, card = heerlen
    sentences = dict(answer.dimension_sentences(model, card, "nl", frozenset({"medtech_jobs"})))
    assert list(sentences) == ["hier_en_nu", "later", "elders"]
    here = sentences["hier_en_nu"]
    assert here.startswith(
        "Hier en nu: 9 van de 25 indicatoren beter, 5 slechter; grootste verbetering: "
        "de werkloosheid, 0,74 procentpunt lager (-16 %)"
    )
    assert "medtech(-logistiek)" not in here.split("verslechtering")[0]  # the lever's own jobs are not the news
    assert here.endswith(".") and ". " not in here  # one sentence
    assert not re.search(r"\d\.\d", here)  # no dotted decimals


def test_sentences_have_articles_and_two_significant_digits(heerlen):
    model, card = heerlen
    row = card[card["node"] == "unemployment_rate"].iloc[0]
    assert answer.indicator_sentence(model, row, "nl") == (
        "In 2035 is de werkloosheid 0,74 procentpunt lager dan zonder ingreep: een verbetering."
    )
    assert answer.subject(model, "net_migration", "nl") == "het migratiesaldo"
    assert answer.subject(model, "population", "nl") == "het aantal inwoners"
    assert answer.subject(model, "no2_concentration", "nl") == "de NO2-concentratie"


def test_a_scorecard_cell_carries_the_largest_relative_change(small):
    model, card = small
    cells = answer.cells(card).set_index(["dimension", "theme"])
    income = cells.loc[("hier_en_nu", "materiele_welvaart")]
    assert income["score"] == pytest.approx(200 / 30000)  # +200 on 30,000: better
    assert answer.cell_mark(income, "nl") == "▲\u00a00,67\u00a0%"
    emissions = cells.loc[("later", "milieu")]
    assert emissions["score"] == pytest.approx(-0.5) and answer.cell_mark(emissions, "en") == "▼\u00a050\u00a0%"
    assert list(cells.index.get_level_values("dimension")) == ["hier_en_nu", "hier_en_nu", "later", "elders"]


def test_cells_in_cbs_order_with_cbs_spelling(heerlen):
    model, card = heerlen
    themes = list(answer.cells(card).query("dimension == 'hier_en_nu'")["theme"])
    assert themes == [
        "subjectief_welzijn",
        "materiele_welvaart",
        "gezondheid",
        "arbeid_en_vrije_tijd",
        "wonen",
        "samenleving",
        "veiligheid",
        "milieu",
    ]
    assert answer.theme_title("materiele_welvaart", "nl") == "Materiële welvaart"


def test_a_cell_opens_to_its_indicators(small):
    model, card = small
    assert answer.cell_indicators(model, card, "hier_en_nu", "materiele_welvaart", "nl") == [
        "Inkomen: 200 eur hoger, +0,67 % (beter)"
    ]


def test_an_exported_scorecard_keeps_theme_names_and_has_title_scenario_legend_and_source(small):
    model, card = small
    fig = charts.scorecard_figure(summary(card), "nl", "", card=card)
    note = policy_note.for_note(fig, "Scorekaart brede welvaart", "Scenario: Groei · 2035", "▲: beter", "Bron: x")
    assert list(note.data[0].y) == ["Materiële welvaart", "Arbeid en vrije tijd", "Milieu"]  # CBS order
    assert "Scorekaart brede welvaart" in note.layout.title.text and "Scenario: Groei" in note.layout.title.text
    assert "▲: beter" in note.layout.annotations[-1].text and "Bron: x" in note.layout.annotations[-1].text
    assert note.layout.separators == ",." and note.layout.yaxis.automargin
    assert note.data[0].text[0][0] == "▲\u00a00,67\u00a0%"  # the size of the change, not a count


def test_the_excel_summary_sheet_comes_first_with_headlines_scorecard_and_changes(small):
    model, card = small
    changes = [policy_note.Change("Aanname: Banen → Inkomen", "2", "3")]
    blocks = policy_note.summary_blocks(model, card, changes, "Groei (aangepast)", "nl")
    data = exporting.excel_bytes({"results": card}, ("Samenvatting", blocks))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Samenvatting", "results"]
    cells = [c for row in book["Samenvatting"].iter_rows(values_only=True) for c in row if c is not None]
    for text in (
        "Deze toekomst",
        "Groei (aangepast)",
        "Kerncijfers",
        "Oordeel per dimensie",
        "Scorekaart brede welvaart",
        "Materiële welvaart",
        "Anders dan standaard",
        "Aanname: Banen → Inkomen",
    ):
        assert text in cells, text
    assert 30200.0 in cells  # income in 2035, a number Excel shows in the reader's locale


def test_a_headline_below_the_surveys_precision_is_grey_and_says_why(heerlen):
    """Growth moves perceived health by about +0,1 procentpunt, below the survey's margin of 1,7: its
    metric is not coloured as an improvement, and its help text says why; unemployment stays coloured."""
    model, card = heerlen
    heads = {h.node: h for h in answer.headlines(model, card, "nl")}
    assert heads["perceived_health"].colour == "off"
    assert "kleiner dan de meetprecisie (1,7 procentpunt)" in heads["perceived_health"].help
    assert heads["unemployment_rate"].colour == "inverse"
    assert "meetprecisie" not in heads["unemployment_rate"].help


def test_the_home_page_reads_the_heerlen_future_against_the_ambitions_beside_the_model():
    """The same lines as bwsim scorecard, on the app's run; an ambition after the run's horizon is left out,
    and with the band's members each line says the share of runs that reach it."""
    import numpy as np

    from simulator.io.ambition_files import ambitions_beside, load_ambitions

    model = load_model(HEERLEN).spec
    found = load_ambitions(ambitions_beside(HEERLEN), model)
    ramp = {"node": "medtech_jobs", "shape": "ramp", "slope": 600, "start": 2025, "end": 2030}
    spec = ScenarioSpec(name="s", model="", interventions=[ramp], time={"start": 2025, "end": 2032, "dt": 0.25})
    result = run_deterministic(prepare_scenario(spec, model))
    lines = answer.ambition_lines(model, found.spec, found.nodes, result, language="nl")
    assert [line.reached for line in lines] == [True, True]  # the 2035 ambitions lie after 2032
    assert lines[0].statement.startswith("9.000 banen")
    assert lines[1].detail.startswith("in 2030: 3,94 % van de beroepsbevolking, zonder het scenario 4,5; ")

    def members_at(indices):  # two members: the central run and one with no effect at all
        d = result.delta[indices]
        return np.stack([d, np.zeros_like(d)], axis=2)

    with_band = answer.ambition_lines(model, found.spec, found.nodes, result, members_at, language="en")
    assert with_band[1].detail.endswith("; reached in 50 % of 2 runs")


def test_the_answer_reads_a_card_as_records_once(heerlen, monkeypatch: pytest.MonkeyPatch):
    """Headlines, cells, the three dimension sentences and the cells' lines read one card: pandas turns it
    into records once (six times per slider move before), and the texts are the same as from a fresh card."""
    import pandas as pd

    model, card = heerlen
    fresh = card.copy()
    expected = (
        answer.headlines(model, fresh),
        answer.cells(fresh).to_json(),
        answer.dimension_sentences(model, fresh),
        answer.all_cell_indicators(model, fresh),
    )
    calls: list[int] = []
    real = pd.DataFrame.to_dict

    def counting(self, *args, **kwargs):
        if self is card:
            calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_dict", counting)
    for _ in range(2):  # two reruns showing the same card
        got = (
            answer.headlines(model, card),
            answer.cells(card).to_json(),
            answer.dimension_sentences(model, card),
            answer.all_cell_indicators(model, card),
        )
        assert got == expected
    assert len(calls) <= 1, f"the card was turned into records {len(calls)} times"
