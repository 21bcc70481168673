"""Units as data (issue #12, item 5): units parse, weights fit their nodes' units, exports carry units.

The rules are those of simulator/units.py and docs/formats.md ("Units"): a linear weight is in
target unit per source unit, an elasticity's is dimensionless, both per year into a stock; a declared
``weight_unit`` must be that unit in dimension and size.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pysd
import pytest
from typer.testing import CliRunner

from simulator.analysis.text import unit_label
from simulator.checked import check
from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_xmile import write_xmile
from simulator.io.spec_files import load_model
from simulator.scenario_run import prepare_scenario
from simulator.spec import ModelSpec, ScenarioSpec
from simulator.units import (
    UnitError,
    expected_weight_unit,
    export_units,
    parse_unit,
    size_factor,
    written,
)

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

MODEL = """\
name: m
title: t
nodes:
  - {id: jobs, label: J, theme: samenleving, dimension: hier_en_nu, unit: jobs, baseline: 1000}
  - {id: commuters, label: C, theme: samenleving, dimension: hier_en_nu, unit: persons, baseline: 500}
  - {id: unemployment, label: U, theme: samenleving, dimension: hier_en_nu, unit: "%",
     unit_label: "% of labour force", baseline: 5}
  - {id: population, label: P, theme: samenleving, dimension: hier_en_nu, unit: persons, kind: stock,
     baseline: 90000}
links:
  - from: jobs
    to: commuters
    weight: 0.3
    weight_unit: persons per job
  - from: jobs
    to: unemployment
    weight: -0.001
    weight_unit: pp per job
  - from: jobs
    to: population
    weight: 0.02
    weight_unit: persons/yr per job
  - from: commuters
    to: unemployment
    weight: -0.5
    form: elasticity
    weight_unit: "%/%"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> list:
    with pytest.raises(InputError) as info:
        load_model(path)
    return info.value.problems


def line_of(text: str, needle: str) -> int:
    """The line of the last row holding ``needle``."""
    return max(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


# --- the registry ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, same_as",
    [
        ("jobs", "job"),
        ("banen", "job"),
        ("personen", "persons"),
        ("woningen", "dwellings"),
        ("huishoudens", "households"),
        ("procentpunt", "pp"),
        ("pp", "%"),
        ("indexpunten", "index_point"),
        ("€ / yr", "euro per year"),
        ("kt CO2/yr", "kilotonne CO2 per jaar"),
        ("µg/m³", "microgram/meter**3"),
        ("mln vkm/yr per job", "(million vehicle_kilometre / year) / job"),
        ("%/%", "1"),
        ("per yr", "1/year"),
    ],
)
def test_domain_units_dutch_words_and_per_parse(text, same_as):
    found, other = parse_unit(text), parse_unit(same_as)
    assert size_factor(found, other) == pytest.approx(1.0, rel=1e-12)


def test_per_divides_the_whole_expression_and_slash_binds_to_the_next_unit():
    assert written(parse_unit("kt CO2 per mln vkm")) == written(parse_unit("(kt CO2)/(mln vkm)"))
    assert size_factor(parse_unit("persons per thousand jobs"), parse_unit("persons/job")) == pytest.approx(1e-3)


@pytest.mark.parametrize(
    "text, words",
    [
        ("% of labour force", "'of'"),
        ("jobz", "'jobz'"),
        ("persons per 1000", "number"),
        ("jobs (", "parentheses"),
        ("jobs +", "not a unit expression"),
    ],
)
def test_a_unit_that_does_not_parse_says_why(text, words):
    with pytest.raises(UnitError) as info:
        parse_unit(text)
    assert words in str(info.value)


def test_the_expected_weight_unit_follows_the_rule():
    assert written(expected_weight_unit("persons", "jobs", "linear", False)) == "person/job"
    assert written(expected_weight_unit("persons", "jobs", "linear", True)) == "person/job/year"
    assert expected_weight_unit("€", "households", "elasticity", False).dimensionless
    assert written(expected_weight_unit("dwellings", "€", "elasticity", True)) == "1/year"


# --- bwsim validate ----------------------------------------------------------------------------------------


def test_a_model_whose_weights_fit_its_units_validates(tmp_path):
    assert load_model(write(tmp_path, MODEL)).checked.ok


def test_a_weight_of_the_wrong_dimension_is_refused_with_file_line_found_and_expected(tmp_path):
    text = MODEL.replace("weight_unit: persons per job", "weight_unit: euro")
    path = write(tmp_path, text)
    (problem,) = refused(path)
    assert problem.file == str(path) and problem.place == "links[0].weight_unit"
    assert problem.line == line_of(text, "weight_unit: euro")
    assert "'euro'" in problem.message and "persons per job" in problem.message and "person/job" in problem.message
    assert "weight_unit: persons per job" in problem.hint
    result = runner.invoke(app, ["validate", "--lang", "en", str(path)])
    assert result.exit_code == 2
    assert f"{path}:{problem.line}: links[0].weight_unit" in result.stderr and "Traceback" not in result.output


def test_a_weight_of_the_wrong_size_is_refused_with_the_factor(tmp_path):
    text = MODEL.replace("weight_unit: pp per job", "weight_unit: pp per thousand jobs")
    (problem,) = refused(write(tmp_path, text))
    assert problem.place == "links[1].weight_unit"
    assert "0.001 times % per job" in problem.message and "multiply it by 0.001" in problem.hint


def test_a_flow_into_a_stock_is_per_year(tmp_path):
    text = MODEL.replace("weight_unit: persons/yr per job", "weight_unit: persons per job")
    (problem,) = refused(write(tmp_path, text))
    assert problem.place == "links[2].weight_unit" and "persons/yr per job" in problem.message


def test_an_elasticity_with_a_unit_is_refused(tmp_path):
    text = MODEL.replace('weight_unit: "%/%"', "weight_unit: persons per job")
    path = write(tmp_path, text)
    (problem,) = refused(path)
    assert problem.place == "links[3].weight_unit" and problem.line == line_of(text, "weight_unit: persons per job")
    assert "dimensionless" in problem.message and "'persons per job'" in problem.message
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "dimensieloos" in result.stderr  # in Dutch by default


def test_an_unparseable_node_unit_and_weight_unit_are_refused_with_line_and_fix(tmp_path):
    text = MODEL.replace('unit: "%",', 'unit: "% of labour force",').replace(
        "weight_unit: persons per job", "weight_unit: persons per jobz"
    )
    path = write(tmp_path, text)
    problems = refused(path)
    assert [p.place for p in problems] == ["nodes[2].unit", "links[0].weight_unit"]
    node, link = problems
    assert node.line == line_of(text, 'unit: "% of labour force"') and "'of'" in node.message
    assert "unit_label" in node.hint and "pp per job" in node.hint
    assert link.line == line_of(text, "persons per jobz") and "'jobz'" in link.message


def test_a_spec_built_in_code_is_refused_by_check_with_the_same_message(tmp_path):
    text = MODEL.replace("weight_unit: persons per job", "weight_unit: euro")
    (from_file,) = refused(write(tmp_path, text))
    import yaml

    spec = ModelSpec.model_validate(yaml.safe_load(text))
    (in_code,) = check(spec).problems
    assert (in_code.place, in_code.message, in_code.hint, in_code.file) == (
        from_file.place,
        from_file.message,
        from_file.hint,
        "",
    )
    with pytest.raises(InputError):
        prepare_scenario(ScenarioSpec(name="s", model="", interventions=[]), spec)


def test_a_scenario_override_that_makes_a_unit_wrong_is_refused_at_the_override(tmp_path):
    write(tmp_path, MODEL)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nmodel: m.yaml\ninterventions: []\noverrides:\n"
        "  links: [{from: jobs, to: commuters, form: elasticity}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "--lang", "en", str(scenario)])
    assert result.exit_code == 2
    assert "s.yaml:5: overrides.links[0]:" in result.stderr and "dimensionless" in result.stderr
    scenario.write_text(
        "name: s\nmodel: m.yaml\ninterventions: []\noverrides:\n"
        "  links: [{from: jobs, to: commuters, form: elasticity, weight_unit: '%/%'}]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", "--lang", "en", str(scenario)])
    assert result.exit_code == 0, result.output


def test_a_node_without_a_unit_is_a_pure_number_and_an_undeclared_weight_is_not_checked(tmp_path):
    text = MODEL.replace("unit: jobs, ", "").replace("weight_unit: pp per job", "")
    problems = refused(write(tmp_path, text))
    assert [p.place for p in problems] == ["links[0].weight_unit", "links[2].weight_unit"]  # persons per 1, not job


def test_the_shipped_model_declares_and_passes_every_weight_unit():
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml")
    assert model.checked.ok
    assert all(link.weight_unit for link in model.spec.links)
    for node in model.spec.nodes:
        parse_unit(node.unit)


# --- tables, charts and exports ------------------------------------------------------------------------------


def test_units_are_shown_in_dutch_and_english():
    spec = ModelSpec.model_validate(__import__("yaml").safe_load(MODEL))
    assert spec.node("unemployment").shown_unit == "% of labour force"
    assert unit_label(spec.node("unemployment").shown_unit, "nl") == "% van de beroepsbevolking"
    assert unit_label("index_points per job", "nl") == "indexpunten per baan"
    assert unit_label("index_points per job", "en") == "index points per job"


VENSIM_UNITS = re.compile(
    r"^(Dmnl|[A-Za-z_][A-Za-z0-9_]*(\^\d+)?(\*[A-Za-z_][A-Za-z0-9_]*(\^\d+)?)*"
    r"(/(\(?[A-Za-z_][A-Za-z0-9_^*]*\)?))?|1/\(?[A-Za-z_][A-Za-z0-9_^*]*\)?)$"
)


@pytest.mark.parametrize(
    "text, mdl, xmile",
    [
        ("persons/yr", "person/Year", "person/Years"),
        ("kt CO2/yr", "CO2*kilotonne/Year", "CO2*kilotonne/Years"),
        ("%/%", "Dmnl", "dmnl"),
        ("µg/m³", "microgram/(meter*meter*meter)", "microgram/meter^3"),
        ("€", "EUR", "EUR"),
        ("", "", ""),
    ],
)
def test_units_are_written_as_vensim_and_xmile_write_them(text, mdl, xmile):
    assert export_units(text, "mdl") == mdl and export_units(text, "xmile") == xmile


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_exports_carry_units_that_pysd_reads(fmt, tmp_path):
    model = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    prepared = prepare_scenario(ScenarioSpec(name="s", model="", interventions=[]), model)
    text = (write_mdl if fmt == "mdl" else write_xmile)(build_equations(prepared))
    path = tmp_path / f"m.{fmt}"
    path.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = (pysd.read_vensim if fmt == "mdl" else pysd.read_xmile)(str(path))
    units = dict(zip(read.doc["Py Name"], read.doc["Units"], strict=True))
    assert units["population"] == "person" and units["population_input"] == (
        "person/Year" if fmt == "mdl" else "person/Years"
    )
    assert units["unemployment_rate"] == "percent" and units["co2_emissions"].startswith("CO2*kilotonne/Year")
    assert units["net_migration_to_population_effect"].startswith("person/Year")
    for node in model.nodes:  # an element node of a group family is one subscripted variable, named by its family
        name = node.id.split("[", 1)[0]
        assert VENSIM_UNITS.match(units[name]), units[name]


def test_cli_tables_get_each_parameters_and_nodes_unit():
    from simulator.analysis.text import node_units, parameter_units

    model = load_model(ROOT / "models" / "medtech-heerlen.yaml").spec
    nl, en = parameter_units(model, "nl"), parameter_units(model, "en")
    assert nl["residents_employed->unemployment_rate:weight"] == "procentpunt per persoon"
    assert en["residents_employed->unemployment_rate:weight"] == "pp per person"
    assert en["house_price->housing_stock:weight"] == "1/yr" and nl["medtech_jobs->jobs_total:lag"] == "jaren"
    spec = ModelSpec.model_validate(__import__("yaml").safe_load(MODEL.replace("weight_unit: pp per job", "")))
    assert parameter_units(spec, "en")["jobs->unemployment:weight"] == "% per job"  # implied by the nodes
    assert node_units(model, "nl")["unemployment_rate"] == "% van de beroepsbevolking"


CHECK_UNITS = """
import json, sys
from simulator.io.spec_files import load_model_text
from simulator.errors import InputError
try:
    load_model_text(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1])
    problems = []
except InputError as exc:
    problems = [p.message for p in exc.problems]
print(json.dumps({"pint": "pint" in sys.modules, "problems": problems}))
"""


def _check_in_a_new_process(model: Path, cache: Path) -> dict:
    """Load ``model`` in a fresh interpreter whose verdicts are kept in ``cache``; whether pint was imported."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", CHECK_UNITS, str(model)], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_model_found_sound_is_not_parsed_again_and_a_changed_or_corrupt_verdict_is_checked_again(tmp_path):
    """pint (0.2 s) is imported only when a model's units are new; a sound verdict is kept beside numba's cache."""
    from simulator.units import SOUND_FILE

    root = Path(__file__).parents[2]
    model = tmp_path / "model.yaml"
    text = (root / "models/medtech-heerlen.yaml").read_text(encoding="utf-8")
    model.write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    assert _check_in_a_new_process(model, cache) == {"pint": True, "problems": []}
    assert (cache / SOUND_FILE).is_file()
    assert _check_in_a_new_process(model, cache) == {"pint": False, "problems": []}
    # a change elsewhere in the model keeps the verdict; a changed unit is checked again, and refused
    model.write_text(text.replace("title:", "# a comment\ntitle:", 1), encoding="utf-8")
    assert _check_in_a_new_process(model, cache) == {"pint": False, "problems": []}
    assert "unit: jobs\n" in text
    model.write_text(text.replace("unit: jobs\n", "unit: jobz\n", 1), encoding="utf-8")
    for _ in range(2):  # a model with a unit problem is never kept as sound
        found = _check_in_a_new_process(model, cache)
        assert found["pint"] and any("'jobz' is not a unit bwsim knows" in p for p in found["problems"])
    # a corrupt or foreign file is ignored (the units are checked) and replaced by a good one
    model.write_text(text, encoding="utf-8")
    for corrupt in ("{not json", '{"sound": [1, 2]}'):
        (cache / SOUND_FILE).write_text(corrupt, encoding="utf-8")
        assert _check_in_a_new_process(model, cache) == {"pint": True, "problems": []}
        assert _check_in_a_new_process(model, cache) == {"pint": False, "problems": []}
    # a folder that cannot be written: checked each time, nothing fails
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    for _ in range(2):
        assert _check_in_a_new_process(model, blocked) == {"pint": True, "problems": []}


def test_the_verdict_key_follows_every_unit_fact_and_the_unit_rules():
    from simulator.units import units_key

    link = ("pp per job", "%", "jobs", "linear", False)
    key = units_key(["jobs", "%"], [link])
    assert key == units_key(["jobs", "%"], [link])
    assert key != units_key(["jobs", "pp"], [link])
    for i, other in enumerate(("pp per thousand jobs", "pp", "persons", "elasticity", True)):
        changed = (*link[:i], other, *link[i + 1 :])
        assert units_key(["jobs", "%"], [changed]) != key
    assert key != units_key(["jobs", "%"], [])
