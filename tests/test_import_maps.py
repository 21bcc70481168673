"""Participatory maps (Kumu, Mental Modeler, LOOPY, FCM) imported as models: read, validated, run; the
scale mapping, the lag default, the notes; and every kind of bad input refused with file, place and reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.maps import map_model, read_map
from simulator.io.maps.imported import unit_weight_score
from simulator.io.spec_files import load_model, load_scenario
from simulator.scenario_run import prepare_scenario, run_deterministic
from simulator.scores import elasticity_band

MAPS = Path(__file__).resolve().parent / "fixtures" / "maps"
runner = CliRunner()

FIXTURES = [
    ("parkstad-kumu.json", "kumu"),
    ("parkstad-kumu-connections.csv", "kumu"),
    ("parkstad.mmp", "mentalmodeler"),
    ("parkstad-mentalmodeler.csv", "mentalmodeler"),
    ("parkstad-loopy.txt", "loopy"),
    ("parkstad-matrix.csv", "fcm"),
    ("parkstad-edges.csv", "fcm"),
]


def _import(tmp_path: Path, name: str, format: str, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / (Path(name).stem + ".yaml")
    result = runner.invoke(
        app, ["import", str(MAPS / name), "--format", format, "--out", str(out), "--lang", "en", *extra]
    )
    return result.exit_code, result.output, out


def _scenario(tmp_path: Path, model: Path, node: str) -> Path:
    path = tmp_path / f"{model.stem}-step.yaml"
    path.write_text(
        f"name: step\nmodel: {model.name}\n"
        f"interventions:\n  - {{node: {node}, shape: step, height: 10, start: 2026}}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("name", "format"), FIXTURES)
def test_each_format_imports_validates_and_runs(tmp_path, name, format):
    code, output, out = _import(tmp_path, name, format)
    assert code == 0, output
    model = load_model(out)  # what bwsim validate reads
    assert all(link.score is not None and link.form == "elasticity" for link in model.spec.links)
    assert all(node.baseline == 100.0 and node.unit == "index_point" for node in model.spec.nodes)
    first = model.spec.links[0].source
    loaded = load_scenario(_scenario(tmp_path, out, first))
    result = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec))
    assert np.allclose(result.baseline, 100.0)
    assert result.series(first)[-1] == pytest.approx(10.0)
    assert np.abs(result.series(model.spec.links[0].target)[-1]) > 0.1


def test_a_scored_chain_reaches_the_elasticity_of_its_score(tmp_path):
    """Kumu: banen_in_de_zorg -> werkgelegenheid, strength 3 (mode 0.7), default lag 1 year (exponential), its only
    input: a step of 10 index points reaches 100 * 0.7 * 10 / 100 = 7 once the lag has passed (14 years later)."""
    code, output, out = _import(tmp_path, "parkstad-kumu.json", "kumu")
    assert code == 0, output
    loaded = load_scenario(_scenario(tmp_path, out, "banen_in_de_zorg"))
    result = run_deterministic(prepare_scenario(loaded.spec, loaded.model.spec))
    assert elasticity_band(3)[1] == 0.7
    assert result.series("werkgelegenheid")[-1] == pytest.approx(7.0, rel=1e-5)
    assert result.series("werkgelegenheid")[0] == 0.0


@pytest.mark.parametrize(
    ("weight", "score"),
    [(-1, -3), (-0.5, -2), (-0.1, 0), (0.16, 0), (0.17, 1), (0.2, 1), (0.5, 2), (0.83, 2), (0.84, 3), (1, 3), (0.0, 0)],
)
def test_weights_on_minus_one_to_one_become_three_times_rounded_half_away_from_zero(weight, score):
    assert unit_weight_score(weight) == score


def test_the_scale_mapping_of_each_format():
    edges = read_map(MAPS / "parkstad-edges.csv", "fcm")
    assert [link.score for link in edges.links] == [2, 2, -2, 1, -2, 2, -3, -1, -2, 1]  # 3w rounded
    loopy = read_map(MAPS / "parkstad-loopy.txt", "loopy")
    assert [link.score for link in loopy.links] == [-2, 2, -2, -2]  # a sign only: +-2
    assert [node.label for node in loopy.nodes] == [
        "Werkgelegenheid",
        "Vertrek jongeren",
        "Leegstand",
        "Leefbaarheid wijk",
    ]  # decoded twice, as LOOPY writes them
    kumu = read_map(MAPS / "parkstad-kumu.json", "kumu")
    assert [link.score for link in kumu.links] == [3, -2, 2, -3, -1, 1, 1]  # strengths 1..3, sign from the type
    csv = read_map(MAPS / "parkstad-kumu-connections.csv", "kumu")
    assert csv.links[-1].score == 2 and "no strength" in csv.links[-1].rule  # none given: +2, noted
    mmp = read_map(MAPS / "parkstad.mmp", "mentalmodeler")
    assert [(link.source, link.target, link.score) for link in mmp.links] == [
        ("1", "2", -2),
        ("2", "3", 2),
        ("3", "4", -3),
        ("4", "2", -1),
    ]
    assert mmp.title == "Parkstad wijkatelier"


def test_lags_come_from_the_file_or_the_default_with_a_warning_naming_each_link(tmp_path):
    code, output, out = _import(tmp_path, "parkstad-edges.csv", "fcm", "--lag", "2")
    assert code == 0, output
    assert (
        "4 links have no lag in parkstad-edges.csv; each gets the default of 2 years: Werkgelegenheid -> "
        "Vertrek jongeren, Vertrek jongeren -> Leegstand, Vraag naar woningen -> Leegstand, Leefbaarheid wijk "
        "-> Vertrouwen in de regio" in output
    )
    links = {(link.source, link.target): link for link in load_model(out).spec.links}
    assert links["banen_in_de_zorg", "werkgelegenheid"].lag.central == 0.0  # lag 0 in the file: no delay
    assert links["banen_in_de_zorg", "werkgelegenheid"].delay == "none"
    assert links["inkomen_huishoudens", "gezondheid"].lag.central == 2.0
    assert links["werkgelegenheid", "inkomen_huishoudens"].lag.central == 0.5
    assert links["werkgelegenheid", "vertrek_jongeren"].lag.central == 2.0  # defaulted
    assert links["werkgelegenheid", "vertrek_jongeren"].delay == "exponential"


def test_every_choice_is_written_into_the_model(tmp_path):
    code, output, out = _import(tmp_path, "parkstad-kumu.json", "kumu")
    assert code == 0, output
    model = load_model(out).spec
    description = model.description.en
    for words in (
        "Imported from the Kumu map parkstad-kumu.json",
        "Numeric strengths are read as scores on -3..+3",
        "6 get the default of 1 years",
        "'Banen in de zorg' -> banen_in_de_zorg",
        "leegstand: wonen",
        "get samenleving (hier_en_nu) by default: vertrouwen_in_de_regio",
        "A mutual connection is two links",
    ):
        assert words in description
    assert "Geïmporteerd uit de Kumu-kaart" in model.description.nl
    link = next(link for link in model.links if link.target == "vertrek_jongeren")
    assert link.evidence.source == "parkstad-kumu.json: connections[1]"
    assert "connection type gives the sign" in link.evidence.note and "default 1 years" in link.evidence.note
    node = model.nodes[0]
    assert node.indicator.source == "parkstad-kumu.json: elements[0]"
    assert "theme arbeid_en_vrije_tijd from the map's group 'Arbeid en vrije tijd'" in node.indicator.note
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported from the Kumu map parkstad-kumu.json (bwsim).\n")


def test_a_theme_is_found_from_a_label_or_group_and_ids_are_unique(tmp_path):
    path = tmp_path / "themes.csv"
    path.write_text("from,to,weight\nGezondheid,Wonen!,0.5\nwonen,Gezondheid,0.5\n", encoding="utf-8")
    model = map_model(read_map(path, "fcm"), language="en")
    ids = {node.label.en: (node.id, node.theme) for node in model.spec.nodes}
    assert ids == {
        "Gezondheid": ("gezondheid", "gezondheid"),
        "Wonen!": ("wonen", "wonen"),
        "wonen": ("wonen_2", "wonen"),
    }


def test_an_existing_output_is_replaced_only_with_force(tmp_path):
    code, output, out = _import(tmp_path, "parkstad-loopy.txt", "loopy")
    assert code == 0, output
    out.write_text("mine\n", encoding="utf-8")
    code, output, _ = _import(tmp_path, "parkstad-loopy.txt", "loopy")
    assert code == 2 and "exists already" in output and "--force" in output
    assert out.read_text(encoding="utf-8") == "mine\n"
    code, output, _ = _import(tmp_path, "parkstad-loopy.txt", "loopy", "--force")
    assert code == 0, output
    assert load_model(out).spec.nodes


# --- bad input: exit status 2, the file, the place and the reason; nothing written ---------------------------


def _refused(tmp_path: Path, text: str, suffix: str, format: str, *extra: str) -> str:
    path = tmp_path / f"map{suffix}"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = runner.invoke(app, ["import", str(path), "--format", format, "--out", str(out), "--lang", "en", *extra])
    assert result.exit_code == 2, result.output
    assert not out.exists()
    assert "Traceback" not in result.output
    assert str(path) in result.output
    return result.output


@pytest.mark.parametrize(
    ("fixture", "format", "reason"),
    [
        ("parkstad-matrix.csv", "kumu", "is not a Kumu connections table (CSV): its header has no columns From and To"),
        ("parkstad-kumu.json", "fcm", "is not an FCM weight matrix or edge list (CSV): it starts like a JSON file"),
        ("parkstad.mmp", "loopy", "is not a LOOPY model"),
        ("parkstad-kumu.json", "mentalmodeler", "its JSON has no list 'concepts'"),
        ("parkstad-edges.csv", "loopy", "is not a LOOPY model"),
    ],
)
def test_a_file_that_is_not_the_format_it_claims_is_refused(tmp_path, fixture, format, reason):
    output = _refused(tmp_path, (MAPS / fixture).read_text(encoding="utf-8"), Path(fixture).suffix, format)
    assert reason in output


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the file is empty"),
        ("# a comment\n\n", "it has only comments and blank lines"),
        ("a\nb\n", "its first line has no columns"),
    ],
)
def test_a_csv_without_a_table_is_refused(tmp_path, text, reason):
    assert reason in _refused(tmp_path, text, ".csv", "fcm")


def test_kumu_json_that_is_not_json_is_refused_with_its_line(tmp_path):
    output = _refused(tmp_path, '{"elements": [],\n "connections": [}\n', ".json", "kumu")
    assert "map.json:2: is not a Kumu JSON export: it is not valid JSON" in output


def test_a_loop_without_lag_names_its_links_and_suggests_lag(tmp_path):
    output = _refused(tmp_path, (MAPS / "parkstad-matrix.csv").read_text(encoding="utf-8"), ".csv", "fcm", "--lag", "0")
    assert (
        "map.csv:5: line 5, column 'Leegstand', line 6, column 'Leefbaarheid wijk', line 7, column 'Vertrek "
        "jongeren': a loop of links without lag: Vertrek jongeren -> Leegstand -> Leefbaarheid wijk -> Vertrek "
        "jongeren" in output
    )
    assert "set --lag above 0 for links without one" in output


def test_a_loop_whose_lags_are_all_zero_in_the_file_asks_for_a_lag_there(tmp_path):
    output = _refused(tmp_path, "from,to,weight,lag\na,b,0.5,0\nb,a,0.5,0\n", ".csv", "fcm")
    assert "map.csv:2: line 2, line 3: a loop of links without lag: a -> b -> a" in output
    assert "give one of these links a lag above 0 in the file" in output


@pytest.mark.parametrize(
    ("text", "suffix", "format", "where"),
    [
        ("from,to,weight\na,b,1.5\n", ".csv", "fcm", "map.csv:2: weight: weight 1.5 is outside the scale -1..1"),
        (",a,b\na,,-2\nb,0.5,\n", ".csv", "fcm", "map.csv:2: column 'b': weight -2 is outside the scale -1..1"),
        ("From,To,Strength\na,b,5\n", ".csv", "kumu", "map.csv:2: strength: weight 5 is outside the scale -3..+3"),
        (
            '[[[1,0,0,1,"a",0],[2,0,0,1,"b",0]],[[1,2,0,3,0]],[],2]',
            ".json",
            "loopy",
            "map.json: edges[0].strength: weight 3 is outside the scale +1 or -1",
        ),
        (
            '{"concepts": [{"id": "1", "name": "a", "relationships": [{"id": "1", "influence": "1.2"}]}]}',
            ".mmp",
            "mentalmodeler",
            "map.mmp: concepts[0].relationships[0].influence: weight 1.2 is outside the scale -1..1",
        ),
    ],
)
def test_weights_outside_the_scale_are_refused(tmp_path, text, suffix, format, where):
    assert where in _refused(tmp_path, text, suffix, format)


def test_an_unknown_node_in_an_edge_list_is_refused(tmp_path):
    data = json.loads((MAPS / "parkstad-kumu.json").read_text(encoding="utf-8"))
    data["connections"][2]["to"] = "elem-missing"
    output = _refused(tmp_path, json.dumps(data), ".json", "kumu")
    assert "connections[2]: the link names the node 'elem-missing', which the map does not have" in output
    output = _refused(tmp_path, '[[[1,0,0,1,"a",0]],[[1,9,0,1,0]],[],2]', ".json", "loopy")
    assert "edges[0]: the link names the node '9', which the map does not have" in output
    output = _refused(tmp_path, "from,to,weight\na,,0.5\n", ".csv", "fcm")
    assert "map.csv:2: to: no node named" in output


def test_a_matrix_that_is_not_square_is_refused(tmp_path):
    output = _refused(tmp_path, ",a,b,c\na,,0.5,\nb,,,0.5\n", ".csv", "fcm")
    assert "map.csv:1: the matrix is not square: 3 columns of concepts but 2 rows" in output
    output = _refused(tmp_path, ",a,b\nb,,0.5\na,0.5,\n", ".csv", "fcm")
    assert "row 1 is 'b' where the header's concept 1 is 'a'" in output
    output = _refused(tmp_path, ",a,b\na,,0.5,0.2\nb,0.5,\n", ".csv", "mentalmodeler")
    assert "map.csv:2: row 'a' has 3 weights where the header has 2 concepts" in output


def test_duplicate_labels_are_refused(tmp_path):
    output = _refused(tmp_path, ",Leegstand,leegstand\nLeegstand,,0.5\nleegstand,0.5,\n", ".csv", "fcm")
    assert "map.csv:1: column 3: the label 'leegstand' is also the label of line 1, column 2" in output
    data = json.loads((MAPS / "parkstad-kumu.json").read_text(encoding="utf-8"))
    data["elements"][1]["attributes"]["label"] = "Banen in de zorg"
    output = _refused(tmp_path, json.dumps(data), ".json", "kumu")
    assert "elements[1]: the label 'Banen in de zorg' is also the label of elements[0]" in output


def test_a_link_given_twice_or_undirected_is_refused(tmp_path):
    output = _refused(tmp_path, "From,To,Direction\na,b,directed\na,b,directed\nb,a,undirected\n", ".csv", "kumu")
    assert "map.csv:3: a second link from 'a' to 'b' (the first is line 2)" in output
    assert "map.csv:4: direction: an undirected connection has no cause and effect" in output


def test_the_library_refuses_without_writing_and_the_cli_names_its_flag(tmp_path):
    imported = read_map(MAPS / "parkstad-matrix.csv", "fcm")
    with pytest.raises(InputError) as caught:
        map_model(imported, default_lag=0.0)
    assert "set the default lag above 0" in caught.value.problems[0].hint


def test_the_map_readers_import_no_compiler_engine_or_command_line():
    """docs/architecture.md: the readers sit with the file readers; only cli/import_model.py prints."""
    import ast

    root = Path(__file__).resolve().parents[1] / "simulator" / "io" / "maps"
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        wrong = {
            n
            for n in names
            for bad in (
                "simulator.cli",
                "simulator.engine",
                "simulator.compiler",
                "simulator.app",
                "numba",
                "typer",
                "simulator.scenario_run",
            )
            if n == bad or n.startswith(bad + ".")
        }
        assert not wrong, f"{path.name} imports {sorted(wrong)}"
