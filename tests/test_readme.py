"""The README's commands work as written (exit status 0), from a copy of the repository.

Every logical line of the README's ```sh and ```bash blocks is either run or on the
explicit skip list below (set-up scripts, the app, anything that needs a server), so a
new README command cannot be left out silently. The lines run in README order in one
bash process, in a temporary copy of models/, scenarios/ and data/, with the installed
``bwsim`` first on PATH; each line's exit status is checked. Numbers are not checked:
they change when the model does.
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
    for name in ("run", "export", "scorecard", "explain", "loops", "calibrate", "sensitivity", "monitor",
                 "workshop create", "workshop export", "workshop import"):
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


def test_readme_commands_exit_zero(tmp_path: Path) -> None:
    commands = [c for c in readme_commands(README.read_text(encoding="utf-8")) if skip_reason(c) is None]
    work = tmp_path / "repo"
    for folder in ("models", "scenarios", "data"):
        shutil.copytree(ROOT / folder, work / folder)

    script = ["set -u -o pipefail"]
    for i, command in enumerate(commands):
        script += [f"echo '@@start {i}'", command, f"echo \"@@status {i} $?\""]
    env = {
        **os.environ,
        "PATH": f"{_bwsim_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),  # never the user's own workshop database
        "COLUMNS": "120",
    }
    env.pop("BWSIM_WORKSHOP_DB", None)
    proc = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True,
                          text=True, timeout=600)

    statuses = dict(re.findall(r"^@@status (\d+) (\d+)$", proc.stdout, re.MULTILINE))
    failed = []
    for i, command in enumerate(commands):
        status = statuses.get(str(i))
        if status != "0":
            section = proc.stdout.split(f"@@start {i}\n", 1)[-1].split("@@status", 1)[0]
            failed.append(f"exit {status}: {command}\n{section[-2000:]}")
    assert not failed, "README commands failed:\n\n" + "\n\n".join(failed) + f"\n\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, proc.stderr[-3000:]
