"""Output paths: no command replaces one of its inputs or a database, and one run's files are written together.

Each case is a user's slip that once exited 0 and destroyed a file, or crashed half-way.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.main import app

runner = CliRunner()

MODEL = textwrap.dedent("""\
    name: tiny
    title: {nl: Klein, en: Tiny}
    time: {start: 2020, end: 2030, dt: 0.5}
    nodes:
      - {id: x, label: X, theme: arbeid_en_vrije_tijd, dimension: hier_en_nu, baseline: 100, direction: up}
      - {id: y, label: Y, theme: wonen, dimension: hier_en_nu, baseline: 50, direction: down}
    links:
      - {from: x, to: y, weight: {low: 0.5, mode: 1, high: 2}}
    """)

SCENARIO = textwrap.dedent("""\
    name: s
    model: tiny.yaml
    interventions:
      - {node: x, shape: step, height: 10, start: 2021}
    """)

OBSERVED = "node,time,value\n" + "".join(f"y,{year},{60 + (year > 2021) * 14}\n" for year in range(2020, 2031))


def invoke(*args: object):
    """The command in English (these tests check the English messages)."""
    return runner.invoke(app, [str(a) for a in args] + ["--lang", "en"])


def assert_refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def case(tmp_path: Path) -> dict[str, Path]:
    """A model, a scenario on it and observed data, in tmp_path."""
    (tmp_path / "tiny.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "obs.csv").write_text(OBSERVED, encoding="utf-8")
    return {"model": tmp_path / "tiny.yaml", "scenario": tmp_path / "s.yaml", "data": tmp_path / "obs.csv"}


def contents(case: dict[str, Path]) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in case.items()}


# --- no input is replaced -----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["data", "scenario", "model"])
def test_calibrate_never_writes_over_one_of_its_inputs(case: dict[str, Path], target: str):
    before = contents(case)
    result = invoke("calibrate", case["scenario"], case["data"], "--out", case[target], "--starts", 1)
    assert_refused(result, str(case[target]), "--out", "would overwrite")
    assert contents(case) == before


def test_calibrate_sees_through_another_spelling_of_the_same_file(case: dict[str, Path], tmp_path: Path):
    before = contents(case)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(case["data"])
    for spelling in (tmp_path / "sub" / ".." / "obs.csv", tmp_path / "link.csv"):
        assert_refused(invoke("calibrate", case["scenario"], case["data"], "--out", spelling), "the observed data")
    assert contents(case) == before


@pytest.mark.parametrize("source, target", [("scenario", "scenario"), ("scenario", "model"), ("model", "model")])
def test_export_never_writes_over_its_model_or_scenario(case: dict[str, Path], source: str, target: str):
    before = contents(case)
    result = invoke("export", case[source], "--format", "mdl", "--out", case[target])
    assert_refused(result, str(case[target]), "would overwrite the " + target)
    assert contents(case) == before


def test_run_never_writes_over_a_scenario_named_like_its_results(tmp_path: Path, case: dict[str, Path]):
    """A scenario kept as results.csv in the output folder (odd, but it is the user's file)."""
    out = tmp_path / "out"
    out.mkdir()
    scenario = out / "results.csv"
    scenario.write_text(SCENARIO.replace("tiny.yaml", "../tiny.yaml"), encoding="utf-8")
    assert_refused(invoke("run", scenario, "--out", out), "would overwrite the scenario")
    assert scenario.read_text(encoding="utf-8") == SCENARIO.replace("tiny.yaml", "../tiny.yaml")
    assert sorted(p.name for p in out.iterdir()) == ["results.csv"]


def test_workshop_export_never_replaces_the_database(tmp_path: Path, case: dict[str, Path]):
    db = tmp_path / "w.sqlite"
    created = invoke("workshop", "create", "--name", "W", "--model", case["model"], "--db", db)
    assert created.exit_code == 0, created.output
    code = created.output.split("join code: ")[1].strip()
    before = db.read_bytes()
    assert_refused(invoke("workshop", "export", code, "--out", db, "--db", db), str(db), "the workshop database")
    assert db.read_bytes() == before
    assert invoke("workshop", "show", code, "--db", db).exit_code == 0


def test_no_command_replaces_any_sqlite_database(tmp_path: Path, case: dict[str, Path]):
    """Not the database in use, but still a database (recognised by its header): refused too."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE kept (x INTEGER)")
    conn.close()
    before = other.read_bytes()
    assert_refused(invoke("export", case["model"], "--format", "mdl", "--out", other), "is a SQLite database")
    created = invoke("workshop", "create", "--name", "W", "--model", case["model"], "--db", tmp_path / "w.sqlite")
    code = created.output.split("join code: ")[1].strip()
    assert_refused(
        invoke("workshop", "export", code, "--out", other, "--db", tmp_path / "w.sqlite"), "is a SQLite database"
    )
    assert other.read_bytes() == before


# --- one run's files, together ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "calibrate"])
def test_writing_a_file_where_a_folder_is_is_a_clear_error(case: dict[str, Path], tmp_path: Path, command: str):
    folder = tmp_path / "out"
    folder.mkdir()
    args = (
        ["export", case["model"], "--format", "mdl"]
        if command == "export"
        else ["calibrate", case["scenario"], case["data"], "--starts", 1]
    )
    assert_refused(invoke(*args, "--out", folder), str(folder), "is a folder, not a file")
    assert list(folder.iterdir()) == []


def test_a_folder_in_the_way_of_one_run_file_leaves_the_earlier_run_whole(case: dict[str, Path], tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.csv").write_text("earlier run", encoding="utf-8")
    (out / "manifest.json").mkdir()
    assert_refused(invoke("run", case["scenario"], "--out", out), str(out / "manifest.json"), "is a folder")
    assert (out / "results.csv").read_text(encoding="utf-8") == "earlier run"
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.csv"]


def test_a_second_run_does_not_leave_the_first_runs_ensemble(case: dict[str, Path], tmp_path: Path):
    out = tmp_path / "out"
    first = invoke("run", case["scenario"], "--out", out, "--samples", 10)
    assert first.exit_code == 0, first.output
    assert (out / "ensemble.csv").exists()
    second = invoke("run", case["scenario"], "--out", out)
    assert second.exit_code == 0, second.output
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.csv"]


def test_a_run_keeps_files_it_does_not_own(case: dict[str, Path], tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert invoke("run", case["scenario"], "--out", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "notes.txt", "results.csv"]


def test_an_output_below_a_file_is_a_clear_error(case: dict[str, Path]):
    target = case["data"] / "model.mdl"
    assert_refused(invoke("export", case["model"], "--format", "mdl", "--out", target), "is a file, not a folder")


def test_results_csv_is_written_as_pandas_wrote_it_without_importing_pandas(tmp_path):
    """``bwsim run`` writes results.csv with the standard library (0.1 s less): the same bytes as
    ``pandas.concat(frames).to_csv(index=False, float_format="%.17g")``, awkward values included."""
    import numpy as np
    import pandas as pd

    from simulator.results import RunResult, write_results_csv

    rng = np.random.default_rng(3)
    odd = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-300, 5e-324, 1.7976931348623157e308, 0.1, 1 / 3, 2025.0])
    results = []
    for scenario, nodes in [("baseline", ("a", "b")), ('groei, "snel"\nen meer', ("é, x", 'q"q', "plain"))]:
        times = np.array([2025.0, 2025.25, 2026.0 + 1e-12])
        baseline = rng.normal(size=(3, len(nodes))) * 10.0 ** rng.integers(-20, 20, size=(3, len(nodes)))
        delta = rng.choice(odd, size=(3, len(nodes)))
        results.append(RunResult(scenario, nodes, times, baseline, delta))
    write_results_csv(results, tmp_path / "ours.csv")
    pd.concat([r.to_frame() for r in results], ignore_index=True).to_csv(
        tmp_path / "pandas.csv", index=False, float_format="%.17g"
    )
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
