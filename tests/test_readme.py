"""The README's commands work as written (exit status 0) and print what the README shows.

Every logical line of the README's ```sh and ```bash blocks is either run or on the
explicit skip list below (set-up scripts, the app, anything that needs a server), so a
new README command cannot be left out silently. The lines run in README order in one
bash process, in a temporary copy of models/, scenarios/ and data/, with the installed
``bwsim`` first on PATH; each line's exit status is checked.

Every ```text block of the README shows the output of one of those commands, named by
the comment right above it: ``<!-- output: COMMAND -->``, or ``<!-- output (abridged):
COMMAND -->`` for an excerpt. Its lines are compared with what the command printed to
standard output, numbers included: each shown line must equal a printed line (trailing
spaces aside), consecutive shown lines must be consecutive there too, and a line that is
only ``…`` stands for any run of printed lines. An abridged block may also start and end
anywhere in the output; a block that is not abridged must show it from its first to its
last non-blank line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

BLOCK = re.compile(r"^```(?:sh|bash)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
OUTPUT_BLOCK = re.compile(r"^```text[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
OUTPUT_MARK = re.compile(r"<!--\s*output(?P<abridged>\s*\(abridged\))?:\s*(?P<command>.*?)\s*-->\s*\Z", re.DOTALL)
ELLIPSIS = "…"

# (pattern, why it is not run here)
SKIPPED = [
    (re.compile(r"^(?:\w+=\S* )*bash scripts/"), "set-up scripts: they build .venv and install packages"),
    (re.compile(r"^source "), "activates .venv; the test puts the installed bwsim on PATH instead"),
    (re.compile(r"\bbwsim ui\b"), "starts a server"),
    (re.compile(r"--scheduler\b"), "needs a running Dask scheduler"),
    (re.compile(r"postgresql"), "needs a PostgreSQL server"),
]


def readme_commands(text: str) -> list[str]:
    """Logical command lines of the sh/bash blocks: continuations joined, comments and blanks dropped."""
    commands: list[str] = []
    for block in BLOCK.findall(text):
        pending = ""
        for raw in block.splitlines():
            line = raw.strip()
            if line.endswith("\\"):
                pending += line[:-1].strip() + " "
                continue
            line = (pending + line).strip()
            pending = ""
            if line and not line.startswith("#"):
                commands.append(line)
        assert not pending, f"README: a command ends in a backslash: {pending!r}"
    return commands


def shown_outputs(text: str) -> list[tuple[str, bool, list[str]]]:
    """Every ```text block as ``(command, abridged, lines)``, from the ``<!-- output: ... -->`` above it."""
    blocks = []
    for match in OUTPUT_BLOCK.finditer(text):
        before = text[: match.start()].rstrip("\n")
        comment = before[before.rfind("<!--") :] if "<!--" in before else ""
        mark = OUTPUT_MARK.search(comment) if comment.count("-->") == 1 and not comment.endswith("```") else None
        line = text.count("\n", 0, match.start()) + 1
        assert mark is not None, f"README line {line}: a ```text block without <!-- output: COMMAND --> above it"
        blocks.append((" ".join(mark["command"].split()), bool(mark["abridged"]), match.group(1).splitlines()))
    return blocks


def output_mismatch(shown: list[str], printed: list[str], abridged: bool) -> str | None:
    """Why ``shown`` is not an excerpt of ``printed`` (None when it is; see the module docstring)."""
    shown = [line.rstrip() for line in shown]
    printed = [line.rstrip() for line in printed]
    segments: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == ELLIPSIS:
            segments.append([])
        else:
            segments[-1].append(line)
    free_start, free_end = abridged or not segments[0], abridged or not segments[-1]
    segments = [seg for seg in segments if seg]
    if not free_start:
        while printed and not printed[0]:
            printed = printed[1:]
    if not free_end:
        while printed and not printed[-1]:
            printed = printed[:-1]
    position = 0
    for n, segment in enumerate(segments):
        anchored = n == 0 and not free_start
        starts = [position] if anchored else range(position, len(printed) - len(segment) + 1)
        found = next((i for i in starts if printed[i : i + len(segment)] == segment), None)
        if found is None:
            best = max(
                range(len(printed) or 1),
                key=lambda i: sum(a == b for a, b in zip(printed[i : i + len(segment)], segment, strict=False)),
                default=0,
            )
            return (
                "this shown part is not in the output:\n  "
                + "\n  ".join(segment)
                + "\nclosest printed lines:\n  "
                + "\n  ".join(printed[best : best + len(segment)])
            )
        position = found + len(segment)
    if not free_end and position != len(printed):
        return "the output goes on after the shown block (mark it '(abridged)' or end it with …):\n  " + "\n  ".join(
            printed[position : position + 5]
        )
    return None


def test_output_comparison_allows_ellipsis_and_abridged_blocks() -> None:
    printed = ["", "head", "a", "b", "c", "tail", ""]
    assert output_mismatch(["head", "…", "c", "tail"], printed, False) is None
    assert output_mismatch(["head", "a", "b", "c", "tail"], printed, False) is None
    assert output_mismatch(["a", "b"], printed, True) is None
    assert output_mismatch(["a", "b"], printed, False) is not None  # not abridged: must start at the start
    assert output_mismatch(["head", "b"], printed, True) is not None  # consecutive shown, not printed
    assert output_mismatch(["head", "a", "x"], printed, True) is not None  # a changed number fails
    assert output_mismatch(["head", "…"], printed, False) is None
    text = "x\n<!-- output (abridged): bwsim a \n --b -->\n```text\nline\n```\n"
    assert shown_outputs(text) == [("bwsim a --b", True, ["line"])]
    with pytest.raises(AssertionError):
        shown_outputs("x\n```text\nline\n```\n")


def skip_reason(command: str) -> str | None:
    for pattern, why in SKIPPED:
        if pattern.search(command):
            return why
    return None


def test_extraction_finds_continuations_and_skips() -> None:
    text = "x\n```sh\n# note\nbwsim a \\\n  --b c\n\nbwsim ui --port 1\n```\n```python\nbwsim no\n```\n"
    assert readme_commands(text) == ["bwsim a --b c", "bwsim ui --port 1"]
    assert skip_reason("bwsim ui --port 1") is not None
    assert skip_reason("bwsim a --b c") is None


def test_readme_has_the_commands_it_promises() -> None:
    commands = readme_commands(README.read_text(encoding="utf-8"))
    run = [c for c in commands if skip_reason(c) is None]
    for name in (
        "run",
        "export",
        "scorecard",
        "explain",
        "loops",
        "check",
        "calibrate",
        "sensitivity",
        "monitor",
        "workshop create",
        "workshop export",
        "workshop import",
    ):
        assert any(re.search(rf"\bbwsim {name}\b", c) for c in run), f"README runs no 'bwsim {name}'"
    assert any("--samples" in c for c in run if "bwsim run" in c)


def _bwsim_dir() -> Path:
    """The folder of the bwsim script installed next to this Python."""
    here = Path(sys.executable).parent
    if (here / "bwsim").exists():
        return here
    found = shutil.which("bwsim")
    if found is None:
        pytest.fail("no bwsim command next to the test's Python or on PATH; install with pip install -e .")
    return Path(found).parent


# The README's commands run as one script: about 5 minutes on a quiet 2-core machine, two or three times that when
# the cores are shared; the limit catches a command that hangs, not a busy machine.
README_SECONDS = 1500


@pytest.mark.timeout(README_SECONDS + 60)
def test_readme_commands_exit_zero_and_print_what_it_shows(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    commands = [c for c in readme_commands(text) if skip_reason(c) is None]
    shown = shown_outputs(text)
    unknown = [command for command, _, _ in shown if command not in commands]
    assert not unknown, f"README shows the output of commands it does not run: {unknown}"
    work = tmp_path / "repo"
    for folder in ("models", "scenarios", "data", "examples"):
        shutil.copytree(ROOT / folder, work / folder)

    script = ["set -u -o pipefail"]
    for i, command in enumerate(commands):
        script += [f"echo '@@start {i}'", command, f'echo "@@status {i} $?"']
    env = {
        **os.environ,
        "PATH": f"{_bwsim_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),  # never the user's own workshop database
        "COLUMNS": "120",
    }
    env.pop("BWSIM_WORKSHOP_DB", None)
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True, text=True, timeout=README_SECONDS
    )

    statuses = dict(re.findall(r"^@@status (\d+) (\d+)$", proc.stdout, re.MULTILINE))
    failed = []
    for i, command in enumerate(commands):
        status = statuses.get(str(i))
        if status != "0":
            section = proc.stdout.split(f"@@start {i}\n", 1)[-1].split("@@status", 1)[0]
            failed.append(f"exit {status}: {command}\n{section[-2000:]}")
    assert not failed, "README commands failed:\n\n" + "\n\n".join(failed) + f"\n\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, proc.stderr[-3000:]
    outputs = {
        command: proc.stdout.split(f"@@start {i}\n", 1)[-1].split(f"@@status {i} ", 1)[0].splitlines()
        for i, command in enumerate(commands)
    }
    wrong = [
        f"{command}:\n{why}"
        for command, abridged, lines in shown
        if (why := output_mismatch(lines, outputs[command], abridged))
    ]
    assert not wrong, "README outputs differ from what the commands print:\n\n" + "\n\n".join(wrong)
