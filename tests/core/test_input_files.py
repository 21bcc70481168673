"""Reading input files: only regular files of bounded size, YAML that cannot crash the reader,
and no quoting of a file that is not a model (issue 11, items 2 and 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.main import app
from simulator.errors import InputError
from simulator.io.input_file import read_input_bytes
from simulator.io.spec_files import load_model, load_scenario
from simulator.io.yaml_file import MAX_ALIAS_VALUES, MAX_DIGITS, parse_yaml
from simulator.observed import load_observed

from .test_bad_input import MODEL, SCENARIO

BWSIM = Path(sys.executable).parent / "bwsim"


def refusal(load, *args) -> InputError:
    with pytest.raises(InputError) as info:
        load(*args)
    return info.value


# --- the YAML reader ------------------------------------------------------------------------------


def test_a_complex_mapping_key_is_refused_with_its_line():
    """``? [a, b]`` made a list the key: AttributeError 'MappingNode' object has no attribute 'style'."""
    for text, line in (("name: m\n? [a, b]\n: 1\n", 2), ("name: m\n? {a: 1}\n: 1\n", 2), ("? - a\n: 1\n", 1)):
        problem = refusal(parse_yaml, text, "m.yaml").problems[0]
        assert (problem.file, problem.line) == ("m.yaml", line)
        assert "plain value" in problem.message


def test_an_integer_of_thousands_of_digits_is_refused_with_its_line():
    """A 5,000-digit integer: ValueError 'Exceeds the limit (4300 digits)' from int()."""
    problem = refusal(parse_yaml, "name: m\nseed: " + "9" * 5000 + "\n", "m.yaml").problems[0]
    assert (problem.place, problem.line) == ("seed", 2)
    assert f"more than {MAX_DIGITS} digits" in problem.message
    assert parse_yaml("a: " + "9" * MAX_DIGITS, "m.yaml").data == {"a": int("9" * MAX_DIGITS)}


def test_a_bad_date_is_refused_not_crashed():
    problem = refusal(parse_yaml, "name: m\nwhen: 2025-13-45\n", "m.yaml").problems[0]
    assert (problem.place, problem.line) == ("when", 2)


def test_a_large_file_without_aliases_is_read():
    """More values than the alias guard allows, all written out: read (it was refused as an alias bomb)."""
    values = MAX_ALIAS_VALUES + 10_000
    data = parse_yaml("a: [" + ", ".join(str(i) for i in range(values)) + "]\n", "big.yaml").data
    assert len(data["a"]) == values


def test_aliases_are_counted_by_what_they_expand_to():
    ok = "a: &a [1, 2, 3]\n" + "".join(f"b{i}: *a\n" for i in range(100))
    assert parse_yaml(ok, "t.yaml").data["b99"] == [1, 2, 3]
    wide = "a: &a [" + ", ".join(["1"] * 1000) + "]\n" + "".join(f"b{i}: *a\n" for i in range(300))
    problem = refusal(parse_yaml, wide, "t.yaml").problems[0]
    assert f"expands to more than {MAX_ALIAS_VALUES:,} values through aliases" in problem.message


def test_a_syntax_error_does_not_quote_the_file():
    text = "secret-line-one: [x\nsecret: y\n"
    problem = refusal(parse_yaml, text, "t.yaml").problems[0]
    assert "YAML syntax error" in problem.message and "secret" not in str(problem)


# --- special files ---------------------------------------------------------------------------------


def test_a_device_is_refused_by_type_before_reading():
    """/dev/zero never ends: reading it grew to 2 GB."""
    problem = refusal(load_model, "/dev/zero").problems[0]
    assert problem.file == "/dev/zero" and "device" in problem.message
    assert "device" in refusal(read_input_bytes, "/dev/zero", 10).problems[0].message


def test_a_fifo_is_refused_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    outcome: list = []
    reader = threading.Thread(target=lambda: outcome.append(refusal(load_model, fifo)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # free the blocked reader so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO hung")
    assert "named pipe" in outcome[0].problems[0].message


def test_the_cli_refuses_special_files_with_exit_2(tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo), str(tmp_path)):
        done = subprocess.run(
            [str(BWSIM), "validate", "--lang", "en", path], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 2, (path, done.stderr + done.stdout)
        assert "not a file" in done.stderr + done.stdout
        assert "Traceback" not in done.stderr + done.stdout


def test_a_symbolic_link_to_a_model_is_read(tmp_path):
    (tmp_path / "real.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "m.yaml").symlink_to(tmp_path / "real.yaml")
    assert load_model(tmp_path / "m.yaml").spec.name == "m"


def test_a_file_past_the_limit_is_refused_even_when_it_reports_no_size(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 101)
    assert "larger than the limit of 0.0001 MB" in refusal(read_input_bytes, path, 100).problems[0].message
    assert read_input_bytes(path, 101) == b"x" * 101
    assert len(read_input_bytes("/proc/self/status", 1_000_000)) > 0  # size 0 in stat, read up to the limit


def test_observations_from_a_device_are_refused():
    problem = refusal(load_observed, "/dev/zero", ["jobs"], (2025.0, 2050.0)).problems[0]
    assert "device" in problem.message


# --- a file that is not a model is not quoted ----------------------------------------------------

SECRET = "rootuser:$6$saltsalt$hashhashhash:20228:0:99999:7:::\ndaemonuser:*:20228:0:99999:7:::\n"


def test_a_scenario_naming_a_foreign_file_as_its_model_does_not_quote_it(tmp_path):
    (tmp_path / "shadow").write_text(SECRET, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("model: m.yaml", "model: shadow"), encoding="utf-8")
    error = refusal(load_scenario, tmp_path / "s.yaml")
    assert len(error.problems) == 1
    assert "not a bwsim model file" in str(error)
    for word in ("rootuser", "hashhash", "daemonuser", "20228"):
        assert word not in str(error)
    result = CliRunner().invoke(app, ["run", "--lang", "en", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not a bwsim model file" in result.stderr and "rootuser" not in result.stderr


def test_a_model_with_a_misspelt_key_still_gets_the_usual_problems(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MODEL.replace("title: t", "titel: t"), encoding="utf-8")
    messages = [p.message for p in refusal(load_model, path).problems]
    assert "unknown key 'titel'" in messages


def test_a_scenario_naming_a_device_or_folder_as_its_model_is_told_so(tmp_path):
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("model: m.yaml", "model: /dev/zero"), encoding="utf-8")
    problem = refusal(load_scenario, tmp_path / "s.yaml").problems[0]
    assert (problem.file, problem.message) == ("/dev/zero", "is a device, not a file")
    (tmp_path / "folder").mkdir()
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("model: m.yaml", "model: folder"), encoding="utf-8")
    assert "is a directory" in refusal(load_scenario, tmp_path / "s.yaml").problems[0].message
