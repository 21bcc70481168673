"""Comparison with other places and the past (``bwsim compare-places``), and the real CBS snapshot it reads."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
import types
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.analysis.compare_places import compare_places
from simulator.cli.main import app
from simulator.io.import_cbs import PARKSTAD
from simulator.observed import load_observed, observed_from_text

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "parkstad-observed.csv"
MODEL = ROOT / "models" / "medtech-heerlen.yaml"
runner = CliRunner()

# Hand-made: income (up is good), low-income share (down is good), population (neutral, a total).
SMALL = """node,time,value,place,table,period,licence,source
disposable_income,2020,30000,Heerlen,T1,2020,CC BY 4.0,test
disposable_income,2024,36000,Heerlen,T1,2024,CC BY 4.0,test
disposable_income,2024,40000,Nederland,T1,2024,CC BY 4.0,test
disposable_income,2024,35000,Maastricht,T1,2024,CC BY 4.0,test
disposable_income,2024,33000,Venlo,T1,2024,CC BY 4.0,test
disposable_income,2024,38000,Emmen,T1,2024,CC BY 4.0,test
low_income_households,2016,12.0,Heerlen,T2,2016,CC BY 4.0,test
low_income_households,2018,12.6,Heerlen,T2,2018,CC BY 4.0,test
low_income_households,2018,8.0,Nederland,T2,2018,CC BY 4.0,test
low_income_households,2018,13.0,Maastricht,T2,2018,CC BY 4.0,test
population,2016,1000,Heerlen,T3,1-1-2016,CC BY 4.0,test
population,2025,1005,Heerlen,T3,1-1-2025,CC BY 4.0,test
population,2025,17000,Nederland,T3,1-1-2025,CC BY 4.0,test
"""
DIRECTIONS = {"disposable_income": "up", "low_income_households": "down", "population": "neutral"}
NODES = list(DIRECTIONS)


def invoke(*args: object):
    return runner.invoke(app, ["compare-places", *map(str, args)])


def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_every_row_of_the_snapshot_has_source_table_period_and_licence():
    with SNAPSHOT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert len(rows) >= 300
    for row in rows:
        assert row["source"] and row["table"] and row["period"] and row["place"], row
        assert row["licence"] == "CC BY 4.0", row
        where = ("github.com", "opendata.cbs.nl", "cbs.nl/nl-nl/cijfers/detail/")  # an export, the API, a table page
        assert any(text in row["source"] for text in where), row
    places = {row["place"] for row in rows}
    assert {"Nederland", "Heerlen", "Kerkrade", "Landgraaf", "Brunssum", "Simpelveld", "Voerendaal"} <= places
    assert {"Beekdaelen", "Sittard-Geleen", "Maastricht", "Venlo", "Emmen", "Den Helder"} <= places


def test_the_snapshots_labour_and_parkstad_rows_are_what_the_generator_computes():
    """Limburg's rates follow from 85230NED's counts (to CBS's rounding, 0.1), published ones are kept as
    published, and Parkstad's 2025 rows are the sums of its seven gemeenten's rows."""
    module = _generator()
    with SNAPSHOT.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    value = {(r["node"], int(r["time"]), r["place"]): float(r["value"]) for r in rows}
    for year, (population, labour_force, employed, unemployed) in module.LIMBURG_85230.items():
        assert abs(value["unemployment_rate", year, "Limburg (PV)"] - 100 * unemployed / labour_force) <= 0.1 + 1e-9
        assert abs(value["employment_rate", year, "Limburg (PV)"] - 100 * employed / population) <= 0.1 + 1e-9
    assert value["unemployment_rate", 2016, "Limburg (PV)"] == 5.5  # published (83524NED), not the computed 5.4
    assert value["unemployment_rate", 2016, "Zuid-Limburg (CR)"] == 5.9
    for node in ("population", "housing_demand"):
        assert value[node, 2025, "Parkstad"] == sum(value[node, 2025, place] for place in PARKSTAD)
    assert value["population", 2025, "Parkstad"] == 256062


def test_snapshot_matches_the_model_baselines_it_was_read_for():
    """The 7 Parkstad gemeenten's private households at 1-1-2025 sum to the model's 127,593 (70072ned)."""
    rows = load_observed(
        SNAPSHOT,
        [
            "population",
            "housing_demand",
            "disposable_income",
            "housing_stock",
            "low_income_households",
            "employment_rate",
            "unemployment_rate",
        ],
        None,
    ).table
    parkstad = ["Heerlen", "Kerkrade", "Landgraaf", "Brunssum", "Simpelveld", "Voerendaal", "Beekdaelen"]
    households = rows[(rows["node"] == "housing_demand") & (rows["time"] == 2025) & rows["place"].isin(parkstad)]
    assert households["value"].sum() == 127593
    income = rows[(rows["node"] == "disposable_income") & (rows["place"] == "Heerlen")]
    assert income["value"].tolist() == [37300]


def _generator():
    spec = importlib.util.spec_from_file_location("make_parkstad_observed", ROOT / "data" / "make_parkstad_observed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_makes_the_snapshots_rows_from_the_statline_exports(tmp_path):
    """data/make_parkstad_observed.py on excerpts of its sources (tests/fixtures/statline): every row it writes
    is a row of the shipped snapshot, for each of its three sources."""
    out = tmp_path / "out.csv"
    assert _generator().main(["x", str(ROOT / "tests" / "fixtures" / "statline"), str(out)]) == 0
    made = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    shipped = set(SNAPSHOT.read_text(encoding="utf-8").splitlines())
    assert made[0] == "node,time,value,place,table,period,licence,source"
    assert [line for line in made[1:] if line not in shipped] == []
    tables = {line.split(",")[4] for line in made[1:]}
    assert {"70072ned", "84583NED"} <= tables and any("Inkomen van huishoudens" in t for t in tables)
    assert "disposable_income,2024,37300,Heerlen," in "\n".join(made)
    excerpt = {"Nederland", "Heerlen", "Kerkrade", "Landgraaf", "Brunssum", "Simpelveld", "Voerendaal"}
    excerpt |= {"Beekdaelen", "Maastricht", "Venlo", "Parkstad", "Limburg (PV)", "Zuid-Limburg (CR)"}
    rows = pd.read_csv(SNAPSHOT, comment="#")
    assert len(made) - 1 == int(rows["place"].isin(excerpt).sum())  # no row of these places lost


def test_old_files_without_the_new_columns_still_read():
    data = observed_from_text("node,time,value\ny,2021,1.5\n", "old.csv", ["y"], (2020.0, 2030.0))
    assert list(data.table["place"]) == [""] and list(data.table["licence"]) == [""]


def test_the_same_node_and_time_in_two_places_is_no_duplicate_but_twice_in_one_is():
    text = "node,time,value,place\ny,2021,1,Heerlen\ny,2021,2,Nederland\n"
    assert len(observed_from_text(text, "p.csv", ["y"], None)) == 2
    with pytest.raises(Exception, match="duplicate observation of 'y' at 2021 for place 'Heerlen'"):
        observed_from_text(text + "y,2021,3,Heerlen\n", "p.csv", ["y"], None)


def test_hand_computed_verdicts(tmp_path):
    data = load_observed(small(tmp_path), NODES, None)
    result = compare_places(data, DIRECTIONS, "heerlen", ["maastricht", "venlo", "emmen"], totals={"population"})
    income, low, population = result.items
    # income 36,000 (up is good): below Nederland's 40,000 -> worse; above the peers' median 35,000 -> better;
    # up from 30,000 in 2020 -> improved
    assert (income.versus_national, income.versus_peers, income.trend) == ("worse", "better", "improved")
    assert (income.peer_median, income.peer_low, income.peer_high) == (35000, 33000, 38000)
    assert income.past_time == 2020
    # low income 12.6 % (down is good): above Nederland's 8 % -> worse; below Maastricht's 13 % -> better;
    # up from 12.0 % -> worsened
    assert (low.versus_national, low.versus_peers, low.trend) == ("worse", "better", "worsened")
    # population is a total: no level verdict; 1000 -> 1005 is within 1 %: unchanged
    assert (population.versus_national, population.versus_peers, population.trend) == (None, None, "unchanged")
    # a threshold of 15 % makes income "about the Dutch average" (4,000 is 10 % of 40,000)
    loose = compare_places(data, DIRECTIONS, "Heerlen", ["Maastricht"], ["disposable_income"], threshold=0.15)
    assert loose.items[0].versus_national == "similar"
    # the place itself and Nederland are no comparable places, even when named
    named = compare_places(data, DIRECTIONS, "Heerlen", ["Heerlen", "Nederland", "Venlo"], ["disposable_income"])
    assert named.peers == ("Venlo",) and named.items[0].peer_median == 33000
    # since 2021: no earlier income observation is left
    assert compare_places(data, DIRECTIONS, "Heerlen", None, ["disposable_income"], since=2021).items[0].trend is None


def test_cli_dutch_and_english(tmp_path):
    path = small(tmp_path)
    nl = invoke(MODEL, path, "--place", "heerlen", "--compare", "maastricht,venlo,emmen")
    assert nl.exit_code == 0, nl.output
    assert "Nederland 40.000: slechter dan gemiddeld in Nederland" in nl.stdout
    assert (
        "vergelijkbare gemeenten (3): mediaan 35.000, van 33.000 tot 38.000: beter dan de vergelijkbare gemeenten"
        in nl.stdout
    )
    assert "in de tijd: verbeterd ten opzichte van 2020 (30.000)" in nl.stdout
    assert "in de tijd: verslechterd ten opzichte van 2016 (12)" in nl.stdout
    assert "een totaal, dat met de omvang van een plaats groeit" in nl.stdout
    en = invoke(MODEL, path, "--place", "Heerlen", "--compare", "Maastricht", "--lang", "en")
    assert en.exit_code == 0, en.output
    assert "Nederland 40,000: worse than the Dutch average" in en.stdout
    assert "over time: improved compared with 2020 (30,000)" in en.stdout
    assert "over time: worsened compared with 2016 (12)" in en.stdout


def test_cli_on_the_real_snapshot_with_a_scenario():
    result = invoke(
        ROOT / "scenarios" / "medtech-growth.yaml",
        SNAPSHOT,
        "--place",
        "heerlen",
        "--indicator",
        "disposable_income",
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "Heerlen 2024: 37,300" in result.stdout
    assert "Nederland 47,600: worse than the Dutch average" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--place", "heerln"], ["small.csv", "place", "no rows for place 'heerln'", "did you mean 'Heerlen'?"]),
        (["--place", "heerlen", "--compare", "maastrich"], ["small.csv", "compare", "did you mean 'Maastricht'?"]),
        (["--place", "heerlen", "--indicator", "low_income"], ["--indicator low_income", "low_income_households"]),
        (
            ["--place", "heerlen", "--indicator", "co2_emissions"],
            ["small.csv", "no rows for 'co2_emissions' in place 'Heerlen'"],
        ),
        (["--place", "heerlen", "--threshold", "150"], ["--threshold", "not between 0 and 100 %"]),
        ([], ["--place", "Heerlen", "Maastricht"]),
    ],
)
def test_bad_input_exits_2_naming_the_place_and_the_fix(tmp_path, args, words):
    result = invoke(MODEL, small(tmp_path), *args, "--lang", "en")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_data_without_places_exit_2_in_dutch():
    result = invoke(MODEL, ROOT / "data" / "heerlen-observed-illustrative.csv", "--place", "heerlen")
    assert result.exit_code == 2
    assert "heerlen-observed-illustrative.csv" in result.stderr
    assert "de data hebben geen kolom place" in result.stderr


def _refresh_module():
    spec = importlib.util.spec_from_file_location("refresh_cbs", ROOT / "scripts" / "refresh_cbs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_refresh_offline_exits_2_in_dutch_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "parkstad-observed.csv"
    shutil.copy(SNAPSHOT, out)
    before = out.read_bytes()

    class Offline(types.SimpleNamespace):
        def get_meta(self, *args, **kwargs):
            raise ConnectionError("Failed to establish a new connection: Name or service not known")

    assert _refresh_module().main(["--out", str(out)], client=Offline()) == 2
    assert "de open-data-API van het CBS" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert list(tmp_path.iterdir()) == [out]


def test_refresh_writes_the_snapshot_columns_from_a_client(tmp_path, capsys):
    """A stand-in for cbsodata with one row per table: the rows come out in the snapshot's format."""

    class Client:
        def get_meta(self, table, part):
            titles = {
                "70072ned": [
                    ("TotaleBevolking_1", "Totale bevolking"),
                    ("Huishoudens_2", "Totaal particuliere huishoudens"),
                ],
                "85000NED": [("Mediaan_5", "Mediaan besteedbaar inkomen")],
            }.get(table, [("AantalInwoners_5", "Aantal inwoners"), ("Netto_9", "Netto arbeidsparticipatie")])
            return [{"Key": k, "Title": t} for k, t in titles]

        def get_table_list(self):
            return [
                {
                    "Identifier": "85000NED",
                    "Title": "Inkomen van huishoudens; huishoudenskenmerken, regio (indeling 2024)",
                    "Modified": "2025",
                }
            ]

        def get_data(self, table, filters=None, select=None):
            if table == "70072ned":
                return [{"RegioS": "Heerlen  ", "Perioden": "2025", "TotaleBevolking_1": 87522, "Huishoudens_2": 46069}]
            if table == "85000NED":
                return [
                    {
                        "RegioS": "Heerlen",
                        "Perioden": "2024*",
                        "Populatie": "Particuliere huishoudens incl. studenten",
                        "KenmerkenVanHuishoudens": "Particuliere huishoudens",
                        "Mediaan_5": 37.3,
                    }
                ]
            return [{"WijkenEnBuurten": "Heerlen", "AantalInwoners_5": 87406, "Netto_9": 59.0}]

    out = tmp_path / "fresh.csv"
    assert _refresh_module().main(["--out", str(out), "--lang", "en"], client=Client()) == 0
    assert "rows from the CBS open-data API" in capsys.readouterr().out
    data = load_observed(out, ["population", "housing_demand", "disposable_income", "employment_rate"], None)
    table = data.table
    assert set(table["licence"]) == {"CC BY 4.0"} and all(table["table"]) and all(table["period"])
    income = table[table["node"] == "disposable_income"].iloc[0]
    assert (income["value"], income["place"], income["table"], income["period"]) == (
        37300,
        "Heerlen",
        "85000NED",
        "2024*",
    )
    assert len(table[table["node"] == "population"]) == 6  # 70072ned 2025 and five KWB editions


def test_refresh_without_cbsodata_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cbsodata", None)  # import fails
    out = tmp_path / "x.csv"
    assert _refresh_module().main(["--out", str(out)]) == 2
    assert "cbsodata" in capsys.readouterr().err and not out.exists()


MONITORED = """node,time,value,place,table,period,licence,source
disposable_income,2024,37300,Heerlen,T,2024*,CC BY 4.0,test
disposable_income,2026,39000,Heerlen,T,2026,CC BY 4.0,test
disposable_income,2026,48000,Nederland,T,2026,CC BY 4.0,test
disposable_income,2026,44000,Maastricht,T,2026,CC BY 4.0,test
disposable_income,2026,30000,Venlo,T,2026,CC BY 4.0,test
"""


def test_monitor_phrases_elsewhere_and_the_past_when_the_data_hold_places(tmp_path):
    """Heerlen's 2026 income is checked against the band; 2024 is its past, Nederland and the others elsewhere."""
    path = tmp_path / "monitored.csv"
    path.write_text(MONITORED, encoding="utf-8")
    scenario = ROOT / "scenarios" / "medtech-growth.yaml"
    result = runner.invoke(app, ["monitor", str(scenario), str(path), "--samples", "50"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 van 1 waarneming(en) buiten de band" in out  # only Heerlen 2026 meets the band
    assert "vergeleken met elders en met het verleden:" in out
    assert "Nederland 48.000: slechter dan gemiddeld in Nederland" in out
    # others: Maastricht 44,000 and Venlo 30,000, median 37,000: 39,000 is better
    assert "mediaan 37.000, van 30.000 tot 44.000: beter dan de vergelijkbare gemeenten" in out
    assert "in de tijd: verbeterd ten opzichte van 2024 (37.300)" in out
    plain = runner.invoke(
        app, ["monitor", str(scenario), str(ROOT / "data" / "heerlen-observed-illustrative.csv"), "--samples", "50"]
    )
    assert plain.exit_code == 0 and "elders" not in plain.stdout  # no places: the output of before


def test_monitor_of_data_with_only_the_past_exits_2(tmp_path):
    """The snapshot without its Parkstad rows (the model's own place, 1-1-2025) holds only other places and
    the past for the scenario's horizon: nothing to check against the band."""
    scenario = ROOT / "scenarios" / "medtech-growth.yaml"
    past = tmp_path / "parkstad-observed.csv"
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines(keepends=True)
    past.write_text("".join(line for line in lines if ",Parkstad," not in line), encoding="utf-8")
    result = runner.invoke(app, ["monitor", str(scenario), str(past), "--samples", "50", "--lang", "en"])
    assert result.exit_code == 2
    assert "parkstad-observed.csv" in result.stderr and "no row is a node's own place" in result.stderr


def test_calibration_and_evaluation_read_only_each_nodes_own_place(tmp_path):
    """Other places' rows are for comparisons: a fit of Heerlen's income must not mix in Nederland's."""
    from simulator.cli.calibrate import load_inputs

    path = tmp_path / "monitored.csv"
    path.write_text(MONITORED, encoding="utf-8")
    with pytest.raises(Exception, match="outside the horizon"):  # the past is refused where no comparison reads it
        load_inputs(ROOT / "scenarios" / "medtech-growth.yaml", path)
    path.write_text("\n".join(line for line in MONITORED.splitlines() if ",2024," not in line), encoding="utf-8")
    _, _, observed = load_inputs(ROOT / "scenarios" / "medtech-growth.yaml", path)
    assert list(observed.table["place"]) == ["Heerlen"] and list(observed.table["value"]) == [39000]


def test_parkstad_is_summed_only_from_all_seven_gemeenten():
    """The refresh and the generator sum Parkstad the same way; a missing gemeente gives no row, not a part."""
    from simulator.io.import_cbs import parkstad_rows, snapshot_row

    rows = [
        snapshot_row("population", 2025, 1000 + i, place, "70072ned", "1-1-2025") for i, place in enumerate(PARKSTAD)
    ]
    (parkstad,) = parkstad_rows(rows)
    assert (parkstad["place"], parkstad["value"], parkstad["time"]) == ("Parkstad", 7021, 2025)
    assert parkstad_rows(rows[1:]) == []
