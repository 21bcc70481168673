"""``bwsim import`` of subscripted Vensim models and XMILE arrays: dimensions, agreement with PySD, refusals.

``tests/fixtures/import/regions.mdl`` is written by hand for these tests (three regions, a stock
per region, a commuting matrix ``SUM(Commute[region!, to region] * Jobs[region!])``, a sum, a
mean ``SUM/ELMCOUNT`` and a smoothed family). The round trip exports ``examples/places/`` with a
scenario (``bwsim export``: Vensim subscripts, XMILE arrays) and imports it back.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest

from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_xmile import write_xmile
from simulator.io.import_run import baseline_errors, input_errors, original_run
from simulator.io.import_sd import map_model, read_sd_file
from simulator.io.spec_files import load_model, load_model_text, load_scenario
from simulator.io.yaml_writer import dump_yaml
from simulator.scenario_run import baseline_scenario, prepare_scenario, run_deterministic

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
TOLERANCE = 1e-9


def imported(path: Path):
    fmt = "vensim" if path.suffix == ".mdl" else "xmile"
    sd = read_sd_file(path, fmt)
    run = original_run(sd)
    result = map_model(sd, run)
    return sd, run, result, load_model_text(dump_yaml(result.data), "imported.yaml").spec


def cli(*args: str):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    return CliRunner().invoke(app, [*args, "--lang", "en"])


@pytest.mark.parametrize("fmt", ["mdl", "xmile"])
def test_the_places_example_exported_with_a_scenario_comes_back_with_its_dimensions(fmt, tmp_path):
    loaded = load_scenario(ROOT / "examples" / "places" / "jobs-in-heerlen.yaml")
    prepared = prepare_scenario(loaded.spec, loaded.model.spec)
    writer = write_mdl if fmt == "mdl" else write_xmile
    exported = tmp_path / f"places.{fmt if fmt == 'xmile' else 'mdl'}"
    exported.write_text(writer(build_equations(prepared)), encoding="utf-8")
    sd, run, result, back = imported(exported)
    assert result.data["dimensions"] == {"gemeente": ["heerlen", "kerkrade"]}
    nodes = {n["id"]: n for n in result.data["nodes"]}
    assert nodes["jobs"]["over"] == ["gemeente"]
    assert nodes["jobs_baseline"]["baseline"] == {"heerlen": 52000.0, "kerkrade": 16000.0}
    links = {(lk["from"], lk["to"]): lk for lk in result.data["links"]}
    assert links[("employed_residents_delta", "employed_residents_to_unemployment_rate_effect")]["weight"] == {
        "heerlen": -0.0012,
        "kerkrade": -0.0023,
    }
    assert links[("jobs_heerlen_to_employed_residents_lagged", "jobs_heerlen_to_employed_residents_effect")][
        "weight"
    ] == {"heerlen": 0.45, "kerkrade": 0.1}
    # the imported model runs and is PySD's run of the exported file, and bwsim's run of the scenario
    ours = run_deterministic(prepare_scenario(baseline_scenario(back), back))
    assert baseline_errors(sd, back, result.ids, run) < TOLERANCE
    original = run_deterministic(prepared)
    for j, nid in enumerate(original.node_ids):
        k = ours.node_ids.index(nid)
        np.testing.assert_allclose(ours.value[:, k], original.value[:, j], rtol=TOLERANCE, atol=1e-9)
    assert np.abs(original.delta[:, original.node_ids.index("unemployment_rate[kerkrade]")]).max() > 0
    # each input +1 % and +10 %, in PySD on the exported file and in bwsim on the import
    rows = input_errors(sd, back, result.ids, result.inputs, run)
    assert any(r.input == "jobs_baseline[kerkrade]" for r in rows)
    assert max(r.error for r in rows) < TOLERANCE


def test_a_hand_written_subscripted_model_maps_to_dimensions_and_agrees_with_pysd(tmp_path):
    source = tmp_path / "regions.mdl"
    source.write_bytes((FIXTURES / "regions.mdl").read_bytes())
    sd, run, result, model = imported(source)
    data = result.data
    assert data["dimensions"] == {"region": ["north", "south", "east"], "to_region": ["north", "south", "east"]}
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["jobs"]["over"] == ["region"] and nodes["jobs"]["kind"] == "stock"
    assert nodes["jobs"]["decay"] == 0.05  # - Jobs / Job Life, one value for every element
    assert nodes["base_hiring"]["baseline"] == {"north": 50.0, "south": 40.0, "east": 30.0}
    assert nodes["commute"]["over"] == ["region", "to_region"] and nodes["commute"]["baseline"]["south,north"] == 0.2
    links = {(lk["from"], lk["to"]): lk for lk in data["links"]}
    assert links[("regional_investment", "hiring")]["weight"] == {"north": 0.5, "south": 0.3, "east": 0.2}
    assert links[("jobs", "workers")]["matrix"]["south"] == {"north": 0.2, "south": 0.7, "east": 0.1}
    assert links[("jobs", "total_jobs")]["aggregate"] == "sum"
    assert links[("jobs", "mean_jobs")]["aggregate"] == "mean"
    assert links[("jobs", "smoothed_jobs")] == {
        "from": "jobs",
        "to": "smoothed_jobs",
        "weight": 1.0,
        "lag": 2.0,
        "delay": "exponential",
    }
    # the folded per-element constants are named in the description, with each language's decimal mark
    assert "Hiring Share (north: 0.5; south: 0.3; east: 0.2)" in data["description"]["en"]
    assert "Hiring Share (north: 0,5; south: 0,3; east: 0,2)" in data["description"]["nl"]
    # without change: bwsim's run of the import is PySD's own run of the original
    ours = run_deterministic(prepare_scenario(baseline_scenario(model), model))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = pysd.read_vensim(str(source)).run(return_columns=["Jobs", "Workers", "Total Jobs", "Mean Jobs"])
    for column, nid in [("Jobs[east]", "jobs[east]"), ("Workers[south]", "workers[south]"), ("Mean Jobs", "mean_jobs")]:
        theirs = frame[column].to_numpy(dtype=float)
        np.testing.assert_allclose(ours.value[:, ours.node_ids.index(nid)], theirs, rtol=TOLERANCE, atol=1e-12)
    # each input (per element too) +1 % and +10 %
    rows = input_errors(sd, model, result.ids, result.inputs, run)
    assert {"Base Hiring[north]", "Initial Jobs[east]", "Regional Investment"} <= {r.input for r in rows}
    assert max(r.error for r in rows) < TOLERANCE


def test_cli_imports_the_subscripted_model_and_the_file_validates(tmp_path):
    out = tmp_path / "regions.yaml"
    result = cli("import", str(FIXTURES / "regions.mdl"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "agrees with PySD" in result.output
    spec = load_model(out).spec
    assert "jobs[north]" in [n.id for n in spec.nodes]
    assert "over:" in out.read_text()


RANGES = "region: north, south\n\t~\t\n\t~\t\n\t|\n\n"
TIMES = (
    "INITIAL TIME = 0 ~ Year ~ |\nFINAL TIME = 4 ~ Year ~ |\nTIME STEP = 1 ~ Year ~ |\nSAVEPER = TIME STEP ~ Year ~ |\n"
)


@pytest.mark.parametrize(
    "body, place, expected",
    [
        (
            "region: north, south -> area ~~|\narea: a, b ~~|\nJobs[region] = 10 ~~|\nStaff[area] = 2 ~~|\n",
            "region",
            "the subscript range region: north, south -> area: maps its elements onto another range",
        ),
        (
            RANGES + "coast: north ~~|\nJobs[region] = 10, 20 ~~|\nHarbour[coast] = Jobs[coast] * 0.1 ~~|\n",
            "coast",
            "the subscript range coast: north: is a subrange of region",
        ),
        (
            RANGES + "Jobs[region] = 10, 20 ~~|\nLargest = VMAX(Jobs[region!]) ~~|\n",
            "Largest",
            "Largest = VMAX(Jobs[region!]): uses VMAX over a range; bwsim has sums (SUM) only",
        ),
        (
            RANGES + "Inflow[region] = 1, 2 ~~|\nJobs[north] = INTEG(Inflow[north], 100) ~~|\n"
            "Jobs[south] = 2 * Inflow[south] ~~|\n",
            "Jobs",
            "Jobs[north] = INTEG(Inflow[north], 100): its elements differ in kind",
        ),
    ],
    ids=["mapping", "subrange", "vmax", "forms"],
)
def test_cli_refuses_what_dimensions_cannot_say_with_exit_2_and_writes_nothing(body, place, expected, tmp_path):
    source = tmp_path / "model.mdl"
    source.write_text("{UTF-8}\n" + body + TIMES, encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = cli("import", str(source), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "model.mdl:" in result.output and f": {place}: " in result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not out.exists()
