"""``bwsim workshop``: the commands a facilitator runs, and their answers to bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.main import app
from simulator.workshop.exchange import FORMAT_VERSION

from .helpers import MODEL_V2_YAML, MODEL_YAML, future_yaml

runner = CliRunner()


def bwsim(*args: str) -> tuple[int, str]:
    args = list(args)  # in English unless the test gives --lang
    result = runner.invoke(app, args if "--lang" in args or len(args) < 2 else [*args, "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tiny.yaml").write_text(MODEL_YAML)
    (tmp_path / "start.yaml").write_text(future_yaml(10, name="start"))
    (tmp_path / "mine.yaml").write_text(future_yaml(20, weight=2.0, name="mine"))
    return {name: str(tmp_path / f"{name}.yaml") for name in ("tiny", "start", "mine")} | {
        "db": str(tmp_path / "w.sqlite"),
        "dir": str(tmp_path),
    }


def _create(files: dict[str, str]) -> str:
    code, out = bwsim(
        "workshop",
        "create",
        "--name",
        "CoP Heerlen",
        "--model",
        files["tiny"],
        "--scenario",
        files["start"],
        "--db",
        files["db"],
    )
    assert code == 0, out
    return out.split("join code: ")[1].strip()


def test_a_facilitator_session_end_to_end(files: dict[str, str]):
    join_code = _create(files)
    db = ("--db", files["db"])
    assert bwsim("workshop", "join", join_code.lower(), "--group", "Groep <i>A</i>", *db)[0] == 0
    for question in ("eerste", "tweede"):
        code, out = bwsim(
            "workshop",
            "save",
            join_code,
            "--group",
            "Groep <i>A</i>",
            "--future",
            "Groen",
            "--scenario",
            files["mine"],
            "--question",
            question,
            *db,
        )
        assert code == 0, out
    assert "as version 2" in out
    code, out = bwsim("workshop", "list", *db)
    assert code == 0 and join_code in out and "1 groups, 1 futures, 2 versions" in out
    code, out = bwsim("workshop", "show", join_code, *db)
    assert code == 0 and "Groep <i>A</i>" in out and "Groen  v2" in out and "start scenarios: start" in out
    code, out = bwsim("workshop", "compare", join_code, "--outcome", "z", *db)
    assert code == 0 and "+20" in out and "agree on every link" in out
    export = str(Path(files["dir"]) / "export.json")
    assert bwsim("workshop", "export", join_code, "--out", export, *db)[0] == 0
    assert json.loads(Path(export).read_text())["format_version"] == FORMAT_VERSION
    other = str(Path(files["dir"]) / "elders.sqlite")
    code, out = bwsim("workshop", "import", export, "--db", other)
    assert code == 0 and join_code in out
    code, out = bwsim("workshop", "show", join_code, "--db", other)
    assert "Groen  v2" in out


def test_compare_before_any_future_is_saved(files: dict[str, str]):
    join_code = _create(files)
    code, out = bwsim("workshop", "compare", join_code, "--outcome", "z", "--db", files["db"])
    assert code == 0 and "no futures to compare yet" in out


def test_the_database_comes_from_the_environment(files: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BWSIM_WORKSHOP_DB", files["db"])
    code, out = bwsim("workshop", "create", "--name", "Env", "--model", files["tiny"])
    assert code == 0 and files["db"] in out
    assert Path(files["db"]).is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["show", "AAAA-AAAA"], "no workshop has this join code"),
        (["join", "nonsense", "--group", "A"], "no workshop has this join code"),
        (["export", "AAAA-AAAA", "--out", "x.json"], "no workshop has this join code"),
        (["create", "--name", "X", "--model", "missing.yaml"], "file not found"),
        (["compare", "{code}", "--outcome", "nope"], "the model has no node 'nope'"),
        (
            ["save", "{code}", "--group", "nobody", "--future", "f", "--scenario", "{mine}"],
            "no group 'nobody'",
        ),
    ],
)
def test_bad_input_is_a_message_and_exit_2_without_traceback(
    files: dict[str, str], args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(files["dir"])
    join_code = _create(files)
    args = [a.format(code=join_code, mine=files["mine"]) for a in args]
    code, out = bwsim("workshop", *args, "--db", files["db"])
    assert code == 2 and message in out and "Traceback" not in out
    assert not Path(files["dir"], "x.json").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not a JSON file"),
        (
            json.dumps({"format": "bwsim-workshop", "format_version": FORMAT_VERSION + 1}),
            "newer bwsim",
        ),
        (json.dumps({"nodes": []}), "not a bwsim workshop export"),
    ],
)
def test_a_bad_import_file_exits_2_and_leaves_the_database_alone(files: dict[str, str], content: str, message: str):
    join_code = _create(files)
    path = Path(files["dir"]) / "bad.json"
    path.write_text(content)
    code, out = bwsim("workshop", "import", str(path), "--db", files["db"])
    assert code == 2 and message in out and "Traceback" not in out
    code, out = bwsim("workshop", "list", "--db", files["db"])
    assert out.count("CoP Heerlen") == 1 and join_code in out


def test_an_unwritable_database_path_exits_2(files: dict[str, str]):
    blocker = Path(files["dir"]) / "blocker"
    blocker.write_text("")
    code, out = bwsim("workshop", "list", "--db", str(blocker / "w.sqlite"))
    assert code == 2 and "cannot create the folder" in out and "Traceback" not in out


def test_compare_names_the_link_the_groups_disagree_on(files: dict[str, str]):
    join_code = _create(files)
    db = ("--db", files["db"])
    for group, weight in (("A", 2.0), ("B", 3.0)):
        path = Path(files["dir"]) / f"{group}.yaml"
        path.write_text(future_yaml(10, weight=weight))
        assert bwsim("workshop", "join", join_code, "--group", group, *db)[0] == 0
        assert (
            bwsim(
                "workshop",
                "save",
                join_code,
                "--group",
                group,
                "--future",
                "f",
                "--scenario",
                str(path),
                *db,
            )[0]
            == 0
        )
    code, out = bwsim("workshop", "compare", join_code, "--outcome", "z", *db)
    assert code == 0
    assert (  # nodes by their labels (X, Y, Z)
        "X -> Y" in out and "weights 2..3" in out and "moves Z by 5 (lowest: A / f, highest: B / f)" in out
    )
    assert "Y -> Z" not in out
    code, out = bwsim("workshop", "compare", join_code, "--outcome", "z", *db, "--lang", "nl")
    assert "gewichten 2..3  verschuift Z met 5 (laagste: A / f, hoogste: B / f)" in out


def test_show_lists_every_note_and_compare_says_which_futures_an_earlier_model_made(files: dict[str, str]):
    join_code = _create(files)
    db = ("--db", files["db"])
    assert bwsim("workshop", "join", join_code, "--group", "A", *db)[0] == 0
    code, out = bwsim(
        "workshop",
        "save",
        join_code,
        "--group",
        "A",
        "--future",
        "f",
        "--scenario",
        files["start"],
        "--question",
        "Wat doet groei?",
        "--expectation",
        "Meer banen",
        "--found",
        "Ook meer verkeer",
        "--decision",
        "Groei met\nwoningbouw",
        *db,
    )
    assert code == 0, out
    code, out = bwsim("workshop", "show", join_code, *db)
    assert code == 0
    for line in (
        "question: Wat doet groei?",
        "expected: Meer banen",
        "found: Ook meer verkeer",
        "would decide: Groei met woningbouw",
    ):
        assert line in out
    v2 = Path(files["dir"]) / "tiny-v2.yaml"
    v2.write_text(MODEL_V2_YAML)
    assert bwsim("workshop", "update-model", join_code, "--model", str(v2), *db)[0] == 0
    code, out = bwsim("workshop", "show", join_code, *db)
    assert "[model changed since]" in out
    code, out = bwsim("workshop", "compare", join_code, "--outcome", "z", *db)
    assert code == 0, out
    # a step of 10 on x moves y by 10 and z by 0.5 * 10 on the old model, 0.25 * 10 on the new one
    assert "made with an earlier model version" in out
    assert "A / f" in out and ": +5   on the current model: +2.5" in out
