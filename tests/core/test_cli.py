"""``bwsim validate`` and ``bwsim run`` on good and bad files: exit codes, messages, outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli.main import app

from .test_bad_input import LAGGED, MODEL_CASES, SCENARIO, SCENARIO_CASES

runner = CliRunner()


def invoke(*args: str):
    """The command in English (these tests check the English message texts; Dutch: tests/core/test_messages.py)."""
    args = [str(a) for a in args]
    return runner.invoke(app, args if "--lang" in args else [*args, "--lang", "en"])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    """A valid model m.yaml and scenario s.yaml in tmp_path."""
    return write(tmp_path, "m.yaml", LAGGED), write(tmp_path, "s.yaml", SCENARIO)


def assert_refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- validate -----------------------------------------------------------------------------------


def test_validate_accepts_good_files(files):
    result = invoke("validate", *files)
    assert result.exit_code == 0, result.output
    assert "ok:" in result.stdout and result.stderr == ""


def test_validate_names_file_line_and_place(files, tmp_path):
    bad = write(tmp_path, "bad.yaml", LAGGED.replace("lag: 1,", "lag: -1,"))
    result = invoke("validate", files[0], bad)
    assert_refused(result, f"{bad}:7: links[0].lag", "cannot be negative", "1 of 2 file(s) invalid")
    assert f"ok: {files[0]}" in result.stdout


@pytest.mark.parametrize(
    "text", ["", "name: [", "nodes: 3\n", "[" * 3000 + "]" * 3000, "a: !!python/object/apply:os.system ['true']\n"]
)
def test_validate_never_shows_a_traceback(tmp_path, text):
    bad = write(tmp_path, "bad.yaml", text)
    assert_refused(invoke("validate", bad), str(bad))


def test_validate_a_missing_file(tmp_path):
    assert_refused(invoke("validate", tmp_path / "nope.yaml"), "nope.yaml", "not found")


def test_validate_a_scenario_checks_its_model(files, tmp_path):
    write(tmp_path, "m.yaml", LAGGED.replace("to: income", "to: incme"))
    assert_refused(invoke("validate", files[1]), f"{files[0]}:7: links[0].to", "did you mean 'income'?")


def test_debug_shows_the_traceback(tmp_path):
    bad = write(tmp_path, "bad.yaml", "name: [")
    result = invoke("--debug", "validate", bad)
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "Traceback" not in invoke("validate", bad).output  # and only with --debug


# --- run: bad input writes nothing ---------------------------------------------------------------


def test_run_refuses_a_bad_scenario_and_writes_nothing(files, tmp_path):
    bad = write(tmp_path, "bad.yaml", SCENARIO.replace("node: jobs", "node: jbos"))
    out = tmp_path / "out"
    assert_refused(invoke("run", files[1], bad, "--out", out), f"{bad}:4: interventions[0].node", "jbos")
    assert not out.exists()


def test_run_leaves_an_existing_output_folder_alone_on_bad_input(files, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("old", encoding="utf-8")
    bad = write(tmp_path, "bad.yaml", SCENARIO + "time: {dt: 0}\n")
    assert_refused(invoke("run", bad, "--out", out), str(bad), "dt must be above 0")
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]
    assert (out / "results.csv").read_text(encoding="utf-8") == "old"


def test_run_with_a_missing_model_names_the_scenario(tmp_path):
    bad = write(tmp_path, "s.yaml", SCENARIO)
    assert_refused(invoke("run", bad, "--out", tmp_path / "out"), f"{bad}:2: model", "not found")
    assert not (tmp_path / "out").exists()


def test_run_into_a_file_is_refused(files, tmp_path):
    target = write(tmp_path, "taken", "x")
    assert_refused(invoke("run", files[1], "--out", target), str(target), "not a folder")
    assert target.read_text(encoding="utf-8") == "x"


def test_a_loop_without_a_defined_start_is_a_numerical_problem(tmp_path):
    """Lagged links jobs -> income -> jobs with gain 1: at t_0 both pass through, no unique value."""
    write(tmp_path, "m.yaml", LAGGED + "  - {from: income, to: jobs, weight: 1, lag: 2, delay: third_order}\n")
    scenario = write(tmp_path, "s.yaml", SCENARIO)
    out = tmp_path / "out"
    assert_refused(invoke("run", scenario, "--out", out), "numerical problem", "t=2025")
    assert not out.exists()
    assert "Traceback" in invoke("--debug", "run", scenario, "--out", out).stderr


def test_run_bad_input_through_the_real_command(tmp_path):
    """The installed script, in its own process: exit status 2, message on stderr only."""
    bad = write(tmp_path, "bad.yaml", "name: m\ntitle: [t\n")
    bwsim = Path(sys.executable).parent / "bwsim"
    done = subprocess.run(
        [str(bwsim), "run", str(bad), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert f"{bad}:" in done.stderr and "YAML-syntaxfout" in done.stderr  # Dutch, the default
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()


# --- run: results ------------------------------------------------------------------------------


def read_results(out: Path) -> pd.DataFrame:
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns) == ["scenario", "node", "time", "value", "baseline", "delta"]
    return table


def test_baseline_rows_are_the_baselines_exactly(tmp_path):
    model = LAGGED.replace("baseline: 10}", "baseline: {value: 10, growth: 0.013}, min: 0, max: 100}")
    model = model.replace("baseline: 5}", "baseline: {series: {2020: 4.1, 2031: 6.3}}, kind: stock, decay: 0.1}")
    write(tmp_path, "m.yaml", model)
    scenario = write(tmp_path, "s.yaml", SCENARIO)
    result = invoke("run", scenario, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    table = read_results(tmp_path / "out")
    base = table[table.scenario == "baseline"]
    assert len(base) == 2 * 101  # 2025..2050 at dt 0.25
    assert (base.delta == 0).all()
    assert (base.value == base.baseline).all()
    jobs = base[base.node == "jobs"]
    np.testing.assert_allclose(jobs.baseline, 10 * 1.013 ** (jobs.time - 2025), rtol=1e-15)
    scen = table[table.scenario == "s"]
    assert scen.delta.abs().max() > 0
    np.testing.assert_array_equal(scen.baseline.to_numpy(), base.baseline.to_numpy())
    np.testing.assert_allclose(scen.delta, scen.value - scen.baseline, rtol=0, atol=1e-12)


def test_two_scenarios_in_one_run_do_not_leak_into_each_other(files, tmp_path):
    """Different overrides of the same link and node: each equals its own run alone."""
    first = write(
        tmp_path,
        "first.yaml",
        SCENARIO.replace("name: s", "name: first")
        + "overrides:\n  links: [{from: jobs, to: income, weight: 3, lag: 2}]\n"
        + "  nodes: [{id: income, baseline: 8}]\n",
    )
    second = write(
        tmp_path,
        "second.yaml",
        SCENARIO.replace("name: s", "name: second")
        + "time: {start: 2025, end: 2040, dt: 0.5}\n"
        + "overrides:\n  links: [{from: jobs, to: income, weight: -1, delay: fixed}]\n",
    )
    plain = files[1]
    assert invoke("run", first, second, plain, "--out", tmp_path / "together").exit_code == 0
    together = read_results(tmp_path / "together")
    assert set(together.scenario) == {"baseline", "first", "second", "s"}
    for path, name in ((first, "first"), (second, "second"), (plain, "s")):
        assert invoke("run", path, "--out", tmp_path / name).exit_code == 0
        alone = read_results(tmp_path / name)
        mine = together[together.scenario == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            mine, alone[alone.scenario == name].reset_index(drop=True), check_dtype=False, check_exact=True
        )
    finals = {
        name: together[(together.scenario == name) & (together.node == "income")].delta.iloc[-1]
        for name in ("first", "second", "s")
    }
    assert finals["second"] == -1.0 and finals["first"] > 2.0 and 0.99 < finals["s"] <= 1.0


def test_scenario_names_must_be_unique_and_not_baseline(files, tmp_path):
    twin = write(tmp_path, "twin.yaml", SCENARIO)
    out = tmp_path / "out"
    assert_refused(invoke("run", files[1], twin, "--out", out), f"{twin}:1: name", f"also used by {files[1]}")
    named = write(tmp_path, "named.yaml", SCENARIO.replace("name: s", "name: baseline"))
    assert_refused(invoke("run", named, "--out", out), f"{named}:1: name", "baseline rows")
    assert not out.exists()


def where(path: Path, place: str, line: int | None) -> str:
    """How a problem's location is printed: ``file:line: place``."""
    text = str(path) + (f":{line}" if line is not None else "")
    return text + (f": {place}" if place else "")


@pytest.mark.parametrize("case", MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_validate_every_bad_model(tmp_path, case):
    _, text, place, line, words = case
    path = write(tmp_path, "m.yaml", text)
    assert_refused(invoke("validate", path), where(path, place, line) + ": ", words)


@pytest.mark.parametrize("case", SCENARIO_CASES, ids=[c[0] for c in SCENARIO_CASES])
def test_validate_and_run_every_bad_scenario(tmp_path, case):
    _, text, place, line, words = case
    write(tmp_path, "m.yaml", LAGGED)
    path = write(tmp_path, "s.yaml", text)
    assert_refused(invoke("validate", path), where(path, place, line) + ": ", words)
    assert_refused(invoke("run", path, "--out", tmp_path / "out"), where(path, place, line) + ": ", words)
    assert not (tmp_path / "out").exists()


def test_run_on_a_model_file_says_so(files, tmp_path):
    assert_refused(invoke("run", files[0], "--out", tmp_path / "out"), str(files[0]), "model file, not a scenario")
    assert not (tmp_path / "out").exists()


def test_a_scenario_names_its_model_as_a_person_would_write_the_path(tmp_path, monkeypatch):
    from simulator.io.spec_files import load_scenario

    (tmp_path / "models").mkdir()
    (tmp_path / "scenarios").mkdir()
    write(tmp_path / "models", "m.yaml", LAGGED)
    write(tmp_path / "scenarios", "s.yaml", SCENARIO.replace("model: m.yaml", "model: ../models/m.yaml"))
    monkeypatch.chdir(tmp_path)
    assert load_scenario("scenarios/s.yaml").model.path == str(Path("models") / "m.yaml")
    absolute = load_scenario(tmp_path / "scenarios" / "s.yaml").model.path
    assert absolute == str((tmp_path / "models" / "m.yaml").resolve())


def test_an_ensemble_lag_too_short_is_located_in_the_file_that_wrote_it(tmp_path):
    uncertain = LAGGED.replace("lag: 1,", "lag: {low: 0.1, mode: 1, high: 2},")
    model = write(tmp_path, "m.yaml", uncertain)
    scenario = write(tmp_path, "s.yaml", SCENARIO)
    line = uncertain.splitlines().index(next(s for s in uncertain.splitlines() if "low: 0.1" in s)) + 1
    result = invoke("run", scenario, "--out", tmp_path / "out", "--samples", "50")
    assert_refused(result, f"{model}:{line}: links[0].lag", "can be drawn as low as 0.1 years")
    # the same lag set by the scenario's override is the scenario's to fix
    write(tmp_path, "m.yaml", LAGGED)
    override = write(
        tmp_path,
        "o.yaml",
        SCENARIO + "overrides:\n  links:\n    - {from: jobs, to: income, lag: {low: 0.1, mode: 1, high: 2}}\n",
    )
    result = invoke("run", override, "--out", tmp_path / "out", "--samples", "50")
    assert_refused(result, f"{override}: links[0].lag", "can be drawn as low as 0.1 years")
    assert not (tmp_path / "out").exists()
