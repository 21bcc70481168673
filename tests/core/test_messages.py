"""Messages for people: every message id in the code has a Dutch translation, and the CLI speaks its --lang.

The ids are what ``msg("...")`` is called with (English, the source language).
They are found twice: by an AST walk (which also sees calls Babel would miss, such
as one inside an f-string) and by Babel's extractor (what a maintainer's ``pybabel
extract`` sees); both must agree, and every id must have a Dutch ``msgstr`` with
the same ``{fields}`` in ``simulator/locale/nl/LC_MESSAGES/bwsim.po``.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from simulator.cli.main import app
from simulator.errors import InputError, NumericalError, Problem, error_text
from simulator.messages import LOCALE_DIR, catalog, localize_number, msg, translate
from simulator.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("simulator",)
PO_FILE = LOCALE_DIR / "nl" / "LC_MESSAGES" / "bwsim.po"
runner = CliRunner()


def _is_msg(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "msg"


def ast_message_ids() -> tuple[dict[str, str], list[str]]:
    """Every ``msg(...)`` id with one place it is used, and the calls that cannot be extracted."""
    ids: dict[str, str] = {}
    bad: list[str] = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            where = path.relative_to(ROOT)
            inside_fstring = {id(n) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for n in ast.walk(f)}
            for node in ast.walk(tree):
                if not _is_msg(node):
                    continue
                place = f"{where}:{node.lineno}"
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    bad.append(f"{place}: msg() needs a string literal as its message id")
                elif id(node) in inside_fstring:
                    bad.append(f"{place}: msg() inside an f-string cannot be extracted; compute it before")
                else:
                    ids.setdefault(first.value, place)
    return ids, bad


def babel_message_ids() -> set[str]:
    method_map = [(f"{folder}/**.py", "python") for folder in SOURCES]
    return {
        message
        for _, _, message, _, _ in extract_from_dir(
            ROOT, method_map=method_map, keywords={"msg": None}, comment_tags=()
        )
    }


def fields(template: str) -> list[tuple[str, str, str | None]]:
    return sorted(
        (name, spec or "", conv) for _, name, spec, conv in string.Formatter().parse(template) if name is not None
    )


def po_entries() -> dict[str, str]:
    with PO_FILE.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def test_every_message_id_is_a_literal_that_babel_extracts_too() -> None:
    ids, bad = ast_message_ids()
    assert not bad, "\n".join(bad)
    assert len(ids) > 300
    assert set(ids) == babel_message_ids()


def test_every_message_id_has_a_dutch_translation_with_the_same_fields() -> None:
    ids, _ = ast_message_ids()
    entries = po_entries()
    missing = [f"{place}: {message!r}" for message, place in ids.items() if not entries.get(message)]
    assert not missing, "no Dutch translation in bwsim.po (add one):\n" + "\n".join(missing)
    different = [
        f"{message!r} -> {entries[message]!r}" for message in ids if fields(message) != fields(entries[message])
    ]
    assert not different, "a translation must keep every {field} and its format:\n" + "\n".join(different)
    for message in ids:  # each template formats with its own fields (literal braces are doubled)
        message.format(**{name: 1.5 if spec else "x" for name, spec, _ in fields(message)})


def help_ids() -> list[str]:
    """Every help text of the command line (commands' docstrings, options' ``help=``): ids of the catalog too."""
    import typer

    from simulator.cli.lazy import all_help_texts

    return all_help_texts(typer.main.get_command(app))


def test_every_help_text_of_the_command_line_has_a_dutch_translation() -> None:
    texts, entries = help_ids(), po_entries()
    assert len(texts) > 100
    missing = [text for text in texts if not entries.get(text)]
    assert not missing, "no Dutch translation in bwsim.po (add one):\n" + "\n".join(map(repr, missing))


def test_the_catalog_holds_no_message_the_code_no_longer_uses() -> None:
    ids, _ = ast_message_ids()
    unused = sorted(set(po_entries()) - set(ids) - set(help_ids()))
    assert not unused, "remove from bwsim.po (no msg() uses them):\n" + "\n".join(map(repr, unused))


def test_the_catalog_ships_with_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"simulator" = ["locale/*/LC_MESSAGES/*.po"]' in text
    assert "babel" in text.lower()
    assert PO_FILE.is_file() and catalog("nl")


def test_translation_fills_parameters_after_translating_and_in_dutch_number_format() -> None:
    text = msg("dt must be above 0, got {dt:g}", dt=-0.25)
    assert str(text) == "dt must be above 0, got -0.25"  # English: the id itself
    assert translate(text, "en") == "dt must be above 0, got -0.25"
    assert translate(text, "nl") == "dt moet boven 0 liggen, niet -0,25"
    nested = msg("{message} (with this scenario's overrides and time)", message=text)
    assert translate(nested, "nl") == "dt moet boven 0 liggen, niet -0,25 (met de overrides en time van dit scenario)"
    assert (
        translate(
            msg("year {year:g} is outside the horizon {start:g}-{end:g}", year=2035.0, start=2025, end=2030), "nl"
        )
        == "jaar 2035 ligt buiten de horizon 2025-2030"
    )  # years: no grouping
    assert translate("a text that is no message id", "nl") == "a text that is no message id"
    assert translate(msg("unknown node '{node}'", node="jbos"), "de") == "unknown node 'jbos'"  # English fallback


def test_numbers_are_written_with_babels_dutch_separators() -> None:
    assert localize_number("-1,234.50", "nl") == "-1.234,50"
    assert localize_number("+55.0%", "nl") == "+55,0%"
    assert localize_number("1.5e-06", "nl") == "1,5e-06"
    assert localize_number("2035", "nl") == "2035"
    assert localize_number("1,234.5", "en") == "1,234.5"
    assert localize_number("n/a", "nl") == "n/a"


def test_a_problem_renders_in_either_language_with_file_and_place_untouched() -> None:
    problem = Problem(
        "model.yaml",
        "links[0].to",
        msg("unknown node '{node}'", node="incme"),
        msg("did you mean '{name}'?", name="income"),
        7,
    )
    assert str(problem) == "model.yaml:7: links[0].to: unknown node 'incme' (did you mean 'income'?)"
    assert problem.render("nl") == "model.yaml:7: links[0].to: onbekende knoop 'incme' (bedoelt u 'income'?)"
    error = InputError([problem, Problem("", "--year", msg("choose a year inside it"))])
    assert error_text(error, "nl").splitlines() == [
        "- " + problem.render("nl"),
        "- <invoer>: --year: kies een jaar daarbinnen",
    ]
    blown = NumericalError("jobs", 2031.5, 3)
    assert error_text(blown, "nl") == (
        "de berekening liep uit de hand: knoop 'jobs' werd op t=2031,5 (ensemblelid 3) oneindig of geen getal"
    )
    assert str(blown) == "the run blew up: node 'jobs' at t=2031.5 (ensemble member 3) became non-finite"


def test_a_pydantic_check_of_our_own_keeps_its_message_translatable(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        ModelSpec.model_validate(
            {
                "name": "m",
                "title": {"nl": "m", "en": "m"},
                "time": {"dt": -1},
                "nodes": [
                    {
                        "id": "a",
                        "label": {"nl": "a", "en": "a"},
                        "theme": "milieu",
                        "dimension": "later",
                        "unit": "u",
                        "baseline": 1,
                    }
                ],
            }
        )
    assert "dt must be above 0" in str(caught.value)
    bad = tmp_path / "m.yaml"
    bad.write_text(
        "name: m\ntitle: {nl: m, en: m}\ntime: {start: 2025, end: 2030, dt: -1}\nnodes:\n"
        "  - {id: a, label: {nl: a, en: a}, theme: milieu, dimension: later, unit: u, baseline: 1}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "dt moet boven 0 liggen, niet -1" in result.stderr and "1 van 1 bestand(en) ongeldig" in result.stderr


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


def _all_commands() -> list[tuple[tuple[str, ...], Any]]:
    """Every command and workshop subcommand, loaded (the app imports a command's module when it runs)."""
    from simulator.cli.lazy import COMMANDS as LAZY
    from simulator.cli.lazy import _load

    found = []
    for name, where in LAZY.items():
        command = _load(name, where)
        found += _commands(command, (name,)) if hasattr(command, "commands") else [((name,), command)]
    return found


COMMANDS = _all_commands()


def test_the_command_list_is_complete() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {
        "run",
        "validate",
        "explain",
        "loops",
        "calibrate",
        "monitor",
        "sensitivity",
        "scorecard",
        "export",
        "ui",
        "workshop create",
        "workshop compare",
        "workshop show",
        "workshop import",
    } <= names


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_lang_nl_by_default_and_refuses_another_language(
    path: tuple[str, ...], tmp_path: Path
) -> None:
    command = dict(COMMANDS)[path]
    option = next(p for p in command.params if "--lang" in getattr(p, "opts", ()))
    assert option.default == "nl"
    assert runner.invoke(app, [*path, "--lang", "en", "--help"]).exit_code == 0
    result = runner.invoke(app, [*path, "--lang", "de"])
    assert result.exit_code == 2, result.output
    assert "'de' is niet een van 'nl', 'en'" in " ".join(result.output.replace("│", "").split())  # Dutch, the default


def test_run_with_an_unknown_language_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", str(ROOT / "scenarios" / "medtech-growth.yaml"), "--out", str(out), "--lang", "de"]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not out.exists()


def test_refusals_and_errors_are_printed_in_the_chosen_language(tmp_path: Path) -> None:
    scenario = str(ROOT / "scenarios" / "medtech-growth.yaml")
    dutch = runner.invoke(app, ["run", scenario, "--out", str(tmp_path / "o"), "--samples", "0"])
    assert dutch.exit_code == 2 and dutch.stderr.strip() == "bwsim: --samples moet minstens 1 zijn, niet 0"
    english = runner.invoke(app, ["run", scenario, "--out", str(tmp_path / "o"), "--samples", "0", "--lang", "en"])
    assert english.stderr.strip() == "bwsim: --samples must be at least 1, got 0"
    unknown = runner.invoke(app, ["explain", scenario, "--node", "life_satisfactoin"])
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == (
        f"bwsim: ongeldige invoer: {scenario}: --node: onbekende knoop "
        "'life_satisfactoin' (bedoelt u 'life_satisfaction'?)"
    )


def test_explain_and_loops_speak_dutch_with_labels_and_english_on_request() -> None:
    scenario = str(ROOT / "scenarios" / "medtech-growth.yaml")
    dutch = runner.invoke(app, ["explain", scenario, "--node", "life_satisfaction", "--year", "2035", "--top", "2"])
    assert dutch.exit_code == 0, dutch.output
    first = dutch.stdout.splitlines()[0]
    assert first.startswith("Tevredenheid met het leven in 2035")
    assert re.search(r"verandering 0,\d+ procentpunt", first)  # a decimal comma
    assert "life_satisfaction" not in dutch.stdout and "regional_outlook" not in dutch.stdout
    assert "langs inkomende verbanden" in dutch.stdout and "via incoming" not in dutch.stdout
    english = runner.invoke(
        app, ["explain", scenario, "--node", "life_satisfaction", "--year", "2035", "--top", "2", "--lang", "en"]
    )
    assert english.stdout.splitlines()[0].startswith("Life satisfaction in 2035")
    assert re.search(r"change 0\.\d+ percentage points", english.stdout)
    loops = runner.invoke(app, ["loops", scenario])
    assert "terugkoppellus(sen)" in loops.stdout and "balancerend" in loops.stdout and "-0,25" in loops.stdout
    assert "net_migration" not in loops.stdout and "Migratiesaldo -> Inwoners -> Migratiesaldo" in loops.stdout


def test_the_app_renders_a_core_error_with_the_same_function_in_its_language() -> None:
    from simulator.app.i18n import error_text as app_error_text
    from simulator.app.i18n import problem_lines

    error = InputError(
        Problem(
            "metingen.csv",
            msg("row {row}", row=1),
            msg("unknown node '{node}'", node="incom"),
            msg("did you mean '{name}'?", name="income"),
            2,
        )
    )
    assert problem_lines(error, "nl") == ["metingen.csv:2: rij 1: onbekende knoop 'incom' (bedoelt u 'income'?)"]
    assert problem_lines(error, "en") == ["metingen.csv:2: row 1: unknown node 'incom' (did you mean 'income'?)"]
    assert app_error_text(error, "nl") == error_text(error, "nl")


def test_pydantics_own_messages_are_translated_where_known(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text(
        "name: m\ntitle: m\nnodes:\n  - {id: a, label: A, theme: milieu, dimension: nu, baseline: abc}\n"
        "  - {id: b, label: B, theme: milieu, dimension: later, baseline: 1, quantified: maybe}\n",
        encoding="utf-8",
    )
    dutch = runner.invoke(app, ["validate", str(bad)]).stderr
    assert "'nu' is niet toegestaan (gebruik 'hier_en_nu', 'later' or 'elders')" in dutch
    assert "basispad moet een getal zijn, niet 'abc'" in dutch
    assert "moet true of false zijn; deze waarde is dat niet (gekregen: 'maybe')" in dutch
    english = runner.invoke(app, ["validate", str(bad), "--lang", "en"]).stderr
    assert "Input should be a valid boolean, unable to interpret input (got 'maybe')" in english


_WORDS = re.compile(r"[A-Za-z]{3,}")
_MESSAGE_CALLS = {
    "Problem": (2, 3),
    "problem": (1, 2),
    "_locate": (2, 3),
    "_bad": (2, 3),
    "_bad_location": (1, 2),
    "error": (1,),
    "fail": (0,),
    "say": (0,),
    "warn": (0,),
}
"""Calls whose arguments at these positions are text for people (Problem's message and hint, ...)."""
_ERRORS = {"InputError", "NumericalError", "SimulatorError", "CalibrationError"}


def _literal_words(node: ast.AST) -> bool:
    """A string literal or f-string whose literal parts hold words (text that should be a msg())."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_WORDS.search(node.value.replace("bwsim", "")))
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and _WORDS.search(str(v.value).replace("bwsim", "")) for v in node.values
        )
    if isinstance(node, ast.BinOp):
        return _literal_words(node.left) or _literal_words(node.right)
    return False


def _call_name(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")


def untranslated_texts() -> list[str]:
    """Text for people written as plain strings where a msg() belongs (so no catalog can translate it)."""
    found = []
    for path in sorted((ROOT / "simulator").rglob("*.py")):
        where = path.relative_to(ROOT)
        cli = where.parts[:2] == ("simulator", "cli")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            args = list(node.args) + [k.value for k in node.keywords if k.arg in ("message", "hint")]
            texts = [args[i] for i in _MESSAGE_CALLS.get(name, ()) if i < len(args)]
            if name in _ERRORS or (name == "ValueError" and where.name == "spec.py"):
                texts += node.args[:1]
            if cli and name == "echo":
                texts += node.args[:1]
            if name == "append" and getattr(node.func.value, "id", "") in ("warnings", "notes", "problems", "out"):
                texts += node.args[:1]
            found += [f"{where}:{node.lineno}: {name}({ast.unparse(t)[:70]})" for t in texts if _literal_words(t)]
    return found


def test_no_text_for_people_bypasses_the_catalog() -> None:
    found = untranslated_texts()
    assert not found, (
        'write these as msg("English {field}", field=value) and translate them in bwsim.po:\n' + "\n".join(found)
    )


def test_messages_survive_pickling_as_dask_sends_them() -> None:
    import pickle

    from simulator.messages import joined

    text = msg("give it a range in the model, e.g. weight: {{low: .., mode: .., high: ..}}")
    nested = msg("{message} (got {value})", message=msg("dt must be above 0, got {dt:g}", dt=-1.0), value="x")
    both = joined("; ", [text, nested])
    for original in (text, nested, both):
        copy = pickle.loads(pickle.dumps(original))
        assert str(copy) == str(original) and translate(copy, "nl") == translate(original, "nl")
    problem = pickle.loads(pickle.dumps(Problem("f.yaml", "x", nested)))
    assert problem.render("nl") == "f.yaml: x: dt moet boven 0 liggen, niet -1 (gekregen: x)"
