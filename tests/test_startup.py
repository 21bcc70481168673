"""Start-up of the command line: each command imports only what it needs; the kernels are compiled at set-up.

Timings are in ``benchmarks/bench_startup.py``; these tests check what is
imported (in a fresh interpreter, as a user's shell would start it) and that
the lazily registered commands say and do what they said before.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from simulator.cli.common import Lang
from simulator.cli.lazy import COMMANDS
from simulator.cli.main import app
from simulator.io import yaml_file
from simulator.io.spec_files import load_model_text

ROOT = Path(__file__).parents[1]
HEERLEN_FILES = [
    "models/medtech-heerlen.yaml",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml")),
]
NUMERICS = (
    *("scipy", "numba", "llvmlite", "pandas", "SALib", "streamlit", "dask", "distributed", "networkx"),
    *("cffi", "pycparser"),
)
DEFERRED = ("simulator.sampling", "babel.messages.pofile", "pint")
"""Modules of bwsim and its libraries that a deterministic run of a Dutch user does not import (pint: once
the model's units were found sound by an earlier process, :func:`_units_found_sound`)."""

PROBE = f"""
import json, sys
from simulator.cli.main import app
try:
    app(sys.argv[1:], prog_name="bwsim")
    code = 0
except SystemExit as exc:
    code = exc.code
names = sorted(m for m in sys.modules if m.split(".")[0] in {sorted(NUMERICS)!r} or m in {sorted(DEFERRED)!r})
print("PROBE " + json.dumps({{"code": code, "modules": names}}), file=sys.stderr)
"""


def _probe(*args: str) -> tuple[int, list[str], str]:
    """Run ``bwsim ARGS`` in a fresh interpreter; its exit status, the numeric modules it imported, its output."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    line = next(row for row in done.stderr.splitlines() if row.startswith("PROBE "))
    report = json.loads(line[len("PROBE ") :])
    return report["code"], report["modules"], done.stdout


def test_help_lists_every_command_and_imports_no_numerics():
    code, modules, out = _probe("--help")
    assert code == 0
    assert modules == []
    for name in COMMANDS:
        assert f" {name} " in out


def _units_found_sound() -> None:
    """Check the Heerlen files' units in this process: the verdict is kept for the probes' processes."""
    from simulator.runner import load_scenarios

    load_scenarios([f for f in HEERLEN_FILES if f.startswith("scenarios/")])


def test_validate_imports_no_numerics_beyond_numpy_and_pydantic():
    _units_found_sound()
    code, modules, out = _probe("validate", *HEERLEN_FILES)
    assert code == 0, out
    assert out.count("ok: ") == len(HEERLEN_FILES)
    assert modules == []


def test_a_deterministic_run_does_not_import_the_sampling_statistics(tmp_path):
    from simulator.messages import catalog

    catalog("nl")  # the first Dutch command of a checkout reads the .po file and keeps what it read
    _units_found_sound()
    code, modules, _ = _probe("run", "scenarios/medtech-growth.yaml", "--out", str(tmp_path / "out"))
    assert code == 0
    assert "pint" not in modules  # the model's units were found sound before: not parsed again
    assert "simulator.sampling" not in modules  # loaded for --samples, --method or an uncertainty block
    assert "babel.messages.pofile" not in modules  # the catalog comes from its JSON copy
    assert "scipy.stats" not in modules and "SALib" not in modules and "dask" not in modules
    # numba imports scipy's top package only; the engine's sums are its own, numba's BLAS probe is skipped
    assert not [m for m in modules if m.startswith(("scipy.linalg", "scipy.sparse", "scipy.stats"))]
    assert "networkx" not in modules  # loops are named only when a model is unstable
    assert "cffi" not in modules and "pycparser" not in modules  # numba's cffi support is left off
    assert "numba" in modules  # the kernel, loaded from its cache


def _eager_app() -> typer.Typer:
    """``bwsim`` as it was: every command module imported and registered up front."""
    from simulator.cli.common import State

    eager = typer.Typer(
        name="bwsim",
        add_completion=False,
        no_args_is_help=True,
        help="Brede-welvaart scenario simulator: causal networks of bouwblokken.",
    )

    @eager.callback()
    def _options(
        debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
        language: Lang = typer.Option("nl", "--lang", help="Language of this help and of every command: nl or en."),  # noqa: B008
    ) -> None:
        State.debug = debug

    for name, where in COMMANDS.items():
        target = getattr(importlib.import_module(where.module), where.attribute)
        if isinstance(target, typer.Typer):
            eager.add_typer(target, name=name)
        else:
            eager.command(name)(target)
    return eager


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--lang", "en", "--help"],
        ["run", "--help"],
        ["workshop", "--help"],
        ["workshop", "save", "--help"],
        ["calibrate", "--help"],
        ["runn"],
        ["run", "--out", "x"],
        ["run", "x", "--out", "o", "--bogus"],
    ],
)
def test_lazy_commands_say_in_english_what_the_eager_ones_said(args):
    """In English (``--lang en``) the lazy commands' help and click's errors are word for word typer's own."""
    runner = CliRunner()
    args = args if "--lang" in args else [*args, "--lang", "en"]
    lazy, eager = runner.invoke(app, args, prog_name="bwsim"), runner.invoke(_eager_app(), args, prog_name="bwsim")
    assert (lazy.exit_code, lazy.output) == (eager.exit_code, eager.output)


def test_libyaml_and_pure_python_read_every_shipped_file_alike(monkeypatch):
    assert yaml_file._FAST_LOADER is not None  # PyYAML's wheels ship libyaml
    texts = [p.read_text(encoding="utf-8") for p in [*ROOT.glob("models/*.yaml"), *ROOT.glob("scenarios/*.yaml")]]
    texts.append(
        "a: 1e3\nb: -2.5E-2\nc: '1e3'\nd: 1e3x\nf: [yes, no, ~, 0x1F, 1_000, .inf, 2026-01-01]\n"
        "g: &x {h: 1}\ni:\n  <<: *x\n  j: |\n    text\n  k: 'it''s'\n"
    )
    for text in texts:
        path = Path("t.yaml")
        fast = yaml_file.parse_yaml(text, path.name)
        with monkeypatch.context() as patch:
            patch.setattr(yaml_file, "_FAST_LOADER", None)
            slow = yaml_file.parse_yaml(text, path.name)
        assert (fast.data, fast.lines) == (slow.data, slow.lines)


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 100 levels"),  # deeper than libyaml is trusted with
        ("a: [1, 2\nb: 3\n", "YAML syntax error"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: !!python/object:os.system {}\n", "cannot read value with tag"),
    ],
)
def test_bad_yaml_gets_the_same_message_on_both_loaders(monkeypatch, text, message):
    errors = []
    for fast in (True, False):
        with monkeypatch.context() as patch:
            if not fast:
                patch.setattr(yaml_file, "_FAST_LOADER", None)
            with pytest.raises(yaml_file.InputError) as info:
                yaml_file.parse_yaml(text, "bad.yaml")
        errors.append(str(info.value))
    assert errors[0] == errors[1] and message in errors[0]


@pytest.mark.parametrize(
    "links, loop",
    [
        ("[{from: a, to: b, weight: 1}, {from: b, to: a, weight: 1}]", "a -> b -> a"),
        ("[{from: a, to: a, weight: 0.5}]", "a -> a"),
    ],
)
def test_algebraic_loops_are_still_found_without_networkx_on_the_sound_path(links, loop):
    text = (
        "name: m\ntitle: m\ntime: {start: 2020, end: 2025, dt: 0.25}\nnodes:\n"
        "  - {id: a, label: A, theme: wonen, dimension: hier_en_nu, baseline: 1}\n"
        "  - {id: b, label: B, theme: wonen, dimension: hier_en_nu, baseline: 1}\n"
        f"links: {links}\n"
    )
    with pytest.raises(yaml_file.InputError, match=f"algebraic loop: {loop}"):
        load_model_text(text, "m.yaml")
    assert (
        load_model_text(
            text.replace("weight: 1}]", "weight: 1, lag: 1}]").replace("weight: 0.5}", "weight: 0.5, lag: 1}"), "m.yaml"
        ).spec.name
        == "m"
    )


@pytest.mark.slow
def test_set_up_compiles_every_kernel_so_a_later_ensemble_compiles_none(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    warm = subprocess.run(
        [sys.executable, "-m", "simulator.warmup", "scenarios/medtech-growth.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert warm.returncode == 0, warm.stderr
    assert "numba kernels ready" in warm.stdout
    env["NUMBA_DEBUG_CACHE"] = "1"
    runs = [  # exact and binned summaries; a model whose t_0 has no loop (another compiled sum)
        ("scenarios/medtech-growth.yaml", "--samples", "300"),
        ("scenarios/medtech-growth.yaml", "--samples", "3000"),
        ("examples/model-diff/scenario.yaml",),
    ]
    for number, args in enumerate(runs):
        run = subprocess.run(
            [str(Path(sys.executable).parent / "bwsim"), "run", *args, "--out", str(tmp_path / f"out{number}")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr
        cache = run.stdout + run.stderr
        assert "[cache] data loaded" in cache
        assert "[cache] data saved" not in cache


def test_the_readme_s_first_command_warms_the_kernels_before_any_bwsim_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = next(line for line in readme.splitlines() if line.startswith("bash "))
    assert first == "bash scripts/run-heerlen.sh"
    lines = [line for line in (ROOT / "scripts/run-heerlen.sh").read_text(encoding="utf-8").splitlines()]
    warm = next(i for i, line in enumerate(lines) if "-m simulator.warmup scenarios/" in line)
    install = next(i for i, line in enumerate(lines) if "pip install -q -e ." in line)
    first_use = next(i for i, line in enumerate(lines) if "/bin/bwsim" in line)
    assert install < warm < first_use  # compiled into the cache of the installed package, before it is used


def test_warm_up_refuses_a_bad_scenario(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "model": "missing.yaml"}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "simulator.warmup", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2 and "invalid input" in done.stderr and "Traceback" not in done.stderr


def test_numba_s_linear_algebra_still_works_after_the_engine_skipped_its_blas_probe():
    """simulator.engine imports numba's array functions with scipy.linalg hidden (0.2-0.5 s of every run);
    a later kernel that uses BLAS (np.dot) or the functions the probe chooses for (np.correlate) compiles."""
    code = """
import sys
import numba, numpy as np
import simulator.engine
assert "scipy.linalg" not in sys.modules
@numba.njit
def f(a, b):
    return np.dot(a, b), np.correlate(a, b)[0]
print(f(np.arange(3.0), np.ones(3)))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(3.0, 3.0)"


def test_cffi_imports_as_usual_after_the_engine_left_numba_s_cffi_support_off():
    code = """
import sys
import simulator.engine
assert "cffi" not in sys.modules
import cffi
print(cffi.FFI().sizeof("int"))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"


def test_the_catalog_kept_as_json_is_what_babel_reads_and_follows_the_po_file(tmp_path, monkeypatch):
    from simulator import messages

    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "bwsim.po"
    po.write_bytes((messages.LOCALE_DIR / "nl" / "LC_MESSAGES" / "bwsim.po").read_bytes())
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path)
    messages.catalog.cache_clear()
    try:
        read = messages.catalog("nl")  # parsed by Babel, then kept
        kept = list((folder / "__pycache__").glob("bwsim.po.*.json"))
        assert len(kept) == 1 and len(read) > 1000
        messages.catalog.cache_clear()
        assert messages.catalog("nl") == read  # from the JSON
        po.write_bytes(po.read_bytes() + b'\nmsgid "a new message"\nmsgstr "een nieuw bericht"\n')
        messages.catalog.cache_clear()
        changed = messages.catalog("nl")
        assert changed == {**read, "a new message": "een nieuw bericht"}
        assert [p.name for p in (folder / "__pycache__").glob("bwsim.po.*.json")] != [kept[0].name]
        assert len(list((folder / "__pycache__").glob("*"))) == 1  # the earlier version's catalog is gone
        for stale in (folder / "__pycache__").iterdir():
            stale.unlink()
        (folder / "__pycache__").rmdir()
        (folder / "__pycache__").write_text("not a folder")  # nowhere to keep it: the .po is read each time
        po.write_bytes(po.read_bytes() + b'\nmsgid "another"\nmsgstr "nog een"\n')
        messages.catalog.cache_clear()
        assert messages.catalog("nl")["another"] == "nog een"
        assert sorted(p.name for p in folder.iterdir()) == ["__pycache__", "bwsim.po"]  # no temporary file left
    finally:
        messages.catalog.cache_clear()


WIDE = {"COLUMNS": "200"}
"""A terminal wide enough that no help text is wrapped."""


def test_help_is_dutch_by_default_and_english_on_request():
    runner = CliRunner()
    dutch = runner.invoke(app, ["--help"], prog_name="bwsim", env=WIDE)
    assert dutch.exit_code == 0
    for words in (
        "Gebruik: bwsim",
        "Opties",
        "Commando's",
        "Toon deze hulp en stop.",
        "Draai scenario's en hun basislijn",
    ):
        assert words in dutch.output
    assert "Usage:" not in dutch.output and "Show this message" not in dutch.output
    for args in (["--lang", "en", "--help"], ["--help", "--lang=en"]):
        english = runner.invoke(app, args, prog_name="bwsim", env=WIDE)
        assert "Usage: bwsim" in english.output and "Run scenarios and their baseline" in english.output
        assert "Commando's" not in english.output
    run = runner.invoke(app, ["run", "--help"], prog_name="bwsim", env=WIDE)
    assert "Gebruik: bwsim run" in run.output and "Argumenten" in run.output
    assert "Map voor results.csv en manifest.json. [verplicht]" in run.output and "[standaard: nl]" in run.output
    run = runner.invoke(app, ["run", "--help", "--lang", "en"], prog_name="bwsim", env=WIDE)
    assert "Folder for results.csv and manifest.json. [required]" in run.output
    group = runner.invoke(app, ["workshop", "save", "--help"], prog_name="bwsim", env=WIDE)
    assert "Groepsnaam (meegedaan)." in group.output and "Notitie: onze vraag." in group.output


@pytest.mark.parametrize(
    "args, dutch, english",
    [
        (["run"], "Argument 'scenarios' ontbreekt.", "Missing argument 'scenarios'."),
        (["run", "x.yaml"], "Optie '--out' ontbreekt.", "Missing option '--out'."),
        (["run", "x.yaml", "--out", "o", "--bogus"], "Onbekende optie: --bogus", "No such option: --bogus"),
        (["runn"], "Onbekend commando 'runn'. Bedoelde u 'run'?", "No such command 'runn'. Did you mean 'run'?"),
        (["run", "x.yaml", "--out"], "Optie '--out' vraagt een waarde.", "Option '--out' requires an argument."),
        (
            ["run", "x.yaml", "--out", "o", "--samples", "veel"],
            "Ongeldige waarde voor '--samples': een geheel",
            "valid integer",
        ),
        (["workshop", "bogus"], "Onbekend commando 'bogus'.", "No such command 'bogus'."),
    ],
)
def test_usage_errors_are_dutch_by_default_and_english_on_request(args, dutch, english):
    runner = CliRunner()
    nl = runner.invoke(app, args, prog_name="bwsim", env=WIDE)
    en = runner.invoke(app, ["--lang", "en", *args], prog_name="bwsim", env=WIDE)
    assert nl.exit_code == en.exit_code == 2
    assert dutch in nl.output and "Fout" in nl.output and english in en.output and "Error" in en.output
    if "Usage: bwsim" in en.output:  # click names the command when the error has its context
        assert "Gebruik: bwsim" in nl.output and "voor hulp." in nl.output and "for help." in en.output
    assert "Traceback" not in nl.output + en.output


def test_a_bad_language_is_refused_in_dutch():
    done = CliRunner().invoke(app, ["run", "x.yaml", "--out", "o", "--lang", "de"], prog_name="bwsim", env=WIDE)
    assert done.exit_code == 2 and "Ongeldige waarde voor '--lang': 'de' is niet een van 'nl', 'en'." in done.output


def test_the_top_level_language_is_every_command_s_default(tmp_path):
    runner = CliRunner()
    args = ["run", "scenarios/medtech-growth.yaml", "--out", str(tmp_path), "--samples", "0"]
    english = runner.invoke(app, ["--lang", "en", *args], prog_name="bwsim")
    dutch = runner.invoke(app, args, prog_name="bwsim")
    assert english.exit_code == dutch.exit_code == 2
    assert "--samples must be at least 1, got 0" in english.output
    assert "--samples must be" not in dutch.output and "--samples" in dutch.output


def test_the_top_level_language_reaches_a_workshop_command(tmp_path):
    db = str(tmp_path / "w.sqlite")
    runner = CliRunner()
    english = runner.invoke(app, ["--lang", "en", "workshop", "list", "--db", db], prog_name="bwsim")
    dutch = runner.invoke(app, ["workshop", "list", "--db", db], prog_name="bwsim")
    assert english.exit_code == dutch.exit_code == 0, english.output + dutch.output
    assert english.output != dutch.output
    assert english.output == runner.invoke(app, ["workshop", "list", "--db", db, "--lang", "en"]).output
