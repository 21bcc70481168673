"""``bwsim import`` of Vensim and XMILE models: agreement with PySD on the original, refusals, round trips.

The fixtures in ``tests/fixtures/import/`` are small models written by hand for
these tests, after PySD's test models (SDXorg/test-models): the teacup (in
Vensim and XMILE, the XMILE with a graphical function), a chain of delays
(DELAY1, DELAY3, DELAY FIXED, SMOOTH and a stock drained by ``Backlog / Delay
Time``) and a lookup model (a lookup variable, ``WITH LOOKUP``, MIN and MAX).

Round trip: the shipped models exported by ``bwsim export`` (the Heerlen model,
the expert-scores and labour-capacity examples; the latter also as XMILE) and
imported back give bwsim's results of the original under interventions. The
nonlinear examples (a saturation, a threshold the baseline crosses) are outside
the subset and refused, which a test checks.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pysd
import pytest

from simulator.errors import InputError
from simulator.io.export_equations import build_equations
from simulator.io.export_mdl import write_mdl
from simulator.io.export_xmile import write_xmile
from simulator.io.import_run import input_errors, original_run
from simulator.io.import_sd import map_model, read_sd_file
from simulator.io.spec_files import load_model, load_model_text
from simulator.io.yaml_writer import dump_yaml
from simulator.scenario_run import baseline_scenario, prepare_scenario, run_deterministic
from simulator.spec import ScenarioSpec

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
TOLERANCE = 1e-9
MODELS = ["teacup.mdl", "teacup.xmile", "delay_chain.mdl", "lookups.mdl"]


def imported(path: Path, approximate: bool = False):
    """(the original as read, its run, the mapping, the model as bwsim validate reads the written file)."""
    fmt = "vensim" if path.suffix == ".mdl" else "xmile"
    sd = read_sd_file(path, fmt)
    run = original_run(sd)
    result = map_model(sd, run, approximate)
    return sd, run, result, load_model_text(dump_yaml(result.data), "imported.yaml").spec


def pysd_values(path: Path, names: list[str], params: dict | None = None) -> dict[str, np.ndarray]:
    """The original run in PySD directly (its own translation, not the importer's)."""
    reader = pysd.read_vensim if path.suffix == ".mdl" else pysd.read_xmile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = reader(str(path)).run(params=params or {}, return_columns=names)
    return {name: frame[name].to_numpy(dtype=float) for name in names}


@pytest.mark.parametrize("name", MODELS)
def test_imported_model_agrees_with_pysd_when_each_input_changes(name, tmp_path):
    source = tmp_path / name
    source.write_bytes((FIXTURES / name).read_bytes())  # PySD writes its translation beside the file
    sd, run, result, model = imported(source)
    assert result.approximations == []
    assert result.inputs, "each fixture has a constant to change"
    # without change: bwsim's run of the import is PySD's run of the original
    ours = run_deterministic(prepare_scenario(baseline_scenario(model), model))
    names = [v.name for v in sd.variables.values() if v.kind != "lookup"]
    theirs = pysd_values(source, names)
    for key, var in sd.variables.items():
        if var.kind == "lookup":
            continue
        j = ours.node_ids.index(result.ids[key])
        np.testing.assert_allclose(ours.value[:, j], theirs[var.name], rtol=TOLERANCE, atol=1e-12)
    # each input +1 % and +10 % from the start, in PySD and in bwsim (a relative step)
    rows = input_errors(sd, model, result.ids, result.inputs, run)
    assert len(rows) == 2 * len([k for k in result.inputs if run[k][0] != 0])
    assert max(r.error for r in rows) < TOLERANCE
    # and the change moves something: the comparison is not of two unchanged runs
    key = result.inputs[0]
    changed = pysd_values(source, names, {sd.variables[key].name: float(run[key][0]) * 1.1})
    assert any(np.max(np.abs(changed[n] - theirs[n])) > 1e-6 for n in names if n != sd.variables[key].name)


def test_teacup_maps_to_a_stock_fed_by_a_weighted_sum():
    _, _, result, model = imported(FIXTURES / "teacup.mdl")
    nodes = {n.id: n for n in model.nodes}
    assert nodes["teacup_temperature"].kind == "stock"
    assert nodes["room_temperature"].baseline == 70.0
    weights = {(lk.source, lk.target): lk.weight.mode for lk in model.links}
    assert weights == {
        ("teacup_temperature", "heat_loss_to_room"): pytest.approx(0.1),
        ("room_temperature", "heat_loss_to_room"): pytest.approx(-0.1),
        ("heat_loss_to_room", "teacup_temperature"): -1.0,
    }
    assert result.folded == {"characteristic_time": 10.0}
    assert "Characteristic Time = 10 is in the weights" in model.description.en


def test_delays_and_lookups_map_to_link_lags_shapes_and_capacity_nodes():
    _, _, _, chain = imported(FIXTURES / "delay_chain.mdl")
    lags = {(lk.source, lk.target): (lk.delay, lk.lag.mode) for lk in chain.links}
    assert lags[("orders", "shipped_fixed")] == ("fixed", 4.0)
    assert lags[("orders", "smoothed_orders")] == ("exponential", 2.0)
    assert lags[("orders", "stage_one")] == ("exponential", 4.0)
    assert lags[("stage_one", "stage_three")] == ("third_order", 6.0)
    _, _, _, shop = imported(FIXTURES / "lookups.mdl")
    kinds = {n.id: n.kind for n in shop.nodes}
    assert kinds["served"] == "minimum" and kinds["peak"] == "maximum"
    shapes = {(lk.source, lk.target): lk.shape for lk in shop.links if lk.shape is not None}
    assert shapes[("relative_price", "demand_multiplier")].points[1] == (1.0, 1.5)
    assert shapes[("customers", "crowding")].points[-1] == (2000.0, 1.0)


def test_a_product_of_two_changing_variables_is_refused_naming_variable_and_equation():
    sd = read_sd_file(FIXTURES / "product.mdl", "vensim")
    with pytest.raises(InputError) as caught:
        map_model(sd, original_run(sd))
    (problem,) = caught.value.problems
    assert problem.place == "Births"
    assert "Population * Birth Rate" in problem.message and "product of two variables" in problem.message
    assert problem.line == sd.text.splitlines().index("Births = Population * Birth Rate") + 1
    assert "--approximate" in problem.hint


def test_approximate_linearises_the_product_and_says_so():
    sd, run, result, model = imported(FIXTURES / "product.mdl", approximate=True)
    assert len(result.approximations) == 1 and "Births" in result.approximations[0]
    assert "Approximation: Births" in model.description.en
    rows = input_errors(sd, model, result.ids, result.inputs, run)
    small, large = (r.error for r in rows)
    assert 0 < small < large < 0.1  # measured, and growing with the change


def cli(*args: str):
    from typer.testing import CliRunner

    from simulator.cli.main import app

    return CliRunner().invoke(app, [*args, "--lang", "en"])


def test_cli_writes_the_model_and_refuses_to_overwrite_it(tmp_path):
    out = tmp_path / "teacup.yaml"
    result = cli("import", str(FIXTURES / "teacup.mdl"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "agrees with PySD" in result.output
    load_model(out)  # validates
    before = out.read_text()
    again = cli("import", str(FIXTURES / "lookups.mdl"), "--out", str(out))
    assert again.exit_code == 2 and "exists already" in again.output and "--force" in again.output
    assert out.read_text() == before
    forced = cli("import", str(FIXTURES / "lookups.mdl"), "--out", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert "customers" in out.read_text()


@pytest.mark.parametrize(
    "args, expected",
    [
        (("product.mdl",), "Births = Population * Birth Rate"),
        (("not_vensim.mdl",), "PySD cannot read it as Vensim (.mdl)"),
        (("not_xmile.xmile",), "PySD cannot read it as XMILE"),
        (("teacup.mdl", "--format", "xmile"), "PySD cannot read it as XMILE"),
        (("missing.mdl",), "file not found"),
        (("teacup.mdl", "--format", "stella"), "unknown --format"),
    ],
)
def test_cli_refuses_bad_input_with_exit_2_and_writes_nothing(tmp_path, args, expected):
    out = tmp_path / "out.yaml"
    result = cli("import", str(FIXTURES / args[0]), *args[1:], "--out", str(out))
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_approximate_prints_the_error_table(tmp_path):
    out = tmp_path / "product.yaml"
    result = cli("import", str(FIXTURES / "product.mdl"), "--out", str(out), "--approximate")
    assert result.exit_code == 0, result.output
    assert "1 approximations" in result.output
    for change in ("1", "10"):
        assert re.search(rf"Base Rate +\+{change} % +[0-9.]+e-0[0-9] +Births", result.output), result.output


ROUND_TRIP = [
    ("models/medtech-heerlen.yaml", "mdl"),
    ("examples/labour-capacity/model.yaml", "mdl"),
    ("models/examples/expert-scores.yaml", "mdl"),
    ("examples/labour-capacity/model.yaml", "xmile"),
]


@pytest.mark.parametrize("path, fmt", ROUND_TRIP)
def test_an_exported_model_imported_back_gives_the_same_results(path, fmt, tmp_path):
    spec = load_model(ROOT / path).spec
    writer, suffix = (write_mdl, ".mdl") if fmt == "mdl" else (write_xmile, ".xmile")
    exported = tmp_path / f"model{suffix}"
    exported.write_text(writer(build_equations(prepare_scenario(baseline_scenario(spec), spec))), encoding="utf-8")
    _, _, result, back = imported(exported)
    assert result.approximations == []
    start, dt = spec.time.start, spec.time.dt
    chosen = [n for n in spec.nodes if n.kind != "stock"][:2] + [n for n in spec.nodes if n.kind == "stock"][:1]
    for node in chosen:
        height = 0.1 * max(
            1.0,
            abs(
                prepare_scenario(baseline_scenario(spec), spec).compiled.baselines[
                    0, prepare_scenario(baseline_scenario(spec), spec).compiled.node_ids.index(node.id)
                ]
            ),
        )
        step = {"shape": "step", "height": height, "start": start + 4 * dt}
        original = run_deterministic(
            prepare_scenario(
                ScenarioSpec.model_validate(
                    {
                        "name": "a",
                        "model": "",
                        "time": spec.time.model_dump(),
                        "interventions": [{"node": node.id, **step}],
                    }
                ),
                spec,
            )
        )
        again = run_deterministic(
            prepare_scenario(
                ScenarioSpec.model_validate(
                    {
                        "name": "b",
                        "model": "",
                        "time": back.time.model_dump(),
                        "interventions": [{"node": f"{node.id}_input", **step}],
                    }
                ),
                back,
            )
        )
        assert np.max(np.abs(original.delta)) > 0
        for j, nid in enumerate(original.node_ids):
            k = again.node_ids.index(nid)
            np.testing.assert_allclose(again.value[:, k], original.value[:, j], rtol=TOLERANCE, atol=1e-9)


def test_saturation_and_threshold_links_are_outside_the_subset(tmp_path):
    """bwsim's own saturation (EXP) and a threshold whose MAX binds in the run are refused, each named."""
    spec = load_model(ROOT / "examples" / "nonlinear" / "distribution-centres.yaml").spec
    mdl = tmp_path / "centres.mdl"
    mdl.write_text(write_mdl(build_equations(prepare_scenario(baseline_scenario(spec), spec))), encoding="utf-8")
    sd = read_sd_file(mdl, "vensim")
    with pytest.raises(InputError) as caught:
        map_model(sd, original_run(sd))
    found = {p.place: p.message for p in caught.value.problems}
    assert "applies EXP to a variable" in found["distribution_centres_to_regional_pride_signal"]
    assert "reaches its bound 0" in found["vacancy_rate_to_house_price_effect"]


def test_cli_refuses_a_folder_as_out_before_importing(tmp_path):
    result = cli("import", str(FIXTURES / "teacup.mdl"), "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a folder, not a file" in result.output
    assert list(tmp_path.iterdir()) == []
